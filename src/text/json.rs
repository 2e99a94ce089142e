//! A small JSON reader that keeps the byte span of every value.
//!
//! `serde_json` does not report where a value came from, and the product needs that: the UI
//! highlights the statement that decided a permission, and every error names a line and a
//! column. This reader is strict RFC 8259 JSON, bounded in nesting depth so that hostile input
//! cannot overflow the stack.

use std::fmt;
use std::hash::BuildHasher;

use compact_str::CompactString;

/// The deepest nesting accepted. Real IAM documents nest 6 or 7 levels.
pub const MAX_DEPTH: usize = 128;

/// Writes `value` as pretty JSON, then a newline, as it is made: the reports whose JSON can
/// be far larger than their input (a check, a simulation, lint, an account matrix) are
/// never held whole. Give it a buffered writer.
///
/// # Errors
/// When writing fails.
pub fn write_pretty<T: serde::Serialize + ?Sized>(
    value: &T,
    out: &mut dyn std::io::Write,
) -> std::io::Result<()> {
    serde_json::to_writer_pretty(&mut *out, value)?;
    out.write_all(b"\n")
}

/// A byte range `[start, end)` in the source text.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, serde::Serialize)]
pub struct Span {
    /// First byte.
    pub start: usize,
    /// One past the last byte.
    pub end: usize,
}

/// A JSON value with the span it was read from.
#[derive(Clone, Debug, PartialEq)]
pub struct Value {
    /// What the value is.
    pub kind: Kind,
    /// Where it is in the source.
    pub span: Span,
}

/// The kinds of JSON value.
#[derive(Clone, Debug, PartialEq)]
pub enum Kind {
    /// `null`
    Null,
    /// `true` or `false`
    Bool(bool),
    /// A number, kept as written.
    Number(CompactString),
    /// A string, unescaped (stored in place when short, as nearly every key and value of a
    /// policy is: no allocation).
    String(CompactString),
    /// An array.
    Array(Vec<Value>),
    /// An object: members in source order, each with the span of its key.
    Object(Vec<Member>),
}

/// One member of an object.
#[derive(Clone, Debug, PartialEq)]
pub struct Member {
    /// The key, unescaped (in place when short).
    pub key: CompactString,
    /// Where the key is.
    pub key_span: Span,
    /// The value.
    pub value: Value,
}

impl Value {
    /// A short name for the kind, for error messages ("a string", "an array").
    pub fn kind_name(&self) -> &'static str {
        match self.kind {
            Kind::Null => "null",
            Kind::Bool(_) => "a boolean",
            Kind::Number(_) => "a number",
            Kind::String(_) => "a string",
            Kind::Array(_) => "an array",
            Kind::Object(_) => "an object",
        }
    }

    /// The members, if this is an object.
    pub fn as_object(&self) -> Option<&[Member]> {
        match &self.kind {
            Kind::Object(m) => Some(m),
            _ => None,
        }
    }

    /// The text, if this is a string.
    pub fn as_str(&self) -> Option<&str> {
        match &self.kind {
            Kind::String(s) => Some(s),
            _ => None,
        }
    }

    /// The first member named `key` (exact case), if this is an object.
    pub fn get(&self, key: &str) -> Option<&Value> {
        self.as_object()?
            .iter()
            .find(|m| m.key == key)
            .map(|m| &m.value)
    }

    /// Converts to a `serde_json::Value`, keeping member order.
    pub fn to_serde(&self) -> serde_json::Value {
        match &self.kind {
            Kind::Null => serde_json::Value::Null,
            Kind::Bool(b) => serde_json::Value::Bool(*b),
            Kind::Number(n) => {
                serde_json::from_str(n).unwrap_or_else(|_| serde_json::Value::String(n.to_string()))
            }
            Kind::String(s) => serde_json::Value::String(s.to_string()),
            Kind::Array(items) => {
                serde_json::Value::Array(items.iter().map(Self::to_serde).collect())
            }
            Kind::Object(members) => {
                let mut map = serde_json::Map::new();
                for m in members {
                    map.insert(m.key.to_string(), m.value.to_serde());
                }
                serde_json::Value::Object(map)
            }
        }
    }
}

/// A syntax error, with its byte offset and the line and column it falls on.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SyntaxError {
    /// What is wrong.
    pub message: String,
    /// Byte offset of the error.
    pub offset: usize,
    /// 1-based line.
    pub line: usize,
    /// 1-based column, counted in characters.
    pub column: usize,
}

impl fmt::Display for SyntaxError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "line {}, column {}: {}",
            self.line, self.column, self.message
        )
    }
}

impl std::error::Error for SyntaxError {}

/// The 1-based line and column (in characters) of a byte offset. A line ends at `\n`, at
/// `\r\n`, or at a lone `\r`.
pub fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let offset = offset.min(text.len());
    let mut cut = offset;
    while !text.is_char_boundary(cut) {
        cut -= 1;
    }
    let before = &text[..cut];
    let bytes = text.as_bytes();
    let mut line = 1;
    let mut line_start = 0;
    for (i, &b) in bytes[..cut].iter().enumerate() {
        let ends = b == b'\n' || (b == b'\r' && bytes.get(i + 1) != Some(&b'\n'));
        if ends {
            line += 1;
            line_start = i + 1;
        }
    }
    let column = before[line_start..].chars().count() + 1;
    (line, column)
}

/// Line starts of a text, for many [`line_col`] look-ups in one text without counting from
/// the start each time. On a line longer than [`COLUMN_STEP`] bytes the column is also
/// known every `COLUMN_STEP` bytes, so a look-up scans at most that much whatever order the
/// look-ups come in (a minified JSON file is one long line, and its findings' offsets go
/// back within each statement). Look-ups in source order count on from the last one.
pub struct LineIndex {
    starts: Vec<usize>,
    /// On long lines: (byte offset, column there), in order.
    steps: Vec<(usize, usize)>,
    /// The last look-up: its byte offset, line and column.
    last: std::cell::Cell<(usize, usize, usize)>,
    /// Bytes scanned to count columns, for tests that bound the work.
    scanned: std::cell::Cell<usize>,
}

/// How far apart the columns of a long line are known (see [`LineIndex`]).
pub const COLUMN_STEP: usize = 1024;

impl LineIndex {
    /// Indexes `text`.
    pub fn new(text: &str) -> Self {
        let bytes = text.as_bytes();
        let mut starts = vec![0];
        for (i, &b) in bytes.iter().enumerate() {
            if b == b'\n' || (b == b'\r' && bytes.get(i + 1) != Some(&b'\n')) {
                starts.push(i + 1);
            }
        }
        let mut steps = Vec::new();
        let ends = starts.iter().skip(1).copied().chain([text.len()]);
        for (&start, end) in starts.iter().zip(ends) {
            let (mut at, mut column) = (start, 1);
            while end - at > COLUMN_STEP {
                let mut next = at + COLUMN_STEP;
                while !text.is_char_boundary(next) {
                    next += 1;
                }
                column += text[at..next].chars().count();
                at = next;
                steps.push((at, column));
            }
        }
        Self {
            starts,
            steps,
            last: std::cell::Cell::new((0, 1, 1)),
            scanned: std::cell::Cell::new(0),
        }
    }

    /// Like [`line_col`].
    pub fn line_col(&self, text: &str, offset: usize) -> (usize, usize) {
        let mut cut = offset.min(text.len());
        while !text.is_char_boundary(cut) {
            cut -= 1;
        }
        let line = self.starts.partition_point(|&s| s <= cut);
        let start = self.starts[line - 1];
        // The nearest known column at or before `cut` on this line.
        let step = self.steps.partition_point(|&(at, _)| at <= cut);
        let (mut from, mut column) = match step.checked_sub(1).map(|k| self.steps[k]) {
            Some((at, column)) if at >= start => (at, column),
            _ => (start, 1),
        };
        let (last_at, last_line, last_column) = self.last.get();
        if last_line == line && (from..=cut).contains(&last_at) {
            (from, column) = (last_at, last_column);
        }
        let column = column + text[from..cut].chars().count();
        self.scanned.set(self.scanned.get() + (cut - from));
        self.last.set((cut, line, column));
        (line, column)
    }

    /// Bytes scanned so far to count columns.
    #[cfg(test)]
    fn scanned(&self) -> usize {
        self.scanned.get()
    }
}

/// Parses one JSON value; only white space may follow it.
pub fn parse(text: &str) -> Result<Value, SyntaxError> {
    parse_with(Parser::new(text))
}

/// Parses the value at `span` of `text` (one read earlier): spans, lines and columns stay
/// those of the whole text.
pub fn parse_range(text: &str, span: Span) -> Result<Value, SyntaxError> {
    let end = span.end.min(text.len());
    let mut p = Parser::new(text);
    p.bytes = &text.as_bytes()[..end];
    p.pos = span.start.min(end);
    p.skip_ws();
    let value = p.value(0)?;
    p.skip_ws();
    if p.pos < p.bytes.len() {
        return Err(p.error_at(p.pos, "unexpected text after the end of the JSON value"));
    }
    Ok(value)
}

/// Reads a value read whole once before (so known to be well formed) straight from the
/// text, a member at a time, so that a large object needs no tree: a `Condition` block of a
/// hundred thousand keys is read key by key, each key's values as a small tree.
pub struct Reader<'a> {
    p: Parser<'a, 'static>,
}

impl<'a> Reader<'a> {
    /// A reader at byte `pos` of `text`, where a value starts.
    pub fn at(text: &'a str, pos: usize) -> Self {
        let mut p = Parser::new(text);
        p.pos = pos.min(text.len());
        Self { p }
    }

    /// Where it is.
    pub fn pos(&self) -> usize {
        self.p.pos
    }

    /// What the value here is, in words ("an object", "a string"), as [`Value::kind_name`]
    /// says it.
    pub fn kind_name(&self) -> &'static str {
        match self.p.bytes.get(self.p.pos) {
            Some(b'{') => "an object",
            Some(b'[') => "an array",
            Some(b'"') => "a string",
            Some(b't' | b'f') => "a boolean",
            Some(b'n') => "null",
            _ => "a number",
        }
    }

    /// True when the value here is an object.
    pub fn is_object(&self) -> bool {
        self.starts_with(b'{')
    }

    /// Enters the object here: [`next_name`](Self::next_name) then gives its members'
    /// names, each followed by its value.
    pub fn enter_object(&mut self) -> Result<(), SyntaxError> {
        self.enter(b'{', "expected an object")
    }

    /// True when the value here starts with `byte`.
    fn starts_with(&self, byte: u8) -> bool {
        self.p.bytes.get(self.p.pos) == Some(&byte)
    }

    /// Past the `open` here (an error saying `expected` when it is not here).
    fn enter(&mut self, open: u8, expected: &str) -> Result<(), SyntaxError> {
        if !self.starts_with(open) {
            return Err(self.p.error_at(self.p.pos, expected));
        }
        self.p.pos += 1;
        Ok(())
    }

    /// The next member's name and its place, the reader then at its value (which must be
    /// read or skipped before the next call); `None` at the end of the object entered last
    /// (and the reader past it).
    pub fn next_name(&mut self) -> Result<Option<(CompactString, Span)>, SyntaxError> {
        if self.at_close(b'}') {
            return Ok(None);
        }
        let p = &mut self.p;
        if p.bytes.get(p.pos) != Some(&b'"') {
            return Err(p.error_at(
                p.pos,
                format!("expected a quoted member name, found {}", p.describe_here()),
            ));
        }
        let start = p.pos;
        let name = p.string()?;
        let span = Span { start, end: p.pos };
        p.colon()?;
        Ok(Some((name, span)))
    }

    /// True when the value here is an array.
    pub fn is_array(&self) -> bool {
        self.starts_with(b'[')
    }

    /// True when the value here is a string.
    pub fn is_string(&self) -> bool {
        self.starts_with(b'"')
    }

    /// Enters the array here: [`next_item`](Self::next_item) then goes from item to item.
    pub fn enter_array(&mut self) -> Result<(), SyntaxError> {
        self.enter(b'[', "expected an array")
    }

    /// Goes to the next item of the array entered last: true with the reader at it (which
    /// must be read or skipped before the next call), false at the array's end (and the
    /// reader past it).
    pub fn next_item(&mut self) -> Result<bool, SyntaxError> {
        if self.at_close(b']') {
            return Ok(false);
        }
        let p = &mut self.p;
        if p.pos >= p.bytes.len() {
            return Err(p.error_at(p.pos, "this array is never closed"));
        }
        Ok(true)
    }

    /// The string here, unescaped (the reader then past it): borrowed from the text when it
    /// holds no escape, as nearly every one does.
    pub fn string(&mut self) -> Result<std::borrow::Cow<'a, str>, SyntaxError> {
        let p = &mut self.p;
        if p.bytes.get(p.pos) != Some(&b'"') {
            return Err(p.error_at(p.pos, "expected a string"));
        }
        let start = p.pos + 1;
        let stop = string_stop(p.bytes, start);
        let plain = (stop < p.bytes.len()).then_some(stop - start);
        if let Some(len) = plain
            && p.bytes[start + len] == b'"'
        {
            p.pos = start + len + 1;
            return Ok(std::borrow::Cow::Borrowed(&p.text[start..start + len]));
        }
        Ok(std::borrow::Cow::Owned(p.string()?.into()))
    }

    /// Past the white space and the comma before the next member or item: true, and past
    /// it, at `close` (the end of what was entered last).
    fn at_close(&mut self, close: u8) -> bool {
        let p = &mut self.p;
        p.skip_ws();
        match p.bytes.get(p.pos) {
            Some(&b) if b == close => {
                p.pos += 1;
                return true;
            }
            Some(b',') => {
                p.pos += 1;
                p.skip_ws();
            }
            _ => {}
        }
        false
    }

    /// The value here, as a tree.
    pub fn value(&mut self) -> Result<Value, SyntaxError> {
        self.p.value(0)
    }

    /// Goes past the value here.
    pub fn skip(&mut self) -> Result<(), SyntaxError> {
        self.p.skip_value(0)
    }
}

/// What [`parse_streaming`] hands over: the name of a top-level array and one of its items.
pub type StreamHook<'h> = dyn FnMut(&str, Value) -> Result<(), ()> + 'h;

/// Like [`parse`], for a top-level object some of whose arrays are far larger than their
/// items (an account's thousands of roles): each item of a top-level array named in `keys`
/// is handed to `each` as soon as it is read and not kept (the array is left empty in the
/// returned value, with its span). `each` may stop the parse by returning `Err`; the parse
/// then fails with an empty message, and the caller reports its own error. No one value
/// outside those items, and no one item, may span more than `max_tree` bytes: a value that
/// large is refused before its tree takes the memory. A member of an item (an object)
/// for which `keep(list, name)` is false is read for its syntax only, with the same
/// checks and errors, and left as `null` with its span: what its reader ignores or refuses
/// by name builds no tree.
pub fn parse_streaming(
    text: &str,
    keys: &[&str],
    max_tree: usize,
    keep: &dyn Fn(&str, &str) -> bool,
    each: &mut StreamHook<'_>,
) -> Result<Value, SyntaxError> {
    let mut p = Parser::new(text);
    p.stream = Some(Stream {
        keys,
        each,
        keep,
        max_tree,
        tree_start: 0,
        skipped: 0,
        item: None,
    });
    parse_with(p)
}

fn parse_with(mut p: Parser<'_, '_>) -> Result<Value, SyntaxError> {
    let text = p.text;
    // A UTF-8 byte order mark is common in files saved by Windows editors.
    if text.starts_with('\u{feff}') {
        p.pos = 3;
    }
    p.skip_ws();
    if p.pos >= p.bytes.len() {
        return Err(p.error_at(p.pos, "the input is empty: expected a JSON object"));
    }
    let value = p.value(0)?;
    p.skip_ws();
    if p.pos < p.bytes.len() {
        return Err(p.error_at(p.pos, "unexpected text after the end of the JSON value"));
    }
    Ok(value)
}

struct Parser<'a, 'h> {
    text: &'a str,
    bytes: &'a [u8],
    pos: usize,
    stream: Option<Stream<'a, 'h>>,
    /// Hashes member names for the duplicate check.
    hasher: foldhash::fast::RandomState,
}

/// The streaming part of a parse: which top-level arrays are handed over item by item.
struct Stream<'a, 'h> {
    keys: &'a [&'a str],
    each: &'a mut StreamHook<'h>,
    /// Which members of an item are built (see [`parse_streaming`]).
    keep: &'a dyn Fn(&str, &str) -> bool,
    max_tree: usize,
    /// Where the tree being built (the root, or the current item) starts.
    tree_start: usize,
    /// Bytes of the root taken by streamed arrays (not in its tree).
    skipped: usize,
    /// While an item is read: its list's name and its depth.
    item: Option<(&'a str, usize)>,
}

impl Stream<'_, '_> {
    /// How many bytes the tree being built spans so far, at `pos`.
    fn tree_bytes(&self, pos: usize) -> usize {
        let skipped = if self.item.is_some() { 0 } else { self.skipped };
        pos.saturating_sub(self.tree_start).saturating_sub(skipped)
    }

    /// True when the member `name` of the object at `depth` is read for its syntax only.
    fn skips(&self, depth: usize, name: &str) -> bool {
        self.item
            .is_some_and(|(list, at)| at == depth && !(self.keep)(list, name))
    }
}

impl<'a> Parser<'a, '_> {
    fn new(text: &'a str) -> Self {
        Self {
            text,
            bytes: text.as_bytes(),
            pos: 0,
            stream: None,
            hasher: foldhash::fast::RandomState::default(),
        }
    }

    /// The items of a streamed top-level array, each handed over and dropped.
    fn streamed_array(&mut self, depth: usize, key: &str) -> Result<Kind, SyntaxError> {
        let open = self.pos;
        self.pos += 1;
        self.skip_ws();
        if self.bytes.get(self.pos) == Some(&b']') {
            self.pos += 1;
            return Ok(Kind::Array(Vec::new()));
        }
        loop {
            self.skip_ws();
            if self.pos >= self.bytes.len() {
                return Err(self.error_at(open, "this array is never closed"));
            }
            let root_start = self.stream.as_ref().map_or(0, |s| s.tree_start);
            if let Some(s) = self.stream.as_mut() {
                s.tree_start = self.pos;
                s.item = s.keys.iter().find(|k| **k == key).map(|k| (*k, depth + 1));
            }
            let item = self.value(depth + 1)?;
            if let Some(s) = self.stream.as_mut() {
                s.tree_start = root_start;
                s.item = None;
                if (s.each)(key, item).is_err() {
                    return Err(SyntaxError {
                        message: String::new(),
                        offset: self.pos,
                        line: 0,
                        column: 0,
                    });
                }
            }
            self.skip_ws();
            match self.bytes.get(self.pos) {
                Some(b',') => self.pos += 1,
                Some(b']') => {
                    self.pos += 1;
                    if let Some(s) = self.stream.as_mut() {
                        s.skipped += self.pos - open;
                    }
                    return Ok(Kind::Array(Vec::new()));
                }
                None => return Err(self.error_at(open, "this array is never closed")),
                Some(_) => {
                    return Err(self.error_at(
                        self.pos,
                        format!(
                            "expected ',' or ']' in an array, found {}",
                            self.describe_here()
                        ),
                    ));
                }
            }
        }
    }

    fn error_at(&self, offset: usize, message: impl Into<String>) -> SyntaxError {
        let (line, column) = line_col(self.text, offset);
        SyntaxError {
            message: message.into(),
            offset,
            line,
            column,
        }
    }

    fn skip_ws(&mut self) {
        while let Some(&b) = self.bytes.get(self.pos) {
            if matches!(b, b' ' | b'\t' | b'\n' | b'\r') {
                self.pos += 1;
            } else {
                break;
            }
        }
    }

    fn describe_here(&self) -> String {
        match self.text.get(self.pos..).and_then(|s| s.chars().next()) {
            None => "the end of the input".to_owned(),
            Some(c) if c.is_control() => format!("control character U+{:04X}", u32::from(c)),
            Some(c) => format!("'{c}'"),
        }
    }

    /// The checks made where any value starts: its depth, and the size of the tree being
    /// built.
    #[inline]
    fn enter(&self, depth: usize) -> Result<(), SyntaxError> {
        if depth >= MAX_DEPTH {
            return Err(self.error_at(
                self.pos,
                format!("nesting deeper than {MAX_DEPTH} levels; no IAM policy nests this deep"),
            ));
        }
        if let Some(s) = &self.stream
            && s.tree_bytes(self.pos) > s.max_tree
        {
            return Err(self.error_at(
                s.tree_start,
                format!(
                    "this value is larger than {} bytes, the most one policy or one principal may take",
                    s.max_tree
                ),
            ));
        }
        Ok(())
    }

    /// Reads the value here for its syntax only: the checks and errors of [`Self::value`],
    /// with no tree built (an object's or array's contents are dropped as they are read).
    fn skip_value(&mut self, depth: usize) -> Result<(), SyntaxError> {
        self.enter(depth)?;
        match self.bytes.get(self.pos) {
            Some(b'{') => self.object::<false>(depth).map(drop),
            Some(b'[') => self.array::<false>(depth).map(drop),
            _ => self.value(depth).map(drop),
        }
    }

    fn value(&mut self, depth: usize) -> Result<Value, SyntaxError> {
        self.enter(depth)?;
        let start = self.pos;
        let kind = match self.bytes.get(self.pos) {
            Some(b'{') => self.object::<true>(depth)?,
            Some(b'[') => self.array::<true>(depth)?,
            Some(b'"') => Kind::String(self.string()?),
            Some(b't') => self.literal("true", Kind::Bool(true))?,
            Some(b'f') => self.literal("false", Kind::Bool(false))?,
            Some(b'n') => self.literal("null", Kind::Null)?,
            Some(b'-' | b'0'..=b'9') => self.number()?,
            _ => {
                return Err(self.error_at(
                    self.pos,
                    format!("expected a JSON value, found {}", self.describe_here()),
                ));
            }
        };
        Ok(Value {
            kind,
            span: Span {
                start,
                end: self.pos,
            },
        })
    }

    fn literal(&mut self, word: &str, kind: Kind) -> Result<Kind, SyntaxError> {
        if self.bytes[self.pos..].starts_with(word.as_bytes()) {
            self.pos += word.len();
            Ok(kind)
        } else {
            Err(self.error_at(
                self.pos,
                format!("expected a JSON value, found {}", self.describe_here()),
            ))
        }
    }

    fn number(&mut self) -> Result<Kind, SyntaxError> {
        let start = self.pos;
        if self.bytes.get(self.pos) == Some(&b'-') {
            self.pos += 1;
        }
        let digits = |p: &mut Self| {
            let s = p.pos;
            while p.bytes.get(p.pos).is_some_and(u8::is_ascii_digit) {
                p.pos += 1;
            }
            p.pos - s
        };
        if digits(self) == 0 {
            return Err(self.error_at(self.pos, "a number needs at least one digit"));
        }
        if self.bytes.get(self.pos) == Some(&b'.') {
            self.pos += 1;
            if digits(self) == 0 {
                return Err(self.error_at(self.pos, "a digit must follow the decimal point"));
            }
        }
        if matches!(self.bytes.get(self.pos), Some(b'e' | b'E')) {
            self.pos += 1;
            if matches!(self.bytes.get(self.pos), Some(b'+' | b'-')) {
                self.pos += 1;
            }
            if digits(self) == 0 {
                return Err(self.error_at(self.pos, "a digit must follow the exponent"));
            }
        }
        Ok(Kind::Number(CompactString::from(
            &self.text[start..self.pos],
        )))
    }

    /// Past the `:` after a member name, and the white space around it.
    fn colon(&mut self) -> Result<(), SyntaxError> {
        self.skip_ws();
        if self.bytes.get(self.pos) != Some(&b':') {
            return Err(self.error_at(
                self.pos,
                format!(
                    "expected ':' after a member name, found {}",
                    self.describe_here()
                ),
            ));
        }
        self.pos += 1;
        self.skip_ws();
        Ok(())
    }

    /// The member name that starts at `start` (one read before), read again.
    fn name_at(&self, start: usize) -> Option<CompactString> {
        let mut again = Parser {
            text: self.text,
            bytes: self.bytes,
            pos: start,
            stream: None,
            hasher: self.hasher.clone(),
        };
        again.string().ok()
    }

    fn string(&mut self) -> Result<CompactString, SyntaxError> {
        let open = self.pos;
        self.pos += 1;
        let mut out = CompactString::default();
        loop {
            let run_start = self.pos;
            self.pos = string_stop(self.bytes, self.pos);
            out.push_str(&self.text[run_start..self.pos]);
            match self.bytes.get(self.pos) {
                None => return Err(self.error_at(open, "this string is never closed")),
                Some(b'"') => {
                    self.pos += 1;
                    return Ok(out);
                }
                Some(b'\\') => {
                    let esc_at = self.pos;
                    self.pos += 1;
                    let Some(&e) = self.bytes.get(self.pos) else {
                        return Err(self.error_at(open, "this string is never closed"));
                    };
                    self.pos += 1;
                    match e {
                        b'"' => out.push('"'),
                        b'\\' => out.push('\\'),
                        b'/' => out.push('/'),
                        b'b' => out.push('\u{8}'),
                        b'f' => out.push('\u{c}'),
                        b'n' => out.push('\n'),
                        b'r' => out.push('\r'),
                        b't' => out.push('\t'),
                        b'u' => out.push(self.unicode_escape(esc_at)?),
                        _ => {
                            return Err(
                                self.error_at(esc_at, "unknown escape sequence in a string")
                            );
                        }
                    }
                }
                Some(_) => {
                    return Err(self.error_at(
                        self.pos,
                        "control character inside a string (write it as an escape such as \\n)",
                    ));
                }
            }
        }
    }

    fn hex4(&mut self, esc_at: usize) -> Result<u32, SyntaxError> {
        let Some(hex) = self.text.get(self.pos..self.pos + 4) else {
            return Err(self.error_at(esc_at, "\\u must be followed by four hex digits"));
        };
        let Ok(v) = u32::from_str_radix(hex, 16) else {
            return Err(self.error_at(esc_at, "\\u must be followed by four hex digits"));
        };
        if !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(self.error_at(esc_at, "\\u must be followed by four hex digits"));
        }
        self.pos += 4;
        Ok(v)
    }

    fn unicode_escape(&mut self, esc_at: usize) -> Result<char, SyntaxError> {
        let hi = self.hex4(esc_at)?;
        if (0xD800..0xDC00).contains(&hi) {
            if self.bytes.get(self.pos..self.pos + 2) == Some(b"\\u") {
                self.pos += 2;
                let lo = self.hex4(esc_at)?;
                if (0xDC00..0xE000).contains(&lo) {
                    let c = 0x10000 + ((hi - 0xD800) << 10) + (lo - 0xDC00);
                    return char::from_u32(c)
                        .ok_or_else(|| self.error_at(esc_at, "invalid surrogate pair"));
                }
            }
            return Err(self.error_at(esc_at, "unpaired UTF-16 surrogate in \\u escape"));
        }
        char::from_u32(hi)
            .ok_or_else(|| self.error_at(esc_at, "unpaired UTF-16 surrogate in \\u escape"))
    }

    /// An array; its items are kept when `BUILD`, else only read.
    #[inline]
    fn array<const BUILD: bool>(&mut self, depth: usize) -> Result<Kind, SyntaxError> {
        let open = self.pos;
        self.pos += 1;
        let mut items = Vec::new();
        self.skip_ws();
        if self.bytes.get(self.pos) == Some(&b']') {
            self.pos += 1;
            return Ok(Kind::Array(items));
        }
        loop {
            self.skip_ws();
            if self.pos >= self.bytes.len() {
                return Err(self.error_at(open, "this array is never closed"));
            }
            if BUILD {
                items.push(self.value(depth + 1)?);
            } else {
                self.skip_value(depth + 1)?;
            }
            self.skip_ws();
            match self.bytes.get(self.pos) {
                Some(b',') => self.pos += 1,
                Some(b']') => {
                    self.pos += 1;
                    return Ok(Kind::Array(items));
                }
                None => return Err(self.error_at(open, "this array is never closed")),
                Some(_) => {
                    return Err(self.error_at(
                        self.pos,
                        format!(
                            "expected ',' or ']' in an array, found {}",
                            self.describe_here()
                        ),
                    ));
                }
            }
        }
    }

    /// The value of the member `key` of an object at `depth`: a streamed list (handed over
    /// item by item, left empty), a value read for its syntax only (left as `null` with
    /// its span: when the object is not built, or the stream skips the member), or a tree.
    #[inline]
    fn member_value<const BUILD: bool>(
        &mut self,
        depth: usize,
        key: &str,
    ) -> Result<Value, SyntaxError> {
        let start = self.pos;
        let streamed = depth == 0
            && self.bytes.get(self.pos) == Some(&b'[')
            && self.stream.as_ref().is_some_and(|s| s.keys.contains(&key));
        let kind = if streamed {
            self.streamed_array(depth + 1, key)?
        } else if !BUILD || self.stream.as_ref().is_some_and(|s| s.skips(depth, key)) {
            self.skip_value(depth + 1)?;
            Kind::Null
        } else {
            return self.value(depth + 1);
        };
        Ok(Value {
            kind,
            span: Span {
                start,
                end: self.pos,
            },
        })
    }

    /// An object; its members are kept when `BUILD`, else only read.
    #[inline]
    fn object<const BUILD: bool>(&mut self, depth: usize) -> Result<Kind, SyntaxError> {
        let open = self.pos;
        self.pos += 1;
        let mut members: Vec<Member> = Vec::new();
        let mut names: Option<Names> = None;
        self.skip_ws();
        if self.bytes.get(self.pos) == Some(&b'}') {
            self.pos += 1;
            return Ok(Kind::Object(members));
        }
        loop {
            self.skip_ws();
            match self.bytes.get(self.pos) {
                Some(b'"') => {}
                None => return Err(self.error_at(open, "this object is never closed")),
                Some(_) => {
                    return Err(self.error_at(
                        self.pos,
                        format!(
                            "expected a quoted member name, found {}",
                            self.describe_here()
                        ),
                    ));
                }
            }
            let key_start = self.pos;
            let key = self.string()?;
            let key_span = Span {
                start: key_start,
                end: self.pos,
            };
            let duplicate = if BUILD && members.len() < LOOKED_THROUGH {
                members.iter().any(|m| m.key == key)
            } else {
                let names = names.get_or_insert_with(|| {
                    let mut names = Names::default();
                    names.seed(self, &members);
                    names
                });
                names.seen_before(self, &key, key_start)
            };
            if duplicate {
                return Err(self.error_at(
                    key_start,
                    format!("duplicate member \"{key}\" in one object (AWS rejects this)"),
                ));
            }
            self.colon()?;
            let value = self.member_value::<BUILD>(depth, &key)?;
            if BUILD {
                members.push(Member {
                    key,
                    key_span,
                    value,
                });
            }
            self.skip_ws();
            match self.bytes.get(self.pos) {
                Some(b',') => self.pos += 1,
                Some(b'}') => {
                    self.pos += 1;
                    return Ok(Kind::Object(members));
                }
                None => return Err(self.error_at(open, "this object is never closed")),
                Some(_) => {
                    return Err(self.error_at(
                        self.pos,
                        format!(
                            "expected ',' or '}}' in an object, found {}",
                            self.describe_here()
                        ),
                    ));
                }
            }
        }
    }
}

/// The names of one object read so far, for the duplicate check, when the object is not
/// built or is large (a small object built looks through its members). Each is kept as its
/// hash and where it starts in the text, read again to compare when two hashes meet; past
/// [`FEW`] names, as its start alone in a table that hashes it again from the text when it
/// grows. The check of an object of many members stays linear, takes a few bytes a name,
/// and needs no tree of the object.
#[derive(Default)]
struct Names {
    /// The first names' hashes and starts, looked through in turn (in place: most objects
    /// read for their syntax only have a few members).
    few: [(u64, usize); FEW],
    /// How many of `few` are taken.
    taken: usize,
    /// From the [`FEW`]th name on, every name's start.
    many: hashbrown::HashTable<u32>,
    /// Names that start beyond what a `u32` holds (only in a text over 4 GiB), looked
    /// through in turn.
    far: Vec<(u64, usize)>,
}

/// How many names [`Names`] looks through in turn before it hashes them into a table.
const FEW: usize = 8;

/// How many members of an object built are looked through in turn for the duplicate check
/// before [`Names`] takes over.
const LOOKED_THROUGH: usize = 16;

impl Names {
    /// Takes in the names of `members`, all different, read before the check began.
    fn seed(&mut self, p: &Parser<'_, '_>, members: &[Member]) {
        for m in members {
            self.add(p, p.hasher.hash_one(m.key.as_str()), m.key_span.start);
        }
    }

    /// Records the name `key`, which starts at `start`, and says whether the object had it
    /// already.
    fn seen_before(&mut self, p: &Parser<'_, '_>, key: &str, start: usize) -> bool {
        let hash = p.hasher.hash_one(key);
        let same = |at: usize| p.name_at(at).is_some_and(|name| name == key);
        let seen = self.few[..self.taken]
            .iter()
            .any(|&(h, at)| h == hash && same(at))
            || self.far.iter().any(|&(h, at)| h == hash && same(at))
            || self.many.find(hash, |&at| same(at as usize)).is_some();
        if !seen {
            self.add(p, hash, start);
        }
        seen
    }

    /// Adds a name known not to be there.
    fn add(&mut self, p: &Parser<'_, '_>, hash: u64, start: usize) {
        if self.taken < FEW {
            self.few[self.taken] = (hash, start);
            self.taken += 1;
            return;
        }
        match u32::try_from(start) {
            Ok(at) => {
                let rehash = |&at: &u32| {
                    p.name_at(at as usize)
                        .map_or(0, |name| p.hasher.hash_one(name.as_str()))
                };
                self.many.insert_unique(hash, at, rehash);
            }
            Err(_) => self.far.push((hash, start)),
        }
    }
}

/// Where the first `"`, `\\` or control character at or after `from` is (the length of the
/// bytes when there is none): what ends a run of a string's plain characters. Eight bytes
/// are looked at at once (strings are most of a policy's text), then the last few one by
/// one.
fn string_stop(bytes: &[u8], from: usize) -> usize {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGH: u64 = 0x8080_8080_8080_8080;
    // A byte of `x` below `n` (for `n` up to 128) sets its high bit here; a byte of 128
    // or more never does. A word without one has none of the three.
    let below = |x: u64, n: u8| x.wrapping_sub(ONES * u64::from(n)) & !x & HIGH;
    let mut i = from;
    while let Some(&chunk) = bytes.get(i..).and_then(|rest| rest.first_chunk::<8>()) {
        let w = u64::from_le_bytes(chunk);
        let stops = below(w ^ (ONES * u64::from(b'"')), 1)
            | below(w ^ (ONES * u64::from(b'\\')), 1)
            | below(w, 0x20);
        if stops != 0 {
            break;
        }
        i += 8;
    }
    while let Some(&b) = bytes.get(i) {
        if b == b'"' || b == b'\\' || b < 0x20 {
            break;
        }
        i += 1;
    }
    i
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The eight-at-once search for what ends a string's plain run stops where the byte by
    /// byte one does: every place of each stop and of bytes beside them (control, high,
    /// near the quote's and the backslash's codes) in runs of every length up to 40.
    #[test]
    fn a_string_run_stops_where_byte_by_byte_it_would() {
        let naive = |b: &[u8], from: usize| {
            b.iter()
                .skip(from)
                .position(|&c| c == b'"' || c == b'\\' || c < 0x20)
                .map_or(b.len(), |k| from + k)
        };
        let fillers = [b'a', 0x21, 0x23, 0x5b, 0x5d, 0x7f, 0x80, 0xc3, 0xff, b' '];
        let stops = [b'"', b'\\', 0x00, 0x1f, b'\n', 0x01];
        let mut compared = 0;
        for len in 0..40 {
            for &fill in &fillers {
                let mut bytes = vec![fill; len];
                for from in [0, 1, 7, 8, 9].into_iter().filter(|&f| f <= len) {
                    assert_eq!(string_stop(&bytes, from), naive(&bytes, from));
                    compared += 1;
                }
                for at in 0..len {
                    for &stop in &stops {
                        bytes[at] = stop;
                        for from in [0, 1, 8, at].into_iter().filter(|&f| f <= len) {
                            assert_eq!(
                                string_stop(&bytes, from),
                                naive(&bytes, from),
                                "{bytes:?} {from}"
                            );
                            compared += 1;
                        }
                        bytes[at] = fill;
                    }
                }
            }
        }
        assert!(compared > 10_000, "{compared}");
    }

    #[test]
    fn streamed_items_are_handed_over_and_not_kept() {
        let text = r#"{"Marker": "m", "Roles": [{"n": 1}, {"n": 2}], "Other": [3]}"#;
        let mut seen = Vec::new();
        let root = parse_streaming(text, &["Roles"], 1_000, &|_, _| true, &mut |list, item| {
            seen.push((list.to_owned(), item.span));
            Ok(())
        })
        .unwrap();
        assert_eq!(seen.len(), 2);
        assert_eq!(&text[seen[1].1.start..seen[1].1.end], r#"{"n": 2}"#);
        // The streamed array is empty in the tree; the others are whole.
        assert_eq!(root.get("Roles").unwrap().kind, Kind::Array(Vec::new()));
        assert!(matches!(&root.get("Other").unwrap().kind, Kind::Array(v) if v.len() == 1));
        // Read again where it stands: the same spans.
        let again = parse_range(text, seen[0].1).unwrap();
        assert_eq!(again.span, seen[0].1);
        assert!(parse_range(text, Span { start: 1, end: 12 }).is_err());
    }

    #[test]
    fn a_tree_larger_than_the_bound_is_refused_and_streamed_arrays_do_not_count() {
        let big = format!(r#"{{"Statement": ["{}", "x"]}}"#, "a".repeat(200));
        let e = parse_streaming(&big, &[], 100, &|_, _| true, &mut |_, _| Ok(())).unwrap_err();
        assert!(e.message.contains("larger than 100 bytes"), "{e}");
        // Items of a streamed array each have the bound; the array as a whole does not.
        let items: Vec<String> = (0..50).map(|i| format!(r#"{{"n": {i}}}"#)).collect();
        let text = format!(r#"{{"Roles": [{}], "Marker": "after"}}"#, items.join(","));
        assert!(text.len() > 300);
        let mut n = 0;
        parse_streaming(&text, &["Roles"], 100, &|_, _| true, &mut |_, _| {
            n += 1;
            Ok(())
        })
        .unwrap();
        assert_eq!(n, 50);
        // The hook may stop the read.
        let e =
            parse_streaming(&text, &["Roles"], 100, &|_, _| true, &mut |_, _| Err(())).unwrap_err();
        assert!(e.message.is_empty());
    }

    #[test]
    fn keeps_spans_and_order() {
        let text = r#"{"b": [1, "x"], "a": {"c": null}}"#;
        let v = parse(text).unwrap();
        let members = v.as_object().unwrap();
        assert_eq!(members[0].key, "b");
        assert_eq!(
            &text[members[0].value.span.start..members[0].value.span.end],
            r#"[1, "x"]"#
        );
        assert_eq!(members[1].key, "a");
    }

    #[test]
    fn errors_have_line_and_column() {
        let err = parse("{\n  \"a\": 1,\n  \"b\" 2\n}").unwrap_err();
        assert_eq!((err.line, err.column), (3, 7));
        assert!(err.message.contains("expected ':'"), "{}", err.message);
    }

    #[test]
    fn unterminated_and_trailing() {
        assert!(
            parse("{\"a\": \"x")
                .unwrap_err()
                .message
                .contains("never closed")
        );
        assert!(parse("{} x").unwrap_err().message.contains("after the end"));
        assert!(parse("").unwrap_err().message.contains("empty"));
        assert!(parse("[1,]").is_err());
        assert!(parse("{\"a\":1,}").is_err());
    }

    #[test]
    fn deep_nesting_is_an_error_not_a_crash() {
        let text = "[".repeat(10_000) + &"]".repeat(10_000);
        let err = parse(&text).unwrap_err();
        assert!(err.message.contains("nesting"));
    }

    #[test]
    fn escapes_and_surrogates() {
        let v = parse(r#""a\u00e9\ud83d\ude00\n""#).unwrap();
        assert_eq!(v.as_str(), Some("a\u{e9}\u{1F600}\n"));
        assert!(parse(r#""\ud83d""#).is_err());
        assert!(parse(r#""\x""#).is_err());
    }

    /// The error of reading `text` whole, and of reading it as a streamed list whose items'
    /// members are all read for their syntax only.
    fn both_errors(text: &str) -> (Option<SyntaxError>, Option<SyntaxError>) {
        let whole = parse(text).err();
        let listed = format!("{{\"L\": [{{\"m\": {text}}}]}}");
        let skipped = parse_streaming(&listed, &["L"], usize::MAX, &|_, _| false, &mut |_, _| {
            Ok(())
        })
        .err();
        (whole, skipped)
    }

    #[test]
    fn a_duplicate_is_found_wherever_it_is_whether_the_object_is_built_or_not() {
        for n in [2_usize, 5, 16, 17, 40] {
            for first in 0..n {
                for second in first + 1..n {
                    let names: Vec<String> = (0..n)
                        .map(|i| {
                            // The first written escaped: names compare as read.
                            if i == first {
                                format!("\"k\\u00{:02x}\": 1", u32::from(b'0') + i as u32)
                            } else {
                                let i = if i == second { first } else { i };
                                format!("\"k{}\": 1", char::from(b'0' + i as u8))
                            }
                        })
                        .collect();
                    let text = format!("{{{}}}", names.join(", "));
                    let (whole, skipped) = both_errors(&text);
                    let whole = whole.expect("a duplicate");
                    let skipped = skipped.expect("a duplicate, not built");
                    assert!(whole.message.contains("duplicate member"), "{text}");
                    assert_eq!(whole.message, skipped.message, "{text}");
                    let at_second = 1 + names[..second].iter().map(|n| n.len() + 2).sum::<usize>();
                    assert_eq!(whole.offset, at_second, "{text}");
                    // The same name's place, in the longer text.
                    let shift = "{\"L\": [{\"m\": ".len();
                    assert_eq!(skipped.offset, whole.offset + shift, "{text}");
                }
            }
            let text = format!(
                "{{{}}}",
                (0..n)
                    .map(|i| format!("\"k{i}\": [{{\"k{i}\": {i}}}]"))
                    .collect::<Vec<_>>()
                    .join(", ")
            );
            assert_eq!(both_errors(&text), (None, None), "{text}");
        }
    }

    #[test]
    fn a_value_read_for_its_syntax_only_has_the_errors_of_one_built() {
        for text in [
            "{\"a\": [1, {\"b\": tru}]}",
            "{\"a\": \"\\q\"}",
            "{\"a\" 1}",
            "[1 2]",
            "{\"a\": -}",
            "{\"a\": \"\\ud800\"}",
            &format!("{}1{}", "[".repeat(200), "]".repeat(200)),
        ] {
            let (whole, skipped) = both_errors(text);
            let (whole, skipped) = (whole.expect(text), skipped.expect(text));
            assert_eq!(whole.message, skipped.message, "{text}");
        }
    }

    #[test]
    fn duplicate_keys_rejected() {
        assert!(
            parse(r#"{"a":1,"a":2}"#)
                .unwrap_err()
                .message
                .contains("duplicate")
        );
    }

    #[test]
    fn line_col_counts_characters() {
        assert_eq!(line_col("é\nab", 4), (2, 2));
        assert_eq!(line_col("abc", 99), (1, 4));
        // Windows and old Mac line endings.
        assert_eq!(line_col("a\r\nbc", 4), (2, 2));
        assert_eq!(line_col("a\rbc", 3), (2, 2));
        // Long lines of characters of one to three bytes, whose columns are known every
        // `COLUMN_STEP` bytes: every offset, in an order that jumps back and forth.
        let long = "é".repeat(3_000) + "\n" + &"ab€".repeat(2_000) + "\r" + &"x".repeat(5_000);
        let index = LineIndex::new(&long);
        for k in 0..=long.len() + 1 {
            let offset = (k * 7_919) % (long.len() + 2);
            assert_eq!(
                index.line_col(&long, offset),
                line_col(&long, offset),
                "{offset}"
            );
        }
        for text in ["é\nab", "a\r\nb\rc\n\nd", "", "x"] {
            let index = LineIndex::new(text);
            for offset in 0..=text.len() + 1 {
                assert_eq!(
                    index.line_col(text, offset),
                    line_col(text, offset),
                    "{text:?} {offset}"
                );
            }
        }
    }

    #[test]
    fn look_ups_on_one_long_line_scan_it_once_in_order_and_a_step_each_out_of_order() {
        // A minified policy is one line: counting each column from the line's start would
        // scan it once per look-up.
        let text = "é".repeat(10) + &"x".repeat(1_000_000);
        let index = LineIndex::new(&text);
        let offsets: Vec<usize> = (0..10_000).map(|k| 20 + k * 100).collect();
        for &o in &offsets {
            assert_eq!(index.line_col(&text, o), line_col(&text, o));
        }
        assert!(index.scanned() <= text.len(), "{}", index.scanned());
        // Out of order still answers right, from the nearest known column.
        assert_eq!(index.line_col(&text, 25), line_col(&text, 25));
        assert_eq!(index.line_col(&text, 3), (1, 2));
        let backwards = LineIndex::new(&text);
        for &o in offsets.iter().rev() {
            // Ten two-byte characters, then one byte each.
            assert_eq!(backwards.line_col(&text, o), (1, 11 + o - 20), "{o}");
        }
        // Before: each look-up counted from the line's start, 500 KB on average.
        assert!(
            backwards.scanned() <= offsets.len() * COLUMN_STEP,
            "{}",
            backwards.scanned()
        );
        let two = "ab\ncd\ref";
        let index = LineIndex::new(two);
        for o in [5, 1, 4, 8, 7, 0, 9] {
            assert_eq!(index.line_col(two, o), line_col(two, o), "{o}");
        }
    }
}
