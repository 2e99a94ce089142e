//! Making a "conditional" exact.
//!
//! The first pass combines statements with three-valued logic, which is sound but can say
//! "conditional" when statements cover each other's gaps (an Allow for `k = a` and another
//! for `k ≠ a`). Here every unknown (a condition key, an unknown part of the resource ARN) is
//! replaced by one witness value for each case the policy's own patterns can tell apart,
//! found by exploring the product of their automata, so the enumeration is complete, not a
//! sample. A key that can hold several values is also tried as an empty list and as a list
//! of two. Every combination is evaluated concretely; only when all are decided does the
//! result change. An Allow statement this cannot enumerate (other operators on unknown keys,
//! set operators, policy variables) is left out of the cases: it may only allow more, so it
//! can confirm "satisfied" but not "missing". A Deny of that kind, several resources with
//! unknown parts, or too many cases keep the conditional answer.

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, LazyLock, Mutex, OnceLock, PoisonError};

use super::decision::MissingReason;
use crate::policy::condition::{BaseOp, Operator};
use crate::policy::keys::is_multivalued;
use crate::policy::{Effect, FoldedKey, Layer, Request, Statement, VarText};
use crate::text::pattern::{Bits, GlobRef, Piece, Template, Tok, alphabet};

/// At most this many automaton states are explored for one unknown.
const MAX_STATES: usize = 4_000;
/// At most this much work (states times characters tried times patterns) to find the
/// witnesses of one unknown.
const MAX_WITNESS_WORK: usize = 200_000;
/// At most this many statement evaluations (cases times statements) to refine one answer.
/// A statement of many resource patterns counts once more for each [`PATTERNS_PER_WORK`]
/// of them.
pub const MAX_REFINE_WORK: usize = 40_000;
/// A statement's evaluation in a case counts once, and once more for each this many of its
/// resource patterns (each case matches them all: a statement may list a hundred thousand).
const PATTERNS_PER_WORK: usize = 16;
/// At most this many concrete requests are evaluated.
const MAX_CASES: usize = 2_048;

/// The concrete requests that together cover every case of the statements this can
/// enumerate, and the Allow statements it cannot (evaluated as absent: they may only allow
/// more, so they can confirm "satisfied" but never "missing").
pub struct Refinement<'a> {
    cases: Arc<Cases>,
    /// How many cases there are (the product of the choices).
    pub count: usize,
    /// Allow statements left out of the cases.
    pub may_allow: Vec<&'a Statement>,
}

/// The cases as remembered (see [`cases`]), without borrowing the statements.
struct Cases {
    /// For each unknown key, its cases.
    keys: Vec<KeyCases>,
    /// For a resource with unknown parts, the witnesses of each of its six ARN parts.
    resource_parts: Vec<Vec<String>>,
    count: usize,
    /// Where the Allows left out are in the statement list given to [`cases`], in order.
    left_out: Box<[u32]>,
    /// What evaluating every case came to, once it has been done.
    outcome: OnceLock<CaseOutcome>,
}

/// What evaluating every case of a refinement came to. It depends on nothing the cases
/// are not remembered under (the statements, the resources, the keys), so it is
/// remembered with them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CaseOutcome {
    /// Some case was conditional, or allowed while another was denied, or a case was
    /// denied while Allows were left out: nothing can be concluded.
    Undecided,
    /// Every case was allowed.
    Allowed,
    /// Every case was denied: the reason (an explicit deny only if every case was denied
    /// explicitly), and the layers in which no Allow applied.
    Denied {
        missing: Option<MissingReason>,
        layers: Vec<Layer>,
    },
}

impl Refinement<'_> {
    /// True when the cases fill in the resource's unknown parts (each case then has a
    /// resource of its own); false when only condition keys vary.
    pub fn varies_resource(&self) -> bool {
        !self.cases.resource_parts.is_empty()
    }

    /// Where the Allows left out ([`may_allow`](Self::may_allow)) are in the statement list
    /// given to [`cases`], in order.
    pub fn left_out(&self) -> &[u32] {
        &self.cases.left_out
    }

    /// What evaluating every case came to: `decide` works it out the first time, later
    /// refinements of the same statements, resources and keys are told it.
    pub fn outcome(&self, decide: impl FnOnce() -> CaseOutcome) -> CaseOutcome {
        self.cases.outcome.get_or_init(decide).clone()
    }

    /// Calls `f` with each case as a concrete request, built one at a time in one buffer
    /// (the cases are never all in memory), until `f` says stop. False when it stopped.
    pub fn each_case(&self, req: &Request, mut f: impl FnMut(&Request) -> bool) -> bool {
        let mut case = req.clone();
        let mut chosen: Vec<&str> = Vec::with_capacity(6);
        for n in 0..self.count {
            let mut rest = n;
            for (key, values) in &self.cases.keys {
                let v = &values[rest % values.len()];
                rest /= values.len();
                match v {
                    Some(v) => case.context.set(key, v.iter().cloned()),
                    None => case.context.set_absent(key),
                }
            }
            if !self.cases.resource_parts.is_empty() {
                chosen.clear();
                for p in &self.cases.resource_parts {
                    chosen.push(&p[rest % p.len()]);
                    rest /= p.len();
                }
                case.resources = vec![Template::literal(&chosen.join(":"))];
            }
            if !f(&case) {
                return false;
            }
        }
        true
    }
}

/// Why there is no refinement.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Unrefined {
    /// Something the cases cannot capture (a Deny that cannot be enumerated, several
    /// resources with unknown parts, patterns too complex for witnesses).
    NotEnumerable,
    /// The cases times the statements to evaluate in each (weighed by their resource
    /// patterns) exceed the budget.
    TooManyCases,
}

/// The cases, or why not: a Deny uses something this cannot enumerate (a Deny left out could
/// deny a case, so nothing could be concluded), or evaluating every case would cost more
/// than [`MAX_REFINE_WORK`] statement evaluations (checked before any case is built).
///
/// `names` names the statement list exactly (see `evaluate::matching`: which policies'
/// lists of matching statements, in which layers). The answer depends only on which
/// statements these are and on the request's resources and keys (not its action), so it is
/// remembered under those: the many actions of a refresh whose statements are the same
/// (every `Delete*` action against `autoscaling:*`, say) work it out once, and so does
/// every later refresh of the same policies.
pub fn cases<'a>(
    req: &Request,
    statements: &[&'a Statement],
    names: &[u64],
) -> Result<Refinement<'a>, Unrefined> {
    let key = cases_key(&CASES_KEYS, req, names, statements.len());
    let cases = remembered(&CASES_MEMO, key, || match cases_inner(req, statements) {
        None => Err(Unrefined::NotEnumerable),
        Some(Err(why)) => Err(why),
        Some(Ok(c)) => Ok(Arc::new(c)),
    })?;
    Ok(Refinement {
        may_allow: cases
            .left_out
            .iter()
            .filter_map(|&i| statements.get(i as usize).copied())
            .collect(),
        count: cases.count,
        cases,
    })
}

/// The cases worked out, shared by the threads of the process (a refresh spreads its
/// actions over them, and a later refresh may run on others).
static CASES_MEMO: Memo<Result<Arc<Cases>, Unrefined>> = LazyLock::new(Mutex::default);
static CASES_KEYS: LazyLock<(std::hash::RandomState, std::hash::RandomState)> =
    LazyLock::new(|| (std::hash::RandomState::new(), std::hash::RandomState::new()));

/// The key [`cases`] remembers an answer under: which statements, the resources and what is
/// known of the keys, as two hashes under random keys (see [`MemoKey`]).
fn cases_key(
    keys: &(std::hash::RandomState, std::hash::RandomState),
    req: &Request,
    names: &[u64],
    statements: usize,
) -> MemoKey {
    use std::hash::{BuildHasher, Hash, Hasher};
    let (mut a, mut b) = (keys.0.build_hasher(), keys.1.build_hasher());
    names.hash(&mut a);
    names.hash(&mut b);
    req.resources.hash(&mut a);
    req.resources.hash(&mut b);
    req.context.hash(&mut a);
    req.context.hash(&mut b);
    (a.finish(), b.finish(), statements)
}

fn cases_inner(req: &Request, statements: &[&Statement]) -> Option<Result<Cases, Unrefined>> {
    let mut handled = Vec::new();
    let mut left_out = Vec::new();
    for (i, st) in statements.iter().enumerate() {
        if handles(req, st) {
            handled.push(*st);
        } else if st.effect == Effect::Allow {
            left_out.push(u32::try_from(i).ok()?);
        } else {
            return None;
        }
    }
    // Every case evaluates every statement, and there are at least two cases (a value and
    // absent) per unknown key the cases try: when even that is over the budget, say so
    // before any witness is looked for.
    let per_case = statements
        .iter()
        .map(|st| 1 + st.resources.len() / PATTERNS_PER_WORK)
        .sum::<usize>()
        .max(1)
        * req.resources.len().max(1);
    let over_budget = |distinct: usize| {
        u32::try_from(distinct)
            .ok()
            .and_then(|k| 2usize.checked_pow(k))
            .and_then(|n| n.checked_mul(per_case))
            .is_none_or(|w| w > MAX_REFINE_WORK)
    };
    if over_budget(0) {
        return Some(Err(Unrefined::TooManyCases));
    }
    // The distinct unknown keys, counted only as far as the budget allows (a few dozen at
    // most): a statement of a hundred thousand keys is over it by its first ones, with no
    // list of them all.
    let mut distinct: Vec<FoldedKey<'_>> = Vec::new();
    for c in handled.iter().flat_map(|st| &st.conditions) {
        if !c.key_unknown(&req.context) {
            continue;
        }
        let key = c.key_folded();
        if !distinct.contains(&key) {
            distinct.push(key);
            if over_budget(distinct.len()) {
                return Some(Err(Unrefined::TooManyCases));
            }
        }
    }
    let multivalued = multivalued_keys(statements, &distinct);
    let keys = key_values(req, &handled, &multivalued)?;
    let resource_parts = resource_parts(req, &handled)?;
    Some(
        count_cases(&keys, &resource_parts, per_case).map(|count| Cases {
            keys,
            resource_parts,
            count,
            left_out: left_out.into(),
            outcome: OnceLock::new(),
        }),
    )
}

/// True when every unknown a statement tests can be enumerated: string comparisons and
/// `Null` without set operators on unknown keys, no policy variables, resource patterns
/// split into ARN parts.
fn handles(req: &Request, st: &Statement) -> bool {
    let conditions_ok = st.conditions.iter().all(|c| {
        if c.values.iter().any(VarText::has_variables) {
            return false;
        }
        if req.context.get(&c.key).is_some() {
            return true;
        }
        matches!(
            c.operator(),
            Operator::Known {
                set: None,
                base: BaseOp::StringEquals
                    | BaseOp::StringNotEquals
                    | BaseOp::StringLike
                    | BaseOp::StringNotLike
                    | BaseOp::Null,
                ..
            }
        )
    });
    let open_resource = matches!(req.resources.as_slice(), [r] if !r.is_known());
    let resources_ok = st.resources.compiled().all(|compiled| match compiled {
        None => false,
        Some(_) if !open_resource => true,
        Some(g) => g.parts().is_some() || g.glob().accepts_everything(),
    });
    conditions_ok && resources_ok
}

/// Which of `keys` (the unknown keys the cases try, lower-cased) may hold several values:
/// those known to be multivalued, and those any statement tests with `ForAnyValue` or
/// `ForAllValues`. Only these keys are kept: the statements may test a hundred thousand
/// others.
fn multivalued_keys<'a>(
    statements: &[&Statement],
    keys: &[FoldedKey<'a>],
) -> HashSet<FoldedKey<'a>> {
    let mut out = HashSet::new();
    for c in statements.iter().flat_map(|st| &st.conditions) {
        if !(is_multivalued(&c.key) || matches!(c.operator(), Operator::Known { set: Some(_), .. }))
        {
            continue;
        }
        let key = c.key_folded();
        if let Some(k) = keys.iter().find(|k| **k == key) {
            out.insert(*k);
        }
    }
    out
}

/// One key's cases: each value of it, or `None` for absent.
type KeyCases = (String, Vec<Option<Vec<String>>>);

/// For each unknown condition key the statements test: one witness value per case the
/// statements' patterns can tell apart, and absent; for a multivalued key also an empty
/// list and a list of two values.
fn key_values(
    req: &Request,
    statements: &[&Statement],
    multivalued: &HashSet<FoldedKey<'_>>,
) -> Option<Vec<KeyCases>> {
    // The values as compiled for their operators at parse time (literal for the
    // `...Equals` ones, with `${*}`-style escapes already literal).
    let mut keys: HashMap<FoldedKey<'_>, (&str, Vec<GlobRef<'_>>)> = HashMap::new();
    for st in statements {
        for c in &st.conditions {
            if !c.key_unknown(&req.context) {
                continue;
            }
            let Operator::Known { base, .. } = c.operator() else {
                return None;
            };
            let entry = keys
                .entry(c.key_folded())
                .or_insert_with(|| (&*c.key, Vec::new()));
            match base {
                BaseOp::StringEquals
                | BaseOp::StringNotEquals
                | BaseOp::StringLike
                | BaseOp::StringNotLike => {
                    for i in 0..c.values.len() {
                        entry.1.push(c.value_glob(i)?);
                    }
                }
                BaseOp::Null => {}
                _ => return None,
            }
        }
    }
    let mut key_list: Vec<(FoldedKey<'_>, (&str, Vec<GlobRef<'_>>))> = keys.into_iter().collect();
    key_list.sort_by(|a, b| a.0.cmp(&b.0));
    let any = Template {
        pieces: vec![Piece::Hole("v".to_owned())],
    };
    key_list
        .into_iter()
        .map(|(lower, (key, globs))| {
            let singles = witnesses(&any, globs)?;
            let mut values: Vec<Option<Vec<String>>> =
                singles.iter().map(|w| Some(vec![w.clone()])).collect();
            values.push(None); // the key is absent
            if multivalued.contains(&lower) {
                values.push(Some(Vec::new()));
                // Several values: without a set operator the outcome does not depend on which.
                let first = singles.first().cloned().unwrap_or_default();
                let second = singles.get(1).cloned().unwrap_or_else(|| first.clone());
                values.push(Some(vec![first, second]));
            }
            Some((key.to_owned(), values))
        })
        .collect()
}

/// How many resource patterns refinement reads once for every unknown part of an ARN at
/// the same time; beyond, one part at a time (a statement may list a hundred thousand
/// patterns, and a list of them for each part was held at once).
const ONE_PASS_PATTERNS: usize = 20_000;

/// For a single resource with unknown parts: witnesses for each of its six ARN parts.
/// Empty when every resource is known.
fn resource_parts(req: &Request, statements: &[&Statement]) -> Option<Vec<Vec<String>>> {
    resource_parts_within(req, statements, ONE_PASS_PATTERNS)
}

/// [`resource_parts`], reading the patterns once for every part when there are at most
/// `one_pass` of them.
fn resource_parts_within(
    req: &Request,
    statements: &[&Statement],
    one_pass: usize,
) -> Option<Vec<Vec<String>>> {
    let mut resource_parts: Vec<Vec<String>> = Vec::new();
    match req.resources.as_slice() {
        [r] if !r.is_known() => {
            let parts = r.split_colons(6);
            if parts.len() != 6 {
                return None;
            }
            let mut seen: HashSet<&str> = HashSet::new();
            for part in &parts {
                for h in part.holes() {
                    if !seen.insert(h) {
                        return None; // one unknown in two parts: not independent
                    }
                }
            }
            let unknown: Vec<usize> = (0..6).filter(|&i| !parts[i].is_known()).collect();
            let patterns: usize = statements.iter().map(|st| st.resources.len()).sum();
            // The patterns of every unknown part in one reading of the statements, or of
            // one part at a time when there are many.
            let mut all = if patterns <= one_pass && !unknown.is_empty() {
                part_globs(statements, &unknown)?
            } else {
                Vec::new()
            };
            for (i, part) in parts.iter().enumerate() {
                if part.is_known() {
                    resource_parts.push(vec![part.to_string()]);
                    continue;
                }
                let globs = match all.iter_mut().find(|(k, _)| *k == i) {
                    Some((_, globs)) => std::mem::take(globs),
                    None => part_globs(statements, &[i])?.pop()?.1,
                };
                resource_parts.push(witnesses(part, globs)?);
            }
        }
        rs if rs.iter().all(Template::is_known) => {}
        _ => return None,
    }
    Some(resource_parts)
}

/// The statements' patterns of each of the ARN parts `parts`, in order, but for those of
/// stars only (they tell no two strings apart: see [`witnesses`]). `None` when a pattern
/// cannot be taken apart (it holds a policy variable, or spans parts).
fn part_globs<'s>(
    statements: &[&'s Statement],
    parts: &[usize],
) -> Option<Vec<(usize, Vec<GlobRef<'s>>)>> {
    let mut out: Vec<(usize, Vec<GlobRef<'s>>)> = parts.iter().map(|&i| (i, Vec::new())).collect();
    for st in statements {
        for compiled in st.resources.compiled() {
            let g = compiled?;
            match g.parts() {
                Some(p) => {
                    for (i, globs) in &mut out {
                        if !p[*i].accepts_everything() {
                            globs.push(p[*i]);
                        }
                    }
                }
                // A whole-string pattern other than "*" spans parts.
                None if g.glob().accepts_everything() => {}
                None => return None,
            }
        }
    }
    Some(out)
}

/// How many combinations of key values and resource parts there are, or too many: more
/// than [`MAX_CASES`], or more than [`MAX_REFINE_WORK`] statement evaluations in all.
fn count_cases(
    keys: &[KeyCases],
    resource_parts: &[Vec<String>],
    per_case: usize,
) -> Result<usize, Unrefined> {
    let mut total: usize = 1;
    for n in keys
        .iter()
        .map(|(_, v)| v.len())
        .chain(resource_parts.iter().map(Vec::len))
    {
        total = total.checked_mul(n).ok_or(Unrefined::TooManyCases)?;
    }
    let work = total.checked_mul(per_case).ok_or(Unrefined::TooManyCases)?;
    if total > MAX_CASES || work > MAX_REFINE_WORK {
        return Err(Unrefined::TooManyCases);
    }
    Ok(total)
}

/// One string of `template` for every combination of `globs` matching or not that some
/// string of the template realises. `None` if there are too many states to explore.
pub fn witnesses(template: &Template, mut globs: Vec<GlobRef<'_>>) -> Option<Vec<String>> {
    // A pattern of stars only accepts every string, and a pattern given twice accepts what
    // its twin does: neither tells two strings apart, so the cells are the same without
    // them (and the search is over far fewer patterns: many statements share a part).
    // Sorted and deduplicated by comparison (which stops at the first difference), not by
    // hashing every token; the order of the patterns does not change the witnesses. In
    // place: the list holds a pattern per statement.
    globs.retain(|g| !g.accepts_everything());
    globs.sort_unstable();
    globs.dedup();
    let globs = globs.as_slice();
    // The same unknowns against the same patterns come up for requirement after
    // requirement of one refresh: remember the last answers. The key is one pass over the
    // patterns (as the sort was); the budget is looked at only when the answer is not
    // remembered. When one state alone would be over it, there is no search.
    let key = memo_key(&MEMO_KEYS, template, globs);
    remembered(&MEMO, key, || {
        if one_state_over_budget(template, globs) {
            None
        } else {
            find_witnesses(template, globs)
        }
    })
}

/// How many answers each memo remembers (then it starts again).
const MEMO_SIZE: usize = 512;

/// A memo shared by the threads of the process.
pub(super) type Memo<V> = LazyLock<Mutex<HashMap<MemoKey, V>>>;

/// The answer remembered under `key`, or the one `work` finds (then remembered). The memo
/// is locked only to look and to store, not while `work` runs: two threads that miss the
/// same key at once both work it out, and store the same answer. An answer depends on its
/// key alone, so a lock poisoned by a panic elsewhere still holds good answers.
pub(super) fn remembered<V: Clone>(memo: &Memo<V>, key: MemoKey, work: impl FnOnce() -> V) -> V {
    let lock = || memo.lock().unwrap_or_else(PoisonError::into_inner);
    if let Some(hit) = lock().get(&key).cloned() {
        return hit;
    }
    let found = work();
    let mut m = lock();
    if m.len() >= MEMO_SIZE {
        m.clear();
    }
    m.insert(key, found.clone());
    found
}

/// Forgets every refinement and witness remembered (see [`super::forget_remembered`]).
pub(super) fn forget_memos() {
    CASES_MEMO
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .clear();
    MEMO.lock().unwrap_or_else(PoisonError::into_inner).clear();
}

/// A memo key: the template and the patterns written out unambiguously, as two 64-bit
/// hashes under keys drawn at random for each process, and the length written. Kept
/// instead of the writing itself, which for thousands of patterns is far larger than the
/// policy: an unlucky (or crafted) collision would need both hashes to agree at once under
/// keys no input can know.
pub(super) type MemoKey = (u64, u64, usize);

/// The witnesses found, shared by the threads of the process.
static MEMO: Memo<Option<Vec<String>>> = LazyLock::new(Mutex::default);
static MEMO_KEYS: LazyLock<(std::hash::RandomState, std::hash::RandomState)> =
    LazyLock::new(|| (std::hash::RandomState::new(), std::hash::RandomState::new()));

/// The code of a hole in a memo key: above every character.
const HOLE: u32 = 0x11_0002;

/// The [`MemoKey`] of the template and the patterns: the template's length and pieces, then
/// each pattern as [`GlobRef::hash_into`] feeds it (its own length first).
fn memo_key(
    keys: &(std::hash::RandomState, std::hash::RandomState),
    template: &Template,
    globs: &[GlobRef<'_>],
) -> MemoKey {
    use std::hash::{BuildHasher, Hasher};
    let (mut a, mut b) = (keys.0.build_hasher(), keys.1.build_hasher());
    a.write_usize(template.pieces.len());
    b.write_usize(template.pieces.len());
    for p in &template.pieces {
        let code = match p {
            Piece::Lit(c) => u32::from(*c),
            Piece::Hole(_) => HOLE,
        };
        a.write_u32(code);
        b.write_u32(code);
    }
    let mut len = template.pieces.len();
    for g in globs {
        g.hash_into(&mut a);
        g.hash_into(&mut b);
        len += g.len() + 1;
    }
    (a.finish(), b.finish(), len)
}

/// The alphabet of a witness search: every character the patterns and the template name,
/// and one they do not.
fn witness_alphabet(template: &Template, globs: &[GlobRef<'_>]) -> Vec<char> {
    alphabet(
        globs
            .iter()
            .flat_map(|g| {
                g.tokens()
                    .filter_map(|t| if let Tok::Lit(c) = t { Some(c) } else { None })
            })
            .chain(template.pieces.iter().filter_map(|p| {
                if let Piece::Lit(c) = p {
                    Some(*c)
                } else {
                    None
                }
            })),
    )
}

/// True when one state of the witness search alone would cost more than the budget: a
/// step per character per pattern, each step a pass over the pattern's positions (64 a
/// word).
fn one_state_over_budget(template: &Template, globs: &[GlobRef<'_>]) -> bool {
    let words = state_words(template, globs);
    // The alphabet holds at most the 128 ASCII characters, each other character a pattern
    // or the template names, and a fresh one: when even that many stay under the budget,
    // the alphabet itself need not be worked out.
    let most = 129usize
        .saturating_add(template.pieces.len())
        .saturating_add(globs.iter().map(|g| g.wide_len()).sum());
    most.saturating_mul(words) > MAX_WITNESS_WORK
        && witness_alphabet(template, globs)
            .len()
            .saturating_mul(words)
            > MAX_WITNESS_WORK
}

/// The words of a state of the witness search: the template's positions and each
/// pattern's, 64 a word.
fn state_words(template: &Template, globs: &[GlobRef<'_>]) -> usize {
    (template.pieces.len() + 1).div_ceil(64)
        + globs
            .iter()
            .map(|g| (g.len() + 1).div_ceil(64))
            .sum::<usize>()
}

/// The states of a witness search, in the order found (the order of the breadth-first
/// search). A state is the template's positions and the patterns still alive with their
/// positions: a pattern that can no longer match stays so, and most patterns of a part die
/// within their first few characters, so a state lists only the living ones (their indexes
/// in one list, their words side by side in another). The states are the same as if every
/// pattern were listed, and found in the same order.
struct States {
    tpls: Vec<Bits>,
    alive: Vec<u32>,
    words: Vec<u64>,
    /// Where each state's patterns and words start (one more at the end).
    alive_at: Vec<usize>,
    words_at: Vec<usize>,
    /// The state each was reached from, with the character read. Each state's string is
    /// spelled out only if it is a witness.
    parent: Vec<(u32, char)>,
}

impl States {
    fn alive(&self, j: usize) -> &[u32] {
        &self.alive[self.alive_at[j]..self.alive_at[j + 1]]
    }

    fn words(&self, j: usize) -> &[u64] {
        &self.words[self.words_at[j]..self.words_at[j + 1]]
    }

    fn is(&self, j: usize, t: &Bits, alive: &[u32], words: &[u64]) -> bool {
        self.tpls[j] == *t && self.alive(j) == alive && self.words(j) == words
    }

    fn push(&mut self, t: Bits, alive: &[u32], words: &[u64], parent: (u32, char)) {
        self.tpls.push(t);
        self.alive.extend_from_slice(alive);
        self.words.extend_from_slice(words);
        self.alive_at.push(self.alive.len());
        self.words_at.push(self.words.len());
        self.parent.push(parent);
    }

    /// The patterns that accept in state `j`, in order.
    fn accepting(&self, j: usize, globs: &[GlobRef<'_>]) -> Vec<u32> {
        let mut w = 0;
        let words = self.words(j);
        let mut out = Vec::new();
        for &k in self.alive(j) {
            let g = globs[k as usize];
            if g.accepts_words(&words[w..w + g.words()]) {
                out.push(k);
            }
            w += g.words();
        }
        out
    }

    /// The patterns alive after reading `c` in state `j`, and their words, into the two
    /// lists (cleared first).
    fn step(&self, j: usize, c: char, globs: &[GlobRef<'_>], into: &mut (Vec<u32>, Vec<u64>)) {
        let (alive, words) = into;
        alive.clear();
        words.clear();
        let (mut w, from) = (0, self.words(j));
        for &k in self.alive(j) {
            let g = globs[k as usize];
            let n = g.words();
            let to = words.len();
            words.resize(to + n, 0);
            g.step_words(&from[w..w + n], c, &mut words[to..]);
            if words[to..].iter().all(|&x| x == 0) {
                words.truncate(to); // died here
            } else {
                alive.push(k);
            }
            w += n;
        }
    }

    /// The string read to reach state `i`.
    fn spell(&self, mut i: u32) -> String {
        let mut chars = Vec::new();
        while let Some(&(from, c)) = self.parent.get(i as usize).filter(|p| p.0 != u32::MAX) {
            chars.push(c);
            i = from;
        }
        chars.iter().rev().collect()
    }
}

fn find_witnesses(template: &Template, globs: &[GlobRef<'_>]) -> Option<Vec<String>> {
    let alphabet = witness_alphabet(template, globs);
    let mut states = States {
        tpls: Vec::new(),
        alive: Vec::new(),
        words: Vec::new(),
        alive_at: vec![0],
        words_at: vec![0],
        parent: Vec::new(),
    };
    let mut first: (Vec<u32>, Vec<u64>) = (Vec::new(), Vec::new());
    for (k, g) in globs.iter().enumerate() {
        first.0.push(u32::try_from(k).ok()?);
        let at = first.1.len();
        first.1.resize(at + g.words(), 0);
        g.start_words(&mut first.1[at..]);
    }
    states.push(template.start(), &first.0, &first.1, (u32::MAX, '\0'));
    // The states by hash, colliding ones chained (`next`). Hashed quickly, with keys drawn
    // at random so that no pattern can choose collisions. A collision costs a comparison,
    // never an answer.
    let hasher = foldhash::fast::RandomState::default();
    let hash = |t: &Bits, a: &[u32], w: &[u64]| {
        use std::hash::BuildHasher;
        hasher.hash_one((t, a, w))
    };
    let mut by_hash: HashMap<u64, u32, foldhash::fast::RandomState> = HashMap::default();
    let mut next: Vec<u32> = vec![u32::MAX];
    by_hash.insert(hash(&states.tpls[0], &first.0, &first.1), 0);
    // Which patterns accept, by the patterns that do: the first state of each.
    let mut found: HashMap<Vec<u32>, u32> = HashMap::new();
    let mut buf = first;
    // The work is counted as for a state that lists every pattern: the budget, and so
    // every answer, is the same as it was.
    let per_state = alphabet.len().saturating_mul(state_words(template, globs));
    let mut work: usize = 0;
    let mut at = 0;
    while at < states.tpls.len() {
        // Bounded as it goes, not after.
        work = work.saturating_add(per_state);
        if work > MAX_WITNESS_WORK {
            return None;
        }
        if template.accepts(&states.tpls[at]) {
            found
                .entry(states.accepting(at, globs))
                .or_insert(u32::try_from(at).ok()?);
        }
        for &c in &alphabet {
            let t2 = template.step(&states.tpls[at], c);
            if t2.is_empty() {
                continue;
            }
            states.step(at, c, globs, &mut buf);
            let h = hash(&t2, &buf.0, &buf.1);
            let mut i = by_hash.get(&h).copied().unwrap_or(u32::MAX);
            while i != u32::MAX && !states.is(i as usize, &t2, &buf.0, &buf.1) {
                i = next[i as usize];
            }
            if i != u32::MAX {
                continue; // seen
            }
            let new = u32::try_from(states.tpls.len()).ok()?;
            next.push(by_hash.insert(h, new).unwrap_or(u32::MAX));
            states.push(t2, &buf.0, &buf.1, (u32::try_from(at).ok()?, c));
            if states.tpls.len() > MAX_STATES {
                return None;
            }
        }
        at += 1;
    }
    let mut out: Vec<String> = found.into_values().map(|i| states.spell(i)).collect();
    out.sort();
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::text::pattern::Glob;

    #[test]
    fn witnesses_cover_every_cell() {
        let globs = [Glob::new("a*", false), Glob::new("*b", false)];
        let w = witnesses(
            &Template::parse("{v}"),
            vec![globs[0].view(), globs[1].view()],
        )
        .unwrap();
        let cells: HashSet<(bool, bool)> = w
            .iter()
            .map(|s| (globs[0].matches(s), globs[1].matches(s)))
            .collect();
        assert_eq!(cells.len(), 4, "{w:?}");
    }

    #[test]
    fn witnesses_respect_the_template() {
        let w = witnesses(
            &Template::parse("role/{r}"),
            vec![Glob::new("role/app-*", false).view()],
        )
        .unwrap();
        assert!(w.iter().all(|s| s.starts_with("role/")));
        assert_eq!(w.len(), 2, "{w:?}");
    }

    /// The witness search as it was before its states listed only the patterns alive
    /// (every pattern's words in every state): the reference the search is held to.
    fn dense_witnesses(template: &Template, globs: &[GlobRef<'_>]) -> Option<Vec<String>> {
        let alphabet = witness_alphabet(template, globs);
        // Every pattern's state side by side in one list of words: a state of the search
        // costs a word per pattern (most are short), not a list per pattern.
        let mut offsets = Vec::with_capacity(globs.len() + 1);
        offsets.push(0);
        for g in globs {
            offsets.push(offsets.last().copied().unwrap_or(0) + g.words());
        }
        let total = offsets.last().copied().unwrap_or(0);
        let part = |k: usize| offsets[k]..offsets[k + 1];
        let mut first = vec![0u64; total];
        for (k, g) in globs.iter().enumerate() {
            g.start_words(&mut first[part(k)]);
        }
        // The states found, in the order found (which is the order of the breadth-first
        // search): the template's positions, the patterns' words side by side (`total` a
        // state), and the state it was reached from with the character read. Each state's
        // string is spelled out only if it is a witness.
        let mut tpls: Vec<Bits> = vec![template.start()];
        let mut words: Vec<u64> = first;
        let mut parent: Vec<(u32, char)> = vec![(u32::MAX, '\0')];
        // The states by hash, colliding ones chained (`next`). Hashed quickly, with keys drawn
        // at random so that no pattern can choose collisions: a state is a word per pattern,
        // hundreds of words, hashed for every character tried. A collision costs a
        // comparison, never an answer.
        let hasher = foldhash::fast::RandomState::default();
        let hash = |t: &Bits, w: &[u64]| {
            use std::hash::BuildHasher;
            hasher.hash_one((t, w))
        };
        let mut by_hash: HashMap<u64, u32, foldhash::fast::RandomState> = HashMap::default();
        let mut next: Vec<u32> = vec![u32::MAX];
        by_hash.insert(hash(&tpls[0], &words), 0);
        let mut found: HashMap<Vec<bool>, u32> = HashMap::new();
        let mut buf = vec![0u64; total];
        let per_state = alphabet.len().saturating_mul(state_words(template, globs));
        let mut work: usize = 0;
        let mut at = 0;
        while at < tpls.len() {
            // Bounded as it goes, not after.
            work = work.saturating_add(per_state);
            if work > MAX_WITNESS_WORK {
                return None;
            }
            let here = at * total..(at + 1) * total;
            if template.accepts(&tpls[at]) {
                let gs = &words[here.clone()];
                let accepts: Vec<bool> = globs
                    .iter()
                    .enumerate()
                    .map(|(k, g)| g.accepts_words(&gs[part(k)]))
                    .collect();
                found.entry(accepts).or_insert(u32::try_from(at).ok()?);
            }
            for &c in &alphabet {
                let t2 = template.step(&tpls[at], c);
                if t2.is_empty() {
                    continue;
                }
                {
                    let gs = &words[here.clone()];
                    buf.fill(0);
                    for (k, g) in globs.iter().enumerate() {
                        g.step_words(&gs[part(k)], c, &mut buf[part(k)]);
                    }
                }
                let h = hash(&t2, &buf);
                let mut i = by_hash.get(&h).copied().unwrap_or(u32::MAX);
                while i != u32::MAX {
                    let j = i as usize;
                    if tpls[j] == t2 && words[j * total..(j + 1) * total] == buf[..] {
                        break;
                    }
                    i = next[j];
                }
                if i != u32::MAX {
                    continue; // seen
                }
                let new = u32::try_from(tpls.len()).ok()?;
                next.push(by_hash.insert(h, new).unwrap_or(u32::MAX));
                tpls.push(t2);
                words.extend_from_slice(&buf);
                parent.push((u32::try_from(at).ok()?, c));
                if tpls.len() > MAX_STATES {
                    return None;
                }
            }
            at += 1;
        }
        let spell = |mut i: u32| {
            let mut chars = Vec::new();
            while let Some(&(from, c)) = parent.get(i as usize).filter(|p| p.0 != u32::MAX) {
                chars.push(c);
                i = from;
            }
            chars.iter().rev().collect::<String>()
        };
        let mut out: Vec<String> = found.into_values().map(spell).collect();
        out.sort();
        Some(out)
    }

    /// The search over living patterns finds the same witnesses as the search over every
    /// pattern, the same budget refusals included, on generated templates and patterns.
    #[test]
    fn witnesses_over_living_patterns_are_those_over_every_pattern() {
        let mut next = crate::text::pattern::test_numbers(0x9e37_79b9_7f4a_7c15);
        let (mut compared, mut refused) = (0, 0);
        for round in 0..3_000 {
            let pieces = ["a", "b", "-", "{h}", "{g}", "ab"];
            let template: String = (0..=next(5)).map(|_| pieces[next(6)]).collect();
            let template = Template::parse(&template);
            // Now and then many patterns, for the budget.
            let count = if round % 50 == 0 { 300 } else { 1 + next(8) };
            let texts: Vec<String> = (0..count)
                .map(|_| {
                    (0..next(7))
                        .map(|_| ['a', 'b', '-', '*', '?'][next(5)])
                        .collect()
                })
                .collect();
            let globs: Vec<Glob> = texts.iter().map(|t| Glob::new(t, false)).collect();
            let views: Vec<GlobRef<'_>> = globs.iter().map(Glob::view).collect();
            let sparse = find_witnesses(&template, &views);
            assert_eq!(
                sparse,
                dense_witnesses(&template, &views),
                "{template} {texts:?}"
            );
            compared += 1;
            refused += usize::from(sparse.is_none());
        }
        assert_eq!(compared, 3_000);
        assert!(refused > 0, "the budget was never reached");
    }

    /// The patterns of every unknown part read at once give the witnesses read one part
    /// at a time (as a statement of many patterns is), refusals included.
    #[test]
    fn resource_parts_read_at_once_are_those_read_part_by_part() {
        let policy = |resources: &str| {
            let text = format!(
                r#"{{"Version":"2012-10-17","Statement":[{{"Effect":"Allow","Action":"autoscaling:*","Resource":[{resources}]}},{{"Effect":"Allow","Action":"autoscaling:*","Resource":"arn:aws:autoscaling:eu-*:*:autoScalingGroup:*:autoScalingGroupName/b?"}}]}}"#
            );
            let source: crate::text::SourceText = text.into();
            let doc = crate::text::json::parse(&source).unwrap();
            crate::policy::parse_document("p", &source, &doc).unwrap()
        };
        let lists = [
            r#""arn:aws:autoscaling:us-east-1:1111:autoScalingGroup:*:autoScalingGroupName/a*","arn:aws:autoscaling:*:*:autoScalingGroup:*:autoScalingGroupName/*-x","arn:aws:autoscaling:us-*:2222:autoScalingGroup:g?:autoScalingGroupName/c""#,
            r#""*","arn:aws:autoscaling:*:*:autoScalingGroup:*:autoScalingGroupName/a*""#,
            // Spans parts: no witnesses either way.
            r#""arn:aws:autoscaling:*","arn:aws:autoscaling:us-east-1:1111:autoScalingGroup:*:autoScalingGroupName/a*""#,
            // A policy variable: not taken apart either way.
            r#""arn:aws:autoscaling:*:*:autoScalingGroup:*:autoScalingGroupName/${aws:username}""#,
        ];
        let templates = [
            "arn:aws:autoscaling:{region}:{account}:autoScalingGroup:{id}:autoScalingGroupName/{name}",
            "arn:aws:autoscaling:us-east-1:{account}:autoScalingGroup:{id}:autoScalingGroupName/team-{name}",
            "arn:aws:autoscaling:{region}:1111:autoScalingGroup:g1:autoScalingGroupName/a",
        ];
        let (mut found, mut refused) = (0, 0);
        for list in lists {
            let p = policy(list);
            let statements: Vec<&Statement> = p.statements.iter().collect();
            for t in templates {
                let req = Request {
                    action: "autoscaling:CreateAutoScalingGroup".into(),
                    resources: vec![Template::parse(t)],
                    context: crate::policy::Context::default(),
                };
                let at_once = resource_parts_within(&req, &statements, usize::MAX);
                let by_part = resource_parts_within(&req, &statements, 0);
                assert_eq!(at_once, by_part, "{list} {t}");
                found += usize::from(at_once.as_ref().is_some_and(|p| p.len() == 6));
                refused += usize::from(at_once.is_none());
            }
        }
        assert!(
            found >= 6 && refused >= 3,
            "{found} found, {refused} refused"
        );
    }

    /// The budget check's quick bound is never below the alphabet it stands for, so it
    /// never lets a search through that the alphabet would stop.
    #[test]
    fn the_quick_budget_bound_covers_the_alphabet() {
        let cjk = |i: u32| char::from_u32(0x4E00 + i).unwrap_or('x');
        let sets: Vec<(&str, Vec<String>)> = vec![
            ("{v}", vec!["a*".into(), "*b".into()]),
            ("é{v}ü", vec!["ä*ö".into(), "x?y".into(), "日本*".into()]),
            (
                "{v}",
                (0..300).map(|i| format!("p{i}{}*", cjk(i))).collect(),
            ),
            (
                "{v}",
                (0..128u8).map(|b| format!("{}*", char::from(b))).collect(),
            ),
        ];
        for (template, patterns) in &sets {
            let t = Template::parse(template);
            let globs: Vec<Glob> = patterns.iter().map(|p| Glob::new(p, false)).collect();
            let views: Vec<GlobRef<'_>> = globs.iter().map(Glob::view).collect();
            let most = 129 + t.pieces.len() + views.iter().map(|g| g.wide_len()).sum::<usize>();
            assert!(
                witness_alphabet(&t, &views).len() <= most,
                "{template} {patterns:?}"
            );
        }
        let few = [Glob::new("a*", false), Glob::new("*b", false)];
        let few: Vec<GlobRef<'_>> = few.iter().map(Glob::view).collect();
        assert!(!one_state_over_budget(&Template::parse("{v}"), &few));
        // Two thousand patterns of as many characters: one state is over the budget, so no
        // search starts.
        let many: Vec<Glob> = (0..2_000)
            .map(|i| Glob::new(&format!("{}*", cjk(i)), false))
            .collect();
        let many: Vec<GlobRef<'_>> = many.iter().map(Glob::view).collect();
        assert!(one_state_over_budget(&Template::parse("{v}"), &many));
        assert_eq!(witnesses(&Template::parse("{v}"), many), None);
    }
}
