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
    /// The segments; none when the whole text is plain (nearly always, and then nothing is
    /// stored twice).
    segs: Option<Box<Segments>>,
}

/// The segments of a text with variables or escapes, behind one thin pointer (a plain
/// text, nearly every one, pays a word for them).
#[derive(Clone, Debug, PartialEq, Eq)]
struct Segments(Box<[Seg]>);

#[derive(Clone, Debug, PartialEq, Eq)]
enum Seg {
    /// Plain text, where `*` and `?` are wildcards in a pattern: bytes `start..end` of the
    /// text.
    Text { start: u32, end: u32 },
    /// A character escaped with `${*}`, `${?}` or `${$}`: always literal.
    Escaped(char),
    /// A variable.
    Var {
        /// Shared with the answers that depend on it (a long key is shared, a short one kept
        /// in place).
        key: SmolStr,
        default: Option<Box<str>>,
    },
}

/// A segment, borrowed.
enum SegRef<'a> {
    Text(&'a str),
    Escaped(char),
    Var {
        key: &'a str,
        default: Option<&'a str>,
    },
}

/// How a [`VarText`] resolves in a context.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Resolved {
    /// Every variable is known: the pattern.
    Known(Glob),
    /// Some variable's value is not known: a pattern that covers every value it may take
    /// (each unknown variable replaced by `*`). The keys it depends on are its
    /// [`variable_keys`](VarText::variable_keys) that the context does not know.
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
        let mut segs = Vec::new();
        // Offsets of a text within the input limit fit in 32 bits.
        let offset = |part: &str| {
            u32::try_from(part.as_ptr() as usize - text.as_ptr() as usize).unwrap_or(u32::MAX)
        };
        let mut rest = text;
        while let Some(open) = rest.find("${") {
            if open > 0 {
                let start = offset(rest);
                segs.push(Seg::Text {
                    start,
                    end: start.saturating_add(u32::try_from(open).unwrap_or(u32::MAX)),
                });
            }
            let inner_start = &rest[open + 2..];
            let Some(close) = inner_start.find('}') else {
                return Err(format!(
                    "policy variable in \"{text}\" is not closed with '}}'"
                ));
            };
            let inner = &inner_start[..close];
            match inner {
                "*" => segs.push(Seg::Escaped('*')),
                "?" => segs.push(Seg::Escaped('?')),
                "$" => segs.push(Seg::Escaped('$')),
                _ => {
                    let (key, default) = match inner.split_once(',') {
                        Some((k, d)) => {
                            let d = d.trim();
                            let Some(d) = d.strip_prefix('\'').and_then(|d| d.strip_suffix('\''))
                            else {
                                return Err(format!(
                                    "the default value in \"${{{inner}}}\" must be in single quotes"
                                ));
                            };
                            (k.trim(), Some(Box::from(d)))
                        }
                        None => (inner.trim(), None),
                    };
                    if key.is_empty() {
                        return Err(format!("empty policy variable in \"{text}\""));
                    }
                    segs.push(Seg::Var {
                        key: SmolStr::new(key),
                        default,
                    });
                }
            }
            rest = &inner_start[close + 1..];
        }
        if !rest.is_empty() {
            let start = offset(rest);
            segs.push(Seg::Text {
                start,
                end: u32::try_from(text.len()).unwrap_or(u32::MAX),
            });
        }
        Ok(Self {
            text: compact_str::CompactString::from(text),
            segs: Some(Box::new(Segments(segs.into_boxed_slice()))),
        })
    }

    /// Plain text without variables.
    pub fn plain(text: &str) -> Self {
        Self {
            text: compact_str::CompactString::from(text),
            segs: None,
        }
    }

    /// The stored segments (none for a plain text).
    fn seg_list(&self) -> &[Seg] {
        self.segs.as_deref().map_or(&[], |s| &s.0)
    }

    /// The segments in order.
    fn segments(&self) -> impl Iterator<Item = SegRef<'_>> {
        let whole = self.segs.is_none().then_some(SegRef::Text(&self.text));
        whole
            .into_iter()
            .chain(self.seg_list().iter().map(|s| match s {
                Seg::Text { start, end } => {
                    SegRef::Text(self.text.get(*start as usize..*end as usize).unwrap_or(""))
                }
                Seg::Escaped(c) => SegRef::Escaped(*c),
                Seg::Var { key, default } => SegRef::Var {
                    key,
                    default: default.as_deref(),
                },
            }))
    }

    /// The condition keys its variables name (`aws:username` for `${aws:username}`).
    pub fn variable_keys(&self) -> impl Iterator<Item = &SmolStr> {
        self.seg_list().iter().filter_map(|s| match s {
            Seg::Var { key, .. } => Some(key),
            _ => None,
        })
    }

    /// True when the text is the pattern as written: no variable and no escape.
    pub fn is_plain(&self) -> bool {
        self.segs.is_none()
    }

    /// The plain pattern text before the first variable: the start of every resolution.
    /// Empty when an escape or a variable comes first.
    pub fn head(&self) -> &str {
        match self.seg_list() {
            [] => &self.text,
            [Seg::Text { start: 0, end }, Seg::Var { .. }, ..] => {
                self.text.get(..*end as usize).unwrap_or("")
            }
            _ => "",
        }
    }

    /// The key of the first variable that does not resolve in `ctx` (absent with no
    /// default, or with several values): what makes [`resolve`](Self::resolve) answer
    /// [`Resolved::Unresolvable`], found without resolving.
    pub fn unresolvable(&self, ctx: &Context) -> Option<&str> {
        self.seg_list().iter().find_map(|s| match s {
            Seg::Var { key, default } => match ctx.get(key) {
                Some(KeyState::Values(v)) if v.len() != 1 => Some(key.as_str()),
                Some(KeyState::Absent) if default.is_none() => Some(key.as_str()),
                _ => None,
            },
            _ => None,
        })
    }

    /// True when the text holds a variable.
    pub fn has_variables(&self) -> bool {
        self.seg_list().iter().any(|s| matches!(s, Seg::Var { .. }))
    }

    /// Resolves variables in `ctx` and compiles the result as a pattern. With `wildcards`
    /// off, `*` and `?` in the text are literal (for `StringEquals` and friends).
    pub fn resolve(&self, ctx: &Context, wildcards: bool, fold_case: bool) -> Resolved {
        self.resolve_ascii(ctx, wildcards, fold_case)
            .unwrap_or_else(|| self.resolve_tokens(ctx, wildcards, fold_case))
    }

    /// [`resolve`](Self::resolve) token by token: any text.
    fn resolve_tokens(&self, ctx: &Context, wildcards: bool, fold_case: bool) -> Resolved {
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
                        return Resolved::Unresolvable(key.to_owned());
                    }
                    Some(KeyState::Absent) => match default {
                        Some(d) => d.chars().for_each(|c| push(&mut toks, c)),
                        None => return Resolved::Unresolvable(key.to_owned()),
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
    fn resolve_ascii(&self, ctx: &Context, wildcards: bool, fold_case: bool) -> Option<Resolved> {
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
        &self,
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
                    Some(KeyState::Values(_)) => return Some(Err(key.to_owned())),
                    Some(KeyState::Absent) => match default {
                        Some(d) => literal(bytes, d)?,
                        None => return Some(Err(key.to_owned())),
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
    pub fn resolve_plain(&self, ctx: &Context) -> Option<String> {
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
        let Some(Resolved::Unknown(g)) = v.resolve_ascii(&ctx, true, false) else {
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
            let listed: Vec<&str> = v.variable_keys().map(SmolStr::as_str).collect();
            assert_eq!(listed, keys, "{text}");
            assert_eq!(v.has_variables(), !keys.is_empty(), "{text}");
            assert_eq!(v.is_plain(), text == "plain", "{text}");
        }
        assert_eq!(VarText::parse("ab${k1}c${k2}", true).unwrap().head(), "ab");
        assert_eq!(VarText::parse("${*}${k1}", true).unwrap().head(), "");
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

    proptest::proptest! {
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
                    let slow = v.resolve_tokens(&ctx, wildcards, fold);
                    // The key `unresolvable` finds without resolving is the one resolving
                    // stops at.
                    let stopped_at = match &slow {
                        Resolved::Unresolvable(key) => Some(key.as_str()),
                        _ => None,
                    };
                    proptest::prop_assert_eq!(v.unresolvable(&ctx), stopped_at);
                    if let Some(quick) = v.resolve_ascii(&ctx, wildcards, fold) {
                        proptest::prop_assert_eq!(&quick, &slow, "{}", text);
                    }
                    proptest::prop_assert_eq!(v.resolve(&ctx, wildcards, fold), slow);
                }
            }
        }
    }
}
