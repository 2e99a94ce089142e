//! Background work: file dialogs, loads and saves run on named worker threads; their results
//! come back through a channel and are taken in at the start of a frame.

use std::path::PathBuf;
use std::time::Instant;

use super::ExplorerApp;
use super::files::FilePurpose;
use super::model::Slot;
use super::state::Notice;
use crate::io::{LoadError, Loaded, load_file_with_text};

/// Results of background work.
pub(super) enum Job {
    /// A file was read (or failed to).
    Loaded {
        slot: Slot,
        path: PathBuf,
        result: Result<(Loaded, String), LoadError>,
    },
    /// A file was written (or failed to).
    Saved {
        path: PathBuf,
        result: Result<(), String>,
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

impl ExplorerApp {
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
            let result = load_file_with_text(&path);
            Job::Loaded { slot, path, result }
        });
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

    pub(super) fn spawn_save_dialog(&mut self, text: String, ctx: &egui::Context) {
        // An existing file is never replaced without asking (see `Job::ConfirmOverwrite`).
        let dialog = rfd::AsyncFileDialog::new()
            .set_title("Save the generated policy")
            .set_file_name("asg-permissions.json")
            .add_filter("JSON", &["json"])
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
                    purpose: FilePurpose::Save(text),
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
                    let name = path.file_name().map_or_else(
                        || path.display().to_string(),
                        |n| n.to_string_lossy().into_owned(),
                    );
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
                Job::Cancelled {
                    purpose,
                    opened,
                    closed,
                } => self.dialog_closed_without_choice(purpose, opened, closed),
            }
        }
    }
}
