//! Explanations in words of a decision.

use super::decision::{MissingReason, ResourceOutcome, StatementRef, Status};
use crate::policy::{Layer, Request};
use crate::text::pattern::Tri;

pub(super) fn explain(
    req: &Request,
    status: Status,
    missing: Option<MissingReason>,
    outcomes: &[ResourceOutcome],
    decided_by: &[StatementRef],
    near: &[StatementRef],
    depends: &super::DependsOn,
) -> String {
    let labels = |v: &[StatementRef]| {
        v.iter()
            .map(StatementRef::label)
            .collect::<Vec<_>>()
            .join("; ")
    };
    let multi = outcomes.len() > 1;
    match status {
        Status::Satisfied => format!("{} is allowed by {}.", req.action, labels(decided_by)),
        Status::Missing => {
            let which: Vec<&str> = outcomes
                .iter()
                .filter(|o| o.status == Status::Missing)
                .map(|o| o.resource.as_str())
                .collect();
            let on = if multi && which.len() < outcomes.len() {
                format!(" on {}", which.join(", "))
            } else {
                String::new()
            };
            match missing {
                Some(MissingReason::ExplicitDeny) => {
                    format!(
                        "{} is explicitly denied{on} by {}. A Deny always wins over any Allow, so no statement added anywhere fixes this: the Deny must change.",
                        req.action,
                        decided_by
                            .iter()
                            .map(|d| format!("{} in the {}", d.label(), d.layer))
                            .collect::<Vec<_>>()
                            .join("; ")
                    )
                }
                Some(MissingReason::NoMatchingAllow(layer)) => {
                    let mut s = format!("No statement in the {layer} allows {}{on}.", req.action);
                    if !near.is_empty() {
                        s.push_str(" Nearest misses: ");
                        let parts: Vec<String> = near
                            .iter()
                            .map(|n| format!("{} ({})", n.label(), n.notes.join("; ")))
                            .collect();
                        s.push_str(&parts.join("; "));
                        s.push('.');
                    }
                    s
                }
                None => format!("{} is not allowed.", req.action),
            }
        }
        Status::Conditional => {
            let mut s = format!(
                "{} is allowed for some requests and denied for others: it depends on {}.",
                req.action,
                if depends.is_empty() {
                    "something the engine could not evaluate".to_owned()
                } else {
                    crate::text::words::list(depends.iter().map(|k| &**k), ", ")
                }
            );
            for d in decided_by.iter().filter(|d| d.applies == Tri::Sometimes) {
                s.push_str(&format!(
                    " {} {}: {}.",
                    d.effect,
                    d.label(),
                    d.notes.join("; ")
                ));
            }
            s
        }
    }
}

/// For a permission that a boundary or an SCP does not allow: what allowed it elsewhere, and
/// that this layer must allow it too.
pub(super) fn layer_note(layer: Layer, allowed_elsewhere: &[StatementRef]) -> String {
    let what = match layer {
        Layer::Boundary => "A permissions boundary sets the most a principal may do".to_owned(),
        Layer::Scp(_) => {
            "A service control policy sets the most the accounts under it may do".to_owned()
        }
        Layer::Identity => return String::new(),
    };
    let allowed = if allowed_elsewhere.is_empty() {
        String::new()
    } else {
        let labels: Vec<String> = allowed_elsewhere
            .iter()
            .map(|s| format!("{} ({})", s.label(), s.layer))
            .collect();
        format!(" It is allowed by {}.", labels.join("; "))
    };
    format!(
        "{allowed} {what}: the {layer} must allow it as well, so the fix belongs in the {layer}."
    )
}
