//! Blue/green: the new version on the canary endpoint with no traffic, validated over MCP,
//! then (after its approval) all traffic at once, the old version named as the way back.

use agentcore_console::backend::rollout::control;
use agentcore_console::domain::rollout::Phase;

use super::*;
use crate::support::sessions::new_session;

#[tokio::test]
async fn blue_green_keeps_traffic_off_the_new_version_until_validated_then_switches() {
    let r = rig(&[], false).await;
    let plan = Plan {
        name: "blue-green".into(),
        kind: PlanKind::BlueGreen,
        steps: vec![Step::Approve],
        gates: gates(),
    };
    let d = start(&r, plan);
    let s = until(&r.backend, Duration::from_secs(30), |s| {
        s.log.iter().any(|e| e.event == "validate")
    })
    .await;
    assert_eq!(s.phase, Phase::AwaitingApproval, "{:#?}", s.log);
    let validate = s
        .log
        .iter()
        .find(|e| e.event == "validate")
        .expect("validated");
    assert!(
        validate
            .message
            .contains("`canary` (version 2): sample-mcp-server 2 lists 6 tools"),
        "{validate:?}"
    );
    // Validated and waiting: the new version is on the canary endpoint with 0%.
    let view = split(&r.backend).await;
    assert_eq!(view.canary.live_version.as_deref(), Some("2"));
    assert_eq!(view.stable.live_version.as_deref(), Some("1"));
    assert_eq!(canary_weight(&view), 0);
    let url = view.gateway_url.clone().expect("gateway url");
    for _ in 0..20 {
        assert_eq!(
            new_session(&url).await.2,
            "1",
            "no session reaches version 2 yet"
        );
    }

    let other = backend(&r.w);
    control::approve(&other, "dev", RUNTIME, false, &actor("ben"), &r.audit)
        .await
        .expect("approved");
    let (outcome, _) = d.outcome().await;
    assert_eq!(outcome.expect("driven"), Outcome::Promoted);
    let s = status(&r.backend).await;
    assert!(
        s.reason
            .as_deref()
            .is_some_and(|r| r.contains("version 1 is the rollback target")),
        "{:?}",
        s.reason
    );
    let view = split(&r.backend).await;
    assert_eq!(view.stable.live_version.as_deref(), Some("2"));
    for _ in 0..20 {
        assert_eq!(
            new_session(&url).await.2,
            "2",
            "every new session on version 2"
        );
    }
}
