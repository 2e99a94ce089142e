//! `asg-perms`: without arguments, the desktop app; with a subcommand, the command line.

use clap::Parser as _;

fn main() {
    let cli = asg_perms::cli::Cli::parse();
    match cli.command {
        Some(command) => std::process::exit(asg_perms::cli::run(command)),
        None => {
            if let Err(e) = asg_perms::app::run(cli.open) {
                eprintln!("asg-perms: could not open the window: {e}");
                eprintln!("asg-perms: the command line works without a display: asg-perms --help");
                std::process::exit(2);
            }
        }
    }
}
