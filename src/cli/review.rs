//! `diff`, `lint` and `audit`: the reviewer's commands.

use std::io::Write;

use super::error::CliError;
use super::exit::ExitCode;
use super::inputs::{
    applicable, load_account, policy_set, read_text, resolve_names, single_policy,
};
use super::{
    AuditArgs, AuditFormat, DiagnoseArgs, DiffArgs, FailOn, Format, InferArgs, LintArgs,
    LintFormat, PolicyArgs,
};
use crate::asg::catalog::catalog;
use crate::report::ReportHeader;
use crate::review::audit::{AuditProgress, audit as run_audit};
use crate::review::diff::{Direction, diff as run_diff, to_markdown, to_text};
use crate::review::lint::{LintOptions, Severity, gather, lint as run_lint};
use crate::text::words::thousands;

/// `asg-perms diff`.
pub(super) fn diff(args: &DiffArgs, out: &mut dyn Write) -> Result<ExitCode, CliError> {
    let names: Vec<String> = if args.actions.is_empty() {
        catalog().actions.iter().map(|a| a.name.clone()).collect()
    } else {
        args.actions.clone()
    };
    let names = resolve_names(&names, &args.features)?;
    let side = |files: &[String], boundary: Option<&String>| {
        policy_set(
            files,
            boundary.or(args.boundary.as_ref()),
            &args.scps,
            args.principal.as_ref(),
        )
    };
    let before = side(&args.before, args.before_boundary.as_ref())?;
    let after = side(&args.after, args.after_boundary.as_ref())?;
    let wanted: Vec<(String, Vec<String>)> = names
        .iter()
        .map(|n| ((*n).to_owned(), applicable(&args.features, n)))
        .collect();
    let d = run_diff(&before, &after, &wanted, &args.facts.facts())?;
    let header = ReportHeader::for_sides(&[("before", &before), ("after", &after)]);
    match args.format {
        Format::Text => {
            out.write_all(text_header(&header).as_bytes())?;
            out.write_all(to_text(&d).as_bytes())?;
        }
        Format::Json => {
            let v = serde_json::json!({
                "header": header,
                "before": args.before,
                "after": args.after,
                "changes": d.changes,
                "summary": d.summary,
            });
            writeln!(
                out,
                "{}",
                serde_json::to_string_pretty(&v).unwrap_or_default()
            )?;
        }
        Format::Markdown => {
            out.write_all(markdown_header(&header).as_bytes())?;
            out.write_all(
                to_markdown(&d, &args.before.join(", "), &args.after.join(", ")).as_bytes(),
            )?;
        }
    }
    let fail = match args.fail_on {
        FailOn::Lost => d.has(Some(Direction::Lost)),
        FailOn::Gained => d.has(Some(Direction::Gained)),
        FailOn::Any => d.has(None),
        FailOn::Never => false,
    };
    Ok(if fail {
        ExitCode::Missing
    } else {
        ExitCode::Success
    })
}

/// `asg-perms lint`.
pub(super) fn lint(args: &LintArgs, out: &mut dyn Write) -> Result<ExitCode, CliError> {
    let options = LintOptions {
        auto_scaling_policy: args.for_auto_scaling,
    };
    let mut all = Vec::new();
    for f in &args.files {
        let p = single_policy(f, "policy to lint")?;
        // Named by the path given, so `file:line:col` opens in an editor.
        let name: std::sync::Arc<str> = f.as_str().into();
        let mut found = run_lint(&p, options);
        for x in &mut found {
            x.policy = std::sync::Arc::clone(&name);
        }
        gather(&mut all, found);
    }
    let count = |s: Severity| all.iter().filter(|f| f.severity == s).count();
    match args.format {
        LintFormat::Text => {
            let mut buffered = std::io::BufWriter::new(&mut *out);
            crate::review::lint::write_text(&all, &mut buffered)?;
            buffered.flush()?;
            drop(buffered);
            writeln!(
                out,
                "{} error(s), {} warning(s), {} note(s) in {} file(s).",
                thousands(count(Severity::Error) as u64),
                thousands(count(Severity::Warning) as u64),
                thousands(count(Severity::Info) as u64),
                args.files.len()
            )?;
        }
        LintFormat::Json => {
            // Written as it is made, like the text.
            let mut buffered = std::io::BufWriter::new(&mut *out);
            crate::text::json::write_pretty(&all, &mut buffered)?;
            buffered.flush()?;
        }
    }
    Ok(if count(Severity::Error) > 0 {
        ExitCode::Missing
    } else {
        ExitCode::Success
    })
}

/// `asg-perms audit`.
pub(super) fn audit(args: &AuditArgs, out: &mut dyn Write) -> Result<ExitCode, CliError> {
    let Some(acc) = load_account(&args.account_details)? else {
        return Err(CliError::Usage(format!(
            "{} is a policy, not get-account-authorization-details output",
            args.account_details
        )));
    };
    let progress = AuditProgress::default();
    let Some(a) = run_audit(&args.account_details, &acc, &progress) else {
        return Ok(ExitCode::Error);
    };
    let header = ReportHeader::for_file(
        &args.account_details,
        "account authorization details",
        acc.source().as_bytes(),
    );
    // Written as it goes, through a buffer: the report of an account whose principals may
    // each pass hundreds of roles is far larger than the account. CSV has no header lines:
    // a reader of CSV expects the column names first.
    let mut out = std::io::BufWriter::new(out);
    match args.format {
        AuditFormat::Text => {
            out.write_all(text_header(&header).as_bytes())?;
            crate::review::audit::write_text(&a, &mut out)?;
        }
        AuditFormat::Csv => crate::review::audit::write_csv(&a, &mut out)?,
        AuditFormat::Markdown => {
            out.write_all(markdown_header(&header).as_bytes())?;
            crate::review::audit::write_markdown(&a, &mut out)?;
        }
        AuditFormat::Json => crate::review::audit::write_json(&a, &header, &mut out)?,
    }
    out.flush()?;
    Ok(ExitCode::Success)
}

/// The report header as plain lines, then a blank line.
fn text_header(h: &ReportHeader) -> String {
    h.lines().into_iter().map(|l| l + "\n").collect::<String>() + "\n"
}

/// The report header as a Markdown quote.
fn markdown_header(h: &ReportHeader) -> String {
    let mut s = String::new();
    for l in h.lines() {
        s.push_str("> ");
        s.push_str(&l);
        s.push_str("  \n");
    }
    s + "\n"
}

/// `asg-perms diagnose`.
pub(super) fn diagnose(args: &DiagnoseArgs, out: &mut dyn Write) -> Result<ExitCode, CliError> {
    let text = match (&args.text, &args.file) {
        (Some(t), _) if t != "-" => t.clone(),
        (_, Some(f)) => read_text(f)?.1,
        _ => read_text("-")?.1,
    };
    let mut d = crate::diagnose::diagnose(&text).map_err(|e| CliError::Usage(e.to_string()))?;
    let set = given_policies(&args.inputs)?;
    let with_policy = set.is_some();
    if let Some(set) = &set {
        d.evaluate(set);
    }
    match args.format {
        Format::Text => out.write_all(d.to_text().as_bytes())?,
        Format::Json => writeln!(
            out,
            "{}",
            serde_json::to_string_pretty(&d).unwrap_or_default()
        )?,
        Format::Markdown => out.write_all(d.to_markdown().as_bytes())?,
    }
    let still_missing = d
        .evaluated
        .as_ref()
        .is_some_and(|r| r.decision == "implicitDeny" || r.decision == "explicitDeny")
        || d.possible
            .iter()
            .any(|c| c.status == Some(crate::engine::Status::Missing));
    Ok(if with_policy && still_missing {
        ExitCode::Missing
    } else {
        ExitCode::Success
    })
}

/// `asg-perms infer`.
pub(super) fn infer(args: &InferArgs, out: &mut dyn Write) -> Result<ExitCode, CliError> {
    let (_, text) = read_text(&args.file)?;
    let requests = crate::infer::infer_named(Some(&args.file), &text)
        .map_err(|e| CliError::Usage(format!("{}: {e}", args.file)))?;
    let mut statuses = Vec::new();
    if let Some(set) = given_policies(&args.inputs)? {
        for r in &requests {
            statuses.push(crate::asg::requirements::check(
                &r.action,
                &r.features,
                &r.facts,
                &set,
            )?);
        }
    }
    // The statements that fix what is missing, per layer, for every call read.
    let fixes: Vec<crate::asg::generate::LayerFix> = crate::asg::generate::suggest_by_layer(
        &statuses,
        crate::asg::generate::GenerateOptions::default(),
    )
    .into_iter()
    .filter(|f| !f.statements.statement.is_empty())
    .collect();
    match args.format {
        LintFormat::Text => {
            for (i, r) in requests.iter().enumerate() {
                out.write_all(r.to_text().as_bytes())?;
                if let Some(c) = statuses.get(i) {
                    writeln!(out, "  status: {} {}", c.status.icon(), c.status.word())?;
                    for q in c.requirements.iter().filter(|q| {
                        q.requirement.needed
                            && q.decision.status != crate::engine::Status::Satisfied
                    }) {
                        writeln!(
                            out,
                            "    {} {}: {}",
                            q.decision.status.icon(),
                            q.requirement.permission,
                            q.decision.explanation
                        )?;
                    }
                }
            }
            for f in &fixes {
                writeln!(out, "To fix it, add to the {}:", f.layer)?;
                writeln!(out, "{}", f.statements.to_json())?;
            }
        }
        LintFormat::Json => {
            let v: Vec<serde_json::Value> = requests
                .iter()
                .enumerate()
                .map(|(i, r)| {
                    let mut v = serde_json::to_value(r).unwrap_or_default();
                    if let Some(c) = statuses.get(i) {
                        v["status"] = serde_json::to_value(c.status).unwrap_or_default();
                    }
                    v
                })
                .collect();
            writeln!(
                out,
                "{}",
                serde_json::to_string_pretty(&if statuses.is_empty() {
                    serde_json::json!({ "requests": v })
                } else {
                    serde_json::json!({ "requests": v, "fix": fixes })
                })
                .unwrap_or_default()
            )?;
        }
    }
    let missing = statuses
        .iter()
        .any(|c| c.status == crate::engine::Status::Missing);
    Ok(if missing {
        ExitCode::Missing
    } else {
        ExitCode::Success
    })
}

/// The policy set of `--policy`/`--boundary`/`--scp`, if any was given.
fn given_policies(p: &PolicyArgs) -> Result<Option<crate::policy::PolicySet>, CliError> {
    if p.policies.is_empty() && p.boundary.is_none() && p.scps.is_empty() {
        return Ok(None);
    }
    policy_set(
        &p.policies,
        p.boundary.as_ref(),
        &p.scps,
        p.principal.as_ref(),
    )
    .map(Some)
}
