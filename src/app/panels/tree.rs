//! The left panel: the action tree with its filter.

use crate::app::commands::Command;
use crate::app::model::{TreeAction, TreeGroup};
use crate::app::theme;

/// UI state of the tree.
#[derive(Default)]
pub struct TreePanel {
    /// The filter text.
    pub filter: String,
    /// Focus the filter on the next frame (Ctrl+F).
    pub focus_filter: bool,
    /// Scroll the selected row into view on the next frame.
    pub scroll_to_selected: bool,
    /// Visible action names in order, for arrow-key navigation.
    pub visible: Vec<String>,
}

impl TreePanel {
    /// Draws the tree.
    pub fn ui(
        &mut self,
        ui: &mut egui::Ui,
        groups: &[TreeGroup],
        selected: &str,
        dark: bool,
        commands: &mut Vec<Command>,
    ) {
        ui.add_space(4.0);
        // The text field takes exactly the width left in the row, so the panel never grows
        // to fit it.
        ui.horizontal(|ui| {
            let label = ui.label("Filter");
            let edit = ui.add(
                egui::TextEdit::singleline(&mut self.filter)
                    .hint_text(format!(
                        "action, feature, permission, key ({})",
                        ui.ctx().format_shortcut(&crate::app::input::FIND)
                    ))
                    .desired_width(ui.available_width()),
            );
            let edit = edit.labelled_by(label.id);
            if self.focus_filter {
                edit.request_focus();
                self.focus_filter = false;
            }
        });
        if !self.filter.is_empty() {
            ui.horizontal(|ui| {
                let n: usize = groups.iter().map(|g| g.actions.len()).sum();
                ui.label(egui::RichText::new(format!("{n} matching actions")).small());
                if ui.small_button("Clear filter").clicked() {
                    self.filter.clear();
                }
            });
        }
        ui.separator();
        self.visible.clear();
        if groups.is_empty() {
            ui.label(format!("No action matches \"{}\".", self.filter.trim()));
            return;
        }
        let filtering = !self.filter.trim().is_empty();
        egui::ScrollArea::vertical()
            .auto_shrink([false, false])
            .show(ui, |ui| {
                ui.with_layout(egui::Layout::top_down_justified(egui::Align::LEFT), |ui| {
                    for g in groups {
                        // While filtering, groups open under ids of their own: clearing the
                        // filter brings back the groups as the user had them.
                        let id = ui.make_persistent_id(("group", &g.name, filtering));
                        let contains_selected = g.actions.iter().any(|a| a.name == selected);
                        let mut state =
                            egui::collapsing_header::CollapsingState::load_with_default_open(
                                ui.ctx(),
                                id,
                                contains_selected || filtering,
                            );
                        if self.scroll_to_selected && contains_selected {
                            state.set_open(true);
                        }
                        let open = state.is_open();
                        state
                            .show_header(ui, |ui| {
                                ui.label(
                                    egui::RichText::new(format!(
                                        "{}  ({})",
                                        g.name,
                                        g.actions.len()
                                    ))
                                    .strong(),
                                );
                            })
                            .body(|ui| {
                                for a in &g.actions {
                                    self.action_row_ui(ui, a, selected, dark, commands);
                                }
                            });
                        if open {
                            self.visible
                                .extend(g.actions.iter().map(|a| a.name.clone()));
                        }
                    }
                });
            });
        self.scroll_to_selected = false;
    }

    fn action_row_ui(
        &mut self,
        ui: &mut egui::Ui,
        a: &TreeAction,
        selected: &str,
        dark: bool,
        commands: &mut Vec<Command>,
    ) {
        let is_selected = a.name == selected;
        let id = ui.make_persistent_id(("action", &a.name));
        let state =
            egui::collapsing_header::CollapsingState::load_with_default_open(ui.ctx(), id, false);
        state
            .show_header(ui, |ui| {
                let r = ui.selectable_label(is_selected, &a.name);
                if r.clicked() {
                    commands.push(Command::Select {
                        action: a.name.clone(),
                    });
                }
                if is_selected && self.scroll_to_selected {
                    r.scroll_to_me(Some(egui::Align::Center));
                }
                if a.cross_service > 0 {
                    ui.label(
                        egui::RichText::new(format!("+{}", a.cross_service))
                            .small()
                            .weak(),
                    )
                    .on_hover_text(format!(
                        "{} permission(s) from other services, depending on the request",
                        a.cross_service
                    ));
                }
                // A slot of the same width whether or not a policy is loaded, so loading
                // one never widens the panel; the word is in the hover text.
                let slot = egui::vec2(18.0, ui.spacing().interact_size.y);
                match a.status {
                    Some(s) => {
                        ui.add_sized(
                            slot,
                            egui::Label::new(
                                egui::RichText::new(theme::icon(s)).color(theme::color(s, dark)),
                            ),
                        )
                        .on_hover_text(s.word());
                    }
                    None => {
                        ui.allocate_exact_size(slot, egui::Sense::hover());
                    }
                }
            })
            .body(|ui| {
                for (perm, status) in &a.permissions {
                    ui.horizontal(|ui| {
                        ui.label(egui::RichText::new(perm).monospace().small());
                        if let Some(s) = status {
                            ui.label(
                                egui::RichText::new(theme::icon(*s)).color(theme::color(*s, dark)),
                            )
                            .on_hover_text(s.word());
                        }
                    });
                }
            });
        // What the filter found, when it was not the name: shown under the row.
        if let Some(m) = &a.matched {
            ui.indent(("matched", &a.name), |ui| {
                ui.add(
                    egui::Label::new(egui::RichText::new(format!("matches {m}")).small()).wrap(),
                );
            });
        }
    }
}
