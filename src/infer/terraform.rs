//! Terraform files: each Auto Scaling resource is the call the AWS provider makes to create
//! it. An `aws_launch_template` in the same files that a group references sets the launch
//! template's features; a reference it cannot follow stays a question.

use super::hcl::{TopBlock, parse};
use super::node::{Node, Val};
use super::rules::{LaunchTemplateDef, call_request, launch_template_spec, type_list};
use super::{InferError, InferredRequest};

/// The resource types read, and the call the provider makes to create each.
pub(crate) const RESOURCE_TYPES: &[(&str, &str)] = &[
    ("aws_autoscaling_group", "CreateAutoScalingGroup"),
    ("aws_launch_configuration", "CreateLaunchConfiguration"),
    ("aws_autoscaling_lifecycle_hook", "PutLifecycleHook"),
    (
        "aws_autoscaling_traffic_source_attachment",
        "AttachTrafficSources",
    ),
    (
        "aws_autoscaling_attachment",
        "AttachLoadBalancerTargetGroups",
    ),
    (
        "aws_autoscaling_notification",
        "PutNotificationConfiguration",
    ),
    ("aws_autoscaling_policy", "PutScalingPolicy"),
    ("aws_autoscaling_schedule", "PutScheduledUpdateGroupAction"),
    ("aws_autoscaling_group_tag", "CreateOrUpdateTags"),
];

/// True when the text looks like Terraform: a top-level `resource "aws_...` block.
pub(crate) fn looks_like(text: &str) -> bool {
    text.lines().any(|l| {
        let l = l.trim_start();
        (l.starts_with("resource ") || l.starts_with("resource\t")) && l.contains("\"aws_")
    })
}

/// `aws_launch_template.app.id` (or `aws_launch_template.app[0].id`) → the block it names.
fn referenced<'a>(
    n: &Node,
    blocks: &'a [(&'a str, &'a str, &'a Node)],
    ty: &str,
) -> Option<(&'a str, &'a Node)> {
    let mut found = None;
    let mut look = |s: &str| {
        for part in s.split(|c: char| {
            !(c.is_ascii_alphanumeric() || c == '_' || c == '.' || c == '[' || c == ']')
        }) {
            let mut words = part.split('.');
            if words.next() == Some(ty)
                && let Some(name) = words.next()
            {
                let name = name.split('[').next().unwrap_or_default();
                if let Some((_, n, body)) = blocks.iter().find(|(t, n, _)| *t == ty && *n == name) {
                    found = Some((*n, *body));
                }
            }
        }
    };
    walk_exprs(n, &mut look);
    found
}

fn walk_exprs(n: &Node, f: &mut dyn FnMut(&str)) {
    match &n.val {
        Val::Expr(s) => f(s),
        Val::List(items) => items.iter().for_each(|i| walk_exprs(i, f)),
        Val::Map(members) => members.iter().for_each(|(_, v)| walk_exprs(v, f)),
        _ => {}
    }
}

/// Reads the Auto Scaling resources of a Terraform file.
pub(crate) fn file(text: &str) -> Result<Vec<InferredRequest>, InferError> {
    guard_depth(text)?;
    let top: Vec<TopBlock> = parse(text)?;
    let mut blocks: Vec<(&str, &str, &Node)> = Vec::new();
    for b in &top {
        if b.kind != "resource" {
            continue;
        }
        let [ty, name] = b.labels.as_slice() else {
            return Err(InferError::of(
                &b.body,
                "a resource block needs two labels: its type and its name".to_owned(),
            ));
        };
        if ty.starts_with("aws_autoscaling_") && !RESOURCE_TYPES.iter().any(|(t, _)| t == ty) {
            return Err(InferError::of(
                &b.body,
                format!(
                    "{ty} is not an Auto Scaling resource type this reads ({})",
                    type_list(RESOURCE_TYPES)
                ),
            ));
        }
        blocks.push((ty.as_str(), name.as_str(), &b.body));
    }
    let template_of = |body: &Node| -> Option<LaunchTemplateDef<'_>> {
        let spec = launch_template_spec(body)?;
        let (name, data) = referenced(spec, &blocks, "aws_launch_template")?;
        Some(LaunchTemplateDef {
            name: format!("aws_launch_template.{name}"),
            data,
        })
    };
    let mut out = Vec::new();
    for (ty, name, body) in &blocks {
        let Some((_, call)) = RESOURCE_TYPES.iter().find(|(t, _)| t == ty) else {
            continue;
        };
        // An attachment of a Classic Load Balancer (`elb`) rather than a target group.
        let call = if *ty == "aws_autoscaling_attachment" && body.get("elb").is_some() {
            &"AttachLoadBalancers"
        } else {
            call
        };
        // A hook, attachment or policy names its group: the group's template and name.
        let group = body
            .get_any(&["autoscaling_group_name", "asg_name", "group_names"])
            .and_then(|g| referenced(g, &blocks, "aws_autoscaling_group"))
            .map(|(_, g)| g);
        let lt = template_of(body).or_else(|| group.and_then(template_of));
        let mut r = call_request(call, body, body.line, lt.as_ref(), group);
        if *ty == "aws_autoscaling_group"
            && let Some(n) = body.get("name")
        {
            r.set_group_name(n, "name");
        }
        r.resource = Some(format!("{ty}.{name}"));
        out.push(r);
        if *ty == "aws_autoscaling_group"
            && let Some(w) = body.get("warm_pool")
        {
            let mut r = call_request("PutWarmPool", w, w.line, lt.as_ref(), Some(body));
            r.resource = Some(format!("{ty}.{name}, its warm_pool block"));
            out.push(r);
        }
    }
    if out.is_empty() {
        // A module that makes the group (terraform-aws-modules/autoscaling and the like):
        // its resources are in the module's own files, which are not here.
        if let Some(m) = top.iter().find(|b| {
            b.kind == "module"
                && b.body
                    .get("source")
                    .and_then(Node::as_str)
                    .is_some_and(|s| s.to_ascii_lowercase().contains("autoscaling"))
        }) {
            let source = m
                .body
                .get("source")
                .and_then(Node::as_str)
                .unwrap_or_default();
            return Err(InferError::of(
                &m.body,
                format!(
                    "module \"{}\" ({source}) makes the Auto Scaling resources inside the module, and a module's files are not read from here: give infer the module's own .tf files with your values in them, or the resources themselves",
                    m.labels.first().map_or("", String::as_str)
                ),
            ));
        }
        return Err(InferError {
            at: "input".to_owned(),
            message: format!(
                "no Auto Scaling resource in these Terraform files: it reads {}",
                type_list(RESOURCE_TYPES)
            ),
        });
    }
    Ok(out)
}

/// The deepest bracket nesting accepted before the HCL parser (which recurses) sees the text.
const MAX_DEPTH: usize = 128;

/// Refuses text nested deeper than [`MAX_DEPTH`] brackets, with the place it goes too deep.
/// Brackets inside quoted strings count too: a real file is far from the bound either way.
fn guard_depth(text: &str) -> Result<(), InferError> {
    let mut depth = 0usize;
    let (mut line, mut col) = (1, 0);
    for c in text.chars() {
        col += 1;
        match c {
            '\n' => {
                line += 1;
                col = 0;
            }
            '{' | '[' | '(' => {
                depth += 1;
                if depth > MAX_DEPTH {
                    return Err(InferError::place(
                        line,
                        col,
                        format!("nested deeper than {MAX_DEPTH} levels"),
                    ));
                }
            }
            '}' | ']' | ')' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    Ok(())
}
