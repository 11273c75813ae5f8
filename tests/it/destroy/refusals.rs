//! Refusals, each before any change (the listing is the same after) and audited: protected
//! and not armed, a rollout not finished, traffic on a split, DEFAULT or an unknown
//! endpoint or runtime.

use std::time::Duration;

use agentcore_console::backend::rollout::store;
use agentcore_console::domain::rollout::{Plan, RolloutState, Start};

use super::*;

/// A rollout of `runtime` in dev at its first step (running), as `rollout start` writes it.
pub(crate) async fn rollout_state(c: &Clients, runtime: &str) -> RolloutState {
    let rt = agentcore_console::backend::runtimes::resolve(c, runtime)
        .await
        .expect("runtime");
    let mut plan = Plan::builtin("seed").expect("seed");
    plan.gates.interval = Duration::from_secs(1);
    RolloutState::new(
        Start {
            id: "r1".into(),
            env: "dev".into(),
            runtime: runtime.into(),
            runtime_id: rt.agent_runtime_id().into(),
            runtime_arn: rt.agent_runtime_arn().into(),
            stable_endpoint: "live".into(),
            canary_endpoint: "canary".into(),
            plan,
            canary_version: "2".into(),
            stable_version: Some("1".into()),
            previous_canary_version: None,
            by: "ana@laptop".into(),
            driver: "d1".into(),
            smoke: None,
        },
        agentcore_console::backend::rollout::now_ms(),
    )
}

/// Run a destroy that must be refused: its stderr.
async fn refused(w: &World, args: &[&str]) -> String {
    let mut all = vec!["destroy"];
    all.extend_from_slice(args);
    let (ok, out, err) = run(w, &all).await;
    assert!(!ok, "{args:?} was not refused: {out}");
    err
}

#[tokio::test]
async fn refusals_change_nothing_and_say_what_to_do() {
    let w = cli::world().await;
    deploy(&w, "weather", "1", Some("live")).await;
    deploy(&w, "weather", "2", None).await;
    set(&w, "weather", "2", "25").await;
    let c = clients(&w, "us-west-2").await;
    let before = inventory(&c).await;

    // A rollout that has not finished: abort it first.
    let state = rollout_state(&c, "weather").await;
    store::put(&c, &state, None).await.expect("put");
    let with_rollout = inventory(&c).await;
    let err = refused(&w, &["--env", "dev", "weather"]).await;
    assert!(
        err.contains("rollout") && err.contains("`rollout abort weather --env dev`"),
        "{err}"
    );
    assert_eq!(inventory(&c).await, with_rollout);
    let bucket = "agentcore-console-123456789012-us-west-2";
    c.s3.delete_object()
        .bucket(bucket)
        .key(store::key("weather"))
        .send()
        .await
        .expect("delete the rollout object");
    assert_eq!(inventory(&c).await, before);

    // 25% on the canary: finish the split first, whole runtime or either endpoint.
    let err = refused(&w, &["--env", "dev", "weather"]).await;
    assert!(
        err.contains("25%")
            && err.contains("`traffic promote weather --env dev`")
            && err.contains("`traffic abort weather --env dev`"),
        "{err}"
    );
    let err = refused(&w, &["--env", "dev", "weather", "--endpoint", "canary"]).await;
    assert!(err.contains("25%") && err.contains("`canary`"), "{err}");
    let err = refused(&w, &["--env", "dev", "weather", "--endpoint", "live"]).await;
    assert!(err.contains("75%") && err.contains("`live`"), "{err}");

    // Bad names.
    let err = refused(&w, &["--env", "dev", "weather", "--endpoint", "DEFAULT"]).await;
    assert!(err.contains("DEFAULT is removed with its runtime"), "{err}");
    let err = refused(&w, &["--env", "dev", "weather", "--endpoint", "nope"]).await;
    assert!(err.contains("has no endpoint `nope`"), "{err}");
    let err = refused(&w, &["--env", "dev", "nope"]).await;
    assert!(err.contains("nope"), "{err}");
    assert_eq!(inventory(&c).await, before, "no refusal changed anything");

    let audited = destroys(&w);
    assert_eq!(audited.len(), 7, "{audited:#?}");
    assert!(
        audited.iter().all(|e| e["result"]
            .as_str()
            .is_some_and(|r| r.starts_with("refused: "))),
        "{audited:#?}"
    );
    w.local.stop().await;
}

#[tokio::test]
async fn a_protected_environment_needs_arming_but_may_be_previewed() {
    let w = cli::world().await;
    let (ok, _, err) = run(
        &w,
        &[
            "--env",
            "prod",
            "deploy",
            "weather",
            "--from-dir",
            cli::FIXTURE_DIR,
            "--endpoint",
            "live",
            "--arm",
        ],
    )
    .await;
    assert!(ok, "{err}");
    let c = clients(&w, "us-east-1").await;
    let before = inventory(&c).await;
    assert!(!having(&before, "runtime weather").is_empty());
    let err = refused(&w, &["--env", "prod", "weather"]).await;
    assert!(err.contains("read-only") && err.contains("--arm"), "{err}");
    assert_eq!(inventory(&c).await, before);
    // A dry run changes nothing: no arming needed.
    let (ok, dry, err) = destroy(&w, &["--env", "prod", "weather", "--dry-run"]).await;
    assert!(ok, "{err}");
    assert!(
        strings(&dry["calls"])
            .iter()
            .any(|c| c.starts_with("DeleteAgentRuntime "))
    );
    assert_eq!(inventory(&c).await, before);
    // Armed, it goes.
    let (ok, done, err) = destroy(&w, &["--env", "prod", "weather", "--arm"]).await;
    assert!(ok, "{err}");
    assert_eq!(done["deleted"], dry["calls"]);
    assert!(having(&inventory(&c).await, "runtime ").is_empty());
    w.local.stop().await;
}

#[tokio::test]
async fn a_rule_that_also_routes_elsewhere_is_not_deleted_with_the_runtime() {
    use aws_sdk_bedrockagentcorecontrol::types::{
        Action, HttpTargetConfiguration, RouteToTargetAction, RuntimeTargetConfiguration,
        TargetConfiguration, TargetTrafficSplitEntry, WeightedRoute,
    };
    let w = cli::world().await;
    promoted(&w, "weather").await;
    let c = clients(&w, "us-west-2").await;
    let gw = c.control.list_gateways().send().await.expect("gateways");
    let gw = gw.items()[0].gateway_id().to_string();
    let rt = agentcore_console::backend::runtimes::resolve(&c, "weather")
        .await
        .expect("runtime");
    let runtime = RuntimeTargetConfiguration::builder()
        .arn(rt.agent_runtime_arn())
        .qualifier("live")
        .build()
        .expect("runtime target");
    c.control
        .create_gateway_target()
        .gateway_identifier(&gw)
        .name("foreign")
        .target_configuration(TargetConfiguration::Http(
            HttpTargetConfiguration::AgentcoreRuntime(runtime),
        ))
        .send()
        .await
        .expect("target");
    let entry = |t: &str| {
        TargetTrafficSplitEntry::builder()
            .name(t)
            .target_name(t)
            .weight(50)
            .build()
            .expect("entry")
    };
    let route = WeightedRoute::builder()
        .traffic_split(entry("weather-stable"))
        .traffic_split(entry("foreign"))
        .build()
        .expect("route");
    let hand = c
        .control
        .create_gateway_rule()
        .gateway_identifier(&gw)
        .priority(50)
        .actions(Action::RouteToTarget(RouteToTargetAction::WeightedRoute(
            route,
        )))
        .send()
        .await
        .expect("rule");
    let before = inventory(&c).await;
    let err = refused(&w, &["--env", "dev", "weather"]).await;
    assert!(
        err.contains(hand.rule_id()) && err.contains("routes to `weather` and to other targets"),
        "{err}"
    );
    assert_eq!(inventory(&c).await, before);
    w.local.stop().await;
}
