//! The evaluation cache: recomputed only when one of its inputs changes. The key is built
//! from every input, and compared whole, so a new input cannot be forgotten in it.

use std::collections::BTreeMap;

use super::ExplorerApp;
use super::model::Evaluation;
use crate::asg::generate::{GenerateOptions, GeneratedPolicy, LayerFix, suggest, suggest_by_layer};
use crate::asg::requirements::Facts;
use crate::policy::Layer;

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

    fn selected_check(&self) -> &[crate::asg::requirements::ActionCheck] {
        self.evaluation()
            .and_then(|e| e.checks.get(&self.state.selected))
            .map(std::slice::from_ref)
            .unwrap_or_default()
    }

    fn generate_options(&self) -> GenerateOptions {
        GenerateOptions {
            include_conditional: self.state.include_conditional,
        }
    }

    /// The generated least-privilege document for the selected action's identity policies,
    /// from the current evaluation.
    pub fn generated(&self) -> GeneratedPolicy {
        suggest(self.selected_check(), self.generate_options())
    }

    /// What a boundary or an SCP lacks for the selected action, per layer.
    pub fn other_layer_fixes(&self) -> Vec<LayerFix> {
        suggest_by_layer(self.selected_check(), self.generate_options())
            .into_iter()
            .filter(|f| f.which != Layer::Identity)
            .collect()
    }
}
