//! `rollout status` and `rollout list` of a stored rollout: the JSON shape, the text, and
//! `stalled` once the lease has expired.

use agentcore_console::backend::rollout::now_ms;

use super::{dev, put, rollout, running};
use crate::support::cli;

#[tokio::test]
async fn status_shows_the_state_step_gates_lease_and_history() {
    let w = cli::world().await;
    let c = dev(&w).await;
    let now = now_ms();
    put(&c, &running(now)).await;

    let (code, out, err) = rollout(
        &w,
        &["status", "weather", "--env", "dev", "--output", "json"],
    )
    .await;
    assert_eq!(code, 0, "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).expect("json");
    assert_eq!(v["state"], "running");
    assert_eq!(
        (v["env"].as_str(), v["runtime"].as_str()),
        (Some("dev"), Some("weather"))
    );
    assert_eq!(v["step"]["index"], 0);
    assert_eq!(v["step"]["of"], 3);
    assert_eq!(v["step"]["kind"], "weight");
    assert_eq!(v["step"]["weight"], 10);
    let left = v["step"]["timeLeftMs"].as_i64().expect("time left");
    assert!((0..=900_000).contains(&left), "{left}");
    assert_eq!(v["plan"]["name"], "quick");
    assert_eq!(v["plan"]["kind"], "canary");
    assert_eq!(v["plan"]["gates"]["observe"][0], "max_p99_latency_ratio");
    assert_eq!(v["versions"]["canary"], "2");
    assert_eq!(v["versions"]["stable"], "1");
    assert_eq!(v["versions"]["previousCanary"], "1");
    assert_eq!(v["endpoints"]["canary"], "canary");
    let gate = &v["latest"]["gates"][0];
    assert_eq!(gate["gate"], "max_error_rate");
    assert_eq!(gate["value"], 1.0);
    assert_eq!(gate["threshold"], 5.0);
    assert_eq!(gate["samples"], 100);
    assert!(gate["stableSamples"].is_null());
    let (low, high) = (
        gate["interval"]["low"].as_f64().expect("low"),
        gate["interval"]["high"].as_f64().expect("high"),
    );
    assert!(low < 1.0 && high > 1.0, "{gate}");
    assert_eq!(gate["verdict"], "pass");
    assert_eq!(gate["observed"], false);
    assert_eq!(v["latest"]["verdict"], "pass");
    assert_eq!(v["lease"]["holder"], "ana@laptop");
    assert_eq!(v["lease"]["live"], true);
    assert_eq!(v["history"]["evaluations"], 1);
    assert_eq!(v["history"]["dropped"], 0);
    assert_eq!(v["history"]["log"][0]["event"], "start");

    let (code, out, err) = rollout(&w, &["status", "weather", "--env", "dev"]).await;
    assert_eq!(code, 0, "{err}");
    assert!(
        out.starts_with("weather in dev: running, step 1/3 at 10%"),
        "{out}"
    );
    assert!(out.contains("lease: ana@laptop until "), "{out}");
    assert!(
        out.contains("max_error_rate 1.0% <= 5.0% (95% ["),
        "the gate with its evidence: {out}"
    );
}

#[tokio::test]
async fn a_rollout_whose_lease_expired_is_stalled_and_says_what_to_run() {
    let w = cli::world().await;
    let c = dev(&w).await;
    // Started a minute ago with a 10 s lease that nobody renewed.
    put(&c, &running(now_ms() - 60_000)).await;

    let v: serde_json::Value = {
        let (code, out, err) = rollout(
            &w,
            &["status", "weather", "--env", "dev", "--output", "json"],
        )
        .await;
        assert_eq!(code, 0, "{err}");
        serde_json::from_str(&out).expect("json")
    };
    assert_eq!(v["state"], "stalled");
    assert_eq!(v["lease"]["live"], false);

    let (code, out, _) = rollout(&w, &["status", "weather", "--env", "dev"]).await;
    assert_eq!(code, 0);
    assert!(out.starts_with("weather in dev: stalled"), "{out}");
    assert!(out.contains("no driver since "), "{out}");
    assert!(
        out.contains("traffic stays at 10%: `rollout resume weather --env dev` continues it"),
        "{out}"
    );

    let (code, out, err) = rollout(&w, &["list", "--env", "dev"]).await;
    assert_eq!(code, 0, "{err}");
    let row = out.lines().nth(1).expect("a row");
    assert!(row.starts_with("weather"), "{out}");
    assert!(
        row.contains("stalled") && row.contains("step 1/3") && row.contains("10%"),
        "{out}"
    );
    let (code, out, _) = rollout(&w, &["list", "--env", "dev", "--output", "json"]).await;
    assert_eq!(code, 0);
    let all: serde_json::Value = serde_json::from_str(&out).expect("json");
    assert_eq!(all[0]["state"], "stalled");
}
