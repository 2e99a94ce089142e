//! Auto Scaling Permission Explorer: which IAM permissions an Amazon EC2 Auto Scaling call
//! needs, and whether a policy grants them.
//!
//! The crate is built in layers, each using only the ones below it:
//! text (JSON reader, wildcard patterns) → policy model (documents, conditions, variables,
//! the request, the policy set) → engine (evaluate, explain, refine) → Auto Scaling knowledge
//! (catalog, requirements, generation) → input/output and reports → the command line and the
//! desktop app (behind the default `gui` feature).
//!
//! # Example
//!
//! Load a policy and check what `CreateAutoScalingGroup` with a launch template needs:
//!
//! ```
//! use asg_perms::{Facts, Loaded, PolicySet, Status, check, load_text};
//!
//! let text = r#"{"Version": "2012-10-17", "Statement": [
//!     {"Effect": "Allow", "Action": "autoscaling:CreateAutoScalingGroup", "Resource": "*"}]}"#;
//! let Ok(Loaded::Policy(policy, _)) = load_text("policy.json", text) else {
//!     panic!("not a policy");
//! };
//! let set = PolicySet::single(policy);
//! let features = ["launch-template".to_owned()];
//! let result = check("CreateAutoScalingGroup", &features, &Facts::default(), &set)?;
//! // The Auto Scaling permission itself is granted...
//! assert!(result.requirements.iter().any(|c| c.requirement.permission == "autoscaling:CreateAutoScalingGroup"
//!     && c.decision.status == Status::Satisfied));
//! // ...but launching from a template needs ec2:RunInstances, which this policy lacks.
//! assert_eq!(result.status, Status::Missing);
//! # Ok::<(), asg_perms::ResolveError>(())
//! ```

mod asg;
mod diagnose;
mod engine;
mod infer;
mod io;
mod policy;
mod report;
mod review;
mod simulate;
mod text;

/// The command line (`asg-perms list | check | generate | explain`).
pub mod cli;

/// The desktop app (eframe/egui).
#[cfg(feature = "gui")]
pub mod app;

pub use asg::catalog::{
    Action, CATALOG_JSON, Catalog, Dependency, Feature, Group, KeyPolicy, Source, catalog,
};
pub use asg::catalog_check::check_catalog;
pub use asg::generate::{
    GenerateOptions, GeneratedPolicy, GeneratedStatement, LayerFix, merged, policy_for, suggest,
    suggest_by_layer,
};
pub use asg::requirements::{
    ActionCheck, Checked, Facts, KeyPolicyRequirement, Requirement, ResolveError, check,
    check_each, expand_features, key_policy_requirement, requirements, resolve_action, roll_up,
};
pub use diagnose::{Cause, Diagnosis, Fix, SHAPES, Unreadable, diagnose};
pub use engine::{
    Decision, DependsOn, MissingReason, ResourceOutcome, StatementRef, Status, evaluate,
    evaluate_status,
};
pub use infer::{
    InferError, InferredRequest, SHAPES as REQUEST_SHAPES, Why, claims_to_be_request, infer,
    infer_named,
};
/// The system clipboard (`generate --copy`; the app's Paste).
#[cfg(feature = "clipboard")]
pub use io::clipboard;
pub use io::{
    Account, InputKind, LoadError, Loaded, MAX_INPUT_BYTES, MAX_POLICY_BYTES, PolicySetBuilder,
    Principal, PrincipalKind, load_bytes, load_file, load_file_with_text, load_owned, load_shared,
    load_text, percent_decode, save_atomic,
};
pub use policy::{
    Context, Effect, KeyState, Layer, Matches, Policy, PolicyError, PolicySet, Request, Statement,
    Warning, WarningText,
};
pub use report::{Report, Summary};
/// The account matrix: every principal against Auto Scaling capabilities.
pub use review::audit as review_audit;
pub use review::diff::{
    ActionChange, Decider, DiffSummary, Direction, PermissionChange, PolicyDiff, diff, diff_checks,
    sort_lost_first,
};
pub use review::lint::{
    FINDINGS_OF_A_KIND, Finding, FindingKind, LintOptions, Severity, lint,
    write_text as write_lint_text,
};
pub use simulate::{
    ContextEntry, SimulationResult, batch_line, context_for, parse_context_entries, simulate,
    write_json as write_simulation_json,
};
pub use text::{ArnHeads, Location, SourceText, Span, SyntaxError, Template, Tri};

#[doc(hidden)]
pub use engine::forget_remembered;
#[doc(hidden)]
pub use text::pattern::pattern_work;
