//! Soundness of the exact ("refined") answers: multivalued keys, characters the patterns
//! hold, and monotone precision. A wrong "satisfied" is the worst answer this tool can give.

#![allow(clippy::unwrap_used)] // Tests may unwrap: a panic is a failed test.

use asg_perms::{
    Context, Loaded, Policy, PolicySet, Request, Status, Template, evaluate, load_text,
};

fn policy(statements: &[String]) -> Policy {
    let text = format!(
        r#"{{"Version":"2012-10-17","Statement":[{}]}}"#,
        statements.join(",")
    );
    match load_text("p.json", &text).unwrap() {
        Loaded::Policy(p, _) => p,
        Loaded::Account(_) => panic!("not a policy"),
    }
}

fn allow_if(condition: &str) -> String {
    format!(
        r#"{{"Effect":"Allow","Action":"autoscaling:*","Resource":"*","Condition":{condition}}}"#
    )
}

fn decide(p: &Policy, context: Context) -> asg_perms::Decision {
    let req = Request {
        action: "autoscaling:CreateAutoScalingGroup".to_owned(),
        resources: vec![Template::parse("*")],
        context,
    };
    evaluate(&PolicySet::single(p.clone()), &req)
}

fn with(key: &str, values: &[&str]) -> Context {
    let mut c = Context::default();
    c.set(key, values.iter().copied());
    c
}

#[test]
fn a_multivalued_key_is_tried_with_several_values_and_none() {
    let p = policy(&[
        allow_if(r#"{"StringEqualsIfExists":{"aws:TagKeys":"Team"}}"#),
        allow_if(r#"{"StringNotEqualsIfExists":{"aws:TagKeys":"Team"}}"#),
    ]);
    // Unknown: absent and every single value are allowed, but two values are not defined.
    let open = decide(&p, Context::default());
    assert_eq!(open.status, Status::Conditional, "{}", open.explanation);
    // The consistent concrete request agrees.
    let two = decide(&p, with("aws:TagKeys", &["Team", "Env"]));
    assert_eq!(two.status, Status::Conditional, "{}", two.explanation);
    // A present but empty list is a case of its own, also not defined without a set operator.
    let empty = decide(&p, with("aws:TagKeys", &[]));
    assert_eq!(empty.status, Status::Conditional, "{}", empty.explanation);
    // One value is decided.
    assert_eq!(
        decide(&p, with("aws:TagKeys", &["Team"])).status,
        Status::Satisfied
    );
}

#[test]
fn a_multivalued_key_without_a_set_operator_is_explained_with_the_page() {
    let p = policy(&[allow_if(r#"{"StringLike":{"aws:TagKeys":"T*"}}"#)]);
    let d = decide(&p, with("aws:TagKeys", &["Team", "Tier"]));
    assert_eq!(d.status, Status::Conditional);
    assert!(
        d.explanation.contains("ForAnyValue or ForAllValues"),
        "{}",
        d.explanation
    );
    assert!(
        d.explanation
            .contains("reference_policies_condition-single-vs-multi-valued-context-keys"),
        "{}",
        d.explanation
    );
    // The policy view shows the parser's warning on the statement.
    assert!(
        p.warnings.iter().any(|w| w
            .message
            .contains("multivalued key \"aws:TagKeys\" used without")),
        "{:?}",
        p.warnings
    );
    // With a set operator there is no such warning.
    let q = policy(&[allow_if(
        r#"{"ForAnyValue:StringLike":{"aws:TagKeys":"T*"}}"#,
    )]);
    assert!(q.warnings.is_empty(), "{:?}", q.warnings);
}

#[test]
fn witnesses_differ_from_every_character_the_policy_holds() {
    let p = policy(&[
        allow_if(r#"{"StringLike":{"aws:PrincipalTag/t":"*\udbff\udffd*"}}"#),
        allow_if(r#"{"StringEquals":{"aws:PrincipalTag/t":""}}"#),
        allow_if(r#"{"Null":{"aws:PrincipalTag/t":"true"}}"#),
    ]);
    // A request with t = "a" is denied, so the open answer cannot be "satisfied".
    assert_eq!(
        decide(&p, with("aws:PrincipalTag/t", &["a"])).status,
        Status::Missing
    );
    let open = decide(&p, Context::default());
    assert_eq!(open.status, Status::Conditional, "{}", open.explanation);
    // And with an ordinary character in its place, the same.
    let z = policy(&[
        allow_if(r#"{"StringLike":{"aws:PrincipalTag/t":"*z*"}}"#),
        allow_if(r#"{"StringEquals":{"aws:PrincipalTag/t":""}}"#),
        allow_if(r#"{"Null":{"aws:PrincipalTag/t":"true"}}"#),
    ]);
    assert_eq!(decide(&z, Context::default()).status, Status::Conditional);
}

#[test]
fn adding_an_allow_never_makes_an_answer_worse() {
    let pair = [
        allow_if(r#"{"StringEquals":{"aws:PrincipalTag/t":"a"}}"#),
        allow_if(r#"{"StringNotEquals":{"aws:PrincipalTag/t":"a"}}"#),
    ];
    assert_eq!(
        decide(&policy(&pair), Context::default()).status,
        Status::Satisfied
    );
    let thirds = [
        r#"{"Effect":"Allow","Action":"autoscaling:*","Resource":"arn:aws:autoscaling:*:*:autoScalingGroup:*:autoScalingGroupName/${aws:username}"}"#.to_owned(),
        allow_if(r#"{"NumericLessThan":{"autoscaling:MaxSize":"10"}}"#),
        allow_if(r#"{"ForAnyValue:StringEquals":{"aws:TagKeys":"Team"}}"#),
    ];
    for third in thirds {
        let mut sts = pair.to_vec();
        sts.push(third.clone());
        let d = decide(&policy(&sts), Context::default());
        assert_eq!(d.status, Status::Satisfied, "{third}: {}", d.explanation);
    }
}

#[test]
fn a_deny_that_cannot_be_enumerated_keeps_the_answer_open() {
    // The pair covers every value of t, but a Deny on an unknown number may apply.
    let sts = [
        allow_if(r#"{"StringEquals":{"aws:PrincipalTag/t":"a"}}"#),
        allow_if(r#"{"StringNotEquals":{"aws:PrincipalTag/t":"a"}}"#),
        r#"{"Effect":"Deny","Action":"autoscaling:*","Resource":"*","Condition":{"NumericLessThan":{"autoscaling:MaxSize":"10"}}}"#.to_owned(),
    ];
    assert_eq!(
        decide(&policy(&sts), Context::default()).status,
        Status::Conditional
    );
}

#[test]
fn left_out_allows_never_confirm_missing() {
    // Every enumerable case is denied, but the NumericLessThan Allow may allow: conditional.
    let sts = [
        allow_if(r#"{"StringEquals":{"aws:PrincipalTag/t":"a"}}"#),
        r#"{"Effect":"Deny","Action":"autoscaling:*","Resource":"*","Condition":{"StringEquals":{"aws:PrincipalTag/t":"a"}}}"#.to_owned(),
        allow_if(r#"{"NumericLessThan":{"autoscaling:MaxSize":"10"}}"#),
    ];
    let d = decide(&policy(&sts), Context::default());
    assert_eq!(d.status, Status::Conditional, "{}", d.explanation);
}

// ------------------------------------------------------------------
// The layer that denies.

fn layered() -> PolicySet {
    let identity = policy(&[
        r#"{"Sid":"All","Effect":"Allow","Action":["autoscaling:*","ec2:RunInstances"],"Resource":"*"}"#.to_owned(),
    ]);
    let boundary = policy(&[
        r#"{"Sid":"OnlyAutoScaling","Effect":"Allow","Action":"autoscaling:*","Resource":"*"}"#
            .to_owned(),
        r#"{"Sid":"Describe","Effect":"Allow","Action":"ec2:Describe*","Resource":"*"}"#.to_owned(),
    ]);
    PolicySet {
        identity: vec![identity.into()],
        boundary: Some(boundary.into()),
        scps: Vec::new(),
    }
}

#[test]
fn a_boundary_that_lacks_the_allow_is_named_and_gets_the_fix() {
    use asg_perms::{
        Facts, GenerateOptions, Layer, MissingReason, check, suggest, suggest_by_layer,
    };
    let set = layered();
    let features = ["launch-template".to_owned()];
    let checked = check("CreateAutoScalingGroup", &features, &Facts::default(), &set).unwrap();
    let run = checked
        .requirements
        .iter()
        .find(|c| c.requirement.permission == "ec2:RunInstances")
        .unwrap();
    let d = &run.decision;
    assert_eq!(d.status, Status::Missing);
    assert_eq!(
        d.missing,
        Some(MissingReason::NoMatchingAllow(Layer::Boundary))
    );
    assert_eq!(d.missing_layers, vec![Layer::Boundary]);
    // Not the identity Allow as "deciding" or as a near miss: the boundary's statements.
    assert!(d.decided_by.is_empty(), "{:?}", d.decided_by);
    assert!(
        d.near_misses.iter().all(|s| s.layer == Layer::Boundary),
        "{:?}",
        d.near_misses
    );
    assert!(
        d.explanation
            .contains("No statement in the permissions boundary allows ec2:RunInstances"),
        "{}",
        d.explanation
    );
    assert!(d.explanation.contains("Sid \"All\""), "{}", d.explanation);
    assert!(
        d.explanation
            .contains("the fix belongs in the permissions boundary"),
        "{}",
        d.explanation
    );
    // The fix goes to the boundary, not to the identity policy that already allows it.
    let checks = [checked.clone()];
    let identity = suggest(&checks, GenerateOptions::default()).to_json();
    assert!(!identity.contains("ec2:RunInstances"), "{identity}");
    let by_layer = suggest_by_layer(&checks, GenerateOptions::default());
    let boundary = by_layer
        .iter()
        .find(|f| f.which == Layer::Boundary)
        .unwrap();
    assert_eq!(boundary.kind, "boundary");
    assert!(boundary.statements.to_json().contains("ec2:RunInstances"));
    // Adding the boundary fix to the boundary satisfies it.
    let mut fixed = set.clone();
    let mut doc: serde_json::Value = serde_json::from_str(&boundary.statements.to_json()).unwrap();
    let b = set.boundary.clone().unwrap();
    let mut all: Vec<serde_json::Value> = doc["Statement"].as_array().unwrap().clone();
    all.extend(
        b.document_json()["Statement"]
            .as_array()
            .unwrap()
            .iter()
            .cloned(),
    );
    doc["Statement"] = serde_json::Value::Array(all);
    fixed.boundary = Some(policy_text(&doc.to_string()).into());
    let after = check(
        "CreateAutoScalingGroup",
        &features,
        &Facts::default(),
        &fixed,
    )
    .unwrap();
    assert_eq!(
        after.status,
        Status::Satisfied,
        "{:#?}",
        after
            .requirements
            .iter()
            .map(|c| &c.decision.explanation)
            .collect::<Vec<_>>()
    );
}

fn policy_text(text: &str) -> Policy {
    match load_text("fixed.json", text).unwrap() {
        Loaded::Policy(p, _) => p,
        Loaded::Account(_) => panic!("not a policy"),
    }
}

#[test]
fn an_explicit_deny_names_its_layer_and_gets_no_allow() {
    use asg_perms::{Facts, GenerateOptions, MissingReason, check, suggest_by_layer};
    let mut set = layered();
    set.scps = vec![
        policy(&[
            r#"{"Effect":"Allow","Action":"*","Resource":"*"}"#.to_owned(),
            r#"{"Sid":"NoLaunch","Effect":"Deny","Action":"ec2:RunInstances","Resource":"*"}"#
                .to_owned(),
        ])
        .into(),
    ];
    let checked = check(
        "CreateAutoScalingGroup",
        &["launch-template".to_owned()],
        &Facts::default(),
        &set,
    )
    .unwrap();
    let run = checked
        .requirements
        .iter()
        .find(|c| c.requirement.permission == "ec2:RunInstances")
        .unwrap();
    assert_eq!(run.decision.missing, Some(MissingReason::ExplicitDeny));
    assert!(
        run.decision
            .decided_by
            .iter()
            .any(|s| s.sid.as_deref() == Some("NoLaunch"))
    );
    assert!(run.decision.missing_layers.is_empty());
    let fixes = suggest_by_layer(&[checked], GenerateOptions::default());
    assert!(
        fixes
            .iter()
            .all(|f| !f.statements.to_json().contains("ec2:RunInstances"))
    );
}
