//! The posture the demo's environments file gives each environment, as the seed architecture
//! describes it: dev public with IAM and a week of logs; staging IAM with a month; prod in a
//! VPC, OAuth required (a JWT authorizer on the local AgentCore's own issuer) and 90 days of
//! logs, with a `token_command` that asks that issuer, so the console calls prod's runtimes the
//! way it would on AWS. Deploys apply it (`[environments.NAME.runtime]`).

use std::net::SocketAddr;
use std::path::Path;

use tokio::net::TcpListener;

use crate::cli::CliError;
use crate::domain::audit::shell_line;
use crate::emulator;

/// Where the demo keeps the address it served on.
const ADDR_FILE: &str = "demo-addr";

/// The audience prod's runtimes accept, and the demo's tokens carry.
pub const PROD_AUDIENCE: &str = "agentcore-console-demo";

/// `token_command = "…"` for `env` (prod only): this executable's `local token`.
pub fn token_command_toml(env: &str, url: &str) -> Option<String> {
    if env != "prod" {
        return None;
    }
    let exe = std::env::current_exe()
        .map(|p| p.display().to_string())
        .unwrap_or_else(|_| "agentcore-console".into());
    let line = shell_line(&[
        exe,
        "local".into(),
        "token".into(),
        "--endpoint".into(),
        url.into(),
        "--audience".into(),
        PROD_AUDIENCE.into(),
    ]);
    Some(format!(
        "# Bearer tokens for prod's JWT runtimes, from the local AgentCore's issuer.\n\
         token_command = {}\n",
        toml::Value::String(line)
    ))
}

/// `[environments.NAME.runtime]` for `env`.
pub fn runtime_toml(env: &str, url: &str) -> Option<String> {
    let body = match env {
        "dev" => "network = \"public\"\nauth = \"iam\"\nlog_retention_days = 7\n".to_string(),
        "staging" => "network = \"public\"\nauth = \"iam\"\nlog_retention_days = 30\n".to_string(),
        "prod" => format!(
            "# VPC settings are validated and kept; the local AgentCore has no network to isolate.\n\
             network = \"vpc\"\n\
             subnets = [\"subnet-0a1b2c3d4e5f60718\", \"subnet-0f1e2d3c4b5a69780\"]\n\
             security_groups = [\"sg-0123456789abcdef0\"]\n\
             auth = \"jwt\"\n\
             discovery_url = {}\n\
             allowed_audiences = [\"{PROD_AUDIENCE}\"]\n\
             log_retention_days = 90\n",
            toml::Value::String(format!(
                "{url}/_local/oidc/.well-known/openid-configuration"
            ))
        ),
        _ => return None,
    };
    Some(format!("\n[environments.{env}.runtime]\n{body}"))
}

/// Bind the address the demo served on last time, when its state dir has one, so that the
/// issuer URL baked into prod's runtimes (and the environments file) still points here after
/// a restart; a free port otherwise (and said so when the old one is taken).
pub async fn bind_remembered(dir: &Path) -> Result<TcpListener, CliError> {
    let file = dir.join(ADDR_FILE);
    let last: Option<SocketAddr> = std::fs::read_to_string(&file)
        .ok()
        .and_then(|t| t.trim().parse().ok())
        .filter(|a: &SocketAddr| a.ip().is_loopback());
    let listener = match last {
        Some(addr) => match emulator::bind(addr).await {
            Ok(l) => l,
            Err(e) => {
                say!(
                    "{addr} (where this state dir was served) is not available ({e}): prod's \
                     runtimes verify tokens at an issuer URL on that port, so calls to them fail \
                     until they are deployed again"
                );
                emulator::bind(([127, 0, 0, 1], 0).into()).await?
            }
        },
        None => emulator::bind(([127, 0, 0, 1], 0).into()).await?,
    };
    let addr = listener.local_addr()?;
    std::fs::write(&file, addr.to_string())
        .map_err(|e| CliError::msg(format!("{}: {e}", file.display())))?;
    Ok(listener)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_restart_binds_the_same_address_when_it_is_free() {
        let dir = tempfile::tempdir().expect("tempdir");
        let first = bind_remembered(dir.path()).await.expect("bind");
        let addr = first.local_addr().expect("addr");
        // Taken: another port, and the file follows.
        let second = bind_remembered(dir.path()).await.expect("bind");
        let moved = second.local_addr().expect("addr");
        assert_ne!(moved, addr);
        drop((first, second));
        let third = bind_remembered(dir.path()).await.expect("bind");
        assert_eq!(third.local_addr().expect("addr"), moved);
    }
}
