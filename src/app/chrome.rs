//! The window's chrome: the menu and top bar, notices, the overwrite question, the status bar.

use super::commands::Command;
use super::model::{EXAMPLES, Slot};
use super::state::Notice;
use super::{ExplorerApp, theme};
use crate::asg::catalog::catalog;
use crate::engine::Status;

impl ExplorerApp {
    pub(super) fn top_bar_ui(&mut self, ui: &mut egui::Ui) {
        egui::MenuBar::new().ui(ui, |ui| {
            ui.menu_button("File", |ui| self.file_menu_ui(ui));
            if ui
                .button("Open policy…")
                .on_hover_text(format!(
                    "Open an IAM policy file ({}). You can also drop a file on the window.",
                    ui.ctx().format_shortcut(&super::input::OPEN)
                ))
                .clicked()
            {
                self.commands.push(Command::OpenDialog {
                    slot: Slot::Identity,
                });
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
            if self.policies.account.is_some() {
                ui.separator();
                self.principal_picker_ui(ui);
            }
            ui.menu_button("Review", |ui| self.review_menu_ui(ui));
            if ui
                .button("Open a request…")
                .on_hover_text("Start from the call: an aws autoscaling command, API request JSON, a CloudFormation template or a Terraform file. The app selects the call and turns on its features, and shows the line each came from.")
                .clicked()
            {
                self.commands.push(Command::OpenRequestDialog);
            }
            if ui
                .button("What went wrong?")
                .on_hover_text("Paste an AccessDenied or similar error: which call and permission failed, and the fix")
                .clicked()
            {
                self.commands.push(Command::OpenDiagnose);
            }
            ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
                if ui.button("About").clicked() {
                    self.detail.about_open = true;
                }
                if ui
                    .button("Simulate…")
                    .on_hover_text(
                        "Evaluate any action, resource and context against the loaded policies",
                    )
                    .clicked()
                {
                    self.simulate.open = true;
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
                    self.commands.push(Command::SetDark {
                        dark: !self.state.dark,
                    });
                }
            });
        });
    }

    /// "Evaluate as" and a searchable list of the dump's roles and users, with kind and path.
    fn principal_picker_ui(&mut self, ui: &mut egui::Ui) {
        let Some(acc) = &self.policies.account else {
            return;
        };
        let label = ui.label("Evaluate as");
        let current = acc.principal.clone();
        let shown = acc.principal_name().map(str::to_owned).map_or_else(
            || {
                egui::RichText::new("choose a role or user…")
                    .color(ui.visuals().warn_fg_color)
                    .strong()
            },
            egui::RichText::new,
        );
        let search = &mut self.principal_search;
        let mut chosen = None;
        egui::ComboBox::from_id_salt("principal_picker")
            .selected_text(shown)
            .width(220.0)
            .height(360.0)
            .show_ui(ui, |ui| {
                let l = ui.label("Search roles and users");
                ui.add(
                    egui::TextEdit::singleline(search)
                        .hint_text("name, kind or path")
                        .desired_width(300.0),
                )
                .labelled_by(l.id)
                .request_focus();
                let needle = search.trim().to_lowercase();
                let mut shown = 0;
                for p in &acc.account.principals {
                    let kind = match p.kind {
                        crate::io::PrincipalKind::Role => "role",
                        crate::io::PrincipalKind::User => "user",
                    };
                    let path = principal_path(&p.arn);
                    let line = format!("{}   {kind} {path}", p.name);
                    if !needle.is_empty() && !line.to_lowercase().contains(&needle) {
                        continue;
                    }
                    shown += 1;
                    let is_current = current
                        .as_deref()
                        .is_some_and(|c| c == p.arn || c == p.name);
                    if ui
                        .selectable_label(is_current, &p.name)
                        .on_hover_text(&p.arn)
                        .clicked()
                    {
                        chosen = Some(p.arn.clone());
                    }
                    ui.label(egui::RichText::new(format!("{kind} · {path}")).small());
                }
                if shown == 0 {
                    ui.label("No role or user matches.");
                }
            })
            .response
            .labelled_by(label.id);
        if let Some(name) = chosen {
            self.principal_search.clear();
            self.commands.push(Command::SetPrincipal { name });
        }
    }

    /// Compare, account matrix, export.
    fn review_menu_ui(&mut self, ui: &mut egui::Ui) {
        if ui
            .button("Compare with another version…")
            .on_hover_text("What each action gains or loses when the loaded policy is replaced by another version")
            .clicked()
        {
            self.compare_view.open = true;
            if self.policies.compare.is_none() {
                self.commands.push(Command::OpenDialog {
                    slot: Slot::Compare,
                });
            }
        }
        if ui
            .add_enabled(
                self.policies.account.is_some(),
                egui::Button::new("Account matrix…"),
            )
            .on_hover_text(
                "Every role and user of the loaded account file against Auto Scaling capabilities",
            )
            .on_disabled_hover_text("Load a get-account-authorization-details file first")
            .clicked()
        {
            self.matrix.open = true;
            if self.audit.is_none() {
                self.commands.push(Command::StartAudit);
            }
        }
        ui.separator();
        ui.label(egui::RichText::new("Export the selected action's report").small());
        for (label, format) in [
            ("Markdown (pull requests)…", super::ExportFormat::Markdown),
            ("JSON (as check --format json)…", super::ExportFormat::Json),
            ("HTML (for a browser)…", super::ExportFormat::Html),
        ] {
            if ui.button(label).clicked() {
                self.commands.push(Command::ExportReport { format });
            }
        }
    }

    fn file_menu_ui(&mut self, ui: &mut egui::Ui) {
        let open = ui.ctx().format_shortcut(&super::input::OPEN);
        if ui.button(format!("Open policy…  ({open})")).clicked() {
            self.commands.push(Command::OpenDialog {
                slot: Slot::Identity,
            });
        }
        if ui
            .button("Open a request…")
            .on_hover_text("An aws autoscaling command, API request JSON, a CloudFormation template or a Terraform file")
            .clicked()
        {
            self.commands.push(Command::OpenRequestDialog);
        }
        if ui.button("Add identity policy…").clicked() {
            self.commands.push(Command::OpenDialog {
                slot: Slot::AddIdentity,
            });
        }
        if ui.button("Set permissions boundary…").clicked() {
            self.commands.push(Command::OpenDialog {
                slot: Slot::Boundary,
            });
        }
        if ui.button("Add service control policy…").clicked() {
            self.commands.push(Command::OpenDialog { slot: Slot::Scp });
        }
        if ui
            .button("Open with the built-in file browser…")
            .on_hover_text("For desktops without a system file dialog")
            .clicked()
        {
            self.open_file_browser(super::FilePurpose::Open(Slot::Identity));
        }
        ui.separator();
        ui.menu_button("Recent files", |ui| {
            if self.state.recent.is_empty() {
                ui.label("(none yet)");
            }
            for p in self.state.recent.clone() {
                if ui.button(p.display().to_string()).clicked() {
                    self.commands.push(Command::LoadPath {
                        slot: Slot::Identity,
                        path: p,
                    });
                }
            }
        });
        ui.menu_button("Examples", |ui| examples_menu_ui(ui, &mut self.commands));
    }

    pub(super) fn overwrite_ui(&mut self, ctx: &egui::Context) {
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
                        self.commands.push(Command::SaveConfirmed {
                            path: path.clone(),
                            text: text.clone(),
                        });
                    }
                    if ui.button("Keep the existing file").clicked() {
                        self.overwrite = None;
                        self.notice = Some(Notice::info("Not saved: the existing file was kept."));
                    }
                });
            });
    }

    pub(super) fn notice_ui(&mut self, ui: &mut egui::Ui) {
        let Some(n) = self.notice.clone() else { return };
        ui.horizontal_wrapped(|ui| {
            let color = if n.error {
                ui.visuals().error_fg_color
            } else {
                ui.visuals().text_color()
            };
            ui.add(egui::Label::new(egui::RichText::new(&n.text).color(color).monospace()).wrap());
            if n.undo && self.can_undo() {
                let undo = ui.ctx().format_shortcut(&super::input::UNDO);
                if ui.small_button(format!("Undo ({undo})")).clicked() {
                    self.commands.push(Command::Undo);
                }
            }
            if ui.small_button("Dismiss").clicked() {
                self.notice = None;
            }
        });
    }

    pub(super) fn status_bar_ui(&mut self, ui: &mut egui::Ui) {
        let has_policy = self.policies.evaluable();
        let summary = self.policies.summary();
        let Some(eval) = self.evaluation() else {
            return;
        };
        let counts = eval.action_counts();
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
                for status in [Status::Satisfied, Status::Missing, Status::Conditional] {
                    ui.label(
                        egui::RichText::new(format!(
                            "{} {} {}",
                            status.icon(),
                            counts.count(status),
                            status.word()
                        ))
                        .color(theme::color(status, dark)),
                    );
                }
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
            if let Some((done, total)) = self.evaluation_progress() {
                ui.spinner();
                ui.label(format!(
                    "evaluating {done}/{total} actions… (the results shown are from before the change)"
                ));
                ui.ctx()
                    .request_repaint_after(std::time::Duration::from_millis(100));
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
}

/// The path of a role or user from its ARN: `arn:aws:iam::1:role/ops/deploy` → `/ops/`.
fn principal_path(arn: &str) -> String {
    let resource = arn.splitn(6, ':').nth(5).unwrap_or_default();
    let mut parts: Vec<&str> = resource.split('/').collect();
    if parts.len() <= 2 {
        return "/".to_owned();
    }
    parts.remove(0);
    parts.pop();
    format!("/{}/", parts.join("/"))
}

/// The built-in example policies, as menu entries.
fn examples_menu_ui(ui: &mut egui::Ui, commands: &mut Vec<Command>) {
    for (name, text) in EXAMPLES {
        if ui.button(name).clicked() {
            commands.push(Command::load_example(name, text));
        }
    }
}
