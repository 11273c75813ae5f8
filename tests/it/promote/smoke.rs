//! `promote --smoke FILE`: the smoke checks are part of the target version's validation, so a
//! failing one leaves the target's endpoint where it was.

use serde_json::Value;

use super::{deploy_dir, promote, world};
use crate::support::cli;

/// Where `live` points in `env`.
async fn live(w: &cli::World, env: &str) -> Value {
    let show = cli::json(w, &["--env", env, "runtime", "show", "tiny"]).await;
    show["runtime"]["endpoints"]
        .as_array()
        .expect("endpoints")
        .iter()
        .find(|e| e["name"] == "live")
        .map(|e| e["liveVersion"].clone())
        .expect("live")
}

async fn run(w: &cli::World, a: Vec<String>) -> (bool, String, String) {
    let refs: Vec<&str> = a.iter().map(String::as_str).collect();
    promote(w, &refs).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn smoke_checks_gate_the_promoted_version() {
    let w = world().await;
    deploy_dir(&w, "staging").await;
    deploy_dir(&w, "dev").await;
    let file = |name: &str, expect: &str| {
        let path = w.state.with_file_name(name);
        std::fs::write(
            &path,
            format!("[[check]]\ntool = \"version\"\ntext_contains = \"{expect}\"\n"),
        )
        .expect("smoke file");
        path.to_str().expect("utf8").to_string()
    };
    let (failing, passing) = (file("fail.toml", "build-9"), file("pass.toml", "build-7"));
    let args = |smoke: &str| {
        vec![
            "--from".to_string(),
            "dev".into(),
            "--to".into(),
            "staging".into(),
            "--endpoint".into(),
            "live".into(),
            "--env-var".into(),
            "APP_VERSION=build-7".into(),
            "--smoke".into(),
            smoke.to_string(),
        ]
    };
    let (ok, _, err) = run(&w, args(&failing)).await;
    assert!(!ok);
    assert!(err.contains("build-9"), "{err}");
    assert_eq!(live(&w, "staging").await, "1", "the endpoint did not move");
    let (ok, out, err) = run(&w, args(&passing)).await;
    assert!(ok, "{err}");
    let r: Value = serde_json::from_str(&out).expect("json");
    assert_eq!(r["endpoint"]["to"], r["to"]["version"]);
    assert_eq!(live(&w, "staging").await, r["to"]["version"]);
    // A smoke file with an unknown key is refused before any call, naming file:line:key.
    let bad = w.state.with_file_name("bad.toml");
    std::fs::write(&bad, "[[check]]\ntool = \"version\"\ncolour = 1\n").expect("file");
    let (ok, _, err) = run(&w, args(bad.to_str().expect("utf8"))).await;
    assert!(!ok);
    assert!(
        err.contains("--smoke: ") && err.contains("bad.toml:3"),
        "{err}"
    );
}
