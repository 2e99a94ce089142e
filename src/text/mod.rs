//! The text layer: a JSON reader that keeps byte spans, wildcard patterns with three-valued
//! matching, and locations in an input for error messages. It knows nothing of IAM.

pub(crate) mod intern;
pub(crate) mod json;
mod location;
pub(crate) mod pattern;
pub(crate) mod room;
pub(crate) mod words;

pub use json::{Span, SyntaxError};
pub use location::Location;
pub use pattern::{ArnHeads, Template, Tri};
