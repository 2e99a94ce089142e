//! Account authorization details (`aws iam get-account-authorization-details`): every role
//! and user with its policies assembled (inline, attached managed, its groups', boundary).
//!
//! Such files reach hundreds of megabytes, so they are read as a stream: each role, user,
//! group and managed policy is taken in as soon as it is read and its tree dropped, and what
//! is kept of it is an index (names, ARNs, and where each policy document is in the text).
//! A document is parsed when a principal is evaluated: managed and group policies once, and
//! remembered; a principal's inline policies each time (they are its own). Memory is then
//! about the file's text and an index, not a model of every statement of the account.

use std::collections::HashMap;
use std::sync::{Arc, OnceLock};

use super::document::document_value;
use super::error::LoadError;
use crate::policy::{Policy, PolicySet};
use crate::text::Location;
use crate::text::json::{self, Kind, Span, Value};

/// Users or roles.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
pub enum PrincipalKind {
    /// An IAM role.
    Role,
    /// An IAM user.
    User,
}

/// Where a policy document is in the file, and what to call it.
#[derive(Clone, Debug)]
struct DocRef {
    /// A name for people ("role deployer inline ci").
    name: String,
    /// The `PolicyDocument` / `Document` value.
    span: Span,
}

/// A principal from an authorization-details dump: what it is and which policies it has.
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
    /// Policies it refers to that the dump does not contain.
    pub dangling: Vec<String>,
    /// Its inline policies.
    inline: Vec<DocRef>,
    /// The ARNs of its attached managed policies.
    attached: Vec<String>,
    /// The ARN of its permissions boundary.
    boundary: Option<String>,
}

/// A managed policy: its default version's document, parsed on first use.
#[derive(Clone, Debug)]
struct Managed {
    doc: DocRef,
    parsed: OnceLock<Result<Arc<Policy>, LoadError>>,
}

/// A group: its inline policies (parsed on first use) and attached ARNs.
#[derive(Clone, Debug)]
struct Group {
    inline: Vec<DocRef>,
    parsed: OnceLock<Result<Vec<Arc<Policy>>, LoadError>>,
    attached: Vec<String>,
}

/// The principals of an authorization-details dump.
#[derive(Clone, Debug, Default)]
pub struct Account {
    /// Roles and users, roles first, each sorted by name.
    pub principals: Vec<Principal>,
    /// Number of managed policies in the dump.
    pub managed_policies: usize,
    /// What the principals' policies are read from, shared by every copy.
    index: Arc<Index>,
}

/// The text of the dump and where its policies are in it.
#[derive(Debug, Default)]
struct Index {
    /// The file's name, for messages.
    origin: String,
    /// The file's text, which every span points into.
    source: crate::text::SourceText,
    /// Managed policies by ARN.
    managed: HashMap<String, Managed>,
    /// Groups by name.
    groups: HashMap<String, Group>,
    /// The principals by ARN and by name, made when first asked: the account matrix
    /// evaluates every principal as it stands and never looks one up (the maps held a copy
    /// of every ARN and name, a third of the matrix's memory beside the text).
    lookup: OnceLock<Lookup>,
}

/// The principals by ARN and by name.
#[derive(Debug, Default)]
struct Lookup {
    /// By ARN, and by lower-cased name (the first of that name).
    by_arn: HashMap<String, usize>,
    by_name: HashMap<String, usize>,
    /// Every principal of each lower-cased name more than one has (a role and a user may
    /// share a name; rare).
    shared_names: HashMap<String, Vec<usize>>,
}

impl Lookup {
    /// The maps of `principals`.
    fn of(principals: &[Principal]) -> Self {
        let mut by_arn = HashMap::with_capacity(principals.len());
        let mut by_name = HashMap::with_capacity(principals.len());
        let mut shared_names: HashMap<String, Vec<usize>> = HashMap::new();
        for (i, p) in principals.iter().enumerate() {
            by_arn.entry(p.arn.clone()).or_insert(i);
            match by_name.entry(p.name.to_lowercase()) {
                std::collections::hash_map::Entry::Vacant(e) => {
                    e.insert(i);
                }
                std::collections::hash_map::Entry::Occupied(e) => shared_names
                    .entry(e.key().clone())
                    .or_insert_with(|| vec![*e.get()])
                    .push(i),
            }
        }
        Self {
            by_arn,
            by_name,
            shared_names,
        }
    }
}

impl Account {
    /// The file's text, which every place in the account points into.
    pub fn source(&self) -> &str {
        &self.index.source
    }

    /// Finds a principal by ARN, or by name when one principal has it (names are matched
    /// case-insensitively, as IAM does, an exact match first). `None` when none has it, or
    /// when a role and a user share it (IAM keeps their names apart): then only the ARN
    /// tells them apart.
    pub fn find(&self, name: &str) -> Option<&Principal> {
        self.lookup(name).ok()
    }

    /// [`find`](Self::find), with the principals a name is ambiguous between.
    fn lookup(&self, name: &str) -> Result<&Principal, Vec<&Principal>> {
        let maps = self
            .index
            .lookup
            .get_or_init(|| Lookup::of(&self.principals));
        if let Some(&i) = maps.by_arn.get(name) {
            return self.principals.get(i).ok_or_else(Vec::new);
        }
        let lower = name.to_lowercase();
        let Some(&first) = maps.by_name.get(&lower) else {
            return Err(Vec::new());
        };
        let one = [first];
        let indexes = maps
            .shared_names
            .get(&lower)
            .map_or(&one[..], Vec::as_slice);
        let named: Vec<&Principal> = indexes
            .iter()
            .filter_map(|&i| self.principals.get(i))
            .collect();
        let exact: Vec<&Principal> = named.iter().copied().filter(|p| p.name == name).collect();
        match (exact.as_slice(), named.as_slice()) {
            ([one], _) | ([], [one]) => Ok(one),
            _ => Err(named),
        }
    }

    /// The policy set to evaluate "as" the principal named `name` (or with that ARN). Fails
    /// when no principal has it, when a role and a user share it, and as
    /// [`policy_set_of`](Self::policy_set_of) does.
    pub fn policy_set(&self, origin: &str, name: &str) -> Result<PolicySet, LoadError> {
        match self.lookup(name) {
            Ok(p) => self.policy_set_of(origin, p),
            Err(candidates) if candidates.is_empty() => {
                let mut some: Vec<&str> = self.principals.iter().map(|p| p.name.as_str()).collect();
                some.truncate(12);
                Err(LoadError::Principal {
                    at: Location::whole(origin),
                    message: format!(
                        "no role or user named \"{name}\" in this file (some that exist: {})",
                        some.join(", ")
                    ),
                })
            }
            Err(candidates) => {
                let arns: Vec<&str> = candidates.iter().map(|p| p.arn.as_str()).collect();
                Err(LoadError::Principal {
                    at: Location::whole(origin),
                    message: format!(
                        "\"{name}\" names more than one principal in this file: {}; give the ARN of the one you mean",
                        arns.join(", ")
                    ),
                })
            }
        }
    }

    /// The policy set to evaluate "as" principal `p` of this account. Fails when the
    /// principal refers to a policy the dump does not hold (evaluating without it could be
    /// wrong either way), or when one of its policies is not a valid document (with the
    /// place in the file).
    pub fn policy_set_of(&self, origin: &str, p: &Principal) -> Result<PolicySet, LoadError> {
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
        let mut identity = Vec::new();
        for d in &p.inline {
            identity.push(Arc::new(self.parse(d)?));
        }
        for arn in &p.attached {
            identity.push(self.managed(arn)?);
        }
        for g in &p.groups {
            if let Some(group) = self.index.groups.get(g) {
                let inline = group
                    .parsed
                    .get_or_init(|| {
                        group
                            .inline
                            .iter()
                            .map(|d| self.parse(d).map(Arc::new))
                            .collect()
                    })
                    .clone()?;
                identity.extend(inline);
                for arn in &group.attached {
                    identity.push(self.managed(arn)?);
                }
            }
        }
        let boundary = match &p.boundary {
            Some(arn) => Some(self.managed(arn)?),
            None => None,
        };
        Ok(PolicySet {
            identity,
            boundary,
            scps: Vec::new(),
        })
    }

    /// A managed policy, parsed once.
    fn managed(&self, arn: &str) -> Result<Arc<Policy>, LoadError> {
        let Some(m) = self.index.managed.get(arn) else {
            // Dangling references were refused before.
            return Err(LoadError::Principal {
                at: Location::whole(&self.index.origin),
                message: format!("the file does not contain policy {arn}"),
            });
        };
        m.parsed
            .get_or_init(|| self.parse(&m.doc).map(Arc::new))
            .clone()
    }

    /// Parses one document of the file where it stands.
    fn parse(&self, d: &DocRef) -> Result<Policy, LoadError> {
        let value = json::parse_range(&self.index.source, d.span).map_err(|e| {
            LoadError::account(&self.index.origin, &self.index.source, e.offset, e.message)
        })?;
        Ok(document_value(&self.index.origin, &d.name, &value, &self.index.source)?.0)
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

/// The top-level lists of an authorization-details dump, read item by item.
pub(super) const LISTS: [&str; 4] = [
    "RoleDetailList",
    "UserDetailList",
    "GroupDetailList",
    "Policies",
];

/// Takes in the items of an authorization-details dump as they are read.
pub(super) struct Builder<'a> {
    origin: &'a str,
    source: &'a crate::text::SourceText,
    /// True once an item of one of the lists was read (the file is such a dump).
    pub(super) seen: bool,
    /// The first error, which stops the read.
    pub(super) error: Option<LoadError>,
    principals: Vec<Principal>,
    managed: HashMap<String, Managed>,
    groups: HashMap<String, Group>,
}

impl<'a> Builder<'a> {
    pub(super) fn new(origin: &'a str, source: &'a crate::text::SourceText) -> Self {
        Self {
            origin,
            source,
            seen: false,
            error: None,
            principals: Vec::new(),
            managed: HashMap::new(),
            groups: HashMap::new(),
        }
    }

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

    fn name<'v>(
        &self,
        v: &'v Value,
        key: &str,
        list: &str,
        what: &str,
    ) -> Result<&'v str, LoadError> {
        str_field(v, key).ok_or_else(|| self.error(v, format!("a {what} in {list} has no {key}")))
    }

    /// One item of one of the lists; the stream stops at the first error.
    pub(super) fn item(&mut self, list: &str, v: &Value) -> Result<(), ()> {
        self.seen = true;
        let done = match list {
            "Policies" => self.managed_policy(v),
            "GroupDetailList" => self.group(v),
            "RoleDetailList" => self.principal(v, PrincipalKind::Role),
            _ => self.principal(v, PrincipalKind::User),
        };
        done.map_err(|e| {
            self.error = Some(e);
        })
    }

    fn inline_policies(&self, owner: &str, v: &Value, key: &str) -> Result<Vec<DocRef>, LoadError> {
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
            out.push(DocRef {
                name: format!("{owner} inline {pname}"),
                span: doc.span,
            });
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

    /// A managed policy: its default version.
    fn managed_policy(&mut self, p: &Value) -> Result<(), LoadError> {
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
        self.managed.insert(
            arn.to_owned(),
            Managed {
                doc: DocRef {
                    name: name.to_owned(),
                    span: doc.span,
                },
                parsed: OnceLock::new(),
            },
        );
        Ok(())
    }

    fn group(&mut self, g: &Value) -> Result<(), LoadError> {
        let name = self.name(g, "GroupName", "GroupDetailList", "group")?;
        let inline = self.inline_policies(&format!("group {name}"), g, "GroupPolicyList")?;
        let attached = self.attached_arns(g)?;
        self.groups.insert(
            name.to_owned(),
            Group {
                inline,
                parsed: OnceLock::new(),
                attached,
            },
        );
        Ok(())
    }

    /// One role or user: its name, ARN and the places of its policies.
    fn principal(&mut self, v: &Value, kind: PrincipalKind) -> Result<(), LoadError> {
        let (name_key, list, policies, what) = match kind {
            PrincipalKind::Role => ("RoleName", "RoleDetailList", "RolePolicyList", "role"),
            PrincipalKind::User => ("UserName", "UserDetailList", "UserPolicyList", "user"),
        };
        let name = self.name(v, name_key, list, what)?;
        let inline = self.inline_policies(&format!("{what} {name}"), v, policies)?;
        let attached = self.attached_arns(v)?;
        let groups: Vec<String> = array(v, "GroupList")
            .iter()
            .filter_map(|g| g.as_str().map(str::to_owned))
            .collect();
        let boundary = v
            .get("PermissionsBoundary")
            .and_then(|b| str_field(b, "PermissionsBoundaryArn"))
            .map(str::to_owned);
        self.principals.push(Principal {
            kind,
            name: name.to_owned(),
            arn: str_field(v, "Arn").unwrap_or_default().to_owned(),
            groups,
            dangling: Vec::new(),
            inline,
            attached,
            boundary,
        });
        Ok(())
    }

    /// The account, once the whole file is read: references resolved, principals sorted.
    pub(super) fn finish(mut self, root: &Value) -> Result<Account, LoadError> {
        for key in LISTS {
            self.expect_array(root, key)?;
        }
        let managed = &self.managed;
        let groups = &self.groups;
        for p in &mut self.principals {
            let mut dangling: Vec<String> = p
                .attached
                .iter()
                .filter(|a| !managed.contains_key(*a))
                .cloned()
                .collect();
            for g in &p.groups {
                match groups.get(g) {
                    Some(group) => dangling.extend(
                        group
                            .attached
                            .iter()
                            .filter(|a| !managed.contains_key(*a))
                            .cloned(),
                    ),
                    None => dangling.push(format!("group {g}")),
                }
            }
            if let Some(b) = &p.boundary
                && !managed.contains_key(b)
            {
                dangling.push(b.clone());
            }
            p.dangling = dangling;
        }
        self.principals
            .sort_by(|a, b| (a.kind as u8, &a.name).cmp(&(b.kind as u8, &b.name)));
        Ok(Account {
            principals: self.principals,
            managed_policies: self.managed.len(),
            index: Arc::new(Index {
                origin: self.origin.to_owned(),
                source: Arc::clone(self.source),
                managed: self.managed,
                groups: self.groups,
                lookup: OnceLock::new(),
            }),
        })
    }
}
