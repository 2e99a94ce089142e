//! The panels: each holds only its UI state and draws what it is given.

mod detail;
mod diagnose;
mod policy;
mod request;
mod review;
mod simulate;
mod tree;

pub use detail::{DetailInput, DetailPanel};
pub use diagnose::DiagnosePanel;
pub use policy::PolicyPanel;
pub use request::RequestPanel;
pub use review::{CompareInput, ComparePanel, MatrixInput, MatrixPanel};
pub use simulate::SimulatePanel;
pub use tree::TreePanel;

use crate::engine::Decision;

/// A decision explained: the explanation, the statements that decided (or nearly matched),
/// and what the answer depends on. Shared by the policy panel and the Simulate window.
pub fn decision_ui(ui: &mut egui::Ui, d: &Decision) {
    ui.label(&d.explanation);
    for (what, list) in [
        ("Decided by", &d.decided_by),
        ("Nearest misses", &d.near_misses),
    ] {
        if list.is_empty() {
            continue;
        }
        ui.label(egui::RichText::new(what).small().strong());
        for s in list {
            ui.label(
                egui::RichText::new(format!("{} · {}", s.label(), s.layer))
                    .small()
                    .monospace(),
            );
        }
    }
    if !d.depends_on.is_empty() {
        // Named up to a few dozen, the rest counted: a statement may test a hundred thousand
        // keys, and a label of megabytes would stall every frame.
        let keys = crate::text::words::list(d.depends_on.iter().map(|k| &**k), ", ");
        ui.label(egui::RichText::new(format!("Depends on: {keys}")).small());
    }
}
