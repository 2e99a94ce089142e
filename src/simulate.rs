//! Any request, offline: the counterpart of `aws iam simulate-custom-policy`, three-valued.
//!
//! Reads context entries in the AWS CLI's shorthand and JSON syntax, evaluates every action
//! on every resource against a policy set, and reports each as allowed, explicitly denied,
//! implicitly denied (naming the layer) or conditional, with the deciding statements. Also
//! the batch contract: one JSON request a line in, one JSON result a line out.

use std::collections::BTreeSet;
use std::fmt::Write as _;
use std::net::IpAddr;

use serde::Serialize;
use serde_json::Value;

use crate::engine::{Decision, MissingReason, Status, evaluate};
use crate::policy::{Context, PolicySet, Request};
use crate::text::Template;

/// The value types `ContextKeyType` takes (AWS's simulator documents these twelve).
const TYPES: [&str; 12] = [
    "string",
    "stringList",
    "numeric",
    "numericList",
    "boolean",
    "booleanList",
    "ip",
    "ipList",
    "binary",
    "binaryList",
    "date",
    "dateList",
];

/// The fields of a context entry in the AWS CLI's shorthand.
const FIELDS: [&str; 3] = ["ContextKeyName", "ContextKeyValues", "ContextKeyType"];

/// One `--context-entries` item.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ContextEntry {
    /// The key (`aws:TagKeys`).
    pub key: String,
    /// Its values.
    pub values: Vec<String>,
    /// Its type (`stringList`, ...).
    pub kind: String,
}

/// Parses one context entry: the AWS CLI shorthand
/// `ContextKeyName=k,ContextKeyValues=v1,v2,ContextKeyType=stringList` (values may also be
/// written `[v1,v2]`), or JSON, one object or an array of them, with the same field names.
pub fn parse_context_entries(text: &str) -> Result<Vec<ContextEntry>, String> {
    let t = text.trim();
    if t.starts_with('{') || t.starts_with('[') {
        let v: Value =
            serde_json::from_str(t).map_err(|e| format!("context entry is not valid JSON: {e}"))?;
        let items = match v {
            Value::Array(items) => items,
            one => vec![one],
        };
        return items.iter().map(entry_from_json).collect();
    }
    let mut name = None;
    let mut values: Vec<String> = Vec::new();
    let mut kind = None;
    let mut field: Option<&'static str> = None;
    for token in split_shorthand(t) {
        let (f, value) = match token
            .split_once('=')
            .and_then(|(k, v)| FIELDS.iter().find(|f| **f == k.trim()).map(|f| (*f, v)))
        {
            Some((f, v)) => (f, v),
            _ => match field {
                Some("ContextKeyValues") => ("ContextKeyValues", token.as_str()),
                _ => {
                    return Err(format!(
                        "context entry \"{text}\": expected ContextKeyName=...,ContextKeyValues=...,ContextKeyType=..., found \"{token}\""
                    ));
                }
            },
        };
        field = Some(f);
        let value = value.trim();
        match f {
            "ContextKeyName" => name = Some(value.to_owned()),
            "ContextKeyType" => kind = Some(value.to_owned()),
            _ => values.extend(
                value
                    .trim_start_matches('[')
                    .trim_end_matches(']')
                    .split(',')
                    .filter(|v| !v.is_empty())
                    .map(str::to_owned),
            ),
        }
    }
    let key = name.ok_or_else(|| format!("context entry \"{text}\" has no ContextKeyName"))?;
    let entry = ContextEntry {
        key,
        values,
        kind: kind.unwrap_or_else(|| "string".to_owned()),
    };
    check_entry(&entry)?;
    Ok(vec![entry])
}

/// Splits shorthand at top-level commas (commas inside `[...]` stay).
fn split_shorthand(t: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut depth = 0usize;
    for c in t.chars() {
        match c {
            '[' => depth += 1,
            ']' => depth = depth.saturating_sub(1),
            ',' if depth == 0 => {
                out.push(std::mem::take(&mut cur));
                continue;
            }
            _ => {}
        }
        cur.push(c);
    }
    out.push(cur);
    out
}

fn entry_from_json(v: &Value) -> Result<ContextEntry, String> {
    let key = v
        .get("ContextKeyName")
        .and_then(Value::as_str)
        .ok_or("a context entry needs \"ContextKeyName\"")?;
    let values = match v.get("ContextKeyValues") {
        Some(Value::Array(a)) => a
            .iter()
            .map(|x| x.as_str().map_or_else(|| x.to_string(), str::to_owned))
            .collect(),
        Some(Value::String(s)) => vec![s.clone()],
        None => Vec::new(),
        Some(other) => {
            return Err(format!(
                "ContextKeyValues of {key} must be a list, found {other}"
            ));
        }
    };
    let entry = ContextEntry {
        key: key.to_owned(),
        values,
        kind: v
            .get("ContextKeyType")
            .and_then(Value::as_str)
            .unwrap_or("string")
            .to_owned(),
    };
    check_entry(&entry)?;
    Ok(entry)
}

/// Each value must fit the type; a single-valued type takes one value.
fn check_entry(e: &ContextEntry) -> Result<(), String> {
    if !TYPES.contains(&e.kind.as_str()) {
        return Err(format!(
            "ContextKeyType \"{}\" of {} is not one of {}",
            e.kind,
            e.key,
            TYPES.join(", ")
        ));
    }
    let list = e.kind.ends_with("List");
    if !list && e.values.len() != 1 {
        return Err(format!(
            "{} is of type {}, which takes exactly one value (use {}List for several)",
            e.key, e.kind, e.kind
        ));
    }
    let base = e.kind.trim_end_matches("List");
    for v in &e.values {
        let ok = match base {
            "numeric" => v.trim().parse::<f64>().is_ok(),
            "boolean" => v.eq_ignore_ascii_case("true") || v.eq_ignore_ascii_case("false"),
            "ip" => {
                v.parse::<IpAddr>().is_ok()
                    || v.split_once('/')
                        .is_some_and(|(ip, _)| ip.parse::<IpAddr>().is_ok())
            }
            "date" => crate::policy::condition::parse_date(v).is_some(),
            _ => true,
        };
        if !ok {
            return Err(format!("value \"{v}\" of {} is not a {base}", e.key));
        }
    }
    Ok(())
}

/// The context of the request: the entries given; with `assume_absent`, every other key the
/// policies test is absent (as AWS's simulator treats keys it is not given), else unknown.
pub fn context_for(entries: &[ContextEntry], set: &PolicySet, assume_absent: bool) -> Context {
    let mut ctx = Context::default();
    if assume_absent {
        for key in keys_tested(set) {
            ctx.set_absent(&key);
        }
    }
    for e in entries {
        ctx.set(&e.key, e.values.iter().cloned());
    }
    ctx
}

/// Every condition key the policies test or name in a policy variable.
fn keys_tested(set: &PolicySet) -> BTreeSet<String> {
    let mut keys = BTreeSet::new();
    for p in set.policies() {
        for st in &p.statements {
            for c in &st.conditions {
                keys.insert(c.key.to_string());
                for v in &c.values {
                    keys.extend(v.variable_keys().map(ToString::to_string));
                }
            }
            for v in st.resources.patterns().filter_map(|p| p.variables()) {
                keys.extend(v.variable_keys().map(ToString::to_string));
            }
        }
    }
    keys
}

/// The decision for one action on one resource, in the simulator's words.
#[derive(Clone, Debug, Serialize)]
pub struct SimulationResult {
    /// `service:Action`.
    pub action: String,
    /// The resource ARN (`*` when none was given).
    pub resource: String,
    /// `allowed`, `explicitDeny`, `implicitDeny` or `conditional`.
    pub decision: &'static str,
    /// For an implicit deny: the layer with no Allow (`identity policies`, `permissions
    /// boundary`, `SCP 1`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub denied_in: Option<String>,
    /// The engine's full decision: statements, keys it depends on, explanation.
    #[serde(flatten)]
    pub detail: Decision,
}

impl SimulationResult {
    fn new(action: &str, resource: &str, detail: Decision) -> Self {
        let (decision, denied_in) = match (detail.status, detail.missing) {
            (Status::Satisfied, _) => ("allowed", None),
            (Status::Conditional, _) => ("conditional", None),
            (Status::Missing, Some(MissingReason::ExplicitDeny)) => ("explicitDeny", None),
            (Status::Missing, Some(MissingReason::NoMatchingAllow(l))) => {
                ("implicitDeny", Some(l.to_string()))
            }
            (Status::Missing, None) => ("implicitDeny", None),
        };
        Self {
            action: action.to_owned(),
            resource: resource.to_owned(),
            decision,
            denied_in,
            detail,
        }
    }

    /// The decision in words: "allowed", "implicitly denied (no Allow in the permissions
    /// boundary)".
    pub fn words(&self) -> String {
        match self.decision {
            "allowed" => "allowed".to_owned(),
            "explicitDeny" => "explicitly denied".to_owned(),
            "conditional" => "conditional".to_owned(),
            _ => match &self.denied_in {
                Some(l) => format!("implicitly denied (no Allow in the {l})"),
                None => "implicitly denied".to_owned(),
            },
        }
    }
}

/// Evaluates every action on every resource (`*` when none).
pub fn simulate(
    set: &PolicySet,
    actions: &[String],
    resources: &[String],
    context: &Context,
) -> Vec<SimulationResult> {
    let star = ["*".to_owned()];
    let resources = if resources.is_empty() {
        &star[..]
    } else {
        resources
    };
    let mut out = Vec::with_capacity(actions.len() * resources.len());
    for a in actions {
        for r in resources {
            let req = Request {
                action: a.clone(),
                resources: vec![Template::parse(r)],
                context: context.clone(),
            };
            out.push(SimulationResult::new(a, r, evaluate(set, &req)));
        }
    }
    out
}

/// The results as pretty JSON (`{"results": [...]}`, then a newline), written as they are
/// made, never held whole (nor as a tree of values): each result lists every key its
/// answer depends on, so the results of many actions against a statement of 100,000 keys
/// are a hundred times the policy. Give it a buffered writer.
///
/// # Errors
/// When writing fails.
pub fn write_json(
    results: &[SimulationResult],
    out: &mut dyn std::io::Write,
) -> std::io::Result<()> {
    #[derive(Serialize)]
    struct Results<'a> {
        results: &'a [SimulationResult],
    }
    crate::text::json::write_pretty(&Results { results }, out)
}

/// The results as text for a terminal.
pub fn to_text(results: &[SimulationResult]) -> String {
    let mut out = String::new();
    for r in results {
        writeln!(
            out,
            "{} {}  {} on {}",
            r.detail.status.icon(),
            r.words(),
            r.action,
            r.resource
        )
        .ok();
        writeln!(out, "    {}", r.detail.explanation).ok();
    }
    out
}

/// The results as a Markdown table.
pub fn to_markdown(results: &[SimulationResult]) -> String {
    let mut out = String::from("| Action | Resource | Decision | Why |\n|---|---|---|---|\n");
    for r in results {
        writeln!(
            out,
            "| `{}` | `{}` | {} {} | {} |",
            r.action,
            r.resource,
            r.detail.status.icon(),
            r.words(),
            r.detail.explanation.replace('|', "\\|").replace('\n', " ")
        )
        .ok();
    }
    out
}

/// One line of a batch: `{"action": "...", "resource": "...", "context": {"key": ["v", ...]
/// or null for absent}}`. Keys not listed are unknown (absent with `assume_absent`).
pub fn batch_line(
    set: &PolicySet,
    line: &str,
    assume_absent: bool,
) -> Result<SimulationResult, String> {
    let v: Value = serde_json::from_str(line).map_err(|e| format!("not valid JSON: {e}"))?;
    let action = v.get("action").and_then(Value::as_str).ok_or(
        "\"action\" (a string such as \"autoscaling:CreateAutoScalingGroup\") is required",
    )?;
    let resource = match v.get("resource") {
        None | Some(Value::Null) => "*",
        Some(Value::String(s)) => s.as_str(),
        Some(other) => return Err(format!("\"resource\" must be a string, found {other}")),
    };
    let mut ctx = context_for(&[], set, assume_absent);
    match v.get("context") {
        None | Some(Value::Null) => {}
        Some(Value::Object(map)) => {
            for (k, val) in map {
                match val {
                    Value::Null => ctx.set_absent(k),
                    Value::Array(items) => {
                        let values: Result<Vec<String>, String> = items
                            .iter()
                            .map(|x| match x {
                                Value::String(s) => Ok(s.clone()),
                                Value::Number(n) => Ok(n.to_string()),
                                Value::Bool(b) => Ok(b.to_string()),
                                other => Err(format!(
                                    "context value of {k} must be a string, found {other}"
                                )),
                            })
                            .collect();
                        ctx.set(k, values?);
                    }
                    Value::String(s) => ctx.set(k, [s.clone()]),
                    other => {
                        return Err(format!(
                            "context {k} must be a list of strings or null, found {other}"
                        ));
                    }
                }
            }
        }
        Some(other) => return Err(format!("\"context\" must be an object, found {other}")),
    }
    let mut results = simulate(set, &[action.to_owned()], &[resource.to_owned()], &ctx);
    results.pop().ok_or_else(|| "no result".to_owned())
}
