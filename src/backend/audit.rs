//! The audit log: JSON lines, appended and fsync'd, one per mutation.

use std::io::Write;
use std::path::{Path, PathBuf};

use super::BackendError;
use crate::domain::audit::AuditEntry;

/// Overrides where the audit log (and other console state) lives.
pub const STATE_DIR_VAR: &str = "AGENTCORE_CONSOLE_STATE_DIR";

#[derive(Debug, Clone)]
pub struct AuditLog {
    path: PathBuf,
}

impl AuditLog {
    pub fn at(path: impl Into<PathBuf>) -> Self {
        Self { path: path.into() }
    }

    /// `$AGENTCORE_CONSOLE_STATE_DIR/audit.jsonl`, else the XDG state dir.
    pub fn default_location() -> Result<Self, BackendError> {
        let dir = std::env::var_os(STATE_DIR_VAR)
            .filter(|v| !v.is_empty())
            .map(PathBuf::from)
            .or_else(|| {
                std::env::var_os("XDG_STATE_HOME")
                    .filter(|v| !v.is_empty())
                    .map(|d| PathBuf::from(d).join("agentcore-console"))
            })
            .or_else(|| {
                std::env::var_os("HOME")
                    .map(|h| PathBuf::from(h).join(".local/state/agentcore-console"))
            })
            .ok_or_else(|| BackendError::Other(format!("no HOME: set {STATE_DIR_VAR}")))?;
        Ok(Self::at(dir.join("audit.jsonl")))
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Append one entry durably; a failure to audit is an error the caller must report. The
    /// log is created 0600 in a 0700 directory: it names users, identities and changes.
    pub fn append(&self, entry: &AuditEntry) -> Result<(), BackendError> {
        let io = |e: std::io::Error| {
            BackendError::Other(format!("audit log {}: {e}", self.path.display()))
        };
        if let Some(dir) = self.path.parent() {
            crate::private_fs::create_dir(dir).map_err(io)?;
        }
        let mut line = serde_json::to_vec(entry).map_err(|e| BackendError::Other(e.to_string()))?;
        line.push(b'\n');
        let mut f = crate::private_fs::open(&self.path, true).map_err(io)?;
        // A line cut short (a crash mid-write) must not swallow this one too.
        if ends_unterminated(&mut f).map_err(io)? {
            line.insert(0, b'\n');
        }
        f.write_all(&line).map_err(io)?;
        f.sync_data().map_err(io)
    }

    /// Record a write refused before it changed anything (result `refused: why`). Every
    /// write's refusals come here: the guard, the CLI's checks and confirmation, pre-checks.
    /// Failing to record one is only logged: nothing was changed, and the refusal stands.
    pub fn refuse(&self, actor: &Actor, write: &WriteRef<'_>, why: &str) {
        let entry = AuditEntry {
            time: now_rfc3339(),
            user: actor.user.clone(),
            identity: None,
            env: write.env.to_string(),
            action: write.action.to_string(),
            target: write.target.to_string(),
            before: serde_json::Value::Null,
            after: serde_json::Value::Null,
            result: format!("refused: {why}"),
            command: actor.command.clone(),
        };
        if let Err(e) = self.append(&entry) {
            tracing::warn!("the refusal of {} was not audited: {e}", write.action);
        }
    }

    /// Every readable entry, oldest first; a damaged line is skipped with a warning (logged).
    pub fn read(&self) -> Result<Vec<AuditEntry>, BackendError> {
        let read = self.read_all()?;
        if let Some(w) = read.warning(&self.path) {
            tracing::warn!("{w}");
        }
        Ok(read.entries)
    }

    /// Every readable entry, oldest first, and how many lines could not be read (a truncated
    /// line must not hide the rest of the trail).
    pub fn read_all(&self) -> Result<AuditRead, BackendError> {
        let text = match std::fs::read(&self.path) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(AuditRead::default()),
            Err(e) => {
                return Err(BackendError::Other(format!(
                    "audit log {}: {e}",
                    self.path.display()
                )));
            }
        };
        let mut read = AuditRead::default();
        for line in text.split(|b| *b == b'\n') {
            if line.iter().all(u8::is_ascii_whitespace) {
                continue;
            }
            match serde_json::from_slice(line) {
                Ok(e) => read.entries.push(e),
                Err(_) => read.skipped += 1,
            }
        }
        Ok(read)
    }
}

/// The audit log as read: its entries and the count of lines that could not be.
#[derive(Debug, Default)]
pub struct AuditRead {
    pub entries: Vec<AuditEntry>,
    pub skipped: usize,
}

impl AuditRead {
    /// `skipped 1 unreadable line in …/audit.jsonl`, when any was.
    pub fn warning(&self, path: &Path) -> Option<String> {
        (self.skipped > 0).then(|| {
            format!(
                "skipped {} unreadable line{} in {}",
                self.skipped,
                if self.skipped == 1 { "" } else { "s" },
                path.display()
            )
        })
    }
}

/// Which write an audit entry is about.
#[derive(Debug, Clone, Copy)]
pub struct WriteRef<'a> {
    pub env: &'a str,
    /// The action as its audit entries name it: `deploy`, `rollback`, `traffic.set`, …
    pub action: &'a str,
    pub target: &'a str,
}

/// Now, RFC 3339 UTC with milliseconds (fixed width), as audit entries are stamped.
pub fn now_rfc3339() -> String {
    crate::domain::timestamp::rfc3339_ms(time::OffsetDateTime::now_utc())
}

/// Whether a non-empty file's last byte is not a newline.
fn ends_unterminated(f: &mut std::fs::File) -> std::io::Result<bool> {
    use std::io::{Read, Seek, SeekFrom};
    if f.metadata()?.len() == 0 {
        return Ok(false);
    }
    f.seek(SeekFrom::End(-1))?;
    let mut last = [0u8; 1];
    f.read_exact(&mut last)?;
    Ok(last[0] != b'\n')
}

/// Who is acting, for audit entries.
#[derive(Debug, Clone)]
pub struct Actor {
    pub user: String,
    /// The equivalent command line.
    pub command: String,
}

impl Actor {
    pub fn new(command: String) -> Self {
        let user = ["USER", "LOGNAME", "USERNAME"]
            .iter()
            .find_map(|v| std::env::var(v).ok().filter(|u| !u.is_empty()))
            .or_else(|| {
                let out = std::process::Command::new("id").arg("-un").output().ok()?;
                let name = String::from_utf8(out.stdout).ok()?.trim().to_string();
                (!name.is_empty()).then_some(name)
            })
            .unwrap_or_else(|| "unknown".into());
        Self { user, command }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(action: &str) -> AuditEntry {
        AuditEntry {
            time: "2026-11-24T00:00:00Z".into(),
            user: "u".into(),
            identity: None,
            env: "dev".into(),
            action: action.into(),
            target: "rt".into(),
            before: serde_json::json!({"version": "1"}),
            after: serde_json::json!({"version": "2"}),
            result: "ok".into(),
            command: "agentcore-console deploy rt".into(),
        }
    }

    #[test]
    fn appends_and_reads_back_and_skips_damage_with_a_count() {
        let dir = tempfile::tempdir().expect("tempdir");
        let log = AuditLog::at(dir.path().join("sub/audit.jsonl"));
        assert!(log.read().expect("empty").is_empty());
        log.append(&entry("deploy")).expect("append");
        std::fs::OpenOptions::new()
            .append(true)
            .open(log.path())
            .and_then(|mut f| f.write_all(b"{broken\n\xff\xfe\n"))
            .expect("damage");
        log.append(&entry("rollback")).expect("append");
        let all = log.read_all().expect("read");
        assert_eq!(
            all.entries
                .iter()
                .map(|e| e.action.as_str())
                .collect::<Vec<_>>(),
            ["deploy", "rollback"]
        );
        assert_eq!(all.skipped, 2);
        let warning = all.warning(log.path()).expect("a warning");
        assert!(
            warning.starts_with("skipped 2 unreadable lines in "),
            "{warning}"
        );
        assert!(warning.ends_with("sub/audit.jsonl"), "{warning}");
    }

    #[test]
    fn a_truncated_last_line_does_not_swallow_the_next_entry() {
        let dir = tempfile::tempdir().expect("tempdir");
        let log = AuditLog::at(dir.path().join("audit.jsonl"));
        log.append(&entry("deploy")).expect("append");
        let text = std::fs::read(log.path()).expect("read");
        // A crash mid-write: the second entry cut short, no newline.
        let mut cut = text.clone();
        cut.extend_from_slice(&text[..text.len() / 2]);
        std::fs::write(log.path(), cut).expect("truncate");
        log.append(&entry("rollback")).expect("append");
        let all = log.read_all().expect("read");
        assert_eq!(
            all.entries
                .iter()
                .map(|e| e.action.as_str())
                .collect::<Vec<_>>(),
            ["deploy", "rollback"]
        );
        assert_eq!(all.skipped, 1);
    }

    #[test]
    fn the_log_is_0600_in_0700_directories_and_refusals_are_entries() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().expect("tempdir");
        let log = AuditLog::at(dir.path().join("state/console/audit.jsonl"));
        let actor = Actor {
            user: "u".into(),
            command: "agentcore-console --env prod deploy rt".into(),
        };
        let write = WriteRef {
            env: "prod",
            action: "deploy",
            target: "rt",
        };
        log.refuse(&actor, &write, "environment `prod` is read-only");
        let mode = |p: &Path| std::fs::metadata(p).expect("stat").permissions().mode() & 0o777;
        assert_eq!(mode(log.path()), 0o600);
        assert_eq!(mode(&dir.path().join("state/console")), 0o700);
        assert_eq!(mode(&dir.path().join("state")), 0o700);
        let e = &log.read().expect("read")[0];
        assert_eq!(
            (e.env.as_str(), e.action.as_str(), e.target.as_str()),
            ("prod", "deploy", "rt")
        );
        assert_eq!(e.result, "refused: environment `prod` is read-only");
    }
}
