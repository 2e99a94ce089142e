//! Benchmarks of review at account scale: loading and the account matrix over generated
//! authorization-details files of 1,000, 10,000 and 97,500 principals (65,000 roles, the
//! size of an organisation's dump), and lint and diff of real managed policies.
//!
//! Run: `cargo bench --bench review` (the 65,000-role account takes a few minutes; `cargo
//! bench --bench review -- 1000` runs only the small ones).

use std::hint::black_box;
use std::sync::Arc;

use asg_perms::review_audit::{AuditProgress, audit};
use asg_perms::{Facts, LintOptions, Loaded, PolicySet, diff, lint, load_text};
use criterion::{Criterion, criterion_group, criterion_main};

#[path = "../tests/support/policies.rs"]
mod policies;

const FULL: &str = include_str!("../tests/fixtures/managed/AutoScalingFullAccess.json");
const READ_ONLY: &str = include_str!("../tests/fixtures/managed/ReadOnlyAccess.json");
const EC2_FULL: &str = include_str!("../tests/fixtures/managed/AmazonEC2FullAccess.json");

/// Loads a generated account of `principals` (load and index measured too) and evaluates all
/// of it: every principal, every capability, and the roles each may pass to EC2.
fn audit_bench(c: &mut Criterion, principals: usize) {
    let text = policies::account_details(principals);
    let mb = text.len() as f64 / 1_048_576.0;
    let roles = principals * 2 / 3;
    c.bench_function(
        &format!("load+index/{principals} principals ({roles} roles, {mb:.0} MB)"),
        |b| b.iter(|| load_text("account.json", black_box(&text)).is_ok()),
    );
    let Ok(Loaded::Account(acc)) = load_text("account.json", &text) else {
        panic!("generated account must load");
    };
    c.bench_function(
        &format!("audit/{principals} principals ({roles} roles)"),
        |b| {
            b.iter(|| {
                let progress = AuditProgress::default();
                audit("account.json", black_box(&acc), &progress).map(|a| a.rows.len())
            });
        },
    );
}

/// The organisation-sized account of issue 11: 65,000 roles (97,500 principals), evaluated
/// whole. One run takes seconds: ten samples, nothing else in the group.
fn whole_account(c: &mut Criterion) {
    audit_bench(c, 97_500);
}

fn policy(text: &str) -> Arc<asg_perms::Policy> {
    match load_text("bench.json", text) {
        Ok(Loaded::Policy(p, _)) => Arc::new(p),
        _ => panic!("fixture must be a policy"),
    }
}

fn benches(c: &mut Criterion) {
    for n in [1_000usize, 10_000] {
        audit_bench(c, n);
    }
    let read_only = policy(READ_ONLY);
    c.bench_function("lint/ReadOnlyAccess", |b| {
        b.iter(|| lint(black_box(&read_only), LintOptions::default()).len());
    });
    let before = PolicySet {
        identity: vec![policy(FULL), policy(EC2_FULL)],
        ..PolicySet::default()
    };
    let after = PolicySet {
        identity: vec![policy(FULL)],
        ..PolicySet::default()
    };
    diff_bench(
        c,
        "diff/68 actions, AutoScalingFullAccess ± AmazonEC2FullAccess",
        &before,
        &after,
    );
}

/// Two policies of one statement that tests 100,000 condition keys, one allowing and one
/// denying: every action changes, and each changed answer depends on every key.
fn heavy_diff(c: &mut Criterion) {
    let allow = policies::many_keys_policy(100_000);
    let deny = allow.replacen(r#""Effect":"Allow""#, r#""Effect":"Deny""#, 1);
    let side = |text: &str| PolicySet {
        identity: vec![policy(text)],
        ..PolicySet::default()
    };
    diff_bench(
        c,
        "diff/68 actions, 100,000 condition keys, Allow vs the same Deny",
        &side(&allow),
        &side(&deny),
    );
}

/// `diff` of every action of the catalog, no features, from `before` to `after`.
fn diff_bench(c: &mut Criterion, name: &str, before: &PolicySet, after: &PolicySet) {
    let actions: Vec<(String, Vec<String>)> = asg_perms::catalog()
        .actions
        .iter()
        .map(|a| (a.name.clone(), Vec::new()))
        .collect();
    c.bench_function(name, |b| {
        b.iter(|| {
            diff(
                black_box(before),
                black_box(after),
                &actions,
                &Facts::default(),
            )
            .map(|d| d.summary.lost)
        });
    });
}

criterion_group! {
    name = hostile;
    config = Criterion::default().sample_size(10).measurement_time(std::time::Duration::from_secs(20));
    targets = heavy_diff
}

criterion_group! {
    name = review;
    config = Criterion::default().sample_size(10).measurement_time(std::time::Duration::from_secs(5));
    targets = benches
}

criterion_group! {
    name = organisation;
    config = Criterion::default().sample_size(10).measurement_time(std::time::Duration::from_mins(1));
    targets = whole_account
}
criterion_main!(review, hostile, organisation);
