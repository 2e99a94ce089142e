//! Review: diff of two policy versions, findings, the account matrix. Library and CLI.

#![allow(clippy::unwrap_used)] // Tests may unwrap: a panic is a failed test.

use std::sync::Arc;

use asg_perms::{
    Direction, FINDINGS_OF_A_KIND, Facts, Finding, LintOptions, Loaded, Policy, PolicySet,
    Severity, Status, catalog, check, diff, diff_checks, lint, load_file, load_text,
    sort_lost_first,
};

#[path = "support/policies.rs"]
mod policies;
mod support;
use support::{run, stderr, stdout};

const FULL: &str = "tests/fixtures/managed/AutoScalingFullAccess.json";
const READ: &str = "tests/fixtures/managed/AutoScalingReadOnlyAccess.json";
const LEAST: &str = "tests/fixtures/least-privilege-asg.json";

fn policy(path: &str) -> Arc<Policy> {
    match load_file(std::path::Path::new(path)).unwrap() {
        Loaded::Policy(p, _) => Arc::new(p),
        Loaded::Account(_) => panic!("{path} is an account file"),
    }
}

fn set(paths: &[&str]) -> PolicySet {
    PolicySet {
        identity: paths.iter().map(|p| policy(p)).collect(),
        ..PolicySet::default()
    }
}

fn text_policy(json: &str) -> Policy {
    match load_text("p.json", json).unwrap() {
        Loaded::Policy(p, _) => p,
        Loaded::Account(_) => unreachable!(),
    }
}

// ---------------------------------------------------------------- diff

#[test]
fn diff_of_real_managed_policies_finds_what_was_lost_and_gained() {
    let actions: Vec<(String, Vec<String>)> =
        ["CreateAutoScalingGroup", "DescribeAutoScalingGroups"]
            .iter()
            .map(|a| ((*a).to_owned(), Vec::new()))
            .collect();
    let d = diff(&set(&[FULL]), &set(&[READ]), &actions, &Facts::default()).unwrap();
    assert_eq!(d.changes.len(), 1, "{d:#?}");
    let c = &d.changes[0];
    assert_eq!(c.action, "autoscaling:CreateAutoScalingGroup");
    assert_eq!((c.before, c.after), (Status::Satisfied, Status::Missing));
    assert_eq!(c.direction, Some(Direction::Lost));
    assert_eq!(
        c.permissions[0].permission,
        "autoscaling:CreateAutoScalingGroup"
    );
    assert_eq!(
        c.permissions[0].decided_before[0].label,
        "AutoScalingFullAccess statement 1"
    );
    assert!(d.has(Some(Direction::Lost)) && !d.has(Some(Direction::Gained)));
    // The other way round: gained.
    let d = diff(&set(&[READ]), &set(&[FULL]), &actions, &Facts::default()).unwrap();
    assert!(d.has(Some(Direction::Gained)) && !d.has(Some(Direction::Lost)));
    // The same policy: nothing.
    let d = diff(&set(&[FULL]), &set(&[FULL]), &actions, &Facts::default()).unwrap();
    assert!(d.is_empty());
    assert_eq!(d.summary.unchanged, 2);
}

/// The diff asks statuses first and checks in full only the actions that changed: the same
/// changes, words and counts as checking every action in full on both sides.
#[test]
fn diff_checks_in_full_only_what_changed_and_finds_the_same() {
    let cat = catalog();
    let actions: Vec<(String, Vec<String>)> = cat
        .actions
        .iter()
        .flat_map(|a| {
            [
                (a.name.clone(), cat.feature_ids_for(&a.name)),
                (a.name.clone(), Vec::new()),
            ]
        })
        .collect();
    let managed: Vec<String> = std::fs::read_dir("tests/fixtures/managed")
        .unwrap()
        .map(|e| e.unwrap().path().display().to_string())
        .collect();
    let mut changed = 0;
    for (i, before) in managed.iter().enumerate() {
        let after = &managed[(i + 1) % managed.len()];
        let (before, after) = (set(&[before]), set(&[after, LEAST]));
        let facts = Facts::default();
        let d = diff(&before, &after, &actions, &facts).unwrap();
        // Every action checked in full on both sides.
        let mut expected: Vec<_> = Vec::new();
        let mut unchanged = 0;
        for (action, features) in &actions {
            let b = check(action, features, &facts, &before).unwrap();
            let a = check(action, features, &facts, &after).unwrap();
            let needed = b.needed().count();
            match diff_checks(&b, &a) {
                Some(c) => {
                    unchanged += needed - c.permissions.len();
                    expected.push(c);
                }
                None => unchanged += needed,
            }
        }
        sort_lost_first(&mut expected);
        assert_eq!(d.changes, expected, "{i}");
        assert_eq!(d.summary.unchanged, unchanged, "{i}");
        changed += d.changes.len();
    }
    assert!(changed > 50, "the pairs differ in many actions: {changed}");
}

#[test]
fn diff_cli_exit_codes_formats_and_layers() {
    // Narrowing a policy loses permissions: exit 1 by default (--fail-on lost).
    let o = run(&["diff", "--before", FULL, "--after", READ]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let t = stdout(&o);
    assert!(
        t.contains("autoscaling:CreateAutoScalingGroup  ✔ satisfied → ✖ missing  (lost)"),
        "{t}"
    );
    assert!(
        t.contains("lost,") && t.contains("unchanged over 68 actions"),
        "{t}"
    );
    // Widening: exit 0 unless gains are what CI guards.
    assert_eq!(
        run(&["diff", "--before", READ, "--after", FULL])
            .status
            .code(),
        Some(0)
    );
    let o = run(&[
        "diff",
        "--before",
        READ,
        "--after",
        FULL,
        "--fail-on",
        "gained",
    ]);
    assert_eq!(o.status.code(), Some(1));
    // Markdown for a pull request; JSON parsed back.
    let o = run(&[
        "diff",
        "--before",
        FULL,
        "--after",
        READ,
        "--format",
        "markdown",
        "--action",
        "CreateAutoScalingGroup",
    ]);
    let md = stdout(&o);
    assert!(
        md.contains("| Action | Permission | Before | After | Decided after |"),
        "{md}"
    );
    assert!(md.contains("| `autoscaling:CreateAutoScalingGroup` | `autoscaling:CreateAutoScalingGroup` | ✔ satisfied | ✖ missing |"), "{md}");
    let o = run(&[
        "diff",
        "--before",
        FULL,
        "--after",
        READ,
        "--format",
        "json",
        "--fail-on",
        "never",
    ]);
    assert_eq!(o.status.code(), Some(0));
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert!(v["summary"]["lost"].as_u64().unwrap() >= 1);
    // The header names both sides' inputs with a hash of each.
    assert_eq!(
        v["header"]["inputs"][0]["layer"],
        "before: identity policies"
    );
    assert_eq!(
        v["header"]["inputs"][1]["layer"],
        "after: identity policies"
    );
    assert_eq!(
        v["header"]["inputs"][0]["fnv1a64"].as_str().unwrap().len(),
        16
    );
    assert_eq!(v["changes"][0]["direction"], "lost");
    // A boundary added on the after side is what takes ec2:RunInstances away.
    let o = run(&[
        "diff",
        "--before",
        LEAST,
        "--after",
        LEAST,
        "--after-boundary",
        READ,
        "--action",
        "CreateAutoScalingGroup",
        "--feature",
        "launch-template",
    ]);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stdout(&o).contains("permissions boundary"),
        "{}",
        stdout(&o)
    );
}

#[test]
fn diff_of_account_files_with_a_principal_has_a_header() {
    let o = run(&[
        "diff",
        "--before",
        "tests/fixtures/account-details.json",
        "--after",
        "tests/fixtures/account-details.json",
        "--principal",
        "alice",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let t = stdout(&o);
    assert!(
        t.starts_with(&format!("asg-perms {}", env!("CARGO_PKG_VERSION"))),
        "{t}"
    );
    assert!(t.contains("\n\nNo change"), "{t}");
}

// ---------------------------------------------------------------- lint

fn codes(json: &str, options: LintOptions) -> Vec<&'static str> {
    lint(&text_policy(json), options)
        .iter()
        .map(asg_perms::Finding::code)
        .collect()
}

fn one(stmt: &str) -> String {
    format!(r#"{{"Version":"2012-10-17","Statement":[{stmt}]}}"#)
}

/// Each finding: a statement that has it, and the nearest one that does not.
#[test]
fn each_finding_has_a_positive_and_a_negative_case() {
    let none = LintOptions::default();
    let asg = LintOptions {
        auto_scaling_policy: true,
    };
    let cases: &[(&str, &str, &str, LintOptions)] = &[
        (
            "passrole-any-role",
            r#"{"Effect":"Allow","Action":"iam:PassRole","Resource":"*","Condition":{"StringEquals":{"iam:PassedToService":"ec2.amazonaws.com"}}}"#,
            r#"{"Effect":"Allow","Action":"iam:PassRole","Resource":"arn:aws:iam::111122223333:role/app-*","Condition":{"StringEquals":{"iam:PassedToService":"ec2.amazonaws.com"}}}"#,
            none,
        ),
        (
            "passrole-no-service",
            r#"{"Effect":"Allow","Action":"iam:PassRole","Resource":"arn:aws:iam::111122223333:role/app"}"#,
            r#"{"Effect":"Allow","Action":"iam:PassRole","Resource":"arn:aws:iam::111122223333:role/app","Condition":{"StringEquals":{"iam:PassedToService":"ec2.amazonaws.com"}}}"#,
            none,
        ),
        (
            "passrole-autoscaling-outside-service-roles",
            r#"{"Effect":"Allow","Action":"iam:PassRole","Resource":"arn:aws:iam::111122223333:role/app","Condition":{"StringEquals":{"iam:PassedToService":"autoscaling.amazonaws.com"}}}"#,
            r#"{"Effect":"Allow","Action":"iam:PassRole","Resource":"arn:aws:iam::111122223333:role/aws-service-role/autoscaling.amazonaws.com/AWSServiceRoleForAutoScaling_app","Condition":{"StringEquals":{"iam:PassedToService":"autoscaling.amazonaws.com"}}}"#,
            none,
        ),
        (
            "slr-no-service-name",
            r#"{"Effect":"Allow","Action":"iam:CreateServiceLinkedRole","Resource":"*"}"#,
            r#"{"Effect":"Allow","Action":"iam:CreateServiceLinkedRole","Resource":"*","Condition":{"StringEquals":{"iam:AWSServiceName":"autoscaling.amazonaws.com"}}}"#,
            none,
        ),
        (
            "policy-warning",
            r#"{"Effect":"Allow","Action":"autoscaling:CreateAutoScalingGroup","Resource":"*","Condition":{"StringEquals":{"aws:TagKeys":"team"}}}"#,
            r#"{"Effect":"Allow","Action":"autoscaling:CreateAutoScalingGroup","Resource":"*","Condition":{"ForAnyValue:StringEquals":{"aws:TagKeys":"team"}}}"#,
            none,
        ),
        (
            "forallvalues-absent-key",
            r#"{"Effect":"Allow","Action":"autoscaling:CreateAutoScalingGroup","Resource":"*","Condition":{"ForAllValues:StringEquals":{"aws:TagKeys":["team"]}}}"#,
            r#"{"Effect":"Allow","Action":"autoscaling:CreateAutoScalingGroup","Resource":"*","Condition":{"ForAllValues:StringEquals":{"aws:TagKeys":["team"]},"Null":{"aws:TagKeys":"false"}}}"#,
            none,
        ),
        (
            "allow-not-action",
            r#"{"Effect":"Allow","NotAction":"iam:*","Resource":"*"}"#,
            r#"{"Effect":"Deny","NotAction":"iam:*","Resource":"*"}"#,
            none,
        ),
        (
            "allow-not-resource",
            r#"{"Effect":"Allow","Action":"ec2:RunInstances","NotResource":"arn:aws:ec2:*:*:instance/*"}"#,
            r#"{"Effect":"Deny","Action":"ec2:RunInstances","NotResource":"arn:aws:ec2:*:*:instance/*"}"#,
            none,
        ),
        (
            "unknown-action",
            r#"{"Effect":"Allow","Action":"autoscaling:CreateAutoScallingGroup","Resource":"*"}"#,
            r#"{"Effect":"Allow","Action":"autoscaling:CreateAutoScalingGroup","Resource":"*"}"#,
            none,
        ),
        (
            "unknown-action",
            r#"{"Effect":"Allow","Action":"ec2:RunInstance","Resource":"*"}"#,
            r#"{"Effect":"Allow","Action":["ec2:RunInstances","ssm:GetParameter","kms:Encrypt"],"Resource":"*"}"#,
            none,
        ),
        (
            "unknown-condition-key",
            r#"{"Effect":"Allow","Action":"autoscaling:CreateAutoScalingGroup","Resource":"*","Condition":{"StringEquals":{"autoscaling:LaunchTemplate":"lt-1"}}}"#,
            r#"{"Effect":"Allow","Action":"autoscaling:CreateAutoScalingGroup","Resource":"*","Condition":{"StringEquals":{"autoscaling:ResourceTag/team":"a","aws:RequestedRegion":"us-east-1"}}}"#,
            none,
        ),
        (
            "arn-case",
            r#"{"Effect":"Allow","Action":"iam:GetRole","Resource":"arn:aws:IAM::111122223333:role/app"}"#,
            r#"{"Effect":"Allow","Action":"iam:GetRole","Resource":"arn:aws:iam::111122223333:role/App"}"#,
            none,
        ),
        (
            "dead-allow",
            r#"{"Effect":"Allow","Action":"autoscaling:CreateAutoScalingGroup","Resource":"*"},{"Effect":"Deny","Action":"autoscaling:*","Resource":"*"}"#,
            r#"{"Effect":"Allow","Action":"autoscaling:CreateAutoScalingGroup","Resource":"*"},{"Effect":"Deny","Action":"autoscaling:*","Resource":"*","Condition":{"Bool":{"aws:MultiFactorAuthPresent":"false"}}}"#,
            none,
        ),
        (
            "not-used-by-auto-scaling",
            r#"{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}"#,
            r#"{"Effect":"Allow","Action":"ec2:RunInstances","Resource":"*"}"#,
            asg,
        ),
        (
            "duplicate-sid",
            r#"{"Sid":"A","Effect":"Allow","Action":"ec2:RunInstances","Resource":"*"},{"Sid":"A","Effect":"Allow","Action":"ec2:CreateTags","Resource":"*"}"#,
            r#"{"Sid":"A","Effect":"Allow","Action":"ec2:RunInstances","Resource":"*"},{"Sid":"B","Effect":"Allow","Action":"ec2:CreateTags","Resource":"*"}"#,
            none,
        ),
    ];
    for (code, positive, negative, options) in cases {
        let found = codes(&one(positive), *options);
        assert!(
            found.contains(code),
            "{code} not found in {positive}: {found:?}"
        );
        let found = codes(&one(negative), *options);
        assert!(
            !found.contains(code),
            "{code} found in {negative}: {found:?}"
        );
    }
}

#[test]
fn forallvalues_on_many_keys_is_flagged_where_no_null_guard_requires_the_key() {
    // The keys a `Null: false` requires are found once per statement: a statement of
    // 100,000 ForAllValues conditions took over a minute when each looked through all the
    // others. Here 2,000, every other one guarded (its key in any case).
    let forall: Vec<String> = (0..2_000)
        .map(|i| format!(r#""aws:TagKeys/k{i}":"a*""#))
        .collect();
    let guards: Vec<String> = (0..2_000)
        .step_by(2)
        .map(|i| format!(r#""AWS:TAGKEYS/K{i}":"false""#))
        .collect();
    let json = one(&format!(
        r#"{{"Effect":"Allow","Action":"autoscaling:CreateOrUpdateTags","Resource":"*","Condition":{{"ForAllValues:StringLike":{{{}}},"Null":{{{}}}}}}}"#,
        forall.join(","),
        guards.join(",")
    ));
    let found = lint(&text_policy(&json), LintOptions::default());
    let flagged: Vec<&str> = found
        .iter()
        .filter(|f| f.code() == "forallvalues-absent-key")
        .map(|f| &*f.message)
        .collect();
    // The first 20 of the statement are listed, the rest counted in one more: 1,000 in all,
    // the unguarded half.
    assert_eq!(flagged.len(), FINDINGS_OF_A_KIND + 1);
    let listed: Vec<usize> = flagged[..FINDINGS_OF_A_KIND]
        .iter()
        .map(|m| {
            m.split("aws:TagKeys/k")
                .nth(1)
                .and_then(|rest| rest.split(' ').next())
                .and_then(|n| n.parse().ok())
                .unwrap()
        })
        .collect();
    assert_eq!(listed, (1..40).step_by(2).collect::<Vec<usize>>());
    assert_eq!(
        flagged[FINDINGS_OF_A_KIND],
        "and 980 more forallvalues-absent-key findings in this statement, counted, not listed"
    );
}

#[test]
fn a_statement_lists_twenty_findings_of_a_kind_and_counts_the_rest() {
    // Before: a finding for each of 100,000 made-up actions or ForAllValues keys of one
    // statement, 20 times the policy's size in memory.
    let actions: Vec<String> = (0..5_000)
        .map(|i| format!(r#""autoscaling:MadeUp{i}""#))
        .collect();
    let json = format!(
        r#"{{"Version":"2012-10-17","Statement":[{{"Effect":"Allow","Action":[{a}],"Resource":"*"}},{{"Effect":"Deny","Action":[{b}],"Resource":"*"}}]}}"#,
        a = actions.join(","),
        b = actions[..21].join(",")
    );
    let found = lint(&text_policy(&json), LintOptions::default());
    let unknown: Vec<&Finding> = found
        .iter()
        .filter(|f| f.code() == "unknown-action")
        .collect();
    // Each statement lists its first 20; the first counts its other 4,980, the second its
    // one more, each in a finding of the kind, after the listed ones and as severe.
    assert_eq!(unknown.len(), 2 * (FINDINGS_OF_A_KIND + 1));
    for (statement, more) in [(0, "4,980"), (1, "1")] {
        let of: Vec<&&Finding> = unknown
            .iter()
            .filter(|f| f.statement == Some(statement))
            .collect();
        assert_eq!(of.len(), FINDINGS_OF_A_KIND + 1);
        let last = of[FINDINGS_OF_A_KIND];
        assert!(
            last.message.starts_with(&format!("and {more} more ")),
            "{}",
            last.message
        );
        assert_eq!(last.severity, of[0].severity);
        // After the listed ones (here all at the statement's start).
        assert!((last.line, last.column) >= (of[19].line, of[19].column));
        assert!(
            of[..FINDINGS_OF_A_KIND]
                .iter()
                .all(|f| f.message.contains("MadeUp"))
        );
    }
}

#[test]
fn findings_say_where_why_and_how_to_fix() {
    let text = "{\n  \"Statement\": [\n    {\"Effect\": \"Allow\", \"Action\": \"ec2:RunInstances\", \"Resource\": \"*\"},\n    {\"Effect\": \"Allow\", \"Action\": \"autoscaling:CreateAutoScallingGroup\", \"Resource\": \"*\"}\n  ]\n}\n";
    let f = lint(&text_policy(text), LintOptions::default());
    let f = f.iter().find(|f| f.code() == "unknown-action").unwrap();
    assert_eq!(f.severity, Severity::Error);
    assert_eq!((f.line, f.column), (4, 5));
    assert_eq!(f.statement, Some(1));
    assert_eq!(f.label(), "statement 2");
    assert!(
        f.fix().contains("autoscaling:CreateAutoScalingGroup"),
        "{}",
        f.fix()
    );
    assert!(!f.why().is_empty());
}

#[test]
fn no_false_positives_on_the_aws_managed_policies_the_project_ships() {
    // Findings a reviewer should see on these AWS policies, by design; nothing else. Auto
    // Scaling's own service-linked role passes whatever instance role a customer's launch
    // template names, so AWS grants it iam:PassRole on every role (to EC2 only): true of the
    // policy, and exactly what a reviewer of a customer policy must be told.
    let expected: &[(&str, &str)] = &[("AutoScalingServiceRolePolicy.json", "passrole-any-role")];
    for entry in std::fs::read_dir("tests/fixtures/managed").unwrap() {
        let path = entry.unwrap().path();
        let p = policy(path.to_str().unwrap());
        for f in lint(&p, LintOptions::default()) {
            let name = path.file_name().unwrap().to_string_lossy().into_owned();
            assert!(
                expected.contains(&(name.as_str(), f.code())),
                "{name}: {} {}: {}",
                f.code(),
                f.label(),
                f.message
            );
        }
    }
}

#[test]
fn lint_cli_exits_1_on_errors_only() {
    let dir = std::env::temp_dir().join(format!("asg-perms-lint-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let bad = dir.join("bad.json");
    std::fs::write(
        &bad,
        one(r#"{"Effect":"Allow","Action":"autoscaling:CreateAutoScallingGroup","Resource":"*"}"#),
    )
    .unwrap();
    let o = run(&["lint", bad.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1));
    let t = stdout(&o);
    assert!(t.contains("bad.json:1:"), "{t}");
    assert!(t.contains("error[unknown-action]: statement 1: autoscaling:CreateAutoScallingGroup is not an Auto Scaling action"), "{t}");
    assert!(t.contains("1 error(s), 0 warning(s)"), "{t}");
    let o = run(&["lint", FULL, LEAST, "--format", "json"]);
    assert_eq!(o.status.code(), Some(0), "{}", stdout(&o));
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert!(v.as_array().unwrap().is_empty(), "{v}");
    std::fs::remove_dir_all(&dir).ok();
}

// ---------------------------------------------------------------- audit

/// A user and a role may have the same name (IAM keeps them apart): each is audited with its
/// own policies. Before, every principal was looked up by name, so the user "deploy" was
/// audited with the role "deploy"'s policies and shown able to do all it can.
#[test]
fn a_user_named_like_a_role_is_audited_with_its_own_policies() {
    use asg_perms::review_audit::{AuditProgress, audit};
    let text = policies::same_name_account();
    let Loaded::Account(account) = load_text("a.json", &text).unwrap() else {
        panic!("an account")
    };
    let a = audit("a.json", &account, &AuditProgress::default()).unwrap();
    let row = |kind: &str| a.rows.iter().find(|r| r.kind == kind).unwrap();
    let role = row("role");
    assert_eq!(role.principal, "deploy");
    assert!(role.cells.contains(&Status::Satisfied), "{:?}", role.cells);
    let user = row("user");
    assert_eq!(user.principal, "Deploy");
    assert!(
        user.cells.iter().all(|c| *c == Status::Missing),
        "{:?}",
        user.cells
    );
    assert!(user.escalation.is_none());
    // By name: the exact name first; a name both have in other cases names neither.
    let kind_of = |name: &str| account.find(name).map(|p| p.arn.clone());
    assert_eq!(
        kind_of("deploy").as_deref(),
        Some("arn:aws:iam::111122223333:role/deploy")
    );
    assert_eq!(
        kind_of("Deploy").as_deref(),
        Some("arn:aws:iam::111122223333:user/Deploy")
    );
    assert_eq!(kind_of("DEPLOY"), None);
    let err = account
        .policy_set("a.json", "DEPLOY")
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("role/deploy") && err.contains("user/Deploy") && err.contains("ARN"),
        "{err}"
    );
    assert_eq!(
        kind_of("arn:aws:iam::111122223333:user/Deploy").as_deref(),
        Some("arn:aws:iam::111122223333:user/Deploy")
    );
}

#[test]
fn audit_marks_who_can_hand_a_role_to_ec2() {
    let o = run(&[
        "audit",
        "--account-details",
        "tests/fixtures/account-details.json",
        "--format",
        "json",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    let rows = v["rows"].as_array().unwrap();
    let row = |name: &str| rows.iter().find(|r| r["principal"] == name).unwrap();
    // The deployer launches from templates with an instance profile and may pass roles.
    let deployer = row("ci-deployer");
    // (conditional: which roles it may pass depends on the role the template names)
    assert_ne!(deployer["cells"][0], "missing");
    assert!(deployer["escalation"].is_array());
    // alice's group has AutoScalingFullAccess only: no ec2:RunInstances, no escalation.
    let alice = row("alice");
    assert_eq!(alice["cells"][0], "missing");
    assert!(alice["escalation"].is_null());
    // CSV and Markdown parse back to the same matrix.
    let csv = stdout(&run(&[
        "audit",
        "--account-details",
        "tests/fixtures/account-details.json",
        "--format",
        "csv",
    ]));
    let mut lines = csv.lines();
    let header: Vec<&str> = lines.next().unwrap().split(',').collect();
    assert_eq!(header[3], "groups-with-instance-profile");
    assert_eq!(lines.count(), rows.len());
    let md = stdout(&run(&[
        "audit",
        "--account-details",
        "tests/fixtures/account-details.json",
        "--format",
        "markdown",
    ]));
    assert!(md.contains("| `alice` | user |"), "{md}");
    assert!(md.starts_with("> asg-perms "), "{md}");
    assert!(
        md.contains(
            "> Input: tests/fixtures/account-details.json (account authorization details) fnv1a64 "
        ),
        "{md}"
    );
    // A policy is not an account.
    let o = run(&["audit", "--account-details", FULL]);
    assert_eq!(o.status.code(), Some(2));
}
