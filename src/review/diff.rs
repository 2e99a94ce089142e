//! Two versions of a policy set, compared action by action and permission by permission:
//! what went from satisfied to missing or conditional (lost), what went the other way
//! (gained), with the statements that decided on each side.

use serde::Serialize;

use crate::asg::requirements::{ActionCheck, Facts, ResolveError, check, needed_requests};
use crate::engine::{StatementRef, Status, evaluate_status};
use crate::policy::PolicySet;

/// Which way a status moved.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Direction {
    /// Less is allowed than before (satisfied → conditional or missing; conditional →
    /// missing).
    Lost,
    /// More is allowed than before.
    Gained,
}

impl Direction {
    /// How a status moved from `before` to `after`, if it moved.
    pub fn of(before: Status, after: Status) -> Option<Self> {
        let rank = |s: Status| match s {
            Status::Missing => 0,
            Status::Conditional => 1,
            Status::Satisfied => 2,
        };
        match rank(after).cmp(&rank(before)) {
            std::cmp::Ordering::Less => Some(Self::Lost),
            std::cmp::Ordering::Greater => Some(Self::Gained),
            std::cmp::Ordering::Equal => None,
        }
    }

    /// "lost" or "gained".
    pub fn word(self) -> &'static str {
        match self {
            Self::Lost => "lost",
            Self::Gained => "gained",
        }
    }
}

/// One statement that decided, as shown in a diff.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Decider {
    /// "policy.json statement 3 (Sid \"X\")" (counted from 1).
    pub label: String,
    /// The policy.
    pub policy: String,
    /// 0-based index in its policy.
    pub statement: usize,
    /// Allow or Deny.
    pub effect: String,
}

fn deciders(refs: &[StatementRef]) -> Vec<Decider> {
    refs.iter()
        .map(|s| Decider {
            label: s.label(),
            policy: s.policy.clone(),
            statement: s.statement,
            effect: s.effect.to_string(),
        })
        .collect()
}

/// A permission whose status changed.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct PermissionChange {
    /// The permission (`iam:PassRole`).
    pub permission: String,
    /// Why the action needs it (tells apart several `iam:PassRole`).
    pub reason: String,
    /// Status before.
    pub before: Status,
    /// Status after.
    pub after: Status,
    /// Lost or gained.
    pub direction: Direction,
    /// The explanation before.
    pub explanation_before: String,
    /// The explanation after.
    pub explanation_after: String,
    /// The statements that decided before.
    pub decided_before: Vec<Decider>,
    /// The statements that decided after.
    pub decided_after: Vec<Decider>,
}

/// An action whose status, or one of whose permissions' status, changed.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ActionChange {
    /// `autoscaling:Name`.
    pub action: String,
    /// The features on.
    pub features: Vec<String>,
    /// Roll-up before.
    pub before: Status,
    /// Roll-up after.
    pub after: Status,
    /// How the roll-up moved (none when only permissions under it moved both ways).
    pub direction: Option<Direction>,
    /// The permissions that changed.
    pub permissions: Vec<PermissionChange>,
}

/// Counts over the compared actions.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct DiffSummary {
    /// Actions compared.
    pub actions: usize,
    /// Permissions that lost status.
    pub lost: usize,
    /// Permissions that gained status.
    pub gained: usize,
    /// Needed permissions that did not change.
    pub unchanged: usize,
}

/// The whole comparison.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct PolicyDiff {
    /// Changed actions: those that lost something first, then those that gained.
    pub changes: Vec<ActionChange>,
    /// Counts.
    pub summary: DiffSummary,
}

impl PolicyDiff {
    /// True when nothing changed.
    pub fn is_empty(&self) -> bool {
        self.changes.is_empty()
    }

    /// True when something moved in this direction (or any, with `None`).
    pub fn has(&self, direction: Option<Direction>) -> bool {
        match direction {
            Some(Direction::Lost) => self.summary.lost > 0,
            Some(Direction::Gained) => self.summary.gained > 0,
            None => self.summary.lost + self.summary.gained > 0,
        }
    }
}

impl ActionChange {
    /// The action, or one of its permissions, lost something.
    pub fn loses(&self) -> bool {
        self.direction == Some(Direction::Lost)
            || self
                .permissions
                .iter()
                .any(|p| p.direction == Direction::Lost)
    }
}

/// What was lost first, since that is what a reviewer must see; then by action name.
pub fn sort_lost_first(changes: &mut [ActionChange]) {
    changes.sort_by_key(|c| (!c.loses(), c.action.clone()));
}

/// Compares two already checked actions (the same action and features on both sides).
pub fn diff_checks(before: &ActionCheck, after: &ActionCheck) -> Option<ActionChange> {
    let mut permissions = Vec::new();
    for (b, a) in before.requirements.iter().zip(&after.requirements) {
        if !b.requirement.needed {
            continue;
        }
        let Some(direction) = Direction::of(b.decision.status, a.decision.status) else {
            continue;
        };
        permissions.push(PermissionChange {
            permission: b.requirement.permission.clone(),
            reason: b.requirement.reason.clone(),
            before: b.decision.status,
            after: a.decision.status,
            direction,
            explanation_before: b.decision.explanation.clone(),
            explanation_after: a.decision.explanation.clone(),
            decided_before: deciders(&b.decision.decided_by),
            decided_after: deciders(&a.decision.decided_by),
        });
    }
    let direction = Direction::of(before.status, after.status);
    if permissions.is_empty() && direction.is_none() {
        return None;
    }
    permissions.sort_by_key(|p| p.direction);
    Some(ActionChange {
        action: before.action.clone(),
        features: before.features.clone(),
        before: before.status,
        after: after.status,
        direction,
        permissions,
    })
}

/// Compares two policy sets over these actions, each with the features given for it.
pub fn diff(
    before: &PolicySet,
    after: &PolicySet,
    actions: &[(String, Vec<String>)],
    facts: &Facts,
) -> Result<PolicyDiff, ResolveError> {
    let mut changes = Vec::new();
    let mut summary = DiffSummary {
        actions: actions.len(),
        ..DiffSummary::default()
    };
    for (action, features) in actions {
        // Statuses first: an action whose every needed permission has the same status on
        // both sides has nothing to show, and most actions of a diff are such. Only the
        // others are checked in full, for the words and the statements that decided.
        let requests = needed_requests(action, features, facts)?;
        let same = requests
            .iter()
            .all(|r| evaluate_status(before, r) == evaluate_status(after, r));
        if same {
            summary.unchanged += requests.len();
            continue;
        }
        let b = check(action, features, facts, before)?;
        let a = check(action, features, facts, after)?;
        let needed = b.needed().count();
        match diff_checks(&b, &a) {
            Some(change) => {
                let lost = change
                    .permissions
                    .iter()
                    .filter(|p| p.direction == Direction::Lost)
                    .count();
                let gained = change.permissions.len() - lost;
                summary.lost += lost;
                summary.gained += gained;
                summary.unchanged += needed - change.permissions.len();
                changes.push(change);
            }
            None => summary.unchanged += needed,
        }
    }
    sort_lost_first(&mut changes);
    Ok(PolicyDiff { changes, summary })
}

/// The diff as text for a terminal.
pub fn to_text(d: &PolicyDiff) -> String {
    use std::fmt::Write as _;
    let mut s = String::new();
    if d.is_empty() {
        let _ = writeln!(
            s,
            "No change: {} actions, {} needed permissions, each with the same status before and after.",
            d.summary.actions, d.summary.unchanged
        );
        return s;
    }
    for c in &d.changes {
        let _ = writeln!(
            s,
            "{}  {} {} → {} {}{}",
            c.action,
            c.before.icon(),
            c.before.word(),
            c.after.icon(),
            c.after.word(),
            c.direction
                .map(|x| format!("  ({})", x.word()))
                .unwrap_or_default()
        );
        for p in &c.permissions {
            let _ = writeln!(
                s,
                "  {} {}: {} → {}  [{}]",
                if p.direction == Direction::Lost {
                    "-"
                } else {
                    "+"
                },
                p.permission,
                p.before.word(),
                p.after.word(),
                p.reason
            );
            let _ = writeln!(s, "      before: {}", p.explanation_before);
            let _ = writeln!(s, "      after:  {}", p.explanation_after);
        }
    }
    let _ = writeln!(
        s,
        "\n{} lost, {} gained, {} unchanged over {} actions.",
        d.summary.lost, d.summary.gained, d.summary.unchanged, d.summary.actions
    );
    s
}

/// The diff as Markdown for a pull-request comment.
pub fn to_markdown(d: &PolicyDiff, before: &str, after: &str) -> String {
    use std::fmt::Write as _;
    let mut s = format!("### Auto Scaling permissions: `{before}` → `{after}`\n\n");
    if d.is_empty() {
        let _ = writeln!(
            s,
            "No change in {} actions ({} needed permissions).",
            d.summary.actions, d.summary.unchanged
        );
        return s;
    }
    let _ = writeln!(
        s,
        "**{} lost**, {} gained, {} unchanged over {} actions.\n",
        d.summary.lost, d.summary.gained, d.summary.unchanged, d.summary.actions
    );
    s.push_str("| Action | Permission | Before | After | Decided after |\n|---|---|---|---|---|\n");
    for c in &d.changes {
        for p in &c.permissions {
            let decided = if p.decided_after.is_empty() {
                p.explanation_after.clone()
            } else {
                p.decided_after
                    .iter()
                    .map(|x| x.label.clone())
                    .collect::<Vec<_>>()
                    .join("; ")
            };
            let _ = writeln!(
                s,
                "| `{}` | `{}` | {} {} | {} {} | {} |",
                c.action,
                p.permission,
                p.before.icon(),
                p.before.word(),
                p.after.icon(),
                p.after.word(),
                decided.replace('|', "\\|")
            );
        }
    }
    s
}
