//! From "this action with these request features" to the permissions it needs, and how a
//! policy set fares against them.

use std::collections::BTreeMap;
use std::fmt;

use crate::asg::catalog::{Catalog, catalog};
use crate::engine::{Decision, Status, Summary, evaluate};
use crate::policy::{Context, PolicySet, Request};
use crate::text::pattern::Template;

/// Optional facts the user sets to sharpen the evaluation. Unset facts stay unknown.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(default)]
pub struct Facts {
    /// AWS account id (12 digits).
    pub account: Option<String>,
    /// Region (`us-east-1`).
    pub region: Option<String>,
    /// Partition: `aws`, `aws-cn` or `aws-us-gov`; `aws` when unset.
    pub partition: Option<String>,
    /// The role of the instances' instance profile (launch template or configuration), passed
    /// to EC2.
    #[serde(alias = "role_arn")]
    pub instance_role_arn: Option<String>,
    /// A custom service-linked role for the group, passed to Auto Scaling (under
    /// `role/aws-service-role/autoscaling.amazonaws.com/`).
    pub service_linked_role_arn: Option<String>,
    /// The role a lifecycle hook uses to send notifications, passed to Auto Scaling.
    pub lifecycle_hook_role_arn: Option<String>,
    /// The Auto Scaling group's name.
    pub group_name: Option<String>,
}

/// The kinds of role a request passes with `iam:PassRole`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RoleKind {
    /// The instance profile's role, passed to EC2.
    Instance,
    /// A custom service-linked role, passed to Auto Scaling.
    ServiceLinked,
    /// A lifecycle hook's notification role, passed to Auto Scaling.
    LifecycleHook,
}

impl RoleKind {
    /// The placeholder of this kind of role in the catalog's resource templates.
    fn placeholder(self) -> &'static str {
        match self {
            Self::Instance => "{instance_role}",
            Self::ServiceLinked => "{slr_suffix}",
            Self::LifecycleHook => "{hook_role}",
        }
    }

    /// A label for messages.
    pub fn label(self) -> &'static str {
        match self {
            Self::Instance => "instance role ARN",
            Self::ServiceLinked => "service-linked role ARN",
            Self::LifecycleHook => "lifecycle hook role ARN",
        }
    }

    const ALL: [Self; 3] = [Self::Instance, Self::ServiceLinked, Self::LifecycleHook];
}

/// Where Auto Scaling's service-linked roles live.
const SLR_PATH: &str = "role/aws-service-role/autoscaling.amazonaws.com/";

/// The partitions AWS has for Auto Scaling.
pub const PARTITIONS: [&str; 3] = ["aws", "aws-cn", "aws-us-gov"];

impl Facts {
    /// The account, region and partition that ARNs name (the first of each that does):
    /// `arn:aws:autoscaling:us-east-1:123456789012:...`.
    pub fn from_arns(arns: &[&str]) -> Self {
        let mut f = Self::default();
        for arn in arns {
            let p: Vec<&str> = arn.splitn(6, ':').collect();
            if p.len() < 6 || p[0] != "arn" {
                continue;
            }
            if f.partition.is_none() && p[1] != "aws" && !p[1].is_empty() {
                f.partition = Some(p[1].to_owned());
            }
            if f.region.is_none() && !p[3].is_empty() && p[3] != "*" {
                f.region = Some(p[3].to_owned());
            }
            if f.account.is_none() && p[4].len() == 12 && p[4].bytes().all(|b| b.is_ascii_digit()) {
                f.account = Some(p[4].to_owned());
            }
        }
        f
    }

    /// The partition in force.
    pub fn partition(&self) -> &str {
        self.partition.as_deref().unwrap_or("aws")
    }

    /// The role ARN given for a kind of role.
    pub fn role(&self, kind: RoleKind) -> Option<&str> {
        match kind {
            RoleKind::Instance => self.instance_role_arn.as_deref(),
            RoleKind::ServiceLinked => self.service_linked_role_arn.as_deref(),
            RoleKind::LifecycleHook => self.lifecycle_hook_role_arn.as_deref(),
        }
    }

    /// Fills the known placeholders of a resource template.
    pub fn fill(&self, template: &str) -> String {
        let mut out = template.replace("{partition}", self.partition());
        if let Some(a) = &self.account {
            out = out.replace("{account}", a);
        }
        if let Some(r) = &self.region {
            out = out.replace("{region}", r);
        }
        if let Some(g) = &self.group_name {
            out = out.replace("{group_name}", g);
        }
        out
    }

    /// A resource template with the facts in: a role template becomes the ARN given for its
    /// kind of role, when one is given.
    pub fn resource(&self, template: &str) -> String {
        RoleKind::ALL
            .into_iter()
            .find(|k| template.contains(k.placeholder()))
            .and_then(|k| self.role(k))
            .map_or_else(|| self.fill(template), str::to_owned)
    }

    /// Problems with the facts as given (empty when fine).
    pub fn problems(&self) -> Vec<String> {
        let mut p = Vec::new();
        if let Some(a) = &self.account
            && (a.len() != 12 || !a.chars().all(|c| c.is_ascii_digit()))
        {
            p.push(format!("account id \"{a}\" must be 12 digits"));
        }
        if let Some(r) = &self.region
            && (r.is_empty()
                || !r
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-'))
        {
            p.push(format!(
                "region \"{r}\" is not a region name such as us-east-1"
            ));
        }
        if let Some(part) = &self.partition
            && !PARTITIONS.contains(&part.as_str())
        {
            p.push(format!(
                "partition \"{part}\" is not one of {}",
                PARTITIONS.join(", ")
            ));
        }
        if let Some(g) = &self.group_name
            && (g.is_empty() || g.len() > 255 || g.contains(':'))
        {
            p.push(format!(
                "group name \"{g}\" must be 1 to 255 characters without ':'"
            ));
        }
        for kind in RoleKind::ALL {
            if let Some(arn) = self.role(kind)
                && let Err(why) = self.check_role(kind, arn)
            {
                p.push(format!("{} \"{arn}\" {why}", kind.label()));
            }
        }
        p
    }

    /// Checks a role ARN for its kind.
    fn check_role(&self, kind: RoleKind, arn: &str) -> Result<(), String> {
        let parts: Vec<&str> = arn.splitn(6, ':').collect();
        if parts.len() != 6
            || parts[0] != "arn"
            || parts[2] != "iam"
            || !parts[5].starts_with("role/")
        {
            return Err("is not an IAM role ARN (arn:aws:iam::123456789012:role/name)".to_owned());
        }
        if parts[1] != self.partition() {
            return Err(format!(
                "is in partition \"{}\", but the partition is \"{}\"",
                parts[1],
                self.partition()
            ));
        }
        if let Some(a) = &self.account
            && parts[4] != a
        {
            return Err(format!("is in account {}, not {a}", parts[4]));
        }
        let service_linked = parts[5].starts_with("role/aws-service-role/");
        match kind {
            RoleKind::ServiceLinked if !parts[5].starts_with(SLR_PATH) => Err(format!(
                "is not an Auto Scaling service-linked role: those live under {SLR_PATH} (arn:aws:iam::123456789012:{SLR_PATH}AWSServiceRoleForAutoScaling_suffix)"
            )),
            RoleKind::Instance | RoleKind::LifecycleHook if service_linked => {
                Err("is a service-linked role; this takes an ordinary IAM role".to_owned())
            }
            _ => Ok(()),
        }
    }

    /// A condition value with the facts in: the EC2 service principal of the partition, and
    /// ARN templates filled.
    fn context_value(&self, key: &str, value: &str) -> String {
        if key.eq_ignore_ascii_case("iam:PassedToService")
            && value == "ec2.amazonaws.com"
            && self.partition() == "aws-cn"
        {
            return "ec2.amazonaws.com.cn".to_owned();
        }
        self.fill(value)
    }
}

/// Why the resolution failed.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ResolveError {
    /// No such action.
    #[error("unknown action \"{0}\"{hint}", hint = did_you_mean(.1))]
    UnknownAction(String, Vec<String>),
    /// No such feature.
    #[error("unknown request feature \"{0}\"{hint}", hint = did_you_mean(.1))]
    UnknownFeature(String, Vec<String>),
    /// A permission of another service, given where an Auto Scaling action was expected.
    #[error(
        "{permission} is not an Auto Scaling action: it is a permission that {actions} need{s} (see `asg-perms explain ACTION`)",
        actions = name_list(.actions),
        s = if .actions.len() == 1 { "s" } else { "" }
    )]
    PermissionNotAction {
        /// What was given.
        permission: String,
        /// The Auto Scaling actions that may need it.
        actions: Vec<String>,
    },
    /// Nothing given where a name was expected.
    #[error("no {what} given; the {what}s are: {}", .names.join(", "))]
    Empty {
        /// "action" or "request feature".
        what: &'static str,
        /// Every name there is.
        names: Vec<String>,
    },
    /// Facts that do not parse.
    #[error("{0}")]
    BadFacts(String),
}

/// "`A`", "`A` and `B`", "`A` and 3 others", for a list of action names.
fn name_list(names: &[String]) -> String {
    match names {
        [] => "no Auto Scaling action".to_owned(),
        [one] => one.clone(),
        [a, b] => format!("{a} and {b}"),
        [first, rest @ ..] => format!("{first} and {} others", rest.len()),
    }
}

fn did_you_mean(s: &[String]) -> String {
    if s.is_empty() {
        String::new()
    } else {
        format!("; did you mean {}?", s.join(", "))
    }
}

/// One permission an action needs (or would need under a feature that is off).
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct Requirement {
    /// The permission (`ec2:RunInstances`).
    pub permission: String,
    /// Resource templates, with known facts filled in.
    pub resources: Vec<String>,
    /// Condition keys whose values the request fixes.
    pub context: BTreeMap<String, Vec<String>>,
    /// Why it is needed.
    pub reason: String,
    /// Source ids.
    pub sources: Vec<String>,
    /// The feature that brings it in (`None`: always needed).
    pub feature: Option<String>,
    /// False when its feature is off: "not needed now", shown so users see what a toggle adds.
    pub needed: bool,
    /// Where AWS's pages disagree.
    pub disagreement: Option<String>,
    /// Other notes.
    pub note: Option<String>,
}

impl Requirement {
    /// A key that names this requirement among those of one action (permission and
    /// resources): what "this permission changed" is remembered by.
    pub fn change_key(&self) -> String {
        format!("{} {}", self.permission, self.resources.join(","))
    }

    /// The request to evaluate.
    pub fn request(&self, facts: &Facts) -> Request {
        let mut context = Context::default();
        for (k, v) in &self.context {
            // A value with unknown parts (an ARN with `{group_id}`) is matched as a template.
            if v.iter().any(|x| x.contains('{')) {
                context.set_template(k, v.iter().cloned());
            } else {
                context.set(k, v.iter().cloned());
            }
        }
        if let Some(r) = &facts.region {
            context.set("aws:RequestedRegion", [r.clone()]);
        }
        Request {
            action: self.permission.clone(),
            resources: self.resources.iter().map(|r| Template::parse(r)).collect(),
            context,
        }
    }

    /// `iam:PassedToService = ec2.amazonaws.com` lines.
    pub fn context_text(&self) -> Vec<String> {
        self.context
            .iter()
            .map(|(k, v)| format!("{k} = {}", v.join(" | ")))
            .collect()
    }
}

impl fmt::Display for Requirement {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} on {}", self.permission, self.resources.join(", "))
    }
}

/// Resolves an action name to the catalog's spelling (`CreateAutoScalingGroup`).
pub fn resolve_action(name: &str) -> Result<&'static str, ResolveError> {
    let cat = catalog();
    if name.trim().is_empty() {
        return Err(ResolveError::Empty {
            what: "action",
            names: cat.actions.iter().map(|a| a.name.clone()).collect(),
        });
    }
    if let Some((service, _)) = name.split_once(':')
        && !service.eq_ignore_ascii_case("autoscaling")
    {
        let mut actions: Vec<String> = cat
            .dependencies
            .iter()
            .filter(|d| d.permission.eq_ignore_ascii_case(name.trim()))
            .map(|d| d.action.clone())
            .collect();
        let mut seen = std::collections::BTreeSet::new();
        actions.retain(|a| seen.insert(a.clone()));
        if !actions.is_empty() {
            return Err(ResolveError::PermissionNotAction {
                permission: name.trim().to_owned(),
                actions,
            });
        }
    }
    cat.action(name).map(|a| a.name.as_str()).ok_or_else(|| {
        ResolveError::UnknownAction(
            name.to_owned(),
            Catalog::suggest(name, cat.actions.iter().map(|a| a.name.as_str()))
                .into_iter()
                .map(str::to_owned)
                .collect(),
        )
    })
}

/// Checks feature ids and adds the features they imply.
pub fn expand_features(features: &[String]) -> Result<Vec<String>, ResolveError> {
    let cat = catalog();
    let mut out: Vec<String> = Vec::new();
    let mut stack: Vec<String> = features.to_vec();
    while let Some(id) = stack.pop() {
        if id.trim().is_empty() {
            return Err(ResolveError::Empty {
                what: "request feature",
                names: cat.features.iter().map(|f| f.id.clone()).collect(),
            });
        }
        let Some(f) = cat.feature(&id) else {
            return Err(ResolveError::UnknownFeature(
                id.clone(),
                Catalog::suggest(&id, cat.features.iter().map(|f| f.id.as_str()))
                    .into_iter()
                    .map(str::to_owned)
                    .collect(),
            ));
        };
        if !out.contains(&id) {
            out.push(id);
            stack.extend(f.implies.iter().cloned());
        }
    }
    out.sort_by_key(|id| cat.features.iter().position(|f| &f.id == id));
    Ok(out)
}

/// The permissions `action` needs with `features` on: its own permission, the ones always
/// needed, and those of every feature that applies to it (marked not needed when off).
pub fn requirements(
    action: &str,
    features: &[String],
    facts: &Facts,
) -> Result<Vec<Requirement>, ResolveError> {
    let cat = catalog();
    let name = resolve_action(action)?;
    let Some(act) = cat.action(name) else {
        return Err(ResolveError::UnknownAction(action.to_owned(), Vec::new()));
    };
    let on = expand_features(features)?;
    let problems = facts.problems();
    if !problems.is_empty() {
        return Err(ResolveError::BadFacts(problems.join("; ")));
    }
    let mut out = vec![Requirement {
        permission: act.full_name(),
        resources: vec![facts.fill(&cat.own_resource(act))],
        context: BTreeMap::new(),
        reason: "The Auto Scaling action itself.".to_owned(),
        sources: vec!["SAR_NEW".to_owned()],
        feature: None,
        needed: true,
        disagreement: None,
        note: None,
    }];
    for d in cat.dependencies_for(name) {
        let resources: Vec<String> = d.resources.iter().map(|r| facts.resource(r)).collect();
        let mut context: BTreeMap<String, Vec<String>> = d
            .context
            .iter()
            .map(|(k, v)| {
                (
                    k.clone(),
                    v.iter().map(|x| facts.context_value(k, x)).collect(),
                )
            })
            .collect();
        // A custom service-linked role can be scoped to the group it is for (policy examples
        // page): with the group's name known, the condition narrows it to that group.
        if d.permission == "iam:PassRole"
            && d.resources
                .iter()
                .any(|r| r.contains(RoleKind::ServiceLinked.placeholder()))
            && facts.group_name.is_some()
        {
            context.insert(
                "iam:AssociatedResourceARN".to_owned(),
                vec![facts.fill(&cat.own_resource(act))],
            );
        }
        out.push(Requirement {
            permission: d.permission.clone(),
            resources,
            context,
            reason: d.reason.clone(),
            sources: d.sources.clone(),
            feature: d.when.clone(),
            needed: d.when.as_ref().is_none_or(|w| on.contains(w)),
            disagreement: d.disagreement.clone(),
            note: d.note.clone(),
        });
    }
    Ok(out)
}

/// What the KMS key policy must allow, when the encrypted-volumes feature is on for an action
/// it applies to.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct KeyPolicyRequirement {
    /// The principal that must be allowed (the service-linked role).
    pub principal: String,
    /// Why.
    pub reason: String,
    /// Caveats.
    pub note: String,
    /// Source ids.
    pub sources: Vec<String>,
    /// The key-policy statements to add, with the principal filled in.
    pub statements: Vec<serde_json::Value>,
}

/// The key-policy requirement for `action` with `features`, if any.
pub fn key_policy_requirement(
    action: &str,
    features: &[String],
    facts: &Facts,
) -> Result<Option<KeyPolicyRequirement>, ResolveError> {
    let cat = catalog();
    let name = resolve_action(action)?;
    let on = expand_features(features)?;
    // The catalog check makes sure no action has two key policies.
    let Some(kp) = cat
        .key_policies
        .iter()
        .find(|kp| on.contains(&kp.feature) && cat.feature_applies(&kp.feature, name))
    else {
        return Ok(None);
    };
    // A key policy principal cannot hold wildcards: an unknown account stays a visible
    // placeholder the user must replace.
    let principal = facts.fill(&kp.principal).replace("{account}", "ACCOUNT_ID");
    let statements = kp
        .statements
        .iter()
        .map(|s| {
            let mut s = s.clone();
            if let Some(obj) = s.as_object_mut() {
                let mut with_principal = serde_json::Map::new();
                for (k, v) in obj.iter() {
                    with_principal.insert(k.clone(), v.clone());
                    if k == "Effect" {
                        with_principal.insert(
                            "Principal".to_owned(),
                            serde_json::json!({ "AWS": principal }),
                        );
                    }
                }
                *obj = with_principal;
            }
            s
        })
        .collect();
    Ok(Some(KeyPolicyRequirement {
        principal,
        reason: kp.reason.clone(),
        note: kp.note.clone(),
        sources: kp.sources.clone(),
        statements,
    }))
}

/// A requirement with its decision.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct Checked {
    /// The requirement.
    pub requirement: Requirement,
    /// How the policy set fares.
    pub decision: Decision,
}

/// An action checked against a policy set.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct ActionCheck {
    /// `autoscaling:Name`.
    pub action: String,
    /// The features on (with implied ones).
    pub features: Vec<String>,
    /// The roll-up over needed requirements.
    pub status: Status,
    /// Every requirement, needed or not.
    pub requirements: Vec<Checked>,
    /// The key-policy requirement, if the encrypted-volumes feature is on.
    pub key_policy: Option<KeyPolicyRequirement>,
}

impl ActionCheck {
    /// The requirements needed with the features on (those the status rolls up).
    pub fn needed(&self) -> impl Iterator<Item = &Checked> {
        self.requirements.iter().filter(|c| c.requirement.needed)
    }

    /// Counts of needed requirements per status.
    pub fn counts(&self) -> Summary {
        Summary::of(self.needed().map(|c| c.decision.status))
    }
}

/// What [`check`] works out before it evaluates anything, and fails on: the action's
/// requirements, the features on (implied ones added) and the key-policy requirement.
struct Asked {
    name: &'static str,
    requirements: Vec<Requirement>,
    features: Vec<String>,
    key_policy: Option<KeyPolicyRequirement>,
}

fn asked(action: &str, features: &[String], facts: &Facts) -> Result<Asked, ResolveError> {
    let name = resolve_action(action)?;
    Ok(Asked {
        name,
        requirements: requirements(name, features, facts)?,
        features: expand_features(features)?,
        key_policy: key_policy_requirement(name, features, facts)?,
    })
}

/// Checks an action with features against a policy set.
pub fn check(
    action: &str,
    features: &[String],
    facts: &Facts,
    set: &PolicySet,
) -> Result<ActionCheck, ResolveError> {
    let asked = asked(action, features, facts)?;
    let requirements: Vec<Checked> = asked
        .requirements
        .into_iter()
        .map(|r| {
            let decision = evaluate(set, &r.request(facts));
            Checked {
                requirement: r,
                decision,
            }
        })
        .collect();
    let mut check = ActionCheck {
        action: format!("autoscaling:{}", asked.name),
        features: asked.features,
        status: Status::Satisfied,
        key_policy: asked.key_policy,
        requirements,
    };
    check.status = roll_up(check.needed().map(|c| c.decision.status));
    Ok(check)
}

/// Checks several actions, each with its features, against one policy set: [`check`] for
/// each, spread over the threads of rayon's pool, the results in the order asked.
/// `go_on` is asked before each action is begun; once it says no, no more are begun and
/// the answer is `None` (the work was cancelled).
///
/// What the engine remembers (refinements worked out, witnesses found) is kept for the
/// whole process: the threads share it, and it serves the next call as it does calls made
/// one after the other on one thread.
pub fn check_each(
    actions: &[(&str, &[String])],
    facts: &Facts,
    set: &PolicySet,
    go_on: impl Fn() -> bool + Sync,
) -> Option<Vec<Result<ActionCheck, ResolveError>>> {
    use rayon::prelude::*;
    actions
        .par_iter()
        .map(|(action, features)| go_on().then(|| check(action, features, facts, set)))
        .collect()
}

/// The requests of the requirements [`check`] rolls its status up from (the needed ones),
/// with the same errors: for callers that want only the status, asked of many policy sets
/// (an account's matrix), where the requests are the same for each.
pub fn needed_requests(
    action: &str,
    features: &[String],
    facts: &Facts,
) -> Result<Vec<Request>, ResolveError> {
    Ok(asked(action, features, facts)?
        .requirements
        .iter()
        .filter(|r| r.needed)
        .map(|r| r.request(facts))
        .collect())
}

/// Missing if any is missing, conditional if any is conditional, else satisfied.
pub fn roll_up(statuses: impl Iterator<Item = Status>) -> Status {
    Status::worst(statuses).unwrap_or(Status::Satisfied)
}
