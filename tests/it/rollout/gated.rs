//! The gates decide: a healthy canary promotes, failing tools (isError, HTTP 200) and HTTP
//! 500s roll back, an observed gate never acts, and no traffic never passes.

use agentcore_console::domain::rollout::{GateName, Phase, Verdict};

use super::*;

#[tokio::test]
async fn a_healthy_canary_promotes_through_its_steps() {
    let r = rig(&[], false).await;
    let _traffic = traffic(&r);
    let gates = Gates {
        max_error_rate: Some(5.0),
        max_tool_error_rate: Some(5.0),
        ..gates()
    };
    let (outcome, events) = start(&r, canary(&[(20, 5), (50, 5)], gates))
        .outcome()
        .await;
    assert_eq!(outcome.expect("driven"), Outcome::Promoted);

    let s = status(&r.backend).await;
    assert_eq!(s.phase, Phase::Promoted, "{:?}", s.reason);
    assert!(s.lease.is_none());
    // Both steps passed on real data: each advanced on a passing evaluation at its weight.
    for weight in [20, 50] {
        assert!(
            s.evaluations
                .iter()
                .any(|e| e.weight == weight && e.verdict == Verdict::Pass),
            "no passing evaluation at {weight}%: {:#?}",
            s.evaluations
        );
    }
    // A thin evaluation at the end of a bake may extend it; nothing else happens. (5 s bakes:
    // under a loaded CI machine, 2 s left too few calls at 20% and the rollout paused for data.)
    let decisions: Vec<&str> = log_events(&s)
        .into_iter()
        .filter(|e| *e != "extend")
        .collect();
    assert_eq!(
        decisions,
        ["start", "step", "step", "promote"],
        "{:#?}",
        s.log
    );
    let view = split(&r.backend).await;
    assert_eq!(view.stable.live_version.as_deref(), Some("2"));
    assert_eq!(canary_weight(&view), 0);
    assert!(
        view.routes
            .iter()
            .any(|r| r.target.ends_with("-stable") && r.weight == 100)
    );

    for action in [
        "rollout.start",
        "traffic.set",
        "traffic.promote",
        "rollout.promote",
    ] {
        let entries = audited(&r.w, action);
        assert!(
            entries.iter().any(|e| e["result"] == "ok"),
            "{action}: {entries:?}"
        );
    }
    let promote = &audited(&r.w, "rollout.promote")[0];
    assert_eq!(promote["after"]["state"], "promoted");
    assert_eq!(promote["after"]["evaluation"]["verdict"], "pass");
    // Every decision and every evaluation went out as an event.
    let kinds: Vec<&str> = events.iter().map(|e| e.event.as_str()).collect();
    assert_eq!(kinds.first(), Some(&"start"), "{kinds:?}");
    assert_eq!(kinds.last(), Some(&"promote"), "{kinds:?}");
    let evaluations = events.iter().filter(|e| e.evaluation.is_some()).count();
    assert_eq!(evaluations, s.evaluations.len(), "{kinds:?}");
}

#[tokio::test]
async fn failing_tools_are_rolled_back_by_the_tool_error_gate() {
    let r = rig(&["MCP_TOOL_ERROR_RATE=1"], true).await;
    let _traffic = traffic(&r);
    let gates = Gates {
        max_error_rate: Some(5.0),
        max_tool_error_rate: Some(5.0),
        ..gates()
    };
    let (outcome, _) = start(&r, canary(&[(20, 30), (50, 30)], gates))
        .outcome()
        .await;
    assert_eq!(outcome.expect("driven"), Outcome::RolledBack);

    let s = status(&r.backend).await;
    assert_eq!(s.phase, Phase::RolledBack);
    let reason = s.reason.clone().unwrap_or_default();
    assert!(
        reason.contains("max_tool_error_rate ") && reason.contains("> 5 (n="),
        "{reason}"
    );
    assert!(!reason.contains("max_error_rate "), "HTTP 200: {reason}");
    let deciding = s.latest().expect("the deciding evaluation");
    assert_eq!(deciding.failures_in_row, 2);
    assert_eq!(deciding.evaluation.failed(), [GateName::MaxToolErrorRate]);

    let view = split(&r.backend).await;
    assert_eq!(canary_weight(&view), 0);
    assert_eq!(view.stable.live_version.as_deref(), Some("1"));
    assert_eq!(
        view.canary.live_version.as_deref(),
        Some("1"),
        "canary put back"
    );
    let rollback = audited(&r.w, "rollout.rollback");
    assert_eq!(rollback.len(), 1, "{rollback:?}");
    assert_eq!(rollback[0]["result"], "ok");
    assert_eq!(rollback[0]["after"]["evaluation"]["verdict"], "fail");
    assert_eq!(rollback[0]["after"]["reason"], reason.as_str());
}

#[tokio::test]
async fn http_500s_are_rolled_back_by_the_error_gate() {
    let r = rig(&["MCP_ERROR_RATE=1"], false).await;
    let _traffic = traffic(&r);
    let gates = Gates {
        max_error_rate: Some(5.0),
        ..gates()
    };
    let (outcome, _) = start(&r, canary(&[(20, 30)], gates)).outcome().await;
    assert_eq!(outcome.expect("driven"), Outcome::RolledBack);
    let s = status(&r.backend).await;
    let reason = s.reason.clone().unwrap_or_default();
    assert!(
        reason.contains("max_error_rate ") && reason.contains("> 5 (n="),
        "{reason}"
    );
    let view = split(&r.backend).await;
    assert_eq!(canary_weight(&view), 0);
    // It served nothing before: left where it is, and the log says so.
    assert_eq!(view.canary.live_version.as_deref(), Some("2"));
    assert!(
        s.log
            .iter()
            .any(|e| e.message.contains("served nothing before the rollout")),
        "{:#?}",
        s.log
    );
}

#[tokio::test]
async fn an_observed_failing_gate_never_acts() {
    let r = rig(&["MCP_TOOL_ERROR_RATE=1"], false).await;
    let _traffic = traffic(&r);
    let gates = Gates {
        max_error_rate: Some(5.0),
        max_tool_error_rate: Some(5.0),
        observe: vec![GateName::MaxToolErrorRate],
        ..gates()
    };
    let (outcome, _) = start(&r, canary(&[(20, 5)], gates)).outcome().await;
    assert_eq!(outcome.expect("driven"), Outcome::Promoted);
    let s = status(&r.backend).await;
    // It did see the failures, and reported them.
    let failing = s
        .evaluations
        .iter()
        .flat_map(|e| &e.evaluation.gates)
        .any(|g| {
            g.gate == GateName::MaxToolErrorRate && g.verdict == Verdict::Fail && g.observed_only
        });
    assert!(failing, "{:#?}", s.evaluations);
    assert_eq!(
        split(&r.backend).await.stable.live_version.as_deref(),
        Some("2")
    );
}

#[tokio::test]
async fn no_traffic_never_passes_and_pauses_after_twice_the_bake() {
    let r = rig(&[], false).await;
    let gates = Gates {
        max_error_rate: Some(5.0),
        ..gates()
    };
    let d = start(&r, canary(&[(20, 2)], gates));
    let s = until(&r.backend, Duration::from_secs(30), |s| {
        s.phase == Phase::Paused
    })
    .await;
    assert_eq!(s.phase, Phase::Paused, "{:#?}", s.log);
    let reason = s.reason.clone().unwrap_or_default();
    assert!(
        reason.starts_with("insufficient data: no conclusive pass after 4 s at 20%"),
        "{reason}"
    );
    assert!(
        reason.contains("max_error_rate no value <= 5 (n=0, inconclusive)"),
        "{reason}"
    );
    assert!(
        s.evaluations
            .iter()
            .all(|e| e.verdict == Verdict::Inconclusive)
    );
    assert!(s.watched_ms >= 4_000, "{}", s.watched_ms);
    assert!(log_events(&s).contains(&"extend"), "{:#?}", s.log);
    assert_eq!(s.step, 0, "never advanced");
    // The driver keeps its lease while it waits; told to stop, it gives it up.
    assert!(s.lease.is_some());
    d.stop.send(true).expect("stop");
    let (outcome, events) = d.outcome().await;
    assert_eq!(outcome.expect("driven"), Outcome::Stopped);
    assert_eq!(events.last().map(|e| e.event.as_str()), Some("stop"));
    let s = status(&r.backend).await;
    assert!(s.lease.is_none());
    assert_eq!(s.shown(rollout::now_ms()), "stalled");
    assert_eq!(canary_weight(&split(&r.backend).await), 20, "traffic stays");
}
