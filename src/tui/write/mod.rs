//! Writes the TUI can make, described before they are made: the exact API calls (the confirm
//! modal shows them), the equivalent command line (the audit log records it), and the
//! environment whose protection applies. Add a variant here for each new kind of write, and
//! its execution in `io.rs`.

use crate::domain::audit::command_line;

mod traffic;
pub use traffic::{TrafficChange, TrafficOp};
mod deploy;
pub use deploy::DeployOp;
mod alarms;
pub use alarms::AlarmsOp;
mod rollout;
pub use rollout::{RolloutAction, RolloutOp};

/// A change to make in one environment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WriteOp {
    /// Point a named endpoint back at an earlier version (`rollback`).
    Rollback {
        env: String,
        runtime: String,
        runtime_id: String,
        endpoint: String,
        /// The version it serves now.
        from: String,
        /// The version it goes back to.
        to: String,
    },
    /// Point a named endpoint at a version, created if absent (`point`).
    Point {
        env: String,
        runtime: String,
        runtime_id: String,
        endpoint: String,
        /// The version it serves now; None for an endpoint to create.
        from: Option<String>,
        to: String,
    },
    /// Change a runtime's canary split (`traffic set|promote|abort`).
    Traffic(Box<TrafficOp>),
    /// A new version of a runtime (`deploy`); named endpoints stay where they are.
    Deploy(Box<DeployOp>),
    /// A runtime's standard alarms as planned (`alarms apply`).
    Alarms(Box<AlarmsOp>),
    /// A gated rollout: start, approve, pause, resume or abort (`rollout …`).
    Rollout(Box<RolloutOp>),
}

/// One line of a write's preview.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Call {
    /// True for the call that changes something; false for the reads and waits around it.
    pub write: bool,
    /// The operation (and, for reads, what it reads).
    pub text: String,
    /// The request's parameters, for a write: (name, value, what it is now).
    pub params: Vec<(&'static str, String, Option<String>)>,
}

impl WriteOp {
    /// A rollout driver (start, resume): it runs until the rollout ends, and quitting the
    /// console stops it (the rollout is left for `rollout resume`) instead of waiting.
    pub fn drives(&self) -> bool {
        matches!(self, Self::Rollout(r) if r.drives())
    }

    pub fn env(&self) -> &str {
        match self {
            Self::Rollback { env, .. } | Self::Point { env, .. } => env,
            Self::Traffic(t) => &t.env,
            Self::Deploy(d) => &d.env,
            Self::Alarms(a) => a.env(),
            Self::Rollout(r) => &r.env,
        }
    }

    /// The audit log's name for it.
    pub fn verb(&self) -> &'static str {
        match self {
            Self::Rollback { .. } => "rollback",
            Self::Point { .. } => "endpoint.point",
            Self::Traffic(t) => t.verb(),
            Self::Deploy(_) => "deploy",
            Self::Alarms(_) => "alarms.apply",
            Self::Rollout(r) => r.verb(),
        }
    }

    /// One line for titles and the status line.
    pub fn title(&self) -> String {
        match self {
            Self::Rollback {
                env,
                runtime,
                endpoint,
                from,
                to,
                ..
            } => format!("Roll back {runtime} endpoint {endpoint} in {env}: version {from} → {to}"),
            Self::Point {
                env,
                runtime,
                endpoint,
                from,
                to,
                ..
            } => match from {
                Some(from) => format!(
                    "Point {runtime} endpoint {endpoint} in {env} at version {to} (from {from})"
                ),
                None => format!("Create {runtime} endpoint {endpoint} in {env} on version {to}"),
            },
            Self::Traffic(t) => t.title(),
            Self::Deploy(d) => d.title(),
            Self::Alarms(a) => a.title(),
            Self::Rollout(r) => r.title(),
        }
    }

    /// The AWS API calls, in order, as the backend makes them.
    pub fn calls(&self) -> Vec<Call> {
        match self {
            Self::Rollback {
                runtime,
                runtime_id,
                endpoint,
                from,
                to,
                ..
            } => move_calls(runtime, runtime_id, endpoint, Some(from), to),
            Self::Point {
                runtime,
                runtime_id,
                endpoint,
                from,
                to,
                ..
            } => move_calls(runtime, runtime_id, endpoint, from.as_ref(), to),
            Self::Traffic(t) => t.calls(),
            Self::Deploy(d) => d.calls(),
            Self::Alarms(a) => a.calls(),
            Self::Rollout(r) => r.calls(),
        }
    }

    /// The CLI arguments that make the same change (after the global flags).
    fn cli_args(&self) -> Vec<String> {
        let args = |words: &[&str]| words.iter().map(|s| (*s).to_string()).collect();
        match self {
            Self::Rollback {
                env,
                runtime,
                endpoint,
                to,
                ..
            } => args(&[
                "--env",
                env,
                "rollback",
                runtime,
                "--endpoint",
                endpoint,
                "--to-version",
                to,
            ]),
            Self::Point {
                env,
                runtime,
                endpoint,
                to,
                ..
            } => args(&[
                "--env",
                env,
                "point",
                runtime,
                "--endpoint",
                endpoint,
                "--version",
                to,
            ]),
            Self::Traffic(t) => t.cli_args(),
            Self::Deploy(d) => d.cli_args(),
            Self::Alarms(a) => a.cli_args(),
            Self::Rollout(r) => r.cli_args(),
        }
    }

    /// The equivalent command line: `prefix` (program and `--config`), the arguments, `--arm`
    /// when the environment is protected, and `--yes` (the TUI confirmed it).
    pub fn command(&self, prefix: &[String], protected: bool) -> String {
        let mut args = prefix.to_vec();
        args.extend(self.cli_args());
        if protected {
            args.push("--arm".into());
        }
        args.push("--yes".into());
        command_line(&args)
    }
}

/// An endpoint move (rollback or point): what it reads, the one write (an update, or a create
/// for an endpoint that does not exist yet), and the wait.
fn move_calls(
    runtime: &str,
    runtime_id: &str,
    endpoint: &str,
    from: Option<&String>,
    to: &str,
) -> Vec<Call> {
    let (text, name_param) = match from {
        Some(_) => ("UpdateAgentRuntimeEndpoint", "endpointName"),
        None => ("CreateAgentRuntimeEndpoint", "name"),
    };
    vec![
        read(format!(
            "ListAgentRuntimes → {runtime}; GetAgentRuntimeEndpoint {endpoint}; ListAgentRuntimeVersions"
        )),
        Call {
            write: true,
            text: text.into(),
            params: vec![
                ("agentRuntimeId", runtime_id.to_string(), None),
                (name_param, endpoint.to_string(), None),
                ("agentRuntimeVersion", to.to_string(), from.cloned()),
            ],
        },
        read(format!(
            "GetAgentRuntimeEndpoint {endpoint} until READY on version {to} (up to 5 min)"
        )),
    ]
}

fn read(text: String) -> Call {
    Call {
        write: false,
        text,
        params: vec![],
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_rollback_names_its_calls_and_its_command() {
        let op = WriteOp::Rollback {
            env: "prod".into(),
            runtime: "weather_mcp".into(),
            runtime_id: "weather_mcp-AbC".into(),
            endpoint: "live".into(),
            from: "4".into(),
            to: "3".into(),
        };
        let writes: Vec<_> = op.calls().into_iter().filter(|c| c.write).collect();
        assert_eq!(writes.len(), 1);
        assert_eq!(
            writes[0].params.last(),
            Some(&(
                "agentRuntimeVersion",
                "3".to_string(),
                Some("4".to_string())
            ))
        );
        let prefix = vec![
            "agentcore-console".into(),
            "--config".into(),
            "/e s.toml".into(),
        ];
        assert_eq!(
            op.command(&prefix, true),
            "agentcore-console --config '/e s.toml' --env prod rollback weather_mcp --endpoint live --to-version 3 --arm --yes"
        );
    }

    #[test]
    fn a_point_creates_an_endpoint_that_does_not_exist() {
        let op = |from: Option<&str>| WriteOp::Point {
            env: "dev".into(),
            runtime: "weather_mcp".into(),
            runtime_id: "weather_mcp-AbC".into(),
            endpoint: "canary".into(),
            from: from.map(str::to_string),
            to: "5".into(),
        };
        let write = |op: &WriteOp| op.calls().into_iter().find(|c| c.write);
        let created = write(&op(None)).expect("a write");
        assert_eq!(created.text, "CreateAgentRuntimeEndpoint");
        assert_eq!(created.params[1], ("name", "canary".to_string(), None));
        let moved = write(&op(Some("4"))).expect("a write");
        assert_eq!(moved.text, "UpdateAgentRuntimeEndpoint");
        assert_eq!(
            moved.params[2],
            (
                "agentRuntimeVersion",
                "5".to_string(),
                Some("4".to_string())
            )
        );
        assert_eq!(op(None).verb(), "endpoint.point");
        assert!(
            op(None)
                .title()
                .starts_with("Create weather_mcp endpoint canary")
        );
        assert_eq!(
            op(Some("4")).command(&["acc".to_string()], false),
            "acc --env dev point weather_mcp --endpoint canary --version 5 --yes"
        );
    }
}
