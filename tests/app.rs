//! The desktop app, driven like a user would: find widgets by label, click them, read what
//! is shown. No display is needed.

#![allow(clippy::unwrap_used)] // Tests may unwrap: a panic is a failed test.

use std::path::PathBuf;

use asg_perms::app::{Command, ExplorerApp, Item};
use asg_perms::{Facts, check};
use asg_perms::{Loaded, load_text};
use asg_perms::{PolicySet, Status};
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable as _;

mod common;
use common::{load, wait_for_jobs};

#[path = "support/policies.rs"]
mod policies;

fn fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
}

fn harness() -> Harness<'static, ExplorerApp> {
    Harness::builder()
        .with_size(egui::vec2(1280.0, 800.0))
        .wgpu()
        .build_ui_state(
            |ui, app: &mut ExplorerApp| app.ui(ui),
            ExplorerApp::default(),
        )
}

/// For the built-in file browser: `egui_file`'s path and file-name fields have no accessible
/// name, which the harness's accessibility check would report (ours all have one).
fn harness_for_file_browser() -> Harness<'static, ExplorerApp> {
    Harness::builder()
        .with_size(egui::vec2(1280.0, 800.0))
        .with_accessibility_check(false)
        .wgpu()
        .build_ui_state(
            |ui, app: &mut ExplorerApp| app.ui(ui),
            ExplorerApp::default(),
        )
}

/// Scrolls a widget into view and clicks it, as a user would.
fn click_label(h: &mut Harness<'static, ExplorerApp>, label: &str) {
    h.get_by_label(label).scroll_to_me();
    h.run();
    // Move there first, as a real pointer does over several frames (this also closes a
    // tooltip left open by the previous hover).
    h.get_by_label(label).hover();
    h.run();
    h.get_by_label(label).click();
}

fn click_nth(h: &mut Harness<'static, ExplorerApp>, label: &str, n: usize) {
    h.get_all_by_label(label).nth(n).unwrap().scroll_to_me();
    h.run();
    h.get_all_by_label(label).nth(n).unwrap().hover();
    h.run();
    h.get_all_by_label(label).nth(n).unwrap().click();
}

fn select_via_filter(h: &mut Harness<'static, ExplorerApp>, action: &str) {
    h.get_by_label("Filter").click();
    h.run();
    h.get_by_label("Filter").type_text(action);
    h.run();
    h.get_by_label(action).click();
    h.run();
}

#[test]
fn create_group_with_launch_template_and_instance_profile() {
    let mut h = harness();
    // Select another action, then CreateAutoScalingGroup, by their labels in the tree.
    select_via_filter(&mut h, "PutLifecycleHook");
    assert_eq!(h.state().state.selected, "PutLifecycleHook");
    h.get_by_label("Clear filter").click();
    h.run();
    select_via_filter(&mut h, "CreateAutoScalingGroup");
    assert_eq!(h.state().state.selected, "CreateAutoScalingGroup");
    h.get_by_label("Clear filter").click();
    h.run();

    h.get_by_label("A launch template is used").click();
    h.run();
    h.get_by_label("The launch template has an instance profile")
        .click();
    h.run();
    assert_eq!(
        h.state().selected_features(),
        vec![
            "launch-template".to_owned(),
            "launch-template-instance-profile".to_owned()
        ]
    );

    load(&mut h, fixture("managed/AutoScalingFullAccess.json"));
    assert_eq!(h.state().policies.identity.len(), 1);

    // Clicking a permission explains its status in words.
    click_label(&mut h, "ec2:RunInstances");
    h.run();
    assert!(h.query_by_label("ec2:RunInstances is missing").is_some());
    // The needed iam:PassRole row is the instance-profile one, first: the other two are
    // "not needed now", after every needed one.
    let pass_rows = h.get_all_by_label("iam:PassRole").count();
    assert_eq!(pass_rows, 3);
    click_nth(&mut h, "iam:PassRole", 0);
    h.run();
    assert!(h.query_by_label("iam:PassRole is missing").is_some());
    assert!(
        h.query_all_by_label_contains("No statement in the identity policies allows iam:PassRole")
            .count()
            >= 1
    );
    // Badges: the action and its two cross-service permissions are missing.
    assert!(h.get_all_by_label("✖ missing").count() >= 3);
    assert!(h.query_all_by_label("✔ satisfied").count() >= 1);

    // With the least-privilege example, PassRole becomes conditional (role unknown).
    // The focused permission stays focused across loads.
    load(&mut h, fixture("least-privilege-asg.json"));
    assert!(h.query_by_label("iam:PassRole is conditional").is_some());
    assert!(
        h.query_all_by_label_contains("depends on {instance_role}")
            .count()
            >= 1
    );
}

#[test]
fn copy_puts_json_that_grants_the_missing_permissions_on_the_clipboard() {
    let mut h = harness();
    h.state_mut().push(Command::Select {
        action: "CreateAutoScalingGroup".into(),
    });
    h.state_mut().push(Command::SetFeature {
        id: "launch-template-instance-profile".into(),
        on: true,
    });
    h.run();
    load(&mut h, fixture("managed/AutoScalingFullAccess.json"));
    click_label(&mut h, "Copy");
    h.step();
    let copied = h
        .output()
        .platform_output
        .commands
        .iter()
        .find_map(|c| match c {
            egui::OutputCommand::CopyText(t) => Some(t.clone()),
            _ => None,
        })
        .expect("Copy wrote to the clipboard");
    let Loaded::Policy(generated, _) = load_text("copied.json", &copied).unwrap() else {
        panic!()
    };
    // The loaded policy plus what was copied grants everything.
    let Loaded::Policy(full, _) = load_text(
        "full.json",
        &std::fs::read_to_string(fixture("managed/AutoScalingFullAccess.json")).unwrap(),
    )
    .unwrap() else {
        panic!()
    };
    let set = PolicySet {
        identity: vec![full.into(), generated.into()],
        ..PolicySet::default()
    };
    let features = vec!["launch-template-instance-profile".to_owned()];
    assert_eq!(
        check("CreateAutoScalingGroup", &features, &Facts::default(), &set)
            .unwrap()
            .status,
        Status::Satisfied
    );
    assert!(copied.contains("ec2:RunInstances") && copied.contains("iam:PassRole"));
    h.run();
    assert!(h.state().notice.is_some());
}

#[test]
fn malformed_file_shows_line_and_column_and_keeps_the_previous_policy() {
    let mut h = harness();
    load(&mut h, fixture("managed/AutoScalingFullAccess.json"));
    load(&mut h, fixture("bad/missing-comma.json"));
    let notice = h.state().notice.clone().unwrap();
    assert!(notice.error);
    assert!(
        notice.text.contains("missing-comma.json:4:51"),
        "{}",
        notice.text
    );
    assert!(
        h.query_by_label_contains("4:51: expected ',' or '}'")
            .is_some()
    );
    assert!(
        h.query_by_label_contains("The previous policy is still loaded")
            .is_some()
    );
    assert_eq!(
        h.state().policies.identity[0].name,
        "AutoScalingFullAccess.json"
    );
}

#[test]
fn filter_narrows_the_tree() {
    let mut h = harness();
    h.run();
    assert!(h.query_by_label_contains("Launch configurations").is_some());
    h.get_by_label("Filter").click();
    h.run();
    h.get_by_label("Filter").type_text("lattice");
    h.run();
    // Matches by permission name: the traffic-source actions need vpc-lattice:*.
    assert!(h.query_by_label("AttachTrafficSources").is_some());
    assert!(h.query_by_label("DetachTrafficSources").is_some());
    assert!(h.query_by_label("CreateLaunchConfiguration").is_none());
    assert!(h.query_by_label_contains("Launch configurations").is_none());
    assert!(
        h.query_all_by_label("matches permission: vpc-lattice:RegisterTargets")
            .count()
            >= 1
    );
}

#[test]
fn filter_finds_features_keys_and_reasons_and_says_what_matched() {
    let mut h = harness();
    h.run();
    // Close a group the user does not care about; filtering and clearing keeps it closed.
    click_label(&mut h, "Instances  (9)");
    h.run();
    assert!(h.query_by_label("AttachInstances").is_none());
    for (typed, action, why) in [
        (
            "instance profile",
            "CreateLaunchConfiguration",
            "matches feature: The launch configuration has an instance profile",
        ),
        (
            "encrypt",
            "CreateAutoScalingGroup",
            "matches feature: Volumes are encrypted with a customer managed KMS key",
        ),
        (
            "kms",
            "SetDesiredCapacity",
            "matches feature: Volumes are encrypted",
        ),
        (
            "autoscaling:resourcetag",
            "DeleteAutoScalingGroup",
            "matches condition key: autoscaling:ResourceTag/${TagKey}",
        ),
    ] {
        h.get_by_label("Filter").click();
        h.run();
        h.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::A);
        h.get_by_label("Filter").type_text(typed);
        h.run();
        assert!(h.query_by_label(action).is_some(), "{typed}: {action}");
        assert!(
            h.query_all_by_label_contains(why).count() >= 1,
            "{typed}: {why}"
        );
    }
    click_label(&mut h, "Clear filter");
    h.run();
    assert!(h.query_by_label("AttachInstances").is_none());
    assert!(h.query_by_label("CreateAutoScalingGroup").is_some());
}

#[test]
fn examples_load_and_editing_reevaluates() {
    let mut h = harness();
    h.run();
    h.get_by_label("AWS managed: AutoScalingFullAccess").click();
    h.run();
    assert_eq!(h.state().policies.identity.len(), 1);
    // Edit the text in place: a broken edit keeps the previous version in force.
    let before = h.state().evaluation().unwrap().checks["CreateAutoScalingGroup"].status;
    let broken =
        h.state().policies.identity[0]
            .text
            .replacen("\"autoscaling:*\"", "\"autoscaling:*\",,", 1);
    h.state_mut().push(Command::EditText {
        item: Item::Identity(0),
        text: broken.clone(),
    });
    h.run();
    assert!(h.state().policies.identity[0].error.is_some());
    assert_eq!(&*h.state().policies.identity[0].text, &*broken);
    assert!(
        h.query_by_label_contains("The last version that parsed is still in use")
            .is_some()
    );
    assert_eq!(
        h.state().evaluation().unwrap().checks["CreateAutoScalingGroup"].status,
        before
    );
}

#[test]
fn toggling_a_feature_marks_what_changed_and_dims_what_is_not_needed() {
    let mut h = harness();
    h.run();
    assert!(h.get_all_by_label("not needed now").count() >= 5);
    let before = h.get_all_by_label("not needed now").count();
    h.get_by_label("The launch template tags resources at launch")
        .click();
    h.run_steps(3);
    // Tags imply a launch template: two permissions are now needed.
    assert_eq!(h.get_all_by_label("not needed now").count(), before - 2);
    assert_eq!(
        h.state().selected_features(),
        vec![
            "launch-template".to_owned(),
            "launch-template-tags".to_owned()
        ]
    );
}

#[test]
fn keyboard_moves_in_the_tree() {
    let mut h = harness();
    h.run();
    assert_eq!(h.state().state.selected, "CreateAutoScalingGroup");
    h.key_press(egui::Key::ArrowDown);
    h.run();
    assert_eq!(h.state().state.selected, "DeleteAutoScalingGroup");
    h.key_press(egui::Key::ArrowUp);
    h.run();
    assert_eq!(h.state().state.selected, "CreateAutoScalingGroup");
}

fn snapshot(dark: bool, size: [f32; 2]) {
    let mut h = Harness::builder()
        .with_size(egui::vec2(size[0], size[1]))
        .wgpu()
        .build_ui_state(
            |ui, app: &mut ExplorerApp| app.ui(ui),
            ExplorerApp::default(),
        );
    h.state_mut().snapshot_mode = true;
    h.state_mut().push(Command::SetDark { dark });
    h.state_mut().push(Command::SetFeature {
        id: "launch-template-instance-profile".into(),
        on: true,
    });
    h.run();
    load(&mut h, fixture("least-privilege-asg.json"));
    click_label(&mut h, "ec2:RunInstances");
    h.run();
    h.snapshot(format!(
        "main_{}_{}x{}",
        if dark { "dark" } else { "light" },
        size[0],
        size[1]
    ));
}

#[test]
fn snapshot_light_1024x700() {
    snapshot(false, [1024.0, 700.0]);
}

#[test]
fn snapshot_dark_1024x700() {
    snapshot(true, [1024.0, 700.0]);
}

#[test]
fn snapshot_light_1440x900() {
    snapshot(false, [1440.0, 900.0]);
}

#[test]
fn snapshot_dark_1440x900() {
    snapshot(true, [1440.0, 900.0]);
}

#[test]
fn ctrl_f_then_typing_fast_loses_no_keys() {
    let mut h = harness();
    h.run();
    // Both arrive in the same frame, as when a fast typist (or xdotool) types right away.
    h.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::F);
    h.event(egui::Event::Text("l".into()));
    h.run();
    h.event(egui::Event::Text("attice".into()));
    h.run();
    assert_eq!(h.get_by_label("Filter").value().as_deref(), Some("lattice"));
    assert!(h.query_by_label("AttachTrafficSources").is_some());
    assert!(h.query_by_label("CreateLaunchConfiguration").is_none());
}

#[test]
fn saving_over_an_existing_file_asks_first() {
    let dir = std::env::temp_dir().join(format!("asg-perms-overwrite-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let target = dir.join("policy.json");
    std::fs::write(&target, "old").unwrap();
    let mut h = harness();
    h.run();
    // What the save dialog's worker hands back when the chosen file exists.
    h.state_mut().overwrite = Some((target.clone(), "new".to_owned()));
    h.run();
    assert!(h.query_by_label_contains("already exists").is_some());
    h.get_by_label("Keep the existing file").click();
    h.run();
    assert_eq!(std::fs::read_to_string(&target).unwrap(), "old");
    assert!(h.query_by_label_contains("already exists").is_none());

    h.state_mut().overwrite = Some((target.clone(), "new".to_owned()));
    h.run();
    h.get_by_label("Replace").click();
    h.run();
    assert_eq!(std::fs::read_to_string(&target).unwrap(), "new");
    assert!(h.state().notice.as_ref().unwrap().text.starts_with("Saved"));
    std::fs::remove_dir_all(dir).ok();
}

#[test]
fn account_details_offer_a_principal_picker() {
    let mut h = harness();
    h.state_mut().push(Command::SetFeature {
        id: "launch-template".into(),
        on: true,
    });
    h.run();
    load(&mut h, fixture("account-details.json"));
    // Several principals: none is picked for the user, and nothing is shown as decided.
    assert!(h.query_by_label_contains("choose a role or user").is_some());
    assert!(h.state().policies.needs_principal());
    assert!(h.query_all_by_label("✖ missing").next().is_none());
    // The picker lists kind and path, and searches them.
    h.get_by_label("Evaluate as").click();
    h.run();
    assert!(h.query_all_by_label_contains("role · /").count() >= 1);
    assert!(h.query_all_by_label_contains("user · /").count() >= 1);
    h.get_by_label("Search roles and users").type_text("role");
    h.run();
    assert!(h.query_by_label("alice").is_none(), "alice is a user");
    h.get_by_label("ci-deployer").click();
    h.run();
    // The deployer role may launch instances.
    assert_eq!(
        h.state().evaluation().unwrap().checks["CreateAutoScalingGroup"].status,
        Status::Satisfied
    );
    // Pick the user: its group's AutoScalingFullAccess does not allow ec2:RunInstances.
    h.get_by_label("Evaluate as").click();
    h.run();
    h.get_by_label("alice").click();
    h.run();
    // Chosen by ARN: a role and a user may share a name.
    assert_eq!(
        h.state()
            .policies
            .account
            .as_ref()
            .unwrap()
            .principal
            .as_deref(),
        Some("arn:aws:iam::111122223333:user/alice")
    );
    assert_eq!(
        h.state().evaluation().unwrap().checks["CreateAutoScalingGroup"].status,
        Status::Missing
    );
    assert!(
        h.query_by_label_contains("as alice").is_some(),
        "the status bar names the principal"
    );
}

#[test]
fn pasting_a_policy_loads_it_and_a_bad_paste_keeps_the_previous_one() {
    let mut h = harness();
    h.run();
    let text = std::fs::read_to_string(fixture("least-privilege-asg.json")).unwrap();
    h.event(egui::Event::Paste(text));
    h.run();
    assert_eq!(h.state().policies.identity.len(), 1);
    assert_eq!(h.state().policies.identity[0].name, "pasted policy");
    h.event(egui::Event::Paste("{\"Statement\": [".to_owned()));
    h.run();
    let notice = h.state().notice.clone().unwrap();
    assert!(
        notice.error && notice.text.contains("pasted policy:1:"),
        "{}",
        notice.text
    );
    assert_eq!(h.state().policies.identity[0].statements_len(), 3);
}

#[test]
fn simulate_window_answers_any_request_with_its_explanation() {
    let mut h = harness();
    h.run();
    load(&mut h, fixture("managed/AutoScalingFullAccess.json"));
    h.get_by_label("Simulate…").click();
    h.run();
    // The default action is CreateAutoScalingGroup: allowed.
    h.get_by_label("Simulate").click();
    h.run();
    assert!(h.query_by_label_contains("✔ allowed").is_some());
    // A permission of another service that depends on a key.
    let action = h.get_by_label("Action");
    action.focus();
    h.run();
    h.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::A);
    h.get_by_label("Action")
        .type_text("iam:CreateServiceLinkedRole");
    h.run();
    h.get_by_label("Simulate").click();
    h.run();
    assert!(h.query_by_label_contains("⚠ conditional").is_some());
    assert!(
        h.query_by_label_contains("Depends on: iam:AWSServiceName")
            .is_some()
    );
    h.get_by_label("Context entries").click();
    h.run();
    h.get_by_label("Context entries")
        .type_text("iam:AWSServiceName=autoscaling.amazonaws.com");
    h.run();
    h.get_by_label("Simulate").click();
    h.run();
    assert!(h.query_by_label_contains("✔ allowed").is_some());
    assert!(
        h.query_by_label_contains("AutoScalingFullAccess.json statement 5 · identity policies")
            .is_some()
    );
}

#[test]
fn tree_and_paste_know_the_new_catalog_entries_and_url_encoding() {
    use asg_perms::app::model::tree;
    // The filter matches permission names: the console feature's read actions.
    let groups = tree("DescribeLaunchTemplateVersions", None, false);
    let names: Vec<&str> = groups
        .iter()
        .flat_map(|g| g.actions.iter().map(|a| a.name.as_str()))
        .collect();
    assert!(names.contains(&"CreateAutoScalingGroup"), "{names:?}");
    assert!(names.contains(&"UpdateAutoScalingGroup"), "{names:?}");
    let groups = tree("ssm:GetParameters", None, false);
    assert!(
        groups
            .iter()
            .flat_map(|g| &g.actions)
            .any(|a| a.name == "StartInstanceRefresh")
    );
    // A bare URL-encoded document pasted into the app loads.
    let doc = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"autoscaling:*","Resource":"*"}]}"#;
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
    let mut h = harness();
    h.run();
    h.state_mut().push(Command::LoadText {
        slot: asg_perms::app::Slot::Identity,
        name: "pasted policy".into(),
        text: encoded,
    });
    h.run();
    assert_eq!(h.state().policies.identity.len(), 1);
    assert!(
        h.query_all_by_label_contains("URL-encoded policy document")
            .count()
            >= 1
    );
}

#[test]
fn a_large_policy_is_evaluated_off_the_ui_thread_with_progress() {
    let statements: Vec<String> = (0..600)
        .map(|i| {
            format!(
                r#"{{"Effect":"Allow","Action":["autoscaling:Create*","ec2:RunInstances"],"Resource":"arn:aws:autoscaling:*:*:autoScalingGroup:*:autoScalingGroupName/team-{i}-*"}}"#
            )
        })
        .collect();
    let text = format!(
        r#"{{"Version":"2012-10-17","Statement":[{}]}}"#,
        statements.join(",")
    );
    let mut h = harness();
    h.run();
    assert_eq!(h.state().evaluation().unwrap().statements, 0);
    h.state_mut().push(Command::LoadText {
        slot: asg_perms::app::Slot::Identity,
        name: "large.json".into(),
        text,
    });
    h.step();
    // The frame that loaded it started the work and did not wait for it: the last result
    // is still on screen, and progress is shown.
    assert!(h.state().evaluation_progress().is_some());
    wait_for_evaluation(&mut h);
    wait_for_jobs(&mut h);
    assert_eq!(h.state().evaluation().unwrap().statements, 600);
    // A change of inputs while it runs replaces the stale run.
    h.state_mut().push(Command::SetFeature {
        id: "launch-template".into(),
        on: true,
    });
    h.step();
    assert!(h.state().evaluation_progress().is_some());
    wait_for_evaluation(&mut h);
    let eval = h.state().evaluation().unwrap();
    let check = &eval.checks["CreateAutoScalingGroup"];
    assert!(check.features.contains(&"launch-template".to_owned()));
}

/// 50 statements of 20 wildcard resources and a condition on an unknown key (few
/// statements, but the work of a thousand: the refinement issue's pathological shape), each
/// allowing `actions`, then `extra` statements; loaded, one frame run.
fn load_heavy_policy(actions: &str, extra: &[&str]) -> Harness<'static, ExplorerApp> {
    let statements: Vec<String> = (0..50)
        .map(|i| {
            let resources: Vec<String> = (0..20)
                .map(|k| format!(r#""arn:aws:autoscaling:*:*:autoScalingGroup:*:autoScalingGroupName/g{i}-{k}*x?""#))
                .collect();
            format!(
                r#"{{"Effect":"Allow","Action":{actions},"Resource":[{}],"Condition":{{"StringLike":{{"aws:PrincipalTag/k":"*{i}*"}}}}}}"#,
                resources.join(",")
            )
        })
        .chain(extra.iter().map(|&s| s.to_owned()))
        .collect();
    let text = format!(
        r#"{{"Version":"2012-10-17","Statement":[{}]}}"#,
        statements.join(",")
    );
    let mut h = harness();
    h.run();
    h.state_mut().push(Command::LoadText {
        slot: asg_perms::app::Slot::Identity,
        name: "patterns.json".into(),
        text,
    });
    h.step();
    h
}

#[test]
fn few_statements_with_many_patterns_are_evaluated_off_the_ui_thread_too() {
    let mut h = load_heavy_policy(r#""autoscaling:*""#, &[]);
    assert!(
        h.state().evaluation_progress().is_some(),
        "evaluated inside the frame"
    );
    wait_for_evaluation(&mut h);
    wait_for_jobs(&mut h);
    assert_eq!(h.state().evaluation().unwrap().statements, 50);
}

/// A policy heavy enough for a background evaluation is linted after it, not beside it (the
/// two at once would hold both their working memory), and its findings then arrive.
#[test]
fn a_heavy_policy_is_linted_after_its_background_evaluation() {
    let mut h = load_heavy_policy(
        r#"["autoscaling:*","iam:PassRole"]"#,
        &[r#"{"Effect":"Allow","Action":"iam:PassRole","Resource":"*"}"#],
    );
    assert!(
        h.state().evaluation_progress().is_some(),
        "evaluated on a worker"
    );
    assert!(!h.state().linting(), "not linted beside the evaluation");
    assert!(h.state().findings().is_empty());
    wait_for_evaluation(&mut h);
    h.step();
    wait_for_jobs(&mut h);
    assert!(!h.state().linting());
    assert!(
        h.state()
            .findings()
            .iter()
            .any(|f| f.code() == "passrole-any-role" && f.statement == Some(50)),
        "the findings arrive once the evaluation is done"
    );
}

#[test]
fn thousands_of_statements_lay_out_only_the_cards_in_view_and_scroll_to_the_deciding_one() {
    // 2,999 statements about S3, then the one that decides CreateAutoScalingGroup.
    let mut statements: Vec<String> = (0..2_999)
        .map(|i| {
            format!(
                r#"{{"Sid":"Bucket{i}","Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::bucket-{i}/*"}}"#
            )
        })
        .collect();
    statements.push(
        r#"{"Sid":"Groups","Effect":"Allow","Action":"autoscaling:CreateAutoScalingGroup","Resource":"*"}"#
            .to_owned(),
    );
    let text = format!(
        r#"{{"Version":"2012-10-17","Statement":[{}]}}"#,
        statements.join(",")
    );
    let mut h = harness();
    h.run();
    h.state_mut().push(Command::LoadText {
        slot: asg_perms::app::Slot::Identity,
        name: "many.json".into(),
        text,
    });
    wait_for_jobs(&mut h);
    wait_for_evaluation(&mut h);
    wait_for_jobs(&mut h);
    // Only the cards near the view are laid out: far fewer than 3,000.
    let cards = h.query_all_by_label_contains(" Allow").count();
    assert!(cards > 0 && cards < 200, "{cards} cards laid out");
    assert!(
        h.query_by_label("Groups").is_none(),
        "the last card is far below"
    );
    // Explaining the permission scrolls to the statement that decides it.
    h.state_mut().push(Command::Select {
        action: "CreateAutoScalingGroup".into(),
    });
    h.state_mut().push(Command::FocusPermission {
        permission: "autoscaling:CreateAutoScalingGroup".into(),
    });
    h.run();
    assert!(
        h.query_by_label("Groups").is_some(),
        "the deciding card is shown"
    );
    assert!(h.query_by_label("#3000 Allow").is_some());
}

/// Steps the app until its background evaluation is done (the lint it then starts may still
/// run: settle with `wait_for_jobs`, which waits for it, not with `run`, which would race
/// it).
fn wait_for_evaluation(h: &mut Harness<'static, ExplorerApp>) {
    let start = std::time::Instant::now();
    while h.state().evaluation_progress().is_some() {
        assert!(
            start.elapsed() < std::time::Duration::from_mins(2),
            "never finished"
        );
        std::thread::sleep(std::time::Duration::from_millis(10));
        h.step();
    }
}

/// Types one character a frame, as a person does.
fn type_slowly(h: &mut Harness<'static, ExplorerApp>, text: &str) {
    for c in text.chars() {
        h.event(egui::Event::Text(c.to_string()));
        h.run();
    }
}

#[test]
fn the_editor_keeps_every_keystroke_across_valid_and_invalid_text() {
    let mut h = harness();
    h.run();
    h.get_by_label("AWS managed: AutoScalingFullAccess").click();
    h.run();
    click_label(&mut h, "Edit");
    h.run();
    let editor = "Policy text of AWS managed: AutoScalingFullAccess";
    click_label(&mut h, editor);
    h.run();
    assert!(h.get_by_label(editor).is_focused());
    // Select everything and type a new policy one key a frame: the text is invalid until
    // the last brace, valid after it, invalid again with "X", valid after Backspace.
    h.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::A);
    h.run();
    let policy = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"ec2:*","Resource":"*"}]}"#;
    type_slowly(&mut h, policy);
    assert_eq!(&*h.state().policies.identity[0].text, policy);
    assert!(h.state().policies.identity[0].error.is_none());
    for round in 0..3 {
        type_slowly(&mut h, "XY");
        assert!(
            h.state().policies.identity[0].error.is_some(),
            "round {round}"
        );
        h.key_press(egui::Key::Backspace);
        h.run();
        h.key_press(egui::Key::Backspace);
        h.run();
        assert!(
            h.state().policies.identity[0].error.is_none(),
            "round {round}"
        );
        type_slowly(&mut h, " ");
    }
    let expected = format!("{policy}   ");
    assert_eq!(h.get_by_label(editor).value().as_deref(), Some(&*expected));
    assert_eq!(&*h.state().policies.identity[0].text, &*expected);
    // The new text is what is evaluated: ec2:* alone does not grant autoscaling actions.
    assert_eq!(
        h.state().evaluation().unwrap().checks["CreateAutoScalingGroup"].status,
        Status::Missing
    );
}

#[test]
fn without_a_system_file_dialog_the_built_in_browser_opens_and_loads() {
    let mut h = harness_for_file_browser();
    h.state_mut().native_dialogs = asg_perms::app::NativeDialogs::Unavailable;
    // Start in the fixtures folder, as after opening a file there.
    h.state_mut().state.recent = vec![fixture("least-privilege-asg.json")];
    h.run();
    click_label(&mut h, "Open policy…");
    h.run();
    assert!(h.state().file_browser_open());
    assert!(
        h.query_by_label_contains("the app uses its own file browser")
            .is_some()
    );
    // egui_file shows files with a page icon before the name.
    click_label(&mut h, "🗋 least-privilege-asg.json");
    h.run();
    click_label(&mut h, "Open");
    wait_for_jobs(&mut h);
    assert!(!h.state().file_browser_open());
    assert_eq!(h.state().policies.identity.len(), 1);
    assert_eq!(
        h.state().policies.identity[0].name,
        "least-privilege-asg.json"
    );
}

#[test]
fn a_system_dialog_that_never_appears_falls_back_to_the_built_in_browser() {
    // Where a portal or zenity exists, rfd would show a real dialog: this test is for the
    // machines without one (CI is one of them).
    let has_bus = std::env::var_os("DBUS_SESSION_BUS_ADDRESS").is_some();
    let has_zenity = std::process::Command::new("zenity")
        .arg("--version")
        .output()
        .is_ok();
    if has_bus || has_zenity {
        eprintln!("skipped: this machine has a system file dialog");
        return;
    }
    let mut h = harness_for_file_browser();
    h.state_mut().native_dialogs = asg_perms::app::NativeDialogs::Try;
    h.run();
    h.state_mut().push(Command::SaveDialog {
        text: "{}".to_owned(),
    });
    wait_for_jobs(&mut h);
    assert!(h.state().file_browser_open());
    assert_eq!(
        h.state().native_dialogs,
        asg_perms::app::NativeDialogs::Unavailable
    );
    assert!(
        h.query_by_label_contains("the app uses its own file browser")
            .is_some()
    );
}

#[test]
fn replacing_or_clearing_an_edited_policy_can_be_undone() {
    let mut h = harness();
    h.run();
    h.get_by_label("AWS managed: AutoScalingFullAccess").click();
    h.run();
    let edited =
        h.state().policies.identity[0]
            .text
            .replacen("autoscaling:*", "autoscaling:Describe*", 1);
    h.state_mut().push(Command::EditText {
        item: Item::Identity(0),
        text: edited.clone(),
    });
    h.run();
    // An example replaces it: the notice says what was replaced and offers Undo.
    h.get_by_label("Examples").click();
    h.run();
    click_label(&mut h, "Least-privilege example (launch templates)");
    h.run();
    assert!(
        h.query_by_label_contains("It replaced your edited AWS managed: AutoScalingFullAccess")
            .is_some()
    );
    click_label(&mut h, "Undo (Ctrl+Z)");
    h.run();
    assert_eq!(h.state().policies.identity.len(), 1);
    assert_eq!(&*h.state().policies.identity[0].text, &*edited);
    // Clear, then Ctrl+Z.
    click_label(&mut h, "Clear");
    h.run();
    assert!(h.state().policies.is_empty());
    h.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::Z);
    h.run();
    assert_eq!(&*h.state().policies.identity[0].text, &*edited);
    assert!(!h.state().can_undo());
}

#[test]
fn dragging_a_file_over_the_window_says_what_dropping_does() {
    let mut h = harness();
    h.run();
    assert!(h.query_by_label_contains("Drop ").is_none());
    h.input_mut().hovered_files.push(egui::HoveredFile {
        path: Some(fixture("least-privilege-asg.json")),
        mime: String::new(),
    });
    // egui repaints while a file hovers: step instead of waiting for it to settle.
    h.run_steps(3);
    assert!(
        h.query_by_label("Drop least-privilege-asg.json to load it as the identity policy")
            .is_some()
    );
    h.input_mut().hovered_files.clear();
    h.run_steps(3);
    assert!(
        h.query_by_label_contains("to load it as the identity policy")
            .is_none()
    );
}

#[test]
fn cards_are_clickable_needed_first_and_enter_applies_facts() {
    let mut h = harness();
    h.state_mut().push(Command::SetFeature {
        id: "launch-template".into(),
        on: true,
    });
    h.run();
    // Needed permissions come before the "not needed now" ones.
    let needed_bottom = h
        .get_all_by_label("needed")
        .map(|n| n.rect().bottom())
        .fold(f32::MIN, f32::max);
    let not_needed_top = h
        .get_all_by_label("not needed now")
        .map(|n| n.rect().top())
        .fold(f32::MAX, f32::min);
    assert!(
        needed_bottom < not_needed_top,
        "{needed_bottom} {not_needed_top}"
    );
    // A click anywhere on a card (here, on its reason) explains it.
    click_label(&mut h, "The Auto Scaling action itself.");
    h.run();
    assert!(
        h.query_by_label_contains("Why autoscaling:CreateAutoScalingGroup is")
            .is_some()
    );
    // Enter in a fact field applies the facts.
    click_label(
        &mut h,
        "Facts (optional): account, region, partition, roles, group",
    );
    h.run();
    h.get_by_label("Account id").click();
    h.run();
    h.get_by_label("Account id").type_text("111122223333");
    h.run();
    h.key_press(egui::Key::Enter);
    h.run();
    assert_eq!(
        h.state().state.facts.account.as_deref(),
        Some("111122223333")
    );
}

#[test]
fn a_new_selection_starts_at_the_top_of_the_action() {
    let mut h = harness();
    h.run();
    // Scroll the centre panel down to the generated statements, then pick another action.
    h.get_by_label("Save as…").scroll_to_me();
    h.run();
    // The heading: the first of the name in the centre panel (its permission card repeats
    // it below; the tree on the left may too).
    let heading = |h: &Harness<'static, ExplorerApp>, name: &str| {
        h.get_all_by_label(name)
            .filter(|n| n.rect().left() > 300.0)
            .map(|n| n.rect().top())
            .fold(f32::MAX, f32::min)
    };
    assert!(heading(&h, "autoscaling:CreateAutoScalingGroup") < 0.0);
    select_via_filter(&mut h, "PutLifecycleHook");
    let top = heading(&h, "autoscaling:PutLifecycleHook");
    assert!((0.0..200.0).contains(&top), "{top}");
}

#[test]
fn the_left_panel_keeps_its_width_when_a_policy_loads() {
    let mut h = harness();
    h.run();
    let width = |h: &Harness<'static, ExplorerApp>| h.get_by_label("Filter").rect().right();
    let before = width(&h);
    load(&mut h, fixture("managed/AutoScalingFullAccess.json"));
    h.run();
    // Expand a row: badges and permission rows must not widen the panel either.
    click_label(&mut h, "CreateAutoScalingGroup");
    h.run();
    let after = width(&h);
    assert!(before > 200.0, "{before}");
    assert!((after - before).abs() < 1.0, "{before} → {after}");
}

/// Quits (what `save` keeps) and starts again with it, as a restart does.
fn restart(h: &Harness<'static, ExplorerApp>) -> Harness<'static, ExplorerApp> {
    let (docs, principal) = h.state().policies.saved();
    let mut next = harness();
    next.state_mut().push(Command::Restore { docs, principal });
    wait_for_jobs(&mut next);
    next
}

#[test]
fn loaded_files_and_the_principal_come_back_after_a_restart() {
    let dir = std::env::temp_dir().join(format!("asg-perms-restore-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let a = dir.join("a.json");
    let b = dir.join("boundary.json");
    std::fs::copy(fixture("least-privilege-asg.json"), &a).unwrap();
    std::fs::copy(fixture("managed/AutoScalingFullAccess.json"), &b).unwrap();
    let mut h = harness();
    h.run();
    load(&mut h, a.clone());
    h.state_mut().push(Command::LoadPath {
        slot: asg_perms::app::Slot::Boundary,
        path: b.clone(),
    });
    wait_for_jobs(&mut h);
    // An example added too, and edited: its text is remembered.
    h.state_mut().push(Command::LoadText {
        slot: asg_perms::app::Slot::AddIdentity,
        name: "pasted policy".into(),
        text: r#"{"Statement":[{"Effect":"Allow","Action":"ec2:Describe*","Resource":"*"}]}"#
            .into(),
    });
    h.run();

    let h2 = restart(&h);
    let p = &h2.state().policies;
    assert_eq!(p.identity.len(), 2);
    assert_eq!(p.identity[0].name, "a.json");
    assert_eq!(p.identity[1].name, "pasted policy");
    assert_eq!(p.boundary.as_ref().unwrap().name, "boundary.json");
    assert!(
        h2.query_by_label_contains("Reopened a.json, pasted policy, boundary.json")
            .is_some()
    );

    // The boundary file changes and the identity file goes away between sessions.
    std::fs::write(
        &b,
        r#"{"Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}"#,
    )
    .unwrap();
    std::fs::remove_file(&a).unwrap();
    let h3 = restart(&h2);
    assert!(
        h3.query_by_label_contains("changed since the last session")
            .is_some()
    );
    assert!(h3.query_by_label_contains("a.json is gone").is_some());
    assert_eq!(h3.state().policies.identity.len(), 1);

    // An account dump and the principal chosen from it.
    let mut h = harness();
    h.run();
    load(&mut h, fixture("account-details.json"));
    h.state_mut().push(Command::SetPrincipal {
        name: "alice".into(),
    });
    h.run();
    let h4 = restart(&h);
    assert_eq!(
        h4.state()
            .policies
            .account
            .as_ref()
            .unwrap()
            .principal
            .as_deref(),
        Some("alice")
    );
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn an_unreadable_settings_file_is_moved_aside_not_overwritten() {
    let dir = std::env::temp_dir().join(format!("asg-perms-state-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("app.ron");
    std::fs::write(&file, "(this is not { valid ron").unwrap();
    let said = asg_perms::app::set_aside_unreadable(&file, false).unwrap();
    assert!(said.contains("could not be read"), "{said}");
    assert!(!file.exists());
    assert_eq!(
        std::fs::read_to_string(dir.join("app.ron.bad")).unwrap(),
        "(this is not { valid ron"
    );
    // A readable file, or none at all, is left alone.
    std::fs::write(&file, "()").unwrap();
    assert!(asg_perms::app::set_aside_unreadable(&file, true).is_none());
    assert!(file.exists());
    assert!(asg_perms::app::set_aside_unreadable(&dir.join("missing.ron"), false).is_none());
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn compare_mode_shows_what_each_action_lost_and_opens_it() {
    let mut h = harness();
    h.run();
    load(&mut h, fixture("managed/AutoScalingFullAccess.json"));
    h.state_mut().push(Command::LoadPath {
        slot: asg_perms::app::Slot::Compare,
        path: fixture("managed/AutoScalingReadOnlyAccess.json"),
    });
    wait_for_jobs(&mut h);
    // The compared version is not part of what is evaluated.
    assert_eq!(
        h.state().evaluation().unwrap().checks["CreateAutoScalingGroup"].status,
        Status::Satisfied
    );
    click_label(&mut h, "Review");
    h.run();
    click_label(&mut h, "Compare with another version…");
    wait_for_jobs(&mut h);
    assert!(
        h.query_by_label_contains(
            "Before: AutoScalingFullAccess.json   then   after: AutoScalingReadOnlyAccess.json"
        )
        .is_some()
    );
    assert!(
        h.query_by_label_contains("permission(s) lost, 0 gained")
            .is_some()
    );
    // The link at the head of the action's entry (its permission row repeats the name).
    click_nth(&mut h, "autoscaling:DeleteAutoScalingGroup", 0);
    h.run();
    assert_eq!(h.state().state.selected, "DeleteAutoScalingGroup");
}

#[test]
fn findings_show_on_the_statement_they_are_about() {
    let mut h = harness();
    h.run();
    h.state_mut().push(Command::LoadText {
        slot: asg_perms::app::Slot::Identity,
        name: "roles.json".into(),
        text: "{\"Statement\": [\n {\"Effect\": \"Allow\", \"Action\": \"iam:PassRole\", \"Resource\": \"*\"}\n]}".into(),
    });
    h.run();
    assert!(
        h.query_by_label_contains("warning[passrole-any-role] line 2: iam:PassRole on every role")
            .is_some()
    );
    assert!(
        h.query_by_label_contains("warning[passrole-no-service] line 2")
            .is_some()
    );
}

#[test]
fn account_matrix_runs_in_the_background_and_a_cell_opens_the_principal() {
    let mut h = harness();
    h.run();
    load(&mut h, fixture("account-details.json"));
    click_label(&mut h, "Review");
    h.run();
    click_label(&mut h, "Account matrix…");
    wait_for_jobs(&mut h);
    let audit = h.state().audit_result().unwrap().clone();
    assert_eq!(audit.rows.len(), 2);
    assert!(h.query_by_label("alice (user)").is_some());
    assert!(h.query_by_label("ci-deployer (role)").is_some());
    // Sort by a column, filter, then open a cell.
    click_nth(&mut h, "Delete groups", 0);
    h.run();
    assert!(h.query_by_label("Delete groups (sorted)").is_some());
    h.get_by_label("Filter principals").click();
    h.run();
    h.get_by_label("Filter principals").type_text("alice");
    h.run();
    assert!(h.query_by_label("ci-deployer (role)").is_none());
    // alice's first cell: scrolled into view, then clicked as a pointer would.
    let first_cell = |h: &Harness<'static, ExplorerApp>| {
        h.get_all_by_label("✖ missing")
            .filter(|n| n.rect().top() > 60.0)
            .min_by(|a, b| a.rect().left().total_cmp(&b.rect().left()))
            .unwrap()
            .rect()
    };
    let r = first_cell(&h);
    h.get_all_by_label("✖ missing")
        .find(|n| n.rect() == r)
        .unwrap()
        .scroll_to_me();
    h.run();
    let r = first_cell(&h);
    assert!(r.left() >= 0.0, "{r:?}");
    h.get_all_by_label("✖ missing")
        .find(|n| n.rect() == r)
        .unwrap()
        .click();
    h.run();
    assert_eq!(
        h.state()
            .policies
            .account
            .as_ref()
            .unwrap()
            .principal
            .as_deref(),
        Some("arn:aws:iam::111122223333:user/alice")
    );
}

#[test]
fn reports_export_as_markdown_json_and_html_with_a_header() {
    use asg_perms::app::ExportFormat;
    let dir = std::env::temp_dir().join(format!("asg-perms-export-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let mut h = harness_for_file_browser();
    h.state_mut().native_dialogs = asg_perms::app::NativeDialogs::Unavailable;
    h.run();
    load(&mut h, fixture("least-privilege-asg.json"));
    // The browser opens in the folder of the last file used: make that the temporary one.
    h.state_mut().state.recent = vec![dir.join("last.json")];
    let json = h.state().report_text(ExportFormat::Json).unwrap();
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(v["header"]["inputs"][0]["name"], "least-privilege-asg.json");
    assert_eq!(v["header"]["tool_version"], env!("CARGO_PKG_VERSION"));
    assert_eq!(
        v["actions"][0]["action"],
        "autoscaling:CreateAutoScalingGroup"
    );
    let md = h.state().report_text(ExportFormat::Markdown).unwrap();
    assert!(
        md.contains("> Input: least-privilege-asg.json (identity policies) fnv1a64 "),
        "{md}"
    );
    // Through the menu and the (built-in) save dialog, to a real file.
    click_label(&mut h, "Review");
    h.run();
    click_label(&mut h, "HTML (for a browser)…");
    h.run();
    click_label(&mut h, "Save");
    wait_for_jobs(&mut h);
    let html = std::fs::read_to_string(dir.join("asg-perms-CreateAutoScalingGroup.html")).unwrap();
    assert!(html.starts_with("<!DOCTYPE html>"));
    assert!(
        html.contains("<span class=\"satisfied\">✔ satisfied</span>"),
        "{html}"
    );
    assert!(html.contains("least-privilege-asg.json (identity policies) fnv1a64"));
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn a_file_that_fails_to_load_is_not_added_to_recent_files() {
    let mut h = harness();
    h.run();
    load(&mut h, fixture("bad/missing-comma.json"));
    assert!(h.state().notice.as_ref().is_some_and(|n| n.error));
    assert!(h.state().state.recent.is_empty());
    load(&mut h, fixture("least-privilege-asg.json"));
    assert_eq!(
        h.state().state.recent,
        vec![fixture("least-privilege-asg.json")]
    );
}

#[test]
fn pasting_an_error_explains_it_and_opens_the_failing_permission() {
    let mut h = harness();
    h.run();
    load(&mut h, fixture("managed/AutoScalingFullAccess.json"));
    // Start elsewhere: the explanation selects the call.
    select_via_filter(&mut h, "PutLifecycleHook");
    let error = std::fs::read_to_string(
        PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures/errors/access-denied-passrole.txt"),
    )
    .unwrap();
    h.event(egui::Event::Paste(error));
    h.run();
    // Not loaded as a policy: the policy stays, and the window explains.
    assert_eq!(
        h.state().policies.identity[0].name,
        "AutoScalingFullAccess.json"
    );
    assert!(
        h.query_by_label_contains(
            "iam:PassRole was denied on arn:aws:iam::111122223333:role/app-web"
        )
        .is_some()
    );
    assert!(
        h.query_by_label_contains("With the loaded policies: implicitly denied")
            .is_some()
    );
    assert!(h.query_by_label("Add to the identity policies:").is_some());
    click_label(&mut h, "Show in the explorer");
    h.run();
    assert_eq!(h.state().state.selected, "CreateAutoScalingGroup");
    assert!(
        h.state()
            .selected_features()
            .contains(&"launch-template-instance-profile".to_owned())
    );
    assert_eq!(
        h.state().state.facts.instance_role_arn.as_deref(),
        Some("arn:aws:iam::111122223333:role/app-web")
    );
    assert_eq!(
        h.state().state.facts.account.as_deref(),
        Some("111122223333")
    );
    assert!(h.query_by_label("iam:PassRole is missing").is_some());
}

#[test]
fn the_what_went_wrong_window_refuses_text_it_cannot_read() {
    let mut h = harness();
    h.run();
    click_label(&mut h, "What went wrong?");
    h.run();
    h.get_by_label_contains("Paste the error you got").click();
    h.run();
    h.get_by_label_contains("Paste the error you got")
        .type_text("it broke");
    h.run();
    click_label(&mut h, "Explain");
    h.run();
    assert!(
        h.query_by_label_contains("I can't read this as an AWS authorization error")
            .is_some()
    );
}

#[test]
fn pasting_an_aws_cli_command_selects_the_call_with_its_features_and_facts() {
    let mut h = harness();
    h.run();
    h.event(egui::Event::Paste(
        "aws autoscaling put-lifecycle-hook --lifecycle-hook-name h --auto-scaling-group-name web \\\n  --lifecycle-transition autoscaling:EC2_INSTANCE_LAUNCHING \\\n  --role-arn arn:aws:iam::111122223333:role/hook-role".to_owned(),
    ));
    h.run();
    assert!(h.state().policies.is_empty(), "not loaded as a policy");
    assert_eq!(h.state().state.selected, "PutLifecycleHook");
    assert_eq!(
        h.state().selected_features(),
        vec!["lifecycle-hook-role".to_owned()]
    );
    assert_eq!(
        h.state().state.facts.lifecycle_hook_role_arn.as_deref(),
        Some("arn:aws:iam::111122223333:role/hook-role")
    );
    assert_eq!(h.state().state.facts.group_name.as_deref(), Some("web"));
    assert!(
        h.query_by_label_contains(
            "Read autoscaling:PutLifecycleHook from the pasted text: 1 request feature turned on"
        )
        .is_some()
    );
    // The window says where each came from.
    assert!(h.query_by_label("lifecycle-hook-role").is_some());
    assert!(h.query_by_label("line 3").is_some());
}

#[test]
fn opening_a_cloudformation_template_sets_the_features_and_shows_the_line_of_each() {
    let mut h = harness_for_file_browser();
    h.state_mut().native_dialogs = asg_perms::app::NativeDialogs::Unavailable;
    h.run();
    load(&mut h, fixture("managed/AutoScalingFullAccess.json"));
    // The browser starts in the folder of the last file used.
    h.state_mut().state.recent = vec![fixture("requests/cfn-launch-template.yaml")];
    click_label(&mut h, "Open a request…");
    h.run();
    assert!(h.state().file_browser_open());
    click_label(&mut h, "🗋 cfn-launch-template.yaml");
    h.run();
    click_label(&mut h, "Open");
    wait_for_jobs(&mut h);
    // The policy stays; the call is selected with what the template says.
    assert_eq!(
        h.state().policies.identity[0].name,
        "AutoScalingFullAccess.json"
    );
    assert_eq!(h.state().state.selected, "CreateAutoScalingGroup");
    let mut features = h.state().selected_features();
    features.sort();
    assert_eq!(
        features,
        [
            "kms-cmk-encrypted-volumes",
            "launch-template",
            "launch-template-instance-profile",
            "launch-template-ssm-parameter",
            "launch-template-tags",
        ]
    );
    assert_eq!(h.state().state.facts.group_name.as_deref(), Some("web-asg"));
    // Why: each feature with its line and the text of that line.
    assert!(
        h.query_by_label_contains("IamInstanceProfile in launch template AppLaunchTemplate")
            .is_some()
    );
    assert!(h.query_by_label("line 23").is_some());
    assert!(
        h.query_by_label_contains("? The launch template's instance profile")
            .is_some()
    );
    // And the explorer shows what the template needs that the policy lacks.
    assert!(
        h.query_by_label_contains(
            "Read autoscaling:CreateAutoScalingGroup from cfn-launch-template.yaml"
        )
        .is_some()
    );
    assert!(h.query_by_label_contains("ssm:GetParameters").is_some());
}

#[test]
fn a_template_with_several_groups_lists_each_and_loads_the_one_chosen() {
    let mut h = harness();
    h.run();
    let before = h.state().state.selected.clone();
    // Dropped or opened from Recent files: the same background load, which finds a request.
    load(&mut h, fixture("requests/cfn-two-groups.yaml"));
    assert!(h.state().policies.is_empty(), "not loaded as a policy");
    assert_eq!(h.state().state.selected, before, "nothing chosen yet");
    assert!(
        h.query_by_label_contains("cfn-two-groups.yaml makes 3 Auto Scaling calls")
            .is_some()
    );
    click_label(&mut h, "Load CreateAutoScalingGroup (GreenGroup)");
    h.run();
    assert_eq!(h.state().state.selected, "CreateAutoScalingGroup");
    assert!(h.state().selected_features().is_empty());
    assert_eq!(h.state().state.facts.group_name.as_deref(), Some("green"));
    click_label(&mut h, "Load CreateAutoScalingGroup (BlueGroup)");
    h.run();
    assert_eq!(
        h.state().selected_features(),
        ["launch-template", "launch-template-tags"]
    );
    assert_eq!(h.state().state.facts.group_name.as_deref(), Some("blue"));
    click_label(&mut h, "Load CreateLaunchConfiguration (GreenConfig)");
    h.run();
    assert_eq!(h.state().state.selected, "CreateLaunchConfiguration");
}

#[test]
fn a_broken_template_says_where_and_keeps_what_was_loaded() {
    let mut h = harness();
    h.run();
    load(&mut h, fixture("managed/AutoScalingFullAccess.json"));
    load(&mut h, fixture("requests/bad-truncated.yaml"));
    assert_eq!(
        h.state().policies.identity[0].name,
        "AutoScalingFullAccess.json"
    );
    assert!(
        h.query_by_label_contains("I can't read this: line 7, column 1: not valid YAML")
            .is_some()
    );
    // Pasted, too.
    h.event(egui::Event::Paste(
        "resource \"aws_autoscaling_group\" \"x\" {\n  max_size =\n}\n".to_owned(),
    ));
    h.run();
    assert!(
        h.query_by_label_contains("I can't read this: line 2, column 13: not valid HCL")
            .is_some()
    );
    assert_eq!(h.state().policies.identity.len(), 1);
}

/// A statement that tests hundreds of unknown keys: the card names a few dozen of what the
/// answer depends on and counts the rest, rather than laying out a line of all of them.
#[test]
fn a_card_names_a_few_of_many_dependencies_and_counts_the_rest() {
    let text = policies::many_keys_policy(300);
    let path =
        std::env::temp_dir().join(format!("asg-perms-many-keys-{}.json", std::process::id()));
    std::fs::write(&path, text).unwrap();
    let mut h = harness();
    h.run();
    load(&mut h, path.clone());
    std::fs::remove_file(&path).ok();
    wait_for_evaluation(&mut h);
    wait_for_jobs(&mut h);
    // The card of the action's own permission (a button; the same text is a label too).
    let card = || egui::accesskit::Role::Button;
    h.get_by_role_and_label(card(), "autoscaling:CreateAutoScalingGroup")
        .scroll_to_me();
    h.run();
    h.get_by_role_and_label(card(), "autoscaling:CreateAutoScalingGroup")
        .click();
    h.run();
    assert!(
        h.query_all_by_label_contains("Depends on: aws:RequestTag/k0, aws:RequestTag/k1,")
            .count()
            >= 1
    );
    // Sorted, the keys named first are k0, k1, k10, k100...; k299 is one of those counted.
    for n in h.query_all_by_label_contains("Depends on:") {
        let shown = format!("{n:?}");
        assert!(
            shown.contains("and 280 more") && !shown.contains("aws:RequestTag/k299"),
            "{shown}"
        );
    }
}

/// The app with `text` pasted as a policy, evaluated and linted, and drawn.
fn pasted(text: String) -> Harness<'static, ExplorerApp> {
    let mut h = harness();
    h.run();
    h.event(egui::Event::Paste(text));
    h.step();
    wait_for_evaluation(&mut h);
    wait_for_jobs(&mut h);
    h.run_steps(20);
    h
}

/// A policy that warns on each of its 2,500 statements: the policy panel lays out the first
/// 20 warnings and counts the rest, not 2,500 labels every frame.
#[test]
fn the_policy_panel_shows_a_few_warnings_and_counts_the_rest() {
    let h = pasted(policies::warned_policy(2_500));
    assert_eq!(h.state().policies.identity[0].statements_len(), 2_500);
    let notice = h.state().notice.clone().unwrap();
    assert!(notice.text.contains("2,500 warning(s)"), "{}", notice.text);
    assert_eq!(
        h.query_all_by_label_contains("multivalued key \"aws:TagKeys\"")
            .filter(|n| format!("{n:?}").contains("line 1, column"))
            .count(),
        20
    );
    assert!(
        h.query_by_label_contains("and 2,480 more warnings")
            .is_some()
    );
}

/// A statement of 300 conditions: its card lays out the first 20 and counts the rest (a
/// card of 100,000 conditions laid out each one every frame: 1.3 GB for a 3 MB policy).
#[test]
fn a_card_shows_a_few_of_many_conditions_and_counts_the_rest() {
    let h = pasted(policies::many_keys_policy(300));
    let shown = h
        .query_all_by_label_contains("Condition: StringEquals aws:RequestTag/k")
        .count();
    assert_eq!(shown, 20);
    assert!(
        h.query_by_label_contains("and 280 more conditions")
            .is_some()
    );
}

/// The parser's warning about a statement shows on that statement's card, as the policy
/// panel's count of warnings says ("each shows on its statement's card"); before, it was a
/// finding about no statement and showed on none.
#[test]
fn a_parser_warning_shows_on_its_statements_card() {
    let h = pasted(policies::warned_policy(3));
    let on_cards = h
        .query_all_by_label_contains("warning[policy-warning] line 1: multivalued key")
        .count();
    assert_eq!(on_cards, 3);
}

/// A role and a user of one name (IAM keeps them apart): picking the user evaluates the
/// user. Before, the app chose by name and evaluated the role, which may do everything.
#[test]
fn picking_a_user_named_like_a_role_evaluates_the_user() {
    let path =
        std::env::temp_dir().join(format!("asg-perms-same-name-{}.json", std::process::id()));
    std::fs::write(&path, policies::same_name_account()).unwrap();
    let mut h = harness();
    h.run();
    load(&mut h, path.clone());
    std::fs::remove_file(&path).ok();
    h.run();
    // The status of CreateAutoScalingGroup as the principal picked by `label`.
    let mut as_principal = |label: &str| {
        h.get_by_label("Evaluate as").click();
        h.run();
        h.get_by_label(label).click();
        h.run();
        wait_for_evaluation(&mut h);
        wait_for_jobs(&mut h);
        h.state().evaluation().unwrap().checks["CreateAutoScalingGroup"].status
    };
    assert_eq!(as_principal("Deploy"), Status::Missing);
    assert_eq!(as_principal("deploy"), Status::Satisfied);
}

/// The policy panel finds a statement's findings through an index made once per lint result
/// (it regrouped them all on every frame): the same findings, in the same order, for every
/// statement of every policy, and none for a statement without any.
#[test]
fn findings_are_grouped_by_statement_once() {
    use asg_perms::app::model::Findings;
    use asg_perms::{LintOptions, lint};
    let warned = r#"{"Effect":"Allow","Action":"autoscaling:*","Resource":"*","Condition":{"StringEquals":{"aws:TagKeys":"x"}}}"#;
    let plain = r#"{"Effect":"Allow","Action":"autoscaling:Describe*","Resource":"*"}"#;
    let mut all = Vec::new();
    for (name, pattern) in [
        ("a.json", [warned, plain, warned]),
        ("b.json", [plain, warned, warned]),
    ] {
        let text = format!(
            r#"{{"Version":"2012-10-17","Statement":[{}]}}"#,
            pattern.join(",")
        );
        let Ok(Loaded::Policy(p, _)) = load_text(name, &text) else {
            panic!("{name} is a policy");
        };
        all.extend(lint(&p, LintOptions::default()));
    }
    let expected = |policy: &str, i: usize| -> Vec<String> {
        all.iter()
            .filter(|f| &*f.policy == policy && f.statement.map(|s| s as usize) == Some(i))
            .map(|f| format!("{} {}", f.code(), f.message))
            .collect()
    };
    let cases: Vec<(&str, usize, Vec<String>)> = ["a.json", "b.json"]
        .into_iter()
        .flat_map(|p| (0..4).map(move |i| (p, i)))
        .map(|(p, i)| (p, i, expected(p, i)))
        .collect();
    let findings = Findings::new(all.clone());
    let mut seen = 0;
    for (policy, i, want) in cases {
        let got: Vec<String> = findings
            .of_statement(policy, i)
            .iter()
            .map(|f| format!("{} {}", f.code(), f.message))
            .collect();
        assert_eq!(got, want, "{policy} statement {i}");
        seen += got.len();
    }
    assert!(seen >= 4, "the warned statements have findings: {seen}");
    assert!(findings.of_statement("a.json", 1).is_empty());
    assert!(findings.of_statement("c.json", 0).is_empty());
}
