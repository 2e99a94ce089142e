//! Keyboard, clipboard and drag-and-drop input, turned into commands.

use super::ExplorerApp;
use super::commands::Command;
use super::model::Slot;
use super::state::Notice;

/// Open a policy file.
pub const OPEN: egui::KeyboardShortcut =
    egui::KeyboardShortcut::new(egui::Modifiers::COMMAND, egui::Key::O);
/// Quit.
pub const QUIT: egui::KeyboardShortcut =
    egui::KeyboardShortcut::new(egui::Modifiers::COMMAND, egui::Key::Q);
/// Focus the filter.
pub const FIND: egui::KeyboardShortcut =
    egui::KeyboardShortcut::new(egui::Modifiers::COMMAND, egui::Key::F);
/// Undo the last replace, clear or remove of policies.
pub const UNDO: egui::KeyboardShortcut =
    egui::KeyboardShortcut::new(egui::Modifiers::COMMAND, egui::Key::Z);
/// Copy the generated statements.
pub const COPY: egui::KeyboardShortcut =
    egui::KeyboardShortcut::new(egui::Modifiers::COMMAND, egui::Key::C);

impl ExplorerApp {
    pub(super) fn handle_input(&mut self, ctx: &egui::Context) {
        // Dropped files.
        let dropped = ctx.input(|i| i.raw.dropped_files.clone());
        for f in dropped {
            // Native drops carry a path: load it in the background like the dialog does.
            let path = f.path().to_path_buf();
            if path.as_os_str().is_empty() {
                self.notice = Some(Notice::error(
                    "The dropped item has no file path.".to_owned(),
                ));
            } else {
                self.commands.push(Command::LoadPath {
                    slot: Slot::Identity,
                    path,
                });
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
            self.commands.push(Command::LoadText {
                slot: Slot::Identity,
                name: "pasted policy".to_owned(),
                text: t,
            });
        }
        if text_focused {
            return;
        }
        if ctx.input_mut(|i| i.consume_shortcut(&UNDO)) {
            self.commands.push(Command::Undo);
        }
        if ctx.input_mut(|i| i.consume_shortcut(&OPEN)) {
            self.commands.push(Command::OpenDialog {
                slot: Slot::Identity,
            });
        }
        if ctx.input_mut(|i| i.consume_shortcut(&QUIT)) {
            ctx.send_viewport_cmd(egui::ViewportCommand::Close);
        }
        if ctx.input_mut(|i| i.consume_shortcut(&FIND)) {
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
            let json = self.generated().to_json();
            self.commands.push(Command::Copy {
                what: "the generated statements".to_owned(),
                text: json,
            });
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
                    self.commands.push(Command::Select { action: n.clone() });
                    self.tree.scroll_to_selected = true;
                }
            } else if let Some(first) = visible.first() {
                self.commands.push(Command::Select {
                    action: first.clone(),
                });
            }
        }
    }
}
