//! "What went wrong?": paste the error you got; the window says which call and permission
//! failed, which layer denied, evaluates it against the loaded policies, and opens it in
//! the explorer.

use crate::app::commands::Command;
use crate::app::theme;
use crate::diagnose::{Diagnosis, diagnose};
use crate::policy::PolicySet;

/// UI state of the window.
#[derive(Default)]
pub struct DiagnosePanel {
    /// The window is open.
    pub open: bool,
    /// The pasted text.
    pub text: String,
    result: Option<Result<Diagnosis, String>>,
}

impl DiagnosePanel {
    /// Reads `text` now (a paste that turned out to be an error lands here).
    pub fn read(&mut self, text: String, set: Option<&PolicySet>) {
        self.text = text;
        self.open = true;
        self.run(set);
    }

    fn run(&mut self, set: Option<&PolicySet>) {
        self.result = Some(match diagnose(&self.text) {
            Ok(mut d) => {
                if let Some(set) = set {
                    d.evaluate(set);
                }
                Ok(d)
            }
            Err(e) => Err(e.to_string()),
        });
    }

    /// Draws the window when open.
    pub fn ui(
        &mut self,
        ctx: &egui::Context,
        set: Option<&PolicySet>,
        dark: bool,
        commands: &mut Vec<Command>,
    ) {
        let mut open = self.open;
        egui::Window::new("What went wrong?")
            .open(&mut open)
            .default_width(640.0)
            .show(ctx, |ui| self.body_ui(ui, set, dark, commands));
        self.open = open;
    }

    fn body_ui(
        &mut self,
        ui: &mut egui::Ui,
        set: Option<&PolicySet>,
        dark: bool,
        commands: &mut Vec<Command>,
    ) {
        let l = ui.label("Paste the error you got (AccessDenied, UnauthorizedOperation, \"not authorized to use launch template\", a decoded authorization message):");
        egui::ScrollArea::vertical()
            .id_salt("diagnose_text")
            .max_height(140.0)
            .show(ui, |ui| {
                ui.add(
                    egui::TextEdit::multiline(&mut self.text)
                        .desired_rows(4)
                        .desired_width(f32::INFINITY),
                )
                .labelled_by(l.id);
            });
        ui.horizontal(|ui| {
            if ui.button("Explain").clicked() {
                self.run(set);
            }
            if set.is_none() {
                ui.label(
                    egui::RichText::new(
                        "Load the caller's policy to see which permission it refuses.",
                    )
                    .small(),
                );
            }
        });
        let Some(result) = &self.result else { return };
        ui.separator();
        let d = match result {
            Err(e) => {
                ui.add(
                    egui::Label::new(egui::RichText::new(e).color(ui.visuals().error_fg_color))
                        .wrap(),
                );
                return;
            }
            Ok(d) => d,
        };
        diagnosis_ui(ui, d, dark, commands);
    }
}

/// A diagnosis: what failed, the possible causes, the decision with the loaded policies,
/// the fix, and the way into the explorer.
fn diagnosis_ui(ui: &mut egui::Ui, d: &Diagnosis, dark: bool, commands: &mut Vec<Command>) {
    ui.add(egui::Label::new(egui::RichText::new(&d.summary).strong()).wrap());
    egui::Grid::new("diagnosis_grid")
        .num_columns(2)
        .show(ui, |ui| {
            for (k, v) in [
                ("Call", &d.operation),
                ("Failed permission", &d.failed),
                ("Resource", &d.resource),
                ("Caller", &d.caller),
                ("Denied in", &d.denied_in),
                ("Explicit deny", &d.explicit_deny),
            ] {
                if let Some(v) = v {
                    ui.label(k);
                    ui.add(egui::Label::new(egui::RichText::new(v).monospace()).wrap());
                    ui.end_row();
                }
            }
        });
    for c in &d.possible {
        ui.horizontal_wrapped(|ui| {
            if let Some(s) = c.status {
                ui.label(theme::badge(s, dark));
            }
            ui.label(egui::RichText::new(&c.permission).monospace().strong());
        });
        ui.add(egui::Label::new(egui::RichText::new(&c.why).small()).wrap());
        ui.add(
            egui::Label::new(
                egui::RichText::new(format!("How to tell: {}", c.how_to_tell)).small(),
            )
            .wrap(),
        );
    }
    if let Some(r) = &d.evaluated {
        ui.add(
            egui::Label::new(format!(
                "With the loaded policies: {}. {}",
                r.words(),
                r.detail.explanation
            ))
            .wrap(),
        );
    }
    if let Some(f) = &d.fix {
        let json = serde_json::to_string_pretty(&f.statements).unwrap_or_default();
        ui.label(egui::RichText::new(format!("Add to the {}:", f.layer)).strong());
        let mut shown = json.as_str();
        ui.add(
            egui::TextEdit::multiline(&mut shown)
                .code_editor()
                .desired_rows(6)
                .desired_width(f32::INFINITY),
        );
        if ui.button("Copy the fix").clicked() {
            commands.push(Command::Copy {
                what: "the fix".to_owned(),
                text: json.clone(),
            });
        }
    }
    for a in &d.advice {
        ui.add(egui::Label::new(egui::RichText::new(a).small()).wrap());
    }
    if let Some(op) = &d.operation
        && ui
            .button("Show in the explorer")
            .on_hover_text("Select the call, turn on the features and facts the message gave, and explain the failing permission")
            .clicked()
    {
        show_in_explorer(d, op, commands);
    }
}

/// Selects the call, sets what the message told, and focuses the failing permission.
fn show_in_explorer(d: &Diagnosis, op: &str, commands: &mut Vec<Command>) {
    let name = op.trim_start_matches("autoscaling:").to_owned();
    commands.push(Command::Select {
        action: name.clone(),
    });
    for f in &d.features {
        commands.push(Command::SetFeature {
            id: f.clone(),
            on: true,
        });
    }
    commands.push(Command::MergeFacts {
        facts: d.facts.clone(),
    });
    if let Some(failed) = &d.failed {
        commands.push(Command::FocusPermission {
            permission: failed.clone(),
        });
    }
}
