//! Bearer tokens for runtimes with a JWT authorizer, which AWS serves only over HTTPS with
//! `Authorization: Bearer` (not through the SDK's SigV4).
//!
//! A token comes from `--bearer-token @FILE|env:VAR` (never a literal: it would land in shell
//! history and `ps`), or from the environment's `token_command`. It is cached with its `exp`
//! and fetched again 30 s before that, or once after the runtime answered 401: a command is run
//! again, a file read again. Never more than once per refusal: a source that keeps handing out
//! refused tokens gets an error, not a loop. Tokens are [`Secret`]s: no `Display`, `***` in
//! `Debug`, so no log line, error or audit entry can carry one.

mod command;
pub mod jwt;

use std::path::PathBuf;
use std::time::Duration;

use tokio::sync::Mutex;

use crate::domain::secret::Secret;
pub use command::{Minted, parse};

/// A cached token is renewed this long before its `exp`.
pub const EARLY: i64 = 30;
/// Longest a `token_command` may run.
pub const COMMAND_TIMEOUT: Duration = Duration::from_secs(30);

/// Where a token comes from; what errors name (never the token).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Origin {
    /// `--bearer-token @FILE`.
    File(PathBuf),
    /// `--bearer-token env:VAR`.
    Env(String),
    /// The environment's `token_command`.
    Command { env: String, command: String },
}

impl std::fmt::Display for Origin {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::File(p) => write!(f, "--bearer-token @{}", p.display()),
            Self::Env(v) => write!(f, "--bearer-token env:{v}"),
            Self::Command { env, .. } => write!(f, "the token_command of `{env}`"),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TokenError {
    #[error(
        "--bearer-token: {0} (give @FILE or env:VAR; a token on the command line would be \
         kept in shell history and shown by `ps`)"
    )]
    Flag(String),
    #[error("{origin}: {message}")]
    Source { origin: String, message: String },
}

/// One source of tokens and its cache, shared by every session that uses it.
pub struct TokenSource {
    origin: Origin,
    timeout: Duration,
    /// Held while a command runs, so concurrent sessions wait for one run instead of each
    /// starting their own.
    cache: Mutex<Option<Minted>>,
    runs: std::sync::atomic::AtomicUsize,
}

impl std::fmt::Debug for TokenSource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The origin as errors name it: a command line may embed a credential of its own.
        f.debug_struct("TokenSource")
            .field("origin", &self.origin.to_string())
            .finish_non_exhaustive()
    }
}

impl TokenSource {
    /// `--bearer-token`: `@FILE` or `env:VAR`, read now, so that a bad one fails before any
    /// call. A literal token is refused.
    pub fn from_flag(value: &str) -> Result<Self, TokenError> {
        let origin = if let Some(path) = value.strip_prefix('@') {
            if path.is_empty() {
                return Err(TokenError::Flag("`@` needs a file name".into()));
            }
            Origin::File(PathBuf::from(path))
        } else if let Some(var) = value.strip_prefix("env:") {
            if var.is_empty() {
                return Err(TokenError::Flag("`env:` needs a variable name".into()));
            }
            Origin::Env(var.to_string())
        } else {
            return Err(TokenError::Flag(
                "the value is neither @FILE nor env:VAR; a literal token is refused".into(),
            ));
        };
        let source = Self::new(origin);
        let first = source.read_fixed()?;
        *source.cache.try_lock().map_err(|_| source.fail("busy"))? = Some(first);
        Ok(source)
    }

    /// An environment's `token_command`; nothing runs until a token is needed.
    pub fn command(env: &str, command: &str) -> Self {
        Self::new(Origin::Command {
            env: env.to_string(),
            command: command.to_string(),
        })
    }

    fn new(origin: Origin) -> Self {
        Self {
            origin,
            timeout: COMMAND_TIMEOUT,
            cache: Mutex::new(None),
            runs: std::sync::atomic::AtomicUsize::new(0),
        }
    }

    /// Stop a `token_command` after `timeout` instead of [`COMMAND_TIMEOUT`].
    pub fn with_timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    pub fn origin(&self) -> &Origin {
        &self.origin
    }

    /// How many times the token was fetched (a command run, a file or variable read).
    pub fn fetches(&self) -> usize {
        self.runs.load(std::sync::atomic::Ordering::Relaxed)
    }

    /// A token that is not about to expire: the cached one, or a fresh one.
    pub async fn token(&self) -> Result<Minted, TokenError> {
        let mut cache = self.cache.lock().await;
        if let Some(m) = cache.as_ref()
            && fresh(m, now())
        {
            return Ok(m.clone());
        }
        let m = self.fetch().await?;
        *cache = Some(m.clone());
        Ok(m)
    }

    /// After the runtime refused `refused` (HTTP 401): another token to try once, or None
    /// when the source has nothing new (a variable does not change; a file or command that
    /// gives the same token again would only be refused again).
    pub async fn renew(&self, refused: &Secret) -> Result<Option<Minted>, TokenError> {
        if matches!(self.origin, Origin::Env(_)) {
            return Ok(None);
        }
        let mut cache = self.cache.lock().await;
        // Another session renewed it meanwhile: try that one.
        if let Some(m) = cache.as_ref()
            && &m.token != refused
        {
            return Ok(Some(m.clone()));
        }
        let m = self.fetch().await?;
        *cache = Some(m.clone());
        Ok((&m.token != refused).then_some(m))
    }

    async fn fetch(&self) -> Result<Minted, TokenError> {
        match &self.origin {
            Origin::Command { command, .. } => {
                self.runs.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                tracing::debug!(origin = %self.origin, "running token_command");
                command::run(command, self.timeout)
                    .await
                    .map_err(|m| self.fail(&format!("failed: {m}")))
            }
            _ => self.read_fixed(),
        }
    }

    /// Read a file or variable.
    fn read_fixed(&self) -> Result<Minted, TokenError> {
        self.runs.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let text = match &self.origin {
            Origin::File(p) => std::fs::read_to_string(p).map_err(|e| self.fail(&e.to_string()))?,
            Origin::Env(v) => std::env::var(v).map_err(|e| self.fail(&e.to_string()))?,
            Origin::Command { .. } => return Err(self.fail("not a file or variable")),
        };
        parse(&text).map_err(|m| self.fail(&m.replacen("it printed", "it holds", 1)))
    }

    fn fail(&self, message: &str) -> TokenError {
        TokenError::Source {
            origin: self.origin.to_string(),
            message: message.to_string(),
        }
    }
}

/// Good for at least [`EARLY`] more seconds (a token without a known expiry always is, until
/// a 401 says otherwise).
fn fresh(m: &Minted, now: i64) -> bool {
    m.exp.is_none_or(|exp| now + EARLY < exp)
}

pub(crate) fn now() -> i64 {
    time::OffsetDateTime::now_utc().unix_timestamp()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::backend::token::jwt::tests::token_with;

    fn jwt(exp: i64) -> String {
        token_with(&serde_json::json!({ "exp": exp, "sub": "t" }))
    }

    #[test]
    fn the_flag_takes_a_file_or_a_variable_never_a_literal() {
        let dir = tempfile::tempdir().expect("tempdir");
        let f = dir.path().join("tok");
        std::fs::write(&f, format!("{}\n", jwt(now() + 600))).expect("write");
        let s = TokenSource::from_flag(&format!("@{}", f.display())).expect("file");
        assert_eq!(s.origin(), &Origin::File(f.clone()));
        for (bad, needle) in [
            ("eyJhbGciOi.x.y", "literal token is refused"),
            ("@", "needs a file name"),
            ("env:", "needs a variable name"),
        ] {
            let e = TokenSource::from_flag(bad).expect_err(bad).to_string();
            assert!(e.contains(needle) && e.contains("shell history"), "{e}");
            assert!(
                !e.contains("eyJhbGciOi"),
                "the refused literal is not echoed: {e}"
            );
        }
        let e = TokenSource::from_flag("@/nonexistent/tok").expect_err("missing");
        assert!(
            e.to_string()
                .starts_with("--bearer-token @/nonexistent/tok: "),
            "{e}"
        );
        let e = TokenSource::from_flag("env:AGENTCORE_TEST_SURELY_UNSET_VAR").expect_err("unset");
        assert!(
            e.to_string()
                .contains("env:AGENTCORE_TEST_SURELY_UNSET_VAR"),
            "{e}"
        );
        std::fs::write(&f, "two words\n").expect("write");
        let e = TokenSource::from_flag(&format!("@{}", f.display())).expect_err("two words");
        assert!(e.to_string().contains("it holds more than a token"), "{e}");
        assert!(!e.to_string().contains("two words"), "{e}");
    }

    #[test]
    fn freshness_is_thirty_seconds_early() {
        let m = |exp| Minted {
            token: Secret::new("t"),
            exp,
        };
        assert!(fresh(&m(Some(1000)), 969));
        assert!(!fresh(&m(Some(1000)), 970));
        assert!(!fresh(&m(Some(1000)), 2000));
        assert!(fresh(&m(None), i64::MAX - 1));
    }

    /// A command that counts its runs in a file and prints a token expiring `ttl` from now.
    fn counting(dir: &std::path::Path, ttl: i64) -> (TokenSource, PathBuf) {
        let runs = dir.join("runs");
        let script = dir.join("mint.sh");
        // The token carries the run number, so each run prints a different one.
        std::fs::write(
            &script,
            format!(
                "echo x >> '{runs}'\nn=$(wc -l < '{runs}')\nprintf '{{\"access_token\":\"tok-%s\",\"expires_in\":{ttl}}}' \"$n\"\n",
                runs = runs.display()
            ),
        )
        .expect("script");
        (
            TokenSource::command("prod", &format!("sh '{}'", script.display())),
            runs,
        )
    }

    #[tokio::test]
    async fn a_command_is_cached_until_thirty_seconds_before_expiry() {
        let dir = tempfile::tempdir().expect("tempdir");
        let (s, _) = counting(dir.path(), 600);
        let a = s.token().await.expect("first");
        let b = s.token().await.expect("cached");
        assert_eq!((a.token.expose(), b.token.expose()), ("tok-1", "tok-1"));
        assert_eq!(s.fetches(), 1);
        // 20 s left is inside the 30 s margin: run again at every use.
        let (s, _) = counting(dir.path(), 20);
        assert_eq!(s.token().await.expect("1").token.expose(), "tok-2");
        assert_eq!(s.token().await.expect("2").token.expose(), "tok-3");
        assert_eq!(s.fetches(), 2);
    }

    #[tokio::test]
    async fn a_401_runs_the_command_once_more_never_in_a_loop() {
        let dir = tempfile::tempdir().expect("tempdir");
        let (s, _) = counting(dir.path(), 600);
        let first = s.token().await.expect("first");
        let renewed = s
            .renew(&first.token)
            .await
            .expect("renew")
            .expect("a new one");
        assert_eq!(renewed.token.expose(), "tok-2");
        // A session still holding the first token gets the renewed one without a run.
        let again = s.renew(&first.token).await.expect("renew").expect("cached");
        assert_eq!((again.token.expose(), s.fetches()), ("tok-2", 2));
        // A command that prints the same token again: nothing new to try.
        let same = TokenSource::command("prod", "echo same-token");
        let t = same.token().await.expect("token");
        assert!(same.renew(&t.token).await.expect("runs").is_none());
        assert_eq!(same.fetches(), 2);
    }

    #[tokio::test]
    async fn concurrent_sessions_share_one_run() {
        let dir = tempfile::tempdir().expect("tempdir");
        let (s, _) = counting(dir.path(), 600);
        let s = std::sync::Arc::new(s);
        let all = futures::future::join_all((0..8).map(|_| {
            let s = std::sync::Arc::clone(&s);
            async move { s.token().await.expect("token").token }
        }))
        .await;
        assert!(all.iter().all(|t| t.expose() == "tok-1"));
        assert_eq!(s.fetches(), 1);
    }

    #[tokio::test]
    async fn a_file_is_read_again_after_a_401_or_expiry_a_variable_is_not() {
        let dir = tempfile::tempdir().expect("tempdir");
        let f = dir.path().join("tok");
        std::fs::write(&f, "first-token").expect("write");
        let s = TokenSource::from_flag(&format!("@{}", f.display())).expect("file");
        let t = s.token().await.expect("token");
        assert!(
            s.renew(&t.token).await.expect("read").is_none(),
            "unchanged"
        );
        std::fs::write(&f, "second-token").expect("write");
        let n = s.renew(&t.token).await.expect("read").expect("changed");
        assert_eq!(n.token.expose(), "second-token");
        std::fs::write(&f, jwt(now() + 10)).expect("write");
        let n = s.renew(&n.token).await.expect("read").expect("changed");
        assert!(n.exp.is_some_and(|e| e <= now() + 10), "{:?}", n.exp);
        let before = s.fetches();
        s.token().await.expect("expiring: read again");
        assert_eq!(s.fetches(), before + 1);
    }

    #[test]
    fn debug_never_shows_a_token() {
        let s = TokenSource::command("prod", "echo x");
        *s.cache.try_lock().expect("free") = Some(Minted {
            token: Secret::new("hunter2-token"),
            exp: None,
        });
        let shown = format!("{s:?}");
        assert!(
            !shown.contains("hunter2") && shown.contains("prod"),
            "{shown}"
        );
    }
}
