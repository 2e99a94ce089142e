//! The request read from what the user has: AWS CLI command lines (`aws autoscaling ...`,
//! with shorthand or JSON arguments, `--cli-input-json`, quoting and line continuations),
//! API request JSON (the parameters `--generate-cli-skeleton` shows), `CloudFormation`
//! templates (JSON or YAML with the short tags) and Terraform files. Each request feature
//! and fact says which line of the input set it; what the input cannot tell (a launch
//! template defined elsewhere, whether the default service-linked role exists yet) is a
//! question, and stays open.
//!
//! Each format is read by a maintained parser (`shell-words`, `saphyr-parser`, `hcl-rs`)
//! into one positioned tree ([`node`]), and one set of rules ([`rules`]) reads the call's
//! parameters from it.

mod cli;
mod cloudformation;
mod hcl;
mod node;
mod rules;
mod terraform;
mod yaml;

use serde::Serialize;

use crate::asg::catalog::catalog;
use crate::asg::requirements::Facts;

/// Why a feature or fact was set.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Why {
    /// The feature id, or `fact:NAME`.
    pub what: String,
    /// 1-based line of the input.
    pub line: usize,
    /// The parameter that said so.
    pub parameter: String,
}

/// One call read from the input.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct InferredRequest {
    /// `autoscaling:Name`.
    pub action: String,
    /// Request features, as `check --feature` takes them.
    pub features: Vec<String>,
    /// Facts (group name, roles, account, region).
    pub facts: Facts,
    /// Where each came from.
    pub why: Vec<Why>,
    /// What the input cannot tell, as questions.
    pub unknowns: Vec<String>,
    /// 1-based line where the call starts.
    pub line: usize,
    /// The template resource it was read from (`WebGroup (AWS::AutoScaling::AutoScalingGroup)`,
    /// `aws_autoscaling_group.web`), for a template or Terraform file.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub resource: Option<String>,
}

/// Why the input could not be read.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{at}: {message}")]
pub struct InferError {
    /// `line N`, `line N, column C`, or `input`.
    pub at: String,
    /// What is wrong.
    pub message: String,
}

impl InferError {
    /// An error at a line and column of the input.
    pub(crate) fn place(line: usize, col: usize, message: impl Into<String>) -> Self {
        Self {
            at: format!("line {line}, column {col}"),
            message: message.into(),
        }
    }

    /// An error at the place a value was read from.
    pub(crate) fn of(node: &node::Node, message: impl Into<String>) -> Self {
        Self::place(node.line, node.col, message)
    }
}

/// The kinds of input `infer` reads, for messages.
pub const SHAPES: &str = "It reads: `aws autoscaling ...` command lines; API request JSON (with \"Action\", or the parameters of one call); CloudFormation templates in JSON or YAML (AWS::AutoScaling::* resources and the AWS::EC2::LaunchTemplate they use); Terraform files (aws_autoscaling_* resources, aws_launch_configuration and aws_launch_template).";

/// The kind of an input, from its file name where it has a telling extension, else from
/// its text.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    Commands,
    Json,
    Yaml,
    Terraform,
}

fn kind_of(name: Option<&str>, text: &str) -> Kind {
    let ext = name
        .and_then(|n| n.rsplit_once('.'))
        .map(|(_, e)| e.to_ascii_lowercase());
    match ext.as_deref() {
        Some("tf") => return Kind::Terraform,
        Some("yaml" | "yml") => return Kind::Yaml,
        Some("json" | "template") if text.trim_start().starts_with('{') => return Kind::Json,
        Some("sh" | "bash") => return Kind::Commands,
        _ => {}
    }
    let trimmed = text.trim_start_matches('\u{feff}').trim_start();
    if trimmed.starts_with('{') {
        Kind::Json
    } else if terraform::looks_like(text) {
        Kind::Terraform
    } else if text
        .lines()
        .any(|l| l.starts_with("Resources:") || l.starts_with("AWSTemplateFormatVersion:"))
    {
        Kind::Yaml
    } else {
        Kind::Commands
    }
}

/// True when the text says it is a request (a template, Terraform, an `aws autoscaling`
/// command), whether or not it can be read: its errors are then the ones to show.
pub fn claims_to_be_request(text: &str) -> bool {
    match kind_of(None, text) {
        Kind::Yaml | Kind::Terraform => true,
        Kind::Json => text.contains("\"AWSTemplateFormatVersion\""),
        Kind::Commands => text.contains("aws autoscaling"),
    }
}

/// Reads CLI command lines, API request JSON, a `CloudFormation` template or a Terraform file,
/// telling which from the text.
pub fn infer(text: &str) -> Result<Vec<InferredRequest>, InferError> {
    infer_named(None, text)
}

/// Like [`infer`], with the input's file name as a hint (`.tf`, `.yaml`, `.json`).
pub fn infer_named(name: Option<&str>, text: &str) -> Result<Vec<InferredRequest>, InferError> {
    if text.len() as u64 > crate::io::MAX_POLICY_BYTES {
        return Err(InferError {
            at: "input".to_owned(),
            message: format!(
                "the input is {} bytes; a request (a command, API JSON, a template) may take at most {} bytes",
                text.len(),
                crate::io::MAX_POLICY_BYTES
            ),
        });
    }
    match kind_of(name, text) {
        Kind::Commands => cli::commands(text),
        Kind::Terraform => terraform::file(text),
        Kind::Yaml => {
            let root = yaml::parse(text)?;
            if cloudformation::is_template(&root) {
                cloudformation::template(&root)
            } else {
                Err(InferError {
                    at: "line 1".to_owned(),
                    message: format!(
                        "this YAML is no CloudFormation template (it has no Resources). {SHAPES}"
                    ),
                })
            }
        }
        Kind::Json => {
            // A policy document is no request: told by its top-level names, read without a
            // tree (a policy that failed to load is offered here, and may be large).
            if is_policy_document(text) {
                return Err(InferError {
                    at: "input".to_owned(),
                    message: format!(
                        "this JSON is an IAM policy document (it has a Statement), not a request. {SHAPES}"
                    ),
                });
            }
            // A template, or one call's parameters: read once, then told apart.
            let root = cli::json_node(text)?;
            if cloudformation::is_template(&root) {
                cloudformation::template(&root)
            } else {
                cli::api_json(&root).map(|r| vec![r])
            }
        }
    }
}

/// True for a JSON object with a top-level `Statement`: a policy document, whatever else is
/// wrong with it. Its names are read and its values skipped, with no tree.
fn is_policy_document(text: &str) -> bool {
    let start = text.len()
        - text
            .trim_start_matches(['\u{feff}', ' ', '\t', '\r', '\n'])
            .len();
    let mut r = crate::text::json::Reader::at(text, start);
    if r.enter_object().is_err() {
        return false;
    }
    while let Ok(Some((name, _))) = r.next_name() {
        if name == "Statement" {
            return true;
        }
        if r.skip().is_err() {
            return false;
        }
    }
    false
}

impl InferredRequest {
    /// The action's bare name (`CreateAutoScalingGroup`).
    fn name(&self) -> &str {
        self.action.trim_start_matches("autoscaling:")
    }

    /// Turns on a feature the call takes, saying which parameter, on which line, set it.
    fn add_feature(&mut self, id: &str, line: usize, parameter: &str) {
        if catalog().feature_applies(id, self.name()) && !self.features.iter().any(|f| f == id) {
            self.features.push(id.to_owned());
            self.why.push(Why {
                what: id.to_owned(),
                line,
                parameter: parameter.to_owned(),
            });
        }
    }

    /// For a terminal.
    pub fn to_text(&self) -> String {
        let mut s = match &self.resource {
            Some(res) => format!("{} (line {}, {res})\n", self.action, self.line),
            None => format!("{} (line {})\n", self.action, self.line),
        };
        if self.features.is_empty() {
            s.push_str("  features: none\n");
        }
        for w in &self.why {
            s.push_str(&format!(
                "  {:<40} line {:<4} from {}\n",
                w.what, w.line, w.parameter
            ));
        }
        for f in &self.features {
            if !self.why.iter().any(|w| &w.what == f) {
                s.push_str(&format!("  {f:<40} implied\n"));
            }
        }
        for u in &self.unknowns {
            s.push_str(&format!("  ? {u}\n"));
        }
        s
    }
}
