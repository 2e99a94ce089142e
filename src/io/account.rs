//! Account authorization details (`aws iam get-account-authorization-details`): every role
//! and user with its policies assembled (inline, attached managed, its groups', boundary).

use std::collections::HashMap;
use std::sync::Arc;

use super::document::document_value;
use super::error::LoadError;
use crate::policy::{Policy, PolicySet};
use crate::text::Location;
use crate::text::json::{Kind, Value};

/// Users or roles.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
pub enum PrincipalKind {
    /// An IAM role.
    Role,
    /// An IAM user.
    User,
}

/// A principal from an authorization-details dump, with its policies assembled.
#[derive(Clone, Debug)]
pub struct Principal {
    /// Role or user.
    pub kind: PrincipalKind,
    /// Its name.
    pub name: String,
    /// Its ARN.
    pub arn: String,
    /// For users: the groups it is in.
    pub groups: Vec<String>,
    /// Its identity policies (inline, attached, and its groups').
    pub identity: Vec<Arc<Policy>>,
    /// Its permissions boundary.
    pub boundary: Option<Arc<Policy>>,
    /// Policies it refers to that the dump does not contain.
    pub dangling: Vec<String>,
}

/// The principals of an authorization-details dump.
#[derive(Clone, Debug, Default)]
pub struct Account {
    /// Roles and users, roles first, each sorted by name.
    pub principals: Vec<Principal>,
    /// Number of managed policies in the dump.
    pub managed_policies: usize,
}

impl Account {
    /// Finds a principal by name or ARN (names are matched case-insensitively, as IAM does).
    pub fn find(&self, name: &str) -> Option<&Principal> {
        self.principals.iter().find(|p| p.arn == name).or_else(|| {
            self.principals
                .iter()
                .find(|p| p.name.eq_ignore_ascii_case(name))
        })
    }

    /// The policy set to evaluate "as" a principal. Fails when the principal refers to a
    /// policy the dump does not hold: evaluating without it could be wrong either way.
    pub fn policy_set(&self, origin: &str, name: &str) -> Result<PolicySet, LoadError> {
        let Some(p) = self.find(name) else {
            let mut names: Vec<&str> = self.principals.iter().map(|p| p.name.as_str()).collect();
            names.truncate(12);
            return Err(LoadError::Principal {
                at: Location::whole(origin),
                message: format!(
                    "no role or user named \"{name}\" in this file (some that exist: {})",
                    names.join(", ")
                ),
            });
        };
        if let Some(arn) = p.dangling.first() {
            return Err(LoadError::Principal {
                at: Location::whole(origin),
                message: format!(
                    "{} \"{}\" has policy {arn} attached, but the file does not contain that policy; export it again without --filter so every attached policy is included",
                    if p.kind == PrincipalKind::Role {
                        "role"
                    } else {
                        "user"
                    },
                    p.name
                ),
            });
        }
        Ok(PolicySet {
            identity: p.identity.clone(),
            boundary: p.boundary.clone(),
            scps: Vec::new(),
        })
    }
}

fn str_field<'a>(v: &'a Value, key: &str) -> Option<&'a str> {
    v.get(key).and_then(Value::as_str)
}

fn array<'a>(v: &'a Value, key: &str) -> &'a [Value] {
    match v.get(key).map(|x| &x.kind) {
        Some(Kind::Array(items)) => items,
        _ => &[],
    }
}

/// Where in the file, for messages.
struct Input<'a> {
    origin: &'a str,
    source: &'a Arc<str>,
}

impl Input<'_> {
    fn error(&self, at: &Value, message: impl Into<String>) -> LoadError {
        LoadError::account(self.origin, self.source, at.span.start, message)
    }

    fn expect_array(&self, v: &Value, key: &str) -> Result<(), LoadError> {
        match v.get(key) {
            Some(x) if !matches!(x.kind, Kind::Array(_)) => Err(self.error(
                x,
                format!("{key} must be an array, found {}", x.kind_name()),
            )),
            _ => Ok(()),
        }
    }

    fn inline_policies(
        &self,
        owner: &str,
        v: &Value,
        key: &str,
    ) -> Result<Vec<Arc<Policy>>, LoadError> {
        self.expect_array(v, key)?;
        let mut out = Vec::new();
        for p in array(v, key) {
            let pname = str_field(p, "PolicyName").unwrap_or("inline policy");
            let Some(doc) = p.get("PolicyDocument") else {
                return Err(self.error(
                    p,
                    format!("inline policy \"{pname}\" of {owner} has no PolicyDocument"),
                ));
            };
            let (policy, _) = document_value(
                self.origin,
                &format!("{owner} inline {pname}"),
                doc,
                self.source,
            )?;
            out.push(Arc::new(policy));
        }
        Ok(out)
    }

    fn attached_arns(&self, v: &Value) -> Result<Vec<String>, LoadError> {
        self.expect_array(v, "AttachedManagedPolicies")?;
        Ok(array(v, "AttachedManagedPolicies")
            .iter()
            .filter_map(|a| str_field(a, "PolicyArn").map(str::to_owned))
            .collect())
    }

    fn name<'v>(
        &self,
        v: &'v Value,
        key: &str,
        list: &str,
        what: &str,
    ) -> Result<&'v str, LoadError> {
        str_field(v, key).ok_or_else(|| self.error(v, format!("a {what} in {list} has no {key}")))
    }

    /// Managed policies by ARN, default version only.
    fn managed_policies(&self, root: &Value) -> Result<HashMap<String, Arc<Policy>>, LoadError> {
        let mut managed = HashMap::new();
        for p in array(root, "Policies") {
            let arn = self.name(p, "Arn", "Policies", "managed policy")?;
            let name = str_field(p, "PolicyName").unwrap_or(arn);
            let default_id = str_field(p, "DefaultVersionId");
            let versions = array(p, "PolicyVersionList");
            let chosen = versions
                .iter()
                .find(|v| {
                    matches!(
                        v.get("IsDefaultVersion").map(|x| &x.kind),
                        Some(Kind::Bool(true))
                    )
                })
                .or_else(|| {
                    versions
                        .iter()
                        .find(|v| default_id.is_some() && str_field(v, "VersionId") == default_id)
                });
            let Some(version) = chosen else {
                return Err(self.error(
                    p,
                    format!("managed policy {arn} has no default version in PolicyVersionList"),
                ));
            };
            let Some(doc) = version.get("Document") else {
                return Err(self.error(
                    version,
                    format!("the default version of {arn} has no Document"),
                ));
            };
            let (policy, _) = document_value(self.origin, name, doc, self.source)?;
            managed.insert(arn.to_owned(), Arc::new(policy));
        }
        Ok(managed)
    }
}

/// The managed policies of the file, and what a principal's references resolve to.
struct Managed(HashMap<String, Arc<Policy>>);

impl Managed {
    fn attach(&self, arns: &[String], identity: &mut Vec<Arc<Policy>>, dangling: &mut Vec<String>) {
        for arn in arns {
            match self.0.get(arn) {
                Some(p) => identity.push(Arc::clone(p)),
                None => dangling.push(arn.clone()),
            }
        }
    }

    fn boundary(&self, v: &Value, dangling: &mut Vec<String>) -> Option<Arc<Policy>> {
        let arn = v
            .get("PermissionsBoundary")
            .and_then(|b| str_field(b, "PermissionsBoundaryArn"))?;
        let found = self.0.get(arn).cloned();
        if found.is_none() {
            dangling.push(arn.to_owned());
        }
        found
    }
}

/// A group's inline policies and the ARNs of its attached ones.
type Groups = HashMap<String, (Vec<Arc<Policy>>, Vec<String>)>;

/// One role or user, with its policies (and, for users, its groups').
fn principal(
    input: &Input<'_>,
    managed: &Managed,
    groups: &Groups,
    v: &Value,
    kind: PrincipalKind,
) -> Result<Principal, LoadError> {
    let (name_key, list, policies, what) = match kind {
        PrincipalKind::Role => ("RoleName", "RoleDetailList", "RolePolicyList", "role"),
        PrincipalKind::User => ("UserName", "UserDetailList", "UserPolicyList", "user"),
    };
    let name = input.name(v, name_key, list, what)?;
    let mut identity = input.inline_policies(&format!("{what} {name}"), v, policies)?;
    let mut dangling = Vec::new();
    managed.attach(&input.attached_arns(v)?, &mut identity, &mut dangling);
    let group_names: Vec<String> = array(v, "GroupList")
        .iter()
        .filter_map(|g| g.as_str().map(str::to_owned))
        .collect();
    for g in &group_names {
        match groups.get(g) {
            Some((inline, attached)) => {
                identity.extend(inline.iter().cloned());
                managed.attach(attached, &mut identity, &mut dangling);
            }
            None => dangling.push(format!("group {g}")),
        }
    }
    let boundary = managed.boundary(v, &mut dangling);
    Ok(Principal {
        kind,
        name: name.to_owned(),
        arn: str_field(v, "Arn").unwrap_or_default().to_owned(),
        groups: group_names,
        identity,
        boundary,
        dangling,
    })
}

/// Reads an authorization-details dump.
pub(super) fn load_account(
    origin: &str,
    root: &Value,
    source: &Arc<str>,
) -> Result<Account, LoadError> {
    let input = Input { origin, source };
    for key in [
        "RoleDetailList",
        "UserDetailList",
        "GroupDetailList",
        "Policies",
    ] {
        input.expect_array(root, key)?;
    }
    let managed = Managed(input.managed_policies(root)?);
    let mut groups: Groups = HashMap::new();
    for g in array(root, "GroupDetailList") {
        let name = input.name(g, "GroupName", "GroupDetailList", "group")?;
        let inline = input.inline_policies(&format!("group {name}"), g, "GroupPolicyList")?;
        groups.insert(name.to_owned(), (inline, input.attached_arns(g)?));
    }
    let mut principals = Vec::new();
    for (list, kind) in [
        ("RoleDetailList", PrincipalKind::Role),
        ("UserDetailList", PrincipalKind::User),
    ] {
        for v in array(root, list) {
            principals.push(principal(&input, &managed, &groups, v, kind)?);
        }
    }
    principals.sort_by(|a, b| (a.kind as u8, &a.name).cmp(&(b.kind as u8, &b.name)));
    Ok(Account {
        principals,
        managed_policies: managed.0.len(),
    })
}
