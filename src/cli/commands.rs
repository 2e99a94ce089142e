//! Running each command.

use std::io::{IsTerminal as _, Write};

use super::error::CliError;
use super::exit::ExitCode;
use super::inputs::{policy_set, say, single_policy};
use super::text::{explain, list};
use super::{Command, FactArgs, Format};
use crate::asg::catalog::catalog;
use crate::asg::generate::{GenerateOptions, merged, policy_for};
use crate::asg::requirements::{
    check, expand_features, key_policy_requirement, requirements, resolve_action, roll_up,
};
use crate::engine::Status;
use crate::report::Report;

/// Runs a command, writing to `out`.
pub fn execute(command: Command, out: &mut dyn Write) -> Result<ExitCode, CliError> {
    match command {
        Command::List { format } => {
            out.write_all(list(format).as_bytes())?;
            Ok(ExitCode::Success)
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
            let names = resolve_names(&actions, &features)?;
            let set = policy_set(&policies, boundary.as_ref(), &scps, principal.as_ref())?;
            let facts = facts.facts();
            let checks = names
                .iter()
                .map(|a| check(a, &applicable(&features, a), &facts, &set))
                .collect::<Result<Vec<_>, _>>()?;
            let report = Report::new(
                &checks,
                GenerateOptions {
                    include_conditional,
                },
            )
            .with_facts(facts);
            let text = match format {
                Format::Json => report.to_json() + "\n",
                Format::Markdown => report.to_markdown(),
                Format::Text => report.to_text(
                    std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none(),
                ),
            };
            out.write_all(text.as_bytes())?;
            Ok(match roll_up(checks.iter().map(|c| c.status)) {
                Status::Missing => ExitCode::Missing,
                Status::Conditional if strict => ExitCode::Missing,
                _ => ExitCode::Success,
            })
        }
        Command::Generate {
            actions,
            features,
            facts,
            merge_with,
        } => generate(&actions, &features, &facts, merge_with.as_deref(), out),
        Command::Explain { action, features } => {
            let name = resolve_action(&action)?;
            out.write_all(explain(name, &features)?.as_bytes())?;
            Ok(ExitCode::Success)
        }
    }
}

fn generate(
    actions: &[String],
    features: &[String],
    facts: &FactArgs,
    merge_with: Option<&str>,
    out: &mut dyn Write,
) -> Result<ExitCode, CliError> {
    let facts = facts.facts();
    let names = resolve_names(actions, features)?;
    let mut reqs = Vec::new();
    for a in &names {
        reqs.extend(requirements(a, &applicable(features, a), &facts)?);
    }
    let generated = policy_for(&reqs);
    let text = match merge_with {
        Some(spec) => {
            let base = single_policy(spec, "policy to merge with")?;
            serde_json::to_string_pretty(&merged(&base, &generated)).unwrap_or_default()
        }
        None => generated.to_json(),
    };
    writeln!(out, "{text}")?;
    for a in &names {
        if let Some(kp) = key_policy_requirement(a, features, &facts)? {
            say(&format!(
                "note: encrypted volumes also need the KMS key policy to allow {} ({}); run `asg-perms explain --action {a} --feature kms-cmk-encrypted-volumes` for the statements",
                kp.principal, kp.reason
            ));
        }
    }
    Ok(ExitCode::Success)
}

/// Resolves action names (any spelling) and checks the feature ids, before any file is read.
fn resolve_names(actions: &[String], features: &[String]) -> Result<Vec<&'static str>, CliError> {
    let names = actions
        .iter()
        .map(|a| resolve_action(a))
        .collect::<Result<Vec<_>, _>>()?;
    expand_features(features)?;
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
