//! `asg-perms simulate`: one request from flags, or a batch of JSON lines.

use std::io::{BufRead as _, Write};

use super::Format;
use super::error::CliError;
use super::exit::ExitCode;
use super::inputs::read_text;
use crate::policy::PolicySet;
use crate::simulate::{
    SimulationResult, batch_line, context_for, parse_context_entries, simulate, to_markdown,
    to_text, write_json,
};

/// The switches both modes share.
#[derive(Clone, Copy)]
pub(super) struct Options {
    pub assume_absent: bool,
    pub strict: bool,
}

/// 1 when something is denied (or conditional under `--strict`), else 0.
fn exit_for<'a>(results: impl IntoIterator<Item = &'a SimulationResult>, strict: bool) -> ExitCode {
    let mut code = ExitCode::Success;
    for r in results {
        match r.decision {
            "allowed" => {}
            "conditional" if !strict => {}
            _ => code = ExitCode::Missing,
        }
    }
    code
}

pub(super) fn single(
    set: &PolicySet,
    actions: &[String],
    resources: &[String],
    context: &[String],
    format: Format,
    opts: Options,
    out: &mut dyn Write,
) -> Result<ExitCode, CliError> {
    for a in actions {
        if !a.contains(':') {
            return Err(CliError::Usage(format!(
                "--action-names {a}: write actions as service:Action (autoscaling:{a})"
            )));
        }
    }
    let mut entries = Vec::new();
    for c in context {
        entries.extend(
            parse_context_entries(c)
                .map_err(|e| CliError::Usage(format!("--context-entries: {e}")))?,
        );
    }
    let ctx = context_for(&entries, set, opts.assume_absent);
    let results = simulate(set, actions, resources, &ctx);
    match format {
        // Written as it is made: it can be a hundred times the policy.
        Format::Json => {
            let mut buffered = std::io::BufWriter::new(&mut *out);
            write_json(&results, &mut buffered)?;
            buffered.flush()?;
        }
        Format::Markdown => out.write_all(to_markdown(&results).as_bytes())?,
        Format::Text => out.write_all(to_text(&results).as_bytes())?,
    }
    Ok(exit_for(&results, opts.strict))
}

/// One JSON result a line, in input order; a line that cannot be read gets
/// `{"line": N, "error": "..."}` and the command ends with 2.
pub(super) fn batch(
    set: &PolicySet,
    file: &str,
    opts: Options,
    out: &mut dyn Write,
) -> Result<ExitCode, CliError> {
    let (_, text) = read_text(file)?;
    let mut results = Vec::new();
    let mut failed = false;
    for (n, line) in text.as_bytes().lines().enumerate() {
        let line = line?;
        if line.trim().is_empty() {
            continue;
        }
        let json = match batch_line(set, &line, opts.assume_absent) {
            Ok(r) => {
                let j = serde_json::to_string(&r).unwrap_or_default();
                results.push(r);
                j
            }
            Err(e) => {
                failed = true;
                serde_json::json!({ "line": n + 1, "error": e }).to_string()
            }
        };
        writeln!(out, "{json}")?;
    }
    Ok(if failed {
        ExitCode::Error
    } else {
        exit_for(&results, opts.strict)
    })
}
