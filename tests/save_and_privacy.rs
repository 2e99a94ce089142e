//! Saving never loses data, and nothing in the dependency tree can send a policy anywhere.

#![allow(clippy::unwrap_used)] // Tests may unwrap: a panic is a failed test.

use std::os::unix::fs::PermissionsExt as _;
use std::path::PathBuf;
use std::process::Command;

use asg_perms::save_atomic;

fn tempdir(tag: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("asg-perms-save-{tag}-{}", std::process::id()));
    std::fs::create_dir_all(&d).unwrap();
    d
}

#[test]
fn a_failed_write_leaves_the_old_file_intact() {
    let dir = tempdir("inject");
    // The rename cannot replace a folder that holds a file: the write fails at its last step.
    let target = dir.join("policy.json");
    std::fs::create_dir(&target).unwrap();
    std::fs::write(target.join("keep"), "old content").unwrap();
    assert!(save_atomic(&target, "new content").is_err());
    assert_eq!(
        std::fs::read_to_string(target.join("keep")).unwrap(),
        "old content"
    );
    let leftovers: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .filter_map(Result::ok)
        .filter(|e| e.file_name().to_string_lossy().ends_with(".tmp"))
        .collect();
    assert!(leftovers.is_empty(), "no temporary file left behind");
    std::fs::remove_dir_all(dir).ok();
}

#[test]
fn a_planted_link_is_not_followed_and_a_linked_target_is_written_through() {
    let dir = tempdir("links");
    let victim = dir.join("victim.txt");
    std::fs::write(&victim, "do not touch").unwrap();
    // Links planted on the names an older version used for its temporary file.
    for name in [
        format!(".policy.json.{}.tmp", std::process::id()),
        ".policy.json.tmp".to_owned(),
    ] {
        std::os::unix::fs::symlink(&victim, dir.join(name)).unwrap();
    }
    let target = dir.join("policy.json");
    save_atomic(&target, "new").unwrap();
    assert_eq!(std::fs::read_to_string(&victim).unwrap(), "do not touch");
    assert_eq!(std::fs::read_to_string(&target).unwrap(), "new");
    // A target that is a link: the file it points to is replaced, the link stays a link.
    let real = dir.join("real.json");
    std::fs::write(&real, "old").unwrap();
    let link = dir.join("link.json");
    std::os::unix::fs::symlink("real.json", &link).unwrap();
    save_atomic(&link, "through").unwrap();
    assert!(
        std::fs::symlink_metadata(&link)
            .unwrap()
            .file_type()
            .is_symlink()
    );
    assert_eq!(std::fs::read_to_string(&real).unwrap(), "through");
    std::fs::remove_dir_all(dir).ok();
}

#[test]
fn the_target_keeps_its_permissions() {
    let dir = tempdir("mode");
    let target = dir.join("secret.json");
    std::fs::write(&target, "old").unwrap();
    std::fs::set_permissions(&target, std::fs::Permissions::from_mode(0o600)).unwrap();
    save_atomic(&target, "new").unwrap();
    let mode = std::fs::metadata(&target).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o600);
    // A new file gets the usual permissions of a new file, not the temporary file's 0600.
    let fresh = dir.join("fresh.json");
    save_atomic(&fresh, "x").unwrap();
    assert_eq!(
        std::fs::metadata(&fresh).unwrap().permissions().mode() & 0o777,
        0o644
    );
    std::fs::remove_dir_all(dir).ok();
}

#[test]
fn a_read_only_directory_leaves_the_old_file_intact() {
    let dir = tempdir("readonly");
    let target = dir.join("policy.json");
    std::fs::write(&target, "old content").unwrap();
    std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o555)).unwrap();
    let result = save_atomic(&target, "new content");
    // Root ignores directory permissions; then the write succeeds and replaces the file whole.
    let privileged = std::fs::write(dir.join("probe"), "x").is_ok();
    if result.is_ok() {
        assert!(
            privileged,
            "an unprivileged write into a read-only directory cannot succeed"
        );
        assert_eq!(std::fs::read_to_string(&target).unwrap(), "new content");
    } else {
        assert!(!privileged);
        assert_eq!(std::fs::read_to_string(&target).unwrap(), "old content");
    }
    let leftovers: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .filter_map(Result::ok)
        .filter(|e| e.file_name().to_string_lossy().ends_with(".tmp"))
        .collect();
    assert!(leftovers.is_empty(), "no temporary file left behind");
    std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o755)).unwrap();
    std::fs::remove_dir_all(dir).ok();
}

/// The app promises never to send a policy anywhere: no HTTP or networking crate may enter
/// the dependency tree.
#[test]
fn no_networking_crate_in_the_dependency_tree() {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let out = Command::new(cargo)
        .args([
            "tree",
            "--offline",
            "-e",
            "normal",
            "--prefix",
            "none",
            "--format",
            "{p}",
        ])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let tree = String::from_utf8(out.stdout).unwrap();
    let crates: Vec<&str> = tree
        .lines()
        .filter_map(|l| l.split_whitespace().next())
        .collect();
    assert!(
        crates.contains(&"eframe"),
        "the tree was read: {} crates",
        crates.len()
    );
    let banned = [
        "reqwest",
        "hyper",
        "ureq",
        "curl",
        "isahc",
        "surf",
        "attohttpc",
        "h2",
        "rustls",
        "native-tls",
        "openssl",
        "tokio",
    ];
    let found: Vec<&&str> = crates.iter().filter(|c| banned.contains(c)).collect();
    assert!(
        found.is_empty(),
        "networking crates in the dependency tree: {found:?}"
    );
}
