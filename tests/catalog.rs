//! The knowledge base, requirement resolution and statement generation.

#![allow(clippy::unwrap_used)] // Tests may unwrap: a panic is a failed test.

use std::collections::BTreeSet;
use std::path::Path;
use std::sync::Arc;

use asg_perms::Policy;
use asg_perms::check_catalog;
use asg_perms::{CATALOG_JSON, catalog};
use asg_perms::{Facts, ResolveError, check, key_policy_requirement, requirements};
use asg_perms::{GenerateOptions, merged, policy_for, suggest};
use asg_perms::{Loaded, load_file, load_text};
use asg_perms::{PolicySet, Status};

fn policy_text(text: &str) -> Policy {
    match load_text("generated.json", text).unwrap() {
        Loaded::Policy(p, _) => p,
        Loaded::Account(_) => panic!(),
    }
}

fn fixture_set(name: &str) -> PolicySet {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name);
    match load_file(&path).unwrap() {
        Loaded::Policy(p, _) => PolicySet::single(p),
        Loaded::Account(_) => panic!(),
    }
}

fn feats(ids: &[&str]) -> Vec<String> {
    ids.iter().map(|s| (*s).to_owned()).collect()
}

#[test]
fn every_action_and_feature_is_there() {
    let cat = catalog();
    assert_eq!(cat.actions.len(), 68);
    let ids: Vec<&str> = cat.features.iter().map(|f| f.id.as_str()).collect();
    assert_eq!(
        ids,
        vec![
            "default-slr-missing",
            "custom-slr",
            "lifecycle-hook-role",
            "launch-template",
            "launch-template-instance-profile",
            "launch-template-tags",
            "launch-template-ssm-parameter",
            "launch-template-console",
            "launch-configuration-instance-profile",
            "vpc-lattice-attach",
            "vpc-lattice-detach",
            "tags-on-create",
            "kms-cmk-encrypted-volumes",
            "sns-topic-cmk-encrypted",
        ]
    );
    for g in &cat.groups {
        assert!(
            cat.actions.iter().any(|a| a.group == g.id),
            "group {} is empty",
            g.id
        );
    }
    for a in &cat.actions {
        assert!(a.description.len() > 20, "{}", a.name);
    }
    // The shared research data lists the same 68 names.
    for name in [
        "CreateAutoScalingGroup",
        "PutAccountSetting",
        "DescribeAccountSettings",
        "RollbackInstanceRefresh",
        "LaunchInstances",
    ] {
        assert!(cat.action(name).is_some(), "{name}");
    }
    assert!(cat.action("AUTOSCALING:createautoscalinggroup").is_some());
    assert!(cat.action("ec2:CreateAutoScalingGroup").is_none());
}

/// The "Required permissions from other AWS APIs" table of the user guide's API-permissions
/// page, action by action.
#[test]
fn api_permissions_page_is_reproduced_exactly() {
    let expected: BTreeSet<(&str, &str)> = [
        ("CreateAutoScalingGroup", "iam:CreateServiceLinkedRole"),
        ("CreateAutoScalingGroup", "iam:PassRole"),
        ("CreateAutoScalingGroup", "ec2:RunInstances"),
        ("CreateAutoScalingGroup", "ec2:CreateTags"),
        ("PutLifecycleHook", "iam:PassRole"),
        ("AttachTrafficSources", "vpc-lattice:RegisterTargets"),
        ("DetachTrafficSources", "vpc-lattice:DeregisterTargets"),
        ("CreateLaunchConfiguration", "ec2:DescribeImages"),
        ("CreateLaunchConfiguration", "ec2:DescribeInstances"),
        ("CreateLaunchConfiguration", "ec2:DescribeInstanceAttribute"),
        ("CreateLaunchConfiguration", "ec2:DescribeKeyPairs"),
        ("CreateLaunchConfiguration", "ec2:DescribeSecurityGroups"),
        (
            "CreateLaunchConfiguration",
            "ec2:DescribeSpotInstanceRequests",
        ),
        ("CreateLaunchConfiguration", "ec2:DescribeVpcClassicLink"),
        ("CreateLaunchConfiguration", "iam:PassRole"),
    ]
    .into_iter()
    .collect();
    let got: BTreeSet<(&str, &str)> = catalog()
        .dependencies
        .iter()
        .filter(|d| d.sources.iter().any(|s| s == "UG_API_PERMS"))
        .map(|d| (d.action.as_str(), d.permission.as_str()))
        .collect();
    assert_eq!(got, expected);
    // The typo is recorded, and the real name used.
    let run = catalog()
        .dependencies
        .iter()
        .find(|d| d.permission == "ec2:RunInstances")
        .unwrap();
    assert!(
        run.note
            .as_deref()
            .unwrap_or("")
            .contains("ec2:RunInstance;")
    );
    assert!(
        !catalog()
            .dependencies
            .iter()
            .any(|d| d.permission == "ec2:RunInstance")
    );
}

#[test]
fn disagreements_between_aws_pages_are_marked() {
    let cat = catalog();
    let find = |a: &str, p: &str| {
        cat.dependencies
            .iter()
            .find(|d| d.action == a && d.permission == p)
            .unwrap()
    };
    assert!(
        find("CreateAutoScalingGroup", "iam:CreateServiceLinkedRole")
            .disagreement
            .is_some()
    );
    assert!(
        find("CreateAutoScalingGroup", "autoscaling:CreateOrUpdateTags")
            .disagreement
            .is_some()
    );
    assert!(
        find("UpdateAutoScalingGroup", "iam:PassRole")
            .disagreement
            .is_some()
    );
    assert!(
        find("AttachTrafficSources", "vpc-lattice:RegisterTargets")
            .disagreement
            .is_some()
    );
    for d in &cat.dependencies {
        for s in &d.sources {
            assert!(cat.source(s).is_some(), "{s}");
        }
    }
}

#[test]
fn build_check_rejects_broken_data() {
    assert!(check_catalog("assets/catalog.json", CATALOG_JSON).is_empty());
    let mut v: serde_json::Value = serde_json::from_str(CATALOG_JSON).unwrap();
    let broken = |f: &dyn Fn(&mut serde_json::Value)| {
        let mut c = v.clone();
        f(&mut c);
        check_catalog("assets/catalog.json", &c.to_string()).join("\n")
    };
    let e = broken(&|c| c["dependencies"][0]["when"] = "no-such-feature".into());
    assert!(
        e.contains("dependencies[0]") && e.contains("unknown feature id \"no-such-feature\""),
        "{e}"
    );
    let e = broken(&|c| {
        let a = c["actions"][0].clone();
        c["actions"].as_array_mut().unwrap().push(a);
    });
    assert!(e.contains("duplicate action"), "{e}");
    let e = broken(&|c| c["actions"][1]["name"] = "create-thing".into());
    assert!(e.contains("malformed action name"), "{e}");
    let e = broken(&|c| c["dependencies"][2]["sources"] = serde_json::json!([]));
    assert!(e.contains("no source"), "{e}");
    let e = broken(&|c| {
        c["dependencies"][1]["resources"] =
            serde_json::json!(["arn:{partition}:ec2::{account}:role/x"]);
    });
    assert!(
        e.contains("names service \"ec2\" but the permission belongs to \"iam\""),
        "{e}"
    );
    let e = broken(&|c| {
        c["dependencies"][1]["resources"] =
            serde_json::json!(["arn:{partition}:iam:us-east-1:{account}:role/x"]);
    });
    assert!(e.contains("IAM ARNs have none"), "{e}");
    let e = broken(&|c| c["features"][4]["implies"] = serde_json::json!(["nope"]));
    assert!(e.contains("implies unknown feature id"), "{e}");
    let e = check_catalog("assets/catalog.json", "{ nope");
    assert!(e[0].contains("assets/catalog.json:1:"), "{e:?}");
    v["snapshot"] = "x".into();
    assert!(check_catalog("f", &v.to_string()).is_empty());
}

#[test]
fn requirements_follow_features() {
    let none = requirements("CreateAutoScalingGroup", &[], &Facts::default()).unwrap();
    assert_eq!(none[0].permission, "autoscaling:CreateAutoScalingGroup");
    assert!(none[0].needed);
    assert!(
        none[1..].iter().all(|r| !r.needed),
        "only the action itself without features"
    );

    let with = requirements(
        "autoscaling:createautoscalinggroup",
        &feats(&["launch-template-instance-profile"]),
        &Facts::default(),
    )
    .unwrap();
    let needed: Vec<&str> = with
        .iter()
        .filter(|r| r.needed)
        .map(|r| r.permission.as_str())
        .collect();
    // The instance profile implies a launch template.
    assert_eq!(
        needed,
        vec![
            "autoscaling:CreateAutoScalingGroup",
            "iam:PassRole",
            "ec2:RunInstances"
        ]
    );
    let pass = with
        .iter()
        .find(|r| r.needed && r.permission == "iam:PassRole")
        .unwrap();
    assert_eq!(
        pass.context["iam:PassedToService"],
        vec!["ec2.amazonaws.com".to_owned()]
    );
    assert_eq!(
        pass.resources,
        vec!["arn:aws:iam::{account}:role/{instance_role}".to_owned()]
    );

    let lc = requirements("CreateLaunchConfiguration", &[], &Facts::default()).unwrap();
    assert_eq!(
        lc.iter()
            .filter(|r| r.needed && r.permission.starts_with("ec2:Describe"))
            .count(),
        7
    );
}

#[test]
fn facts_sharpen_resources() {
    let facts = Facts {
        account: Some("111122223333".into()),
        region: Some("eu-west-1".into()),
        instance_role_arn: Some("arn:aws:iam::111122223333:role/web".into()),
        ..Facts::default()
    };
    let r = requirements(
        "CreateAutoScalingGroup",
        &feats(&["launch-template-instance-profile"]),
        &facts,
    )
    .unwrap();
    let pass = r
        .iter()
        .find(|r| r.needed && r.permission == "iam:PassRole")
        .unwrap();
    assert_eq!(
        pass.resources,
        vec!["arn:aws:iam::111122223333:role/web".to_owned()]
    );
    let run = r
        .iter()
        .find(|r| r.permission == "ec2:RunInstances")
        .unwrap();
    assert!(
        run.resources
            .iter()
            .any(|x| x == "arn:aws:ec2:eu-west-1::image/{image}")
    );
    let bad = Facts {
        account: Some("12".into()),
        ..Facts::default()
    };
    assert!(matches!(
        requirements("CreateAutoScalingGroup", &[], &bad),
        Err(ResolveError::BadFacts(_))
    ));
}

#[test]
fn unknown_names_are_errors_with_suggestions() {
    let e = requirements("CreateAutoScallingGroup", &[], &Facts::default()).unwrap_err();
    assert!(
        e.to_string()
            .contains("did you mean CreateAutoScalingGroup"),
        "{e}"
    );
    let e = requirements(
        "CreateAutoScalingGroup",
        &feats(&["launch-templates"]),
        &Facts::default(),
    )
    .unwrap_err();
    assert!(e.to_string().contains("launch-template"), "{e}");
}

/// Generated statements, fed back to the engine, satisfy every needed requirement: every
/// action, every combination of the features that apply to it.
#[test]
fn generated_statements_round_trip_for_every_action_and_feature_combination() {
    let cat = catalog();
    let empty = PolicySet::default();
    let facts_list = [
        Facts::default(),
        Facts {
            account: Some("111122223333".into()),
            region: Some("us-east-1".into()),
            instance_role_arn: Some("arn:aws:iam::111122223333:role/app".into()),
            ..Facts::default()
        },
        every_role(),
        Facts {
            partition: Some("aws-cn".into()),
            ..Facts::default()
        },
    ];
    let mut combos = 0;
    for facts in &facts_list {
        for action in &cat.actions {
            let applicable: Vec<String> = cat
                .features_for(&action.name)
                .iter()
                .map(|f| f.id.clone())
                .collect();
            for mask in 0u32..(1 << applicable.len()) {
                let on: Vec<String> = applicable
                    .iter()
                    .enumerate()
                    .filter(|(i, _)| mask & (1 << i) != 0)
                    .map(|(_, f)| f.clone())
                    .collect();
                let before = check(&action.name, &on, facts, &empty).unwrap();
                assert_eq!(
                    before.status,
                    Status::Missing,
                    "{} with nothing allowed",
                    action.name
                );
                let generated = suggest(std::slice::from_ref(&before), GenerateOptions::default());
                let text = generated.to_json();
                assert!(text.find("\"Version\"").unwrap() < text.find("\"Statement\"").unwrap());
                let set = PolicySet::single(policy_text(&text));
                let after = check(&action.name, &on, facts, &set).unwrap();
                for c in after.needed() {
                    assert_eq!(
                        c.decision.status,
                        Status::Satisfied,
                        "{} {:?}: {} not satisfied by\n{text}\n{}",
                        action.name,
                        on,
                        c.requirement.permission,
                        c.decision.explanation
                    );
                }
                swapped_roles_are_not_satisfied(&action.name, &on, facts, &set);
                // Never a bare "*" where an ARN is known.
                for s in &generated.statement {
                    let actions = s.action.values();
                    if s.resource.values() == vec!["*"] {
                        assert!(
                            actions.iter().all(|a| a.starts_with("ec2:Describe")
                                || a.starts_with("autoscaling:Describe")
                                || *a == "autoscaling:GetPredictiveScalingForecast"
                                || *a == "autoscaling:PutAccountSetting"),
                            "bare * for {actions:?}"
                        );
                    }
                }
                combos += 1;
            }
        }
    }
    assert!(combos > 1000, "{combos}");
}

/// Facts with a role of each kind, the group's name and the account and region.
fn every_role() -> Facts {
    Facts {
        account: Some("111122223333".into()),
        region: Some("eu-west-1".into()),
        partition: None,
        instance_role_arn: Some("arn:aws:iam::111122223333:role/app-web".into()),
        service_linked_role_arn: Some(
            "arn:aws:iam::111122223333:role/aws-service-role/autoscaling.amazonaws.com/AWSServiceRoleForAutoScaling_web".into(),
        ),
        lifecycle_hook_role_arn: Some("arn:aws:iam::111122223333:role/hook-notify".into()),
        group_name: Some("web".into()),
    }
}

/// With the roles of `facts` swapped for other roles, the generated statements no longer
/// grant `iam:PassRole`: each role is scoped to its own ARN.
fn swapped_roles_are_not_satisfied(action: &str, on: &[String], facts: &Facts, set: &PolicySet) {
    if facts.instance_role_arn.is_none() {
        return;
    }
    let other = |arn: &Option<String>| arn.as_ref().map(|a| format!("{a}-other"));
    let swapped = Facts {
        instance_role_arn: other(&facts.instance_role_arn),
        service_linked_role_arn: other(&facts.service_linked_role_arn),
        lifecycle_hook_role_arn: other(&facts.lifecycle_hook_role_arn),
        ..facts.clone()
    };
    let after = check(action, on, &swapped, set).unwrap();
    for c in after
        .requirements
        .iter()
        .filter(|c| c.requirement.needed && c.requirement.permission == "iam:PassRole")
        .filter(|c| {
            c.requirement
                .resources
                .iter()
                .all(|r| r.ends_with("-other"))
        })
    {
        assert_ne!(
            c.decision.status,
            Status::Satisfied,
            "{action} {on:?}: PassRole on {:?} is satisfied by the statements for other roles",
            c.requirement.resources
        );
    }
}

#[test]
fn each_role_goes_to_its_own_pass_role() {
    let facts = every_role();
    let reqs = requirements(
        "CreateAutoScalingGroup",
        &feats(&[
            "custom-slr",
            "lifecycle-hook-role",
            "launch-template-instance-profile",
        ]),
        &facts,
    )
    .unwrap();
    let pass: Vec<(&str, &str)> = reqs
        .iter()
        .filter(|r| r.needed && r.permission == "iam:PassRole")
        .map(|r| {
            (
                r.resources[0].as_str(),
                r.context["iam:PassedToService"][0].as_str(),
            )
        })
        .collect();
    assert!(pass.contains(&(
        "arn:aws:iam::111122223333:role/aws-service-role/autoscaling.amazonaws.com/AWSServiceRoleForAutoScaling_web",
        "autoscaling.amazonaws.com"
    )), "{pass:?}");
    assert!(
        pass.contains(&(
            "arn:aws:iam::111122223333:role/hook-notify",
            "autoscaling.amazonaws.com"
        )),
        "{pass:?}"
    );
    assert!(
        pass.contains(&(
            "arn:aws:iam::111122223333:role/app-web",
            "ec2.amazonaws.com"
        )),
        "{pass:?}"
    );
    // The custom service-linked role is scoped to the group by its ARN.
    let slr = reqs
        .iter()
        .find(|r| r.needed && r.resources[0].contains("aws-service-role"))
        .unwrap();
    assert_eq!(
        slr.context["iam:AssociatedResourceARN"],
        vec!["arn:aws:autoscaling:eu-west-1:111122223333:autoScalingGroup:{group_id}:autoScalingGroupName/web".to_owned()]
    );
    let doc = policy_for(&reqs).to_json();
    assert!(
        doc.contains("\"ArnLike\"") && doc.contains("autoScalingGroup:*:autoScalingGroupName/web"),
        "{doc}"
    );
}

#[test]
fn role_arns_are_checked_for_their_kind() {
    let bad = |f: Facts| f.problems().join("; ");
    let slr_as_instance = Facts {
        instance_role_arn: Some(
            "arn:aws:iam::111122223333:role/aws-service-role/autoscaling.amazonaws.com/AWSServiceRoleForAutoScaling".into(),
        ),
        ..Facts::default()
    };
    assert!(bad(slr_as_instance).contains("service-linked role"));
    let app_as_slr = Facts {
        service_linked_role_arn: Some("arn:aws:iam::111122223333:role/app-web".into()),
        ..Facts::default()
    };
    assert!(bad(app_as_slr).contains("aws-service-role/autoscaling.amazonaws.com/"));
    let wrong_partition = Facts {
        partition: Some("aws-cn".into()),
        instance_role_arn: Some("arn:aws:iam::111122223333:role/app".into()),
        ..Facts::default()
    };
    assert!(bad(wrong_partition).contains("partition"));
    assert!(every_role().problems().is_empty());
    let unknown_partition = Facts {
        partition: Some("aws-mars".into()),
        ..Facts::default()
    };
    assert!(bad(unknown_partition).contains("partition"));
}

#[test]
fn china_partition_passes_instance_roles_to_the_chinese_ec2_principal() {
    let facts = Facts {
        partition: Some("aws-cn".into()),
        ..Facts::default()
    };
    let reqs = requirements(
        "CreateAutoScalingGroup",
        &feats(&["launch-template-instance-profile"]),
        &facts,
    )
    .unwrap();
    let pass = reqs
        .iter()
        .find(|r| r.needed && r.permission == "iam:PassRole")
        .unwrap();
    assert_eq!(
        pass.context["iam:PassedToService"],
        vec!["ec2.amazonaws.com.cn".to_owned()]
    );
    assert!(
        pass.resources[0].starts_with("arn:aws-cn:iam::"),
        "{:?}",
        pass.resources
    );
}

#[test]
fn generated_statements_are_scoped() {
    let all = feats(&[
        "default-slr-missing",
        "custom-slr",
        "launch-template-instance-profile",
        "launch-template-tags",
    ]);
    let reqs = requirements("CreateAutoScalingGroup", &all, &Facts::default()).unwrap();
    let doc: serde_json::Value = serde_json::from_str(&policy_for(&reqs).to_json()).unwrap();
    let statements = doc["Statement"].as_array().unwrap();
    let find = |action: &str, svc: Option<&str>| {
        statements
            .iter()
            .find(|s| {
                let a = &s["Action"];
                (a == action || a.as_array().is_some_and(|v| v.iter().any(|x| x == action)))
                    && svc.is_none_or(|svc| {
                        s["Condition"]["StringEquals"]["iam:PassedToService"] == svc
                    })
            })
            .unwrap_or_else(|| panic!("{action} in {doc:#}"))
    };
    let slr = find("iam:CreateServiceLinkedRole", None);
    assert_eq!(
        slr["Resource"],
        "arn:aws:iam::*:role/aws-service-role/autoscaling.amazonaws.com/AWSServiceRoleForAutoScaling"
    );
    assert_eq!(
        slr["Condition"]["StringEquals"]["iam:AWSServiceName"],
        "autoscaling.amazonaws.com"
    );
    let pass_ec2 = find("iam:PassRole", Some("ec2.amazonaws.com"));
    assert_eq!(pass_ec2["Resource"], "arn:aws:iam::*:role/*");
    let pass_slr = find("iam:PassRole", Some("autoscaling.amazonaws.com"));
    assert_eq!(
        pass_slr["Resource"],
        "arn:aws:iam::*:role/aws-service-role/autoscaling.amazonaws.com/AWSServiceRoleForAutoScaling_*"
    );
    let tags = find("ec2:CreateTags", None);
    assert_eq!(
        tags["Condition"]["StringEquals"]["ec2:CreateAction"],
        "RunInstances"
    );
    // Stable, unique Sids.
    let sids: BTreeSet<&str> = statements
        .iter()
        .map(|s| s["Sid"].as_str().unwrap())
        .collect();
    assert_eq!(sids.len(), statements.len());
    assert_eq!(policy_for(&reqs).to_json(), policy_for(&reqs).to_json());
}

#[test]
fn merged_document_keeps_the_policy_and_adds() {
    let set = fixture_set("managed/AutoScalingFullAccess.json");
    let c = check(
        "CreateAutoScalingGroup",
        &feats(&["launch-template-instance-profile"]),
        &Facts::default(),
        &set,
    )
    .unwrap();
    let add = suggest(std::slice::from_ref(&c), GenerateOptions::default());
    let m = merged(&set.identity[0], &add);
    let text = serde_json::to_string_pretty(&m).unwrap();
    assert!(text.find("\"Version\"").unwrap() < text.find("\"Statement\"").unwrap());
    let merged_set = PolicySet::single(policy_text(&text));
    let after = check(
        "CreateAutoScalingGroup",
        &feats(&["launch-template-instance-profile"]),
        &Facts::default(),
        &merged_set,
    )
    .unwrap();
    assert_eq!(after.status, Status::Satisfied);
    assert_eq!(
        m["Statement"].as_array().unwrap().len(),
        set.identity[0].statements.len() + add.statement.len()
    );
}

/// Managed policies against `CreateAutoScalingGroup` with a launch template and an instance
/// profile.
#[test]
fn managed_policies_against_create_with_launch_template_and_instance_profile() {
    let f = feats(&["launch-template-instance-profile"]);
    let status_of = |set: &PolicySet, perm: &str| {
        let c = check("CreateAutoScalingGroup", &f, &Facts::default(), set).unwrap();
        c.requirements
            .iter()
            .find(|r| r.requirement.needed && r.requirement.permission == perm)
            .unwrap()
            .decision
            .status
    };
    let roll = |set: &PolicySet| {
        check("CreateAutoScalingGroup", &f, &Facts::default(), set)
            .unwrap()
            .status
    };

    for name in [
        "managed/AutoScalingFullAccess.json",
        "managed/AutoScalingConsoleFullAccess.json",
    ] {
        let set = fixture_set(name);
        assert_eq!(
            status_of(&set, "autoscaling:CreateAutoScalingGroup"),
            Status::Satisfied,
            "{name}"
        );
        assert_eq!(
            status_of(&set, "ec2:RunInstances"),
            Status::Missing,
            "{name}"
        );
        assert_eq!(status_of(&set, "iam:PassRole"), Status::Missing, "{name}");
        assert_eq!(roll(&set), Status::Missing, "{name}");
    }
    let ec2 = fixture_set("managed/AmazonEC2FullAccess.json");
    assert_eq!(
        status_of(&ec2, "autoscaling:CreateAutoScalingGroup"),
        Status::Satisfied
    );
    assert_eq!(status_of(&ec2, "ec2:RunInstances"), Status::Satisfied);
    assert_eq!(status_of(&ec2, "iam:PassRole"), Status::Missing);

    let power = fixture_set("PowerUserAccess.json");
    assert_eq!(status_of(&power, "ec2:RunInstances"), Status::Satisfied);
    assert_eq!(status_of(&power, "iam:PassRole"), Status::Missing);

    let ro = fixture_set("managed/ReadOnlyAccess.json");
    assert_eq!(
        status_of(&ro, "autoscaling:CreateAutoScalingGroup"),
        Status::Missing
    );
    assert_eq!(roll(&ro), Status::Missing);

    // With the default SLR missing, the full-access policies grant its creation.
    let slr = feats(&["default-slr-missing"]);
    let c = check(
        "CreateAutoScalingGroup",
        &slr,
        &Facts::default(),
        &fixture_set("managed/AutoScalingFullAccess.json"),
    )
    .unwrap();
    assert_eq!(c.status, Status::Satisfied);

    // A least-privilege policy with both makes it satisfied.
    let mut set = fixture_set("managed/AutoScalingFullAccess.json");
    let add = suggest(
        &[check("CreateAutoScalingGroup", &f, &Facts::default(), &set).unwrap()],
        GenerateOptions::default(),
    );
    set.identity.push(Arc::new(policy_text(&add.to_json())));
    assert_eq!(roll(&set), Status::Satisfied);
}

#[test]
fn kms_is_a_key_policy_requirement_not_a_caller_permission() {
    let f = feats(&["kms-cmk-encrypted-volumes"]);
    let reqs = requirements("CreateAutoScalingGroup", &f, &Facts::default()).unwrap();
    assert!(
        !reqs
            .iter()
            .any(|r| r.needed && r.permission.starts_with("kms:"))
    );
    let kp = key_policy_requirement(
        "CreateAutoScalingGroup",
        &f,
        &Facts {
            account: Some("111122223333".into()),
            ..Facts::default()
        },
    )
    .unwrap()
    .unwrap();
    assert_eq!(
        kp.principal,
        "arn:aws:iam::111122223333:role/aws-service-role/autoscaling.amazonaws.com/AWSServiceRoleForAutoScaling"
    );
    let grant = kp
        .statements
        .iter()
        .find(|s| s["Action"][0] == "kms:CreateGrant")
        .unwrap();
    assert_eq!(
        grant["Condition"]["Bool"]["kms:GrantIsForAWSResource"],
        true
    );
    assert_eq!(grant["Principal"]["AWS"], kp.principal.as_str());
    assert!(
        key_policy_requirement("CreateAutoScalingGroup", &[], &Facts::default())
            .unwrap()
            .is_none()
    );
    assert!(
        key_policy_requirement("DescribeTags", &f, &Facts::default())
            .unwrap()
            .is_none()
    );
}

#[test]
fn catalog_gaps_are_filled_with_their_sources() {
    let cat = catalog();
    let needed = |action: &str, f: &[&str]| -> Vec<String> {
        requirements(action, &feats(f), &Facts::default())
            .unwrap()
            .into_iter()
            .filter(|r| r.needed)
            .map(|r| r.permission)
            .collect()
    };
    // An instance refresh runs the launch template's checks too.
    let refresh = needed(
        "StartInstanceRefresh",
        &["launch-template-tags", "launch-template-ssm-parameter"],
    );
    for p in ["ec2:RunInstances", "ec2:CreateTags", "ssm:GetParameters"] {
        assert!(refresh.iter().any(|x| x == p), "{p} in {refresh:?}");
    }
    // The console lists launch templates; off by default.
    let console = needed("CreateAutoScalingGroup", &["launch-template-console"]);
    assert!(console.iter().any(|x| x == "ec2:DescribeLaunchTemplates"));
    assert!(
        console
            .iter()
            .any(|x| x == "ec2:DescribeLaunchTemplateVersions")
    );
    assert!(
        console.iter().any(|x| x == "ec2:RunInstances"),
        "implies a launch template"
    );
    assert!(
        !needed("CreateAutoScalingGroup", &[])
            .iter()
            .any(|x| x.starts_with("ec2:Describe"))
    );
    // An encrypted notification topic: a key-policy requirement, not a caller permission.
    let f = feats(&["sns-topic-cmk-encrypted"]);
    assert!(
        !needed("PutNotificationConfiguration", &["sns-topic-cmk-encrypted"])
            .iter()
            .any(|x| x.starts_with("kms:"))
    );
    let kp = key_policy_requirement("PutNotificationConfiguration", &f, &Facts::default())
        .unwrap()
        .unwrap();
    let actions = &kp.statements[0]["Action"];
    assert_eq!(actions[0], "kms:GenerateDataKey*");
    assert_eq!(actions[1], "kms:Decrypt");
    assert_eq!(kp.sources, vec!["UG_SNS".to_owned()]);
    assert!(
        cat.source("UG_SNS")
            .unwrap()
            .url
            .contains("ec2-auto-scaling-sns-notifications")
    );
    // Citations that say it.
    let sources = |action: &str, perm: &str, when: &str| {
        cat.dependencies_for(action)
            .find(|d| d.permission == perm && d.when.as_deref() == Some(when))
            .unwrap()
            .sources
            .clone()
    };
    assert_eq!(
        sources("UpdateAutoScalingGroup", "iam:PassRole", "custom-slr"),
        vec!["SAR_NEW", "SAR_OLD"]
    );
    assert_eq!(
        sources(
            "CreateLaunchConfiguration",
            "iam:PassRole",
            "launch-configuration-instance-profile"
        ),
        vec!["UG_API_PERMS", "SAR_NEW"]
    );
}
