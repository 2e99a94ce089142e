//! Validation of the knowledge base (`assets/catalog.json`).
//!
//! This file is compiled twice: by `build.rs`, which refuses to build with a broken catalog,
//! and by the library, so that tests can show each rule rejects what it should. It may only
//! use `std` and `serde_json`.

use serde_json::Value;

/// Every problem found, each naming the file, the entry and what is wrong.
pub fn check_catalog(file: &str, text: &str) -> Vec<String> {
    let root: Value = match serde_json::from_str(text) {
        Ok(v) => v,
        Err(e) => {
            return vec![format!(
                "{file}:{}:{}: not valid JSON: {e}",
                e.line(),
                e.column()
            )];
        }
    };
    let mut c = Checker {
        file,
        root: &root,
        errors: Vec::new(),
    };
    c.top_level();
    c.sources();
    let action_names = c.actions();
    let feature_ids = c.features(&action_names);
    let source_ids = c.ids("sources", "id");
    for (i, d) in c.list("dependencies").iter().enumerate() {
        c.dependency(i, d, &action_names, &feature_ids, &source_ids);
    }
    c.key_policies(&feature_ids);
    for (i, rt) in c.list("resource_types").iter().enumerate() {
        if let Err(why) = check_arn(&text_of(rt, "template"), "autoscaling") {
            c.errors
                .push(format!("{file}: resource_types[{i}] template {why}"));
        }
    }
    c.errors
}

/// A string field, or "" when it is missing or not a string.
fn text_of(v: &Value, key: &str) -> String {
    v.get(key).and_then(Value::as_str).unwrap_or("").to_owned()
}

/// A list field, or an empty one.
fn list_of<'v>(v: &'v Value, key: &str) -> &'v [Value] {
    v.get(key)
        .and_then(Value::as_array)
        .map_or(&[], Vec::as_slice)
}

struct Checker<'a> {
    file: &'a str,
    root: &'a Value,
    errors: Vec<String>,
}

impl<'a> Checker<'a> {
    fn list(&self, key: &str) -> &'a [Value] {
        list_of(self.root, key)
    }

    fn ids(&self, list: &str, field: &str) -> Vec<String> {
        self.list(list).iter().map(|v| text_of(v, field)).collect()
    }

    fn top_level(&mut self) {
        for key in [
            "sources",
            "groups",
            "resource_types",
            "actions",
            "features",
            "dependencies",
            "key_policies",
        ] {
            if self.root.get(key).and_then(Value::as_array).is_none() {
                self.errors.push(format!(
                    "{}: the top-level \"{key}\" list is missing",
                    self.file
                ));
            }
        }
    }

    /// Each key policy names a known feature, a principal and statements; no action has two.
    fn key_policies(&mut self, feature_ids: &[String]) {
        let mut actions_seen: Vec<String> = Vec::new();
        for (i, kp) in self.list("key_policies").iter().enumerate() {
            let feature = text_of(kp, "feature");
            let at = format!("{}: key_policies[{i}] ({feature})", self.file);
            if !feature_ids.contains(&feature) {
                self.errors
                    .push(format!("{at}: unknown feature id \"{feature}\""));
            }
            for field in ["principal", "reason"] {
                if text_of(kp, field).trim().is_empty() {
                    self.errors.push(format!("{at}: no {field}"));
                }
            }
            if list_of(kp, "statements").is_empty() || list_of(kp, "sources").is_empty() {
                self.errors
                    .push(format!("{at}: needs statements and sources"));
            }
            let applies = self
                .list("features")
                .iter()
                .find(|f| text_of(f, "id") == feature)
                .map(|f| list_of(f, "applies_to").to_vec())
                .unwrap_or_default();
            for a in applies.iter().filter_map(Value::as_str) {
                if actions_seen.iter().any(|x| x == a) {
                    self.errors.push(format!(
                        "{at}: {a} already has a key policy from another feature"
                    ));
                }
                actions_seen.push(a.to_owned());
            }
        }
    }

    fn sources(&mut self) {
        for (i, src) in self.list("sources").iter().enumerate() {
            for field in ["id", "title", "url"] {
                if text_of(src, field).is_empty() {
                    self.errors
                        .push(format!("{}: sources[{i}] has no \"{field}\"", self.file));
                }
            }
        }
    }

    /// Checks the actions; returns their names.
    fn actions(&mut self) -> Vec<String> {
        let group_ids = self.ids("groups", "id");
        let rt_names = self.ids("resource_types", "name");
        let mut action_names: Vec<String> = Vec::new();
        for (i, a) in self.list("actions").iter().enumerate() {
            let name = text_of(a, "name");
            let at = format!("{}: actions[{i}] ({name})", self.file);
            if !is_action_name(&name) {
                self.errors.push(format!("{at}: malformed action name \"{name}\" (expected PascalCase letters, e.g. CreateAutoScalingGroup, without the service prefix)"));
            }
            if action_names.contains(&name) {
                self.errors
                    .push(format!("{at}: duplicate action \"{name}\""));
            }
            action_names.push(name.clone());
            if !group_ids.contains(&text_of(a, "group")) {
                self.errors
                    .push(format!("{at}: unknown group \"{}\"", text_of(a, "group")));
            }
            if text_of(a, "description").trim().is_empty() {
                self.errors.push(format!("{at}: no description"));
            }
            if text_of(a, "access_level").is_empty() {
                self.errors.push(format!("{at}: no access_level"));
            }
            match a.get("resource_type") {
                Some(Value::Null) | None => {}
                Some(Value::String(rt)) if rt_names.contains(rt) => {}
                Some(other) => self
                    .errors
                    .push(format!("{at}: unknown resource_type {other}")),
            }
        }
        action_names
    }

    /// Checks the features; returns their ids.
    fn features(&mut self, action_names: &[String]) -> Vec<String> {
        let feature_ids = self.ids("features", "id");
        for (i, f) in self.list("features").iter().enumerate() {
            let id = text_of(f, "id");
            let at = format!("{}: features[{i}] ({id})", self.file);
            if id.is_empty()
                || !id
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
            {
                self.errors.push(format!(
                    "{at}: feature ids are lower-case words joined by '-'"
                ));
            }
            if feature_ids.iter().filter(|x| **x == id).count() > 1 {
                self.errors.push(format!("{at}: duplicate feature id"));
            }
            for field in ["label", "explanation"] {
                if text_of(f, field).trim().is_empty() {
                    self.errors.push(format!("{at}: no {field}"));
                }
            }
            for imp in list_of(f, "implies") {
                let imp = imp.as_str().unwrap_or("");
                if !feature_ids.iter().any(|x| x == imp) {
                    self.errors
                        .push(format!("{at}: implies unknown feature id \"{imp}\""));
                }
            }
            for act in list_of(f, "applies_to") {
                let act = act.as_str().unwrap_or("");
                if !action_names.iter().any(|x| x == act) {
                    self.errors
                        .push(format!("{at}: applies_to names unknown action \"{act}\""));
                }
            }
        }
        feature_ids
    }

    fn dependency(
        &mut self,
        i: usize,
        d: &Value,
        action_names: &[String],
        feature_ids: &[String],
        source_ids: &[String],
    ) {
        let action = text_of(d, "action");
        let permission = text_of(d, "permission");
        let at = format!(
            "{}: dependencies[{i}] ({action} -> {permission})",
            self.file
        );
        if !action_names.contains(&action) {
            self.errors
                .push(format!("{at}: unknown action \"{action}\""));
        }
        let service = match permission.split_once(':') {
            Some((svc, act)) if is_service(svc) && is_action_name(act) => svc.to_owned(),
            _ => {
                self.errors.push(format!(
                    "{at}: malformed permission \"{permission}\" (expected service:ActionName)"
                ));
                String::new()
            }
        };
        self.dependency_when(&at, d, &action, feature_ids);
        let sources = list_of(d, "sources");
        if sources.is_empty() {
            self.errors.push(format!(
                "{at}: no source; every dependency must say which AWS page it comes from"
            ));
        }
        for src in sources {
            let id = src.as_str().unwrap_or("");
            if !source_ids.iter().any(|x| x == id) {
                self.errors.push(format!("{at}: unknown source \"{id}\""));
            }
        }
        if text_of(d, "reason").trim().is_empty() {
            self.errors.push(format!("{at}: no reason"));
        }
        let resources = list_of(d, "resources");
        if resources.is_empty() {
            self.errors.push(format!(
                "{at}: no resources (use \"*\" for actions without resource-level permissions)"
            ));
        }
        for r in resources {
            let r = r.as_str().unwrap_or("");
            if let Err(why) = check_arn(r, &service) {
                self.errors.push(format!("{at}: resource \"{r}\" {why}"));
            }
        }
        if let Some(ctx) = d.get("context") {
            self.dependency_context(&at, ctx);
        }
    }

    /// The feature a dependency is conditional on must exist and apply to its action.
    fn dependency_when(&mut self, at: &str, d: &Value, action: &str, feature_ids: &[String]) {
        match d.get("when") {
            None | Some(Value::Null) => {}
            Some(Value::String(w)) => {
                if !feature_ids.contains(w) {
                    self.errors
                        .push(format!("{at}: unknown feature id \"{w}\""));
                } else if let Some(f) = self
                    .list("features")
                    .iter()
                    .find(|f| text_of(f, "id") == *w)
                    && !list_of(f, "applies_to")
                        .iter()
                        .any(|x| x.as_str() == Some(action))
                {
                    self.errors.push(format!(
                        "{at}: feature \"{w}\" does not list {action} in applies_to"
                    ));
                }
            }
            Some(other) => self.errors.push(format!(
                "{at}: \"when\" must be a feature id or null, found {other}"
            )),
        }
    }

    fn dependency_context(&mut self, at: &str, ctx: &Value) {
        let Some(map) = ctx.as_object() else {
            self.errors.push(format!("{at}: context must be an object"));
            return;
        };
        for (k, v) in map {
            if !k.contains(':') {
                self.errors
                    .push(format!("{at}: context key \"{k}\" has no service prefix"));
            }
            if !v
                .as_array()
                .is_some_and(|a| !a.is_empty() && a.iter().all(Value::is_string))
            {
                self.errors.push(format!(
                    "{at}: context key \"{k}\" must map to a non-empty list of strings"
                ));
            }
        }
    }
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
