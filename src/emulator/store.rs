//! The state behind a lock, and its durable copy in `<state-dir>/state.json`.
//!
//! Every mutation is written (temp file, fsync, rename, fsync of the directory) before the
//! request that made it is answered, so an acknowledged change survives a crash or restart.
//!
//! The state dir holds what the servers' users sent (objects, variables, logs): directories
//! the local AgentCore creates there are 0700 and its files 0600 (the helpers below).

use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard};

use super::state::State;

const STATE_FILE: &str = "state.json";

pub struct Store {
    state: Mutex<State>,
    dir: PathBuf,
    /// Generation counter, bumped on every mutation; the writer skips stale snapshots.
    generation: Mutex<u64>,
    written: tokio::sync::Mutex<u64>,
    /// Set at shutdown: tasks still running then must not overwrite what a later server writes.
    closed: std::sync::atomic::AtomicBool,
    /// An exclusive lock on `<state-dir>/.lock`, held while serving: two servers on one state
    /// dir would overwrite each other's state.
    lock: Mutex<Option<std::fs::File>>,
}

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("{}: {source}", path.display())]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{}: another local AgentCore is serving this state dir", path.display())]
    Locked { path: PathBuf },
    #[error("{}: corrupt state ({source}); move it aside to start empty", path.display())]
    Corrupt {
        path: PathBuf,
        source: serde_json::Error,
    },
}

impl Store {
    /// Open (or create) the state dir and load what was persisted there.
    pub fn open(dir: &Path) -> Result<Self, StoreError> {
        let io = |path: &Path| {
            let path = path.to_path_buf();
            move |source| StoreError::Io { path, source }
        };
        crate::private_fs::create_dir(&dir.join("objects")).map_err(io(dir))?;
        let lock_path = dir.join(".lock");
        let lock = crate::private_fs::open(&lock_path, false).map_err(io(&lock_path))?;
        match lock.try_lock() {
            Ok(()) => {}
            Err(std::fs::TryLockError::WouldBlock) => {
                return Err(StoreError::Locked {
                    path: dir.to_path_buf(),
                });
            }
            Err(std::fs::TryLockError::Error(e)) => return Err(io(&lock_path)(e)),
        }
        let file = dir.join(STATE_FILE);
        let state = match std::fs::read(&file) {
            Ok(bytes) => serde_json::from_slice(&bytes).map_err(|source| StoreError::Corrupt {
                path: file.clone(),
                source,
            })?,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => State::default(),
            Err(e) => return Err(io(&file)(e)),
        };
        Ok(Self {
            state: Mutex::new(state),
            dir: dir.to_path_buf(),
            generation: Mutex::new(0),
            written: tokio::sync::Mutex::new(0),
            closed: std::sync::atomic::AtomicBool::new(false),
            lock: Mutex::new(Some(lock)),
        })
    }

    /// At shutdown: wait for a write in flight, refuse later ones, and release the state dir.
    pub async fn close(&self) {
        let _written = self.written.lock().await;
        self.closed.store(true, std::sync::atomic::Ordering::SeqCst);
        self.lock
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .take();
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Read-only access.
    pub fn read(&self) -> MutexGuard<'_, State> {
        self.state
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Change the state; call [`Store::persist`] before answering.
    pub fn write(&self) -> MutexGuard<'_, State> {
        self.read()
    }

    /// Write the current state durably. Concurrent callers coalesce: a snapshot older than one
    /// already on disk is not written again.
    pub async fn persist(&self) -> Result<(), StoreError> {
        let (gen_now, bytes) = {
            let state = self.read();
            let mut g = self
                .generation
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            *g += 1;
            (*g, serde_json::to_vec_pretty(&*state).unwrap_or_default())
        };
        let mut written = self.written.lock().await;
        if *written >= gen_now || self.closed.load(std::sync::atomic::Ordering::SeqCst) {
            return Ok(());
        }
        let dir = self.dir.clone();
        tokio::task::spawn_blocking(move || atomic_write(&dir, STATE_FILE, &bytes))
            .await
            .map_err(|e| StoreError::Io {
                path: self.dir.join(STATE_FILE),
                source: std::io::Error::other(e),
            })?
            .map_err(|source| StoreError::Io {
                path: self.dir.join(STATE_FILE),
                source,
            })?;
        *written = gen_now;
        Ok(())
    }
}

/// Write `dir/name` so that a reader sees either the old or the new content, never a mix.
/// The file is 0600 (the temp file's mode survives the rename).
pub fn atomic_write(dir: &Path, name: &str, bytes: &[u8]) -> std::io::Result<()> {
    let tmp = dir.join(format!(".{name}.tmp-{}", std::process::id()));
    {
        let mut f = crate::private_fs::open(&tmp, false)?;
        f.write_all(bytes)?;
        f.sync_all()?;
    }
    std::fs::rename(&tmp, dir.join(name))?;
    std::fs::File::open(dir)?.sync_all()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::emulator::state::{Bucket, partition_key};

    #[tokio::test]
    async fn the_state_dir_is_0700_and_its_files_0600_also_after_a_rewrite() {
        use std::os::unix::fs::PermissionsExt;
        let mode = |p: &Path| std::fs::metadata(p).expect("stat").permissions().mode() & 0o777;
        let root = tempfile::tempdir().expect("tempdir");
        let dir = root.path().join("local");
        let store = Store::open(&dir).expect("open");
        store.persist().await.expect("persist");
        store
            .write()
            .partitions
            .entry(partition_key("1", "r"))
            .or_default();
        store.persist().await.expect("rewrite");
        assert_eq!(mode(&dir), 0o700);
        assert_eq!(mode(&dir.join("objects")), 0o700);
        assert_eq!(mode(&dir.join(STATE_FILE)), 0o600);
        assert_eq!(mode(&dir.join(".lock")), 0o600);
    }

    #[tokio::test]
    async fn state_survives_reopen_and_corruption_is_reported() {
        let dir = tempfile::tempdir().expect("tempdir");
        let store = Store::open(dir.path()).expect("open");
        store.write().buckets.insert(
            "b".into(),
            Bucket {
                name: "b".into(),
                account: "1".into(),
                region: "us-west-2".into(),
                created_at: "t".into(),
                objects: Default::default(),
            },
        );
        store
            .write()
            .partitions
            .entry(partition_key("1", "r"))
            .or_default();
        store.persist().await.expect("persist");
        drop(store);
        let again = Store::open(dir.path()).expect("reopen");
        assert!(again.read().buckets.contains_key("b"));
        assert!(again.read().partitions.contains_key("1/r"));
        drop(again);
        std::fs::write(dir.path().join(STATE_FILE), b"{not json").expect("corrupt");
        let err = Store::open(dir.path())
            .err()
            .expect("corrupt state is an error");
        assert!(err.to_string().contains("state.json"), "{err}");
    }

    #[tokio::test]
    async fn one_server_per_state_dir_and_nothing_written_after_close() {
        let dir = tempfile::tempdir().expect("tempdir");
        let first = Store::open(dir.path()).expect("open");
        let err = Store::open(dir.path()).err().expect("second open refused");
        assert!(matches!(err, StoreError::Locked { .. }), "{err}");
        first.close().await;
        // A task of the stopped server that still holds it writes nothing...
        first
            .write()
            .partitions
            .entry(partition_key("1", "late"))
            .or_default();
        first
            .persist()
            .await
            .expect("persist after close is a no-op");
        // ...and the state dir is free for the next server.
        let second = Store::open(dir.path()).expect("open after close");
        assert!(!second.read().partitions.contains_key("1/late"));
    }
}
