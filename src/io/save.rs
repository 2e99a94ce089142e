//! Writing files without losing data: a temporary file with a random name is created beside
//! the target (exclusively, so nothing planted there is followed), written and flushed to
//! disk, given the target's permissions, then renamed over the target, and the folder is
//! flushed too. A failed write leaves the old file as it was. A target that is a symbolic
//! link is written through: the file it points to is replaced, the link stays.

use std::io::Write as _;
use std::path::{Path, PathBuf};

/// Writes `text` to `path` atomically.
pub fn save_atomic(path: &Path, text: &str) -> std::io::Result<()> {
    let target = real_target(path)?;
    let dir = target
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or_else(|| Path::new("."));
    let mut tmp = tempfile::Builder::new()
        .prefix(".asg-perms-")
        .suffix(".tmp")
        .tempfile_in(dir)?;
    tmp.write_all(text.as_bytes())?;
    tmp.as_file().sync_all()?;
    match std::fs::metadata(&target) {
        Ok(meta) => tmp.as_file().set_permissions(meta.permissions())?,
        // A new file: readable by others, as files an editor saves are (the temporary file
        // itself is created private).
        Err(_) => new_file_permissions(tmp.as_file())?,
    }
    // On failure the temporary file is removed when `tmp` is dropped.
    tmp.persist(&target).map_err(|e| e.error)?;
    sync_dir(dir);
    Ok(())
}

/// The file a path names: itself, or where a symbolic link at it points.
fn real_target(path: &Path) -> std::io::Result<PathBuf> {
    match std::fs::symlink_metadata(path) {
        Ok(m) if m.file_type().is_symlink() => {
            let link = std::fs::read_link(path)?;
            Ok(match path.parent() {
                Some(parent) if link.is_relative() => parent.join(link),
                _ => link,
            })
        }
        _ => Ok(path.to_path_buf()),
    }
}

#[cfg(unix)]
fn new_file_permissions(f: &std::fs::File) -> std::io::Result<()> {
    use std::os::unix::fs::PermissionsExt as _;
    f.set_permissions(std::fs::Permissions::from_mode(0o644))
}

#[cfg(not(unix))]
fn new_file_permissions(_: &std::fs::File) -> std::io::Result<()> {
    Ok(())
}

/// Flushes the folder entry of the rename (where the platform supports it).
fn sync_dir(dir: &Path) {
    #[cfg(unix)]
    if let Ok(d) = std::fs::File::open(dir) {
        d.sync_all().ok();
    }
    #[cfg(not(unix))]
    let _ = dir;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writes_and_replaces() {
        let dir = std::env::temp_dir().join(format!("asg-perms-save-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let p = dir.join("out.json");
        save_atomic(&p, "one").unwrap();
        save_atomic(&p, "two").unwrap();
        assert_eq!(std::fs::read_to_string(&p).unwrap(), "two");
        let leftovers = std::fs::read_dir(&dir).unwrap().count();
        assert_eq!(leftovers, 1, "no temporary file left behind");
        std::fs::remove_dir_all(dir).ok();
    }
}
