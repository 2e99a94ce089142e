//! The text of `list` and `explain`.

use super::ListFormat;
use super::error::CliError;
use crate::asg::catalog::catalog;
use crate::asg::requirements::{Facts, key_policy_requirement, requirements};

pub(super) fn list(format: ListFormat) -> String {
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
            // Columns as wide as their longest entry, so long names never push them apart.
            let name_w = cat
                .actions
                .iter()
                .map(|a| a.full_name().len())
                .max()
                .unwrap_or(0);
            let level_w = cat
                .actions
                .iter()
                .map(|a| a.access_level.len())
                .max()
                .unwrap_or(0);
            let mut s = String::new();
            for g in &cat.groups {
                s.push_str(&format!("{}\n", g.name));
                for a in cat.actions.iter().filter(|a| a.group == g.id) {
                    let f: Vec<&str> = cat
                        .features_for(&a.name)
                        .iter()
                        .map(|f| f.id.as_str())
                        .collect();
                    let extra = cat.cross_service_permissions(&a.name).len();
                    let extra = if extra > 0 {
                        format!("+{extra} from other services")
                    } else {
                        String::new()
                    };
                    let line = format!(
                        "  {:<name_w$}  {:<level_w$}  {:<22}{}",
                        a.full_name(),
                        a.access_level,
                        extra,
                        if f.is_empty() {
                            String::new()
                        } else {
                            format!("  features: {}", f.join(", "))
                        }
                    );
                    s.push_str(line.trim_end());
                    s.push('\n');
                }
            }
            s.push_str("\nRequest features:\n");
            let id_w = cat.features.iter().map(|f| f.id.len()).max().unwrap_or(0);
            for f in &cat.features {
                s.push_str(&format!("  {:<id_w$}  {}\n", f.id, f.label));
            }
            s
        }
    }
}

pub(super) fn explain(name: &str, features: &[String]) -> Result<String, CliError> {
    let cat = catalog();
    let Some(action) = cat.action(name) else {
        return Err(CliError::Usage(format!("unknown action {name}")));
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
        let id_w = applicable.iter().map(|f| f.id.len()).max().unwrap_or(0);
        for f in applicable {
            s.push_str(&format!("  {:<id_w$}  {}\n", f.id, f.label));
        }
    }
    Ok(s)
}
