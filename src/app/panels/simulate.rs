//! The Simulate window: any action on any resource with any context, against the loaded
//! policies, answered with the same explanation view as the permission cards.

use crate::app::theme;
use crate::policy::PolicySet;
use crate::simulate::{SimulationResult, batch_line, parse_context_entries};

/// UI state of the Simulate window.
pub struct SimulatePanel {
    /// The window is open.
    pub open: bool,
    action: String,
    resource: String,
    context: String,
    assume_absent: bool,
    result: Option<Result<SimulationResult, String>>,
}

impl Default for SimulatePanel {
    fn default() -> Self {
        Self {
            open: false,
            action: "autoscaling:CreateAutoScalingGroup".to_owned(),
            resource: "*".to_owned(),
            context: String::new(),
            assume_absent: false,
            result: None,
        }
    }
}

impl SimulatePanel {
    /// Draws the window when open.
    pub fn ui(&mut self, ctx: &egui::Context, set: Option<&PolicySet>, dark: bool) {
        let mut open = self.open;
        egui::Window::new("Simulate a request")
            .open(&mut open)
            .default_width(560.0)
            .show(ctx, |ui| self.body_ui(ui, set, dark));
        self.open = open;
    }

    fn body_ui(&mut self, ui: &mut egui::Ui, set: Option<&PolicySet>, dark: bool) {
        ui.label(egui::RichText::new("Any action of any service, evaluated offline against the loaded policies. Keys you do not give stay unknown, so the answer may be conditional.").small());
        egui::Grid::new("simulate_grid")
            .num_columns(2)
            .show(ui, |ui| {
                let l = ui.label("Action");
                ui.add(egui::TextEdit::singleline(&mut self.action).desired_width(380.0))
                    .labelled_by(l.id);
                ui.end_row();
                let l = ui.label("Resource ARN");
                ui.add(egui::TextEdit::singleline(&mut self.resource).desired_width(380.0))
                    .labelled_by(l.id);
                ui.end_row();
                let l = ui.label("Context entries");
                ui.add(
                    egui::TextEdit::multiline(&mut self.context)
                        .desired_rows(3)
                        .desired_width(380.0)
                        .hint_text("one a line: aws:TagKeys=Team,Env  ·  aws:SourceVpc=  (absent)"),
                )
                .labelled_by(l.id);
                ui.end_row();
            });
        ui.checkbox(
            &mut self.assume_absent,
            "Keys not given are absent (as AWS's simulator)",
        );
        let Some(set) = set else {
            ui.label("Load a policy first.");
            return;
        };
        if ui.button("Simulate").clicked() {
            self.result = Some(self.run(set));
        }
        match &self.result {
            None => {}
            Some(Err(e)) => {
                ui.colored_label(ui.visuals().error_fg_color, e);
            }
            Some(Ok(r)) => {
                ui.separator();
                ui.label(
                    egui::RichText::new(format!("{} {}", r.detail.status.icon(), r.words()))
                        .color(theme::color(r.detail.status, dark))
                        .strong(),
                );
                super::decision_ui(ui, &r.detail);
            }
        }
    }

    /// The request as one batch line, so the app and `simulate --requests` read it alike.
    fn run(&self, set: &PolicySet) -> Result<SimulationResult, String> {
        let mut context = serde_json::Map::new();
        for line in self
            .context
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
        {
            if line.starts_with("ContextKeyName=") || line.starts_with('{') || line.starts_with('[')
            {
                for e in parse_context_entries(line)? {
                    context.insert(e.key, serde_json::json!(e.values));
                }
                continue;
            }
            let Some((key, values)) = line.split_once('=') else {
                return Err(format!(
                    "\"{line}\": write key=value1,value2 (or key= for absent)"
                ));
            };
            let value = if values.trim().is_empty() {
                serde_json::Value::Null
            } else {
                serde_json::json!(values.split(',').map(str::trim).collect::<Vec<_>>())
            };
            context.insert(key.trim().to_owned(), value);
        }
        if !self.action.contains(':') {
            return Err(format!(
                "write the action as service:Action (autoscaling:{})",
                self.action.trim()
            ));
        }
        let line = serde_json::json!({
            "action": self.action.trim(),
            "resource": self.resource.trim(),
            "context": context,
        });
        batch_line(set, &line.to_string(), self.assume_absent)
    }
}
