//! Reading what users have: a bare policy document, AWS CLI outputs that wrap one, a
//! URL-encoded document as the raw API returns it, or a whole
//! `get-account-authorization-details` dump. The format is detected from the content.

use std::collections::HashMap;
use std::path::Path;
use std::sync::Arc;

use crate::eval::PolicySet;
use crate::json::{self, Kind, Value};
use crate::policy::{Policy, PolicyError, parse_document};

/// The largest input accepted. A full authorization-details dump of a large account is a few
/// tens of megabytes; anything larger is almost certainly not a policy.
pub const MAX_INPUT_BYTES: u64 = 64 * 1024 * 1024;

/// The shape the input was recognised as.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
pub enum InputKind {
    /// A bare policy document.
    Document,
    /// `aws iam get-policy-version` output.
    PolicyVersion,
    /// `aws iam get-role-policy` / `get-user-policy` / `get-group-policy` output.
    InlinePolicy,
    /// A URL-encoded document (a JSON string).
    UrlEncoded,
    /// `aws iam get-account-authorization-details` output.
    AuthorizationDetails,
}

impl InputKind {
    /// A label for people.
    pub fn label(self) -> &'static str {
        match self {
            Self::Document => "policy document",
            Self::PolicyVersion => "get-policy-version output",
            Self::InlinePolicy => "get-role/user/group-policy output",
            Self::UrlEncoded => "URL-encoded policy document",
            Self::AuthorizationDetails => "get-account-authorization-details output",
        }
    }
}

/// What a file held.
#[derive(Clone, Debug)]
pub enum Loaded {
    /// One policy document.
    Policy(Policy, InputKind),
    /// An account's authorization details.
    Account(Account),
}

impl Loaded {
    /// The recognised shape.
    pub fn kind(&self) -> InputKind {
        match self {
            Self::Policy(_, k) => *k,
            Self::Account(_) => InputKind::AuthorizationDetails,
        }
    }
}

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
    pub fn policy_set(&self, origin: &str, name: &str) -> Result<PolicySet, PolicyError> {
        let Some(p) = self.find(name) else {
            let mut names: Vec<&str> = self.principals.iter().map(|p| p.name.as_str()).collect();
            names.truncate(12);
            return Err(PolicyError::whole(
                origin,
                format!(
                    "no role or user named \"{name}\" in this file (some that exist: {})",
                    names.join(", ")
                ),
            ));
        };
        if let Some(arn) = p.dangling.first() {
            return Err(PolicyError::whole(
                origin,
                format!(
                    "{} \"{}\" has policy {arn} attached, but the file does not contain that policy; export it again without --filter so every attached policy is included",
                    if p.kind == PrincipalKind::Role {
                        "role"
                    } else {
                        "user"
                    },
                    p.name
                ),
            ));
        }
        Ok(PolicySet {
            identity: p.identity.clone(),
            boundary: p.boundary.clone(),
            scps: Vec::new(),
        })
    }
}

/// Reads a file and loads it. Refuses huge, binary and non-UTF-8 files with a clear message
/// before parsing anything.
pub fn load_file(path: &Path) -> Result<Loaded, PolicyError> {
    load_file_with_text(path).map(|(loaded, _)| loaded)
}

/// Like [`load_file`], and also returns the file's text (for an editor), read once.
pub fn load_file_with_text(path: &Path) -> Result<(Loaded, String), PolicyError> {
    let origin = path.display().to_string();
    let meta = std::fs::metadata(path)
        .map_err(|e| PolicyError::whole(&origin, format!("cannot read the file: {e}")))?;
    if meta.is_dir() {
        return Err(PolicyError::whole(
            &origin,
            "this is a folder, not a policy file",
        ));
    }
    if meta.len() > MAX_INPUT_BYTES {
        return Err(PolicyError::whole(
            &origin,
            format!(
                "the file is {} MB; policies and authorization-details files are far smaller (the limit is {} MB)",
                meta.len() / (1024 * 1024),
                MAX_INPUT_BYTES / (1024 * 1024)
            ),
        ));
    }
    let bytes = std::fs::read(path)
        .map_err(|e| PolicyError::whole(&origin, format!("cannot read the file: {e}")))?;
    let loaded = load_bytes(&origin, &bytes)?;
    // load_bytes accepted the bytes, so they are UTF-8.
    Ok((loaded, String::from_utf8(bytes).unwrap_or_default()))
}

/// Loads from bytes (a dropped file, stdin).
pub fn load_bytes(origin: &str, bytes: &[u8]) -> Result<Loaded, PolicyError> {
    if bytes.len() as u64 > MAX_INPUT_BYTES {
        return Err(PolicyError::whole(
            origin,
            format!(
                "the input is larger than {} MB; that is not a policy",
                MAX_INPUT_BYTES / (1024 * 1024)
            ),
        ));
    }
    if let Some(pos) = bytes.iter().position(|&b| b == 0) {
        let text = String::from_utf8_lossy(&bytes[..pos]);
        return Err(PolicyError::at(
            origin,
            &text,
            text.len(),
            "this is a binary file (it contains a NUL byte), not a JSON policy",
        ));
    }
    match std::str::from_utf8(bytes) {
        Ok(text) => load_text(origin, text),
        Err(e) => {
            let good = &bytes[..e.valid_up_to()];
            let text = String::from_utf8_lossy(good);
            Err(PolicyError::at(
                origin,
                &text,
                text.len(),
                "the file is not UTF-8 text (JSON policies are UTF-8); re-save it as UTF-8",
            ))
        }
    }
}

/// Loads from text, detecting the shape.
pub fn load_text(origin: &str, text: &str) -> Result<Loaded, PolicyError> {
    let source: Arc<str> = Arc::from(text);
    let root = json::parse(text).map_err(|e| PolicyError::at(origin, text, e.offset, e.message))?;
    match &root.kind {
        Kind::String(s) => {
            let (policy, _) = decode_embedded(origin, origin, s, root.span.start, &source)?;
            Ok(Loaded::Policy(policy, InputKind::UrlEncoded))
        }
        Kind::Object(_) => {
            if root.get("Statement").is_some() {
                return Ok(Loaded::Policy(
                    parse_document(origin, &source, &root)?,
                    InputKind::Document,
                ));
            }
            if let Some(pv) = root.get("PolicyVersion") {
                let Some(doc) = pv.get("Document") else {
                    return Err(PolicyError::at(
                        origin,
                        text,
                        pv.span.start,
                        "PolicyVersion has no Document",
                    ));
                };
                let (policy, _) = document_value(origin, origin, doc, &source)?;
                return Ok(Loaded::Policy(policy, InputKind::PolicyVersion));
            }
            if let Some(doc) = root.get("Document") {
                // The PolicyVersion object itself (as saved by many tools and by
                // `--query PolicyVersion`).
                let name = root
                    .get("PolicyName")
                    .and_then(Value::as_str)
                    .unwrap_or(origin)
                    .to_owned();
                let (policy, _) = document_value(origin, &name, doc, &source)?;
                return Ok(Loaded::Policy(policy, InputKind::PolicyVersion));
            }
            if let Some(doc) = root.get("PolicyDocument") {
                let name = root
                    .get("PolicyName")
                    .and_then(Value::as_str)
                    .map_or_else(|| origin.to_owned(), |n| format!("{origin} ({n})"));
                let (policy, _) = document_value(origin, &name, doc, &source)?;
                return Ok(Loaded::Policy(policy, InputKind::InlinePolicy));
            }
            if [
                "RoleDetailList",
                "UserDetailList",
                "GroupDetailList",
                "Policies",
            ]
            .iter()
            .any(|k| root.get(k).is_some())
            {
                return Ok(Loaded::Account(load_account(origin, &root, &source)?));
            }
            Err(PolicyError::at(
                origin,
                text,
                root.span.start,
                "this JSON object is not a policy: expected a Statement, a PolicyVersion or PolicyDocument wrapper, or get-account-authorization-details output",
            ))
        }
        _ => Err(PolicyError::at(
            origin,
            text,
            root.span.start,
            format!(
                "a policy must be a JSON object, found {} at the top level",
                root.kind_name()
            ),
        )),
    }
}

/// A `Document` / `PolicyDocument` value: an object, or a URL-encoded string.
fn document_value(
    origin: &str,
    name: &str,
    doc: &Value,
    source: &Arc<str>,
) -> Result<(Policy, bool), PolicyError> {
    match &doc.kind {
        Kind::Object(_) => Ok((parse_document(name, source, doc)?, false)),
        Kind::String(s) => decode_embedded(origin, name, s, doc.span.start, source),
        _ => Err(PolicyError::at(
            origin,
            source,
            doc.span.start,
            format!(
                "the policy document must be an object or a URL-encoded string, found {}",
                doc.kind_name()
            ),
        )),
    }
}

/// A document held in a string: URL-encoded (as the IAM API returns it) or plain JSON text.
fn decode_embedded(
    origin: &str,
    name: &str,
    s: &str,
    at: usize,
    outer: &Arc<str>,
) -> Result<(Policy, bool), PolicyError> {
    let decoded = if s.trim_start().starts_with('{') {
        s.to_owned()
    } else {
        percent_decode(s).map_err(|(i, msg)| {
            PolicyError::at(
                origin,
                outer,
                at,
                format!(
                    "invalid URL encoding in the policy document at character {}: {msg}",
                    i + 1
                ),
            )
        })?
    };
    let inner: Arc<str> = Arc::from(decoded.as_str());
    let value = json::parse(&decoded).map_err(|e| {
        PolicyError::at(
            origin,
            outer,
            at,
            format!(
                "the URL-encoded document is not valid JSON (decoded line {}, column {}: {})",
                e.line, e.column, e.message
            ),
        )
    })?;
    Ok((parse_document(name, &inner, &value)?, true))
}

/// Decodes RFC 3986 percent-encoding. `+` stays a plus sign.
pub fn percent_decode(s: &str) -> Result<String, (usize, String)> {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' {
            let hex = b
                .get(i + 1..i + 3)
                .ok_or((i, "'%' must be followed by two hex digits".to_owned()))?;
            let h = std::str::from_utf8(hex)
                .ok()
                .and_then(|h| u8::from_str_radix(h, 16).ok());
            let Some(v) = h else {
                return Err((i, "'%' must be followed by two hex digits".to_owned()));
            };
            if !hex.iter().all(u8::is_ascii_hexdigit) {
                return Err((i, "'%' must be followed by two hex digits".to_owned()));
            }
            out.push(v);
            i += 3;
        } else {
            out.push(b[i]);
            i += 1;
        }
    }
    String::from_utf8(out).map_err(|e| {
        (
            e.utf8_error().valid_up_to(),
            "the decoded bytes are not UTF-8".to_owned(),
        )
    })
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

fn expect_array(origin: &str, source: &str, v: &Value, key: &str) -> Result<(), PolicyError> {
    match v.get(key) {
        Some(x) if !matches!(x.kind, Kind::Array(_)) => Err(PolicyError::at(
            origin,
            source,
            x.span.start,
            format!("{key} must be an array, found {}", x.kind_name()),
        )),
        _ => Ok(()),
    }
}

fn inline_policies(
    origin: &str,
    owner: &str,
    v: &Value,
    key: &str,
    source: &Arc<str>,
) -> Result<Vec<Arc<Policy>>, PolicyError> {
    expect_array(origin, source, v, key)?;
    let mut out = Vec::new();
    for p in array(v, key) {
        let pname = str_field(p, "PolicyName").unwrap_or("inline policy");
        let Some(doc) = p.get("PolicyDocument") else {
            return Err(PolicyError::at(
                origin,
                source,
                p.span.start,
                format!("inline policy \"{pname}\" of {owner} has no PolicyDocument"),
            ));
        };
        let (policy, _) = document_value(origin, &format!("{owner} inline {pname}"), doc, source)?;
        out.push(Arc::new(policy));
    }
    Ok(out)
}

fn attached_arns(origin: &str, v: &Value, source: &str) -> Result<Vec<String>, PolicyError> {
    expect_array(origin, source, v, "AttachedManagedPolicies")?;
    Ok(array(v, "AttachedManagedPolicies")
        .iter()
        .filter_map(|a| str_field(a, "PolicyArn").map(str::to_owned))
        .collect())
}

fn load_account(origin: &str, root: &Value, source: &Arc<str>) -> Result<Account, PolicyError> {
    for key in [
        "RoleDetailList",
        "UserDetailList",
        "GroupDetailList",
        "Policies",
    ] {
        expect_array(origin, source, root, key)?;
    }
    // Managed policies by ARN, default version only.
    let mut managed: HashMap<String, Arc<Policy>> = HashMap::new();
    for p in array(root, "Policies") {
        let Some(arn) = str_field(p, "Arn") else {
            return Err(PolicyError::at(
                origin,
                source,
                p.span.start,
                "a managed policy in Policies has no Arn",
            ));
        };
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
            return Err(PolicyError::at(
                origin,
                source,
                p.span.start,
                format!("managed policy {arn} has no default version in PolicyVersionList"),
            ));
        };
        let Some(doc) = version.get("Document") else {
            return Err(PolicyError::at(
                origin,
                source,
                version.span.start,
                format!("the default version of {arn} has no Document"),
            ));
        };
        let (policy, _) = document_value(origin, name, doc, source)?;
        managed.insert(arn.to_owned(), Arc::new(policy));
    }

    let resolve = |arns: &[String], identity: &mut Vec<Arc<Policy>>, dangling: &mut Vec<String>| {
        for arn in arns {
            match managed.get(arn) {
                Some(p) => identity.push(Arc::clone(p)),
                None => dangling.push(arn.clone()),
            }
        }
    };
    let boundary_of = |v: &Value, dangling: &mut Vec<String>| -> Option<Arc<Policy>> {
        let arn = v
            .get("PermissionsBoundary")
            .and_then(|b| str_field(b, "PermissionsBoundaryArn"))?;
        let found = managed.get(arn).cloned();
        if found.is_none() {
            dangling.push(arn.to_owned());
        }
        found
    };

    // Groups: their inline and attached policies, by name.
    let mut groups: HashMap<String, (Vec<Arc<Policy>>, Vec<String>)> = HashMap::new();
    for g in array(root, "GroupDetailList") {
        let Some(name) = str_field(g, "GroupName") else {
            return Err(PolicyError::at(
                origin,
                source,
                g.span.start,
                "a group in GroupDetailList has no GroupName",
            ));
        };
        let inline = inline_policies(
            origin,
            &format!("group {name}"),
            g,
            "GroupPolicyList",
            source,
        )?;
        groups.insert(name.to_owned(), (inline, attached_arns(origin, g, source)?));
    }

    let mut principals = Vec::new();
    for r in array(root, "RoleDetailList") {
        let Some(name) = str_field(r, "RoleName") else {
            return Err(PolicyError::at(
                origin,
                source,
                r.span.start,
                "a role in RoleDetailList has no RoleName",
            ));
        };
        let mut identity =
            inline_policies(origin, &format!("role {name}"), r, "RolePolicyList", source)?;
        let mut dangling = Vec::new();
        resolve(
            &attached_arns(origin, r, source)?,
            &mut identity,
            &mut dangling,
        );
        let boundary = boundary_of(r, &mut dangling);
        principals.push(Principal {
            kind: PrincipalKind::Role,
            name: name.to_owned(),
            arn: str_field(r, "Arn").unwrap_or_default().to_owned(),
            groups: Vec::new(),
            identity,
            boundary,
            dangling,
        });
    }
    for u in array(root, "UserDetailList") {
        let Some(name) = str_field(u, "UserName") else {
            return Err(PolicyError::at(
                origin,
                source,
                u.span.start,
                "a user in UserDetailList has no UserName",
            ));
        };
        let mut identity =
            inline_policies(origin, &format!("user {name}"), u, "UserPolicyList", source)?;
        let mut dangling = Vec::new();
        resolve(
            &attached_arns(origin, u, source)?,
            &mut identity,
            &mut dangling,
        );
        let group_names: Vec<String> = array(u, "GroupList")
            .iter()
            .filter_map(|g| g.as_str().map(str::to_owned))
            .collect();
        for g in &group_names {
            match groups.get(g) {
                Some((inline, attached)) => {
                    identity.extend(inline.iter().cloned());
                    resolve(attached, &mut identity, &mut dangling);
                }
                None => dangling.push(format!("group {g}")),
            }
        }
        let boundary = boundary_of(u, &mut dangling);
        principals.push(Principal {
            kind: PrincipalKind::User,
            name: name.to_owned(),
            arn: str_field(u, "Arn").unwrap_or_default().to_owned(),
            groups: group_names,
            identity,
            boundary,
            dangling,
        });
    }
    principals.sort_by(|a, b| (a.kind as u8, &a.name).cmp(&(b.kind as u8, &b.name)));
    Ok(Account {
        principals,
        managed_policies: managed.len(),
    })
}
