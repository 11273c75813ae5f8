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
/// absent.
pub fn open(path: &Path, append: bool) -> std::io::Result<std::fs::File> {
    use std::os::unix::fs::OpenOptionsExt;
    std::fs::OpenOptions::new()
        .create(true)
        .read(true)
        .append(append)
        .write(!append)
        .truncate(!append)
        .mode(0o600)
        .open(path)
}
