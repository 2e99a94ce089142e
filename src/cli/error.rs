//! The command line's error: everything that ends a command with exit code 2.

use crate::asg::requirements::ResolveError;
use crate::io::LoadError;

/// Why a command could not run.
#[derive(Debug, thiserror::Error)]
pub enum CliError {
    /// The arguments do not fit together.
    #[error("{0}")]
    Usage(String),
    /// An input could not be read.
    #[error("{}", .0.describe())]
    Load(#[from] LoadError),
    /// An action or feature name is unknown.
    #[error(transparent)]
    Resolve(#[from] ResolveError),
    /// The clipboard could not be used.
    #[error("could not copy: {0}")]
    Clipboard(String),
    /// Standard output could not be written.
    #[error("cannot write the output: {0}")]
    Output(#[from] std::io::Error),
}

impl CliError {
    /// True when standard output was closed by the reader (`asg-perms list | head -1`): the
    /// reader has what it wanted, so the command ends quietly with success.
    pub fn is_broken_pipe(&self) -> bool {
        matches!(self, Self::Output(e) if e.kind() == std::io::ErrorKind::BrokenPipe)
    }
}
