//! Two deploys to one runtime at once: each creates its own version, DEFAULT follows the newer.
//! The older deploy must notice within seconds (not wait for DEFAULT until its timeout), name
//! the newer version, leave the endpoint to it, and neither may report the other's version.

use std::sync::Mutex;
use std::time::{Duration, Instant};

use agentcore_console::backend::Backend;
use agentcore_console::backend::audit::{Actor, AuditLog};
use agentcore_console::backend::deploy::{self, DeployRequest, Source, Stage};

use super::cli::{FIXTURE_DIR, json, world};
use super::support::env;
use super::tool_version;

fn request(app_version: &str) -> DeployRequest {
    DeployRequest {
        runtime: "weather".into(),
        source: Source::Dir {
            dir: FIXTURE_DIR.into(),
            entry_point: "main.py".into(),
            language: "PYTHON_3_12".into(),
        },
        endpoint: Some("live".into()),
        role_arn: None,
        env_vars: vec![("APP_VERSION".into(), app_version.into())],
        unset_env: vec![],
        description: None,
        // Long enough that waiting it out is told apart from noticing the race at once.
        timeout: Duration::from_secs(90),
        armed: false,
        posture: Default::default(),
        allow_posture_change: false,
        smoke: None,
    }
}

#[tokio::test]
async fn of_two_concurrent_deploys_the_older_names_the_newer_and_neither_claims_the_other() {
    let w = world().await;
    json(&w, &super::deploy_args("dev", "APP_VERSION=1")).await;
    let backend = Backend::new(vec![env("dev", &w.local.url, "us-west-2", None)]);
    let dir = tempfile::tempdir().expect("tempdir");
    let audit = AuditLog::at(dir.path().join("audit.jsonl"));
    let actor = Actor::new("race test".into());
    // The second deploy starts once the first has submitted its version, so they overlap.
    let (tx, rx) = tokio::sync::oneshot::channel::<()>();
    let tx = Mutex::new(Some(tx));
    let mut first_progress = |s: Stage| {
        if matches!(s, Stage::Submitted { .. })
            && let Some(tx) = tx.lock().expect("lock").take()
        {
            let _ = tx.send(());
        }
    };
    let started = Instant::now();
    let (a_req, b_req) = (request("A"), request("B"));
    let first = deploy::deploy(&backend, "dev", &a_req, &actor, &audit, &mut first_progress);
    let second = async {
        rx.await.expect("the first deploy submitted");
        deploy::deploy(&backend, "dev", &b_req, &actor, &audit, &mut |_| {}).await
    };
    let (a, b) = tokio::join!(first, second);
    let took = started.elapsed();
    assert!(
        took < Duration::from_secs(45),
        "both ended in {took:?}, not after a timeout"
    );

    let b = b.expect("the newer deploy goes through");
    assert_eq!(b.version, "3");
    let moved = b.endpoint.as_ref().expect("live moved");
    assert_eq!(moved.to, "3");
    assert_eq!(b.tools, Some(1), "validated");
    let a = a
        .expect_err("the older deploy does not claim success")
        .to_string();
    for said in [
        "another deploy created version 3",
        "after this deploy's version 2",
        "Version 2 is READY and lists 1 tools",
        "named endpoints were not moved",
    ] {
        assert!(a.contains(said), "`{said}` missing from: {a}");
    }
    assert!(!a.contains("does not serve version"), "no timeout: {a}");
    assert_eq!(tool_version(&w, "dev", "live").await, "B");
    assert_eq!(tool_version(&w, "dev", "DEFAULT").await, "B");

    let entries = audit.read().expect("audit");
    let by_version = |v: &str| {
        entries
            .iter()
            .find(|e| e.after["version"] == v)
            .map(|e| e.result.clone())
    };
    assert_eq!(by_version("3").as_deref(), Some("ok"));
    assert!(
        by_version("2").is_some_and(|r| r.contains("another deploy created version 3")),
        "{entries:?}"
    );
    w.local.stop().await;
}
