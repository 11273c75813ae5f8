//! `local serve`: run the local AgentCore on loopback until interrupted.

use std::future::Future;
use std::io::Write;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use clap::Subcommand;

use super::{CliError, Outcome};
use crate::emulator;

/// The port `local serve` uses by default (the example environments file points at it).
pub const DEFAULT_ADDR: &str = "127.0.0.1:4590";

#[derive(Debug, Subcommand)]
pub enum LocalCommand {
    /// Serve the AgentCore, S3 APIs on loopback; prints the endpoint URL as the first line
    Serve {
        /// Loopback address to listen on (port 0 picks a free one)
        #[arg(long, default_value = DEFAULT_ADDR)]
        addr: SocketAddr,
        /// Where state and artifacts persist [default: $XDG_DATA_HOME/agentcore-console/local]
        #[arg(long, value_name = "DIR")]
        state_dir: Option<PathBuf>,
        /// How long CREATING/UPDATING/DELETING last before they settle, in milliseconds
        #[arg(long, default_value_t = 500, value_name = "MS")]
        settle_ms: u64,
        /// Invocations per second each runtime endpoint takes before ThrottlingException, as
        /// AWS's quota (25) would [default: no limit]
        #[arg(long, value_name = "N")]
        invoke_tps: Option<u32>,
        /// A fault to inject, SERVICE:OPERATION:KIND[@RATE] (repeatable), e.g.
        /// 'logs:FilterLogEvents:throttle@0.5', '*:*:latency=2s',
        /// 'logs:StartLiveTail:drop-after=100'; more at run time via /_local/faults
        #[arg(long = "fault", value_name = "SPEC")]
        faults: Vec<emulator::FaultSpec>,
        /// Answer as AWS would under its quotas: 'aws' (AWS's published per-operation quotas,
        /// assumed latencies; see README) or a TOML file of the same shape
        #[arg(long, value_name = "aws|FILE", value_parser = emulator::ProfileSpec::load)]
        profile: Option<emulator::ProfileSpec>,
    },
    /// Print a signed access token from the local AgentCore's own OpenID issuer (only the
    /// token, on stdout: usable as an environment's token_command)
    Token(super::local_token::TokenArgs),
}

pub async fn run(cmd: &LocalCommand, cli: &super::Cli) -> Result<Outcome, CliError> {
    match cmd {
        LocalCommand::Token(args) => {
            super::local_token::run(args, cli.config.as_deref(), &cli.envs).await
        }
        LocalCommand::Serve {
            addr,
            state_dir,
            settle_ms,
            invoke_tps,
            faults,
            profile,
        } => {
            let stop = shutdown_signal();
            let state_dir = match state_dir {
                Some(d) => d.clone(),
                None => default_state_dir()?,
            };
            let listener = emulator::bind(*addr).await?;
            let url = emulator::endpoint_url(&listener)?;
            let mut opts = emulator::Options::new(state_dir.clone());
            opts.settle_delay = Duration::from_millis(*settle_ms);
            opts.invoke_tps = *invoke_tps;
            opts.faults.clone_from(faults);
            opts.profile.clone_from(profile);
            // The URL tells a script it can connect: only once the state dir is ours.
            let opened = emulator::open(opts).await?;
            {
                let mut out = std::io::stdout().lock();
                writeln!(out, "{url}")?;
                out.flush()?;
            }
            eprintln!(
                "local AgentCore on {url}, state in {}; Ctrl-C stops it",
                state_dir.display()
            );
            if let Some(p) = profile {
                announce(p);
            }
            opened.serve(listener, stop).await?;
            Ok(Outcome::Ok)
        }
    }
}

/// The profile in force, one line per rule, on stderr (also at `GET /_local/faults`).
pub(super) fn announce(spec: &emulator::ProfileSpec) {
    let profile = emulator::faults::profile::Profile::new(spec.clone());
    eprintln!("profile '{}':", profile.name());
    for line in profile.describe() {
        eprintln!("  {line}");
    }
}

fn default_state_dir() -> Result<PathBuf, CliError> {
    let base = std::env::var_os("XDG_DATA_HOME")
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".local/share")))
        .ok_or_else(|| CliError::msg("no HOME or XDG_DATA_HOME: pass --state-dir"))?;
    Ok(base.join("agentcore-console").join("local"))
}

/// Ctrl-C (SIGINT), SIGTERM or SIGHUP (the terminal closed, the ssh session dropped): each
/// ends the local AgentCore cleanly, stopping every server it runs. Left to their default
/// action they would kill the process and orphan the servers, so the handlers are installed
/// when this is called (first thing), not when the future is first polled.
pub(super) fn shutdown_signal() -> impl Future<Output = ()> + Send + 'static {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        let kinds = [
            SignalKind::interrupt(),
            SignalKind::terminate(),
            SignalKind::hangup(),
        ];
        let mut signals: Vec<_> = kinds
            .into_iter()
            .filter_map(|k| match signal(k) {
                Ok(s) => Some(s),
                Err(e) => {
                    tracing::warn!(signal = ?k, error = %e, "cannot handle the signal; it would end the process without stopping its servers");
                    None
                }
            })
            .collect();
        async move {
            if signals.is_empty() {
                return std::future::pending().await;
            }
            let waits = signals.iter_mut().map(|s| Box::pin(s.recv()));
            let _ = futures::future::select_all(waits).await;
        }
    }
    #[cfg(not(unix))]
    async {
        let _ = tokio::signal::ctrl_c().await;
    }
}
