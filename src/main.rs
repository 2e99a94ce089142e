//! `asg-perms`: without arguments, the desktop app; with a subcommand, the command line.

use clap::Parser as _;

fn main() {
    let cli = asg_perms::cli::Cli::parse();
    match cli.command {
        Some(command) => std::process::exit(asg_perms::cli::run(command)),
        None => std::process::exit(0),
    }
}
