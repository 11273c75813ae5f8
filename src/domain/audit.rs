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
    /// `ok`, `refused: …` (nothing was changed) or `error: …`.
    pub result: String,
    /// The equivalent command line.
    pub command: String,
}

/// The flags whose value is `KEY=VALUE` with a secret VALUE.
const SECRET_FLAGS: &[&str] = &["--env-var"];

/// The command line to show or audit for `args`: every `--env-var K=V` becomes `K=***`, then
/// quoted for a POSIX shell. Every displayed or audited command line is built here, so a
/// value never reaches the audit log, the screen or a log file.
pub fn command_line(args: &[String]) -> String {
    let mut out = Vec::with_capacity(args.len());
    let mut secret_next = false;
    for a in args {
        let redacted = if secret_next {
            redact_kv(a)
        } else if let Some((flag, kv)) = a.split_once('=')
            && SECRET_FLAGS.contains(&flag)
        {
            format!("{flag}={}", redact_kv(kv))
        } else {
            a.clone()
        };
        secret_next = SECRET_FLAGS.contains(&a.as_str());
        out.push(redacted);
    }
    shell_line(&out)
}

/// `K=V` → `K=***` (a word without `=` is all value).
fn redact_kv(kv: &str) -> String {
    match kv.split_once('=') {
        Some((k, _)) => format!("{k}={}", super::secret::REDACTED),
        None => super::secret::REDACTED.to_string(),
    }
}

/// Quote a command line so it can be pasted into a POSIX shell. Shown or audited command
/// lines go through [`command_line`].
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

    #[test]
    fn command_lines_never_carry_env_var_values() {
        let args: Vec<String> = [
            "deploy",
            "--env-var",
            "API_TOKEN=hunter2",
            "--env-var=DB=postgres://u:pw@h",
            "--env-var",
            "NOEQUALS",
            "--description",
            "A=b",
        ]
        .map(String::from)
        .to_vec();
        assert_eq!(
            command_line(&args),
            "deploy --env-var 'API_TOKEN=***' '--env-var=DB=***' --env-var '***' --description A=b"
        );
    }
}
