//! Policy variables (`${aws:username}`, `${aws:PrincipalTag/team, 'default'}`) and the escapes
//! `${*}`, `${?}`, `${$}`. Variables are only live in `"Version": "2012-10-17"` policies; in
//! older ones the text is literal, as in AWS.

use smol_str::SmolStr;

use crate::policy::{Context, KeyState};
use crate::text::pattern::{Glob, Tok};

/// A piece of text that may hold policy variables.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VarText {
    /// As written (kept in place when short, as nearly every value is: no allocation).
    pub text: compact_str::CompactString,
    /// What the text holds: nothing but itself (nearly always), escapes, or variables. Which
    /// they are, their keys and defaults, are read from the text again when it is used (see
    /// [`VarRef`]): a value such as `${aws:PrincipalTag/team}` costs its text alone.
    holds: Holds,
}

/// What a [`VarText`] holds beside plain text.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Holds {
    /// Nothing: it is taken as it is written.
    Plain,
    /// Escapes (`${*}`, `${?}`, `${$}`), no variable.
    Escapes,
    /// A variable at least.
    Variables,
}

/// A text that may hold policy variables, borrowed: from a [`VarText`], or a resource
/// pattern's text and the keys its statement keeps for it. Its variables, escapes and
/// defaults are found in the text as they are used: a pattern with a variable costs its
/// keys beside its text, not a second copy of it in pieces (100,000 such patterns took
/// 26 MB for 6 MB of text).
#[derive(Clone, Copy, Debug)]
pub struct VarRef<'a> {
    /// As written.
    pub text: &'a str,
    /// Where the keys of its variables are.
    keys: KeysIn<'a>,
    /// How long its [`head`](Self::head) is, when that was found before ([`NO_HEAD`]
    /// otherwise): a resource pattern's start is asked for in every request.
    head: u32,
}

/// Where the keys of a [`VarRef`]'s variables are.
#[derive(Clone, Copy, Debug)]
enum KeysIn<'a> {
    /// There are none: the text is taken as it is written.
    Plain,
    /// Kept beside the text, in order (a resource pattern's: an answer that depends on
    /// them shares them).
    Stored(&'a [SmolStr]),
    /// In the text (checked when it was parsed), read as they are used.
    Text,
}

/// [`VarRef::head`] not found before.
const NO_HEAD: u32 = u32::MAX;

/// A segment of a text, borrowed.
#[derive(Clone, Copy)]
enum SegRef<'a> {
    /// Plain text, where `*` and `?` are wildcards in a pattern.
    Text(&'a str),
    /// A character escaped with `${*}`, `${?}` or `${$}`: always literal.
    Escaped(char),
    /// A variable.
    Var {
        key: &'a str,
        default: Option<&'a str>,
    },
}

/// The segments of a text with variables or escapes, in order, found as they are read; an
/// error for a variable written wrong.
struct Segments<'a> {
    text: &'a str,
    rest: &'a str,
}

/// Where `byte` first is in `text` (a plain loop: the texts are short, and a search set up
/// for each cost more).
fn find_byte(text: &str, byte: u8) -> Option<usize> {
    text.bytes().position(|b| b == byte)
}

impl<'a> Iterator for Segments<'a> {
    type Item = Result<SegRef<'a>, String>;

    fn next(&mut self) -> Option<Self::Item> {
        let inner_start = match next_piece(&mut self.rest)? {
            Piece::Text(t) => return Some(Ok(SegRef::Text(t))),
            Piece::Open(after) => after,
        };
        let Some(close) = find_byte(inner_start, b'}') else {
            self.rest = "";
            return Some(Err(format!(
                "policy variable in \"{}\" is not closed with '}}'",
                self.text
            )));
        };
        self.rest = &inner_start[close + 1..];
        Some(variable(&inner_start[..close], self.text))
    }
}

/// The segments of a text [`Segments`] read whole before without an error, each variable
/// with its key as stored then, or read from the text.
struct ReadBefore<'a> {
    /// Its head, when known: it is not searched again.
    first: Option<&'a str>,
    rest: &'a str,
    /// The keys stored, when they are.
    keys: Option<std::slice::Iter<'a, SmolStr>>,
}

impl<'a> Iterator for ReadBefore<'a> {
    type Item = SegRef<'a>;

    fn next(&mut self) -> Option<Self::Item> {
        if let Some(first) = self.first.take() {
            return Some(SegRef::Text(first));
        }
        let inner_start = match next_piece(&mut self.rest)? {
            Piece::Text(t) => return Some(SegRef::Text(t)),
            Piece::Open(after) => after,
        };
        if let [c @ (b'*' | b'?' | b'$'), b'}', ..] = inner_start.as_bytes() {
            self.rest = &inner_start[2..];
            return Some(SegRef::Escaped(char::from(*c)));
        }
        let stored = match &mut self.keys {
            Some(keys) => Some(keys.next()?.as_str()),
            None => None,
        };
        // Nearly always the key as it is, closed: no default, nothing to search for.
        if let Some(key) = stored
            && inner_start.starts_with(key)
            && inner_start.as_bytes().get(key.len()) == Some(&b'}')
        {
            self.rest = &inner_start[key.len() + 1..];
            return Some(SegRef::Var { key, default: None });
        }
        let close = find_byte(inner_start, b'}')?;
        let inner = &inner_start[..close];
        self.rest = &inner_start[close + 1..];
        // Read before: a default is in single quotes.
        let (written, default) = match find_byte(inner, b',') {
            Some(comma) => {
                let d = inner[comma + 1..].trim();
                (
                    &inner[..comma],
                    Some(d.get(1..d.len().saturating_sub(1)).unwrap_or("")),
                )
            }
            None => (inner, None),
        };
        let key = stored.unwrap_or_else(|| written.trim());
        Some(SegRef::Var { key, default })
    }
}

/// The next piece of a text being split into segments.
enum Piece<'a> {
    /// Plain text up to the next `${` or the end (taken off what is left).
    Text(&'a str),
    /// What follows a `${` that starts what is left (which the caller then moves past).
    Open(&'a str),
}

/// The next piece of `rest`; `None` when nothing is left.
fn next_piece<'a>(rest: &mut &'a str) -> Option<Piece<'a>> {
    let r = *rest;
    if r.is_empty() {
        return None;
    }
    Some(match find_open(r) {
        None => {
            *rest = "";
            Piece::Text(r)
        }
        Some(0) => Piece::Open(&r[2..]),
        Some(open) => {
            *rest = &r[open..];
            Piece::Text(&r[..open])
        }
    })
}

/// Where the first `${` of `text` is (a search for the `$`, then a look at what follows:
/// a search for the pair set up a searcher of its own each time, which cost more than
/// the short texts it searched).
fn find_open(text: &str) -> Option<usize> {
    let bytes = text.as_bytes();
    let mut from = 0;
    while let Some(at) = bytes.get(from..)?.iter().position(|&b| b == b'$') {
        let at = from + at;
        if bytes.get(at + 1) == Some(&b'{') {
            return Some(at);
        }
        from = at + 1;
    }
    None
}

/// What `${inner}` stands for in `text`: an escape, or a variable with its default.
fn variable<'a>(inner: &'a str, text: &str) -> Result<SegRef<'a>, String> {
    Ok(match inner {
        "*" => SegRef::Escaped('*'),
        "?" => SegRef::Escaped('?'),
        "$" => SegRef::Escaped('$'),
        _ => {
            let (key, default) = match inner.split_once(',') {
                Some((k, d)) => {
                    let d = d.trim();
                    let Some(d) = d.strip_prefix('\'').and_then(|d| d.strip_suffix('\'')) else {
                        return Err(format!(
                            "the default value in \"${{{inner}}}\" must be in single quotes"
                        ));
                    };
                    (k.trim(), Some(d))
                }
                None => (inner.trim(), None),
            };
            if key.is_empty() {
                return Err(format!("empty policy variable in \"{text}\""));
            }
            SegRef::Var { key, default }
        }
    })
}

/// How a [`VarText`] resolves in a context.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Resolved {
    /// Every variable is known: the pattern.
    Known(Glob),
    /// Some variable's value is not known: a pattern that covers every value it may take
    /// (each unknown variable replaced by `*`). The keys it depends on are its
    /// [`variable_keys`](VarRef::variable_keys) that the context does not know.
    Unknown(Glob),
    /// A variable's key is absent from the request and has no default: AWS then matches
    /// nothing with this value.
    Unresolvable(String),
}

impl VarText {
    /// Parses `text`. With `variables` off, the text is taken literally.
    pub fn parse(text: &str, variables: bool) -> Result<Self, String> {
        if !variables || !text.contains("${") {
            return Ok(Self::plain(text));
        }
        let holds = if parse_keys(text)?.is_empty() {
            Holds::Escapes
        } else {
            Holds::Variables
        };
        Ok(Self {
            text: compact_str::CompactString::from(text),
            holds,
        })
    }

    /// Plain text without variables.
    pub fn plain(text: &str) -> Self {
        Self {
            text: compact_str::CompactString::from(text),
            holds: Holds::Plain,
        }
    }

    /// The text, borrowed.
    pub fn view(&self) -> VarRef<'_> {
        VarRef {
            text: &self.text,
            keys: match self.holds {
                Holds::Plain => KeysIn::Plain,
                Holds::Escapes | Holds::Variables => KeysIn::Text,
            },
            head: NO_HEAD,
        }
    }

    /// The condition keys its variables name (`aws:username` for `${aws:username}`).
    pub fn variable_keys(&self) -> impl Iterator<Item = &str> {
        self.view().variable_keys()
    }

    /// True when the text is the pattern as written: no variable and no escape.
    pub fn is_plain(&self) -> bool {
        self.holds == Holds::Plain
    }

    /// True when the text holds a variable.
    pub fn has_variables(&self) -> bool {
        self.holds == Holds::Variables
    }

    /// See [`VarRef::resolve`].
    pub fn resolve(&self, ctx: &Context, wildcards: bool, fold_case: bool) -> Resolved {
        self.view().resolve(ctx, wildcards, fold_case)
    }

    /// See [`VarRef::resolve_plain`].
    pub fn resolve_plain(&self, ctx: &Context) -> Option<String> {
        self.view().resolve_plain(ctx)
    }
}

/// The keys of the variables of `text` (read for variables), in order: none for a text
/// of escapes alone; an error for a variable written wrong.
pub(crate) fn parse_keys(text: &str) -> Result<Box<[SmolStr]>, String> {
    let mut keys = Vec::new();
    for seg in (Segments { text, rest: text }) {
        if let SegRef::Var { key, .. } = seg? {
            keys.push(SmolStr::new(key));
        }
    }
    Ok(keys.into_boxed_slice())
}

impl<'a> VarRef<'a> {
    /// A text read for variables by [`parse_keys`], with the keys it found, and how long
    /// its [`head`](Self::head) is when that is known (see [`head_len`](Self::head_len)).
    pub(crate) fn new(text: &'a str, keys: &'a [SmolStr], head: Option<u32>) -> Self {
        Self {
            text,
            keys: KeysIn::Stored(keys),
            head: head.unwrap_or(NO_HEAD),
        }
    }

    /// A text taken as it is written.
    pub(crate) fn plain(text: &'a str) -> Self {
        Self {
            text,
            keys: KeysIn::Plain,
            head: NO_HEAD,
        }
    }

    /// How long its [`head`](Self::head) is, to be kept and given to [`new`](Self::new);
    /// `None` when that does not fit in 32 bits.
    pub(crate) fn head_len(self) -> Option<u32> {
        u32::try_from(self.head().len())
            .ok()
            .filter(|&len| len != NO_HEAD)
    }

    /// The segments in order, each variable with its key as stored or read from the text.
    /// The text was read whole when it was parsed, so a variable written wrong is not met
    /// here.
    fn segments(self) -> ReadBefore<'a> {
        // The whole text when it is taken as written; else its head when that is known
        // (it need not be searched again).
        let (first, rest) = match (self.keys, self.head) {
            (KeysIn::Plain, _) => (self.text, ""),
            (_, NO_HEAD) => ("", self.text),
            (_, head) => self
                .text
                .split_at_checked(head as usize)
                .unwrap_or(("", self.text)),
        };
        ReadBefore {
            first: (!first.is_empty()).then_some(first),
            rest,
            keys: match self.keys {
                KeysIn::Stored(keys) => Some(keys.iter()),
                KeysIn::Plain | KeysIn::Text => None,
            },
        }
    }

    /// The condition keys its variables name (`aws:username` for `${aws:username}`).
    pub fn variable_keys(self) -> impl Iterator<Item = &'a str> {
        self.segments().filter_map(|s| match s {
            SegRef::Var { key, .. } => Some(key),
            _ => None,
        })
    }

    /// The keys kept beside a resource pattern's text, in order (none for another text).
    pub fn stored_keys(self) -> &'a [SmolStr] {
        match self.keys {
            KeysIn::Stored(keys) => keys,
            KeysIn::Plain | KeysIn::Text => &[],
        }
    }

    /// True when the text holds a variable.
    pub fn has_variables(self) -> bool {
        match self.keys {
            KeysIn::Plain => false,
            KeysIn::Stored(keys) => !keys.is_empty(),
            KeysIn::Text => self.variable_keys().next().is_some(),
        }
    }

    /// The plain pattern text before the first variable: the start of every resolution.
    /// Empty when an escape or a variable comes first.
    pub fn head(self) -> &'a str {
        if let KeysIn::Plain = self.keys {
            return self.text;
        }
        if self.head != NO_HEAD {
            return self.text.get(..self.head as usize).unwrap_or("");
        }
        let mut segs = self.segments();
        match (segs.next(), segs.next()) {
            (Some(SegRef::Text(t)), Some(SegRef::Var { .. })) => t,
            _ => "",
        }
    }

    /// Its [`head`](Self::head), when the rest of it is one variable written as its key
    /// (`${key}`, no default) whose value `ctx` does not know: then it resolves to the
    /// head and a `*`, as every text of the same head and shape does.
    pub fn unknown_tail(self, ctx: &Context) -> Option<&'a str> {
        let [key] = self.stored_keys() else {
            return None;
        };
        let head = self.head();
        let var = self.text.get(head.len()..)?;
        let written = var.strip_prefix("${")?.strip_suffix('}')?;
        (written == key.as_str() && ctx.get(key).is_none()).then_some(head)
    }

    /// The key of the first variable that does not resolve in `ctx` (absent with no
    /// default, or with several values): what makes [`resolve`](Self::resolve) answer
    /// [`Resolved::Unresolvable`], found without resolving.
    pub fn unresolvable(self, ctx: &Context) -> Option<&'a str> {
        self.segments().find_map(|s| match s {
            SegRef::Var { key, default } => match ctx.get(key) {
                Some(KeyState::Values(v)) if v.len() != 1 => Some(key),
                Some(KeyState::Absent) if default.is_none() => Some(key),
                _ => None,
            },
            _ => None,
        })
    }

    /// Resolves variables in `ctx` and compiles the result as a pattern. With `wildcards`
    /// off, `*` and `?` in the text are literal (for `StringEquals` and friends).
    pub fn resolve(self, ctx: &Context, wildcards: bool, fold_case: bool) -> Resolved {
        self.resolve_ascii(ctx, wildcards, fold_case)
            .unwrap_or_else(|| self.resolve_tokens(ctx, wildcards, fold_case))
    }

    /// [`resolve`](Self::resolve) token by token: any text.
    fn resolve_tokens(self, ctx: &Context, wildcards: bool, fold_case: bool) -> Resolved {
        let mut toks = Vec::with_capacity(self.text.len());
        let mut unknown = false;
        let push = |toks: &mut Vec<Tok>, c: char| {
            if fold_case {
                toks.extend(c.to_lowercase().map(Tok::Lit));
            } else {
                toks.push(Tok::Lit(c));
            }
        };
        for seg in self.segments() {
            match seg {
                SegRef::Text(t) => {
                    for c in t.chars() {
                        match c {
                            '*' if wildcards => toks.push(Tok::Star),
                            '?' if wildcards => toks.push(Tok::One),
                            c => push(&mut toks, c),
                        }
                    }
                }
                SegRef::Escaped(c) => push(&mut toks, c),
                SegRef::Var { key, default } => match ctx.get(key) {
                    Some(KeyState::Values(v)) if v.len() == 1 => {
                        v[0].chars().for_each(|c| push(&mut toks, c));
                    }
                    Some(KeyState::Values(_)) => {
                        // Multivalued keys cannot be used as variables.
                        return Resolved::Unresolvable(key.to_string());
                    }
                    Some(KeyState::Absent) => match default {
                        Some(d) => d.chars().for_each(|c| push(&mut toks, c)),
                        None => return Resolved::Unresolvable(key.to_string()),
                    },
                    None => {
                        toks.push(Tok::Star);
                        unknown = true;
                    }
                },
            }
        }
        let glob = Glob::from_toks(toks);
        if unknown {
            Resolved::Unknown(glob)
        } else {
            Resolved::Known(glob)
        }
    }

    /// [`resolve`](Self::resolve) when every character is ASCII and none is a literal `*`
    /// or `?` (nearly always): the pattern's bytes are written straight into its narrow
    /// form. `None` when that cannot hold it.
    fn resolve_ascii(self, ctx: &Context, wildcards: bool, fold_case: bool) -> Option<Resolved> {
        let mut bytes = Vec::with_capacity(self.text.len());
        Some(
            match self.resolve_ascii_into(ctx, wildcards, fold_case, &mut bytes)? {
                Err(key) => Resolved::Unresolvable(key),
                Ok(true) => Resolved::Unknown(Glob::from_ascii(bytes)),
                Ok(false) => Resolved::Known(Glob::from_ascii(bytes)),
            },
        )
    }

    /// [`resolve`](Self::resolve) written into `bytes` (cleared first) as the pattern's
    /// narrow form (see [`Glob::from_ascii`]; runs of stars already merged), when every
    /// character is ASCII and none is a literal `*` or `?` (nearly always): `Ok` with
    /// whether a variable is unknown, `Err` with the key that does not resolve. `None` when
    /// the narrow form cannot hold it. A buffer used again allocates nothing.
    pub fn resolve_ascii_into(
        self,
        ctx: &Context,
        wildcards: bool,
        fold_case: bool,
        bytes: &mut Vec<u8>,
    ) -> Option<Result<bool, String>> {
        bytes.clear();
        let mut unknown = false;
        let fold = |b: u8| if fold_case { b.to_ascii_lowercase() } else { b };
        // Literal text: a `*` or `?` in it cannot be written in the narrow form.
        let literal = |bytes: &mut Vec<u8>, t: &str| {
            if !t.is_ascii() || t.contains(['*', '?']) {
                return None;
            }
            bytes.extend(t.bytes().map(fold));
            Some(())
        };
        let star = |bytes: &mut Vec<u8>| {
            if bytes.last() != Some(&b'*') {
                bytes.push(b'*');
            }
        };
        for seg in self.segments() {
            match seg {
                SegRef::Text(t) if wildcards => {
                    if !t.is_ascii() {
                        return None;
                    }
                    // The runs between stars copied whole (a search per run cost more
                    // than this loop on texts this short).
                    let mut rest = t.as_bytes();
                    while let Some(at) = rest.iter().position(|&b| b == b'*') {
                        bytes.extend(rest[..at].iter().map(|&b| fold(b)));
                        star(bytes);
                        rest = &rest[at + 1..];
                    }
                    bytes.extend(rest.iter().map(|&b| fold(b)));
                }
                SegRef::Text(t) => literal(bytes, t)?,
                SegRef::Escaped(c) => literal(bytes, c.encode_utf8(&mut [0; 4]))?,
                SegRef::Var { key, default } => match ctx.get(key) {
                    Some(KeyState::Values(v)) if v.len() == 1 => literal(bytes, &v[0])?,
                    Some(KeyState::Values(_)) => return Some(Err(key.to_string())),
                    Some(KeyState::Absent) => match default {
                        Some(d) => literal(bytes, d)?,
                        None => return Some(Err(key.to_string())),
                    },
                    None => {
                        star(bytes);
                        unknown = true;
                    }
                },
            }
        }
        Some(Ok(unknown))
    }

    /// The text with known variables filled in, for values that are compared, not matched.
    /// `None` when a variable is unknown or unresolvable.
    pub fn resolve_plain(self, ctx: &Context) -> Option<String> {
        let mut out = String::new();
        for seg in self.segments() {
            match seg {
                SegRef::Text(t) => out.push_str(t),
                SegRef::Escaped(c) => out.push(c),
                SegRef::Var { key, default } => match (ctx.get(key), default) {
                    (Some(KeyState::Values(v)), _) if v.len() == 1 => out.push_str(&v[0]),
                    (Some(KeyState::Absent), Some(d)) => out.push_str(d),
                    _ => return None,
                },
            }
        }
        Some(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn variables_resolve_with_defaults() {
        let mut ctx = Context::default();
        ctx.set("aws:username", ["alice"]);
        let v = VarText::parse("arn:aws:iam::*:user/${aws:username}", true).unwrap();
        let Resolved::Known(g) = v.resolve(&ctx, true, false) else {
            panic!()
        };
        assert!(g.matches("arn:aws:iam::1:user/alice"));
        assert!(!g.matches("arn:aws:iam::1:user/bob"));

        let d = VarText::parse("${aws:PrincipalTag/team, 'shared'}", true).unwrap();
        ctx.set_absent("aws:PrincipalTag/team");
        assert_eq!(d.resolve_plain(&ctx).as_deref(), Some("shared"));
    }

    #[test]
    fn unknown_and_escapes() {
        let ctx = Context::default();
        let v = VarText::parse("a${aws:username}b", true).unwrap();
        assert!(matches!(v.resolve(&ctx, true, false), Resolved::Unknown(_)));
        let e = VarText::parse("a${*}b", true).unwrap();
        let Resolved::Known(g) = e.resolve(&ctx, true, false) else {
            panic!()
        };
        assert!(g.matches("a*b"));
        assert!(!g.matches("axb"));
    }

    #[test]
    fn old_version_is_literal() {
        let v = VarText::parse("${aws:username}", false).unwrap();
        assert!(!v.has_variables());
        assert_eq!(
            v.resolve_plain(&Context::default()).as_deref(),
            Some("${aws:username}")
        );
    }

    #[test]
    fn absent_without_default_is_unresolvable() {
        let mut ctx = Context::default();
        ctx.set_absent("aws:username");
        let v = VarText::parse("${aws:username}", true).unwrap();
        assert!(matches!(
            v.resolve(&ctx, true, false),
            Resolved::Unresolvable(_)
        ));
    }

    #[test]
    fn a_plain_ascii_pattern_resolves_narrow() {
        let mut ctx = Context::default();
        ctx.set("aws:username", ["Alice"]);
        let v = VarText::parse(
            "arn:aws:iam::*:role/${aws:username}-${aws:PrincipalTag/t}",
            true,
        )
        .unwrap();
        let Some(Resolved::Unknown(g)) = v.view().resolve_ascii(&ctx, true, false) else {
            panic!("not resolved narrow")
        };
        assert_eq!(g.to_string(), "arn:aws:iam::*:role/Alice-*");
    }

    #[test]
    fn texts_split_into_variables_escapes_and_defaults() {
        let mut ctx = Context::default();
        ctx.set("k1", ["X"]);
        ctx.set_absent("k2");
        let cases = [
            (
                "a${k1}b${k2, 'd'}c${*}${?}${$}",
                Some("aXbdc*?$"),
                vec!["k1", "k2"],
            ),
            ("${ k1 }", Some("X"), vec!["k1"]),
            ("${k2,'d'}", Some("d"), vec!["k2"]),
            ("${k2, 'a,b'}", Some("a,b"), vec!["k2"]),
            ("${k2, ''}x", Some("x"), vec!["k2"]),
            ("${k1}}", Some("X}"), vec!["k1"]),
            ("$${k1}", Some("$X"), vec!["k1"]),
            ("${${k1}}", None, vec!["${k1"]),
            ("${*}", Some("*"), vec![]),
            ("plain", Some("plain"), vec![]),
        ];
        for (text, plain, keys) in cases {
            let v = VarText::parse(text, true).unwrap();
            assert_eq!(v.resolve_plain(&ctx).as_deref(), plain, "{text}");
            let listed: Vec<&str> = v.variable_keys().collect();
            assert_eq!(listed, keys, "{text}");
            assert_eq!(v.has_variables(), !keys.is_empty(), "{text}");
            assert_eq!(v.is_plain(), text == "plain", "{text}");
        }
        assert_eq!(
            VarText::parse("ab${k1}c${k2}", true).unwrap().view().head(),
            "ab"
        );
        assert_eq!(VarText::parse("${*}${k1}", true).unwrap().view().head(), "");
        for (text, error) in [
            ("${}", "empty policy variable"),
            ("${ }", "empty policy variable"),
            ("${ , 'x'}", "empty policy variable"),
            ("a${k1", "is not closed"),
            ("${k1, d}", "must be in single quotes"),
        ] {
            let e = VarText::parse(text, true).unwrap_err();
            assert!(e.contains(error), "{text}: {e}");
        }
    }

    /// A segment as words, to compare.
    fn shown(seg: SegRef<'_>) -> String {
        match seg {
            SegRef::Text(t) => format!("text {t}"),
            SegRef::Escaped(c) => format!("escaped {c}"),
            SegRef::Var { key, default } => format!("var {key} {default:?}"),
        }
    }

    proptest::proptest! {
        /// A text read again from its stored keys (with its head known or not) splits as
        /// it did when it was read whole and checked: texts of variables with and without
        /// defaults, spaces, commas, escapes, stray `$`, `{` and `}`.
        #[test]
        fn a_text_read_again_splits_as_when_it_was_checked(
            parts in proptest::collection::vec(
                "([a$ {}é,]{0,3}|\\$\\{[*?$]\\}|\\$\\{ ?k[0-3]?[ }]?\\}|\\$\\{k[0-3] ?, ?'[a,}é]{0,2}'\\})",
                0..6,
            ),
        ) {
            let text = parts.concat();
            let Ok(keys) = parse_keys(&text) else {
                return Ok(());
            };
            let checked: Vec<String> = Segments { text: &text, rest: &text }
                .map(|s| shown(s.unwrap()))
                .collect();
            let v = VarRef::new(&text, &keys, None);
            let again: Vec<String> = v.segments().map(shown).collect();
            proptest::prop_assert_eq!(&again, &checked);
            // A value keeps no keys: they are read from its text.
            let value = VarText::parse(&text, true).unwrap();
            let again: Vec<String> = value.view().segments().map(shown).collect();
            proptest::prop_assert_eq!(&again, &checked);
            let listed: Vec<&str> = value.variable_keys().collect();
            let stored: Vec<&str> = keys.iter().map(SmolStr::as_str).collect();
            proptest::prop_assert_eq!(&listed, &stored);
            proptest::prop_assert_eq!(value.has_variables(), !keys.is_empty());
            // (Its head: the whole of a text it takes as written.)
            let head = if value.is_plain() { text.as_str() } else { v.head() };
            proptest::prop_assert_eq!(value.view().head(), head);
            let with_head = VarRef::new(&text, &keys, v.head_len());
            proptest::prop_assert_eq!(with_head.head(), v.head());
            let again: Vec<String> = with_head.segments().map(shown).collect();
            // A head known splits off as one text, as it is read whole.
            let mut merged: Vec<String> = Vec::new();
            for seg in again {
                match (merged.last_mut(), seg.strip_prefix("text ")) {
                    (Some(last), Some(t)) if last.starts_with("text ") => last.push_str(t),
                    _ => merged.push(seg),
                }
            }
            proptest::prop_assert_eq!(merged, checked);
        }

        /// The narrow resolution, where it applies, is the token-by-token one: the same
        /// pattern, the same unknowns, the same unresolvable key, folded or not, with
        /// wildcards or literal; over texts with escapes, defaults, stars and non-ASCII,
        /// and keys known (one value or several), absent or unknown.
        #[test]
        fn ascii_resolution_is_the_token_one(
            parts in proptest::collection::vec(
                "([aB*?:/é]{0,3}|\\$\\{[*?$]\\}|\\$\\{k[0-3]\\}|\\$\\{k[0-3], '[aB*é]{0,2}'\\})",
                0..6,
            ),
            states in proptest::collection::vec(0u8..5, 4),
            values in proptest::collection::vec("[aB*?é]{0,3}", 4),
        ) {
            let text = parts.concat();
            let Ok(v) = VarText::parse(&text, true) else {
                return Ok(());
            };
            let mut ctx = Context::default();
            for (i, (state, value)) in states.iter().zip(&values).enumerate() {
                let key = format!("k{i}");
                match state {
                    0 => ctx.set(&key, [value.as_str()]),
                    1 => ctx.set(&key, [value.as_str(), "x"]),
                    2 => ctx.set_absent(&key),
                    _ => {}
                }
            }
            for wildcards in [false, true] {
                for fold in [false, true] {
                    let slow = v.view().resolve_tokens(&ctx, wildcards, fold);
                    // The key `unresolvable` finds without resolving is the one resolving
                    // stops at.
                    let stopped_at = match &slow {
                        Resolved::Unresolvable(key) => Some(key.as_str()),
                        _ => None,
                    };
                    proptest::prop_assert_eq!(v.view().unresolvable(&ctx), stopped_at);
                    if let Some(quick) = v.view().resolve_ascii(&ctx, wildcards, fold) {
                        proptest::prop_assert_eq!(&quick, &slow, "{}", text);
                    }
                    proptest::prop_assert_eq!(v.resolve(&ctx, wildcards, fold), slow);
                }
            }
        }
    }
}
