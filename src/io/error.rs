//! The input layer's error.

use crate::policy::PolicyError;
use crate::text::Location;

/// Why an input could not be loaded, or a principal not assembled from it.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error, serde::Serialize)]
pub enum LoadError {
    /// The policy text is not JSON or not a valid policy.
    #[error(transparent)]
    Policy(#[from] PolicyError),
    /// The file could not be read.
    #[error("{at}: cannot read the file: {message}")]
    Read {
        /// Which file.
        at: Location,
        /// The operating system's reason.
        message: String,
    },
    /// The input is not something this tool reads at all: a folder, too large, binary, not
    /// UTF-8, empty.
    #[error("{at}: {message}")]
    NotAPolicy {
        /// Where.
        at: Location,
        /// What it is instead.
        message: String,
    },
    /// An authorization-details file whose structure is wrong.
    #[error("{at}: {message}")]
    Account {
        /// Where.
        at: Location,
        /// What is wrong.
        message: String,
    },
    /// The principal asked for is not in the file, or refers to a policy the file lacks.
    #[error("{at}: {message}")]
    Principal {
        /// The file.
        at: Location,
        /// What is wrong.
        message: String,
    },
}

impl LoadError {
    /// Where the error is.
    pub fn location(&self) -> &Location {
        match self {
            Self::Policy(e) => e.location(),
            Self::Read { at, .. }
            | Self::NotAPolicy { at, .. }
            | Self::Account { at, .. }
            | Self::Principal { at, .. } => at,
        }
    }

    /// What is wrong, without the place.
    pub fn message(&self) -> &str {
        match self {
            Self::Policy(e) => e.message(),
            Self::Read { message, .. }
            | Self::NotAPolicy { message, .. }
            | Self::Account { message, .. }
            | Self::Principal { message, .. } => message,
        }
    }

    /// The message with its place and excerpt, as shown to people.
    pub fn describe(&self) -> String {
        match self {
            // The OS reason reads best after "cannot read the file".
            Self::Read { at, message } => at.describe(&format!("cannot read the file: {message}")),
            _ => self.location().describe(self.message()),
        }
    }

    pub(crate) fn account(
        origin: &str,
        text: &str,
        offset: usize,
        message: impl Into<String>,
    ) -> Self {
        Self::Account {
            at: Location::at(origin, text, offset),
            message: message.into(),
        }
    }

    pub(crate) fn not_a_policy(at: Location, message: impl Into<String>) -> Self {
        Self::NotAPolicy {
            at,
            message: message.into(),
        }
    }
}
