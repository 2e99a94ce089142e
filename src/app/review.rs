//! Review in the app: the loaded policy compared with another version of it, findings on
//! the loaded policies, the account matrix (a background job with progress and cancel), and
//! reports exported as Markdown, JSON or HTML.

use std::sync::Arc;
use std::sync::atomic::Ordering;

use super::ExplorerApp;
use super::commands::Command;
use super::jobs::Job;
use super::model::{CompareKey, Evaluation, Findings, Progress};
use crate::asg::generate::GenerateOptions;
use crate::report::{Report, ReportHeader};
use crate::review::audit::{Audit, AuditProgress};
use crate::review::diff::{ActionChange, diff_checks, sort_lost_first};
use crate::review::lint::{Finding, LintOptions, gather, lint};

/// The account matrix: running, or done.
pub(super) struct AuditState {
    /// The revision of the loaded policies it was made for.
    pub revision: u64,
    /// Shared with the worker.
    pub progress: Arc<AuditProgress>,
    /// Roles and users in all.
    pub total: usize,
    /// The result, once there.
    pub result: Option<Audit>,
}

/// Report formats the app exports.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ExportFormat {
    /// For a pull request.
    Markdown,
    /// The stable JSON of `check --format json`.
    Json,
    /// For a browser.
    Html,
}

impl ExplorerApp {
    fn compare_key(&self) -> CompareKey {
        CompareKey {
            revision: self.policies.revision,
            features: self.state.features.clone(),
            facts: self.state.facts.clone(),
        }
    }

    /// Evaluates the compared version when it or what it depends on changed (on a worker).
    pub(super) fn refresh_compare(&mut self, ctx: &egui::Context) {
        let Some(after) = self.policies.compare_set() else {
            self.compare = None;
            return;
        };
        let key = self.compare_key();
        if self.compare.as_ref().is_some_and(|(k, _)| *k == key)
            || self.compare_pending.as_ref() == Some(&key)
        {
            return;
        }
        let after = match after {
            Ok(set) => set,
            Err(e) => {
                self.compare = Some((key, Err(e.to_string())));
                return;
            }
        };
        self.compare_pending = Some(key.clone());
        let features = key.features.clone();
        let facts = key.facts.clone();
        self.spawn_job("compare-evaluation", ctx, move || {
            let progress = Progress::default();
            let evaluation =
                Evaluation::compute_set(&after, None, &features, &facts, &progress, true);
            Job::Compared {
                key: Box::new(key),
                evaluation: evaluation.ok_or_else(|| "cancelled".to_owned()),
            }
        });
    }

    pub(super) fn take_compared(
        &mut self,
        key: CompareKey,
        evaluation: Result<Evaluation, String>,
    ) {
        if self.compare_pending.as_ref() == Some(&key) {
            self.compare_pending = None;
        }
        self.compare = Some((key, evaluation));
    }

    /// The actions whose status changed from the loaded policy to the compared version:
    /// those that lost something first. `None` when nothing is compared (or not yet).
    pub fn comparison(&self) -> Option<Result<Vec<ActionChange>, String>> {
        let (_, after) = self.compare.as_ref()?;
        let after = match after {
            Ok(e) => e,
            Err(e) => return Some(Err(e.clone())),
        };
        let before = self.evaluation()?;
        let mut changes: Vec<ActionChange> = before
            .checks
            .iter()
            .filter_map(|(name, b)| after.checks.get(name).and_then(|a| diff_checks(b, a)))
            .collect();
        sort_lost_first(&mut changes);
        Some(Ok(changes))
    }

    /// The compared version is being evaluated.
    pub fn comparing(&self) -> bool {
        self.compare_pending.is_some()
    }

    /// Findings on every loaded policy, recomputed when the policies change.
    /// Lints the loaded policies again when they changed, on a worker (thousands of
    /// statements take a while); the last findings stay shown meanwhile.
    pub(super) fn refresh_findings(&mut self, ctx: &egui::Context) {
        let revision = self.policies.revision;
        if self.findings.as_ref().is_some_and(|(r, _)| *r == revision)
            || self.linting == Some(revision)
        {
            return;
        }
        // After a background evaluation, not beside it: the two at once would hold both
        // their working memory (and an allocator arena each) at the same time; one after the
        // other, the lint reuses what the evaluation gave back. The frame that takes in the
        // evaluation starts the lint.
        if self.background.is_some() {
            return;
        }
        let set = self.policies.policy_set().ok();
        let compare = self
            .policies
            .compare
            .as_ref()
            .map(|c| Arc::clone(&c.parsed));
        self.linting = Some(revision);
        self.spawn_job("lint", ctx, move || {
            let mut all: Vec<Finding> = Vec::new();
            if let Some(set) = set {
                // Without the "not used by Auto Scaling" note: a policy loaded here is often
                // broader than Auto Scaling (the command line's --for-auto-scaling asks for
                // it).
                for p in set.policies() {
                    gather(&mut all, lint(p, LintOptions::default()));
                }
            }
            if let Some(c) = compare {
                gather(&mut all, lint(&c, LintOptions::default()));
            }
            Job::Linted {
                revision,
                findings: Findings::new(all),
            }
        });
    }

    /// Findings that came back from a worker: kept if still about what is loaded.
    pub(super) fn take_findings(&mut self, revision: u64, findings: Findings) {
        if self.linting == Some(revision) {
            self.linting = None;
        }
        if revision == self.policies.revision {
            self.findings = Some((revision, findings));
        }
    }

    /// True while the loaded policies are being linted on a worker.
    pub fn linting(&self) -> bool {
        self.linting.is_some()
    }

    /// Findings on the loaded policies.
    pub fn findings(&self) -> &[Finding] {
        self.findings
            .as_ref()
            .map_or(&[], |(_, f)| f.all.as_slice())
    }

    /// Starts the account matrix on a worker (cancels one running).
    pub(super) fn start_audit(&mut self, ctx: &egui::Context) {
        self.cancel_audit();
        let Some(acc) = &self.policies.account else {
            return;
        };
        let progress = Arc::new(AuditProgress::default());
        let worker = Arc::clone(&progress);
        let account = acc.account.clone();
        let origin = acc.name.clone();
        let revision = self.policies.revision;
        self.audit = Some(AuditState {
            revision,
            progress,
            total: account.principals.len(),
            result: None,
        });
        self.spawn_job("account-audit", ctx, move || Job::Audited {
            revision,
            audit: crate::review::audit::audit(&origin, &account, &worker),
        });
        ctx.request_repaint_after(std::time::Duration::from_millis(100));
    }

    /// Stops a running matrix.
    pub(super) fn cancel_audit(&mut self) {
        if let Some(a) = &self.audit
            && a.result.is_none()
        {
            a.progress.cancelled.store(true, Ordering::Relaxed);
        }
        self.audit = None;
    }

    pub(super) fn take_audit(&mut self, revision: u64, audit: Option<Audit>) {
        if let Some(state) = &mut self.audit
            && state.revision == revision
        {
            match audit {
                Some(a) => state.result = Some(a),
                None => self.audit = None,
            }
        }
    }

    /// The account matrix, when done.
    pub fn audit_result(&self) -> Option<&Audit> {
        self.audit.as_ref().and_then(|a| a.result.as_ref())
    }

    /// The report of the selected action, as the command line writes it.
    pub fn report_text(&self, format: ExportFormat) -> Option<String> {
        let check = self.evaluation()?.checks.get(&self.state.selected)?;
        let set = self.policies.policy_set().ok()?;
        let report = Report::new(
            std::slice::from_ref(check),
            GenerateOptions {
                include_conditional: self.state.include_conditional,
            },
        )
        .with_facts(self.state.facts.clone())
        .with_header(ReportHeader::for_set(&set));
        Some(match format {
            ExportFormat::Markdown => report.to_markdown(),
            ExportFormat::Json => report.to_json() + "\n",
            ExportFormat::Html => report.to_html(),
        })
    }

    /// Asks where to save the report of the selected action.
    pub(super) fn export(&mut self, format: ExportFormat) {
        let Some(text) = self.report_text(format) else {
            self.notice = Some(super::state::Notice::error(
                "Nothing to export yet: the evaluation is still running.",
            ));
            return;
        };
        let ext = match format {
            ExportFormat::Markdown => "md",
            ExportFormat::Json => "json",
            ExportFormat::Html => "html",
        };
        self.commands.push(Command::Export {
            text,
            file_name: format!("asg-perms-{}.{ext}", self.state.selected),
        });
    }
}
