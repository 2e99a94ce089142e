//! The centre panel: the selected action, its request features, what it needs and how the
//! loaded policy fares, and the statements that would fix it.

use std::collections::BTreeSet;
use std::sync::Arc;

use crate::app::commands::Command;
use crate::app::theme;
use crate::asg::catalog::catalog;
use crate::asg::generate::LayerFix;
use crate::asg::requirements::{ActionCheck, Facts, PARTITIONS};
use crate::engine::Status;
use crate::policy::Policy;
use crate::text::words;

/// UI state of the centre panel.
#[derive(Default)]
pub struct DetailPanel {
    /// The requirement whose decision is explained (index into the check's requirements).
    pub focused: Option<usize>,
    /// The About window is open.
    pub about_open: bool,
    /// Scroll back to the top on the next frame (a new action was selected, or the app
    /// just started).
    pub scroll_to_top: bool,
    facts_edit: Option<FactsEdit>,
}

#[derive(Clone, Default)]
struct FactsEdit {
    account: String,
    region: String,
    partition: String,
    group_name: String,
    instance_role: String,
    service_linked_role: String,
    hook_role: String,
    error: Option<String>,
}

impl From<&Facts> for FactsEdit {
    fn from(f: &Facts) -> Self {
        let text = |o: &Option<String>| o.clone().unwrap_or_default();
        Self {
            account: text(&f.account),
            region: text(&f.region),
            partition: f.partition().to_owned(),
            group_name: text(&f.group_name),
            instance_role: text(&f.instance_role_arn),
            service_linked_role: text(&f.service_linked_role_arn),
            hook_role: text(&f.lifecycle_hook_role_arn),
            error: None,
        }
    }
}

impl FactsEdit {
    fn facts(&self) -> Facts {
        let opt = |s: &str| (!s.trim().is_empty()).then(|| s.trim().to_owned());
        Facts {
            account: opt(&self.account),
            region: opt(&self.region),
            partition: opt(&self.partition).filter(|p| p != "aws"),
            instance_role_arn: opt(&self.instance_role),
            service_linked_role_arn: opt(&self.service_linked_role),
            lifecycle_hook_role_arn: opt(&self.hook_role),
            group_name: opt(&self.group_name),
        }
    }
}

/// What the panel draws from.
pub struct DetailInput<'a> {
    /// The selected action checked.
    pub check: Option<&'a ActionCheck>,
    /// The selected action's name.
    pub selected: &'a str,
    /// A policy is loaded.
    pub has_policy: bool,
    /// The facts in force.
    pub facts: &'a Facts,
    /// The "include conditional" option.
    pub include_conditional: &'a mut bool,
    /// The generated statements.
    pub generated: &'a crate::asg::generate::GeneratedPolicy,
    /// What a boundary or an SCP lacks, per layer.
    pub other_layers: &'a [LayerFix],
    /// Permissions a toggle just changed.
    pub changed: Option<&'a BTreeSet<String>>,
    /// Dark theme.
    pub dark: bool,
    /// The first identity policy, for "Copy merged policy".
    pub merged_base: Option<Arc<Policy>>,
}

impl DetailPanel {
    /// Forgets the facts being edited, so the fields show the facts in force.
    pub fn forget_facts_edit(&mut self) {
        self.facts_edit = None;
    }

    /// Draws the panel.
    pub fn ui(
        &mut self,
        ui: &mut egui::Ui,
        mut input: DetailInput<'_>,
        commands: &mut Vec<Command>,
    ) {
        let cat = catalog();
        let Some(action) = cat.action(input.selected) else {
            ui.label("Select an action on the left.");
            return;
        };
        self.about_ui(ui);
        let mut area = egui::ScrollArea::vertical().auto_shrink([false, false]);
        if std::mem::take(&mut self.scroll_to_top) {
            area = area.vertical_scroll_offset(0.0);
        }
        area.show(ui, |ui| {
            ui.horizontal_wrapped(|ui| {
                ui.heading(egui::RichText::new(action.full_name()).monospace());
                if let Some(c) = input.check.filter(|_| input.has_policy) {
                    ui.label(theme::badge(c.status, input.dark).heading());
                }
            });
            ui.label(format!(
                "{} · {} · {}",
                cat.group_name(&action.group),
                action.access_level,
                if action.resource_type.is_some() {
                    "resource-level permissions"
                } else {
                    "no resource-level permissions: needs \"Resource\": \"*\""
                }
            ));
            ui.add_space(4.0);
            ui.label(&action.description);
            ui.horizontal_wrapped(|ui| {
                ui.label("Resource:");
                ui.label(
                    egui::RichText::new(cat.own_resource(action))
                        .monospace()
                        .small(),
                );
                ui.hyperlink_to("API reference", &action.api_reference)
                    .on_hover_text(&action.api_reference);
                if ui.small_button("copy link").clicked() {
                    commands.push(Command::Copy {
                        what: "the link".to_owned(),
                        text: action.api_reference.clone(),
                    });
                }
            });
            if !action.condition_keys.is_empty() {
                egui::CollapsingHeader::new(format!(
                    "Condition keys ({})",
                    action.condition_keys.len()
                ))
                .id_salt("cond_keys")
                .show(ui, |ui| {
                    ui.label(
                        egui::RichText::new(action.condition_keys.join("   "))
                            .monospace()
                            .small(),
                    );
                });
            }
            ui.separator();
            Self::features_ui(ui, input.selected, input.check, commands);
            self.facts_ui(ui, input.facts, commands);
            ui.separator();
            if let Some(check) = input.check {
                self.requirements_ui(
                    ui,
                    check,
                    input.has_policy,
                    input.changed,
                    input.dark,
                    commands,
                );
                if let Some(kp) = &check.key_policy {
                    ui.separator();
                    ui.label(
                        egui::RichText::new("KMS key policy (not a caller permission)").strong(),
                    );
                    ui.label(&kp.reason);
                    ui.label(egui::RichText::new(&kp.note).small().weak());
                    let text = serde_json::to_string_pretty(&kp.statements).unwrap_or_default();
                    code_block(ui, "key_policy_json", &text);
                    if ui.button("Copy key-policy statements").clicked() {
                        commands.push(Command::Copy {
                            what: "the key-policy statements".to_owned(),
                            text,
                        });
                    }
                }
                ui.separator();
                Self::generated_ui(ui, &mut input, commands);
            }
        });
    }

    fn features_ui(
        ui: &mut egui::Ui,
        selected: &str,
        check: Option<&ActionCheck>,
        commands: &mut Vec<Command>,
    ) {
        let features = catalog().features_for(selected);
        ui.label(egui::RichText::new("Request features").strong());
        if features.is_empty() {
            ui.label("This action needs only its own permission, whatever the request holds.");
            return;
        }
        ui.label(
            egui::RichText::new(
                "Turn on what your request contains; hover a feature to learn what it means.",
            )
            .small()
            .weak(),
        );
        let on: Vec<String> = check.map(|c| c.features.clone()).unwrap_or_default();
        for f in features {
            let mut checked = on.contains(&f.id);
            let mut help = f.explanation.clone();
            if !f.implies.is_empty() {
                help.push_str(&format!("\n\nTurns on: {}", f.implies.join(", ")));
            }
            help.push_str(&format!("\n\nFeature id (for the command line): {}", f.id));
            // The box, then its label wrapping to the panel's width (a checkbox's own text
            // would not wrap, and would widen the panel at 1024 px). Clicking the text
            // toggles too.
            ui.horizontal_top(|ui| {
                let r = ui.checkbox(&mut checked, "");
                let text = ui
                    .add(
                        egui::Label::new(&f.label)
                            .wrap()
                            .sense(egui::Sense::click()),
                    )
                    .on_hover_text(&help);
                let r = r.labelled_by(text.id).on_hover_text(&help);
                if r.changed() || text.clicked() {
                    commands.push(Command::SetFeature {
                        id: f.id.clone(),
                        on: if text.clicked() { !checked } else { checked },
                    });
                }
            });
        }
    }

    fn facts_ui(&mut self, ui: &mut egui::Ui, facts: &Facts, commands: &mut Vec<Command>) {
        egui::CollapsingHeader::new("Facts (optional): account, region, partition, roles, group").id_salt("facts").show(ui, |ui| {
            ui.label(egui::RichText::new("Unknown parts of ARNs stay open, which can make a result conditional. Fill in what you know to decide it.").small().weak());
            let edit = self.facts_edit.get_or_insert_with(|| FactsEdit::from(facts));
            let mut enter = false;
            // Side by side where there is room; label above field where there is not.
            let narrow = ui.available_width() < 560.0;
            egui::Grid::new("facts_grid").num_columns(if narrow { 1 } else { 2 }).show(ui, |ui| {
                let l = ui.label("Partition");
                if narrow {
                    ui.end_row();
                }
                egui::ComboBox::from_id_salt("partition")
                    .selected_text(edit.partition.clone())
                    .show_ui(ui, |ui| {
                        for p in PARTITIONS {
                            ui.selectable_value(&mut edit.partition, p.to_owned(), p);
                        }
                    })
                    .response
                    .labelled_by(l.id);
                ui.end_row();
                for (label, value, hint) in [
                    ("Account id", &mut edit.account, "123456789012"),
                    ("Region", &mut edit.region, "us-east-1"),
                    ("Group name", &mut edit.group_name, "web"),
                    ("Instance role ARN (instance profile)", &mut edit.instance_role, "arn:aws:iam::123456789012:role/app"),
                    ("Service-linked role ARN (custom)", &mut edit.service_linked_role, "arn:aws:iam::123456789012:role/aws-service-role/autoscaling.amazonaws.com/AWSServiceRoleForAutoScaling_app"),
                    ("Lifecycle hook role ARN", &mut edit.hook_role, "arn:aws:iam::123456789012:role/hook-notifications"),
                ] {
                    let l = ui.label(label);
                    if narrow {
                        ui.end_row();
                    }
                    let r = ui.add(egui::TextEdit::singleline(value).hint_text(hint).desired_width(ui.available_width().clamp(120.0, 300.0))).labelled_by(l.id);
                    // Enter in a field applies the facts, as the button does.
                    if r.lost_focus() && ui.input(|i| i.key_pressed(egui::Key::Enter)) {
                        enter = true;
                    }
                    ui.end_row();
                }
            });
            ui.horizontal(|ui| {
                if ui.button("Apply facts").on_hover_text("Or press Enter in a field").clicked() || enter {
                    let f = edit.facts();
                    let problems = f.problems();
                    if problems.is_empty() {
                        edit.error = None;
                        commands.push(Command::SetFacts { facts: f });
                    } else {
                        edit.error = Some(problems.join("; "));
                    }
                }
                if ui.button("Forget facts").clicked() {
                    *edit = FactsEdit::from(&Facts::default());
                    commands.push(Command::SetFacts {
                        facts: Facts::default(),
                    });
                }
            });
            if let Some(e) = &edit.error {
                ui.colored_label(ui.visuals().error_fg_color, e);
            }
        });
    }

    // Drawing code: one card per requirement, kept in one place to read top to bottom.
    #[allow(clippy::too_many_lines)]
    fn requirements_ui(
        &mut self,
        ui: &mut egui::Ui,
        check: &ActionCheck,
        has_policy: bool,
        changed: Option<&BTreeSet<String>>,
        dark: bool,
        commands: &mut Vec<Command>,
    ) {
        let cat = catalog();
        ui.label(egui::RichText::new("Required permissions").strong());
        if !has_policy {
            ui.label(egui::RichText::new("Load a policy (Open, Paste, drop a file, or an example), or with an account file choose whom to evaluate as, to see which of these it grants.").small().weak());
        }
        // What is needed now first; "not needed now" last. Indices stay the check's own.
        let mut order: Vec<usize> = (0..check.requirements.len()).collect();
        order.sort_by_key(|&i| !check.requirements[i].requirement.needed);
        for i in order {
            let c = &check.requirements[i];
            let r = &c.requirement;
            let key = r.change_key();
            let flash = changed.is_some_and(|s| s.contains(&key));
            let dimmed = !r.needed;
            let text = |t: &str| {
                let rt = egui::RichText::new(t);
                if dimmed {
                    rt.color(theme::dim(dark))
                } else {
                    rt
                }
            };
            let mut frame = egui::Frame::group(ui.style()).inner_margin(6.0);
            if flash {
                frame = frame.fill(theme::highlight(dark));
            }
            let selected = self.focused == Some(i);
            if selected {
                frame = frame.stroke(egui::Stroke::new(2.0, ui.visuals().selection.stroke.color));
            }
            // The whole card is clickable (the links and buttons in it keep their own clicks).
            let card = ui.scope_builder(
                egui::UiBuilder::new()
                    .id_salt(("requirement_card", i))
                    .sense(egui::Sense::click()),
                |ui| {
                    frame.show(ui, |ui| {
                        // Text in the card does not take the click for text selection.
                        ui.style_mut().interaction.selectable_labels = false;
                        ui.set_width(ui.available_width());
                        ui.horizontal_wrapped(|ui| {
                            if dimmed {
                                let f = r
                                    .feature
                                    .as_deref()
                                    .and_then(|f| cat.feature(f))
                                    .map_or("", |f| f.label.as_str());
                                ui.label(text("not needed now"))
                                    .on_hover_text(format!("Needed when \"{f}\" is on"));
                            } else if has_policy {
                                ui.label(theme::badge(c.decision.status, dark));
                            } else {
                                ui.label(egui::RichText::new("needed").strong());
                            }
                            // Clicking explains the decision and highlights the deciding statements.
                            let mut perm = egui::RichText::new(&r.permission).monospace().strong();
                            if dimmed {
                                perm = perm.color(theme::dim(dark));
                            }
                            let resp = ui.selectable_label(selected, perm).on_hover_text(
                                "Show why, with the deciding statements in the policy panel",
                            );
                            if resp.clicked() {
                                commands.push(Command::FocusRequirement {
                                    index: if selected { None } else { Some(i) },
                                });
                            }
                            if flash {
                                ui.label(egui::RichText::new("changed").small().strong());
                            }
                        });
                        ui.label(text(&r.reason));
                        for id in &r.sources {
                            if let Some(s) = cat.source(id) {
                                source_ui(ui, s, commands);
                            }
                        }
                        ui.horizontal_wrapped(|ui| {
                            if let Some(d) = &r.disagreement {
                                ui.label(
                                    egui::RichText::new("⚠ AWS pages disagree")
                                        .small()
                                        .color(theme::color(Status::Conditional, dark)),
                                )
                                .on_hover_text(d);
                            }
                            if let Some(n) = &r.note {
                                ui.label(egui::RichText::new("ℹ note").small())
                                    .on_hover_text(n);
                            }
                        });
                        let res = r.resources.join("   ");
                        ui.label(text(&format!("on {res}")).monospace().small());
                        for ctx in r.context_text() {
                            ui.label(text(&format!("with {ctx}")).monospace().small());
                        }
                    })
                },
            );
            if card.response.clicked() {
                commands.push(Command::FocusRequirement {
                    index: if selected { None } else { Some(i) },
                });
            }
        }
        if let Some(c) = self.focused.and_then(|i| check.requirements.get(i)) {
            ui.add_space(6.0);
            egui::Frame::group(ui.style()).show(ui, |ui| {
                ui.label(
                    egui::RichText::new(format!(
                        "Why {} is {}",
                        c.requirement.permission, c.decision.status
                    ))
                    .strong(),
                );
                ui.label(&c.decision.explanation);
                if !c.decision.depends_on.is_empty() {
                    let keys = words::list(c.decision.depends_on.iter().map(|k| &**k), ", ");
                    ui.label(format!("Depends on: {keys}"));
                }
                for r in &c.decision.resources {
                    if check.requirements.len() > 1 && c.requirement.resources.len() > 1 {
                        ui.label(
                            egui::RichText::new(format!(
                                "{} {}",
                                theme::icon(r.status),
                                r.resource
                            ))
                            .monospace()
                            .small()
                            .color(theme::color(r.status, dark)),
                        );
                    }
                }
            });
        }
    }

    fn generated_ui(ui: &mut egui::Ui, input: &mut DetailInput<'_>, commands: &mut Vec<Command>) {
        ui.label(
            egui::RichText::new(
                "Least-privilege statements for what is missing: add to the identity policy",
            )
            .strong(),
        );
        ui.checkbox(
            &mut *input.include_conditional,
            "Include conditional permissions",
        );
        let json = input.generated.to_json();
        if input.generated.is_empty() {
            ui.label(if input.has_policy {
                "Nothing is missing: the policy grants every permission this request needs."
            } else {
                "Everything below is needed, since no policy is loaded."
            });
        }
        code_block(ui, "generated_json", &json);
        ui.horizontal(|ui| {
            if ui
                .button("Copy")
                .on_hover_text(format!(
                    "Copy the statements ({})",
                    ui.ctx().format_shortcut(&crate::app::input::COPY)
                ))
                .clicked()
            {
                commands.push(Command::Copy {
                    what: "the generated statements".to_owned(),
                    text: json.clone(),
                });
            }
            if ui.button("Save as…").clicked() {
                commands.push(Command::SaveDialog { text: json.clone() });
            }
            if let Some(base) = &input.merged_base
                && ui
                    .button("Copy merged policy")
                    .on_hover_text("The first loaded policy with these statements added")
                    .clicked()
            {
                let merged = crate::asg::generate::merged(base, input.generated);
                commands.push(Command::Copy {
                    what: "the merged policy".to_owned(),
                    text: serde_json::to_string_pretty(&merged).unwrap_or_default(),
                });
            }
        });
        for fix in input.other_layers {
            ui.add_space(6.0);
            ui.label(egui::RichText::new(format!("Add to the {}", fix.layer)).strong());
            ui.label(
                egui::RichText::new(format!(
                    "The {} does not allow these, so the request is denied even though other policies allow it.",
                    fix.layer
                ))
                .small(),
            );
            let json = fix.statements.to_json();
            code_block(ui, &format!("generated_{}", fix.layer), &json);
            if ui.button(format!("Copy for the {}", fix.layer)).clicked() {
                commands.push(Command::Copy {
                    what: format!("the statements for the {}", fix.layer),
                    text: json,
                });
            }
        }
    }

    fn about_ui(&mut self, ui: &mut egui::Ui) {
        let cat = catalog();
        let mut open = self.about_open;
        egui::Window::new("About").open(&mut open).default_width(620.0).show(ui.ctx(), |ui| {
            ui.heading(crate::app::TITLE);
            ui.label(format!("Version {}. Works offline: policies are read and evaluated on this computer and never sent anywhere.", env!("CARGO_PKG_VERSION")));
            ui.label(format!("Knowledge base snapshot: {}. {} actions, {} request features, {} cross-service dependencies.", cat.snapshot, cat.actions.len(), cat.features.len(), cat.dependencies.len()));
            ui.separator();
            ui.label(egui::RichText::new("Data sources").strong());
            for s in &cat.sources {
                ui.hyperlink_to(&s.title, &s.url).on_hover_text(&s.url);
                ui.label(egui::RichText::new(format!("{} · {} · {}", s.kind, s.as_of, s.url)).small().weak());
            }
        });
        self.about_open = open;
    }
}

/// A source by its title, the address on hover, and a way to copy the address (a click
/// does nothing where no browser is installed).
fn source_ui(ui: &mut egui::Ui, s: &crate::asg::catalog::Source, commands: &mut Vec<Command>) {
    ui.horizontal_wrapped(|ui| {
        ui.label(egui::RichText::new("Source:").small());
        ui.hyperlink_to(egui::RichText::new(&s.title).small(), &s.url)
            .on_hover_text(format!("{}\n{}, as of {}", s.url, s.kind, s.as_of));
        if ui.small_button("copy link").on_hover_text(&s.url).clicked() {
            commands.push(Command::Copy {
                what: "the link".to_owned(),
                text: s.url.clone(),
            });
        }
    });
}

/// A read-only, selectable code view.
fn code_block(ui: &mut egui::Ui, id: &str, text: &str) {
    let mut t = text;
    egui::ScrollArea::vertical()
        .id_salt(id)
        .max_height(280.0)
        .show(ui, |ui| {
            ui.add(
                egui::TextEdit::multiline(&mut t)
                    .code_editor()
                    .desired_width(f32::INFINITY)
                    .desired_rows(4),
            );
        });
}
