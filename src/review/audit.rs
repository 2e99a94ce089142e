//! The whole account at a glance: every role and user of an authorization-details file
//! against what one does with Auto Scaling, and who can hand a role to EC2 through it.
//!
//! Principals are evaluated in parallel (rayon), with progress and cancellation for the app.

use std::collections::HashMap;
use std::io::Write;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use rayon::prelude::*;
use serde::Serialize;

use crate::asg::catalog::catalog;
use crate::asg::requirements::{Facts, needed_requests};
use crate::engine::{Status, evaluate_status};
use crate::io::{Account, PrincipalKind};
use crate::policy::{Context, Effect, PolicySet, Request};
use crate::text::Template;
use crate::text::pattern::Tok;

/// Something one does with Auto Scaling, as the actions (and request features) it takes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct Capability {
    /// Stable id (`groups-with-instance-profile`).
    pub id: &'static str,
    /// What it is, in full.
    pub label: &'static str,
    /// A column title.
    pub short: &'static str,
    /// The actions, each with the features its request carries.
    #[serde(skip)]
    pub actions: &'static [(&'static str, &'static [&'static str])],
    /// Through it, the principal can give instances a role (an escalation path).
    pub passes_role_to_ec2: bool,
}

/// The columns of the matrix.
pub const CAPABILITIES: [Capability; 9] = [
    Capability {
        id: "groups-with-instance-profile",
        label: "Create or update groups (launch template with an instance profile)",
        short: "Groups with profile",
        actions: &[
            (
                "CreateAutoScalingGroup",
                &["launch-template-instance-profile"],
            ),
            (
                "UpdateAutoScalingGroup",
                &["launch-template-instance-profile"],
            ),
        ],
        passes_role_to_ec2: true,
    },
    Capability {
        id: "launch-configurations",
        label: "Launch configurations with an instance profile",
        short: "Launch configs",
        actions: &[(
            "CreateLaunchConfiguration",
            &["launch-configuration-instance-profile"],
        )],
        passes_role_to_ec2: true,
    },
    Capability {
        id: "lifecycle-hooks",
        label: "Lifecycle hooks with a notification role",
        short: "Lifecycle hooks",
        actions: &[("PutLifecycleHook", &["lifecycle-hook-role"])],
        passes_role_to_ec2: false,
    },
    Capability {
        id: "scaling",
        label: "Scaling (policies, capacity, schedules)",
        short: "Scaling",
        actions: &[
            ("PutScalingPolicy", &[]),
            ("SetDesiredCapacity", &[]),
            ("PutScheduledUpdateGroupAction", &[]),
        ],
        passes_role_to_ec2: false,
    },
    Capability {
        id: "instance-refresh",
        label: "Instance refresh",
        short: "Instance refresh",
        actions: &[("StartInstanceRefresh", &["launch-template"])],
        passes_role_to_ec2: false,
    },
    Capability {
        id: "traffic-sources",
        label: "Traffic sources (VPC Lattice)",
        short: "Traffic sources",
        actions: &[
            ("AttachTrafficSources", &["vpc-lattice-attach"]),
            ("DetachTrafficSources", &["vpc-lattice-detach"]),
        ],
        passes_role_to_ec2: false,
    },
    Capability {
        id: "warm-pools",
        label: "Warm pools",
        short: "Warm pools",
        actions: &[("PutWarmPool", &[])],
        passes_role_to_ec2: false,
    },
    Capability {
        id: "delete-groups",
        label: "Delete groups",
        short: "Delete groups",
        actions: &[("DeleteAutoScalingGroup", &[])],
        passes_role_to_ec2: false,
    },
    Capability {
        id: "read",
        label: "Read (describe groups and activities)",
        short: "Read",
        actions: &[
            ("DescribeAutoScalingGroups", &[]),
            ("DescribeScalingActivities", &[]),
        ],
        passes_role_to_ec2: false,
    },
];

/// A role the principal may give to instances, and how sure that is.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct PassableRole {
    /// The role's ARN.
    pub arn: String,
    /// Satisfied, or conditional (on keys the file cannot tell).
    pub status: Status,
}

/// One principal's row.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct AuditRow {
    /// Role or user name.
    pub principal: String,
    /// "role" or "user".
    pub kind: &'static str,
    /// Its ARN.
    pub arn: String,
    /// One status per capability, in [`CAPABILITIES`] order (empty when `error` is set).
    pub cells: Vec<Status>,
    /// It can launch instances with a role it passes: the roles it may pass to EC2 (one list
    /// shared by every principal whose `iam:PassRole` statements are the same).
    pub escalation: Option<Arc<[PassableRole]>>,
    /// Why the principal could not be evaluated (a policy missing from the file).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

/// The matrix.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Audit {
    /// The columns.
    pub capabilities: Vec<Capability>,
    /// One row per role and user.
    pub rows: Vec<AuditRow>,
}

/// Progress of an audit, shared with whoever shows it; setting `cancelled` stops it.
#[derive(Debug, Default)]
pub struct AuditProgress {
    /// Principals done.
    pub done: AtomicUsize,
    /// Stop as soon as possible.
    pub cancelled: AtomicBool,
}

/// Evaluates every principal of the account. `None` when cancelled.
pub fn audit(origin: &str, account: &Account, progress: &AuditProgress) -> Option<Audit> {
    let roles: Vec<&str> = account
        .principals
        .iter()
        .filter(|p| p.kind == PrincipalKind::Role)
        .map(|p| p.arn.as_str())
        .collect();
    let cache = CandidateCache::default();
    // Passable roles by `pass_role_key`; plans by facts (an account's principals share one:
    // their ARNs name the same partition and account).
    let passable: Shared<Vec<u8>, Arc<[PassableRole]>> = Shared::default();
    let plans: Shared<Facts, Arc<Plan>> = Shared::default();
    let rows: Vec<Option<AuditRow>> = account
        .principals
        .par_iter()
        .map(|p| {
            if progress.cancelled.load(Ordering::Relaxed) {
                return None;
            }
            let kind = match p.kind {
                PrincipalKind::Role => "role",
                PrincipalKind::User => "user",
            };
            // The principal itself, not its name: a role and a user may share one.
            let row = match account.policy_set_of(origin, p) {
                Ok(set) => {
                    let facts = Facts::from_arns(&[&p.arn]);
                    let plan = plans.get_or(&facts, || Arc::new(plan(&facts)));
                    let cells: Vec<Status> = plan
                        .iter()
                        .map(|actions| capability_status(actions, &set))
                        .collect();
                    let launches = CAPABILITIES
                        .iter()
                        .zip(&cells)
                        .any(|(c, s)| c.passes_role_to_ec2 && *s != Status::Missing);
                    AuditRow {
                        principal: p.name.clone(),
                        kind,
                        arn: p.arn.clone(),
                        cells,
                        escalation: launches.then(|| {
                            let work = || passable_roles(&set, &facts, &roles, &cache).into();
                            // Not shared when the key cannot be written.
                            match pass_role_key(&set, &facts) {
                                Some(key) => passable.get_or(&key, work),
                                None => work(),
                            }
                        }),
                        error: None,
                    }
                }
                Err(e) => AuditRow {
                    principal: p.name.clone(),
                    kind,
                    arn: p.arn.clone(),
                    cells: Vec::new(),
                    escalation: None,
                    error: Some(e.to_string()),
                },
            };
            progress.done.fetch_add(1, Ordering::Relaxed);
            Some(row)
        })
        .collect();
    let rows: Option<Vec<AuditRow>> = rows.into_iter().collect();
    Some(Audit {
        capabilities: CAPABILITIES.to_vec(),
        rows: rows?,
    })
}

/// Answers shared between principals: worked out (outside the lock) by the first that asks,
/// then handed to every other that asks with the same key. Passable-role lists by what
/// decides them ([`pass_role_key`]: thousands of principals share a few kinds of
/// `iam:PassRole` statement, and each list would otherwise be worked out a role at a time
/// and held once per principal), and capability plans by facts ([`plan`]).
struct Shared<K, V>(Mutex<HashMap<K, V>>);

impl<K, V> Default for Shared<K, V> {
    fn default() -> Self {
        Self(Mutex::new(HashMap::new()))
    }
}

impl<K: Eq + std::hash::Hash + Clone, V: Clone> Shared<K, V> {
    /// The answer remembered under `key`, or the one `work` finds (then remembered).
    fn get_or(&self, key: &K, work: impl FnOnce() -> V) -> V {
        let lock = || {
            self.0
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner)
        };
        if let Some(found) = lock().get(key) {
            return found.clone();
        }
        let made = work();
        lock().entry(key.clone()).or_insert(made).clone()
    }
}

/// Everything the passable roles of a principal depend on, written so that two sets have the
/// same key only when it is the same: the partition and account its roles are asked about
/// in; then each layer with how many policies it has (a boundary without a `PassRole` Allow
/// still denies it), and of each policy its `Version` and every statement that covers
/// `iam:PassRole` (Allow or Deny, `NotAction` too) as written. Statements that do not cover
/// the action cannot change its answer, and the request is the same for every principal.
/// Each text goes in with its length first, so no text can pass for another's structure.
/// `None` when a statement's text cannot be found in its policy's source.
fn pass_role_key(set: &PolicySet, facts: &Facts) -> Option<Vec<u8>> {
    let mut key = Vec::new();
    let mut put = |text: &str| {
        key.extend_from_slice(&text.len().to_le_bytes());
        key.extend_from_slice(text.as_bytes());
    };
    put(facts.partition());
    put(facts.account.as_deref().unwrap_or_default());
    for (layer, policies) in set.layers() {
        put(&format!("{layer} {}", policies.len()));
        for (_, p) in policies {
            put(p.version.as_deref().unwrap_or_default());
            for st in &p.statements {
                if st.covers_action("iam:passrole") {
                    put(p.source.get(st.span.start..st.span.end)?);
                }
            }
            put("");
        }
    }
    Some(key)
}

/// What the capabilities ask, for one set of facts: per capability and action, the requests
/// the action's status is rolled up from (see [`needed_requests`]), or `None` when the
/// action cannot be checked (it then counts as conditional).
type Plan = Vec<Vec<Option<Vec<Request>>>>;

fn plan(facts: &Facts) -> Plan {
    let cat = catalog();
    CAPABILITIES
        .iter()
        .map(|c| {
            c.actions
                .iter()
                .map(|(action, features)| {
                    let features: Vec<String> = features
                        .iter()
                        .filter(|f| cat.feature_applies(f, action))
                        .map(|f| (*f).to_owned())
                        .collect();
                    needed_requests(action, &features, facts).ok()
                })
                .collect()
        })
        .collect()
}

/// The worst status over a capability's actions (as [`check`](crate::asg::requirements::check) rolls each up), asked as
/// statuses only; it stops at the first missing request, which nothing can make better.
fn capability_status(actions: &[Option<Vec<Request>>], set: &PolicySet) -> Status {
    let mut worst = Status::Satisfied;
    for action in actions {
        let Some(requests) = action else {
            worst = Status::Conditional;
            continue;
        };
        for r in requests {
            match evaluate_status(set, r) {
                Status::Missing => return Status::Missing,
                Status::Conditional => worst = Status::Conditional,
                Status::Satisfied => {}
            }
        }
    }
    worst
}

/// The roles of the account this principal may pass to EC2. One symbolic question first
/// (any role of the account): allowed for all, or for none, settles it; only when it depends
/// on the role is each role asked about.
fn passable_roles(
    set: &PolicySet,
    facts: &Facts,
    roles: &[&str],
    cache: &CandidateCache,
) -> Vec<PassableRole> {
    let pass = |resource: Template| {
        let mut context = Context::default();
        context.set("iam:PassedToService", ["ec2.amazonaws.com"]);
        evaluate_status(
            set,
            &Request {
                action: "iam:PassRole".to_owned(),
                resources: vec![resource],
                context,
            },
        )
    };
    let any = Template::parse(&format!(
        "arn:{}:iam::{}:role/{{role}}",
        facts.partition(),
        facts.account.as_deref().unwrap_or("{account}")
    ));
    match pass(any) {
        Status::Missing => Vec::new(),
        Status::Satisfied => roles
            .iter()
            .map(|r| PassableRole {
                arn: (*r).to_owned(),
                status: Status::Satisfied,
            })
            .collect(),
        Status::Conditional => candidates(set, roles, cache)
            .into_iter()
            .filter_map(|r| {
                let status = pass(Template::literal(r));
                (status != Status::Missing).then(|| PassableRole {
                    arn: (*r).to_owned(),
                    status,
                })
            })
            .collect(),
    }
}

/// The roles an identity-policy Allow for `iam:PassRole` could match at all: no Allow, no
/// permission, so the others need no evaluation. (An Allow with `NotAction`,
/// `NotResource` or a policy variable in its resources could match any role: then every
/// role is a candidate.)
fn candidates<'a>(set: &PolicySet, roles: &[&'a str], cache: &CandidateCache) -> Vec<&'a str> {
    let mut globs = Vec::new();
    let mut key: Vec<String> = Vec::new();
    for p in &set.identity {
        for st in &p.statements {
            if st.effect != Effect::Allow {
                continue;
            }
            let names = st
                .actions
                .patterns
                .iter()
                .any(|a| a.glob().matches("iam:passrole"));
            if names == st.actions.negated {
                continue;
            }
            if st.resources.negated {
                return roles.to_vec();
            }
            for p in st.resources.patterns() {
                match p.compiled {
                    Some(g) => {
                        globs.push(g);
                        key.push(p.text.to_string());
                    }
                    None => return roles.to_vec(),
                }
            }
        }
    }
    // Principals of an account share their policies: the roles matching the same patterns
    // are found once.
    key.sort_unstable();
    key.dedup();
    if let Some(hit) = cache.found.lock().ok().and_then(|c| c.get(&key).cloned()) {
        return hit.into_iter().map(|i| roles[i]).collect();
    }
    // Each pattern is tried only on the roles that start with its literal part (a range of
    // the roles sorted by ARN), not on every role of the account.
    let mut found: Vec<usize> = Vec::new();
    for g in &globs {
        let prefix: String = g
            .glob()
            .tokens()
            .map_while(|t| match t {
                Tok::Lit(c) => Some(c),
                Tok::Star | Tok::One => None,
            })
            .collect();
        let by_arn = cache.by_arn(roles);
        let start = by_arn.partition_point(|&i| roles[i] < prefix.as_str());
        found.extend(
            by_arn[start..]
                .iter()
                .take_while(|&&i| roles[i].starts_with(prefix.as_str()))
                .filter(|&&i| g.matches(roles[i]))
                .copied(),
        );
    }
    found.sort_unstable();
    found.dedup();
    if let Ok(mut c) = cache.found.lock() {
        c.insert(key, found.clone());
    }
    found.into_iter().map(|i| roles[i]).collect()
}

/// Roles matching a set of `iam:PassRole` resource patterns, by the patterns; and the
/// roles' indexes sorted by ARN, made once.
#[derive(Default)]
struct CandidateCache {
    found: std::sync::Mutex<std::collections::HashMap<Vec<String>, Vec<usize>>>,
    sorted: std::sync::OnceLock<Vec<usize>>,
}

impl CandidateCache {
    /// The indexes of `roles` in the order of their ARNs.
    fn by_arn(&self, roles: &[&str]) -> &[usize] {
        self.sorted.get_or_init(|| {
            let mut v: Vec<usize> = (0..roles.len()).collect();
            v.sort_by(|&a, &b| roles[a].cmp(roles[b]));
            v
        })
    }
}

/// One line per principal: name, kind, a status icon per capability, and the roles it may
/// hand to EC2. Written as it goes: an account's report can be far larger than the account.
pub fn write_text(a: &Audit, out: &mut dyn Write) -> std::io::Result<()> {
    writeln!(out, "Capabilities:")?;
    for (i, c) in a.capabilities.iter().enumerate() {
        writeln!(out, "  {}  {}", i + 1, c.label)?;
    }
    let w = a
        .rows
        .iter()
        .map(|r| r.principal.len())
        .max()
        .unwrap_or(9)
        .max(9);
    write!(out, "\n{:<w$}  kind  ", "principal")?;
    for i in 0..a.capabilities.len() {
        write!(out, "{:<2}", i + 1)?;
    }
    writeln!(out)?;
    for r in &a.rows {
        write!(out, "{:<w$}  {:<4}  ", r.principal, r.kind)?;
        if let Some(e) = &r.error {
            writeln!(out, "cannot be evaluated: {e}")?;
            continue;
        }
        for c in &r.cells {
            write!(out, "{} ", c.icon())?;
        }
        if let Some(roles) = &r.escalation
            && !roles.is_empty()
        {
            write!(
                out,
                " can give instances {} role(s): {}",
                roles.len(),
                roles
                    .iter()
                    .take(5)
                    .map(|r| r.arn.rsplit('/').next().unwrap_or(&r.arn))
                    .collect::<Vec<_>>()
                    .join(", ")
            )?;
            if roles.len() > 5 {
                write!(out, ", …")?;
            }
        }
        writeln!(out)?;
    }
    Ok(())
}

fn csv_field(text: &str) -> std::borrow::Cow<'_, str> {
    if text.contains([',', '"', '\n']) {
        format!("\"{}\"", text.replace('"', "\"\"")).into()
    } else {
        text.into()
    }
}

/// CSV: a header row, then one row per principal (statuses as words; the passable roles
/// separated by spaces). Written as it goes.
pub fn write_csv(a: &Audit, out: &mut dyn Write) -> std::io::Result<()> {
    write!(out, "principal,kind,arn")?;
    for c in &a.capabilities {
        write!(out, ",{}", csv_field(c.id))?;
    }
    writeln!(out, ",passable_roles,error")?;
    for r in &a.rows {
        write!(
            out,
            "{},{},{}",
            csv_field(&r.principal),
            r.kind,
            csv_field(&r.arn)
        )?;
        for i in 0..a.capabilities.len() {
            write!(out, ",{}", r.cells.get(i).map_or("", |c| c.word()))?;
        }
        let roles = r
            .escalation
            .as_ref()
            .map(|v| {
                v.iter()
                    .map(|x| x.arn.as_str())
                    .collect::<Vec<_>>()
                    .join(" ")
            })
            .unwrap_or_default();
        writeln!(
            out,
            ",{},{}",
            csv_field(&roles),
            csv_field(r.error.as_deref().unwrap_or(""))
        )?;
    }
    Ok(())
}

/// Markdown: a table with one column per capability, then the escalation paths. Written as
/// it goes.
pub fn write_markdown(a: &Audit, out: &mut dyn Write) -> std::io::Result<()> {
    write!(out, "| Principal | Kind |")?;
    for c in &a.capabilities {
        write!(out, " {} |", c.label)?;
    }
    write!(out, "\n|---|---|")?;
    for _ in &a.capabilities {
        write!(out, "---|")?;
    }
    writeln!(out)?;
    for r in &a.rows {
        write!(out, "| `{}` | {} |", r.principal, r.kind)?;
        if let Some(e) = &r.error {
            writeln!(out, " cannot be evaluated: {} |", e.replace('|', "\\|"))?;
            continue;
        }
        for c in &r.cells {
            write!(out, " {} {} |", c.icon(), c.word())?;
        }
        writeln!(out)?;
    }
    let mut paths = a
        .rows
        .iter()
        .filter(|r| r.escalation.as_ref().is_some_and(|v| !v.is_empty()))
        .peekable();
    if paths.peek().is_some() {
        write!(
            out,
            "\n#### Who can give instances a role through Auto Scaling\n\n"
        )?;
        for r in paths {
            let roles = r.escalation.as_deref().unwrap_or_default();
            write!(
                out,
                "- `{}` can launch instances running as {} role(s): ",
                r.principal,
                roles.len()
            )?;
            for (i, x) in roles.iter().enumerate() {
                let sep = if i == 0 { "" } else { ", " };
                let conditional = if x.status == Status::Conditional {
                    " (conditional)"
                } else {
                    ""
                };
                write!(out, "{sep}`{}`{conditional}", x.arn)?;
            }
            writeln!(out)?;
        }
    }
    Ok(())
}

/// JSON: the header, the capabilities and every row, pretty-printed. Written as it goes.
pub fn write_json<H: Serialize>(a: &Audit, header: &H, out: &mut dyn Write) -> std::io::Result<()> {
    #[derive(Serialize)]
    struct Report<'a, H> {
        header: &'a H,
        capabilities: &'a [Capability],
        rows: &'a [AuditRow],
    }
    let report = Report {
        header,
        capabilities: &a.capabilities,
        rows: &a.rows,
    };
    crate::text::json::write_pretty(&report, out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::io::{Loaded, load_text};

    const LAUNCH: &str = r#"{"Effect":"Allow","Action":["autoscaling:*","ec2:*"],"Resource":"*"}"#;
    const PASS: &str = r#"{"Effect":"Allow","Action":"iam:PassRole","Resource":"arn:aws:iam::111122223333:role/app-*","Condition":{"StringEquals":{"iam:PassedToService":"ec2.amazonaws.com"}}}"#;

    fn role(name: &str, statements: &[&str], boundary: bool) -> String {
        let boundary = if boundary {
            r#","PermissionsBoundary":{"PermissionsBoundaryType":"Policy","PermissionsBoundaryArn":"arn:aws:iam::111122223333:policy/fence"}"#
        } else {
            ""
        };
        format!(
            r#"{{"RoleName":"{name}","Arn":"arn:aws:iam::111122223333:role/{name}","RolePolicyList":[{{"PolicyName":"inline","PolicyDocument":{{"Version":"2012-10-17","Statement":[{}]}}}}],"AttachedManagedPolicies":[]{boundary}}}"#,
            statements.join(",")
        )
    }

    /// Principals whose `iam:PassRole` statements are the same share one list, which is the
    /// list each would get alone; a Deny, a boundary or a different Allow is never shared.
    #[test]
    fn passable_roles_are_shared_only_where_they_are_the_same() {
        let spaced = PASS.replace(r#""Effect":"Allow","#, r#""Effect": "Allow", "#);
        let deny = r#"{"Effect":"Deny","Action":"iam:PassRole","Resource":"arn:aws:iam::111122223333:role/app-2"}"#;
        let other = PASS.replace("role/app-*", "role/app-1*");
        let roles = [
            role("app-1", &[LAUNCH, PASS], false),
            role("app-2", &[PASS, LAUNCH], false),
            role("app-3", &[LAUNCH, &spaced], false),
            role("app-4", &[LAUNCH, PASS, deny], false),
            role("app-5", &[LAUNCH, PASS], true),
            role("app-10", &[LAUNCH, &other], false),
        ];
        let text = format!(
            r#"{{"RoleDetailList":[{}],"UserDetailList":[],"GroupDetailList":[],"Policies":[{{"PolicyName":"fence","Arn":"arn:aws:iam::111122223333:policy/fence","DefaultVersionId":"v1","PolicyVersionList":[{{"VersionId":"v1","IsDefaultVersion":true,"Document":{{"Version":"2012-10-17","Statement":[{{"Effect":"Allow","Action":"*","Resource":"*"}},{{"Effect":"Deny","Action":"iam:PassRole","Resource":"arn:aws:iam::111122223333:role/app-3"}}]}}}}]}}]}}"#,
            roles.join(",")
        );
        let Ok(Loaded::Account(account)) = load_text("account.json", &text) else {
            panic!("the account loads");
        };
        let audit = audit("account.json", &account, &AuditProgress::default()).unwrap();
        // In the order the roles were written (rows come sorted by name).
        let lists: Vec<Arc<[PassableRole]>> =
            ["app-1", "app-2", "app-3", "app-4", "app-5", "app-10"]
                .iter()
                .map(|name| {
                    let row = audit.rows.iter().find(|r| r.principal == *name).unwrap();
                    row.escalation.clone().expect("every role launches")
                })
                .collect();
        // Each list is the one worked out for that principal alone.
        let arns: Vec<&str> = account.principals.iter().map(|p| p.arn.as_str()).collect();
        for row in &audit.rows {
            let list = row.escalation.clone().unwrap();
            let set = account.policy_set("account.json", &row.principal).unwrap();
            let facts = Facts::from_arns(&[&row.arn]);
            let alone = passable_roles(&set, &facts, &arns, &CandidateCache::default());
            assert_eq!(&alone[..], &list[..], "{}", row.principal);
        }
        let names = |i: usize| -> Vec<&str> { lists[i].iter().map(|r| r.arn.as_str()).collect() };
        assert_eq!(names(0).len(), 6, "{:?}", names(0));
        // The same PassRole statement (the other statements do not count): one list.
        assert!(Arc::ptr_eq(&lists[0], &lists[1]));
        // Written with other spacing: worked out again, to the same answer.
        assert!(!Arc::ptr_eq(&lists[0], &lists[2]));
        assert_eq!(lists[0], lists[2]);
        // A Deny, a boundary, a narrower Allow: other answers, never the shared one.
        for (i, gone) in [(3, "app-2"), (4, "app-3")] {
            assert!(!Arc::ptr_eq(&lists[0], &lists[i]));
            assert!(
                !names(i).iter().any(|a| a.ends_with(gone)),
                "{:?}",
                names(i)
            );
            assert_eq!(names(i).len(), 5);
        }
        assert!(!Arc::ptr_eq(&lists[0], &lists[5]));
        assert_eq!(
            names(5),
            [
                "arn:aws:iam::111122223333:role/app-1",
                "arn:aws:iam::111122223333:role/app-10"
            ]
        );
    }
}
