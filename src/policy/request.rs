//! The request model: what is asked (an action on resources) and what is known of the
//! request's condition keys. It belongs to the data model, below the evaluator.

use std::collections::{BTreeMap, BTreeSet};

use crate::text::pattern::Template;

/// What is known of one condition key in a request.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum KeyState {
    /// The request does not carry the key.
    Absent,
    /// The request carries these values (one for single-valued keys).
    Values(Vec<String>),
}

/// What is known of a request's condition keys. Keys not set here are unknown: they may be
/// absent or hold any value. Key names are case-insensitive.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct Context {
    keys: BTreeMap<String, (String, KeyState)>,
    /// Keys (lower-cased) whose values are templates with unknown parts (`{group_id}`).
    templates: BTreeSet<String>,
}

impl Context {
    /// Sets a key's values.
    pub fn set<I, S>(&mut self, key: &str, values: I)
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.templates.remove(&key.to_lowercase());
        self.keys.insert(
            key.to_lowercase(),
            (
                key.to_owned(),
                KeyState::Values(values.into_iter().map(Into::into).collect()),
            ),
        );
    }

    /// Sets a key's values as templates: `{name}` in them is an unknown part, matched
    /// three-valued (an ARN whose group id is not known yet, say).
    pub fn set_template<I, S>(&mut self, key: &str, values: I)
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.set(key, values);
        self.templates.insert(key.to_lowercase());
    }

    /// True when the key's values are templates.
    pub fn is_template(&self, key: &str) -> bool {
        !self.templates.is_empty() && self.templates.contains(&key.to_lowercase())
    }

    /// Marks a key as absent from the request.
    pub fn set_absent(&mut self, key: &str) {
        self.templates.remove(&key.to_lowercase());
        self.keys
            .insert(key.to_lowercase(), (key.to_owned(), KeyState::Absent));
    }

    /// What is known of a key.
    pub fn get(&self, key: &str) -> Option<&KeyState> {
        if key.bytes().any(|b| b.is_ascii_uppercase() || !b.is_ascii()) {
            self.get_lower(&key.to_lowercase())
        } else {
            self.get_lower(key)
        }
    }

    /// What is known of a key given already lower-cased: no allocation.
    pub fn get_lower(&self, lower: &str) -> Option<&KeyState> {
        self.keys.get(lower).map(|(_, s)| s)
    }

    /// The known keys, with their names as first given.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &KeyState)> {
        self.keys.values().map(|(k, s)| (k.as_str(), s))
    }

    /// True when nothing is known.
    pub fn is_empty(&self) -> bool {
        self.keys.is_empty()
    }
}

/// One required permission: an action on one or more resources, with what is known of the
/// request. A request is allowed only when every resource is allowed.
#[derive(Clone, Debug)]
pub struct Request {
    /// `service:Action`.
    pub action: String,
    /// The resources, as templates (`arn:aws:iam::{account}:role/{role}`), or `*` for an
    /// action without resource-level permissions.
    pub resources: Vec<Template>,
    /// What is known of the request's condition keys.
    pub context: Context,
}
