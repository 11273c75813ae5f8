//! The rollout writes (`rollout start|approve|pause|resume|abort`), described before they are
//! made. A start's calls are the backend's own preview (read first by an io job); the others
//! are one conditional write of the shared state object, plus abort's traffic moves.

use super::{Call, read};
use crate::backend::rollout::store;
use crate::domain::rollout::Plan;
use crate::domain::sanitize::one_line;

/// What to do to a runtime's rollout.
#[derive(Debug, Clone, PartialEq)]
pub enum RolloutAction {
    /// Start a rollout of `canary_version` on `plan` and drive it from this console.
    Start {
        canary_version: String,
        plan: Box<Plan>,
        /// The backend's preview, in order (the state object, the gates' metric filters, the traffic).
        calls: Vec<String>,
        /// What the stable endpoint serves now: where traffic goes back to.
        stable_version: Option<String>,
        /// What the canary endpoint serves now: put back on rollback.
        canary_from: Option<String>,
    },
    /// Approve the approval step the rollout waits at.
    Approve,
    /// Stop evaluating and keep the weight.
    Pause,
    /// Continue; a stalled rollout is taken over and driven from this console.
    Resume,
    /// 100% to stable, the canary endpoint back, recorded at once (no lease needed).
    Abort,
}

/// A rollout write in one environment, with what the pane showed when it was asked.
#[derive(Debug, Clone, PartialEq)]
pub struct RolloutOp {
    pub env: String,
    pub runtime: String,
    pub action: RolloutAction,
    /// The state shown when asked (`running`, `stalled`…), for the title.
    pub state_now: String,
    /// The canary endpoint's version before the rollout (abort puts it back).
    pub previous_canary: Option<String>,
}

// Plans hold thresholds (f64), none NaN: plan validation refuses them.
impl Eq for RolloutOp {}

impl RolloutOp {
    /// Whether this write runs a driver (start, resume): a background task of the TUI that
    /// lasts until the rollout ends or the console quits.
    pub fn drives(&self) -> bool {
        matches!(
            self.action,
            RolloutAction::Start { .. } | RolloutAction::Resume
        )
    }

    pub fn verb(&self) -> &'static str {
        match self.action {
            RolloutAction::Start { .. } => "rollout.start",
            RolloutAction::Approve => "rollout.approve",
            RolloutAction::Pause => "rollout.pause",
            RolloutAction::Resume => "rollout.resume",
            RolloutAction::Abort => "rollout.abort",
        }
    }

    pub fn title(&self) -> String {
        let (rt, env, now) = (&self.runtime, &self.env, &self.state_now);
        match &self.action {
            RolloutAction::Start {
                canary_version,
                plan,
                ..
            } => format!(
                "Start a rollout of {rt} v{canary_version} in {env} on plan {} ({} steps), driven here",
                plan.name,
                plan.steps.len()
            ),
            RolloutAction::Approve => format!("Approve the rollout of {rt} in {env} (now {now})"),
            RolloutAction::Pause => format!("Pause the rollout of {rt} in {env} (now {now})"),
            RolloutAction::Resume => {
                format!("Resume the rollout of {rt} in {env} (now {now}), driven here")
            }
            RolloutAction::Abort => format!(
                "Abort the rollout of {rt} in {env} (now {now}): 100% of new sessions to stable"
            ),
        }
    }

    /// The calls, in the backend's order.
    pub fn calls(&self) -> Vec<Call> {
        let key = store::key(&self.runtime);
        let get = read(format!("GetObject {key} (the rollout and its ETag)"));
        let put = |state: &str| Call {
            write: true,
            text: format!("PutObject {key} (If-Match: the ETag read)"),
            params: vec![("state", state.to_string(), Some(self.state_now.clone()))],
        };
        match &self.action {
            RolloutAction::Start { calls, .. } => calls
                .iter()
                .map(|c| Call {
                    write: !c.starts_with("Get") && !c.starts_with("List"),
                    text: one_line(c),
                    params: vec![],
                })
                .collect(),
            RolloutAction::Approve => vec![get, put("running (next step)")],
            RolloutAction::Pause => vec![get, put("paused")],
            RolloutAction::Resume => vec![
                get,
                put("running (lease taken by this console)"),
                read("then: the remaining watch of the current step, evaluated here".into()),
            ],
            RolloutAction::Abort => {
                let back = self
                    .previous_canary
                    .as_ref()
                    .map_or_else(|| "its previous version".into(), |v| format!("v{v}"));
                vec![
                    get,
                    put("aborted"),
                    Call {
                        write: true,
                        text: "UpdateGatewayRule (100% of new sessions to stable)".into(),
                        params: vec![],
                    },
                    Call {
                        write: true,
                        text: format!("UpdateAgentRuntimeEndpoint (canary back to {back})"),
                        params: vec![],
                    },
                ]
            }
        }
    }

    pub fn cli_args(&self) -> Vec<String> {
        let verb = self.verb().trim_start_matches("rollout.");
        let mut args: Vec<String> = ["--env", &self.env, "rollout", verb, &self.runtime]
            .iter()
            .map(|s| (*s).to_string())
            .collect();
        if let RolloutAction::Start {
            canary_version,
            plan,
            ..
        } = &self.action
        {
            args.extend([
                "--canary-version".into(),
                canary_version.clone(),
                "--plan".into(),
                plan.name.clone(),
            ]);
        }
        args
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn op(action: RolloutAction) -> RolloutOp {
        RolloutOp {
            env: "prod".into(),
            runtime: "weather_mcp".into(),
            action,
            state_now: "running".into(),
            previous_canary: Some("3".into()),
        }
    }

    #[test]
    fn each_write_names_its_command_and_its_calls() {
        let seed = Plan::builtin("seed").expect("seed");
        let start = op(RolloutAction::Start {
            canary_version: "4".into(),
            plan: Box::new(seed),
            calls: vec![
                "PutMetricFilter tool-errors".into(),
                "GetAgentRuntimeEndpoint canary".into(),
            ],
            stable_version: Some("3".into()),
            canary_from: Some("3".into()),
        });
        assert!(start.drives());
        assert_eq!(
            start.cli_args().join(" "),
            "--env prod rollout start weather_mcp --canary-version 4 --plan seed"
        );
        let w: Vec<_> = start.calls().iter().map(|c| c.write).collect();
        assert_eq!(w, [true, false]);
        let abort = op(RolloutAction::Abort);
        assert!(!abort.drives());
        assert_eq!(abort.verb(), "rollout.abort");
        assert_eq!(
            abort.cli_args().join(" "),
            "--env prod rollout abort weather_mcp"
        );
        assert!(abort.calls()[3].text.contains("canary back to v3"));
    }
}
