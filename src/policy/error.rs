//! The policy layer's error.

use crate::text::Location;

/// A document that is not a valid policy, with its place.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error, serde::Serialize)]
pub enum PolicyError {
    /// The text is not JSON.
    #[error("{at}: {message}")]
    Syntax {
        /// Where.
        at: Location,
        /// What is wrong.
        message: String,
    },
    /// JSON, but not the shape of a policy (a wrong type, a missing element, a bad value).
    #[error("{at}: {message}")]
    Shape {
        /// Where.
        at: Location,
        /// What is wrong.
        message: String,
    },
}

impl PolicyError {
    /// A shape error at byte `offset` of `text`.
    pub(crate) fn shape(
        origin: &str,
        text: &str,
        offset: usize,
        message: impl Into<String>,
    ) -> Self {
        Self::Shape {
            at: Location::at(origin, text, offset),
            message: message.into(),
        }
    }

    /// Where the error is.
    pub fn location(&self) -> &Location {
        match self {
            Self::Syntax { at, .. } | Self::Shape { at, .. } => at,
        }
    }

    /// What is wrong, without the place.
    pub fn message(&self) -> &str {
        match self {
            Self::Syntax { message, .. } | Self::Shape { message, .. } => message,
        }
    }

    /// The message with its place and excerpt, as shown to people.
    pub fn describe(&self) -> String {
        self.location().describe(self.message())
    }
}
