//! The canary split end to end: `traffic set/show/abort/promote` from the binary, and the
//! local gateway routing sessions by weight with stickiness, one rule per runtime.

use crate::support::cli;
use crate::support::emulator as support;
use crate::support::faults;
use crate::support::sessions;

use cli::{World, json, run};
use serde_json::Value;
use sessions::{call, deploy, new_session, pairs, post, sessions_on, set, weights};

/// dev with `weather` v1 on `live` and a v2.
async fn world() -> World {
    let w = cli::world().await;
    deploy(&w, "weather", "1", Some("live")).await;
    deploy(&w, "weather", "2", None).await;
    w
}

#[tokio::test]
async fn a_75_25_split_routes_sessions_by_weight_and_keeps_them_sticky() {
    let w = world().await;
    let view = set(&w, "weather", "2", "25").await;
    assert_eq!(view["canary"]["liveVersion"], "2");
    assert_eq!(view["stable"]["liveVersion"], "1");
    assert_eq!(
        weights(&view),
        pairs(&[("weather-stable", 75), ("weather-canary", 25)])
    );
    let url = view["gatewayUrl"]
        .as_str()
        .expect("gateway url")
        .to_string();

    let sessions = 400;
    let mut canary = 0;
    let mut opened = vec![];
    for _ in 0..sessions {
        let (target, session, _) = new_session(&url).await;
        if target == "weather-canary" {
            canary += 1;
        }
        opened.push((target, session));
    }
    // Binomial(400, 0.25): sd ≈ 8.7; ±4 sd.
    assert!(
        (65..=135).contains(&canary),
        "canary got {canary} of {sessions} new sessions"
    );
    for (target, session) in opened.iter().take(8) {
        for _ in 0..5 {
            let (t, version) = call(&url, session).await;
            assert_eq!(&t, target, "a session stays on its target");
            assert_eq!(version, if target == "weather-canary" { "2" } else { "1" });
        }
    }

    let shown = json(&w, &["--env", "dev", "traffic", "show", "weather"]).await;
    assert_eq!(shown["routes"][1]["weight"], 25);
    // What really happened, from the metrics the gateway's invocations recorded.
    let observed = &shown["observed"];
    assert!(observed["error"].is_null(), "{observed}");
    let leg = |i: usize, k: &str| observed["legs"][i][k].as_f64().unwrap_or(-1.0);
    assert_eq!(observed["legs"][1]["qualifier"], "canary");
    assert_eq!(leg(1, "sessions"), f64::from(canary), "{observed}");
    let on_canary = opened
        .iter()
        .take(8)
        .filter(|(t, _)| t == "weather-canary")
        .count();
    assert_eq!(
        leg(1, "invocations"),
        f64::from(canary) + 5.0 * on_canary as f64,
        "{observed}"
    );
    let share = leg(1, "sessionShare");
    assert!((10.0..=40.0).contains(&share), "{observed}");
    let (ok, table, err) = run(&w, &["--env", "dev", "traffic", "show", "weather"]).await;
    // The canary endpoint moved a moment ago: only the traffic since counts.
    assert!(
        ok && table.contains("min, since an endpoint last moved (CloudWatch)"),
        "{table}{err}"
    );
    let minutes = observed["windowMinutes"].as_i64().unwrap_or(0);
    assert!((1..=2).contains(&minutes), "{observed}");

    let aborted = json(&w, &["--env", "dev", "traffic", "abort", "weather"]).await;
    assert_eq!(aborted["routes"].as_array().map(Vec::len), Some(1));
    for _ in 0..20 {
        assert_eq!(new_session(&url).await.0, "weather-stable");
    }
    // A session opened on the canary before the abort stays there: sessions are sticky.
    let (_, earlier) = opened
        .iter()
        .find(|(t, _)| t == "weather-canary")
        .expect("a canary session among 400");
    assert_eq!(
        call(&url, earlier).await,
        ("weather-canary".to_string(), "2".to_string())
    );
    // The CLI's MCP client can go through the gateway too (a new session: stable now).
    let via = json(
        &w,
        &[
            "--env",
            "dev",
            "invoke",
            "weather",
            "--tool",
            "version",
            "--via-gateway",
        ],
    )
    .await;
    assert_eq!(via["content"][0]["text"], "1");
    // After a promote, new sessions get the new version on stable.
    let promoted = json(&w, &["--env", "dev", "traffic", "promote", "weather"]).await;
    assert_eq!(promoted["stable"]["liveVersion"], "2");
    let (_, session, _) = new_session(&url).await;
    assert_eq!(
        call(&url, &session).await,
        ("weather-stable".to_string(), "2".to_string())
    );

    let actions: Vec<String> = cli::audit(&w)
        .iter()
        .map(|e| e["action"].as_str().expect("action").to_string())
        .collect();
    assert_eq!(
        &actions[2..],
        ["traffic.set", "traffic.abort", "traffic.promote"]
    );
    w.local.stop().await;
}

#[tokio::test]
async fn bad_traffic_input_changes_nothing() {
    let w = world().await;
    set(&w, "weather", "2", "10").await;
    for (args, expect) in [
        (
            vec!["--weight", "150", "--canary-version", "2"],
            "outside 0..100",
        ),
        (
            vec!["--weight", "-5", "--canary-version", "2"],
            "outside 0..100",
        ),
        (
            vec!["--weight", "20", "--canary-version", "99"],
            "no version 99",
        ),
    ] {
        let mut all = vec!["--env", "dev", "traffic", "set", "weather"];
        all.extend(args);
        let (ok, _, err) = run(&w, &all).await;
        assert!(!ok && err.contains(expect), "{all:?}: {err}");
    }
    let (ok, _, err) = run(
        &w,
        &[
            "--env",
            "dev",
            "traffic",
            "set",
            "ghost",
            "--canary-version",
            "1",
            "--weight",
            "5",
        ],
    )
    .await;
    assert!(!ok && err.contains("runtime `ghost` not found"), "{err}");
    let (ok, _, err) = run(&w, &["--env", "prod", "traffic", "abort", "weather"]).await;
    assert!(!ok && err.contains("read-only"), "{err}");
    let view = json(&w, &["--env", "dev", "traffic", "show", "weather"]).await;
    assert_eq!(view["routes"][1]["weight"], 10, "the split is unchanged");
    assert_eq!(view["canary"]["liveVersion"], "2");
    // Without a stable endpoint there is nothing to split against: refused before the canary
    // endpoint moves.
    deploy(&w, "solo", "1", None).await;
    let (ok, _, err) = run(
        &w,
        &[
            "--env",
            "dev",
            "traffic",
            "set",
            "solo",
            "--canary-version",
            "1",
            "--weight",
            "5",
        ],
    )
    .await;
    assert!(
        !ok && err.contains("no `live` endpoint serving a version"),
        "{err}"
    );
    let solo = json(&w, &["--env", "dev", "traffic", "show", "solo"]).await;
    assert!(solo["canary"]["liveVersion"].is_null(), "{solo}");
    // Each refusal is in the audit trail as one, whether the input or the runtime said no.
    let refused: Vec<String> = cli::audit(&w)
        .iter()
        .filter_map(|e| e["result"].as_str())
        .filter(|r| r.starts_with("refused: "))
        .map(str::to_string)
        .collect();
    for why in [
        "outside 0..100",
        "no version 99",
        "`ghost` not found",
        "read-only",
    ] {
        assert!(
            refused.iter().any(|r| r.contains(why)),
            "no refusal for {why}: {refused:?}"
        );
    }
    w.local.stop().await;
}

#[tokio::test]
async fn two_runtimes_in_one_environment_each_get_their_own_split() {
    let w = cli::world().await;
    for rt in ["alpha", "beta_mcp"] {
        deploy(&w, rt, &format!("{rt}-1"), Some("live")).await;
        deploy(&w, rt, &format!("{rt}-2"), None).await;
    }
    assert_eq!(
        set(&w, "alpha", "2", "25").await["canary"]["liveVersion"],
        "2"
    );
    // Before beta has a rule of its own, alpha's does not answer for it.
    let (ok, _, err) = run(
        &w,
        &[
            "--env",
            "dev",
            "invoke",
            "beta_mcp",
            "--tool",
            "version",
            "--via-gateway",
        ],
    )
    .await;
    assert!(!ok && err.contains("`beta_mcp` has no split"), "{err}");
    let beta = set(&w, "beta_mcp", "2", "10").await;
    assert_eq!(beta["canary"]["liveVersion"], "2");
    // `show` reads each runtime's own rule.
    let alpha = json(&w, &["--env", "dev", "traffic", "show", "alpha"]).await;
    let shown = json(&w, &["--env", "dev", "traffic", "show", "beta_mcp"]).await;
    assert_eq!(shown["routes"], beta["routes"]);
    assert_eq!(
        weights(&alpha),
        pairs(&[("alpha-stable", 75), ("alpha-canary", 25)])
    );
    assert_eq!(
        weights(&shown),
        pairs(&[("beta-mcp-stable", 90), ("beta-mcp-canary", 10)])
    );
    assert_eq!(alpha["rule"]["matchPaths"], serde_json::json!(["/alpha/*"]));
    assert_eq!(
        shown["rule"]["matchPaths"],
        serde_json::json!(["/beta-mcp/*"])
    );
    assert_eq!(
        (
            alpha["rule"]["priority"].as_i64(),
            shown["rule"]["priority"].as_i64()
        ),
        (Some(1), Some(2))
    );
    let url = |v: &Value| v["gatewayUrl"].as_str().expect("gateway url").to_string();
    let (alpha_url, beta_url) = (url(&alpha), url(&shown));
    assert!(alpha_url.ends_with("/alpha/invocations"), "{alpha_url}");
    assert!(beta_url.ends_with("/beta-mcp/invocations"), "{beta_url}");

    // Each path splits by its own weights, answered only by its own runtime.
    let n = 300;
    let a = sessions_on(&alpha_url, "alpha", n).await;
    let b = sessions_on(&beta_url, "beta_mcp", n).await;
    // Binomial(300, 0.25): sd 7.5; Binomial(300, 0.10): sd 5.2; ±4 sd.
    assert!((45..=105).contains(&a), "alpha's canary got {a} of {n}");
    assert!((10..=51).contains(&b), "beta's canary got {b} of {n}");

    // The CLI's MCP client takes the runtime's own path.
    let via = json(
        &w,
        &[
            "--env",
            "dev",
            "invoke",
            "beta_mcp",
            "--tool",
            "version",
            "--via-gateway",
        ],
    )
    .await;
    let text = via["content"][0]["text"].as_str().unwrap_or_default();
    assert!(text.starts_with("beta_mcp-"), "answered by {text}");

    // A path no rule matches gets an error, not another runtime.
    let root = alpha_url.trim_end_matches("/alpha/invocations");
    let (status, resp) = post(&format!("{root}/nobody/invocations"), None, sessions::INIT).await;
    assert_eq!(status, 404, "{resp}");
    assert!(resp.contains("ResourceNotFoundException"), "{resp}");

    // Aborting one leaves the other's split.
    let aborted = json(&w, &["--env", "dev", "traffic", "abort", "alpha"]).await;
    assert_eq!(weights(&aborted), pairs(&[("alpha-stable", 100)]));
    assert_eq!(
        aborted["rule"]["priority"], 1,
        "an update keeps its priority"
    );
    let still = json(&w, &["--env", "dev", "traffic", "show", "beta_mcp"]).await;
    assert_eq!(
        weights(&still),
        pairs(&[("beta-mcp-stable", 90), ("beta-mcp-canary", 10)])
    );
    assert_eq!(sessions_on(&alpha_url, "alpha", 20).await, 0);
    assert!(sessions_on(&beta_url, "beta_mcp", 200).await > 0);

    let sets: Vec<(String, Value)> = cli::audit(&w)
        .into_iter()
        .filter(|e| e["action"] == "traffic.set")
        .map(|e| (e["target"].as_str().unwrap_or_default().to_string(), e))
        .collect();
    assert_eq!(sets.len(), 2);
    for (target, e) in &sets {
        assert_eq!(e["result"], "ok", "{target}: {e}");
        assert_eq!(e["after"]["endpoint"], "canary", "{e}");
        assert_eq!(e["after"]["version"], "2", "{e}");
    }
    w.local.stop().await;
}

#[tokio::test]
async fn rollback_after_a_promote_returns_live_to_what_it_served() {
    let w = cli::world().await;
    deploy(&w, "weather", "1", Some("live")).await;
    deploy(&w, "weather", "2", None).await;
    deploy(&w, "weather", "3", None).await;
    set(&w, "weather", "3", "25").await;
    let promoted = json(&w, &["--env", "dev", "traffic", "promote", "weather"]).await;
    assert_eq!(promoted["stable"]["liveVersion"], "3");
    let back = json(
        &w,
        &["--env", "dev", "rollback", "weather", "--endpoint", "live"],
    )
    .await;
    assert_eq!(
        (back["from"].as_str(), back["to"].as_str()),
        (Some("3"), Some("1")),
        "{back}"
    );

    let audit = cli::audit(&w);
    let entry = |action: &str| {
        audit
            .iter()
            .find(|e| e["action"] == action)
            .unwrap_or_else(|| panic!("no {action} in {audit:?}"))
    };
    let moved = |e: &Value| {
        (
            e["before"]["endpoint"].clone(),
            e["before"]["version"].clone(),
            e["after"]["endpoint"].clone(),
            e["after"]["version"].clone(),
        )
    };
    use serde_json::json as j;
    let set_entry = entry("traffic.set");
    assert_eq!(
        moved(set_entry),
        (j!("canary"), j!(null), j!("canary"), j!("3"))
    );
    assert_eq!(
        set_entry["after"]["weights"][1],
        j!({"target": "weather-canary", "weight": 25})
    );
    let promote = entry("traffic.promote");
    assert_eq!(moved(promote), (j!("live"), j!("1"), j!("live"), j!("3")));
    assert_eq!(promote["after"]["stable"], "3");
    assert_eq!(
        moved(entry("rollback")),
        (j!("live"), j!("3"), j!("live"), j!("1"))
    );
    w.local.stop().await;
}

#[tokio::test]
async fn a_rule_write_failing_after_the_endpoint_moved_says_what_changed() {
    let w = world().await;
    // Every gateway rule write fails (a 5xx the SDK retries, then gives up on).
    for op in ["CreateGatewayRule", "UpdateGatewayRule"] {
        faults::add(&w.local.url, &format!("bedrock-agentcore:{op}:error500")).await;
    }
    let (ok, _, err) = run(
        &w,
        &[
            "--env",
            "dev",
            "traffic",
            "set",
            "weather",
            "--canary-version",
            "2",
            "--weight",
            "25",
        ],
    )
    .await;
    assert!(!ok, "{err}");
    assert!(
        err.contains("endpoint `canary` now serves version 2 (was none)")
            && err.contains("the split was not changed")
            && err.contains("an injected fault"),
        "{err}"
    );
    faults::clear(&w.local.url).await;
    let last = cli::audit(&w).pop().expect("entry");
    assert_eq!(last["action"], "traffic.set");
    assert!(
        last["result"]
            .as_str()
            .is_some_and(|r| r.starts_with("error: ")),
        "{last}"
    );
    assert_eq!(last["after"]["endpoint"], "canary");
    assert_eq!(
        last["after"]["version"], "2",
        "the move that did happen: {last}"
    );
    assert_eq!(last["after"]["weights"], serde_json::json!([]));
    let view = json(&w, &["--env", "dev", "traffic", "show", "weather"]).await;
    assert_eq!(view["canary"]["liveVersion"], "2");
    w.local.stop().await;
}

#[tokio::test]
async fn a_catch_all_rule_from_before_the_path_scheme_gets_its_runtimes_path() {
    let w = cli::world().await;
    deploy(&w, "alpha", "alpha-1", Some("live")).await;
    deploy(&w, "beta_mcp", "beta_mcp-1", Some("live")).await;
    deploy(&w, "beta_mcp", "beta_mcp-2", None).await;
    let alpha = set(&w, "alpha", "1", "0").await;
    // What the console wrote before the path scheme: alpha's rule as a catch-all.
    let c = support::clients(&w.local.url, "us-west-2").await;
    let gateways = c.control.list_gateways().send().await.expect("gateways");
    let gw = gateways.items()[0].gateway_id().to_string();
    let rule = alpha["rule"]["id"].as_str().expect("rule id").to_string();
    c.control
        .update_gateway_rule()
        .gateway_identifier(&gw)
        .rule_id(&rule)
        .set_conditions(Some(vec![]))
        .send()
        .await
        .expect("make it a catch-all");
    let legacy = json(&w, &["--env", "dev", "traffic", "show", "alpha"]).await;
    assert_eq!(legacy["rule"]["matchPaths"], serde_json::json!([]));

    let beta = set(&w, "beta_mcp", "2", "10").await;
    let got = c
        .control
        .get_gateway_rule()
        .gateway_identifier(&gw)
        .rule_id(&rule)
        .send()
        .await
        .expect("alpha's rule");
    let paths: Vec<Vec<String>> = got
        .conditions()
        .iter()
        .filter_map(|c| c.as_match_paths().ok().map(|m| m.any_of().to_vec()))
        .collect();
    assert_eq!(paths, [vec!["/alpha/*".to_string()]]);
    let url = beta["gatewayUrl"].as_str().expect("url");
    assert!(sessions_on(url, "beta_mcp", 100).await > 0);
    let alpha = json(&w, &["--env", "dev", "traffic", "show", "alpha"]).await;
    assert_eq!(weights(&alpha), pairs(&[("alpha-stable", 100)]));
    w.local.stop().await;
}
