//! Files only their user can read: the console's state, audit log and logs, and the local
//! AgentCore's state dir. A leaf beside the layers (it imports nothing of ours), because both
//! the backend and the emulator write such files and neither may import the other.

use std::path::Path;

/// `mkdir -p` with 0700 for every directory it creates.
pub fn create_dir(dir: &Path) -> std::io::Result<()> {
    use std::os::unix::fs::DirBuilderExt;
    std::fs::DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(dir)
}

/// Open `path` to append (`append`) or to write from empty, readable too, created 0600 if
/// absent; a file that already exists readable by others (made by an older version) is made
/// 0600 too.
pub fn open(path: &Path, append: bool) -> std::io::Result<std::fs::File> {
    use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
    let f = std::fs::OpenOptions::new()
        .create(true)
        .read(true)
        .append(append)
        .write(!append)
        .truncate(!append)
        .mode(0o600)
        .open(path)?;
    if f.metadata()?.permissions().mode() & 0o077 != 0 {
        f.set_permissions(std::fs::Permissions::from_mode(0o600))?;
    }
    Ok(f)
}

#[cfg(test)]
mod tests {
    use std::os::unix::fs::PermissionsExt;

    use super::*;

    #[test]
    fn files_are_private_whether_new_or_left_by_an_older_version() {
        let dir = tempfile::tempdir().expect("tempdir");
        let nested = dir.path().join("a/b");
        create_dir(&nested).expect("mkdir");
        let mode = |p: &Path| std::fs::metadata(p).expect("stat").permissions().mode() & 0o777;
        assert_eq!(mode(&nested), 0o700);
        let new = nested.join("new.log");
        drop(open(&new, true).expect("open"));
        assert_eq!(mode(&new), 0o600);
        let old = nested.join("old.log");
        std::fs::write(&old, "x").expect("write");
        std::fs::set_permissions(&old, std::fs::Permissions::from_mode(0o644)).expect("chmod");
        drop(open(&old, true).expect("open"));
        assert_eq!(mode(&old), 0o600);
    }
}
