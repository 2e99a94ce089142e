//! The eframe entry point: the window, its options, saving state on exit.

use std::path::PathBuf;
use std::time::Instant;

use super::commands::Command;
use super::model::Slot;
use super::{APP_ID, ExplorerApp, TITLE};

impl eframe::App for ExplorerApp {
    fn ui(&mut self, ui: &mut egui::Ui, _frame: &mut eframe::Frame) {
        let start = self.report_frames.then(Instant::now);
        Self::ui(self, ui);
        if let Some(t) = start {
            // One line a frame: the time the app's own work took (layout and drawing
            // commands; not the GPU's part).
            use std::io::Write as _;
            writeln!(
                std::io::stderr(),
                "asg-perms: frame {:.2} ms{}",
                t.elapsed().as_secs_f64() * 1000.0,
                if self.evaluation_progress().is_some() {
                    " (evaluating in the background)"
                } else {
                    ""
                }
            )
            .ok();
        }
    }

    fn save(&mut self, storage: &mut dyn eframe::Storage) {
        if self.persist {
            (self.state.loaded, self.state.principal) = self.policies.saved();
            eframe::set_value(storage, eframe::APP_KEY, &self.state);
        }
    }
}

/// Opens the window, with a policy file loaded if one is given. With the environment
/// variable `ASG_PERMS_REPORT_FIRST_FRAME` set, prints the time to the first frame; with
/// `ASG_PERMS_REPORT_FRAMES`, the time of every frame.
pub fn run(open: Option<PathBuf>) -> eframe::Result {
    let started = Instant::now();
    let icon = eframe::icon_data::from_png_bytes(include_bytes!("../../assets/icon.png")).ok();
    let mut viewport = egui::ViewportBuilder::default()
        .with_title(TITLE)
        .with_app_id(APP_ID)
        .with_inner_size([1280.0, 800.0])
        .with_min_inner_size([1024.0, 700.0])
        .with_drag_and_drop(true);
    if let Some(icon) = icon {
        viewport = viewport.with_icon(icon);
    }
    let options = eframe::NativeOptions {
        viewport,
        ..Default::default()
    };
    eframe::run_native(
        TITLE,
        options,
        Box::new(move |cc| {
            let mut app = ExplorerApp::new(cc);
            if let Some(path) = open {
                // The file asked for replaces what the last session had open.
                app.commands
                    .retain(|c| !matches!(c, Command::Restore { .. }));
                app.push(Command::LoadPath {
                    slot: Slot::Identity,
                    path,
                });
            }
            if std::env::var_os("ASG_PERMS_REPORT_FIRST_FRAME").is_some() {
                app.report_first_frame = Some(started);
            }
            app.report_frames = std::env::var_os("ASG_PERMS_REPORT_FRAMES").is_some();
            Ok(Box::new(app))
        }),
    )
}
