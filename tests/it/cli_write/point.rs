//! `point`: an endpoint to any READY version, created if absent, audited in the shape
//! `rollback` reads.

use super::cli::{self, json, run, world};
use super::{deploy_args, tool_version};

#[tokio::test]
async fn point_creates_and_moves_an_endpoint_and_rollback_finds_its_way_back() {
    let w = world().await;
    json(&w, &deploy_args("dev", "APP_VERSION=1")).await;
    json(&w, &deploy_args("dev", "APP_VERSION=2")).await;
    let point = |endpoint: &'static str, version: &'static str| {
        let args = [
            "--env",
            "dev",
            "point",
            "weather",
            "--endpoint",
            endpoint,
            "--version",
            version,
        ];
        let w = &w;
        async move { run(w, &args).await }
    };

    let (ok, out, err) = point("canary", "1").await;
    assert!(ok, "{err}");
    assert_eq!(out.trim(), "endpoint canary: - → 1 (created)");
    assert_eq!(tool_version(&w, "dev", "canary").await, "1");
    let moved = json(
        &w,
        &[
            "--env",
            "dev",
            "point",
            "weather",
            "--endpoint",
            "canary",
            "--version",
            "2",
        ],
    )
    .await;
    assert_eq!(
        (
            moved["from"].as_str(),
            moved["to"].as_str(),
            moved["created"].as_bool()
        ),
        (Some("1"), Some("2"), Some(false))
    );
    assert_eq!(tool_version(&w, "dev", "canary").await, "2");

    // Refused, each before anything is sent.
    for (endpoint, version, why) in [
        ("canary", "2", "already serves version 2"),
        ("canary", "9", "no version 9"),
        ("DEFAULT", "1", "DEFAULT follows the latest"),
    ] {
        let (ok, _, err) = point(endpoint, version).await;
        assert!(!ok && err.contains(why), "{endpoint} → {version}: {err}");
    }

    // The point is in the audit trail as a move: rollback goes back to 1.
    let back = json(
        &w,
        &[
            "--env",
            "dev",
            "rollback",
            "weather",
            "--endpoint",
            "canary",
        ],
    )
    .await;
    assert_eq!(
        (back["from"].as_str(), back["to"].as_str()),
        (Some("2"), Some("1"))
    );
    let (refused, entries): (Vec<_>, Vec<_>) = cli::audit(&w).into_iter().partition(|e| {
        e["result"]
            .as_str()
            .is_some_and(|r| r.starts_with("refused"))
    });
    let reasons: Vec<&str> = refused
        .iter()
        .filter_map(|e| e["result"].as_str())
        .collect();
    assert_eq!(reasons.len(), 3, "each refusal is audited: {reasons:?}");
    for (r, why) in reasons
        .iter()
        .zip(["already serves", "no version 9", "DEFAULT"])
    {
        assert!(r.contains(why), "{r}");
    }
    let actions: Vec<&str> = entries
        .iter()
        .filter_map(|e| e["action"].as_str())
        .collect();
    assert_eq!(
        actions,
        [
            "deploy",
            "deploy",
            "endpoint.point",
            "endpoint.point",
            "rollback"
        ]
    );
    assert_eq!(entries[2]["before"]["version"], serde_json::Value::Null);
    assert_eq!(entries[3]["before"]["version"], "1");
    w.local.stop().await;
}
