//! The desktop app (eframe/egui). Panels hold only UI state and draw view models built from
//! the core; what the user asks for becomes a [`Command`], applied after the frame.

mod detail;
pub mod model;
mod policy_view;
mod theme;
mod tree;

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;
use std::sync::mpsc;
use std::time::{Duration, Instant};

use crate::catalog::catalog;
use crate::load::{Loaded, load_bytes, load_file_with_text};
use crate::policy::PolicyError;
use crate::resolve::{Facts, expand_features};

pub use model::{EXAMPLES, Evaluation, Policies, Slot};

/// The window title.
pub const TITLE: &str = "Auto Scaling Permission Explorer";

/// The state kept between runs.
#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
#[serde(default)]
pub struct State {
    /// Dark theme.
    pub dark: bool,
    /// The selected action.
    pub selected: String,
    /// Features on, per action.
    pub features: BTreeMap<String, Vec<String>>,
    /// Facts.
    pub facts: Facts,
    /// Recently opened files, newest first.
    pub recent: Vec<PathBuf>,
    /// Generate statements for conditional permissions too.
    pub include_conditional: bool,
}

impl Default for State {
    fn default() -> Self {
        Self {
            dark: false,
            selected: "CreateAutoScalingGroup".to_owned(),
            features: BTreeMap::new(),
            facts: Facts::default(),
            recent: Vec::new(),
            include_conditional: false,
        }
    }
}

/// What the UI asks for; applied after the frame.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Command {
    /// Select an action.
    Select(String),
    /// Turn a feature on or off for the selected action.
    SetFeature(String, bool),
    /// Show a file dialog for a slot.
    OpenDialog(Slot),
    /// Load a file (in the background).
    LoadPath(Slot, PathBuf),
    /// Load text (paste, example, dropped bytes).
    LoadText(Slot, String, String),
    /// Remove every policy.
    Clear,
    /// Remove one identity policy / the boundary / one SCP.
    Remove(Slot, usize),
    /// Evaluate as this principal of the loaded dump.
    SetPrincipal(String),
    /// Copy text to the clipboard.
    Copy(String, String),
    /// Ask where to save text.
    SaveDialog(String),
    /// Write text to a path the user confirmed (atomically: temporary file, then rename).
    SaveConfirmed(PathBuf, String),
    /// Paste a policy from the clipboard (the text arrives as a paste event).
    Paste,
    /// Set the facts.
    SetFacts(Facts),
    /// Re-evaluate after an edit.
    Edited,
    /// Switch theme.
    SetDark(bool),
    /// Focus a permission of the selected action (index into its requirements).
    FocusRequirement(Option<usize>),
}

/// A message shown in the bar under the top bar.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Notice {
    /// The text.
    pub text: String,
    /// An error (red) or information.
    pub error: bool,
}

/// Results of background work.
enum Job {
    Loaded(Slot, PathBuf, Result<(Loaded, String), PolicyError>),
    Saved(PathBuf, Result<(), String>),
    /// The user picked a file that already exists: ask before replacing it.
    ConfirmOverwrite(PathBuf, String),
    Cancelled,
}

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
    /// Stable pixels for snapshot tests: no evaluation time in the status bar and no
    /// time-limited "changed" highlight.
    pub snapshot_mode: bool,
    tree: tree::TreePanel,
    detail: detail::DetailPanel,
    policy_view: policy_view::PolicyPanel,
    commands: Vec<Command>,
    jobs_tx: mpsc::Sender<Job>,
    jobs_rx: mpsc::Receiver<Job>,
    pending: usize,
    eval: Option<(u64, Evaluation)>,
    changed: Option<(Instant, BTreeSet<String>)>,
    expect_paste: bool,
    /// A save waiting for the user to confirm replacing an existing file.
    pub overwrite: Option<(PathBuf, String)>,
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
            snapshot_mode: false,
            tree: tree::TreePanel::default(),
            detail: detail::DetailPanel::default(),
            policy_view: policy_view::PolicyPanel::default(),
            commands: Vec::new(),
            jobs_tx,
            jobs_rx,
            pending: 0,
            eval: None,
            changed: None,
            expect_paste: false,
            overwrite: None,
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
        if let Some(storage) = cc.storage
            && let Some(state) = eframe::get_value::<State>(storage, eframe::APP_KEY)
        {
            app.state = state;
        }
        if catalog().action(&app.state.selected).is_none() {
            app.state.selected = State::default().selected;
        }
        if !app.state.facts.problems().is_empty() {
            app.state.facts = Facts::default();
        }
        app.state.features.retain(|_, f| expand_features(f).is_ok());
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

    /// The current evaluation (computed if stale).
    pub fn evaluation(&mut self) -> &Evaluation {
        let key = self.eval_key();
        if self.eval.as_ref().is_some_and(|(k, _)| *k != key) {
            self.eval = None;
        }
        let (policies, state) = (&self.policies, &self.state);
        let (_, e) = self.eval.get_or_insert_with(|| {
            (
                key,
                Evaluation::compute(policies, &state.features, &state.facts),
            )
        });
        e
    }

    fn eval_key(&self) -> u64 {
        use std::hash::{Hash as _, Hasher as _};
        let mut h = std::collections::hash_map::DefaultHasher::new();
        self.policies.revision.hash(&mut h);
        self.state.features.hash(&mut h);
        self.state.facts.account.hash(&mut h);
        self.state.facts.region.hash(&mut h);
        self.state.facts.role_arn.hash(&mut h);
        if let Some(a) = &self.policies.account {
            a.principal.hash(&mut h);
        }
        h.finish()
    }

    /// The features on for the selected action.
    pub fn selected_features(&self) -> Vec<String> {
        self.state
            .features
            .get(&self.state.selected)
            .cloned()
            .unwrap_or_default()
    }

    /// The generated least-privilege document for the selected action.
    pub fn generated(&mut self) -> crate::generate::GeneratedPolicy {
        let include_conditional = self.state.include_conditional;
        let selected = self.state.selected.clone();
        let eval = self.evaluation();
        let checks = eval
            .checks
            .get(&selected)
            .map(std::slice::from_ref)
            .unwrap_or_default();
        crate::generate::suggest(
            checks,
            crate::generate::GenerateOptions {
                include_conditional,
            },
        )
    }

    /// The same as pretty JSON.
    pub fn generated_json(&mut self) -> String {
        self.generated().to_json()
    }

    /// Runs `work` on a named background thread; its result comes back through the job
    /// channel and wakes the UI.
    fn spawn_job(
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
                self.notice = Some(Notice {
                    text: format!("Could not start {name}: {e}"),
                    error: true,
                });
            }
        }
    }

    fn spawn_load(&mut self, slot: Slot, path: PathBuf, ctx: &egui::Context) {
        self.spawn_job("policy-load", ctx, move || {
            let result = load_file_with_text(&path);
            Job::Loaded(slot, path, result)
        });
    }

    fn spawn_open_dialog(&mut self, slot: Slot, ctx: &egui::Context) {
        // Created on the UI thread (some platforms need that), awaited on the worker.
        let dialog = rfd::AsyncFileDialog::new()
            .set_title("Open an IAM policy")
            .add_filter("IAM policy (JSON)", &["json", "txt"])
            .add_filter("All files", &["*"])
            .pick_file();
        self.spawn_job(
            "policy-open-dialog",
            ctx,
            move || match pollster::block_on(dialog) {
                Some(handle) => {
                    let path = handle.path().to_path_buf();
                    let result = load_file_with_text(&path);
                    Job::Loaded(slot, path, result)
                }
                None => Job::Cancelled,
            },
        );
    }

    fn spawn_save_dialog(&mut self, text: String, ctx: &egui::Context) {
        // An existing file is never replaced without asking (see `Job::ConfirmOverwrite`).
        let dialog = rfd::AsyncFileDialog::new()
            .set_title("Save the generated policy")
            .set_file_name("asg-permissions.json")
            .add_filter("JSON", &["json"])
            .save_file();
        self.spawn_job(
            "policy-save-dialog",
            ctx,
            move || match pollster::block_on(dialog) {
                Some(handle) => {
                    let path = handle.path().to_path_buf();
                    if path.exists() {
                        Job::ConfirmOverwrite(path, text)
                    } else {
                        let r = crate::output::save_atomic(&path, &text).map_err(|e| e.to_string());
                        Job::Saved(path, r)
                    }
                }
                None => Job::Cancelled,
            },
        );
    }

    fn poll_jobs(&mut self) {
        while let Ok(job) = self.jobs_rx.try_recv() {
            self.pending = self.pending.saturating_sub(1);
            match job {
                Job::Loaded(slot, path, result) => {
                    let name = path.file_name().map_or_else(
                        || path.display().to_string(),
                        |n| n.to_string_lossy().into_owned(),
                    );
                    match result {
                        Ok((loaded, text)) => {
                            self.install(slot, &name, Some(path.clone()), text, loaded);
                        }
                        Err(e) => self.show_load_error(&e),
                    }
                    self.state.recent.retain(|p| p != &path);
                    self.state.recent.insert(0, path);
                    self.state.recent.truncate(8);
                }
                Job::Saved(path, Ok(())) => {
                    self.notice = Some(Notice {
                        text: format!("Saved {}", path.display()),
                        error: false,
                    });
                }
                Job::Saved(path, Err(e)) => {
                    self.notice = Some(Notice {
                        text: format!(
                            "Could not save {}: {e}. Nothing was overwritten.",
                            path.display()
                        ),
                        error: true,
                    });
                }
                Job::ConfirmOverwrite(path, text) => self.overwrite = Some((path, text)),
                Job::Cancelled => {}
            }
        }
    }

    fn show_load_error(&mut self, e: &PolicyError) {
        let keep = if self.policies.is_empty() {
            ""
        } else {
            " The previous policy is still loaded."
        };
        let mut text = format!("Could not load {e}.{keep}");
        if let Some(x) = &e.excerpt {
            text.push_str(&format!("\n    {x}"));
        }
        self.notice = Some(Notice { text, error: true });
    }

    fn install(
        &mut self,
        slot: Slot,
        name: &str,
        path: Option<PathBuf>,
        text: String,
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
        match self
            .policies
            .insert(slot, name.to_owned(), path, text, loaded)
        {
            Ok(()) => {
                let w = if warnings > 0 {
                    format!(", {warnings} warning(s)")
                } else {
                    String::new()
                };
                self.notice = Some(Notice {
                    text: format!("Loaded {name} ({kind}{w})"),
                    error: false,
                });
                self.policy_view.reset();
            }
            Err(e) => {
                self.notice = Some(Notice {
                    text: e,
                    error: true,
                });
            }
        }
    }

    /// Loads text into a slot, as paste and the examples do. Errors keep what was loaded.
    pub fn load_text_into(&mut self, slot: Slot, name: &str, text: String) {
        match load_bytes(name, text.as_bytes()) {
            Ok(loaded) => self.install(slot, name, None, text, loaded),
            Err(e) => self.show_load_error(&e),
        }
    }

    /// Applies the queued commands.
    pub fn apply_commands(&mut self, ctx: &egui::Context) {
        let commands = std::mem::take(&mut self.commands);
        for c in commands {
            match c {
                Command::Select(name) => {
                    if self.state.selected != name {
                        self.state.selected = name;
                        self.detail.focused = None;
                        self.changed = None;
                    }
                }
                Command::SetFeature(id, on) => {
                    let before = self.needed_permissions();
                    let selected = self.state.selected.clone();
                    let entry = self.state.features.entry(selected).or_default();
                    if on {
                        if !entry.contains(&id) {
                            entry.push(id.clone());
                        }
                        // Turning on a feature turns on what it implies.
                        if let Ok(all) = expand_features(entry) {
                            *entry = all;
                        }
                    } else {
                        entry.retain(|f| f != &id);
                        // Features that imply this one go too.
                        let cat = catalog();
                        entry.retain(|f| cat.feature(f).is_none_or(|x| !x.implies.contains(&id)));
                    }
                    let after = self.needed_permissions();
                    let diff: BTreeSet<String> =
                        before.symmetric_difference(&after).cloned().collect();
                    if !diff.is_empty() && !self.snapshot_mode {
                        self.changed = Some((Instant::now(), diff));
                        ctx.request_repaint_after(CHANGE_HIGHLIGHT);
                    }
                }
                Command::OpenDialog(slot) => self.spawn_open_dialog(slot, ctx),
                Command::LoadPath(slot, path) => self.spawn_load(slot, path, ctx),
                Command::LoadText(slot, name, text) => self.load_text_into(slot, &name, text),
                Command::Clear => {
                    self.policies = Policies {
                        revision: self.policies.revision + 1,
                        ..Policies::default()
                    };
                    self.notice = Some(Notice {
                        text: "Cleared all policies.".to_owned(),
                        error: false,
                    });
                }
                Command::Remove(slot, i) => {
                    match slot {
                        Slot::Identity | Slot::AddIdentity => {
                            if i < self.policies.identity.len() {
                                self.policies.identity.remove(i);
                            } else {
                                self.policies.account = None;
                            }
                        }
                        Slot::Boundary => self.policies.boundary = None,
                        Slot::Scp => {
                            if i < self.policies.scps.len() {
                                self.policies.scps.remove(i);
                            }
                        }
                    }
                    self.policies.revision += 1;
                }
                Command::SetPrincipal(p) => {
                    if let Some(a) = &mut self.policies.account {
                        a.principal = Some(p);
                        self.policies.revision += 1;
                    }
                }
                Command::Copy(label, text) => {
                    if clipboard_reachable() {
                        ctx.copy_text(text);
                        self.notice = Some(Notice {
                            text: format!("Copied {label} to the clipboard."),
                            error: false,
                        });
                    } else {
                        // Still hand it to egui (tests read it there), but say so.
                        ctx.copy_text(text);
                        self.notice = Some(Notice {
                            text: "No clipboard is available here (no display server found). Use \"Save as…\" instead.".to_owned(),
                            error: true,
                        });
                    }
                }
                Command::SaveDialog(text) => self.spawn_save_dialog(text, ctx),
                Command::SaveConfirmed(path, text) => {
                    self.overwrite = None;
                    self.notice = Some(match crate::output::save_atomic(&path, &text) {
                        Ok(()) => Notice {
                            text: format!("Saved {}", path.display()),
                            error: false,
                        },
                        Err(e) => Notice {
                            text: format!(
                                "Could not save {}: {e}. The existing file was not changed.",
                                path.display()
                            ),
                            error: true,
                        },
                    });
                }
                Command::Paste => {
                    self.expect_paste = true;
                    ctx.send_viewport_cmd(egui::ViewportCommand::RequestPaste);
                    self.notice = Some(Notice {
                        text: "Pasting from the clipboard… (or press Ctrl+V)".to_owned(),
                        error: false,
                    });
                }
                Command::SetFacts(f) => {
                    if f.problems().is_empty() {
                        self.state.facts = f;
                    }
                }
                Command::Edited => {
                    self.policies.revision += 1;
                }
                Command::SetDark(dark) => {
                    self.state.dark = dark;
                    ctx.set_theme(if dark {
                        egui::Theme::Dark
                    } else {
                        egui::Theme::Light
                    });
                }
                Command::FocusRequirement(i) => {
                    self.detail.focused = i;
                    self.policy_view.scroll_pending = true;
                }
            }
        }
    }

    fn needed_permissions(&self) -> BTreeSet<String> {
        let f = self.selected_features();
        crate::resolve::requirements(&self.state.selected, &f, &self.state.facts)
            .map(|r| {
                r.into_iter()
                    .filter(|r| r.needed)
                    .map(|r| r.permission + " " + &r.resources.join(","))
                    .collect()
            })
            .unwrap_or_default()
    }

    fn handle_input(&mut self, ctx: &egui::Context) {
        // Dropped files.
        let dropped = ctx.input(|i| i.raw.dropped_files.clone());
        for f in dropped {
            // Native drops carry a path: load it in the background like the dialog does.
            let path = f.path().to_path_buf();
            if path.as_os_str().is_empty() {
                self.notice = Some(Notice {
                    text: "The dropped item has no file path.".to_owned(),
                    error: true,
                });
            } else {
                self.commands.push(Command::LoadPath(Slot::Identity, path));
            }
        }
        // A paste we asked for, or Ctrl+V outside a text field.
        let text_focused = ctx.text_edit_focused();
        let pasted = ctx.input(|i| {
            i.events.iter().find_map(|e| match e {
                egui::Event::Paste(t) => Some(t.clone()),
                _ => None,
            })
        });
        if let Some(t) = pasted
            && (self.expect_paste || !text_focused)
        {
            self.expect_paste = false;
            self.commands.push(Command::LoadText(
                Slot::Identity,
                "pasted policy".to_owned(),
                t,
            ));
        }
        if text_focused {
            return;
        }
        let open = egui::KeyboardShortcut::new(egui::Modifiers::COMMAND, egui::Key::O);
        if ctx.input_mut(|i| i.consume_shortcut(&open)) {
            self.commands.push(Command::OpenDialog(Slot::Identity));
        }
        let quit = egui::KeyboardShortcut::new(egui::Modifiers::COMMAND, egui::Key::Q);
        if ctx.input_mut(|i| i.consume_shortcut(&quit)) {
            ctx.send_viewport_cmd(egui::ViewportCommand::Close);
        }
        let find = egui::KeyboardShortcut::new(egui::Modifiers::COMMAND, egui::Key::F);
        if ctx.input_mut(|i| i.consume_shortcut(&find)) {
            self.tree.focus_filter = true;
            // Keys typed in the same frame as Ctrl+F arrive before the filter has focus:
            // give them to the filter instead of losing them.
            let typed = ctx.input_mut(|i| {
                let mut typed = String::new();
                i.events.retain(|e| match e {
                    egui::Event::Text(t) => {
                        typed.push_str(t);
                        false
                    }
                    _ => true,
                });
                typed
            });
            self.tree.filter.push_str(&typed);
        }
        let copied = ctx.input(|i| i.events.iter().any(|e| matches!(e, egui::Event::Copy)));
        if copied {
            let json = self.generated_json();
            self.commands
                .push(Command::Copy("the generated statements".to_owned(), json));
        }
        let (up, down) = ctx.input(|i| {
            (
                i.key_pressed(egui::Key::ArrowUp),
                i.key_pressed(egui::Key::ArrowDown),
            )
        });
        if up || down {
            let visible = self.tree.visible.clone();
            if let Some(pos) = visible.iter().position(|n| n == &self.state.selected) {
                let next = if up {
                    pos.checked_sub(1)
                } else {
                    Some(pos + 1).filter(|p| *p < visible.len())
                };
                if let Some(n) = next.and_then(|p| visible.get(p)) {
                    self.commands.push(Command::Select(n.clone()));
                    self.tree.scroll_to_selected = true;
                }
            } else if let Some(first) = visible.first() {
                self.commands.push(Command::Select(first.clone()));
            }
        }
    }

    fn top_bar_ui(&mut self, ui: &mut egui::Ui) {
        egui::MenuBar::new().ui(ui, |ui| {
            ui.menu_button("File", |ui| {
                if ui.button("Open policy…  (Ctrl+O)").clicked() {
                    self.commands.push(Command::OpenDialog(Slot::Identity));
                }
                if ui.button("Add identity policy…").clicked() {
                    self.commands.push(Command::OpenDialog(Slot::AddIdentity));
                }
                if ui.button("Set permissions boundary…").clicked() {
                    self.commands.push(Command::OpenDialog(Slot::Boundary));
                }
                if ui.button("Add service control policy…").clicked() {
                    self.commands.push(Command::OpenDialog(Slot::Scp));
                }
                ui.separator();
                ui.menu_button("Recent files", |ui| {
                    if self.state.recent.is_empty() {
                        ui.label("(none yet)");
                    }
                    for p in self.state.recent.clone() {
                        if ui.button(p.display().to_string()).clicked() {
                            self.commands.push(Command::LoadPath(Slot::Identity, p));
                        }
                    }
                });
                ui.menu_button("Examples", |ui| examples_menu_ui(ui, &mut self.commands));
            });
            if ui
                .button("Open policy…")
                .on_hover_text(
                    "Open an IAM policy file (Ctrl+O). You can also drop a file on the window.",
                )
                .clicked()
            {
                self.commands.push(Command::OpenDialog(Slot::Identity));
            }
            if ui
                .button("Paste policy")
                .on_hover_text("Load the policy JSON that is on the clipboard")
                .clicked()
            {
                self.commands.push(Command::Paste);
            }
            ui.menu_button("Examples", |ui| examples_menu_ui(ui, &mut self.commands));
            if ui
                .add_enabled(!self.policies.is_empty(), egui::Button::new("Clear"))
                .clicked()
            {
                self.commands.push(Command::Clear);
            }
            if let Some(acc) = &self.policies.account {
                ui.separator();
                let current = acc.principal.clone().unwrap_or_default();
                let names: Vec<String> = acc
                    .account
                    .principals
                    .iter()
                    .map(|p| p.name.clone())
                    .collect();
                egui::ComboBox::from_label("Evaluate as")
                    .selected_text(current.clone())
                    .show_ui(ui, |ui| {
                        for n in names {
                            if ui.selectable_label(n == current, &n).clicked() {
                                self.commands.push(Command::SetPrincipal(n));
                            }
                        }
                    });
            }
            ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
                if ui.button("About").clicked() {
                    self.detail.about_open = true;
                }
                let label = if self.state.dark {
                    "☀ Light"
                } else {
                    "🌙 Dark"
                };
                if ui
                    .button(label)
                    .on_hover_text("Switch between light and dark theme")
                    .clicked()
                {
                    self.commands.push(Command::SetDark(!self.state.dark));
                }
            });
        });
    }

    fn overwrite_ui(&mut self, ctx: &egui::Context) {
        let Some((path, text)) = self.overwrite.clone() else {
            return;
        };
        egui::Window::new("Replace the existing file?")
            .collapsible(false)
            .resizable(false)
            .anchor(egui::Align2::CENTER_CENTER, [0.0, 0.0])
            .show(ctx, |ui| {
                ui.label(format!(
                    "{} already exists. Replace it with the generated statements?",
                    path.display()
                ));
                ui.horizontal(|ui| {
                    if ui.button("Replace").clicked() {
                        self.commands
                            .push(Command::SaveConfirmed(path.clone(), text.clone()));
                    }
                    if ui.button("Keep the existing file").clicked() {
                        self.overwrite = None;
                        self.notice = Some(Notice {
                            text: "Not saved: the existing file was kept.".to_owned(),
                            error: false,
                        });
                    }
                });
            });
    }

    fn notice_ui(&mut self, ui: &mut egui::Ui) {
        let Some(n) = self.notice.clone() else { return };
        ui.horizontal_wrapped(|ui| {
            let color = if n.error {
                ui.visuals().error_fg_color
            } else {
                ui.visuals().text_color()
            };
            ui.label(egui::RichText::new(&n.text).color(color).monospace());
            if ui.small_button("Dismiss").clicked() {
                self.notice = None;
            }
        });
    }

    fn status_bar_ui(&mut self, ui: &mut egui::Ui) {
        let has_policy = !self.policies.is_empty();
        let summary = self.policies.summary();
        let eval = self.evaluation();
        let (s, m, c) = eval.action_counts();
        let statements = eval.statements;
        let elapsed = eval.elapsed;
        let error = eval.error.clone();
        ui.horizontal(|ui| {
            ui.label(summary);
            ui.separator();
            ui.label(format!("{statements} statements"));
            if has_policy {
                ui.separator();
                let dark = ui.visuals().dark_mode;
                ui.label(
                    egui::RichText::new(format!(
                        "{} {s} satisfied",
                        theme::icon(crate::eval::Status::Satisfied)
                    ))
                    .color(theme::color(crate::eval::Status::Satisfied, dark)),
                );
                ui.label(
                    egui::RichText::new(format!(
                        "{} {m} missing",
                        theme::icon(crate::eval::Status::Missing)
                    ))
                    .color(theme::color(crate::eval::Status::Missing, dark)),
                );
                ui.label(
                    egui::RichText::new(format!(
                        "{} {c} conditional",
                        theme::icon(crate::eval::Status::Conditional)
                    ))
                    .color(theme::color(crate::eval::Status::Conditional, dark)),
                );
                ui.label("actions");
            }
            if !self.snapshot_mode {
                ui.separator();
                ui.label(format!(
                    "evaluated in {:.2} ms",
                    elapsed.as_secs_f64() * 1000.0
                ));
            }
            if self.pending > 0 {
                ui.spinner();
            }
            if let Some(e) = error {
                ui.colored_label(ui.visuals().error_fg_color, e);
            }
            ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
                ui.label(format!("offline · data {}", catalog().snapshot))
                    .on_hover_text("Policies are read and evaluated on this computer and never sent anywhere. The knowledge base is a snapshot of AWS documentation taken on this date.");
            });
        });
    }

    /// Draws the whole window (used by eframe and by tests).
    pub fn ui(&mut self, ui: &mut egui::Ui) {
        if let Some(t) = self.report_first_frame.take() {
            eprintln!(
                "asg-perms: first frame after {:.0} ms",
                t.elapsed().as_secs_f64() * 1000.0
            );
        }
        let ctx = ui.ctx().clone();
        self.poll_jobs();
        self.handle_input(&ctx);
        self.apply_commands(&ctx);

        egui::Panel::top("top_bar").show(ui, |ui| {
            self.top_bar_ui(ui);
            self.notice_ui(ui);
        });
        egui::Panel::bottom("status_bar").show(ui, |ui| self.status_bar_ui(ui));
        self.overwrite_ui(&ctx);

        let has_policy = !self.policies.is_empty();
        let selected = self.state.selected.clone();
        let dark = ui.visuals().dark_mode;
        let generated = self.generated(); // also makes the evaluation fresh
        let set = self.policies.policy_set().ok();
        if self
            .changed
            .as_ref()
            .is_some_and(|(t, _)| t.elapsed() >= CHANGE_HIGHLIGHT)
        {
            self.changed = None;
        }
        let Some((_, eval)) = &self.eval else { return };
        let groups = model::tree(&self.tree.filter, Some(eval), has_policy);
        egui::Panel::left("action_tree")
            .resizable(true)
            .default_size(290.0)
            .size_range(220.0..=480.0)
            .show(ui, |ui| {
                self.tree
                    .ui(ui, &groups, &selected, dark, &mut self.commands);
            });
        let check = eval.checks.get(&selected);
        let changed = self.changed.as_ref().map(|(_, s)| s);
        egui::Panel::right("policy_panel")
            .resizable(true)
            .default_size(380.0)
            .size_range(280.0..=760.0)
            .show(ui, |ui| {
                let focused =
                    check.and_then(|c| self.detail.focused.and_then(|i| c.requirements.get(i)));
                self.policy_view.ui(
                    ui,
                    &mut self.policies,
                    set.as_ref(),
                    focused,
                    dark,
                    &mut self.commands,
                );
            });
        let merged_base = self.policies.identity.first().map(|d| d.parsed.clone());
        egui::CentralPanel::default().show(ui, |ui| {
            self.detail.ui(
                ui,
                detail::DetailInput {
                    check,
                    selected: &selected,
                    has_policy,
                    facts: &self.state.facts,
                    include_conditional: &mut self.state.include_conditional,
                    generated: &generated,
                    changed,
                    dark,
                    merged_base,
                },
                &mut self.commands,
            );
        });
        // Apply what this frame's clicks asked for right away, so the next frame shows it.
        if !self.commands.is_empty() {
            self.apply_commands(&ctx);
            ctx.request_repaint();
        }
    }
}

/// The built-in example policies, as menu entries.
fn examples_menu_ui(ui: &mut egui::Ui, commands: &mut Vec<Command>) {
    for (name, text) in EXAMPLES {
        if ui.button(name).clicked() {
            commands.push(Command::LoadText(
                Slot::Identity,
                name.to_owned(),
                text.to_owned(),
            ));
        }
    }
}

/// How long a change stays highlighted after a toggle.
const CHANGE_HIGHLIGHT: Duration = Duration::from_millis(1500);

/// True when a display server (and so a system clipboard) can be reached.
fn clipboard_reachable() -> bool {
    if cfg!(target_os = "linux") {
        std::env::var_os("DISPLAY").is_some() || std::env::var_os("WAYLAND_DISPLAY").is_some()
    } else {
        true
    }
}

impl eframe::App for ExplorerApp {
    fn ui(&mut self, ui: &mut egui::Ui, _frame: &mut eframe::Frame) {
        Self::ui(self, ui);
    }

    fn save(&mut self, storage: &mut dyn eframe::Storage) {
        if self.persist {
            eframe::set_value(storage, eframe::APP_KEY, &self.state);
        }
    }
}

/// Opens the window, with a policy file loaded if one is given. With the environment
/// variable `ASG_PERMS_REPORT_FIRST_FRAME` set, prints the time to the first frame.
pub fn run(open: Option<PathBuf>) -> eframe::Result {
    let started = Instant::now();
    let icon = eframe::icon_data::from_png_bytes(include_bytes!("../../assets/icon.png")).ok();
    let mut viewport = egui::ViewportBuilder::default()
        .with_title(TITLE)
        .with_app_id("asg-perms")
        .with_inner_size([1280.0, 800.0])
        .with_min_inner_size([1024.0, 700.0])
        .with_drag_and_drop(true);
    if let Some(icon) = icon {
        viewport = viewport.with_icon(icon);
    }
    let options = eframe::NativeOptions {
        viewport,
        ..Default::default()
    };
    eframe::run_native(
        TITLE,
        options,
        Box::new(move |cc| {
            let mut app = ExplorerApp::new(cc);
            if let Some(path) = open {
                app.push(Command::LoadPath(Slot::Identity, path));
            }
            if std::env::var_os("ASG_PERMS_REPORT_FIRST_FRAME").is_some() {
                app.report_first_frame = Some(started);
            }
            Ok(Box::new(app))
        }),
    )
}
