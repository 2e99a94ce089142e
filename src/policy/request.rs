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
/// is folded to lower case as it is compared, eight bytes at a time; any other is given
/// lower-cased ([`str::to_lowercase`]), so both compare as their lower-cased texts would.
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

    /// How this name compares with `other`, as their lower-cased texts do.
    fn compare(self, other: FoldedKey<'_>) -> std::cmp::Ordering {
        compare_folded(self.text, !self.lower, other.text, !other.lower)
    }

    /// [`compare`](Self::compare) with a name already lower-cased, made for the look-up
    /// (the hot path of every condition): `memcmp` when this one is lower-cased too, else
    /// only this side folded.
    fn against_lower(self, lower: &str) -> std::cmp::Ordering {
        if self.lower {
            return self.text.as_bytes().cmp(lower.as_bytes());
        }
        compare_folded(self.text, true, lower, false)
    }
}

/// How `a` and `b` compare once lower-cased, each folded as it is read when its flag says
/// so (it is then ASCII). Keys share long beginnings (`aws:requesttag/`), so eight bytes are
/// compared at once; inlined, so a caller's constant flags leave no test in the loop.
#[inline]
fn compare_folded(a: &str, fold_a: bool, b: &str, fold_b: bool) -> std::cmp::Ordering {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    let n = a.len().min(b.len());
    let mut i = 0;
    while i + 8 <= n {
        let (x, y) = (word(a, fold_a, i), word(b, fold_b, i));
        if x != y {
            let at = ((x ^ y).trailing_zeros() / 8) as usize;
            return x.to_le_bytes()[at].cmp(&y.to_le_bytes()[at]);
        }
        i += 8;
    }
    for j in i..n {
        let (x, y) = (byte(a, fold_a, j), byte(b, fold_b, j));
        if x != y {
            return x.cmp(&y);
        }
    }
    a.len().cmp(&b.len())
}

/// Word `at..at + 8` of `bytes` (there are that many), lower-cased when `fold`.
#[inline]
fn word(bytes: &[u8], fold: bool, at: usize) -> u64 {
    let x = u64::from_le_bytes(chunk8(bytes, at));
    if fold { fold_ascii8(x) } else { x }
}

/// Byte `at` of `bytes`, lower-cased when `fold`.
#[inline]
fn byte(bytes: &[u8], fold: bool, at: usize) -> u8 {
    if fold {
        bytes[at].to_ascii_lowercase()
    } else {
        bytes[at]
    }
}

/// Bytes `at..at + 8` of `bytes` (there are that many).
fn chunk8(bytes: &[u8], at: usize) -> [u8; 8] {
    let mut out = [0; 8];
    out.copy_from_slice(&bytes[at..at + 8]);
    out
}

/// Eight ASCII bytes lower-cased at once: each of `A`..=`Z` gets its 0x20 bit. (For bytes
/// below 0x80, adding 0x3F sets the top bit from `A` up and adding 0x25 from `[` up; neither
/// carries into the next byte.)
fn fold_ascii8(x: u64) -> u64 {
    const ONES: u64 = 0x0101_0101_0101_0101;
    let from_a = x.wrapping_add(ONES * 0x3F);
    let past_z = x.wrapping_add(ONES * 0x25);
    let upper = from_a & !past_z & (ONES * 0x80);
    x | (upper >> 2)
}

impl PartialEq for FoldedKey<'_> {
    fn eq(&self, other: &Self) -> bool {
        self.text.len() == other.text.len() && self.compare(*other).is_eq()
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
        self.compare(*other)
    }
}

impl std::hash::Hash for FoldedKey<'_> {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        // Word by word, as `compare` reads them: equal names hash alike.
        let n = self.text.len();
        let mut i = 0;
        while i + 8 <= n {
            state.write_u64(word(self.text.as_bytes(), !self.lower, i));
            i += 8;
        }
        for j in i..n {
            state.write_u8(byte(self.text.as_bytes(), !self.lower, j));
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
        self.put(
            key,
            KeyState::Values(values.into_iter().map(Into::into).collect()),
        );
    }

    /// Sets what is known of `key` (replacing what was, the name as first given, and
    /// whether its values were templates).
    fn put(&mut self, key: &str, state: KeyState) {
        let lower = key.to_lowercase();
        self.templates.remove(&lower);
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
        !self.templates.is_empty() && self.templates.iter().any(|t| FoldedKey::lower(t) == key)
    }

    /// Marks a key as absent from the request.
    pub fn set_absent(&mut self, key: &str) {
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
            .binary_search_by(|k| key.against_lower(&k.0).reverse())
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

#[cfg(test)]
mod tests {
    use super::*;

    /// Every ASCII byte, at every place of the eight, lower-cases as one byte alone does.
    #[test]
    fn eight_bytes_fold_as_each_byte_does() {
        for b in 0u8..0x80 {
            for at in 0..8 {
                let mut bytes = *b"aZ:/k-9_";
                bytes[at] = b;
                let folded = fold_ascii8(u64::from_le_bytes(bytes)).to_le_bytes();
                let one_by_one = bytes.map(|x| x.to_ascii_lowercase());
                assert_eq!(folded, one_by_one, "{b:#x} at {at}");
            }
        }
    }

    proptest::proptest! {
        /// A name compares with a lower-cased one as its lower-casing would, whatever the
        /// lengths and wherever they first differ.
        #[test]
        fn a_folded_name_compares_as_its_lower_casing(
            key in "[aAsS:/kK-]{0,40}",
            other in "[as:/k-]{0,40}",
            share in 0usize..40,
        ) {
            // Often a long shared beginning, as condition keys have.
            let lower = format!("{}{other}", key.to_lowercase().get(..share.min(key.len())).unwrap_or(""));
            let folded = FoldedKey::ascii(&key);
            proptest::prop_assert_eq!(folded.cmp(&FoldedKey::lower(&lower)), key.to_lowercase().cmp(&lower));
            proptest::prop_assert_eq!(folded.against_lower(&lower), key.to_lowercase().cmp(&lower));
            proptest::prop_assert_eq!(FoldedKey::lower(&lower).cmp(&folded), lower.cmp(&key.to_lowercase()));
            proptest::prop_assert_eq!(folded == FoldedKey::lower(&lower), key.to_lowercase() == lower);
            // Equal names hash alike, however they are written.
            if key.to_lowercase() == lower {
                let state = std::hash::RandomState::new();
                let h = |k: FoldedKey<'_>| std::hash::BuildHasher::hash_one(&state, k);
                proptest::prop_assert_eq!(h(folded), h(FoldedKey::lower(&lower)));
            }
            let mut c = Context::default();
            c.set(&lower, ["v"]);
            proptest::prop_assert_eq!(c.get(&key).is_some(), key.to_lowercase() == lower);
        }
    }
}
