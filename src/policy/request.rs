//! The request model: what is asked (an action on resources) and what is known of the
//! request's condition keys. It belongs to the data model, below the evaluator.

use std::collections::BTreeSet;

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
    /// (lower-cased, as first given, what is known), sorted by the first: a condition's key
    /// is looked up folded as it is read, with nothing allocated (see [`FoldedKey`]).
    keys: Vec<(String, String, KeyState)>,
    /// Keys (lower-cased) whose values are templates with unknown parts (`{group_id}`).
    templates: BTreeSet<String>,
}

/// A condition key's name compared as AWS compares them, whatever the case: an ASCII name
/// is folded byte by byte as it is read; any other is given lower-cased
/// ([`str::to_lowercase`]), so both compare as their lower-cased texts would.
#[derive(Clone, Copy, Debug)]
pub(crate) struct FoldedKey<'a> {
    text: &'a str,
    /// `text` is lower-cased already (then it is not folded again).
    lower: bool,
}

impl<'a> FoldedKey<'a> {
    /// An ASCII name as written, folded as it is read. (A name that is not ASCII must be
    /// given lower-cased, to [`lower`](Self::lower): Unicode lower-casing is not byte by
    /// byte.)
    pub(crate) fn ascii(key: &'a str) -> Self {
        debug_assert!(key.is_ascii());
        Self {
            text: key,
            lower: false,
        }
    }

    /// A name already lower-cased.
    pub(crate) fn lower(key: &'a str) -> Self {
        Self {
            text: key,
            lower: true,
        }
    }

    /// The bytes of the lower-cased name.
    fn bytes(self) -> impl Iterator<Item = u8> + 'a {
        let lower = self.lower;
        self.text
            .bytes()
            .map(move |b| if lower { b } else { b.to_ascii_lowercase() })
    }
}

impl PartialEq for FoldedKey<'_> {
    fn eq(&self, other: &Self) -> bool {
        self.text.len() == other.text.len() && self.bytes().eq(other.bytes())
    }
}

impl Eq for FoldedKey<'_> {}

impl PartialOrd for FoldedKey<'_> {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for FoldedKey<'_> {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        self.bytes().cmp(other.bytes())
    }
}

impl std::hash::Hash for FoldedKey<'_> {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        for b in self.bytes() {
            state.write_u8(b);
        }
        state.write_u8(0xff);
    }
}

impl Context {
    /// Sets a key's values.
    pub fn set<I, S>(&mut self, key: &str, values: I)
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.templates.remove(&key.to_lowercase());
        self.put(
            key,
            KeyState::Values(values.into_iter().map(Into::into).collect()),
        );
    }

    /// Sets what is known of `key` (replacing what was, and the name as first given).
    fn put(&mut self, key: &str, state: KeyState) {
        let lower = key.to_lowercase();
        let entry = (lower, key.to_owned(), state);
        match self.keys.binary_search_by(|k| k.0.cmp(&entry.0)) {
            Ok(i) => self.keys[i] = entry,
            Err(i) => self.keys.insert(i, entry),
        }
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

    /// True when the key's values are templates, the key folded as it is compared.
    pub(crate) fn is_template_folded(&self, key: FoldedKey<'_>) -> bool {
        self.templates.iter().any(|t| FoldedKey::lower(t) == key)
    }

    /// Marks a key as absent from the request.
    pub fn set_absent(&mut self, key: &str) {
        self.templates.remove(&key.to_lowercase());
        self.put(key, KeyState::Absent);
    }

    /// What is known of a key.
    pub fn get(&self, key: &str) -> Option<&KeyState> {
        if key.is_ascii() {
            self.get_folded(FoldedKey::ascii(key))
        } else {
            self.get_lower(&key.to_lowercase())
        }
    }

    /// What is known of a key given already lower-cased: no allocation.
    pub fn get_lower(&self, lower: &str) -> Option<&KeyState> {
        self.get_folded(FoldedKey::lower(lower))
    }

    /// What is known of a key, folded as it is compared: no allocation.
    pub(crate) fn get_folded(&self, key: FoldedKey<'_>) -> Option<&KeyState> {
        let i = self
            .keys
            .binary_search_by(|k| k.0.bytes().cmp(key.bytes()))
            .ok()?;
        Some(&self.keys[i].2)
    }

    /// The known keys, with their names as first given.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &KeyState)> {
        self.keys.iter().map(|(_, k, s)| (k.as_str(), s))
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
