//! Benchmarks of the engine: parsing and evaluating real managed policies, a large
//! authorization-details file, and the work behind one full refresh of the action tree.
//!
//! Run: `cargo bench --bench engine`.

use std::fmt::Write as _;
use std::hint::black_box;

use asg_perms::catalog;
use asg_perms::{Context, KeyState, PolicySet, Request, Status, Template, evaluate};
use asg_perms::{Facts, check, check_each, forget_remembered, requirements};
use asg_perms::{Loaded, load_text};
use criterion::{Criterion, criterion_group, criterion_main};

const FULL: &str = include_str!("../tests/fixtures/managed/AutoScalingFullAccess.json");
const READ_ONLY: &str = include_str!("../tests/fixtures/managed/ReadOnlyAccess.json");
const EC2_FULL: &str = include_str!("../tests/fixtures/managed/AmazonEC2FullAccess.json");

fn policy_set(text: &str) -> PolicySet {
    match load_text("bench.json", text) {
        Ok(Loaded::Policy(p, _)) => PolicySet::single(p),
        _ => panic!("fixture must be a policy"),
    }
}

/// A get-account-authorization-details file: `roles` roles, each with 4 inline statements
/// and one shared managed policy attached, plus `managed` managed policies.
pub fn gaad(roles: usize, managed: usize) -> String {
    let mut s = String::from("{\"UserDetailList\":[],\"GroupDetailList\":[],\"RoleDetailList\":[");
    for r in 0..roles {
        if r > 0 {
            s.push(',');
        }
        write!(
            s,
            r#"{{"RoleName":"role-{r}","Arn":"arn:aws:iam::111122223333:role/role-{r}","RolePolicyList":[{{"PolicyName":"inline","PolicyDocument":{{"Version":"2012-10-17","Statement":[
            {{"Sid":"A{r}","Effect":"Allow","Action":["autoscaling:Describe*","ec2:Describe*"],"Resource":"*"}},
            {{"Effect":"Allow","Action":"iam:PassRole","Resource":"arn:aws:iam::111122223333:role/app-{r}-*","Condition":{{"StringEquals":{{"iam:PassedToService":"ec2.amazonaws.com"}}}}}},
            {{"Effect":"Allow","Action":"ec2:RunInstances","Resource":["arn:aws:ec2:*:111122223333:instance/*","arn:aws:ec2:*::image/*"]}},
            {{"Effect":"Deny","Action":"*","Resource":"*","Condition":{{"StringNotEquals":{{"aws:RequestedRegion":["eu-west-1","us-east-1"]}}}}}}]}}}}],
            "AttachedManagedPolicies":[{{"PolicyName":"m{m}","PolicyArn":"arn:aws:iam::111122223333:policy/m{m}"}}]}}"#,
            m = r % managed
        )
        .ok();
    }
    s.push_str("],\"Policies\":[");
    for m in 0..managed {
        if m > 0 {
            s.push(',');
        }
        write!(
            s,
            r#"{{"PolicyName":"m{m}","Arn":"arn:aws:iam::111122223333:policy/m{m}","DefaultVersionId":"v1","PolicyVersionList":[{{"VersionId":"v1","IsDefaultVersion":true,"Document":{{"Version":"2012-10-17","Statement":[{{"Effect":"Allow","Action":"autoscaling:*","Resource":"*"}}]}}}}]}}"#
        )
        .ok();
    }
    s.push_str("]}");
    s
}

/// A policy with `n` statements.
fn big_policy(n: usize) -> String {
    let mut s = String::from("{\"Version\":\"2012-10-17\",\"Statement\":[");
    for i in 0..n {
        if i > 0 {
            s.push(',');
        }
        write!(
            s,
            r#"{{"Sid":"S{i}","Effect":"Allow","Action":["s3:GetObject","ec2:Describe*"],"Resource":"arn:aws:s3:::bucket-{i}/*","Condition":{{"StringLike":{{"aws:PrincipalTag/team":"t{i}*"}}}}}}"#
        )
        .ok();
    }
    s.push_str("]}");
    s
}

#[path = "../tests/support/policies.rs"]
mod policies;
use policies::matching_policy;

/// 200 statements, each with 20 wildcard resources and conditions on unknown keys: the
/// case-by-case check must give up within its budget, not after.
fn refinement_blowup() -> String {
    let mut s = String::from("{\"Version\":\"2012-10-17\",\"Statement\":[");
    for i in 0..200 {
        if i > 0 {
            s.push(',');
        }
        let resources: Vec<String> = (0..20)
            .map(|k| format!("\"arn:aws:autoscaling:*:*:autoScalingGroup:*:autoScalingGroupName/g{i}-{k}*x?\""))
            .collect();
        write!(
            s,
            r#"{{"Effect":"Allow","Action":"autoscaling:*","Resource":[{}],"Condition":{{"StringLike":{{"aws:PrincipalTag/k{}":"*{i}*"}},"StringNotEquals":{{"aws:RequestTag/t":"{i}"}}}}}}"#,
            resources.join(","),
            i % 5
        )
        .ok();
    }
    s.push_str("]}");
    s
}

fn full_refresh(set: &PolicySet) -> usize {
    let cat = catalog();
    let facts = Facts::default();
    let mut n = 0;
    for a in &cat.actions {
        // Every feature that applies to the action on: the heaviest case per action.
        if let Ok(c) = check(&a.name, &cat.feature_ids_for(&a.name), &facts, set) {
            n += c.requirements.len();
        }
    }
    n
}

/// The same refresh as the app makes it off the UI thread: the actions spread over the
/// threads of rayon's pool (the one running, or the one given).
fn full_refresh_parallel(set: &PolicySet) -> usize {
    let every = policies::every_action_with_all_features();
    let asked: Vec<(&str, &[String])> = every.iter().map(|(a, f)| (&**a, &**f)).collect();
    check_each(&asked, &Facts::default(), set, || true).map_or(0, |checks| {
        checks.iter().flatten().map(|c| c.requirements.len()).sum()
    })
}

fn benches(c: &mut Criterion) {
    c.bench_function("parse AutoScalingFullAccess", |b| {
        b.iter(|| load_text("f", black_box(FULL)).is_ok());
    });
    c.bench_function("parse ReadOnlyAccess (124 KB)", |b| {
        b.iter(|| load_text("f", black_box(READ_ONLY)).is_ok());
    });

    for (name, text) in [
        ("AutoScalingFullAccess", FULL),
        ("AmazonEC2FullAccess", EC2_FULL),
        ("ReadOnlyAccess", READ_ONLY),
    ] {
        let set = policy_set(text);
        c.bench_function(
            &format!("full tree refresh: 68 actions, all features, vs {name}"),
            |b| b.iter(|| full_refresh(black_box(&set))),
        );
    }

    let big = big_policy(5_000);
    c.bench_function("parse a 5,000-statement policy", |b| {
        b.iter(|| load_text("f", black_box(&big)).is_ok());
    });
    let big_set = policy_set(&big);
    c.bench_function("full tree refresh vs a 5,000-statement policy", |b| {
        b.iter(|| full_refresh(black_box(&big_set)));
    });

    let g = gaad(1_000, 50);
    c.bench_function(
        &format!(
            "parse+index authorization details: 1,000 roles, 5,000 statements ({} KB)",
            g.len() / 1024
        ),
        |b| {
            b.iter(|| load_text("gaad.json", black_box(&g)).is_ok());
        },
    );
    c.bench_function(
        "serde_json::Value parse of the same bytes (baseline)",
        |b| {
            b.iter(|| serde_json::from_str::<serde_json::Value>(black_box(&g)).is_ok());
        },
    );
    let big = gaad(12_000, 400);
    let mb = big.len() as f64 / 1_048_576.0;
    c.bench_function(
        &format!("parse+index authorization details: 12,000 roles ({mb:.1} MB)"),
        |b| {
            b.iter(|| load_text("gaad.json", black_box(&big)).is_ok());
        },
    );
    c.bench_function(
        &format!("serde_json::Value parse of the same {mb:.1} MB (baseline)"),
        |b| {
            b.iter(|| serde_json::from_str::<serde_json::Value>(black_box(&big)).is_ok());
        },
    );
    let Ok(Loaded::Account(acc)) = load_text("gaad.json", &g) else {
        panic!("gaad")
    };
    c.bench_function("evaluate as one of 1,000 roles: full tree refresh", |b| {
        b.iter(|| {
            let set = acc.policy_set("gaad.json", "role-500").unwrap_or_default();
            full_refresh(&set)
        });
    });
}

/// Every request of a full refresh (68 actions, all features), each unknown part of a
/// resource filled with a name of its own and every key the generated policies test given
/// a value (one that some of their patterns match).
fn concrete_requests() -> Vec<Request> {
    let cat = catalog();
    let facts = Facts::default();
    let mut out = Vec::new();
    for a in &cat.actions {
        let Ok(reqs) = requirements(&a.name, &cat.feature_ids_for(&a.name), &facts) else {
            continue;
        };
        for r in reqs {
            let mut req = r.request(&facts);
            req.resources = req
                .resources
                .iter()
                .map(|t| {
                    let filled = t.to_string().replace('{', "x-").replace('}', "");
                    Template::literal(&filled)
                })
                .collect();
            let mut context = Context::default();
            for (k, v) in req.context.iter() {
                match v {
                    KeyState::Values(v) => {
                        context.set(k, v.iter().map(|x| x.replace('{', "x-").replace('}', "")));
                    }
                    KeyState::Absent => context.set_absent(k),
                }
            }
            for k in [
                "aws:RequestTag/team",
                "aws:ResourceTag/env",
                "iam:PassedToService",
                "aws:PrincipalTag/dept",
            ] {
                if context.get(k).is_none() {
                    context.set(k, ["v3x"]);
                }
            }
            req.context = context;
            out.push(req);
        }
    }
    out
}

/// The refreshes of [`scale`] with the actions spread over the threads, as the app and
/// `check` make them.
fn parallel(c: &mut Criterion) {
    for n in [1_000, 5_000] {
        let set = policy_set(&matching_policy(n));
        c.bench_function(
            &format!("full refresh, actions in parallel, vs {n} matching statements"),
            |b| b.iter(|| full_refresh_parallel(black_box(&set))),
        );
    }
    for n in [1_000, 5_000] {
        let text = matching_policy(n);
        c.bench_function(
            &format!("first refresh, actions in parallel: parse, then 68 actions with nothing remembered, {n} matching statements"),
            |b| {
                b.iter(|| {
                    forget_remembered();
                    full_refresh_parallel(&policy_set(black_box(&text)))
                });
            },
        );
    }
}

/// Issue 11's figures: per-statement cost on statements that match, and the pathological
/// cases with work budgets.
fn scale(c: &mut Criterion) {
    for n in [10, 100, 1_000, 5_000] {
        let set = policy_set(&matching_policy(n));
        c.bench_function(
            &format!("full refresh (68 actions, all features) vs {n} matching statements"),
            |b| b.iter(|| full_refresh(black_box(&set))),
        );
    }
    // The first refresh of a policy: parsed afresh (the policy remembers nothing) and
    // evaluated with nothing remembered by the process either, in a thread of its own.
    for n in [1_000, 5_000] {
        let text = matching_policy(n);
        c.bench_function(
            &format!("first refresh: parse, then 68 actions with nothing remembered, {n} matching statements"),
            |b| {
                b.iter(|| {
                    forget_remembered();
                    std::thread::scope(|s| {
                        s.spawn(|| full_refresh(&policy_set(black_box(&text))))
                            .join()
                            .unwrap_or(0)
                    })
                });
            },
        );
    }
    // The same refresh's requests made concrete: every unknown part of a resource and every
    // condition key the policy names filled in.
    let set = policy_set(&matching_policy(5_000));
    let concrete = concrete_requests();
    let statuses: Vec<Status> = concrete.iter().map(|r| evaluate(&set, r).status).collect();
    assert!(
        !statuses.contains(&Status::Conditional),
        "a concrete request is decided"
    );
    c.bench_function(
        &format!(
            "{} concrete requests (a full refresh's, filled in) vs 5000 matching statements",
            concrete.len()
        ),
        |b| {
            b.iter(|| {
                concrete
                    .iter()
                    .filter(|r| evaluate(black_box(&set), r).status == Status::Satisfied)
                    .count()
            });
        },
    );
    // An organisation-sized dump: 65,000 roles (the size the 64 MB limit used to refuse).
    let huge = gaad(65_000, 2_000);
    let mb = huge.len() as f64 / 1_048_576.0;
    c.bench_function(
        &format!("parse+index authorization details: 65,000 roles ({mb:.0} MB)"),
        |b| b.iter(|| load_text("gaad.json", black_box(&huge)).is_ok()),
    );
    c.bench_function(
        &format!("serde_json::Value parse of the same {mb:.0} MB (baseline)"),
        |b| b.iter(|| serde_json::from_str::<serde_json::Value>(black_box(&huge)).is_ok()),
    );
    drop(huge);
    let blowup = policy_set(&refinement_blowup());
    c.bench_function(
        "one requirement vs 200 statements x 20 wildcard resources (refinement budget)",
        |b| {
            b.iter(|| {
                check(
                    "CreateAutoScalingGroup",
                    &[],
                    &Facts::default(),
                    black_box(&blowup),
                )
                .map(|c| c.status)
            });
        },
    );
    let exponential = policy_set(&format!(
        r#"{{"Version":"2012-10-17","Statement":[{{"Effect":"Allow","Action":"autoscaling:*","Resource":"arn:aws:autoscaling:*:*:autoScalingGroup:*a{}"}}]}}"#,
        "?".repeat(18)
    ));
    c.bench_function(
        "hostile pattern *a followed by 18 ? (automaton budget)",
        |b| {
            b.iter(|| {
                check(
                    "CreateAutoScalingGroup",
                    &[],
                    &Facts::default(),
                    black_box(&exponential),
                )
                .map(|c| c.status)
            });
        },
    );
}

criterion_group! {
    name = scaling;
    config = Criterion::default().sample_size(10).measurement_time(std::time::Duration::from_secs(5));
    targets = scale, parallel
}

criterion_group! {
    name = engine;
    config = Criterion::default().sample_size(20).measurement_time(std::time::Duration::from_secs(3));
    targets = benches
}
criterion_main!(engine, scaling);
