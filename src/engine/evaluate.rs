//! Evaluation of a policy set against one required permission, three-valued and explained.
//!
//! Follows the AWS policy evaluation logic for a principal in one account
//! (IAM User Guide, "Policy evaluation logic"): an explicit `Deny` in any policy wins; otherwise
//! the identity policies must allow, and so must the permissions boundary and every SCP level
//! when present. Anything the request does not pin down (an unknown condition key value, a
//! resource name the user did not give) is kept open, and the answer is *conditional* when it
//! matters.

use smol_str::SmolStr;
use std::sync::Arc;

use super::decision::{Decision, DependsOn, MissingReason, ResourceOutcome, StatementRef, Status};
use super::explain::explain;
use super::refine::{CaseOutcome, Memo, MemoKey, Unrefined, remembered};
use crate::policy::{
    Context, Effect, Layer, Policy, PolicySet, Request, Resolved, ResourceMatches, ResourcePattern,
    Statement, VarRef,
};
use crate::text::pattern::{ArnGlob, ArnHeads, Glob, Template, Tri, count_work};
use crate::text::words;
use std::collections::hash_map::DefaultHasher;
use std::hash::{BuildHasher, Hash, Hasher, RandomState};
use std::sync::{LazyLock, Mutex};

/// How one statement fares against one request resource.
struct StatementEval<'a> {
    applies: Tri,
    notes: Vec<String>,
    depends: Deps<'a>,
}

/// What an open answer depends on, as one statement found it: condition keys, and unknown
/// parts of the resource. Kept apart, so that a key costs a word: a statement may test a
/// hundred thousand.
#[derive(Default)]
struct Deps<'a> {
    /// Condition keys (and policy variables' keys), as written: the statement's own text,
    /// which the answer then shares (a long key is not copied).
    keys: Vec<&'a SmolStr>,
    /// Unknown parts of the resource, by name (shown as `{name}`), each once.
    holes: Vec<&'a str>,
}

impl<'a> Deps<'a> {
    /// Adds the unknown parts `open`, those not there already: each of a statement's
    /// hundred thousand patterns may leave the same few open, and the list held them all.
    fn add_holes(&mut self, open: impl IntoIterator<Item = &'a str>) {
        for h in open {
            if !self.holes.contains(&h) {
                self.holes.push(h);
            }
        }
    }
}

/// Matches a resource pattern that holds policy variables: unknown variables leave it open.
fn resolve_resource<'a>(
    p: VarRef<'a>,
    resource: &Template,
    ctx: &Context,
    seen: &mut Resolving<'_, 'a>,
    notes: NoteTo<'_>,
    depends: &mut Deps<'a>,
) -> (Tri, bool) {
    // The text before the first variable is the same in every resolution: when its five
    // colons are there, the parts they close cannot depend on the variables.
    if seen.heads.never(p.head()) {
        if matches!(notes, NoteTo::Nowhere) {
            return (Tri::Never, false);
        }
        let Some(key) = p.unresolvable(ctx) else {
            return (Tri::Never, false);
        };
        notes.push(|| unresolvable_note(p, key));
        return (Tri::Never, true);
    }
    match seen.resolved(p, ctx, resource) {
        (Resolution::Known, t) => (t, false),
        (Resolution::Unknown, Tri::Never) => (Tri::Never, false),
        (Resolution::Unknown, _) => {
            let unknown = || p.stored_keys().iter().filter(|k| ctx.get(k).is_none());
            notes.push(|| {
                format!(
                    "Resource \"{}\" uses {} whose value is not known",
                    words::elide(p.text),
                    words::list(unknown().map(SmolStr::as_str), ", ")
                )
            });
            depends.keys.extend(unknown());
            (Tri::Sometimes, true)
        }
        (Resolution::Unresolvable(key), _) => {
            notes.push(|| unresolvable_note(p, &key));
            (Tri::Never, true)
        }
    }
}

/// How a pattern with policy variables resolved in a request.
enum Resolution {
    /// Every variable is known.
    Known,
    /// A variable is unknown (it stands for any text).
    Unknown,
    /// This variable's key is absent, with no default, or has several values.
    Unresolvable(String),
}

/// What the resource patterns of one statement matched against one resource have in
/// common: their starts ([`ArnHeads`]), and often their resolutions (a hundred roles
/// `.../role/${aws:PrincipalTag/team-N}` each resolve to `.../role/*` when the tags are
/// unknown): the last one is remembered with its answer.
struct Resolving<'v, 'h> {
    heads: ArnHeads<'v, 'h>,
    last: Option<(Glob, Tri)>,
    /// The start of the last pattern resolved, when the rest of it was one variable whose
    /// value is not known (see [`VarRef::unknown_tail`]): a pattern of the same start and
    /// shape resolves the same, and is not resolved again.
    last_head: Option<&'h str>,
    /// Where a resolution is written before it is compared with the last one.
    buf: Vec<u8>,
}

impl<'v, 'h> Resolving<'v, 'h> {
    fn new(resource: &'v Template) -> Self {
        Self {
            heads: ArnHeads::new(resource),
            last: None,
            last_head: None,
            buf: Vec::new(),
        }
    }

    /// How `p` resolves in `ctx`, and how that matches `resource` (the one this was made
    /// for; never for a key that does not resolve). A resolution the same as the last one
    /// (nearly always written in the narrow form, into a buffer used again) takes its
    /// answer and allocates nothing.
    fn resolved(&mut self, p: VarRef<'h>, ctx: &Context, resource: &Template) -> (Resolution, Tri) {
        let head = p.unknown_tail(ctx);
        if let (Some(head), Some(last), Some((_, t))) = (head, self.last_head, &self.last)
            && head == last
        {
            return (Resolution::Unknown, *t);
        }
        let out = self.resolved_afresh(p, ctx, resource);
        // The last resolution is this one's, unless it did not resolve.
        self.last_head = match out.0 {
            Resolution::Unresolvable(_) => None,
            Resolution::Known | Resolution::Unknown => head,
        };
        out
    }

    /// [`resolved`](Self::resolved), the pattern written out.
    fn resolved_afresh(
        &mut self,
        p: VarRef<'h>,
        ctx: &Context,
        resource: &Template,
    ) -> (Resolution, Tri) {
        // Writing the pattern out counts as work, by its length.
        count_work(p.text.len() as u64);
        let mut buf = std::mem::take(&mut self.buf);
        let out = match p.resolve_ascii_into(ctx, true, false, &mut buf) {
            Some(Err(key)) => (Resolution::Unresolvable(key), Tri::Never),
            Some(Ok(unknown)) => {
                let t = match &self.last {
                    Some((g, t)) if g.narrow_bytes() == Some(&buf[..]) => *t,
                    _ => self.match_afresh(Glob::from_ascii(buf.clone()), resource),
                };
                let r = if unknown {
                    Resolution::Unknown
                } else {
                    Resolution::Known
                };
                (r, t)
            }
            None => match p.resolve(ctx, true, false) {
                Resolved::Known(g) => (Resolution::Known, self.match_template(g, resource)),
                Resolved::Unknown(g) => (Resolution::Unknown, self.match_template(g, resource)),
                Resolved::Unresolvable(key) => (Resolution::Unresolvable(key), Tri::Never),
            },
        };
        self.buf = buf;
        out
    }

    /// How the resolved pattern `g` matches `resource` (the one this was made for).
    fn match_template(&mut self, g: Glob, resource: &Template) -> Tri {
        if let Some((last, t)) = &self.last
            && *last == g
        {
            return *t;
        }
        self.match_afresh(g, resource)
    }

    /// How `g` (not the last resolution) matches `resource`, remembered as the last.
    fn match_afresh(&mut self, g: Glob, resource: &Template) -> Tri {
        // A resolved pattern is matched afresh: its length counts as work.
        count_work(g.len() as u64);
        let g = ArnGlob::from_glob(g);
        let t = g.match_template(resource);
        self.last = Some((g.into_glob(), t));
        t
    }
}

/// Where the note on a resource pattern goes.
enum NoteTo<'n> {
    /// No words are asked: nowhere.
    Nowhere,
    /// The notes are full: it is only counted (by the flag the matching returns).
    Counted,
    /// Written.
    List(&'n mut Vec<String>),
}

impl NoteTo<'_> {
    /// Writes the note when it is to be written.
    fn push(self, note: impl FnOnce() -> String) {
        if let Self::List(notes) = self {
            notes.push(note());
        }
    }
}

/// The note on a resource pattern whose variable's key the request does not carry.
fn unresolvable_note(p: VarRef<'_>, key: &str) -> String {
    format!(
        "Resource \"{}\" uses {}, which the request does not carry, so it matches nothing",
        words::elide(p.text),
        words::elide(key)
    )
}

/// How one resource pattern matches `resource`: compiled, or resolved with the request's
/// keys when it holds policy variables. A pattern with neither (which the parser never
/// makes) answers "sometimes", never a guess. The flag says whether a pattern with
/// variables had a note (see [`NoteTo`]).
fn pattern_match<'a>(
    p: ResourcePattern<'a>,
    resource: &Template,
    ctx: &Context,
    seen: &mut Resolving<'_, 'a>,
    notes: NoteTo<'_>,
    depends: &mut Deps<'a>,
) -> (Tri, bool) {
    // Each pattern matched counts as a step of work (see `pattern_work`).
    count_work(1);
    match (p.compiled, p.variables()) {
        (Some(g), _) => (g.match_template(resource), false),
        (None, Some(v)) => resolve_resource(v, resource, ctx, seen, notes, depends),
        (None, None) => (Tri::Sometimes, false),
    }
}

/// What an evaluation of a statement asks of its resource patterns.
#[derive(Clone, Copy)]
struct Asked {
    /// The notes, in words.
    words: bool,
    /// Stop matching once the notes are full (the statement is known to apply to some
    /// requests).
    may_stop: bool,
    /// The unknown parts of the resource that the match depends on.
    need_holes: bool,
    /// How many of the patterns to match: all, or none when the answer was remembered.
    patterns: usize,
}

/// Matches a statement's resource patterns against `resource`, on from `res`: the answer
/// before `NotResource`'s negation, and how many patterns were left unmatched once the
/// notes were full. The notes on the first few patterns are written, the rest counted.
fn match_patterns<'a>(
    st: &'a Statement,
    resource: &'a Template,
    ctx: &Context,
    asked: Asked,
    (mut res, seen): (Tri, &mut Resolving<'a, 'a>),
    notes: &mut Vec<String>,
    depends: &mut Deps<'a>,
) -> (Tri, usize) {
    // Notes on the first few resource patterns; the rest are counted (a statement may list
    // a hundred thousand roles, each of which covers only some values of the request's).
    let Asked {
        words,
        may_stop,
        need_holes,
        patterns,
    } = asked;
    let mut unsaid = 0usize;
    let mut not_matched = 0usize;
    for (i, p) in st.resources.patterns().take(patterns).enumerate() {
        if may_stop && notes.len() >= words::LIST_ITEMS {
            not_matched = patterns - i;
            break;
        }
        let compiled = p.compiled;
        let before = notes.len();
        // Past the first few notes, the notes due are counted, not written.
        let say = words && notes.len() < words::LIST_ITEMS;
        let note_to = match (words, say) {
            (false, _) => NoteTo::Nowhere,
            (true, false) => NoteTo::Counted,
            (true, true) => NoteTo::List(notes),
        };
        let (t, has_note) = pattern_match(p, resource, ctx, seen, note_to, depends);
        let mut due = usize::from(has_note && words && !say);
        if t == Tri::Sometimes && need_holes {
            let open = compiled.map_or_else(|| resource.holes(), |g| g.open_holes(resource));
            if !open.is_empty() {
                if words && !say {
                    due += 1;
                } else if words {
                    notes.push(format!(
                        "{}Resource \"{}\" covers only some values of {{{}}} in {resource}",
                        if st.resources.negated { "Not" } else { "" },
                        words::elide(p.text),
                        open.join("}, {")
                    ));
                }
                depends.add_holes(open);
            }
        }
        if notes.len() > words::LIST_ITEMS {
            unsaid += notes.len() - before;
            notes.truncate(before);
        }
        unsaid += due;
        res = res.or(t);
        if res == Tri::Always {
            break;
        }
    }
    if unsaid > 0 && words {
        notes.push(format!(
            "and {} more notes on resource patterns",
            words::thousands(unsaid as u64)
        ));
    }
    if not_matched > 0 {
        notes.push(format!(
            "and {} more resource patterns, not put in words",
            words::thousands(not_matched as u64)
        ));
    }
    (res, not_matched)
}

/// What an evaluation of a statement takes from those before it against the same resource
/// (the statements of a requirement, in turn).
struct Earlier<'e, 'a> {
    /// Every unknown part of the resource is already among the evidence's dependencies.
    holes_known: bool,
    /// The remembered resource matches of the statement's policy.
    memo: Option<&'e ResourceMatches>,
    /// The resolutions of patterns with policy variables (many statements resolve to the
    /// same pattern); `None` for one of its own.
    seen: Option<&'e mut Resolving<'a, 'a>>,
    /// Empty lists to gather what the answer depends on in: the room of those of the
    /// statement before (see [`Evidence::record`]), not new lists for each statement.
    depends: Deps<'a>,
}

/// Evaluates a statement whose action matches, against one resource. The notes (in words)
/// are written only when `words` is set, to the statement's answer worked out before (the
/// notes on its resource patterns then stop at their first few, and past them its answer
/// is that one, not worked out again), and with [`Earlier::holes_known`] (every unknown part of the
/// resource is already among the evidence's dependencies) the unknown parts this statement
/// depends on are not worked out again: the answer is the same either way. `holes` are the
/// resource's unknown parts ([`Template::holes`]): none when it is known.
fn eval_statement<'a>(
    st: &'a Statement,
    resource: &'a Template,
    holes: &[&'a str],
    ctx: &Context,
    words: Option<Tri>,
    earlier: Earlier<'_, 'a>,
) -> StatementEval<'a> {
    let Earlier {
        holes_known,
        memo,
        seen,
        mut depends,
    } = earlier;
    debug_assert!(depends.keys.is_empty() && depends.holes.is_empty());
    let mut own = None;
    let seen = match seen {
        Some(seen) => seen,
        None => own.insert(Resolving::new(resource)),
    };
    // A statement that applies to some requests covers some values of the resource: once
    // its notes are full, the rest of its patterns need not be matched (a statement may
    // list a hundred thousand ARNs, and words are asked for each requirement).
    let may_stop = words.is_some_and(|applies| applies != Tri::Never);
    let words = words.is_some();
    let mut notes = Vec::new();

    // Resource: remembered, unless the words are asked (or the unknown parts it depends on,
    // when those are not remembered).
    let known = holes.is_empty();
    let need_holes = !known && (words || !holes_known);
    let remembered = if words {
        None
    } else {
        memo.and_then(|m| st.resource_match(resource, m, &mut seen.heads))
    };
    let mut res = Tri::Never;
    let remembered_holes = match (remembered, memo) {
        (Some(Tri::Sometimes), Some(m)) if need_holes => st.open_holes(resource, m),
        _ => None,
    };
    let patterns = match remembered {
        Some(t) if t != Tri::Sometimes || !need_holes || remembered_holes.is_some() => {
            // The remembered answer has NotResource's negation in it, and the negation
            // below applies once more: start from its inverse.
            res = if st.resources.negated { t.negate() } else { t };
            if let Some(mask) = remembered_holes {
                depends.add_holes(
                    holes
                        .iter()
                        .enumerate()
                        .filter(|(i, _)| mask & (1 << i) != 0)
                        .map(|(_, h)| *h),
                );
            }
            0
        }
        _ => st.resources.len(),
    };
    let asked = Asked {
        words,
        may_stop,
        need_holes,
        patterns,
    };
    let (mut res, not_matched) = match_patterns(
        st,
        resource,
        ctx,
        asked,
        (res, seen),
        &mut notes,
        &mut depends,
    );
    if st.resources.negated {
        res = res.negate();
    }
    // Stopped early, the statement is known to cover some values (see `may_stop`).
    if res == Tri::Never && not_matched == 0 {
        if !words {
            // It cannot apply, whatever its conditions say, and what an answer depends on
            // is gathered only from statements that may apply: nothing more to work out.
            return StatementEval {
                applies: Tri::Never,
                notes,
                depends,
            };
        }
        notes.push(format!(
            "{} [{}] does not cover {resource}",
            st.resources.element(),
            st.resources.list()
        ));
    }

    // Conditions: all must hold.
    let cond = conditions(st, ctx, words, &mut notes, &mut depends);
    StatementEval {
        applies: res.and(cond),
        notes,
        depends,
    }
}

/// Whether all of the statement's conditions hold. With `words`, the first few that do not
/// always hold are put in `notes` and the rest counted; without, the unknown keys an answer
/// depends on go to `depends` (the words are asked only of a statement shown, whose
/// dependencies were gathered before).
fn conditions<'a>(
    st: &'a Statement,
    ctx: &Context,
    words: bool,
    notes: &mut Vec<String>,
    depends: &mut Deps<'a>,
) -> Tri {
    let mut cond = Tri::Always;
    // Conditions put in words: the first few that do not always hold; the rest are counted.
    let (mut said, mut unsaid) = (0usize, 0usize);
    // A statement of many conditions lists its keys in their order (see
    // `Statement::key_order`): which conditions the answer depends on, marked here.
    // What the words are asked for (a statement shown) has no use for them.
    let order = if words { &[][..] } else { st.key_order() };
    let mut marked = vec![
        false;
        if order.is_empty() {
            0
        } else {
            st.conditions.len()
        }
    ];
    for (i, c) in st.conditions.iter().enumerate() {
        let (tri, unknown) = if words && said < words::LIST_ITEMS {
            let out = c.evaluate(ctx);
            if out.tri != Tri::Always {
                notes.push(out.note);
                said += 1;
            }
            (out.tri, false)
        } else {
            // The key looked up once for the answer and for what it depends on.
            let (tri, unknown) = c.tri_and_unknown(ctx);
            unsaid += usize::from(words && tri != Tri::Always);
            (tri, unknown)
        };
        if !words && tri != Tri::Always && unknown {
            match marked.get_mut(i) {
                Some(m) => *m = true,
                None => depends.keys.push(&c.key),
            }
        }
        cond = cond.and(tri);
    }
    // Room for the marked keys at once: a list that doubles to a hundred thousand holds up
    // to twice their room.
    depends
        .keys
        .reserve_exact(marked.iter().filter(|&&m| m).count());
    depends.keys.extend(
        order
            .iter()
            .map(|&i| i as usize)
            .filter(|&i| marked[i])
            .map(|i| &st.conditions[i].key),
    );
    if unsaid > 0 {
        notes.push(format!(
            "and {} more conditions that do not hold for every request",
            words::thousands(unsaid as u64)
        ));
    }
    cond
}

/// Whether a statement applies to a resource, and nothing else: no words, no
/// dependencies, no allocation on the common paths (a known resource, conditions whose
/// values were compiled at parse time). The same answer as [`eval_statement`].
fn applies<'a>(
    st: &'a Statement,
    resource: &'a Template,
    ctx: &Context,
    memo: Option<&ResourceMatches>,
    seen: &mut Resolving<'a, 'a>,
) -> Tri {
    // Conditions first: they are cheaper than resources and often decide alone.
    let mut cond = Tri::Always;
    for c in &st.conditions {
        cond = cond.and(c.tri(ctx));
        if cond == Tri::Never {
            return Tri::Never;
        }
    }
    if let Some(res) = memo.and_then(|m| st.resource_match(resource, m, &mut seen.heads)) {
        return res.and(cond);
    }
    let mut res = Tri::Never;
    for p in st.resources.patterns() {
        let (t, _) = pattern_match(
            p,
            resource,
            ctx,
            seen,
            NoteTo::Nowhere,
            &mut Deps::default(),
        );
        res = res.or(t);
        if res == Tri::Always {
            break;
        }
    }
    if st.resources.negated {
        res = res.negate();
    }
    res.and(cond)
}

/// The remembered resource matches of each policy against one resource, fetched once per
/// policy (statements come grouped by policy, so the last one is nearly always the hit).
#[derive(Default)]
struct Memos {
    by_policy: Vec<(*const Policy, std::sync::Arc<ResourceMatches>)>,
}

impl Memos {
    fn get(&mut self, policy: &Policy, resource: &Template) -> &ResourceMatches {
        let key: *const Policy = policy;
        let found = self
            .by_policy
            .iter()
            .rposition(|(p, _)| std::ptr::eq(*p, key));
        let at = if let Some(i) = found {
            i
        } else {
            self.by_policy.push((key, policy.resource_memo(resource)));
            self.by_policy.len() - 1
        };
        &self.by_policy[at].1
    }
}

/// Per layer, the statements (with their policy index) whose action matches a request.
type Matching<'a> = Vec<(Layer, Vec<(usize, &'a Policy, &'a Statement)>)>;

/// Evaluates one required permission against a policy set.
pub fn evaluate(set: &PolicySet, req: &Request) -> Decision {
    // The statements whose action matches, found once for the first pass and every case.
    let (all, names) = matching(set, &req.action.to_lowercase());
    let mut first = evaluate_once(&all, req);
    if first.status == Status::Conditional {
        match refine(&all, &names, req, &first) {
            Ok(Some(exact)) => return exact,
            Err(Unrefined::TooManyCases) => first.explanation.push_str(
                " Not checked case by case: there are too many cases to try within the budget, so the answer stays conditional.",
            ),
            Ok(None) | Err(Unrefined::NotEnumerable) => {}
        }
    }
    first
}

/// Only the status of [`evaluate`]: the same answer, without gathering the statements that
/// decided it or putting anything in words (for the many requests of an account's matrix).
pub fn evaluate_status(set: &PolicySet, req: &Request) -> Status {
    let (all, names) = matching(set, &req.action.to_lowercase());
    let first = status_once(&all, req, true).status;
    if first != Status::Conditional {
        return first;
    }
    match refined(&all, &names, req) {
        Ok((_, CaseOutcome::Allowed)) => Status::Satisfied,
        Ok((_, CaseOutcome::Denied { .. })) => Status::Missing,
        Ok((_, CaseOutcome::Undecided)) | Err(_) => Status::Conditional,
    }
}

/// A conditional result checked case by case (see [`super::refine`]).
fn refine(
    all: &Matching<'_>,
    names: &[u64],
    req: &Request,
    first: &Decision,
) -> Result<Option<Decision>, Unrefined> {
    let (refinement, outcome) = refined(all, names, req)?;
    Ok(decided(req, first, &refinement, outcome))
}

/// The cases of a conditional result, and what evaluating every one came to.
fn refined<'a>(
    all: &Matching<'a>,
    names: &[u64],
    req: &Request,
) -> Result<(super::refine::Refinement<'a>, CaseOutcome), Unrefined> {
    let statements: Vec<&Statement> = all
        .iter()
        .flat_map(|(_, sts)| sts.iter().map(|&(_, _, st)| st))
        .collect();
    let refinement = super::refine::cases(req, &statements, names)?;
    // The statements the cases leave out, taken out once for every case: by their place in
    // the list, which follows the same order.
    let mut left_out = refinement.left_out().iter().copied().peekable();
    let mut at: u32 = 0;
    let kept: Matching<'_> = all
        .iter()
        .map(|(layer, sts)| {
            let sts = sts
                .iter()
                .filter(|_| {
                    let out = left_out.next_if_eq(&at).is_some();
                    at += 1;
                    !out
                })
                .copied()
                .collect();
            (*layer, sts)
        })
        .collect();
    let outcome = refinement.outcome(|| case_outcome(&kept, req, &refinement));
    Ok((refinement, outcome))
}

/// Evaluates every case; an answer only when all agree.
fn case_outcome(
    kept: &Matching<'_>,
    req: &Request,
    refinement: &super::refine::Refinement<'_>,
) -> CaseOutcome {
    // Never conclude anything from zero cases.
    if refinement.count == 0 {
        return CaseOutcome::Undecided;
    }
    let mut missing: Option<MissingReason> = None;
    let mut missing_layers: Vec<Layer> = Vec::new();
    let mut allowed = 0;
    let mut seen = 0;
    let decided = refinement.each_case(req, |case| {
        seen += 1;
        // Remembered resource matches help while the resource stays the same; cases that
        // each have their own would only crowd out the first pass's.
        let d = status_once(kept, case, !refinement.varies_resource());
        for l in &d.missing_layers {
            if !missing_layers.contains(l) {
                missing_layers.push(*l);
            }
        }
        match d.status {
            Status::Conditional => return false,
            Status::Satisfied => allowed += 1,
            Status::Missing => {
                // The Allows left out might allow this case: nothing to conclude.
                if !refinement.may_allow.is_empty() {
                    return false;
                }
                // An explicit deny only if every case was denied explicitly.
                if matches!(missing, None | Some(MissingReason::ExplicitDeny)) {
                    missing = d.missing;
                }
            }
        }
        // Allowed in one case and denied in another: really conditional.
        !(allowed > 0 && missing.is_some())
    });
    if !decided || seen != refinement.count {
        CaseOutcome::Undecided
    } else if allowed == refinement.count {
        CaseOutcome::Allowed
    } else {
        CaseOutcome::Denied {
            missing,
            layers: missing_layers,
        }
    }
}

/// The first pass's answer made exact by what every case came to, in words.
fn decided(
    req: &Request,
    first: &Decision,
    refinement: &super::refine::Refinement<'_>,
    outcome: CaseOutcome,
) -> Option<Decision> {
    if outcome == CaseOutcome::Undecided {
        return None;
    }
    let cases = refinement.count;
    let what = if first.depends_on.is_empty() {
        "the unknowns".to_owned()
    } else {
        words::list(first.depends_on.iter().map(|k| &**k), ", ")
    };
    let labels = first
        .decided_by
        .iter()
        .map(StatementRef::label)
        .collect::<Vec<_>>()
        .join("; ");
    let mut exact = first.clone();
    exact.depends_on = DependsOn::default();
    if outcome == CaseOutcome::Allowed {
        exact.status = Status::Satisfied;
        exact.missing = None;
        exact.explanation = format!(
            "{} is allowed in every case: the statements cover each other ({labels}). All {} distinct cases of {what} were checked{}.",
            req.action,
            cases,
            if refinement.may_allow.is_empty() {
                ""
            } else {
                ", without counting the statements that could not be checked case by case (they can only allow more)"
            }
        );
        for r in &mut exact.resources {
            r.status = Status::Satisfied;
        }
    } else if let CaseOutcome::Denied {
        missing,
        layers: missing_layers,
    } = outcome
    {
        exact.status = Status::Missing;
        exact.missing = Some(missing.unwrap_or(MissingReason::NoMatchingAllow(Layer::Identity)));
        if exact.missing != Some(MissingReason::ExplicitDeny) {
            exact.missing_layers = missing_layers;
        }
        exact.near_misses = std::mem::take(&mut exact.decided_by);
        exact.explanation = format!(
            "{} is denied in every case: no combination of {what} is allowed ({} distinct cases checked). Nearest misses: {labels}.",
            req.action, cases
        );
        for r in &mut exact.resources {
            r.status = Status::Missing;
        }
    }
    Some(exact)
}

/// The statements that took part, gathered over every resource of a request.
/// A statement that took part, before it is put in words: only the few an explanation
/// shows are (the notes take far longer to write than the answer to find).
#[derive(Clone, Copy)]
struct Pending<'a> {
    layer: Layer,
    policy_index: usize,
    policy: &'a Policy,
    st: &'a Statement,
    applies: Tri,
    /// The resource it was evaluated against.
    resource: &'a Template,
}

impl Pending<'_> {
    /// In words: remembered (see [`Wording`]).
    fn into_ref(self, wording: &mut Wording<'_>) -> StatementRef {
        let key = wording.key(&self);
        let notes = remembered(&NOTES, key, || {
            eval_statement(
                self.st,
                self.resource,
                &self.resource.holes(),
                &wording.req.context,
                Some(self.applies),
                Earlier {
                    holes_known: false,
                    memo: None,
                    seen: None,
                    depends: Deps::default(),
                },
            )
            .notes
        });
        StatementRef {
            layer: self.layer,
            policy_index: self.policy_index,
            policy: self.policy.name.clone(),
            statement: self.st.index(),
            sid: self.st.sid.as_deref().map(str::to_owned),
            effect: self.st.effect,
            span: self.st.span,
            applies: self.applies,
            notes,
        }
    }
}

/// The notes of the statements answers show, remembered across answers and threads: a
/// refresh shows the same few statements for requirement after requirement (at 1,000
/// matching statements, 1,000 shown and 140 of them different), and to put a statement in
/// words is to evaluate it again. The notes depend only on the statement, the resource, what
/// is known of the keys and the statement's answer: the key is those, hashed.
static NOTES: Memo<Vec<String>> = LazyLock::new(Mutex::default);
static NOTES_KEYS: LazyLock<(RandomState, RandomState)> =
    LazyLock::new(|| (RandomState::new(), RandomState::new()));

/// Forgets the notes remembered (see [`super::forget_remembered`]).
pub(super) fn forget_notes() {
    NOTES
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
        .clear();
}

/// Puts the statements of one answer in words, for the request asked: the keys of the
/// notes remembered start from the hashes of what is known of the keys and of each
/// resource, made once for the answer (a request names one to three resources).
struct Wording<'r> {
    req: &'r Request,
    /// For each of the request's resources, the two hashes fed the context and it.
    bases: Vec<Option<(DefaultHasher, DefaultHasher)>>,
}

impl<'r> Wording<'r> {
    fn new(req: &'r Request) -> Self {
        Self {
            req,
            bases: vec![None; req.resources.len()],
        }
    }

    /// The key [`NOTES`] holds the statement's words under: its policy's number, its place,
    /// its answer, the resource and what is known of the keys.
    fn key(&mut self, p: &Pending<'_>) -> MemoKey {
        let at = self
            .req
            .resources
            .iter()
            .position(|r| std::ptr::eq(r, p.resource));
        let (mut a, mut b) = match at {
            Some(at) => {
                let (req, base) = (self.req, &mut self.bases[at]);
                base.get_or_insert_with(|| hashers(&req.context, p.resource))
                    .clone()
            }
            None => hashers(&self.req.context, p.resource),
        };
        for h in [&mut a, &mut b] {
            p.policy.uid().hash(h);
            p.applies.hash(h);
        }
        (a.finish(), b.finish(), p.st.index())
    }
}

/// The two keyed hashes of [`NOTES_KEYS`] fed what is known of the keys and a resource.
fn hashers(ctx: &Context, resource: &Template) -> (DefaultHasher, DefaultHasher) {
    let (mut a, mut b) = (NOTES_KEYS.0.build_hasher(), NOTES_KEYS.1.build_hasher());
    for h in [&mut a, &mut b] {
        ctx.hash(h);
        resource.hash(h);
    }
    (a, b)
}

/// Which statement an entry names: (layer, policy, statement).
trait Names {
    fn names(&self) -> (Layer, usize, usize);
}

impl Names for Pending<'_> {
    fn names(&self) -> (Layer, usize, usize) {
        (self.layer, self.policy_index, self.st.index())
    }
}

impl Names for StatementRef {
    fn names(&self) -> (Layer, usize, usize) {
        (self.layer, self.policy_index, self.statement)
    }
}

struct Evidence<'a> {
    decided_allow: Vec<Pending<'a>>,
    deny_always: Vec<Pending<'a>>,
    open: Vec<Pending<'a>>,
    near: Vec<Pending<'a>>,
    /// The condition keys open answers depend on, borrowed from the statements: gathered
    /// as they come and made a set now and then (thousands of statements may name the same
    /// key, and one statement may name a hundred thousand).
    keys: Vec<&'a SmolStr>,
    /// How many keys there were after they were last made a set.
    keys_distinct: usize,
    /// The unknown parts of resources open answers depend on, by name.
    holes: std::collections::BTreeSet<&'a str>,
    /// Layers in which no Allow applied, for some resource.
    empty_layers: Vec<Layer>,
    /// Nothing seen so far rules out a satisfied answer (see [`evaluate_resource`]).
    satisfiable: bool,
    /// A quick pass skipped statements: the evidence is whole only for a satisfied answer.
    skipped: bool,
}

impl<'a> Evidence<'a> {
    fn new() -> Self {
        Evidence {
            decided_allow: Vec::new(),
            deny_always: Vec::new(),
            open: Vec::new(),
            near: Vec::new(),
            keys: Vec::new(),
            keys_distinct: 0,
            holes: std::collections::BTreeSet::new(),
            empty_layers: Vec::new(),
            satisfiable: true,
            skipped: false,
        }
    }

    /// Notes that the answer may not be satisfied; true when the pass gives up (see
    /// [`gave_up`](Self::gave_up)).
    fn not_satisfiable(&mut self) -> bool {
        self.satisfiable = false;
        self.gave_up()
    }

    /// True when a quick pass skipped statements and the answer may not be satisfied: its
    /// evidence is not whole, and the pass must be made again without skipping.
    fn gave_up(&self) -> bool {
        self.skipped && !self.satisfiable
    }

    /// Records how one statement fared, and gives back the lists its dependencies came in,
    /// emptied, for the next statement.
    fn record(&mut self, pending: Pending<'a>, effect: Effect, ev: StatementEval<'a>) -> Deps<'a> {
        let Deps {
            mut keys,
            mut holes,
        } = ev.depends;
        let list = match (effect, ev.applies) {
            (Effect::Deny, Tri::Always) => Some(&mut self.deny_always),
            (Effect::Allow, Tri::Always) => Some(&mut self.decided_allow),
            (_, Tri::Sometimes) => {
                if self.keys.is_empty() {
                    // The first statement's keys are taken as they are, not copied (there
                    // may be a hundred thousand).
                    self.keys = std::mem::take(&mut keys);
                } else {
                    // Room for this statement's keys at once (as much again as there are,
                    // at least): one statement may name a hundred thousand.
                    let (len, adding) = (self.keys.len(), keys.len());
                    if self.keys.capacity() - len < adding {
                        self.keys.reserve_exact(adding.max(len));
                    }
                    self.keys.extend_from_slice(&keys);
                }
                self.holes.extend(holes.drain(..));
                // A set again once it has doubled: at most twice the distinct keys are held,
                // each sorted a few times at most.
                if self.keys.len() > 2 * self.keys_distinct + 64 {
                    // Stable sorting finds sorted runs: the keys so far, and a statement's
                    // keys in their order, are merged rather than sorted again.
                    self.keys.sort();
                    self.keys.dedup();
                    self.keys_distinct = self.keys.len();
                }
                Some(&mut self.open)
            }
            (Effect::Allow, Tri::Never) => Some(&mut self.near),
            (Effect::Deny, Tri::Never) => None,
        };
        if let Some(list) = list {
            push_unique(list, pending);
        }
        keys.clear();
        holes.clear();
        Deps { keys, holes }
    }

    /// What open answers depend on, sorted and without repeats: keys as written, shared
    /// with the last answer that listed the same (see [`shared_list`]), or made in one
    /// piece; unknown parts as `{name}`, apart.
    fn depends(&mut self) -> DependsOn {
        let mut keys = std::mem::take(&mut self.keys);
        if keys.len() != self.keys_distinct {
            keys.sort();
            keys.dedup();
        }
        let mut parts: Vec<SmolStr> = std::mem::take(&mut self.holes)
            .into_iter()
            .map(|h| SmolStr::from(format!("{{{h}}}")))
            .collect();
        parts.sort_unstable();
        parts.dedup();
        DependsOn::new(shared_list(&keys), parts.into_boxed_slice())
    }

    /// The statements shown for a status: (decided by, near misses).
    fn shown(
        self,
        status: Status,
        missing: Option<MissingReason>,
    ) -> (Vec<Pending<'a>>, Vec<Pending<'a>>) {
        match status {
            Status::Satisfied => (self.decided_allow, Vec::new()),
            Status::Missing if missing == Some(MissingReason::ExplicitDeny) => {
                (self.deny_always, Vec::new())
            }
            Status::Missing => {
                // The allows that did match some resources are worth showing too; when a
                // boundary or an SCP is what lacks the Allow, only that layer's statements.
                let layer = match missing {
                    Some(MissingReason::NoMatchingAllow(l)) if l != Layer::Identity => Some(l),
                    _ => None,
                };
                let mut n: Vec<Pending<'a>> = Vec::new();
                for s in self
                    .near
                    .into_iter()
                    .chain(self.decided_allow)
                    .chain(self.open)
                {
                    if layer.is_none_or(|l| s.layer == l) {
                        push_unique(&mut n, s);
                    }
                }
                (Vec::new(), n)
            }
            Status::Conditional => {
                let mut d = self.open;
                for s in self.decided_allow {
                    push_unique(&mut d, s);
                }
                (d, Vec::new())
            }
        }
    }
}

/// The statements whose action matches, per layer: found once, not once per resource. With
/// them, what names this list exactly: per layer, each policy's [`Matches::uid`](crate::policy::Matches::uid).
fn matching<'a>(set: &'a PolicySet, action_lower: &str) -> (Matching<'a>, Vec<u64>) {
    let mut names = Vec::new();
    let by_layer = set
        .layers()
        .into_iter()
        .enumerate()
        .map(|(l, (layer, policies))| {
            names.push(u64::MAX - l as u64);
            let mut sts = Vec::new();
            for (pi, policy) in policies {
                let found = policy.matching(action_lower);
                names.push(found.uid());
                sts.reserve(found.len());
                found.indexes().for_each(|i| {
                    if let Some(st) = policy.statements.get(i) {
                        sts.push((pi, policy, st));
                    }
                });
            }
            (layer, sts)
        })
        .collect();
    (by_layer, names)
}

/// The decision table for one resource: from whether a Deny applies, whether every layer
/// allows, and the first layer with no Allow at all.
fn decide(
    deny_any: Tri,
    allow_all: Tri,
    first_empty_layer: Option<Layer>,
) -> (Status, Option<MissingReason>) {
    if deny_any == Tri::Always {
        (Status::Missing, Some(MissingReason::ExplicitDeny))
    } else if allow_all == Tri::Never {
        (
            Status::Missing,
            Some(MissingReason::NoMatchingAllow(
                first_empty_layer.unwrap_or(Layer::Identity),
            )),
        )
    } else if deny_any == Tri::Never && allow_all == Tri::Always {
        (Status::Satisfied, None)
    } else {
        (Status::Conditional, None)
    }
}

/// Evaluates every matching statement against one resource; returns its status and, for a
/// missing one, why. Layers with no allow at all are added to `evidence.empty_layers`.
///
/// With `quick` set, an Allow is not evaluated once its layer already allows and the
/// explanation already names as many allowing statements as it shows: for a satisfied answer
/// it changes nothing (the near misses and dependencies it could add are shown only for other
/// answers). Once something was skipped, any sign that the answer may not be satisfied (a
/// Deny that may apply, a layer that may not allow) gives up (see [`Evidence::gave_up`]),
/// and the caller evaluates again without skipping.
fn evaluate_resource<'a>(
    matching: &Matching<'a>,
    resource: &'a Template,
    ctx: &Context,
    evidence: &mut Evidence<'a>,
    quick: bool,
) -> (Status, Option<MissingReason>) {
    let mut deny_any = Tri::Never;
    let mut allow_all = Tri::Always;
    let mut first_empty_layer = None;
    let mut memos = Memos::default();
    let holes = resource.holes();
    // Once every unknown part is among the dependencies it stays there.
    let mut holes_known = false;
    let mut seen = Resolving::new(resource);
    let mut spare = Deps::default();
    for (layer, statements) in matching {
        let mut allow = Tri::Never;
        for &(pi, policy, st) in statements {
            if quick
                && evidence.satisfiable
                && st.effect == Effect::Allow
                && allow == Tri::Always
                && evidence.decided_allow.len() >= MAX_STATEMENT_REFS
            {
                evidence.skipped = true;
                continue;
            }
            holes_known = holes_known || holes.iter().all(|h| evidence.holes.contains(*h));
            let memo = memos.get(policy, resource);
            let earlier = Earlier {
                holes_known,
                memo: Some(memo),
                seen: Some(&mut seen),
                depends: std::mem::take(&mut spare),
            };
            let ev = eval_statement(st, resource, &holes, ctx, None, earlier);
            match st.effect {
                Effect::Deny => {
                    deny_any = deny_any.or(ev.applies);
                    if ev.applies != Tri::Never && evidence.not_satisfiable() {
                        return (Status::Conditional, None);
                    }
                }
                Effect::Allow => allow = allow.or(ev.applies),
            }
            let pending = Pending {
                layer: *layer,
                policy_index: pi,
                policy,
                st,
                applies: ev.applies,
                resource,
            };
            spare = evidence.record(pending, st.effect, ev);
        }
        if allow != Tri::Always && evidence.not_satisfiable() {
            return (Status::Conditional, None);
        }
        if allow == Tri::Never {
            first_empty_layer.get_or_insert(*layer);
            if !evidence.empty_layers.contains(layer) {
                evidence.empty_layers.push(*layer);
            }
        }
        allow_all = allow_all.and(allow);
    }
    decide(deny_any, allow_all, first_empty_layer)
}

/// The status of one pass, without the words: what [`evaluate_once`] decides.
struct Bare {
    status: Status,
    missing: Option<MissingReason>,
    missing_layers: Vec<Layer>,
}

/// Policies of fewer statements than this are not remembered by [`status_once`], unless
/// the statement's resource patterns take [`REMEMBER_RESOURCES_FROM`] bytes or more.
const REMEMBER_FROM: usize = 16;

/// A statement whose resource patterns take this many bytes is remembered by
/// [`status_once`] in a policy of any size (one statement may list a hundred thousand).
const REMEMBER_RESOURCES_FROM: usize = 1024;

/// The same status, reason and missing layers as [`evaluate_once`], without gathering
/// evidence or writing anything: for the many cases of a refinement, which only count
/// outcomes.
fn status_once(matching: &Matching<'_>, req: &Request, remember: bool) -> Bare {
    let mut empty_layers: Vec<Layer> = Vec::new();
    let mut missing: Option<MissingReason> = None;
    let mut worst: Option<Status> = None;
    for resource in &req.resources {
        let mut memos = Memos::default();
        let mut seen = Resolving::new(resource);
        let mut deny_any = Tri::Never;
        let mut allow_all = Tri::Always;
        let mut first_empty_layer = None;
        for (layer, statements) in matching {
            let mut allow = Tri::Never;
            for &(_, policy, st) in statements {
                // A result already at its top cannot change: skip what cannot move it. A
                // policy of a few statements matches them again sooner than it finds them
                // remembered (an account's inline policies, asked once each), unless one of
                // them lists many resources.
                let remember = remember
                    && (policy.statements.len() >= REMEMBER_FROM
                        || st.resources.text_len() >= REMEMBER_RESOURCES_FROM);
                match st.effect {
                    Effect::Deny if deny_any != Tri::Always => {
                        let memo = remember.then(|| memos.get(policy, resource));
                        deny_any =
                            deny_any.or(applies(st, resource, &req.context, memo, &mut seen));
                    }
                    Effect::Allow if allow != Tri::Always => {
                        let memo = remember.then(|| memos.get(policy, resource));
                        allow = allow.or(applies(st, resource, &req.context, memo, &mut seen));
                    }
                    Effect::Deny | Effect::Allow => {}
                }
            }
            if allow == Tri::Never {
                first_empty_layer.get_or_insert(*layer);
                if !empty_layers.contains(layer) {
                    empty_layers.push(*layer);
                }
            }
            allow_all = allow_all.and(allow);
        }
        let (status, why) = decide(deny_any, allow_all, first_empty_layer);
        if missing.is_none() {
            missing = why;
        }
        worst = Some(worst.map_or(status, |w| Status::worst([w, status]).unwrap_or(status)));
    }
    let status = if req.resources.is_empty() {
        Status::Missing
    } else {
        worst.unwrap_or(Status::Missing)
    };
    let missing = match status {
        Status::Missing => Some(missing.unwrap_or(MissingReason::NoMatchingAllow(Layer::Identity))),
        _ => None,
    };
    let missing_layers = match missing {
        Some(MissingReason::NoMatchingAllow(_)) => {
            if empty_layers.is_empty() {
                empty_layers.push(Layer::Identity);
            }
            empty_layers
        }
        _ => Vec::new(),
    };
    Bare {
        status,
        missing,
        missing_layers,
    }
}

/// The evidence over every resource of a request, each resource's outcome, and the reason
/// of the first that is missing. A quick pass stops where it gives up.
fn gather<'a>(
    matching: &Matching<'a>,
    req: &'a Request,
    quick: bool,
) -> (Evidence<'a>, Vec<ResourceOutcome>, Option<MissingReason>) {
    let mut evidence = Evidence::new();
    let mut outcomes = Vec::with_capacity(req.resources.len());
    let mut missing: Option<MissingReason> = None;
    for resource in &req.resources {
        let (status, why) =
            evaluate_resource(matching, resource, &req.context, &mut evidence, quick);
        if evidence.gave_up() {
            break;
        }
        // The first resource that is missing gives the reason.
        if missing.is_none() {
            missing = why;
        }
        outcomes.push(ResourceOutcome {
            resource: resource.to_string(),
            status,
        });
    }
    (evidence, outcomes, missing)
}

/// How long a list of keys an answer depends on is before it is shared with the last
/// answer that listed the same (see [`shared_list`]).
const SHARED_FROM: usize = 64;

/// How many long lists of keys are remembered for sharing (see [`shared_list`]): the
/// requirements of a refresh that rest on one statement of many keys list them with one
/// unknown part or another (`{account}` and `{instance_role}`, `{account}` and
/// `{hook_role}`, ...), a few lists in turn.
const SHARED_LISTS: usize = 4;

/// The last long lists of keys answers depended on, newest first, while an answer still
/// holds them (nothing is kept alive for them). One for the process: the actions of a
/// refresh are spread over threads, and each thread held a copy of its own.
static LAST_DEPENDS: std::sync::Mutex<[Option<std::sync::Weak<[SmolStr]>>; SHARED_LISTS]> =
    std::sync::Mutex::new([const { None }; SHARED_LISTS]);

/// The keys an answer depends on, as a list shared with a recent answer (of any thread)
/// that listed the same keys, if that answer is still held: the answers of a refresh that
/// rest on one statement of a hundred thousand keys each list them all, and each held its
/// own copy (110 MB in the app for a 3 MB policy). Short lists are not shared.
fn shared_list(keys: &[&SmolStr]) -> Arc<[SmolStr]> {
    // Made from a list of known length: one allocation, no list of the keys before it.
    let made = || keys.iter().map(|&k| k.clone()).collect();
    if keys.len() < SHARED_FROM {
        return made();
    }
    // Locked while the keys are compared and copied: two threads that reach the same keys
    // at once would each make a list, and their answers would keep both. A lock poisoned
    // elsewhere still holds lists that are compared whole before they are shared.
    let mut recent = LAST_DEPENDS
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    for at in 0..SHARED_LISTS {
        match recent[at].as_ref().map(std::sync::Weak::upgrade) {
            Some(Some(held))
                // From the end: lists of the same keys differ in their unknown parts,
                // which sort last.
                if held.len() == keys.len()
                    && held.iter().rev().zip(keys.iter().rev()).all(|(a, b)| a == *b) =>
            {
                // The newest first again.
                recent[..=at].rotate_right(1);
                return held;
            }
            // A list no answer holds any more is let go of at once: the weak reference
            // alone kept its room taken until another list took its place.
            Some(None) => recent[at] = None,
            _ => {}
        }
    }
    let shared: Arc<[SmolStr]> = made();
    // In an empty place, or in the oldest one's.
    let at = recent
        .iter()
        .position(Option::is_none)
        .unwrap_or(SHARED_LISTS - 1);
    recent[..=at].rotate_right(1);
    recent[0] = Some(Arc::downgrade(&shared));
    shared
}

/// Lets go of the long lists of keys remembered for sharing (see [`shared_list`]): a list
/// no answer holds still keeps its room while its weak reference is kept.
pub(super) fn forget_shared_list() {
    *LAST_DEPENDS
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner) = [const { None }; SHARED_LISTS];
}

/// One pass of three-valued evaluation over the statements whose action matches: gather the
/// evidence resource by resource, decide each, roll up, explain.
fn evaluate_once<'a>(matching: &Matching<'a>, req: &'a Request) -> Decision {
    // A quick pass first (see `evaluate_resource`), and a whole one when it gives up.
    let mut gathered = gather(matching, req, true);
    if gathered.0.gave_up() {
        gathered = gather(matching, req, false);
    }
    let (mut evidence, outcomes, missing) = gathered;
    let status = if req.resources.is_empty() {
        Status::Missing
    } else {
        Status::worst(outcomes.iter().map(|o| o.status)).unwrap_or(Status::Missing)
    };
    let missing = match status {
        Status::Missing => Some(missing.unwrap_or(MissingReason::NoMatchingAllow(Layer::Identity))),
        _ => None,
    };
    // Sorted and without repeats; only an open answer depends on anything.
    let depends = if status == Status::Conditional {
        evidence.depends()
    } else {
        DependsOn::default()
    };
    let missing_layers = match missing {
        Some(MissingReason::NoMatchingAllow(_)) => {
            let mut layers = std::mem::take(&mut evidence.empty_layers);
            if layers.is_empty() {
                layers.push(Layer::Identity);
            }
            layers
        }
        _ => Vec::new(),
    };
    let mut wording = Wording::new(req);
    let allowed_elsewhere: Vec<StatementRef> = match missing {
        Some(MissingReason::NoMatchingAllow(l)) if l != Layer::Identity => evidence
            .decided_allow
            .iter()
            .filter(|s| s.layer != l)
            .map(|s| s.into_ref(&mut wording))
            .collect(),
        _ => Vec::new(),
    };
    let (decided_by, near_misses) = evidence.shown(status, missing);
    let mut words = |v: Vec<Pending<'_>>| -> Vec<StatementRef> {
        v.into_iter().map(|s| s.into_ref(&mut wording)).collect()
    };
    let decided_by = words(decided_by);
    let near_misses = words(near_misses);
    let mut explanation = explain(
        req,
        status,
        missing,
        &outcomes,
        &decided_by,
        &near_misses,
        &depends,
    );
    if let Some(MissingReason::NoMatchingAllow(l)) = missing
        && l != Layer::Identity
    {
        explanation.push_str(&super::explain::layer_note(l, &allowed_elsewhere));
    }
    Decision {
        status,
        missing,
        resources: outcomes,
        decided_by,
        near_misses,
        depends_on: depends,
        missing_layers,
        explanation,
    }
}

/// At most this many statements are kept per list of an explanation; the status itself is
/// computed from all of them.
pub const MAX_STATEMENT_REFS: usize = 10;

fn push_unique<T: Names>(v: &mut Vec<T>, s: T) {
    if v.len() < MAX_STATEMENT_REFS && !v.iter().any(|x| x.names() == s.names()) {
        v.push(s);
    }
}
