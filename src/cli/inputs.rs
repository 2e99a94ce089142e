//! Reading the command's input files into a policy set.

use std::io::{Read as _, Write as _};
use std::path::Path;
use std::sync::Arc;

use super::error::CliError;
use crate::io::{
    LoadError, Loaded, MAX_INPUT_BYTES, PolicySetBuilder, load_bytes, load_owned, read_text_bytes,
    read_text_file,
};
use crate::policy::{Policy, PolicySet};
use crate::text::Location;

/// Writes a line to standard error; a closed or full standard error is not worth a panic.
pub(super) fn say(line: &str) {
    writeln!(std::io::stderr(), "asg-perms: {line}").ok();
}

/// Reads a text input: a file (`file://PATH` too) or standard input for `-`, through the
/// same bounded, checked read as policies (size limit, no devices or pipes, UTF-8 or UTF-16).
/// Returns its name for messages and its text.
pub(super) fn read_text(spec: &str) -> Result<(String, String), CliError> {
    let spec = spec.strip_prefix("file://").unwrap_or(spec);
    if spec == "-" {
        let mut buf = Vec::new();
        std::io::stdin()
            .take(MAX_INPUT_BYTES + 1)
            .read_to_end(&mut buf)
            .map_err(|e| LoadError::Read {
                at: Location::whole("<stdin>"),
                message: e.to_string(),
            })?;
        Ok(("<stdin>".to_owned(), read_text_bytes("<stdin>", &buf)?))
    } else {
        Ok((spec.to_owned(), read_text_file(Path::new(spec))?))
    }
}

/// Loads a file, or standard input for `-`. As the AWS CLI takes them, `file://PATH` names a
/// file and text beginning with `{` is the policy itself.
fn load_one(spec: &str) -> Result<Loaded, CliError> {
    if spec.trim_start().starts_with('{') {
        return Ok(load_bytes("<inline policy>", spec.as_bytes())?);
    }
    let (origin, text) = read_text(spec)?;
    Ok(load_owned(&origin, text)?)
}

/// Loads an authorization-details file (`None` when the file is a policy). Its text is moved
/// into the account, which holds it once ([`Account::source`](crate::io::Account::source)).
pub(super) fn load_account(spec: &str) -> Result<Option<crate::io::Account>, CliError> {
    let (origin, text) = read_text(spec)?;
    Ok(match load_owned(&origin, text)? {
        Loaded::Account(a) => Some(a),
        Loaded::Policy(..) => None,
    })
}

/// Loads a file that must hold one policy (a boundary, an SCP, a policy to merge with).
pub(super) fn single_policy(spec: &str, what: &str) -> Result<Policy, CliError> {
    match load_one(spec)? {
        Loaded::Policy(p, _) => Ok(p),
        Loaded::Account(_) => Err(CliError::Usage(format!(
            "{spec}: a {what} must be a single policy, not an authorization-details dump"
        ))),
    }
}

/// Builds the policy set from the command's files.
pub(super) fn policy_set(
    policies: &[String],
    boundary: Option<&String>,
    scps: &[String],
    principal: Option<&String>,
) -> Result<PolicySet, CliError> {
    let mut set = PolicySetBuilder::new();
    let mut used_principal = false;
    for spec in policies {
        match load_one(spec)? {
            Loaded::Policy(p, _) => {
                set.identity(Arc::new(p));
            }
            Loaded::Account(acc) => {
                let Some(name) = principal else {
                    let names: Vec<String> = acc
                        .principals
                        .iter()
                        .take(10)
                        .map(|p| p.name.clone())
                        .collect();
                    return Err(CliError::Usage(format!(
                        "{spec} is get-account-authorization-details output with {} roles and users; choose one with --principal (for example: {})",
                        acc.principals.len(),
                        names.join(", ")
                    )));
                };
                set.principal(spec, &acc, name)?;
                used_principal = true;
            }
        }
    }
    if principal.is_some() && !used_principal {
        return Err(CliError::Usage(
            "--principal needs a get-account-authorization-details file among the --policy files"
                .to_owned(),
        ));
    }
    if let Some(b) = boundary {
        set.boundary(Arc::new(single_policy(b, "permissions boundary")?));
    }
    for s in scps {
        set.scp(Arc::new(single_policy(s, "service control policy")?));
    }
    let set = set.build();
    warnings(&set);
    Ok(set)
}

/// At most this many of a policy's warnings are printed; `lint` lists every one.
const WARNINGS_SHOWN: usize = 20;

/// Prints the parser's warnings to standard error: the first few of each policy, then how
/// many more there are (a policy of thousands of statements may warn on each).
fn warnings(set: &PolicySet) {
    for p in set.policies() {
        for w in p.warnings.iter().take(WARNINGS_SHOWN) {
            say(&format!(
                "warning: {}:{}:{}: {}",
                p.name, w.line, w.column, w.message
            ));
        }
        let more = p.warnings.len().saturating_sub(WARNINGS_SHOWN);
        if more > 0 {
            say(&format!(
                "warning: {}: and {} more warnings (`asg-perms lint` lists every one)",
                p.name,
                crate::text::words::thousands(more as u64)
            ));
        }
    }
}

/// Resolves action names (any spelling) and checks the feature ids, before any file is read.
pub(super) fn resolve_names(
    actions: &[String],
    features: &[String],
) -> Result<Vec<&'static str>, CliError> {
    let names = actions
        .iter()
        .map(|a| crate::asg::requirements::resolve_action(a))
        .collect::<Result<Vec<_>, _>>()?;
    crate::asg::requirements::expand_features(features)?;
    Ok(names)
}

/// The features of `features` that apply to action `name`.
pub(super) fn applicable(features: &[String], name: &str) -> Vec<String> {
    features
        .iter()
        .filter(|f| crate::asg::catalog::catalog().feature_applies(f, name))
        .cloned()
        .collect()
}
