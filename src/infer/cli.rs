//! AWS CLI command lines (`aws autoscaling ...`, with shorthand or JSON arguments,
//! `--cli-input-json`, quoting and line continuations) and API request JSON (the parameters
//! `--generate-cli-skeleton` shows).

use serde_json::Value;

use super::node::{Node, Val, norm};
use super::rules::request;
use super::{InferError, InferredRequest};
use crate::asg::catalog::catalog;
use crate::text::json::LineIndex;

pub(crate) fn err(line: usize, message: impl Into<String>) -> InferError {
    InferError {
        at: format!("line {line}"),
        message: message.into(),
    }
}

/// `create-auto-scaling-group` → `CreateAutoScalingGroup`.
fn pascal(kebab: &str) -> String {
    kebab
        .split('-')
        .map(|w| {
            let mut c = w.chars();
            c.next()
                .map(|f| f.to_uppercase().chain(c).collect::<String>())
                .unwrap_or_default()
        })
        .collect()
}

/// 1-based line where parameter `name` is written (as `--kebab-case`), at or after line
/// `from`.
fn line_of(text: &str, name: &str, from: usize) -> usize {
    let n = norm(name);
    text.lines()
        .enumerate()
        .skip(from.saturating_sub(1))
        .find(|(_, l)| norm(l).contains(&n))
        .map_or(from, |(i, _)| i + 1)
}

/// JSON read with the place of every value; text that is not JSON is refused with a hint
/// (JSON is taken as API request JSON or a template).
pub(crate) fn json_node(text: &str) -> Result<Node, InferError> {
    let v = crate::text::json::parse(text).map_err(|e| {
        InferError::place(
            e.line,
            e.column,
            format!("not JSON: {} (API request JSON needs an action too: use `asg-perms infer` on an aws CLI command, or name the call with \"Action\")", e.message),
        )
    })?;
    Ok(Node::from_json(&v, text, &LineIndex::new(text)))
}

/// API request JSON: the call's parameters, with `"Action"` or parameters only one call
/// takes.
pub(crate) fn api_json(node: &Node) -> Result<InferredRequest, InferError> {
    let action = node
        .get("Action")
        .and_then(Node::as_str)
        .map(str::to_owned)
        .or_else(|| guess_action(node))
        .ok_or_else(|| err(1, "API request JSON without \"Action\", and its parameters fit no single Auto Scaling call: add \"Action\": \"CreateAutoScalingGroup\" (or the call's name)"))?;
    let action = catalog()
        .full_name_of(&action)
        .ok_or_else(|| err(1, format!("{action} is not an Auto Scaling action")))?;
    Ok(request(&action, node, 1, None))
}

/// Parameters that only one call takes, to name the call of bare API JSON.
fn guess_action(v: &Node) -> Option<String> {
    let has = |k: &str| v.get(k).is_some();
    if has("LifecycleHookName") {
        Some("PutLifecycleHook".to_owned())
    } else if has("LaunchConfigurationName") && has("ImageId") {
        Some("CreateLaunchConfiguration".to_owned())
    } else if has("AutoScalingGroupName") && (has("MinSize") || has("MaxSize")) {
        Some("CreateAutoScalingGroup".to_owned())
    } else {
        None
    }
}

/// Shell text: continued lines joined, each `aws autoscaling` command read.
pub(crate) fn commands(text: &str) -> Result<Vec<InferredRequest>, InferError> {
    let mut out = Vec::new();
    let mut command = String::new();
    let mut start = 1;
    for (i, line) in text.lines().enumerate() {
        if command.is_empty() {
            start = i + 1;
        }
        let l = line.trim_end();
        if let Some(head) = l.strip_suffix('\\') {
            command.push_str(head);
            command.push(' ');
            continue;
        }
        command.push_str(l);
        if !command.trim().is_empty()
            && !command.trim_start().starts_with('#')
            && let Some(r) = cli_command(&command, text, start)?
        {
            out.push(r);
        }
        command.clear();
    }
    if out.is_empty() {
        return Err(InferError {
            at: "input".to_owned(),
            message: format!(
                "no `aws autoscaling ...` command in it, and it is no API request JSON, CloudFormation template or Terraform file. {}",
                super::SHAPES
            ),
        });
    }
    Ok(out)
}

/// One `aws autoscaling ...` command.
fn cli_command(
    command: &str,
    text: &str,
    line: usize,
) -> Result<Option<InferredRequest>, InferError> {
    let words = shell_words::split(command)
        .map_err(|e| err(line, format!("cannot split the command line: {e}")))?;
    let Some(aws) = words.iter().position(|w| w == "aws" || w.ends_with("/aws")) else {
        return Ok(None);
    };
    let mut rest = words[aws + 1..].iter();
    // Global options may come before the service (`aws --region us-east-1 autoscaling ...`).
    let mut service = None;
    let mut region = None;
    let mut pending_global: Option<String> = None;
    for w in rest.by_ref() {
        if let Some(g) = pending_global.take() {
            if g == "--region" {
                region = Some(w.clone());
            }
            continue;
        }
        if w.starts_with("--") {
            pending_global = Some(w.clone());
            continue;
        }
        service = Some(w.clone());
        break;
    }
    let Some(service) = service else {
        return Err(err(line, "an aws command without a service"));
    };
    if service != "autoscaling" {
        return Err(err(
            line,
            format!(
                "this is an `aws {service}` command; asg-perms reads `aws autoscaling` commands"
            ),
        ));
    }
    let Some(sub) = rest.next() else {
        return Err(err(line, "`aws autoscaling` without a command"));
    };
    let action = catalog()
        .full_name_of(&pascal(sub))
        .ok_or_else(|| err(line, format!("`{sub}` is not an aws autoscaling command")))?;
    // Options to parameters, each value as JSON when it is, else the shorthand `K=V,K=V` as
    // an object, else a string; each at the line its option is written on.
    let mut params: Vec<(String, Node)> = Vec::new();
    let args: Vec<&String> = rest.collect();
    let mut i = 0;
    while i < args.len() {
        let a = args[i];
        let Some(name) = a.strip_prefix("--") else {
            i += 1;
            continue;
        };
        let (name, inline) = match name.split_once('=') {
            Some((n, v)) => (n.to_owned(), Some(v.to_owned())),
            None => (name.to_owned(), None),
        };
        let value = match inline {
            Some(v) => Some(v),
            None => args
                .get(i + 1)
                .filter(|v| !v.starts_with("--"))
                .map(|v| (*v).clone()),
        };
        if value.is_some() && !a.contains('=') {
            i += 1;
        }
        i += 1;
        let at = line_of(text, &name, line);
        if name == "region" {
            region = value;
            continue;
        }
        if name == "cli-input-json" {
            let v = value.unwrap_or_default();
            let json = match v.strip_prefix("file://") {
                Some(path) => crate::io::read_text_file(std::path::Path::new(path))
                    .map_err(|e| err(at, format!("--cli-input-json {v}: {e}")))?,
                None => v,
            };
            let parsed: Value = serde_json::from_str(&json)
                .map_err(|e| err(at, format!("--cli-input-json is not JSON: {e}")))?;
            if let Some(o) = parsed.as_object() {
                params.extend(o.iter().map(|(k, v)| (k.clone(), Node::from_serde(v, at))));
            }
            continue;
        }
        params.push((
            pascal(&name),
            Node::from_serde(&parse_value(value.as_deref()), at),
        ));
    }
    let mut r = request(&action, &Node::new(Val::Map(params), line, 1), line, None);
    if let Some(region) = region {
        r.facts.region = Some(region);
    }
    Ok(Some(r))
}

/// A CLI option's value: JSON, shorthand (`A=1,B=2`, lists `[...]`), or a plain string.
fn parse_value(v: Option<&str>) -> Value {
    let Some(v) = v else {
        return Value::Bool(true);
    };
    if let Ok(j) = serde_json::from_str::<Value>(v)
        && (j.is_object() || j.is_array())
    {
        return j;
    }
    if v.contains('=') {
        // Shorthand: items separated by spaces are list items; `K=V` pairs by commas.
        let items: Vec<Value> = v
            .split(' ')
            .filter(|s| !s.is_empty())
            .map(|item| {
                let mut o = serde_json::Map::new();
                for pair in item.split(',') {
                    if let Some((k, val)) = pair.split_once('=') {
                        o.insert(k.to_owned(), Value::String(val.to_owned()));
                    }
                }
                Value::Object(o)
            })
            .collect();
        return if items.len() == 1 {
            items.into_iter().next().unwrap_or(Value::Null)
        } else {
            Value::Array(items)
        };
    }
    Value::String(v.to_owned())
}
