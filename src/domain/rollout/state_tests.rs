use std::time::Duration;

use super::*;
use crate::domain::rollout::evaluation::{GateResult, Samples};
use crate::domain::rollout::plan::Gates;
use crate::domain::rollout::stats::Proportion;

const S: i64 = 1000;

fn plan(steps: Vec<Step>) -> Plan {
    Plan {
        name: "t".into(),
        kind: PlanKind::Canary,
        steps,
        gates: Gates {
            interval: Duration::from_secs(1),
            min_invocations: 10,
            max_error_rate: Some(5.0),
            failure_limit: 2,
            ..Gates::default()
        },
    }
}

fn weight(w: u8, secs: u64) -> Step {
    Step::Weight {
        weight: w,
        bake: Duration::from_secs(secs),
    }
}

fn state(steps: Vec<Step>) -> RolloutState {
    RolloutState::new(
        Start {
            id: "r1".into(),
            env: "prod".into(),
            runtime: "weather".into(),
            runtime_id: "weather-abc".into(),
            runtime_arn: "arn".into(),
            stable_endpoint: "live".into(),
            canary_endpoint: "canary".into(),
            plan: plan(steps),
            canary_version: "3".into(),
            stable_version: Some("2".into()),
            previous_canary_version: Some("1".into()),
            smoke: None,
            by: "ana@laptop".into(),
            driver: "d1".into(),
        },
        0,
    )
}

/// An evaluation of the error-rate gate: `errors` out of `calls`.
fn eval(errors: u64, calls: u64, s: &RolloutState) -> Evaluation {
    Evaluation {
        at_ms: 0,
        gates: vec![GateResult::error_rate(
            GateName::MaxErrorRate,
            Proportion::new(errors, calls),
            5.0,
            &s.plan.gates,
        )],
    }
}

#[test]
fn a_step_advances_only_after_its_bake_with_a_pass() {
    let mut s = state(vec![weight(10, 5), weight(50, 5)]);
    assert_eq!(
        (s.phase, s.weight(), s.time_left_ms(2 * S)),
        (Phase::Running, 10, Some(3 * S))
    );
    let e = eval(0, 100, &s);
    assert_eq!(s.record(e.clone(), 2 * S), Next::Watch, "bake not over");
    assert_eq!(s.record(e, 5 * S), Next::Advance);
    assert_eq!(s.advance(5 * S), Some(weight(50, 5)));
    assert_eq!((s.step, s.weight(), s.watched(6 * S)), (1, 50, S));
    let e = eval(0, 100, &s);
    assert_eq!(s.record(e, 10 * S), Next::Advance);
    assert_eq!(s.advance(10 * S), None, "every step done: promote");
    assert_eq!(s.evaluations.len(), 3);
    assert_eq!(s.evaluations[2].weight, 50);
}

#[test]
fn failures_in_a_row_roll_back_and_a_pass_resets_the_count() {
    let mut s = state(vec![weight(10, 60)]);
    let bad = eval(20, 100, &s);
    let good = eval(0, 100, &s);
    assert_eq!(s.record(bad.clone(), S), Next::Watch);
    assert_eq!(s.record(good, 2 * S), Next::Watch);
    assert_eq!(s.failures_in_row, 0);
    assert_eq!(s.record(bad.clone(), 3 * S), Next::Watch);
    assert_eq!(
        s.record(bad, 4 * S),
        Next::RollBack {
            failed: vec![GateName::MaxErrorRate]
        }
    );
    assert_eq!(s.evaluations.last().map(|r| r.failures_in_row), Some(2));
}

#[test]
fn an_observed_gate_never_rolls_back() {
    let mut s = state(vec![weight(10, 2)]);
    s.plan.gates.observe = vec![GateName::MaxErrorRate];
    let bad = eval(50, 100, &s);
    assert!(bad.gates[0].observed_only);
    assert_eq!(s.record(bad.clone(), S), Next::Watch);
    assert_eq!(s.record(bad.clone(), 2 * S), Next::Advance);
    assert_eq!(s.failures_in_row, 0);
}

#[test]
fn thin_data_extends_the_bake_to_twice_then_pauses_and_never_passes() {
    let mut s = state(vec![weight(10, 4)]);
    let thin = eval(0, 3, &s);
    assert_eq!(s.record(thin.clone(), 4 * S), Next::Watch, "extended");
    assert_eq!(s.record(thin.clone(), 7 * S), Next::Watch, "still extended");
    assert_eq!(s.record(thin, 8 * S), Next::PauseForData);
    s.pause(8 * S, format!("{DATA_PAUSE}: 3 canary calls, 10 needed"));
    assert_eq!(s.shown(9 * S), "paused");
    // Resuming gives the step a fresh bake.
    s.resume(20 * S);
    assert_eq!(
        (s.phase, s.time_left_ms(21 * S)),
        (Phase::Running, Some(3 * S))
    );
}

#[test]
fn a_pause_keeps_the_watch_time_and_resume_continues_it() {
    let mut s = state(vec![weight(10, 10)]);
    s.pause(4 * S, "operator");
    assert_eq!(s.time_left_ms(100 * S), Some(6 * S), "frozen while paused");
    s.resume(100 * S);
    assert_eq!(s.time_left_ms(101 * S), Some(5 * S));
    assert_eq!(s.reason, None);
}

#[test]
fn an_approval_step_waits_and_keeps_the_weight_before_it() {
    let mut s = state(vec![weight(10, 1), Step::Approve, weight(50, 1)]);
    let e = eval(0, 100, &s);
    assert_eq!(s.record(e, S), Next::Advance);
    assert_eq!(s.advance(S), Some(Step::Approve));
    assert_eq!(
        (s.phase, s.weight(), s.time_left_ms(2 * S)),
        (Phase::AwaitingApproval, 10, None)
    );
    assert_eq!(s.advance(3 * S), Some(weight(50, 1)));
    assert_eq!(s.phase, Phase::Running);
}

#[test]
fn the_lease_refuses_a_second_driver_until_it_expires() {
    let mut s = state(vec![weight(10, 60)]);
    let ttl = lease_ttl_ms(&s.plan);
    assert_eq!(
        ttl,
        10 * S,
        "three 1 s intervals are less than the 10 s floor"
    );
    assert!(s.is_driven_by("d1", S));
    let held = s.claim(("bo@desk", "d2"), S, ttl).expect_err("held");
    assert_eq!((held.holder.as_str(), held.expires_ms), ("ana@laptop", ttl));
    // The same person in a second terminal is a second driver.
    s.claim(("ana@laptop", "d3"), S, ttl)
        .expect_err("another driver of the same user");
    assert_eq!(s.shown(S), "running");
    assert!(s.is_stalled(ttl), "expired at its expiry");
    assert_eq!(s.shown(ttl + 1), STALLED);
    s.claim(("bo@desk", "d2"), ttl + 1, ttl)
        .expect("expired: taken over");
    assert!(s.is_driven_by("d2", ttl + 2) && !s.is_driven_by("d1", ttl + 2));
    s.claim(("bo@desk", "d2"), ttl + 5, ttl)
        .expect("renewed by its holder");
    assert_eq!(s.lease.as_ref().map(|l| l.expires_ms), Some(2 * ttl + 5));
    s.finish(Phase::Aborted, ttl + 6, "by bo");
    assert_eq!((s.shown(ttl + 7), s.lease.is_none()), ("aborted", true));
    assert!(!s.is_stalled(ttl * 10), "an ended rollout is never stalled");
}

#[test]
fn evaluations_are_bounded_and_the_drop_is_counted() {
    let mut s = state(vec![weight(10, 100_000)]);
    let e = eval(0, 100, &s);
    for i in 0..(MAX_EVALUATIONS + 7) {
        s.record(e.clone(), i as i64);
    }
    assert_eq!(
        (s.evaluations.len(), s.evaluations_dropped),
        (MAX_EVALUATIONS, 7)
    );
}

#[test]
fn the_state_round_trips_through_its_json() {
    let mut s = state(vec![weight(10, 5), Step::Approve]);
    let e = Evaluation {
        at_ms: 5,
        gates: vec![GateResult::latency_ratio(
            Some(3.0),
            Some(2.0),
            Samples {
                canary: 50,
                stable: Some(500),
            },
            1.5,
            &s.plan.gates,
        )],
    };
    s.record(e, S);
    s.note(S, "ana@laptop", "start", "10% for 5s");
    let json = serde_json::to_string(&s).expect("json");
    assert!(json.contains("\"phase\":\"running\""), "{json}");
    let back: RolloutState = serde_json::from_str(&json).expect("parse");
    assert_eq!(back, s);
}
