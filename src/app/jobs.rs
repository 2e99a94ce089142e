//! Background work: file dialogs, loads and saves run on named worker threads; their results
//! come back through a channel and are taken in at the start of a frame.

use std::path::PathBuf;
use std::time::Instant;

use super::ExplorerApp;
use super::model::{CompareKey, FilePurpose, SavedDoc, Slot, text_hash};
use super::state::Notice;
use crate::io::{LoadError, Loaded, load_file_with_text, load_shared, read_text_file};

/// Results of background work.
pub(super) enum Job {
    /// A file was read (or failed to).
    Loaded {
        slot: Slot,
        path: PathBuf,
        result: Result<(Loaded, crate::text::SourceText), LoadError>,
    },
    /// A request file was read: the calls it makes, or why it could not be read.
    RequestRead {
        name: String,
        text: String,
        result: Result<Vec<crate::infer::InferredRequest>, String>,
    },
    /// A file was written (or failed to).
    Saved {
        path: PathBuf,
        result: Result<(), String>,
    },
    /// The compared version, evaluated.
    Compared {
        key: Box<CompareKey>,
        evaluation: Result<super::model::Evaluation, String>,
    },
    /// Findings on the policies of one revision.
    Linted {
        revision: u64,
        findings: super::model::Findings,
    },
    /// The account matrix (none when cancelled).
    Audited {
        revision: u64,
        audit: Option<crate::review::audit::Audit>,
    },
    /// The clipboard's text, read directly; or why not.
    Pasted(Result<String, String>),
    /// What was loaded in the last session, read again.
    Restored {
        items: Vec<Restored>,
        principal: Option<String>,
    },
    /// The user picked a file that already exists: ask before replacing it.
    ConfirmOverwrite { path: PathBuf, text: String },
    /// The system dialog was closed without a choice (or never appeared).
    Cancelled {
        purpose: FilePurpose,
        opened: Instant,
        closed: Instant,
    },
}

/// One document of the last session, read again.
pub(super) struct Restored {
    saved: SavedDoc,
    how: Reopened,
    result: Result<(Loaded, crate::text::SourceText), LoadError>,
}

/// How a document of the last session came back.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Reopened {
    /// The file, unchanged; or text that had no file.
    Same,
    /// The file changed since: its new version.
    Changed,
    /// The text as edited here (the file is not read).
    Edited,
    /// The file is gone.
    Gone,
}

/// Reads the documents of the last session (on a worker thread).
fn reopen(saved: Vec<SavedDoc>) -> Vec<Restored> {
    saved
        .into_iter()
        .map(|saved| {
            let (how, result) = match (&saved.path, &saved.text) {
                (_, Some(text)) => (
                    if saved.path.is_some() {
                        Reopened::Edited
                    } else {
                        Reopened::Same
                    },
                    {
                        let text = crate::text::source_text(text.clone());
                        crate::io::load_shared(&saved.name, &text).map(|l| (l, text))
                    },
                ),
                (Some(path), None) if !path.exists() => (
                    Reopened::Gone,
                    Err(LoadError::not_a_policy(
                        crate::text::Location::whole(&path.display().to_string()),
                        "the file is gone",
                    )),
                ),
                (Some(path), None) => {
                    let result = load_file_with_text(path);
                    let changed = result
                        .as_ref()
                        .is_ok_and(|(_, text)| text_hash(text) != saved.hash);
                    (
                        if changed {
                            Reopened::Changed
                        } else {
                            Reopened::Same
                        },
                        result,
                    )
                }
                (None, None) => nothing_remembered(),
            };
            Restored { saved, how, result }
        })
        .collect()
}

/// A remembered document with neither file nor text cannot be reopened.
fn nothing_remembered() -> (
    Reopened,
    Result<(Loaded, crate::text::SourceText), LoadError>,
) {
    (
        Reopened::Gone,
        Err(LoadError::not_a_policy(
            crate::text::Location::whole("(nothing)"),
            "nothing was remembered",
        )),
    )
}

impl ExplorerApp {
    /// Reopens what was loaded when the app last closed, in the background.
    pub(super) fn spawn_restore(
        &mut self,
        docs: Vec<SavedDoc>,
        principal: Option<String>,
        ctx: &egui::Context,
    ) {
        self.spawn_job("restore-session", ctx, move || Job::Restored {
            items: reopen(docs),
            principal,
        });
    }

    /// Reads the clipboard on a worker (a clipboard owner that does not answer must not
    /// freeze the window).
    pub(super) fn spawn_clipboard_read(&mut self, ctx: &egui::Context) {
        self.spawn_job("clipboard-read", ctx, || {
            Job::Pasted(crate::io::clipboard::read().map_err(|e| e.to_string()))
        });
    }

    fn take_restored(&mut self, items: Vec<Restored>, principal: Option<String>) {
        let mut reopened = Vec::new();
        let mut said = Vec::new();
        for Restored { saved, how, result } in items {
            let place = saved
                .path
                .as_ref()
                .map_or_else(|| saved.name.clone(), |p| p.display().to_string());
            match (how, result) {
                (Reopened::Gone, _) => {
                    said.push(format!("{place} is gone, so it was not reopened"));
                }
                (_, Err(e)) => said.push(format!("{} could not be reopened: {e}", saved.name)),
                (how, Ok((loaded, text))) => {
                    self.install(saved.slot, &saved.name, saved.path.clone(), text, loaded);
                    if how == Reopened::Edited
                        && let Some(d) = self
                            .policies
                            .identity
                            .iter_mut()
                            .chain(self.policies.boundary.iter_mut())
                            .chain(self.policies.scps.iter_mut())
                            .find(|d| d.name == saved.name)
                    {
                        d.edited = true;
                        d.hash = saved.hash;
                    }
                    match how {
                        Reopened::Changed => said.push(format!(
                            "{place} changed since the last session: its new version is loaded"
                        )),
                        Reopened::Edited => {
                            said.push(format!("your unsaved edits of {} are back", saved.name));
                        }
                        _ => reopened.push(saved.name.clone()),
                    }
                }
            }
        }
        if let Some(p) = principal
            && self.policies.account.as_ref().is_some_and(|a| {
                a.account
                    .principals
                    .iter()
                    .any(|x| x.name == p || x.arn == p)
            })
        {
            self.policies.set_principal(p);
        }
        // Reopening is not something to undo.
        self.undo.clear();
        let mut text = String::new();
        if !reopened.is_empty() {
            text = format!("Reopened {} from the last session.", reopened.join(", "));
        }
        for s in said {
            if !text.is_empty() {
                text.push(' ');
            }
            text.push_str(&capitalised(&s));
            text.push('.');
        }
        if !text.is_empty() {
            self.notice = Some(Notice::info(text));
        }
    }

    /// Runs `work` on a named background thread; its result comes back through the job
    /// channel and wakes the UI.
    pub(super) fn spawn_job(
        &mut self,
        name: &str,
        ctx: &egui::Context,
        work: impl FnOnce() -> Job + Send + 'static,
    ) {
        let tx = self.jobs_tx.clone();
        let ctx = ctx.clone();
        let spawned = std::thread::Builder::new()
            .name(name.to_owned())
            .spawn(move || {
                tx.send(work()).ok();
                ctx.request_repaint();
            });
        match spawned {
            Ok(_) => self.pending += 1,
            Err(e) => {
                self.notice = Some(Notice::error(format!("Could not start {name}: {e}")));
            }
        }
    }

    pub(super) fn spawn_load(&mut self, slot: Slot, path: PathBuf, ctx: &egui::Context) {
        self.spawn_job("policy-load", ctx, move || {
            // Shared with the loaded policy: the file's text is held once.
            let text: crate::text::SourceText = match read_text_file(&path) {
                Ok(text) => crate::text::source_text(text),
                Err(e) => {
                    return Job::Loaded {
                        slot,
                        path,
                        result: Err(e),
                    };
                }
            };
            match load_shared(&path.display().to_string(), &text) {
                Ok(loaded) => Job::Loaded {
                    slot,
                    path,
                    result: Ok((loaded, text)),
                },
                // A file that is no policy but a request (a dropped template, a recent
                // file): its calls instead, from the text already read.
                Err(e) => {
                    let name = file_name(&path);
                    match super::commands::as_request(&name, &text) {
                        Some(result) => Job::RequestRead {
                            name,
                            text: text.to_string(),
                            result,
                        },
                        None => Job::Loaded {
                            slot,
                            path,
                            result: Err(e),
                        },
                    }
                }
            }
        });
    }

    /// Reads a request file on a worker: its text, bounded, then the calls it makes.
    pub(super) fn spawn_read_request(&mut self, path: PathBuf, ctx: &egui::Context) {
        self.spawn_job("request-read", ctx, move || read_request(&path));
    }

    pub(super) fn spawn_request_dialog(&mut self, ctx: &egui::Context) {
        let dialog = rfd::AsyncFileDialog::new()
            .set_title("Open a request")
            .add_filter(
                "Commands, API JSON, CloudFormation, Terraform",
                &["sh", "txt", "json", "yaml", "yml", "template", "tf"],
            )
            .add_filter("All files", &["*"])
            .pick_file();
        let opened = Instant::now();
        self.spawn_job(
            "request-open-dialog",
            ctx,
            move || match pollster::block_on(dialog) {
                Some(handle) => read_request(handle.path()),
                None => Job::Cancelled {
                    purpose: FilePurpose::OpenRequest,
                    opened,
                    closed: Instant::now(),
                },
            },
        );
    }

    pub(super) fn spawn_open_dialog(&mut self, slot: Slot, ctx: &egui::Context) {
        // Created on the UI thread (some platforms need that), awaited on the worker.
        let dialog = rfd::AsyncFileDialog::new()
            .set_title("Open an IAM policy")
            .add_filter("IAM policy (JSON)", &["json", "txt"])
            .add_filter("All files", &["*"])
            .pick_file();
        let opened = Instant::now();
        self.spawn_job(
            "policy-open-dialog",
            ctx,
            move || match pollster::block_on(dialog) {
                Some(handle) => {
                    let path = handle.path().to_path_buf();
                    let result = load_file_with_text(&path);
                    Job::Loaded { slot, path, result }
                }
                None => Job::Cancelled {
                    purpose: FilePurpose::Open(slot),
                    opened,
                    closed: Instant::now(),
                },
            },
        );
    }

    pub(super) fn spawn_save_dialog(
        &mut self,
        text: String,
        file_name: String,
        ctx: &egui::Context,
    ) {
        // An existing file is never replaced without asking (see `Job::ConfirmOverwrite`).
        let ext = file_name.rsplit('.').next().unwrap_or("json").to_owned();
        let dialog = rfd::AsyncFileDialog::new()
            .set_title(format!("Save {file_name}"))
            .set_file_name(&file_name)
            .add_filter(ext.to_uppercase(), &[ext.as_str()])
            .save_file();
        let opened = Instant::now();
        self.spawn_job(
            "policy-save-dialog",
            ctx,
            move || match pollster::block_on(dialog) {
                Some(handle) => {
                    let path = handle.path().to_path_buf();
                    if path.exists() {
                        Job::ConfirmOverwrite { path, text }
                    } else {
                        let r = crate::io::save_atomic(&path, &text).map_err(|e| e.to_string());
                        Job::Saved { path, result: r }
                    }
                }
                None => Job::Cancelled {
                    purpose: FilePurpose::Save { text, file_name },
                    opened,
                    closed: Instant::now(),
                },
            },
        );
    }

    pub(super) fn poll_jobs(&mut self) {
        while let Ok(job) = self.jobs_rx.try_recv() {
            self.pending = self.pending.saturating_sub(1);
            match job {
                Job::Loaded { slot, path, result } => {
                    let name = file_name(&path);
                    match result {
                        Ok((loaded, text)) => {
                            self.install(slot, &name, Some(path.clone()), text, loaded);
                            // Only files that loaded are worth offering again.
                            self.state.recent.retain(|p| p != &path);
                            self.state.recent.insert(0, path);
                            self.state.recent.truncate(8);
                        }
                        Err(e) => self.show_load_error(&e),
                    }
                }
                Job::RequestRead { name, text, result } => {
                    self.show_request(&name, text, result);
                }
                Job::Saved {
                    path,
                    result: Ok(()),
                } => {
                    self.notice = Some(Notice::info(format!("Saved {}", path.display())));
                }
                Job::Saved {
                    path,
                    result: Err(e),
                } => {
                    self.notice = Some(Notice::error(format!(
                        "Could not save {}: {e}. Nothing was overwritten.",
                        path.display()
                    )));
                }
                Job::ConfirmOverwrite { path, text } => self.overwrite = Some((path, text)),
                Job::Restored { items, principal } => self.take_restored(items, principal),
                Job::Compared { key, evaluation } => self.take_compared(*key, evaluation),
                Job::Audited { revision, audit } => self.take_audit(revision, audit),
                Job::Linted { revision, findings } => self.take_findings(revision, findings),
                Job::Pasted(Ok(text)) => {
                    self.commands.push(super::commands::Command::LoadText {
                        slot: Slot::Identity,
                        name: "pasted policy".to_owned(),
                        text,
                    });
                }
                Job::Pasted(Err(_)) => self.commands.push(super::commands::Command::PasteFromEgui),
                Job::Cancelled {
                    purpose,
                    opened,
                    closed,
                } => self.dialog_closed_without_choice(purpose, opened, closed),
            }
        }
    }
}

/// The file's name, for notices and statement references (the whole path if it has none).
fn file_name(path: &std::path::Path) -> String {
    path.file_name().map_or_else(
        || path.display().to_string(),
        |n| n.to_string_lossy().into_owned(),
    )
}

/// Reads a request file: the text through the same bounded read as policies, then the calls.
fn read_request(path: &std::path::Path) -> Job {
    let name = file_name(path);
    match read_text_file(path) {
        Ok(text) => {
            let result = crate::infer::infer_named(Some(&name), &text).map_err(|e| e.to_string());
            Job::RequestRead { name, text, result }
        }
        Err(e) => Job::RequestRead {
            name,
            text: String::new(),
            result: Err(e.to_string()),
        },
    }
}

fn capitalised(s: &str) -> String {
    let mut c = s.chars();
    c.next()
        .map_or_else(String::new, |f| f.to_uppercase().chain(c).collect())
}
