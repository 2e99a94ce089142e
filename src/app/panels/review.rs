//! The Compare window (before → after for each action and permission) and the account
//! matrix window (principals × capabilities).

use crate::app::commands::Command;
use crate::app::model::Slot;
use crate::app::theme;
use crate::engine::Status;
use crate::review::audit::{Audit, CAPABILITIES};
use crate::review::diff::{ActionChange, Direction};

/// UI state of the Compare window.
#[derive(Default)]
pub struct ComparePanel {
    /// The window is open.
    pub open: bool,
}

/// What the Compare window draws.
pub struct CompareInput<'a> {
    /// The name of the compared version, if one is loaded.
    pub compared: Option<&'a str>,
    /// The name of the loaded (first identity) policy.
    pub loaded: Option<&'a str>,
    /// The changes, or why there are none.
    pub changes: Option<Result<Vec<ActionChange>, String>>,
    /// Still evaluating.
    pub busy: bool,
    /// Dark theme.
    pub dark: bool,
}

fn status_text(s: Status, dark: bool) -> egui::RichText {
    egui::RichText::new(format!("{} {}", s.icon(), s.word())).color(theme::color(s, dark))
}

impl ComparePanel {
    /// Draws the window when open.
    pub fn ui(
        &mut self,
        ctx: &egui::Context,
        input: &CompareInput<'_>,
        commands: &mut Vec<Command>,
    ) {
        let mut open = self.open;
        egui::Window::new("Compare two versions")
            .open(&mut open)
            .default_width(620.0)
            .default_height(480.0)
            .show(ctx, |ui| Self::body_ui(ui, input, commands));
        self.open = open;
    }

    fn body_ui(ui: &mut egui::Ui, input: &CompareInput<'_>, commands: &mut Vec<Command>) {
        let Some(compared) = input.compared else {
            ui.label("Load another version of the policy to see, for every action with the features you turned on, what it gains or loses. The loaded policy is \"before\"; the other version takes its place \"after\".");
            if ui.button("Open the other version…").clicked() {
                commands.push(Command::OpenDialog {
                    slot: Slot::Compare,
                });
            }
            return;
        };
        ui.label(format!(
            "Before: {}   then   after: {compared}",
            input.loaded.unwrap_or("(no identity policy)")
        ));
        ui.horizontal(|ui| {
            if ui.button("Open another version…").clicked() {
                commands.push(Command::OpenDialog {
                    slot: Slot::Compare,
                });
            }
            if input.busy {
                ui.spinner();
                ui.label("evaluating the other version…");
            }
        });
        ui.separator();
        let changes = match &input.changes {
            None => return,
            Some(Err(e)) => {
                ui.colored_label(ui.visuals().error_fg_color, e);
                return;
            }
            Some(Ok(c)) => c,
        };
        if changes.is_empty() {
            ui.label("No change: every action has the same status before and after, permission by permission.");
            return;
        }
        let lost = changes
            .iter()
            .flat_map(|c| &c.permissions)
            .filter(|p| p.direction == Direction::Lost)
            .count();
        let gained = changes.iter().flat_map(|c| &c.permissions).count() - lost;
        ui.label(
            egui::RichText::new(format!(
                "{} actions changed: {lost} permission(s) lost, {gained} gained. Lost first; click an action to open it.",
                changes.len()
            ))
            .strong(),
        );
        egui::ScrollArea::vertical().show(ui, |ui| {
            for c in changes {
                change_ui(ui, c, input.dark, commands);
            }
        });
    }
}

/// One changed action: before and after, each permission with the statements that decided.
fn change_ui(ui: &mut egui::Ui, c: &ActionChange, dark: bool, commands: &mut Vec<Command>) {
    egui::Frame::group(ui.style()).show(ui, |ui| {
        ui.set_width(ui.available_width());
        ui.horizontal_wrapped(|ui| {
            let name = c.action.trim_start_matches("autoscaling:");
            if ui
                .link(egui::RichText::new(&c.action).monospace().strong())
                .clicked()
            {
                commands.push(Command::Select {
                    action: name.to_owned(),
                });
            }
            ui.label(status_text(c.before, dark));
            ui.label("to");
            ui.label(status_text(c.after, dark));
            if let Some(d) = c.direction {
                ui.label(egui::RichText::new(d.word()).small().strong());
            }
        });
        for p in &c.permissions {
            ui.horizontal_wrapped(|ui| {
                ui.label(
                    egui::RichText::new(if p.direction == Direction::Lost {
                        "-"
                    } else {
                        "+"
                    })
                    .strong(),
                );
                ui.label(egui::RichText::new(&p.permission).monospace());
                ui.label(status_text(p.before, dark).small());
                ui.label("to");
                ui.label(status_text(p.after, dark).small());
            });
            let deciders = |v: &[crate::review::diff::Decider]| {
                v.iter()
                    .map(|d| d.label.clone())
                    .collect::<Vec<_>>()
                    .join("; ")
            };
            ui.add(
                egui::Label::new(
                    egui::RichText::new(format!(
                        "before: {}",
                        if p.decided_before.is_empty() {
                            p.explanation_before.clone()
                        } else {
                            deciders(&p.decided_before)
                        }
                    ))
                    .small(),
                )
                .wrap(),
            );
            ui.add(
                egui::Label::new(
                    egui::RichText::new(format!(
                        "after: {}",
                        if p.decided_after.is_empty() {
                            p.explanation_after.clone()
                        } else {
                            deciders(&p.decided_after)
                        }
                    ))
                    .small(),
                )
                .wrap(),
            );
        }
    });
}

/// UI state of the account matrix.
#[derive(Default)]
pub struct MatrixPanel {
    /// The window is open.
    pub open: bool,
    filter: String,
    /// Sort by this capability's status (worst first), else by name.
    sort: Option<usize>,
    only_escalation: bool,
}

/// What the matrix window draws.
pub struct MatrixInput<'a> {
    /// Done: the matrix.
    pub audit: Option<&'a Audit>,
    /// Running: done and total.
    pub progress: Option<(usize, usize)>,
    /// An account file is loaded.
    pub has_account: bool,
    /// Dark theme.
    pub dark: bool,
}

impl MatrixPanel {
    /// Draws the window when open.
    pub fn ui(
        &mut self,
        ctx: &egui::Context,
        input: &MatrixInput<'_>,
        commands: &mut Vec<Command>,
    ) {
        let mut open = self.open;
        egui::Window::new("Account matrix")
            .open(&mut open)
            .default_width(900.0)
            .default_height(520.0)
            .min_height(320.0)
            .show(ctx, |ui| self.body_ui(ui, input, commands));
        self.open = open;
    }

    fn body_ui(&mut self, ui: &mut egui::Ui, input: &MatrixInput<'_>, commands: &mut Vec<Command>) {
        if !input.has_account {
            ui.label("Load a get-account-authorization-details file to see every role and user against what they can do with Auto Scaling.");
            return;
        }
        if let Some((done, total)) = input.progress {
            ui.horizontal(|ui| {
                ui.spinner();
                ui.label(format!("Evaluating {done} of {total} roles and users…"));
                if ui.button("Cancel").clicked() {
                    commands.push(Command::CancelAudit);
                }
            });
            ui.ctx()
                .request_repaint_after(std::time::Duration::from_millis(100));
            return;
        }
        let Some(audit) = input.audit else {
            if ui.button("Evaluate every role and user").clicked() {
                commands.push(Command::StartAudit);
            }
            return;
        };
        ui.horizontal(|ui| {
            let l = ui.label("Filter principals");
            ui.add(egui::TextEdit::singleline(&mut self.filter).desired_width(220.0))
                .labelled_by(l.id);
            ui.checkbox(
                &mut self.only_escalation,
                "Only those who can give instances a role",
            );
            if ui.button("Evaluate again").clicked() {
                commands.push(Command::StartAudit);
            }
        });
        ui.label(egui::RichText::new("Click a column title to sort by it (worst first), a cell to open that principal and action. ⚠ role: can launch instances running as a role it may pass (an escalation path).").small());
        let needle = self.filter.trim().to_lowercase();
        let mut rows: Vec<&crate::review::audit::AuditRow> = audit
            .rows
            .iter()
            .filter(|r| {
                needle.is_empty()
                    || r.principal.to_lowercase().contains(&needle)
                    || r.arn.to_lowercase().contains(&needle)
            })
            .filter(|r| {
                !self.only_escalation || r.escalation.as_ref().is_some_and(|v| !v.is_empty())
            })
            .collect();
        if let Some(col) = self.sort {
            rows.sort_by_key(|r| std::cmp::Reverse(r.cells.get(col).copied()));
        }
        ui.label(format!(
            "{} of {} roles and users",
            rows.len(),
            audit.rows.len()
        ));
        egui::ScrollArea::both()
            .auto_shrink([false, false])
            .show(ui, |ui| {
                egui::Grid::new("matrix_grid").striped(true).show(ui, |ui| {
                    if ui.button("Principal").clicked() {
                        self.sort = None;
                    }
                    for (i, c) in CAPABILITIES.iter().enumerate() {
                        let title = if self.sort == Some(i) {
                            format!("{} (sorted)", c.short)
                        } else {
                            c.short.to_owned()
                        };
                        if ui.button(title).on_hover_text(c.label).clicked() {
                            self.sort = Some(i);
                        }
                    }
                    ui.label("Roles it may give instances");
                    ui.end_row();
                    for r in rows.iter().take(2000) {
                        matrix_row_ui(ui, r, input.dark, commands);
                    }
                });
                if rows.len() > 2000 {
                    ui.label(format!(
                        "{} more: narrow the filter to see them.",
                        rows.len() - 2000
                    ));
                }
            });
    }
}

/// One principal's row of the matrix: its cells (a click opens that principal and action)
/// and the roles it may give instances.
fn matrix_row_ui(
    ui: &mut egui::Ui,
    r: &crate::review::audit::AuditRow,
    dark: bool,
    commands: &mut Vec<Command>,
) {
    ui.label(format!("{} ({})", r.principal, r.kind))
        .on_hover_text(&r.arn);
    if let Some(e) = &r.error {
        ui.colored_label(
            ui.visuals().error_fg_color,
            format!("cannot be evaluated: {e}"),
        );
        ui.end_row();
        return;
    }
    for (i, s) in r.cells.iter().enumerate() {
        // Ids from the principal and column, not the position, so a click
        // lands on the same cell whatever the sort and filter.
        let cell = ui
            .push_id((&r.arn, i), |ui| ui.button(status_text(*s, dark)))
            .inner
            .on_hover_text(format!("{}: {}", r.principal, CAPABILITIES[i].label));
        if cell.clicked() {
            // By ARN: a role and a user may share a name.
            commands.push(Command::SetPrincipal {
                name: r.arn.clone(),
            });
            commands.push(Command::Select {
                action: CAPABILITIES[i].actions[0].0.to_owned(),
            });
            for f in CAPABILITIES[i].actions[0].1 {
                commands.push(Command::SetFeature {
                    id: (*f).to_owned(),
                    on: true,
                });
            }
        }
    }
    match &r.escalation {
        Some(v) if !v.is_empty() => {
            ui.label(
                egui::RichText::new(format!("⚠ {} role(s)", v.len()))
                    .color(theme::color(Status::Conditional, dark)),
            )
            .on_hover_text(
                v.iter()
                    .take(40)
                    .map(|x| format!("{} ({})", x.arn, x.status.word()))
                    .collect::<Vec<_>>()
                    .join("\n"),
            );
        }
        _ => {
            ui.label("");
        }
    }
    ui.end_row();
}
