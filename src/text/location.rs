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
    /// The line holding the place, or a window of it around the place when the line is
    /// long (a minified document is one line), cut with `…`.
    pub excerpt: Option<String>,
    /// Where the place is in the excerpt, in characters from its start.
    pub caret: usize,
}

impl Location {
    /// The place at byte `offset` of `text`.
    pub fn at(origin: &str, text: &str, offset: usize) -> Self {
        let (line, column) = line_col(text, offset);
        let (excerpt, caret) = excerpt(text, offset).map_or((None, 0), |(e, c)| (Some(e), c));
        Self {
            origin: origin.to_owned(),
            line,
            column,
            excerpt,
            caret,
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

    /// The excerpt on a line of its own, indented, with a caret under the place, or nothing.
    pub fn excerpt_block(&self) -> String {
        self.excerpt.as_ref().map_or_else(String::new, |x| {
            format!("\n    {x}\n    {}^", " ".repeat(self.caret))
        })
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

/// Characters of context shown on each side of the place in a long line.
const WINDOW: usize = 60;

/// The line holding `offset` (a window of it around `offset` when long), and where `offset`
/// falls in it.
fn excerpt(text: &str, offset: usize) -> Option<(String, usize)> {
    let mut at = offset.min(text.len());
    while !text.is_char_boundary(at) {
        at -= 1;
    }
    let start = text[..at].rfind(['\n', '\r']).map_or(0, |i| i + 1);
    let end = text[at..].find(['\n', '\r']).map_or(text.len(), |i| at + i);
    let before: Vec<char> = text[start..at].chars().collect();
    let after: Vec<char> = text[at..end].chars().take(WINDOW + 1).collect();
    let skip = before.len().saturating_sub(WINDOW);
    let mut line = String::new();
    if skip > 0 {
        line.push('…');
    }
    line.extend(&before[skip..]);
    let caret = line.chars().count();
    line.extend(after.iter().take(WINDOW));
    if after.len() > WINDOW {
        line.push('…');
    }
    let line = line.trim_end().to_owned();
    (!line.trim().is_empty()).then_some((line, caret))
}
