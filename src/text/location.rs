//! Where in an input something is: the input's name, line and column, and the line itself.

use std::fmt;

use super::json::line_col;

/// A place in a named input, for messages. `line` is 0 when the message is about the input as
/// a whole rather than a place in it.
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize)]
pub struct Location {
    /// The file or policy name.
    pub origin: String,
    /// 1-based line (0 when the message is about the whole input).
    pub line: usize,
    /// 1-based column, in characters.
    pub column: usize,
    /// The line holding the place, cut to a readable length.
    pub excerpt: Option<String>,
}

impl Location {
    /// The place at byte `offset` of `text`.
    pub fn at(origin: &str, text: &str, offset: usize) -> Self {
        let (line, column) = line_col(text, offset);
        Self {
            origin: origin.to_owned(),
            line,
            column,
            excerpt: excerpt(text, offset),
        }
    }

    /// The input as a whole.
    pub fn whole(origin: &str) -> Self {
        Self {
            origin: origin.to_owned(),
            ..Self::default()
        }
    }

    /// `message` with this place in front and the excerpt, indented, on the next line: the
    /// one way errors are shown to people, in the CLI and in the app.
    pub fn describe(&self, message: &str) -> String {
        format!("{self}: {message}{}", self.excerpt_block())
    }

    /// The excerpt on a line of its own, indented, or nothing.
    pub fn excerpt_block(&self) -> String {
        self.excerpt
            .as_ref()
            .map_or_else(String::new, |x| format!("\n    {x}"))
    }
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.line == 0 {
            f.write_str(&self.origin)
        } else {
            write!(f, "{}:{}:{}", self.origin, self.line, self.column)
        }
    }
}

/// The line holding `offset`, cut to a readable length.
fn excerpt(text: &str, offset: usize) -> Option<String> {
    let mut at = offset.min(text.len());
    while !text.is_char_boundary(at) {
        at -= 1;
    }
    let start = text[..at].rfind('\n').map_or(0, |i| i + 1);
    let end = text[at..].find('\n').map_or(text.len(), |i| at + i);
    let line: String = text[start..end].chars().take(160).collect();
    let line = line.trim_end();
    (!line.trim().is_empty()).then(|| line.to_owned())
}
