//! One line of the audit log: who changed what, where, from what to what, and how it went.

use serde::{Deserialize, Serialize};
use serde_json::Value;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AuditEntry {
    /// RFC 3339, UTC.
    pub time: String,
    /// The OS user who ran the command.
    pub user: String,
    /// The AWS identity (caller ARN) where known.
    pub identity: Option<String>,
    pub env: String,
    /// `deploy`, `endpoint.move`, `rollback`, `traffic.set`, …
    pub action: String,
    /// The runtime (name or id) acted on.
    pub target: String,
    pub before: Value,
    pub after: Value,
    /// `ok`, or `error: …`.
    pub result: String,
    /// The equivalent command line.
    pub command: String,
}

/// Quote a command line so it can be pasted into a POSIX shell.
pub fn shell_line(args: &[String]) -> String {
    args.iter()
        .map(|a| {
            let plain = !a.is_empty()
                && a.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b"-_./:=@,+%".contains(&b));
            if plain {
                a.clone()
            } else {
                format!("'{}'", a.replace('\'', r"'\''"))
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quotes_only_what_needs_it() {
        let line = shell_line(&[
            "deploy".into(),
            "--args".into(),
            r#"{"a": 1}"#.into(),
            "it's".into(),
        ]);
        assert_eq!(line, r#"deploy --args '{"a": 1}' 'it'\''s'"#);
    }
}
