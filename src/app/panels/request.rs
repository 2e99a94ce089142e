//! "Read the request": the calls read from a command line, API JSON, a `CloudFormation`
//! template or a Terraform file, each with the features and facts it sets and, for each, the
//! line of the input that says so; what the input cannot tell, as questions. One call is
//! loaded into the explorer at once; of several, the user chooses.

use crate::app::commands::Command;
use crate::infer::InferredRequest;

/// UI state of the window.
#[derive(Default)]
pub struct RequestPanel {
    /// The window is open.
    pub open: bool,
    /// Where the input came from (a file name, "pasted text").
    pub name: String,
    /// The input, for the lines the features point at.
    text: String,
    /// What was read, or why nothing could be.
    calls: Option<Result<Vec<InferredRequest>, String>>,
    /// The call loaded into the explorer.
    pub chosen: Option<usize>,
}

impl RequestPanel {
    /// Shows what was read from `text`. A single call is loaded at once; returns it.
    pub fn read(
        &mut self,
        name: &str,
        text: String,
        calls: Result<Vec<InferredRequest>, String>,
    ) -> Option<InferredRequest> {
        self.open = true;
        name.clone_into(&mut self.name);
        self.text = text;
        self.chosen = None;
        let single = match &calls {
            Ok(c) if c.len() == 1 => c.first().cloned(),
            _ => None,
        };
        if single.is_some() {
            self.chosen = Some(0);
        }
        self.calls = Some(calls);
        single
    }

    /// Draws the window when open.
    pub fn ui(&mut self, ctx: &egui::Context, commands: &mut Vec<Command>) {
        let mut open = self.open;
        // On the right, below the top bar: the explorer it fills in stays in view.
        let area = ctx.content_rect();
        egui::Window::new("Read the request")
            .open(&mut open)
            .pivot(egui::Align2::RIGHT_TOP)
            .default_pos([area.right() - 12.0, area.top() + 72.0])
            .default_width(520.0)
            .default_height((area.height() - 140.0).clamp(240.0, 560.0))
            .vscroll(true)
            .show(ctx, |ui| self.body_ui(ui, commands));
        self.open = open;
    }

    fn body_ui(&mut self, ui: &mut egui::Ui, commands: &mut Vec<Command>) {
        ui.horizontal_wrapped(|ui| {
            if ui
                .button("Open a request…")
                .on_hover_text("An aws autoscaling command, API request JSON, a CloudFormation template (JSON or YAML) or a Terraform file")
                .clicked()
            {
                commands.push(Command::OpenRequestDialog);
            }
            if !self.name.is_empty() {
                ui.label(format!("Read from {}", self.name));
            }
        });
        let Some(calls) = &self.calls else {
            ui.add(egui::Label::new(crate::infer::SHAPES).wrap());
            return;
        };
        let calls = match calls {
            Err(e) => {
                ui.add(
                    egui::Label::new(
                        egui::RichText::new(format!("I can't read this: {e}"))
                            .color(ui.visuals().error_fg_color),
                    )
                    .wrap(),
                );
                return;
            }
            Ok(c) => c,
        };
        if calls.len() > 1 {
            ui.add(
                egui::Label::new(format!(
                    "{} calls in this input. Choose the one to load into the explorer.",
                    calls.len()
                ))
                .wrap(),
            );
        }
        for (i, r) in calls.iter().enumerate() {
            ui.separator();
            call_ui(ui, &self.text, r, self.chosen == Some(i), |c| {
                commands.push(c);
            });
            if self.chosen != Some(i)
                && ui
                    .button(format!("Load {}", short(r)))
                    .on_hover_text("Select this call in the explorer with its features and facts")
                    .clicked()
            {
                self.chosen = Some(i);
                commands.push(Command::ApplyRequest {
                    request: Box::new(r.clone()),
                    from: self.name.clone(),
                });
            }
        }
    }
}

/// `CreateAutoScalingGroup (WebServerGroup)`.
fn short(r: &InferredRequest) -> String {
    let name = r.action.trim_start_matches("autoscaling:");
    match &r.resource {
        Some(res) => format!("{name} ({})", res.split(' ').next().unwrap_or(res)),
        None => name.to_owned(),
    }
}

/// One call: its action, where it was read, each feature and fact with its line, questions.
fn call_ui(
    ui: &mut egui::Ui,
    text: &str,
    r: &InferredRequest,
    chosen: bool,
    mut push: impl FnMut(Command),
) {
    ui.horizontal_wrapped(|ui| {
        ui.label(egui::RichText::new(&r.action).monospace().strong());
        if let Some(res) = &r.resource {
            ui.label(res);
        }
    });
    ui.label(
        egui::RichText::new(if chosen {
            format!("line {} · ✔ in the explorer", r.line)
        } else {
            format!("line {}", r.line)
        })
        .small(),
    );
    if r.why.is_empty() {
        ui.label("No request features: the call needs only its own permission.");
    }
    let weak = ui.visuals().weak_text_color();
    for w in &r.why {
        let what = w.what.strip_prefix("fact:").map_or_else(
            || w.what.clone(),
            |f| format!("fact: {}", f.replace('_', " ")),
        );
        ui.horizontal_wrapped(|ui| {
            ui.label(egui::RichText::new(what).monospace().strong());
            ui.label(format!("line {}", w.line));
            ui.label(egui::RichText::new(format!("from {}", w.parameter)).small());
        });
        // The line itself, as in the input.
        let source = text
            .lines()
            .nth(w.line.saturating_sub(1))
            .unwrap_or("")
            .trim();
        if !source.is_empty() {
            ui.add(
                egui::Label::new(
                    egui::RichText::new(format!("{:>4} │ {source}", w.line))
                        .small()
                        .monospace()
                        .color(weak),
                )
                .truncate(),
            );
        }
    }
    for f in &r.features {
        if !r.why.iter().any(|w| &w.what == f) {
            ui.label(egui::RichText::new(format!("{f} (implied)")).small());
        }
    }
    for u in &r.unknowns {
        ui.add(egui::Label::new(egui::RichText::new(format!("? {u}")).small()).wrap());
    }
    if chosen
        && ui
            .small_button("Show in the explorer")
            .on_hover_text("Select this call again with the features read")
            .clicked()
    {
        push(Command::ApplyRequest {
            request: Box::new(r.clone()),
            from: String::new(),
        });
    }
}
