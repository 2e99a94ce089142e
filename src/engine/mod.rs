//! The engine: evaluates a policy set against one required permission, three-valued, and
//! explains the decision. `evaluate` gathers the evidence statement by statement, a small
//! table decides, `refine` makes an open answer exact where the cases can be enumerated.

mod decision;
mod evaluate;
mod explain;
mod refine;

pub use decision::{
    Decision, DependsOn, MissingReason, ResourceOutcome, StatementRef, Status, Summary,
};
pub use evaluate::{evaluate, evaluate_status};

/// Forgets every refinement and witness remembered, and the last long list of keys an
/// answer shared, as if the process had just started: for benchmarks and tests of the work
/// (and the memory) of an evaluation with nothing remembered. Answers never depend on it.
#[doc(hidden)]
pub fn forget_remembered() {
    refine::forget_memos();
    evaluate::forget_shared_list();
    evaluate::forget_notes();
}
