//! Validation of the knowledge base (`assets/catalog.json`).
//!
//! This file is compiled twice: by `build.rs`, which refuses to build with a broken catalog,
//! and by the library, so that tests can show each rule rejects what it should. It may only
//! use `std` and `serde_json`.

use serde_json::Value;

/// Every problem found, each naming the file, the entry and what is wrong.
pub fn check_catalog(file: &str, text: &str) -> Vec<String> {
    let mut errors = Vec::new();
    let root: Value = match serde_json::from_str(text) {
        Ok(v) => v,
        Err(e) => {
            errors.push(format!(
                "{file}:{}:{}: not valid JSON: {e}",
                e.line(),
                e.column()
            ));
            return errors;
        }
    };
    let empty = Vec::new();
    let list = |key: &str| root.get(key).and_then(Value::as_array).unwrap_or(&empty);
    let s = |v: &Value, key: &str| v.get(key).and_then(Value::as_str).unwrap_or("").to_owned();
    for key in [
        "sources",
        "groups",
        "resource_types",
        "actions",
        "features",
        "dependencies",
    ] {
        if root.get(key).and_then(Value::as_array).is_none() {
            errors.push(format!("{file}: the top-level \"{key}\" list is missing"));
        }
    }

    let source_ids: Vec<String> = list("sources").iter().map(|v| s(v, "id")).collect();
    for (i, src) in list("sources").iter().enumerate() {
        for field in ["id", "title", "url"] {
            if s(src, field).is_empty() {
                errors.push(format!("{file}: sources[{i}] has no \"{field}\""));
            }
        }
    }
    let group_ids: Vec<String> = list("groups").iter().map(|v| s(v, "id")).collect();
    let rt_names: Vec<String> = list("resource_types")
        .iter()
        .map(|v| s(v, "name"))
        .collect();

    // Actions.
    let mut action_names: Vec<String> = Vec::new();
    for (i, a) in list("actions").iter().enumerate() {
        let name = s(a, "name");
        let at = format!("{file}: actions[{i}] ({name})");
        if !is_action_name(&name) {
            errors.push(format!("{at}: malformed action name \"{name}\" (expected PascalCase letters, e.g. CreateAutoScalingGroup, without the service prefix)"));
        }
        if action_names.contains(&name) {
            errors.push(format!("{at}: duplicate action \"{name}\""));
        }
        action_names.push(name.clone());
        if !group_ids.contains(&s(a, "group")) {
            errors.push(format!("{at}: unknown group \"{}\"", s(a, "group")));
        }
        if s(a, "description").trim().is_empty() {
            errors.push(format!("{at}: no description"));
        }
        if s(a, "access_level").is_empty() {
            errors.push(format!("{at}: no access_level"));
        }
        match a.get("resource_type") {
            Some(Value::Null) | None => {}
            Some(Value::String(rt)) if rt_names.contains(rt) => {}
            Some(other) => errors.push(format!("{at}: unknown resource_type {other}")),
        }
    }

    // Features.
    let feature_ids: Vec<String> = list("features").iter().map(|v| s(v, "id")).collect();
    for (i, f) in list("features").iter().enumerate() {
        let id = s(f, "id");
        let at = format!("{file}: features[{i}] ({id})");
        if id.is_empty()
            || !id
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
        {
            errors.push(format!(
                "{at}: feature ids are lower-case words joined by '-'"
            ));
        }
        if feature_ids.iter().filter(|x| **x == id).count() > 1 {
            errors.push(format!("{at}: duplicate feature id"));
        }
        for field in ["label", "explanation"] {
            if s(f, field).trim().is_empty() {
                errors.push(format!("{at}: no {field}"));
            }
        }
        for imp in f.get("implies").and_then(Value::as_array).unwrap_or(&empty) {
            let imp = imp.as_str().unwrap_or("");
            if !feature_ids.iter().any(|x| x == imp) {
                errors.push(format!("{at}: implies unknown feature id \"{imp}\""));
            }
        }
        for act in f
            .get("applies_to")
            .and_then(Value::as_array)
            .unwrap_or(&empty)
        {
            let act = act.as_str().unwrap_or("");
            if !action_names.iter().any(|x| x == act) {
                errors.push(format!("{at}: applies_to names unknown action \"{act}\""));
            }
        }
    }

    // Dependencies.
    for (i, d) in list("dependencies").iter().enumerate() {
        let action = s(d, "action");
        let permission = s(d, "permission");
        let at = format!("{file}: dependencies[{i}] ({action} -> {permission})");
        if !action_names.contains(&action) {
            errors.push(format!("{at}: unknown action \"{action}\""));
        }
        let service = match permission.split_once(':') {
            Some((svc, act)) if is_service(svc) && is_action_name(act) => svc.to_owned(),
            _ => {
                errors.push(format!(
                    "{at}: malformed permission \"{permission}\" (expected service:ActionName)"
                ));
                String::new()
            }
        };
        match d.get("when") {
            None | Some(Value::Null) => {}
            Some(Value::String(w)) => {
                if !feature_ids.contains(w) {
                    errors.push(format!("{at}: unknown feature id \"{w}\""));
                } else if let Some(f) = list("features").iter().find(|f| s(f, "id") == *w) {
                    let applies = f
                        .get("applies_to")
                        .and_then(Value::as_array)
                        .unwrap_or(&empty);
                    if !applies.iter().any(|x| x.as_str() == Some(action.as_str())) {
                        errors.push(format!(
                            "{at}: feature \"{w}\" does not list {action} in applies_to"
                        ));
                    }
                }
            }
            Some(other) => errors.push(format!(
                "{at}: \"when\" must be a feature id or null, found {other}"
            )),
        }
        let sources = d.get("sources").and_then(Value::as_array).unwrap_or(&empty);
        if sources.is_empty() {
            errors.push(format!(
                "{at}: no source; every dependency must say which AWS page it comes from"
            ));
        }
        for src in sources {
            let id = src.as_str().unwrap_or("");
            if !source_ids.iter().any(|x| x == id) {
                errors.push(format!("{at}: unknown source \"{id}\""));
            }
        }
        if s(d, "reason").trim().is_empty() {
            errors.push(format!("{at}: no reason"));
        }
        let resources = d
            .get("resources")
            .and_then(Value::as_array)
            .unwrap_or(&empty);
        if resources.is_empty() {
            errors.push(format!(
                "{at}: no resources (use \"*\" for actions without resource-level permissions)"
            ));
        }
        for r in resources {
            let r = r.as_str().unwrap_or("");
            if let Err(why) = check_arn(r, &service) {
                errors.push(format!("{at}: resource \"{r}\" {why}"));
            }
        }
        if let Some(ctx) = d.get("context") {
            match ctx.as_object() {
                Some(map) => {
                    for (k, v) in map {
                        if !k.contains(':') {
                            errors.push(format!("{at}: context key \"{k}\" has no service prefix"));
                        }
                        if !v
                            .as_array()
                            .is_some_and(|a| !a.is_empty() && a.iter().all(Value::is_string))
                        {
                            errors.push(format!(
                                "{at}: context key \"{k}\" must map to a non-empty list of strings"
                            ));
                        }
                    }
                }
                None => errors.push(format!("{at}: context must be an object")),
            }
        }
    }
    for (i, rt) in list("resource_types").iter().enumerate() {
        if let Err(why) = check_arn(&s(rt, "template"), "autoscaling") {
            errors.push(format!("{file}: resource_types[{i}] template {why}"));
        }
    }
    errors
}

fn is_action_name(s: &str) -> bool {
    s.chars().next().is_some_and(|c| c.is_ascii_uppercase())
        && s.chars().all(|c| c.is_ascii_alphanumeric())
}

fn is_service(s: &str) -> bool {
    !s.is_empty()
        && s.chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
}

/// Checks a resource template against the ARN format of the permission's service.
fn check_arn(r: &str, service: &str) -> Result<(), String> {
    if r == "*" {
        return Ok(());
    }
    let parts: Vec<&str> = r.splitn(6, ':').collect();
    if parts.len() != 6 || parts[0] != "arn" {
        return Err("is not an ARN (arn:partition:service:region:account:resource)".to_owned());
    }
    if parts[1] != "{partition}" && !["aws", "aws-cn", "aws-us-gov"].contains(&parts[1]) {
        return Err(format!("has an unknown partition \"{}\"", parts[1]));
    }
    if parts[2] != service {
        return Err(format!(
            "names service \"{}\" but the permission belongs to \"{service}\"",
            parts[2]
        ));
    }
    // IAM is global: no region. EC2 images have no account.
    let (region, account) = (parts[3], parts[4]);
    match service {
        "iam" if !region.is_empty() => {
            return Err("has a region, but IAM ARNs have none".to_owned());
        }
        "iam" => {}
        _ if region.is_empty() => return Err("has no region".to_owned()),
        _ => {}
    }
    let image = service == "ec2" && parts[5].starts_with("image/");
    if image && !account.is_empty() {
        return Err("is an EC2 image ARN, which has no account".to_owned());
    }
    if !image && account.is_empty() {
        return Err("has no account".to_owned());
    }
    if parts[5].is_empty() {
        return Err("has no resource part".to_owned());
    }
    let braces_ok = r.matches('{').count() == r.matches('}').count();
    if !braces_ok {
        return Err("has unbalanced {placeholder} braces".to_owned());
    }
    Ok(())
}
