//! The headless commands: `list`, `check`, `generate`, `explain`. They share the core with the
//! desktop app. Exit codes: 0 nothing required is missing, 1 something is missing (or
//! conditional under `--strict`), 2 bad usage or unreadable input.

use std::io::{IsTerminal as _, Read as _};
use std::path::Path;
use std::sync::Arc;

use clap::{Parser, Subcommand, ValueEnum};

use crate::catalog::catalog;
use crate::eval::{PolicySet, Status};
use crate::generate::{GenerateOptions, merged, policy_for};
use crate::load::{Loaded, MAX_INPUT_BYTES, load_bytes, load_file};
use crate::policy::{Policy, PolicyError};
use crate::report::Report;
use crate::resolve::{Facts, check, key_policy_requirement, requirements, resolve_action};

/// Command-line interface.
#[derive(Debug, Parser)]
#[command(
    name = "asg-perms",
    version,
    about = "Auto Scaling Permission Explorer: which IAM permissions an Amazon EC2 Auto Scaling call needs, and whether a policy grants them. Without a command, opens the desktop app."
)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Option<Command>,
    /// Open the app with this policy file loaded.
    #[arg(long, value_name = "FILE")]
    pub open: Option<std::path::PathBuf>,
}

/// Output formats for `check`.
#[derive(Clone, Copy, Debug, ValueEnum, PartialEq, Eq)]
pub enum Format {
    /// A readable table.
    Text,
    /// Stable JSON (see README).
    Json,
    /// A review report for pull requests.
    Markdown,
}

/// Output formats for `list`.
#[derive(Clone, Copy, Debug, ValueEnum, PartialEq, Eq)]
pub enum ListFormat {
    /// Indented text.
    Text,
    /// JSON.
    Json,
}

/// Facts shared by several commands.
#[derive(Debug, clap::Args)]
pub struct FactArgs {
    /// AWS account id, to narrow resource ARNs.
    #[arg(long, value_name = "ID")]
    pub account: Option<String>,
    /// Region, to narrow resource ARNs and evaluate aws:RequestedRegion.
    #[arg(long, value_name = "NAME")]
    pub region: Option<String>,
    /// The role passed with iam:PassRole.
    #[arg(long, value_name = "ARN")]
    pub role_arn: Option<String>,
}

impl FactArgs {
    fn facts(&self) -> Facts {
        Facts {
            account: self.account.clone(),
            region: self.region.clone(),
            partition: None,
            role_arn: self.role_arn.clone(),
        }
    }
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// The action tree: groups, actions, access levels and request features.
    List {
        /// Output format.
        #[arg(long, value_enum, default_value = "text")]
        format: ListFormat,
    },
    /// Check policies against the permissions of Auto Scaling actions.
    Check {
        /// Identity policy file (repeatable; `-` reads stdin). A
        /// get-account-authorization-details file needs --principal.
        #[arg(long = "policy", value_name = "FILE", required = true)]
        policies: Vec<String>,
        /// Permissions boundary policy file.
        #[arg(long, value_name = "FILE")]
        boundary: Option<String>,
        /// Service control policy file, one per organization level (repeatable).
        #[arg(long = "scp", value_name = "FILE")]
        scps: Vec<String>,
        /// The role or user to evaluate as, when a policy file is an authorization-details dump.
        #[arg(long, value_name = "NAME")]
        principal: Option<String>,
        /// Auto Scaling action (repeatable): `CreateAutoScalingGroup` or autoscaling:CreateAutoScalingGroup.
        #[arg(long = "action", value_name = "NAME", required = true)]
        actions: Vec<String>,
        /// Request feature id (repeatable); see `asg-perms list`.
        #[arg(long = "feature", value_name = "ID")]
        features: Vec<String>,
        /// Facts.
        #[command(flatten)]
        facts: FactArgs,
        /// Output format.
        #[arg(long, value_enum, default_value = "text")]
        format: Format,
        /// Treat conditional results as failures (exit 1).
        #[arg(long)]
        strict: bool,
        /// Also generate statements for conditional permissions.
        #[arg(long)]
        include_conditional: bool,
    },
    /// Print the least-privilege policy for actions and features.
    Generate {
        /// Auto Scaling action (repeatable).
        #[arg(long = "action", value_name = "NAME", required = true)]
        actions: Vec<String>,
        /// Request feature id (repeatable).
        #[arg(long = "feature", value_name = "ID")]
        features: Vec<String>,
        /// Facts.
        #[command(flatten)]
        facts: FactArgs,
        /// Print this policy with the generated statements appended.
        #[arg(long, value_name = "FILE")]
        merge_with: Option<String>,
    },
    /// Explain what an action needs and why, with sources; no policy needed.
    Explain {
        /// Auto Scaling action.
        #[arg(long, value_name = "NAME")]
        action: String,
        /// Request feature id (repeatable).
        #[arg(long = "feature", value_name = "ID")]
        features: Vec<String>,
    },
}

/// A failure that ends the command with exit code 2.
#[derive(Debug)]
pub struct UsageError(pub String);

impl From<PolicyError> for UsageError {
    fn from(e: PolicyError) -> Self {
        let mut s = e.to_string();
        if let Some(x) = &e.excerpt {
            s.push_str(&format!("\n    {x}"));
        }
        Self(s)
    }
}

impl From<crate::resolve::ResolveError> for UsageError {
    fn from(e: crate::resolve::ResolveError) -> Self {
        Self(e.to_string())
    }
}

/// Runs a parsed command; returns the exit code.
pub fn run(command: Command) -> i32 {
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    match execute(command, &mut out) {
        Ok(code) => code,
        Err(UsageError(msg)) => {
            eprintln!("asg-perms: {msg}");
            2
        }
    }
}

fn load_one(spec: &str) -> Result<Loaded, UsageError> {
    if spec == "-" {
        let mut buf = Vec::new();
        std::io::stdin()
            .take(MAX_INPUT_BYTES + 1)
            .read_to_end(&mut buf)
            .map_err(|e| UsageError(format!("<stdin>: cannot read: {e}")))?;
        Ok(load_bytes("<stdin>", &buf)?)
    } else {
        Ok(load_file(Path::new(spec))?)
    }
}

fn single_policy(spec: &str, what: &str) -> Result<Policy, UsageError> {
    match load_one(spec)? {
        Loaded::Policy(p, _) => Ok(p),
        Loaded::Account(_) => Err(UsageError(format!(
            "{spec}: a {what} must be a single policy, not an authorization-details dump"
        ))),
    }
}

/// Builds the policy set from the command's files.
fn policy_set(
    policies: &[String],
    boundary: Option<&String>,
    scps: &[String],
    principal: Option<&String>,
) -> Result<PolicySet, UsageError> {
    let mut set = PolicySet::default();
    let mut used_principal = false;
    for spec in policies {
        match load_one(spec)? {
            Loaded::Policy(p, _) => set.identity.push(Arc::new(p)),
            Loaded::Account(acc) => {
                let Some(name) = principal else {
                    let names: Vec<String> = acc
                        .principals
                        .iter()
                        .take(10)
                        .map(|p| p.name.clone())
                        .collect();
                    return Err(UsageError(format!(
                        "{spec} is get-account-authorization-details output with {} roles and users; choose one with --principal (for example: {})",
                        acc.principals.len(),
                        names.join(", ")
                    )));
                };
                let ps = acc.policy_set(spec, name)?;
                set.identity.extend(ps.identity);
                if ps.boundary.is_some() {
                    set.boundary = ps.boundary;
                }
                used_principal = true;
            }
        }
    }
    if principal.is_some() && !used_principal {
        return Err(UsageError(
            "--principal needs a get-account-authorization-details file among the --policy files"
                .to_owned(),
        ));
    }
    if let Some(b) = boundary {
        set.boundary = Some(Arc::new(single_policy(b, "permissions boundary")?));
    }
    for s in scps {
        set.scps
            .push(Arc::new(single_policy(s, "service control policy")?));
    }
    Ok(set)
}

fn warnings(set: &PolicySet) {
    for p in set
        .identity
        .iter()
        .chain(set.boundary.iter())
        .chain(set.scps.iter())
    {
        for w in &p.warnings {
            eprintln!(
                "asg-perms: warning: {}:{}:{}: {}",
                p.name, w.line, w.column, w.message
            );
        }
    }
}

/// Runs a command, writing to `out`.
pub fn execute(command: Command, out: &mut dyn std::io::Write) -> Result<i32, UsageError> {
    let write_err = |e: std::io::Error| UsageError(format!("cannot write the output: {e}"));
    match command {
        Command::List { format } => {
            let text = list(format);
            out.write_all(text.as_bytes()).map_err(write_err)?;
            Ok(0)
        }
        Command::Check {
            policies,
            boundary,
            scps,
            principal,
            actions,
            features,
            facts,
            format,
            strict,
            include_conditional,
        } => {
            let facts = facts.facts();
            let names = resolve_names(&actions, &features)?;
            let set = policy_set(&policies, boundary.as_ref(), &scps, principal.as_ref())?;
            warnings(&set);
            let checks = names
                .iter()
                .map(|a| check(a, &applicable(&features, a), &facts, &set))
                .collect::<Result<Vec<_>, _>>()?;
            let report = Report::new(
                &checks,
                GenerateOptions {
                    include_conditional,
                },
            );
            let text = match format {
                Format::Json => report.to_json() + "\n",
                Format::Markdown => report.to_markdown(),
                Format::Text => report.to_text(
                    std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none(),
                ),
            };
            out.write_all(text.as_bytes()).map_err(write_err)?;
            let worst = checks
                .iter()
                .map(|c| c.status)
                .max()
                .unwrap_or(Status::Satisfied);
            Ok(match worst {
                Status::Missing => 1,
                Status::Conditional if strict => 1,
                _ => 0,
            })
        }
        Command::Generate {
            actions,
            features,
            facts,
            merge_with,
        } => {
            let facts = facts.facts();
            let names = resolve_names(&actions, &features)?;
            let mut reqs = Vec::new();
            for a in &names {
                reqs.extend(requirements(a, &applicable(&features, a), &facts)?);
            }
            let generated = policy_for(&reqs);
            let text = match merge_with {
                Some(spec) => {
                    let base = single_policy(&spec, "policy to merge with")?;
                    serde_json::to_string_pretty(&merged(&base, &generated)).unwrap_or_default()
                }
                None => generated.to_json(),
            };
            writeln!(out, "{text}").map_err(write_err)?;
            for a in &names {
                if let Some(kp) = key_policy_requirement(a, &features, &facts)? {
                    eprintln!(
                        "asg-perms: note: encrypted volumes also need the KMS key policy to allow {} ({}); run `asg-perms explain --action {a} --feature kms-cmk-encrypted-volumes` for the statements",
                        kp.principal, kp.reason
                    );
                }
            }
            Ok(0)
        }
        Command::Explain { action, features } => {
            let name = resolve_action(&action)?;
            let text = explain(name, &features)?;
            out.write_all(text.as_bytes()).map_err(write_err)?;
            Ok(0)
        }
    }
}

/// Resolves action names (any spelling) and checks the feature ids, before any file is read.
fn resolve_names(actions: &[String], features: &[String]) -> Result<Vec<&'static str>, UsageError> {
    let names = actions
        .iter()
        .map(|a| resolve_action(a))
        .collect::<Result<Vec<_>, _>>()?;
    crate::resolve::expand_features(features)?;
    Ok(names)
}

/// The features of `features` that apply to action `name`.
fn applicable(features: &[String], name: &str) -> Vec<String> {
    features
        .iter()
        .filter(|f| applies(f, name))
        .cloned()
        .collect()
}

/// True when feature `id` applies to action `name` (unknown ids were rejected before).
fn applies(id: &str, name: &str) -> bool {
    catalog()
        .feature(id)
        .is_some_and(|f| f.applies_to.iter().any(|a| a == name))
}

fn list(format: ListFormat) -> String {
    let cat = catalog();
    match format {
        ListFormat::Json => {
            let groups: Vec<serde_json::Value> = cat
                .groups
                .iter()
                .map(|g| {
                    let actions: Vec<serde_json::Value> = cat
                        .actions
                        .iter()
                        .filter(|a| a.group == g.id)
                        .map(|a| {
                            serde_json::json!({
                                "action": a.full_name(),
                                "access_level": a.access_level,
                                "resource_type": a.resource_type,
                                "description": a.description,
                                "features": cat.features_for(&a.name).iter().map(|f| f.id.clone()).collect::<Vec<_>>(),
                            })
                        })
                        .collect();
                    serde_json::json!({ "group": g.name, "actions": actions })
                })
                .collect();
            let features: Vec<serde_json::Value> = cat
                .features
                .iter()
                .map(|f| serde_json::json!({ "id": f.id, "label": f.label, "implies": f.implies, "applies_to": f.applies_to }))
                .collect();
            serde_json::to_string_pretty(&serde_json::json!({ "snapshot": cat.snapshot, "groups": groups, "features": features }))
                .unwrap_or_default()
                + "\n"
        }
        ListFormat::Text => {
            let mut s = String::new();
            for g in &cat.groups {
                s.push_str(&format!("{}\n", g.name));
                for a in cat.actions.iter().filter(|a| a.group == g.id) {
                    let f: Vec<&str> = cat
                        .features_for(&a.name)
                        .iter()
                        .map(|f| f.id.as_str())
                        .collect();
                    let extra = cat.dependencies_for(&a.name).count();
                    s.push_str(&format!(
                        "  {:<40} {:<15}{}{}\n",
                        a.full_name(),
                        a.access_level,
                        if extra > 0 {
                            format!(" +{extra} cross-service")
                        } else {
                            String::new()
                        },
                        if f.is_empty() {
                            String::new()
                        } else {
                            format!("  features: {}", f.join(", "))
                        }
                    ));
                }
            }
            s.push_str("\nRequest features:\n");
            for f in &cat.features {
                s.push_str(&format!("  {:<38} {}\n", f.id, f.label));
            }
            s
        }
    }
}

fn explain(name: &str, features: &[String]) -> Result<String, UsageError> {
    let cat = catalog();
    let Some(action) = cat.action(name) else {
        return Err(UsageError(format!("unknown action {name}")));
    };
    let reqs = requirements(name, features, &Facts::default())?;
    let mut s = format!(
        "{}  ({})\n{}\n\nResource: {}\n",
        action.full_name(),
        action.access_level,
        action.description,
        cat.own_resource(action)
    );
    if !action.condition_keys.is_empty() {
        s.push_str(&format!(
            "Condition keys: {}\n",
            action.condition_keys.join(", ")
        ));
    }
    s.push_str("\nRequired permissions:\n");
    for r in &reqs {
        let when = match (&r.feature, r.needed) {
            (None, _) => "always".to_owned(),
            (Some(f), true) => format!("because {f} is on"),
            (Some(f), false) => format!("not needed now; needed with --feature {f}"),
        };
        s.push_str(&format!("\n  {}  [{when}]\n", r.permission));
        for res in &r.resources {
            s.push_str(&format!("    on   {res}\n"));
        }
        for c in r.context_text() {
            s.push_str(&format!("    with {c}\n"));
        }
        s.push_str(&format!("    why  {}\n", r.reason));
        for id in &r.sources {
            if let Some(src) = cat.source(id) {
                s.push_str(&format!("    src  {} <{}>\n", src.title, src.url));
            }
        }
        if let Some(d) = &r.disagreement {
            s.push_str(&format!("    note AWS pages disagree: {d}\n"));
        }
        if let Some(n) = &r.note {
            s.push_str(&format!("    note {n}\n"));
        }
    }
    if let Some(kp) = key_policy_requirement(name, features, &Facts::default())? {
        s.push_str(&format!(
            "\nKMS key policy (not a caller permission): {}\n{}\n",
            kp.reason,
            serde_json::to_string_pretty(&kp.statements).unwrap_or_default()
        ));
    }
    let applicable = cat.features_for(name);
    if !applicable.is_empty() {
        s.push_str("\nRequest features for this action:\n");
        for f in applicable {
            s.push_str(&format!("  {:<38} {}\n", f.id, f.label));
        }
    }
    Ok(s)
}
