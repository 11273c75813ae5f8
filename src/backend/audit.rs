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

    /// Append one entry durably; a failure to audit is an error the caller must report.
    pub fn append(&self, entry: &AuditEntry) -> Result<(), BackendError> {
        let io = |e: std::io::Error| {
            BackendError::Other(format!("audit log {}: {e}", self.path.display()))
        };
        if let Some(dir) = self.path.parent() {
            std::fs::create_dir_all(dir).map_err(io)?;
        }
        let mut line = serde_json::to_vec(entry).map_err(|e| BackendError::Other(e.to_string()))?;
        line.push(b'\n');
        let mut f = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&self.path)
            .map_err(io)?;
        f.write_all(&line).map_err(io)?;
        f.sync_data().map_err(io)
    }

    /// Every entry, oldest first. A line that does not parse is reported, not skipped.
    pub fn read(&self) -> Result<Vec<AuditEntry>, BackendError> {
        let text = match std::fs::read_to_string(&self.path) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(vec![]),
            Err(e) => {
                return Err(BackendError::Other(format!(
                    "audit log {}: {e}",
                    self.path.display()
                )));
            }
        };
        text.lines()
            .enumerate()
            .filter(|(_, l)| !l.trim().is_empty())
            .map(|(i, l)| {
                serde_json::from_str(l).map_err(|e| {
                    BackendError::Other(format!("audit log {}:{}: {e}", self.path.display(), i + 1))
                })
            })
            .collect()
    }
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
    fn appends_and_reads_back_and_reports_damage() {
        let dir = tempfile::tempdir().expect("tempdir");
        let log = AuditLog::at(dir.path().join("sub/audit.jsonl"));
        assert!(log.read().expect("empty").is_empty());
        log.append(&entry("deploy")).expect("append");
        log.append(&entry("rollback")).expect("append");
        let all = log.read().expect("read");
        assert_eq!(
            all.iter().map(|e| e.action.as_str()).collect::<Vec<_>>(),
            ["deploy", "rollback"]
        );
        std::fs::OpenOptions::new()
            .append(true)
            .open(log.path())
            .and_then(|mut f| f.write_all(b"{broken\n"))
            .expect("damage");
        let err = log.read().expect_err("damaged line");
        assert!(err.to_string().contains(":3:"), "{err}");
    }
}
