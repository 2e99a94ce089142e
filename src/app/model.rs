//! The app's document model and view models. No egui in here: the panels draw what these
//! build, and tests can check them without a renderer.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use crate::asg::catalog::catalog;
use crate::asg::requirements::{ActionCheck, Facts, check, check_each};
use crate::engine::{Status, Summary};
use crate::io::{Account, InputKind, LoadError, Loaded, PolicySetBuilder, load_shared};
use crate::policy::{Policy, PolicySet};
use crate::text::Location;

/// Where a policy goes in the evaluation.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub enum Slot {
    /// Replace the identity policies with this one.
    Identity,
    /// Add another identity policy.
    AddIdentity,
    /// The permissions boundary.
    Boundary,
    /// Add a service control policy level.
    Scp,
    /// Another version of the first identity policy, to compare with.
    Compare,
}

/// What a file is being chosen for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FilePurpose {
    /// Open a policy into a slot.
    Open(Slot),
    /// Open a request: a command line, API JSON, a `CloudFormation` template, a Terraform
    /// file.
    OpenRequest,
    /// Save this text, offering this file name.
    Save {
        /// The text.
        text: String,
        /// The name offered (`asg-permissions.json`, `report.html`).
        file_name: String,
    },
}

/// What a comparison with another version depends on: recomputed when any of it changes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct CompareKey {
    /// The loaded policies' revision.
    pub(crate) revision: u64,
    /// Features on, per action.
    pub(crate) features: BTreeMap<String, Vec<String>>,
    /// The facts.
    pub(crate) facts: Facts,
}

/// One thing the user loaded, to remove or edit it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Item {
    /// The authorization-details dump.
    Account,
    /// An identity policy, by position.
    Identity(usize),
    /// The permissions boundary.
    Boundary,
    /// A service control policy, by position.
    Scp(usize),
    /// The version compared with.
    Compare,
}

/// One policy the user loaded: its text (editable) and the last version that parsed.
#[derive(Clone, Debug)]
pub struct PolicyDoc {
    /// File name or a label.
    pub name: String,
    /// Where it came from, if a file.
    pub path: Option<PathBuf>,
    /// The text as edited (as loaded, the policy's own source: held once).
    pub text: crate::text::SourceText,
    /// The last version of the text that parsed; evaluation uses it.
    pub parsed: Arc<Policy>,
    /// The error of the current text, if it does not parse.
    pub error: Option<LoadError>,
    /// What shape the file had.
    pub kind: InputKind,
    /// Changed in the editor since it was loaded.
    pub edited: bool,
    /// A hash of the text as loaded, to tell a changed file at the next start.
    pub hash: u64,
}

impl PolicyDoc {
    /// Number of statements in force.
    pub fn statements_len(&self) -> usize {
        self.parsed.statements.len()
    }

    /// Re-parses after an edit. A text that does not parse keeps the previous policy in force.
    pub fn reparse(&mut self) -> bool {
        match load_shared(&self.name, &self.text) {
            Ok(Loaded::Policy(p, kind)) => {
                self.parsed = Arc::new(p);
                self.kind = kind;
                self.error = None;
                true
            }
            Ok(Loaded::Account(_)) => {
                self.error = Some(LoadError::not_a_policy(
                    Location::whole(&self.name),
                    "this text is an authorization-details dump; open it as a file to pick a principal",
                ));
                false
            }
            Err(e) => {
                self.error = Some(e);
                false
            }
        }
    }
}

/// A loaded document as remembered between runs.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct SavedDoc {
    /// Where it went.
    pub slot: Slot,
    /// Its name.
    pub name: String,
    /// Its file, if it came from one.
    pub path: Option<PathBuf>,
    /// [`text_hash`] of the text as loaded, to tell a file that changed between sessions.
    pub hash: u64,
    /// The text itself, when there is no file or it was edited here.
    pub text: Option<String>,
}

/// The hash reports give their inputs (FNV-1a, stable across runs and builds).
pub fn text_hash(text: &str) -> u64 {
    crate::report::fnv1a64(text.as_bytes())
}

/// An authorization-details dump and the principal chosen from it.
#[derive(Clone, Debug)]
pub struct AccountDoc {
    /// File name.
    pub name: String,
    /// The principals.
    pub account: Account,
    /// The principal evaluated as.
    pub principal: Option<String>,
    /// Where it came from, if a file.
    pub path: Option<PathBuf>,
    /// A hash of the file as loaded, to tell a changed file at the next start.
    pub hash: u64,
}

impl AccountDoc {
    /// The chosen principal's name: it is chosen by ARN (a role and a user may share a
    /// name) and said by name; as given when the dump has no such principal.
    pub fn principal_name(&self) -> Option<&str> {
        let chosen = self.principal.as_deref()?;
        Some(
            self.account
                .find(chosen)
                .map_or(chosen, |p| p.name.as_str()),
        )
    }
}

/// Everything loaded, by layer.
#[derive(Clone, Debug, Default)]
pub struct Policies {
    /// Identity policies.
    pub identity: Vec<PolicyDoc>,
    /// An authorization-details dump, evaluated as its chosen principal.
    pub account: Option<AccountDoc>,
    /// The permissions boundary.
    pub boundary: Option<PolicyDoc>,
    /// Service control policies.
    pub scps: Vec<PolicyDoc>,
    /// Another version of the first identity policy, to compare with (not evaluated as
    /// part of the set).
    pub compare: Option<PolicyDoc>,
    /// Bumped on every change; the evaluation cache keys on it.
    pub revision: u64,
}

impl Policies {
    /// True when nothing is loaded.
    pub fn is_empty(&self) -> bool {
        self.identity.is_empty()
            && self.account.is_none()
            && self.boundary.is_none()
            && self.scps.is_empty()
    }

    /// True when there is something to evaluate: a policy, or an account dump with its
    /// principal chosen.
    pub fn evaluable(&self) -> bool {
        !self.identity.is_empty()
            || self.boundary.is_some()
            || !self.scps.is_empty()
            || self.account.as_ref().is_some_and(|a| a.principal.is_some())
    }

    /// An account dump is loaded and no principal is chosen yet.
    pub fn needs_principal(&self) -> bool {
        self.account.as_ref().is_some_and(|a| a.principal.is_none())
    }

    /// Puts a loaded file in its slot. The caller has already shown any load error; nothing
    /// changes for an error.
    pub fn insert(
        &mut self,
        slot: Slot,
        name: String,
        path: Option<PathBuf>,
        text: crate::text::SourceText,
        loaded: Loaded,
    ) -> Result<(), String> {
        match loaded {
            Loaded::Account(account) => {
                if matches!(slot, Slot::Boundary | Slot::Scp | Slot::Compare) {
                    return Err(format!(
                        "{name} is an authorization-details dump; it cannot be a boundary or an SCP"
                    ));
                }
                // One principal is the obvious choice; among several the user chooses (a
                // silent first pick would evaluate someone they did not mean).
                let principal = match account.principals.as_slice() {
                    [only] => Some(only.name.clone()),
                    _ => None,
                };
                if slot == Slot::Identity {
                    self.identity.clear();
                }
                self.account = Some(AccountDoc {
                    name,
                    account,
                    principal,
                    path,
                    hash: text_hash(&text),
                });
            }
            Loaded::Policy(p, kind) => {
                let hash = text_hash(&text);
                let doc = PolicyDoc {
                    name,
                    path,
                    text,
                    parsed: Arc::new(p),
                    error: None,
                    kind,
                    edited: false,
                    hash,
                };
                match slot {
                    Slot::Identity => {
                        self.identity = vec![doc];
                        self.account = None;
                    }
                    Slot::AddIdentity => self.identity.push(doc),
                    Slot::Boundary => self.boundary = Some(doc),
                    Slot::Scp => self.scps.push(doc),
                    Slot::Compare => self.compare = Some(doc),
                }
            }
        }
        self.revision += 1;
        Ok(())
    }

    /// The policy set to evaluate, or why it cannot be built.
    pub fn policy_set(&self) -> Result<PolicySet, LoadError> {
        let mut set = PolicySetBuilder::new();
        if let Some(acc) = &self.account
            && let Some(principal) = &acc.principal
        {
            set.principal(&acc.name, &acc.account, principal)?;
        }
        for d in &self.identity {
            set.identity(Arc::clone(&d.parsed));
        }
        if let Some(b) = &self.boundary {
            set.boundary(Arc::clone(&b.parsed));
        }
        for d in &self.scps {
            set.scp(Arc::clone(&d.parsed));
        }
        Ok(set.build())
    }

    /// The set as it would be with the compared version in place of the first identity
    /// policy (or added, when there is none). `None` without a compared version.
    pub fn compare_set(&self) -> Option<Result<PolicySet, LoadError>> {
        let c = self.compare.as_ref()?;
        let mut after = self.clone();
        after.compare = None;
        let doc = PolicyDoc {
            edited: false,
            ..c.clone()
        };
        if after.identity.is_empty() {
            after.identity.push(doc);
        } else {
            after.identity[0] = doc;
        }
        Some(after.policy_set())
    }

    /// Every editable document with its layer label and item, in order.
    pub fn docs(&self) -> Vec<(&'static str, Item, &PolicyDoc)> {
        let mut v: Vec<(&'static str, Item, &PolicyDoc)> = self
            .identity
            .iter()
            .enumerate()
            .map(|(i, d)| ("Identity policy", Item::Identity(i), d))
            .collect();
        if let Some(b) = &self.boundary {
            v.push(("Permissions boundary", Item::Boundary, b));
        }
        v.extend(
            self.scps
                .iter()
                .enumerate()
                .map(|(i, d)| ("Service control policy", Item::Scp(i), d)),
        );
        if let Some(c) = &self.compare {
            v.push(("Compared version", Item::Compare, c));
        }
        v
    }

    /// The document of an item, if it is one.
    pub fn doc_mut(&mut self, item: Item) -> Option<&mut PolicyDoc> {
        match item {
            Item::Account => None,
            Item::Identity(i) => self.identity.get_mut(i),
            Item::Boundary => self.boundary.as_mut(),
            Item::Scp(i) => self.scps.get_mut(i),
            Item::Compare => self.compare.as_mut(),
        }
    }

    /// Removes an item.
    pub fn remove(&mut self, item: Item) {
        match item {
            Item::Account => self.account = None,
            Item::Identity(i) if i < self.identity.len() => {
                self.identity.remove(i);
            }
            Item::Boundary => self.boundary = None,
            Item::Compare => self.compare = None,
            Item::Scp(i) if i < self.scps.len() => {
                self.scps.remove(i);
            }
            Item::Identity(_) | Item::Scp(_) => return,
        }
        self.revision += 1;
    }

    /// Replaces an item's text; when it parses, it is in force from now on.
    pub fn edit(&mut self, item: Item, text: String) {
        let Some(doc) = self.doc_mut(item) else {
            return;
        };
        doc.text = Arc::from(text);
        doc.edited = true;
        if doc.reparse() {
            self.revision += 1;
        }
    }

    /// What to reopen at the next start, in load order: files by path (with the text when
    /// it was edited here), pasted text and examples by their text.
    pub fn saved(&self) -> (Vec<SavedDoc>, Option<String>) {
        let mut out = Vec::new();
        if let Some(a) = &self.account
            && let Some(path) = &a.path
        {
            out.push(SavedDoc {
                slot: Slot::Identity,
                name: a.name.clone(),
                path: Some(path.clone()),
                hash: a.hash,
                text: None,
            });
        }
        let doc = |slot: Slot, d: &PolicyDoc| SavedDoc {
            slot,
            name: d.name.clone(),
            path: d.path.clone(),
            hash: d.hash,
            text: (d.path.is_none() || d.edited).then(|| d.text.to_string()),
        };
        for (i, d) in self.identity.iter().enumerate() {
            let slot = if i == 0 && self.account.is_none() {
                Slot::Identity
            } else {
                Slot::AddIdentity
            };
            out.push(doc(slot, d));
        }
        out.extend(self.boundary.iter().map(|d| doc(Slot::Boundary, d)));
        out.extend(self.scps.iter().map(|d| doc(Slot::Scp, d)));
        out.extend(self.compare.iter().map(|d| doc(Slot::Compare, d)));
        let principal = self.account.as_ref().and_then(|a| a.principal.clone());
        (out, principal)
    }

    /// Evaluates as this principal of the loaded dump.
    pub fn set_principal(&mut self, name: String) {
        if let Some(a) = &mut self.account {
            a.principal = Some(name);
            self.revision += 1;
        }
    }

    /// A short description for the status bar.
    pub fn summary(&self) -> String {
        let mut parts = Vec::new();
        if let Some(a) = &self.account {
            let principal = a.principal_name().unwrap_or("(choose a role or user)");
            parts.push(format!("{} as {principal}", a.name));
        }
        parts.extend(self.identity.iter().map(|d| d.name.clone()));
        if let Some(b) = &self.boundary {
            parts.push(format!("boundary {}", b.name));
        }
        parts.extend(self.scps.iter().map(|d| format!("SCP {}", d.name)));
        if parts.is_empty() {
            "no policy loaded".to_owned()
        } else {
            parts.join(", ")
        }
    }
}

/// The evaluation of every action with its toggles, against the loaded policies.
#[derive(Clone, Debug)]
pub struct Evaluation {
    /// By action name.
    pub checks: BTreeMap<String, ActionCheck>,
    /// The set was built from a principal that could not be assembled.
    pub error: Option<String>,
    /// How long it took.
    pub elapsed: Duration,
    /// Statements evaluated against.
    pub statements: usize,
}

impl Evaluation {
    /// The policy set to evaluate, or the empty set and why it could not be assembled.
    pub fn input(policies: &Policies) -> (PolicySet, Option<String>) {
        match policies.policy_set() {
            Ok(s) => (s, None),
            Err(e) => (PolicySet::default(), Some(e.to_string())),
        }
    }

    /// Evaluates every action against a set: `progress` counts the actions begun and, once
    /// cancelled, stops the work (then `None`). With `parallel`, the actions are spread
    /// over the threads of rayon's pool (for work off the UI thread: the pool may be busy
    /// with an account's matrix, and the UI thread must never wait for it); otherwise they
    /// are evaluated one by one on this thread.
    pub fn compute_set(
        set: &PolicySet,
        error: Option<String>,
        features: &BTreeMap<String, Vec<String>>,
        facts: &Facts,
        progress: &Progress,
        parallel: bool,
    ) -> Option<Self> {
        let start = Instant::now();
        let no_features = Vec::new();
        let actions: Vec<(&str, &[String])> = catalog()
            .actions
            .iter()
            .map(|a| {
                let f = features.get(&a.name).unwrap_or(&no_features);
                (a.name.as_str(), f.as_slice())
            })
            .collect();
        let go_on = || {
            let go = !progress.cancelled.load(Ordering::Relaxed);
            if go {
                progress.done.fetch_add(1, Ordering::Relaxed);
            }
            go
        };
        let results = if parallel {
            check_each(&actions, facts, set, go_on)?
        } else {
            let mut results = Vec::with_capacity(actions.len());
            for (action, features) in &actions {
                if !go_on() {
                    return None;
                }
                results.push(check(action, features, facts, set));
            }
            results
        };
        // Facts are checked before they are stored, so a check only fails for data the
        // build validated; such an action is left out rather than panic.
        let checks = actions
            .iter()
            .zip(results)
            .filter_map(|((name, _), c)| Some(((*name).to_owned(), c.ok()?)))
            .collect();
        Some(Self {
            checks,
            error,
            elapsed: start.elapsed(),
            statements: set.statement_count(),
        })
    }

    /// Number of actions per status.
    pub fn action_counts(&self) -> Summary {
        Summary::of(self.checks.values().map(|a| a.status))
    }
}

/// Findings on the loaded policies, with each statement's found once, on the worker that
/// linted (a policy of 20,000 warned statements regrouped its findings on every frame).
#[derive(Debug, Default)]
pub struct Findings {
    /// Every finding, in the order lint gave them.
    pub all: Vec<crate::review::lint::Finding>,
    /// By policy name: (statement, where the finding is in `all`) for each finding about a
    /// statement, sorted. Eight bytes a finding.
    by_statement: std::collections::HashMap<String, Vec<(u32, u32)>>,
}

impl Findings {
    /// Groups the findings by statement.
    pub fn new(all: Vec<crate::review::lint::Finding>) -> Self {
        let mut by_statement: std::collections::HashMap<String, Vec<(u32, u32)>> =
            std::collections::HashMap::new();
        for (at, f) in all.iter().enumerate() {
            let (Some(i), Ok(at)) = (f.statement, u32::try_from(at)) else {
                continue;
            };
            if let Some(list) = by_statement.get_mut(&*f.policy) {
                list.push((i, at));
            } else {
                by_statement.insert(f.policy.to_string(), vec![(i, at)]);
            }
        }
        for list in by_statement.values_mut() {
            list.sort_unstable();
            list.shrink_to_fit();
        }
        Self { all, by_statement }
    }

    /// The findings about one statement of a policy, in order.
    pub fn of_statement(
        &self,
        policy: &str,
        statement: usize,
    ) -> Vec<&crate::review::lint::Finding> {
        let (Some(list), Ok(i)) = (self.by_statement.get(policy), u32::try_from(statement)) else {
            return Vec::new();
        };
        let from = list.partition_point(|&(s, _)| s < i);
        list[from..]
            .iter()
            .take_while(|&&(s, _)| s == i)
            .filter_map(|&(_, at)| self.all.get(at as usize))
            .collect()
    }
}

/// Shared between the UI and a background evaluation: how far it got, and whether it is
/// no longer wanted.
#[derive(Debug, Default)]
pub struct Progress {
    /// Actions evaluated so far.
    pub done: AtomicUsize,
    /// Set when the inputs changed: the result would be stale.
    pub cancelled: AtomicBool,
}

/// A row of the action tree.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct TreeAction {
    /// Action name.
    pub name: String,
    /// Status, when a policy is loaded.
    pub status: Option<Status>,
    /// Cross-service permissions the action can need.
    pub cross_service: usize,
    /// Permissions to show under it (needed ones).
    pub permissions: Vec<(String, Option<Status>)>,
    /// What the filter matched, when it was not the action's name: "feature: …",
    /// "permission: …", "condition key: …", "why: …", "description".
    pub matched: Option<String>,
}

/// A group of the action tree.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct TreeGroup {
    /// Group name.
    pub name: String,
    /// Its actions that pass the filter.
    pub actions: Vec<TreeAction>,
}

/// Builds the tree, filtered: the filter matches, case-insensitively, action names,
/// descriptions, the action's condition keys, its request features (names and
/// explanations), and its permissions from other services (names, why they are needed,
/// their condition keys). Each row says what matched when it was not the name.
pub fn tree(filter: &str, eval: Option<&Evaluation>, has_policy: bool) -> Vec<TreeGroup> {
    let cat = catalog();
    let f = filter.trim().to_lowercase();
    cat.groups
        .iter()
        .filter_map(|g| {
            let actions: Vec<TreeAction> = cat
                .actions
                .iter()
                .filter(|a| a.group == g.id)
                .filter_map(|a| {
                    if f.is_empty() || a.name.to_lowercase().contains(&f) {
                        Some((a, None))
                    } else {
                        filter_match(a, &f).map(|m| (a, Some(m)))
                    }
                })
                .map(|(a, matched)| {
                    let check = eval.and_then(|e| e.checks.get(&a.name));
                    let permissions = check.map_or_else(
                        || vec![(a.full_name(), None)],
                        |c| {
                            c.needed()
                                .map(|r| {
                                    (
                                        r.requirement.permission.clone(),
                                        has_policy.then_some(r.decision.status),
                                    )
                                })
                                .collect()
                        },
                    );
                    TreeAction {
                        name: a.name.clone(),
                        status: if has_policy {
                            check.map(|c| c.status)
                        } else {
                            None
                        },
                        cross_service: cat.cross_service_permissions(&a.name).len(),
                        permissions,
                        matched,
                    }
                })
                .collect();
            (!actions.is_empty()).then(|| TreeGroup {
                name: g.name.clone(),
                actions,
            })
        })
        .collect()
}

/// What a (lower-case, non-empty) filter matches in an action other than its name, said
/// for the row: the first of permission, feature, condition key, reason, description.
fn filter_match(a: &crate::asg::catalog::Action, f: &str) -> Option<String> {
    let cat = catalog();
    let has = |t: &str| t.to_lowercase().contains(f);
    let deps: Vec<_> = cat.dependencies_for(&a.name).collect();
    if let Some(d) = deps.iter().find(|d| has(&d.permission)) {
        return Some(format!("permission: {}", d.permission));
    }
    let features = cat.features_for(&a.name);
    if let Some(x) = features.iter().find(|x| has(&x.label) || has(&x.id)) {
        return Some(format!("feature: {}", x.label));
    }
    if let Some(k) = a.condition_keys.iter().find(|k| has(k)) {
        return Some(format!("condition key: {k}"));
    }
    if let Some(k) = deps.iter().flat_map(|d| d.context.keys()).find(|k| has(k)) {
        return Some(format!("condition key: {k}"));
    }
    if let Some(x) = features.iter().find(|x| has(&x.explanation)) {
        return Some(format!("feature: {}", x.label));
    }
    if let Some(d) = deps.iter().find(|d| has(&d.reason)) {
        return Some(format!("why {} is needed", d.permission));
    }
    has(&a.description).then(|| "description".to_owned())
}

/// The built-in example policies, for exploring without a file of one's own.
pub const EXAMPLES: [(&str, &str); 5] = [
    (
        "Least-privilege example (launch templates)",
        include_str!("../../assets/examples/least-privilege-asg.json"),
    ),
    (
        "AWS managed: AutoScalingFullAccess",
        include_str!("../../assets/examples/AutoScalingFullAccess.json"),
    ),
    (
        "AWS managed: AmazonEC2FullAccess",
        include_str!("../../assets/examples/AmazonEC2FullAccess.json"),
    ),
    (
        "AWS managed: PowerUserAccess",
        include_str!("../../assets/examples/PowerUserAccess.json"),
    ),
    (
        "AWS managed: ReadOnlyAccess",
        include_str!("../../assets/examples/ReadOnlyAccess.json"),
    ),
];
