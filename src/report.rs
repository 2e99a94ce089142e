//! Reports of checked actions: JSON (stable, documented in the README), text for terminals
//! and Markdown for pull requests.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use serde::Serialize;

use crate::asg::catalog::catalog;
use crate::asg::generate::{GenerateOptions, GeneratedPolicy, LayerFix, suggest, suggest_by_layer};
use crate::asg::requirements::{ActionCheck, Checked, Facts, KeyPolicyRequirement};
pub use crate::engine::Summary;
use crate::engine::{StatementRef, Status};

/// The JSON report.
#[derive(Clone, Debug, Serialize)]
pub struct Report {
    /// One entry per action checked.
    pub actions: Vec<ActionEntry>,
    /// Counts of needed requirements by status, over all actions.
    pub summary: Summary,
    /// The least-privilege document for what the identity policies are missing.
    pub suggested_statements: GeneratedPolicy,
    /// What each layer lacks (identity policies, boundary, SCPs), as statements for it.
    pub suggested_by_layer: Vec<LayerFix>,
    /// The facts the check used (account, region, partition, each kind of role, group name).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub facts: Option<Facts>,
    /// What the report was made from, when, and with what.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub header: Option<ReportHeader>,
}

/// The head of every report: the inputs (names and hashes), the date, the tool's version and
/// the date of its knowledge base.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ReportHeader {
    /// Each policy read: its name and a hash of its text.
    pub inputs: Vec<InputRef>,
    /// The day the report was made (UTC, `YYYY-MM-DD`).
    pub date: String,
    /// `asg-perms` version.
    pub tool_version: String,
    /// The date of the AWS documentation snapshot the knowledge base was taken from.
    pub data_date: String,
}

/// One input of a report.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct InputRef {
    /// The policy's name (file name, or the managed policy's name in an account file).
    pub name: String,
    /// Its layer: identity policies, permissions boundary, SCP.
    pub layer: String,
    /// FNV-1a (64-bit) of its text, in hex: tells two versions of a file apart.
    pub fnv1a64: String,
}

impl ReportHeader {
    /// The header for a report over this policy set, dated today.
    pub fn for_set(set: &crate::policy::PolicySet) -> Self {
        let mut inputs: Vec<InputRef> = Vec::new();
        for (layer, policies) in set.layers() {
            for (_, p) in policies {
                if inputs.iter().any(|i| i.name == p.name) {
                    continue;
                }
                inputs.push(InputRef {
                    name: p.name.clone(),
                    layer: layer.to_string(),
                    fnv1a64: format!("{:016x}", fnv1a64(p.source.as_bytes())),
                });
            }
        }
        Self::dated(inputs)
    }

    /// A header for these inputs, dated today, with this tool's version and data date.
    fn dated(inputs: Vec<InputRef>) -> Self {
        Self {
            inputs,
            date: today_utc(),
            tool_version: env!("CARGO_PKG_VERSION").to_owned(),
            data_date: catalog().snapshot.clone(),
        }
    }

    /// The header of a comparison: the inputs of each side, the side named in their layer.
    pub fn for_sides(sides: &[(&str, &crate::policy::PolicySet)]) -> Self {
        let mut inputs = Vec::new();
        for (side, set) in sides {
            inputs.extend(Self::for_set(set).inputs.into_iter().map(|mut i| {
                i.layer = format!("{side}: {}", i.layer);
                i
            }));
        }
        Self::dated(inputs)
    }

    /// The header of a report over one file (an account file).
    pub fn for_file(name: &str, what: &str, bytes: &[u8]) -> Self {
        Self::dated(vec![InputRef {
            name: name.to_owned(),
            layer: what.to_owned(),
            fnv1a64: format!("{:016x}", fnv1a64(bytes)),
        }])
    }

    /// The header as lines of text.
    pub fn lines(&self) -> Vec<String> {
        let mut v = vec![format!(
            "asg-perms {} · knowledge base of {} · made {}",
            self.tool_version, self.data_date, self.date
        )];
        if self.inputs.is_empty() {
            v.push("Inputs: none (every needed permission is listed as needed)".to_owned());
        }
        for i in &self.inputs {
            v.push(format!(
                "Input: {} ({}) fnv1a64 {}",
                i.name, i.layer, i.fnv1a64
            ));
        }
        v
    }
}

/// FNV-1a, 64 bits: stable across runs and builds.
pub fn fnv1a64(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(*b)).wrapping_mul(0x0000_0100_0000_01b3)
    })
}

/// Today's date in UTC, `YYYY-MM-DD`, from the system clock (civil-from-days, proleptic
/// Gregorian).
pub fn today_utc() -> String {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    let days = i64::try_from(secs / 86_400).unwrap_or(0);
    let (y, m, d) = civil_from_days(days);
    format!("{y:04}-{m:02}-{d:02}")
}

/// Days since 1970-01-01 to (year, month, day) (Howard Hinnant's algorithm).
fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = u32::try_from(doy - (153 * mp + 2) / 5 + 1).unwrap_or(1);
    let m = u32::try_from(if mp < 10 { mp + 3 } else { mp - 9 }).unwrap_or(1);
    (if m <= 2 { y + 1 } else { y }, m, d)
}

/// One action in the report.
#[derive(Clone, Debug, Serialize)]
pub struct ActionEntry {
    /// `autoscaling:Name`.
    pub action: String,
    /// Features on.
    pub features: Vec<String>,
    /// Roll-up.
    pub status: Status,
    /// Requirements (needed and not needed).
    pub requirements: Vec<RequirementEntry>,
    /// KMS key-policy statements, when encrypted volumes are on.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub key_policy: Option<KeyPolicyRequirement>,
}

/// One requirement in the report.
#[derive(Clone, Debug, Serialize)]
pub struct RequirementEntry {
    /// The permission.
    pub permission: String,
    /// Its status.
    pub status: Status,
    /// False when the feature that needs it is off.
    pub needed: bool,
    /// The feature that brings it in.
    pub feature: Option<String>,
    /// Why.
    pub reason: String,
    /// Where AWS says so.
    pub sources: Vec<SourceEntry>,
    /// Where AWS's pages disagree.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub disagreement: Option<String>,
    /// Resource templates.
    pub resources: Vec<String>,
    /// Known condition values.
    pub context: BTreeMap<String, Vec<String>>,
    /// Statements that decided.
    pub decided_by: Vec<StatementEntry>,
    /// For missing: near misses.
    pub near_misses: Vec<StatementEntry>,
    /// For conditional: what it depends on.
    pub depends_on: crate::engine::DependsOn,
    /// In words.
    pub explanation: String,
}

/// A source reference.
#[derive(Clone, Debug, Serialize)]
pub struct SourceEntry {
    /// Id.
    pub id: String,
    /// Title.
    pub title: String,
    /// Address.
    pub url: String,
}

/// A statement reference.
#[derive(Clone, Debug, Serialize)]
pub struct StatementEntry {
    /// Policy name.
    pub policy: String,
    /// Statement index.
    pub statement: usize,
    /// Sid.
    pub sid: Option<String>,
    /// Allow or Deny.
    pub effect: String,
    /// Why it matched or failed.
    pub notes: Vec<String>,
}

fn statement_entry(s: &StatementRef) -> StatementEntry {
    StatementEntry {
        policy: s.policy.clone(),
        statement: s.statement,
        sid: s.sid.clone(),
        effect: s.effect.to_string(),
        notes: s.notes.clone(),
    }
}

fn requirement_entry(c: &Checked) -> RequirementEntry {
    let cat = catalog();
    let r = &c.requirement;
    RequirementEntry {
        permission: r.permission.clone(),
        status: c.decision.status,
        needed: r.needed,
        feature: r.feature.clone(),
        reason: r.reason.clone(),
        sources: r
            .sources
            .iter()
            .filter_map(|id| cat.source(id))
            .map(|s| SourceEntry {
                id: s.id.clone(),
                title: s.title.clone(),
                url: s.url.clone(),
            })
            .collect(),
        disagreement: r.disagreement.clone(),
        resources: r.resources.clone(),
        context: r.context.clone(),
        decided_by: c.decision.decided_by.iter().map(statement_entry).collect(),
        near_misses: c.decision.near_misses.iter().map(statement_entry).collect(),
        depends_on: c.decision.depends_on.clone(),
        explanation: c.decision.explanation.clone(),
    }
}

impl Report {
    /// Builds the report of some checks.
    pub fn new(checks: &[ActionCheck], options: GenerateOptions) -> Self {
        let mut summary = Summary::default();
        for c in checks {
            summary.merge(c.counts());
        }
        Self {
            actions: checks
                .iter()
                .map(|c| ActionEntry {
                    action: c.action.clone(),
                    features: c.features.clone(),
                    status: c.status,
                    requirements: c.requirements.iter().map(requirement_entry).collect(),
                    key_policy: c.key_policy.clone(),
                })
                .collect(),
            summary,
            suggested_statements: suggest(checks, options),
            suggested_by_layer: suggest_by_layer(checks, options),
            facts: None,
            header: None,
        }
    }

    /// The report with its header.
    #[must_use]
    pub fn with_header(mut self, header: ReportHeader) -> Self {
        self.header = Some(header);
        self
    }

    /// The report with the facts it was made with.
    #[must_use]
    pub fn with_facts(mut self, facts: Facts) -> Self {
        self.facts = Some(facts);
        self
    }

    /// Pretty JSON.
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).unwrap_or_default()
    }

    /// The same pretty JSON as [`to_json`](Self::to_json), then a newline, written as it
    /// is made: a report can be far larger than its policy (each answer lists every key it
    /// depends on: 68 actions against a statement of 100,000 keys make 255 MB), and is never
    /// held whole. Give it a buffered writer.
    ///
    /// # Errors
    /// When writing fails.
    pub fn write_json(&self, out: &mut dyn std::io::Write) -> std::io::Result<()> {
        crate::text::json::write_pretty(self, out)
    }

    /// Text for a terminal; `color` adds ANSI colors to the status words.
    pub fn to_text(&self, color: bool) -> String {
        let mut out = String::new();
        if let Some(h) = &self.header {
            for l in h.lines() {
                writeln!(out, "{l}").ok();
            }
            out.push('\n');
        }
        for a in &self.actions {
            let feats = if a.features.is_empty() {
                "no request features".to_owned()
            } else {
                a.features.join(", ")
            };
            writeln!(
                out,
                "{}  {}  ({feats})",
                status_word(a.status, color),
                a.action
            )
            .ok();
            for r in a.requirements.iter().filter(|r| r.needed) {
                writeln!(out, "  {}  {}", status_word(r.status, color), r.permission).ok();
                for res in &r.resources {
                    writeln!(out, "        on {res}").ok();
                }
                for (k, v) in &r.context {
                    writeln!(out, "        with {k} = {}", v.join(" | ")).ok();
                }
                writeln!(out, "        why: {}", r.reason).ok();
                if r.status != Status::Satisfied || !r.decided_by.is_empty() {
                    writeln!(out, "        {}", r.explanation).ok();
                }
                if let Some(d) = &r.disagreement {
                    writeln!(out, "        note: AWS pages disagree: {d}").ok();
                }
            }
            let off: Vec<&str> = a
                .requirements
                .iter()
                .filter(|r| !r.needed)
                .map(|r| r.permission.as_str())
                .collect();
            if !off.is_empty() {
                writeln!(out, "  not needed now (features off): {}", off.join(", ")).ok();
            }
            if let Some(kp) = &a.key_policy {
                writeln!(out, "  key policy: the KMS key policy must allow {} (see --format json for the statements)", kp.principal).ok();
            }
            out.push('\n');
        }
        writeln!(
            out,
            "{} satisfied, {} missing, {} conditional",
            self.summary.satisfied, self.summary.missing, self.summary.conditional
        )
        .ok();
        if !self.suggested_statements.is_empty() {
            writeln!(
                out,
                "\nStatements that grant what is missing:\n{}",
                self.suggested_statements.to_json()
            )
            .ok();
        }
        for fix in self.other_layers() {
            writeln!(
                out,
                "\nThe {} does not allow what is below; add to the {}:\n{}",
                fix.layer,
                fix.layer,
                fix.statements.to_json()
            )
            .ok();
        }
        out
    }

    /// The fixes that belong in a boundary or an SCP.
    fn other_layers(&self) -> impl Iterator<Item = &LayerFix> {
        self.suggested_by_layer
            .iter()
            .filter(|f| f.which != crate::policy::Layer::Identity)
    }

    /// Markdown for a pull request.
    pub fn to_markdown(&self) -> String {
        let mut out = String::from("## Auto Scaling permission review\n\n");
        if let Some(h) = &self.header {
            for l in h.lines() {
                writeln!(out, "> {l}  ").ok();
            }
            out.push('\n');
        }
        writeln!(
            out,
            "**{}** satisfied · **{}** missing · **{}** conditional\n",
            self.summary.satisfied, self.summary.missing, self.summary.conditional
        )
        .ok();
        for a in &self.actions {
            let feats = if a.features.is_empty() {
                "none".to_owned()
            } else {
                a.features
                    .iter()
                    .map(|f| format!("`{f}`"))
                    .collect::<Vec<_>>()
                    .join(", ")
            };
            writeln!(
                out,
                "### `{}`: {}\n\nRequest features: {feats}\n",
                a.action,
                md_status(a.status)
            )
            .ok();
            out.push_str(
                "| Permission | Status | Resources | Context | Why |\n|---|---|---|---|---|\n",
            );
            for r in a.requirements.iter().filter(|r| r.needed) {
                let ctx: Vec<String> = r
                    .context
                    .iter()
                    .map(|(k, v)| format!("`{k}` = `{}`", v.join(" \\| ")))
                    .collect();
                let res: Vec<String> = r.resources.iter().map(|x| format!("`{x}`")).collect();
                writeln!(
                    out,
                    "| `{}` | {} | {} | {} | {}{} |",
                    r.permission,
                    md_status(r.status),
                    res.join("<br>"),
                    ctx.join("<br>"),
                    r.reason.replace('|', "\\|"),
                    if r.disagreement.is_some() {
                        " ⚠ AWS pages disagree"
                    } else {
                        ""
                    }
                )
                .ok();
            }
            out.push('\n');
            for r in a
                .requirements
                .iter()
                .filter(|r| r.needed && r.status != Status::Satisfied)
            {
                writeln!(
                    out,
                    "- **`{}`**: {}",
                    r.permission,
                    r.explanation.replace('\n', " ")
                )
                .ok();
            }
            out.push('\n');
        }
        if !self.suggested_statements.is_empty() {
            writeln!(out, "<details><summary>Least-privilege statements for what is missing</summary>\n\n```json\n{}\n```\n</details>", self.suggested_statements.to_json()).ok();
        }
        for fix in self.other_layers() {
            writeln!(out, "<details><summary>Statements to add to the {}</summary>\n\n```json\n{}\n```\n</details>", fix.layer, fix.statements.to_json()).ok();
        }
        out
    }
}

impl Report {
    /// A standalone HTML page with the status colors, for people who review in a browser.
    pub fn to_html(&self) -> String {
        let esc = |t: &str| {
            t.replace('&', "&amp;")
                .replace('<', "&lt;")
                .replace('>', "&gt;")
                .replace('"', "&quot;")
        };
        let badge = |s: Status| {
            format!(
                "<span class=\"{}\">{} {}</span>",
                s.word(),
                s.icon(),
                s.word()
            )
        };
        let mut out = String::from(
            "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>Auto Scaling permission review</title>\n<style>body{font-family:system-ui,sans-serif;margin:2em;max-width:70em;color:#222}table{border-collapse:collapse;margin:1em 0}td,th{border:1px solid #bbb;padding:.3em .6em;text-align:left;vertical-align:top}code,pre{font-family:ui-monospace,monospace}pre{background:#f4f4f4;padding:1em;overflow:auto}.satisfied{color:#00694b;font-weight:bold}.missing{color:#af3200;font-weight:bold}.conditional{color:#875000;font-weight:bold}.head{color:#555}</style></head><body>\n<h1>Auto Scaling permission review</h1>\n",
        );
        if let Some(h) = &self.header {
            out.push_str("<div class=\"head\">");
            for l in h.lines() {
                writeln!(out, "<div>{}</div>", esc(&l)).ok();
            }
            out.push_str("</div>\n");
        }
        writeln!(
            out,
            "<p>{} satisfied · {} missing · {} conditional</p>",
            self.summary.satisfied, self.summary.missing, self.summary.conditional
        )
        .ok();
        for a in &self.actions {
            writeln!(
                out,
                "<h2><code>{}</code>: {}</h2>\n<p>Request features: {}</p>\n<table><tr><th>Permission</th><th>Status</th><th>Resources</th><th>Why</th><th>Decision</th></tr>",
                esc(&a.action),
                badge(a.status),
                if a.features.is_empty() { "none".to_owned() } else { esc(&a.features.join(", ")) }
            )
            .ok();
            for r in a.requirements.iter().filter(|r| r.needed) {
                writeln!(
                    out,
                    "<tr><td><code>{}</code></td><td>{}</td><td><code>{}</code></td><td>{}</td><td>{}</td></tr>",
                    esc(&r.permission),
                    badge(r.status),
                    r.resources.iter().map(|x| esc(x)).collect::<Vec<_>>().join("<br>"),
                    esc(&r.reason),
                    esc(&r.explanation)
                )
                .ok();
            }
            out.push_str("</table>\n");
        }
        if !self.suggested_statements.is_empty() {
            writeln!(
                out,
                "<h2>Least-privilege statements for what is missing</h2>\n<pre>{}</pre>",
                esc(&self.suggested_statements.to_json())
            )
            .ok();
        }
        for fix in self.other_layers() {
            writeln!(
                out,
                "<h2>Statements to add to the {}</h2>\n<pre>{}</pre>",
                esc(&fix.layer),
                esc(&fix.statements.to_json())
            )
            .ok();
        }
        out.push_str("</body></html>\n");
        out
    }
}

fn md_status(s: Status) -> String {
    format!("{} {}", s.icon(), s.word())
}

/// The status word, padded, with an icon; colored when asked.
pub fn status_word(s: Status, color: bool) -> String {
    let code = match s {
        Status::Satisfied => "32",
        Status::Missing => "31",
        Status::Conditional => "33",
    };
    let text = format!("{} {:<11}", s.icon(), s.word());
    if color {
        format!("\x1b[{code}m{text}\x1b[0m")
    } else {
        text
    }
}
