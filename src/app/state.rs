//! What the app keeps between runs, and the messages it shows.

use std::collections::BTreeMap;
use std::path::PathBuf;

use super::model::SavedDoc;
use crate::asg::requirements::Facts;

/// The state kept between runs.
#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
#[serde(default)]
pub struct State {
    /// Dark theme.
    pub dark: bool,
    /// The selected action.
    pub selected: String,
    /// Features on, per action.
    pub features: BTreeMap<String, Vec<String>>,
    /// Facts.
    pub facts: Facts,
    /// Recently opened files, newest first.
    pub recent: Vec<PathBuf>,
    /// Generate statements for conditional permissions too.
    pub include_conditional: bool,
    /// What was loaded when the app last closed, reopened at start.
    pub loaded: Vec<SavedDoc>,
    /// The principal chosen from an account dump.
    pub principal: Option<String>,
}

impl Default for State {
    fn default() -> Self {
        Self {
            dark: false,
            selected: "CreateAutoScalingGroup".to_owned(),
            features: BTreeMap::new(),
            facts: Facts::default(),
            recent: Vec::new(),
            include_conditional: false,
            loaded: Vec::new(),
            principal: None,
        }
    }
}

/// A message shown in the bar under the top bar.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Notice {
    /// The text.
    pub text: String,
    /// An error (red) or information.
    pub error: bool,
    /// Offer "Undo" with it (after something replaced or removed what the user had).
    pub undo: bool,
}

impl Notice {
    /// Information.
    pub fn info(text: impl Into<String>) -> Self {
        Self {
            text: text.into(),
            error: false,
            undo: false,
        }
    }

    /// Information with an Undo button.
    pub fn undoable(text: impl Into<String>) -> Self {
        Self {
            undo: true,
            ..Self::info(text)
        }
    }

    /// An error, shown in red.
    pub fn error(text: impl Into<String>) -> Self {
        Self {
            text: text.into(),
            error: true,
            undo: false,
        }
    }
}
