//! What the evaluator answers: the three-valued status and the decision with its evidence.

use std::fmt;

use smol_str::SmolStr;

use crate::policy::{Effect, Layer, statement_label};
use crate::text::json::Span;
use crate::text::pattern::Tri;

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
    /// The icon shown beside the word, the same in the app, the terminal and reports. A status
    /// is never shown by color alone.
    pub fn icon(self) -> &'static str {
        match self {
            Self::Satisfied => "✔",
            Self::Missing => "✖",
            Self::Conditional => "⚠",
        }
    }

    /// The worst of some statuses (missing, then conditional, then satisfied), or `None` when
    /// there are none.
    pub fn worst(statuses: impl IntoIterator<Item = Self>) -> Option<Self> {
        statuses.into_iter().max()
    }

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
        format!(
            "{} {}",
            self.policy,
            statement_label(self.statement, self.sid.as_deref())
        )
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
    pub depends_on: DependsOn,
    /// For a missing permission without an explicit deny: every layer with no statement that
    /// allows it (where a fix must go), in evaluation order.
    pub missing_layers: Vec<Layer>,
    /// A summary in words.
    pub explanation: String,
}

/// Counts by status.
#[derive(Clone, Copy, Debug, Default, serde::Serialize, PartialEq, Eq)]
pub struct Summary {
    /// Satisfied.
    pub satisfied: usize,
    /// Missing.
    pub missing: usize,
    /// Conditional.
    pub conditional: usize,
}

impl Summary {
    /// Counts some statuses.
    pub fn of(statuses: impl IntoIterator<Item = Status>) -> Self {
        let mut s = Self::default();
        for status in statuses {
            s.add(status);
        }
        s
    }

    /// Counts one more status.
    pub fn add(&mut self, status: Status) {
        match status {
            Status::Satisfied => self.satisfied += 1,
            Status::Missing => self.missing += 1,
            Status::Conditional => self.conditional += 1,
        }
    }

    /// Adds another summary's counts.
    pub fn merge(&mut self, other: Self) {
        self.satisfied += other.satisfied;
        self.missing += other.missing;
        self.conditional += other.conditional;
    }

    /// The count of one status.
    pub fn count(&self, status: Status) -> usize {
        match status {
            Status::Satisfied => self.satisfied,
            Status::Missing => self.missing,
            Status::Conditional => self.conditional,
        }
    }
}

/// What an open answer depends on, sorted and without repeats: condition keys as written,
/// and unknown parts of the resource as `{name}`. The keys are a list shared with other
/// answers that depend on the same keys (a statement may test a hundred thousand, and the
/// answers that rest on it differ only in their parts); the parts are a few, kept apart.
#[derive(Clone, Debug, Default)]
pub struct DependsOn {
    keys: std::sync::Arc<[SmolStr]>,
    parts: Box<[SmolStr]>,
}

impl DependsOn {
    /// From `keys` (sorted, no repeats) and `parts` (`{name}`, sorted, no repeats).
    pub(crate) fn new(keys: std::sync::Arc<[SmolStr]>, parts: Box<[SmolStr]>) -> Self {
        Self { keys, parts }
    }

    /// The keys and parts in one sorted list, a text in both listed once.
    pub fn iter(&self) -> impl Iterator<Item = &SmolStr> + '_ {
        let mut keys = self.keys.iter().peekable();
        let mut parts = self.parts.iter().peekable();
        std::iter::from_fn(move || match (keys.peek(), parts.peek()) {
            (Some(k), Some(p)) if p < k => parts.next(),
            (Some(k), Some(p)) if p == k => {
                parts.next();
                keys.next()
            }
            (Some(_), _) => keys.next(),
            (None, _) => parts.next(),
        })
    }

    /// How many there are.
    pub fn len(&self) -> usize {
        self.iter().count()
    }

    /// True when the answer depends on nothing unknown.
    pub fn is_empty(&self) -> bool {
        self.keys.is_empty() && self.parts.is_empty()
    }

    /// True when `other` lists the same keys from the same list (not a copy of it).
    pub fn shares_keys_with(&self, other: &Self) -> bool {
        std::sync::Arc::ptr_eq(&self.keys, &other.keys)
    }
}

impl PartialEq for DependsOn {
    fn eq(&self, other: &Self) -> bool {
        self.iter().eq(other.iter())
    }
}

impl Eq for DependsOn {}

impl serde::Serialize for DependsOn {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_seq(self.iter())
    }
}
