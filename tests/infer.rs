//! `infer`: the request read from AWS CLI command lines and API request JSON.

#![allow(clippy::unwrap_used)] // Tests may unwrap: a panic is a failed test.

use std::process::Command;

use asg_perms::infer;

fn input(name: &str) -> String {
    std::fs::read_to_string(format!(
        "{}/tests/fixtures/requests/{name}",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap()
}

/// (file, action, features, group name)
const CORPUS: &[(&str, &str, &[&str], Option<&str>)] = &[
    (
        "create-group.sh",
        "autoscaling:CreateAutoScalingGroup",
        &["launch-template", "tags-on-create"],
        Some("my-asg"),
    ),
    (
        "create-group-slr.sh",
        "autoscaling:CreateAutoScalingGroup",
        &["launch-template", "custom-slr"],
        Some("web"),
    ),
    (
        "lifecycle-hook.sh",
        "autoscaling:PutLifecycleHook",
        &["lifecycle-hook-role"],
        Some("my-asg"),
    ),
    (
        "launch-configuration.sh",
        "autoscaling:CreateLaunchConfiguration",
        &[
            "launch-configuration-instance-profile",
            "kms-cmk-encrypted-volumes",
        ],
        None,
    ),
    (
        "traffic-sources.sh",
        "autoscaling:AttachTrafficSources",
        &["vpc-lattice-attach"],
        Some("my-asg"),
    ),
    (
        "instance-refresh.sh",
        "autoscaling:StartInstanceRefresh",
        &["launch-template"],
        Some("my-asg"),
    ),
    (
        "create-group-api.json",
        "autoscaling:CreateAutoScalingGroup",
        &["launch-template", "lifecycle-hook-role"],
        Some("api-asg"),
    ),
];

#[test]
fn cli_commands_and_api_json_give_the_action_features_and_facts() {
    for (file, action, features, group) in CORPUS {
        let r = infer(&input(file)).unwrap_or_else(|e| panic!("{file}: {e}"));
        assert_eq!(r.len(), 1, "{file}");
        let r = &r[0];
        assert_eq!(r.action, *action, "{file}");
        let mut got: Vec<&str> = r.features.iter().map(String::as_str).collect();
        let mut want = features.to_vec();
        got.sort_unstable();
        want.sort_unstable();
        assert_eq!(got, want, "{file}");
        assert_eq!(r.facts.group_name.as_deref(), *group, "{file}");
        for f in *features {
            assert!(
                r.why.iter().any(|w| w.what == *f && w.line >= 1),
                "{file}: no line for {f}"
            );
        }
    }
}

#[test]
fn each_feature_points_at_its_line_and_unknowns_are_questions() {
    let r = &infer(&input("create-group.sh")).unwrap()[0];
    let line = |what: &str| r.why.iter().find(|w| w.what == what).unwrap().line;
    assert_eq!(r.line, 2, "the command starts after the comment");
    assert_eq!(line("launch-template"), 4);
    assert_eq!(line("tags-on-create"), 7);
    assert!(r.unknowns.iter().any(|u| u.contains("default-slr-missing")));
    assert!(
        r.unknowns
            .iter()
            .any(|u| u.contains("launch-template-instance-profile"))
    );
    let r = &infer(&input("create-group-slr.sh")).unwrap()[0];
    assert_eq!(r.facts.region.as_deref(), Some("eu-west-1"));
    assert!(
        r.facts
            .service_linked_role_arn
            .as_deref()
            .unwrap()
            .ends_with("AWSServiceRoleForAutoScaling_web")
    );
    let r = &infer(&input("lifecycle-hook.sh")).unwrap()[0];
    assert_eq!(
        r.facts.lifecycle_hook_role_arn.as_deref(),
        Some("arn:aws:iam::111122223333:role/my-notification-role")
    );
}

#[test]
fn input_of_another_kind_gets_a_clear_error_with_its_place() {
    let e = infer(&input("not-autoscaling.sh")).unwrap_err().to_string();
    assert_eq!(
        e,
        "line 1: this is an `aws ec2` command; asg-perms reads `aws autoscaling` commands"
    );
    let e = infer("aws autoscaling create-auto-scaling-group --launch-template 'unclosed")
        .unwrap_err()
        .to_string();
    assert!(
        e.starts_with("line 1: cannot split the command line"),
        "{e}"
    );
    let e = infer("aws autoscaling make-it-so").unwrap_err().to_string();
    assert!(
        e.contains("`make-it-so` is not an aws autoscaling command"),
        "{e}"
    );
    let e = infer("{\"MinSize\": 1,").unwrap_err().to_string();
    assert!(e.starts_with("line 1: not JSON"), "{e}");
    let e = infer("{\"Foo\": 1}").unwrap_err().to_string();
    assert!(e.contains("without \"Action\""), "{e}");
    let e = infer("echo hello").unwrap_err().to_string();
    assert!(e.contains("no `aws autoscaling ...` command"), "{e}");
}

#[test]
fn cli_checks_the_inferred_request_against_a_policy() {
    let o = Command::new(env!("CARGO_BIN_EXE_asg-perms"))
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .args([
            "infer",
            "tests/fixtures/requests/create-group.sh",
            "--format",
            "json",
            "--policy",
            "tests/fixtures/managed/AutoScalingFullAccess.json",
        ])
        .output()
        .unwrap();
    // AutoScalingFullAccess has no ec2:RunInstances: the launch template makes it missing.
    assert_eq!(o.status.code(), Some(1));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(
        v["requests"][0]["action"],
        "autoscaling:CreateAutoScalingGroup"
    );
    assert_eq!(v["requests"][0]["status"], "missing");
    let o = Command::new(env!("CARGO_BIN_EXE_asg-perms"))
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .args(["infer", "tests/fixtures/requests/not-autoscaling.sh"])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
}
