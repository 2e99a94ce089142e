//! Repeated strings stored once: a policy names the same actions and condition keys in
//! statement after statement.

use std::collections::HashSet;
use std::sync::Arc;

/// Hands out one shared copy of each distinct string it is given. Kept only while a
/// document is read; what it handed out lives on in the model.
#[derive(Debug, Default)]
pub struct Interner {
    seen: HashSet<Arc<str>>,
}

impl Interner {
    /// The shared copy of `s`.
    pub fn get(&mut self, s: &str) -> Arc<str> {
        if let Some(shared) = self.seen.get(s) {
            return Arc::clone(shared);
        }
        let shared: Arc<str> = Arc::from(s);
        self.seen.insert(Arc::clone(&shared));
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
}
