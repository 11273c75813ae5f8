//! Fixed rollouts for the TUI's tests, built with the domain's own decisions
//! (`RolloutState::new`, `record`, `advance`, `pause`, `finish`): the seed's canary running
//! at 25% with a countdown, waiting for approval, stalled, rolled back by the error gate, and
//! a blue/green. Times are epoch ms from `T0` (10:00:00 UTC).

use std::time::Duration;

use super::io::{Reply, RolloutView};
use crate::domain::rollout::{
    Evaluation, GateName, GateResult, Gates, Phase, Plan, PlanKind, Proportion, RolloutState,
    Samples, Start, Step,
};

/// 2026-11-24T10:00:00Z.
pub const T0: i64 = 1_795_514_400_000;
const S: i64 = 1000;
const BY: &str = "ana@laptop";

fn weight(w: u8, mins: u64) -> Step {
    Step::Weight {
        weight: w,
        bake: Duration::from_secs(mins * 60),
    }
}

pub fn gates() -> Gates {
    Gates {
        interval: Duration::from_secs(60),
        min_invocations: 50,
        max_error_rate: Some(5.0),
        max_error_rate_over_stable: Some(2.0),
        max_tool_error_rate: Some(5.0),
        max_p99_latency_ratio: Some(1.5),
        alarms: vec![],
        failure_limit: 2,
        observe: vec![GateName::MaxP99LatencyRatio],
        require_smoke: false,
    }
}

fn start(plan: Plan) -> RolloutState {
    let mut s = RolloutState::new(
        Start {
            id: "r-1".into(),
            env: "prod".into(),
            runtime: "weather_mcp".into(),
            runtime_id: "weather_mcp-AbC".into(),
            runtime_arn: "arn:aws:bedrock-agentcore:us-east-1:1:runtime/weather_mcp-AbC".into(),
            stable_endpoint: "live".into(),
            canary_endpoint: "canary".into(),
            plan,
            canary_version: "4".into(),
            stable_version: Some("3".into()),
            previous_canary_version: Some("3".into()),
            smoke: None,
            by: BY.into(),
            driver: "d-1".into(),
        },
        T0,
    );
    s.note(T0, BY, "start", "v4 on canary, 10% of new sessions");
    s
}

/// One evaluation: canary `errors` of `calls`, stable 10 of 3700, p99 ratio 1.9 (observed).
pub fn evaluation(at: i64, errors: u64, calls: u64) -> Evaluation {
    let g = gates();
    Evaluation {
        at_ms: at,
        gates: vec![
            GateResult::error_rate(
                GateName::MaxErrorRate,
                Proportion::new(errors, calls),
                5.0,
                &g,
            ),
            GateResult::over_stable(
                Proportion::new(errors, calls),
                Proportion::new(10, 3700),
                2.0,
                &g,
            ),
            GateResult::error_rate(
                GateName::MaxToolErrorRate,
                Proportion::new(0, calls),
                5.0,
                &g,
            ),
            GateResult::latency_ratio(
                Some(570.0),
                Some(300.0),
                Samples {
                    canary: calls,
                    stable: Some(3700),
                },
                1.5,
                &g,
            ),
        ],
    }
}

fn seed_like(steps: Vec<Step>) -> Plan {
    Plan {
        name: "seed".into(),
        kind: PlanKind::Canary,
        steps,
        gates: gates(),
    }
}

/// The seed's canary at step 2 (25%), 5m48s into its 10-minute bake, with the lease live.
pub fn running() -> RolloutState {
    let mut s = start(seed_like(vec![
        weight(10, 15),
        weight(25, 10),
        weight(50, 10),
    ]));
    s.record(evaluation(T0 + 900 * S, 2, 412), T0 + 900 * S);
    s.advance(T0 + 900 * S);
    s.note(T0 + 900 * S, BY, "step", "step 2: 25% of new sessions");
    // Any console writes the object: its text is untrusted.
    s.note(
        T0 + 1000 * S,
        "mallory\u{1b}]0;pwned\u{7}@host",
        "extend",
        "\u{1b}[2Jthin data, bake extended",
    );
    s.record(evaluation(T0 + 1200 * S, 3, 400), T0 + 1248 * S);
    renew(&mut s, T0 + 1248 * S);
    s
}

fn renew(s: &mut RolloutState, now: i64) {
    if let Some(l) = s.lease.as_mut() {
        l.expires_ms = now + 180 * S;
    }
}

/// Step 1 baked; the plan waits for an operator before 50%.
pub fn awaiting_approval() -> RolloutState {
    let mut s = start(seed_like(vec![
        weight(10, 15),
        Step::Approve,
        weight(50, 10),
    ]));
    s.record(evaluation(T0 + 900 * S, 2, 412), T0 + 900 * S);
    s.advance(T0 + 900 * S);
    s.note(T0 + 900 * S, BY, "step", "step 2: waiting for approval");
    renew(&mut s, T0 + 1248 * S);
    s
}

/// Its driver died at 10:20:48: the lease ran out at 10:23:48.
pub fn stalled() -> RolloutState {
    running()
}

/// Rolled back at step 2 by the error gate: 31 of 240 canary calls failed, twice in a row.
pub fn rolled_back() -> RolloutState {
    let mut s = start(seed_like(vec![
        weight(10, 15),
        weight(25, 10),
        weight(50, 10),
    ]));
    s.record(evaluation(T0 + 900 * S, 2, 412), T0 + 900 * S);
    s.advance(T0 + 900 * S);
    s.note(T0 + 900 * S, BY, "step", "step 2: 25% of new sessions");
    s.record(evaluation(T0 + 960 * S, 29, 236), T0 + 960 * S);
    s.record(evaluation(T0 + 1020 * S, 31, 240), T0 + 1020 * S);
    s.note(
        T0 + 1020 * S,
        BY,
        "rollback",
        "max_error_rate 12.92% > 5 (240 calls), 2 in a row: 100% to live v3, canary back to v3",
    );
    s.finish(
        Phase::RolledBack,
        T0 + 1021 * S,
        "max_error_rate failed 2 times in a row",
    );
    s
}

/// A blue/green: v4 validated on the canary endpoint, waiting for approval to switch.
pub fn blue_green() -> RolloutState {
    let mut plan = Plan::builtin("blue-green").expect("built-in");
    plan.steps = vec![Step::Approve];
    let mut s = start(plan);
    s.note(T0 + 30 * S, BY, "validate", "v4 lists 3 tools on canary");
    renew(&mut s, T0 + 60 * S);
    s
}

/// A reply with `state` read at `at`.
pub fn reply(state: Option<RolloutState>, at: i64) -> Reply {
    Reply::Rollout(Ok(Box::new(RolloutView {
        state,
        read_at_ms: at,
    })))
}
