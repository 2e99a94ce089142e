//! The engine: evaluates a policy set against one required permission, three-valued, and
//! explains the decision. `evaluate` gathers the evidence statement by statement, a small
//! table decides, `refine` makes an open answer exact where the cases can be enumerated.

mod decision;
mod evaluate;
mod explain;
mod refine;

pub use decision::{Decision, MissingReason, ResourceOutcome, StatementRef, Status, Summary};
pub use evaluate::{evaluate, evaluate_status};
#[doc(hidden)]
pub use refine::forget_remembered;
