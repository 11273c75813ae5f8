//! Calling runtimes with a JWT authorizer through the console's MCP client: bearer tokens from
//! `--bearer-token @FILE|env:VAR` or an environment's `token_command`, over the invocation URL,
//! against the local AgentCore's own issuer. A counting proxy in front of the local AgentCore
//! says how many calls a client made.

mod cli;
mod command;
mod rollout;
mod tui;

use std::path::{Path, PathBuf};
use std::sync::Arc;

use agentcore_console::backend::Clients;
use agentcore_console::domain::Environment;

use crate::emulator_auth::{discovery, jwt, runtime, token};
use crate::support::count_proxy::{self, Counts};
use crate::support::emulator::{self as support, Local};

pub const AUDIENCE: &str = "prod-api";
pub const REGION: &str = "us-east-1";
pub const BIN: &str = env!("CARGO_BIN_EXE_agentcore-console");

/// A local AgentCore with a JWT runtime `secure` (audience [`AUDIENCE`]) and an IAM runtime
/// `open`, both in us-east-1, and a counting proxy in front of it.
pub struct World {
    pub dir: tempfile::TempDir,
    pub local: Local,
    /// The proxy's URL: what the console is pointed at.
    pub url: String,
    pub counts: Arc<Counts>,
    /// The ARN of `secure`.
    pub secure: String,
}

pub async fn world() -> World {
    let dir = tempfile::tempdir().expect("tempdir");
    let local = support::start(&dir.path().join("local")).await;
    let c = support::clients(&local.url, REGION).await;
    let auth = jwt(&discovery(&local.url), &[AUDIENCE], &[]);
    let (secure, _open) =
        tokio::join!(runtime(&c, "secure", Some(auth)), runtime(&c, "open", None));
    let (url, counts) = count_proxy::start(&local.url).await;
    World {
        dir,
        local,
        url,
        counts,
        secure,
    }
}

impl World {
    /// A token for the `secure` runtime, valid for `secs`.
    pub async fn token(&self, secs: u64) -> String {
        token(
            &self.local.url,
            &format!(r#"{{"audience":"{AUDIENCE}","expires_in":{secs}}}"#),
        )
        .await
    }

    /// The `prod` environment on the proxy, with this token_command.
    pub fn env(&self, token_command: Option<&str>) -> Environment {
        Environment {
            token_command: token_command.map(str::to_string),
            ..support::env("prod", &self.url, REGION, None)
        }
    }

    pub async fn clients(&self, token_command: Option<&str>) -> Clients {
        Clients::build(&self.env(token_command)).await
    }

    /// An environments file with `prod` on the proxy (and this token_command).
    pub fn config(&self, token_command: Option<&str>) -> PathBuf {
        let path = self.dir.path().join("envs.toml");
        let mut text = format!(
            "[environments.prod]\nendpoint_url = \"{}\"\nregion = \"{REGION}\"\n",
            self.url
        );
        if let Some(cmd) = token_command {
            text.push_str(&format!("token_command = {}\n", toml_string(cmd)));
        }
        std::fs::write(&path, text).expect("config");
        path
    }

    /// A `token_command` that appends a line to `runs` per run, then prints a token from the
    /// local issuer valid for `expires` (the built binary's `local token`).
    pub fn minting_command(&self, name: &str, expires: &str) -> (String, PathBuf) {
        let runs = self.dir.path().join(format!("{name}.runs"));
        let script = self.dir.path().join(format!("{name}.sh"));
        std::fs::write(
            &script,
            format!(
                "echo run >> '{runs}'\nexec '{BIN}' local token --endpoint '{url}' --audience {AUDIENCE} --expires {expires}\n",
                runs = runs.display(),
                url = self.local.url,
            ),
        )
        .expect("script");
        (format!("sh '{}'", script.display()), runs)
    }
}

/// How many times a command that logs to `runs` ran.
pub fn runs(path: &Path) -> usize {
    std::fs::read_to_string(path)
        .map(|t| t.lines().count())
        .unwrap_or(0)
}

fn toml_string(s: &str) -> String {
    format!("\"{}\"", s.replace('\\', "\\\\").replace('"', "\\\""))
}

/// Whether `text` holds `token` or its signature (what makes it usable).
pub fn leaks(text: &str, token: &str) -> bool {
    let sig = token.rsplit('.').next().unwrap_or(token);
    text.contains(token) || (sig.len() > 16 && text.contains(sig))
}
