//! Choosing files: the system's dialog when there is one, else a file browser inside the
//! window (`egui_file`).
//!
//! On Linux the system dialog comes from `xdg-desktop-portal` (or `zenity`). Where neither
//! exists (minimal window managers, containers, remote sessions) rfd returns "no choice" at
//! once, exactly as if the user had cancelled. So: with no session bus and no zenity the
//! built-in browser is used from the start; and a system dialog that "closes" faster than a
//! person could close it is taken as one that never appeared: the built-in browser opens
//! instead, and the app says so once.

use std::path::PathBuf;
use std::time::{Duration, Instant};

use super::ExplorerApp;
use super::jobs::Job;
use super::model::{FilePurpose, Slot};
use super::state::Notice;

/// A system dialog that returns without a choice sooner than this was never shown.
const TOO_QUICK: Duration = Duration::from_millis(300);

/// Whether the system's file dialog can be used.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NativeDialogs {
    /// Not known yet: try it, and watch for a dialog that never appeared.
    Try,
    /// None here: use the built-in browser.
    Unavailable,
}

impl NativeDialogs {
    /// What this machine offers, from the environment. `ASG_PERMS_FILE_DIALOG=builtin`
    /// chooses the built-in browser.
    pub fn detect() -> Self {
        if std::env::var("ASG_PERMS_FILE_DIALOG").is_ok_and(|v| v == "builtin") {
            return Self::Unavailable;
        }
        if cfg!(target_os = "linux") && !session_bus_exists() && !on_path("zenity") {
            return Self::Unavailable;
        }
        Self::Try
    }
}

/// The built-in browser, open.
pub struct FileBrowser {
    /// What for.
    pub purpose: FilePurpose,
    dialog: egui_file::FileDialog,
}

impl FileBrowser {
    fn new(purpose: FilePurpose, start: Option<PathBuf>) -> Self {
        let mut dialog = match &purpose {
            FilePurpose::Open(slot) => egui_file::FileDialog::open_file().title(&format!(
                "Open {} (built-in file browser)",
                slot_title(*slot)
            )),
            FilePurpose::OpenRequest => egui_file::FileDialog::open_file()
                .title("Open a request: a command, API JSON, a template or Terraform (built-in file browser)"),
            FilePurpose::Save { file_name, .. } => egui_file::FileDialog::save_file()
                .title(&format!("Save {file_name} (built-in file browser)"))
                .default_filename(file_name.clone()),
        }
        .default_size([640.0, 420.0])
        .anchor(egui::Align2::CENTER_CENTER, [0.0, 0.0])
        .show_rename(false)
        .show_new_folder(false);
        if let Some(dir) = start {
            dialog = dialog.initial_path(dir);
        }
        dialog.open();
        Self { purpose, dialog }
    }
}

fn slot_title(slot: Slot) -> &'static str {
    match slot {
        Slot::Identity | Slot::AddIdentity => "an identity policy",
        Slot::Boundary => "a permissions boundary",
        Slot::Scp => "a service control policy",
        Slot::Compare => "a version to compare with",
    }
}

impl ExplorerApp {
    /// Asks for a file: the system dialog, or the built-in browser where there is none.
    pub(super) fn choose_file(&mut self, purpose: FilePurpose, ctx: &egui::Context) {
        if self.native_dialogs == NativeDialogs::Unavailable {
            self.say_builtin_once();
            self.open_file_browser(purpose);
            return;
        }
        match purpose {
            FilePurpose::Open(slot) => self.spawn_open_dialog(slot, ctx),
            FilePurpose::OpenRequest => self.spawn_request_dialog(ctx),
            FilePurpose::Save { text, file_name } => self.spawn_save_dialog(text, file_name, ctx),
        }
    }

    /// Opens the built-in browser, in the folder of the last file used.
    pub(super) fn open_file_browser(&mut self, purpose: FilePurpose) {
        let start = self
            .state
            .recent
            .first()
            .and_then(|p| p.parent())
            .filter(|d| d.is_dir())
            .map(std::path::Path::to_path_buf);
        self.file_browser = Some(FileBrowser::new(purpose, start));
    }

    /// A system dialog closed without a choice. If it closed too quickly for a person, it
    /// never appeared: switch to the built-in browser for this session, say so once, and
    /// open it.
    pub(super) fn dialog_closed_without_choice(
        &mut self,
        purpose: FilePurpose,
        opened: Instant,
        closed: Instant,
    ) {
        if closed.duration_since(opened) >= TOO_QUICK {
            return;
        }
        self.native_dialogs = NativeDialogs::Unavailable;
        self.say_builtin_once();
        self.open_file_browser(purpose);
    }

    /// Says once a session that the built-in browser stands in for the system's dialog.
    fn say_builtin_once(&mut self) {
        if std::mem::replace(&mut self.said_builtin_browser, true) {
            return;
        }
        self.notice = Some(Notice::info(
            "No system file dialog is available here (no xdg-desktop-portal or zenity), so the app uses its own file browser.",
        ));
    }

    /// Draws the built-in browser, if open, and acts on the user's choice.
    pub(super) fn file_browser_ui(&mut self, ctx: &egui::Context) {
        let Some(browser) = self.file_browser.as_mut() else {
            return;
        };
        let state = browser.dialog.show(ctx).state();
        match state {
            egui_file::State::Open => {}
            egui_file::State::Selected => {
                let path = browser.dialog.path().map(std::path::Path::to_path_buf);
                let purpose = browser.purpose.clone();
                self.file_browser = None;
                if let Some(path) = path {
                    self.file_chosen(purpose, path, ctx);
                }
            }
            egui_file::State::Closed | egui_file::State::Cancelled => self.file_browser = None,
        }
    }

    /// A file was chosen, by either kind of dialog.
    pub(super) fn file_chosen(&mut self, purpose: FilePurpose, path: PathBuf, ctx: &egui::Context) {
        match purpose {
            FilePurpose::Open(slot) => self.spawn_load(slot, path, ctx),
            FilePurpose::OpenRequest => self.spawn_read_request(path, ctx),
            FilePurpose::Save { text, .. } => {
                if path.exists() {
                    self.overwrite = Some((path, text));
                } else {
                    self.spawn_job("policy-save", ctx, move || {
                        let result =
                            crate::io::save_atomic(&path, &text).map_err(|e| e.to_string());
                        Job::Saved { path, result }
                    });
                }
            }
        }
    }

    /// The built-in browser is open (for tests).
    pub fn file_browser_open(&self) -> bool {
        self.file_browser.is_some()
    }
}

/// A D-Bus session bus, over which xdg-desktop-portal would answer.
fn session_bus_exists() -> bool {
    if std::env::var_os("DBUS_SESSION_BUS_ADDRESS").is_some() {
        return true;
    }
    std::env::var_os("XDG_RUNTIME_DIR")
        .is_some_and(|d| std::path::Path::new(&d).join("bus").exists())
}

/// A program of this name is on PATH.
fn on_path(program: &str) -> bool {
    std::env::var_os("PATH").is_some_and(|paths| {
        std::env::split_paths(&paths).any(|dir| {
            let p = dir.join(program);
            p.is_file()
        })
    })
}
