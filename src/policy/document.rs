//! IAM policy documents: the typed model and the parser that builds it from JSON.
//!
//! The parser is strict where AWS is strict (it rejects what IAM would reject, naming the
//! statement) and warns where AWS accepts something that is likely a mistake.

use std::collections::HashMap;
use std::fmt;
use std::fmt::Write as _;
use std::sync::Arc;

use smol_str::SmolStr;

use super::PolicyError;
use crate::policy::Context;
use crate::policy::condition::{Condition, parse_condition_block, syntax};
use crate::policy::vars::{Resolved, VarRef, parse_keys};
use crate::text::intern::Interner;
use crate::text::json::{self, Kind, Member, Reader, Span, Value};
use crate::text::pattern::{ArnGlob, ArnGlobRef, ArnHeads, Glob, GlobRef, Template, Tri, set_bits};
use crate::text::room::reserve_at_rate;
use std::sync::atomic::{AtomicU8, Ordering};

/// Allow or Deny.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize)]
pub enum Effect {
    /// The statement grants.
    Allow,
    /// The statement denies; an explicit deny wins over every allow.
    Deny,
}

impl fmt::Display for Effect {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Allow => "Allow",
            Self::Deny => "Deny",
        })
    }
}

/// An action pattern as written, matched case-insensitively.
#[derive(Clone, Debug)]
pub struct ActionPattern {
    /// As written in the policy (shared by the statements that write it alike).
    pub text: Arc<str>,
    /// Compiled, lower-cased, only when the text cannot be read as the pattern itself
    /// (not ASCII, or a run of stars): nearly every action is stored once.
    compiled: Option<Box<Glob>>,
}

impl ActionPattern {
    /// The pattern for `text`.
    pub fn new(text: Arc<str>) -> Self {
        Self {
            compiled: GlobRef::of_text(&text, true)
                .is_none()
                .then(|| Box::new(Glob::new(&text, true))),
            text,
        }
    }

    /// The pattern, lower-cased: match it against lower-cased action names.
    pub fn glob(&self) -> GlobRef<'_> {
        match &self.compiled {
            Some(g) => g.view(),
            None => GlobRef::of_text(&self.text, true).unwrap_or(GlobRef::EMPTY),
        }
    }
}

/// The `Action` or `NotAction` element.
#[derive(Clone, Debug)]
pub struct ActionSpec {
    /// True for `NotAction`.
    pub negated: bool,
    /// The patterns.
    pub patterns: Box<[ActionPattern]>,
}

impl ActionSpec {
    /// `Action` or `NotAction`.
    pub fn element(&self) -> &'static str {
        if self.negated { "NotAction" } else { "Action" }
    }

    /// The patterns as written, comma-separated.
    pub fn list(&self) -> String {
        comma_separated(self.patterns.iter().map(|p| p.text.as_ref()))
    }
}

/// The texts as words quote them: comma-separated, a very long one shortened, a very long
/// list cut with how many more there are (the statement itself keeps every pattern whole).
fn comma_separated<'a>(texts: impl Iterator<Item = &'a str>) -> String {
    crate::text::words::list(texts, ", ")
}

/// The `Resource` or `NotResource` element.
#[derive(Clone, Debug)]
pub struct ResourceSpec {
    /// True for `NotResource`.
    pub negated: bool,
    /// The texts are not in the policy's source but joined apart (see [`PatternTexts`]).
    joined: bool,
    /// How many patterns (an array of one is one pattern): kept, as it is asked for each
    /// statement evaluated, and the texts would be gone through to count them.
    count: u32,
    /// The patterns' texts as written (they may contain policy variables).
    texts: PatternTexts,
    /// How each pattern is compiled; none when every pattern's text is the pattern as it
    /// is (nearly always: then nothing but the text is stored), behind one thin pointer.
    compiled: Option<Box<Box<[CompiledResource]>>>,
}

/// Where a resource element's texts are: `text` between `start` and `end`. That is the
/// policy's source when no pattern has an escape (nearly always), where the one string's
/// text is, or the array of strings: nothing is copied, and a statement may list a hundred
/// thousand ARNs. Else the texts unescaped and joined, in a text of their own
/// ([`ResourceSpec::joined`]): the one text, or each as its length in bytes (decimal), a
/// colon and its text.
#[derive(Clone, Debug)]
struct PatternTexts {
    text: crate::text::SourceText,
    start: u32,
    end: u32,
}

/// The strings of a JSON array none of whose strings holds a quote (nor an escape), as
/// their texts: every other run between quotes.
struct Quoted<'a> {
    rest: &'a str,
}

impl<'a> Iterator for Quoted<'a> {
    type Item = &'a str;

    fn next(&mut self) -> Option<&'a str> {
        let bytes = self.rest.as_bytes();
        // The next opening quote is a comma and some spaces away: found byte by byte.
        let open = bytes.iter().position(|&b| b == b'"')? + 1;
        let len = memchr::memchr(b'"', bytes.get(open..)?)?;
        let text = self.rest.get(open..open + len)?;
        self.rest = self.rest.get(open + len + 1..)?;
        Some(text)
    }
}

/// How a resource pattern is compiled.
#[derive(Clone, Debug)]
enum CompiledResource {
    /// Its text is the pattern as it is, read in place.
    View,
    /// Compiled apart from its text (escapes, non-ASCII, runs of stars).
    Owned(Box<ArnGlob>),
    /// It holds a policy variable: compiled per request. The keys of its variables (its
    /// text holds the rest).
    Variables {
        /// How long the text before its first variable is (see [`VarRef::head`]).
        head: Option<u32>,
        keys: Box<[SmolStr]>,
    },
}

impl CompiledResource {
    /// The pattern `text` (read for policy variables when `variables`): read in place when
    /// it is plain and its text is the pattern, without a copy of it (a pattern may be
    /// megabytes long).
    fn of(text: &str, variables: bool) -> Result<Self, String> {
        let plain = !variables || !text.contains("${");
        if plain && ArnGlobRef::of_text(text).is_some() {
            return Ok(Self::View);
        }
        if plain {
            return Ok(Self::compiled(VarRef::plain(text)));
        }
        let keys = parse_keys(text)?;
        if keys.is_empty() {
            // Escapes alone.
            return Ok(Self::compiled(VarRef::new(text, &keys, None)));
        }
        let head = VarRef::new(text, &keys, None).head_len();
        Ok(Self::Variables { head, keys })
    }

    /// `p`, which holds no variable, compiled (it always resolves; were it not to, it would
    /// be resolved per request, with no key to depend on).
    fn compiled(p: VarRef<'_>) -> Self {
        match p.resolve(&Context::default(), true, false) {
            Resolved::Known(g) => Self::Owned(Box::new(ArnGlob::from_glob(g))),
            Resolved::Unknown(..) | Resolved::Unresolvable(_) => Self::Variables {
                head: p.head_len(),
                keys: Box::default(),
            },
        }
    }

    /// None stored when each pattern is read in place.
    fn all(compiled: Vec<Self>) -> Option<Box<Box<[Self]>>> {
        if compiled.iter().all(|c| matches!(c, Self::View)) {
            return None;
        }
        Some(Box::new(compiled.into_boxed_slice()))
    }
}

/// One resource pattern of a statement, borrowed from it.
#[derive(Clone, Copy, Debug)]
pub struct ResourcePattern<'a> {
    /// As written.
    pub text: &'a str,
    /// Compiled; `None` when it holds a policy variable (then it is compiled per request
    /// from [`variables`](Self::variables)).
    pub compiled: Option<ArnGlobRef<'a>>,
    variables: Option<VarRef<'a>>,
}

impl<'a> ResourcePattern<'a> {
    /// The pattern with its policy variables, when it holds any (`None` when
    /// [`compiled`](Self::compiled) is there).
    pub fn variables(&self) -> Option<VarRef<'a>> {
        self.variables
    }

    /// How it matches `resource` when that does not depend on the request's keys: always
    /// for a compiled pattern, and for one with a policy variable when its start (up to
    /// its fifth colon, before the first variable) cannot match, whatever the variables
    /// hold ([`ArnHeads`]). `None` otherwise.
    pub fn fixed_match(&self, resource: &Template, heads: &mut ArnHeads<'_, 'a>) -> Option<Tri> {
        debug_assert!(heads.value() == resource, "heads are made for the resource");
        match (self.compiled, self.variables) {
            (Some(g), _) => Some(heads.match_compiled(g)),
            (None, Some(v)) if heads.never(v.head()) => Some(Tri::Never),
            _ => None,
        }
    }
}

impl ResourceSpec {
    /// `Resource` or `NotResource`.
    pub fn element(&self) -> &'static str {
        if self.negated {
            "NotResource"
        } else {
            "Resource"
        }
    }

    /// How many patterns.
    pub fn len(&self) -> usize {
        self.count as usize
    }

    /// How many bytes the patterns' texts take (with a few for the quotes and commas, or
    /// each one's length, when there are several): a measure of the work of matching them,
    /// found at once.
    pub fn text_len(&self) -> usize {
        (self.texts.end - self.texts.start) as usize
    }

    /// True when there is no pattern (IAM refuses an empty list; the parser does too).
    pub fn is_empty(&self) -> bool {
        self.count == 0
    }

    /// The patterns' texts as written, in order.
    pub fn texts(&self) -> impl Iterator<Item = &str> + '_ {
        let PatternTexts { text, start, end } = &self.texts;
        let text = text.get(*start as usize..*end as usize).unwrap_or_default();
        let several = self.count != 1;
        let single = (!several).then_some(text);
        let mut rest = if several { text } else { "" };
        let mut quoted = (!self.joined).then_some(Quoted { rest });
        single.into_iter().chain(std::iter::from_fn(move || {
            if let Some(quoted) = &mut quoted {
                return quoted.next();
            }
            let (len, after) = rest.split_once(':')?;
            let len: usize = len.parse().ok()?;
            let text = after.get(..len)?;
            rest = after.get(len..)?;
            Some(text)
        }))
    }

    /// The patterns as written, comma-separated.
    pub fn list(&self) -> String {
        comma_separated(self.texts())
    }

    /// The patterns, in order: each with its text, and compiled or with its variables.
    pub fn patterns(&self) -> impl Iterator<Item = ResourcePattern<'_>> + '_ {
        let stored = self.compiled.as_deref().map_or(&[][..], |c| c);
        self.texts().enumerate().map(move |(i, text)| {
            let (compiled, variables) = match stored.get(i) {
                Some(CompiledResource::Owned(g)) => (Some(g.view()), None),
                Some(CompiledResource::Variables { head, keys }) => {
                    (None, Some(VarRef::new(text, keys, *head)))
                }
                // Read in place (every pattern is, when nothing is stored).
                Some(CompiledResource::View) | None => (ArnGlobRef::of_text(text), None),
            };
            ResourcePattern {
                text,
                compiled,
                variables,
            }
        })
    }

    /// Each pattern compiled (`None` for one that holds a policy variable: it is compiled
    /// per request), in the order of [`patterns`](Self::patterns).
    pub fn compiled(&self) -> impl Iterator<Item = Option<ArnGlobRef<'_>>> + '_ {
        self.patterns().map(|p| p.compiled)
    }
}

/// One statement of a policy.
#[derive(Clone, Debug)]
pub struct Statement {
    /// Position in the policy's `Statement` list (0-based; see [`index`](Self::index)).
    index: u32,
    /// The `Sid`, if any (stored in place when short, as nearly every Sid is: no allocation).
    pub sid: Option<compact_str::CompactString>,
    /// Allow or Deny.
    pub effect: Effect,
    /// `Action` / `NotAction`.
    pub actions: ActionSpec,
    /// `Resource` / `NotResource`.
    pub resources: ResourceSpec,
    /// The conditions (all must hold).
    pub conditions: Box<[Condition]>,
    /// Where the statement is in the policy's source text.
    pub span: Span,
    /// For a statement of many conditions ([`KEY_ORDER_FROM`] or more), their indexes in
    /// the order of their keys (as written, byte by byte): what an open answer depends on is
    /// listed sorted, and a hundred thousand keys are sorted once, not per request. None
    /// for fewer conditions; behind one thin pointer, as nearly every statement has none.
    key_order: Option<Box<Box<[u32]>>>,
}

/// How many conditions a statement has before their keys' order is worked out when it is
/// read (see [`Statement::key_order`]).
const KEY_ORDER_FROM: usize = 64;

impl Statement {
    /// The indexes of the conditions in the order of their keys (as written, byte by byte),
    /// ties in the order written; empty when there are fewer than `KEY_ORDER_FROM` (64).
    pub fn key_order(&self) -> &[u32] {
        self.key_order.as_deref().map_or(&[], |order| order)
    }

    /// Position in the policy's `Statement` list (0-based).
    pub fn index(&self) -> usize {
        self.index as usize
    }

    /// How `Resource`/`NotResource` matches a resource template, when the answer does not
    /// depend on the request's keys (see `ResourcePattern::fixed_match`), remembered in
    /// `memo` (from [`Policy::resource_memo`] of this statement's policy). `None` when it
    /// may (a pattern's policy variable may decide). `heads` is made for `resource`.
    pub fn resource_match<'s>(
        &'s self,
        resource: &Template,
        memo: &ResourceMatches,
        heads: &mut ArnHeads<'_, 's>,
    ) -> Option<Tri> {
        // Four statements a byte, two bits each: 0 not yet known, then the answer.
        let slot = memo.tri.get(self.index() / 4)?;
        let shift = (self.index() % 4) * 2;
        match (slot.load(Ordering::Relaxed) >> shift) & 3 {
            1 => return Some(Tri::Never),
            2 => return Some(Tri::Sometimes),
            3 => return Some(Tri::Always),
            _ => {}
        }
        // A bit a statement, made when a policy has a statement whose match depends on the
        // request: set once that is known, so the patterns are not looked at again.
        let open = memo
            .open
            .get()
            .and_then(|bits| bits.get(self.index() / 8))
            .map(|b| (b, 1u8 << (self.index() % 8)));
        if let Some((b, bit)) = open
            && b.load(Ordering::Relaxed) & bit != 0
        {
            return None;
        }
        let mut res = Tri::Never;
        for p in self.resources.patterns() {
            let Some(t) = p.fixed_match(resource, heads) else {
                let bits = memo.open.get_or_init(|| {
                    (0..memo.statements.div_ceil(8))
                        .map(|_| AtomicU8::new(0))
                        .collect()
                });
                if let Some(b) = bits.get(self.index() / 8) {
                    b.fetch_or(1 << (self.index() % 8), Ordering::Relaxed);
                }
                return None;
            };
            res = res.or(t);
            if res == Tri::Always {
                break;
            }
        }
        if self.resources.negated {
            res = res.negate();
        }
        let code = match res {
            Tri::Never => 1,
            Tri::Sometimes => 2,
            Tri::Always => 3,
        };
        // Set once, to the same answer by whichever thread gets there: or-ing is enough.
        slot.fetch_or(code << shift, Ordering::Relaxed);
        Some(res)
    }

    /// The unknown parts of `resource` that this statement's match depends on, as bits over
    /// the places of [`Template::holes`]: the holes of each pattern that matches only
    /// sometimes, up to the first pattern that always matches (the order evaluation reads
    /// them in). Remembered in `memo`; `None` when a pattern holds a variable or the
    /// template has more than `MAX_MEMO_HOLES` unknown parts (a pattern with a variable
    /// whose start cannot match counts as not matching, as in
    /// `ResourcePattern::fixed_match`).
    pub fn open_holes(&self, resource: &Template, memo: &ResourceMatches) -> Option<u8> {
        let slots = memo.holes.get_or_init(|| {
            let n = if resource.holes().len() <= MAX_MEMO_HOLES {
                memo.statements
            } else {
                0
            };
            (0..n).map(|_| AtomicU8::new(0)).collect()
        });
        let slot = slots.get(self.index())?;
        let known = slot.load(Ordering::Relaxed);
        if known & KNOWN_HOLES != 0 {
            return Some(known & !KNOWN_HOLES);
        }
        let names = resource.holes();
        let mut mask = 0u8;
        let mut res = Tri::Never;
        let mut heads = ArnHeads::new(resource);
        for p in self.resources.patterns() {
            let t = match p.compiled {
                // Matched and its open parts found in one pass over the ARN's parts.
                Some(g) => {
                    let (t, open) = g.match_template_open(resource);
                    for h in open {
                        if let Some(i) = names.iter().position(|n| *n == h) {
                            mask |= 1 << i;
                        }
                    }
                    t
                }
                None => p.fixed_match(resource, &mut heads)?,
            };
            res = res.or(t);
            if res == Tri::Always {
                break;
            }
        }
        slot.store(mask | KNOWN_HOLES, Ordering::Relaxed);
        Some(mask)
    }

    /// Whether the `Action`/`NotAction` covers the (lower-cased) action.
    pub fn covers_action(&self, action_lower: &str) -> bool {
        self.covers_action_by(|p| p.glob().matches(action_lower))
    }

    /// Whether the `Action`/`NotAction` covers an action, given which of the statement's
    /// patterns match it (asked in order, until one does).
    fn covers_action_by(&self, matches: impl FnMut(&ActionPattern) -> bool) -> bool {
        self.actions.patterns.iter().any(matches) != self.actions.negated
    }

    /// "statement 2 (Sid \"`AllowPassRole`\")" or "statement 2".
    pub fn label(&self) -> String {
        statement_label(self.index(), self.sid.as_deref())
    }
}

/// The one way a statement is named in messages: "statement 2 (Sid \"X\")" or "statement 2".
/// People count from 1: the first statement is "statement 1" (`index` is 0-based, as in
/// JSON output).
pub fn statement_label(index: usize, sid: Option<&str>) -> String {
    let n = index + 1;
    match sid {
        Some(sid) if !sid.is_empty() => format!("statement {n} (Sid \"{sid}\")"),
        _ => format!("statement {n}"),
    }
}

/// Something AWS accepts that is probably not what the author meant.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct Warning {
    /// What is suspicious (in words when shown: see [`WarningText`]).
    pub message: WarningText,
    /// 1-based line.
    pub line: usize,
    /// 1-based column.
    pub column: usize,
    /// Byte offset in the source.
    pub offset: usize,
}

/// A warning's words: "statement 2 (Sid \"X\"): " and what is suspicious, or only the
/// latter for a warning about the whole document. What follows the label is shared by the
/// warnings that say the same: a policy may say the same of each of thousands of statements,
/// and each copy was longer than the statement.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WarningText {
    /// The statement's index (0-based) and Sid, when the warning is about a statement.
    statement: Option<(usize, Option<compact_str::CompactString>)>,
    /// What is suspicious.
    text: Arc<str>,
}

impl WarningText {
    /// A warning about the whole document.
    pub fn about_document(text: impl Into<Arc<str>>) -> Self {
        Self {
            statement: None,
            text: text.into(),
        }
    }

    /// A warning about statement `index` (0-based), whose Sid is `sid`.
    pub fn about_statement(
        index: usize,
        sid: Option<compact_str::CompactString>,
        text: impl Into<Arc<str>>,
    ) -> Self {
        Self {
            statement: Some((index, sid)),
            text: text.into(),
        }
    }

    /// The statement it is about (0-based), if any.
    pub fn statement(&self) -> Option<usize> {
        self.statement.as_ref().map(|(index, _)| *index)
    }

    /// The statement's Sid, if it is about one that has a Sid.
    pub fn sid(&self) -> Option<&str> {
        self.statement.as_ref()?.1.as_deref()
    }

    /// The statement's label ("statement 2 (Sid \"X\")"), if it is about one.
    pub fn label(&self) -> Option<String> {
        let (index, sid) = self.statement.as_ref()?;
        Some(statement_label(*index, sid.as_deref()))
    }

    /// What is suspicious, without the label (shared by the warnings that say the same).
    pub fn text(&self) -> &Arc<str> {
        &self.text
    }

    /// Whether the words contain `needle`.
    pub fn contains(&self, needle: &str) -> bool {
        self.to_string().contains(needle)
    }
}

impl fmt::Display for WarningText {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some((index, sid)) = &self.statement {
            write!(f, "{}: ", statement_label(*index, sid.as_deref()))?;
        }
        f.write_str(&self.text)
    }
}

impl serde::Serialize for WarningText {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

/// A parsed policy document.
#[derive(Clone, Debug)]
pub struct Policy {
    /// A name for people: the file name, or the policy name inside a larger file.
    pub name: String,
    /// The text the spans refer to.
    pub source: crate::text::SourceText,
    /// Where the document is in `source`.
    pub span: Span,
    /// The `Version`, if given.
    pub version: Option<String>,
    /// The statements.
    pub statements: Vec<Statement>,
    /// Warnings found while parsing.
    pub warnings: Vec<Warning>,
    /// Statement indices by the (lower-cased) service of their literal-service actions;
    /// statements with `NotAction` or a wildcard in the service are under `None`.
    pub by_service: HashMap<Option<String>, Vec<usize>>,
    /// The statements whose action matches, by (lower-cased) action, remembered: a refresh
    /// asks about the same few hundred actions again and again.
    /// What evaluation remembers of this policy (boxed: a policy is moved around whole).
    caches: Box<Caches>,
}

/// What evaluation remembers of a policy; a copy of a policy starts with none.
struct Caches {
    /// This policy's number, never given to another in the process: what remembered
    /// answers that span policies (see `engine::refine`) name it by.
    uid: u64,
    action_cache: ActionCache,
    /// How each statement's `Resource`/`NotResource` matched a resource template, by
    /// template: the same templates come back for every action of a refresh.
    resource_memo: ResourceMemo,
}

impl Default for Caches {
    fn default() -> Self {
        static NEXT: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
        Self {
            uid: NEXT.fetch_add(1, Ordering::Relaxed),
            action_cache: ActionCache::default(),
            resource_memo: ResourceMemo::default(),
        }
    }
}

impl Clone for Caches {
    fn clone(&self) -> Self {
        Self::default()
    }
}

impl fmt::Debug for Caches {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Caches")
    }
}

/// Per resource template, what is remembered of each statement's match (see
/// [`ResourceMatches`]). Only statements whose patterns hold no policy variable are
/// remembered (their match does not depend on the request's keys).
#[derive(Default)]
struct ResourceMemo(std::sync::Mutex<HashMap<Template, Arc<ResourceMatches>, QuickHash>>);

/// How every statement of a policy matched one resource template.
pub struct ResourceMatches {
    /// Two bits per statement: 0 not worked out yet, else a [`Tri`] (1 never, 2 sometimes,
    /// 3 always).
    tri: Box<[AtomicU8]>,
    /// A byte per statement, made the first time it is asked: which unknown parts an open
    /// match depends on (see [`Statement::open_holes`]), with [`KNOWN_HOLES`] once known.
    holes: std::sync::OnceLock<Box<[AtomicU8]>>,
    /// A bit per statement, made when first set: its match depends on the request (a
    /// policy variable may decide it), so it is not remembered.
    open: std::sync::OnceLock<Box<[AtomicU8]>>,
    statements: usize,
}

impl ResourceMatches {
    fn new(statements: usize) -> Self {
        Self {
            tri: (0..statements.div_ceil(4))
                .map(|_| AtomicU8::new(0))
                .collect(),
            holes: std::sync::OnceLock::new(),
            open: std::sync::OnceLock::new(),
            statements,
        }
    }
}

/// At most this many unknown parts of a template are remembered per statement.
pub const MAX_MEMO_HOLES: usize = 7;
/// The bit of a remembered holes byte that says it is known.
const KNOWN_HOLES: u8 = 0x80;

/// At most this many templates are remembered per policy (then it starts again).
const RESOURCE_MEMO_SIZE: usize = 256;

/// Remembered answers of [`Policy::matching`]; a copy of a policy starts empty.
#[derive(Default)]
struct ActionCache(std::sync::Mutex<ActionLists>);

/// The lists of matching statements, by action and by content.
#[derive(Default)]
struct ActionLists {
    by_action: HashMap<String, Matches>,
    /// The distinct lists, by a hash of their indexes (under a key drawn at random).
    by_content: HashMap<u64, Vec<Matches>>,
    content_hasher: std::hash::RandomState,
}

/// The statements of a policy that match an action: their indexes, or one bit per
/// statement, whichever is smaller (a policy's actions are remembered for every action of
/// a refresh, so this is kept small).
#[derive(Clone, Debug)]
pub struct Matches(Arc<(u64, MatchesRepr)>);

#[derive(Debug)]
enum MatchesRepr {
    /// The indexes, in order.
    List(Box<[u32]>),
    /// Bit `i % 64` of word `i / 64` for statement `i`.
    Bits(Box<[u64]>),
}

impl Matches {
    fn new(indexes: &[u32], statements: usize) -> Self {
        static NEXT: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
        let uid = NEXT.fetch_add(1, Ordering::Relaxed);
        let words = statements.div_ceil(64);
        if indexes.len() <= words * 2 {
            return Self(Arc::new((uid, MatchesRepr::List(indexes.into()))));
        }
        let mut bits = vec![0u64; words];
        for &i in indexes {
            bits[i as usize / 64] |= 1 << (i % 64);
        }
        Self(Arc::new((uid, MatchesRepr::Bits(bits.into_boxed_slice()))))
    }

    /// A number no other list of matches of the process has: the same number, the same
    /// statements of the same policy (answers that depend only on which statements take
    /// part are remembered under it). Actions of one policy that match the same statements
    /// get the same list, and so the same number.
    pub fn uid(&self) -> u64 {
        self.0.0
    }

    /// True when these are exactly the statements `indexes` lists (in order).
    fn is(&self, indexes: &[u32]) -> bool {
        self.indexes().eq(indexes.iter().map(|&i| i as usize))
    }

    /// How many statements match.
    pub fn len(&self) -> usize {
        match &self.0.1 {
            MatchesRepr::List(l) => l.len(),
            MatchesRepr::Bits(b) => b.iter().map(|w| w.count_ones() as usize).sum(),
        }
    }

    /// True when no statement matches.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The indexes of the statements, in order. Walk them with `for_each` (or `fold`)
    /// where it counts: those loop over the list and the bits directly.
    pub fn indexes(&self) -> impl Iterator<Item = usize> + '_ {
        let (list, bits): (&[u32], &[u64]) = match &self.0.1 {
            MatchesRepr::List(l) => (l, &[]),
            MatchesRepr::Bits(b) => (&[], b),
        };
        list.iter().map(|&i| i as usize).chain(set_bits(bits))
    }
}

/// A quick hash (one multiplication and a rotation a word) for tables whose keys no input
/// chooses (addresses), or that hold a few hundred keys at most and compare them whole on a
/// hit (resource templates): there a poor spread can only slow a look-up, never change an
/// answer. `SipHash` over a template's characters took a third of an account matrix.
#[derive(Clone, Copy, Default)]
struct QuickHash;

impl std::hash::BuildHasher for QuickHash {
    type Hasher = QuickHasher;
    fn build_hasher(&self) -> QuickHasher {
        QuickHasher(0)
    }
}

struct QuickHasher(u64);

impl std::hash::Hasher for QuickHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.write_u64(u64::from(b));
        }
    }
    fn write_u64(&mut self, n: u64) {
        self.0 = (self.0 ^ n)
            .wrapping_mul(0x9E37_79B9_7F4A_7C15)
            .rotate_left(29);
    }
    fn write_u32(&mut self, n: u32) {
        self.write_u64(u64::from(n));
    }
    fn write_usize(&mut self, n: usize) {
        self.write_u64(n as u64);
    }
}

/// At most this many actions are remembered per policy (then it starts again).
const ACTION_CACHE_SIZE: usize = 4_096;

impl Policy {
    /// A number for this policy that no other policy of the process has (a copy gets its
    /// own): answers remembered across policies are keyed by it, never by an address that
    /// a later policy could reuse. Its statements are not to change once it is evaluated.
    pub fn uid(&self) -> u64 {
        self.caches.uid
    }

    /// The statements that may match an action of `service` (lower-case), in order.
    pub fn candidates(&self, service: &str) -> Vec<&Statement> {
        let mut idx: Vec<usize> = Vec::new();
        if let Some(v) = self.by_service.get(&Some(service.to_owned())) {
            idx.extend(v);
        }
        if let Some(v) = self.by_service.get(&None) {
            idx.extend(v);
        }
        idx.sort_unstable();
        idx.dedup();
        idx.into_iter()
            .filter_map(|i| self.statements.get(i))
            .collect()
    }

    /// The indexes of the statements whose `Action`/`NotAction` covers `action_lower` (a
    /// lower-cased `service:Action`), in order. Worked out once per action and remembered.
    pub fn matching(&self, action_lower: &str) -> Matches {
        if let Ok(cache) = self.caches.action_cache.0.lock()
            && let Some(hit) = cache.by_action.get(action_lower)
        {
            return hit.clone();
        }
        let service = action_lower.split_once(':').map_or("", |(s, _)| s);
        // Statements that write an action alike share its text (see `ActionPattern`): each
        // shared text is matched once, its answer looked up by address for the others.
        // A text no other pattern holds is matched without it: a statement of 100,000
        // actions of its own grew the table to 100,000 answers for each action asked.
        let mut answers: HashMap<usize, bool, QuickHash> = HashMap::default();
        let mut matches = |p: &ActionPattern| {
            if Arc::strong_count(&p.text) == 1 {
                return p.glob().matches(action_lower);
            }
            *answers
                .entry(p.text.as_ptr() as usize)
                .or_insert_with(|| p.glob().matches(action_lower))
        };
        // Four bytes a statement: a policy is far below 4 billion statements.
        let indexes: Vec<u32> = self
            .candidates(service)
            .into_iter()
            .filter(|st| st.covers_action_by(&mut matches))
            .map(|st| st.index)
            .collect();
        let Ok(mut cache) = self.caches.action_cache.0.lock() else {
            return Matches::new(&indexes, self.statements.len());
        };
        if cache.by_action.len() >= ACTION_CACHE_SIZE {
            cache.by_action.clear();
            cache.by_content.clear();
        }
        // Actions that match the same statements share one list, and so its number: what
        // is remembered under it (the cases of a refinement) serves all of them.
        let content = std::hash::BuildHasher::hash_one(&cache.content_hasher, &indexes);
        let same = cache
            .by_content
            .get(&content)
            .and_then(|lists| lists.iter().find(|m| m.is(&indexes)))
            .cloned();
        let found = same.unwrap_or_else(|| {
            let fresh = Matches::new(&indexes, self.statements.len());
            cache
                .by_content
                .entry(content)
                .or_default()
                .push(fresh.clone());
            fresh
        });
        cache
            .by_action
            .insert(action_lower.to_owned(), found.clone());
        found
    }

    /// The remembered resource matches of every statement against `resource` (see
    /// [`Statement::resource_match`]).
    pub fn resource_memo(&self, resource: &Template) -> Arc<ResourceMatches> {
        let n = self.statements.len();
        let Ok(mut memo) = self.caches.resource_memo.0.lock() else {
            return Arc::new(ResourceMatches::new(n));
        };
        if let Some(hit) = memo.get(resource) {
            return Arc::clone(hit);
        }
        if memo.len() >= RESOURCE_MEMO_SIZE {
            memo.clear();
        }
        let fresh = Arc::new(ResourceMatches::new(n));
        memo.insert(resource.clone(), Arc::clone(&fresh));
        fresh
    }

    /// The document as a `serde_json::Value` (member order kept).
    pub fn document_json(&self) -> serde_json::Value {
        let text = self
            .source
            .get(self.span.start..self.span.end)
            .unwrap_or("");
        json::parse(text).map_or(serde_json::Value::Null, |v| v.to_serde())
    }

    /// The source text of one statement.
    pub fn statement_text(&self, index: usize) -> &str {
        self.statements
            .get(index)
            .and_then(|s| self.source.get(s.span.start..s.span.end))
            .unwrap_or("")
    }

    /// 1-based line and column of a byte offset in the source.
    pub fn line_col(&self, offset: usize) -> (usize, usize) {
        json::line_col(&self.source, offset)
    }
}

/// Parses a policy document from a JSON value read out of `source`.
pub(crate) fn parse_document(
    name: &str,
    source: &crate::text::SourceText,
    doc: &Value,
) -> Result<Policy, PolicyError> {
    parse_document_streamed(name, source, doc, None)
}

/// The statements of a document's top-level `Statement` array, taken in one by one while
/// the document is read ([`json::parse_streaming`]), so the tree of the whole array never
/// exists: each item's tree is dropped once its statement is built.
pub(crate) struct StatementStream<'s> {
    name: &'s str,
    source: &'s crate::text::SourceText,
    /// Built assuming `"Version": "2012-10-17"` (policy variables live), the usual case;
    /// built again from their spans when the document turns out to say otherwise.
    statements: Vec<Statement>,
    warnings: Vec<Warning>,
    /// How many items were taken in.
    count: usize,
    /// Where the first item starts.
    first_start: usize,
    /// The first statement that did not parse (the rest are then only located).
    error: Option<PolicyError>,
    /// Where the items from the one that did not parse on are.
    unbuilt: Vec<Span>,
    /// Actions and condition keys, stored once however many statements name them.
    interner: Interner,
}

impl<'s> StatementStream<'s> {
    /// An empty stream for the document `name` read out of `source`.
    pub(crate) fn new(name: &'s str, source: &'s crate::text::SourceText) -> Self {
        Self {
            name,
            source,
            statements: Vec::new(),
            warnings: Vec::new(),
            count: 0,
            first_start: 0,
            error: None,
            unbuilt: Vec::new(),
            interner: Interner::default(),
        }
    }

    /// Makes room for the statements and warnings still to come before their lists are
    /// full (see [`reserve_at_rate`]), before the item at `next` is read.
    fn reserve(&mut self, next: Span) {
        let read = next.end.saturating_sub(self.first_start);
        let left = self.source.len().saturating_sub(next.end);
        let (statements, warnings) = (self.statements.len(), self.warnings.len());
        reserve_at_rate(&mut self.statements, 1, statements, read, left);
        // A statement says a few things at most, nearly always.
        reserve_at_rate(&mut self.warnings, 4, warnings, read, left);
    }

    /// Takes in the next item of the `Statement` array.
    pub(crate) fn push(&mut self, item: &Value) {
        let index = self.count;
        if index == 0 {
            self.first_start = item.span.start;
        }
        self.count += 1;
        if self.error.is_some() {
            self.unbuilt.push(item.span);
        } else {
            self.reserve(item.span);
            match parse_statement(
                self.name,
                self.source,
                index,
                item,
                true,
                &mut self.warnings,
                &mut self.interner,
            ) {
                Ok(st) => self.statements.push(st),
                Err(e) => {
                    self.error = Some(e);
                    self.unbuilt.push(item.span);
                }
            }
        }
    }

    /// The statements for a document whose variables are live (`variables`) or not.
    fn finish(
        self,
        variables: bool,
        warnings: &mut Vec<Warning>,
    ) -> Result<Vec<Statement>, PolicyError> {
        if variables {
            if let Some(e) = self.error {
                return Err(e);
            }
            // Taken over whole when there are none before them: a second list as long
            // would be held while the first is copied.
            if warnings.is_empty() {
                *warnings = self.warnings;
            } else {
                warnings.extend(self.warnings);
            }
            let mut statements = self.statements;
            statements.shrink_to_fit();
            return Ok(statements);
        }
        let spans: Vec<Span> = self
            .statements
            .iter()
            .map(|st| st.span)
            .chain(self.unbuilt)
            .collect();
        drop(self.statements);
        let mut interner = Interner::default();
        let mut statements = Vec::with_capacity(spans.len());
        for (index, span) in spans.iter().enumerate() {
            let item = json::parse_range(self.source, *span)
                .map_err(|e| PolicyError::shape(self.name, self.source, e.offset, e.message))?;
            statements.push(parse_statement(
                self.name,
                self.source,
                index,
                &item,
                false,
                warnings,
                &mut interner,
            )?);
        }
        Ok(statements)
    }
}

/// Like [`parse_document`], for a document whose top-level `Statement` array was taken in
/// by `stream` while it was read (it is empty in `doc`).
pub(crate) fn parse_document_streamed(
    name: &str,
    source: &crate::text::SourceText,
    doc: &Value,
    stream: Option<StatementStream<'_>>,
) -> Result<Policy, PolicyError> {
    let err = |offset: usize, msg: String| PolicyError::shape(name, source, offset, msg);
    let Some(members) = doc.as_object() else {
        return Err(err(
            doc.span.start,
            format!(
                "a policy document must be a JSON object, found {}",
                doc.kind_name()
            ),
        ));
    };
    let mut warnings = Vec::new();
    // Lines and columns are filled in at the end, from one index of the source.
    let warn = |warnings: &mut Vec<Warning>, offset: usize, message: String| {
        warnings.push(Warning {
            message: WarningText::about_document(message),
            line: 0,
            column: 0,
            offset,
        });
    };
    let (version, statement_value) = top_level(members).map_err(|(o, msg)| err(o, msg))?;
    let Some(statement_value) = statement_value else {
        return Err(err(
            doc.span.start,
            "the policy has no Statement element".to_owned(),
        ));
    };
    if version.is_none() {
        warn(
            &mut warnings,
            doc.span.start,
            "no Version: AWS then uses 2008-10-17, where policy variables such as ${aws:username} are plain text; add \"Version\": \"2012-10-17\"".to_owned(),
        );
    }
    let variables = version.as_deref() == Some("2012-10-17");
    let stream = stream.filter(|s| s.count > 0);
    let items: Vec<&Value> = match &statement_value.kind {
        Kind::Array(_) if stream.is_some() => Vec::new(),
        Kind::Array(items) => items.iter().collect(),
        Kind::Object(_) => vec![statement_value],
        _ => {
            return Err(err(
                statement_value.span.start,
                format!(
                    "Statement must be an object or an array of objects, found {}",
                    statement_value.kind_name()
                ),
            ));
        }
    };
    let mut interner = Interner::default();
    let mut statements = match stream {
        Some(stream) => stream.finish(variables, &mut warnings)?,
        None => Vec::with_capacity(items.len()),
    };
    for (index, item) in items.into_iter().enumerate() {
        statements.push(parse_statement(
            name,
            source,
            index,
            item,
            variables,
            &mut warnings,
            &mut interner,
        )?);
    }
    let by_service = index_by_service(&statements);
    if !warnings.is_empty() {
        let index = json::LineIndex::new(source);
        for w in &mut warnings {
            (w.line, w.column) = index.line_col(source, w.offset);
        }
    }
    Ok(Policy {
        name: name.to_owned(),
        source: Arc::clone(source),
        span: doc.span,
        version,
        statements,
        warnings,
        by_service,
        caches: Box::default(),
    })
}

/// A result whose error is a message at a byte offset of the source.
type Located<T> = Result<T, (usize, String)>;

/// The top-level members: the Version (checked) and the Statement value.
fn top_level(members: &[Member]) -> Located<(Option<String>, Option<&Value>)> {
    let mut version = None;
    let mut statement_value = None;
    for m in members {
        match m.key.as_str() {
            "Version" => match &m.value.kind {
                Kind::String(v) if v == "2012-10-17" || v == "2008-10-17" => {
                    version = Some(v.to_string());
                }
                Kind::String(v) => {
                    return Err((
                        m.value.span.start,
                        format!(
                            "Version \"{v}\" is not valid: use \"2012-10-17\" (or the old \"2008-10-17\")"
                        ),
                    ));
                }
                _ => {
                    return Err((
                        m.value.span.start,
                        format!("Version must be a string, found {}", m.value.kind_name()),
                    ));
                }
            },
            "Id" => {
                if m.value.as_str().is_none() {
                    return Err((
                        m.value.span.start,
                        format!("Id must be a string, found {}", m.value.kind_name()),
                    ));
                }
            }
            "Statement" => statement_value = Some(&m.value),
            other => {
                return Err((
                    m.key_span.start,
                    format!(
                        "unknown top-level element \"{other}\" (a policy has Version, Id and Statement)"
                    ),
                ));
            }
        }
    }
    Ok((version, statement_value))
}

/// Statement indexes by the service prefix of their actions (`None`: any service).
fn index_by_service(statements: &[Statement]) -> HashMap<Option<String>, Vec<usize>> {
    let mut by_service: HashMap<Option<String>, Vec<usize>> = HashMap::new();
    for st in statements {
        let mut keys: Vec<Option<String>> = Vec::new();
        for p in &st.actions.patterns {
            let service = match p.text.split_once(':') {
                _ if st.actions.negated => None,
                Some((svc, _)) if !svc.contains(['*', '?']) => Some(svc.to_lowercase()),
                _ => None,
            };
            if !keys.contains(&service) {
                keys.push(service);
            }
        }
        for k in keys {
            by_service.entry(k).or_default().push(st.index());
        }
    }
    by_service
}

/// True for the members of a statement whose values its reader reads as a tree. The others
/// need no tree: a `Condition` block is read straight from the text, key by key, and so
/// are the patterns of `Action`, `Resource` and their `Not` forms, one by one; `Principal`
/// (which an identity policy ignores) and unknown names (refused) are not needed beyond
/// their names and places.
pub(crate) fn statement_reads(name: &str) -> bool {
    matches!(name, "Sid" | "Effect")
}

fn parse_statement(
    name: &str,
    source: &crate::text::SourceText,
    index: usize,
    item: &Value,
    variables: bool,
    warnings: &mut Vec<Warning>,
    interner: &mut Interner,
) -> Result<Statement, PolicyError> {
    let Some(members) = item.as_object() else {
        return Err(PolicyError::shape(
            name,
            source,
            item.span.start,
            format!(
                "statement {} must be an object, found {}",
                index + 1,
                item.kind_name()
            ),
        ));
    };
    let sid =
        parse_sid(item, index).map_err(|(o, msg)| PolicyError::shape(name, source, o, msg))?;
    let label = statement_label(index, sid.as_deref());
    let err = |offset: usize, msg: String| {
        PolicyError::shape(name, source, offset, format!("{label}: {msg}"))
    };
    // Said once the statement is read: what they say is stored once by `interner`.
    let mut noticed: Vec<(usize, String)> = Vec::new();
    let mut warn = |offset: usize, message: String| noticed.push((offset, message));

    let mut effect = None;
    let mut actions: Option<ActionSpec> = None;
    let mut resources: Option<ResourceSpec> = None;
    let mut conditions = Vec::new();
    for m in members {
        match m.key.as_str() {
            "Sid" => {}
            "Effect" => effect = Some(parse_effect(&m.value).map_err(|(o, msg)| err(o, msg))?),
            "Action" | "NotAction" => {
                if actions.is_some() {
                    return Err(err(
                        m.key_span.start,
                        "has both Action and NotAction; use one".to_owned(),
                    ));
                }
                actions = Some(
                    parse_actions(source, m, interner, &mut warn)
                        .map_err(|(o, msg)| err(o, msg))?,
                );
            }
            "Resource" | "NotResource" => {
                if resources.is_some() {
                    return Err(err(
                        m.key_span.start,
                        "has both Resource and NotResource; use one".to_owned(),
                    ));
                }
                resources = Some(
                    parse_resources(source, m, variables, &mut warn)
                        .map_err(|(o, msg)| err(o, msg))?,
                );
            }
            "Condition" => {
                conditions =
                    parse_condition_block(source, m.value.span, variables, interner, &mut warn)
                        .map_err(|(o, msg)| err(o, msg))?;
            }
            "Principal" | "NotPrincipal" => warn(
                m.key_span.start,
                format!(
                    "{} is ignored here: an identity policy applies to whoever it is attached to",
                    m.key
                ),
            ),
            other => {
                return Err(err(
                    m.key_span.start,
                    format!(
                        "unknown element \"{other}\" (a statement has Sid, Effect, Action/NotAction, Resource/NotResource, Condition)"
                    ),
                ));
            }
        }
    }
    let (effect, actions, resources) =
        required(effect, actions, resources).map_err(|msg| err(item.span.start, msg.to_owned()))?;
    warnings.extend(noticed.into_iter().map(|(offset, message)| Warning {
        message: WarningText::about_statement(index, sid.clone(), interner.get(&message)),
        line: 0,
        column: 0,
        offset,
    }));
    // Never over 4 billion under the limits on input (a statement is dozens of bytes).
    let index = u32::try_from(index).map_err(|_| {
        err(
            item.span.start,
            "more statements than 4,294,967,295".to_owned(),
        )
    })?;
    Ok(Statement {
        index,
        sid,
        effect,
        actions,
        resources,
        key_order: key_order(&conditions),
        conditions: conditions.into_boxed_slice(),
        span: item.span,
    })
}

/// The conditions' indexes in the order of their keys, for a statement of many (see
/// [`Statement::key_order`]).
fn key_order(conditions: &[Condition]) -> Option<Box<Box<[u32]>>> {
    if conditions.len() < KEY_ORDER_FROM {
        return None;
    }
    let Ok(n) = u32::try_from(conditions.len()) else {
        return None;
    };
    let mut order: Vec<u32> = (0..n).collect();
    // Stable: equal keys stay in the order written.
    order.sort_by(|a, b| {
        conditions[*a as usize]
            .key
            .cmp(&conditions[*b as usize].key)
    });
    Some(Box::new(order.into_boxed_slice()))
}

/// The `Sid`, which must be a string when present.
fn parse_sid(item: &Value, index: usize) -> Located<Option<compact_str::CompactString>> {
    match item.get("Sid") {
        None => Ok(None),
        Some(v) => match v.as_str() {
            Some(s) => Ok(Some(compact_str::CompactString::from(s))),
            None => Err((
                v.span.start,
                format!(
                    "statement {}: Sid must be a string, found {}",
                    index + 1,
                    v.kind_name()
                ),
            )),
        },
    }
}

/// The elements every statement must have.
fn required(
    effect: Option<Effect>,
    actions: Option<ActionSpec>,
    resources: Option<ResourceSpec>,
) -> Result<(Effect, ActionSpec, ResourceSpec), &'static str> {
    let effect = effect.ok_or("Effect is missing")?;
    let actions = actions.ok_or("Action (or NotAction) is missing")?;
    let resources = resources
        .ok_or("Resource (or NotResource) is missing; an identity policy statement needs one")?;
    Ok((effect, actions, resources))
}

/// `"Allow"` or `"Deny"`, exactly.
fn parse_effect(value: &Value) -> Located<Effect> {
    match value.as_str() {
        Some("Allow") => Ok(Effect::Allow),
        Some("Deny") => Ok(Effect::Deny),
        Some(other) => Err((
            value.span.start,
            format!("Effect must be \"Allow\" or \"Deny\" (exactly), found \"{other}\""),
        )),
        None => Err((
            value.span.start,
            format!("Effect must be a string, found {}", value.kind_name()),
        )),
    }
}

/// An `Action` or `NotAction` element.
fn parse_actions(
    source: &str,
    m: &Member,
    interner: &mut Interner,
    warn: &mut impl FnMut(usize, String),
) -> Located<ActionSpec> {
    let count = strings_in(source, m.value.span, &m.key)?;
    let mut patterns = Vec::with_capacity(count);
    each_string(source, m.value.span, |text, start| {
        let text = &*text;
        if text != "*" {
            match text.split_once(':') {
                None => {
                    return Err((
                        start,
                        format!(
                            "action \"{}\" has no service prefix (write it as service:Action)",
                            crate::text::words::elide(text)
                        ),
                    ));
                }
                Some((service, _)) if service.contains(['*', '?']) => warn(
                    start,
                    format!(
                        "action \"{}\" has a wildcard in the service prefix; it matches actions of many services",
                        crate::text::words::elide(text)
                    ),
                ),
                Some(_) => {}
            }
        }
        patterns.push(ActionPattern::new(interner.get(text)));
        Ok(())
    })?;
    Ok(ActionSpec {
        negated: m.key == "NotAction",
        patterns: patterns.into_boxed_slice(),
    })
}

/// A `Resource` or `NotResource` element; patterns without variables are compiled once.
/// Read straight from the text, pattern by pattern: a statement of 100,000 patterns built
/// a tree of them first, twice the room of the patterns kept.
fn parse_resources(
    source: &crate::text::SourceText,
    m: &Member,
    variables: bool,
    warn: &mut impl FnMut(usize, String),
) -> Located<ResourceSpec> {
    let count = strings_in(source, m.value.span, &m.key)?;
    let mut spec = ResourceSpecBuilder::new(count);
    // Where the element's text is in the source: the one string's, or the array's.
    let (mut start, mut end) = (m.value.span.start, m.value.span.end);
    each_string(source, m.value.span, |text, at| {
        if text != "*" && !text.starts_with("arn:") {
            warn(
                at,
                format!(
                    "resource \"{}\" is neither \"*\" nor an ARN; it will match nothing",
                    crate::text::words::elide(&text)
                ),
            );
        }
        let in_source = match &text {
            // The one string's text is just after its opening quote.
            std::borrow::Cow::Borrowed(t) if count == 1 => {
                let at_text = at + 1;
                let found = source.get(at_text..at_text + t.len()) == Some(*t);
                if found {
                    (start, end) = (at_text, at_text + t.len());
                }
                found
            }
            std::borrow::Cow::Borrowed(_) => true,
            std::borrow::Cow::Owned(_) => false,
        };
        let before = || {
            Quoted {
                rest: source.get(m.value.span.start..at).unwrap_or_default(),
            }
            .collect()
        };
        spec.push(&text, in_source, variables, before)
            .map_err(|msg| (at, msg))
    })?;
    Ok(spec.finish(m.key == "NotResource", source, start, end))
}

/// How many strings the element at `value` holds (a string, or an array of strings, not
/// empty), read straight from `source`; an error for any other value, or an item that is
/// not a string.
fn strings_in(source: &str, value: Span, element: &str) -> Result<usize, (usize, String)> {
    let mut r = Reader::at(source, value.start);
    if r.is_string() {
        return Ok(1);
    }
    if !r.is_array() {
        return Err((
            value.start,
            format!(
                "{element} must be a string or an array of strings, found {}",
                r.kind_name()
            ),
        ));
    }
    r.enter_array().map_err(syntax)?;
    let mut count = 0;
    while r.next_item().map_err(syntax)? {
        if !r.is_string() {
            return Err((
                r.pos(),
                format!("{element} entries must be strings, found {}", r.kind_name()),
            ));
        }
        r.skip().map_err(syntax)?;
        count += 1;
    }
    if count == 0 {
        return Err((value.start, format!("{element} is an empty array")));
    }
    Ok(count)
}

/// Each string of the element at `value` (checked by [`strings_in`]), unescaped and where it
/// starts, read straight from `source`.
fn each_string<'t>(
    source: &'t str,
    value: Span,
    mut each: impl FnMut(std::borrow::Cow<'t, str>, usize) -> Result<(), (usize, String)>,
) -> Result<(), (usize, String)> {
    let mut r = Reader::at(source, value.start);
    if r.is_string() {
        return each(r.string().map_err(syntax)?, value.start);
    }
    r.enter_array().map_err(syntax)?;
    while r.next_item().map_err(syntax)? {
        let start = r.pos();
        each(r.string().map_err(syntax)?, start)?;
    }
    Ok(())
}

/// A [`ResourceSpec`] built pattern by pattern.
struct ResourceSpecBuilder {
    /// How many patterns there are.
    count: usize,
    /// Each pattern's text, as [`PatternTexts`] joins several: `None` while every
    /// text pushed is in the source (then the element's text is theirs).
    joined: Option<String>,
    /// How each is compiled, from the first that is not read in place on: empty until
    /// then.
    compiled: Vec<CompiledResource>,
    /// How many patterns are pushed.
    pushed: usize,
}

impl ResourceSpecBuilder {
    /// Room for `count` patterns.
    fn new(count: usize) -> Self {
        Self {
            count,
            joined: None,
            compiled: Vec::new(),
            pushed: 0,
        }
    }

    /// The next pattern (read for policy variables when `variables`). `in_source` when
    /// `text` is the source's text, as it is without escapes; `before` gives the texts
    /// pushed before, in order, should this one not be.
    fn push<'t>(
        &mut self,
        text: &str,
        in_source: bool,
        variables: bool,
        before: impl FnOnce() -> Vec<&'t str>,
    ) -> Result<(), String> {
        let compiled = CompiledResource::of(text, variables)?;
        // Kept from the first that is not read in place on, the ones before filled in.
        if self.compiled.is_empty() && !matches!(compiled, CompiledResource::View) {
            self.compiled.reserve_exact(self.count);
            self.compiled
                .extend((0..self.pushed).map(|_| CompiledResource::View));
            self.compiled.push(compiled);
        } else if !self.compiled.is_empty() {
            self.compiled.push(compiled);
        }
        if self.joined.is_none() && !in_source {
            let mut joined = String::new();
            for t in before() {
                self.write(&mut joined, t);
            }
            self.joined = Some(joined);
        }
        if let Some(mut joined) = self.joined.take() {
            self.write(&mut joined, text);
            self.joined = Some(joined);
        }
        self.pushed += 1;
        Ok(())
    }

    /// Writes `text` after `joined`, as [`PatternTexts`] joins them.
    fn write(&self, joined: &mut String, text: &str) {
        if self.count != 1 {
            write!(joined, "{}:", text.len()).ok();
        }
        joined.push_str(text);
    }

    /// The element, whose text (when every pattern's text is in it) is `source` between
    /// `start` and `end`.
    fn finish(
        self,
        negated: bool,
        source: &crate::text::SourceText,
        start: usize,
        end: usize,
    ) -> ResourceSpec {
        let whole = |text: String| PatternTexts {
            end: u32::try_from(text.len()).unwrap_or(u32::MAX),
            text: crate::text::source_text(text),
            start: 0,
        };
        let (texts, joined) = match (self.joined, u32::try_from(start), u32::try_from(end)) {
            (Some(joined), ..) => (whole(joined), true),
            (None, Ok(start), Ok(end)) => (
                PatternTexts {
                    text: Arc::clone(source),
                    start,
                    end,
                },
                false,
            ),
            // Past 4 GiB in the source (never, under the input limit): a copy of the
            // element's text, read as it is in the source.
            (None, ..) => (
                whole(source.get(start..end).unwrap_or_default().to_owned()),
                false,
            ),
        };
        ResourceSpec {
            negated,
            joined,
            count: u32::try_from(self.count).unwrap_or(u32::MAX),
            texts,
            compiled: CompiledResource::all(self.compiled),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::Matches;

    /// Built pattern by pattern, each pattern is as it is compiled alone, wherever the
    /// first one not read in place comes (or none does).
    #[test]
    fn a_resource_element_built_pattern_by_pattern_keeps_each_as_compiled_alone() {
        // As written in JSON, and as read: the last has an escape, so the element's texts
        // are copied, not read in the source.
        let kinds = [
            ("arn:aws:iam::*:role/x", "arn:aws:iam::*:role/x"),
            (
                "arn:aws:iam::*:role/${aws:username}-*",
                "arn:aws:iam::*:role/${aws:username}-*",
            ),
            ("arn:aws:iam::*:role/é", "arn:aws:iam::*:role/é"),
            ("*", "*"),
            (r"arn:aws:iam::*:role/\u0079", "arn:aws:iam::*:role/y"),
        ];
        let resources = |element: &str| {
            let text = format!(
                r#"{{"Version":"2012-10-17","Statement":{{"Effect":"Allow","Action":"*","Resource":{element}}}}}"#
            );
            let source: crate::text::SourceText = text.into();
            let doc = super::json::parse(&source).unwrap();
            let policy = super::parse_document("t", &source, &doc).unwrap();
            policy.statements[0].resources.clone()
        };
        let shape = |p: super::ResourcePattern<'_>| {
            (
                p.text.to_owned(),
                p.compiled.map(|g| format!("{g:?}")),
                p.variables().map(|v| v.text.to_owned()),
            )
        };
        for mask in 0..5usize.pow(3) {
            for len in 1..=3 {
                let picked: Vec<_> = (0..len)
                    .map(|i| kinds[(mask / 5usize.pow(i)) % 5])
                    .collect();
                let written: Vec<String> =
                    picked.iter().map(|(w, _)| format!(" \"{w}\" ")).collect();
                let texts: Vec<&str> = picked.iter().map(|(_, t)| *t).collect();
                let mut specs = vec![resources(&format!("[{}]", written.join(",")))];
                if len == 1 {
                    specs.push(resources(&written[0]));
                }
                for spec in &specs {
                    assert_eq!(spec.texts().collect::<Vec<_>>(), texts);
                    assert_eq!(spec.len(), len as usize);
                    let got: Vec<_> = spec.patterns().map(shape).collect();
                    for ((text, compiled, variables), t) in got.iter().zip(&texts) {
                        assert_eq!(text, t);
                        // A pattern with a variable is resolved per request, never read as
                        // written; the others are compiled, the same as alone.
                        assert_eq!(variables.as_deref(), t.contains("${").then_some(*t));
                        assert_eq!(compiled.is_some(), !t.contains("${"), "{texts:?}");
                        if let Some(c) = compiled {
                            let one = resources(&format!("\"{t}\""));
                            let alone = one.patterns().map(shape).next().unwrap();
                            assert_eq!(Some(c), alone.1.as_ref());
                        }
                    }
                }
            }
        }
    }

    /// A statement is read by the ten thousand: its index shares a word with its effect, the
    /// order of its conditions' keys and its resources' compiled forms (which nearly every
    /// statement lacks) take a thin pointer each, and its resources' texts are a thin
    /// pointer to the policy's source and two offsets in it.
    #[test]
    fn a_statement_is_small() {
        assert!(std::mem::size_of::<super::Statement>() <= 128);
    }

    /// Both forms (a list of indexes, one bit per statement) give the same indexes and the
    /// same count, walked by `for_each` or by `next`.
    #[test]
    fn matches_walks_agree_in_both_forms() {
        let mut forms = [0; 2];
        for (indexes, statements) in [
            (vec![], 10),
            (vec![3, 7], 1_000),
            ((0..200).collect::<Vec<u32>>(), 200),
            (vec![0, 63, 64, 127, 128, 199], 200),
            ((0..130).step_by(3).collect(), 130),
        ] {
            let m = Matches::new(&indexes, statements);
            forms[usize::from(matches!(m.0.1, super::MatchesRepr::Bits(_)))] += 1;
            let want: Vec<usize> = indexes.iter().map(|&i| i as usize).collect();
            let mut walked = Vec::new();
            m.indexes().for_each(|i| walked.push(i));
            assert_eq!(walked, want);
            assert_eq!(m.indexes().collect::<Vec<_>>(), want);
            assert_eq!(m.len(), want.len());
            assert_eq!(m.is_empty(), want.is_empty());
        }
        assert!(forms[0] > 0 && forms[1] > 0, "both forms tried: {forms:?}");
    }
}
