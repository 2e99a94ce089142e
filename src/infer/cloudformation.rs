//! `CloudFormation` templates, JSON or YAML (short tags included): each Auto Scaling resource
//! is the call `CloudFormation` makes for it, with the caller's request features. An
//! `AWS::EC2::LaunchTemplate` in the same template that a group names sets the launch
//! template's features; one defined elsewhere stays a question.

use super::node::{Node, Val};
use super::rules::{LaunchTemplateDef, call_request, launch_template_spec, type_list};
use super::{InferError, InferredRequest};

/// The Auto Scaling resource types read, and the call `CloudFormation` makes to create each.
pub(crate) const RESOURCE_TYPES: &[(&str, &str)] = &[
    (
        "AWS::AutoScaling::AutoScalingGroup",
        "CreateAutoScalingGroup",
    ),
    (
        "AWS::AutoScaling::LaunchConfiguration",
        "CreateLaunchConfiguration",
    ),
    ("AWS::AutoScaling::LifecycleHook", "PutLifecycleHook"),
    ("AWS::AutoScaling::WarmPool", "PutWarmPool"),
    (
        "AWS::AutoScaling::ScheduledAction",
        "PutScheduledUpdateGroupAction",
    ),
    ("AWS::AutoScaling::ScalingPolicy", "PutScalingPolicy"),
];

const LAUNCH_TEMPLATE: &str = "AWS::EC2::LaunchTemplate";

/// What a resource without `Properties` has.
static EMPTY: Node = Node {
    val: Val::Map(Vec::new()),
    line: 1,
    col: 1,
};

fn props(res: &Node) -> &Node {
    res.get("Properties").unwrap_or(&EMPTY)
}

/// True when the tree looks like a template: `Resources`, or `AWSTemplateFormatVersion`.
pub(crate) fn is_template(root: &Node) -> bool {
    root.members()
        .iter()
        .any(|(k, _)| k == "Resources" || k == "AWSTemplateFormatVersion")
}

/// The logical id a `Ref` or `Fn::GetAtt` anywhere in `n` names, if it is one of `ids`.
fn referenced<'a>(n: &Node, ids: &'a [(&'a str, &'a Node)]) -> Option<&'a (&'a str, &'a Node)> {
    let named = |s: &str| ids.iter().find(|(id, _)| *id == s);
    for (k, v) in n.members() {
        let hit = match (k.as_str(), &v.val) {
            ("Ref", Val::Str(s)) => named(s),
            // `!GetAtt A.B` or `{"Fn::GetAtt": ["A", "B"]}`.
            ("Fn::GetAtt", Val::Str(s)) => named(s.split('.').next().unwrap_or_default()),
            ("Fn::GetAtt", Val::List(items)) => {
                items.first().and_then(Node::as_str).and_then(named)
            }
            _ => None,
        };
        if hit.is_some() {
            return hit;
        }
        if let Some(hit) = referenced(v, ids) {
            return Some(hit);
        }
    }
    None
}

/// Reads the template's Auto Scaling resources.
pub(crate) fn template(root: &Node) -> Result<Vec<InferredRequest>, InferError> {
    let resources = root.get("Resources").ok_or_else(|| {
        InferError::of(
            root,
            "a CloudFormation template without Resources".to_owned(),
        )
    })?;
    if !matches!(resources.val, Val::Map(_)) {
        return Err(InferError::of(
            resources,
            "Resources is not a mapping of logical ids to resources".to_owned(),
        ));
    }
    let mut by_type: Vec<(&str, &str, &Node)> = Vec::new();
    for (id, res) in resources.members() {
        let ty = res
            .get("Type")
            .ok_or_else(|| InferError::of(res, format!("resource {id} has no Type")))?;
        let Some(ty_name) = ty.as_str() else {
            return Err(InferError::of(
                ty,
                format!("resource {id}: Type is not a string"),
            ));
        };
        if ty_name.starts_with("AWS::AutoScaling::")
            && !RESOURCE_TYPES.iter().any(|(t, _)| *t == ty_name)
        {
            return Err(InferError::of(
                ty,
                format!(
                    "resource {id}: {ty_name} is not an Auto Scaling resource type this reads ({})",
                    type_list(RESOURCE_TYPES)
                ),
            ));
        }
        by_type.push((id.as_str(), ty_name, res));
    }
    let of_type = |want: &str| -> Vec<(&str, &Node)> {
        by_type
            .iter()
            .filter(|(_, t, _)| *t == want)
            .map(|(id, _, res)| (*id, *res))
            .collect()
    };
    let templates = of_type(LAUNCH_TEMPLATE);
    let groups = of_type("AWS::AutoScaling::AutoScalingGroup");
    // The launch template a group's (or a call's) properties name, when it is in the template.
    let template_of = |p: &Node| -> Option<LaunchTemplateDef<'_>> {
        let spec = launch_template_spec(p)?;
        let (id, res) = referenced(spec, &templates)?;
        Some(LaunchTemplateDef {
            name: (*id).to_owned(),
            data: props(res).get("LaunchTemplateData").unwrap_or(&EMPTY),
        })
    };
    let mut out = Vec::new();
    for (id, ty, res) in &by_type {
        let Some((_, call)) = RESOURCE_TYPES.iter().find(|(t, _)| t == ty) else {
            continue;
        };
        let p = props(res);
        // A warm pool, hook or action names its group: the group's launch template and name.
        let group = p
            .get("AutoScalingGroupName")
            .and_then(|g| referenced(g, &groups))
            .map(|(_, g)| props(g));
        let lt = template_of(p).or_else(|| group.and_then(template_of));
        let mut r = call_request(call, p, res.line, lt.as_ref(), group);
        r.resource = Some(format!("{id} ({ty})"));
        out.push(r);
        if *call == "CreateAutoScalingGroup"
            && let Some(n) = p.get_any(&["NotificationConfigurations", "NotificationConfiguration"])
        {
            let mut r = call_request("PutNotificationConfiguration", p, n.line, None, None);
            r.resource = Some(format!("{id} ({ty}), its NotificationConfigurations"));
            out.push(r);
        }
    }
    if out.is_empty() {
        return Err(InferError::of(
            resources,
            format!(
                "no Auto Scaling resource in this template: it reads {}",
                type_list(RESOURCE_TYPES)
            ),
        ));
    }
    Ok(out)
}
