//! One tree for every input the request is read from: API JSON, a command line's options,
//! `CloudFormation` (JSON or YAML) and Terraform. Each node keeps the line and column it was
//! read from, so every feature can point at its place in the input.

use crate::text::json::LineIndex;

/// A value read from the input, with its place.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Node {
    pub val: Val,
    /// 1-based line.
    pub line: usize,
    /// 1-based column.
    pub col: usize,
}

/// The kinds of value.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Val {
    Null,
    Bool(bool),
    /// A number, as written.
    Num(String),
    Str(String),
    List(Vec<Node>),
    /// Members in input order.
    Map(Vec<(String, Node)>),
    /// A value known only when the template is deployed (a Terraform expression or
    /// reference), as written.
    Expr(String),
}

/// A parameter name compared without case, dashes or underscores (`--service-linked-role-arn`,
/// `service_linked_role_arn` and `ServiceLinkedRoleARN` are the same).
pub(crate) fn norm(name: &str) -> String {
    name.chars()
        .filter(char::is_ascii_alphanumeric)
        .map(|c| c.to_ascii_lowercase())
        .collect()
}

impl Node {
    pub fn new(val: Val, line: usize, col: usize) -> Self {
        Self { val, line, col }
    }

    /// The member named `name` (case, dashes and underscores ignored), if this is a map.
    pub fn get(&self, name: &str) -> Option<&Node> {
        let n = norm(name);
        match &self.val {
            Val::Map(members) => members.iter().find(|(k, _)| norm(k) == n).map(|(_, v)| v),
            _ => None,
        }
    }

    /// The first of several names that is present.
    pub fn get_any(&self, names: &[&str]) -> Option<&Node> {
        names.iter().find_map(|n| self.get(n))
    }

    /// The text, if this is a literal string.
    pub fn as_str(&self) -> Option<&str> {
        match &self.val {
            Val::Str(s) => Some(s),
            _ => None,
        }
    }

    /// The members, if this is a map.
    pub fn members(&self) -> &[(String, Node)] {
        match &self.val {
            Val::Map(m) => m,
            _ => &[],
        }
    }

    /// The items of a list; a single map counts as a list of one (a Terraform block written
    /// once).
    pub fn items(&self) -> &[Node] {
        match &self.val {
            Val::List(items) => items,
            Val::Map(_) => std::slice::from_ref(self),
            _ => &[],
        }
    }

    /// True when a member named `name` appears anywhere below.
    pub fn has_key_deep(&self, name: &str) -> bool {
        let n = norm(name);
        self.any(&mut |node| node.members().iter().any(|(k, _)| norm(k) == n))
    }

    /// True when a string below contains `needle` (ASCII case ignored).
    pub fn has_text_deep(&self, needle: &str) -> bool {
        let needle = needle.to_ascii_lowercase();
        self.any(&mut |node| match &node.val {
            Val::Str(s) | Val::Expr(s) => s.to_ascii_lowercase().contains(&needle),
            _ => false,
        })
    }

    fn any(&self, f: &mut dyn FnMut(&Node) -> bool) -> bool {
        if f(self) {
            return true;
        }
        match &self.val {
            Val::List(items) => items.iter().any(|i| i.any(f)),
            Val::Map(members) => members.iter().any(|(_, v)| v.any(f)),
            _ => false,
        }
    }

    /// The value as written, for messages: a string as it is, anything else compactly.
    pub fn describe(&self) -> String {
        match &self.val {
            Val::Null => "null".to_owned(),
            Val::Bool(b) => b.to_string(),
            Val::Num(n) | Val::Str(n) | Val::Expr(n) => n.clone(),
            Val::List(items) => format!(
                "[{}]",
                items
                    .iter()
                    .map(Node::describe)
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            Val::Map(members) => format!(
                "{{{}}}",
                members
                    .iter()
                    .map(|(k, v)| format!("{k}: {}", v.describe()))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        }
    }

    /// From a JSON value read with spans.
    pub fn from_json(v: &crate::text::json::Value, text: &str, index: &LineIndex) -> Self {
        use crate::text::json::Kind;
        let (line, col) = index.line_col(text, v.span.start);
        let val = match &v.kind {
            Kind::Null => Val::Null,
            Kind::Bool(b) => Val::Bool(*b),
            Kind::Number(n) => Val::Num(n.to_string()),
            Kind::String(s) => Val::Str(s.to_string()),
            Kind::Array(items) => Val::List(
                items
                    .iter()
                    .map(|i| Self::from_json(i, text, index))
                    .collect(),
            ),
            Kind::Object(members) => Val::Map(
                members
                    .iter()
                    .map(|m| {
                        // A member is where its key is written.
                        let mut node = Self::from_json(&m.value, text, index);
                        (node.line, node.col) = index.line_col(text, m.key_span.start);
                        (m.key.to_string(), node)
                    })
                    .collect(),
            ),
        };
        Self::new(val, line, col)
    }

    /// From a `serde_json` value that has no places: everything at `line`.
    pub fn from_serde(v: &serde_json::Value, line: usize) -> Self {
        use serde_json::Value as J;
        let val = match v {
            J::Null => Val::Null,
            J::Bool(b) => Val::Bool(*b),
            J::Number(n) => Val::Num(n.to_string()),
            J::String(s) => Val::Str(s.clone()),
            J::Array(items) => Val::List(items.iter().map(|i| Self::from_serde(i, line)).collect()),
            J::Object(o) => Val::Map(
                o.iter()
                    .map(|(k, v)| (k.clone(), Self::from_serde(v, line)))
                    .collect(),
            ),
        };
        Self::new(val, line, 1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_compare_without_case_dashes_or_underscores() {
        let n = Node::new(
            Val::Map(vec![(
                "service_linked_role_arn".to_owned(),
                Node::new(Val::Str("x".to_owned()), 3, 5),
            )]),
            1,
            1,
        );
        assert_eq!(
            n.get("ServiceLinkedRoleARN").and_then(Node::as_str),
            Some("x")
        );
        assert_eq!(n.get("--service-linked-role-arn").map(|v| v.line), Some(3));
        assert!(n.get("RoleARN").is_none());
        assert_eq!(n.items().len(), 1, "a single map is a list of one");
    }

    #[test]
    fn json_members_keep_their_lines() {
        let text = "{\n  \"A\": {\n    \"KmsKeyId\": \"k\"\n  },\n  \"B\": \"x\"\n}";
        let v = crate::text::json::parse(text).unwrap_or_else(|e| panic!("{e}"));
        let index = LineIndex::new(text);
        let n = Node::from_json(&v, text, &index);
        assert_eq!(n.get("B").map(|b| (b.line, b.col)), Some((5, 3)));
        assert_eq!(n.get("A").map(|a| a.line), Some(2));
        assert_eq!(
            n.get("A").and_then(|a| a.get("kmskeyid")).map(|k| k.line),
            Some(3)
        );
        assert!(n.has_key_deep("KMSKEYID"));
        assert!(!n.has_text_deep("lattice"));
    }
}
