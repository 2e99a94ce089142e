//! The policy engine: parsing every input shape, IAM matching and evaluation semantics, and
//! real AWS managed policies.

#![allow(clippy::unwrap_used)] // Tests may unwrap: a panic is a failed test.

use std::path::Path;
use std::sync::Arc;

use asg_perms::Policy;
use asg_perms::Template;
use asg_perms::{Context, Layer, MissingReason, PolicySet, Request, Status, evaluate};
use asg_perms::{InputKind, Loaded, load_file, load_text};

fn policy(text: &str) -> Policy {
    match load_text("test.json", text).unwrap() {
        Loaded::Policy(p, _) => p,
        Loaded::Account(_) => panic!("not a policy"),
    }
}

fn fixture(name: &str) -> Policy {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name);
    match load_file(&path).unwrap() {
        Loaded::Policy(p, _) => p,
        Loaded::Account(_) => panic!("not a policy"),
    }
}

fn req(action: &str, resources: &[&str], ctx: &[(&str, &str)]) -> Request {
    let mut context = Context::default();
    for (k, v) in ctx {
        context.set(k, [*v]);
    }
    Request {
        action: action.to_owned(),
        resources: resources.iter().map(|r| Template::parse(r)).collect(),
        context,
    }
}

fn status(p: &Policy, r: &Request) -> Status {
    evaluate(&PolicySet::single(p.clone()), r).status
}

fn allow(action: &str, resource: &str) -> String {
    format!(
        r#"{{"Version":"2012-10-17","Statement":[{{"Effect":"Allow","Action":"{action}","Resource":"{resource}"}}]}}"#
    )
}

// ------------------------------------------------------------------
// Matching rules, including the bugs other tools have.

#[test]
fn actions_match_case_insensitively() {
    let p = policy(&allow("EC2:runinstances", "*"));
    assert_eq!(
        status(&p, &req("ec2:RunInstances", &["*"], &[])),
        Status::Satisfied
    );
    let p = policy(&allow("ec2:Run?nstances", "*"));
    assert_eq!(
        status(&p, &req("EC2:RUNINSTANCES", &["*"], &[])),
        Status::Satisfied
    );
    let p = policy(&allow("ec2:Describe*", "*"));
    assert_eq!(
        status(&p, &req("ec2:RunInstances", &["*"], &[])),
        Status::Missing
    );
}

#[test]
fn resources_match_case_sensitively() {
    let p = policy(&allow(
        "iam:PassRole",
        "arn:aws:iam::111122223333:role/CI-role",
    ));
    let r = req(
        "iam:PassRole",
        &["arn:aws:iam::111122223333:role/ci-role"],
        &[],
    );
    assert_eq!(status(&p, &r), Status::Missing);
    let r = req(
        "iam:PassRole",
        &["arn:aws:iam::111122223333:role/CI-role"],
        &[],
    );
    assert_eq!(status(&p, &r), Status::Satisfied);
}

#[test]
fn question_mark_is_a_wildcard_in_resources() {
    let p = policy(&allow("s3:GetObject", "arn:aws:s3:::bucket-?/key"));
    assert_eq!(
        status(
            &p,
            &req("s3:GetObject", &["arn:aws:s3:::bucket-a/key"], &[])
        ),
        Status::Satisfied
    );
    assert_eq!(
        status(
            &p,
            &req("s3:GetObject", &["arn:aws:s3:::bucket-ab/key"], &[])
        ),
        Status::Missing
    );
}

#[test]
fn not_resource_with_several_entries() {
    let p = policy(
        r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iam:PassRole",
        "NotResource":["arn:aws:iam::*:role/admin","arn:aws:iam::*:role/break-glass"]}]}"#,
    );
    assert_eq!(
        status(&p, &req("iam:PassRole", &["arn:aws:iam::1:role/app"], &[])),
        Status::Satisfied
    );
    assert_eq!(
        status(
            &p,
            &req("iam:PassRole", &["arn:aws:iam::1:role/admin"], &[])
        ),
        Status::Missing
    );
    assert_eq!(
        status(
            &p,
            &req("iam:PassRole", &["arn:aws:iam::1:role/break-glass"], &[])
        ),
        Status::Missing
    );
    // An unknown role name may be one of the excluded ones.
    assert_eq!(
        status(
            &p,
            &req("iam:PassRole", &["arn:aws:iam::1:role/{role}"], &[])
        ),
        Status::Conditional
    );
}

#[test]
fn not_action_covers_everything_else() {
    let p = fixture("PowerUserAccess.json");
    assert_eq!(
        status(
            &p,
            &req(
                "ec2:RunInstances",
                &["arn:aws:ec2:us-east-1:1:instance/{i}"],
                &[]
            )
        ),
        Status::Satisfied
    );
    assert_eq!(
        status(&p, &req("iam:PassRole", &["arn:aws:iam::1:role/r"], &[])),
        Status::Missing
    );
    assert_eq!(
        status(&p, &req("IAM:CreateServiceLinkedRole", &["*"], &[])),
        Status::Satisfied
    );
}

#[test]
fn for_all_values_with_an_absent_key_holds() {
    let p = policy(
        r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"autoscaling:CreateOrUpdateTags","Resource":"*",
        "Condition":{"ForAllValues:StringEquals":{"aws:TagKeys":["env"]}}}]}"#,
    );
    let mut r = req("autoscaling:CreateOrUpdateTags", &["*"], &[]);
    r.context.set_absent("aws:TagKeys");
    assert_eq!(status(&p, &r), Status::Satisfied);
    // Unknown: conditional, naming the key.
    let d = evaluate(
        &PolicySet::single(p),
        &req("autoscaling:CreateOrUpdateTags", &["*"], &[]),
    );
    assert_eq!(d.status, Status::Conditional);
    assert_eq!(d.depends_on.iter().collect::<Vec<_>>(), ["aws:TagKeys"]);
}

#[test]
fn string_like_is_not_a_stub() {
    let p = policy(
        r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iam:PassRole","Resource":"*",
        "Condition":{"StringLike":{"iam:PassedToService":"ec2.amazonaws.com*"}}}]}"#,
    );
    let r = req(
        "iam:PassRole",
        &["arn:aws:iam::1:role/x"],
        &[("iam:PassedToService", "ec2.amazonaws.com.cn")],
    );
    assert_eq!(status(&p, &r), Status::Satisfied);
    let r = req(
        "iam:PassRole",
        &["arn:aws:iam::1:role/x"],
        &[("iam:PassedToService", "lambda.amazonaws.com")],
    );
    assert_eq!(status(&p, &r), Status::Missing);
}

#[test]
fn condition_key_names_are_case_insensitive() {
    let p = policy(
        r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iam:PassRole","Resource":"*",
        "Condition":{"StringEquals":{"IAM:PASSEDTOSERVICE":"ec2.amazonaws.com"}}}]}"#,
    );
    let r = req(
        "iam:PassRole",
        &["arn:aws:iam::1:role/x"],
        &[("iam:PassedToService", "ec2.amazonaws.com")],
    );
    assert_eq!(status(&p, &r), Status::Satisfied);
}

// ------------------------------------------------------------------
// Evaluation logic.

#[test]
fn explicit_deny_wins_and_is_told_apart() {
    let p = policy(
        r#"{"Version":"2012-10-17","Statement":[
        {"Sid":"All","Effect":"Allow","Action":"*","Resource":"*"},
        {"Sid":"NoPassRole","Effect":"Deny","Action":"iam:PassRole","Resource":"*"}]}"#,
    );
    let d = evaluate(
        &PolicySet::single(p),
        &req("iam:PassRole", &["arn:aws:iam::1:role/x"], &[]),
    );
    assert_eq!(d.status, Status::Missing);
    assert_eq!(d.missing, Some(MissingReason::ExplicitDeny));
    assert_eq!(d.decided_by.len(), 1);
    assert_eq!(d.decided_by[0].sid.as_deref(), Some("NoPassRole"));
    assert!(
        d.explanation.contains("explicitly denied"),
        "{}",
        d.explanation
    );
}

#[test]
fn no_allow_is_implicit_deny_with_nearest_misses() {
    let p = policy(
        r#"{"Version":"2012-10-17","Statement":[
        {"Sid":"OnlyCi","Effect":"Allow","Action":"iam:PassRole","Resource":"arn:aws:iam::*:role/ci-*"}]}"#,
    );
    let d = evaluate(
        &PolicySet::single(p),
        &req("iam:PassRole", &["arn:aws:iam::1:role/web"], &[]),
    );
    assert_eq!(d.status, Status::Missing);
    assert_eq!(
        d.missing,
        Some(MissingReason::NoMatchingAllow(Layer::Identity))
    );
    assert_eq!(d.near_misses.len(), 1);
    assert!(
        d.near_misses[0].notes[0].contains("does not cover"),
        "{:?}",
        d.near_misses
    );
}

#[test]
fn partial_resource_coverage_is_conditional() {
    let p = policy(&allow("iam:PassRole", "arn:aws:iam::*:role/ci-*"));
    let d = evaluate(
        &PolicySet::single(p.clone()),
        &req("iam:PassRole", &["arn:aws:iam::{account}:role/{role}"], &[]),
    );
    assert_eq!(d.status, Status::Conditional);
    assert!(
        d.depends_on.iter().any(|k| &**k == "{role}"),
        "{:?}",
        d.depends_on
    );
    // Knowing the role decides it.
    assert_eq!(
        status(
            &p,
            &req(
                "iam:PassRole",
                &["arn:aws:iam::{account}:role/ci-build"],
                &[]
            )
        ),
        Status::Satisfied
    );
}

#[test]
fn known_condition_values_are_evaluated_not_reported_as_conditional() {
    let p = policy(
        r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iam:PassRole","Resource":"*",
        "Condition":{"StringEquals":{"iam:PassedToService":"ec2.amazonaws.com"}}}]}"#,
    );
    let r = req(
        "iam:PassRole",
        &["arn:aws:iam::{account}:role/{role}"],
        &[("iam:PassedToService", "ec2.amazonaws.com")],
    );
    assert_eq!(status(&p, &r), Status::Satisfied);
    let r = req(
        "iam:PassRole",
        &["arn:aws:iam::{account}:role/{role}"],
        &[("iam:PassedToService", "autoscaling.amazonaws.com")],
    );
    assert_eq!(status(&p, &r), Status::Missing);
}

#[test]
fn unknown_operator_is_never_silently_allowed() {
    let p = policy(
        r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"ec2:RunInstances","Resource":"*",
        "Condition":{"StringMaybe":{"ec2:InstanceType":"t3.micro"}}}]}"#,
    );
    assert!(
        p.warnings
            .iter()
            .any(|w| w.message.contains("unknown condition operator"))
    );
    let d = evaluate(&PolicySet::single(p), &req("ec2:RunInstances", &["*"], &[]));
    assert_eq!(d.status, Status::Conditional);
    assert!(
        d.explanation.contains("unknown operator"),
        "{}",
        d.explanation
    );
}

#[test]
fn unknown_operator_in_a_deny_makes_an_allow_conditional() {
    let p = policy(
        r#"{"Version":"2012-10-17","Statement":[
        {"Effect":"Allow","Action":"*","Resource":"*"},
        {"Effect":"Deny","Action":"*","Resource":"*","Condition":{"Weird":{"a:b":"c"}}}]}"#,
    );
    assert_eq!(
        status(&p, &req("ec2:RunInstances", &["*"], &[])),
        Status::Conditional
    );
}

#[test]
fn multi_resource_actions_need_every_resource() {
    let p = policy(
        r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"ec2:RunInstances",
        "Resource":["arn:aws:ec2:*:*:instance/*","arn:aws:ec2:*:*:subnet/*"]}]}"#,
    );
    let r = req(
        "ec2:RunInstances",
        &[
            "arn:aws:ec2:{region}:{account}:instance/{i}",
            "arn:aws:ec2:{region}::image/{image}",
        ],
        &[],
    );
    let d = evaluate(&PolicySet::single(p), &r);
    assert_eq!(d.status, Status::Missing);
    assert_eq!(d.resources[0].status, Status::Satisfied);
    assert_eq!(d.resources[1].status, Status::Missing);
    assert!(d.explanation.contains("image"), "{}", d.explanation);
}

#[test]
fn boundary_and_scps_must_each_allow() {
    let identity = Arc::new(policy(&allow("*", "*")));
    let boundary = Arc::new(policy(&allow("autoscaling:*", "*")));
    let set = PolicySet {
        identity: vec![identity.clone()],
        boundary: Some(boundary),
        scps: Vec::new(),
    };
    let d = evaluate(&set, &req("ec2:RunInstances", &["*"], &[]));
    assert_eq!(d.status, Status::Missing);
    assert_eq!(
        d.missing,
        Some(MissingReason::NoMatchingAllow(Layer::Boundary))
    );
    assert_eq!(
        evaluate(&set, &req("autoscaling:DescribeTags", &["*"], &[])).status,
        Status::Satisfied
    );

    let scp = Arc::new(policy(
        r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"},
        {"Effect":"Deny","Action":"*","Resource":"*","Condition":{"StringNotEquals":{"aws:RequestedRegion":["eu-west-1"]}}}]}"#,
    ));
    let set = PolicySet {
        identity: vec![identity],
        boundary: None,
        scps: vec![scp],
    };
    assert_eq!(
        evaluate(&set, &req("ec2:RunInstances", &["*"], &[])).status,
        Status::Conditional
    );
    assert_eq!(
        evaluate(
            &set,
            &req(
                "ec2:RunInstances",
                &["*"],
                &[("aws:RequestedRegion", "eu-west-1")]
            )
        )
        .status,
        Status::Satisfied
    );
    assert_eq!(
        evaluate(
            &set,
            &req(
                "ec2:RunInstances",
                &["*"],
                &[("aws:RequestedRegion", "us-east-1")]
            )
        )
        .status,
        Status::Missing
    );
}

#[test]
fn resource_star_only_for_actions_without_resource_level_permissions() {
    let p = policy(&allow(
        "autoscaling:DescribeAutoScalingGroups",
        "arn:aws:autoscaling:*:*:autoScalingGroup:*",
    ));
    assert_eq!(
        status(
            &p,
            &req("autoscaling:DescribeAutoScalingGroups", &["*"], &[])
        ),
        Status::Missing
    );
}

#[test]
fn policy_variables() {
    let p = policy(&allow(
        "iam:PassRole",
        "arn:aws:iam::*:role/${aws:username}-*",
    ));
    let mut r = req("iam:PassRole", &["arn:aws:iam::1:role/alice-app"], &[]);
    assert_eq!(status(&p, &r), Status::Conditional);
    r.context.set("aws:username", ["alice"]);
    assert_eq!(status(&p, &r), Status::Satisfied);
    r.context.set("aws:username", ["bob"]);
    assert_eq!(status(&p, &r), Status::Missing);
    // Without Version 2012-10-17 the text is literal.
    let old = policy(
        r#"{"Statement":[{"Effect":"Allow","Action":"iam:PassRole","Resource":"arn:aws:iam::*:role/${aws:username}-*"}]}"#,
    );
    assert!(
        old.warnings
            .iter()
            .any(|w| w.message.contains("no Version"))
    );
    assert_eq!(status(&old, &r), Status::Missing);
}

/// Twelve plain Allows (more than an explanation names), then an Allow on a condition, then
/// a Deny on another: the Allows after the twelfth cannot change a satisfied answer, but
/// here the answer is not satisfied, and what they depend on must still be told.
#[test]
fn allows_after_enough_allowing_ones_still_count_when_the_answer_is_not_satisfied() {
    let mut statements: Vec<String> = (0..12)
        .map(|i| {
            format!(r#"{{"Sid":"A{i}","Effect":"Allow","Action":"autoscaling:*","Resource":"*"}}"#)
        })
        .collect();
    statements.push(
        r#"{"Sid":"Team","Effect":"Allow","Action":"autoscaling:*","Resource":"*","Condition":{"StringEquals":{"aws:RequestTag/team":"a"}}}"#.to_owned(),
    );
    statements.push(
        r#"{"Sid":"NotProd","Effect":"Deny","Action":"autoscaling:*","Resource":"arn:aws:autoscaling:*:*:autoScalingGroup:*:autoScalingGroupName/b","Condition":{"StringEquals":{"aws:ResourceTag/env":"prod"}}}"#.to_owned(),
    );
    let text = format!(
        r#"{{"Version":"2012-10-17","Statement":[{}]}}"#,
        statements.join(",")
    );
    let set = PolicySet::single(policy(&text));
    let group = |name: &str| {
        format!(
            "arn:aws:autoscaling:us-east-1:111122223333:autoScalingGroup:1234:autoScalingGroupName/{name}"
        )
    };
    // The Deny applies to the second resource only: the first alone is satisfied.
    let (a, b) = (group("a"), group("b"));
    let d = evaluate(&set, &req("autoscaling:CreateAutoScalingGroup", &[&a], &[]));
    assert_eq!(d.status, Status::Satisfied);
    assert_eq!(
        d.decided_by.len(),
        10,
        "an explanation names ten statements"
    );
    assert!(d.depends_on.is_empty());
    let d = evaluate(
        &set,
        &req("autoscaling:CreateAutoScalingGroup", &[&a, &b], &[]),
    );
    assert_eq!(d.status, Status::Conditional, "{}", d.explanation);
    assert_eq!(
        d.depends_on.iter().collect::<Vec<_>>(),
        ["aws:RequestTag/team", "aws:ResourceTag/env"]
    );
    let shown: Vec<usize> = d.decided_by.iter().map(|s| s.statement).collect();
    assert!(
        shown.contains(&12) && shown.contains(&13),
        "the conditional Allow and the Deny are shown: {shown:?}"
    );
    // Another layer that does not allow: the identity layer's Allows are still all weighed.
    let boundary = policy(&allow("ec2:*", "*"));
    let layered = PolicySet {
        boundary: Some(Arc::new(boundary)),
        ..set.clone()
    };
    let d = evaluate(
        &layered,
        &req("autoscaling:CreateAutoScalingGroup", &[&a], &[]),
    );
    assert_eq!(d.status, Status::Missing);
    assert_eq!(
        d.missing,
        Some(MissingReason::NoMatchingAllow(Layer::Boundary))
    );
    assert_eq!(d.missing_layers, [Layer::Boundary]);
}

// ------------------------------------------------------------------
// Input shapes.

#[test]
fn statement_as_object_and_strings_as_single_values() {
    let p = policy(
        r#"{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"ec2:RunInstances","Resource":"*"}}"#,
    );
    assert_eq!(p.statements.len(), 1);
}

#[test]
fn cli_wrappers_and_url_encoding() {
    let doc = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"ec2:RunInstances","Resource":"*"}]}"#;
    let wrapped = format!(
        r#"{{"PolicyVersion":{{"Document":{doc},"VersionId":"v1","IsDefaultVersion":true}}}}"#
    );
    assert_eq!(
        load_text("a", &wrapped).unwrap().kind(),
        InputKind::PolicyVersion
    );
    let inline = format!(r#"{{"RoleName":"r","PolicyName":"p","PolicyDocument":{doc}}}"#);
    assert_eq!(
        load_text("a", &inline).unwrap().kind(),
        InputKind::InlinePolicy
    );
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
    let raw = format!(r#"{{"PolicyVersion":{{"Document":"{encoded}"}}}}"#);
    let Loaded::Policy(p, _) = load_text("a", &raw).unwrap() else {
        panic!()
    };
    assert_eq!(p.statements.len(), 1);
    assert_eq!(
        load_text("a", &format!("\"{encoded}\"")).unwrap().kind(),
        InputKind::UrlEncoded
    );
    let bad = load_text("a", r#"{"PolicyVersion":{"Document":"%7B%2"}}"#).unwrap_err();
    assert!(bad.message().contains("URL encoding"), "{bad}");
    // A bare URL-encoded document, not inside JSON quotes, from text and from bytes.
    let Loaded::Policy(p, kind) = load_text("a", &format!("{encoded}\n")).unwrap() else {
        panic!()
    };
    assert_eq!((p.statements.len(), kind), (1, InputKind::UrlEncoded));
    assert_eq!(
        asg_perms::load_bytes("<stdin>", encoded.as_bytes())
            .unwrap()
            .kind(),
        InputKind::UrlEncoded
    );
    let bad = load_text("a", "%7B%2").unwrap_err();
    assert!(bad.message().contains("URL-encoded"), "{bad}");
}

#[test]
fn statement_spans_point_at_the_statement() {
    let text = "{\"Version\":\"2012-10-17\",\"Statement\":[\n  {\"Sid\":\"A\",\"Effect\":\"Allow\",\"Action\":\"*\",\"Resource\":\"*\"}\n]}";
    let p = policy(text);
    assert!(p.statement_text(0).starts_with("{\"Sid\":\"A\""));
    assert_eq!(p.line_col(p.statements[0].span.start), (2, 3));
}

#[test]
fn shape_errors_name_the_statement_and_place() {
    let cases = [
        (
            r#"{"Statement":[{"Sid":"X","Effect":"allow","Action":"*","Resource":"*"}]}"#,
            "Sid \"X\"",
        ),
        (
            r#"{"Statement":[{"Effect":"Allow","Action":"*","NotAction":"a:b","Resource":"*"}]}"#,
            "both Action and NotAction",
        ),
        (
            r#"{"Statement":[{"Effect":"Allow","Resource":"*"}]}"#,
            "Action (or NotAction) is missing",
        ),
        (
            r#"{"Statement":[{"Effect":"Allow","Action":[1],"Resource":"*"}]}"#,
            "must be strings",
        ),
        (r#"{"Statement":[],"Bogus":1}"#, "unknown top-level element"),
        (
            r#"{"Statement":[{"Effect":"Allow","Action":"*","Resource":"*","Foo":1}]}"#,
            "unknown element \"Foo\"",
        ),
        (
            r#"{"Statement":[{"Effect":"Allow","Action":"RunInstances","Resource":"*"}]}"#,
            "no service prefix",
        ),
        (r#"{"Version":"2020-01-01","Statement":[]}"#, "Version"),
        (
            r#"{"Statement":[{"Effect":"Allow","Action":"*","Resource":"*","Condition":{"StringEquals":{"a:b":{"x":1}}}}]}"#,
            "condition values",
        ),
        ("[1,2]", "found an array at the top level"),
        ("\"just text\"", "not valid JSON"),
        ("{\"a\":1}", "not a policy"),
    ];
    for (text, want) in cases {
        let err = load_text("p.json", text).unwrap_err();
        let shown = err.to_string();
        assert!(shown.contains(want), "{text}\n=> {shown}");
        assert!(err.location().line > 0, "{shown}");
    }
}

#[test]
fn malformed_json_has_line_and_column() {
    let err = load_text("p.json", "{\n  \"Version\": \"2012-10-17\",\n  \"Statement\": [\n    {\"Effect\": \"Allow\",}\n  ]\n}").unwrap_err();
    assert_eq!((err.location().line, err.location().column), (4, 24));
    assert!(err.to_string().starts_with("p.json:4:24:"), "{err}");
}

#[test]
fn suspicious_things_are_warnings() {
    let p = policy(
        r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*:Describe*","Resource":"*",
        "Condition":{"stringequals":{"aws:SourceVpc":"vpc-1"}}}]}"#,
    );
    assert!(
        p.warnings
            .iter()
            .any(|w| w.message.contains("wildcard in the service prefix")),
        "{:?}",
        p.warnings
    );
    assert!(
        p.warnings
            .iter()
            .any(|w| w.message.contains("documented as \"StringEquals\"")),
        "{:?}",
        p.warnings
    );
}

#[test]
fn binary_and_non_utf8_input() {
    let err = asg_perms::load_bytes("b.bin", b"{\"a\":\x00}").unwrap_err();
    assert!(err.message().contains("binary"), "{err}");
    let err = asg_perms::load_bytes("l.json", b"{\n\"Statement\": \"\xe9\"}").unwrap_err();
    assert!(err.message().contains("UTF-8"), "{err}");
    assert_eq!(err.location().line, 2);
    let err = asg_perms::load_bytes("e.json", b"   ").unwrap_err();
    assert!(err.message().contains("empty"), "{err}");
}

// ------------------------------------------------------------------
// Account authorization details.

const GAAD: &str = r#"{
 "UserDetailList": [{"UserName": "dev", "Arn": "arn:aws:iam::111122223333:user/dev", "GroupList": ["ops"],
   "UserPolicyList": [], "AttachedManagedPolicies": []}],
 "GroupDetailList": [{"GroupName": "ops", "GroupPolicyList": [{"PolicyName": "g", "PolicyDocument":
   {"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"ec2:RunInstances","Resource":"*"}]}}],
   "AttachedManagedPolicies": [{"PolicyName": "AS", "PolicyArn": "arn:aws:iam::aws:policy/AS"}]}],
 "RoleDetailList": [
   {"RoleName": "deployer", "Arn": "arn:aws:iam::111122223333:role/deployer",
    "RolePolicyList": [{"PolicyName": "inline", "PolicyDocument": "%7B%22Version%22%3A%222012-10-17%22%2C%22Statement%22%3A%5B%7B%22Effect%22%3A%22Allow%22%2C%22Action%22%3A%22iam%3APassRole%22%2C%22Resource%22%3A%22*%22%7D%5D%7D"}],
    "AttachedManagedPolicies": [{"PolicyName": "AS", "PolicyArn": "arn:aws:iam::aws:policy/AS"}],
    "PermissionsBoundary": {"PermissionsBoundaryType": "Policy", "PermissionsBoundaryArn": "arn:aws:iam::111122223333:policy/boundary"}},
   {"RoleName": "broken", "Arn": "arn:aws:iam::111122223333:role/broken", "RolePolicyList": [],
    "AttachedManagedPolicies": [{"PolicyName": "Gone", "PolicyArn": "arn:aws:iam::111122223333:policy/gone"}]}],
 "Policies": [
   {"PolicyName": "AS", "Arn": "arn:aws:iam::aws:policy/AS", "DefaultVersionId": "v2", "PolicyVersionList": [
     {"VersionId": "v1", "IsDefaultVersion": false, "Document": {"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}},
     {"VersionId": "v2", "IsDefaultVersion": true, "Document": {"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"autoscaling:*","Resource":"*"}]}}]},
   {"PolicyName": "boundary", "Arn": "arn:aws:iam::111122223333:policy/boundary", "DefaultVersionId": "v1", "PolicyVersionList": [
     {"VersionId": "v1", "IsDefaultVersion": true, "Document": {"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["autoscaling:*","iam:PassRole"],"Resource":"*"}]}}]}]
}"#;

#[test]
fn account_documents_are_read_when_a_principal_is_evaluated() {
    // A broken inline document does not stop the file from loading: the other principals
    // are evaluated, and the broken one's set names the place of its error.
    let text = GAAD
        .replace(
            r#""RolePolicyList": [],"#,
            r#""RolePolicyList": [{"PolicyName": "bad", "PolicyDocument": {"Version":"2012-10-17","Statement":[{"Effect":"Permit","Action":"*","Resource":"*"}]}}],"#,
        )
        .replace(
            r#"[{"PolicyName": "Gone", "PolicyArn": "arn:aws:iam::111122223333:policy/gone"}]"#,
            "[]",
        );
    assert_ne!(text, GAAD);
    let Loaded::Account(acc) = load_text("gaad.json", &text).unwrap() else {
        panic!()
    };
    assert!(acc.policy_set("gaad.json", "deployer").is_ok());
    let err = acc.policy_set("gaad.json", "broken").unwrap_err();
    assert_eq!(err.location().line, 12, "{err}");
    assert!(err.to_string().contains("Permit"), "{err}");
    // Found by ARN and by name in any case, through the index.
    assert_eq!(
        acc.find("arn:aws:iam::111122223333:role/deployer")
            .unwrap()
            .name,
        "deployer"
    );
    assert_eq!(acc.find("DEPLOYER").unwrap().name, "deployer");
}

#[test]
fn account_details_assemble_principals() {
    let Loaded::Account(acc) = load_text("gaad.json", GAAD).unwrap() else {
        panic!()
    };
    let names: Vec<&str> = acc.principals.iter().map(|p| p.name.as_str()).collect();
    assert_eq!(names, vec!["broken", "deployer", "dev"]);

    let role = acc.policy_set("gaad.json", "deployer").unwrap();
    assert_eq!(role.identity.len(), 2);
    assert!(role.boundary.is_some());
    // The default version (v2) is used, not v1's "*".
    assert_eq!(
        evaluate(&role, &req("ec2:RunInstances", &["*"], &[])).status,
        Status::Missing
    );
    assert_eq!(
        evaluate(&role, &req("iam:PassRole", &["arn:aws:iam::1:role/x"], &[])).status,
        Status::Satisfied
    );
    assert_eq!(
        evaluate(&role, &req("autoscaling:DescribeTags", &["*"], &[])).status,
        Status::Satisfied
    );

    // A user gets its groups' policies.
    let user = acc
        .policy_set("gaad.json", "arn:aws:iam::111122223333:user/dev")
        .unwrap();
    assert_eq!(
        evaluate(&user, &req("ec2:RunInstances", &["*"], &[])).status,
        Status::Satisfied
    );

    let err = acc.policy_set("gaad.json", "broken").unwrap_err();
    assert!(
        err.message()
            .contains("arn:aws:iam::111122223333:policy/gone"),
        "{err}"
    );
    let err = acc.policy_set("gaad.json", "nobody").unwrap_err();
    assert!(err.message().contains("no role or user"), "{err}");
}

// ------------------------------------------------------------------
// Real AWS managed policies.

#[test]
fn autoscaling_full_access() {
    let p = fixture("managed/AutoScalingFullAccess.json");
    let asg =
        "arn:aws:autoscaling:{region}:{account}:autoScalingGroup:{id}:autoScalingGroupName/{name}";
    assert_eq!(
        status(&p, &req("autoscaling:CreateAutoScalingGroup", &[asg], &[])),
        Status::Satisfied
    );
    assert_eq!(
        status(
            &p,
            &req(
                "ec2:RunInstances",
                &["arn:aws:ec2:{region}:{account}:instance/{i}"],
                &[]
            )
        ),
        Status::Missing
    );
    let slr = "arn:aws:iam::{account}:role/aws-service-role/autoscaling.amazonaws.com/AWSServiceRoleForAutoScaling";
    assert_eq!(
        status(
            &p,
            &req(
                "iam:CreateServiceLinkedRole",
                &[slr],
                &[("iam:AWSServiceName", "autoscaling.amazonaws.com")]
            )
        ),
        Status::Satisfied
    );
    assert_eq!(
        status(
            &p,
            &req(
                "iam:CreateServiceLinkedRole",
                &[slr],
                &[("iam:AWSServiceName", "ec2.amazonaws.com")]
            )
        ),
        Status::Missing
    );
    assert_eq!(
        status(&p, &req("iam:CreateServiceLinkedRole", &[slr], &[])),
        Status::Conditional
    );
}

#[test]
fn read_only_access_allows_reads_only() {
    let p = fixture("managed/ReadOnlyAccess.json");
    assert_eq!(
        status(
            &p,
            &req("autoscaling:DescribeAutoScalingGroups", &["*"], &[])
        ),
        Status::Satisfied
    );
    assert_eq!(
        status(&p, &req("ec2:DescribeImages", &["*"], &[])),
        Status::Satisfied
    );
    assert_eq!(
        status(&p, &req("ec2:RunInstances", &["*"], &[])),
        Status::Missing
    );
    assert_eq!(
        status(&p, &req("iam:PassRole", &["arn:aws:iam::1:role/x"], &[])),
        Status::Missing
    );
}

#[test]
fn every_managed_fixture_parses() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/managed");
    let mut n = 0;
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        let loaded = load_file(&path).unwrap_or_else(|e| panic!("{e}"));
        assert!(matches!(loaded, Loaded::Policy(ref p, _) if !p.statements.is_empty()));
        n += 1;
    }
    assert!(n >= 8);
}

#[test]
fn statements_that_cover_each_other_are_decided_exactly() {
    // Allowed for k = "a" by one statement and for every other value (or none) by another.
    let p = policy(
        r#"{"Version":"2012-10-17","Statement":[
        {"Sid":"ForA","Effect":"Allow","Action":"iam:PassRole","Resource":"*","Condition":{"StringEquals":{"aws:ResourceTag/team":"a"}}},
        {"Sid":"ForOthers","Effect":"Allow","Action":"iam:PassRole","Resource":"*","Condition":{"StringNotEquals":{"aws:ResourceTag/team":"a"}}}]}"#,
    );
    let d = evaluate(
        &PolicySet::single(p),
        &req("iam:PassRole", &["arn:aws:iam::1:role/x"], &[]),
    );
    assert_eq!(d.status, Status::Satisfied, "{}", d.explanation);
    assert!(d.explanation.contains("in every case"), "{}", d.explanation);

    // Role names: an Allow for app-* and a Deny for app-* with an Allow for the rest of the
    // names only covers the names outside app-*: conditional, as brute force says.
    let p = policy(
        r#"{"Version":"2012-10-17","Statement":[
        {"Effect":"Allow","Action":"iam:PassRole","Resource":"arn:aws:iam::*:role/app-*"},
        {"Effect":"Allow","Action":"iam:PassRole","NotResource":"arn:aws:iam::*:role/app-*"}]}"#,
    );
    assert_eq!(
        status(
            &p,
            &req("iam:PassRole", &["arn:aws:iam::{account}:role/{role}"], &[])
        ),
        Status::Satisfied
    );

    // A Deny that matches whenever the Allow does: missing in every case.
    let p = policy(
        r#"{"Version":"2012-10-17","Statement":[
        {"Effect":"Allow","Action":"iam:PassRole","Resource":"arn:aws:iam::*:role/app-*"},
        {"Effect":"Deny","Action":"iam:PassRole","Resource":"arn:aws:iam::*:role/a*"}]}"#,
    );
    let d = evaluate(
        &PolicySet::single(p),
        &req("iam:PassRole", &["arn:aws:iam::{account}:role/{role}"], &[]),
    );
    assert_eq!(d.status, Status::Missing, "{}", d.explanation);
}

/// A statement's resource patterns, stored as one text, come back one by one as written,
/// in order, each compiled in place, compiled apart, or kept with its variables; and an
/// error in one of them is placed at that pattern.
/// Actions that match the same statements of a policy share one list, and its number (what
/// a refinement is remembered under); different statements, or another policy, never do.
#[test]
fn actions_that_match_the_same_statements_share_one_list() {
    let p = policy(
        r#"{"Version":"2012-10-17","Statement":[
        {"Effect":"Allow","Action":"autoscaling:*","Resource":"*"},
        {"Effect":"Allow","Action":"autoscaling:Create*","Resource":"*"},
        {"Effect":"Deny","Action":"ec2:*","Resource":"*"}]}"#,
    );
    let delete = p.matching("autoscaling:deleteautoscalinggroup");
    let suspend = p.matching("autoscaling:suspendprocesses");
    let create = p.matching("autoscaling:createautoscalinggroup");
    let create_lc = p.matching("autoscaling:createlaunchconfiguration");
    assert_eq!(delete.uid(), suspend.uid());
    assert_eq!(create.uid(), create_lc.uid());
    assert_ne!(delete.uid(), create.uid());
    assert_eq!(delete.indexes().collect::<Vec<_>>(), [0]);
    assert_eq!(create.indexes().collect::<Vec<_>>(), [0, 1]);
    let copy = p.clone();
    assert_ne!(
        copy.matching("autoscaling:deleteautoscalinggroup").uid(),
        delete.uid()
    );
}

#[test]
fn resource_patterns_stored_together_come_back_apart() {
    let texts = [
        "*",
        "",
        "arn:aws:s3:::b/${aws:username}/*",
        "arn:aws:s3:::é*",
        "arn:aws:s3:::x${*}",
        "arn:aws:iam::*:role/app",
    ];
    let doc = serde_json::json!({
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": texts},
                      {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::one"}]
    })
    .to_string();
    let p = policy(&doc);
    let r = &p.statements[0].resources;
    assert_eq!(r.len(), texts.len());
    assert_eq!(r.texts().collect::<Vec<_>>(), texts);
    assert_eq!(r.list(), texts.join(", "));
    let shape: Vec<(bool, bool)> = r
        .patterns()
        .map(|p| (p.compiled.is_some(), p.variables().is_some()))
        .collect();
    assert_eq!(
        shape,
        [
            (true, false),
            (true, false),
            (false, true),
            (true, false),
            (true, false),
            (true, false)
        ]
    );
    let one = &p.statements[1].resources;
    assert_eq!(one.texts().collect::<Vec<_>>(), ["arn:aws:s3:::one"]);
    assert_eq!(one.len(), 1);

    let bad = r#"{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:*",
"Resource":["arn:aws:s3:::a",
  "arn:aws:s3:::${oops"]}}"#;
    let err = match load_text("bad.json", bad) {
        Err(e) => e.to_string(),
        Ok(_) => panic!("a broken variable is refused"),
    };
    assert!(err.contains(":3:3"), "{err}");
}
