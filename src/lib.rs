//! Auto Scaling Permission Explorer: which IAM permissions an Amazon EC2 Auto Scaling call
//! needs, and whether a policy grants them.
//!
//! The core (everything outside [`app`]) has no UI in it: policy parsing ([`load`],
//! [`policy`]), IAM evaluation ([`eval`]), the Auto Scaling knowledge base ([`catalog`]),
//! requirement resolution and statement generation ([`resolve`], [`generate`]) and reports
//! ([`report`]). The desktop app ([`app`]) and the command line ([`cli`]) share it.

pub mod app;
pub mod catalog;
pub mod catalog_check;
pub mod cli;
pub mod condition;
pub mod eval;
pub mod generate;
pub mod json;
pub mod load;
pub mod output;
pub mod pattern;
pub mod policy;
pub mod refine;
pub mod report;
pub mod resolve;
pub mod vars;
