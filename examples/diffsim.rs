//! Differential-testing driver for asg-perms: the line-oriented driver the differential test
//! against an independent evaluator builds (`cargo build --release --example diffsim`).
//!
//! Reads one JSON request per line on stdin and writes one JSON answer per line on stdout:
//!
//! ```text
//! in:  {"id": any, "identity": ["<policy json text>", ...], "boundary": "<text>"|null,
//!       "scps": ["<text>", ...], "action": "svc:Action", "resource": "arn...{hole}...",
//!       "context": {"key": ["v", ...] | null}}      (null = explicitly absent;
//!                                                     keys not listed are unknown)
//! out: {"id": any, "status": "satisfied"|"missing"|"conditional", "missing": "...",
//!       "depends_on": [...]}   or   {"id": any, "error": "..."}
//!
//! A line {"id": any, "parse": "<text>"} only loads the text and answers
//! {"id": any, "ok": true} or {"id": any, "error": "..."}.
//! ```

use std::io::{BufRead, Write};
use std::sync::Arc;

use asg_perms::Policy;
use asg_perms::Template;
use asg_perms::{Context, PolicySet, Request, evaluate};
use asg_perms::{Loaded, load_text};
use serde_json::{Value, json};

fn policy(origin: &str, text: &str) -> Result<Policy, String> {
    match load_text(origin, text) {
        Ok(Loaded::Policy(p, _)) => Ok(p),
        Ok(Loaded::Account(_)) => Err(format!("{origin}: not a single policy")),
        Err(e) => Err(e.to_string()),
    }
}

fn answer(v: &Value) -> Value {
    let id = v.get("id").cloned().unwrap_or(Value::Null);
    if let Some(text) = v.get("parse").and_then(Value::as_str) {
        return match policy("policy", text) {
            Ok(p) => json!({"id": id, "ok": true, "warnings": p.warnings.len()}),
            Err(e) => json!({"id": id, "error": e}),
        };
    }
    let texts = |k: &str| -> Vec<String> {
        v.get(k)
            .and_then(Value::as_array)
            .map(|a| {
                a.iter()
                    .filter_map(|x| x.as_str().map(str::to_owned))
                    .collect()
            })
            .unwrap_or_default()
    };
    let mut set = PolicySet::default();
    for (i, t) in texts("identity").iter().enumerate() {
        match policy(&format!("identity{i}"), t) {
            Ok(p) => set.identity.push(Arc::new(p)),
            Err(e) => return json!({"id": id, "error": e}),
        }
    }
    if let Some(t) = v.get("boundary").and_then(Value::as_str) {
        match policy("boundary", t) {
            Ok(p) => set.boundary = Some(Arc::new(p)),
            Err(e) => return json!({"id": id, "error": e}),
        }
    }
    for (i, t) in texts("scps").iter().enumerate() {
        match policy(&format!("scp{i}"), t) {
            Ok(p) => set.scps.push(Arc::new(p)),
            Err(e) => return json!({"id": id, "error": e}),
        }
    }
    let mut context = Context::default();
    if let Some(obj) = v.get("context").and_then(Value::as_object) {
        for (k, val) in obj {
            match val {
                Value::Null => context.set_absent(k),
                Value::Array(items) => context.set(
                    k,
                    items
                        .iter()
                        .map(|x| x.as_str().map_or_else(|| x.to_string(), str::to_owned)),
                ),
                Value::String(s) => context.set(k, [s.clone()]),
                other => context.set(k, [other.to_string()]),
            }
        }
    }
    let action = v.get("action").and_then(Value::as_str).unwrap_or("");
    let resource = v.get("resource").and_then(Value::as_str).unwrap_or("*");
    let req = Request {
        action: action.to_owned(),
        resources: vec![Template::parse(resource)],
        context,
    };
    let d = evaluate(&set, &req);
    json!({
        "id": id,
        "status": d.status.word(),
        "missing": d.missing.map(|m| format!("{m:?}")),
        "depends_on": d.depends_on,
    })
}

fn main() {
    let stdin = std::io::stdin();
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    for line in stdin.lock().lines() {
        let Ok(line) = line else { break };
        if line.trim().is_empty() {
            continue;
        }
        let reply = match serde_json::from_str::<Value>(&line) {
            Ok(v) => {
                // A panic in the engine is reported as an error for that line, not a crash.
                match std::panic::catch_unwind(|| answer(&v)) {
                    Ok(r) => r,
                    Err(_) => json!({"id": v.get("id").cloned().unwrap_or(Value::Null),
                                     "error": "panic in engine"}),
                }
            }
            Err(e) => json!({"id": null, "error": format!("bad input line: {e}")}),
        };
        let _ = writeln!(out, "{reply}");
        let _ = out.flush();
    }
}
