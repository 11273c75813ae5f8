//! `runtimes`, `metrics` and `deploy` through throttling and 5xx: they get through at rates
//! the SDK's retries absorb, and fail clearly (after the retries) at 100%, saying what was
//! done before the failure.

use crate::support::cli::{FIXTURE_DIR, json, run, world};
use crate::support::faults;

#[tokio::test]
async fn runtimes_through_throttling_and_5xx() {
    let w = world().await;
    json(&w, &deploy_args(&[])).await;
    let spec = "bedrock-agentcore:ListAgentRuntimes:throttle@0.5";
    faults::add(&w.local.url, spec).await;
    for _ in 0..3 {
        let v = json(&w, &["--env", "dev", "runtimes"]).await;
        assert!(v.to_string().contains("weather"), "{v}");
    }
    let (matched, applied) = faults::counts(&w.local.url, spec).await;
    assert!(
        applied >= 2 && applied == matched / 2,
        "{matched} calls, {applied} throttled"
    );
    faults::clear(&w.local.url).await;

    let spec = "bedrock-agentcore:ListAgentRuntimes:error500";
    faults::add(&w.local.url, spec).await;
    let (ok, out, err) = run(&w, &["--env", "dev", "runtimes"]).await;
    assert!(!ok, "{out}");
    assert!(
        out.contains("ListAgentRuntimes: InternalServerException"),
        "the environment's row says why: {out}"
    );
    assert!(
        err.contains("1 of 1 environments could not be listed: dev"),
        "{err}"
    );
    assert_eq!(
        faults::counts(&w.local.url, spec).await.1,
        3,
        "the SDK's three attempts"
    );
    w.local.stop().await;
}

#[tokio::test]
async fn metrics_through_throttling_and_5xx() {
    let w = world().await;
    json(&w, &deploy_args(&[])).await;
    let spec = "monitoring:GetMetricData:throttle@0.5";
    faults::add(&w.local.url, spec).await;
    for _ in 0..3 {
        json(&w, &["--env", "dev", "metrics", "weather"]).await;
    }
    let (matched, applied) = faults::counts(&w.local.url, spec).await;
    assert!(
        applied >= 1 && applied == matched / 2,
        "{matched} calls, {applied} throttled"
    );
    faults::clear(&w.local.url).await;

    for (spec, code) in [
        ("monitoring:GetMetricData:throttle", "Throttling"),
        ("monitoring:*:error500", "InternalServiceError"),
    ] {
        faults::add(&w.local.url, spec).await;
        let (ok, out, err) = run(&w, &["--env", "dev", "metrics", "weather"]).await;
        assert!(!ok, "{out}");
        assert!(err.contains("GetMetricData") && err.contains(code), "{err}");
        let (matched, applied) = faults::counts(&w.local.url, spec).await;
        assert!(matched >= 3 && applied == matched, "{matched} {applied}");
        faults::clear(&w.local.url).await;
    }
    w.local.stop().await;
}

#[tokio::test]
async fn deploy_through_throttling_then_a_5xx_after_the_version_exists_says_so() {
    let w = world().await;
    // Every control-plane and S3 call of a deploy (InvokeAgentRuntime, which validates, is
    // never retried by the console: a tool call is not idempotent).
    let specs = [
        "s3:*:throttle@0.5",
        "sts:*:throttle@0.5",
        "bedrock-agentcore:ListAgentRuntimes:throttle@0.5",
        "bedrock-agentcore:CreateAgentRuntime:throttle@0.5",
        "bedrock-agentcore:GetAgentRuntime:throttle@0.5",
        "bedrock-agentcore:ListAgentRuntimeEndpoints:throttle@0.5",
        "bedrock-agentcore:CreateAgentRuntimeEndpoint:throttle@0.5",
        "bedrock-agentcore:GetAgentRuntimeEndpoint:throttle@0.5",
    ];
    for spec in specs {
        faults::add(&w.local.url, spec).await;
    }
    let first = json(&w, &deploy_args(&["APP_VERSION=1"])).await;
    assert_eq!(first["version"], "1", "{first}");
    let mut throttled = 0;
    for spec in specs {
        let (matched, applied) = faults::counts(&w.local.url, spec).await;
        assert_eq!(applied, matched / 2, "{spec}");
        throttled += applied;
    }
    assert!(throttled >= 3, "{throttled} calls throttled");
    faults::clear(&w.local.url).await;

    let spec = "bedrock-agentcore:UpdateAgentRuntimeEndpoint:error500";
    faults::add(&w.local.url, spec).await;
    let args = deploy_args(&["APP_VERSION=2"]);
    let (ok, out, err) = run(&w, &args).await;
    assert!(!ok, "{out}");
    assert!(
        err.contains("moving endpoint `live` to version 2 failed: UpdateAgentRuntimeEndpoint")
            && err.contains("Version 2 was created")
            && err.contains("`live` served version 1 before")
            && err.contains("point weather --endpoint live --version 2"),
        "what was done and what was not: {err}"
    );
    assert_eq!(faults::counts(&w.local.url, spec).await.1, 3);
    faults::clear(&w.local.url).await;
    // As it said: version 2 exists and `live` still serves version 1.
    let rt = json(&w, &["--env", "dev", "runtime", "show", "weather"]).await;
    assert_eq!(rt["runtime"]["latestVersion"], "2", "{rt}");
    let live = rt["runtime"]["endpoints"]
        .as_array()
        .and_then(|a| a.iter().find(|e| e["name"] == "live"))
        .expect("live");
    assert_eq!(live["liveVersion"], "1", "{rt}");
    w.local.stop().await;
}

fn deploy_args<'a>(vars: &[&'a str]) -> Vec<&'a str> {
    let mut a = vec![
        "--env",
        "dev",
        "deploy",
        "weather",
        "--from-dir",
        FIXTURE_DIR,
        "--endpoint",
        "live",
        "--yes",
    ];
    for v in vars {
        a.extend(["--env-var", v]);
    }
    a
}
