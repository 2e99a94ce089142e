//! "What went wrong?": every error shape in `tests/fixtures/errors`, read back into the call,
//! the failing permission, the layer that denied and the facts; with a policy, evaluated.

#![allow(clippy::unwrap_used)] // Tests may unwrap: a panic is a failed test.

use std::process::Command;
use std::sync::Arc;

use asg_perms::{Loaded, PolicySet, Status, diagnose, load_file};

fn error(name: &str) -> String {
    std::fs::read_to_string(format!(
        "{}/tests/fixtures/errors/{name}",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap()
}

fn set(path: &str) -> PolicySet {
    match load_file(std::path::Path::new(path)).unwrap() {
        Loaded::Policy(p, _) => PolicySet {
            identity: vec![Arc::new(p)],
            ..PolicySet::default()
        },
        Loaded::Account(_) => unreachable!(),
    }
}

/// File, shape, Auto Scaling call, failed permission, denied in, features.
type Expected = (
    &'static str,
    &'static str,
    Option<&'static str>,
    Option<&'static str>,
    Option<&'static str>,
    &'static [&'static str],
);

const CORPUS: &[Expected] = &[
    (
        "access-denied-identity.txt",
        "access-denied",
        Some("autoscaling:CreateAutoScalingGroup"),
        Some("autoscaling:CreateAutoScalingGroup"),
        Some("identity policies"),
        &[],
    ),
    (
        "access-denied-passrole.txt",
        "access-denied",
        Some("autoscaling:CreateAutoScalingGroup"),
        Some("iam:PassRole"),
        Some("identity policies"),
        &["launch-template-instance-profile"],
    ),
    (
        "access-denied-explicit-scp.txt",
        "access-denied",
        Some("autoscaling:DeleteAutoScalingGroup"),
        Some("autoscaling:DeleteAutoScalingGroup"),
        Some("explicit deny"),
        &[],
    ),
    (
        "access-denied-explicit-identity.txt",
        "access-denied",
        Some("autoscaling:SetDesiredCapacity"),
        Some("autoscaling:SetDesiredCapacity"),
        Some("explicit deny"),
        &[],
    ),
    (
        "access-denied-boundary.txt",
        "access-denied",
        None,
        Some("ec2:RunInstances"),
        Some("permissions boundary"),
        &[],
    ),
    (
        "access-denied-scp.txt",
        "access-denied",
        Some("autoscaling:PutScalingPolicy"),
        Some("autoscaling:PutScalingPolicy"),
        Some("service control policy"),
        &[],
    ),
    (
        "access-denied-session.txt",
        "access-denied",
        Some("autoscaling:UpdateAutoScalingGroup"),
        Some("autoscaling:UpdateAutoScalingGroup"),
        Some("session policy"),
        &[],
    ),
    (
        "cloudformation.txt",
        "access-denied",
        Some("autoscaling:CreateAutoScalingGroup"),
        Some("ec2:CreateTags"),
        Some("identity policies"),
        &["launch-template-tags"],
    ),
    (
        "unauthorized-operation.txt",
        "unauthorized-operation",
        None,
        Some("ec2:RunInstances"),
        None,
        &[],
    ),
    (
        "launch-template.txt",
        "launch-template",
        Some("autoscaling:UpdateAutoScalingGroup"),
        None,
        None,
        &["launch-template"],
    ),
    (
        "service-linked-role.txt",
        "access-denied",
        Some("autoscaling:CreateAutoScalingGroup"),
        Some("iam:CreateServiceLinkedRole"),
        None,
        &["default-slr-missing"],
    ),
    (
        "lifecycle-hook.txt",
        "lifecycle-hook-role",
        Some("autoscaling:PutLifecycleHook"),
        None,
        None,
        &["lifecycle-hook-role"],
    ),
    (
        "decoded.json",
        "decoded-authorization-message",
        None,
        Some("ec2:RunInstances"),
        None,
        &[],
    ),
    (
        "decoded-cli-output.json",
        "decoded-authorization-message",
        Some("autoscaling:DeleteAutoScalingGroup"),
        Some("autoscaling:DeleteAutoScalingGroup"),
        Some("explicit deny"),
        &[],
    ),
];

#[test]
fn every_error_shape_is_read_back() {
    for (file, shape, op, failed, denied, features) in CORPUS {
        let d = diagnose(&error(file)).unwrap_or_else(|e| panic!("{file}: {e}"));
        assert_eq!(d.shape, *shape, "{file}");
        assert_eq!(d.operation.as_deref(), *op, "{file}");
        assert_eq!(d.failed.as_deref(), *failed, "{file}");
        assert_eq!(d.denied_in.as_deref(), *denied, "{file}");
        let f: Vec<&str> = d.features.iter().map(String::as_str).collect();
        assert_eq!(f, *features, "{file}");
        assert!(!d.summary.is_empty(), "{file}");
    }
}

#[test]
fn facts_and_details_come_from_the_message() {
    let d = diagnose(&error("access-denied-passrole.txt")).unwrap();
    assert_eq!(d.facts.account.as_deref(), Some("111122223333"));
    assert_eq!(
        d.facts.instance_role_arn.as_deref(),
        Some("arn:aws:iam::111122223333:role/app-web")
    );
    assert_eq!(
        d.caller.as_deref(),
        Some("arn:aws:sts::111122223333:assumed-role/deployer/session")
    );
    let d = diagnose(&error("access-denied-explicit-identity.txt")).unwrap();
    assert_eq!(
        d.explicit_deny.as_deref(),
        Some("identity-based policy arn:aws:iam::111122223333:policy/deny-prod")
    );
    assert_eq!(d.facts.region.as_deref(), Some("us-east-1"));
    let d = diagnose(&error("unauthorized-operation.txt")).unwrap();
    assert!(d.advice[0].contains("aws sts decode-authorization-message"));
    let d = diagnose(&error("launch-template.txt")).unwrap();
    let causes: Vec<&str> = d.possible.iter().map(|c| c.permission.as_str()).collect();
    assert_eq!(
        causes,
        [
            "ec2:RunInstances",
            "iam:PassRole",
            "ec2:CreateTags",
            "ssm:GetParameters"
        ]
    );
    assert_eq!(d.resource.as_deref(), Some("lt-0a20c965061f64abc"));
    let d = diagnose(&error("lifecycle-hook.txt")).unwrap();
    assert_eq!(
        d.facts.lifecycle_hook_role_arn.as_deref(),
        Some("arn:aws:iam::111122223333:role/hook-role")
    );
    assert_eq!(d.facts.region.as_deref(), Some("us-west-2"));
    let d = diagnose(&error("decoded.json")).unwrap();
    assert_eq!(d.context.len(), 2);
    assert_eq!(
        d.context[0],
        ("ec2:InstanceType".to_owned(), vec!["t3.micro".to_owned()])
    );
}

#[test]
fn text_that_is_not_an_error_is_refused_with_the_shapes() {
    for file in ["not-an-error.txt", "decoded-missing-action.json"] {
        let e = diagnose(&error(file)).unwrap_err().to_string();
        assert!(e.starts_with("I can't read this"), "{file}: {e}");
        assert!(e.contains("is not authorized to perform"), "{e}");
    }
    let e = diagnose(&error("decoded-missing-action.json"))
        .unwrap_err()
        .to_string();
    assert!(e.contains("without context.action"), "{e}");
    assert!(diagnose("{\"allowed\": ").is_err());
}

#[test]
fn with_a_policy_the_failing_permission_is_decided_and_fixed_in_its_layer() {
    let full = set("tests/fixtures/managed/AutoScalingFullAccess.json");
    let mut d = diagnose(&error("access-denied-passrole.txt")).unwrap();
    d.evaluate(&full);
    assert_eq!(d.evaluated.as_ref().unwrap().decision, "implicitDeny");
    let fix = d.fix.as_ref().unwrap();
    assert_eq!(fix.layer, "identity policies");
    assert_eq!(fix.statements["Statement"][0]["Action"], "iam:PassRole");
    assert_eq!(
        fix.statements["Statement"][0]["Resource"],
        "arn:aws:iam::111122223333:role/app-web"
    );
    // The launch-template message: the engine says which causes the policy refuses.
    let mut d = diagnose(&error("launch-template.txt")).unwrap();
    d.evaluate(&set("tests/fixtures/least-privilege-asg.json"));
    let status = |p: &str| {
        d.possible
            .iter()
            .find(|c| c.permission == p)
            .unwrap()
            .status
    };
    assert_eq!(status("ec2:RunInstances"), Some(Status::Satisfied));
    assert_eq!(status("ec2:CreateTags"), Some(Status::Missing));
    assert_eq!(status("ssm:GetParameters"), Some(Status::Missing));
    assert_eq!(
        d.advice,
        ["The loaded policy refuses: ec2:CreateTags, ssm:GetParameters."]
    );
    // A decoded message is the exact request: keys it does not list were absent.
    let mut d = diagnose(&error("decoded.json")).unwrap();
    d.evaluate(&set("tests/fixtures/least-privilege-asg.json"));
    assert_eq!(d.evaluated.as_ref().unwrap().decision, "allowed");
}

#[test]
fn cli_reads_text_files_and_stdin_with_the_contract_exit_codes() {
    let bin = env!("CARGO_BIN_EXE_asg-perms");
    let dir = env!("CARGO_MANIFEST_DIR");
    let o = Command::new(bin)
        .current_dir(dir)
        .args([
            "diagnose",
            "--file",
            "tests/fixtures/errors/access-denied-passrole.txt",
            "--format",
            "json",
        ])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(0));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["operation"], "autoscaling:CreateAutoScalingGroup");
    assert_eq!(v["failed"], "iam:PassRole");
    assert_eq!(v["denied_in"], "identity policies");
    assert_eq!(v["features"][0], "launch-template-instance-profile");
    // With --policy and still missing: 1, and the fix.
    let o = Command::new(bin)
        .current_dir(dir)
        .args([
            "diagnose",
            "--file",
            "tests/fixtures/errors/access-denied-passrole.txt",
            "--policy",
            "tests/fixtures/managed/AutoScalingFullAccess.json",
        ])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(1));
    let t = String::from_utf8(o.stdout).unwrap();
    assert!(t.contains("Add to the identity policies:"), "{t}");
    // Standard input; and text that is not an error: 2 with the shapes on stderr.
    let mut child = Command::new(bin)
        .current_dir(dir)
        .args(["diagnose", "-"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    std::io::Write::write_all(&mut child.stdin.take().unwrap(), b"all good here").unwrap();
    let o = child.wait_with_output().unwrap();
    assert_eq!(o.status.code(), Some(2));
    assert!(
        String::from_utf8(o.stderr)
            .unwrap()
            .contains("I can't read this as an AWS authorization error")
    );
}

#[test]
fn devices_and_pipes_are_refused_like_policy_files() {
    // The same bounded, checked read as policies: /dev/zero would otherwise be read forever.
    for args in [
        ["diagnose", "--file", "/dev/zero"],
        ["infer", "/dev/zero", "--format=text"],
    ] {
        let o = Command::new(env!("CARGO_BIN_EXE_asg-perms"))
            .args(args)
            .output()
            .unwrap();
        assert_eq!(o.status.code(), Some(2), "{args:?}");
        let e = String::from_utf8(o.stderr).unwrap();
        assert!(e.contains("not a regular file"), "{args:?}: {e}");
    }
}
