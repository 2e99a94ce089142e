//! The desktop app (eframe/egui). Panels hold only UI state and draw view models built from
//! the core; what the user asks for becomes a [`Command`](crate::app::Command), applied after the frame.
//!
//! One `impl ExplorerApp` spread over files by role: `state` (what is kept between runs),
//! `commands` (the command queue and its handlers), `jobs` (background work), `cache` (the
//! evaluation), `input` (keyboard, clipboard, drops), `chrome` (menus and bars), `frame`
//! (layout), `entry` (the eframe entry point); the panels are under `panels/`.

mod cache;
mod chrome;
mod commands;
mod entry;
mod files;
mod frame;
mod input;
mod jobs;
pub mod model;
mod panels;
mod review;
pub mod state;
mod theme;

use std::collections::BTreeSet;
use std::path::PathBuf;
use std::sync::mpsc;
use std::time::{Duration, Instant};

pub use commands::Command;
pub use entry::run;
pub use files::NativeDialogs;
pub use model::FilePurpose;
pub use model::{EXAMPLES, Evaluation, Item, Policies, Slot};
pub use review::ExportFormat;
pub use state::{Notice, State};

use crate::asg::catalog::catalog;
use crate::asg::requirements::{Facts, expand_features};

/// The window title.
pub const TITLE: &str = "Auto Scaling Permission Explorer";

/// The application id: the window class, and the name of the settings folder.
pub const APP_ID: &str = "asg-perms";

/// How many earlier states of the loaded policies Undo keeps.
const UNDO_DEPTH: usize = 20;

/// How long a change stays highlighted after a toggle.
const CHANGE_HIGHLIGHT: Duration = Duration::from_millis(1500);

/// The app.
pub struct ExplorerApp {
    /// Persisted state.
    pub state: State,
    /// Loaded policies.
    pub policies: Policies,
    /// Messages for the user.
    pub notice: Option<Notice>,
    /// Save state on exit (off in tests).
    pub persist: bool,
    /// Print the time from this instant to the first frame (startup measurement).
    pub report_first_frame: Option<Instant>,
    /// Print the time each frame takes (`ASG_PERMS_REPORT_FRAMES`).
    pub report_frames: bool,
    /// Stable pixels for snapshot tests: no evaluation time in the status bar and no
    /// time-limited "changed" highlight.
    pub snapshot_mode: bool,
    /// A save waiting for the user to confirm replacing an existing file.
    pub overwrite: Option<(PathBuf, String)>,
    /// Whether the system's file dialog is used or the built-in browser.
    pub native_dialogs: NativeDialogs,
    file_browser: Option<files::FileBrowser>,
    said_builtin_browser: bool,
    tree: panels::TreePanel,
    detail: panels::DetailPanel,
    policy_view: panels::PolicyPanel,
    simulate: panels::SimulatePanel,
    compare_view: panels::ComparePanel,
    matrix: panels::MatrixPanel,
    diagnose_view: panels::DiagnosePanel,
    request_view: panels::RequestPanel,
    compare: Option<(model::CompareKey, Result<Evaluation, String>)>,
    compare_pending: Option<model::CompareKey>,
    findings: Option<(u64, model::Findings)>,
    /// The revision being linted on a worker.
    linting: Option<u64>,
    audit: Option<review::AuditState>,
    commands: Vec<Command>,
    jobs_tx: mpsc::Sender<jobs::Job>,
    jobs_rx: mpsc::Receiver<jobs::Job>,
    pending: usize,
    eval: Option<(cache::EvalKey, Evaluation)>,
    background: Option<cache::Background>,
    changed: Option<(Instant, BTreeSet<String>)>,
    expect_paste: bool,
    styled: bool,
    principal_search: String,
    /// What was loaded before each replace, clear or remove, newest last (Ctrl+Z).
    undo: Vec<Policies>,
}

impl Default for ExplorerApp {
    fn default() -> Self {
        let (jobs_tx, jobs_rx) = mpsc::channel();
        Self {
            state: State::default(),
            policies: Policies::default(),
            notice: None,
            persist: false,
            report_first_frame: None,
            report_frames: false,
            snapshot_mode: false,
            overwrite: None,
            native_dialogs: NativeDialogs::detect(),
            file_browser: None,
            said_builtin_browser: false,
            tree: panels::TreePanel::default(),
            detail: panels::DetailPanel::default(),
            policy_view: panels::PolicyPanel::default(),
            simulate: panels::SimulatePanel::default(),
            compare_view: panels::ComparePanel::default(),
            matrix: panels::MatrixPanel::default(),
            diagnose_view: panels::DiagnosePanel::default(),
            request_view: panels::RequestPanel::default(),
            compare: None,
            compare_pending: None,
            findings: None,
            linting: None,
            audit: None,
            commands: Vec::new(),
            jobs_tx,
            jobs_rx,
            pending: 0,
            eval: None,
            background: None,
            changed: None,
            expect_paste: false,
            styled: false,
            principal_search: String::new(),
            undo: Vec::new(),
        }
    }
}

impl ExplorerApp {
    /// Creates the app, restoring saved state.
    pub fn new(cc: &eframe::CreationContext<'_>) -> Self {
        let mut app = Self {
            persist: true,
            ..Self::default()
        };
        // egui remembers scroll offsets across restarts: start at the action's header.
        app.detail.scroll_to_top = true;
        let saved = cc
            .storage
            .and_then(|s| eframe::get_value::<State>(s, eframe::APP_KEY));
        let unreadable = state_file().and_then(|file| set_aside_unreadable(&file, saved.is_some()));
        if let Some(state) = saved {
            app.state = state;
        }
        let docs = std::mem::take(&mut app.state.loaded);
        let principal = app.state.principal.take();
        if !docs.is_empty() {
            app.push(Command::Restore { docs, principal });
        }
        if catalog().action(&app.state.selected).is_none() {
            app.state.selected = State::default().selected;
        }
        if !app.state.facts.problems().is_empty() {
            app.state.facts = Facts::default();
        }
        app.state.features.retain(|_, f| expand_features(f).is_ok());
        if let Some(text) = unreadable {
            app.notice = Some(Notice::error(text));
        } else if let Some(problem) = storage_problem(cc.storage.is_some()) {
            app.notice = Some(Notice::info(format!(
                "Settings will not be remembered after you quit: {problem}. Everything else works."
            )));
        }
        cc.egui_ctx.set_theme(if app.state.dark {
            egui::Theme::Dark
        } else {
            egui::Theme::Light
        });
        app
    }

    /// Queues a command (as a click would).
    pub fn push(&mut self, c: Command) {
        self.commands.push(c);
    }

    /// Background jobs still running (file dialogs, loads, saves).
    pub fn pending_jobs(&self) -> usize {
        self.pending
    }

    /// The features on for the selected action.
    pub fn selected_features(&self) -> Vec<String> {
        self.state
            .features
            .get(&self.state.selected)
            .cloned()
            .unwrap_or_default()
    }
}

/// The file eframe keeps the settings in.
fn state_file() -> Option<PathBuf> {
    eframe::storage_dir(APP_ID).map(|d| d.join("app.ron"))
}

/// A settings file that exists but could not be read is moved aside (`app.ron.bad`) before
/// quitting would overwrite it; returns what to tell the user.
pub fn set_aside_unreadable(file: &std::path::Path, read_ok: bool) -> Option<String> {
    if read_ok {
        return None;
    }
    let meta = std::fs::metadata(file).ok()?;
    if meta.len() == 0 {
        return None;
    }
    let bad = file.with_extension("ron.bad");
    Some(match std::fs::rename(file, &bad) {
        Ok(()) => format!(
            "The settings file {} could not be read. It was moved to {} and the app starts with default settings.",
            file.display(),
            bad.display()
        ),
        Err(e) => format!(
            "The settings file {} could not be read, nor moved aside ({e}); it will be replaced when the app quits.",
            file.display()
        ),
    })
}

/// Why the app's settings cannot be saved, if they cannot: no settings folder (no HOME), or
/// one that cannot be created or written.
fn storage_problem(has_storage: bool) -> Option<String> {
    let Some(dir) = eframe::storage_dir(APP_ID) else {
        return Some("there is no folder for settings (HOME is not set)".to_owned());
    };
    if !has_storage {
        return Some(format!("{} cannot be created", dir.display()));
    }
    let probe = dir.join(".asg-perms-write-test");
    match std::fs::write(&probe, b"") {
        Ok(()) => {
            std::fs::remove_file(&probe).ok();
            None
        }
        Err(e) => Some(format!("{} cannot be written ({e})", dir.display())),
    }
}
