//! The evaluation cache: recomputed only when one of its inputs changes. The key is built
//! from every input, and compared whole, so a new input cannot be forgotten in it.

use std::collections::BTreeMap;

use std::sync::atomic::Ordering;
use std::sync::{Arc, mpsc};

use super::ExplorerApp;
use super::model::{Evaluation, Progress};
use crate::asg::generate::{GenerateOptions, GeneratedPolicy, LayerFix, suggest, suggest_by_layer};
use crate::asg::requirements::Facts;
use crate::policy::{Layer, PolicySet};

/// Policy sets of at least this [weight](PolicySet::weight) (statements, their resource
/// patterns and conditions) are evaluated on a worker thread.
const BACKGROUND_WEIGHT: usize = 1_000;

/// An evaluation running on a worker thread.
pub(super) struct Background {
    key: EvalKey,
    progress: Arc<Progress>,
    result: mpsc::Receiver<Evaluation>,
}

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

    /// Recomputes the evaluation when its inputs changed since the last time. Small policy
    /// sets are evaluated at once; larger ones on a worker thread, while the last result
    /// stays on screen, and a change of inputs cancels a run that has become stale.
    pub fn refresh(&mut self, ctx: &egui::Context) {
        let key = self.eval_key();
        if self.eval.as_ref().is_some_and(|(k, _)| *k == key) {
            self.cancel_background();
            return;
        }
        if let Some(job) = &self.background {
            if job.key == key {
                if let Ok(evaluation) = job.result.try_recv() {
                    self.eval = Some((key, evaluation));
                    self.background = None;
                }
                return;
            }
            self.cancel_background();
        }
        let (set, error) = Evaluation::input(&self.policies);
        if set.weight() < BACKGROUND_WEIGHT {
            let progress = Progress::default();
            if let Some(e) = Evaluation::compute_set(
                &set,
                error,
                &self.state.features,
                &self.state.facts,
                &progress,
                false,
            ) {
                self.eval = Some((key, e));
            }
            return;
        }
        self.spawn_evaluation(key, set, error, ctx);
    }

    fn spawn_evaluation(
        &mut self,
        key: EvalKey,
        set: PolicySet,
        error: Option<String>,
        ctx: &egui::Context,
    ) {
        let progress = Arc::new(Progress::default());
        let (tx, rx) = mpsc::channel();
        let features = self.state.features.clone();
        let facts = self.state.facts.clone();
        let repaint = ctx.clone();
        let worker = Arc::clone(&progress);
        let spawned = std::thread::Builder::new()
            .name("evaluation".to_owned())
            .spawn(move || {
                let e = Evaluation::compute_set(&set, error, &features, &facts, &worker, true);
                if let Some(e) = e {
                    tx.send(e).ok();
                }
                repaint.request_repaint();
            });
        match spawned {
            Ok(_) => {
                self.background = Some(Background {
                    key,
                    progress,
                    result: rx,
                });
                // Repaint now and then to show progress.
                ctx.request_repaint_after(std::time::Duration::from_millis(100));
            }
            Err(e) => {
                self.notice = Some(super::state::Notice::error(format!(
                    "Could not start the evaluation: {e}"
                )));
            }
        }
    }

    fn cancel_background(&mut self) {
        if let Some(job) = self.background.take() {
            job.progress.cancelled.store(true, Ordering::Relaxed);
        }
    }

    /// While a background evaluation runs: actions done and the total.
    pub fn evaluation_progress(&self) -> Option<(usize, usize)> {
        self.background.as_ref().map(|b| {
            (
                b.progress.done.load(Ordering::Relaxed),
                crate::asg::catalog::catalog().actions.len(),
            )
        })
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
