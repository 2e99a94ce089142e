//! No input can hang the tool, blow up its work, crash it or be misreported. Every hostile
//! input is generated here; the cost of pattern matching is counted (automaton steps), not
//! timed.

#![allow(clippy::unwrap_used)] // Tests may unwrap: a panic is a failed test.

use std::process::{Command, Output, Stdio};

use asg_perms::{
    ArnHeads, Context, Facts, LoadError, Loaded, Policy, PolicySet, Request, Status, Template, Tri,
    check, evaluate, load_bytes, load_text, pattern_work,
};

fn policy(text: &str) -> Policy {
    match load_text("hostile.json", text).unwrap() {
        Loaded::Policy(p, _) => p,
        Loaded::Account(_) => panic!("not a policy"),
    }
}

fn allow_on(resource: &str) -> String {
    format!(
        r#"{{"Version":"2012-10-17","Statement":[{{"Effect":"Allow","Action":"autoscaling:*","Resource":{}}}]}}"#,
        serde_json::Value::String(resource.to_owned())
    )
}

/// Checks `CreateAutoScalingGroup` against a policy; returns its status and the matching work.
fn checked_with_work(p: Policy) -> (Status, u64) {
    let before = pattern_work();
    let set = PolicySet::single(p);
    let c = check("CreateAutoScalingGroup", &[], &Facts::default(), &set).unwrap();
    (c.status, pattern_work() - before)
}

const WORK_BOUND: u64 = 20_000_000;

#[test]
fn an_exponential_pattern_is_bounded_and_stays_sound() {
    // `*a` followed by k `?`: the subset construction has 2^k states.
    for k in [12, 14, 16, 18, 24] {
        let resource = format!(
            "arn:aws:autoscaling:*:*:autoScalingGroup:*a{}",
            "?".repeat(k)
        );
        let (status, work) = checked_with_work(policy(&allow_on(&resource)));
        assert!(work < WORK_BOUND, "k = {k}: {work} steps");
        // Only some group names end like that: never "satisfied".
        assert_ne!(status, Status::Satisfied, "k = {k}");
    }
}

#[test]
fn long_literal_and_wildcard_resources_are_linear() {
    for n in [1_000, 10_000, 100_000] {
        let literal = format!(
            "arn:aws:autoscaling:us-east-1:111122223333:autoScalingGroup:{}:autoScalingGroupName/web",
            "x".repeat(n)
        );
        let (status, work) = checked_with_work(policy(&allow_on(&literal)));
        assert!(work < WORK_BOUND, "literal of {n}: {work}");
        assert_eq!(status, Status::Conditional, "one group id among all");
    }
    let stars = format!(
        "arn:aws:autoscaling:*:*:autoScalingGroup:{}",
        "*?".repeat(500)
    );
    let (_, work) = checked_with_work(policy(&allow_on(&stars)));
    assert!(work < WORK_BOUND, "*? x 500: {work}");
    // A megabyte-long resource.
    let huge = format!("arn:aws:autoscaling:*:*:{}", "a*".repeat(500_000));
    let (status, work) = checked_with_work(policy(&allow_on(&huge)));
    assert!(work < WORK_BOUND, "1 MB resource: {work}");
    assert_ne!(status, Status::Satisfied);
}

#[test]
fn nested_variable_markers_are_bounded() {
    let resource = format!("{}{}", "${".repeat(100_000), "}".repeat(100_000));
    let text = allow_on(&resource);
    match load_text("vars.json", &text) {
        Ok(Loaded::Policy(p, _)) => {
            let (status, work) = checked_with_work(p);
            assert!(work < WORK_BOUND, "{work}");
            assert_ne!(status, Status::Satisfied);
        }
        Ok(Loaded::Account(_)) => panic!("not an account"),
        // Refused with a message is fine too.
        Err(e) => assert!(!e.message().is_empty()),
    }
}

#[test]
fn many_condition_keys_and_object_members_are_linear() {
    let keys: Vec<String> = (0..100_000).map(|i| format!(r#""k:{i}":"v""#)).collect();
    let text = format!(
        r#"{{"Version":"2012-10-17","Statement":[{{"Effect":"Allow","Action":"autoscaling:*","Resource":"*","Condition":{{"StringEquals":{{{}}}}}}}]}}"#,
        keys.join(",")
    );
    let p = policy(&text);
    assert_eq!(p.statements[0].conditions.len(), 100_000);
    let req = Request {
        action: "autoscaling:CreateAutoScalingGroup".into(),
        resources: vec![Template::parse("*")],
        context: Context::default(),
    };
    assert_eq!(
        evaluate(&PolicySet::single(p), &req).status,
        Status::Conditional
    );
    // The duplicate check still finds a duplicate among many members.
    let mut dup = keys.clone();
    dup.push(r#""k:7":"w""#.into());
    let text = format!(
        r#"{{"Statement":{{"Condition":{{"StringEquals":{{{}}}}}}}}}"#,
        dup.join(",")
    );
    let err = load_text("dup.json", &text).unwrap_err();
    assert!(err.message().contains("duplicate member \"k:7\""), "{err}");
}

#[test]
fn answers_share_the_keys_they_depend_on_and_they_are_sorted_once() {
    // Before: every answer sorted the keys it depended on and copied each one: `diff` of two
    // policies of 100,000 keys that differed in every action took 3.1 s, most of it sorting
    // and copying the same keys again for each of its answers.
    // Short keys (kept in place) and long ones (shared).
    let keys: Vec<String> = (0..2_500)
        .rev()
        .map(|i| match i % 2 {
            0 => format!(r#""aws:RequestTag/k{i}":"v""#),
            _ => format!(r#""aws:RequestTag/a-longer-tag-name-{i}":"v""#),
        })
        .collect();
    let text = format!(
        r#"{{"Version":"2012-10-17","Statement":[{{"Effect":"Allow","Action":"autoscaling:*","Resource":"*","Condition":{{"StringEquals":{{{k}}},"StringLike":{{{k}}}}}}}]}}"#,
        k = keys.join(",")
    );
    let p = policy(&text);
    let st = &p.statements[0];
    assert_eq!(st.conditions.len(), 5_000);
    // The order of the keys is worked out once, when the policy is read.
    let order = st.key_order();
    assert_eq!(order.len(), 5_000);
    let mut seen = vec![false; 5_000];
    for &i in order {
        assert!(!std::mem::replace(&mut seen[i as usize], true));
    }
    let key = |i: u32| &st.conditions[i as usize].key;
    assert!(order.windows(2).all(|w| key(w[0]) <= key(w[1])));
    let set = PolicySet::single(p.clone());
    let req = Request {
        action: "autoscaling:CreateAutoScalingGroup".into(),
        resources: vec![Template::parse("*")],
        context: Context::default(),
    };
    let d = evaluate(&set, &req);
    assert_eq!(d.status, Status::Conditional);
    // Every key once, sorted, and each the policy's own text, not a copy: a long key is
    // shared, a short one is kept in place (no allocation either way).
    let mut expected: Vec<&str> = st.conditions.iter().map(|c| &*c.key).collect();
    expected.sort_unstable();
    expected.dedup();
    let listed: Vec<&str> = d.depends_on.iter().map(|k| &**k).collect();
    assert_eq!(listed, expected);
    let own: std::collections::HashMap<&str, &smol_str::SmolStr> =
        st.conditions.iter().map(|c| (&*c.key, &c.key)).collect();
    let long = d.depends_on.iter().filter(|k| k.len() > 23).count();
    assert_eq!(long, 1_250);
    assert!(d.depends_on.iter().all(|k| {
        let mine = own[&**k];
        if k.len() > 23 {
            mine.is_heap_allocated() && k.as_ptr() == mine.as_ptr()
        } else {
            !mine.is_heap_allocated() && !k.is_heap_allocated()
        }
    }));
    // Another answer that rests on the same keys shares the list (the app holds an answer
    // for every action: 68 copies of 100,000 keys took 110 MB).
    let other = Request {
        action: "autoscaling:DeleteAutoScalingGroup".into(),
        ..req
    };
    let e = evaluate(&set, &other);
    assert_eq!(e.status, Status::Conditional);
    assert!(d.depends_on.shares_keys_with(&e.depends_on));
}

#[test]
fn answers_that_take_turns_between_lists_of_keys_share_each() {
    // Before: only the last long list was remembered. A refresh's requirements rest on the
    // same keys with one unknown part or another (`{account}` and `{instance_role}`, then
    // `{account}` and `{hook_role}`, ...), in turn, and each turn made a list of its own:
    // `check` of 100,000 roles named by tags held seven lists of 100,000 keys for three
    // different ones (16.8 MB); then three, one for each unknown part, which the list held
    // with the keys (7.2 MB). The parts are kept apart now, and the keys are one list.
    let keys: Vec<String> = (0..200)
        .map(|i| format!(r#""aws:RequestTag/k{i}":"v""#))
        .collect();
    let text = format!(
        r#"{{"Version":"2012-10-17","Statement":[{{"Effect":"Allow","Action":"iam:PassRole","Resource":"arn:aws:iam::*:role/x*","Condition":{{"StringEquals":{{{}}}}}}}]}}"#,
        keys.join(",")
    );
    let set = PolicySet::single(policy(&text));
    let ask = |role: &str| {
        evaluate(
            &set,
            &Request {
                action: "iam:PassRole".into(),
                resources: vec![Template::parse(&format!("arn:aws:iam::1:role/{{{role}}}"))],
                context: Context::default(),
            },
        )
    };
    let roles = ["a", "b", "c"];
    let first: Vec<_> = roles.iter().map(|r| ask(r)).collect();
    for (d, role) in first.iter().zip(roles) {
        assert_eq!(d.status, Status::Conditional);
        assert_eq!(d.depends_on.len(), 201);
        assert_eq!(
            d.depends_on.iter().nth(200).unwrap(),
            &format!("{{{role}}}")
        );
        assert!(d.depends_on.shares_keys_with(&first[0].depends_on));
    }
    // Asked in turn again: the keys are the list made first.
    for _ in 0..2 {
        for (d, role) in first.iter().zip(roles) {
            let again = ask(role);
            assert_eq!(again.depends_on, d.depends_on);
            assert!(d.depends_on.shares_keys_with(&again.depends_on));
        }
    }
}

#[test]
fn many_warnings_get_their_lines_without_rescanning() {
    let statements: Vec<String> = (0..20_000)
        .map(|_| r#"{"Effect":"Allow","Action":"*:Get","Resource":"*"}"#.to_owned())
        .collect();
    let text = format!("{{\"Statement\":[\n{}\n]}}", statements.join(",\n"));
    let p = policy(&text);
    // One warning for the missing Version, one per statement.
    assert_eq!(p.warnings.len(), 20_001);
    let last = p.warnings.last().unwrap();
    assert_eq!(last.line, 20_001, "{}", last.message);
}

// ------------------------------------------------------------------
// The command line: what is not a file, a failing standard error.

fn bin() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_asg-perms"));
    c.env("NO_COLOR", "1");
    c
}

fn check_file(path: &str) -> Output {
    bin()
        .args([
            "check",
            "--policy",
            path,
            "--action",
            "CreateAutoScalingGroup",
        ])
        .stdin(Stdio::null())
        .output()
        .unwrap()
}

#[test]
fn devices_and_pipes_are_refused_without_reading_them() {
    let o = check_file("/dev/zero");
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("not a regular file"));
    let dir = std::env::temp_dir().join(format!("asg-perms-fifo-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let fifo = dir.join("policy.json");
    let made = Command::new("mkfifo").arg(&fifo).status().unwrap();
    assert!(made.success());
    // No writer: opening it would block forever.
    let o = check_file(fifo.to_str().unwrap());
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("not a regular file"));
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn a_failing_standard_error_is_not_a_panic() {
    let full = std::fs::OpenOptions::new()
        .write(true)
        .open("/dev/full")
        .unwrap();
    let o = bin()
        .args([
            "check",
            "--policy",
            "/nonexistent",
            "--action",
            "CreateAutoScalingGroup",
        ])
        .stderr(Stdio::from(full))
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2), "exit 101 would be a panic");
}

// ------------------------------------------------------------------
// Clearer messages.

fn utf16(text: &str, big_endian: bool, bom: bool) -> Vec<u8> {
    let mut out = Vec::new();
    if bom {
        out.extend(if big_endian {
            [0xFE, 0xFF]
        } else {
            [0xFF, 0xFE]
        });
    }
    for u in text.encode_utf16() {
        out.extend(if big_endian {
            u.to_be_bytes()
        } else {
            u.to_le_bytes()
        });
    }
    out
}

#[test]
fn utf16_files_are_read() {
    let doc = allow_on("*");
    for (be, bom) in [(false, true), (true, true), (false, false), (true, false)] {
        let bytes = utf16(&doc, be, bom);
        match load_bytes("utf16.json", &bytes) {
            Ok(Loaded::Policy(p, _)) => assert_eq!(p.statements.len(), 1),
            other => panic!("big endian {be}, mark {bom}: {other:?}"),
        }
    }
}

#[test]
fn a_file_just_over_the_limit_gets_exact_sizes() {
    let dir = std::env::temp_dir().join(format!("asg-perms-big-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("big.json");
    let f = std::fs::File::create(&path).unwrap();
    f.set_len(asg_perms::MAX_INPUT_BYTES + 1).unwrap();
    let err = asg_perms::load_file(&path).unwrap_err();
    assert!(err.message().contains("1,073,741,825 bytes"), "{err}");
    assert!(
        err.message().contains("the limit is 1,073,741,824 bytes"),
        "{err}"
    );
    std::fs::remove_dir_all(&dir).ok();
}

fn error_of(text: &str) -> LoadError {
    load_text("e.json", text).unwrap_err()
}

#[test]
fn a_long_line_shows_a_window_around_the_error_with_a_caret() {
    let filler: Vec<String> = (0..100)
        .map(|i| format!(r#"{{"Effect":"Allow","Action":"ec2:Get{i}","Resource":"*"}}"#))
        .collect();
    let text = format!(
        r#"{{"Statement":[{},{{"Effect":"Alow"}}]}}"#,
        filler.join(",")
    );
    let err = error_of(&text);
    let at = err.location();
    assert_eq!(at.line, 1);
    assert!(at.column > 3000, "{}", at.column);
    let shown = err.describe();
    let lines: Vec<&str> = shown.lines().collect();
    assert_eq!(lines.len(), 3, "{shown}");
    assert!(lines[1].contains("Alow"), "{shown}");
    assert!(lines[1].chars().count() < 140, "{shown}");
    let caret = lines[2].find('^').unwrap();
    let under: String = lines[1].chars().skip(caret).take(6).collect();
    assert!(under.starts_with("\"Alow"), "{shown}");
}

#[test]
fn byte_order_marks_and_carriage_returns_do_not_shift_places() {
    let plain = "{\n  \"Statement\": 5}";
    let expected = error_of(plain).location().clone();
    let mut with_bom = vec![0xEF, 0xBB, 0xBF];
    with_bom.extend(plain.as_bytes());
    let err = load_bytes("e.json", &with_bom).unwrap_err();
    assert_eq!(
        (err.location().line, err.location().column),
        (expected.line, expected.column)
    );
    // Old Mac line endings: each \r ends a line.
    let err = error_of("{\r\"Version\":\"2012-10-17\",\r\"Statement\": 5}");
    assert_eq!(err.location().line, 3, "{err}");
    let err = error_of("{\r\n\"Version\":\"2012-10-17\",\r\n\"Statement\": 5}");
    assert_eq!(err.location().line, 3, "{err}");
}

/// A Terraform expression that fails deep inside nested brackets: each level an index (or
/// an object) holding a chain of operators. The HCL parser read the failing part again at
/// every level (twice the work a level: 605 bytes took 8.7 s, found by fuzzing); forty
/// levels would take days. Now it is refused at the place that fails, in one reading.
#[test]
fn a_terraform_expression_failing_deep_inside_brackets_is_refused_at_once() {
    for level in ["x[y/z/w", "{a=b/c/d/", "x[a(b/c/d)/e/f"] {
        let text = format!("o = {}!t\n", level.repeat(40));
        let e = asg_perms::infer_named(Some("main.tf"), &text).unwrap_err();
        // Refused where the text stops making sense: at the `!t` (no `!=`) or after it.
        let column: usize =
            e.at.strip_prefix("line 1, column ")
                .unwrap()
                .parse()
                .unwrap();
        assert!(column > text.find('!').unwrap(), "{level}: {e}");
        assert!(e.message.starts_with("not valid HCL"), "{level}: {e}");
    }
    // What parsed before still parses: the same nesting, well formed.
    let text = format!(
        "resource \"aws_autoscaling_group\" \"web\" {{\n  max_size = {}{}\n  min_size = 1\n}}\n",
        "x[y/z/w".repeat(40),
        "]".repeat(40)
    );
    let read = asg_perms::infer_named(Some("main.tf"), &text).unwrap();
    assert!(
        read.iter()
            .any(|r| r.action == "autoscaling:CreateAutoScalingGroup")
    );
}

/// A statement of `n` roles, each named by a principal tag of its own.
fn roles_by_tag(n: usize) -> Policy {
    let roles: Vec<String> = (0..n)
        .map(|i| format!(r#""arn:aws:iam::123456789012:role/${{aws:PrincipalTag/t{i}}}""#))
        .collect();
    policy(&format!(
        r#"{{"Version":"2012-10-17","Statement":[{{"Effect":"Allow","Action":["iam:PassRole","autoscaling:*"],"Resource":[{}]}}]}}"#,
        roles.join(",")
    ))
}

#[test]
fn patterns_of_one_start_resolve_alike_and_the_others_afresh() {
    // Each pattern's answer is its own: the one before it is taken again only for a pattern
    // of the same start, one unknown variable after it.
    let ask = |resources: &[&str], context: Context| {
        let text = format!(
            r#"{{"Version":"2012-10-17","Statement":[{{"Effect":"Allow","Action":"iam:PassRole","Resource":{}}}]}}"#,
            serde_json::to_string(resources).unwrap()
        );
        let set = PolicySet::single(policy(&text));
        evaluate(
            &set,
            &Request {
                action: "iam:PassRole".into(),
                resources: vec![Template::parse("arn:aws:iam::1:role/abc")],
                context,
            },
        )
        .status
    };
    let z = "arn:aws:iam::*:role/z${aws:PrincipalTag/t0}";
    let a = "arn:aws:iam::*:role/a${aws:PrincipalTag/t1}";
    let z_default = "arn:aws:iam::*:role/z${aws:PrincipalTag/t1, 'x'}";
    let none = Context::default();
    assert_eq!(ask(&[z], none.clone()), Status::Missing);
    assert_eq!(ask(&[z, z], none.clone()), Status::Missing);
    assert_eq!(ask(&[z, a], none.clone()), Status::Conditional);
    assert_eq!(ask(&[a, z], none.clone()), Status::Conditional);
    assert_eq!(ask(&[z, z_default, a], none.clone()), Status::Conditional);
    // Known values are written out for each pattern.
    let mut known = Context::default();
    known.set("aws:PrincipalTag/t0", ["bc"]);
    known.set("aws:PrincipalTag/t1", ["x"]);
    assert_eq!(ask(&[z, a], known.clone()), Status::Missing);
    let same_start = "arn:aws:iam::*:role/a${aws:PrincipalTag/t0}";
    assert_eq!(ask(&[a, same_start], known.clone()), Status::Satisfied);
    assert_eq!(ask(&[same_start, a], known), Status::Satisfied);
}

#[test]
fn resources_with_policy_variables_are_matched_once_where_the_variables_cannot_decide() {
    // Before: every requirement resolved and matched each of the patterns again, and wrote
    // a note on each: `check` of the 68 actions took 5.6 s on 100,000 of them (6 MB).
    let p = roles_by_tag(10_000);
    let group = Template::parse(
        "arn:aws:autoscaling:{region}:{account}:autoScalingGroup:{uuid}:autoScalingGroupName/{group_name}",
    );
    // No tag makes an IAM role an Auto Scaling group: the statement's match with a group
    // does not depend on the request, and is remembered.
    let memo = p.resource_memo(&group);
    let heads = || ArnHeads::new(&group);
    assert_eq!(
        p.statements[0].resource_match(&group, &memo, &mut heads()),
        Some(Tri::Never)
    );
    let role = Template::parse("arn:aws:iam::123456789012:role/{instance_role}");
    let memo = p.resource_memo(&role);
    let mut role_heads = ArnHeads::new(&role);
    assert_eq!(
        p.statements[0].resource_match(&role, &memo, &mut role_heads),
        None
    );
    // Where the start leaves the service to a variable, nothing is remembered.
    let open = policy(
        r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"autoscaling:*","Resource":"arn:aws:${aws:PrincipalTag/svc}:*:*:*"}]}"#,
    );
    let memo = open.resource_memo(&group);
    assert_eq!(
        open.statements[0].resource_match(&group, &memo, &mut heads()),
        None
    );

    // Passing a role: every pattern resolves to the same `.../role/*` while the tags are
    // unknown, written out and matched once (a step for each pattern, and the work of one
    // resolution and one match: not ten thousand of each; a pattern of the same start and
    // one unknown variable after it is not written out again).
    let set = PolicySet::single(p);
    let pass = |context: Context| Request {
        action: "iam:PassRole".into(),
        resources: vec![role.clone()],
        context,
    };
    let before = pattern_work();
    let d = evaluate(&set, &pass(Context::default()));
    let work = pattern_work() - before;
    assert!(work < 2 * 10_000, "{work} steps");
    assert_eq!(d.status, Status::Conditional);
    assert_eq!(d.depends_on.len(), 10_000 + 1);
    // With the tags known to be absent, no pattern matches, and the words say why for the
    // first twenty and count the rest.
    let mut absent = Context::default();
    for i in 0..10_000 {
        absent.set_absent(&format!("aws:PrincipalTag/t{i}"));
    }
    let d = evaluate(&set, &pass(absent));
    assert_eq!(d.status, Status::Missing);
    assert!(
        d.explanation
            .contains("and 9,980 more notes on resource patterns"),
        "{}",
        d.explanation
    );
}

#[test]
fn a_statement_of_many_resources_is_matched_once_for_many_requests() {
    // Before: a policy of fewer than 16 statements was not remembered, however many
    // resources its statements listed: `diff` matched one statement's 100,000 ARNs again
    // for each of its thousands of requests (7.5 s against an empty policy, 16 s against
    // itself).
    let arns: Vec<String> = (0..10_000)
        .map(|i| {
            format!(
                r#""arn:aws:autoscaling:us-east-1:123456789012:autoScalingGroup:*:autoScalingGroupName/g{i}""#
            )
        })
        .collect();
    let set = PolicySet::single(policy(&format!(
        r#"{{"Version":"2012-10-17","Statement":[{{"Effect":"Allow","Action":"autoscaling:*","Resource":[{}]}}]}}"#,
        arns.join(",")
    )));
    // A group the statement does not name: every pattern is matched to learn it.
    let group = Template::parse(
        "arn:aws:autoscaling:us-east-1:123456789012:autoScalingGroup:u-1:autoScalingGroupName/other",
    );
    let before = pattern_work();
    for i in 0..20 {
        let mut context = Context::default();
        context.set("aws:ResourceTag/team", [format!("t{i}")]);
        let req = Request {
            action: "autoscaling:UpdateAutoScalingGroup".into(),
            resources: vec![group.clone()],
            context,
        };
        assert_eq!(asg_perms::evaluate_status(&set, &req), Status::Missing);
    }
    let work = pattern_work() - before;
    assert!(work < 3 * 10_000, "{work} steps for 20 requests");
}

#[test]
fn a_statement_of_many_resources_weighs_on_the_refinement_budget() {
    // Before: each case of a refinement counted a statement once however many resources it
    // listed, and matched them all: `diff` of 50,000 ARNs (three group names in ten
    // accounts, over and over) with conditions on unknown tags took 3.2 s.
    let explained = |repeats: usize| {
        let arns: Vec<String> = (0..3 * repeats)
            .map(|i| {
                format!(
                    r#""arn:aws:autoscaling:us-east-1:123456789012:autoScalingGroup:*:autoScalingGroupName/web-{}""#,
                    i % 3
                )
            })
            .collect();
        let set = PolicySet::single(policy(&format!(
            r#"{{"Version":"2012-10-17","Statement":[{{"Effect":"Allow","Action":"autoscaling:*","Resource":[{}],"Condition":{{"StringEquals":{{"aws:ResourceTag/team":"a","aws:ResourceTag/env":"b"}}}}}}]}}"#,
            arns.join(",")
        )));
        let req = Request {
            action: "autoscaling:UpdateAutoScalingGroup".into(),
            resources: vec![Template::parse(
                "arn:aws:autoscaling:us-east-1:123456789012:autoScalingGroup:u-1:autoScalingGroupName/{group_name}",
            )],
            context: Context::default(),
        };
        let d = evaluate(&set, &req);
        assert_eq!(d.status, Status::Conditional);
        d.explanation
    };
    let refused = "too many cases to try within the budget";
    // The three ARNs once: a few cases of one short statement, tried.
    assert!(!explained(1).contains(refused));
    // The same ARNs seven thousand times over: each case would match 21,000 patterns.
    assert!(explained(7_000).contains(refused));
}
