//! Wildcard matching with three-valued answers.
//!
//! A policy pattern (`arn:aws:iam::*:role/ci-*`) is matched against a *template*: a value whose
//! parts may be unknown (`arn:aws:iam::{account}:role/{role}`). The answer is [`Tri::Always`]
//! when every filling of the unknown parts matches, [`Tri::Never`] when none does, and
//! [`Tri::Sometimes`] otherwise. This is exact for a single pattern: the template is run
//! through the subset construction of the pattern's automaton, and an unknown part stands for
//! every string over the pattern's own characters plus one character the pattern never names.

use std::collections::HashSet;
use std::fmt;

/// A three-valued truth: known true, known false, or depends on what is not known.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
pub enum Tri {
    /// False for every request consistent with what is known.
    Never,
    /// True for some such requests and false for others.
    Sometimes,
    /// True for every such request.
    Always,
}

impl Tri {
    /// From a known boolean.
    pub fn from_bool(b: bool) -> Self {
        if b { Self::Always } else { Self::Never }
    }

    /// From how many of the reachable states accept, out of how many.
    fn of_counts(accepting: usize, total: usize) -> Self {
        if accepting == 0 {
            Self::Never
        } else if accepting == total {
            Self::Always
        } else {
            Self::Sometimes
        }
    }

    /// Kleene conjunction.
    #[must_use]
    pub fn and(self, other: Self) -> Self {
        self.min(other)
    }

    /// Kleene disjunction.
    #[must_use]
    pub fn or(self, other: Self) -> Self {
        self.max(other)
    }

    /// Kleene negation.
    #[must_use]
    pub fn negate(self) -> Self {
        match self {
            Self::Never => Self::Always,
            Self::Sometimes => Self::Sometimes,
            Self::Always => Self::Never,
        }
    }
}

/// One token of a compiled wildcard pattern.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Tok {
    /// This character exactly.
    Lit(char),
    /// `*`: any run of characters, including none.
    Star,
    /// `?`: exactly one character.
    One,
}

/// A compiled wildcard pattern. Stored compactly: one byte per token when every character
/// is ASCII and none is a literal `*` or `?` (nearly every pattern), four bytes otherwise.
/// Nothing else is kept: the automaton of a short pattern is built when a match needs it.
#[derive(Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Glob(Toks);

/// The owned tokens of a [`Glob`]. Canonical (a pattern has one form), so equality of the
/// storage is equality of the token sequences.
#[derive(Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
enum Toks {
    /// ASCII: `*` is a star, `?` is a one, any other byte is that character.
    Narrow(Box<[u8]>),
    /// Any character as its code, [`WIDE_STAR`] and [`WIDE_ONE`] for the wildcards.
    Wide(Box<[u32]>),
}

/// A borrowed pattern: a whole [`Glob`] or a run of its tokens (one part of an ARN).
/// Compared token by token (a run of a wide pattern may equal a narrow one).
#[derive(Clone, Copy)]
pub struct GlobRef<'a>(Repr<'a>);

impl PartialEq for GlobRef<'_> {
    fn eq(&self, other: &Self) -> bool {
        match (self.0, other.0) {
            (Repr::Narrow(a), Repr::Narrow(b)) => a == b,
            (Repr::Wide(a), Repr::Wide(b)) => a == b,
            _ => self.tokens().eq(other.tokens()),
        }
    }
}

impl Eq for GlobRef<'_> {}

impl PartialOrd for GlobRef<'_> {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for GlobRef<'_> {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        // Token order. Two narrow patterns (nearly all) are compared from their first
        // differing byte, found eight bytes at a time: patterns of one policy share long
        // prefixes, and sorting thousands of them is what deduplicating witness patterns
        // costs.
        match (self.0, other.0) {
            (Repr::Narrow(a), Repr::Narrow(b)) => {
                let i = common_prefix(a, b);
                match (a.get(i), b.get(i)) {
                    (Some(&x), Some(&y)) => narrow_tok(x).cmp(&narrow_tok(y)),
                    _ => a.len().cmp(&b.len()),
                }
            }
            // The wide codes are in token order (characters, then `*`, then `?`).
            (Repr::Wide(a), Repr::Wide(b)) => a.cmp(b),
            _ => {
                let n = self.len().min(other.len());
                (0..n)
                    .map(|i| (self.code(i), other.code(i)))
                    .find(|(x, y)| x != y)
                    .map_or_else(|| self.len().cmp(&other.len()), |(x, y)| x.cmp(&y))
            }
        }
    }
}

/// How many leading bytes `a` and `b` share.
fn common_prefix(a: &[u8], b: &[u8]) -> usize {
    let n = a.len().min(b.len());
    let mut i = 0;
    while i + 8 <= n && a[i..i + 8] == b[i..i + 8] {
        i += 8;
    }
    while i < n && a[i] == b[i] {
        i += 1;
    }
    i
}

#[derive(Clone, Copy)]
enum Repr<'a> {
    Narrow(&'a [u8]),
    /// Narrow, its letters lowered as they are read (a view of a case-insensitive pattern
    /// as written).
    Folded(&'a [u8]),
    Wide(&'a [u32]),
}

/// The codes of the wildcards in the wide form: above every character.
const WIDE_STAR: u32 = 0x11_0000;
const WIDE_ONE: u32 = 0x11_0001;

fn narrow_tok(b: u8) -> Tok {
    match b {
        b'*' => Tok::Star,
        b'?' => Tok::One,
        b => Tok::Lit(char::from(b)),
    }
}

/// The code of a token in the wide form (the inverse of [`wide_tok`]): characters below
/// the wildcards, so codes compare in token order.
fn wide_code(t: Tok) -> u32 {
    match t {
        Tok::Star => WIDE_STAR,
        Tok::One => WIDE_ONE,
        Tok::Lit(c) => u32::from(c),
    }
}

fn wide_tok(w: u32) -> Tok {
    match w {
        WIDE_STAR => Tok::Star,
        WIDE_ONE => Tok::One,
        // Only characters are stored below the wildcards.
        w => Tok::Lit(char::from_u32(w).unwrap_or('\u{FFFD}')),
    }
}

/// The automaton of a short pattern: position `i` is bit `i`.
struct Small {
    /// Positions holding `*`.
    star: u64,
    /// Positions holding `?`.
    one: u64,
    /// For each character the pattern names, the positions holding it; sorted.
    lits: Vec<(char, u64)>,
    /// The accepting position.
    accept: u64,
}

impl Small {
    fn new(g: GlobRef<'_>) -> Option<Self> {
        if g.len() >= 64 {
            return None;
        }
        let mut small = Self {
            star: 0,
            one: 0,
            lits: Vec::new(),
            accept: 1 << g.len(),
        };
        for (i, t) in g.tokens().enumerate() {
            let bit = 1u64 << i;
            match t {
                Tok::Star => small.star |= bit,
                Tok::One => small.one |= bit,
                Tok::Lit(c) => match small.lits.binary_search_by_key(&c, |(k, _)| *k) {
                    Ok(k) => small.lits[k].1 |= bit,
                    Err(k) => small.lits.insert(k, (c, bit)),
                },
            }
        }
        Some(small)
    }

    fn close(&self, s: u64) -> u64 {
        s | ((s & self.star) << 1)
    }

    fn start(&self) -> u64 {
        self.close(1)
    }

    fn step(&self, s: u64, c: char) -> u64 {
        let lit = self
            .lits
            .binary_search_by_key(&c, |(k, _)| *k)
            .map_or(0, |k| self.lits[k].1);
        self.close((s & self.star) | ((s & (self.one | lit)) << 1))
    }

    /// The exact three-valued match of a template, within the budget.
    fn match_template(&self, pieces: &[Piece], budget: &mut usize) -> Option<Tri> {
        let mut alphabet: Vec<char> = self.lits.iter().map(|(c, _)| *c).collect();
        alphabet.extend(fresh_char(&alphabet));
        let mut states: Vec<u64> = vec![self.start()];
        for piece in pieces {
            match piece {
                Piece::Lit(c) => {
                    charge(budget, states.len())?;
                    for s in &mut states {
                        *s = self.step(*s, *c);
                    }
                }
                Piece::Hole(_) => {
                    let mut seen: Vec<u64> = states.clone();
                    let mut stack = states;
                    while let Some(s) = stack.pop() {
                        charge(budget, alphabet.len())?;
                        for &c in &alphabet {
                            let n = self.step(s, c);
                            if !seen.contains(&n) {
                                if seen.len() >= MAX_SUBSETS {
                                    return None;
                                }
                                seen.push(n);
                                stack.push(n);
                            }
                        }
                    }
                    states = seen;
                }
            }
            states.sort_unstable();
            states.dedup();
        }
        let accepting = states.iter().filter(|s| *s & self.accept != 0).count();
        Some(Tri::of_counts(accepting, states.len()))
    }
}

impl Glob {
    /// Compiles `text`, where `*` and `?` are wildcards. With `fold_case`, letters are lowered.
    pub fn new(text: &str, fold_case: bool) -> Self {
        if text.is_ascii() {
            // The narrow form is the text itself (lowered), runs of stars merged.
            let mut bytes: Vec<u8> = Vec::with_capacity(text.len());
            for &b in text.as_bytes() {
                if !(b == b'*' && bytes.last() == Some(&b'*')) {
                    bytes.push(if fold_case { b.to_ascii_lowercase() } else { b });
                }
            }
            return Self(Toks::Narrow(bytes.into_boxed_slice()));
        }
        Self::from_tokens(text.chars().map(|c| match c {
            '*' => Tok::Star,
            '?' => Tok::One,
            c => Tok::Lit(fold(c, fold_case)),
        }))
    }

    /// From the bytes of an ASCII pattern, where `*` and `?` are wildcards (runs of stars
    /// are merged): the narrow form, in the same allocation. Bytes that are not ASCII are
    /// read as the text they make (never the case for callers, who build ASCII).
    pub fn from_ascii(mut bytes: Vec<u8>) -> Self {
        if !bytes.is_ascii() {
            return Self::new(&String::from_utf8_lossy(&bytes), false);
        }
        bytes.dedup_by(|b, a| *a == b'*' && *b == b'*');
        Self(Toks::Narrow(bytes.into_boxed_slice()))
    }

    /// The narrow form's bytes (see [`from_ascii`](Self::from_ascii)); `None` for a wide
    /// pattern.
    pub fn narrow_bytes(&self) -> Option<&[u8]> {
        match &self.0 {
            Toks::Narrow(b) => Some(b),
            Toks::Wide(_) => None,
        }
    }

    /// A pattern that matches `text` literally.
    pub fn literal(text: &str, fold_case: bool) -> Self {
        Self::from_tokens(text.chars().map(|c| Tok::Lit(fold(c, fold_case))))
    }

    /// From tokens (consecutive stars are merged).
    pub fn from_toks(toks: Vec<Tok>) -> Self {
        Self::from_tokens(toks.into_iter())
    }

    /// From tokens (consecutive stars are merged), in the narrow form when it can hold them.
    pub fn from_tokens(toks: impl Iterator<Item = Tok> + Clone) -> Self {
        // One pass for the form and the length, so the tokens go in one allocation.
        let (mut narrow, mut len, mut last_star) = (true, 0usize, false);
        for t in toks.clone() {
            narrow &= match t {
                Tok::Lit(c) => c.is_ascii() && c != '*' && c != '?',
                Tok::Star | Tok::One => true,
            };
            let star = t == Tok::Star;
            len += usize::from(!(star && last_star));
            last_star = star;
        }
        let mut last_star = false;
        let toks = toks.filter(move |t| {
            let star = *t == Tok::Star;
            let keep = !(star && last_star);
            last_star = star;
            keep
        });
        if narrow {
            let mut bytes = Vec::with_capacity(len);
            bytes.extend(toks.map(|t| match t {
                Tok::Star => b'*',
                Tok::One => b'?',
                // ASCII, checked above.
                Tok::Lit(c) => u8::try_from(c).unwrap_or(b'?'),
            }));
            Self(Toks::Narrow(bytes.into_boxed_slice()))
        } else {
            let mut wide = Vec::with_capacity(len);
            wide.extend(toks.map(wide_code));
            Self(Toks::Wide(wide.into_boxed_slice()))
        }
    }

    /// The pattern, borrowed.
    pub fn view(&self) -> GlobRef<'_> {
        GlobRef(match &self.0 {
            Toks::Narrow(b) => Repr::Narrow(b),
            Toks::Wide(w) => Repr::Wide(w),
        })
    }

    /// The tokens, in order.
    pub fn tokens(&self) -> impl Iterator<Item = Tok> + '_ {
        self.view().tokens()
    }

    /// How many tokens.
    pub fn len(&self) -> usize {
        self.view().len()
    }

    /// True for the empty pattern (it matches only the empty string).
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// True when the pattern is `*` (stars are merged): it accepts every string.
    pub fn accepts_everything(&self) -> bool {
        self.view().accepts_everything()
    }

    /// True when the pattern has no wildcard.
    pub fn is_literal(&self) -> bool {
        self.view().is_literal()
    }

    /// Matches a concrete string. `value` must already be case-folded if the pattern was.
    pub fn matches(&self, value: &str) -> bool {
        self.view().matches(value)
    }

    /// See [`GlobRef::match_template`].
    pub fn match_template(&self, template: &Template) -> Tri {
        self.view().match_pieces(&template.pieces)
    }
}

impl<'a> GlobRef<'a> {
    /// The empty pattern: it matches only the empty string.
    pub const EMPTY: Self = Self(Repr::Narrow(&[]));

    /// `text` itself as a pattern (`*` and `?` wildcards; with `fold`, letters lowered as
    /// they are read), with no copy: the same pattern as [`Glob::new`] when the text is
    /// ASCII and has no run of stars (which a compiled pattern merges). `None` otherwise.
    pub fn of_text(text: &'a str, fold: bool) -> Option<Self> {
        // One pass over the bytes (this runs for every statement a refresh looks at).
        let b = text.as_bytes();
        let (mut wide, mut stars, mut upper) = (false, false, false);
        let mut last = 0u8;
        for &c in b {
            wide |= !c.is_ascii();
            stars |= c == b'*' && last == b'*';
            upper |= c.is_ascii_uppercase();
            last = c;
        }
        if wide || stars {
            return None;
        }
        Some(Self(if fold && upper {
            Repr::Folded(b)
        } else {
            Repr::Narrow(b)
        }))
    }

    /// How many tokens.
    pub fn len(self) -> usize {
        match self.0 {
            Repr::Narrow(b) | Repr::Folded(b) => b.len(),
            Repr::Wide(w) => w.len(),
        }
    }

    /// True for the empty pattern.
    pub fn is_empty(self) -> bool {
        self.len() == 0
    }

    /// How many tokens, when the pattern is stored wide (it may name characters beyond
    /// ASCII); 0 for a narrow one (every character it names is ASCII).
    pub fn wide_len(self) -> usize {
        match self.0 {
            Repr::Narrow(_) | Repr::Folded(_) => 0,
            Repr::Wide(w) => w.len(),
        }
    }

    /// Token `i`, if there is one.
    fn get(self, i: usize) -> Option<Tok> {
        match self.0 {
            Repr::Narrow(b) => b.get(i).map(|&b| narrow_tok(b)),
            Repr::Folded(b) => b.get(i).map(|&b| narrow_tok(b.to_ascii_lowercase())),
            Repr::Wide(w) => w.get(i).map(|&w| wide_tok(w)),
        }
    }

    /// The wide code of token `i` (see [`wide_code`]: codes compare as tokens do); `i` must
    /// be below [`len`](Self::len).
    fn code(self, i: usize) -> u32 {
        match self.0 {
            Repr::Wide(w) => w[i],
            Repr::Narrow(_) | Repr::Folded(_) => wide_code(self.tok(i)),
        }
    }

    /// Token `i`; `i` must be below [`len`](Self::len).
    fn tok(self, i: usize) -> Tok {
        self.get(i).unwrap_or(Tok::Star)
    }

    /// The tokens, in order.
    pub fn tokens(self) -> impl Iterator<Item = Tok> + Clone + 'a {
        let (narrow, fold, wide): (&'a [u8], bool, &'a [u32]) = match self.0 {
            Repr::Narrow(b) => (b, false, &[]),
            Repr::Folded(b) => (b, true, &[]),
            Repr::Wide(w) => (&[], false, w),
        };
        narrow
            .iter()
            .map(move |&b| narrow_tok(if fold { b.to_ascii_lowercase() } else { b }))
            .chain(wide.iter().map(|&w| wide_tok(w)))
    }

    /// Tokens `range`.
    fn slice(self, range: std::ops::Range<usize>) -> Self {
        Self(match self.0 {
            Repr::Narrow(b) => Repr::Narrow(&b[range]),
            Repr::Folded(b) => Repr::Folded(&b[range]),
            Repr::Wide(w) => Repr::Wide(&w[range]),
        })
    }

    /// Feeds the pattern to `h`, unambiguously (a narrow pattern as its bytes at once): two
    /// patterns fed alike are the same pattern. The same pattern stored two ways (narrow and
    /// wide) may be fed differently.
    pub fn hash_into(self, h: &mut impl std::hash::Hasher) {
        match self.0 {
            Repr::Narrow(b) => {
                h.write_u8(0);
                h.write_usize(b.len());
                h.write(b);
            }
            Repr::Folded(b) => {
                h.write_u8(1);
                h.write_usize(b.len());
                h.write(b);
            }
            Repr::Wide(w) => {
                h.write_u8(2);
                h.write_usize(w.len());
                for &c in w {
                    h.write_u32(c);
                }
            }
        }
    }

    /// True when the pattern is `*` (stars are merged): it accepts every string.
    pub fn accepts_everything(self) -> bool {
        self.len() == 1 && self.tok(0) == Tok::Star
    }

    /// True when the pattern has no wildcard.
    pub fn is_literal(self) -> bool {
        self.tokens().all(|t| matches!(t, Tok::Lit(_)))
    }

    /// True when the pattern names character `c` literally.
    fn names(self, c: char) -> bool {
        self.tokens().any(|t| t == Tok::Lit(c))
    }

    /// Matches a concrete string. `value` must already be case-folded if the pattern was.
    pub fn matches(self, value: &str) -> bool {
        if value.is_ascii() {
            return self.matches_ascii(value.as_bytes());
        }
        // Two state buffers, swapped: no allocation per character.
        let mut set = self.start();
        let mut next = Bits::new(self.len() + 1);
        for c in value.chars() {
            self.step_into(&set, c, &mut next);
            std::mem::swap(&mut set, &mut next);
            if set.is_empty() {
                return false;
            }
        }
        self.accepts(&set)
    }

    /// Greedy wildcard matching with one backtrack point: linear in practice, no allocation.
    fn matches_ascii(self, s: &[u8]) -> bool {
        self.greedy_over(s.len(), |i| char::from(s[i]))
    }

    /// [`greedy`] of this pattern over a string given by index, one loop per storage form.
    fn greedy_over(self, ns: usize, sub: impl Fn(usize) -> char) -> bool {
        match self.0 {
            Repr::Narrow(p) => greedy(p.len(), |i| narrow_tok(p[i]), ns, sub),
            Repr::Folded(p) => greedy(p.len(), |i| narrow_tok(p[i].to_ascii_lowercase()), ns, sub),
            Repr::Wide(p) => greedy(p.len(), |i| wide_tok(p[i]), ns, sub),
        }
    }

    /// Matches a template with unknown parts: exact, with the work bounded. A fully known
    /// template is a plain match; a pattern without wildcards can only match some fillings
    /// of a template with a hole; otherwise the subset construction decides, and when it
    /// would take more than [`MAX_TEMPLATE_WORK`] the answer is [`Tri::Sometimes`] (or
    /// [`Tri::Never`] when no filling can match): never a wrong "always".
    pub fn match_template(self, template: &Template) -> Tri {
        self.match_pieces(&template.pieces)
    }

    /// Like [`match_template`](Self::match_template), over a run of a template's pieces (one
    /// part of an ARN), allocating nothing on the common paths.
    pub(crate) fn match_pieces(self, pieces: &[Piece]) -> Tri {
        let known = pieces.iter().all(|p| matches!(p, Piece::Lit(_)));
        if known {
            return Tri::from_bool(self.greedy_over(pieces.len(), |i| pieces[i].text_char()));
        }
        // Stars only: every string.
        if self.accepts_everything() {
            return Tri::Always;
        }
        // Unknown parts only: any string, and every pattern matches some strings and (not
        // being stars only) fails others.
        if pieces.iter().all(|p| matches!(p, Piece::Hole(_))) {
            return Tri::Sometimes;
        }
        if self.is_literal() {
            // The template, its unknown parts as `*`, against the one string the pattern is.
            let as_pattern = |i: usize| match &pieces[i] {
                Piece::Lit(c) => Tok::Lit(*c),
                Piece::Hole(_) => Tok::Star,
            };
            return if greedy(pieces.len(), as_pattern, self.len(), |i| {
                self.tok(i).text_char()
            }) {
                Tri::Sometimes
            } else {
                Tri::Never
            };
        }
        // Cheap and exact before the subset construction: when no filling matches (the
        // pair search, exact within its bound), never; when one does and a plain filling
        // (every unknown part empty, or one character the pattern does not name) fails,
        // sometimes. Only when every such filling matches is "always" still open.
        if (self.len() + 1).saturating_mul(pieces.len() + 1) <= MAX_PAIRS {
            if !self.intersects(pieces) {
                return Tri::Never;
            }
            if self.fails_a_plain_filling(pieces) {
                return Tri::Sometimes;
            }
        }
        let mut budget = MAX_TEMPLATE_WORK;
        // Refuse at once what cannot fit the budget: one step over a pattern this long.
        let words = (self.len() + 1).div_ceil(64);
        let outcome = if let Some(small) = Small::new(self) {
            small.match_template(pieces, &mut budget)
        } else if words > budget {
            None
        } else {
            self.subsets(pieces, &mut budget)
        };
        if let Some(t) = outcome {
            return t;
        }
        count_work(1);
        if self.intersects(pieces) {
            Tri::Sometimes
        } else {
            Tri::Never
        }
    }

    /// The subset construction over the template's pieces; `None` past the budget.
    fn subsets(self, pieces: &[Piece], budget: &mut usize) -> Option<Tri> {
        let words = (self.len() + 1).div_ceil(64);
        let alphabet = alphabet(
            self.tokens()
                .filter_map(|t| if let Tok::Lit(c) = t { Some(c) } else { None }),
        );
        let mut states: Vec<Bits> = vec![self.start()];
        for piece in pieces {
            let mut next: Vec<Bits> = Vec::with_capacity(states.len());
            match piece {
                Piece::Lit(c) => {
                    charge(budget, states.len() * words)?;
                    next.extend(states.iter().map(|s| self.step(s, *c)));
                }
                Piece::Hole(_) => {
                    for s in &states {
                        self.reachable(s, &alphabet, &mut next, budget)?;
                    }
                }
            }
            next.sort_unstable();
            next.dedup();
            states = next;
        }
        let accepting = states.iter().filter(|s| self.accepts(s)).count();
        Some(Tri::of_counts(accepting, states.len()))
    }

    /// True when the pattern fails a filling of the template in which every unknown part is
    /// empty, or one in which every unknown part is a character the pattern does not name.
    fn fails_a_plain_filling(self, pieces: &[Piece]) -> bool {
        let other = ['\u{10FFFD}', '\u{10FFFC}', '\u{10FFFB}']
            .into_iter()
            .find(|c| !self.names(*c));
        let mut fillings: Vec<Option<char>> = vec![None];
        fillings.extend(other.map(Some));
        fillings.into_iter().any(|fill| {
            let text: Vec<char> = pieces
                .iter()
                .filter_map(|p| match p {
                    Piece::Lit(c) => Some(*c),
                    Piece::Hole(_) => fill,
                })
                .collect();
            !self.greedy_over(text.len(), |i| text[i])
        })
    }

    /// Whether some filling of the template matches: a search over pairs of positions (the
    /// pattern's, the template's), with no subsets. Past its own bound it answers yes.
    fn intersects(self, pieces: &[Piece]) -> bool {
        let (n, m) = (self.len(), pieces.len());
        let Some(size) = (n + 1).checked_mul(m + 1).filter(|s| *s <= MAX_PAIRS) else {
            return true;
        };
        // A bit a pair (a byte each was most of the work on short patterns).
        let mut seen = vec![0u64; size.div_ceil(64)];
        let mut stack = Vec::with_capacity(n + m + 2);
        stack.push((0usize, 0usize));
        seen[0] = 1;
        while let Some((i, j)) = stack.pop() {
            count_work(1);
            if i == n && j == m {
                return true;
            }
            let mut push = |a: usize, b: usize| {
                let k = a * (m + 1) + b;
                if seen[k / 64] & (1 << (k % 64)) == 0 {
                    seen[k / 64] |= 1 << (k % 64);
                    stack.push((a, b));
                }
            };
            let tok = self.get(i);
            if tok == Some(Tok::Star) {
                push(i + 1, j); // `*` matches nothing
            }
            match pieces.get(j) {
                Some(Piece::Hole(_)) => {
                    push(i, j + 1); // the hole is empty
                    if matches!(tok, Some(Tok::One | Tok::Lit(_))) {
                        push(i + 1, j); // the hole supplies that character
                    }
                }
                Some(Piece::Lit(c)) => match tok {
                    Some(Tok::Star) => push(i, j + 1),
                    Some(Tok::One) => push(i + 1, j + 1),
                    Some(Tok::Lit(l)) if l == *c => push(i + 1, j + 1),
                    _ => {}
                },
                None => {}
            }
        }
        false
    }

    /// The automaton's start state.
    pub(crate) fn start(self) -> Bits {
        let mut b = Bits::new(self.len() + 1);
        self.set_closed(&mut b, 0);
        b
    }

    /// Sets position `i`, and the one after it when `*` at `i` may match nothing (stars
    /// are merged, so one step is enough).
    fn set_closed(self, b: &mut Bits, i: usize) {
        b.set(i);
        if self.get(i) == Some(Tok::Star) {
            b.set(i + 1);
        }
    }

    /// The state after reading `c` in state `from`.
    pub(crate) fn step(self, from: &Bits, c: char) -> Bits {
        let mut to = Bits::new(self.len() + 1);
        self.step_into(from, c, &mut to);
        to
    }

    /// Like [`step`](Self::step), into a buffer; visits only the live positions.
    fn step_into(self, from: &Bits, c: char, to: &mut Bits) {
        to.clear();
        for i in from.ones() {
            match self.get(i) {
                Some(Tok::Star) => self.set_closed(to, i),
                Some(Tok::One) => self.set_closed(to, i + 1),
                Some(Tok::Lit(l)) if l == c => self.set_closed(to, i + 1),
                _ => {}
            }
        }
    }

    /// True when state `b` accepts.
    pub(crate) fn accepts(self, b: &Bits) -> bool {
        b.get(self.len())
    }

    /// How many 64-bit words a state of this pattern takes.
    pub(crate) fn words(self) -> usize {
        (self.len() + 1).div_ceil(64)
    }

    /// Like [`start`](Self::start), into `to` ([`words`](Self::words) long), for states
    /// packed side by side.
    pub(crate) fn start_words(self, to: &mut [u64]) {
        to.fill(0);
        self.set_closed_words(to, 0);
    }

    /// Like [`step`](Self::step), from and into packed words. `to` must be all zeros (the
    /// caller clears the states of every pattern at once: one clear per step, not one per
    /// pattern).
    pub(crate) fn step_words(self, from: &[u64], c: char, to: &mut [u64]) {
        debug_assert!(to.iter().all(|&w| w == 0));
        for (k, &word) in from.iter().enumerate() {
            let mut w = word;
            while w != 0 {
                let i = k * 64 + w.trailing_zeros() as usize;
                w &= w - 1;
                match self.get(i) {
                    Some(Tok::Star) => self.set_closed_words(to, i),
                    Some(Tok::One) => self.set_closed_words(to, i + 1),
                    Some(Tok::Lit(l)) if l == c => self.set_closed_words(to, i + 1),
                    _ => {}
                }
            }
        }
    }

    /// Like [`accepts`](Self::accepts), of packed words.
    pub(crate) fn accepts_words(self, b: &[u64]) -> bool {
        let n = self.len();
        b.get(n / 64).is_some_and(|w| w & (1 << (n % 64)) != 0)
    }

    fn set_closed_words(self, b: &mut [u64], i: usize) {
        let mut set = |i: usize| {
            if let Some(w) = b.get_mut(i / 64) {
                *w |= 1 << (i % 64);
            }
        };
        set(i);
        if self.get(i) == Some(Tok::Star) {
            set(i + 1);
        }
    }

    /// Adds every state reachable from `from` by reading any string (including the empty
    /// one) to `out`. `None` when that takes more than the budget or [`MAX_SUBSETS`] states.
    fn reachable(
        self,
        from: &Bits,
        alphabet: &[char],
        out: &mut Vec<Bits>,
        budget: &mut usize,
    ) -> Option<()> {
        let words = (self.len() + 1).div_ceil(64);
        let mut stack = vec![from.clone()];
        let mut seen: HashSet<Bits> = HashSet::new();
        seen.insert(from.clone());
        while let Some(s) = stack.pop() {
            charge(budget, alphabet.len() * words)?;
            for &c in alphabet {
                let n = self.step(&s, c);
                if !seen.contains(&n) {
                    if seen.len() >= MAX_SUBSETS {
                        return None;
                    }
                    seen.insert(n.clone());
                    stack.push(n);
                }
            }
        }
        out.extend(seen);
        Some(())
    }
}

/// At most this much work (state steps times words) for one exact template match.
pub const MAX_TEMPLATE_WORK: usize = 200_000;
/// At most this many automaton states for one unknown part.
const MAX_SUBSETS: usize = 1_024;
/// At most this many position pairs in the cheaper "can it match at all" search.
const MAX_PAIRS: usize = 4_000_000;

/// Wildcard matching of a pattern (`np` tokens, by index) against a string (`ns`
/// characters, by index), greedy with one backtrack point (the last `*`): exact for `*` and
/// `?`, linear in practice, and it allocates nothing.
fn greedy(np: usize, pat: impl Fn(usize) -> Tok, ns: usize, sub: impl Fn(usize) -> char) -> bool {
    let (mut pi, mut si) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while si < ns {
        let tok = (pi < np).then(|| pat(pi));
        match tok {
            Some(Tok::One) => {
                pi += 1;
                si += 1;
            }
            Some(Tok::Lit(c)) if c == sub(si) => {
                pi += 1;
                si += 1;
            }
            Some(Tok::Star) => {
                star = Some((pi, si));
                pi += 1;
            }
            _ => match star {
                Some((sp, ss)) => {
                    pi = sp + 1;
                    si = ss + 1;
                    star = Some((sp, ss + 1));
                }
                None => return false,
            },
        }
    }
    while pi < np && pat(pi) == Tok::Star {
        pi += 1;
    }
    pi == np
}

/// Takes `cost` from the budget; `None` when it runs out.
fn charge(budget: &mut usize, cost: usize) -> Option<()> {
    count_work(cost as u64);
    *budget = budget.checked_sub(cost)?;
    Some(())
}

thread_local! {
    static WORK: std::cell::Cell<u64> = const { std::cell::Cell::new(0) };
}

/// Adds `n` to this thread's [`pattern_work`].
pub(crate) fn count_work(n: u64) {
    WORK.with(|w| w.set(w.get().saturating_add(n)));
}

/// Work done by template matching on this thread so far (automaton state steps, weighted
/// by size; a step for each resource pattern a statement's evaluation matches, and the
/// length of each pattern resolved from policy variables): a deterministic measure for
/// tests that bound the cost of hostile patterns.
#[doc(hidden)]
pub fn pattern_work() -> u64 {
    WORK.with(std::cell::Cell::get)
}

impl Tok {
    fn text_char(self) -> char {
        match self {
            Self::Lit(c) => c,
            Self::Star => '*',
            Self::One => '?',
        }
    }
}

impl fmt::Display for GlobRef<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for t in self.tokens() {
            match t {
                Tok::Lit(c) => write!(f, "{c}")?,
                Tok::Star => write!(f, "*")?,
                Tok::One => write!(f, "?")?,
            }
        }
        Ok(())
    }
}

impl fmt::Debug for GlobRef<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Glob({:?})", self.to_string())
    }
}

impl fmt::Display for Glob {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.view().fmt(f)
    }
}

impl fmt::Debug for Glob {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&self.view(), f)
    }
}

/// A character that is not in `used` (sorted): it stands for "any character the patterns do
/// not name" in an unknown part. Derived from the patterns, so no pattern can contain it,
/// whatever characters the policy holds.
/// `None` only when `used` holds every character: then there is no other character to stand
/// for.
/// The distinct characters of `chars`, in order, then one character none of them is (see
/// [`fresh_char`]): the alphabet of a search over patterns. Marked, not collected one per
/// character: patterns of megabytes name a handful.
pub(crate) fn alphabet(chars: impl IntoIterator<Item = char>) -> Vec<char> {
    let mut ascii = [false; 128];
    let mut other = std::collections::BTreeSet::new();
    for c in chars {
        match ascii.get_mut(c as usize) {
            Some(seen) => *seen = true,
            None => {
                other.insert(c);
            }
        }
    }
    let mut out: Vec<char> = (0u8..128)
        .filter(|&b| ascii[usize::from(b)])
        .map(char::from)
        .chain(other)
        .collect();
    out.extend(fresh_char(&out));
    out
}

pub(crate) fn fresh_char(used: &[char]) -> Option<char> {
    // From the top of the private-use planes down: characters policies rarely hold, so the
    // first try almost always succeeds.
    (0..=0x0010_FFFD_u32)
        .rev()
        .filter_map(char::from_u32)
        .find(|c| used.binary_search(c).is_err())
}

fn fold(c: char, fold_case: bool) -> char {
    if fold_case { c.to_ascii_lowercase() } else { c }
}

/// A value to be matched, in which some parts may be unknown.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Template {
    /// Characters and unknown parts, in order.
    pub pieces: Vec<Piece>,
}

impl Piece {
    /// The character of a known piece (`{` for an unknown one, which callers never ask).
    fn text_char(&self) -> char {
        match self {
            Self::Lit(c) => *c,
            Self::Hole(_) => '{',
        }
    }
}

/// A piece of a [`Template`].
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Piece {
    /// A known character.
    Lit(char),
    /// An unknown part, by name (`account`, `role`, ...).
    Hole(String),
}

impl Template {
    /// Parses `arn:aws:iam::{account}:role/{role}`: `{name}` is an unknown part.
    /// A `{` without a closing `}` is literal.
    pub fn parse(text: &str) -> Self {
        let mut pieces = Vec::new();
        let mut rest = text;
        while let Some(open) = rest.find('{') {
            pieces.extend(rest[..open].chars().map(Piece::Lit));
            let after = &rest[open + 1..];
            if let Some(close) = after.find('}') {
                pieces.push(Piece::Hole(after[..close].to_owned()));
                rest = &after[close + 1..];
            } else {
                pieces.push(Piece::Lit('{'));
                rest = after;
            }
        }
        pieces.extend(rest.chars().map(Piece::Lit));
        Self { pieces }
    }

    /// A fully known value.
    pub fn literal(text: &str) -> Self {
        Self {
            pieces: text.chars().map(Piece::Lit).collect(),
        }
    }

    /// The same template with letters lowered (for case-insensitive matching).
    #[must_use]
    pub fn folded(&self) -> Self {
        Self {
            pieces: self
                .pieces
                .iter()
                .map(|p| match p {
                    Piece::Lit(c) => Piece::Lit(c.to_ascii_lowercase()),
                    h @ Piece::Hole(_) => h.clone(),
                })
                .collect(),
        }
    }

    /// The names of the unknown parts, in order, without repeats.
    pub fn holes(&self) -> Vec<&str> {
        let mut out: Vec<&str> = Vec::new();
        for p in &self.pieces {
            if let Piece::Hole(h) = p
                && !out.contains(&h.as_str())
            {
                out.push(h);
            }
        }
        out
    }

    /// True when nothing is unknown.
    pub fn is_known(&self) -> bool {
        self.pieces.iter().all(|p| matches!(p, Piece::Lit(_)))
    }

    /// Splits at the first `n - 1` known colons into at most `n` parts.
    pub fn split_colons(&self, n: usize) -> Vec<Self> {
        let mut parts = vec![Self { pieces: Vec::new() }];
        for p in &self.pieces {
            if *p == Piece::Lit(':') && parts.len() < n {
                parts.push(Self { pieces: Vec::new() });
            } else if let Some(last) = parts.last_mut() {
                last.pieces.push(p.clone());
            }
        }
        parts
    }
}

/// The template as an automaton over positions: position `i` is "before piece `i`"; a hole
/// reads any run of characters.
impl Template {
    /// The start state.
    pub(crate) fn start(&self) -> Bits {
        let mut b = Bits::new(self.pieces.len() + 1);
        b.set(0);
        self.close(&mut b);
        b
    }

    /// Adds the positions past each unknown part whose start is live (a run of unknown
    /// parts in turn): the live positions are visited in order, each one set here being
    /// visited after the one that set it.
    fn close(&self, b: &mut Bits) {
        let mut k = 0;
        while let Some(&word) = b.0.get(k) {
            let mut w = word;
            while w != 0 {
                let i = k * 64 + w.trailing_zeros() as usize;
                w &= w - 1;
                if matches!(self.pieces.get(i), Some(Piece::Hole(_))) {
                    b.set(i + 1);
                    if (i + 1) / 64 == k {
                        w |= 1 << ((i + 1) % 64);
                    }
                }
            }
            k += 1;
        }
    }

    /// The state after reading `c` in state `from` (only its live positions looked at).
    pub(crate) fn step(&self, from: &Bits, c: char) -> Bits {
        let mut to = Bits::new(self.pieces.len() + 1);
        for i in from.ones() {
            match self.pieces.get(i) {
                Some(Piece::Lit(l)) if *l == c => to.set(i + 1),
                Some(Piece::Hole(_)) => to.set(i),
                _ => {}
            }
        }
        self.close(&mut to);
        to
    }

    /// True when state `b` has read a whole string of the template.
    pub(crate) fn accepts(&self, b: &Bits) -> bool {
        b.get(self.pieces.len())
    }
}

impl fmt::Display for Template {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for p in &self.pieces {
            match p {
                Piece::Lit(c) => write!(f, "{c}")?,
                Piece::Hole(h) => write!(f, "{{{h}}}")?,
            }
        }
        Ok(())
    }
}

/// A pattern for an ARN: wildcards may not cross the five colons that separate
/// `arn`, partition, service, region, account and resource, unless the pattern itself has
/// fewer parts (such as `*`), in which case it is matched as a whole.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ArnGlob {
    whole: Glob,
    /// Where the first five literal colons are, by token, when there are five: the six
    /// parts are the runs between them (not stored twice).
    colons: Option<[u32; 5]>,
}

/// An ARN pattern, borrowed: from an [`ArnGlob`], or a view of a pattern's text.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ArnGlobRef<'a> {
    whole: GlobRef<'a>,
    colons: Option<[u32; 5]>,
}

/// Where the first five literal colons of `g` are, if it has five.
fn colons_of(g: GlobRef<'_>) -> Option<[u32; 5]> {
    let mut colons = [0u32; 5];
    let mut found = 0;
    // A narrow pattern's tokens are its bytes, and a colon byte is a literal colon (folded
    // or not): look for the bytes, not the tokens.
    if let Repr::Narrow(b) | Repr::Folded(b) = g.0 {
        for (i, _) in b.iter().enumerate().filter(|(_, c)| **c == b':').take(5) {
            colons[found] = u32::try_from(i).unwrap_or(u32::MAX);
            found += 1;
        }
        return (found == 5).then_some(colons);
    }
    for (i, t) in g.tokens().enumerate() {
        if found == 5 {
            break;
        }
        if t == Tok::Lit(':') {
            // Patterns are far below 4 GiB (the input limit).
            colons[found] = u32::try_from(i).unwrap_or(u32::MAX);
            found += 1;
        }
    }
    (found == 5).then_some(colons)
}

impl ArnGlob {
    /// Compiles an ARN pattern (case-sensitive).
    #[cfg(test)]
    pub fn new(text: &str) -> Self {
        Self::from_glob(Glob::new(text, false))
    }

    /// From a compiled pattern.
    pub fn from_glob(whole: Glob) -> Self {
        let colons = colons_of(whole.view());
        Self { whole, colons }
    }

    /// The pattern as a whole, given back.
    pub fn into_glob(self) -> Glob {
        self.whole
    }

    /// The pattern, borrowed.
    pub fn view(&self) -> ArnGlobRef<'_> {
        ArnGlobRef {
            whole: self.whole.view(),
            colons: self.colons,
        }
    }

    /// See [`ArnGlobRef::matches`] (the engine matches through views; tests compare both).
    #[cfg(test)]
    pub fn matches(&self, value: &str) -> bool {
        self.view().matches(value)
    }

    /// See [`ArnGlobRef::match_template`].
    pub fn match_template(&self, value: &Template) -> Tri {
        self.view().match_template(value)
    }
}

impl<'a> ArnGlobRef<'a> {
    /// `text` itself as an ARN pattern, with no copy (see [`GlobRef::of_text`]).
    pub fn of_text(text: &'a str) -> Option<Self> {
        let whole = GlobRef::of_text(text, false)?;
        Some(Self {
            whole,
            colons: colons_of(whole),
        })
    }

    /// The unknown parts of `value` that the match depends on: the holes of the ARN parts
    /// that match only sometimes (all holes when the pattern is matched as a whole).
    pub fn open_holes(self, value: &Template) -> Vec<&str> {
        let Some(parts) = self.parts() else {
            return value.holes();
        };
        let Some(cuts) = arn_cuts(value) else {
            return Vec::new();
        };
        let mut out: Vec<&str> = Vec::new();
        for (k, g) in parts.iter().enumerate() {
            let piece = &value.pieces[cuts[k]..cuts[k + 1] - 1];
            if g.match_pieces(piece) == Tri::Sometimes {
                for h in piece {
                    if let Piece::Hole(name) = h
                        && !out.contains(&name.as_str())
                    {
                        out.push(name);
                    }
                }
            }
        }
        out
    }

    /// [`match_template`](Self::match_template) and, when that is "sometimes", the
    /// [`open_holes`](Self::open_holes) it rests on, each part matched once for both.
    pub fn match_template_open(self, value: &Template) -> (Tri, Vec<&str>) {
        let Some(parts) = self.parts() else {
            let t = self.whole.match_template(value);
            let open = if t == Tri::Sometimes {
                value.holes()
            } else {
                Vec::new()
            };
            return (t, open);
        };
        let Some(cuts) = arn_cuts(value) else {
            return (Tri::Never, Vec::new());
        };
        let mut out = Tri::Always;
        let mut sometimes = [false; 6];
        for (k, g) in parts.iter().enumerate() {
            let t = g.match_pieces(&value.pieces[cuts[k]..cuts[k + 1] - 1]);
            sometimes[k] = t == Tri::Sometimes;
            out = out.and(t);
            if out == Tri::Never {
                return (Tri::Never, Vec::new());
            }
        }
        let mut open: Vec<&str> = Vec::new();
        if out == Tri::Sometimes {
            for k in (0..6).filter(|&k| sometimes[k]) {
                for h in &value.pieces[cuts[k]..cuts[k + 1] - 1] {
                    if let Piece::Hole(name) = h
                        && !open.contains(&name.as_str())
                    {
                        open.push(name);
                    }
                }
            }
        }
        (out, open)
    }

    /// The six part patterns, when the pattern is matched part by part.
    pub fn parts(self) -> Option<[GlobRef<'a>; 6]> {
        let colons = self.colons?;
        let whole = self.whole;
        let at = |k: usize| colons[k] as usize;
        Some([
            whole.slice(0..at(0)),
            whole.slice(at(0) + 1..at(1)),
            whole.slice(at(1) + 1..at(2)),
            whole.slice(at(2) + 1..at(3)),
            whole.slice(at(3) + 1..at(4)),
            whole.slice(at(4) + 1..whole.len()),
        ])
    }

    /// The pattern as a whole.
    pub fn glob(self) -> GlobRef<'a> {
        self.whole
    }

    /// Matches a known ARN (the same answer as [`match_template`](Self::match_template) on
    /// its literal template, without building one).
    pub fn matches(self, value: &str) -> bool {
        let Some(parts) = self.parts() else {
            return self.whole.matches(value);
        };
        let mut value_parts = value.splitn(6, ':');
        parts
            .iter()
            .all(|g| value_parts.next().is_some_and(|v| g.matches(v)))
    }

    /// Matches a template: part by part (the long resource part last), stopping at the first
    /// part that can never match (the conjunction is the same in any order).
    pub fn match_template(self, value: &Template) -> Tri {
        let Some(parts) = self.parts() else {
            return self.whole.match_template(value);
        };
        // Fewer than five known colons, and the value is not an ARN (e.g. "*" for actions
        // without resource-level permissions): an ARN-shaped pattern cannot match it.
        let Some(cuts) = arn_cuts(value) else {
            return Tri::Never;
        };
        let mut out = Tri::Always;
        for (k, g) in parts.iter().enumerate() {
            let piece = &value.pieces[cuts[k]..cuts[k + 1] - 1];
            out = out.and(g.match_pieces(piece));
            if out == Tri::Never {
                return Tri::Never;
            }
        }
        out
    }
}

/// Tells which ARN patterns can never match one value from how they start, whatever
/// follows: a pattern's text up to its fifth colon (before anything that may vary, such as
/// a policy variable) fixes its first five parts. Remembers the value's parts and the last
/// start asked (the patterns of a statement nearly always share it).
pub struct ArnHeads<'v, 'h> {
    value: &'v Template,
    /// The value's ARN parts, once asked (`None` inside: fewer than five colons).
    cuts: std::cell::OnceCell<Option<[usize; 7]>>,
    last: Option<(&'h str, bool)>,
    /// How the first five parts of the last few compiled patterns' starts matched (see
    /// [`match_compiled`](Self::match_compiled)), the oldest replaced first.
    starts: [Option<(GlobRef<'h>, Tri)>; STARTS],
    next_start: usize,
}

/// How many starts of compiled patterns [`ArnHeads`] remembers: a policy's patterns start
/// in few ways (`arn:aws:ec2:*:*`, `arn:aws:iam::*`), taken in turn statement by statement.
const STARTS: usize = 8;

impl<'v, 'h> ArnHeads<'v, 'h> {
    /// For patterns matched against `value`.
    pub fn new(value: &'v Template) -> Self {
        Self {
            value,
            cuts: std::cell::OnceCell::new(),
            last: None,
            starts: [None; STARTS],
            next_start: 0,
        }
    }

    /// The value the patterns are matched against.
    pub fn value(&self) -> &'v Template {
        self.value
    }

    /// How the compiled pattern `g` matches the value: `ArnGlobRef::match_template`, with
    /// the answer of its first five parts remembered by how it writes them (the same
    /// start, the same answer), so that a pattern whose start was seen has only its last
    /// part matched.
    pub fn match_compiled(&mut self, g: ArnGlobRef<'h>) -> Tri {
        let (Some(parts), Some(colons)) = (g.parts(), g.colons) else {
            return g.match_template(self.value);
        };
        let value = self.value;
        let Some(cuts) = *self.cuts.get_or_init(|| arn_cuts(value)) else {
            return Tri::Never;
        };
        let piece = |k: usize| &value.pieces[cuts[k]..cuts[k + 1] - 1];
        let head = g.whole.slice(0..colons[4] as usize);
        let known = self.starts.iter().flatten().find(|(h, _)| *h == head);
        let first = if let Some(&(_, t)) = known {
            t
        } else {
            let mut t = Tri::Always;
            for (k, part) in parts.iter().enumerate().take(5) {
                t = t.and(part.match_pieces(piece(k)));
                if t == Tri::Never {
                    break;
                }
            }
            self.starts[self.next_start] = Some((head, t));
            self.next_start = (self.next_start + 1) % STARTS;
            t
        };
        if first == Tri::Never {
            return Tri::Never;
        }
        first.and(parts[5].match_pieces(piece(5)))
    }

    /// True when no ARN pattern that starts with `head` can match the value: `head` holds
    /// five colons (which then cut the pattern's parts, whatever follows) and one of the
    /// five parts they close cannot match the value's, or the value has no five colons.
    /// False whenever that is not known (fewer than five colons in `head`).
    pub fn never(&mut self, head: &'h str) -> bool {
        // Where the fifth colon is (a byte loop: the starts are short, and a search per
        // colon cost more than the rest of this together).
        let mut colons = 0;
        let Some(fifth) = head.bytes().position(|b| {
            colons += usize::from(b == b':');
            colons == 5
        }) else {
            return false;
        };
        let key = &head[..fifth];
        if let Some((last, answer)) = self.last
            && last == key
        {
            return answer;
        }
        let value = self.value;
        let answer = match *self.cuts.get_or_init(|| arn_cuts(value)) {
            None => true,
            Some(cuts) => key.split(':').enumerate().any(|(k, text)| {
                let piece = &value.pieces[cuts[k]..cuts[k + 1] - 1];
                let never = |g: GlobRef<'_>| g.match_pieces(piece) == Tri::Never;
                GlobRef::of_text(text, false)
                    .map_or_else(|| never(Glob::new(text, false).view()), never)
            }),
        };
        self.last = Some((key, answer));
        answer
    }
}

/// Where a template's six ARN parts start: part `k` is pieces `cuts[k]..cuts[k + 1] - 1`
/// (the first five known colons cut it). `None` with fewer than five.
fn arn_cuts(value: &Template) -> Option<[usize; 7]> {
    let mut cuts = [0usize; 7];
    let mut found = 0;
    for (i, p) in value.pieces.iter().enumerate() {
        if found < 5 && *p == Piece::Lit(':') {
            found += 1;
            cuts[found] = i + 1;
            if found == 5 {
                break;
            }
        }
    }
    if found < 5 {
        return None;
    }
    cuts[6] = value.pieces.len() + 1;
    Some(cuts)
}

/// The positions of the set bits of `words` (bit `i % 64` of word `i / 64`), in order.
pub(crate) fn set_bits(words: &[u64]) -> impl Iterator<Item = usize> + '_ {
    words.iter().enumerate().flat_map(|(k, &w)| {
        let mut w = w;
        std::iter::from_fn(move || {
            (w != 0).then(|| {
                let b = w.trailing_zeros() as usize;
                w &= w - 1;
                k * 64 + b
            })
        })
    })
}

/// A fixed-size bit set used as an automaton state.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub(crate) struct Bits(Vec<u64>);

impl Bits {
    fn new(n: usize) -> Self {
        Self(vec![0; n.div_ceil(64)])
    }
    fn set(&mut self, i: usize) {
        self.0[i / 64] |= 1 << (i % 64);
    }
    fn get(&self, i: usize) -> bool {
        self.0[i / 64] & (1 << (i % 64)) != 0
    }
    fn clear(&mut self) {
        self.0.iter_mut().for_each(|w| *w = 0);
    }

    /// The set positions, in order.
    fn ones(&self) -> impl Iterator<Item = usize> + '_ {
        set_bits(&self.0)
    }

    /// True when no position is live (the automaton is stuck).
    pub(crate) fn is_empty(&self) -> bool {
        self.0.iter().all(|w| *w == 0)
    }
}

/// Numbers for tests, the same on every run: each call `next(n)` gives one below `n`.
#[cfg(test)]
pub(crate) fn test_numbers(mut seed: u64) -> impl FnMut(usize) -> usize {
    move |n| {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        usize::try_from(seed % n as u64).unwrap_or(0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A template's step over its live positions is the step over every position: on
    /// every template of up to six pieces of two letters and unknown parts (runs of unknown
    /// parts across a word's end included), from every state reached.
    #[test]
    fn a_template_steps_as_over_every_position() {
        fn naive_step(t: &Template, from: &Bits, c: char) -> Bits {
            let n = t.pieces.len();
            let mut to = Bits::new(n + 1);
            for (i, p) in t.pieces.iter().enumerate() {
                match p {
                    _ if !from.get(i) => {}
                    Piece::Lit(l) if *l == c => to.set(i + 1),
                    Piece::Lit(_) => {}
                    Piece::Hole(_) => to.set(i),
                }
            }
            for (i, p) in t.pieces.iter().enumerate() {
                if to.get(i) && matches!(p, Piece::Hole(_)) {
                    to.set(i + 1);
                }
            }
            to
        }
        let mut texts = vec![String::new()];
        let mut templates = Vec::new();
        for _ in 0..6 {
            let mut longer = Vec::new();
            for t in &texts {
                for p in ["a", "b", "{h}"] {
                    longer.push(format!("{t}{p}"));
                }
            }
            templates.extend(longer.iter().cloned());
            texts = longer;
        }
        // Across the end of a word: 62 letters, then unknown parts.
        templates.push(format!("{}{{h}}{{g}}{{f}}a", "a".repeat(62)));
        let mut steps = 0;
        for text in &templates {
            let t = Template::parse(text);
            let mut seen = vec![t.start()];
            let mut at = 0;
            while at < seen.len() {
                for c in ['a', 'b', 'x'] {
                    let next = t.step(&seen[at], c);
                    assert_eq!(next, naive_step(&t, &seen[at], c), "{text} {c}");
                    steps += 1;
                    if !seen.contains(&next) {
                        seen.push(next);
                    }
                }
                at += 1;
            }
        }
        assert!(steps > 5_000, "{steps}");
    }

    /// A compiled pattern matched through [`ArnHeads`] (its start's answer remembered)
    /// answers as it does alone, whatever was matched through the same heads before: runs
    /// of patterns that share starts, differ in any one part, or in their start.
    #[test]
    fn patterns_matched_through_remembered_starts_answer_alone() {
        let mut next = test_numbers(0x2545_f491_4f6c_dd1d);
        // Mostly parts that match often, so that starts seldom decide alone.
        let parts = ["*", "*", "a*", "?*", "*b", "a", "b", "", "a?"];
        // Unknown parts in most places, so that few starts rule a pattern out alone.
        let templates = [
            "{p}:{q}:{h}:{r}:{s}:{g}",
            "a:{q}:{h}:b:{s}:x{g}",
            "{p}:b:{h}:{r}:a:b",
            "{p}:{q}:a{h}:{r}::{g}:b",
            "a:b:a:b:a:{g}",
        ];
        let (mut asked, mut remembered) = (0, 0);
        let mut answers = std::collections::HashMap::new();
        for text in templates {
            let t = Template::parse(text);
            let mut heads = ArnHeads::new(&t);
            // Six starts taken again and again (as a policy's are), each one part away from
            // one made at random, and now and then another.
            let start = |next: &mut dyn FnMut(usize) -> usize| -> Vec<&str> {
                (0..5).map(|_| parts[next(parts.len())]).collect()
            };
            let base = start(&mut next);
            let usual: Vec<String> = (0..6)
                .map(|i| {
                    let mut one_away = base.clone();
                    one_away[i % 5] = parts[next(parts.len())];
                    one_away.join(":")
                })
                .collect();
            let patterns: Vec<String> = (0..3_000)
                .map(|_| {
                    let head = if next(5) == 0 {
                        start(&mut next).join(":")
                    } else {
                        usual[next(6)].clone()
                    };
                    format!("{head}:{}", parts[next(parts.len())])
                })
                .collect();
            let compiled: Vec<ArnGlob> = patterns.iter().map(|p| ArnGlob::new(p)).collect();
            let mut starts = std::collections::HashSet::new();
            for (p, g) in patterns.iter().zip(&compiled) {
                let alone = g.match_template(&t);
                assert_eq!(heads.match_compiled(g.view()), alone, "{p} vs {text}");
                asked += 1;
                *answers.entry(alone).or_insert(0) += 1;
                let start: Vec<&str> = p.split(':').take(5).collect();
                remembered += usize::from(!starts.insert(start));
            }
        }
        assert!(
            remembered > asked / 2,
            "{remembered} of {asked} starts seen before"
        );
        // Every answer comes up (a pattern always matches only with stars where unknown).
        assert!(answers.values().all(|&n| n >= 10), "{answers:?}");
        assert_eq!(answers.len(), 3, "{answers:?}");
    }

    #[test]
    fn narrow_patterns_compare_in_token_order() {
        // Every pattern of up to three tokens over a letter, both wildcards and a colon
        // (longer than eight, too, for the word-at-a-time prefix): the fast comparison of
        // two narrow patterns is the token order.
        let alphabet = ['a', '*', '?', ':'];
        let mut texts: Vec<String> = vec![String::new()];
        for len in 1..=3 {
            let mut next = Vec::new();
            for t in texts.iter().filter(|t| t.len() == len - 1) {
                for c in alphabet {
                    next.push(format!("{t}{c}"));
                }
            }
            texts.extend(next);
        }
        let long: Vec<String> = texts.iter().map(|t| format!("arn:aws:x:{t}")).collect();
        texts.extend(long);
        for a in &texts {
            for b in &texts {
                let (ga, gb) = (Glob::new(a, false), Glob::new(b, false));
                assert_eq!(
                    ga.view().cmp(&gb.view()),
                    ga.tokens().cmp(gb.tokens()),
                    "{a} vs {b}"
                );
            }
        }
        // Every form against every other: narrow, a run of a wide pattern, folded (read
        // from upper-case text), and literal (wide when it holds `*` or `?`).
        let short: Vec<&String> = texts
            .iter()
            .filter(|t| t.len() <= 3 && !t.contains("**"))
            .collect();
        let wide: Vec<Glob> = short
            .iter()
            .map(|t| Glob::new(&format!("é{t}"), false))
            .collect();
        let literal: Vec<Glob> = short.iter().map(|t| Glob::literal(t, false)).collect();
        let upper: Vec<String> = short.iter().map(|t| t.to_ascii_uppercase()).collect();
        let mut forms: Vec<GlobRef<'_>> = Vec::new();
        for (i, t) in short.iter().enumerate() {
            forms.push(GlobRef::of_text(t, false).unwrap());
            forms.push(wide[i].view().slice(1..wide[i].len()));
            forms.push(literal[i].view());
            forms.push(GlobRef::of_text(&upper[i], true).unwrap());
        }
        assert!(forms.iter().any(|g| matches!(g.0, Repr::Folded(_))));
        assert!(forms.iter().any(|g| matches!(g.0, Repr::Wide(_))));
        for a in &forms {
            for b in &forms {
                assert_eq!(a.cmp(b), a.tokens().cmp(b.tokens()), "{a} vs {b}");
                assert_eq!(a == b, a.tokens().eq(b.tokens()), "{a} vs {b}");
            }
        }
    }

    fn m(p: &str, v: &str) -> Tri {
        Glob::new(p, false).match_template(&Template::parse(v))
    }

    #[test]
    fn arn_matches_agrees_with_the_literal_template() {
        let patterns = [
            "arn:aws:iam::*:role/app-*",
            "arn:aws:iam::111122223333:role/*",
            "arn:aws:*:*:*:*",
            "*",
            "arn:aws:iam::111122223333:role/a?p",
            "arn:aws:iam::111122223333:role/app",
            "arn:*:iam::*:role/aws-service-role/*",
        ];
        let values = [
            "arn:aws:iam::111122223333:role/app-1",
            "arn:aws:iam::111122223333:role/app",
            "arn:aws:iam::111122223333:role/aws-service-role/autoscaling.amazonaws.com/x",
            "arn:aws:iam::111122223333:role/a:p",
            "arn:aws-cn:iam::1:role/app-x",
            "not-an-arn",
            "",
        ];
        for p in patterns {
            let g = ArnGlob::new(p);
            for v in values {
                assert_eq!(
                    g.matches(v),
                    g.match_template(&Template::literal(v)) == Tri::Always,
                    "{p} ~ {v}"
                );
            }
        }
    }

    #[test]
    fn concrete_matching() {
        assert!(Glob::new("ec2:describe*", true).matches("ec2:describeimages"));
        assert!(Glob::new("a?c", false).matches("abc"));
        assert!(!Glob::new("a?c", false).matches("ac"));
        assert!(Glob::new("*", false).matches(""));
        assert!(!Glob::new("abc", false).matches("ABC"));
        assert!(Glob::new("a*b*c", false).matches("aXbYbZc"));
    }

    #[test]
    fn templates_three_valued() {
        assert_eq!(
            m(
                "arn:aws:iam::*:role/*",
                "arn:aws:iam::{account}:role/{role}"
            ),
            Tri::Always
        );
        assert_eq!(
            m(
                "arn:aws:iam::*:role/ci-*",
                "arn:aws:iam::{account}:role/{role}"
            ),
            Tri::Sometimes
        );
        // A plain glob lets an unknown part hold colons; ARN matching keeps parts apart.
        assert_eq!(
            m(
                "arn:aws:iam::*:user/*",
                "arn:aws:iam::{account}:role/{role}"
            ),
            Tri::Sometimes
        );
        assert_eq!(
            ArnGlob::new("arn:aws:iam::*:user/*")
                .match_template(&Template::parse("arn:aws:iam::{account}:role/{role}")),
            Tri::Never
        );
        assert_eq!(m("a?", "a{x}"), Tri::Sometimes);
        assert_eq!(m("a*", "a{x}"), Tri::Always);
        assert_eq!(m("*b", "{x}b"), Tri::Always);
        assert_eq!(m("*b", "b{x}"), Tri::Sometimes);
        assert_eq!(m("ab", "a{x}b"), Tri::Sometimes);
        assert_eq!(m("ac", "a{x}b"), Tri::Never);
    }

    #[test]
    fn arn_parts_do_not_cross_colons() {
        let g = ArnGlob::new("arn:aws:iam::*:role/x");
        assert_eq!(
            g.match_template(&Template::literal("arn:aws:iam::1:2:role/x")),
            Tri::Never
        );
        assert_eq!(
            g.match_template(&Template::literal("arn:aws:iam::1:role/x")),
            Tri::Always
        );
        // A resource part may contain colons; a trailing * covers them.
        let g = ArnGlob::new("arn:aws:autoscaling:*:*:autoScalingGroup:*");
        assert_eq!(
            g.match_template(&Template::literal(
                "arn:aws:autoscaling:us-east-1:1:autoScalingGroup:u:autoScalingGroupName/a"
            )),
            Tri::Always
        );
        assert_eq!(
            ArnGlob::new("*").match_template(&Template::literal("*")),
            Tri::Always
        );
        assert_eq!(
            ArnGlob::new("arn:aws:s3:::b").match_template(&Template::literal("*")),
            Tri::Never
        );
    }

    #[test]
    fn fast_path_agrees_with_the_automaton() {
        let patterns = [
            "*", "a*", "*a", "a?c", "a*b*c", "*ab*", "??", "", "a**b", "*?*",
        ];
        let values = ["", "a", "ab", "abc", "aXbYbZc", "ba", "abab", "zz", "acb"];
        for p in patterns {
            let g = Glob::new(p, false);
            for v in values {
                let slow = g.match_template(&Template::literal(v)) == Tri::Always;
                assert_eq!(g.matches(v), slow, "{p} vs {v}");
            }
        }
    }

    #[test]
    fn open_holes_name_only_the_undecided_parts() {
        let t = Template::parse("arn:aws:iam::{account}:role/{role}");
        assert_eq!(
            ArnGlob::new("arn:aws:iam::*:role/app-*")
                .view()
                .open_holes(&t),
            vec!["role"]
        );
        assert_eq!(
            ArnGlob::new("arn:aws:iam::1:role/*").view().open_holes(&t),
            vec!["account"]
        );
        assert_eq!(
            ArnGlob::new("arn:aws:iam::1:role/a*").view().open_holes(&t),
            vec!["account", "role"]
        );
    }

    #[test]
    fn tri_logic() {
        assert_eq!(Tri::Always.and(Tri::Sometimes), Tri::Sometimes);
        assert_eq!(Tri::Never.or(Tri::Sometimes), Tri::Sometimes);
        assert_eq!(Tri::Sometimes.negate(), Tri::Sometimes);
        assert_eq!(Tri::Never.and(Tri::Sometimes), Tri::Never);
    }

    #[test]
    fn template_parse_roundtrip() {
        let t = Template::parse("arn:{p}:x:{r}");
        assert_eq!(t.holes(), vec!["p", "r"]);
        assert_eq!(t.to_string(), "arn:{p}:x:{r}");
        assert_eq!(Template::parse("a{b").to_string(), "a{b");
    }

    /// Every string over `alphabet` of at most `len` characters.
    fn strings(alphabet: &[char], len: usize) -> Vec<String> {
        let mut out = vec![String::new()];
        let mut last = vec![String::new()];
        for _ in 0..len {
            let next: Vec<String> = last
                .iter()
                .flat_map(|s| {
                    alphabet.iter().map(move |c| {
                        let mut t = s.clone();
                        t.push(*c);
                        t
                    })
                })
                .collect();
            out.extend(next.iter().cloned());
            last = next;
        }
        out
    }

    proptest::proptest! {
        /// The matcher's fast paths (known values, stars only, holes only, literal patterns,
        /// ARN parts in order with an early stop) agree with brute force: fillings of the
        /// holes are tried, and "always" may not have a failing one, "never" a matching one,
        /// and a filling that matches beside one that fails means "sometimes".
        #[test]
        fn template_matching_agrees_with_fillings(
            pattern in "[ab:*?]{0,6}",
            template in "([ab:]|\\{h\\}){0,5}",
        ) {
            let t = Template::parse(&template);
            // Every hole gets the same filling: each one is a value of the template. An
            // unknown part of an ARN holds no colon (the engine's ARN templates have their
            // five colons written out), so for ARN matching fillings have none.
            let concrete = |alphabet: &[char]| -> Vec<String> {
                if t.is_known() {
                    vec![template.clone()]
                } else {
                    strings(alphabet, 3).iter().map(|f| template.replace("{h}", f)).collect()
                }
            };
            let glob = Glob::new(&pattern, false);
            let arn = ArnGlob::new(&pattern);
            for (got, concrete, matches) in [
                (glob.match_template(&t), concrete(&['a', 'b', ':', 'c']), Box::new(|v: &str| glob.matches(v)) as Box<dyn Fn(&str) -> bool>),
                (arn.match_template(&t), concrete(&['a', 'b', 'c']), Box::new(|v: &str| arn.matches(v))),
            ] {
                let yes = concrete.iter().any(|v| matches(v));
                let no = concrete.iter().any(|v| !matches(v));
                match got {
                    Tri::Always => proptest::prop_assert!(!no, "{pattern} vs {template}: always, but a filling fails"),
                    Tri::Never => proptest::prop_assert!(!yes, "{pattern} vs {template}: never, but a filling matches"),
                    Tri::Sometimes => proptest::prop_assert!(!t.is_known(), "{pattern} vs {template}: a known value is decided"),
                }
                if yes && no {
                    proptest::prop_assert_eq!(got, Tri::Sometimes, "{} vs {}", pattern, template);
                }
            }
        }

        /// A start that [`ArnHeads`] calls hopeless leaves every pattern that begins with it
        /// unable to match, whatever follows (colons too, which a policy variable's value
        /// may hold), and asking again (the remembered start) or another start in between
        /// gives the same answer.
        #[test]
        fn a_hopeless_start_never_matches_whatever_follows(
            head in "([ab*?]{0,2}:){3,6}[ab*?]{0,2}",
            tails in proptest::collection::vec("[ab:*?]{0,4}", 1..4),
            other in "([ab*?]{0,2}:){4,5}[ab*?]{0,2}",
            template in "(([ab]|\\{h\\}){0,2}:){4,6}([ab]|\\{h\\}){0,2}",
        ) {
            let t = Template::parse(&template);
            let mut heads = ArnHeads::new(&t);
            let never = heads.never(&head);
            proptest::prop_assert_eq!(never, ArnHeads::new(&t).never(&head));
            proptest::prop_assert!(!never || head.matches(':').count() >= 5);
            for tail in &tails {
                let whole = format!("{head}{tail}");
                if never {
                    proptest::prop_assert_eq!(ArnGlob::new(&whole).match_template(&t), Tri::Never, "{}", whole);
                }
                let other_never = heads.never(&other);
                proptest::prop_assert_eq!(other_never, ArnHeads::new(&t).never(&other));
                proptest::prop_assert_eq!(heads.never(&head), never);
            }
        }

        /// A pattern read in place from its text (the model's compact form) answers as the
        /// compiled pattern does, folded or not, as a whole and part by part, and on any
        /// run of its tokens; and it is equal to it.
        #[test]
        fn views_agree_with_compiled_patterns(
            pattern in "[aB:*?]{0,7}",
            template in "([ab:]|\\{h\\}){0,5}",
            value in "[abAB:]{0,6}",
        ) {
            let t = Template::parse(&template);
            for fold in [false, true] {
                let compiled = Glob::new(&pattern, fold);
                let Some(view) = GlobRef::of_text(&pattern, fold) else {
                    proptest::prop_assert!(pattern.contains("**"));
                    continue;
                };
                proptest::prop_assert_eq!(view, compiled.view());
                proptest::prop_assert_eq!(view.to_string(), compiled.to_string());
                let folded = if fold { value.to_ascii_lowercase() } else { value.clone() };
                proptest::prop_assert_eq!(view.matches(&folded), compiled.matches(&folded));
                proptest::prop_assert_eq!(view.match_template(&t), compiled.match_template(&t));
                let n = view.len().min(3);
                proptest::prop_assert_eq!(
                    view.slice(n..view.len()).match_template(&t),
                    compiled.view().slice(n..view.len()).match_template(&t)
                );
            }
            // The colons of the ARN parts, found by bytes (narrow) or by tokens (wide).
            let wide = Glob::new(&format!("é{pattern}"), false);
            proptest::prop_assert_eq!(
                colons_of(wide.view().slice(1..wide.len())),
                colons_of(Glob::new(&pattern, false).view())
            );
            if let Some(arn) = ArnGlobRef::of_text(&pattern) {
                let compiled = ArnGlob::new(&pattern);
                proptest::prop_assert_eq!(arn, compiled.view());
                proptest::prop_assert_eq!(arn.matches(&value), compiled.matches(&value));
                proptest::prop_assert_eq!(arn.match_template(&t), compiled.match_template(&t));
                proptest::prop_assert_eq!(arn.open_holes(&t), compiled.view().open_holes(&t));
            }
        }
    }

    #[test]
    fn wide_and_narrow_forms_compare_by_tokens() {
        // A run of a wide pattern that holds only ASCII equals the narrow pattern.
        let wide = Glob::new("é:a*b", false);
        let narrow = Glob::new("a*b", false);
        assert_eq!(wide.view().slice(2..5), narrow.view());
        assert_eq!(Glob::literal("a*", false).to_string(), "a*");
        assert!(!Glob::literal("a*", false).matches("ab"));
        assert!(Glob::new("a*", false).matches("ab"));
        assert!(GlobRef::of_text("a**", false).is_none());
        assert!(GlobRef::of_text("*a*b*", false).is_some());
        assert!(GlobRef::of_text("*a*b**c", false).is_none());
        assert!(GlobRef::of_text("**", false).is_none());
        assert!(GlobRef::of_text("é*", false).is_none());
        // The colons of an ARN pattern, narrow, folded or wide: the first five.
        let arn = "arn:aws:*:?::x:y";
        let want = Some([3, 7, 9, 11, 12]);
        assert_eq!(colons_of(Glob::new(arn, false).view()), want);
        assert_eq!(
            colons_of(GlobRef::of_text("ARN:aws:*:?::x:y", true).unwrap()),
            want
        );
        let wide = Glob::new(&format!("é{arn}"), false);
        assert_eq!(colons_of(wide.view().slice(1..wide.len())), want);
        assert_eq!(colons_of(Glob::new("a:b:c:d", false).view()), None);
    }
}
