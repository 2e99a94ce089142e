//! The policies that apply to a principal, by layer.

use std::fmt;
use std::sync::Arc;

use super::document::Policy;

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

    pub(crate) fn layers(&self) -> Vec<(Layer, Vec<(usize, &Policy)>)> {
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

    /// The policy a statement reference (layer and index) points to.
    pub fn policy(&self, layer: Layer, index: usize) -> Option<&Policy> {
        match layer {
            Layer::Identity => self.identity.get(index).map(AsRef::as_ref),
            Layer::Boundary => self.boundary.as_deref(),
            Layer::Scp(i) => self.scps.get(i).map(AsRef::as_ref),
        }
    }

    /// Every policy of the set: identity policies, the boundary, the SCPs.
    pub fn policies(&self) -> impl Iterator<Item = &Policy> {
        self.identity
            .iter()
            .chain(self.boundary.iter())
            .chain(self.scps.iter())
            .map(AsRef::as_ref)
    }

    /// Total number of statements.
    pub fn statement_count(&self) -> usize {
        self.policies().map(|p| p.statements.len()).sum()
    }

    /// A measure of the work an evaluation takes: each statement counts once, and once more
    /// for each of its resource patterns and conditions (200 statements of 20 resources
    /// weigh as much as 4,000 plain ones).
    pub fn weight(&self) -> usize {
        self.policies()
            .flat_map(|p| &p.statements)
            .map(|s| 1 + s.resources.len() + s.conditions.len())
            .sum()
    }
}
