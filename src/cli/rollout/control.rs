//! `rollout approve|pause|abort`: one change to the shared rollout, made by anyone (abort
//! needs no lease). Refused before any write when there is no rollout or it is not in a state
//! the change applies to; the backend checks again on the object it writes.

use super::{ControlArgs, existing, print_state};
use crate::backend::Backend;
use crate::backend::rollout::{self, control};
use crate::cli::confirm::Write;
use crate::cli::{CliError, Outcome};
use crate::domain::Environment;
use crate::domain::rollout::{Phase, RolloutState};

#[derive(Debug, Clone, Copy)]
pub enum Action {
    Approve,
    Pause,
    Abort,
}

impl Action {
    fn audited(self) -> &'static str {
        match self {
            Action::Approve => "rollout.approve",
            Action::Pause => "rollout.pause",
            Action::Abort => "rollout.abort",
        }
    }

    /// Why this action does not apply to `s` now, if it does not.
    fn refusal(self, s: &RolloutState, now_ms: i64) -> Option<String> {
        let shown = s.shown(now_ms);
        let what = format!("the rollout of `{}` in `{}` is {shown}", s.runtime, s.env);
        if s.phase.is_terminal() {
            return Some(format!("{what}: there is nothing to {}", self.verb()));
        }
        match (self, s.phase) {
            (Action::Approve, Phase::AwaitingApproval) | (Action::Pause, Phase::Running) => None,
            (Action::Abort, _) => None,
            (Action::Approve, _) => Some(format!("{what}, not awaiting approval")),
            (Action::Pause, _) => Some(format!(
                "{what}, not running: `rollout resume` continues it, `rollout abort` ends it"
            )),
        }
    }

    fn verb(self) -> &'static str {
        match self {
            Action::Approve => "approve",
            Action::Pause => "pause",
            Action::Abort => "abort",
        }
    }

    /// The calls the confirm prompt lists.
    fn calls(self, s: &RolloutState) -> Vec<String> {
        let put = format!("PutObject rollouts/{}.json (If-Match)", s.runtime);
        match self {
            Action::Approve => vec![format!(
                "{put}: approve step {}; its driver moves on",
                s.step + 1
            )],
            Action::Pause => vec![format!(
                "{put}: pause at {}%; its driver keeps the weight",
                s.weight()
            )],
            Action::Abort => vec![
                format!("{put}: record the abort"),
                format!(
                    "UpdateGatewayRule (the runtime's rule): 100% `{}`",
                    s.stable_endpoint
                ),
                match &s.previous_canary_version {
                    Some(v) => format!(
                        "UpdateAgentRuntimeEndpoint `{}` → version {v} (what it served before)",
                        s.canary_endpoint
                    ),
                    None => format!(
                        "`{}` keeps version {} (it served nothing before)",
                        s.canary_endpoint, s.canary_version
                    ),
                },
            ],
        }
    }
}

pub async fn run(
    backend: &Backend,
    env: &Environment,
    json: bool,
    args: &ControlArgs,
    action: Action,
) -> Result<Outcome, CliError> {
    let w = Write::new(env, action.audited(), &args.runtime, &args.write)?;
    w.guard()?;
    let state = existing(backend, env, &args.runtime, &w).await?;
    if let Some(why) = action.refusal(&state, rollout::now_ms()) {
        return Err(w.refuse(why));
    }
    w.confirm(&action.calls(&state))?;
    let (name, rt, armed) = (&env.name, &args.runtime, args.write.arm);
    let after = match action {
        Action::Approve => control::approve(backend, name, rt, armed, &w.actor, &w.audit).await,
        Action::Pause => control::pause(backend, name, rt, armed, &w.actor, &w.audit).await,
        Action::Abort => control::abort(backend, name, rt, armed, &w.actor, &w.audit).await,
    }?;
    print_state(&after, json)?;
    Ok(Outcome::Ok)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::rollout::{Plan, Start, Step};

    fn state(steps: Vec<Step>) -> RolloutState {
        let mut plan = Plan::builtin("seed").expect("seed");
        plan.steps = steps;
        RolloutState::new(
            Start {
                id: "r1".into(),
                env: "dev".into(),
                runtime: "weather".into(),
                runtime_id: "weather-abc".into(),
                runtime_arn: "arn".into(),
                stable_endpoint: "live".into(),
                canary_endpoint: "canary".into(),
                plan,
                canary_version: "2".into(),
                stable_version: Some("1".into()),
                previous_canary_version: Some("1".into()),
                smoke: None,
                by: "ana@laptop".into(),
                driver: "d1".into(),
            },
            0,
        )
    }

    #[test]
    fn each_action_applies_only_where_it_means_something() {
        let bake = std::time::Duration::from_secs(60);
        let running = state(vec![Step::Weight { weight: 10, bake }]);
        let waiting = state(vec![Step::Approve]);
        assert!(Action::Pause.refusal(&running, 0).is_none());
        assert!(Action::Abort.refusal(&running, 0).is_none());
        assert_eq!(
            Action::Approve.refusal(&running, 0).as_deref(),
            Some("the rollout of `weather` in `dev` is running, not awaiting approval")
        );
        assert!(Action::Approve.refusal(&waiting, 0).is_none());
        let mut over = running.clone();
        over.finish(Phase::RolledBack, 5, "max_error_rate failed");
        assert_eq!(
            Action::Abort.refusal(&over, 10).as_deref(),
            Some("the rollout of `weather` in `dev` is rolled-back: there is nothing to abort")
        );
        let calls = Action::Abort.calls(&running);
        assert_eq!(
            calls[1],
            "UpdateGatewayRule (the runtime's rule): 100% `live`"
        );
        assert_eq!(
            calls[2],
            "UpdateAgentRuntimeEndpoint `canary` → version 1 (what it served before)"
        );
    }
}
