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
use crate::text::words::elide;

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

/// One finding.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Finding {
    /// Stable code (`passrole-any-role`).
    pub code: &'static str,
    /// How much it matters.
    pub severity: Severity,
    /// The policy's name (shared by its findings).
    pub policy: Arc<str>,
    /// The statement, 0-based (none for the whole policy).
    pub statement: Option<usize>,
    /// "statement 2 (Sid \"X\")", counted from 1 (in place when short, as it is without a
    /// Sid: no allocation for each of thousands of findings).
    pub label: compact_str::CompactString,
    /// 1-based line of what is found.
    pub line: usize,
    /// 1-based column.
    pub column: usize,
    /// What is wrong, in one line (shared: a policy's parser warnings that say the same
    /// are one text).
    pub message: Arc<str>,
    /// Why it matters.
    pub why: &'static str,
    /// What to do (most fixes are the same words for every finding of their kind).
    pub fix: Cow<'static, str>,
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
            code: "policy-warning",
            severity: Severity::Warning,
            policy: Arc::clone(&name),
            statement: w.message.statement(),
            label: w
                .message
                .label()
                .map(compact_str::CompactString::new)
                .unwrap_or_default(),
            line: w.line,
            column: w.column,
            message: Arc::clone(w.message.text()),
            why: "AWS accepts this, but it probably does not mean what it seems to.",
            fix: "See the message; the README's \"How it decides\" section explains each case."
                .into(),
        });
    }
    // A finding about a statement (its place, label and policy filled in).
    let finding = |st: &Statement,
                   code: &'static str,
                   severity: Severity,
                   offset: usize,
                   message: Cow<'static, str>,
                   why: &'static str,
                   fix: Cow<'static, str>| {
        let (line, column) = at(offset);
        Finding {
            code,
            severity,
            policy: Arc::clone(&name),
            statement: Some(st.index()),
            label: compact_str::CompactString::new(st.label()),
            line,
            column,
            message: message.into(),
            why,
            fix,
        }
    };
    let warned = out.len();
    let statements = policy.statements.len();
    for (done, st) in policy.statements.iter().enumerate() {
        let made = out.len() - warned;
        reserve_at_rate(&mut out, 4, made, done, statements - done);
        statement_findings(
            st,
            options,
            &mut |code, severity, offset, message, why, fix| {
                out.push(finding(st, code, severity, offset, message, why, fix));
            },
        );
    }
    duplicate_sids(policy, &mut |st, message| {
        out.push(finding(
            st,
            "duplicate-sid",
            Severity::Error,
            st.span.start,
            message.into(),
            "Sids must be unique within an IAM policy; IAM refuses the policy otherwise.",
            "Give each statement its own Sid.".into(),
        ));
    });
    dead_allows(policy, &name, &index, &mut out);
    in_source_order(&mut out);
    out.shrink_to_fit();
    out
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

type Sink<'a> = dyn FnMut(&'static str, Severity, usize, Cow<'static, str>, &'static str, Cow<'static, str>)
    + 'a;

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

fn statement_findings(st: &Statement, options: LintOptions, f: &mut Sink<'_>) {
    let cat = catalog();
    let allow = st.effect == Effect::Allow;
    let start = st.span.start;
    if allow && names(st, "iam:PassRole") {
        passrole_findings(st, f);
    }
    if allow && names(st, "iam:CreateServiceLinkedRole") && !has_key(st, "iam:AWSServiceName") {
        f(
            "slr-no-service-name",
            Severity::Warning,
            start,
            "iam:CreateServiceLinkedRole without an iam:AWSServiceName condition".into(),
            "It lets the principal create the service-linked role of any service, not just Auto Scaling's.",
            "Add \"Condition\": {\"StringEquals\": {\"iam:AWSServiceName\": \"autoscaling.amazonaws.com\"}}.".into(),
        );
    }
    if allow {
        forallvalues_findings(st, f);
    }
    if allow && st.actions.negated {
        f(
            "allow-not-action",
            Severity::Warning,
            start,
            "Allow with NotAction".into(),
            "It allows every action of every service except those listed, including actions AWS adds later.",
            "List the actions to allow with Action instead.".into(),
        );
    }
    if allow && st.resources.negated {
        f(
            "allow-not-resource",
            Severity::Warning,
            start,
            "Allow with NotResource".into(),
            "It allows the actions on every resource except those listed, including resources created later.",
            "List the resources to allow with Resource instead.".into(),
        );
    }
    for p in &st.actions.patterns {
        unknown_action(&p.text, start, f);
    }
    unknown_keys(st, f);
    for r in st.resources.texts() {
        arn_case(r, start, f);
    }
    if options.auto_scaling_policy && allow && !st.actions.negated {
        let used = cat
            .actions
            .iter()
            .map(crate::asg::catalog::Action::full_name)
            .chain(cat.dependencies.iter().map(|d| d.permission.clone()))
            .any(|k| {
                let k = k.to_lowercase();
                st.actions.patterns.iter().any(|p| p.glob().matches(&k))
            });
        if !used {
            f(
                "not-used-by-auto-scaling",
                Severity::Info,
                start,
                "no Auto Scaling action, nor any permission one needs, is in this statement".into(),
                "In a policy meant for Auto Scaling, this statement grants something else.",
                "Keep it if the principal needs it for other work; otherwise remove it.".into(),
            );
        }
    }
}

/// An Allow with `ForAllValues` on a key and nothing that requires the key: true when the
/// request has no such key.
fn forallvalues_findings(st: &Statement, f: &mut Sink<'_>) {
    for c in &st.conditions {
        if let Operator::Known {
            set: Some(SetOp::ForAllValues),
            base,
            ..
        } = c.operator()
            && base != BaseOp::Null
        {
            let guarded = st.conditions.iter().any(|g| {
                g.key.eq_ignore_ascii_case(&c.key)
                    && matches!(
                        g.operator(),
                        Operator::Known {
                            base: BaseOp::Null,
                            ..
                        }
                    )
                    && g.values
                        .iter()
                        .any(|v| v.text.eq_ignore_ascii_case("false"))
            });
            if !guarded {
                f(
                    "forallvalues-absent-key",
                    Severity::Warning,
                    c.at(),
                    format!(
                        "ForAllValues on {} is true when the request has no {}",
                        c.key, c.key
                    ).into(),
                    "ForAllValues checks every value the request has; with none it is true, so this Allow also applies to requests without the key.",
                    format!(
                        "Add \"Null\": {{\"{}\": \"false\"}} to require the key, or use ForAnyValue.",
                        c.key
                    )
                    .into(),
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
            "passrole-any-role",
            Severity::Warning,
            start,
            "iam:PassRole on every role (\"Resource\": \"*\")".into(),
            "Whoever has this can hand any role, including administrator roles, to a service; through Auto Scaling, to every instance it launches.",
            "List the roles (arn:aws:iam::ACCOUNT:role/app-*) that this principal should pass."
                .into(),
        );
    }
    if !has_key(st, "iam:PassedToService") {
        f(
            "passrole-no-service",
            Severity::Warning,
            start,
            "iam:PassRole without an iam:PassedToService condition".into(),
            "Without it the roles can be passed to any service, not just the one they are for.",
            "Add \"Condition\": {\"StringEquals\": {\"iam:PassedToService\": \"ec2.amazonaws.com\"}} (or the service the role is for).".into(),
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
            "passrole-autoscaling-outside-service-roles",
            Severity::Warning,
            start,
            format!(
                "roles passed to autoscaling.amazonaws.com outside role/aws-service-role/: {}",
                outside.join(", ")
            ).into(),
            "Auto Scaling takes only service-linked roles (under role/aws-service-role/autoscaling.amazonaws.com/); other roles granted here are never used by it and widen the grant.",
            "Use arn:aws:iam::ACCOUNT:role/aws-service-role/autoscaling.amazonaws.com/AWSServiceRoleForAutoScaling* as the resource.".into(),
        );
    }
}

/// An action name without wildcards that does not exist in a service this tool knows.
fn unknown_action(text: &str, offset: usize, f: &mut Sink<'_>) {
    if text.contains(['*', '?']) {
        return;
    }
    let Some((service, name)) = text.split_once(':') else {
        return;
    };
    let cat = catalog();
    if service.eq_ignore_ascii_case("autoscaling") {
        if cat.action(name).is_none() {
            let near = Catalog::suggest(name, cat.actions.iter().map(|a| a.name.as_str()));
            f(
                "unknown-action",
                Severity::Error,
                offset,
                format!("{} is not an Auto Scaling action", elide(text)).into(),
                "An action that does not exist matches nothing: the statement grants less than it seems to.",
                if near.is_empty() {
                    "Check the name in `asg-perms list`.".into()
                } else {
                    format!("Did you mean autoscaling:{}?", near.join(", autoscaling:")).into()
                },
            );
        }
        return;
    }
    // Other services: this tool knows the permissions Auto Scaling needs and the names AWS's
    // own managed policies use (assets/known-actions.txt), not every action there is. So a
    // name is reported only when it is one letter away from a permission Auto Scaling needs
    // and is not a name known to exist.
    let lower = text.to_lowercase();
    if known_actions().contains(&lower) {
        return;
    }
    let service_prefix = format!("{}:", service.to_lowercase());
    let mut close: Vec<&str> = cat
        .dependencies
        .iter()
        .map(|d| d.permission.as_str())
        .filter(|k| {
            let k = k.to_lowercase();
            k.starts_with(&service_prefix)
                && k.len().abs_diff(lower.len()) <= 1
                && crate::asg::catalog::edit_distance(&lower, &k) == 1
        })
        .collect();
    close.sort_unstable();
    close.dedup();
    if !close.is_empty() {
        f(
            "unknown-action",
            Severity::Warning,
            offset,
            format!(
                "{} looks like a misspelling of {}",
                elide(text),
                close.join(" or ")
            )
            .into(),
            "An action that does not exist matches nothing: the statement grants less than it seems to.",
            format!("Did you mean {}?", close.join(" or ")).into(),
        );
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
    let cat = catalog();
    if st.actions.negated || st.actions.patterns.is_empty() {
        return;
    }
    let mut keys: Vec<String> = Vec::new();
    for p in &st.actions.patterns {
        let lower = p.text.to_lowercase();
        if !lower.starts_with("autoscaling:") {
            return;
        }
        for a in &cat.actions {
            if p.glob().matches(&a.full_name().to_lowercase()) {
                keys.extend(a.condition_keys.iter().map(|k| k.to_lowercase()));
            }
        }
    }
    for c in &st.conditions {
        let k = c.key.to_lowercase();
        if k.starts_with("aws:") {
            continue;
        }
        let known = keys.iter().any(|x| match x.find("${") {
            Some(i) => k.starts_with(&x[..i]),
            None => *x == k,
        });
        if !known {
            f(
                "unknown-condition-key",
                Severity::Warning,
                c.at(),
                format!("no action of this statement has the condition key {}", c.key).into(),
                "A key the request never carries is absent: the condition is decided by that, whatever its values.",
                "Use a key listed for these actions (`asg-perms explain --action NAME` lists them), or a global aws: key.".into(),
            );
        }
    }
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
            "arn-case",
            Severity::Error,
            offset,
            format!(
                "{}: the \"arn\" prefix, partition and service are lower case in every ARN",
                elide(text)
            )
            .into(),
            "Resource ARNs are compared case-sensitively, so this pattern matches no real resource.",
            format!(
                "Write arn:{}:{}:…",
                partition.to_lowercase(),
                service.to_lowercase()
            )
            .into(),
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
            code: "dead-allow-not-checked",
            severity: Severity::Info,
            policy: Arc::clone(name),
            statement: None,
            label: compact_str::CompactString::default(),
            line: 1,
            column: 1,
            message: format!(
                "not checked for Allows that a Deny always overrides: {} Allow and {} Deny statements are too many to compare within the budget",
                allows.len(),
                denies.len()
            ).into(),
            why: "The other findings stand; only this one check was left out.",
            fix: "Lint the policy in parts, or look for overriding Denies by hand.".into(),
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
            code: "dead-allow",
            severity: Severity::Warning,
            policy: Arc::clone(name),
            statement: Some(st.index()),
            label: compact_str::CompactString::new(st.label()),
            line,
            column,
            message: format!(
                "{} is always overridden by the Deny in {}",
                st.label(),
                deny.label()
            )
            .into(),
            why: "An explicit Deny wins over any Allow; this Allow never takes effect.",
            fix:
                "Remove the Allow, or narrow the Deny (a condition, or fewer actions or resources)."
                    .into(),
        });
    }
}

/// Writes the findings as text, one block each (`file:line:col: severity[code]: message`,
/// then why and fix), finding by finding: a policy may give tens of thousands of findings,
/// whose text would be several times the policy.
pub fn write_text(findings: &[Finding], out: &mut dyn std::io::Write) -> std::io::Result<()> {
    for f in findings {
        let label = if f.label.is_empty() {
            String::new()
        } else {
            format!("{}: ", f.label)
        };
        writeln!(
            out,
            "{}:{}:{}: {}[{}]: {label}{}\n    why: {}\n    fix: {}",
            f.policy,
            f.line,
            f.column,
            f.severity.word(),
            f.code,
            f.message,
            f.why,
            f.fix
        )?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn finding(line: usize, column: usize, severity: Severity, code: &'static str) -> Finding {
        Finding {
            code,
            severity,
            policy: "".into(),
            statement: None,
            label: compact_str::CompactString::default(),
            line,
            column,
            message: Arc::from(""),
            why: "",
            fix: Cow::Borrowed(""),
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
        let order: Vec<&str> = out.iter().map(|f| f.code).collect();
        assert_eq!(order, ["g", "b", "e", "d", "h", "a", "c", "f"]);
    }
}
