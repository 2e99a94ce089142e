//! "What went wrong?": an error message read back into the request that failed. AWS's
//! `AccessDenied` messages in their documented shapes (with the SDK/CLI and `CloudFormation`
//! prefixes), EC2's `UnauthorizedOperation`, Auto Scaling's "not authorized to use launch
//! template", the service-linked role and lifecycle-hook role messages, and decoded
//! authorization messages (`aws sts decode-authorization-message`). Text in none of these
//! shapes is refused with the list of shapes, never guessed at.
//!
//! With policies, the failing permission is evaluated: the layer that denies, the deciding
//! statements, and the statement that fixes it in that layer.

use serde::Serialize;

use crate::asg::catalog::catalog;
use crate::asg::requirements::{Facts, check};
use crate::engine::Status;
use crate::policy::{Context, PolicySet};
use crate::simulate::{SimulationResult, simulate};

/// The shapes of text `diagnose` reads, for the "I can't read this" answer.
pub const SHAPES: [&str; 7] = [
    "User: ARN is not authorized to perform: ACTION on resource: ARN [because no identity-based policy / permissions boundary / service control policy / session policy allows the ACTION action | with an explicit deny in a(n) KIND policy[: ARN]]",
    "the same with the SDK/CLI prefix \"An error occurred (AccessDenied) when calling the X operation:\" or CloudFormation's \"API: autoscaling:X\"",
    "An error occurred (UnauthorizedOperation) when calling the X operation: You are not authorized to perform this operation. [Encoded authorization failure message: ...]",
    "You are not authorized to use launch template: lt-...",
    "the default service-linked role for Auto Scaling could not be created (iam:CreateServiceLinkedRole)",
    "Unable to publish test message to notification target ... using IAM role ... (lifecycle hook)",
    "the JSON that aws sts decode-authorization-message prints (DecodedMessage, or its content)",
];

/// A permission that may have failed, when the message does not say which.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Cause {
    /// The permission.
    pub permission: String,
    /// The request feature that brings it in (as `check --feature` takes it).
    pub feature: Option<String>,
    /// Why it can be the one.
    pub why: String,
    /// How to tell.
    pub how_to_tell: String,
    /// With policies: its status.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<Status>,
}

/// What an error message says, read back.
#[derive(Clone, Debug, Serialize)]
pub struct Diagnosis {
    /// Which shape of message it was (`access-denied`, `unauthorized-operation`,
    /// `launch-template`, `service-linked-role`, `lifecycle-hook-role`,
    /// `decoded-authorization-message`).
    pub shape: &'static str,
    /// In one sentence.
    pub summary: String,
    /// The Auto Scaling call (`autoscaling:CreateAutoScalingGroup`), when known.
    pub operation: Option<String>,
    /// The permission that failed, when the message names it.
    pub failed: Option<String>,
    /// The resource it failed on.
    pub resource: Option<String>,
    /// The caller's ARN.
    pub caller: Option<String>,
    /// Which layer denied: `identity policies`, `permissions boundary`, `service control
    /// policy`, `session policy`, `resource-based policy`, or `explicit deny`.
    pub denied_in: Option<String>,
    /// For an explicit deny: the kind of policy, and its ARN when the message gives it.
    pub explicit_deny: Option<String>,
    /// When the message leaves it open: the permissions that can have failed.
    pub possible: Vec<Cause>,
    /// Request features to turn on, as `check --feature` takes them.
    pub features: Vec<String>,
    /// Facts learnt (account, region, partition, roles).
    pub facts: Facts,
    /// The request context, from a decoded message.
    pub context: Vec<(String, Vec<String>)>,
    /// What to do next.
    pub advice: Vec<String>,
    /// With policies: the failing permission evaluated.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub evaluated: Option<SimulationResult>,
    /// With policies: the statement that fixes it, and the layer it goes in.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fix: Option<Fix>,
}

/// A statement to add, and where.
#[derive(Clone, Debug, Serialize)]
pub struct Fix {
    /// `identity policies`, `permissions boundary`, `SCP 1`.
    pub layer: String,
    /// The policy document to add.
    pub statements: serde_json::Value,
}

/// Why a text could not be read.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("I can't read this as an AWS authorization error{detail}. It reads: {shapes}", shapes = SHAPES.join("; "))]
pub struct Unreadable {
    /// What was wrong, when it was close ("a decoded message without context.action").
    pub detail: String,
}

/// One line, whitespace collapsed (messages arrive wrapped by terminals and consoles).
fn flat(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The text between `start` and the first of `ends` (or the end), trimmed.
fn between<'a>(text: &'a str, start: &str, ends: &[&str]) -> Option<&'a str> {
    let i = text.find(start)? + start.len();
    let rest = &text[i..];
    let end = ends
        .iter()
        .filter_map(|e| rest.find(e))
        .min()
        .unwrap_or(rest.len());
    Some(rest[..end].trim().trim_end_matches(['.', ',', ';']))
}

/// The Auto Scaling action an operation name is (`CreateAutoScalingGroup`), if it is one.
fn auto_scaling_op(name: &str) -> Option<String> {
    catalog().full_name_of(name)
}

/// Reads an error message (or a decoded authorization message).
pub fn diagnose(text: &str) -> Result<Diagnosis, Unreadable> {
    if text.len() as u64 > crate::io::MAX_POLICY_BYTES {
        return Err(Unreadable {
            detail: format!(
                "the text is {} bytes; an error message may take at most {} bytes",
                text.len(),
                crate::io::MAX_POLICY_BYTES
            ),
        });
    }
    diagnose_text(text)
}

fn diagnose_text(text: &str) -> Result<Diagnosis, Unreadable> {
    let trimmed = text.trim();
    if trimmed.starts_with('{') {
        return decoded(trimmed);
    }
    let t = flat(trimmed);
    // The Auto Scaling call: from the CLI/SDK prefix, or CloudFormation's "API: ...".
    let operation = between(&t, "when calling the ", &[" operation"])
        .and_then(auto_scaling_op)
        .or_else(|| between(&t, "API: ", &[" ", ")"]).and_then(auto_scaling_op));
    if let Some(lt) = between(&t, "not authorized to use launch template", &[" ", ")"]) {
        let lt = lt.trim_start_matches(':').trim();
        let lt = if lt.is_empty() {
            between(&t, "not authorized to use launch template: ", &[" ", ")"]).unwrap_or("")
        } else {
            lt
        };
        return Ok(launch_template(operation, lt));
    }
    if t.contains("is not authorized to perform: ") {
        return Ok(access_denied(&t, operation));
    }
    if t.contains("UnauthorizedOperation")
        || t.contains("You are not authorized to perform this operation")
    {
        let op = between(&t, "when calling the ", &[" operation"]).unwrap_or("");
        let failed = (!op.is_empty()).then(|| format!("ec2:{op}"));
        let mut d = base("unauthorized-operation");
        d.summary = format!(
            "EC2 refused {}; EC2 does not say why in the clear.",
            failed.as_deref().unwrap_or("the call")
        );
        d.failed = failed;
        d.denied_in = None;
        d.advice.push(if t.contains("Encoded authorization failure message") {
            "The message carries an encoded explanation: decode it with `aws sts decode-authorization-message --encoded-message '<the text after \"message:\">' --query DecodedMessage --output text` (the caller needs sts:DecodeAuthorizationMessage) and paste the JSON here: it holds the exact request, which is then evaluated as it was.".to_owned()
        } else {
            "Run the call again with --debug or look it up in CloudTrail for the encoded failure message; decode it with aws sts decode-authorization-message.".to_owned()
        });
        return Ok(d);
    }
    let lower = t.to_lowercase();
    if lower.contains("service-linked role") || lower.contains("servicelinkedrole") {
        let mut d = base("service-linked-role");
        d.operation = operation.or_else(|| Some("autoscaling:CreateAutoScalingGroup".to_owned()));
        d.failed = Some("iam:CreateServiceLinkedRole".to_owned());
        d.resource = Some(format!(
            "arn:{}:iam::{}:role/aws-service-role/autoscaling.amazonaws.com/AWSServiceRoleForAutoScaling",
            "aws", "{account}"
        ));
        d.features = vec!["default-slr-missing".to_owned()];
        "Auto Scaling's default service-linked role does not exist yet, and the caller may not create it: the first group in an account creates it with the caller's permissions.".clone_into(&mut d.summary);
        d.advice.push("Allow iam:CreateServiceLinkedRole with the condition iam:AWSServiceName = autoscaling.amazonaws.com, or have an administrator create the role once (aws iam create-service-linked-role --aws-service-name autoscaling.amazonaws.com).".to_owned());
        return Ok(d);
    }
    if lower.contains("unable to publish test message to notification target") {
        let role = between(&t, "using IAM role ", &[" ", "."]).map(str::to_owned);
        let target = between(&t, "notification target ", &[" "]).map(str::to_owned);
        let mut d = base("lifecycle-hook-role");
        d.operation = Some("autoscaling:PutLifecycleHook".to_owned());
        d.features = vec!["lifecycle-hook-role".to_owned()];
        let arns: Vec<&str> = role
            .iter()
            .chain(target.iter())
            .map(String::as_str)
            .collect();
        d.facts = Facts::from_arns(&arns);
        d.facts.lifecycle_hook_role_arn.clone_from(&role);
        d.summary = format!(
            "Auto Scaling could not send a test message to {} as the hook's role {}: the role cannot be assumed by Auto Scaling, or it may not publish there.",
            target.as_deref().unwrap_or("the notification target"),
            role.as_deref().unwrap_or("(not named)")
        );
        d.possible = vec![
            Cause {
                permission: "sts:AssumeRole (trust policy)".to_owned(),
                feature: None,
                why: "The role's trust policy must let autoscaling.amazonaws.com assume it.".to_owned(),
                how_to_tell: "aws iam get-role --role-name ROLE --query Role.AssumeRolePolicyDocument".to_owned(),
                status: None,
            },
            Cause {
                permission: "sns:Publish or sqs:SendMessage (the role's policy)".to_owned(),
                feature: None,
                why: "The role itself must be allowed to publish to the topic or send to the queue (AutoScalingNotificationAccessRole grants both).".to_owned(),
                how_to_tell: "Load the role's policies and simulate sns:Publish on the topic ARN.".to_owned(),
                status: None,
            },
            Cause {
                permission: "iam:PassRole".to_owned(),
                feature: Some("lifecycle-hook-role".to_owned()),
                why: "The caller passes the role to Auto Scaling; without it the call fails with AccessDenied instead.".to_owned(),
                how_to_tell: "Check PutLifecycleHook with the lifecycle-hook-role feature against the caller's policy.".to_owned(),
                status: None,
            },
        ];
        return Ok(d);
    }
    Err(Unreadable {
        detail: String::new(),
    })
}

fn base(shape: &'static str) -> Diagnosis {
    Diagnosis {
        shape,
        summary: String::new(),
        operation: None,
        failed: None,
        resource: None,
        caller: None,
        denied_in: None,
        explicit_deny: None,
        possible: Vec::new(),
        features: Vec::new(),
        facts: Facts::default(),
        context: Vec::new(),
        advice: Vec::new(),
        evaluated: None,
        fix: None,
    }
}

/// "User: X is not authorized to perform: A on resource: R because ..." in all its forms.
fn access_denied(t: &str, operation: Option<String>) -> Diagnosis {
    let mut d = base("access-denied");
    d.caller = between(t, "User: ", &[" is not authorized"]).map(str::to_owned);
    let failed = between(
        t,
        "is not authorized to perform: ",
        &[" on resource", " because", " with an explicit"],
    )
    .map(str::to_owned);
    d.resource = between(
        t,
        "on resource: ",
        &[" because", " with an explicit", " (Service", " (Status"],
    )
    .map(str::to_owned);
    if let Some(kind) = between(t, "with an explicit deny in ", &[" policy"]) {
        let kind = kind.trim_start_matches("an ").trim_start_matches("a ");
        let arn = between(t, "policy: ", &[" ", ")"]).filter(|a| a.starts_with("arn:"));
        d.denied_in = Some("explicit deny".to_owned());
        d.explicit_deny = Some(match arn {
            Some(a) => format!("{kind} policy {a}"),
            None => format!("{kind} policy"),
        });
    } else if let Some(kind) = between(t, "because no ", &[" allows", " allow"]) {
        d.denied_in = Some(
            match kind {
                "identity-based policy" => "identity policies",
                "permissions boundary" => "permissions boundary",
                "service control policy" => "service control policy",
                "session policy" => "session policy",
                "resource-based policy" => "resource-based policy",
                other => other,
            }
            .to_owned(),
        );
    }
    let arns: Vec<&str> = d
        .caller
        .iter()
        .chain(d.resource.iter())
        .map(String::as_str)
        .collect();
    d.facts = Facts::from_arns(&arns);
    // The Auto Scaling call: the failed action itself, or the call named in the prefix.
    d.operation = operation.or_else(|| {
        failed
            .as_deref()
            .and_then(|f| f.strip_prefix("autoscaling:"))
            .and_then(auto_scaling_op)
    });
    if let (Some(op), Some(f)) = (&d.operation, &failed) {
        let name = op.trim_start_matches("autoscaling:");
        for dep in catalog().dependencies_for(name) {
            if dep.permission.eq_ignore_ascii_case(f)
                && let Some(w) = &dep.when
                && !d.features.contains(w)
            {
                d.features.push(w.clone());
            }
        }
        if f == "iam:PassRole"
            && let Some(r) = d.resource.clone()
        {
            passrole_features(&mut d, r);
        }
    }
    d.summary = format!(
        "{} was denied {}{}{}.",
        failed.as_deref().unwrap_or("the call"),
        d.resource
            .as_deref()
            .map(|r| format!("on {r} "))
            .unwrap_or_default(),
        match (&d.denied_in, &d.explicit_deny) {
            (_, Some(e)) => format!("by an explicit Deny in a {e}"),
            (Some(l), None) => format!("because no Allow in the {l} covers it"),
            (None, None) => "(the message does not say by which layer)".to_owned(),
        },
        match &d.operation {
            Some(op) if failed.as_deref() != Some(op.as_str()) =>
                format!(", a permission {op} needs"),
            _ => String::new(),
        }
    );
    if d.explicit_deny.is_some() {
        d.advice.push("No Allow overrides an explicit Deny: narrow the Deny (a condition, fewer actions or resources) or make the request outside it.".to_owned());
    }
    d.failed = failed;
    d
}

/// A role passed with `iam:PassRole` tells which role it was: a service-linked role is the
/// group's own; another is the instance profile's (or a lifecycle hook's).
fn passrole_features(d: &mut Diagnosis, r: String) {
    // The role tells which role was passed: a service-linked role is the group's
    // own; another role is the instance profile's (or a lifecycle hook's).
    if r.contains(":role/aws-service-role/") {
        d.features.retain(|x| x == "custom-slr");
        d.facts.service_linked_role_arn = Some(r);
    } else {
        d.features.retain(|x| x != "custom-slr");
        let hook = d.features.iter().any(|x| x == "lifecycle-hook-role");
        let profile = d
            .features
            .iter()
            .find(|x| x.contains("instance-profile"))
            .cloned();
        if let Some(p) = profile {
            if hook {
                d.advice.push(format!(
                    "If {r} is a lifecycle hook's notification role rather than the instance profile's, the feature is lifecycle-hook-role."
                ));
            }
            d.features = vec![p];
            d.facts.instance_role_arn = Some(r);
        } else if hook {
            d.facts.lifecycle_hook_role_arn = Some(r);
        }
    }
}

/// "You are not authorized to use launch template: lt-..."
fn launch_template(operation: Option<String>, lt: &str) -> Diagnosis {
    let mut d = base("launch-template");
    d.operation = operation.or_else(|| Some("autoscaling:CreateAutoScalingGroup".to_owned()));
    d.resource = (!lt.is_empty()).then(|| lt.to_owned());
    d.features = vec!["launch-template".to_owned()];
    d.summary = format!(
        "Auto Scaling checked launch template {} with a dry run made with the caller's credentials, and one of the permissions the template needs was refused. The message does not say which; one of these:",
        if lt.is_empty() { "(not named)" } else { lt }
    );
    let causes = [
        (
            "ec2:RunInstances",
            "launch-template",
            "Every launch is checked with ec2:RunInstances on the template, the image, the subnet, security groups, network interfaces, volumes and the instance.",
            "Always needed: check it first.",
        ),
        (
            "iam:PassRole",
            "launch-template-instance-profile",
            "The template names an instance profile (IamInstanceProfile): the caller passes its role to EC2.",
            "Does the template have an IamInstanceProfile? aws ec2 describe-launch-template-versions --launch-template-id LT --query 'LaunchTemplateVersions[].LaunchTemplateData.IamInstanceProfile'",
        ),
        (
            "ec2:CreateTags",
            "launch-template-tags",
            "The template tags instances or volumes at launch (TagSpecifications).",
            "Does the template have TagSpecifications? (same command, LaunchTemplateData.TagSpecifications)",
        ),
        (
            "ssm:GetParameters",
            "launch-template-ssm-parameter",
            "The template's ImageId is resolve:ssm:...: the parameter is read with the caller's permissions.",
            "Does the template's ImageId start with resolve:ssm:? (same command, LaunchTemplateData.ImageId)",
        ),
    ];
    d.possible = causes
        .iter()
        .map(|(p, f, why, how)| Cause {
            permission: (*p).to_owned(),
            feature: Some((*f).to_owned()),
            why: (*why).to_owned(),
            how_to_tell: (*how).to_owned(),
            status: None,
        })
        .collect();
    d.advice.push(
        "Load the caller's policy to see which of these it refuses (the engine checks each)."
            .to_owned(),
    );
    d
}

/// The JSON of `aws sts decode-authorization-message` (the `DecodedMessage` string, or the
/// whole output around it).
fn decoded(text: &str) -> Result<Diagnosis, Unreadable> {
    let unreadable = |detail: &str| Unreadable {
        detail: format!(" ({detail})"),
    };
    let mut v: serde_json::Value = serde_json::from_str(text)
        .map_err(|e| unreadable(&format!("it starts like JSON but is not: {e}")))?;
    if let Some(inner) = v.get("DecodedMessage").and_then(|m| m.as_str()) {
        v = serde_json::from_str(inner)
            .map_err(|e| unreadable(&format!("DecodedMessage is not JSON: {e}")))?;
    }
    let ctx = v
        .get("context")
        .ok_or_else(|| unreadable("a decoded message without \"context\""))?;
    let action = ctx
        .get("action")
        .and_then(|a| a.as_str())
        .ok_or_else(|| unreadable("a decoded message without context.action"))?;
    let resource = ctx
        .get("resource")
        .and_then(|a| a.as_str())
        .map(str::to_owned);
    let caller = ctx
        .get("principal")
        .and_then(|p| p.get("arn"))
        .and_then(|a| a.as_str())
        .map(str::to_owned);
    let mut context = Vec::new();
    if let Some(items) = ctx
        .get("conditions")
        .and_then(|c| c.get("items"))
        .and_then(|i| i.as_array())
    {
        for item in items {
            let Some(key) = item.get("key").and_then(|k| k.as_str()) else {
                return Err(unreadable("a condition item without \"key\""));
            };
            let values: Vec<String> = item
                .get("values")
                .and_then(|v| v.get("items"))
                .and_then(|i| i.as_array())
                .map(|vals| {
                    vals.iter()
                        .filter_map(|x| x.get("value").and_then(|s| s.as_str()).map(str::to_owned))
                        .collect()
                })
                .unwrap_or_default();
            context.push((key.to_owned(), values));
        }
    }
    let allowed = v
        .get("allowed")
        .and_then(serde_json::Value::as_bool)
        .unwrap_or(false);
    let explicit = v
        .get("explicitDeny")
        .and_then(serde_json::Value::as_bool)
        .unwrap_or(false);
    let mut d = base("decoded-authorization-message");
    let arns: Vec<&str> = caller
        .iter()
        .chain(resource.iter())
        .map(String::as_str)
        .collect();
    d.facts = Facts::from_arns(&arns);
    d.failed = Some(action.to_owned());
    d.resource = resource;
    d.caller = caller;
    d.context = context;
    d.operation = action
        .strip_prefix("autoscaling:")
        .and_then(auto_scaling_op);
    if explicit {
        d.denied_in = Some("explicit deny".to_owned());
        d.explicit_deny =
            Some("policy (the decoded message lists the matched statements)".to_owned());
    }
    d.summary = format!(
        "{} {} on {} with the {} context keys the message lists{}.",
        action,
        if allowed {
            "was allowed"
        } else if explicit {
            "was explicitly denied"
        } else {
            "was denied"
        },
        d.resource.as_deref().unwrap_or("(no resource)"),
        d.context.len(),
        if explicit {
            ""
        } else {
            "; load the caller's policies to see which layer has no Allow"
        }
    );
    Ok(d)
}

impl Diagnosis {
    /// Evaluates what failed against policies: the permission named (with the exact context
    /// of a decoded message), or each possible cause of a launch-template message.
    pub fn evaluate(&mut self, set: &PolicySet) {
        if let Some(op) = self.operation.clone()
            && !self.possible.is_empty()
            && self.shape == "launch-template"
        {
            let name = op.trim_start_matches("autoscaling:").to_owned();
            for cause in &mut self.possible {
                let Some(feature) = &cause.feature else {
                    continue;
                };
                let Ok(c) = check(&name, std::slice::from_ref(feature), &self.facts, set) else {
                    continue;
                };
                cause.status = c
                    .requirements
                    .iter()
                    .filter(|r| {
                        r.requirement.needed && r.requirement.permission == cause.permission
                    })
                    .map(|r| r.decision.status)
                    .max();
            }
            // The policy is loaded now: the advice to load it is done with.
            self.advice
                .retain(|a| !a.starts_with("Load the caller's policy"));
            let refused: Vec<&str> = self
                .possible
                .iter()
                .filter(|c| c.status == Some(Status::Missing))
                .map(|c| c.permission.as_str())
                .collect();
            self.advice.push(if refused.is_empty() {
                "The loaded policy grants each of these (or it depends on unknown values): the refusal may come from a boundary, an SCP or a session policy not loaded here.".to_owned()
            } else {
                format!("The loaded policy refuses: {}.", refused.join(", "))
            });
            return;
        }
        let Some(action) = self.failed.clone() else {
            return;
        };
        let resource = self.resource.clone().unwrap_or_else(|| "*".to_owned());
        let mut context = Context::default();
        for (k, v) in &self.context {
            context.set(k, v.iter().cloned());
        }
        if self.shape == "decoded-authorization-message" {
            // The decoded message lists every key the request had: others were absent.
            let listed: Vec<String> = self.context.iter().map(|(k, _)| k.to_lowercase()).collect();
            for p in set.policies() {
                for st in &p.statements {
                    for c in &st.conditions {
                        if !listed.contains(&c.key.to_lowercase()) && !c.key.contains("${") {
                            context.set_absent(&c.key);
                        }
                    }
                }
            }
        }
        let Some(result) = simulate(
            set,
            std::slice::from_ref(&action),
            std::slice::from_ref(&resource),
            &context,
        )
        .pop() else {
            return;
        };
        if result.decision == "implicitDeny" {
            let layer = result
                .denied_in
                .clone()
                .unwrap_or_else(|| "identity policies".to_owned());
            self.fix = Some(Fix {
                layer,
                statements: serde_json::json!({
                    "Version": "2012-10-17",
                    "Statement": [{
                        "Effect": "Allow",
                        "Action": action,
                        "Resource": resource,
                    }]
                }),
            });
        }
        self.evaluated = Some(result);
    }

    /// For a terminal.
    pub fn to_text(&self) -> String {
        let mut s = format!("{}\n", self.summary);
        let mut line = |k: &str, v: &Option<String>| {
            if let Some(v) = v {
                s.push_str(&format!("  {k:<10} {v}\n"));
            }
        };
        line("call", &self.operation);
        line("failed", &self.failed);
        line("resource", &self.resource);
        line("caller", &self.caller);
        line("denied in", &self.denied_in);
        line("deny", &self.explicit_deny);
        if !self.features.is_empty() {
            s.push_str(&format!("  features   {}\n", self.features.join(", ")));
        }
        for (k, v) in &self.context {
            s.push_str(&format!("  context    {k} = {}\n", v.join(", ")));
        }
        for c in &self.possible {
            s.push_str(&format!(
                "\n  {}{}{}\n    why: {}\n    how to tell: {}\n",
                c.permission,
                c.feature
                    .as_deref()
                    .map(|f| format!("  (--feature {f})"))
                    .unwrap_or_default(),
                c.status
                    .map(|st| format!("  {} {}", st.icon(), st.word()))
                    .unwrap_or_default(),
                c.why,
                c.how_to_tell
            ));
        }
        if let Some(r) = &self.evaluated {
            s.push_str(&format!(
                "\nWith the loaded policies: {}\n  {}\n",
                r.words(),
                r.detail.explanation
            ));
        }
        if let Some(f) = &self.fix {
            s.push_str(&format!(
                "\nAdd to the {}:\n{}\n",
                f.layer,
                serde_json::to_string_pretty(&f.statements).unwrap_or_default()
            ));
        }
        for a in &self.advice {
            s.push_str(&format!("\n{a}\n"));
        }
        s
    }

    /// For a pull request or a ticket.
    pub fn to_markdown(&self) -> String {
        let mut s = format!("### What went wrong\n\n{}\n\n", self.summary);
        for (k, v) in [
            ("Call", &self.operation),
            ("Failed permission", &self.failed),
            ("Resource", &self.resource),
            ("Caller", &self.caller),
            ("Denied in", &self.denied_in),
        ] {
            if let Some(v) = v {
                s.push_str(&format!("- **{k}**: `{v}`\n"));
            }
        }
        for c in &self.possible {
            s.push_str(&format!(
                "- possible: `{}`: {} ({})\n",
                c.permission, c.why, c.how_to_tell
            ));
        }
        if let Some(f) = &self.fix {
            s.push_str(&format!(
                "\nAdd to the {}:\n\n```json\n{}\n```\n",
                f.layer,
                serde_json::to_string_pretty(&f.statements).unwrap_or_default()
            ));
        }
        for a in &self.advice {
            s.push_str(&format!("\n{a}\n"));
        }
        s
    }
}
