//! A whole runtime: the dry run lists the calls and changes nothing; the destroy deletes the
//! gateway rule and targets, alarms, endpoints and runtime, and the log groups only with
//! `--with-logs` (their metric filters going with them, else deleted alone).

use super::*;

#[tokio::test]
async fn a_dry_run_changes_nothing_then_destroy_keeps_the_logs_unless_asked() {
    let w = cli::world().await;
    promoted(&w, "weather").await;
    let c = clients(&w, "us-west-2").await;
    let before = inventory(&c).await;
    assert_eq!(having(&before, "target ").len(), 2, "{before:#?}");
    assert_eq!(having(&before, "rule ").len(), 1, "{before:#?}");
    assert!(!having(&before, "alarm ").is_empty(), "{before:#?}");
    let groups_before = having(&before, "log group ");
    assert!(
        groups_before.len() >= 3,
        "DEFAULT, live, canary: {before:#?}"
    );

    let (ok, dry, err) = destroy(&w, &["--env", "dev", "weather", "--dry-run"]).await;
    assert!(ok, "{err}");
    assert_eq!(dry["dryRun"], true);
    assert!(strings(&dry["deleted"]).is_empty());
    assert_eq!(inventory(&c).await, before, "a dry run changes nothing");
    assert!(
        destroys(&w).is_empty(),
        "a dry run is not audited as a change"
    );
    let planned = strings(&dry["calls"]);
    let kinds: Vec<&str> = planned
        .iter()
        .map(|l| l.split(' ').next().unwrap_or_default())
        .collect();
    assert_eq!(
        kinds,
        [
            "DeleteGatewayRule",
            "DeleteGatewayTarget",
            "DeleteGatewayTarget",
            "DeleteMetricFilter",
            "DeleteMetricFilter",
            "DeleteMetricFilter",
            "DeleteAlarms",
            "DeleteAgentRuntimeEndpoint",
            "DeleteAgentRuntimeEndpoint",
            "DeleteAgentRuntime",
        ],
        "{planned:#?}"
    );

    let (ok, done, err) = destroy(&w, &["--env", "dev", "weather"]).await;
    assert!(ok, "{err}");
    assert_eq!(
        strings(&done["calls"]),
        planned,
        "the dry run's calls exactly"
    );
    assert_eq!(strings(&done["deleted"]), planned);
    assert!(strings(&done["notDeleted"]).is_empty());
    assert!(done["error"].is_null());
    let after = inventory(&c).await;
    for gone in ["runtime ", "endpoint ", "target ", "rule ", "alarm "] {
        assert!(having(&after, gone).is_empty(), "{gone}: {after:#?}");
    }
    assert_eq!(
        having(&after, "gateway ").len(),
        1,
        "the environment's gateway is shared: it stays"
    );
    // Without --with-logs the groups stay, without the console's metric filter.
    let kept: Vec<String> = groups_before
        .iter()
        .map(|g| g.replace("filters=1", "filters=0"))
        .collect();
    assert_eq!(having(&after, "log group "), kept);

    let audit = destroys(&w);
    assert_eq!(audit.len(), 1);
    assert_eq!(audit[0]["result"], "ok");
    assert_eq!(audit[0]["before"]["runtime"], "weather");
    assert_eq!(
        audit[0]["before"]["endpoints"].as_array().map(Vec::len),
        Some(3)
    );
    assert_eq!(strings(&audit[0]["after"]["deleted"]), planned);

    // Gone is gone: a second destroy is refused as an unknown runtime, and changes nothing.
    let (ok, _, err) = cli::run(&w, &["--env", "dev", "destroy", "weather"]).await;
    assert!(!ok && err.contains("weather"), "{err}");
    assert_eq!(inventory(&c).await, after);
    w.local.stop().await;
}

#[tokio::test]
async fn with_logs_the_log_groups_and_a_finished_rollout_go_too() {
    let w = cli::world().await;
    deploy(&w, "weather", "1", Some("live")).await;
    deploy(&w, "other", "1", Some("live")).await;
    json(&w, &["--env", "dev", "alarms", "apply", "weather"]).await;
    let c = clients(&w, "us-west-2").await;
    // A finished rollout's object: it goes with the runtime.
    let mut state = super::refusals::rollout_state(&c, "weather").await;
    state.phase = agentcore_console::domain::rollout::Phase::Promoted;
    agentcore_console::backend::rollout::store::put(&c, &state, None)
        .await
        .expect("put");
    let before = inventory(&c).await;
    assert_eq!(having(&before, "object rollouts/weather.json").len(), 1);
    let weather_groups = having(
        &before,
        "log group /aws/bedrock-agentcore/runtimes/weather-",
    );
    assert!(!weather_groups.is_empty(), "{before:#?}");

    let (ok, done, err) = destroy(&w, &["--env", "dev", "weather", "--with-logs"]).await;
    assert!(ok, "{err}");
    let calls = strings(&done["calls"]);
    assert!(
        !calls.iter().any(|c| c.starts_with("DeleteMetricFilter")),
        "the filters go with their groups: {calls:#?}"
    );
    assert_eq!(
        calls
            .iter()
            .filter(|c| c.starts_with("DeleteLogGroup"))
            .count(),
        weather_groups.len()
    );
    let after = inventory(&c).await;
    // Only weather's things are gone; `other` keeps its runtime, endpoints and logs.
    let expected: Vec<String> = before
        .iter()
        .filter(|l| !l.contains("weather"))
        .cloned()
        .collect();
    assert_eq!(after, expected);
    assert!(!having(&after, "log group /aws/bedrock-agentcore/runtimes/other-").is_empty());
    w.local.stop().await;
}
