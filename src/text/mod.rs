//! The text layer: a JSON reader that keeps byte spans, wildcard patterns with three-valued
//! matching, and locations in an input for error messages. It knows nothing of IAM.

pub(crate) mod intern;
pub(crate) mod json;
mod location;
pub(crate) mod pattern;
pub(crate) mod room;
pub(crate) mod words;

pub use json::{Span, SyntaxError};

/// A text that what is read from it refers to (a file's, or a document's), held once and
/// shared: the `String` read, moved behind a thin pointer. (An `Arc<str>` is made by copying
/// the text: a file was held twice while it was read.)
pub type SourceText = std::sync::Arc<String>;

/// `text` as a [`SourceText`], the room it was read into beyond its length given back (in
/// place, for a large text): it is held as long as what is read from it.
pub(crate) fn source_text(mut text: String) -> SourceText {
    text.shrink_to_fit();
    std::sync::Arc::new(text)
}
pub use location::Location;
pub use pattern::{ArnHeads, Template, Tri};
