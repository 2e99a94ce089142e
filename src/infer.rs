//! The request read from what the user has: AWS CLI command lines (`aws autoscaling ...`,
//! with shorthand or JSON arguments, `--cli-input-json`, quoting and line continuations)
//! and API request JSON (the parameters `--generate-cli-skeleton` shows). Each request
//! feature and fact says which line of the input set it; what the input cannot tell (a
//! launch template defined elsewhere, whether the default service-linked role exists yet)
//! is a question, and stays open.
//!
//! `CloudFormation` and Terraform are not read yet.

use serde::Serialize;
use serde_json::Value;

use crate::asg::catalog::catalog;
use crate::asg::requirements::Facts;

/// Why a feature or fact was set.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Why {
    /// The feature id, or `fact:NAME`.
    pub what: String,
    /// 1-based line of the input.
    pub line: usize,
    /// The parameter that said so.
    pub parameter: String,
}

/// One call read from the input.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct InferredRequest {
    /// `autoscaling:Name`.
    pub action: String,
    /// Request features, as `check --feature` takes them.
    pub features: Vec<String>,
    /// Facts (group name, roles, account, region).
    pub facts: Facts,
    /// Where each came from.
    pub why: Vec<Why>,
    /// What the input cannot tell, as questions.
    pub unknowns: Vec<String>,
    /// 1-based line where the call starts.
    pub line: usize,
}

/// Why the input could not be read.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{at}: {message}")]
pub struct InferError {
    /// `line N` or `input`.
    pub at: String,
    /// What is wrong.
    pub message: String,
}

fn err(line: usize, message: impl Into<String>) -> InferError {
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

/// A parameter name compared without case or dashes (`--service-linked-role-arn` and
/// `ServiceLinkedRoleARN` are the same).
fn norm(name: &str) -> String {
    name.chars()
        .filter(char::is_ascii_alphanumeric)
        .map(|c| c.to_ascii_lowercase())
        .collect()
}

/// 1-based line where parameter `name` is written (as `--kebab-case` or `"PascalCase"`), at or
/// after line `from`.
fn line_of(text: &str, name: &str, from: usize) -> usize {
    let n = norm(name);
    text.lines()
        .enumerate()
        .skip(from.saturating_sub(1))
        .find(|(_, l)| norm(l).contains(&n))
        .map_or(from, |(i, _)| i + 1)
}

/// Reads CLI command lines or API request JSON.
pub fn infer(text: &str) -> Result<Vec<InferredRequest>, InferError> {
    let trimmed = text.trim_start();
    if trimmed.starts_with('{') {
        let v: Value = serde_json::from_str(text).map_err(|e| {
            err(e.line(), format!("not JSON: {e} (API request JSON needs an action too: use `asg-perms infer` on an aws CLI command, or name the call with \"Action\")"))
        })?;
        let action = v
            .get("Action")
            .and_then(Value::as_str)
            .map(str::to_owned)
            .or_else(|| guess_action(&v))
            .ok_or_else(|| err(1, "API request JSON without \"Action\", and its parameters fit no single Auto Scaling call: add \"Action\": \"CreateAutoScalingGroup\" (or the call's name)"))?;
        let action = catalog()
            .full_name_of(&action)
            .ok_or_else(|| err(1, format!("{action} is not an Auto Scaling action")))?;
        return Ok(vec![request(&action, &v, text, 1)]);
    }
    // Shell: join continued lines, then split each command into words.
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
            message: "no `aws autoscaling ...` command and no API request JSON in it".to_owned(),
        });
    }
    Ok(out)
}

/// Parameters that only one call takes, to name the call of bare API JSON.
fn guess_action(v: &Value) -> Option<String> {
    let keys: Vec<String> = v.as_object()?.keys().map(|k| norm(k)).collect();
    let has = |k: &str| keys.iter().any(|x| x == k);
    if has("lifecyclehookname") {
        Some("PutLifecycleHook".to_owned())
    } else if has("launchconfigurationname") && has("imageid") {
        Some("CreateLaunchConfiguration".to_owned())
    } else if has("autoscalinggroupname") && (has("minsize") || has("maxsize")) {
        Some("CreateAutoScalingGroup".to_owned())
    } else {
        None
    }
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
    // Options to a JSON object of parameters, each value as JSON when it is, else the
    // shorthand `K=V,K=V` as an object, else a string.
    let mut params = serde_json::Map::new();
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
        if name == "region" {
            region = value;
            continue;
        }
        if name == "cli-input-json" {
            let v = value.unwrap_or_default();
            let json = match v.strip_prefix("file://") {
                Some(path) => std::fs::read_to_string(path)
                    .map_err(|e| err(line, format!("--cli-input-json {v}: {e}")))?,
                None => v,
            };
            let parsed: Value = serde_json::from_str(&json)
                .map_err(|e| err(line, format!("--cli-input-json is not JSON: {e}")))?;
            if let Some(o) = parsed.as_object() {
                params.extend(o.clone());
            }
            continue;
        }
        params.insert(pascal(&name), parse_value(value.as_deref()));
    }
    let mut r = request(&action, &Value::Object(params), text, line);
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

/// A parameter by name (case and dashes ignored), anywhere one level down too.
fn param<'a>(v: &'a Value, name: &str) -> Option<&'a Value> {
    let n = norm(name);
    v.as_object()?
        .iter()
        .find(|(k, _)| norm(k) == n)
        .map(|(_, v)| v)
}

/// The features and facts of a call's parameters.
fn request(action: &str, v: &Value, text: &str, line: usize) -> InferredRequest {
    let mut r = InferredRequest {
        action: action.to_owned(),
        features: Vec::new(),
        facts: Facts::default(),
        why: Vec::new(),
        unknowns: Vec::new(),
        line,
    };
    launch_rules(&mut r, v, text);
    role_rules(&mut r, v, text);
    other_rules(&mut r, v, text);
    if let Some(g) = param(v, "AutoScalingGroupName").and_then(Value::as_str) {
        r.facts.group_name = Some(g.to_owned());
        r.why.push(Why {
            what: "fact:group_name".to_owned(),
            line: line_of(text, "AutoScalingGroupName", line),
            parameter: "AutoScalingGroupName".to_owned(),
        });
    }
    // Features imply others (an instance profile in a launch template implies the template).
    if let Ok(all) = crate::asg::requirements::expand_features(&r.features) {
        r.features = all;
    }
    r
}

/// The launch template (also inside a mixed-instances policy or an instance refresh's
/// desired configuration), a launch configuration's instance profile and volumes.
fn launch_rules(r: &mut InferredRequest, v: &Value, text: &str) {
    let lt = param(v, "LaunchTemplate")
        .or_else(|| param(v, "MixedInstancesPolicy").and_then(|m| param(m, "LaunchTemplate")))
        .or_else(|| param(v, "DesiredConfiguration").and_then(|d| param(d, "LaunchTemplate")));
    if lt.is_some() {
        r.add_feature(text, "launch-template", "LaunchTemplate");
        if catalog().feature_applies("launch-template-instance-profile", r.name()) {
            r.unknowns.push("The launch template is defined elsewhere: does it have an instance profile (IamInstanceProfile)? Then turn on launch-template-instance-profile.".to_owned());
            r.unknowns.push(
                "Does it tag at launch (TagSpecifications)? Then launch-template-tags.".to_owned(),
            );
            r.unknowns.push(
                "Is its ImageId resolve:ssm:...? Then launch-template-ssm-parameter.".to_owned(),
            );
        }
    }
    if let Some(p) = param(v, "IamInstanceProfile") {
        r.add_feature(
            text,
            "launch-configuration-instance-profile",
            "IamInstanceProfile",
        );
        if let Some(arn) = p.as_str().filter(|s| s.starts_with("arn:")) {
            r.unknowns.push(format!("{arn} is an instance profile: which role does it hold? Give it as --instance-role-arn to decide iam:PassRole."));
        }
    }
    if param(v, "BlockDeviceMappings")
        .is_some_and(|b| b.to_string().to_lowercase().contains("kmskeyid"))
    {
        r.add_feature(text, "kms-cmk-encrypted-volumes", "KmsKeyId");
    }
}

/// The roles a call passes: a custom service-linked role, lifecycle hooks' roles.
fn role_rules(r: &mut InferredRequest, v: &Value, text: &str) {
    if let Some(slr) = param(v, "ServiceLinkedRoleARN").and_then(Value::as_str) {
        r.add_feature(text, "custom-slr", "ServiceLinkedRoleARN");
        r.facts.service_linked_role_arn = Some(slr.to_owned());
    } else if r.name() == "CreateAutoScalingGroup" {
        r.unknowns.push("Does the account already have the AWSServiceRoleForAutoScaling role? If not (a new account), turn on default-slr-missing.".to_owned());
    }
    // A hook given with the group, or the hook itself.
    let hook_role = param(v, "LifecycleHookSpecificationList")
        .and_then(Value::as_array)
        .and_then(|hooks| hooks.iter().find_map(|h| param(h, "RoleARN")))
        .or_else(|| {
            (r.name() == "PutLifecycleHook")
                .then(|| param(v, "RoleARN"))
                .flatten()
        })
        .and_then(Value::as_str);
    if let Some(role) = hook_role {
        r.add_feature(text, "lifecycle-hook-role", "RoleARN");
        r.facts.lifecycle_hook_role_arn = Some(role.to_owned());
    }
}

/// Tags on create, VPC Lattice traffic sources, notifications.
fn other_rules(r: &mut InferredRequest, v: &Value, text: &str) {
    if param(v, "Tags").is_some() && r.name() == "CreateAutoScalingGroup" {
        r.add_feature(text, "tags-on-create", "Tags");
    }
    if param(v, "TrafficSources")
        .is_some_and(|t| t.to_string().to_lowercase().contains("vpc-lattice"))
    {
        let id = if r.name() == "DetachTrafficSources" {
            "vpc-lattice-detach"
        } else {
            "vpc-lattice-attach"
        };
        r.add_feature(text, id, "TrafficSources");
    }
    if r.name() == "PutNotificationConfiguration" {
        r.unknowns.push("Is the SNS topic encrypted with a customer managed KMS key? Then turn on sns-topic-cmk-encrypted.".to_owned());
    }
}

impl InferredRequest {
    /// The action's bare name (`CreateAutoScalingGroup`).
    fn name(&self) -> &str {
        self.action.trim_start_matches("autoscaling:")
    }

    /// Turns on a feature the call takes, saying which parameter, on which line, set it.
    fn add_feature(&mut self, text: &str, id: &str, parameter: &str) {
        if catalog().feature_applies(id, self.name()) && !self.features.iter().any(|f| f == id) {
            self.features.push(id.to_owned());
            self.why.push(Why {
                what: id.to_owned(),
                line: line_of(text, parameter, self.line),
                parameter: parameter.to_owned(),
            });
        }
    }

    /// For a terminal.
    pub fn to_text(&self) -> String {
        let mut s = format!("{} (line {})\n", self.action, self.line);
        if self.features.is_empty() {
            s.push_str("  features: none\n");
        }
        for w in &self.why {
            s.push_str(&format!(
                "  {:<40} line {:<4} from {}\n",
                w.what, w.line, w.parameter
            ));
        }
        for f in &self.features {
            if !self.why.iter().any(|w| &w.what == f) {
                s.push_str(&format!("  {f:<40} implied\n"));
            }
        }
        for u in &self.unknowns {
            s.push_str(&format!("  ? {u}\n"));
        }
        s
    }
}
