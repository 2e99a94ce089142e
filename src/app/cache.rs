//! The evaluation cache: recomputed only when one of its inputs changes. The key is built
//! from every input, and compared whole, so a new input cannot be forgotten in it.

use std::collections::BTreeMap;

use super::ExplorerApp;
use super::model::Evaluation;
use crate::asg::generate::{GenerateOptions, GeneratedPolicy, suggest};
use crate::asg::requirements::Facts;

/// Everything an [`Evaluation`] depends on.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub(super) struct EvalKey {
    /// Bumped on every change to the loaded policies.
    revision: u64,
    /// The principal chosen from an authorization-details dump.
    principal: Option<String>,
    /// Features on, per action.
    features: BTreeMap<String, Vec<String>>,
    /// The facts.
    facts: Facts,
}

impl ExplorerApp {
    fn eval_key(&self) -> EvalKey {
        EvalKey {
            revision: self.policies.revision,
            principal: self
                .policies
                .account
                .as_ref()
                .and_then(|a| a.principal.clone()),
            features: self.state.features.clone(),
            facts: self.state.facts.clone(),
        }
    }

    /// Recomputes the evaluation when its inputs changed since the last time.
    pub fn refresh(&mut self) {
        let key = self.eval_key();
        if self.eval.as_ref().is_some_and(|(k, _)| *k == key) {
            return;
        }
        let evaluation =
            Evaluation::compute(&self.policies, &self.state.features, &self.state.facts);
        self.eval = Some((key, evaluation));
    }

    /// The evaluation as of the last [`refresh`](Self::refresh) (each frame refreshes).
    pub fn evaluation(&self) -> Option<&Evaluation> {
        self.eval.as_ref().map(|(_, e)| e)
    }

    /// The generated least-privilege document for the selected action, from the current
    /// evaluation.
    pub fn generated(&self) -> GeneratedPolicy {
        let checks = self
            .evaluation()
            .and_then(|e| e.checks.get(&self.state.selected))
            .map(std::slice::from_ref)
            .unwrap_or_default();
        suggest(
            checks,
            GenerateOptions {
                include_conditional: self.state.include_conditional,
            },
        )
    }
}
