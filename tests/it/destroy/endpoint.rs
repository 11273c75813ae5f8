//! `--endpoint NAME`: only that endpoint, its gateway target, its alarms and (with
//! `--with-logs`) its log group; the runtime and everything else stay.

use super::*;

#[tokio::test]
async fn only_the_endpoint_named_goes() {
    let w = cli::world().await;
    promoted(&w, "weather").await;
    let c = clients(&w, "us-west-2").await;
    let before = inventory(&c).await;
    let (ok, done, err) = destroy(
        &w,
        &[
            "--env",
            "dev",
            "weather",
            "--endpoint",
            "canary",
            "--with-logs",
        ],
    )
    .await;
    assert!(ok, "{err}");
    assert_eq!(done["endpoint"], "canary");
    let calls = strings(&done["calls"]);
    assert!(
        calls
            .iter()
            .all(|c| !c.starts_with("DeleteAgentRuntime ") && !c.starts_with("DeleteGatewayRule")),
        "{calls:#?}"
    );
    let after = inventory(&c).await;
    let gone: Vec<&String> = before.iter().filter(|l| !after.contains(l)).collect();
    assert!(
        after.iter().all(|l| before.contains(l)),
        "nothing new: {after:#?}"
    );
    // What went: the canary's endpoint, target, alarms and log group; nothing else.
    assert!(!gone.is_empty());
    for g in &gone {
        assert!(g.contains("canary"), "{g} is not the canary's: {gone:#?}");
    }
    assert!(
        gone.iter()
            .any(|g| g.starts_with("endpoint weather/canary"))
    );
    assert!(gone.iter().any(|g| *g == "target weather-canary"));
    assert!(
        gone.iter()
            .any(|g| g.starts_with("alarm agentcore-console/weather/canary/"))
    );
    assert!(
        gone.iter()
            .any(|g| g.starts_with("log group ") && g.contains("-canary "))
    );
    for kept in [
        "runtime weather",
        "endpoint weather/live live=2",
        "target weather-stable",
    ] {
        assert!(after.iter().any(|l| l == kept), "{kept}: {after:#?}");
    }
    assert_eq!(having(&after, "rule ").len(), 1);
    // The runtime still answers on `live`.
    let tools = json(
        &w,
        &["--env", "dev", "tools", "weather", "--qualifier", "live"],
    )
    .await;
    assert_eq!(tools[0]["name"], "version");
    w.local.stop().await;
}
