//! Command-line interface: clap commands, one file per subcommand, table or JSON output.

mod alarms;
mod audit;
mod confirm;
mod demo;
mod deploy;
mod deploy_posture;
mod destroy;
mod envs;
mod local;
mod local_token;
mod logs;
mod metrics;
mod output;
mod promote;
mod rollout;
mod runtime_diff;
mod runtime_show;
mod runtimes;
mod smoke;
mod tools;
mod traffic;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

pub use output::OutputFormat;

use crate::config::Config;

/// Operations console for MCP servers on Amazon Bedrock AgentCore Runtime.
#[derive(Debug, Parser)]
#[command(name = "agentcore-console", version, about)]
pub struct Cli {
    /// Environments file [default: $AGENTCORE_CONSOLE_CONFIG, then
    /// $XDG_CONFIG_HOME/agentcore-console/environments.toml]
    #[arg(long, global = true, value_name = "PATH")]
    pub config: Option<PathBuf>,
    /// Environment to act on; repeat for several [default: all]
    #[arg(long = "env", global = true, value_name = "NAME")]
    pub envs: Vec<String>,
    /// Output format
    #[arg(long, global = true, value_enum, default_value_t = OutputFormat::Table, env = "AGENTCORE_CONSOLE_OUTPUT")]
    pub output: OutputFormat,
    /// What to do [default: `ui`]
    #[command(subcommand)]
    pub command: Option<Command>,
}

impl Cli {
    /// Whether this command line opens the TUI (which owns the terminal: no logs on stderr).
    pub fn opens_tui(&self) -> bool {
        match &self.command {
            None | Some(Command::Ui) => true,
            Some(Command::Demo(args)) => !args.no_ui,
            Some(_) => false,
        }
    }
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Open the console (the TUI) on the configured environments; the default
    Ui,
    /// List the configured environments: region, account, endpoint, protection
    Envs,
    /// Every runtime in every selected environment: status, latest version, endpoints
    Runtimes,
    /// One runtime
    Runtime {
        #[command(subcommand)]
        command: runtimes::RuntimeCommand,
    },
    /// Deploy a new version (from a directory, an image or S3), validate it, move an endpoint
    Deploy(Box<deploy::DeployArgs>),
    /// Deploy into --to exactly the artifact a --from version runs (SHA-256 verified, lineage
    /// recorded); optionally move an endpoint or start a rollout
    Promote(Box<promote::PromoteArgs>),
    /// Move an endpoint back to the version it served before (or --to-version N)
    Rollback(deploy::RollbackArgs),
    /// Point an endpoint (created if absent) at a version
    Point(deploy::PointArgs),
    /// Delete a runtime (or one endpoint): its gateway rule and targets, endpoints, standard
    /// alarms, finished rollout and, with --with-logs, its log groups
    Destroy(destroy::DestroyArgs),
    /// The canary split: stable/canary endpoints and the gateway's weights
    Traffic {
        #[command(subcommand)]
        command: traffic::TrafficCommand,
    },
    /// Gated rollouts: `start` a plan's steps and drive them in the foreground, `status`,
    /// `list`, `approve`, `pause`, `resume`, `abort`
    Rollout {
        #[command(subcommand)]
        command: rollout::RolloutCommand,
    },
    /// List a runtime's MCP tools
    Tools(tools::ToolsArgs),
    /// Call an MCP tool
    Invoke(tools::InvokeArgs),
    /// Run smoke checks (smoke.toml: tool calls with expectations, a health probe) against an
    /// endpoint; exit 5 when any fails
    Smoke(smoke::SmokeArgs),
    /// Runtime logs, several runtimes and environments interleaved by time
    Logs(logs::LogsArgs),
    /// Invocations, errors, throttles and latency per endpoint (CloudWatch)
    Metrics(metrics::MetricsArgs),
    /// Alarms that concern runtimes (ALARM first); `apply`/`delete` the standard alarms of a
    /// runtime, an alarm's `history`
    Alarms(alarms::AlarmsArgs),
    /// The audit log of changes made with this console
    Audit,
    /// Start the local AgentCore with dev, staging and prod seeded, live traffic and a
    /// canary, and open the console on them (--no-ui: serve headless)
    Demo(demo::DemoArgs),
    /// The local AgentCore (the embedded AWS-compatible server)
    Local {
        #[command(subcommand)]
        command: local::LocalCommand,
    },
}

/// An error for the user: a color-eyre report, so the chain of causes is kept (an SDK error's
/// service message under our "what failed"), printed on one line.
#[derive(Debug)]
pub struct CliError(color_eyre::Report);

impl<E: std::error::Error + Send + Sync + 'static> From<E> for CliError {
    fn from(e: E) -> Self {
        Self(color_eyre::Report::new(e))
    }
}

impl CliError {
    /// An error worded here, with no cause behind it.
    pub fn msg(text: impl std::fmt::Display) -> Self {
        Self(color_eyre::Report::msg(text.to_string()))
    }
}

/// The causes on one line, outermost first (`what failed: why: root cause`). A cause whose
/// text its parent already quotes (thiserror messages often end in `{source}`) is not repeated.
impl std::fmt::Display for CliError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let mut shown = String::new();
        for cause in self.0.chain() {
            let text = cause.to_string();
            if shown.contains(&text) {
                continue;
            }
            if !shown.is_empty() {
                shown.push_str(": ");
            }
            shown.push_str(&text);
        }
        f.write_str(&shown)
    }
}

/// What a command returns: success, or a failure already reported in its output.
pub enum Outcome {
    Ok,
    /// Output was printed but part of it failed (e.g. one environment unreachable).
    Partial(String),
    /// End with this exit code (DESIGN §8: 3 rolled back by a gate, 4 aborted, …) and, if
    /// any, a one-line cause on stderr.
    Exit(u8, Option<String>),
}

impl Outcome {
    /// Ok, or Partial naming the environments (of `total`) that could not be listed.
    pub fn listed<S: AsRef<str>>(failed: &[S], total: usize) -> Self {
        if failed.is_empty() {
            return Self::Ok;
        }
        let named: Vec<&str> = failed.iter().map(AsRef::as_ref).collect();
        Self::Partial(format!(
            "{} of {total} environments could not be listed: {}",
            failed.len(),
            named.join("; ")
        ))
    }
}

/// Run a parsed command line.
pub async fn run(cli: Cli) -> ExitCode {
    use std::io::Write as _;
    let result = dispatch(&cli).await;
    // With `--output json` stdout always holds a JSON document: the result, or this one.
    if cli.output == OutputFormat::Json && !output::printed() {
        let failed = match &result {
            Ok(Outcome::Ok) => None,
            Ok(Outcome::Partial(msg)) => Some((msg.clone(), 1)),
            Ok(Outcome::Exit(code, msg)) => {
                Some((msg.clone().unwrap_or_else(|| format!("exit {code}")), *code))
            }
            Err(e) => Some((e.to_string(), 1)),
        };
        if let Some((msg, code)) = failed {
            let _ = writeln!(std::io::stdout(), "{}", output::error_document(&msg, code));
        }
    }
    // Not `eprintln!`: after a hangup stderr is gone, and the exit must stay clean.
    match result {
        Ok(Outcome::Ok) => ExitCode::SUCCESS,
        Ok(Outcome::Partial(msg)) => {
            let _ = writeln!(
                std::io::stderr(),
                "agentcore-console: {}",
                crate::domain::sanitize::one_line(&msg)
            );
            ExitCode::FAILURE
        }
        Ok(Outcome::Exit(code, msg)) => {
            if let Some(msg) = msg {
                let _ = writeln!(
                    std::io::stderr(),
                    "agentcore-console: {}",
                    crate::domain::sanitize::one_line(&msg)
                );
            }
            ExitCode::from(code)
        }
        Err(e) => {
            let _ = writeln!(
                std::io::stderr(),
                "agentcore-console: error: {}",
                crate::domain::sanitize::one_line(&e.to_string())
            );
            ExitCode::FAILURE
        }
    }
}

async fn dispatch(cli: &Cli) -> Result<Outcome, CliError> {
    let Some(command) = &cli.command else {
        return ui(cli).await;
    };
    match command {
        Command::Ui => ui(cli).await,
        Command::Local { command } => local::run(command, cli).await,
        Command::Demo(args) => demo::run(args).await,
        Command::Envs => envs::run(&load(cli)?, cli),
        Command::Runtimes => runtimes::matrix(&load(cli)?, cli).await,
        Command::Runtime { command } => runtimes::run(&load(cli)?, cli, command).await,
        Command::Deploy(args) => deploy::deploy(&load(cli)?, cli, args).await,
        Command::Promote(args) => promote::run(&load(cli)?, cli, args).await,
        Command::Rollback(args) => deploy::rollback(&load(cli)?, cli, args).await,
        Command::Point(args) => deploy::point(&load(cli)?, cli, args).await,
        Command::Destroy(args) => destroy::run(&load(cli)?, cli, args).await,
        Command::Traffic { command } => traffic::run(&load(cli)?, cli, command).await,
        Command::Rollout { command } => rollout::run(&load(cli)?, cli, command).await,
        Command::Tools(args) => tools::tools(&load(cli)?, cli, args).await,
        Command::Invoke(args) => tools::invoke(&load(cli)?, cli, args).await,
        Command::Smoke(args) => smoke::run(&load(cli)?, cli, args).await,
        Command::Alarms(args) => alarms::run(&load(cli)?, cli, args).await,
        Command::Audit => audit::run(cli),
        Command::Logs(args) => logs::run(&load(cli)?, cli, args).await,
        Command::Metrics(args) => metrics::run(&load(cli)?, cli, args).await,
    }
}

async fn ui(cli: &Cli) -> Result<Outcome, CliError> {
    let config = load(cli)?;
    crate::tui::run(config.path, &cli.envs, None)
        .await
        .map_err(CliError::msg)?;
    Ok(Outcome::Ok)
}

fn load(cli: &Cli) -> Result<Config, CliError> {
    Ok(Config::discover(cli.config.as_deref())?)
}

#[cfg(test)]
mod tests {
    use super::CliError;

    #[derive(Debug, thiserror::Error)]
    enum Quoting {
        #[error("cannot read the state: {0}")]
        Quotes(#[source] std::io::Error),
        #[error("cannot read the state")]
        Hides(#[source] std::io::Error),
    }

    #[test]
    fn an_error_keeps_its_causes_on_one_line_without_repeating_them() {
        let io = || std::io::Error::other("disk on fire");
        let hides = CliError::from(Quoting::Hides(io()));
        assert_eq!(hides.to_string(), "cannot read the state: disk on fire");
        let quotes = CliError::from(Quoting::Quotes(io()));
        assert_eq!(quotes.to_string(), "cannot read the state: disk on fire");
        assert_eq!(
            CliError::msg("no such runtime").to_string(),
            "no such runtime"
        );
    }
}
