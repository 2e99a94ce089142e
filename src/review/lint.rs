//! Findings: what a reviewer who knows Auto Scaling would point out in a policy. Each has a
//! code, a severity, the statement and its line, why it matters and how to fix it. The
//! catalogue is in the README; every finding has a test that finds it and one that does not.

use std::borrow::Cow;
use std::sync::Arc;

use serde::Serialize;

use crate::asg::catalog::{Catalog, catalog};
use crate::policy::operators::{BaseOp, Operator, SetOp};
use crate::policy::{Effect, Policy, Statement};
use crate::text::json::LineIndex;
use crate::text::room::reserve_at_rate;
use crate::text::words::{elide, thousands};

/// How much a finding matters.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// The policy does not do what it says, or AWS rejects it.
    Error,
    /// It grants more than it should, or less than it seems to.
    Warning,
    /// Worth a look.
    Info,
}

impl Severity {
    /// "error", "warning", "info".
    pub fn word(self) -> &'static str {
        match self {
            Self::Error => "error",
            Self::Warning => "warning",
            Self::Info => "info",
        }
    }
}

/// A kind of finding: its stable code, why it matters and what to do, the same words for
/// every finding of the kind. A policy may have a finding for each of tens of thousands of
/// statements: each points at its kind, not at three texts of its own.
#[derive(Debug, PartialEq, Eq)]
pub struct FindingKind {
    /// Stable code (`passrole-any-role`).
    pub code: &'static str,
    /// Why it matters.
    pub why: &'static str,
    /// What to do, unless the finding says more (see [`Finding::fix`]).
    pub fix: &'static str,
}

/// `policy-warning`.
pub const POLICY_WARNING: FindingKind = FindingKind {
    code: "policy-warning",
    why: "AWS accepts this, but it probably does not mean what it seems to.",
    fix: "See the message; the README's \"How it decides\" section explains each case.",
};

/// `slr-no-service-name`.
pub const SLR_NO_SERVICE_NAME: FindingKind = FindingKind {
    code: "slr-no-service-name",
    why: "It lets the principal create the service-linked role of any service, not just Auto Scaling's.",
    fix: "Add \"Condition\": {\"StringEquals\": {\"iam:AWSServiceName\": \"autoscaling.amazonaws.com\"}}.",
};

/// `allow-not-action`.
pub const ALLOW_NOT_ACTION: FindingKind = FindingKind {
    code: "allow-not-action",
    why: "It allows every action of every service except those listed, including actions AWS adds later.",
    fix: "List the actions to allow with Action instead.",
};

/// `allow-not-resource`.
pub const ALLOW_NOT_RESOURCE: FindingKind = FindingKind {
    code: "allow-not-resource",
    why: "It allows the actions on every resource except those listed, including resources created later.",
    fix: "List the resources to allow with Resource instead.",
};

/// `not-used-by-auto-scaling`.
pub const NOT_USED_BY_AUTO_SCALING: FindingKind = FindingKind {
    code: "not-used-by-auto-scaling",
    why: "In a policy meant for Auto Scaling, this statement grants something else.",
    fix: "Keep it if the principal needs it for other work; otherwise remove it.",
};

/// `forallvalues-absent-key`.
pub const FORALLVALUES_ABSENT_KEY: FindingKind = FindingKind {
    code: "forallvalues-absent-key",
    why: "ForAllValues checks every value the request has; with none it is true, so this Allow also applies to requests without the key.",
    fix: "Require the key with a Null condition set to false, or use ForAnyValue.",
};

/// `passrole-any-role`.
pub const PASSROLE_ANY_ROLE: FindingKind = FindingKind {
    code: "passrole-any-role",
    why: "Whoever has this can hand any role, including administrator roles, to a service; through Auto Scaling, to every instance it launches.",
    fix: "List the roles (arn:aws:iam::ACCOUNT:role/app-*) that this principal should pass.",
};

/// `passrole-no-service`.
pub const PASSROLE_NO_SERVICE: FindingKind = FindingKind {
    code: "passrole-no-service",
    why: "Without it the roles can be passed to any service, not just the one they are for.",
    fix: "Add \"Condition\": {\"StringEquals\": {\"iam:PassedToService\": \"ec2.amazonaws.com\"}} (or the service the role is for).",
};

/// `passrole-autoscaling-outside-service-roles`.
pub const PASSROLE_AUTOSCALING_OUTSIDE_SERVICE_ROLES: FindingKind = FindingKind {
    code: "passrole-autoscaling-outside-service-roles",
    why: "Auto Scaling takes only service-linked roles (under role/aws-service-role/autoscaling.amazonaws.com/); other roles granted here are never used by it and widen the grant.",
    fix: "Use arn:aws:iam::ACCOUNT:role/aws-service-role/autoscaling.amazonaws.com/AWSServiceRoleForAutoScaling* as the resource.",
};

/// `unknown-action`.
pub const UNKNOWN_ACTION: FindingKind = FindingKind {
    code: "unknown-action",
    why: "An action that does not exist matches nothing: the statement grants less than it seems to.",
    fix: "Check the name in `asg-perms list`.",
};

/// `unknown-action` past the lint's budget of comparisons with the actions' names (see
/// [`MAX_SUGGESTED`]): the same finding, with a fix that says why no name is suggested.
pub const UNKNOWN_ACTION_NOT_COMPARED: FindingKind = FindingKind {
    code: UNKNOWN_ACTION.code,
    why: UNKNOWN_ACTION.why,
    fix: "Check the name in `asg-perms list` (not compared with the actions' names: this policy names more than 1,024 different actions that Auto Scaling does not have).",
};

/// `unknown-condition-key`.
pub const UNKNOWN_CONDITION_KEY: FindingKind = FindingKind {
    code: "unknown-condition-key",
    why: "A key the request never carries is absent: the condition is decided by that, whatever its values.",
    fix: "Use a key listed for these actions (`asg-perms explain --action NAME` lists them), or a global aws: key.",
};

/// `arn-case`.
pub const ARN_CASE: FindingKind = FindingKind {
    code: "arn-case",
    why: "Resource ARNs are compared case-sensitively, so this pattern matches no real resource.",
    fix: "Write the \"arn\" prefix, the partition and the service in lower case.",
};

/// `duplicate-sid`.
pub const DUPLICATE_SID: FindingKind = FindingKind {
    code: "duplicate-sid",
    why: "Sids must be unique within an IAM policy; IAM refuses the policy otherwise.",
    fix: "Give each statement its own Sid.",
};

/// `dead-allow`.
pub const DEAD_ALLOW: FindingKind = FindingKind {
    code: "dead-allow",
    why: "An explicit Deny wins over any Allow; this Allow never takes effect.",
    fix: "Remove the Allow, or narrow the Deny (a condition, or fewer actions or resources).",
};

/// `dead-allow-not-checked`.
pub const DEAD_ALLOW_NOT_CHECKED: FindingKind = FindingKind {
    code: "dead-allow-not-checked",
    why: "The other findings stand; only this one check was left out.",
    fix: "Lint the policy in parts, or look for overriding Denies by hand.",
};

/// One finding.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Finding {
    /// What kind of finding it is: its code, why it matters and the usual fix.
    pub kind: &'static FindingKind,
    /// How much it matters.
    pub severity: Severity,
    /// The policy's name (shared by its findings).
    pub policy: Arc<str>,
    /// The statement, 0-based (none for the whole policy).
    pub statement: Option<u32>,
    /// The statement's Sid, empty when it has none or the finding is about the whole policy
    /// (in place up to 24 bytes, as nearly every Sid is: the finding's label is made from it
    /// when shown, not kept; see [`Finding::label`]).
    pub sid: compact_str::CompactString,
    /// 1-based line of what is found.
    pub line: u32,
    /// 1-based column.
    pub column: u32,
    /// What is wrong, in one line (shared: a policy's parser warnings that say the same
    /// are one text).
    pub message: Arc<str>,
    /// What to do, when it is more than the kind's usual fix (the name meant, the key to
    /// add).
    pub fix_here: Option<Box<str>>,
}

impl Finding {
    /// Stable code (`passrole-any-role`).
    pub fn code(&self) -> &'static str {
        self.kind.code
    }

    /// Why it matters.
    pub fn why(&self) -> &'static str {
        self.kind.why
    }

    /// "statement 2 (Sid \"X\")", counted from 1; empty for a finding about the whole
    /// policy.
    pub fn label(&self) -> String {
        self.statement.map_or_else(String::new, |i| {
            crate::policy::statement_label(i as usize, Some(&self.sid))
        })
    }

    /// What to do.
    pub fn fix(&self) -> &str {
        self.fix_here.as_deref().unwrap_or(self.kind.fix)
    }
}

/// Written as it was when each finding held its code, words and fix: `code`, `severity`,
/// `policy`, `statement`, `label`, `line`, `column`, `message`, `why`, `fix`.
impl Serialize for Finding {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let mut s = serializer.serialize_struct("Finding", 10)?;
        s.serialize_field("code", self.code())?;
        s.serialize_field("severity", &self.severity)?;
        s.serialize_field("policy", &self.policy)?;
        s.serialize_field("statement", &self.statement)?;
        s.serialize_field("label", &self.label())?;
        s.serialize_field("line", &self.line)?;
        s.serialize_field("column", &self.column)?;
        s.serialize_field("message", &self.message)?;
        s.serialize_field("why", self.why())?;
        s.serialize_field("fix", self.fix())?;
        s.end()
    }
}

/// A line or column as a finding holds it (a policy is far under 4 GiB: see the limits).
fn place(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

/// Adds `more` to `all`: taken over whole when `all` is empty (a second list as long would
/// be held while the first is copied, and a policy may have a finding for each of tens of
/// thousands of statements).
pub fn gather(all: &mut Vec<Finding>, mut more: Vec<Finding>) {
    if all.is_empty() {
        *all = more;
    } else {
        all.append(&mut more);
    }
}

/// What a lint is run for.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct LintOptions {
    /// The policy is meant for Auto Scaling: statements no Auto Scaling requirement uses are
    /// worth a note.
    pub auto_scaling_policy: bool,
}

/// Every finding in a policy, in source order.
pub fn lint(policy: &Policy, options: LintOptions) -> Vec<Finding> {
    // Room for the parser's warnings, then for the statements' findings as they come (see
    // `reserve_at_rate`): a policy may have a finding for each of tens of thousands of
    // statements, and a list that doubles would hold up to twice their room.
    let mut out = Vec::with_capacity(policy.warnings.len());
    let name: Arc<str> = policy.name.as_str().into();
    // Lines and columns from one index of the source: findings come in statement order,
    // so a one-line policy is scanned once, not once per finding.
    let index = LineIndex::new(&policy.source);
    let at = |offset: usize| index.line_col(&policy.source, offset);
    // What the parser already noticed (a multivalued key without ForAnyValue/ForAllValues,
    // an unknown operator, odd casing), as findings. One about a statement names it, so it
    // shows on the statement's card; its words are the parser's own, shared.
    for w in &policy.warnings {
        out.push(Finding {
            kind: &POLICY_WARNING,
            severity: Severity::Warning,
            policy: Arc::clone(&name),
            statement: w.message.statement().map(place),
            sid: w.message.sid().map(Into::into).unwrap_or_default(),
            line: place(w.line),
            column: place(w.column),
            message: Arc::clone(w.message.text()),
            fix_here: None,
        });
    }
    // A finding about a statement (its place, label and policy filled in).
    let finding = |st: &Statement,
                   kind: &'static FindingKind,
                   severity: Severity,
                   offset: usize,
                   message: Cow<'static, str>,
                   fix_here: Option<String>| {
        let (line, column) = at(offset);
        Finding {
            kind,
            severity,
            policy: Arc::clone(&name),
            statement: Some(place(st.index())),
            sid: st.sid.as_deref().map(Into::into).unwrap_or_default(),
            line: place(line),
            column: place(column),
            message: message.into(),
            fix_here: fix_here.map(String::into_boxed_str),
        }
    };
    let warned = out.len();
    let statements = policy.statements.len();
    let mut memo = Memo::default();
    // The findings of a kind past the first few of a statement, counted.
    let mut counted = Counted::default();
    for (done, st) in policy.statements.iter().enumerate() {
        let made = out.len() - warned;
        reserve_at_rate(&mut out, 4, made, done, statements - done);
        statement_findings(
            st,
            options,
            &mut memo,
            &mut |kind, severity, offset, message, fix_here| {
                if counted.listed(kind, severity, offset) {
                    out.push(finding(st, kind, severity, offset, message, fix_here));
                }
            },
        );
        for (kind, more, severity, offset) in counted.rest() {
            let message = format!(
                "and {} more {} finding{} in this statement, counted, not listed",
                thousands(more as u64),
                kind.code,
                if more == 1 { "" } else { "s" }
            );
            out.push(finding(st, kind, severity, offset, message.into(), None));
        }
    }
    duplicate_sids(policy, &mut |st, message| {
        out.push(finding(
            st,
            &DUPLICATE_SID,
            Severity::Error,
            st.span.start,
            message.into(),
            None,
        ));
    });
    dead_allows(policy, &name, &index, &mut out);
    in_source_order(&mut out);
    out.shrink_to_fit();
    out
}

/// How many findings of one kind a statement lists before it counts the rest in one (a
/// statement of 100,000 `ForAllValues` keys, or of 100,000 made-up actions, had a finding
/// for each: 20 times the policy's size in memory, and a list nobody reads).
pub const FINDINGS_OF_A_KIND: usize = 20;

/// The findings of one statement, by kind: which are listed, and how many of each kind
/// are counted past the first [`FINDINGS_OF_A_KIND`].
#[derive(Default)]
struct Counted {
    /// Per kind met in the statement: how many, the most severe past the listed ones,
    /// and where the first of those is.
    kinds: Vec<(&'static FindingKind, usize, Severity, usize)>,
}

impl Counted {
    /// Counts a finding; true when it is to be listed.
    fn listed(&mut self, kind: &'static FindingKind, severity: Severity, offset: usize) -> bool {
        // By code: a kind is a constant, which need not have one address.
        let at = if let Some(at) = self.kinds.iter().position(|k| k.0.code == kind.code) {
            at
        } else {
            self.kinds.push((kind, 0, severity, offset));
            self.kinds.len() - 1
        };
        let entry = &mut self.kinds[at];
        entry.1 += 1;
        match entry.1 {
            n if n <= FINDINGS_OF_A_KIND => true,
            n => {
                if n == FINDINGS_OF_A_KIND + 1 {
                    (entry.2, entry.3) = (severity, offset);
                }
                entry.2 = entry.2.min(severity);
                false
            }
        }
    }

    /// The kinds the statement had more of than are listed: how many more, the most
    /// severe of them and where the first is. Ready for the next statement after.
    fn rest(&mut self) -> Vec<(&'static FindingKind, usize, Severity, usize)> {
        self.kinds
            .drain(..)
            .filter(|k| k.1 > FINDINGS_OF_A_KIND)
            .map(|(kind, n, severity, offset)| (kind, n - FINDINGS_OF_A_KIND, severity, offset))
            .collect()
    }
}

/// Each statement whose Sid an earlier statement has, with the message that names the
/// first. Found by sorting the statements' numbers by Sid: four bytes a statement, where a
/// map of Sids took about thirty.
fn duplicate_sids(policy: &Policy, found: &mut impl FnMut(&Statement, String)) {
    let sid = |i: u32| {
        policy
            .statements
            .get(i as usize)
            .and_then(|st| st.sid.as_deref())
            .unwrap_or_default()
    };
    let mut order: Vec<u32> = (0..policy.statements.len())
        .filter_map(|i| u32::try_from(i).ok())
        .filter(|&i| !sid(i).is_empty())
        .collect();
    // Stable: equal Sids keep statement order, so the first of each run is the first use.
    order.sort_by(|&a, &b| sid(a).cmp(sid(b)));
    let mut dups: Vec<(u32, u32)> = order
        .chunk_by(|&a, &b| sid(a) == sid(b))
        .flat_map(|run| run.iter().skip(1).map(move |&later| (later, run[0])))
        .collect();
    dups.sort_unstable();
    for (later, first) in dups {
        if let Some(st) = policy.statements.get(later as usize) {
            found(
                st,
                format!(
                    "Sid \"{}\" is also the Sid of statement {}",
                    elide(sid(later)),
                    first + 1
                ),
            );
        }
    }
}

/// Sorts findings by line, column and severity, keeping the order of equal ones, without
/// the copy of the findings a stable sort takes: their order is sorted as indexes, then
/// applied in place, cycle by cycle.
fn in_source_order(out: &mut [Finding]) {
    let mut order: Vec<usize> = (0..out.len()).collect();
    order.sort_by_key(|&i| (out[i].line, out[i].column, out[i].severity));
    // Position `k` takes the finding now at `order[k]`.
    let mut done = vec![false; out.len()];
    for start in 0..out.len() {
        if done[start] {
            continue;
        }
        let mut k = start;
        loop {
            done[k] = true;
            let from = order[k];
            if from == start {
                break;
            }
            out.swap(k, from);
            k = from;
        }
    }
}

/// Where a check puts what it finds: the kind, severity, byte offset, message and the fix
/// when it is more than the kind's.
type Sink<'a> =
    dyn FnMut(&'static FindingKind, Severity, usize, Cow<'static, str>, Option<String>) + 'a;

/// An action written in the statement names this exact action (no wildcard reaching it).
fn names(st: &Statement, action: &str) -> bool {
    !st.actions.negated
        && st
            .actions
            .patterns
            .iter()
            .any(|p| p.text.eq_ignore_ascii_case(action))
}

fn has_key(st: &Statement, key: &str) -> bool {
    st.conditions
        .iter()
        .any(|c| c.key.eq_ignore_ascii_case(key))
}

fn condition_values<'a>(st: &'a Statement, key: &str) -> Vec<&'a str> {
    st.conditions
        .iter()
        .filter(|c| c.key.eq_ignore_ascii_case(key))
        .flat_map(|c| c.values.iter().map(|v| v.text.as_ref()))
        .collect()
}

fn statement_findings(st: &Statement, options: LintOptions, memo: &mut Memo, f: &mut Sink<'_>) {
    let allow = st.effect == Effect::Allow;
    let start = st.span.start;
    if allow && names(st, "iam:PassRole") {
        passrole_findings(st, f);
    }
    if allow && names(st, "iam:CreateServiceLinkedRole") && !has_key(st, "iam:AWSServiceName") {
        f(
            &SLR_NO_SERVICE_NAME,
            Severity::Warning,
            start,
            "iam:CreateServiceLinkedRole without an iam:AWSServiceName condition".into(),
            None,
        );
    }
    if allow {
        forallvalues_findings(st, f);
    }
    if allow && st.actions.negated {
        f(
            &ALLOW_NOT_ACTION,
            Severity::Warning,
            start,
            "Allow with NotAction".into(),
            None,
        );
    }
    if allow && st.resources.negated {
        f(
            &ALLOW_NOT_RESOURCE,
            Severity::Warning,
            start,
            "Allow with NotResource".into(),
            None,
        );
    }
    for p in &st.actions.patterns {
        unknown_action(&p.text, start, memo, f);
    }
    unknown_keys(st, f);
    for r in st.resources.texts() {
        arn_case(r, start, f);
    }
    if options.auto_scaling_policy && allow && !st.actions.negated {
        let used = st.actions.patterns.iter().any(|p| {
            remembered(&mut memo.used, &p.text, || {
                let lowered = lowered();
                let glob = p.glob();
                lowered
                    .actions
                    .iter()
                    .map(|(name, _)| name)
                    .chain(&lowered.permissions)
                    .any(|k| glob.matches(k))
            })
        });
        if !used {
            f(
                &NOT_USED_BY_AUTO_SCALING,
                Severity::Info,
                start,
                "no Auto Scaling action, nor any permission one needs, is in this statement".into(),
                None,
            );
        }
    }
}

/// An Allow with `ForAllValues` on a key and nothing that requires the key: true when the
/// request has no such key.
fn forallvalues_findings(st: &Statement, f: &mut Sink<'_>) {
    // The keys a `Null: false` requires, in ASCII lower case, sorted: found once, not once
    // for each ForAllValues condition (a statement of 100,000 of them took minutes).
    let mut required: Option<Vec<String>> = None;
    for c in &st.conditions {
        if let Operator::Known {
            set: Some(SetOp::ForAllValues),
            base,
            ..
        } = c.operator()
            && base != BaseOp::Null
        {
            let required = required.get_or_insert_with(|| {
                let mut keys: Vec<String> = st
                    .conditions
                    .iter()
                    .filter(|g| {
                        matches!(
                            g.operator(),
                            Operator::Known {
                                base: BaseOp::Null,
                                ..
                            }
                        ) && g
                            .values
                            .iter()
                            .any(|v| v.text.eq_ignore_ascii_case("false"))
                    })
                    .map(|g| g.key.to_ascii_lowercase())
                    .collect();
                keys.sort_unstable();
                keys
            });
            let guarded = required.binary_search(&c.key.to_ascii_lowercase()).is_ok();
            if !guarded {
                f(
                    &FORALLVALUES_ABSENT_KEY,
                    Severity::Warning,
                    c.at(),
                    format!(
                        "ForAllValues on {} is true when the request has no {}",
                        c.key, c.key
                    )
                    .into(),
                    Some(format!(
                        "Add \"Null\": {{\"{}\": \"false\"}} to require the key, or use ForAnyValue.",
                        c.key
                    )),
                );
            }
        }
    }
}

/// `iam:PassRole` granted on every role, to any service, or to Auto Scaling outside its
/// service-linked roles.
fn passrole_findings(st: &Statement, f: &mut Sink<'_>) {
    let start = st.span.start;
    if st.resources.texts().any(|r| r == "*") && !st.resources.negated {
        f(
            &PASSROLE_ANY_ROLE,
            Severity::Warning,
            start,
            "iam:PassRole on every role (\"Resource\": \"*\")".into(),
            None,
        );
    }
    if !has_key(st, "iam:PassedToService") {
        f(
            &PASSROLE_NO_SERVICE,
            Severity::Warning,
            start,
            "iam:PassRole without an iam:PassedToService condition".into(),
            None,
        );
    }
    let to_autoscaling = condition_values(st, "iam:PassedToService")
        .iter()
        .any(|v| v.starts_with("autoscaling.amazonaws.com"));
    let outside: Vec<&str> = st
        .resources
        .texts()
        .filter(|r| *r != "*" && !r.contains(":role/aws-service-role/"))
        .collect();
    if to_autoscaling && !outside.is_empty() && !st.resources.negated {
        f(
            &PASSROLE_AUTOSCALING_OUTSIDE_SERVICE_ROLES,
            Severity::Warning,
            start,
            format!(
                "roles passed to autoscaling.amazonaws.com outside role/aws-service-role/: {}",
                outside.join(", ")
            )
            .into(),
            None,
        );
    }
}

/// What one lint worked out of action texts, for the next statement that writes the same: a
/// policy may name the same action in thousands of statements, and each answer compares it
/// with every name the catalog knows. Each map keeps at most [`MAX_KEPT`] texts.
struct Memo {
    /// What [`unknown_action_names`] said of each action text.
    suggestions: std::collections::HashMap<Box<str>, Unknown>,
    /// How many unknown Auto Scaling actions may still be compared with the actions' names.
    suggestions_left: usize,
    /// Whether each action pattern matches an Auto Scaling action or a permission one needs.
    used: std::collections::HashMap<Box<str>, bool>,
}

impl Default for Memo {
    fn default() -> Self {
        Self {
            suggestions: std::collections::HashMap::new(),
            used: std::collections::HashMap::new(),
            suggestions_left: MAX_SUGGESTED,
        }
    }
}

/// How many action texts each of a lint's memos keeps.
const MAX_KEPT: usize = 4_096;

/// `map[text]`, worked out by `work` when it is not there yet (and kept while there is room).
fn remembered<T: Clone>(
    map: &mut std::collections::HashMap<Box<str>, T>,
    text: &str,
    work: impl FnOnce() -> T,
) -> T {
    if let Some(found) = map.get(text) {
        return found.clone();
    }
    let found = work();
    if map.len() < MAX_KEPT {
        map.insert(text.into(), found.clone());
    }
    found
}

/// An action name without wildcards that does not exist in a service this tool knows.
fn unknown_action(text: &str, offset: usize, memo: &mut Memo, f: &mut Sink<'_>) {
    let left = &mut memo.suggestions_left;
    let names = match remembered(&mut memo.suggestions, text, || {
        unknown_action_names(text, left)
    }) {
        Unknown::No => return,
        Unknown::Meant(names) => names,
        Unknown::NotCompared => {
            f(
                &UNKNOWN_ACTION_NOT_COMPARED,
                Severity::Error,
                offset,
                format!("{} is not an Auto Scaling action", elide(text)).into(),
                None,
            );
            return;
        }
    };
    if text
        .split_once(':')
        .is_some_and(|(service, _)| service.eq_ignore_ascii_case("autoscaling"))
    {
        f(
            &UNKNOWN_ACTION,
            Severity::Error,
            offset,
            format!("{} is not an Auto Scaling action", elide(text)).into(),
            (!names.is_empty())
                .then(|| format!("Did you mean autoscaling:{}?", names.join(", autoscaling:"))),
        );
    } else {
        f(
            &UNKNOWN_ACTION,
            Severity::Warning,
            offset,
            format!(
                "{} looks like a misspelling of {}",
                elide(text),
                names.join(" or ")
            )
            .into(),
            Some(format!("Did you mean {}?", names.join(" or "))),
        );
    }
}

/// What an action text is, for `unknown-action`.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Unknown {
    /// No unknown action (or one this tool cannot tell).
    No,
    /// An unknown action, and the names it may have meant: for Auto Scaling the nearest
    /// actions (maybe none), for another service the permissions Auto Scaling needs one
    /// letter away (at least one).
    Meant(Vec<&'static str>),
    /// An Auto Scaling action that does not exist, not compared with the actions' names: the
    /// lint had compared [`MAX_SUGGESTED`] already.
    NotCompared,
}

/// How many different unknown Auto Scaling actions one lint compares with every action
/// name (each comparison is an edit distance with each of the 68: a policy of 100,000
/// different made-up names took 15 s).
const MAX_SUGGESTED: usize = 1_024;

/// What `text` is (see [`Unknown`]); `suggestions_left` counts down the comparisons with
/// the Auto Scaling actions' names this lint may still make.
fn unknown_action_names(text: &str, suggestions_left: &mut usize) -> Unknown {
    if text.contains(['*', '?']) {
        return Unknown::No;
    }
    let Some((service, name)) = text.split_once(':') else {
        return Unknown::No;
    };
    let cat = catalog();
    if service.eq_ignore_ascii_case("autoscaling") {
        if cat.action(name).is_some() {
            return Unknown::No;
        }
        if *suggestions_left == 0 {
            return Unknown::NotCompared;
        }
        *suggestions_left -= 1;
        return Unknown::Meant(Catalog::suggest(
            name,
            cat.actions.iter().map(|a| a.name.as_str()),
        ));
    }
    // Other services: this tool knows the permissions Auto Scaling needs and the names AWS's
    // own managed policies use (assets/known-actions.txt), not every action there is. So a
    // name is reported only when it is one letter away from a permission Auto Scaling needs
    // and is not a name known to exist.
    let lower = text.to_lowercase();
    if known_actions().contains(&lower) {
        return Unknown::No;
    }
    let service_prefix = format!("{}:", service.to_lowercase());
    let mut close: Vec<&str> = cat
        .dependencies
        .iter()
        .zip(&lowered().permissions)
        .filter(|(_, k)| {
            k.starts_with(&service_prefix)
                && k.len().abs_diff(lower.len()) <= 1
                && crate::asg::catalog::edit_distance(&lower, k) == 1
        })
        .map(|(d, _)| d.permission.as_str())
        .collect();
    close.sort_unstable();
    close.dedup();
    if close.is_empty() {
        Unknown::No
    } else {
        Unknown::Meant(close)
    }
}

/// Action names of other services known to exist (from AWS managed policies) and the
/// permissions Auto Scaling needs, lower case.
fn known_actions() -> &'static std::collections::HashSet<String> {
    static KNOWN: std::sync::OnceLock<std::collections::HashSet<String>> =
        std::sync::OnceLock::new();
    KNOWN.get_or_init(|| {
        include_str!("../../assets/known-actions.txt")
            .lines()
            .filter(|l| !l.starts_with('#') && !l.is_empty())
            .map(str::to_lowercase)
            .chain(
                catalog()
                    .dependencies
                    .iter()
                    .map(|d| d.permission.to_lowercase()),
            )
            .collect()
    })
}

/// A condition key that no action of an Auto Scaling-only statement has.
fn unknown_keys(st: &Statement, f: &mut Sink<'_>) {
    if st.actions.negated
        || st.actions.patterns.is_empty()
        || !st
            .actions
            .patterns
            .iter()
            .all(|p| starts_lowered(&p.text, "autoscaling:"))
        // Global keys are every action's: only a statement with a key of its own is asked.
        || st.conditions.iter().all(|c| starts_lowered(&c.key, "aws:"))
    {
        return;
    }
    // The actions' keys, each once, as a text before a `${...}` part (which any text
    // fills) or whole: worked out once for the statement, not for each of its keys (a
    // statement of 100,000 keys searched each action's keys again for each).
    let mut keys: Vec<(&str, bool)> = Vec::new();
    for p in &st.actions.patterns {
        for (name, of_action) in &lowered().actions {
            if p.glob().matches(name) {
                keys.extend(of_action.iter().map(|x| match x.find("${") {
                    Some(i) => (&x[..i], true),
                    None => (x.as_str(), false),
                }));
            }
        }
    }
    keys.sort_unstable();
    keys.dedup();
    for c in &st.conditions {
        if starts_lowered(&c.key, "aws:") {
            continue;
        }
        let k = c.key.to_lowercase();
        let known = keys.iter().any(
            |&(x, filled)| {
                if filled { k.starts_with(x) } else { x == k }
            },
        );
        if !known {
            f(
                &UNKNOWN_CONDITION_KEY,
                Severity::Warning,
                c.at(),
                format!(
                    "no action of this statement has the condition key {}",
                    c.key
                )
                .into(),
                None,
            );
        }
    }
}

/// Whether `text` written in lower case (as `str::to_lowercase` writes it) starts with
/// `prefix`, without writing it.
fn starts_lowered(text: &str, prefix: &str) -> bool {
    let mut lowered = text.chars().flat_map(char::to_lowercase);
    prefix.chars().all(|c| lowered.next() == Some(c))
}

/// The catalog's names in lower case, worked out once: a policy of tens of thousands of
/// statements asked for each of them, for each statement.
struct Lowered {
    /// Each action's full name (`autoscaling:createautoscalinggroup`) and its condition keys.
    actions: Vec<(String, Vec<String>)>,
    /// Each dependency's permission, in the catalog's order.
    permissions: Vec<String>,
}

fn lowered() -> &'static Lowered {
    static LOWERED: std::sync::OnceLock<Lowered> = std::sync::OnceLock::new();
    LOWERED.get_or_init(|| {
        let cat = catalog();
        Lowered {
            actions: cat
                .actions
                .iter()
                .map(|a| {
                    (
                        a.full_name().to_lowercase(),
                        a.condition_keys.iter().map(|k| k.to_lowercase()).collect(),
                    )
                })
                .collect(),
            permissions: cat
                .dependencies
                .iter()
                .map(|d| d.permission.to_lowercase())
                .collect(),
        }
    })
}

/// An ARN whose partition or service is not lower case: ARNs match case-sensitively, so it
/// matches nothing.
fn arn_case(text: &str, offset: usize, f: &mut Sink<'_>) {
    let mut parts = text.splitn(4, ':');
    let (Some("arn" | "ARN" | "Arn"), Some(partition), Some(service)) =
        (parts.next(), parts.next(), parts.next())
    else {
        return;
    };
    let lower = |s: &str| s.chars().all(|c| !c.is_ascii_uppercase());
    if !text.starts_with("arn:") || !lower(partition) || !lower(service) {
        f(
            &ARN_CASE,
            Severity::Error,
            offset,
            format!(
                "{}: the \"arn\" prefix, partition and service are lower case in every ARN",
                elide(text)
            )
            .into(),
            Some(format!(
                "Write arn:{}:{}:…",
                partition.to_lowercase(),
                service.to_lowercase()
            )),
        );
    }
}

/// At most this many (Allow, Deny) action comparisons for the dead-Allow check; past it the
/// check says it was not made.
const MAX_DEAD_ALLOW_WORK: usize = 20_000_000;

/// An Allow that an unconditional Deny in the same policy always overrides.
fn dead_allows(policy: &Policy, name: &Arc<str>, index: &LineIndex, out: &mut Vec<Finding>) {
    // The Denies that cover every resource with no condition. Of those with the same
    // actions only the first is kept: it is the first to override whatever the others do.
    let mut seen: std::collections::HashSet<Vec<String>> = std::collections::HashSet::new();
    let denies: Vec<&Statement> = policy
        .statements
        .iter()
        .filter(|s| {
            s.effect == Effect::Deny
                && s.conditions.is_empty()
                && !s.actions.negated
                && !s.resources.negated
                && s.resources.texts().any(|r| r == "*")
        })
        .filter(|s| {
            let mut actions: Vec<String> = s
                .actions
                .patterns
                .iter()
                .map(|p| p.text.to_lowercase())
                .collect();
            actions.sort_unstable();
            actions.dedup();
            seen.insert(actions)
        })
        .collect();
    let allows: Vec<&Statement> = policy
        .statements
        .iter()
        .filter(|s| s.effect == Effect::Allow && !s.actions.negated && !s.resources.negated)
        .collect();
    let deny_patterns: usize = denies.iter().map(|d| d.actions.patterns.len()).sum();
    let allow_patterns: usize = allows.iter().map(|a| a.actions.patterns.len()).sum();
    if allow_patterns.saturating_mul(deny_patterns) > MAX_DEAD_ALLOW_WORK {
        out.push(Finding {
            kind: &DEAD_ALLOW_NOT_CHECKED,
            severity: Severity::Info,
            policy: Arc::clone(name),
            statement: None,
            sid: compact_str::CompactString::default(),
            line: 1,
            column: 1,
            message: format!(
                "not checked for Allows that a Deny always overrides: {} Allow and {} Deny statements are too many to compare within the budget",
                allows.len(),
                denies.len()
            ).into(),
            fix_here: None,
        });
        return;
    }
    for st in allows {
        let Some(deny) = denies.iter().find(|d| {
            st.actions.patterns.iter().all(|a| {
                // Sound only: a literal Allow action matched by a Deny pattern, or the same
                // text.
                d.actions.patterns.iter().any(|p| {
                    p.text.eq_ignore_ascii_case(&a.text)
                        || (!a.text.contains(['*', '?'])
                            && p.glob().matches(&a.text.to_lowercase()))
                        || &*p.text == "*"
                })
            })
        }) else {
            continue;
        };
        let (line, column) = index.line_col(&policy.source, st.span.start);
        out.push(Finding {
            kind: &DEAD_ALLOW,
            severity: Severity::Warning,
            policy: Arc::clone(name),
            statement: Some(place(st.index())),
            sid: st.sid.as_deref().map(Into::into).unwrap_or_default(),
            line: place(line),
            column: place(column),
            message: format!(
                "{} is always overridden by the Deny in {}",
                st.label(),
                deny.label()
            )
            .into(),
            fix_here: None,
        });
    }
}

/// Writes the findings as text, one block each (`file:line:col: severity[code]: message`,
/// then why and fix), finding by finding: a policy may give tens of thousands of findings,
/// whose text would be several times the policy.
pub fn write_text(findings: &[Finding], out: &mut dyn std::io::Write) -> std::io::Result<()> {
    for f in findings {
        let label = f.label();
        let label = if label.is_empty() {
            label
        } else {
            format!("{label}: ")
        };
        writeln!(
            out,
            "{}:{}:{}: {}[{}]: {label}{}\n    why: {}\n    fix: {}",
            f.policy,
            f.line,
            f.column,
            f.severity.word(),
            f.code(),
            f.message,
            f.why(),
            f.fix()
        )?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn finding(line: u32, column: u32, severity: Severity, message: &str) -> Finding {
        Finding {
            kind: &POLICY_WARNING,
            severity,
            policy: "".into(),
            statement: None,
            sid: compact_str::CompactString::default(),
            line,
            column,
            message: Arc::from(message),
            fix_here: None,
        }
    }

    #[test]
    fn findings_are_put_in_source_order_keeping_ties_in_order() {
        let keys = [
            (3, 1),
            (1, 5),
            (3, 1),
            (2, 2),
            (1, 5),
            (9, 9),
            (1, 1),
            (2, 2),
        ];
        let codes = ["a", "b", "c", "d", "e", "f", "g", "h"];
        let mut out: Vec<Finding> = keys
            .iter()
            .zip(codes)
            .map(|(&(l, c), code)| finding(l, c, Severity::Warning, code))
            .collect();
        let mut expected = out.clone();
        expected.sort_by_key(|f| (f.line, f.column, f.severity));
        in_source_order(&mut out);
        assert_eq!(out, expected);
        let order: Vec<&str> = out.iter().map(|f| &*f.message).collect();
        assert_eq!(order, ["g", "b", "e", "d", "h", "a", "c", "f"]);
    }

    proptest::proptest! {
        #[test]
        fn a_prefix_of_the_lowered_text_is_found_without_lowering_it(
            text in "(?s)[aAwWsS:İΣσςẞßKkK ]{0,8}.{0,3}",
            prefix in "aws:|autoscaling:|a|aw|i̇|σ|ss|k|",
        ) {
            proptest::prop_assert_eq!(
                starts_lowered(&text, &prefix),
                text.to_lowercase().starts_with(&prefix)
            );
        }
    }

    #[test]
    fn what_is_remembered_is_not_worked_out_again_and_the_memo_stays_bounded() {
        let mut map = std::collections::HashMap::new();
        let mut worked = 0;
        for round in 0..2 {
            for i in 0..MAX_KEPT + 100 {
                let text = format!("ec2:Action{i}");
                let got = remembered(&mut map, &text, || {
                    worked += 1;
                    i
                });
                assert_eq!(got, i, "round {round}");
            }
        }
        assert_eq!(map.len(), MAX_KEPT);
        // The texts past the bound are worked out each time, the others once.
        assert_eq!(worked, MAX_KEPT + 2 * 100);
    }

    #[test]
    fn made_up_actions_past_the_budget_are_found_without_suggestions() {
        // Before: each of 100,000 different made-up names was compared with every action
        // name (15 s).
        // A statement for each (a statement lists 20 findings of a kind, and counts the
        // rest).
        let n = MAX_SUGGESTED + 50;
        let statements: Vec<String> = (0..n)
            .map(|i| {
                format!(
                    r#"{{"Effect":"Allow","Action":"autoscaling:CreateAutoScalingGroupX{i}","Resource":"*"}}"#
                )
            })
            .collect();
        let text = format!(
            r#"{{"Version":"2012-10-17","Statement":[{}]}}"#,
            statements.join(",")
        );
        let crate::io::Loaded::Policy(p, _) = crate::io::load_text("p.json", &text).unwrap() else {
            unreachable!()
        };
        let found: Vec<Finding> = lint(&p, LintOptions::default())
            .into_iter()
            .filter(|f| f.code() == "unknown-action")
            .collect();
        assert_eq!(found.len(), n);
        let not_compared = |f: &Finding| f.fix().contains("not compared");
        assert!(found[..MAX_SUGGESTED].iter().all(|f| !not_compared(f)));
        assert!(found[MAX_SUGGESTED..].iter().all(not_compared));
        assert!(
            found[0]
                .fix()
                .contains("autoscaling:CreateAutoScalingGroup"),
            "{}",
            found[0].fix()
        );
    }

    #[test]
    fn a_finding_is_small() {
        // Before: 152 bytes, its code, why and fix each its own text.
        assert!(std::mem::size_of::<Finding>() <= 104);
    }

    /// Every kind of finding.
    const KINDS: [&FindingKind; 16] = [
        &POLICY_WARNING,
        &SLR_NO_SERVICE_NAME,
        &ALLOW_NOT_ACTION,
        &ALLOW_NOT_RESOURCE,
        &NOT_USED_BY_AUTO_SCALING,
        &FORALLVALUES_ABSENT_KEY,
        &PASSROLE_ANY_ROLE,
        &PASSROLE_NO_SERVICE,
        &PASSROLE_AUTOSCALING_OUTSIDE_SERVICE_ROLES,
        &UNKNOWN_ACTION,
        &UNKNOWN_ACTION_NOT_COMPARED,
        &UNKNOWN_CONDITION_KEY,
        &ARN_CASE,
        &DUPLICATE_SID,
        &DEAD_ALLOW,
        &DEAD_ALLOW_NOT_CHECKED,
    ];

    #[test]
    fn kinds_of_one_code_say_why_in_the_same_words() {
        let mut codes: Vec<(&str, &str)> = KINDS.iter().map(|k| (k.code, k.why)).collect();
        codes.sort_unstable();
        codes.dedup();
        // One code a kind, but `unknown-action` past the budget of suggestions.
        assert_eq!(codes.len(), KINDS.len() - 1);
        assert!(codes.windows(2).all(|w| w[0].0 != w[1].0));
        assert!(KINDS.iter().all(|k| !k.why.is_empty() && !k.fix.is_empty()));
        // The budget its fix names.
        assert!(UNKNOWN_ACTION_NOT_COMPARED.fix.contains(&format!(
            "more than {},{:03} different",
            MAX_SUGGESTED / 1000,
            MAX_SUGGESTED % 1000
        )));
    }

    #[test]
    fn a_statement_of_global_keys_only_is_not_asked_about_its_actions_keys() {
        let policy = |key: &str| {
            crate::io::load_text(
                "p.json",
                &format!(
                    r#"{{"Version":"2012-10-17","Statement":[{{"Effect":"Allow","Action":"autoscaling:*","Resource":"*","Condition":{{"StringEquals":{{"{key}":"x"}}}}}}]}}"#
                ),
            )
            .unwrap()
        };
        let codes = |key: &str| match policy(key) {
            crate::io::Loaded::Policy(p, _) => lint(&p, LintOptions::default())
                .iter()
                .map(Finding::code)
                .collect::<Vec<_>>(),
            crate::io::Loaded::Account(_) => unreachable!(),
        };
        assert!(!codes("AWS:RequestedRegion").contains(&"unknown-condition-key"));
        assert!(!codes("autoscaling:ResourceTag/team").contains(&"unknown-condition-key"));
        assert!(codes("autoscaling:NoSuchKey").contains(&"unknown-condition-key"));
        assert!(codes("AutoScaling:NOSUCHKEY").contains(&"unknown-condition-key"));
    }
}
