//! Assembling the policy set of a request from what the user loaded: one builder for the
//! command line and the app, so both read the same files the same way.

use std::sync::Arc;

use super::account::Account;
use super::error::LoadError;
use crate::policy::{Policy, PolicySet};

/// Builds a [`PolicySet`] layer by layer.
///
/// An account principal contributes its identity policies and its boundary; a boundary given
/// on its own replaces the principal's; identity policies and SCPs add up, in order.
#[derive(Clone, Debug, Default)]
pub struct PolicySetBuilder {
    set: PolicySet,
}

impl PolicySetBuilder {
    /// An empty set.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds the policies of principal `name` of an authorization-details dump (`origin` names
    /// the file in errors).
    pub fn principal(
        &mut self,
        origin: &str,
        account: &Account,
        name: &str,
    ) -> Result<&mut Self, LoadError> {
        let ps = account.policy_set(origin, name)?;
        self.set.identity.extend(ps.identity);
        if ps.boundary.is_some() {
            self.set.boundary = ps.boundary;
        }
        Ok(self)
    }

    /// Adds an identity policy.
    pub fn identity(&mut self, policy: Arc<Policy>) -> &mut Self {
        self.set.identity.push(policy);
        self
    }

    /// Sets the permissions boundary.
    pub fn boundary(&mut self, policy: Arc<Policy>) -> &mut Self {
        self.set.boundary = Some(policy);
        self
    }

    /// Adds a service control policy level.
    pub fn scp(&mut self, policy: Arc<Policy>) -> &mut Self {
        self.set.scps.push(policy);
        self
    }

    /// The set.
    pub fn build(&self) -> PolicySet {
        self.set.clone()
    }
}
