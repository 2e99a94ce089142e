//! The real binary: every command, format and exit code.

#![allow(clippy::unwrap_used)] // Tests may unwrap: a panic is a failed test.

use std::io::Write as _;
use std::process::Stdio;

mod support;
use support::{bin, run, run_with_stdin, stderr, stdout};

#[path = "support/policies.rs"]
mod policies;

const FULL: &str = "tests/fixtures/managed/AutoScalingFullAccess.json";

#[test]
fn list_text_and_json() {
    let o = run(&["list"]);
    assert_eq!(o.status.code(), Some(0));
    let t = stdout(&o);
    assert!(t.contains("autoscaling:CreateAutoScalingGroup"));
    assert!(t.contains("launch-template-instance-profile"));
    let o = run(&["list", "--format", "json"]);
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    let n: usize = v["groups"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| g["actions"].as_array().unwrap().len())
        .sum();
    assert_eq!(n, 68);
}

#[test]
fn check_missing_exits_1_with_json_report() {
    let o = run(&[
        "check",
        "--policy",
        FULL,
        "--action",
        "CreateAutoScalingGroup",
        "--feature",
        "launch-template-instance-profile",
        "--format",
        "json",
    ]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    let a = &v["actions"][0];
    assert_eq!(a["action"], "autoscaling:CreateAutoScalingGroup");
    assert_eq!(a["status"], "missing");
    let reqs = a["requirements"].as_array().unwrap();
    let run_inst = reqs
        .iter()
        .find(|r| r["permission"] == "ec2:RunInstances")
        .unwrap();
    assert_eq!(run_inst["status"], "missing");
    assert_eq!(run_inst["needed"], true);
    let own = reqs
        .iter()
        .find(|r| r["permission"] == "autoscaling:CreateAutoScalingGroup")
        .unwrap();
    assert_eq!(own["decided_by"][0]["statement"], 0);
    assert!(
        run_inst["sources"][0]["url"]
            .as_str()
            .unwrap()
            .starts_with("https://docs.aws.amazon.com/")
    );
    let pass = reqs
        .iter()
        .find(|r| r["permission"] == "iam:PassRole" && r["needed"] == true)
        .unwrap();
    assert_eq!(
        pass["context"]["iam:PassedToService"][0],
        "ec2.amazonaws.com"
    );
    assert_eq!(v["summary"]["missing"], 2);
    assert_eq!(v["suggested_statements"]["Version"], "2012-10-17");
    assert_eq!(
        v["suggested_statements"]["Statement"]
            .as_array()
            .unwrap()
            .len(),
        2
    );
}

#[test]
fn check_satisfied_exits_0_and_accepts_any_spelling() {
    let o = run(&[
        "check",
        "--policy",
        FULL,
        "--action",
        "autoscaling:describeautoscalinggroups",
        "--action",
        "DeleteAutoScalingGroup",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let t = stdout(&o);
    assert!(t.contains("✔ satisfied"), "{t}");
    assert!(!t.contains("\x1b["), "no color when not a terminal");
}

#[test]
fn conditional_exits_0_unless_strict() {
    let args = [
        "check",
        "--policy",
        "tests/fixtures/least-privilege-asg.json",
        "--action",
        "CreateAutoScalingGroup",
        "--feature",
        "launch-template-instance-profile",
    ];
    let o = run(&args);
    assert_eq!(o.status.code(), Some(0), "{}{}", stdout(&o), stderr(&o));
    assert!(stdout(&o).contains("conditional"));
    let mut strict = args.to_vec();
    strict.push("--strict");
    assert_eq!(run(&strict).status.code(), Some(1));
    // Naming the role decides it.
    let mut known = args.to_vec();
    known.extend([
        "--role-arn",
        "arn:aws:iam::111122223333:role/app-web",
        "--strict",
    ]);
    assert_eq!(run(&known).status.code(), Some(0));
}

#[test]
fn markdown_report() {
    let o = run(&[
        "check",
        "--policy",
        FULL,
        "--action",
        "PutLifecycleHook",
        "--feature",
        "lifecycle-hook-role",
        "--format",
        "markdown",
    ]);
    assert_eq!(o.status.code(), Some(1));
    let md = stdout(&o);
    assert!(md.starts_with("## Auto Scaling permission review"));
    assert!(md.contains("| `iam:PassRole` | ✖ missing |"), "{md}");
    assert!(md.contains("```json"));
}

#[test]
fn explicit_deny_in_a_second_policy() {
    let o = run(&[
        "check",
        "--policy",
        "tests/fixtures/PowerUserAccess.json",
        "--policy",
        "tests/fixtures/deny-passrole.json",
        "--action",
        "PutLifecycleHook",
        "--feature",
        "lifecycle-hook-role",
        "--format",
        "json",
    ]);
    assert_eq!(o.status.code(), Some(1));
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    let pass = v["actions"][0]["requirements"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["permission"] == "iam:PassRole")
        .unwrap();
    assert_eq!(pass["decided_by"][0]["sid"], "NoPassRole");
    assert!(
        pass["explanation"]
            .as_str()
            .unwrap()
            .contains("explicitly denied")
    );
}

#[test]
fn boundary_and_scp_files() {
    let o = run(&[
        "check",
        "--policy",
        "tests/fixtures/PowerUserAccess.json",
        "--boundary",
        FULL,
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
    let o = run(&[
        "check",
        "--policy",
        FULL,
        "--scp",
        FULL,
        "--action",
        "DescribeTags",
    ]);
    assert_eq!(o.status.code(), Some(0));
}

#[test]
fn stdin_policy() {
    let mut child = bin()
        .args([
            "check",
            "--policy",
            "-",
            "--action",
            "DescribeTags",
            "--format",
            "json",
        ])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(
            std::fs::read(format!("{}/{FULL}", env!("CARGO_MANIFEST_DIR")))
                .unwrap()
                .as_slice(),
        )
        .unwrap();
    let o = child.wait_with_output().unwrap();
    assert_eq!(o.status.code(), Some(0));
}

#[test]
fn stdin_bare_url_encoded_policy() {
    let doc = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"autoscaling:Describe*","Resource":"*"}]}"#;
    let encoded: String = doc
        .bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect();
    let o = run_with_stdin(
        &["check", "--policy", "-", "--action", "DescribeTags"],
        encoded.as_bytes(),
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(stdout(&o).contains("✔ satisfied"), "{}", stdout(&o));
}

#[test]
fn bad_input_exits_2_with_file_line_column() {
    let o = run(&[
        "check",
        "--policy",
        "tests/fixtures/bad/missing-comma.json",
        "--action",
        "DescribeTags",
    ]);
    assert_eq!(o.status.code(), Some(2));
    let e = stderr(&o);
    assert!(
        e.contains("tests/fixtures/bad/missing-comma.json:4:51:"),
        "{e}"
    );
    assert!(e.contains("expected ',' or '}'"), "{e}");
    let o = run(&[
        "check",
        "--policy",
        "no/such/file.json",
        "--action",
        "DescribeTags",
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("cannot read the file"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn unknown_names_exit_2_with_suggestions() {
    let o = run(&[
        "check",
        "--policy",
        FULL,
        "--action",
        "CreateAutoScallingGroup",
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("did you mean CreateAutoScalingGroup"),
        "{}",
        stderr(&o)
    );
    let o = run(&[
        "generate",
        "--action",
        "CreateAutoScalingGroup",
        "--feature",
        "launch-templat",
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("did you mean launch-template"),
        "{}",
        stderr(&o)
    );
    let o = run(&["check", "--action", "X"]);
    assert_eq!(o.status.code(), Some(2), "clap usage error");
}

#[test]
fn generate_and_merge() {
    let o = run(&[
        "generate",
        "--action",
        "CreateLaunchConfiguration",
        "--feature",
        "launch-configuration-instance-profile",
        "--account",
        "111122223333",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    let s = v["Statement"].as_array().unwrap();
    assert!(
        s.iter()
            .any(|x| x["Sid"] == "AllowEc2DescribeForLaunchConfiguration"
                && x["Action"].as_array().unwrap().len() == 7)
    );
    assert!(
        s.iter()
            .any(|x| x["Resource"] == "arn:aws:iam::111122223333:role/*")
    );
    assert!(stdout(&o).find("\"Version\"").unwrap() < stdout(&o).find("\"Statement\"").unwrap());

    let o = run(&[
        "generate",
        "--action",
        "PutLifecycleHook",
        "--feature",
        "lifecycle-hook-role",
        "--merge-with",
        FULL,
    ]);
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(v["Statement"].as_array().unwrap().len(), 5 + 2);
}

#[test]
fn explain_for_learners() {
    let o = run(&[
        "explain",
        "--action",
        "createautoscalinggroup",
        "--feature",
        "kms-cmk-encrypted-volumes",
    ]);
    assert_eq!(o.status.code(), Some(0));
    let t = stdout(&o);
    assert!(t.contains("iam:CreateServiceLinkedRole"));
    assert!(t.contains("not needed now; needed with --feature default-slr-missing"));
    assert!(t.contains("kms:GrantIsForAWSResource"));
    assert!(t.contains("https://docs.aws.amazon.com/autoscaling/ec2/userguide/ec2-auto-scaling-api-permissions.html"));
}

#[test]
fn account_details_need_a_principal() {
    let dir = std::env::temp_dir().join(format!("asg-perms-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("gaad.json");
    std::fs::write(
        &path,
        r#"{"RoleDetailList":[{"RoleName":"deployer","Arn":"arn:aws:iam::1:role/deployer","RolePolicyList":[
        {"PolicyName":"p","PolicyDocument":{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"autoscaling:*","Resource":"*"}]}}],
        "AttachedManagedPolicies":[]}],"UserDetailList":[],"GroupDetailList":[],"Policies":[]}"#,
    )
    .unwrap();
    let p = path.to_str().unwrap();
    let o = run(&["check", "--policy", p, "--action", "DescribeTags"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("--principal"), "{}", stderr(&o));
    let o = run(&[
        "check",
        "--policy",
        p,
        "--principal",
        "deployer",
        "--action",
        "DescribeTags",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    std::fs::remove_dir_all(dir).ok();
}

#[test]
fn a_closed_stdout_ends_quietly_with_success() {
    // A pipe whose reading end is already closed: the first write fails with EPIPE.
    let (reader, writer) = std::io::pipe().unwrap();
    drop(reader);
    let o = bin()
        .arg("list")
        .stdout(Stdio::from(writer))
        .stderr(Stdio::piped())
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(stderr(&o), "");
}

#[test]
fn a_failing_writer_is_an_error_but_a_broken_pipe_is_not() {
    use asg_perms::cli::{Command as Cli, ExitCode, ListFormat, run_with};
    struct Failing(std::io::ErrorKind);
    impl std::io::Write for Failing {
        fn write(&mut self, _: &[u8]) -> std::io::Result<usize> {
            Err(self.0.into())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }
    let list = || Cli::List {
        format: ListFormat::Text,
    };
    let broken = run_with(list(), &mut Failing(std::io::ErrorKind::BrokenPipe));
    assert_eq!(broken, ExitCode::Success);
    let full = run_with(list(), &mut Failing(std::io::ErrorKind::StorageFull));
    assert_eq!(full, ExitCode::Error);
    assert_eq!(full.code(), 2);
    assert_eq!(ExitCode::Missing.code(), 1);
}

#[test]
fn each_role_flag_goes_to_its_own_pass_role() {
    // --role-arn is the instance role: a custom service-linked role is never given app-web.
    let o = run(&[
        "generate",
        "--action",
        "CreateAutoScalingGroup",
        "--feature",
        "custom-slr",
        "--role-arn",
        "arn:aws:iam::111122223333:role/app-web",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let t = stdout(&o);
    assert!(!t.contains("role/app-web"), "{t}");
    assert!(
        t.contains(
            "role/aws-service-role/autoscaling.amazonaws.com/AWSServiceRoleForAutoScaling_*"
        ),
        "{t}"
    );
    // The service-linked role flag takes a service-linked role, and says so otherwise.
    let o = run(&[
        "generate",
        "--action",
        "CreateAutoScalingGroup",
        "--feature",
        "custom-slr",
        "--service-linked-role-arn",
        "arn:aws:iam::111122223333:role/app-web",
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("aws-service-role/autoscaling.amazonaws.com/"),
        "{}",
        stderr(&o)
    );
    // Each role to its own statement, and the facts in the JSON report.
    let o = run(&[
        "check",
        "--policy",
        FULL,
        "--action",
        "CreateAutoScalingGroup",
        "--feature",
        "custom-slr",
        "--feature",
        "launch-template-instance-profile",
        "--instance-role-arn",
        "arn:aws:iam::111122223333:role/app-web",
        "--service-linked-role-arn",
        "arn:aws:iam::111122223333:role/aws-service-role/autoscaling.amazonaws.com/AWSServiceRoleForAutoScaling_web",
        "--partition",
        "aws",
        "--format",
        "json",
    ]);
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(
        v["facts"]["service_linked_role_arn"],
        "arn:aws:iam::111122223333:role/aws-service-role/autoscaling.amazonaws.com/AWSServiceRoleForAutoScaling_web"
    );
    assert_eq!(
        v["facts"]["instance_role_arn"],
        "arn:aws:iam::111122223333:role/app-web"
    );
    let passes: Vec<&serde_json::Value> = v["actions"][0]["requirements"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["permission"] == "iam:PassRole" && r["needed"] == true)
        .collect();
    assert_eq!(passes.len(), 2);
}

#[test]
fn generate_and_check_put_the_fix_in_the_layer_that_lacks_it() {
    let dir = std::env::temp_dir().join(format!("asg-perms-layers-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let identity = dir.join("identity.json");
    let boundary = dir.join("boundary.json");
    std::fs::write(&identity, r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["autoscaling:*","ec2:RunInstances"],"Resource":"*"}]}"#).unwrap();
    std::fs::write(&boundary, r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"autoscaling:*","Resource":"*"}]}"#).unwrap();
    let (identity, boundary) = (identity.to_str().unwrap(), boundary.to_str().unwrap());
    let args = |extra: &[&str]| {
        let mut a = vec![
            "generate",
            "--action",
            "CreateAutoScalingGroup",
            "--feature",
            "launch-template",
            "--policy",
            identity,
            "--boundary",
            boundary,
        ];
        a.extend_from_slice(extra);
        run(&a)
    };
    let o = args(&["--layer", "boundary"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(stdout(&o).contains("ec2:RunInstances"), "{}", stdout(&o));
    // The identity policy already allows it: nothing to add there, and a note names the boundary.
    let o = args(&[]);
    assert!(!stdout(&o).contains("ec2:RunInstances"), "{}", stdout(&o));
    assert!(stderr(&o).contains("--layer boundary"), "{}", stderr(&o));
    let o = args(&["--layer", "scp:0"]);
    assert_eq!(o.status.code(), Some(2));
    // The JSON report names the layer and carries its statements.
    let o = run(&[
        "check",
        "--policy",
        identity,
        "--boundary",
        boundary,
        "--action",
        "CreateAutoScalingGroup",
        "--feature",
        "launch-template",
        "--format",
        "json",
    ]);
    assert_eq!(o.status.code(), Some(1));
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    let layers = v["suggested_by_layer"].as_array().unwrap();
    let b = layers.iter().find(|l| l["kind"] == "boundary").unwrap();
    assert_eq!(b["layer"], "permissions boundary");
    assert!(b["statements"].to_string().contains("ec2:RunInstances"));
    let run_req = v["actions"][0]["requirements"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["permission"] == "ec2:RunInstances")
        .unwrap();
    assert!(
        run_req["explanation"]
            .as_str()
            .unwrap()
            .contains("permissions boundary")
    );
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn explain_shows_the_new_catalog_entries() {
    let o = run(&[
        "explain",
        "--action",
        "PutNotificationConfiguration",
        "--feature",
        "sns-topic-cmk-encrypted",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let t = stdout(&o);
    assert!(t.contains("KMS key policy"), "{t}");
    assert!(t.contains("kms:GenerateDataKey*"), "{t}");
    assert!(t.contains("sns-topic-cmk-encrypted"), "{t}");
    let o = run(&[
        "explain",
        "--action",
        "StartInstanceRefresh",
        "--feature",
        "launch-template-tags",
    ]);
    let t = stdout(&o);
    assert!(
        t.contains("ec2:CreateTags  [because launch-template-tags is on]"),
        "{t}"
    );
    let o = run(&[
        "generate",
        "--action",
        "CreateAutoScalingGroup",
        "--feature",
        "launch-template-console",
    ]);
    let t = stdout(&o);
    assert!(
        t.contains("ec2:DescribeLaunchTemplates")
            && t.contains("ec2:DescribeLaunchTemplateVersions"),
        "{t}"
    );
}

// ------------------------------------------------------------------
// simulate

#[test]
fn simulate_like_the_aws_cli_in_every_format() {
    let full = format!("file://{FULL}");
    let base = |extra: &[&str]| {
        let mut a = vec![
            "simulate",
            "--policy-input-list",
            full.as_str(),
            "--action-names",
            "autoscaling:CreateAutoScalingGroup",
            "iam:CreateServiceLinkedRole",
            "ec2:RunInstances",
            "--resource-arns",
            "*",
        ];
        a.extend_from_slice(extra);
        run(&a)
    };
    // Without the key, the SLR permission depends on it: conditional, naming the key.
    let o = base(&["--format", "json"]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    let r = v["results"].as_array().unwrap();
    assert_eq!(r.len(), 3);
    assert_eq!(r[0]["decision"], "allowed");
    assert_eq!(r[1]["decision"], "conditional");
    assert_eq!(r[1]["depends_on"][0], "iam:AWSServiceName");
    assert_eq!(r[2]["decision"], "implicitDeny");
    assert_eq!(r[2]["denied_in"], "identity policies");
    // With the key given in the AWS CLI's shorthand, decided.
    let o = base(&[
        "--context-entries",
        "ContextKeyName=iam:AWSServiceName,ContextKeyValues=autoscaling.amazonaws.com,ContextKeyType=string",
        "--format",
        "json",
    ]);
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(v["results"][1]["decision"], "allowed");
    // --assume-absent, as AWS's simulator: absent key, so denied.
    let o = base(&["--assume-absent", "--format", "json"]);
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(v["results"][1]["decision"], "implicitDeny");
    // Text and Markdown.
    let t = stdout(&base(&[]));
    assert!(
        t.contains("✔ allowed  autoscaling:CreateAutoScalingGroup on *"),
        "{t}"
    );
    assert!(
        t.contains("implicitly denied (no Allow in the identity policies)  ec2:RunInstances"),
        "{t}"
    );
    let md = stdout(&base(&["--format", "markdown"]));
    assert!(
        md.starts_with("| Action | Resource | Decision | Why |"),
        "{md}"
    );
    assert!(
        md.contains("| `ec2:RunInstances` | `*` | ✖ implicitly denied"),
        "{md}"
    );
}

#[test]
fn simulate_context_entries_are_checked_for_their_type() {
    let full = format!("file://{FULL}");
    let sim = |entry: &str| {
        run(&[
            "simulate",
            "--policy",
            &full,
            "--action-names",
            "autoscaling:DescribeTags",
            "--context-entries",
            entry,
        ])
    };
    for (entry, why) in [
        (
            "ContextKeyName=aws:MultiFactorAuthPresent,ContextKeyValues=maybe,ContextKeyType=boolean",
            "not a boolean",
        ),
        (
            "ContextKeyName=autoscaling:MaxSize,ContextKeyValues=ten,ContextKeyType=numeric",
            "not a numeric",
        ),
        (
            "ContextKeyName=aws:SourceIp,ContextKeyValues=999.1.1.1,ContextKeyType=ip",
            "not a ip",
        ),
        (
            "ContextKeyName=aws:CurrentTime,ContextKeyValues=yesterday,ContextKeyType=date",
            "not a date",
        ),
        (
            "ContextKeyName=aws:TagKeys,ContextKeyValues=a,b,ContextKeyType=string",
            "exactly one value",
        ),
        (
            "ContextKeyName=k,ContextKeyValues=a,ContextKeyType=text",
            "is not one of",
        ),
        ("ContextKeyValues=a", "no ContextKeyName"),
    ] {
        let o = sim(entry);
        assert_eq!(o.status.code(), Some(2), "{entry}");
        assert!(stderr(&o).contains(why), "{entry}: {}", stderr(&o));
    }
    // Lists, in shorthand with brackets and as JSON.
    for entry in [
        "ContextKeyName=aws:TagKeys,ContextKeyValues=[a,b],ContextKeyType=stringList",
        r#"[{"ContextKeyName":"aws:TagKeys","ContextKeyValues":["a","b"],"ContextKeyType":"stringList"}]"#,
        "ContextKeyName=aws:CurrentTime,ContextKeyValues=2026-11-25T10:00:00Z,ContextKeyType=date",
    ] {
        assert_eq!(
            sim(entry).status.code(),
            Some(0),
            "{entry}: {}",
            stderr(&sim(entry))
        );
    }
}

#[test]
fn simulate_batch_one_result_a_line_in_order() {
    let dir = std::env::temp_dir().join(format!("asg-perms-batch-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let requests = dir.join("requests.jsonl");
    std::fs::write(
        &requests,
        concat!(
            r#"{"action":"iam:CreateServiceLinkedRole","resource":"*","context":{"iam:AWSServiceName":["autoscaling.amazonaws.com"]}}"#, "\n",
            r#"{"action":"iam:CreateServiceLinkedRole","context":{"iam:AWSServiceName":null}}"#, "\n",
            "\n",
            r#"{"action":"autoscaling:DescribeTags"}"#, "\n",
        ),
    )
    .unwrap();
    let o = run(&[
        "simulate",
        "--policy",
        FULL,
        "--requests",
        requests.to_str().unwrap(),
    ]);
    let lines: Vec<serde_json::Value> = stdout(&o)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 3);
    assert_eq!(lines[0]["decision"], "allowed");
    assert_eq!(lines[1]["decision"], "implicitDeny");
    assert_eq!(lines[2]["decision"], "allowed");
    assert_eq!(lines[2]["resource"], "*");
    assert_eq!(o.status.code(), Some(1), "one request is denied");
    // A line that cannot be read gets an error in its place, and the command exits 2.
    std::fs::write(
        &requests,
        "{\"action\":\"autoscaling:DescribeTags\"}\n{\"resource\":\"*\"}\n",
    )
    .unwrap();
    let o = run(&[
        "simulate",
        "--policy",
        FULL,
        "--requests",
        requests.to_str().unwrap(),
    ]);
    let lines: Vec<serde_json::Value> = stdout(&o)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines[0]["decision"], "allowed");
    assert_eq!(lines[1]["line"], 2);
    assert!(lines[1]["error"].as_str().unwrap().contains("\"action\""));
    assert_eq!(o.status.code(), Some(2));
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn did_you_mean_ranks_by_meaning_and_knows_permissions_from_actions() {
    let check = |action: &str, feature: Option<&str>| {
        let mut args = vec!["check", "--policy", FULL, "--action", action];
        if let Some(f) = feature {
            args.extend(["--feature", f]);
        }
        let o = run(&args);
        assert_eq!(o.status.code(), Some(2));
        stderr(&o)
    };
    // A word of the feature finds every feature with that word, and nothing else.
    let e = check("CreateAutoScalingGroup", Some("instance-profile"));
    assert!(
        e.contains(
            "did you mean launch-template-instance-profile, launch-configuration-instance-profile?"
        ),
        "{e}"
    );
    let e = check("CreateAutoScalingGroup", Some("kms"));
    assert!(e.contains("did you mean kms-cmk-encrypted-volumes?"), "{e}");
    // A permission of another service is named as what it is.
    let e = check("ec2:RunInstances", None);
    assert!(
        e.contains("ec2:RunInstances is not an Auto Scaling action: it is a permission that CreateAutoScalingGroup and"),
        "{e}"
    );
    assert!(!e.contains("LaunchInstances"), "{e}");
    // Nothing typed: the whole list, not three random names.
    let e = check("", None);
    assert!(
        e.contains("no action given; the actions are: CreateAutoScalingGroup,"),
        "{e}"
    );
    assert!(e.contains("PutAccountSetting"), "{e}");
    // Nothing close: no guess.
    let e = check("Lorem", None);
    assert!(
        e.contains("unknown action \"Lorem\"") && !e.contains("did you mean"),
        "{e}"
    );
}

#[test]
fn check_help_lists_exit_codes_and_feature_ids() {
    let o = run(&["check", "--help"]);
    assert_eq!(o.status.code(), Some(0));
    let h = stdout(&o);
    assert!(h.contains("Exit codes:"), "{h}");
    assert!(h.contains("  2  bad usage"), "{h}");
    for f in [
        "launch-template-instance-profile",
        "vpc-lattice-attach",
        "sns-topic-cmk-encrypted",
    ] {
        assert!(h.contains(f), "{f} missing from check --help");
    }
    let g = stdout(&run(&["generate", "--help"]));
    assert!(g.contains("kms-cmk-encrypted-volumes"));
}

#[test]
fn list_columns_align_for_long_names() {
    let t = stdout(&run(&["list"]));
    // The access level starts in the same column on every action line.
    let columns: std::collections::BTreeSet<usize> = t
        .lines()
        .filter(|l| l.starts_with("  autoscaling:"))
        .map(|l| {
            let name_end = l[2..].find(' ').unwrap() + 2;
            name_end + l[name_end..].find(|c: char| c != ' ').unwrap()
        })
        .collect();
    assert_eq!(columns.len(), 1, "{columns:?}");
    // The number of permissions from other services is the one the app's tree shows.
    assert!(t.contains("+8 from other services"), "{t}");
}

#[test]
#[cfg(feature = "clipboard")] // Without it, --copy says the build has no clipboard.
fn generate_copy_without_a_clipboard_says_so_and_still_prints() {
    let o = bin()
        .args(["generate", "--action", "CreateAutoScalingGroup", "--copy"])
        .env_remove("DISPLAY")
        .env_remove("WAYLAND_DISPLAY")
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    let e = stderr(&o);
    assert!(
        e.contains("could not copy: no clipboard is available here (neither DISPLAY nor WAYLAND_DISPLAY is set)"),
        "{e}"
    );
    assert!(e.contains("redirect them to a file"), "{e}");
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(v["Version"], "2012-10-17");
}

/// A policy that warns on each of its thousands of statements: `check` prints the first 20
/// warnings and counts the rest (`lint` lists them all).
#[test]
fn check_prints_a_few_warnings_and_counts_the_rest() {
    let o = run_with_stdin(
        &["check", "--policy", "-", "--action", "DescribeTags"],
        policies::warned_policy(2_500).as_bytes(),
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let err = stderr(&o);
    let lines: Vec<&str> = err.lines().collect();
    assert_eq!(lines.len(), 21, "{err}");
    assert!(lines[0].contains(":1:") && lines[0].contains("multivalued key"));
    assert!(
        lines[20].ends_with("and 2,480 more warnings (`asg-perms lint` lists every one)"),
        "{}",
        lines[20]
    );
    // lint lists each one, and counts them with a thousands separator.
    let o = run_with_stdin(&["lint", "-"], policies::warned_policy(2_500).as_bytes());
    let out = stdout(&o);
    assert_eq!(out.matches("warning[policy-warning]").count(), 2_500);
    assert!(
        out.contains("0 error(s), 2,500 warning(s), 0 note(s)"),
        "{out}"
    );
}
