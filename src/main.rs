//! `asg-perms`: without arguments, the desktop app; with a subcommand, the command line.

use std::io::Write as _;

fn main() -> std::process::ExitCode {
    #[cfg(feature = "clipboard")]
    if std::env::args_os()
        .nth(1)
        .is_some_and(|a| a == asg_perms::clipboard::SERVE_ARG)
    {
        return std::process::ExitCode::from(asg_perms::clipboard::serve());
    }
    let cli = asg_perms::cli::Cli::parse_args();
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
            let no_display = cfg!(target_os = "linux")
                && std::env::var_os("DISPLAY").is_none()
                && std::env::var_os("WAYLAND_DISPLAY").is_none();
            let why = if no_display {
                "there is no display to open it on (neither DISPLAY nor WAYLAND_DISPLAY is set)"
                    .to_owned()
            } else {
                // The first line only: deeper lines name source files of the build machine.
                let first = e.to_string();
                let first = first.lines().next().unwrap_or_default();
                if first.contains(".rs:") || first.contains(".cargo") {
                    "the graphics system refused".to_owned()
                } else {
                    first.to_owned()
                }
            };
            writeln!(
                std::io::stderr(),
                "asg-perms: could not open the window: {why}. The command line works without a display: asg-perms --help"
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
