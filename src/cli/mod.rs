//! The headless commands: `list`, `check`, `generate`, `explain`. They share the core with the
//! desktop app. Exit codes: 0 nothing required is missing, 1 something is missing (or
//! conditional under `--strict`), 2 bad usage or unreadable input.

mod commands;
mod error;
mod exit;
mod inputs;
mod review;
mod simulate;
mod text;

use clap::{CommandFactory as _, FromArgMatches as _, Parser, Subcommand, ValueEnum};

pub use commands::execute;
pub use error::CliError;
pub use exit::ExitCode;

use crate::asg::requirements::Facts;

/// Command-line interface.
#[derive(Debug, Parser)]
#[command(
    name = "asg-perms",
    version,
    about = "Auto Scaling Permission Explorer: which IAM permissions an Amazon EC2 Auto Scaling call needs, and whether a policy grants them. Without a command, opens the desktop app."
)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Option<Command>,
    /// Open the app with this policy file loaded.
    #[arg(long, value_name = "FILE")]
    pub open: Option<std::path::PathBuf>,
}

impl Cli {
    /// Parses the process's arguments, with help texts that list the exit codes and the
    /// request feature ids (from the catalog, so they never drift from it). Exits on `--help`
    /// or a usage error, as clap does.
    pub fn parse_args() -> Self {
        let matches = Self::command_with_help().get_matches();
        Self::from_arg_matches(&matches).unwrap_or_else(|e| e.exit())
    }

    /// The clap command with the generated help sections.
    pub fn command_with_help() -> clap::Command {
        let features = feature_help();
        let exits = "Exit codes:\n  0  nothing required is missing (conditional results allowed, unless --strict)\n  1  something is missing (or conditional, with --strict)\n  2  bad usage or an input that cannot be read (the message is on standard error)";
        let mut cmd = Self::command();
        for name in ["check", "generate", "explain"] {
            let help = if name == "check" {
                format!("{exits}\n\n{features}")
            } else {
                features.clone()
            };
            cmd = cmd.mut_subcommand(name, |c| c.after_help(help));
        }
        cmd
    }
}

/// "Request feature ids (--feature):" and one line per feature, aligned.
fn feature_help() -> String {
    let cat = crate::asg::catalog::catalog();
    let w = cat.features.iter().map(|f| f.id.len()).max().unwrap_or(0);
    let mut s =
        "Request feature ids (--feature ID; `asg-perms list` shows which actions take each):"
            .to_owned();
    for f in &cat.features {
        s.push_str(&format!("\n  {:<w$}  {}", f.id, f.label));
    }
    s
}

/// Output formats for `check`.
#[derive(Clone, Copy, Debug, ValueEnum, PartialEq, Eq)]
pub enum Format {
    /// A readable table.
    Text,
    /// Stable JSON (see README).
    Json,
    /// A review report for pull requests.
    Markdown,
}

/// When `diff` exits 1.
#[derive(Clone, Copy, Debug, ValueEnum, PartialEq, Eq)]
pub enum FailOn {
    /// Something went from satisfied to conditional or missing (or conditional to missing).
    Lost,
    /// Something went the other way.
    Gained,
    /// Any change.
    Any,
    /// Never (the report only).
    Never,
}

/// Output formats for `lint`.
#[derive(Clone, Copy, Debug, ValueEnum, PartialEq, Eq)]
pub enum LintFormat {
    /// `file:line:col: severity[code]: message`, with why and fix.
    Text,
    /// JSON: a list of findings.
    Json,
}

/// Output formats for `audit`.
#[derive(Clone, Copy, Debug, ValueEnum, PartialEq, Eq)]
pub enum AuditFormat {
    /// A matrix of status icons.
    Text,
    /// One row per principal.
    Csv,
    /// The matrix as JSON.
    Json,
    /// A table for a review.
    Markdown,
}

/// Output formats for `list`.
#[derive(Clone, Copy, Debug, ValueEnum, PartialEq, Eq)]
pub enum ListFormat {
    /// Indented text.
    Text,
    /// JSON.
    Json,
}

/// Facts shared by several commands.
#[derive(Debug, clap::Args)]
pub struct FactArgs {
    /// AWS account id, to narrow resource ARNs.
    #[arg(long, value_name = "ID")]
    pub account: Option<String>,
    /// Region, to narrow resource ARNs and evaluate aws:RequestedRegion.
    #[arg(long, value_name = "NAME")]
    pub region: Option<String>,
    /// Partition: aws, aws-cn or aws-us-gov (ARNs and service principals follow it).
    #[arg(long, value_name = "NAME", value_parser = ["aws", "aws-cn", "aws-us-gov"])]
    pub partition: Option<String>,
    /// The instance profile's role, passed to EC2 with iam:PassRole (`--role-arn` is an alias).
    #[arg(long, visible_alias = "role-arn", value_name = "ARN")]
    pub instance_role_arn: Option<String>,
    /// A custom service-linked role for the group, passed to Auto Scaling (under
    /// role/aws-service-role/autoscaling.amazonaws.com/).
    #[arg(long, value_name = "ARN")]
    pub service_linked_role_arn: Option<String>,
    /// The lifecycle hook's notification role, passed to Auto Scaling.
    #[arg(long, value_name = "ARN")]
    pub lifecycle_hook_role_arn: Option<String>,
    /// The Auto Scaling group's name, to narrow its ARN.
    #[arg(long, value_name = "NAME")]
    pub group_name: Option<String>,
}

impl FactArgs {
    fn facts(&self) -> Facts {
        Facts {
            account: self.account.clone(),
            region: self.region.clone(),
            partition: self.partition.clone(),
            instance_role_arn: self.instance_role_arn.clone(),
            service_linked_role_arn: self.service_linked_role_arn.clone(),
            lifecycle_hook_role_arn: self.lifecycle_hook_role_arn.clone(),
            group_name: self.group_name.clone(),
        }
    }
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// The action tree: groups, actions, access levels and request features.
    List {
        /// Output format.
        #[arg(long, value_enum, default_value = "text")]
        format: ListFormat,
    },
    /// Check policies against the permissions of Auto Scaling actions.
    Check {
        /// Identity policy file (repeatable; `-` reads stdin). A
        /// get-account-authorization-details file needs --principal.
        #[arg(long = "policy", value_name = "FILE", required = true)]
        policies: Vec<String>,
        /// Permissions boundary policy file.
        #[arg(long, value_name = "FILE")]
        boundary: Option<String>,
        /// Service control policy file, one per organization level (repeatable).
        #[arg(long = "scp", value_name = "FILE")]
        scps: Vec<String>,
        /// The role or user to evaluate as, when a policy file is an authorization-details dump.
        #[arg(long, value_name = "NAME")]
        principal: Option<String>,
        /// Auto Scaling action (repeatable): `CreateAutoScalingGroup` or autoscaling:CreateAutoScalingGroup.
        #[arg(long = "action", value_name = "NAME", required = true)]
        actions: Vec<String>,
        /// Request feature id (repeatable); see `asg-perms list`.
        #[arg(long = "feature", value_name = "ID")]
        features: Vec<String>,
        /// Facts.
        #[command(flatten)]
        facts: FactArgs,
        /// Output format.
        #[arg(long, value_enum, default_value = "text")]
        format: Format,
        /// Treat conditional results as failures (exit 1).
        #[arg(long)]
        strict: bool,
        /// Also generate statements for conditional permissions.
        #[arg(long)]
        include_conditional: bool,
    },
    /// Print the least-privilege policy for actions and features.
    Generate {
        /// Auto Scaling action (repeatable).
        #[arg(long = "action", value_name = "NAME", required = true)]
        actions: Vec<String>,
        /// Request feature id (repeatable).
        #[arg(long = "feature", value_name = "ID")]
        features: Vec<String>,
        /// Facts.
        #[command(flatten)]
        facts: FactArgs,
        /// Print this policy with the generated statements appended.
        #[arg(long, value_name = "FILE")]
        merge_with: Option<String>,
        /// Only what these policies lack (repeatable; as in `check`). Without it, every
        /// needed permission.
        #[arg(long = "policy", value_name = "FILE")]
        policies: Vec<String>,
        /// Permissions boundary, to generate what it lacks (with --layer boundary).
        #[arg(long, value_name = "FILE")]
        boundary: Option<String>,
        /// Service control policy (repeatable), to generate what it lacks (with --layer scp).
        #[arg(long = "scp", value_name = "FILE")]
        scps: Vec<String>,
        /// The role or user to evaluate as, with an authorization-details file.
        #[arg(long, value_name = "NAME")]
        principal: Option<String>,
        /// Which layer's statements to print: identity (default), boundary, scp (the first
        /// SCP level that lacks something) or scp:N.
        #[arg(long, value_name = "LAYER", default_value = "identity")]
        layer: String,
        /// Also put the statements on the clipboard (they stay there after the command
        /// ends, until something else is copied).
        #[arg(long)]
        copy: bool,
    },
    /// Any request, offline: `aws iam simulate-custom-policy` with three answers. Flag names
    /// and value syntax follow the AWS CLI, so a command can be pasted.
    Simulate {
        /// Identity policy files (`file://` prefix, inline JSON and `-` accepted).
        #[arg(long = "policy-input-list", visible_alias = "policy", value_name = "FILE", num_args = 1.., required = true)]
        policies: Vec<String>,
        /// Permissions boundary policy file.
        #[arg(
            long = "permissions-boundary-policy-input-list",
            visible_alias = "boundary",
            value_name = "FILE"
        )]
        boundary: Option<String>,
        /// Service control policy files, one per organization level.
        #[arg(long = "scp", value_name = "FILE", num_args = 1..)]
        scps: Vec<String>,
        /// The role or user to evaluate as, with an authorization-details file.
        #[arg(long, value_name = "NAME")]
        principal: Option<String>,
        /// Actions to simulate (`autoscaling:CreateAutoScalingGroup`, any service).
        #[arg(long = "action-names", value_name = "ACTION", num_args = 1.., required_unless_present = "requests")]
        actions: Vec<String>,
        /// Resource ARNs (default `*`); `{name}` marks a part that is not known.
        #[arg(long = "resource-arns", value_name = "ARN", num_args = 1..)]
        resources: Vec<String>,
        /// Context entries: `ContextKeyName=k,ContextKeyValues=v1,v2,ContextKeyType=stringList`
        /// or the same as JSON. Keys not given are unknown.
        #[arg(long = "context-entries", value_name = "ENTRY", num_args = 1..)]
        context: Vec<String>,
        /// Treat every key not given as absent from the request, as AWS's simulator does.
        #[arg(long)]
        assume_absent: bool,
        /// One request a line (JSON); one JSON result a line, in the same order. See README.
        #[arg(long, value_name = "FILE.jsonl", conflicts_with_all = ["actions", "resources", "context"])]
        requests: Option<String>,
        /// Output format (the batch mode always writes JSON lines).
        #[arg(long, value_enum, default_value = "text")]
        format: Format,
        /// Treat conditional results as failures (exit 1).
        #[arg(long)]
        strict: bool,
    },
    /// Compare two versions of a policy: which Auto Scaling permissions each action lost or
    /// gained, with the statements that decided. For CI: exit 1 when --fail-on matches.
    Diff(DiffArgs),
    /// Findings in policies, like a linter that knows Auto Scaling: risky iam:PassRole,
    /// unknown actions and keys, dead statements and more (see README). Exit 1 on errors.
    Lint(LintArgs),
    /// Every role and user of an account against Auto Scaling capabilities, and who can give
    /// instances a role through Auto Scaling.
    Audit(AuditArgs),
    /// What went wrong: read an `AccessDenied` (or similar) error message, or a decoded
    /// authorization message, and say which Auto Scaling call and permission failed, which
    /// layer denied, and, with --policy, the statement that fixes it.
    Diagnose(DiagnoseArgs),
    /// Read the request from what you have: an `aws autoscaling ...` command line (shorthand
    /// or JSON arguments, --cli-input-json) or API request JSON. Prints the action, the
    /// request features and facts with the line that set each, and what cannot be known;
    /// with --policy, checks it.
    Infer(InferArgs),
    /// Explain what an action needs and why, with sources; no policy needed.
    Explain {
        /// Auto Scaling action.
        #[arg(long, value_name = "NAME")]
        action: String,
        /// Request feature id (repeatable).
        #[arg(long = "feature", value_name = "ID")]
        features: Vec<String>,
    },
}

/// Runs a parsed command: output to standard output, errors to standard error.
pub fn run(command: Command) -> ExitCode {
    let stdout = std::io::stdout();
    run_with(command, &mut stdout.lock())
}

/// Runs a parsed command with output to `out` and errors to standard error. A reader that
/// closed `out` early (a broken pipe) ends the command quietly with success.
pub fn run_with(command: Command, out: &mut dyn std::io::Write) -> ExitCode {
    match execute(command, out) {
        Ok(code) => code,
        Err(e) if e.is_broken_pipe() => ExitCode::Success,
        Err(e) => {
            inputs::say(&e.to_string());
            ExitCode::Error
        }
    }
}

/// The arguments of `diff`.
#[derive(Debug, clap::Args)]
pub struct DiffArgs {
    /// The policy before the change (repeatable; `-` reads stdin; an
    /// authorization-details file needs --principal).
    #[arg(long, value_name = "FILE", required = true)]
    pub before: Vec<String>,
    /// The policy after the change (repeatable).
    #[arg(long, value_name = "FILE", required = true)]
    pub after: Vec<String>,
    /// Permissions boundary on both sides.
    #[arg(long, value_name = "FILE")]
    pub boundary: Option<String>,
    /// Permissions boundary before (instead of --boundary).
    #[arg(long, value_name = "FILE")]
    pub before_boundary: Option<String>,
    /// Permissions boundary after (instead of --boundary).
    #[arg(long, value_name = "FILE")]
    pub after_boundary: Option<String>,
    /// Service control policy on both sides (repeatable).
    #[arg(long = "scp", value_name = "FILE")]
    pub scps: Vec<String>,
    /// The role or user to evaluate as, with authorization-details files.
    #[arg(long, value_name = "NAME")]
    pub principal: Option<String>,
    /// Auto Scaling action (repeatable). Without it, or with --all, every action.
    #[arg(long = "action", value_name = "NAME")]
    pub actions: Vec<String>,
    /// Every action (the default when no --action is given).
    #[arg(long, conflicts_with = "actions")]
    pub all: bool,
    /// Request feature id (repeatable), for the actions it applies to.
    #[arg(long = "feature", value_name = "ID")]
    pub features: Vec<String>,
    /// Facts.
    #[command(flatten)]
    pub facts: FactArgs,
    /// Output format (Markdown fits a pull-request comment).
    #[arg(long, value_enum, default_value = "text")]
    pub format: Format,
    /// Exit 1 when this happened.
    #[arg(long, value_enum, default_value = "lost")]
    pub fail_on: FailOn,
}

/// The arguments of `lint`.
#[derive(Debug, clap::Args)]
pub struct LintArgs {
    /// Policy files (`-` reads stdin).
    #[arg(value_name = "FILE", required = true)]
    pub files: Vec<String>,
    /// The policies are meant for Auto Scaling: also note statements no Auto Scaling
    /// requirement uses.
    #[arg(long)]
    pub for_auto_scaling: bool,
    /// Output format.
    #[arg(long, value_enum, default_value = "text")]
    pub format: LintFormat,
}

/// The arguments of `audit`.
#[derive(Debug, clap::Args)]
pub struct AuditArgs {
    /// `aws iam get-account-authorization-details` output.
    #[arg(long, value_name = "FILE")]
    pub account_details: String,
    /// Output format.
    #[arg(long, value_enum, default_value = "text")]
    pub format: AuditFormat,
}

/// The arguments of `diagnose`.
#[derive(Debug, clap::Args)]
pub struct DiagnoseArgs {
    /// The error message (quote it); or use --file, or `-` for standard input.
    #[arg(value_name = "TEXT")]
    pub text: Option<String>,
    /// Read the message from this file (`-` for standard input).
    #[arg(long, value_name = "FILE", conflicts_with = "text")]
    pub file: Option<String>,
    /// The policies to evaluate it against.
    #[command(flatten)]
    pub inputs: PolicyArgs,
    /// Output format.
    #[arg(long, value_enum, default_value = "text")]
    pub format: Format,
}

/// The arguments of `infer`.
#[derive(Debug, clap::Args)]
pub struct InferArgs {
    /// The file (`-` for standard input).
    #[arg(value_name = "FILE", default_value = "-")]
    pub file: String,
    /// The policies to check it against.
    #[command(flatten)]
    pub inputs: PolicyArgs,
    /// Output format.
    #[arg(long, value_enum, default_value = "text")]
    pub format: LintFormat,
}

/// The caller's policies, for `diagnose` and `infer`.
#[derive(Debug, clap::Args)]
pub struct PolicyArgs {
    /// The caller's identity policies (repeatable; an authorization-details file needs
    /// --principal).
    #[arg(long = "policy", value_name = "FILE")]
    pub policies: Vec<String>,
    /// Permissions boundary.
    #[arg(long, value_name = "FILE")]
    pub boundary: Option<String>,
    /// Service control policy (repeatable).
    #[arg(long = "scp", value_name = "FILE")]
    pub scps: Vec<String>,
    /// The role or user to evaluate as, with an authorization-details file.
    #[arg(long, value_name = "NAME")]
    pub principal: Option<String>,
}
