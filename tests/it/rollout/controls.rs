//! What other operators do to a running rollout: approve the step it waits at, abort it (which
//! wins over the driver), and the preview a start shows first.

use agentcore_console::backend::rollout::control;
use agentcore_console::domain::rollout::Phase;

use super::*;

/// No gates: every evaluation passes, so only the plan's steps and the operators decide.
fn ungated() -> Gates {
    gates()
}

#[tokio::test]
async fn an_approval_step_waits_until_someone_approves() {
    let r = rig(&[], false).await;
    let other = backend(&r.w);
    let ben = actor("ben");
    let mut plan = canary(&[(20, 1), (50, 1)], ungated());
    plan.steps.insert(1, Step::Approve);

    // Nothing waits yet: refused, saying the state, and audited as a refusal.
    let d = start(&r, plan);
    let s = until(&r.backend, Duration::from_secs(20), |s| {
        s.phase == Phase::Running
    })
    .await;
    assert_eq!(s.phase, Phase::Running);
    let early = control::approve(&other, "dev", RUNTIME, false, &ben, &r.audit)
        .await
        .expect_err("nothing to approve");
    assert!(early.to_string().contains("it is running"), "{early}");

    let s = until(&r.backend, Duration::from_secs(20), |s| {
        s.phase == Phase::AwaitingApproval
    })
    .await;
    assert_eq!((s.phase, s.step), (Phase::AwaitingApproval, 1));
    // It waits (a few intervals), the canary at its weight, its lease renewed.
    tokio::time::sleep(Duration::from_secs(3)).await;
    let s = status(&r.backend).await;
    assert_eq!((s.phase, s.step), (Phase::AwaitingApproval, 1));
    assert!(
        s.lease
            .as_ref()
            .is_some_and(|l| l.is_live(rollout::now_ms()))
    );
    assert_eq!(canary_weight(&split(&r.backend).await), 20);

    let approved = control::approve(&other, "dev", RUNTIME, false, &ben, &r.audit)
        .await
        .expect("approved");
    assert_eq!((approved.phase, approved.step), (Phase::Running, 2));
    let (outcome, events) = d.outcome().await;
    assert_eq!(outcome.expect("driven"), Outcome::Promoted);
    let s = status(&r.backend).await;
    let approve = s.log.iter().find(|e| e.event == "approve").expect("logged");
    assert!(approve.by.starts_with("ben@"), "{approve:?}");
    assert!(
        events.iter().any(|e| e.event == "approve"),
        "the driver reported it"
    );
    // The 50% step was applied after the approval, by the driver.
    assert!(
        s.evaluations.iter().any(|e| e.weight == 50),
        "{:#?}",
        s.evaluations
    );
    let sets = audited(&r.w, "traffic.set");
    let weights: Vec<String> = sets
        .iter()
        .map(|e| e["after"]["weights"].to_string())
        .collect();
    assert!(
        weights
            .iter()
            .any(|w| w.contains(r#"{"target":"weather-canary","weight":50}"#)),
        "{weights:#?}"
    );
    let entries = audited(&r.w, "rollout.approve");
    assert_eq!(
        entries
            .iter()
            .map(|e| e["result"].as_str().unwrap_or(""))
            .collect::<Vec<_>>()[..1],
        [format!("refused: {early}")]
    );
    assert_eq!(
        entries.last().map(|e| &e["result"]),
        Some(&Value::from("ok"))
    );
}

#[tokio::test]
async fn an_abort_from_another_console_wins_over_the_driver() {
    let r = rig(&[], true).await;
    let other = backend(&r.w);
    let ben = actor("ben");
    let d = start(&r, canary(&[(20, 30), (50, 30)], ungated()));
    // Mid-bake, with the canary at 20%.
    let mut view = split(&r.backend).await;
    let deadline = Instant::now() + Duration::from_secs(20);
    while canary_weight(&view) != 20 && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(100)).await;
        view = split(&r.backend).await;
    }
    assert_eq!(canary_weight(&view), 20);
    assert_eq!(view.canary.live_version.as_deref(), Some("2"));

    let aborted = control::abort(&other, "dev", RUNTIME, false, &ben, &r.audit)
        .await
        .expect("aborted");
    assert_eq!(aborted.phase, Phase::Aborted);
    let (outcome, _) = d.outcome().await;
    assert_eq!(outcome.expect("driven"), Outcome::Aborted);

    let view = split(&r.backend).await;
    assert_eq!(canary_weight(&view), 0, "100% stable");
    assert_eq!(
        view.canary.live_version.as_deref(),
        Some("1"),
        "canary put back"
    );
    assert_eq!(view.stable.live_version.as_deref(), Some("1"));
    let s = status(&r.backend).await;
    assert!(
        s.reason
            .as_deref()
            .is_some_and(|r| r.starts_with("aborted by ben@")),
        "{s:?}"
    );
    let entry = &audited(&r.w, "rollout.abort")[0];
    assert_eq!(entry["result"], "ok");
    assert_eq!(entry["before"]["state"], "running");
    assert_eq!(entry["after"]["state"], "aborted");
    // Over is over: a second abort, a pause or an approval says how it ended.
    let again = control::abort(&other, "dev", RUNTIME, false, &ben, &r.audit)
        .await
        .expect_err("over");
    assert!(
        again
            .to_string()
            .contains("is over: aborted (aborted by ben@"),
        "{again}"
    );
    let pause = control::pause(&other, "dev", RUNTIME, false, &ben, &r.audit)
        .await
        .expect_err("over");
    assert!(pause.to_string().contains("is over: aborted"), "{pause}");
}

#[tokio::test]
async fn the_preview_lists_the_calls_and_refuses_what_cannot_run() {
    let r = rig(&[], false).await;
    let gates = Gates {
        max_tool_error_rate: Some(5.0),
        ..gates()
    };
    let p = driver::preview(&r.backend, &request(canary(&[(10, 5)], gates.clone())))
        .await
        .expect("preview");
    assert_eq!(p.stable_version.as_deref(), Some("1"));
    assert_eq!(p.canary_from, None);
    let n = p.calls.len();
    assert!(n >= 4, "{:#?}", p.calls);
    // In the order start makes them: the state object (the claim), the tool-error gate's
    // metric filters, then the traffic.
    assert!(
        p.calls[0].starts_with("PutObject s3://")
            && p.calls[0].ends_with("/rollouts/weather.json (If-None-Match: *)"),
        "{:#?}",
        p.calls
    );
    assert!(
        p.calls[1..n - 2]
            .iter()
            .any(|c| c.starts_with("PutMetricFilter ")),
        "{:#?}",
        p.calls
    );
    assert_eq!(
        p.calls[n - 2],
        "CreateAgentRuntimeEndpoint canary -> version 2 (was none)"
    );
    assert!(
        p.calls[n - 1].ends_with("live 90% / canary 10% of new sessions"),
        "{:#?}",
        p.calls
    );
    // Read only: no object, no split.
    assert!(
        rollout::status(&r.backend, "dev", RUNTIME)
            .await
            .expect("status")
            .is_none()
    );

    let bad = |plan: Plan| {
        let b = Arc::clone(&r.backend);
        async move {
            driver::preview(&b, &request(plan))
                .await
                .expect_err("refused")
                .to_string()
        }
    };
    let unknown = Gates {
        alarms: vec!["agentcore-console/{runtime}/canary/nope".into()],
        ..gates.clone()
    };
    let e = bad(canary(&[(10, 5)], unknown)).await;
    assert!(e.contains("agentcore-console/weather/canary/nope"), "{e}");
    let e = bad(canary(&[], gates.clone())).await;
    assert!(e.contains("no weight step"), "{e}");
    let mut v9 = request(canary(&[(10, 5)], gates));
    v9.canary_version = "9".into();
    let e = driver::preview(&r.backend, &v9)
        .await
        .expect_err("no v9")
        .to_string();
    assert!(e.contains("has no version 9"), "{e}");
}

#[tokio::test]
async fn an_abort_landing_while_the_driver_moves_traffic_still_wins() {
    let r = rig(&[], false).await;
    let d = start(&r, canary(&[(20, 1), (50, 30)], ungated()));
    let deadline = Instant::now() + Duration::from_secs(20);
    while canary_weight(&split(&r.backend).await) != 20 && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    // The driver's next move is slow: it points the canary endpoint, 3 s, then writes the
    // 50% split. The abort (which points no endpoint here) lands inside those 3 s.
    crate::support::faults::add(
        &r.w.local.url,
        "bedrock-agentcore:UpdateAgentRuntimeEndpoint:latency=3s",
    )
    .await;
    let s = until(&r.backend, Duration::from_secs(20), |s| s.step == 1).await;
    assert_eq!(s.step, 1, "{:#?}", s.log);
    let other = backend(&r.w);
    control::abort(&other, "dev", RUNTIME, false, &actor("ben"), &r.audit)
        .await
        .expect("aborted");
    let (outcome, _) = d.outcome().await;
    assert_eq!(outcome.expect("driven"), Outcome::Aborted);
    // Whichever split write landed last, the driver saw the abort after its move and the
    // end state is 100% stable.
    assert_eq!(canary_weight(&split(&r.backend).await), 0, "100% stable");
    let s = status(&r.backend).await;
    assert_eq!(s.phase, Phase::Aborted);
    // Under load the abort can land just after the move instead of during it; either way it
    // is in the log, and the split above is what must hold.
    assert!(s.log.iter().any(|e| e.event == "abort"), "{:#?}", s.log);
}
