//! Running each command.

use std::io::{IsTerminal as _, Write};

use super::error::CliError;
use super::exit::ExitCode;
use super::inputs::{applicable, policy_set, resolve_names, say, single_policy};
use super::text::{explain, list};
use super::{Command, FactArgs, Format};
use crate::asg::generate::{GenerateOptions, merged, policy_for, suggest_by_layer};
use crate::asg::requirements::{
    ActionCheck, Facts, check_each, key_policy_requirement, requirements, resolve_action, roll_up,
};
use crate::engine::Status;
use crate::policy::{Layer, PolicySet};
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
            let inputs = Inputs::new(&policies, boundary.as_ref(), &scps, principal.as_ref());
            let opts = GenerateOptions {
                include_conditional,
            };
            check_command(
                &inputs, &actions, &features, &facts, format, strict, opts, out,
            )
        }
        Command::Generate {
            actions,
            features,
            facts,
            merge_with,
            policies,
            boundary,
            scps,
            principal,
            layer,
            copy,
        } => {
            let inputs = Inputs::new(&policies, boundary.as_ref(), &scps, principal.as_ref());
            let job = Generate {
                actions: &actions,
                features: &features,
                facts: &facts,
                merge_with: merge_with.as_deref(),
                layer: &layer,
                copy,
            };
            generate(&job, &inputs, out)
        }
        Command::Simulate {
            policies,
            boundary,
            scps,
            principal,
            actions,
            resources,
            context,
            assume_absent,
            requests,
            format,
            strict,
        } => {
            let set = policy_set(&policies, boundary.as_ref(), &scps, principal.as_ref())?;
            let opts = super::simulate::Options {
                assume_absent,
                strict,
            };
            match requests {
                Some(file) => super::simulate::batch(&set, &file, opts, out),
                None => {
                    super::simulate::single(&set, &actions, &resources, &context, format, opts, out)
                }
            }
        }
        Command::Diff(args) => super::review::diff(&args, out),
        Command::Lint(args) => super::review::lint(&args, out),
        Command::Audit(args) => super::review::audit(&args, out),
        Command::Diagnose(args) => super::review::diagnose(&args, out),
        Command::Infer(args) => super::review::infer(&args, out),
        Command::Explain { action, features } => {
            let name = resolve_action(&action)?;
            out.write_all(explain(name, &features)?.as_bytes())?;
            Ok(ExitCode::Success)
        }
    }
}

#[allow(clippy::too_many_arguments)] // The flags of `check`, each used once.
fn check_command(
    inputs: &Inputs<'_>,
    actions: &[String],
    features: &[String],
    facts: &FactArgs,
    format: Format,
    strict: bool,
    opts: GenerateOptions,
    out: &mut dyn Write,
) -> Result<ExitCode, CliError> {
    // Names are checked before any file is read.
    let names = resolve_names(actions, features)?;
    let set = inputs.load()?;
    let facts = facts.facts();
    let checks = check_all(&names, features, &facts, &set)?;
    let report = Report::new(&checks, opts)
        .with_facts(facts)
        .with_header(crate::report::ReportHeader::for_set(&set));
    match format {
        // Written as it is made: it can be a hundred times the policy.
        Format::Json => {
            let mut buffered = std::io::BufWriter::new(&mut *out);
            report.write_json(&mut buffered)?;
            buffered.flush()?;
        }
        Format::Markdown => out.write_all(report.to_markdown().as_bytes())?,
        Format::Text => out.write_all(
            report
                .to_text(std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none())
                .as_bytes(),
        )?,
    }
    Ok(match roll_up(checks.iter().map(|c| c.status)) {
        Status::Missing => ExitCode::Missing,
        Status::Conditional if strict => ExitCode::Missing,
        _ => ExitCode::Success,
    })
}

/// Checks the actions named, each with the features given that apply to it, spread over
/// the threads (see [`check_each`]); the first error if an action cannot be checked.
fn check_all(
    names: &[&str],
    features: &[String],
    facts: &Facts,
    set: &PolicySet,
) -> Result<Vec<ActionCheck>, CliError> {
    let features: Vec<Vec<String>> = names.iter().map(|a| applicable(features, a)).collect();
    let asked: Vec<(&str, &[String])> = names
        .iter()
        .zip(&features)
        .map(|(a, f)| (*a, f.as_slice()))
        .collect();
    // Never cancelled, so always an answer.
    Ok(check_each(&asked, facts, set, || true)
        .unwrap_or_default()
        .into_iter()
        .collect::<Result<Vec<_>, _>>()?)
}

/// The policy files of a command.
struct Inputs<'a> {
    policies: &'a [String],
    boundary: Option<&'a String>,
    scps: &'a [String],
    principal: Option<&'a String>,
}

impl<'a> Inputs<'a> {
    fn new(
        policies: &'a [String],
        boundary: Option<&'a String>,
        scps: &'a [String],
        principal: Option<&'a String>,
    ) -> Self {
        Self {
            policies,
            boundary,
            scps,
            principal,
        }
    }

    /// The policy set the files describe.
    fn load(&self) -> Result<PolicySet, CliError> {
        policy_set(self.policies, self.boundary, self.scps, self.principal)
    }
}

/// What `generate` was asked for.
struct Generate<'a> {
    actions: &'a [String],
    features: &'a [String],
    facts: &'a FactArgs,
    merge_with: Option<&'a str>,
    layer: &'a str,
    copy: bool,
}

/// Parses `--layer`: identity, boundary, scp (any level), scp:N (from 1).
fn parse_layer(text: &str) -> Result<Option<Layer>, CliError> {
    match text {
        "identity" => Ok(Some(Layer::Identity)),
        "boundary" => Ok(Some(Layer::Boundary)),
        "scp" => Ok(None),
        _ => text
            .strip_prefix("scp:")
            .and_then(|n| n.parse::<usize>().ok())
            .filter(|n| *n >= 1)
            .map(|n| Some(Layer::Scp(n - 1)))
            .ok_or_else(|| {
                CliError::Usage(format!(
                    "--layer {text}: expected identity, boundary, scp or scp:N (N from 1)"
                ))
            }),
    }
}

fn generate(
    job: &Generate<'_>,
    inputs: &Inputs<'_>,
    out: &mut dyn Write,
) -> Result<ExitCode, CliError> {
    let facts = job.facts.facts();
    let names = resolve_names(job.actions, job.features)?;
    let wanted = parse_layer(job.layer)?;
    let generated = if inputs.policies.is_empty()
        && inputs.boundary.is_none()
        && inputs.scps.is_empty()
    {
        if wanted != Some(Layer::Identity) {
            return Err(CliError::Usage(
                "--layer other than identity needs the policies to check (--policy, --boundary, --scp)".to_owned(),
            ));
        }
        let mut reqs = Vec::new();
        for a in &names {
            reqs.extend(requirements(a, &applicable(job.features, a), &facts)?);
        }
        policy_for(&reqs)
    } else {
        let set = inputs.load()?;
        let checks = check_all(&names, job.features, &facts, &set)?;
        let fixes = suggest_by_layer(&checks, GenerateOptions::default());
        let chosen = fixes.iter().find(|f| match wanted {
            Some(l) => f.which == l,
            None => matches!(f.which, Layer::Scp(_)),
        });
        for f in fixes
            .iter()
            .filter(|f| chosen.is_none_or(|c| c.which != f.which))
        {
            say(&format!(
                "note: the {} lacks permissions too; print its statements with --layer {}",
                f.layer,
                match f.which {
                    Layer::Identity => "identity".to_owned(),
                    Layer::Boundary => "boundary".to_owned(),
                    Layer::Scp(i) => format!("scp:{}", i + 1),
                }
            ));
        }
        chosen.map_or_else(|| policy_for(&[]), |f| f.statements.clone())
    };
    let text = match job.merge_with {
        Some(spec) => {
            let base = single_policy(spec, "policy to merge with")?;
            serde_json::to_string_pretty(&merged(&base, &generated)).unwrap_or_default()
        }
        None => generated.to_json(),
    };
    writeln!(out, "{text}")?;
    if job.copy {
        copy_to_clipboard(&text)?;
        say("Copied to the clipboard.");
    }
    for a in &names {
        if let Some(kp) = key_policy_requirement(a, job.features, &facts)? {
            say(&format!(
                "note: encrypted volumes also need the KMS key policy to allow {} ({}); run `asg-perms explain --action {a} --feature kms-cmk-encrypted-volumes` for the statements",
                kp.principal, kp.reason
            ));
        }
    }
    Ok(ExitCode::Success)
}

#[cfg(feature = "clipboard")]
fn copy_to_clipboard(text: &str) -> Result<(), CliError> {
    crate::io::clipboard::copy_and_keep(text).map_err(|e| {
        CliError::Clipboard(format!(
            "{e}. The statements are on standard output; redirect them to a file instead (> policy.json)"
        ))
    })
}

#[cfg(not(feature = "clipboard"))]
fn copy_to_clipboard(_text: &str) -> Result<(), CliError> {
    Err(CliError::Clipboard(
        "this build has no clipboard support (built without the `clipboard` feature)".to_owned(),
    ))
}
