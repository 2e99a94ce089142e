//! Repeated strings stored once: a policy names the same actions and condition keys in
//! statement after statement.

use std::collections::HashSet;
use std::sync::Arc;

/// Hands out one shared copy of each distinct string it is given, for the first
/// [`MAX_SHARED`] distinct strings; after those, a string not among them gets a copy of its
/// own. Kept only while a document is read; what it handed out lives on in the model.
#[derive(Debug, Default)]
pub struct Interner {
    /// Hashed with random keys, quickly: a policy's strings are short, and many.
    seen: HashSet<Arc<str>, foldhash::fast::RandomState>,
}

/// How many distinct strings an interner shares. A policy repeats the same few hundred
/// actions and keys; a statement of a hundred thousand distinct condition keys gains
/// nothing from a table of them all, which took twice the file.
pub const MAX_SHARED: usize = 1 << 14;

impl Interner {
    /// The shared copy of `s` (or a copy of its own once [`MAX_SHARED`] are shared).
    pub fn get(&mut self, s: &str) -> Arc<str> {
        if let Some(shared) = self.seen.get(s) {
            return Arc::clone(shared);
        }
        let shared: Arc<str> = Arc::from(s);
        if self.seen.len() < MAX_SHARED {
            self.seen.insert(Arc::clone(&shared));
        }
        shared
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_same_text_is_shared() {
        let mut i = Interner::default();
        let a = i.get("ec2:RunInstances");
        let b = i.get("ec2:RunInstances");
        let c = i.get("ec2:CreateTags");
        assert!(Arc::ptr_eq(&a, &b));
        assert!(!Arc::ptr_eq(&a, &c));
        assert_eq!(&*c, "ec2:CreateTags");
    }

    #[test]
    fn past_the_bound_a_new_string_is_its_own_copy_and_the_shared_stay_shared() {
        let mut i = Interner::default();
        let first = i.get("k0");
        for n in 1..MAX_SHARED + 10 {
            i.get(&format!("k{n}"));
        }
        assert_eq!(i.seen.len(), MAX_SHARED);
        assert!(Arc::ptr_eq(&first, &i.get("k0")));
        let late = format!("k{}", MAX_SHARED + 5);
        let (a, b) = (i.get(&late), i.get(&late));
        assert_eq!((&*a, &*b), (late.as_str(), late.as_str()));
        assert!(!Arc::ptr_eq(&a, &b));
    }
}
