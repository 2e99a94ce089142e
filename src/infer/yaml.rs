//! YAML to [`Node`], through `saphyr-parser`'s events (which keep each value's place and
//! tag). `CloudFormation`'s short tags become the long form that JSON templates use:
//! `!Ref X` is `{"Ref": "X"}`, `!GetAtt A.B` is `{"Fn::GetAtt": "A.B"}`, `!Sub s` is
//! `{"Fn::Sub": "s"}`, and so on.
//!
//! Bounded: nesting deeper than [`MAX_DEPTH`] and documents that expand (through aliases) to
//! more than [`MAX_NODES`] values are refused, so a small hostile file cannot take the
//! memory or the stack.

use std::collections::HashMap;

use saphyr_parser::{Event, Parser, ScalarStyle, Span, Tag};

use super::InferError;
use super::node::{Node, Val};

/// The deepest nesting accepted.
pub(crate) const MAX_DEPTH: usize = 128;
/// The most values a document may expand to, aliases counted each time they are used.
pub(crate) const MAX_NODES: usize = 2_000_000;

enum Frame {
    List(Vec<Node>, Start),
    /// Members, and the key read whose value comes next, with its place.
    Map(Vec<(String, Node)>, Option<(String, usize, usize)>, Start),
}

struct Start {
    line: usize,
    col: usize,
    anchor: usize,
    tag: Option<String>,
}

fn place(span: &Span) -> (usize, usize) {
    (span.start.line(), span.start.col() + 1)
}

/// `!Ref` → `Ref`, `!GetAtt` → `Fn::GetAtt`; other tags (`!!str`, `!custom`) are not
/// `CloudFormation`'s and are left off.
fn short_tag(tag: Option<&Tag>) -> Option<String> {
    let tag = tag?;
    if tag.handle != "!" || tag.suffix.is_empty() {
        return None;
    }
    Some(match tag.suffix.as_str() {
        "Ref" | "Condition" => tag.suffix.clone(),
        other => format!("Fn::{other}"),
    })
}

fn wrap(node: Node, tag: Option<String>) -> Node {
    match tag {
        Some(name) => {
            let (line, col) = (node.line, node.col);
            Node::new(Val::Map(vec![(name, node)]), line, col)
        }
        None => node,
    }
}

fn scalar(value: &str, style: ScalarStyle) -> Val {
    if style != ScalarStyle::Plain {
        return Val::Str(value.to_owned());
    }
    match value {
        "" | "~" | "null" | "Null" | "NULL" => Val::Null,
        "true" | "True" | "TRUE" => Val::Bool(true),
        "false" | "False" | "FALSE" => Val::Bool(false),
        v if v.parse::<f64>().is_ok() => Val::Num(v.to_owned()),
        v => Val::Str(v.to_owned()),
    }
}

/// The YAML reader's refusal, at its place.
fn scan_error(e: &saphyr_parser::ScanError) -> InferError {
    let info = if e.info().contains("recursion limit") {
        format!("nested deeper than the YAML reader allows ({})", e.info())
    } else {
        e.info().to_owned()
    };
    InferError::place(
        e.marker().line(),
        e.marker().col() + 1,
        format!("not valid YAML: {info}"),
    )
}

/// Reads the first document of a YAML text.
pub(crate) fn parse(text: &str) -> Result<Node, InferError> {
    let mut stack: Vec<Frame> = Vec::new();
    let mut anchors: HashMap<usize, Node> = HashMap::new();
    let mut count = 0usize;
    for event in Parser::new_from_str(text) {
        let (event, span) = event.map_err(|e| scan_error(&e))?;
        let (line, col) = place(&span);
        let is_list = matches!(event, Event::SequenceStart(..));
        let done = match event {
            Event::Scalar(value, style, anchor, tag) => {
                count += 1;
                let node = wrap(
                    Node::new(scalar(&value, style), line, col),
                    short_tag(tag.as_deref()),
                );
                if anchor > 0 {
                    anchors.insert(anchor, node.clone());
                }
                node
            }
            Event::Alias(id) => {
                let anchored = anchors.get(&id).ok_or_else(|| {
                    InferError::place(line, col, "an alias to an anchor not defined before it")
                })?;
                // Counted before it is copied, so a bomb stops before it takes the memory.
                count += size(anchored);
                if count > MAX_NODES {
                    return Err(InferError::place(
                        line,
                        col,
                        format!(
                            "the document expands to more than {MAX_NODES} values through its aliases"
                        ),
                    ));
                }
                Node {
                    line,
                    col,
                    ..anchored.clone()
                }
            }
            Event::SequenceStart(anchor, tag) | Event::MappingStart(anchor, tag) => {
                count += 1;
                if stack.len() >= MAX_DEPTH {
                    return Err(InferError::place(
                        line,
                        col,
                        format!("nested deeper than {MAX_DEPTH} levels"),
                    ));
                }
                let start = Start {
                    line,
                    col,
                    anchor,
                    tag: short_tag(tag.as_deref()),
                };
                stack.push(if is_list {
                    Frame::List(Vec::new(), start)
                } else {
                    Frame::Map(Vec::new(), None, start)
                });
                continue;
            }
            Event::SequenceEnd | Event::MappingEnd => {
                let (val, start) = match stack.pop() {
                    Some(Frame::List(items, start)) => (Val::List(items), start),
                    Some(Frame::Map(members, _, start)) => (Val::Map(members), start),
                    None => {
                        return Err(InferError::place(
                            line,
                            col,
                            "a collection closed that was not open",
                        ));
                    }
                };
                let node = wrap(Node::new(val, start.line, start.col), start.tag);
                if start.anchor > 0 {
                    anchors.insert(start.anchor, node.clone());
                }
                node
            }
            Event::DocumentEnd if stack.is_empty() => break,
            _ => continue,
        };
        if count > MAX_NODES {
            return Err(InferError::place(
                line,
                col,
                format!("more than {MAX_NODES} values"),
            ));
        }
        if let Some(root) = attach(&mut stack, done) {
            return Ok(root);
        }
    }
    Err(InferError::place(
        1,
        1,
        "the input is empty: no YAML document in it",
    ))
}

/// Puts a finished value into the collection being read; the root, when there is none.
fn attach(stack: &mut [Frame], done: Node) -> Option<Node> {
    match stack.last_mut() {
        None => return Some(done),
        Some(Frame::List(items, _)) => items.push(done),
        Some(Frame::Map(members, key, _)) => match key.take() {
            None => {
                let (l, c) = (done.line, done.col);
                let name = match done.val {
                    Val::Str(s) | Val::Num(s) => s,
                    _ => done.describe(),
                };
                *key = Some((name, l, c));
            }
            // A member is where its key is written.
            Some((k, l, c)) => members.push((
                k,
                Node {
                    line: l,
                    col: c,
                    ..done
                },
            )),
        },
    }
    None
}

fn size(node: &Node) -> usize {
    1 + match &node.val {
        Val::List(items) => items.iter().map(size).sum(),
        Val::Map(members) => members.iter().map(|(_, v)| size(v)).sum(),
        _ => 0,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_tags_become_the_long_form_and_places_are_kept() {
        let text = "Resources:\n  G:\n    Type: AWS::AutoScaling::AutoScalingGroup\n    Properties:\n      LaunchTemplate:\n        LaunchTemplateId: !Ref LT\n        Version: !GetAtt LT.LatestVersionNumber\n";
        let n = parse(text).unwrap_or_else(|e| panic!("{e}"));
        let lt = n
            .get("Resources")
            .and_then(|r| r.get("G"))
            .and_then(|g| g.get("Properties"))
            .and_then(|p| p.get("LaunchTemplate"))
            .unwrap_or_else(|| panic!("no LaunchTemplate"));
        let id = lt
            .get("LaunchTemplateId")
            .unwrap_or_else(|| panic!("no id"));
        assert_eq!(id.get("Ref").and_then(Node::as_str), Some("LT"));
        assert_eq!((id.line, id.col), (6, 9), "a member is where its key is");
        assert_eq!(
            lt.get("Version")
                .and_then(|v| v.get("Fn::GetAtt"))
                .and_then(Node::as_str),
            Some("LT.LatestVersionNumber")
        );
    }

    #[test]
    fn bad_yaml_is_refused_with_its_place() {
        let e = parse("a:\n  b: [1, 2\n").unwrap_err();
        assert!(e.at.starts_with("line "), "{e}");
        assert!(e.message.starts_with("not valid YAML"), "{e}");
        let deep = "[".repeat(1000);
        assert!(parse(&deep).unwrap_err().message.contains("nested deeper"));
        let deep = format!("a: {}", "[".repeat(100_000));
        assert!(parse(&deep).unwrap_err().message.contains("nested deeper"));
    }

    #[test]
    fn alias_bombs_are_refused() {
        let mut text = String::from("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
        for i in 1..10 {
            let p = i - 1;
            text.push_str(&format!(
                "a{i}: &a{i} [*a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}]\n"
            ));
        }
        let e = parse(&text).unwrap_err();
        assert!(e.message.contains("expands to more than"), "{e}");
    }
}
