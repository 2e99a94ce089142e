//! The right panel: the loaded policies as readable statement cards, the statements that
//! decide the focused permission highlighted, parse errors and warnings, and an editor.

use crate::app::commands::Command;
use crate::app::model::{EXAMPLES, Findings, Item, Policies};
use crate::app::theme;
use crate::asg::requirements::Checked;
use crate::engine::{StatementRef, Status};
use crate::policy::{Effect, Layer, Policy, PolicySet, Statement};
use crate::review::lint::{Finding, Severity};
use crate::text::Tri;
use crate::text::words;

/// UI state of the policy panel.
#[derive(Default)]
pub struct PolicyPanel {
    /// Scroll to the first highlighted statement on the next frame.
    pub scroll_pending: bool,
    /// The policy being edited and the editor's text. The buffer is the panel's own: a
    /// re-evaluation never replaces it, and each change is sent as a command.
    editing: Option<(Item, String)>,
    /// The height of each statement card as last drawn, in list order, for the revision of
    /// the policies and the width they were drawn at: only the cards in view are laid out,
    /// the others take the room they took (or an estimate), so a policy of thousands of
    /// statements costs a frame no more than the cards on screen.
    heights: (u64, u32, Vec<f32>),
}

/// The room a card not yet drawn is given.
const CARD_ESTIMATE: f32 = 64.0;

/// Cards this far outside the view are laid out too (smooth scrolling).
const VIEW_MARGIN: f32 = 400.0;

impl PolicyPanel {
    /// Forgets per-document UI state (after a new load).
    pub fn reset(&mut self) {
        self.editing = None;
    }

    /// Draws the panel.
    #[allow(clippy::too_many_arguments)] // What the panel shows, each used once.
    pub fn ui(
        &mut self,
        ui: &mut egui::Ui,
        policies: &Policies,
        set: Option<&PolicySet>,
        focused: Option<&Checked>,
        findings: Option<&Findings>,
        dark: bool,
        commands: &mut Vec<Command>,
    ) {
        ui.add_space(4.0);
        ui.label(egui::RichText::new("Policy").strong());
        if policies.is_empty() {
            ui.label(format!(
                "No policy loaded. Open a file ({}), drop one on the window, paste one, or start from an example:",
                ui.ctx().format_shortcut(&crate::app::input::OPEN)
            ));
            for (name, text) in EXAMPLES {
                if ui.link(name).clicked() {
                    commands.push(Command::load_example(name, text));
                }
            }
            ui.add_space(8.0);
            ui.label(egui::RichText::new("Accepted: policy documents, aws iam get-policy-version / get-role-policy output, URL-encoded documents, and get-account-authorization-details output.").small().weak());
            return;
        }
        if let Some(c) = focused {
            egui::Frame::group(ui.style()).show(ui, |ui| {
                ui.label(
                    egui::RichText::new(format!(
                        "{} is {}",
                        c.requirement.permission,
                        c.decision.status.word()
                    ))
                    .color(theme::color(c.decision.status, dark))
                    .strong(),
                );
                ui.label(&c.decision.explanation);
            });
        }
        let highlighted: Vec<&StatementRef> = focused
            .map(|c| {
                c.decision
                    .decided_by
                    .iter()
                    .chain(c.decision.near_misses.iter())
                    .collect()
            })
            .unwrap_or_default();

        egui::ScrollArea::vertical()
            .auto_shrink([false, false])
            .show_viewport(ui, |ui, viewport| {
                self.editors_ui(ui, policies, commands);
                let width = ui.available_width().round().to_bits();
                if self.heights.0 != policies.revision || self.heights.1 != width {
                    self.heights = (policies.revision, width, Vec::new());
                }
                let origin = ui.min_rect().top();
                let Some(set) = set else { return };
                let scrolled = self.statements_ui(
                    ui,
                    viewport,
                    origin,
                    set,
                    &highlighted,
                    findings,
                    focused,
                    dark,
                );
                if scrolled || focused.is_none() {
                    self.scroll_pending = false;
                }
            });
    }

    /// The statement cards, layer by layer: only those near the view are laid out (and the
    /// one to scroll to); returns whether it scrolled to a highlighted card.
    #[allow(clippy::too_many_arguments)] // What the list shows, each used once.
    fn statements_ui(
        &mut self,
        ui: &mut egui::Ui,
        viewport: egui::Rect,
        origin: f32,
        set: &PolicySet,
        highlighted: &[&StatementRef],
        findings: Option<&Findings>,
        focused: Option<&Checked>,
        dark: bool,
    ) -> bool {
        let layers: Vec<(Layer, usize, &Policy)> = set
            .identity
            .iter()
            .enumerate()
            .map(|(i, p)| (Layer::Identity, i, p.as_ref()))
            .chain(
                set.boundary
                    .iter()
                    .map(|p| (Layer::Boundary, 0, p.as_ref())),
            )
            .chain(
                set.scps
                    .iter()
                    .enumerate()
                    .map(|(i, p)| (Layer::Scp(i), 0, p.as_ref()))
                    .map(|(l, _, p)| (l, 0, p)),
            )
            .collect();
        let mut scrolled = false;
        let mut n = 0;
        // The room owed to off-screen cards, given in one piece before the next thing drawn
        // (a space per card was 20,000 allocations a frame for as many statements); each
        // card's room counts the spacing that follows it, as it did when given apart.
        let spacing = ui.spacing().item_spacing.y;
        let mut owed = 0.0f32;
        let pay = |ui: &mut egui::Ui, owed: &mut f32| {
            if *owed > 0.0 {
                ui.allocate_space(egui::vec2(ui.available_width(), *owed - spacing));
                *owed = 0.0;
            }
        };
        for (layer, index, policy) in layers {
            pay(ui, &mut owed);
            layer_header_ui(ui, layer, index, policy, focused, dark);
            for st in &policy.statements {
                let hit = highlighted.iter().find(|h| {
                    h.layer == layer && h.policy_index == index && h.statement == st.index()
                });
                let known = self.heights.2.get(n).copied();
                let top = ui.cursor().top() + owed - origin;
                let height = known.unwrap_or(CARD_ESTIMATE);
                let in_view = top + height >= viewport.top() - VIEW_MARGIN
                    && top <= viewport.bottom() + VIEW_MARGIN;
                let wanted = hit.is_some() && self.scroll_pending && !scrolled;
                if in_view || wanted || known.is_none() && n < 64 {
                    pay(ui, &mut owed);
                    let here = findings
                        .map_or_else(Vec::new, |f| f.of_statement(&policy.name, st.index()));
                    let r = statement_card_ui(ui, st, hit.copied(), &here, dark);
                    if self.heights.2.len() <= n {
                        self.heights.2.resize(n + 1, CARD_ESTIMATE);
                    }
                    self.heights.2[n] = r.rect.height();
                    if wanted {
                        r.scroll_to_me(Some(egui::Align::TOP));
                        scrolled = true;
                    }
                } else {
                    // Off screen: the room it takes, nothing laid out.
                    owed += height + spacing;
                }
                n += 1;
            }
        }
        pay(ui, &mut owed);
        scrolled
    }

    fn editors_ui(&mut self, ui: &mut egui::Ui, policies: &Policies, commands: &mut Vec<Command>) {
        if let Some(acc) = &policies.account {
            ui.horizontal_wrapped(|ui| {
                ui.label(format!(
                    "Authorization details {}: {} roles and users, {} managed policies",
                    acc.name,
                    acc.account.principals.len(),
                    acc.account.managed_policies
                ));
                if ui.small_button("Remove").clicked() {
                    commands.push(Command::Remove {
                        item: Item::Account,
                    });
                }
            });
        }
        for (label, item, doc) in policies.docs() {
            ui.horizontal_wrapped(|ui| {
                ui.label(format!("{label}: {} ({})", doc.name, doc.kind.label()));
                let editing = self.editing.as_ref().is_some_and(|(i, _)| *i == item);
                if ui
                    .small_button(if editing { "Done editing" } else { "Edit" })
                    .clicked()
                {
                    self.editing = if editing {
                        None
                    } else {
                        Some((item, doc.text.to_string()))
                    };
                }
                if ui.small_button("Remove").clicked() {
                    commands.push(Command::Remove { item });
                }
            });
            if let Some(e) = &doc.error {
                egui::Frame::group(ui.style()).show(ui, |ui| {
                    let at = e.location();
                    ui.colored_label(
                        ui.visuals().error_fg_color,
                        format!("✖ line {}, column {}: {}", at.line, at.column, e.message()),
                    );
                    if let Some(x) = &at.excerpt {
                        ui.label(egui::RichText::new(x).monospace().small());
                    }
                    ui.label(
                        egui::RichText::new("The last version that parsed is still in use.")
                            .small(),
                    );
                });
            }
            if let Some((_, buffer)) = self.editing.as_mut().filter(|(i, _)| *i == item) {
                let label = ui.label(
                    egui::RichText::new(format!("Policy text of {}", doc.name))
                        .small()
                        .weak(),
                );
                // A fixed id: the error box above comes and goes as the text turns invalid
                // and valid, and an id from the layout position would change with it (the
                // editor would lose focus and the next keystroke).
                let r = ui
                    .add(
                        egui::TextEdit::multiline(buffer)
                            .id_salt(("policy_editor", item))
                            .code_editor()
                            .desired_width(f32::INFINITY)
                            .desired_rows(18),
                    )
                    .labelled_by(label.id);
                if r.changed() {
                    commands.push(Command::EditText {
                        item,
                        text: buffer.clone(),
                    });
                }
            }
        }
    }
}

/// A policy's heading, the "no Allow here" marker when this layer is what denies the focused
/// permission, and the parser's warnings (the ⚠ icon is the conditional one: worth a look).
fn layer_header_ui(
    ui: &mut egui::Ui,
    layer: Layer,
    index: usize,
    policy: &Policy,
    focused: Option<&Checked>,
    dark: bool,
) {
    ui.add_space(6.0);
    ui.label(
        egui::RichText::new(format!(
            "{} · {} ({} statements)",
            layer,
            policy.name,
            policy.statements.len()
        ))
        .strong(),
    );
    if let Some(c) = focused
        && c.decision.missing_layers.contains(&layer)
        && (layer != Layer::Identity || index == 0)
    {
        ui.label(
            egui::RichText::new(format!(
                "{} No statement in the {layer} allows {}",
                Status::Missing.icon(),
                c.requirement.permission
            ))
            .color(theme::color(Status::Missing, dark))
            .strong(),
        );
    }
    // The first few warnings, then how many more: a policy may warn on each of thousands
    // of statements, and each label is laid out every frame (the findings show each one on
    // its statement's card).
    for w in policy.warnings.iter().take(words::LIST_ITEMS) {
        ui.label(
            egui::RichText::new(format!(
                "{} line {}, column {}: {}",
                Status::Conditional.icon(),
                w.line,
                w.column,
                w.message
            ))
            .small()
            .color(theme::color(Status::Conditional, dark)),
        );
    }
    let more = policy.warnings.len().saturating_sub(words::LIST_ITEMS);
    if more > 0 {
        ui.label(
            egui::RichText::new(format!(
                "{} and {} more warnings (each shows on its statement's card)",
                Status::Conditional.icon(),
                words::thousands(more as u64)
            ))
            .small()
            .color(theme::color(Status::Conditional, dark)),
        );
    }
}

/// One statement as a card. Returns the card's response (for scrolling).
fn statement_card_ui(
    ui: &mut egui::Ui,
    st: &Statement,
    hit: Option<&StatementRef>,
    findings: &[&Finding],
    dark: bool,
) -> egui::Response {
    let mut frame = egui::Frame::group(ui.style());
    if hit.is_some() {
        frame = frame
            .fill(theme::highlight(dark))
            .stroke(egui::Stroke::new(2.0, ui.visuals().selection.stroke.color));
    }
    frame
        .show(ui, |ui| {
            ui.set_width(ui.available_width());
            ui.horizontal_wrapped(|ui| {
                let effect_color = match st.effect {
                    Effect::Allow => theme::color(Status::Satisfied, dark),
                    Effect::Deny => theme::color(Status::Missing, dark),
                };
                ui.label(
                    egui::RichText::new(format!("#{} {}", st.index() + 1, st.effect))
                        .strong()
                        .color(effect_color),
                );
                if let Some(sid) = st.sid.as_deref().filter(|s| !s.is_empty()) {
                    ui.label(egui::RichText::new(sid).monospace());
                }
                if let Some(h) = hit {
                    ui.label(
                        egui::RichText::new(if h.applies == Tri::Never {
                            "nearest miss"
                        } else {
                            "decides"
                        })
                        .small()
                        .strong(),
                    );
                }
            });
            wrapped(
                ui,
                &format!("{}: {}", st.actions.element(), st.actions.list()),
            );
            wrapped(
                ui,
                &format!("{}: {}", st.resources.element(), st.resources.list()),
            );
            // The first few conditions and findings, then how many more: a statement may
            // test a hundred thousand keys, and a card laid out each of them every frame
            // (1.3 GB of text layout for a 3 MB policy).
            for c in st.conditions.iter().take(words::LIST_ITEMS) {
                let vals = words::list(c.values.iter().map(|v| v.text.as_ref()), ", ");
                wrapped(
                    ui,
                    &format!(
                        "Condition: {} {} {vals}",
                        c.operator(),
                        words::elide(&c.key)
                    ),
                )
                .on_hover_text(c.operator().help());
            }
            more_ui(
                ui,
                st.conditions.len(),
                ("condition", "conditions"),
                "(every one is in the policy text)",
            );
            if let Some(h) = hit {
                for n in &h.notes {
                    ui.label(egui::RichText::new(format!("- {n}")).small());
                }
            }
            // What a reviewer would point out here; why and fix on hover.
            for f in findings.iter().take(words::LIST_ITEMS) {
                let color = match f.severity {
                    Severity::Error => theme::color(Status::Missing, dark),
                    Severity::Warning => theme::color(Status::Conditional, dark),
                    Severity::Info => ui.visuals().weak_text_color(),
                };
                let icon = match f.severity {
                    Severity::Error => Status::Missing.icon(),
                    Severity::Warning => Status::Conditional.icon(),
                    Severity::Info => "ℹ",
                };
                ui.add(
                    egui::Label::new(
                        egui::RichText::new(format!(
                            "{icon} {}[{}] line {}: {}",
                            f.severity.word(),
                            f.code(),
                            f.line,
                            f.message
                        ))
                        .small()
                        .color(color),
                    )
                    .wrap(),
                )
                .on_hover_text(format!("Why: {}\n\nFix: {}", f.why(), f.fix()));
            }
            more_ui(
                ui,
                findings.len(),
                ("finding", "findings"),
                "(`asg-perms lint` lists them, 20 of a kind in a statement)",
            );
        })
        .response
}

/// "and 99,980 more conditions ...", when a card names only the first
/// [`words::LIST_ITEMS`] of `total` (`what` in the singular and the plural, then where
/// the rest are).
fn more_ui(ui: &mut egui::Ui, total: usize, (one, many): (&str, &str), rest: &str) {
    let more = total.saturating_sub(words::LIST_ITEMS);
    if more > 0 {
        let what = if more == 1 { one } else { many };
        wrapped(
            ui,
            &format!("and {} more {what} {rest}", words::thousands(more as u64)),
        );
    }
}

/// Small monospace text that wraps to the panel width (never widens the panel).
fn wrapped(ui: &mut egui::Ui, text: &str) -> egui::Response {
    ui.add(egui::Label::new(egui::RichText::new(text).monospace().small()).wrap())
}
