//! The frame: take in results and input, apply commands, then lay out the panels around the
//! view models built from the core.

use std::io::Write as _;

use super::{CHANGE_HIGHLIGHT, ExplorerApp, model, panels, theme};

impl ExplorerApp {
    /// Draws the whole window (used by eframe and by tests).
    pub fn ui(&mut self, ui: &mut egui::Ui) {
        let ctx = ui.ctx().clone();
        self.first_frame(&ctx);
        self.poll_jobs();
        self.refresh(&ctx);
        self.handle_input(&ctx);
        self.apply_commands(&ctx);
        self.refresh(&ctx);
        self.refresh_compare(&ctx);
        self.refresh_findings(&ctx);

        egui::Panel::top("top_bar").show(ui, |ui| {
            self.top_bar_ui(ui);
            self.notice_ui(ui);
        });
        egui::Panel::bottom("status_bar").show(ui, |ui| self.status_bar_ui(ui));
        self.overwrite_ui(&ctx);
        self.file_browser_ui(&ctx);
        // Built once a frame, for the Simulate window and the policy panel.
        let set = self.policies.policy_set().ok();
        self.simulate.ui(
            &ctx,
            set.as_ref().filter(|_| self.policies.evaluable()),
            ui.visuals().dark_mode,
        );
        self.diagnose_view.ui(
            &ctx,
            set.as_ref().filter(|_| self.policies.evaluable()),
            ui.visuals().dark_mode,
            &mut self.commands,
        );

        self.request_view.ui(&ctx, &mut self.commands);
        self.review_windows_ui(&ctx, ui.visuals().dark_mode);

        let has_policy = self.policies.evaluable();
        let selected = self.state.selected.clone();
        let dark = ui.visuals().dark_mode;
        let generated = self.generated();
        let other_layers = self.other_layer_fixes();
        if self
            .changed
            .as_ref()
            .is_some_and(|(t, _)| t.elapsed() >= CHANGE_HIGHLIGHT)
        {
            self.changed = None;
        }
        let Some(eval) = self.eval.as_ref().map(|(_, e)| e) else {
            return;
        };
        let groups = model::tree(&self.tree.filter, Some(eval), has_policy);
        // Side panels sized for the window the app opens in, so the centre keeps room at
        // 1024 px (egui remembers sizes the user drags).
        let window = ctx.content_rect().width();
        egui::Panel::left("action_tree")
            .resizable(true)
            .default_size((window * 0.26).clamp(250.0, 310.0))
            .size_range(220.0..=480.0)
            .show(ui, |ui| {
                self.tree
                    .ui(ui, &groups, &selected, dark, &mut self.commands);
            });
        let check = eval.checks.get(&selected);
        let changed = self.changed.as_ref().map(|(_, s)| s);
        egui::Panel::right("policy_panel")
            .resizable(true)
            .default_size((window * 0.3).clamp(280.0, 420.0))
            .size_range(280.0..=760.0)
            .show(ui, |ui| {
                let focused =
                    check.and_then(|c| self.detail.focused.and_then(|i| c.requirements.get(i)));
                self.policy_view.ui(
                    ui,
                    &self.policies,
                    set.as_ref(),
                    focused,
                    self.findings.as_ref().map(|(_, f)| f),
                    dark,
                    &mut self.commands,
                );
            });
        let merged_base = self.policies.identity.first().map(|d| d.parsed.clone());
        egui::CentralPanel::default().show(ui, |ui| {
            self.detail.ui(
                ui,
                panels::DetailInput {
                    check,
                    selected: &selected,
                    has_policy,
                    facts: &self.state.facts,
                    include_conditional: &mut self.state.include_conditional,
                    generated: &generated,
                    other_layers: &other_layers,
                    changed,
                    dark,
                    merged_base,
                },
                &mut self.commands,
            );
        });
        drop_zone_ui(&ctx);
        // Apply what this frame's clicks asked for right away, so the next frame shows it.
        if !self.commands.is_empty() {
            self.apply_commands(&ctx);
            ctx.request_repaint();
        }
    }
}

impl ExplorerApp {
    /// On the first frame: the app's visuals, and the startup time when asked for.
    fn first_frame(&mut self, ctx: &egui::Context) {
        if let Some(t) = self.report_first_frame.take() {
            writeln!(
                std::io::stderr(),
                "asg-perms: first frame after {:.0} ms",
                t.elapsed().as_secs_f64() * 1000.0
            )
            .ok();
        }
        if !self.styled {
            ctx.set_visuals_of(egui::Theme::Light, theme::visuals(false));
            ctx.set_visuals_of(egui::Theme::Dark, theme::visuals(true));
            self.styled = true;
        }
    }

    /// The Compare and account matrix windows.
    fn review_windows_ui(&mut self, ctx: &egui::Context, dark: bool) {
        let compare_input = panels::CompareInput {
            compared: self.policies.compare.as_ref().map(|d| d.name.as_str()),
            loaded: self.policies.identity.first().map(|d| d.name.as_str()),
            changes: self.comparison(),
            busy: self.comparing(),
            dark,
        };
        self.compare_view
            .ui(ctx, &compare_input, &mut self.commands);
        let matrix_input = panels::MatrixInput {
            audit: self.audit.as_ref().and_then(|a| a.result.as_ref()),
            progress: self.audit.as_ref().filter(|a| a.result.is_none()).map(|a| {
                (
                    a.progress.done.load(std::sync::atomic::Ordering::Relaxed),
                    a.total,
                )
            }),
            has_account: self.policies.account.is_some(),
            dark,
        };
        self.matrix.ui(ctx, &matrix_input, &mut self.commands);
    }
}

/// While a file is dragged over the window: say what dropping it does.
fn drop_zone_ui(ctx: &egui::Context) {
    let hovered = ctx.input(|i| {
        i.raw
            .hovered_files
            .iter()
            .map(|f| {
                f.path.as_ref().and_then(|p| p.file_name()).map_or_else(
                    || "the file".to_owned(),
                    |n| n.to_string_lossy().into_owned(),
                )
            })
            .collect::<Vec<_>>()
    });
    if hovered.is_empty() {
        return;
    }
    let rect = ctx.content_rect();
    let dark = ctx.global_style().visuals.dark_mode;
    egui::Area::new(egui::Id::unique("drop_zone"))
        .order(egui::Order::Foreground)
        .fixed_pos(rect.min)
        .interactable(false)
        .show(ctx, |ui| {
            ui.painter().rect_filled(rect, 0.0, theme::highlight(dark));
            ui.painter().rect_stroke(
                rect.shrink(6.0),
                8.0,
                egui::Stroke::new(3.0, theme::focus(dark)),
                egui::StrokeKind::Inside,
            );
            ui.scope_builder(egui::UiBuilder::new().max_rect(rect), |ui| {
                ui.centered_and_justified(|ui| {
                    ui.label(
                        egui::RichText::new(format!(
                            "Drop {} to load it as the identity policy",
                            hovered.join(", ")
                        ))
                        .heading()
                        .strong(),
                    );
                });
            });
        });
}
