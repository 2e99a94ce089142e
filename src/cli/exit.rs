//! Typed exit codes, as ripgrep and fd have them.

/// How a command ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ExitCode {
    /// 0: nothing required is missing (or the command had nothing to check).
    Success,
    /// 1: something required is missing (or conditional under `--strict`).
    Missing,
    /// 2: bad usage or unreadable input; the message went to standard error.
    Error,
}

impl ExitCode {
    /// The number the process exits with.
    pub fn code(self) -> u8 {
        match self {
            Self::Success => 0,
            Self::Missing => 1,
            Self::Error => 2,
        }
    }
}

impl From<ExitCode> for std::process::ExitCode {
    fn from(c: ExitCode) -> Self {
        Self::from(c.code())
    }
}
