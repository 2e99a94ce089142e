//! The panels: each holds only its UI state and draws what it is given.

mod detail;
mod policy;
mod tree;

pub use detail::{DetailInput, DetailPanel};
pub use policy::PolicyPanel;
pub use tree::TreePanel;
