//! Evaluation of a policy set against one required permission, three-valued and explained.
//!
//! Follows the AWS policy evaluation logic for a principal in one account
//! (IAM User Guide, "Policy evaluation logic"): an explicit `Deny` in any policy wins; otherwise
//! the identity policies must allow, and so must the permissions boundary and every SCP level
//! when present. Anything the request does not pin down (an unknown condition key value, a
//! resource name the user did not give) is kept open, and the answer is *conditional* when it
//! matters.

use std::collections::BTreeMap;
use std::fmt;
use std::sync::Arc;

use crate::json::Span;
use crate::pattern::{ArnGlob, Template, Tri};
use crate::policy::{Effect, Policy, Statement};
use crate::vars::Resolved;

/// What is known of one condition key in a request.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum KeyState {
    /// The request does not carry the key.
    Absent,
    /// The request carries these values (one for single-valued keys).
    Values(Vec<String>),
}

/// What is known of a request's condition keys. Keys not set here are unknown: they may be
/// absent or hold any value. Key names are case-insensitive.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Context {
    keys: BTreeMap<String, (String, KeyState)>,
}

impl Context {
    /// Sets a key's values.
    pub fn set<I, S>(&mut self, key: &str, values: I)
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.keys.insert(
            key.to_lowercase(),
            (
                key.to_owned(),
                KeyState::Values(values.into_iter().map(Into::into).collect()),
            ),
        );
    }

    /// Marks a key as absent from the request.
    pub fn set_absent(&mut self, key: &str) {
        self.keys
            .insert(key.to_lowercase(), (key.to_owned(), KeyState::Absent));
    }

    /// What is known of a key.
    pub fn get(&self, key: &str) -> Option<&KeyState> {
        self.keys.get(&key.to_lowercase()).map(|(_, s)| s)
    }

    /// The known keys, with their names as first given.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &KeyState)> {
        self.keys.values().map(|(k, s)| (k.as_str(), s))
    }

    /// True when nothing is known.
    pub fn is_empty(&self) -> bool {
        self.keys.is_empty()
    }
}

/// One required permission: an action on one or more resources, with what is known of the
/// request. A request is allowed only when every resource is allowed.
#[derive(Clone, Debug)]
pub struct Request {
    /// `service:Action`.
    pub action: String,
    /// The resources, as templates (`arn:aws:iam::{account}:role/{role}`), or `*` for an
    /// action without resource-level permissions.
    pub resources: Vec<Template>,
    /// What is known of the request's condition keys.
    pub context: Context,
}

/// Where a policy sits in the evaluation.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
pub enum Layer {
    /// Identity-based policies of the principal (and its groups).
    Identity,
    /// The permissions boundary.
    Boundary,
    /// A service control policy level (0-based).
    Scp(usize),
}

impl fmt::Display for Layer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Identity => f.write_str("identity policies"),
            Self::Boundary => f.write_str("permissions boundary"),
            Self::Scp(i) => write!(f, "SCP {}", i + 1),
        }
    }
}

/// The policies that apply to a principal.
#[derive(Clone, Debug, Default)]
pub struct PolicySet {
    /// Identity-based policies: all are searched together.
    pub identity: Vec<Arc<Policy>>,
    /// The permissions boundary, if any: it must allow too.
    pub boundary: Option<Arc<Policy>>,
    /// Service control policies, one per organization level: each must allow.
    pub scps: Vec<Arc<Policy>>,
}

impl PolicySet {
    /// A set with one identity policy.
    pub fn single(policy: Policy) -> Self {
        Self {
            identity: vec![Arc::new(policy)],
            ..Self::default()
        }
    }

    fn layers(&self) -> Vec<(Layer, Vec<(usize, &Policy)>)> {
        let mut out = vec![(
            Layer::Identity,
            self.identity
                .iter()
                .enumerate()
                .map(|(i, p)| (i, p.as_ref()))
                .collect(),
        )];
        if let Some(b) = &self.boundary {
            out.push((Layer::Boundary, vec![(0, b.as_ref())]));
        }
        for (i, s) in self.scps.iter().enumerate() {
            out.push((Layer::Scp(i), vec![(0, s.as_ref())]));
        }
        out
    }

    /// The policy a [`StatementRef`] points to.
    pub fn policy(&self, layer: Layer, index: usize) -> Option<&Policy> {
        match layer {
            Layer::Identity => self.identity.get(index).map(AsRef::as_ref),
            Layer::Boundary => self.boundary.as_deref(),
            Layer::Scp(i) => self.scps.get(i).map(AsRef::as_ref),
        }
    }

    /// Total number of statements.
    pub fn statement_count(&self) -> usize {
        self.identity
            .iter()
            .chain(self.boundary.iter())
            .chain(self.scps.iter())
            .map(|p| p.statements.len())
            .sum()
    }
}

/// The three results.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    /// Allowed for every request consistent with what is known.
    Satisfied,
    /// Allowed for some such requests and denied for others.
    Conditional,
    /// Denied for every such request.
    Missing,
}

impl Status {
    /// The word shown to users.
    pub fn word(self) -> &'static str {
        match self {
            Self::Satisfied => "satisfied",
            Self::Conditional => "conditional",
            Self::Missing => "missing",
        }
    }
}

impl fmt::Display for Status {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.word())
    }
}

/// Why a missing permission is missing.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum MissingReason {
    /// A Deny statement matches.
    ExplicitDeny,
    /// No Allow statement matches (in the named layer).
    NoMatchingAllow(Layer),
}

/// A statement that took part in a decision.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct StatementRef {
    /// Which layer.
    pub layer: Layer,
    /// Index of the policy in its layer.
    pub policy_index: usize,
    /// The policy's name.
    pub policy: String,
    /// Index of the statement in the policy.
    pub statement: usize,
    /// The statement's Sid.
    pub sid: Option<String>,
    /// Allow or Deny.
    pub effect: Effect,
    /// Where the statement is in the policy's source.
    pub span: Span,
    /// Whether it applies to the request.
    pub applies: Tri,
    /// Why: one line for each part that did not simply match.
    pub notes: Vec<String>,
}

impl StatementRef {
    /// "policy.json statement 2 (Sid \"X\")"
    pub fn label(&self) -> String {
        let sid = match &self.sid {
            Some(s) if !s.is_empty() => format!(" (Sid \"{s}\")"),
            _ => String::new(),
        };
        format!("{} statement {}{}", self.policy, self.statement, sid)
    }
}

/// The outcome for one resource of a request.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct ResourceOutcome {
    /// The resource template.
    pub resource: String,
    /// Its status.
    pub status: Status,
}

/// The decision for one required permission, with its explanation.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct Decision {
    /// The result.
    pub status: Status,
    /// For a missing permission: why.
    pub missing: Option<MissingReason>,
    /// The outcome per resource.
    pub resources: Vec<ResourceOutcome>,
    /// The statements that decided: the allows for satisfied, the denies for an explicit deny,
    /// the statements that depend on unknowns for conditional.
    pub decided_by: Vec<StatementRef>,
    /// For a missing permission without a deny: statements that matched the action but
    /// failed on resource or condition.
    pub near_misses: Vec<StatementRef>,
    /// For conditional: the condition keys and resource parts the result depends on.
    pub depends_on: Vec<String>,
    /// A summary in words.
    pub explanation: String,
}

/// How one statement fares against one request resource.
struct StatementEval {
    applies: Tri,
    notes: Vec<String>,
    depends: Vec<String>,
}

/// Matches a resource pattern that holds policy variables: unknown variables leave it open.
fn resolve_resource(
    p: &crate::vars::VarText,
    resource: &Template,
    ctx: &Context,
    notes: &mut Vec<String>,
    depends: &mut Vec<String>,
) -> Tri {
    match p.resolve(ctx, true, false) {
        Resolved::Known(g) => ArnGlob::from_glob(g).match_template(resource),
        Resolved::Unknown(g, keys) => {
            if ArnGlob::from_glob(g).match_template(resource) == Tri::Never {
                Tri::Never
            } else {
                notes.push(format!(
                    "Resource \"{}\" uses {} whose value is not known",
                    p.text,
                    keys.join(", ")
                ));
                depends.extend(keys);
                Tri::Sometimes
            }
        }
        Resolved::Unresolvable(key) => {
            notes.push(format!(
                "Resource \"{}\" uses {key}, which the request does not carry, so it matches nothing",
                p.text
            ));
            Tri::Never
        }
    }
}

/// Whether a statement's Action/NotAction covers the (lower-cased) action.
fn action_matches(st: &Statement, action_lower: &str) -> bool {
    st.actions
        .patterns
        .iter()
        .any(|p| p.glob.matches(action_lower))
        != st.actions.negated
}

/// Evaluates a statement whose action matches, against one resource.
fn eval_statement(st: &Statement, resource: &Template, ctx: &Context) -> StatementEval {
    let mut notes = Vec::new();
    let mut depends = Vec::new();

    // Resource.
    let mut res = Tri::Never;
    for (p, compiled) in st.resources.patterns.iter().zip(&st.resources.compiled) {
        let t = match compiled {
            Some(g) => g.match_template(resource),
            None => resolve_resource(p, resource, ctx, &mut notes, &mut depends),
        };
        if t == Tri::Sometimes && !resource.is_known() {
            let open = compiled
                .as_ref()
                .map_or_else(|| resource.holes(), |g| g.open_holes(resource));
            if !open.is_empty() {
                notes.push(format!(
                    "{}Resource \"{}\" covers only some values of {{{}}} in {resource}",
                    if st.resources.negated { "Not" } else { "" },
                    p.text,
                    open.join("}, {")
                ));
                depends.extend(open.iter().map(|h| format!("{{{h}}}")));
            }
        }
        res = res.or(t);
        if res == Tri::Always {
            break;
        }
    }
    if st.resources.negated {
        res = res.negate();
    }
    if res == Tri::Never {
        notes.push(format!(
            "{} [{}] does not cover {resource}",
            st.resources.element(),
            st.resources.list()
        ));
    }

    // Conditions: all must hold.
    let mut cond = Tri::Always;
    for c in &st.conditions {
        let out = c.evaluate(ctx);
        if out.tri != Tri::Always {
            notes.push(out.note);
            if let Some(k) = out.depends_on {
                depends.push(k);
            }
        }
        cond = cond.and(out.tri);
    }
    StatementEval {
        applies: res.and(cond),
        notes,
        depends,
    }
}

/// Per layer, the statements (with their policy index) whose action matches a request.
type Matching<'a> = Vec<(Layer, Vec<(usize, &'a Policy, &'a Statement)>)>;

/// Evaluates one required permission against a policy set.
pub fn evaluate(set: &PolicySet, req: &Request) -> Decision {
    let first = evaluate_once(set, req);
    if first.status == Status::Conditional
        && let Some(exact) = refine(set, req, &first)
    {
        return exact;
    }
    first
}

/// A conditional result checked case by case (see [`crate::refine`]).
fn refine(set: &PolicySet, req: &Request, first: &Decision) -> Option<Decision> {
    let action_lower = req.action.to_lowercase();
    let service = action_lower.split_once(':').map_or("", |(s, _)| s);
    let statements: Vec<&Statement> = set
        .layers()
        .into_iter()
        .flat_map(|(_, policies)| {
            policies
                .into_iter()
                .flat_map(|(_, p)| p.candidates(service))
        })
        .filter(|st| action_matches(st, &action_lower))
        .collect();
    let cases = crate::refine::cases(req, &statements)?;
    // Never conclude anything from zero cases.
    if cases.is_empty() {
        return None;
    }
    let mut missing: Option<MissingReason> = None;
    let mut allowed = 0;
    for case in &cases {
        let d = evaluate_once(set, case);
        match d.status {
            Status::Conditional => return None,
            Status::Satisfied => allowed += 1,
            Status::Missing => {
                // An explicit deny only if every case was denied explicitly.
                if matches!(missing, None | Some(MissingReason::ExplicitDeny)) {
                    missing = d.missing;
                }
            }
        }
        if allowed > 0 && missing.is_some() {
            return None; // really conditional
        }
    }
    let what = if first.depends_on.is_empty() {
        "the unknowns".to_owned()
    } else {
        first.depends_on.join(", ")
    };
    let labels = first
        .decided_by
        .iter()
        .map(StatementRef::label)
        .collect::<Vec<_>>()
        .join("; ");
    let mut exact = first.clone();
    exact.depends_on = Vec::new();
    if allowed == cases.len() {
        exact.status = Status::Satisfied;
        exact.missing = None;
        exact.explanation = format!(
            "{} is allowed in every case: the statements cover each other ({labels}). All {} distinct cases of {what} were checked.",
            req.action,
            cases.len()
        );
        for r in &mut exact.resources {
            r.status = Status::Satisfied;
        }
    } else {
        exact.status = Status::Missing;
        exact.missing = Some(missing.unwrap_or(MissingReason::NoMatchingAllow(Layer::Identity)));
        exact.near_misses = std::mem::take(&mut exact.decided_by);
        exact.explanation = format!(
            "{} is denied in every case: no combination of {what} is allowed ({} distinct cases checked). Nearest misses: {labels}.",
            req.action,
            cases.len()
        );
        for r in &mut exact.resources {
            r.status = Status::Missing;
        }
    }
    Some(exact)
}

/// One pass of three-valued evaluation.
fn evaluate_once(set: &PolicySet, req: &Request) -> Decision {
    let action_lower = req.action.to_lowercase();
    let layers = set.layers();
    let mut decided_allow: Vec<StatementRef> = Vec::new();
    let mut deny_always: Vec<StatementRef> = Vec::new();
    let mut open: Vec<StatementRef> = Vec::new();
    let mut near: Vec<StatementRef> = Vec::new();
    let mut depends: Vec<String> = Vec::new();
    let mut outcomes = Vec::with_capacity(req.resources.len());
    let mut missing: Option<MissingReason> = None;

    let service = action_lower.split_once(':').map_or("", |(s, _)| s);
    // The statements whose action matches, per layer: found once, not once per resource.
    let matching: Matching<'_> = layers
        .iter()
        .map(|(layer, policies)| {
            let sts = policies
                .iter()
                .flat_map(|(pi, policy)| {
                    policy
                        .candidates(service)
                        .into_iter()
                        .filter(|st| action_matches(st, &action_lower))
                        .map(move |st| (*pi, *policy, st))
                })
                .collect();
            (*layer, sts)
        })
        .collect();

    for resource in &req.resources {
        let mut deny_any = Tri::Never;
        let mut allow_all = Tri::Always;
        let mut first_empty_layer = None;
        for (layer, statements) in &matching {
            let mut allow = Tri::Never;
            {
                for &(pi, policy, st) in statements {
                    let ev = eval_statement(st, resource, &req.context);
                    let sref = || StatementRef {
                        layer: *layer,
                        policy_index: pi,
                        policy: policy.name.clone(),
                        statement: st.index,
                        sid: st.sid.clone(),
                        effect: st.effect,
                        span: st.span,
                        applies: ev.applies,
                        notes: ev.notes.clone(),
                    };
                    match (st.effect, ev.applies) {
                        (Effect::Deny, t) => {
                            deny_any = deny_any.or(t);
                            match t {
                                Tri::Always if deny_always.len() < MAX_STATEMENT_REFS => {
                                    push_unique(&mut deny_always, sref());
                                }
                                Tri::Sometimes => {
                                    push_unique(&mut open, sref());
                                    depends.extend(ev.depends.iter().cloned());
                                }
                                _ => {}
                            }
                        }
                        (Effect::Allow, t) => {
                            allow = allow.or(t);
                            match t {
                                Tri::Always if decided_allow.len() < MAX_STATEMENT_REFS => {
                                    push_unique(&mut decided_allow, sref());
                                }
                                Tri::Sometimes => {
                                    push_unique(&mut open, sref());
                                    depends.extend(ev.depends.iter().cloned());
                                }
                                Tri::Never if near.len() < MAX_STATEMENT_REFS => {
                                    push_unique(&mut near, sref());
                                }
                                _ => {}
                            }
                        }
                    }
                }
            }
            if allow == Tri::Never && first_empty_layer.is_none() {
                first_empty_layer = Some(*layer);
            }
            allow_all = allow_all.and(allow);
        }
        let status = if deny_any == Tri::Always {
            missing.get_or_insert(MissingReason::ExplicitDeny);
            Status::Missing
        } else if allow_all == Tri::Never {
            if missing.is_none() {
                missing = Some(MissingReason::NoMatchingAllow(
                    first_empty_layer.unwrap_or(Layer::Identity),
                ));
            }
            Status::Missing
        } else if deny_any == Tri::Never && allow_all == Tri::Always {
            Status::Satisfied
        } else {
            Status::Conditional
        };
        outcomes.push(ResourceOutcome {
            resource: resource.to_string(),
            status,
        });
    }

    let status = outcomes
        .iter()
        .map(|o| o.status)
        .max()
        .unwrap_or(Status::Missing);
    let status = if req.resources.is_empty() {
        Status::Missing
    } else {
        status
    };
    if status == Status::Missing && missing.is_none() {
        missing = Some(MissingReason::NoMatchingAllow(Layer::Identity));
    }
    depends.sort();
    depends.dedup();

    let (decided_by, near_misses) = match status {
        Status::Satisfied => (decided_allow, Vec::new()),
        Status::Missing => {
            if let Some(MissingReason::ExplicitDeny) = missing {
                (deny_always, Vec::new())
            } else {
                // The allows that did match some resources are worth showing too.
                let mut n = near;
                for s in decided_allow.into_iter().chain(open) {
                    push_unique(&mut n, s);
                }
                (Vec::new(), n)
            }
        }
        Status::Conditional => {
            let mut d = open;
            for s in decided_allow {
                push_unique(&mut d, s);
            }
            (d, Vec::new())
        }
    };
    let explanation = explain(
        req,
        status,
        missing,
        &outcomes,
        &decided_by,
        &near_misses,
        &depends,
    );
    Decision {
        status,
        missing: if status == Status::Missing {
            missing
        } else {
            None
        },
        resources: outcomes,
        decided_by,
        near_misses,
        depends_on: if status == Status::Conditional {
            depends
        } else {
            Vec::new()
        },
        explanation,
    }
}

/// At most this many statements are kept per list of an explanation; the status itself is
/// computed from all of them.
pub const MAX_STATEMENT_REFS: usize = 10;

fn push_unique(v: &mut Vec<StatementRef>, s: StatementRef) {
    if v.len() < MAX_STATEMENT_REFS
        && !v.iter().any(|x| {
            x.layer == s.layer && x.policy_index == s.policy_index && x.statement == s.statement
        })
    {
        v.push(s);
    }
}

fn explain(
    req: &Request,
    status: Status,
    missing: Option<MissingReason>,
    outcomes: &[ResourceOutcome],
    decided_by: &[StatementRef],
    near: &[StatementRef],
    depends: &[String],
) -> String {
    let labels = |v: &[StatementRef]| {
        v.iter()
            .map(StatementRef::label)
            .collect::<Vec<_>>()
            .join("; ")
    };
    let multi = outcomes.len() > 1;
    match status {
        Status::Satisfied => format!("{} is allowed by {}.", req.action, labels(decided_by)),
        Status::Missing => {
            let which: Vec<&str> = outcomes
                .iter()
                .filter(|o| o.status == Status::Missing)
                .map(|o| o.resource.as_str())
                .collect();
            let on = if multi && which.len() < outcomes.len() {
                format!(" on {}", which.join(", "))
            } else {
                String::new()
            };
            match missing {
                Some(MissingReason::ExplicitDeny) => {
                    format!(
                        "{} is explicitly denied{on} by {}. A Deny always wins over any Allow.",
                        req.action,
                        labels(decided_by)
                    )
                }
                Some(MissingReason::NoMatchingAllow(layer)) => {
                    let mut s = format!("No statement in the {layer} allows {}{on}.", req.action);
                    if !near.is_empty() {
                        s.push_str(" Nearest misses: ");
                        let parts: Vec<String> = near
                            .iter()
                            .map(|n| format!("{} ({})", n.label(), n.notes.join("; ")))
                            .collect();
                        s.push_str(&parts.join("; "));
                        s.push('.');
                    }
                    s
                }
                None => format!("{} is not allowed.", req.action),
            }
        }
        Status::Conditional => {
            let mut s = format!(
                "{} is allowed for some requests and denied for others: it depends on {}.",
                req.action,
                if depends.is_empty() {
                    "something the engine could not evaluate".to_owned()
                } else {
                    depends.join(", ")
                }
            );
            for d in decided_by.iter().filter(|d| d.applies == Tri::Sometimes) {
                s.push_str(&format!(
                    " {} {}: {}.",
                    d.effect,
                    d.label(),
                    d.notes.join("; ")
                ));
            }
            s
        }
    }
}
