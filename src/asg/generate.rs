//! Least-privilege statements for the permissions a policy is missing.
//!
//! Each requirement becomes an Allow scoped to its own resources (unknown parts become `*`
//! inside the ARN, never a bare `"*"` where an ARN is known) and to the condition values the
//! request fixes (`iam:PassedToService`, `iam:AWSServiceName`, `ec2:CreateAction`).
//! Requirements with the same resources and conditions share a statement.

use std::collections::BTreeMap;

use serde::Serialize;
use serde_json::Value;

use crate::asg::requirements::{ActionCheck, Requirement};
use crate::engine::Status;
use crate::policy::{Layer, Policy};

/// One generated statement. Field order is the order written.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct GeneratedStatement {
    /// A stable statement id.
    #[serde(rename = "Sid")]
    pub sid: String,
    /// Always `Allow`.
    #[serde(rename = "Effect")]
    pub effect: String,
    /// The actions.
    #[serde(rename = "Action")]
    pub action: OneOrMany,
    /// The resources.
    #[serde(rename = "Resource")]
    pub resource: OneOrMany,
    /// Conditions, if any.
    #[serde(rename = "Condition", skip_serializing_if = "Option::is_none")]
    pub condition: Option<BTreeMap<String, BTreeMap<String, OneOrMany>>>,
}

/// A string, or an array when there are several.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(untagged)]
pub enum OneOrMany {
    /// One value.
    One(String),
    /// Several.
    Many(Vec<String>),
}

impl OneOrMany {
    fn from_vec(mut v: Vec<String>) -> Self {
        if v.len() == 1 {
            Self::One(v.remove(0))
        } else {
            Self::Many(v)
        }
    }

    /// The values.
    pub fn values(&self) -> Vec<&str> {
        match self {
            Self::One(s) => vec![s.as_str()],
            Self::Many(v) => v.iter().map(String::as_str).collect(),
        }
    }
}

/// A policy document: `Version` first, then `Statement`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct GeneratedPolicy {
    /// `2012-10-17`.
    #[serde(rename = "Version")]
    pub version: String,
    /// The statements.
    #[serde(rename = "Statement")]
    pub statement: Vec<GeneratedStatement>,
}

impl GeneratedPolicy {
    /// Pretty JSON.
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).unwrap_or_default()
    }

    /// True when nothing is to be added.
    pub fn is_empty(&self) -> bool {
        self.statement.is_empty()
    }
}

/// Replaces every `{placeholder}` with `*`.
pub fn wildcard_holes(template: &str) -> String {
    let mut out = String::with_capacity(template.len());
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        if let Some(close) = rest[open..].find('}') {
            out.push('*');
            rest = &rest[open + close + 1..];
        } else {
            out.push_str(&rest[open..]);
            rest = "";
        }
    }
    out.push_str(rest);
    out
}

/// Statements that grant exactly `requirements`.
pub fn statements_for<'a>(
    requirements: impl IntoIterator<Item = &'a Requirement>,
) -> Vec<GeneratedStatement> {
    // Group by (resources, context); keep first-seen order.
    // (resources, context) -> actions, in first-seen order.
    type Group = ((Vec<String>, BTreeMap<String, Vec<String>>), Vec<String>);
    let mut groups: Vec<Group> = Vec::new();
    for r in requirements {
        let mut resources: Vec<String> = r.resources.iter().map(|t| wildcard_holes(t)).collect();
        resources.dedup();
        let key = (resources, r.context.clone());
        match groups.iter_mut().find(|(k, _)| *k == key) {
            Some((_, actions)) => {
                if !actions.contains(&r.permission) {
                    actions.push(r.permission.clone());
                }
            }
            None => groups.push((key, vec![r.permission.clone()])),
        }
    }
    let mut used: Vec<String> = Vec::new();
    groups
        .into_iter()
        .map(|((resources, context), actions)| {
            let mut sid = sid_for(&actions, &context);
            if used.contains(&sid) {
                let mut n = 2;
                while used.contains(&format!("{sid}{n}")) {
                    n += 1;
                }
                sid = format!("{sid}{n}");
            }
            used.push(sid.clone());
            let condition = (!context.is_empty()).then(|| conditions(context));
            GeneratedStatement {
                sid,
                effect: "Allow".to_owned(),
                action: OneOrMany::from_vec(actions),
                resource: OneOrMany::from_vec(resources),
                condition,
            }
        })
        .collect()
}

/// The Condition block: `StringEquals` for the values the request fixes, `ArnLike` (unknown
/// parts as `*`) for ARNs with parts not known yet.
fn conditions(
    context: BTreeMap<String, Vec<String>>,
) -> BTreeMap<String, BTreeMap<String, OneOrMany>> {
    let mut out: BTreeMap<String, BTreeMap<String, OneOrMany>> = BTreeMap::new();
    for (k, v) in context {
        let (op, values) = if v.iter().any(|x| x.contains('{')) {
            ("ArnLike", v.iter().map(|x| wildcard_holes(x)).collect())
        } else {
            ("StringEquals", v)
        };
        out.entry(op.to_owned())
            .or_default()
            .insert(k, OneOrMany::from_vec(values));
    }
    out
}

fn sid_for(actions: &[String], context: &BTreeMap<String, Vec<String>>) -> String {
    let camel = |s: &str| {
        s.split(['-', '.', ':'])
            .filter(|w| !w.is_empty())
            .map(|w| {
                let mut c = w.chars();
                c.next()
                    .map(|f| f.to_ascii_uppercase().to_string() + c.as_str())
                    .unwrap_or_default()
            })
            .collect::<String>()
    };
    let mut sid = "Allow".to_owned();
    if actions.len() > 2 && actions.iter().all(|a| a.starts_with("ec2:Describe")) {
        sid.push_str("Ec2DescribeForLaunchConfiguration");
    } else {
        for a in actions.iter().take(2) {
            sid.push_str(&camel(a));
        }
        if actions.len() > 2 {
            sid.push_str("AndMore");
        }
    }
    if let Some(svc) = context.get("iam:PassedToService").and_then(|v| v.first()) {
        sid.push_str("To");
        sid.push_str(&camel(svc.split('.').next().unwrap_or(svc)));
    }
    sid.retain(|c| c.is_ascii_alphanumeric());
    sid
}

/// Which requirements to generate for.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct GenerateOptions {
    /// Also cover conditional ones.
    pub include_conditional: bool,
}

/// The least-privilege document for what the identity policies are missing. Without a
/// policy, pass checks made against an empty set to get every needed permission. What a
/// boundary or an SCP lacks is in [`suggest_by_layer`].
pub fn suggest(checks: &[ActionCheck], options: GenerateOptions) -> GeneratedPolicy {
    suggest_for_layer(checks, options, Layer::Identity)
}

/// Statements to add to one layer.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct LayerFix {
    /// `identity`, `boundary` or `scp`.
    pub kind: &'static str,
    /// For an SCP: its level, from 1.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub scp_level: Option<usize>,
    /// In words: "identity policies", "permissions boundary", "SCP 1".
    pub layer: String,
    /// The statements.
    pub statements: GeneratedPolicy,
    /// The layer, for code.
    #[serde(skip)]
    pub which: Layer,
}

/// What each layer lacks, as statements for that layer, in evaluation order (identity
/// policies, boundary, SCPs). A permission that an explicit Deny blocks gets no statement:
/// no Allow overrides a Deny. Conditional permissions, with `include_conditional`, go to
/// the identity policies.
pub fn suggest_by_layer(checks: &[ActionCheck], options: GenerateOptions) -> Vec<LayerFix> {
    let mut layers: Vec<Layer> = vec![Layer::Identity];
    for c in checks.iter().flat_map(|c| &c.requirements) {
        for l in &c.decision.missing_layers {
            if !layers.contains(l) {
                layers.push(*l);
            }
        }
    }
    layers.sort();
    layers
        .into_iter()
        .map(|l| LayerFix {
            kind: match l {
                Layer::Identity => "identity",
                Layer::Boundary => "boundary",
                Layer::Scp(_) => "scp",
            },
            scp_level: match l {
                Layer::Scp(i) => Some(i + 1),
                _ => None,
            },
            layer: l.to_string(),
            statements: suggest_for_layer(checks, options, l),
            which: l,
        })
        .filter(|f| !f.statements.is_empty())
        .collect()
}

fn suggest_for_layer(
    checks: &[ActionCheck],
    options: GenerateOptions,
    layer: Layer,
) -> GeneratedPolicy {
    let reqs = checks.iter().flat_map(|c| {
        c.requirements.iter().filter(move |r| {
            r.requirement.needed
                && match r.decision.status {
                    Status::Missing => r.decision.missing_layers.contains(&layer),
                    Status::Conditional => options.include_conditional && layer == Layer::Identity,
                    Status::Satisfied => false,
                }
        })
    });
    GeneratedPolicy {
        version: "2012-10-17".to_owned(),
        statement: statements_for(reqs.map(|c| &c.requirement)),
    }
}

/// The document for every needed requirement, whatever a policy says.
pub fn policy_for(requirements: &[Requirement]) -> GeneratedPolicy {
    GeneratedPolicy {
        version: "2012-10-17".to_owned(),
        statement: statements_for(requirements.iter().filter(|r| r.needed)),
    }
}

/// The loaded policy with the generated statements appended (`Statement` becomes an array;
/// Sids that clash get a suffix).
pub fn merged(policy: &Policy, additions: &GeneratedPolicy) -> Value {
    let mut doc = policy.document_json();
    let Some(obj) = doc.as_object_mut() else {
        return serde_json::to_value(additions).unwrap_or(Value::Null);
    };
    let mut statements = match obj.remove("Statement") {
        Some(Value::Array(a)) => a,
        Some(one @ Value::Object(_)) => vec![one],
        _ => Vec::new(),
    };
    let existing: Vec<String> = statements
        .iter()
        .filter_map(|s| s.get("Sid").and_then(Value::as_str).map(str::to_owned))
        .collect();
    for s in &additions.statement {
        let mut v = serde_json::to_value(s).unwrap_or(Value::Null);
        if existing.contains(&s.sid)
            && let Some(o) = v.as_object_mut()
        {
            o.insert("Sid".to_owned(), Value::String(format!("{}Added", s.sid)));
        }
        statements.push(v);
    }
    // Keep Version first, then the rest as it was, Statement last. A document without a
    // Version keeps none: adding one would turn literal "${...}" text into variables.
    let mut out = serde_json::Map::new();
    if let Some(v) = obj.remove("Version") {
        out.insert("Version".to_owned(), v);
    }
    for (k, v) in obj.iter() {
        out.insert(k.clone(), v.clone());
    }
    out.insert("Statement".to_owned(), Value::Array(statements));
    Value::Object(out)
}
