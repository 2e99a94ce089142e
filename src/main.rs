//! `asg-perms`: without arguments, the desktop app; with a subcommand, the command line.

use std::io::Write as _;

use clap::Parser as _;

fn main() -> std::process::ExitCode {
    let cli = asg_perms::cli::Cli::parse();
    match cli.command {
        Some(command) => asg_perms::cli::run(command).into(),
        None => open_app(cli.open),
    }
}

#[cfg(feature = "gui")]
fn open_app(open: Option<std::path::PathBuf>) -> std::process::ExitCode {
    match asg_perms::app::run(open) {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            let mut err = std::io::stderr();
            writeln!(err, "asg-perms: could not open the window: {e}").ok();
            writeln!(
                err,
                "asg-perms: the command line works without a display: asg-perms --help"
            )
            .ok();
            asg_perms::cli::ExitCode::Error.into()
        }
    }
}

#[cfg(not(feature = "gui"))]
fn open_app(_open: Option<std::path::PathBuf>) -> std::process::ExitCode {
    writeln!(
        std::io::stderr(),
        "asg-perms: this build has no desktop app (built without the `gui` feature); see asg-perms --help"
    )
    .ok();
    asg_perms::cli::ExitCode::Error.into()
}
