//! Helpers shared by the UI test crates.

use std::path::PathBuf;
use std::time::{Duration, Instant};

use asg_perms::app::{Command, ExplorerApp, Slot};
use egui_kittest::Harness;

/// Loads a file through the same background path the file dialog and drag and drop use,
/// and waits for it.
pub fn load(h: &mut Harness<'static, ExplorerApp>, path: PathBuf) {
    h.state_mut().push(Command::LoadPath {
        slot: Slot::Identity,
        path,
    });
    wait_for_jobs(h);
}

/// Steps the app until its background jobs (loads, dialogs, saves) are done and it has
/// settled. A job's result may start another (a loaded policy is then linted), and on a
/// busy machine that one may still run when the app is asked to settle: then it waits for
/// it too, rather than fail.
pub fn wait_for_jobs(h: &mut Harness<'static, ExplorerApp>) {
    h.run_steps(2);
    let start = Instant::now();
    // A job that ends while the app settles asks for one more frame to take its result in:
    // once, not twice in a row without a job running.
    let mut quiet_misses = 0;
    loop {
        while h.state().pending_jobs() > 0 {
            assert!(
                start.elapsed() < Duration::from_secs(30),
                "the background work did not finish"
            );
            std::thread::sleep(Duration::from_millis(5));
            h.step();
        }
        match h.try_run() {
            Ok(_) => return,
            Err(e) => {
                if h.state().pending_jobs() == 0 {
                    quiet_misses += 1;
                }
                assert!(
                    quiet_misses < 2 && start.elapsed() < Duration::from_secs(30),
                    "the app did not settle with no job running: {e}"
                );
            }
        }
    }
}
