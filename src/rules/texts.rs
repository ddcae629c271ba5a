//! The texts of findings, shared: each message or detail is kept once however many entries it
//! is said of.

use std::sync::Arc;

use rustc_hash::FxHashSet;
use serde::Serialize;

/// A finding's message or detail, one copy shared by every finding that says the same: a large
/// contest says a few hundred different things of a hundred thousand entries.
#[derive(Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Text(Arc<Box<str>>);

impl Text {
    pub fn new(text: &str) -> Text {
        Text(Arc::new(text.into()))
    }

    /// Which copy this is: the same for every finding that shares it (see [`Texts`]).
    pub fn copy_id(&self) -> usize {
        Arc::as_ptr(&self.0) as usize
    }

    /// Whether another finding holds this copy: said of one entry only (a message naming other
    /// entries, say), it is not. A text said again where it was made apart from this copy is
    /// another copy, so this can say no of a text said twice, never yes of one said once.
    pub fn is_shared(&self) -> bool {
        Arc::strong_count(&self.0) > 1
    }
}

impl std::ops::Deref for Text {
    type Target = str;
    fn deref(&self) -> &str {
        &self.0
    }
}

impl std::borrow::Borrow<str> for Text {
    fn borrow(&self) -> &str {
        self
    }
}

/// As the text itself, so that a [`Text`] is found by its `&str`.
impl std::hash::Hash for Text {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        str::hash(self, state);
    }
}

impl PartialEq<&str> for Text {
    fn eq(&self, other: &&str) -> bool {
        **self == **other
    }
}

impl std::fmt::Debug for Text {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        std::fmt::Debug::fmt(&**self, f)
    }
}

impl std::fmt::Display for Text {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self)
    }
}

impl Serialize for Text {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self)
    }
}

/// The [`Text`]s made so far: a text said again is the same copy.
#[derive(Default)]
pub(super) struct Texts(FxHashSet<Text>);

impl Texts {
    pub(super) fn get(&mut self, text: &str) -> Text {
        if let Some(known) = self.0.get(text) {
            return known.clone();
        }
        let new = Text::new(text);
        self.0.insert(new.clone());
        new
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_text_said_again_is_the_same_copy() {
        let mut texts = Texts::default();
        let a = texts.get("所属地区：榆次区");
        let b = texts.get(&String::from("所属地区：榆次区"));
        let c = texts.get("所属地区：太谷区");
        assert!(Arc::ptr_eq(&a.0, &b.0));
        assert!(!Arc::ptr_eq(&a.0, &c.0));
        assert_eq!(a, "所属地区：榆次区");
        assert_eq!(serde_json::to_string(&c).unwrap(), "\"所属地区：太谷区\"");
    }
}
