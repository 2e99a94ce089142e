//! From a call's parameters to its request features and facts. The parameters come from any
//! input (API JSON, a command line, a `CloudFormation` resource's properties, a Terraform
//! block); names are compared without case, dashes or underscores, so `LaunchTemplate`,
//! `--launch-template` and `launch_template` are one parameter.

use super::node::{Node, Val};
use super::{InferredRequest, Why};
use crate::asg::catalog::catalog;

/// A launch template defined in the same input, that a call's `LaunchTemplate` names.
pub(crate) struct LaunchTemplateDef<'a> {
    /// How the input names it (`AppTemplate`, `aws_launch_template.app`).
    pub name: String,
    /// Its launch template data: `LaunchTemplateData` in `CloudFormation`, the resource's
    /// body in Terraform.
    pub data: &'a Node,
}

/// The launch template a call's parameters name (also inside a mixed-instances policy or an
/// instance refresh's desired configuration), if any.
pub(crate) fn launch_template_spec(v: &Node) -> Option<&Node> {
    v.get("LaunchTemplate")
        .or_else(|| {
            v.get("MixedInstancesPolicy")
                .and_then(|m| m.get("LaunchTemplate"))
                .map(|lt| lt.get("LaunchTemplateSpecification").unwrap_or(lt))
        })
        .or_else(|| {
            v.get("DesiredConfiguration")
                .and_then(|d| d.get("LaunchTemplate"))
        })
}

/// One call by its bare name, with the group it acts on when the input defines that group
/// too (its name, when the call's own parameters do not give one).
pub(crate) fn call_request(
    call: &str,
    params: &Node,
    line: usize,
    lt: Option<&LaunchTemplateDef>,
    group: Option<&Node>,
) -> InferredRequest {
    let action = catalog()
        .full_name_of(call)
        .unwrap_or_else(|| format!("autoscaling:{call}"));
    let mut r = request(&action, params, line, lt);
    if r.facts.group_name.is_none()
        && let Some(name) = group.and_then(|g| g.get_any(&["AutoScalingGroupName", "Name"]))
        && name.as_str().is_some()
    {
        r.set_group_name(name, "the name of the group it names");
    }
    r
}

/// The features and facts of a call's parameters. `template` is the launch template the call
/// names, when the input defines it too.
pub(crate) fn request(
    action: &str,
    v: &Node,
    line: usize,
    template: Option<&LaunchTemplateDef>,
) -> InferredRequest {
    let mut r = InferredRequest {
        action: action.to_owned(),
        features: Vec::new(),
        facts: crate::asg::requirements::Facts::default(),
        why: Vec::new(),
        unknowns: Vec::new(),
        line,
        resource: None,
    };
    launch_rules(&mut r, v, template);
    role_rules(&mut r, v);
    other_rules(&mut r, v);
    if let Some(g) = v.get("AutoScalingGroupName") {
        r.set_group_name(g, "AutoScalingGroupName");
    }
    // Features imply others (an instance profile in a launch template implies the template).
    if let Ok(all) = crate::asg::requirements::expand_features(&r.features) {
        r.features = all;
    }
    r
}

/// The launch template, a launch configuration's instance profile and volumes.
fn launch_rules(r: &mut InferredRequest, v: &Node, template: Option<&LaunchTemplateDef>) {
    if let Some(spec) = launch_template_spec(v) {
        r.add_feature("launch-template", spec.line, "LaunchTemplate");
        if catalog().feature_applies("launch-template-instance-profile", r.name()) {
            if let Some(t) = template {
                template_rules(r, t);
            } else {
                r.unknowns.push("The launch template is defined elsewhere: does it have an instance profile (IamInstanceProfile)? Then turn on launch-template-instance-profile.".to_owned());
                r.unknowns.push(
                    "Does it tag at launch (TagSpecifications)? Then launch-template-tags."
                        .to_owned(),
                );
                r.unknowns.push(
                    "Is its ImageId resolve:ssm:...? Then launch-template-ssm-parameter."
                        .to_owned(),
                );
            }
        }
    } else if let Some(t) = template {
        template_volume_rules(r, t);
    }
    if let Some(p) = v
        .get("IamInstanceProfile")
        .filter(|_| catalog().feature_applies("launch-configuration-instance-profile", r.name()))
    {
        r.add_feature(
            "launch-configuration-instance-profile",
            p.line,
            "IamInstanceProfile",
        );
        r.unknowns.push(format!(
            "The instance profile {} holds a role: give that role's ARN as --instance-role-arn to decide iam:PassRole for it.",
            p.describe()
        ));
    }
    let devices = v.get_any(&["BlockDeviceMappings", "EbsBlockDevice", "RootBlockDevice"]);
    if let Some(d) = devices {
        if let Some(k) = find_key(d, "KmsKeyId") {
            r.add_feature("kms-cmk-encrypted-volumes", k.line, "KmsKeyId");
        } else if d.has_key_deep("Encrypted")
            && catalog().feature_applies("kms-cmk-encrypted-volumes", r.name())
        {
            r.unknowns.push("The volumes are encrypted with the account's default EBS key: if that default is a customer managed KMS key, turn on kms-cmk-encrypted-volumes.".to_owned());
        }
    }
}

/// The features a launch template in the same input sets.
fn template_rules(r: &mut InferredRequest, t: &LaunchTemplateDef) {
    let d = t.data;
    let in_t = |p: &str| format!("{p} in launch template {}", t.name);
    if let Some(p) = d.get("IamInstanceProfile") {
        r.add_feature(
            "launch-template-instance-profile",
            p.line,
            &in_t("IamInstanceProfile"),
        );
        r.unknowns.push(format!(
            "The launch template's instance profile {} holds a role: give that role's ARN as --instance-role-arn to decide iam:PassRole for it.",
            p.describe()
        ));
    }
    if let Some(p) = d.get("TagSpecifications") {
        r.add_feature("launch-template-tags", p.line, &in_t("TagSpecifications"));
    }
    if let Some(p) = d.get("ImageId") {
        let text = p.describe();
        let text = text.trim_matches('"');
        if text.starts_with("resolve:ssm:") {
            r.add_feature("launch-template-ssm-parameter", p.line, &in_t("ImageId"));
        } else if text.contains("{{resolve:ssm") {
            r.unknowns.push(format!("The launch template's ImageId is a CloudFormation dynamic reference ({text}): CloudFormation reads that parameter when it deploys, with the deploying identity's ssm:GetParameters; EC2 does not, so launch-template-ssm-parameter stays off."));
        }
    }
    template_volume_rules(r, t);
}

/// A KMS key on the launch template's volumes: the call launches instances with them (also
/// a call that names no template itself but acts on a group that uses one: a warm pool).
fn template_volume_rules(r: &mut InferredRequest, t: &LaunchTemplateDef) {
    if let Some(k) = t
        .data
        .get("BlockDeviceMappings")
        .and_then(|b| find_key(b, "KmsKeyId"))
    {
        r.add_feature(
            "kms-cmk-encrypted-volumes",
            k.line,
            &format!("KmsKeyId in launch template {}", t.name),
        );
    }
}

/// The first member named `name` at any depth.
pub(crate) fn find_key<'a>(n: &'a Node, name: &str) -> Option<&'a Node> {
    if let Some(v) = n.get(name) {
        return Some(v);
    }
    match &n.val {
        Val::List(items) => items.iter().find_map(|i| find_key(i, name)),
        Val::Map(members) => members.iter().find_map(|(_, v)| find_key(v, name)),
        _ => None,
    }
}

/// The roles a call passes: a custom service-linked role, lifecycle hooks' roles.
fn role_rules(r: &mut InferredRequest, v: &Node) {
    if let Some(slr) = v.get("ServiceLinkedRoleARN") {
        r.add_feature("custom-slr", slr.line, "ServiceLinkedRoleARN");
        match slr.as_str() {
            Some(arn) => r.facts.service_linked_role_arn = Some(arn.to_owned()),
            None => r.unknowns.push(format!(
                "The service-linked role's ARN is computed ({}): give it as --service-linked-role-arn.",
                slr.describe()
            )),
        }
    } else if r.name() == "CreateAutoScalingGroup" {
        r.unknowns.push("Does the account already have the AWSServiceRoleForAutoScaling role? If not (a new account), turn on default-slr-missing.".to_owned());
    }
    // A hook given with the group, or the hook itself.
    let hook_role = v
        .get_any(&["LifecycleHookSpecificationList", "InitialLifecycleHook"])
        .and_then(|hooks| hooks.items().iter().find_map(|h| h.get("RoleARN")))
        .or_else(|| {
            (r.name() == "PutLifecycleHook")
                .then(|| v.get("RoleARN"))
                .flatten()
        });
    if let Some(role) = hook_role {
        r.add_feature("lifecycle-hook-role", role.line, "RoleARN");
        match role.as_str() {
            Some(arn) => r.facts.lifecycle_hook_role_arn = Some(arn.to_owned()),
            None => r.unknowns.push(format!(
                "The lifecycle hook's role ARN is computed ({}): give it as --lifecycle-hook-role-arn to decide iam:PassRole for it.",
                role.describe()
            )),
        }
    }
}

/// Tags on create, VPC Lattice traffic sources, notifications.
fn other_rules(r: &mut InferredRequest, v: &Node) {
    if r.name() == "CreateAutoScalingGroup"
        && let Some(t) = v.get_any(&["Tags", "Tag"])
    {
        r.add_feature("tags-on-create", t.line, "Tags");
    }
    if let Some(t) = v
        .get_any(&["TrafficSources", "TrafficSource"])
        .filter(|t| t.has_text_deep("vpc-lattice"))
    {
        match r.name() {
            "DetachTrafficSources" => r.add_feature("vpc-lattice-detach", t.line, "TrafficSources"),
            "AttachTrafficSources" => r.add_feature("vpc-lattice-attach", t.line, "TrafficSources"),
            _ => r.unknowns.push(format!(
                "Line {}: the call attaches VPC Lattice traffic sources. AWS documents the vpc-lattice permissions this needs only for AttachTrafficSources; see `asg-perms explain --action AttachTrafficSources --feature vpc-lattice-attach`.",
                t.line
            )),
        }
    }
    if r.name() == "PutNotificationConfiguration" {
        r.unknowns.push("Is the SNS topic encrypted with a customer managed KMS key? Then turn on sns-topic-cmk-encrypted.".to_owned());
    }
}

/// The resource types of a format, for messages: `A, B, C`.
pub(crate) fn type_list(types: &[(&str, &str)]) -> String {
    types.iter().map(|(t, _)| *t).collect::<Vec<_>>().join(", ")
}

impl InferredRequest {
    /// The group's name from `node`: a fact when it is written out, else a question.
    pub(crate) fn set_group_name(&mut self, node: &Node, parameter: &str) {
        match node.as_str() {
            Some(name) => {
                self.facts.group_name = Some(name.to_owned());
                self.why.push(Why {
                    what: "fact:group_name".to_owned(),
                    line: node.line,
                    parameter: parameter.to_owned(),
                });
                self.unknowns
                    .retain(|u| !u.starts_with("The group's name is computed"));
            }
            None => self.unknowns.push(format!(
                "The group's name is computed ({}): give it as --group-name to scope the checks to it.",
                node.describe()
            )),
        }
    }
}
