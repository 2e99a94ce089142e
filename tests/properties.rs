//! Properties of the engine over generated policies and requests.

#![allow(clippy::unwrap_used)] // Tests may unwrap: a panic is a failed test.

use std::sync::Arc;

use asg_perms::Policy;
use asg_perms::Template;
use asg_perms::catalog;
use asg_perms::{Context, PolicySet, Request, Status, evaluate, evaluate_status};
use asg_perms::{Facts, check, check_each, forget_remembered, requirements};
use asg_perms::{GenerateOptions, suggest};
use asg_perms::{Loaded, load_text};
use proptest::prelude::*;

fn parse(text: &str) -> Policy {
    match load_text("p.json", text) {
        Ok(Loaded::Policy(p, _)) => p,
        other => panic!("{text}\n{other:?}"),
    }
}

// ------------------------------------------------------------------
// A small grammar of policies over one service, one resource shape and one condition key.

const ACTIONS: [&str; 6] = ["svc:Get", "svc:Put", "svc:*", "svc:G?t", "*", "other:Get"];
const RES: [&str; 8] = [
    "*",
    "arn:aws:svc:r:1:thing/*",
    "arn:aws:svc:r:1:thing/a*",
    "arn:aws:svc:r:1:thing/ab",
    "arn:aws:svc:r:1:thing/?",
    "arn:aws:svc:r:1:thing/*b",
    "arn:aws:svc:*:*:thing/a?",
    "arn:aws:svc:r:2:thing/*",
];
const OPS: [&str; 7] = [
    "StringEquals",
    "StringNotEquals",
    "StringLike",
    "StringNotLike",
    "StringEqualsIfExists",
    "ForAnyValue:StringEquals",
    "Null",
];
const VALS: [&str; 6] = ["a", "b", "ab", "a*", "*b", "?"];
/// Concrete values to try for the unknown parts: every literal the policies can name
/// (wildcard characters included, since `StringEquals` takes them literally), values only a
/// pattern covers, a value nothing names, and the empty string.
const UNIVERSE: [&str; 12] = [
    "", "a", "b", "ab", "ba", "abb", "aab", "zz", "q", "a*", "*b", "?",
];

#[derive(Clone, Debug)]
struct St {
    deny: bool,
    not_action: bool,
    action: usize,
    not_resource: bool,
    resource: usize,
    cond: Option<(usize, usize)>,
}

fn statement() -> impl Strategy<Value = St> {
    (
        any::<bool>(),
        prop::bool::weighted(0.15),
        0..ACTIONS.len(),
        prop::bool::weighted(0.15),
        0..RES.len(),
        prop::option::of((0..OPS.len(), 0..VALS.len())),
    )
        .prop_map(
            |(deny, not_action, action, not_resource, resource, cond)| St {
                deny,
                not_action,
                action,
                not_resource,
                resource,
                cond,
            },
        )
}

fn render(sts: &[St]) -> String {
    let items: Vec<String> = sts
        .iter()
        .map(|s| {
            let mut o = format!(
                r#"{{"Effect":"{}","{}":"{}","{}":"{}""#,
                if s.deny { "Deny" } else { "Allow" },
                if s.not_action { "NotAction" } else { "Action" },
                ACTIONS[s.action],
                if s.not_resource {
                    "NotResource"
                } else {
                    "Resource"
                },
                RES[s.resource]
            );
            if let Some((op, v)) = s.cond {
                let val = if OPS[op] == "Null" {
                    if v % 2 == 0 { "true" } else { "false" }
                } else {
                    VALS[v]
                };
                o.push_str(&format!(
                    r#","Condition":{{"{}":{{"k:a":"{val}"}}}}"#,
                    OPS[op]
                ));
            }
            o.push('}');
            o
        })
        .collect();
    format!(
        r#"{{"Version":"2012-10-17","Statement":[{}]}}"#,
        items.join(",")
    )
}

/// What the request says of the condition key `k:a`.
#[derive(Clone, Copy, Debug)]
enum Key<'a> {
    Unknown,
    Absent,
    Value(&'a str),
}

fn status_of(p: &Policy, action: &str, resource: &str, key: Key<'_>) -> Status {
    let mut context = Context::default();
    match key {
        Key::Unknown => {}
        Key::Absent => context.set_absent("k:a"),
        Key::Value(v) => context.set("k:a", [v]),
    }
    let req = Request {
        action: action.to_owned(),
        resources: vec![Template::parse(resource)],
        context,
    };
    evaluate(&PolicySet::single(p.clone()), &req).status
}

proptest! {
    // 300 cases by default; PROPTEST_CASES=N for a deeper run.
    #![proptest_config(ProptestConfig {
        cases: std::env::var("PROPTEST_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(300),
        ..ProptestConfig::default()
    })]

    /// The three-valued result agrees with brute force over concrete requests: "satisfied"
    /// means every concrete request is allowed, "missing" that every one is denied, and
    /// "conditional" that both happen.
    #[test]
    fn three_valued_result_agrees_with_brute_force(sts in prop::collection::vec(statement(), 1..5), action in 0..2usize) {
        let p = parse(&render(&sts));
        let action = ["svc:Get", "svc:Put"][action];
        let open = status_of(&p, action, "arn:aws:svc:r:1:thing/{name}", Key::Unknown);
        let mut allowed = 0;
        let mut denied = 0;
        for name in UNIVERSE {
            let resource = format!("arn:aws:svc:r:1:thing/{name}");
            for key in std::iter::once(Key::Absent).chain(UNIVERSE.iter().map(|v| Key::Value(v))) {
                match status_of(&p, action, &resource, key) {
                    Status::Satisfied => allowed += 1,
                    Status::Missing => denied += 1,
                    Status::Conditional => prop_assert!(false, "a fully known request must be decided"),
                }
            }
        }
        match open {
            Status::Satisfied => prop_assert_eq!(denied, 0, "said satisfied, but a concrete request is denied"),
            Status::Missing => prop_assert_eq!(allowed, 0, "said missing, but a concrete request is allowed"),
            Status::Conditional => {
                // Exact whenever the case-by-case check applies: every policy here except
                // those with set operators, which it leaves (soundly) conditional.
                let uses_set_operator = sts.iter().any(|st| st.cond.is_some_and(|(op, _)| OPS[op].starts_with("For")));
                if !uses_set_operator {
                    prop_assert!(allowed > 0 && denied > 0, "conditional, but brute force says all {}", if denied == 0 { "allowed" } else { "denied" });
                }
            }
        }
    }

    /// Adding a Deny never turns a result into "satisfied"; adding an Allow never turns one
    /// into "missing".
    #[test]
    fn deny_and_allow_are_monotone(sts in prop::collection::vec(statement(), 1..5), extra in statement(), known in prop::option::of(0..UNIVERSE.len())) {
        let key = known.map_or(Key::Unknown, |i| Key::Value(UNIVERSE[i]));
        let base = parse(&render(&sts));
        let before = status_of(&base, "svc:Get", "arn:aws:svc:r:1:thing/{name}", key);

        let mut with_deny = sts.clone();
        with_deny.push(St { deny: true, ..extra.clone() });
        let after = status_of(&parse(&render(&with_deny)), "svc:Get", "arn:aws:svc:r:1:thing/{name}", key);
        // A Deny can make nothing newly allowed for every request. (A result may still move
        // between "missing" and "conditional" when the extra statement uses something the
        // exact case check does not cover; both answers are sound.)
        prop_assert!(after != Status::Satisfied || before == Status::Satisfied, "a Deny turned {before} into {after}");

        let mut with_allow = sts;
        with_allow.push(St { deny: false, ..extra });
        let after = status_of(&parse(&render(&with_allow)), "svc:Get", "arn:aws:svc:r:1:thing/{name}", key);
        prop_assert!(after != Status::Missing || before == Status::Missing, "an Allow turned {before} into {after}");
    }

    /// Action names match in any case; resource ARNs only in their own case.
    #[test]
    fn actions_ignore_case_resources_do_not(flips in prop::collection::vec(any::<bool>(), 24)) {
        let mix = |s: &str| -> String {
            s.chars().zip(flips.iter().cycle()).map(|(c, f)| if *f { c.to_ascii_uppercase() } else { c.to_ascii_lowercase() }).collect()
        };
        let policy = parse(&format!(r#"{{"Version":"2012-10-17","Statement":[{{"Effect":"Allow","Action":"{}","Resource":"arn:aws:iam::1:role/CamelRole"}}]}}"#, mix("iam:PassRole")));
        prop_assert_eq!(status_of(&policy, &mix("IAM:passrole"), "arn:aws:iam::1:role/CamelRole", Key::Unknown), Status::Satisfied);
        let other_case = mix("CamelRole");
        let want = if other_case == "CamelRole" { Status::Satisfied } else { Status::Missing };
        prop_assert_eq!(status_of(&policy, "iam:PassRole", &format!("arn:aws:iam::1:role/{other_case}"), Key::Unknown), want);
    }

    /// Generated statements satisfy what they were generated for, whatever the facts.
    #[test]
    fn generated_statements_are_satisfied(action in 0..68usize, mask in any::<u16>(), account in prop::option::of("[0-9]{12}"), region in prop::option::of("(us|eu|ap)-(east|west)-[1-3]"), role in prop::option::of("[A-Za-z0-9+=,.@_-]{1,20}")) {
        let cat = catalog();
        let a = &cat.actions[action % cat.actions.len()];
        let features: Vec<String> = cat.features_for(&a.name).iter().enumerate().filter(|(i, _)| mask & (1 << i) != 0).map(|(_, f)| f.id.clone()).collect();
        let facts = Facts {
            instance_role_arn: role.map(|r| format!("arn:aws:iam::{}:role/{r}", account.clone().unwrap_or_else(|| "111122223333".into()))),
            account,
            region,
            ..Facts::default()
        };
        let before = check(&a.name, &features, &facts, &PolicySet::default()).unwrap();
        let generated = suggest(std::slice::from_ref(&before), GenerateOptions::default());
        let set = PolicySet { identity: vec![Arc::new(parse(&generated.to_json()))], ..PolicySet::default() };
        let after = check(&a.name, &features, &facts, &set).unwrap();
        prop_assert_eq!(after.status, Status::Satisfied, "{}", generated.to_json());
    }
}

// ------------------------------------------------------------------
// Soundness with a multivalued key and with any characters in the patterns.

/// Evaluates `svc:Get` on `*` with key `key` as given (`None`: unknown).
fn status_with(p: &Policy, key: &str, value: Option<&Option<Vec<String>>>) -> Status {
    let mut context = Context::default();
    match value {
        None => {}
        Some(None) => context.set_absent(key),
        Some(Some(values)) => context.set(key, values.iter().cloned()),
    }
    let req = Request {
        action: "svc:Get".to_owned(),
        resources: vec![Template::parse("*")],
        context,
    };
    evaluate(&PolicySet::single(p.clone()), &req).status
}

/// A policy of Allow/Deny statements each testing `key` with one operator and one value.
fn keyed_policy(key: &str, sts: &[(bool, usize, String)]) -> Policy {
    let items: Vec<String> = sts
        .iter()
        .map(|(deny, op, value)| {
            let value = if OPS[*op] == "Null" {
                if value.len() % 2 == 0 { "true".to_owned() } else { "false".to_owned() }
            } else {
                value.clone()
            };
            format!(
                r#"{{"Effect":"{}","Action":"svc:*","Resource":"*","Condition":{{"{}":{{"{key}":{}}}}}}}"#,
                if *deny { "Deny" } else { "Allow" },
                OPS[*op],
                serde_json::Value::String(value)
            )
        })
        .collect();
    parse(&format!(
        r#"{{"Version":"2012-10-17","Statement":[{}]}}"#,
        items.join(",")
    ))
}

/// Soundness of the open answer against every concrete completion: "satisfied" only if every
/// completion is allowed, "missing" only if every one is denied. (A completion may itself be
/// conditional, as a single-valued operator on a list is; then neither claim holds.)
fn check_sound(
    p: &Policy,
    key: &str,
    completions: &[Option<Vec<String>>],
) -> Result<(), TestCaseError> {
    let open = status_with(p, key, None);
    for c in completions {
        let concrete = status_with(p, key, Some(c));
        match open {
            Status::Satisfied => prop_assert_eq!(
                concrete,
                Status::Satisfied,
                "said satisfied, but {:?} gives {}",
                c,
                concrete
            ),
            Status::Missing => prop_assert_eq!(
                concrete,
                Status::Missing,
                "said missing, but {:?} gives {}",
                c,
                concrete
            ),
            Status::Conditional => {}
        }
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: std::env::var("PROPTEST_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(300),
        ..ProptestConfig::default()
    })]

    /// A multivalued key may be absent, an empty list, one value or several.
    #[test]
    fn multivalued_key_answers_are_sound(sts in prop::collection::vec((any::<bool>(), 0..OPS.len(), 0..VALS.len()), 1..5)) {
        let sts: Vec<(bool, usize, String)> = sts.into_iter().map(|(d, o, v)| (d, o, VALS[v].to_owned())).collect();
        let p = keyed_policy("aws:TagKeys", &sts);
        let mut completions: Vec<Option<Vec<String>>> = vec![None, Some(Vec::new())];
        for a in UNIVERSE {
            completions.push(Some(vec![a.to_owned()]));
            for b in ["a", "b", "zz"] {
                completions.push(Some(vec![a.to_owned(), b.to_owned()]));
            }
        }
        check_sound(&p, "aws:TagKeys", &completions)?;
    }

    /// Patterns may hold any character, including the ones an engine might pick as "some
    /// other character".
    #[test]
    fn answers_are_sound_for_any_characters_in_patterns(sts in prop::collection::vec((any::<bool>(), 0..OPS.len(), "[a*?\u{10FFFD}\u{E000}é]{0,3}"), 1..5)) {
        let p = keyed_policy("k:a", &sts);
        let alphabet = ["a", "é", "\u{10FFFD}", "\u{E000}", "q", "*", "?"];
        let mut completions: Vec<Option<Vec<String>>> = vec![None, Some(vec![String::new()])];
        for x in alphabet {
            completions.push(Some(vec![x.to_owned()]));
            for y in alphabet {
                completions.push(Some(vec![format!("{x}{y}")]));
            }
        }
        check_sound(&p, "k:a", &completions)?;
    }
}

/// The managed policies the project ships, as JSON documents (`Document` of the
/// `GetPolicyVersion` output).
fn managed_documents() -> Vec<(String, serde_json::Value)> {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/managed");
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).unwrap() {
        let path = e.unwrap().path();
        let v: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
        let doc = v.get("Document").cloned().unwrap_or(v);
        out.push((
            path.file_name().unwrap().to_string_lossy().into_owned(),
            doc,
        ));
    }
    out.sort_by(|a, b| a.0.cmp(&b.0));
    out
}

fn statements(doc: &serde_json::Value) -> Vec<serde_json::Value> {
    match &doc["Statement"] {
        serde_json::Value::Array(a) => a.clone(),
        other => vec![other.clone()],
    }
}

fn with_statements(sts: &[serde_json::Value]) -> PolicySet {
    let text = serde_json::json!({"Version": "2012-10-17", "Statement": sts}).to_string();
    PolicySet::single(parse(&text))
}

/// Every action with every feature on, and each permission's status, against a set.
fn statuses(set: &PolicySet) -> Vec<(String, Status)> {
    let cat = catalog();
    let mut out = Vec::new();
    for a in &cat.actions {
        let c = check(
            &a.name,
            &cat.feature_ids_for(&a.name),
            &Facts::default(),
            set,
        )
        .unwrap();
        for r in c.needed() {
            out.push((
                format!(
                    "{} {} {}",
                    a.name, r.requirement.permission, r.requirement.reason
                ),
                r.decision.status,
            ));
        }
    }
    out
}

/// One statement narrowed: a condition added, its resources made a single ARN, or one of its
/// actions dropped. Each can only take permissions away.
fn narrowings(st: &serde_json::Value) -> Vec<serde_json::Value> {
    let mut out = Vec::new();
    let mut c = st.clone();
    let cond = c
        .as_object_mut()
        .unwrap()
        .entry("Condition")
        .or_insert_with(|| serde_json::json!({}));
    cond.as_object_mut().unwrap().insert(
        "StringEquals".into(),
        serde_json::json!({"aws:RequestedRegion": "eu-west-1"}),
    );
    out.push(c);
    if st.get("Resource").is_some() {
        let mut c = st.clone();
        c["Resource"] = serde_json::json!(
            "arn:aws:autoscaling:eu-west-1:111122223333:autoScalingGroup:*:autoScalingGroupName/only-this"
        );
        out.push(c);
    }
    if let Some(serde_json::Value::Array(actions)) = st.get("Action")
        && actions.len() > 1
    {
        let mut c = st.clone();
        c["Action"] = serde_json::Value::Array(actions[1..].to_vec());
        out.push(c);
    }
    out
}

/// On every AWS managed policy the project ships, for every action with all its features:
/// adding a Deny or narrowing a statement never makes a permission newly satisfied, and
/// adding an Allow never makes one newly missing. (Between missing and conditional an
/// answer may move either way when the change adds something the exact case check does not
/// cover; both answers are sound, as in the generated property above.)
#[test]
fn managed_policies_are_monotone_under_deny_allow_and_narrowing() {
    let extra_denies = [
        serde_json::json!({"Effect": "Deny", "Action": "iam:PassRole", "Resource": "*"}),
        serde_json::json!({"Effect": "Deny", "Action": "ec2:*", "Resource": "*", "Condition": {"StringNotEquals": {"aws:RequestedRegion": "us-east-1"}}}),
        serde_json::json!({"Effect": "Deny", "Action": "autoscaling:Create*", "Resource": "*"}),
    ];
    let extra_allows = [
        serde_json::json!({"Effect": "Allow", "Action": "iam:PassRole", "Resource": "arn:aws:iam::*:role/app-*", "Condition": {"StringEquals": {"iam:PassedToService": "ec2.amazonaws.com"}}}),
        serde_json::json!({"Effect": "Allow", "Action": ["ec2:RunInstances", "ec2:CreateTags"], "Resource": "*"}),
    ];
    let mut checked = 0;
    for (name, doc) in managed_documents() {
        let sts = statements(&doc);
        let base = statuses(&with_statements(&sts));
        let compare = |what: &str, after: &[(String, Status)], must_not_become: Status| {
            for ((req, b), (_, a)) in base.iter().zip(after) {
                assert!(
                    *a != must_not_become || *b == must_not_become,
                    "{name}, {what}: {req} went from {b} to {a}"
                );
            }
        };
        for d in &extra_denies {
            let mut v = sts.clone();
            v.push(d.clone());
            compare(
                &format!("adding {d}"),
                &statuses(&with_statements(&v)),
                Status::Satisfied,
            );
            checked += 1;
        }
        for a in &extra_allows {
            let mut v = sts.clone();
            v.push(a.clone());
            compare(
                &format!("adding {a}"),
                &statuses(&with_statements(&v)),
                Status::Missing,
            );
            checked += 1;
        }
        for (i, st) in sts.iter().enumerate().take(12) {
            if st["Effect"] != "Allow" {
                continue;
            }
            for narrowed in narrowings(st) {
                let mut v = sts.clone();
                v[i] = narrowed.clone();
                compare(
                    &format!("narrowing statement {} to {narrowed}", i + 1),
                    &statuses(&with_statements(&v)),
                    Status::Satisfied,
                );
                checked += 1;
            }
        }
    }
    assert!(checked > 60, "only {checked} variants checked");
}

// ------------------------------------------------------------------
// Remembered answers: a policy remembers its matches, and each thread remembers
// refinements (by which statements take part) and witnesses. None may change an answer.

#[path = "support/policies.rs"]
mod policies;

/// Every action with every feature, in catalog order or reversed, as JSON (every word of
/// every answer: statuses, dependencies, explanations, statements and their notes).
fn full_report(set: &PolicySet, reverse: bool) -> Vec<serde_json::Value> {
    let cat = catalog();
    let mut actions: Vec<&str> = cat.actions.iter().map(|a| a.name.as_str()).collect();
    if reverse {
        actions.reverse();
    }
    let mut out: Vec<serde_json::Value> = actions
        .iter()
        .map(|a| {
            let c = check(a, &cat.feature_ids_for(a), &Facts::default(), set).unwrap();
            serde_json::to_value(&c).unwrap()
        })
        .collect();
    if reverse {
        out.reverse();
    }
    out
}

/// The same report worked out in a thread of its own from a fresh parse of the text, the
/// actions taken in the other order, after the process forgot what it remembered (tests
/// running beside this one may remember some again before it is done).
fn afresh(text: &str, reverse: bool) -> Vec<serde_json::Value> {
    let text = text.to_owned();
    forget_remembered();
    std::thread::spawn(move || full_report(&PolicySet::single(parse(&text)), reverse))
        .join()
        .unwrap()
}

#[test]
fn remembered_answers_are_the_answers_worked_out_afresh() {
    let mut refined = 0;
    for n in [3, 12, 40, 150] {
        let text = policies::matching_policy(n);
        let set = PolicySet::single(parse(&text));
        let first = full_report(&set, false);
        // Everything remembered now: the same words.
        assert_eq!(
            first,
            full_report(&set, false),
            "{n} statements, asked again"
        );
        assert_eq!(first, afresh(&text, true), "{n} statements, afresh");
        // A policy that differs in one statement, in the same thread right after: nothing
        // remembered of the first may leak into its answers.
        let flipped = text.replacen("\"Effect\":\"Allow\"", "\"Effect\":\"Deny\"", 1);
        let other = full_report(&PolicySet::single(parse(&flipped)), false);
        assert_eq!(
            other,
            afresh(&flipped, false),
            "{n} statements, one flipped"
        );
        assert_ne!(
            first, other,
            "{n}: flipping a statement changes some answer"
        );
        refined += first
            .iter()
            .filter(|c| c.to_string().contains("in every case"))
            .count();
    }
    assert!(refined > 0, "some answers were made exact case by case");
}

/// The words of the statements an answer shows are remembered across answers: an answer
/// asked with other facts of the keys, of another resource, or of another policy alike in
/// its text, gets the words it would get with nothing remembered.
#[test]
fn remembered_words_follow_what_is_asked() {
    const TEXT: &str = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"autoscaling:CreateAutoScalingGroup","Resource":"arn:aws:autoscaling:*:*:autoScalingGroup:*:autoScalingGroupName/team-*","Condition":{"StringEquals":{"aws:RequestTag/team":"blue"},"StringLike":{"aws:ResourceTag/env":"prod*"}}}]}"#;
    let request = |team: Option<&str>, group: &str| {
        let mut context = Context::default();
        if let Some(team) = team {
            context.set("aws:RequestTag/team", [team]);
        }
        Request {
            action: "autoscaling:CreateAutoScalingGroup".into(),
            resources: vec![Template::parse(&format!(
                "arn:aws:autoscaling:us-east-1:111122223333:autoScalingGroup:{{id}}:autoScalingGroupName/{group}"
            ))],
            context,
        }
    };
    let asked = [
        request(None, "team-a"),
        request(Some("blue"), "team-a"),
        request(Some("red"), "team-a"),
        request(None, "{name}"),
        request(Some("red"), "{name}"),
    ];
    let words = |set: &PolicySet, r: &Request| -> Vec<Vec<String>> {
        let d = evaluate(set, r);
        d.decided_by
            .iter()
            .chain(&d.near_misses)
            .map(|s| s.notes.clone())
            .collect()
    };
    // Each afresh, with nothing remembered.
    let afresh: Vec<Vec<Vec<String>>> = asked
        .iter()
        .map(|r| {
            forget_remembered();
            words(&PolicySet::single(parse(TEXT)), r)
        })
        .collect();
    forget_remembered();
    let set = PolicySet::single(parse(TEXT));
    for (r, fresh) in asked.iter().zip(&afresh) {
        assert_eq!(&words(&set, r), fresh, "{r:?}, after the others");
    }
    // In the other order, and of a second policy of the same text.
    let again = PolicySet::single(parse(TEXT));
    for (r, fresh) in asked.iter().zip(&afresh).rev() {
        assert_eq!(&words(&again, r), fresh, "{r:?}, in the other order");
    }
    let distinct: std::collections::HashSet<_> = afresh.iter().collect();
    assert!(
        distinct.len() >= 3,
        "the facts asked change the words: {afresh:?}"
    );
}

/// Every action with all its features checked by [`check_each`] on `threads` threads of a
/// pool of their own, as JSON in catalog order.
fn report_in_parallel(set: &PolicySet, threads: usize) -> Vec<serde_json::Value> {
    let every = policies::every_action_with_all_features();
    let asked: Vec<(&str, &[String])> = every.iter().map(|(a, f)| (&**a, &**f)).collect();
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .unwrap();
    pool.install(|| {
        let first = check_each(&asked, &Facts::default(), set, || true).unwrap();
        let again = check_each(&asked, &Facts::default(), set, || true).unwrap();
        let json = |checks: Vec<Result<_, _>>| -> Vec<serde_json::Value> {
            checks
                .into_iter()
                .map(|c| serde_json::to_value(c.unwrap()).unwrap())
                .collect()
        };
        let (first, again) = (json(first), json(again));
        assert_eq!(first, again, "asked again of the same threads");
        first
    })
}

#[test]
fn checks_spread_over_threads_are_the_checks_made_one_by_one() {
    let mut texts: Vec<String> = [12, 150].map(policies::matching_policy).to_vec();
    texts.push(
        std::fs::read_to_string("tests/fixtures/managed/AutoScalingFullAccess.json").unwrap(),
    );
    for (i, text) in texts.iter().enumerate() {
        let one_by_one = afresh(text, false);
        for threads in [1, 2, 4] {
            let set = PolicySet::single(parse(text));
            assert_eq!(
                report_in_parallel(&set, threads),
                one_by_one,
                "policy {i} on {threads} threads"
            );
        }
    }
    // Cancelled after five actions: no answer, and (on one thread, where the order is
    // the catalog's) the actions after the no are not begun.
    let set = PolicySet::single(parse(&texts[1]));
    let cat = catalog();
    let asked: Vec<(&str, &[String])> = cat
        .actions
        .iter()
        .map(|a| (a.name.as_str(), &[][..]))
        .collect();
    let asks = std::sync::atomic::AtomicUsize::new(0);
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(1)
        .build()
        .unwrap();
    let answer = pool.install(|| {
        check_each(&asked, &Facts::default(), &set, || {
            asks.fetch_add(1, std::sync::atomic::Ordering::SeqCst) < 5
        })
    });
    assert!(answer.is_none());
    let asks = asks.into_inner();
    assert!(
        (6..asked.len()).contains(&asks),
        "asked {asks} times of {}",
        asked.len()
    );
}

/// Every request of every action (all features and none, with and without an account and
/// region) against `set`: (the status alone, the status of the whole answer), the status
/// alone asked first in a thread of its own, after the process forgot what it remembered.
fn both_statuses(set: &PolicySet) -> Vec<(Status, Status)> {
    let set = set.clone();
    forget_remembered();
    std::thread::spawn(move || {
        let cat = catalog();
        let known = Facts {
            account: Some("111122223333".to_owned()),
            region: Some("us-east-1".to_owned()),
            ..Facts::default()
        };
        let mut requests = Vec::new();
        for a in &cat.actions {
            for features in [cat.feature_ids_for(&a.name), Vec::new()] {
                for facts in [&Facts::default(), &known] {
                    for r in requirements(&a.name, &features, facts).unwrap() {
                        requests.push(r.request(facts));
                    }
                }
            }
        }
        let alone: Vec<Status> = requests.iter().map(|r| evaluate_status(&set, r)).collect();
        requests
            .iter()
            .zip(alone)
            .map(|(r, s)| (s, evaluate(&set, r).status))
            .collect()
    })
    .join()
    .unwrap()
}

#[test]
fn the_status_alone_is_the_status_of_the_whole_answer() {
    let managed: Vec<Arc<Policy>> = std::fs::read_dir(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/managed"
    ))
    .unwrap()
    .map(|e| Arc::new(parse(&std::fs::read_to_string(e.unwrap().path()).unwrap())))
    .collect();
    let mut sets: Vec<PolicySet> = [3, 12, 40, 150]
        .iter()
        .map(|&n| PolicySet::single(parse(&policies::matching_policy(n))))
        .collect();
    for (i, m) in managed.iter().enumerate() {
        sets.push(PolicySet {
            identity: vec![Arc::clone(m)],
            ..PolicySet::default()
        });
        // Layers: a generated identity policy under a managed boundary and SCP.
        sets.push(PolicySet {
            identity: vec![Arc::new(parse(&policies::matching_policy(12 + i)))],
            boundary: Some(Arc::clone(m)),
            scps: vec![Arc::clone(&managed[(i + 1) % managed.len()])],
        });
    }
    let mut seen = [0usize; 3];
    for (i, set) in sets.iter().enumerate() {
        for (alone, whole) in both_statuses(set) {
            assert_eq!(alone, whole, "set {i}");
            seen[whole as usize] += 1;
        }
    }
    assert!(
        seen.iter().all(|&n| n > 100),
        "every status seen often: {seen:?}"
    );
}
