//! Running an environment's `token_command`, as kubectl runs an exec credential plugin: `sh -c`,
//! no stdin, a time limit, its trimmed stdout is the token (or a JSON object with
//! `access_token`). When it fails, its stderr says why; stderr is sanitised and stripped of
//! anything like a token before it reaches an error message.

use std::process::Stdio;
use std::time::Duration;

use serde_json::Value;

use super::jwt;
use crate::domain::sanitize;
use crate::domain::secret::Secret;

/// How much of a failing command's stderr an error quotes.
const STDERR_QUOTE: usize = 400;

/// A token as a source printed it, with its expiry when known.
#[derive(Debug, Clone)]
pub struct Minted {
    pub token: Secret,
    /// Unix seconds.
    pub exp: Option<i64>,
}

/// Run `command` and read the token it prints. `Err` is a sentence without the token.
pub async fn run(command: &str, timeout: Duration) -> Result<Minted, String> {
    let mut cmd = tokio::process::Command::new("sh");
    cmd.arg("-c")
        .arg(command)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true)
        // Its own process group, so that a timeout stops what it started too.
        .process_group(0);
    let child = cmd.spawn().map_err(|e| format!("cannot start `sh`: {e}"))?;
    let pid = child.id();
    let out = match tokio::time::timeout(timeout, child.wait_with_output()).await {
        Ok(out) => out.map_err(|e| format!("cannot read its output: {e}"))?,
        Err(_) => {
            if let Some(pid) = pid.and_then(|p| i32::try_from(p).ok()) {
                let _ = nix::sys::signal::killpg(
                    nix::unistd::Pid::from_raw(pid),
                    nix::sys::signal::Signal::SIGKILL,
                );
            }
            return Err(format!(
                "it did not finish within {}s (it was stopped)",
                timeout.as_secs()
            ));
        }
    };
    let stdout = String::from_utf8_lossy(&out.stdout);
    if !out.status.success() {
        let status = out.status.code().map_or_else(
            || "it was killed by a signal".into(),
            |c| format!("exit status {c}"),
        );
        return Err(match quote_stderr(&out.stderr, &stdout) {
            Some(err) => format!("{status}: {err}"),
            None => format!("{status}, nothing on stderr"),
        });
    }
    parse(&stdout).map_err(|e| match quote_stderr(&out.stderr, &stdout) {
        Some(err) => format!("{e} (stderr: {err})"),
        None => e,
    })
}

/// The token in a command's (or a file's) text: the trimmed text, or a JSON object's
/// `access_token` (its `expires_in`, seconds, applies when the token is not a JWT).
pub fn parse(text: &str) -> Result<Minted, String> {
    let text = text.trim();
    if text.is_empty() {
        return Err("it printed no token".into());
    }
    let (token, expires_in) = if text.starts_with('{') {
        let v: Value = serde_json::from_str(text)
            .map_err(|e| format!("it printed a JSON object that does not parse ({e})"))?;
        let Some(t) = v.get("access_token").and_then(Value::as_str) else {
            return Err("it printed a JSON object without a string `access_token`".into());
        };
        (
            t.trim().to_string(),
            v.get("expires_in").and_then(Value::as_i64),
        )
    } else {
        (text.to_string(), None)
    };
    if token.is_empty() {
        return Err("it printed an empty token".into());
    }
    // A header value: visible ASCII, no spaces (which would also mean several words or lines).
    if !token.bytes().all(|b| b.is_ascii_graphic()) {
        return Err(
            "it printed more than a token (spaces, line breaks or non-ASCII characters): \
             print only the token, or a JSON object with `access_token`"
                .into(),
        );
    }
    let exp = jwt::expiry(&token).or_else(|| expires_in.map(|s| super::now() + s));
    Ok(Minted {
        token: Secret::new(token),
        exp,
    })
}

/// The end of a failing command's stderr, on one line, sanitised, without a token in it
/// (neither what it printed on stdout nor anything shaped like a JWT).
fn quote_stderr(stderr: &[u8], stdout: &str) -> Option<String> {
    let mut text = String::from_utf8_lossy(stderr).into_owned();
    for word in stdout.split_whitespace().filter(|w| w.len() >= 8) {
        text = text.replace(word, crate::domain::secret::REDACTED);
    }
    let text = sanitize::one_line(jwt::redact(&text).trim());
    let text = text.trim();
    if text.is_empty() {
        return None;
    }
    let count = text.chars().count();
    Some(if count > STDERR_QUOTE {
        let tail: String = text.chars().skip(count - STDERR_QUOTE).collect();
        format!("…{tail}")
    } else {
        text.to_string()
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::backend::token::jwt::tests::token_with;

    const T: Duration = Duration::from_secs(10);

    #[tokio::test]
    async fn stdout_trimmed_is_the_token() {
        let m = run("printf '  abc.def-123  \\n'", T).await.expect("runs");
        assert_eq!(m.token.expose(), "abc.def-123");
        assert_eq!(m.exp, None);
    }

    #[tokio::test]
    async fn a_json_object_gives_access_token_and_expiry() {
        let jwt = token_with(&serde_json::json!({"exp": 2_000_000_000}));
        let m = run(
            &format!("echo '{{\"access_token\":\"{jwt}\",\"expires_in\":5}}'"),
            T,
        )
        .await
        .expect("runs");
        assert_eq!(
            (m.token.expose(), m.exp),
            (jwt.as_str(), Some(2_000_000_000))
        );
        let m = parse(r#"{"access_token":"opaque","expires_in":60}"#).expect("parses");
        let exp = m.exp.expect("from expires_in");
        assert!((exp - super::super::now() - 60).abs() <= 1, "{exp}");
        for bad in [
            r#"{"token":"x"}"#,
            r#"{"access_token":5}"#,
            "{nope",
            "two words",
            "",
            "  \n",
        ] {
            let e = parse(bad).expect_err(bad);
            assert!(!e.is_empty());
        }
    }

    #[tokio::test]
    async fn a_failure_quotes_stderr_without_the_token() {
        let jwt = token_with(&serde_json::json!({"exp": 1}));
        let e = run(
            &format!("echo secret-stdout-token; echo \"cannot refresh {jwt}: \x1b[31mexpired\" >&2; echo secret-stdout-token >&2; exit 3"),
            T,
        )
        .await
        .expect_err("fails");
        assert!(e.starts_with("exit status 3: cannot refresh ***: "), "{e}");
        assert!(e.contains("expired"), "{e}");
        assert!(
            !e.contains(&jwt) && !e.contains("secret-stdout-token"),
            "{e}"
        );
        assert!(!e.contains('\x1b'), "sanitised: {e:?}");
        let e = run("exit 1", T).await.expect_err("fails");
        assert_eq!(e, "exit status 1, nothing on stderr");
        let e = run("echo 'not a token' ; echo 'bad config' >&2", T)
            .await
            .expect_err("two words");
        assert!(
            e.contains("more than a token") && e.contains("bad config"),
            "{e}"
        );
        assert!(!e.contains("not a token"), "{e}");
    }

    #[tokio::test]
    async fn a_hung_command_is_stopped() {
        let started = std::time::Instant::now();
        let e = run("sleep 30", Duration::from_millis(300))
            .await
            .expect_err("times out");
        assert!(e.contains("did not finish"), "{e}");
        assert!(started.elapsed() < Duration::from_secs(5));
    }
}
