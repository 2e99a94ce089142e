//! Terraform's HCL to [`Node`], through `hcl-rs` (its `hcl-edit` parser keeps each
//! attribute's and block's byte span). A block body is a map; a block written more than once
//! in the same body (`tag { ... }` per tag) is a list of maps. An expression that is not a
//! literal (a reference, a function call, an interpolated string) is kept as written, as
//! [`Val::Expr`].

use hcl::edit::Span as _;
use hcl::edit::expr::{Expression, ObjectKey};
use hcl::edit::structure::{Block, Body, Structure};

use super::InferError;
use super::node::{Node, Val};
use crate::text::json::LineIndex;

/// One labelled top-level block: `resource "aws_autoscaling_group" "web" { ... }`.
pub(crate) struct TopBlock {
    /// `resource`, `module`, `data`, ...
    pub kind: String,
    pub labels: Vec<String>,
    pub body: Node,
}

/// Parses a Terraform file into its top-level blocks.
pub(crate) fn parse(text: &str) -> Result<Vec<TopBlock>, InferError> {
    let body = hcl::edit::parser::parse_body(text).map_err(|e| {
        InferError::place(
            e.location().line(),
            e.location().column(),
            format!("not valid HCL: {}", e.message()),
        )
    })?;
    let index = LineIndex::new(text);
    Ok(body
        .blocks()
        .map(|b| TopBlock {
            kind: b.ident.as_str().to_owned(),
            labels: b.labels.iter().map(|l| l.as_str().to_owned()).collect(),
            body: block_node(b, text, &index),
        })
        .collect())
}

fn place(span: Option<std::ops::Range<usize>>, text: &str, index: &LineIndex) -> (usize, usize) {
    span.map_or((1, 1), |r| index.line_col(text, r.start))
}

fn block_node(b: &Block, text: &str, index: &LineIndex) -> Node {
    let (line, col) = place(b.span(), text, index);
    Node::new(body_val(&b.body, text, index), line, col)
}

fn body_val(body: &Body, text: &str, index: &LineIndex) -> Val {
    let mut members: Vec<(String, Node)> = Vec::new();
    for s in body {
        match s {
            Structure::Attribute(a) => {
                let (line, col) = place(a.span(), text, index);
                members.push((
                    a.key.as_str().to_owned(),
                    expr_node(&a.value, line, col, text, index),
                ));
            }
            Structure::Block(b) => {
                let node = block_node(b, text, index);
                let key = b.ident.as_str();
                match members.iter_mut().find(|(k, _)| k == key) {
                    Some((_, existing)) => {
                        if let Val::List(items) = &mut existing.val {
                            items.push(node);
                        } else {
                            let first = existing.clone();
                            *existing = Node::new(
                                Val::List(vec![first, node]),
                                existing.line,
                                existing.col,
                            );
                        }
                    }
                    None => members.push((key.to_owned(), node)),
                }
            }
        }
    }
    Val::Map(members)
}

/// An expression at the place of its attribute (nested values at their own place).
fn expr_node(e: &Expression, line: usize, col: usize, text: &str, index: &LineIndex) -> Node {
    let at = |e: &Expression| {
        let (l, c) = e
            .span()
            .map_or((line, col), |r| index.line_col(text, r.start));
        (l, c)
    };
    let val = match e {
        Expression::Null(_) => Val::Null,
        Expression::Bool(b) => Val::Bool(*b.value()),
        Expression::Number(n) => Val::Num(n.value().to_string()),
        Expression::String(s) => Val::Str(s.value().clone()),
        Expression::Array(items) => Val::List(
            items
                .iter()
                .map(|i| {
                    let (l, c) = at(i);
                    expr_node(i, l, c, text, index)
                })
                .collect(),
        ),
        Expression::Object(o) => Val::Map(
            o.iter()
                .map(|(k, v)| {
                    let key = match k {
                        ObjectKey::Ident(i) => i.as_str().to_owned(),
                        ObjectKey::Expression(Expression::String(s)) => s.value().clone(),
                        ObjectKey::Expression(x) => x.to_string().trim().to_owned(),
                    };
                    let (l, c) = at(v.expr());
                    (key, expr_node(v.expr(), l, c, text, index))
                })
                .collect(),
        ),
        Expression::Parenthesis(p) => return expr_node(p.inner(), line, col, text, index),
        other => Val::Expr(other.to_string().trim().to_owned()),
    };
    Node::new(val, line, col)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blocks_attributes_and_references_keep_their_places() {
        let text = r#"
resource "aws_autoscaling_group" "web" {
  name = "web"
  launch_template {
    id      = aws_launch_template.app.id
    version = "$Latest"
  }
  tag {
    key = "a"
  }
  tag {
    key = "b"
  }
}
"#;
        let blocks = parse(text).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(blocks.len(), 1);
        let b = &blocks[0];
        assert_eq!(b.kind, "resource");
        assert_eq!(b.labels, ["aws_autoscaling_group", "web"]);
        assert_eq!(b.body.line, 2);
        let lt = b
            .body
            .get("launch_template")
            .unwrap_or_else(|| panic!("no lt"));
        assert_eq!(lt.line, 4);
        let id = lt.get("id").unwrap_or_else(|| panic!("no id"));
        assert_eq!(id.val, Val::Expr("aws_launch_template.app.id".to_owned()));
        assert_eq!(id.line, 5);
        assert_eq!(b.body.get("tag").map(|t| t.items().len()), Some(2));
        assert_eq!(b.body.get("name").and_then(Node::as_str), Some("web"));
    }

    #[test]
    fn bad_hcl_is_refused_with_its_place() {
        let e = parse("resource \"aws_autoscaling_group\" \"web\" {\n  name = \n}\n")
            .err()
            .unwrap_or_else(|| panic!("accepted"));
        assert!(e.at.starts_with("line "), "{e}");
        assert!(e.message.starts_with("not valid HCL"), "{e}");
    }
}
