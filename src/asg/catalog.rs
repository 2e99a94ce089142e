//! The Auto Scaling knowledge base: every action, the request features, the permissions each
//! needs and where AWS says so. The data lives in `assets/catalog.json`, is validated by
//! `build.rs` and embedded in the binary.

use std::collections::BTreeMap;
use std::sync::OnceLock;

use serde::Deserialize;

/// The embedded knowledge base text.
pub const CATALOG_JSON: &str = include_str!("../../assets/catalog.json");

/// A documentation page a dependency comes from.
#[derive(Clone, Debug, Deserialize, serde::Serialize, PartialEq, Eq)]
pub struct Source {
    /// Stable id (`UG_API_PERMS`).
    pub id: String,
    /// Page title.
    pub title: String,
    /// Address.
    pub url: String,
    /// User guide or service authorization reference.
    pub kind: String,
    /// Which version was read.
    pub as_of: String,
}

/// A group of the action tree.
#[derive(Clone, Debug, Deserialize, PartialEq, Eq)]
pub struct Group {
    /// Stable id.
    pub id: String,
    /// Shown name.
    pub name: String,
}

/// An Auto Scaling resource type.
#[derive(Clone, Debug, Deserialize, PartialEq, Eq)]
pub struct ResourceType {
    /// `autoScalingGroup` or `launchConfiguration`.
    pub name: String,
    /// The ARN format as the Service Authorization Reference writes it.
    pub arn_format: String,
    /// The same as a template with `{placeholders}`.
    pub template: String,
}

/// One `autoscaling` action.
#[derive(Clone, Debug, Deserialize, PartialEq, Eq)]
pub struct Action {
    /// Name without the prefix (`CreateAutoScalingGroup`).
    pub name: String,
    /// Group id.
    pub group: String,
    /// Access level.
    pub access_level: String,
    /// Resource type, or `None` for actions without resource-level permissions.
    pub resource_type: Option<String>,
    /// Condition keys the action supports.
    pub condition_keys: Vec<String>,
    /// What it does, in our words.
    pub description: String,
    /// API reference page.
    pub api_reference: String,
}

impl Action {
    /// `autoscaling:Name`.
    pub fn full_name(&self) -> String {
        format!("autoscaling:{}", self.name)
    }
}

/// A request feature: something a request may carry that needs extra permissions.
#[derive(Clone, Debug, Deserialize, PartialEq, Eq)]
pub struct Feature {
    /// Stable id used by the CLI and tests.
    pub id: String,
    /// Short label.
    pub label: String,
    /// A paragraph for learners.
    pub explanation: String,
    /// Features this one implies.
    pub implies: Vec<String>,
    /// Actions it applies to.
    pub applies_to: Vec<String>,
}

/// A permission an action needs beyond its own, always or under a feature.
#[derive(Clone, Debug, Deserialize, PartialEq, Eq)]
pub struct Dependency {
    /// The Auto Scaling action (without prefix).
    pub action: String,
    /// The permission needed (`iam:PassRole`).
    pub permission: String,
    /// The feature that brings it in, or `None` for always.
    pub when: Option<String>,
    /// Resource templates it is checked against.
    pub resources: Vec<String>,
    /// Condition keys whose values the request fixes.
    #[serde(default)]
    pub context: BTreeMap<String, Vec<String>>,
    /// Why, in our words.
    pub reason: String,
    /// Source ids.
    pub sources: Vec<String>,
    /// Where AWS's pages disagree about it.
    pub disagreement: Option<String>,
    /// Anything else worth knowing.
    pub note: Option<String>,
}

/// What a KMS key policy must allow for encrypted volumes.
#[derive(Clone, Debug, Deserialize, PartialEq)]
pub struct KeyPolicy {
    /// The feature that brings it in.
    pub feature: String,
    /// The principal template (the service-linked role).
    pub principal: String,
    /// Source ids.
    pub sources: Vec<String>,
    /// Why.
    pub reason: String,
    /// The statements, without Principal.
    pub statements: Vec<serde_json::Value>,
    /// Caveats.
    pub note: String,
}

/// The whole knowledge base.
#[derive(Clone, Debug, Deserialize, PartialEq)]
pub struct Catalog {
    /// Date of the data snapshot.
    pub snapshot: String,
    /// Documentation pages.
    pub sources: Vec<Source>,
    /// Tree groups, in order.
    pub groups: Vec<Group>,
    /// Auto Scaling resource types.
    pub resource_types: Vec<ResourceType>,
    /// All actions, grouped and sorted.
    pub actions: Vec<Action>,
    /// Request features.
    pub features: Vec<Feature>,
    /// Dependencies.
    pub dependencies: Vec<Dependency>,
    /// The KMS key-policy requirement.
    /// What KMS key policies must allow, one per feature that needs it.
    pub key_policies: Vec<KeyPolicy>,
}

/// The embedded catalog.
pub fn catalog() -> &'static Catalog {
    static CATALOG: OnceLock<Catalog> = OnceLock::new();
    CATALOG.get_or_init(|| {
        // build.rs has validated the file; a failure here is a build bug, not user input.
        #[allow(clippy::expect_used)]
        serde_json::from_str(CATALOG_JSON).expect("assets/catalog.json was validated by build.rs")
    })
}

impl Catalog {
    /// Finds an action by `Name`, `autoscaling:Name`, in any case.
    pub fn action(&self, name: &str) -> Option<&Action> {
        let bare = match name.split_once(':') {
            Some((svc, rest)) if svc.eq_ignore_ascii_case("autoscaling") => rest,
            Some(_) => return None,
            None => name,
        };
        self.actions
            .iter()
            .find(|a| a.name.eq_ignore_ascii_case(bare.trim()))
    }

    /// Finds a feature by id.
    pub fn feature(&self, id: &str) -> Option<&Feature> {
        self.features.iter().find(|f| f.id == id)
    }

    /// Finds a source by id.
    pub fn source(&self, id: &str) -> Option<&Source> {
        self.sources.iter().find(|s| s.id == id)
    }

    /// The features that apply to an action, in catalog order.
    pub fn features_for(&self, action: &str) -> Vec<&Feature> {
        self.features
            .iter()
            .filter(|f| f.applies_to.iter().any(|a| a == action))
            .collect()
    }

    /// The ids of the features that apply to an action (every feature on: the heaviest
    /// request of that action).
    pub fn feature_ids_for(&self, action: &str) -> Vec<String> {
        self.features_for(action)
            .iter()
            .map(|f| f.id.clone())
            .collect()
    }

    /// The dependencies of an action, in catalog order.
    pub fn dependencies_for(&self, action: &str) -> impl Iterator<Item = &Dependency> {
        self.dependencies.iter().filter(move |d| d.action == action)
    }

    /// True when request feature `id` applies to `action` (a bare name).
    pub fn feature_applies(&self, id: &str, action: &str) -> bool {
        self.feature(id)
            .is_some_and(|f| f.applies_to.iter().any(|a| a == action))
    }

    /// `autoscaling:Name` for an action name in any spelling the catalog accepts.
    pub fn full_name_of(&self, name: &str) -> Option<String> {
        self.action(name.trim()).map(Action::full_name)
    }

    /// The distinct permissions of other services an action may need, depending on the
    /// request (`iam:PassRole` counts once, whatever it is passed for). The tree's `+N` and
    /// the `list` command both show this number.
    pub fn cross_service_permissions(&self, action: &str) -> std::collections::BTreeSet<&str> {
        self.dependencies_for(action)
            .map(|d| d.permission.as_str())
            .collect()
    }

    /// The resource template of an action's own permission, or `*`.
    pub fn own_resource(&self, action: &Action) -> String {
        action
            .resource_type
            .as_ref()
            .and_then(|rt| self.resource_types.iter().find(|r| &r.name == rt))
            .map_or_else(|| "*".to_owned(), |r| r.template.clone())
    }

    /// The group name of an action.
    pub fn group_name<'a>(&'a self, id: &'a str) -> &'a str {
        self.groups
            .iter()
            .find(|g| g.id == id)
            .map_or(id, |g| g.name.as_str())
    }

    /// Names close to `wanted`, for "did you mean" messages, ranked by meaning first:
    /// names that contain what was typed, then names that share all its words
    /// (`instance-profile` finds both instance-profile features), then names that share
    /// some, then near spellings. Names that are none of these are not offered: no guess is
    /// better than a random one. Empty input gets nothing (the caller lists everything).
    pub fn suggest<'a>(wanted: &str, candidates: impl Iterator<Item = &'a str>) -> Vec<&'a str> {
        let w = wanted.trim().to_lowercase();
        let w = w.rsplit(':').next().unwrap_or(&w).to_owned();
        if w.is_empty() {
            return Vec::new();
        }
        let w_words = words(&w);
        let mut scored: Vec<(usize, usize, &str)> = candidates
            .filter_map(|c| {
                let cl = c.to_lowercase();
                let c_words = words(c);
                let shared = w_words.iter().filter(|x| c_words.contains(x)).count();
                let distance = edit_distance(&w, &cl);
                let tier = if cl.contains(&w) || w.contains(&cl) {
                    0
                } else if shared == w_words.len() {
                    1
                } else if shared > 0 {
                    2
                } else if distance <= (w.chars().count() / 3).max(2) {
                    3
                } else {
                    return None;
                };
                Some((tier, distance, c))
            })
            .collect();
        scored.sort_unstable();
        let best = scored.first().map_or(0, |s| s.0);
        // All the names of the best tier when it is about meaning (a short list), else three.
        let take = if best <= 1 { 6 } else { 3 };
        scored
            .into_iter()
            .filter(|s| s.0 == best || best > 1)
            .take(take)
            .map(|(_, _, c)| c)
            .collect()
    }
}

/// The words of a name, lower case: `launch-template-tags` and `LaunchTemplateTags` both
/// give launch, template, tags.
fn words(name: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut prev_lower = false;
    for ch in name.chars() {
        if !ch.is_alphanumeric() {
            if !cur.is_empty() {
                out.push(std::mem::take(&mut cur));
            }
            prev_lower = false;
            continue;
        }
        if ch.is_uppercase() && prev_lower && !cur.is_empty() {
            out.push(std::mem::take(&mut cur));
        }
        prev_lower = ch.is_lowercase() || ch.is_ascii_digit();
        cur.extend(ch.to_lowercase());
    }
    if !cur.is_empty() {
        out.push(cur);
    }
    out
}

/// Levenshtein distance, for suggestions.
pub(crate) fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut cur = vec![i + 1; b.len() + 1];
        for (j, cb) in b.iter().enumerate() {
            cur[j + 1] = (prev[j] + usize::from(ca != *cb))
                .min(prev[j + 1] + 1)
                .min(cur[j] + 1);
        }
        prev = cur;
    }
    prev[b.len()]
}
