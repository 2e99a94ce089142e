//! What the UI asks for becomes a [`Command`]; commands are applied after the frame, one
//! handler each.

use std::collections::BTreeSet;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Instant;

use super::model::{FilePurpose, Item, Policies, Slot};
use super::state::Notice;
use super::{CHANGE_HIGHLIGHT, ExplorerApp};
use crate::asg::catalog::catalog;
use crate::asg::requirements::{Facts, expand_features, requirements};
use crate::io::{LoadError, Loaded, load_bytes, save_atomic};

/// What the UI asks for; applied after the frame.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Command {
    /// Select an action.
    Select {
        /// The action's name.
        action: String,
    },
    /// Turn a feature on or off for the selected action.
    SetFeature {
        /// The feature id.
        id: String,
        /// On or off.
        on: bool,
    },
    /// Show a file dialog for a slot.
    OpenDialog {
        /// Where the file goes.
        slot: Slot,
    },
    /// Load a file (in the background).
    LoadPath {
        /// Where the file goes.
        slot: Slot,
        /// The file.
        path: PathBuf,
    },
    /// Load text (paste, example, dropped bytes).
    LoadText {
        /// Where the policy goes.
        slot: Slot,
        /// A name for it.
        name: String,
        /// The text.
        text: String,
    },
    /// Remove every policy.
    Clear,
    /// Remove one loaded item.
    Remove {
        /// Which.
        item: Item,
    },
    /// Replace the text of a loaded policy (the editor); a text that does not parse keeps
    /// the last version that did in force.
    EditText {
        /// Which policy.
        item: Item,
        /// The new text.
        text: String,
    },
    /// Evaluate as this principal of the loaded dump.
    SetPrincipal {
        /// Role or user name.
        name: String,
    },
    /// Copy text to the clipboard.
    Copy {
        /// What it is, for the notice ("the generated statements").
        what: String,
        /// The text.
        text: String,
    },
    /// Ask where to save text.
    SaveDialog {
        /// The text to save.
        text: String,
    },
    /// Ask where to save a report, offering a file name.
    Export {
        /// The report.
        text: String,
        /// `asg-perms-report.md`, `.json` or `.html`.
        file_name: String,
    },
    /// Write text to a path the user confirmed (atomically: temporary file, then rename).
    SaveConfirmed {
        /// Where.
        path: PathBuf,
        /// The text.
        text: String,
    },
    /// Paste a policy from the clipboard: read directly (arboard), or, where that fails,
    /// asked of the window system (the text arrives as a paste event).
    Paste,
    /// Ask the window system for the clipboard's text (it arrives as a paste event).
    PasteFromEgui,
    /// Set the facts.
    SetFacts {
        /// The new facts.
        facts: Facts,
    },
    /// Switch theme.
    SetDark {
        /// Dark or light.
        dark: bool,
    },
    /// Add what is known to the facts (fields that are set replace the current ones).
    MergeFacts {
        /// The facts learnt.
        facts: Facts,
    },
    /// Explain this permission of the selected action (the first needed one of that name).
    FocusPermission {
        /// `iam:PassRole`.
        permission: String,
    },
    /// Open the "What went wrong?" window.
    OpenDiagnose,
    /// Ask for a request file (a command line, API JSON, a template, Terraform).
    OpenRequestDialog,
    /// Select a call read from a request, with its features and facts.
    ApplyRequest {
        /// The call.
        request: Box<crate::infer::InferredRequest>,
        /// Where it was read (for the notice; empty to say nothing).
        from: String,
    },
    /// Evaluate every role and user of the loaded account file (in the background).
    StartAudit,
    /// Stop the account evaluation.
    CancelAudit,
    /// Export the selected action's report.
    ExportReport {
        /// Markdown, JSON or HTML.
        format: super::ExportFormat,
    },
    /// Bring back the policies as they were before the last replace, clear or remove.
    Undo,
    /// Reopen what was loaded in the last session.
    Restore {
        /// The documents, in load order.
        docs: Vec<super::model::SavedDoc>,
        /// The principal chosen from an account dump.
        principal: Option<String>,
    },
    /// Focus a permission of the selected action.
    FocusRequirement {
        /// Index into the action's requirements, or none.
        index: Option<usize>,
    },
}

impl Command {
    /// Load one of the built-in examples as the identity policy.
    pub fn load_example(name: &str, text: &str) -> Self {
        Self::LoadText {
            slot: Slot::Identity,
            name: name.to_owned(),
            text: text.to_owned(),
        }
    }
}

impl ExplorerApp {
    /// Applies the queued commands.
    pub fn apply_commands(&mut self, ctx: &egui::Context) {
        for c in std::mem::take(&mut self.commands) {
            self.apply(c, ctx);
        }
    }

    fn apply(&mut self, command: Command, ctx: &egui::Context) {
        match command {
            Command::Select { action } => {
                if self.state.selected != action {
                    self.state.selected = action;
                    self.detail.focused = None;
                    self.detail.scroll_to_top = true;
                    self.changed = None;
                }
            }
            Command::SetFeature { id, on } => self.set_feature(&id, on, ctx),
            Command::OpenDialog { slot } => self.choose_file(FilePurpose::Open(slot), ctx),
            Command::LoadPath { slot, path } => self.spawn_load(slot, path, ctx),
            Command::LoadText { slot, name, text } => self.load_text_into(slot, &name, text),
            Command::Clear => {
                self.remember();
                self.policies = Policies {
                    revision: self.policies.revision + 1,
                    ..Policies::default()
                };
                self.policy_view.reset();
                self.notice = Some(Notice::undoable("Cleared all policies."));
            }
            Command::Remove { item } => {
                self.remember();
                self.policies.remove(item);
                self.policy_view.reset();
                self.notice = Some(Notice::undoable("Removed."));
            }
            Command::Undo => self.undo(),
            Command::StartAudit => self.start_audit(ctx),
            Command::MergeFacts { facts } => self.merge_facts(facts),
            Command::FocusPermission { permission } => self.focus_permission(&permission),
            Command::OpenDiagnose => self.diagnose_view.open = true,
            Command::OpenRequestDialog => self.choose_file(FilePurpose::OpenRequest, ctx),
            Command::ApplyRequest { request, from } => self.apply_request(&request, &from),
            Command::CancelAudit => self.cancel_audit(),
            Command::ExportReport { format } => self.export(format),
            Command::Restore { docs, principal } => self.spawn_restore(docs, principal, ctx),
            Command::EditText { item, text } => self.policies.edit(item, text),
            Command::SetPrincipal { name } => self.policies.set_principal(name),
            Command::Copy { what, text } => self.copy(&what, text, ctx),
            Command::SaveDialog { text } => self.choose_file(
                FilePurpose::Save {
                    text,
                    file_name: "asg-permissions.json".to_owned(),
                },
                ctx,
            ),
            Command::Export { text, file_name } => {
                self.choose_file(FilePurpose::Save { text, file_name }, ctx);
            }
            Command::SaveConfirmed { path, text } => self.save_confirmed(&path, &text),
            Command::Paste => self.spawn_clipboard_read(ctx),
            Command::PasteFromEgui => {
                self.expect_paste = true;
                ctx.send_viewport_cmd(egui::ViewportCommand::RequestPaste);
                let paste = ctx.format_shortcut(&egui::KeyboardShortcut::new(
                    egui::Modifiers::COMMAND,
                    egui::Key::V,
                ));
                self.notice = Some(Notice::info(format!(
                    "Pasting from the clipboard… (or press {paste})"
                )));
            }
            Command::SetFacts { facts } => {
                if facts.problems().is_empty() {
                    self.state.facts = facts;
                }
            }
            Command::SetDark { dark } => {
                self.state.dark = dark;
                ctx.set_theme(if dark {
                    egui::Theme::Dark
                } else {
                    egui::Theme::Light
                });
            }
            Command::FocusRequirement { index } => {
                self.detail.focused = index;
                self.policy_view.scroll_pending = true;
            }
        }
    }

    /// Facts learnt (from an error message) added to those in force.
    fn merge_facts(&mut self, facts: Facts) {
        let mut merged = self.state.facts.clone();
        let take = |a: &mut Option<String>, b: Option<String>| {
            if b.is_some() {
                *a = b;
            }
        };
        take(&mut merged.account, facts.account);
        take(&mut merged.region, facts.region);
        take(&mut merged.partition, facts.partition);
        take(&mut merged.instance_role_arn, facts.instance_role_arn);
        take(
            &mut merged.service_linked_role_arn,
            facts.service_linked_role_arn,
        );
        take(
            &mut merged.lifecycle_hook_role_arn,
            facts.lifecycle_hook_role_arn,
        );
        take(&mut merged.group_name, facts.group_name);
        if merged.problems().is_empty() {
            self.state.facts = merged;
            self.detail.forget_facts_edit();
        }
    }

    /// Explains the first needed requirement of the selected action with this permission.
    fn focus_permission(&mut self, permission: &str) {
        let features = self.selected_features();
        if let Ok(reqs) = requirements(&self.state.selected, &features, &self.state.facts) {
            self.detail.focused = reqs
                .iter()
                .position(|r| r.needed && r.permission.eq_ignore_ascii_case(permission));
            self.policy_view.scroll_pending = true;
        }
    }

    /// Keeps the loaded policies for Undo.
    fn remember(&mut self) {
        if !self.policies.is_empty() {
            self.push_undo(self.policies.clone());
        }
    }

    fn push_undo(&mut self, policies: Policies) {
        self.undo.push(policies);
        if self.undo.len() > super::UNDO_DEPTH {
            self.undo.remove(0);
        }
    }

    /// Something to undo.
    pub fn can_undo(&self) -> bool {
        !self.undo.is_empty()
    }

    fn undo(&mut self) {
        let Some(mut previous) = self.undo.pop() else {
            self.notice = Some(Notice::info("Nothing to undo."));
            return;
        };
        previous.revision = self.policies.revision + 1;
        self.policies = previous;
        self.policy_view.reset();
        self.notice = Some(Notice::info(format!(
            "Undone: {} is loaded again.",
            self.policies.summary()
        )));
    }

    fn set_feature(&mut self, id: &str, on: bool, ctx: &egui::Context) {
        let before = self.needed_permissions();
        let selected = self.state.selected.clone();
        let entry = self.state.features.entry(selected).or_default();
        if on {
            if !entry.iter().any(|f| f == id) {
                entry.push(id.to_owned());
            }
            // Turning on a feature turns on what it implies.
            if let Ok(all) = expand_features(entry) {
                *entry = all;
            }
        } else {
            entry.retain(|f| f != id);
            // Features that imply this one go too.
            let cat = catalog();
            entry.retain(|f| {
                cat.feature(f)
                    .is_none_or(|x| !x.implies.iter().any(|i| i == id))
            });
        }
        let after = self.needed_permissions();
        let diff: BTreeSet<String> = before.symmetric_difference(&after).cloned().collect();
        if !diff.is_empty() && !self.snapshot_mode {
            self.changed = Some((Instant::now(), diff));
            ctx.request_repaint_after(CHANGE_HIGHLIGHT);
        }
    }

    /// The needed permissions of the selected action, by [`change_key`](crate::Requirement::change_key).
    fn needed_permissions(&self) -> BTreeSet<String> {
        let f = self.selected_features();
        requirements(&self.state.selected, &f, &self.state.facts)
            .map(|r| {
                r.into_iter()
                    .filter(|r| r.needed)
                    .map(|r| r.change_key())
                    .collect()
            })
            .unwrap_or_default()
    }

    fn copy(&mut self, what: &str, text: String, ctx: &egui::Context) {
        // Handed to egui either way (tests read it there).
        ctx.copy_text(text);
        self.notice = Some(if clipboard_reachable() {
            Notice::info(format!("Copied {what} to the clipboard."))
        } else {
            Notice::error(
                "No clipboard is available here (no display server found). Use \"Save as…\" instead.",
            )
        });
    }

    fn save_confirmed(&mut self, path: &std::path::Path, text: &str) {
        self.overwrite = None;
        self.notice = Some(match save_atomic(path, text) {
            Ok(()) => Notice::info(format!("Saved {}", path.display())),
            Err(e) => Notice::error(format!(
                "Could not save {}: {e}. The existing file was not changed.",
                path.display()
            )),
        });
    }

    pub(super) fn show_load_error(&mut self, e: &LoadError) {
        let keep = if self.policies.is_empty() {
            ""
        } else {
            " The previous policy is still loaded."
        };
        let text = format!("Could not load {e}.{keep}{}", e.location().excerpt_block());
        self.notice = Some(Notice::error(text));
    }

    pub(super) fn install(
        &mut self,
        slot: Slot,
        name: &str,
        path: Option<PathBuf>,
        text: crate::text::SourceText,
        mut loaded: Loaded,
    ) {
        // Show the file name, not the full path, in statement references.
        if let Loaded::Policy(p, _) = &mut loaded {
            name.clone_into(&mut p.name);
        }
        let warnings = match &loaded {
            Loaded::Policy(p, _) => p.warnings.len(),
            Loaded::Account(_) => 0,
        };
        let kind = loaded.kind().label();
        let before = self.policies.clone();
        match self
            .policies
            .insert(slot, name.to_owned(), path, text, loaded)
        {
            Ok(()) => {
                let replaced = replaced_names(&before, &self.policies);
                if !before.is_empty() {
                    self.push_undo(before);
                }
                let w = if warnings > 0 {
                    format!(
                        ", {} warning(s)",
                        crate::text::words::thousands(warnings as u64)
                    )
                } else {
                    String::new()
                };
                let mut notice = if self.policies.needs_principal() {
                    Notice::info(format!(
                        "Loaded {name} ({kind}). Choose the role or user to evaluate as: \"Evaluate as\" in the top bar."
                    ))
                } else {
                    Notice::info(format!("Loaded {name} ({kind}{w})"))
                };
                if !replaced.is_empty() {
                    notice.text.push_str(&format!(
                        ". It replaced {}; Undo brings {} back.",
                        replaced.join(", "),
                        if replaced.len() == 1 { "it" } else { "them" }
                    ));
                    notice.undo = true;
                }
                self.notice = Some(notice);
                self.policy_view.reset();
            }
            Err(e) => {
                self.notice = Some(Notice::error(e));
            }
        }
    }

    /// Loads text into a slot, as paste and the examples do. Errors keep what was loaded.
    pub fn load_text_into(&mut self, slot: Slot, name: &str, text: String) {
        match load_bytes(name, text.as_bytes()) {
            Ok(loaded) => self.install(slot, name, None, Arc::from(text), loaded),
            // Pasted text that is an error message, not a policy: explain it instead.
            Err(_) if crate::diagnose::diagnose(&text).is_ok() => {
                let set = self
                    .policies
                    .policy_set()
                    .ok()
                    .filter(|_| self.policies.evaluable());
                self.diagnose_view.read(text, set.as_ref());
                self.notice = Some(Notice::info(
                    "That is an error message, not a policy: see \"What went wrong?\".",
                ));
            }
            Err(e) => {
                let name = if name.starts_with("pasted") {
                    "the pasted text"
                } else {
                    name
                };
                // A request (an `aws autoscaling ...` command, API request JSON, a
                // template): the call itself.
                match as_request(name, &text) {
                    Some(calls) => self.show_request(name, text, calls),
                    None => self.show_load_error(&e),
                }
            }
        }
    }

    /// Shows calls read (here or on a worker) and loads a single one into the explorer.
    pub(super) fn show_request(
        &mut self,
        name: &str,
        text: String,
        calls: Result<Vec<crate::infer::InferredRequest>, String>,
    ) {
        let count = calls.as_ref().map_or(0, Vec::len);
        match self.request_view.read(name, text, calls) {
            Some(r) => self.apply_request(&r, name),
            None if count > 1 => {
                // "the pasted text" starts a sentence; a file name stays as it is.
                let subject = name
                    .strip_prefix("the ")
                    .map_or_else(|| name.to_owned(), |rest| format!("The {rest}"));
                self.notice = Some(Notice::info(format!(
                    "{subject} makes {count} Auto Scaling calls: choose one in \"Read the request\"."
                )));
            }
            None => {
                self.notice = Some(Notice::error(format!(
                    "Could not read a request from {name}: see \"Read the request\"."
                )));
            }
        }
    }

    /// Selects the call a request makes, with its features and facts.
    fn apply_request(&mut self, r: &crate::infer::InferredRequest, from: &str) {
        let name = r.action.trim_start_matches("autoscaling:").to_owned();
        self.commands.push(Command::Select {
            action: name.clone(),
        });
        self.state.features.insert(name, r.features.clone());
        self.commands.push(Command::MergeFacts {
            facts: r.facts.clone(),
        });
        if from.is_empty() {
            return;
        }
        let features = r
            .why
            .iter()
            .filter(|w| !w.what.starts_with("fact:"))
            .count();
        self.notice = Some(Notice::info(format!(
            "Read {} from {from}{}: {features} request feature{} turned on. \"Read the request\" shows the line each came from{}.",
            r.action,
            r.resource
                .as_ref()
                .map_or_else(String::new, |res| format!(" ({res})")),
            if features == 1 { "" } else { "s" },
            if r.unknowns.is_empty() {
                String::new()
            } else {
                format!(
                    " and {} question{} the input cannot answer",
                    r.unknowns.len(),
                    if r.unknowns.len() == 1 { "" } else { "s" }
                )
            }
        )));
    }
}

/// The calls of text that is a request (a command line, API JSON, a template, Terraform):
/// read, or, for text that says it is one but cannot be read, its own error, the one worth
/// showing. `None` for text that is no request.
pub(super) fn as_request(
    name: &str,
    text: &str,
) -> Option<Result<Vec<crate::infer::InferredRequest>, String>> {
    let calls = crate::infer::infer_named(Some(name), text);
    (calls.is_ok() || crate::infer::claims_to_be_request(text))
        .then(|| calls.map_err(|e| e.to_string()))
}

/// The documents in `before` that a load took out (an edited one is said to be edited).
fn replaced_names(before: &Policies, after: &Policies) -> Vec<String> {
    let mut gone: Vec<String> = before
        .docs()
        .iter()
        .filter(|(_, _, d)| {
            !after
                .docs()
                .iter()
                .any(|(_, _, a)| a.name == d.name && a.text == d.text)
        })
        .map(|(_, _, d)| {
            if d.edited {
                format!("your edited {}", d.name)
            } else {
                d.name.clone()
            }
        })
        .collect();
    if let Some(a) = &before.account
        && after.account.as_ref().is_none_or(|b| b.name != a.name)
    {
        gone.push(a.name.clone());
    }
    gone
}

/// True when a display server (and so a system clipboard) can be reached.
fn clipboard_reachable() -> bool {
    if cfg!(target_os = "linux") {
        std::env::var_os("DISPLAY").is_some() || std::env::var_os("WAYLAND_DISPLAY").is_some()
    } else {
        true
    }
}
