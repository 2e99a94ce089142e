//! `infer`: the request read from AWS CLI command lines, API request JSON, `CloudFormation`
//! templates (JSON and YAML) and Terraform files.

#![allow(clippy::unwrap_used)] // Tests may unwrap: a panic is a failed test.

use std::process::Command;

use asg_perms::{infer, infer_named};

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
    assert!(e.starts_with("line 1, column 1: not JSON"), "{e}");
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

/// One call expected from a template: (resource, action, features, group name).
type Call = (
    &'static str,
    &'static str,
    &'static [&'static str],
    Option<&'static str>,
);

/// Templates and Terraform files, each with every call it makes, in order.
const TEMPLATES: &[(&str, &[Call])] = &[
    (
        "cfn-launch-template.yaml",
        &[(
            "WebServerGroup (AWS::AutoScaling::AutoScalingGroup)",
            "CreateAutoScalingGroup",
            &[
                "launch-template",
                "launch-template-instance-profile",
                "launch-template-tags",
                "launch-template-ssm-parameter",
                "kms-cmk-encrypted-volumes",
            ],
            Some("web-asg"),
        )],
    ),
    (
        "cfn-external-template.yaml",
        &[(
            "myASG (AWS::AutoScaling::AutoScalingGroup)",
            "CreateAutoScalingGroup",
            &["launch-template", "tags-on-create"],
            None,
        )],
    ),
    (
        "cfn-launch-configuration.yaml",
        &[
            (
                "myLaunchConfig (AWS::AutoScaling::LaunchConfiguration)",
                "CreateLaunchConfiguration",
                &["launch-configuration-instance-profile"],
                None,
            ),
            (
                "myASG (AWS::AutoScaling::AutoScalingGroup)",
                "CreateAutoScalingGroup",
                &[],
                None,
            ),
        ],
    ),
    (
        "cfn-lifecycle-hook.yaml",
        &[
            (
                "myASG (AWS::AutoScaling::AutoScalingGroup)",
                "CreateAutoScalingGroup",
                &["launch-template", "custom-slr", "lifecycle-hook-role"],
                Some("hooked-asg"),
            ),
            (
                "myTerminateHook (AWS::AutoScaling::LifecycleHook)",
                "PutLifecycleHook",
                &["lifecycle-hook-role"],
                Some("hooked-asg"),
            ),
        ],
    ),
    (
        "cfn-warm-pool.yaml",
        &[
            (
                "Group (AWS::AutoScaling::AutoScalingGroup)",
                "CreateAutoScalingGroup",
                &["launch-template", "kms-cmk-encrypted-volumes"],
                Some("warm-asg"),
            ),
            (
                "WarmPool (AWS::AutoScaling::WarmPool)",
                "PutWarmPool",
                &["kms-cmk-encrypted-volumes"],
                Some("warm-asg"),
            ),
        ],
    ),
    (
        "cfn-scaling.yaml",
        &[
            (
                "myCPUPolicy (AWS::AutoScaling::ScalingPolicy)",
                "PutScalingPolicy",
                &[],
                Some("existing-asg"),
            ),
            (
                "ScheduledActionOut (AWS::AutoScaling::ScheduledAction)",
                "PutScheduledUpdateGroupAction",
                &[],
                Some("existing-asg"),
            ),
        ],
    ),
    (
        "cfn-two-groups.yaml",
        &[
            (
                "BlueGroup (AWS::AutoScaling::AutoScalingGroup)",
                "CreateAutoScalingGroup",
                &["launch-template", "launch-template-tags"],
                Some("blue"),
            ),
            (
                "GreenConfig (AWS::AutoScaling::LaunchConfiguration)",
                "CreateLaunchConfiguration",
                &[],
                None,
            ),
            (
                "GreenGroup (AWS::AutoScaling::AutoScalingGroup)",
                "CreateAutoScalingGroup",
                &[],
                Some("green"),
            ),
        ],
    ),
    (
        "cfn-mixed-instances.yaml",
        &[
            (
                "SpotGroup (AWS::AutoScaling::AutoScalingGroup)",
                "CreateAutoScalingGroup",
                &[
                    "launch-template",
                    "launch-template-instance-profile",
                    "tags-on-create",
                ],
                Some("spot-asg"),
            ),
            (
                "SpotGroup (AWS::AutoScaling::AutoScalingGroup), its NotificationConfigurations",
                "PutNotificationConfiguration",
                &[],
                Some("spot-asg"),
            ),
        ],
    ),
    (
        "cfn-launch-template.json",
        &[(
            "Group (AWS::AutoScaling::AutoScalingGroup)",
            "CreateAutoScalingGroup",
            &[
                "launch-template",
                "launch-template-instance-profile",
                "launch-template-tags",
                "tags-on-create",
            ],
            Some("api-asg"),
        )],
    ),
    (
        "cfn-lifecycle-hook.json",
        &[(
            "TerminationHook (AWS::AutoScaling::LifecycleHook)",
            "PutLifecycleHook",
            &["lifecycle-hook-role"],
            Some("existing-asg"),
        )],
    ),
    (
        "tf-launch-template.tf",
        &[
            (
                "aws_autoscaling_group.app",
                "CreateAutoScalingGroup",
                &[
                    "launch-template",
                    "launch-template-instance-profile",
                    "launch-template-tags",
                    "launch-template-ssm-parameter",
                    "kms-cmk-encrypted-volumes",
                    "lifecycle-hook-role",
                    "tags-on-create",
                ],
                Some("app-asg"),
            ),
            (
                "aws_autoscaling_group.app, its warm_pool block",
                "PutWarmPool",
                &["kms-cmk-encrypted-volumes"],
                Some("app-asg"),
            ),
        ],
    ),
    (
        "tf-launch-configuration.tf",
        &[
            (
                "aws_launch_configuration.legacy",
                "CreateLaunchConfiguration",
                &["launch-configuration-instance-profile"],
                None,
            ),
            (
                "aws_autoscaling_group.legacy",
                "CreateAutoScalingGroup",
                &[],
                Some("legacy-asg"),
            ),
        ],
    ),
    (
        "tf-lifecycle-hook.tf",
        &[
            (
                "aws_autoscaling_group.workers",
                "CreateAutoScalingGroup",
                &["launch-template"],
                Some("workers"),
            ),
            (
                "aws_autoscaling_lifecycle_hook.drain",
                "PutLifecycleHook",
                &["lifecycle-hook-role"],
                Some("workers"),
            ),
        ],
    ),
    (
        "tf-traffic-source.tf",
        &[(
            "aws_autoscaling_traffic_source_attachment.lattice",
            "AttachTrafficSources",
            &["vpc-lattice-attach"],
            Some("my-asg"),
        )],
    ),
    (
        "tf-mixed-instances.tf",
        &[(
            "aws_autoscaling_group.spot",
            "CreateAutoScalingGroup",
            &["launch-template", "custom-slr"],
            Some("spot-asg"),
        )],
    ),
    (
        "tf-group-operations.tf",
        &[
            (
                "aws_autoscaling_policy.cpu",
                "PutScalingPolicy",
                &[],
                Some("existing-asg"),
            ),
            (
                "aws_autoscaling_schedule.night",
                "PutScheduledUpdateGroupAction",
                &[],
                Some("existing-asg"),
            ),
            (
                "aws_autoscaling_notification.alerts",
                "PutNotificationConfiguration",
                &[],
                None,
            ),
        ],
    ),
];

#[test]
fn templates_and_terraform_give_every_call_with_its_features_and_facts() {
    for (file, calls) in TEMPLATES {
        // Read with the file name as a hint and without it: both tell the format.
        for name in [Some(*file), None] {
            let got = infer_named(name, &input(file)).unwrap_or_else(|e| panic!("{file}: {e}"));
            assert_eq!(got.len(), calls.len(), "{file}: {got:#?}");
            for (r, (resource, action, features, group)) in got.iter().zip(calls.iter()) {
                assert_eq!(r.resource.as_deref(), Some(*resource), "{file}");
                assert_eq!(
                    r.action,
                    format!("autoscaling:{action}"),
                    "{file} {resource}"
                );
                let mut got_f: Vec<&str> = r.features.iter().map(String::as_str).collect();
                let mut want = features.to_vec();
                got_f.sort_unstable();
                want.sort_unstable();
                assert_eq!(got_f, want, "{file} {resource}");
                assert_eq!(r.facts.group_name.as_deref(), *group, "{file} {resource}");
                let lines = input(file).lines().count();
                for f in *features {
                    let why = r.why.iter().find(|w| w.what == *f);
                    assert!(
                        why.is_some_and(|w| w.line >= 1 && w.line <= lines),
                        "{file} {resource}: no line for {f}"
                    );
                }
            }
        }
    }
}

#[test]
fn a_launch_template_in_the_same_template_answers_the_questions_and_points_at_its_lines() {
    let text = input("cfn-launch-template.yaml");
    let r = &infer(&text).unwrap()[0];
    let line = |what: &str| r.why.iter().find(|w| w.what == what).unwrap().line;
    let at = |n: usize| text.lines().nth(n - 1).unwrap().trim().to_owned();
    assert!(at(line("launch-template-instance-profile")).starts_with("IamInstanceProfile:"));
    assert!(at(line("launch-template-tags")).starts_with("TagSpecifications:"));
    assert!(at(line("launch-template-ssm-parameter")).starts_with("ImageId: resolve:ssm:"));
    assert!(at(line("kms-cmk-encrypted-volumes")).starts_with("KmsKeyId:"));
    assert!(at(line("launch-template")).starts_with("LaunchTemplate:"));
    assert!(
        !r.unknowns.iter().any(|u| u.contains("defined elsewhere")),
        "the template is in the file: {:?}",
        r.unknowns
    );
    // The instance profile is computed: the role it holds stays a question.
    assert!(r.unknowns.iter().any(|u| u.contains("--instance-role-arn")));
    // A template defined elsewhere stays a question.
    let r = &infer(&input("cfn-external-template.yaml")).unwrap()[0];
    assert!(r.unknowns.iter().any(|u| u.contains("defined elsewhere")));
    // Terraform: the same, through a reference.
    let text = input("tf-launch-template.tf");
    let r = &infer(&text).unwrap()[0];
    let line = |what: &str| r.why.iter().find(|w| w.what == what).unwrap().line;
    let at = |n: usize| text.lines().nth(n - 1).unwrap().trim().to_owned();
    assert!(at(line("launch-template-instance-profile")).starts_with("iam_instance_profile"));
    assert!(at(line("kms-cmk-encrypted-volumes")).starts_with("kms_key_id"));
    assert!(at(line("lifecycle-hook-role")).starts_with("role_arn"));
    assert_eq!(
        r.facts.lifecycle_hook_role_arn.as_deref(),
        Some("arn:aws:iam::444455556666:role/hook-role")
    );
    // A role known only at deploy time is a question, never a made-up ARN.
    let r = &infer(&input("tf-lifecycle-hook.tf")).unwrap()[1];
    assert_eq!(r.facts.lifecycle_hook_role_arn, None);
    assert!(
        r.unknowns
            .iter()
            .any(|u| u.contains("aws_iam_role.hook.arn"))
    );
}

#[test]
fn bad_templates_get_a_clear_message_with_their_place() {
    let cases: &[(&str, &str, &str)] = &[
        ("bad-truncated.yaml", "line 7, column 1", "not valid YAML"),
        (
            "bad-unknown-type.yaml",
            "line 3, column 5",
            "AWS::AutoScaling::AutoScalingGrup is not an Auto Scaling resource type",
        ),
        (
            "bad-no-autoscaling.yaml",
            "line 2, column 1",
            "no Auto Scaling resource in this template",
        ),
        (
            "bad-unknown-type.tf",
            "line 1, column 1",
            "aws_autoscaling_grup is not an Auto Scaling resource type",
        ),
        ("bad-syntax.tf", "line 3, column 13", "not valid HCL"),
        (
            "bad-module.tf",
            "line 2, column 1",
            "module \"asg\" (terraform-aws-modules/autoscaling/aws) makes the Auto Scaling resources inside the module",
        ),
    ];
    for (file, at, message) in cases {
        let e = infer_named(Some(file), &input(file)).unwrap_err();
        assert_eq!(e.at, *at, "{file}: {e}");
        assert!(e.message.contains(message), "{file}: {e}");
    }
    // YAML that is no template, and binary-looking text, are refused, not guessed at.
    let e = infer("Foo:\n  Bar: 1\n").unwrap_err();
    assert!(
        e.message.contains("no `aws autoscaling ...` command"),
        "{e}"
    );
    let e = infer_named(Some("x.yaml"), "Foo:\n  Bar: 1\n").unwrap_err();
    assert!(e.message.contains("no CloudFormation template"), "{e}");
    let e = infer_named(Some("x.yaml"), "").unwrap_err();
    assert!(e.message.contains("empty"), "{e}");
    // Hostile nesting is refused with a place, not a stack overflow.
    let deep = format!(
        "resource \"aws_autoscaling_group\" \"x\" {{ a = {} }}",
        "[".repeat(100_000)
    );
    let e = infer_named(Some("x.tf"), &deep).unwrap_err();
    assert!(e.message.contains("nested deeper"), "{e}");
    let deep = format!("Resources:\n  A: {}", "[".repeat(100_000));
    let e = infer_named(Some("x.yaml"), &deep).unwrap_err();
    assert!(e.message.contains("nested deeper"), "{e}");
}

#[test]
fn the_corpus_has_at_least_forty_inputs() {
    let count = |dir: &str| {
        std::fs::read_dir(format!(
            "{}/tests/fixtures/{dir}",
            env!("CARGO_MANIFEST_DIR")
        ))
        .unwrap()
        .count()
    };
    let n = count("requests") + count("errors");
    assert!(n >= 40, "{n} inputs");
    // Every request input is read by a test here (the error corpus has its own test file).
    for e in std::fs::read_dir(format!(
        "{}/tests/fixtures/requests",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap()
    {
        let name = e.unwrap().file_name().to_string_lossy().into_owned();
        let covered = CORPUS.iter().any(|(f, ..)| *f == name)
            || TEMPLATES.iter().any(|(f, _)| *f == name)
            || name.starts_with("bad-")
            || name == "not-autoscaling.sh";
        assert!(covered, "{name} is in the corpus but no test reads it");
    }
}

#[test]
fn cli_reads_a_template_from_standard_input_and_checks_each_call() {
    use std::io::Write;
    let mut child = Command::new(env!("CARGO_BIN_EXE_asg-perms"))
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .args([
            "infer",
            "-",
            "--format",
            "json",
            "--policy",
            "tests/fixtures/managed/AutoScalingFullAccess.json",
        ])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(input("tf-launch-template.tf").as_bytes())
        .unwrap();
    let o = child.wait_with_output().unwrap();
    assert_eq!(o.status.code(), Some(1), "RunInstances is missing");
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let requests = v["requests"].as_array().unwrap();
    assert_eq!(requests.len(), 2);
    assert_eq!(requests[0]["resource"], "aws_autoscaling_group.app");
    assert_eq!(requests[1]["action"], "autoscaling:PutWarmPool");
    // The fix, in the layer that lacks it: ec2:RunInstances among the identity statements.
    let fix = &v["fix"][0];
    assert_eq!(fix["kind"], "identity");
    assert!(
        fix["statements"]["Statement"]
            .as_array()
            .unwrap()
            .iter()
            .any(|s| s["Action"] == "ec2:RunInstances"),
        "{fix}"
    );
    assert!(
        requests[0]["features"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f == "launch-template-ssm-parameter")
    );
    let o = Command::new(env!("CARGO_BIN_EXE_asg-perms"))
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .args(["infer", "tests/fixtures/requests/bad-truncated.yaml"])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("bad-truncated.yaml: line 7, column 1: not valid YAML"),
        "{err}"
    );
}
