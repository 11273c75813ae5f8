//! The write path from the built binary: deploy, tools, invoke, rollback, guard, audit, and
//! bad input that must change nothing.

use crate::support::cli;
mod checks;
mod inputs;
mod package_memory;
mod point;
mod race;
mod safety;
mod terminal;
use crate::support::emulator as support;
mod validation;

use cli::{FIXTURE_DIR, World, json, run, world};

async fn tool_version(w: &World, env: &str, qualifier: &str) -> String {
    let v = json(
        w,
        &[
            "--env",
            env,
            "invoke",
            "weather",
            "--tool",
            "version",
            "--qualifier",
            qualifier,
        ],
    )
    .await;
    v["content"][0]["text"].as_str().expect("text").to_string()
}

fn deploy_args<'a>(env: &'a str, version_var: &'a str) -> Vec<&'a str> {
    vec![
        "--env",
        env,
        "deploy",
        "weather",
        "--from-dir",
        FIXTURE_DIR,
        "--endpoint",
        "live",
        "--env-var",
        version_var,
    ]
}

#[tokio::test]
async fn deploy_call_update_and_roll_back() {
    let w = world().await;
    let first = json(&w, &deploy_args("dev", "APP_VERSION=1")).await;
    assert_eq!(
        (first["version"].as_str(), first["created"].as_bool()),
        (Some("1"), Some(true))
    );
    assert_eq!(first["tools"], 1);
    assert!(
        first["artifact"]
            .as_str()
            .expect("artifact")
            .starts_with("s3://agentcore-console-123456789012-us-west-2/weather/")
    );
    let tools = json(&w, &["--env", "dev", "tools", "weather"]).await;
    assert_eq!(tools[0]["name"], "version");
    assert_eq!(tool_version(&w, "dev", "live").await, "1");

    let second = json(&w, &deploy_args("dev", "APP_VERSION=2")).await;
    assert_eq!(second["version"], "2");
    assert_eq!(
        (
            second["endpoint"]["from"].as_str(),
            second["endpoint"]["to"].as_str()
        ),
        (Some("1"), Some("2"))
    );
    assert_eq!(tool_version(&w, "dev", "live").await, "2");

    let back = json(
        &w,
        &["--env", "dev", "rollback", "weather", "--endpoint", "live"],
    )
    .await;
    assert_eq!(
        (back["from"].as_str(), back["to"].as_str()),
        (Some("2"), Some("1"))
    );
    assert_eq!(tool_version(&w, "dev", "live").await, "1");
    assert_eq!(
        tool_version(&w, "dev", "DEFAULT").await,
        "2",
        "DEFAULT still follows the latest"
    );
    let forward = json(
        &w,
        &[
            "--env",
            "dev",
            "rollback",
            "weather",
            "--endpoint",
            "live",
            "--to-version",
            "2",
        ],
    )
    .await;
    assert_eq!(forward["to"], "2");

    let entries = cli::audit(&w);
    let actions: Vec<&str> = entries
        .iter()
        .filter_map(|e| e["action"].as_str())
        .collect();
    assert_eq!(actions, ["deploy", "deploy", "rollback", "rollback"]);
    for e in &entries {
        let t = e["time"].as_str().expect("time");
        assert!(
            t.len() == 24 && t.ends_with('Z'),
            "milliseconds, fixed width: {t}"
        );
    }
    let e = &entries[2];
    assert_eq!(
        (
            e["env"].as_str(),
            e["target"].as_str(),
            e["result"].as_str()
        ),
        (Some("dev"), Some("weather"), Some("ok"))
    );
    assert_eq!(
        (
            e["before"]["version"].as_str(),
            e["after"]["version"].as_str()
        ),
        (Some("2"), Some("1"))
    );
    assert!(
        e["command"]
            .as_str()
            .expect("command")
            .starts_with("agentcore-console --config")
    );
    assert_eq!(e["identity"], "arn:aws:iam::123456789012:user/local");
    let listed = json(&w, &["audit"]).await;
    assert_eq!(listed.as_array().map(Vec::len), Some(4));
    w.local.stop().await;
}

#[tokio::test]
async fn protected_environments_refuse_writes_unless_armed() {
    let w = world().await;
    let (success, _, stderr) = run(&w, &deploy_args("prod", "APP_VERSION=1")).await;
    assert!(!success);
    assert!(
        stderr.contains("read-only") && stderr.contains("--arm"),
        "{stderr}"
    );
    let rows = json(&w, &["--env", "prod", "runtimes"]).await;
    assert_eq!(
        rows.as_array().map(Vec::len),
        Some(0),
        "nothing was created"
    );
    let refused = cli::audit(&w);
    assert_eq!(refused.len(), 1, "the refusal is audited: {refused:?}");
    assert_eq!(
        (refused[0]["env"].as_str(), refused[0]["action"].as_str()),
        (Some("prod"), Some("deploy"))
    );
    assert!(
        refused[0]["result"]
            .as_str()
            .is_some_and(|r| r.starts_with("refused: ") && r.contains("read-only")),
        "{}",
        refused[0]
    );

    let mut armed = deploy_args("prod", "APP_VERSION=1");
    armed.push("--arm");
    let report = json(&w, &armed).await;
    assert_eq!(report["env"], "prod");
    let (success, _, stderr) = run(
        &w,
        &[
            "--env",
            "prod",
            "rollback",
            "weather",
            "--endpoint",
            "live",
            "--to-version",
            "1",
        ],
    )
    .await;
    assert!(!success && stderr.contains("read-only"), "{stderr}");
    let results: Vec<String> = cli::audit(&w)
        .iter()
        .map(|e| format!("{} {}", e["action"], e["result"]))
        .collect();
    assert_eq!(results.len(), 3, "{results:?}");
    assert!(results[1].ends_with("\"ok\""), "{results:?}");
    assert!(
        results[2].starts_with("\"rollback\" \"refused: "),
        "{results:?}"
    );
    w.local.stop().await;
}

#[tokio::test]
async fn bad_input_is_refused_and_changes_nothing() {
    let w = world().await;
    let empty = tempfile::tempdir().expect("tempdir");
    let (success, _, stderr) = run(
        &w,
        &[
            "--env",
            "dev",
            "deploy",
            "weather",
            "--from-dir",
            &empty.path().display().to_string(),
        ],
    )
    .await;
    assert!(
        !success && stderr.contains("entry point `main.py`"),
        "{stderr}"
    );
    let (success, _, stderr) = run(
        &w,
        &[
            "--env",
            "qa",
            "deploy",
            "weather",
            "--from-dir",
            FIXTURE_DIR,
        ],
    )
    .await;
    assert!(
        !success && stderr.contains("unknown environment `qa`"),
        "{stderr}"
    );
    assert_eq!(
        json(&w, &["--env", "dev", "runtimes"])
            .await
            .as_array()
            .map(Vec::len),
        Some(0)
    );

    json(&w, &deploy_args("dev", "APP_VERSION=1")).await;
    // A version whose server never comes up fails the deploy and leaves `live` alone.
    let (success, _, stderr) = run(&w, &deploy_args("dev", "FIXTURE_MODE=exit")).await;
    assert!(
        !success && stderr.contains("UPDATE_FAILED") && stderr.contains("exiting as asked"),
        "{stderr}"
    );
    assert_eq!(tool_version(&w, "dev", "live").await, "1");

    let (success, _, stderr) = run(
        &w,
        &[
            "--env",
            "dev",
            "rollback",
            "weather",
            "--endpoint",
            "live",
            "--to-version",
            "99",
        ],
    )
    .await;
    assert!(!success && stderr.contains("no version 99"), "{stderr}");
    let (success, _, stderr) = run(
        &w,
        &["--env", "dev", "rollback", "weather", "--endpoint", "nope"],
    )
    .await;
    assert!(
        !success && stderr.contains("no endpoint `nope`"),
        "{stderr}"
    );
    let (success, _, stderr) = run(
        &w,
        &["--env", "dev", "rollback", "ghost", "--endpoint", "live"],
    )
    .await;
    assert!(
        !success && stderr.contains("runtime `ghost` not found"),
        "{stderr}"
    );
    assert_eq!(tool_version(&w, "dev", "live").await, "1");

    let (success, _, stderr) = run(
        &w,
        &[
            "--env", "dev", "invoke", "weather", "--tool", "version", "--args", "[1]",
        ],
    )
    .await;
    assert!(
        !success && stderr.contains("do not match the input schema"),
        "{stderr}"
    );
    let (success, _, stderr) = run(
        &w,
        &[
            "--env",
            "dev",
            "invoke",
            "weather",
            "--tool",
            "version",
            "--args",
            "{not json",
        ],
    )
    .await;
    assert!(!success && stderr.contains("not JSON"), "{stderr}");
    let (success, _, stderr) = run(
        &w,
        &["--env", "dev", "invoke", "weather", "--tool", "absent"],
    )
    .await;
    assert!(
        !success && stderr.contains("unknown tool `absent`"),
        "{stderr}"
    );
    let results: Vec<String> = cli::audit(&w)
        .iter()
        .filter_map(|e| e["result"].as_str().map(str::to_string))
        .collect();
    assert_eq!(
        results.len(),
        6,
        "the refused deploy, the good one, the failed one and the three refused rollbacks are \
         audited: {results:?}"
    );
    assert!(results[0].starts_with("refused: ") && results[0].contains("entry point"));
    assert_eq!(results[1], "ok");
    assert!(results[2].starts_with("error: "));
    for (r, why) in
        results[3..]
            .iter()
            .zip(["no version 99", "no endpoint `nope`", "`ghost` not found"])
    {
        assert!(r.starts_with("refused: ") && r.contains(why), "{r}");
    }
    w.local.stop().await;
}
