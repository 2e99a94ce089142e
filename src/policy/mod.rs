//! The policy model: documents and statements, conditions and their operators, policy
//! variables, the request a policy is asked about, and the set of policies that apply to a
//! principal. Nothing here evaluates a whole request; that is the engine's job.

pub(crate) mod condition;
pub(crate) mod document;
mod error;
pub(crate) mod keys;
pub(crate) mod operators;
pub(crate) mod request;
pub(crate) mod set;
pub(crate) mod vars;

pub use document::{
    Effect, Matches, Policy, ResourceMatches, ResourcePattern, Statement, Warning, WarningText,
    statement_label,
};
pub(crate) use document::{
    StatementStream, parse_document, parse_document_streamed, statement_reads,
};
pub use error::PolicyError;
pub(crate) use request::FoldedKey;
pub use request::{Context, KeyState, Request};
pub use set::{Layer, PolicySet};
pub(crate) use vars::{Resolved, VarRef, VarText};
