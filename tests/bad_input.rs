//! A corpus of bad input, run through the library, the command line and the app. Each case
//! must give a clear error with a place (or a correct result), never a panic; the CLI exits
//! 2 naming `file:line:column`; the app shows the message and keeps the previous policy.

#![allow(clippy::unwrap_used)] // Tests may unwrap: a panic is a failed test.

use std::path::{Path, PathBuf};
use std::process::Command as Process;
use std::time::{Duration, Instant};

#[cfg(feature = "gui")]
use asg_perms::app::ExplorerApp;
use asg_perms::{Loaded, load_file};
#[cfg(feature = "gui")]
use egui_kittest::Harness;

#[cfg(feature = "gui")]
mod common;
#[cfg(feature = "gui")]
use common::load;

/// What a case should produce.
enum Expect {
    /// An error whose message contains this, at this line (0: no line).
    Error(&'static str, usize),
    /// Loads fine.
    Ok,
}

// A table of inputs, one entry each.
#[allow(clippy::too_many_lines)]
fn corpus(dir: &Path) -> Vec<(&'static str, PathBuf, Expect)> {
    let mut cases = Vec::new();
    let mut add = |name: &'static str, bytes: Vec<u8>, expect: Expect| {
        let p = dir.join(name);
        std::fs::write(&p, bytes).unwrap();
        cases.push((name, p, expect));
    };
    let good = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"autoscaling:*","Resource":"*"}]}"#;
    add(
        "truncated.json",
        good.as_bytes()[..good.len() / 2].to_vec(),
        Expect::Error("never closed", 1),
    );
    add(
        "deep.json",
        ("[".repeat(10_000) + &"]".repeat(10_000)).into_bytes(),
        Expect::Error("nesting deeper", 1),
    );
    add(
        "binary.bin",
        vec![0x7f, b'E', b'L', b'F', 0, 1, 2, 3],
        Expect::Error("binary", 1),
    );
    add(
        "latin1.json",
        b"{\"Statement\": [\n{\"Sid\": \"caf\xe9\"}]}".to_vec(),
        Expect::Error("not UTF-8", 2),
    );
    add("empty.json", Vec::new(), Expect::Error("empty", 1));
    add(
        "array.json",
        b"[{\"Effect\":\"Allow\"}]".to_vec(),
        Expect::Error("found an array at the top level", 1),
    );
    add(
        "string.json",
        b"\"hello\"".to_vec(),
        Expect::Error("not valid JSON", 1),
    );
    add(
        "number.json",
        b"42".to_vec(),
        Expect::Error("found a number at the top level", 1),
    );
    add(
        "bad-url.json",
        br#"{"PolicyVersion":{"Document":"%7B%22Version%ZZ"}}"#.to_vec(),
        Expect::Error("invalid URL encoding", 1),
    );
    add(
        "dangling.json",
        br#"{"RoleDetailList":[{"RoleName":"r","Arn":"arn:aws:iam::1:role/r","RolePolicyList":[],
        "AttachedManagedPolicies":[{"PolicyName":"x","PolicyArn":"arn:aws:iam::1:policy/x"}]}],"Policies":[]}"#
            .to_vec(),
        Expect::Ok,
    );
    add(
        "unknown-operator.json",
        br#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*","Condition":{"StringLooksLike":{"a:b":"c"}}}]}"#.to_vec(),
        Expect::Ok,
    );
    // Wrong types in every field.
    let wrong: [(&'static str, &str, &'static str); 12] = [
        (
            "wrong-version.json",
            r#"{"Version":2012,"Statement":[]}"#,
            "Version must be a string",
        ),
        (
            "wrong-statement.json",
            r#"{"Statement":"Allow"}"#,
            "Statement must be an object or an array",
        ),
        (
            "wrong-statement-item.json",
            r#"{"Statement":[1]}"#,
            "statement 1 must be an object",
        ),
        (
            "wrong-sid.json",
            r#"{"Statement":[{"Sid":1,"Effect":"Allow","Action":"*","Resource":"*"}]}"#,
            "Sid must be a string",
        ),
        (
            "wrong-effect.json",
            r#"{"Statement":[{"Effect":true,"Action":"*","Resource":"*"}]}"#,
            "Effect must be a string",
        ),
        (
            "wrong-action.json",
            r#"{"Statement":[{"Effect":"Allow","Action":{"a":1},"Resource":"*"}]}"#,
            "Action must be a string or an array",
        ),
        (
            "wrong-action-item.json",
            r#"{"Statement":[{"Effect":"Allow","Action":["a:b",null],"Resource":"*"}]}"#,
            "Action entries must be strings",
        ),
        (
            "wrong-resource.json",
            r#"{"Statement":[{"Effect":"Allow","Action":"*","Resource":5}]}"#,
            "Resource must be a string or an array",
        ),
        (
            "wrong-condition.json",
            r#"{"Statement":[{"Effect":"Allow","Action":"*","Resource":"*","Condition":[]}]}"#,
            "Condition must be an object",
        ),
        (
            "wrong-condition-op.json",
            r#"{"Statement":[{"Effect":"Allow","Action":"*","Resource":"*","Condition":{"StringEquals":"x"}}]}"#,
            "must be an object of keys",
        ),
        (
            "wrong-condition-value.json",
            r#"{"Statement":[{"Effect":"Allow","Action":"*","Resource":"*","Condition":{"StringEquals":{"a:b":[null]}}}]}"#,
            "condition values must be",
        ),
        (
            "wrong-gaad-list.json",
            r#"{"RoleDetailList":{"RoleName":"r"}}"#,
            "RoleDetailList must be an array",
        ),
    ];
    for (name, text, msg) in wrong {
        add(name, text.as_bytes().to_vec(), Expect::Error(msg, 1));
    }
    // 10,000 statements: a correct result, not an error.
    let mut many = String::from("{\"Version\":\"2012-10-17\",\"Statement\":[");
    for i in 0..10_000 {
        if i > 0 {
            many.push(',');
        }
        many.push_str(&format!(r#"{{"Sid":"S{i}","Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::b{i}/*"}}"#));
    }
    many.push_str("]}");
    add("many-statements.json", many.into_bytes(), Expect::Ok);
    cases
}

fn tempdir(tag: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("asg-perms-bad-{tag}-{}", std::process::id()));
    std::fs::create_dir_all(&d).unwrap();
    d
}

#[test]
fn library_gives_clear_errors_with_a_place() {
    let dir = tempdir("lib");
    for (name, path, expect) in corpus(&dir) {
        let result = load_file(&path);
        match (expect, result) {
            (Expect::Error(msg, line), Err(e)) => {
                assert!(e.message().contains(msg), "{name}: {e}");
                assert_eq!(e.location().line, line, "{name}: {e}");
                assert!(
                    e.to_string().contains(name),
                    "{name}: the message names the file: {e}"
                );
            }
            (Expect::Ok, Ok(_)) => {}
            (Expect::Error(msg, _), Ok(_)) => {
                panic!("{name}: expected an error containing {msg:?}")
            }
            (Expect::Ok, Err(e)) => panic!("{name}: unexpected error {e}"),
        }
    }
    std::fs::remove_dir_all(dir).ok();
}

#[test]
fn huge_file_is_refused_quickly_by_size() {
    let dir = tempdir("huge");
    let path = dir.join("huge.json");
    let f = std::fs::File::create(&path).unwrap();
    // Over the 1 GiB limit, sparse: no time spent writing it.
    f.set_len(asg_perms::MAX_INPUT_BYTES + 100 * 1024 * 1024)
        .unwrap();
    let start = Instant::now();
    let err = load_file(&path).unwrap_err();
    assert!(
        start.elapsed() < Duration::from_secs(1),
        "refused from its size, without reading it"
    );
    assert!(err.message().contains("(1124 MB)"), "{err}");
    let out = Process::new(env!("CARGO_BIN_EXE_asg-perms"))
        .args([
            "check",
            "--policy",
            path.to_str().unwrap(),
            "--action",
            "DescribeTags",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("(1124 MB)"));
    std::fs::remove_dir_all(dir).ok();
}

#[test]
fn cli_exits_2_with_file_line_column() {
    let dir = tempdir("cli");
    for (name, path, expect) in corpus(&dir) {
        let p = path.to_str().unwrap();
        let mut args = vec![
            "check",
            "--policy",
            p,
            "--action",
            "DescribeTags",
            "--format",
            "json",
        ];
        if name == "dangling.json" {
            args.extend(["--principal", "r"]);
        }
        let out = Process::new(env!("CARGO_BIN_EXE_asg-perms"))
            .args(&args)
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        match (name, expect) {
            // A principal whose attached policy is missing cannot be evaluated honestly.
            ("dangling.json", _) => {
                assert_eq!(out.status.code(), Some(2), "{name}: {stderr}");
                assert!(stderr.contains("arn:aws:iam::1:policy/x"), "{stderr}");
            }
            (_, Expect::Error(msg, line)) => {
                assert_eq!(out.status.code(), Some(2), "{name}: {stderr}");
                assert!(stderr.contains(&format!("{p}:{line}:")), "{name}: {stderr}");
                assert!(stderr.contains(msg), "{name}: {stderr}");
                assert!(!stderr.contains("panicked"), "{name}: {stderr}");
            }
            (_, Expect::Ok) => {
                // Allowed by "*" with an unknown operator: conditional (exit 0), or
                // missing for the 10,000 s3 statements (exit 1). Never a crash.
                assert!(matches!(out.status.code(), Some(0 | 1)), "{name}: {stderr}");
                let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
                let status = v["actions"][0]["status"].as_str().unwrap().to_owned();
                let want = if name == "many-statements.json" {
                    "missing"
                } else {
                    "conditional"
                };
                assert_eq!(status, want, "{name}");
            }
        }
    }
    std::fs::remove_dir_all(dir).ok();
}

#[cfg(feature = "gui")]
#[test]
fn app_shows_the_error_and_keeps_the_previous_policy() {
    let dir = tempdir("app");
    let mut h = Harness::builder()
        .with_size(egui::vec2(1280.0, 800.0))
        .build_ui_state(
            |ui, app: &mut ExplorerApp| app.ui(ui),
            ExplorerApp::default(),
        );
    let good = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/managed/AutoScalingFullAccess.json");
    for (name, path, expect) in corpus(&dir) {
        load(&mut h, good.clone());
        assert_eq!(h.state().policies.identity.len(), 1);
        load(&mut h, path);
        let notice = h.state().notice.clone().unwrap();
        match expect {
            Expect::Error(msg, line) => {
                assert!(notice.error, "{name}: {notice:?}");
                assert!(notice.text.contains(msg), "{name}: {}", notice.text);
                assert!(
                    notice.text.contains(&format!("{name}:{line}:")),
                    "{name}: {}",
                    notice.text
                );
                assert!(
                    notice.text.contains("previous policy is still loaded"),
                    "{name}"
                );
                assert_eq!(
                    h.state().policies.identity[0].name,
                    "AutoScalingFullAccess.json",
                    "{name}"
                );
            }
            Expect::Ok => assert!(!notice.error, "{name}: {notice:?}"),
        }
    }
    std::fs::remove_dir_all(dir).ok();
}

#[test]
fn dangling_policy_is_reported_when_evaluating_as_that_role() {
    let dir = tempdir("dangling");
    let cases = corpus(&dir);
    let (_, path, _) = cases
        .iter()
        .find(|(n, _, _)| *n == "dangling.json")
        .unwrap();
    let Loaded::Account(acc) = load_file(path).unwrap() else {
        panic!()
    };
    let err = acc.policy_set("dangling.json", "r").unwrap_err();
    assert!(
        err.message().contains("arn:aws:iam::1:policy/x")
            && err.message().contains("does not contain"),
        "{err}"
    );
    std::fs::remove_dir_all(dir).ok();
}

/// Found by review before fuzzing: a multi-byte character straddling the `ForAllValues:`
/// prefix used to panic when slicing the operator name.
#[test]
fn regression_multibyte_operator_name() {
    for op in [
        "ForAllValues\u{e9}StringEquals",
        "ForAnyValue\u{e9}StringLike",
    ] {
        let text = format!(
            r#"{{"Version":"2012-10-17","Statement":[{{"Effect":"Allow","Action":"*","Resource":"*","Condition":{{"{op}":{{"a:b":"c"}}}}}}]}}"#
        );
        let Ok(Loaded::Policy(p, _)) = asg_perms::load_text("p.json", &text) else {
            panic!("{op}")
        };
        assert!(
            p.warnings
                .iter()
                .any(|w| w.message.contains("unknown condition operator")),
            "{op}"
        );
    }
}
