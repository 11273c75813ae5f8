//! The built binary: `envs`, `runtimes`, `runtime show`, `local serve`, JSON output and
//! configuration errors.

use crate::support::emulator as support;

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Command as StdCommand, Stdio};
use std::time::{Duration, Instant};

use assert_cmd::Command;
use predicates::prelude::*;
use serde_json::Value;
use support::*;

const BIN: &str = env!("CARGO_BIN_EXE_agentcore-console");

fn write_config(dir: &Path, url: &str) -> std::path::PathBuf {
    let path = dir.join("environments.toml");
    std::fs::write(
        &path,
        format!(
            r#"
[environments.dev]
endpoint_url = "{url}"
region = "us-west-2"

[environments.staging]
endpoint_url = "{url}"
region = "us-east-1"

[environments.prod]
endpoint_url = "{url}"
region = "us-west-2"
account_id = "111122223333"
"#
        ),
    )
    .expect("write config");
    path
}

fn cli(config: &Path) -> Command {
    let mut c = Command::new(BIN);
    c.arg("--config")
        .arg(config)
        .env_remove("AGENTCORE_CONSOLE_CONFIG")
        .env_remove("AGENTCORE_CONSOLE_OUTPUT");
    c
}

/// Run a blocking command off the async runtime that serves the emulator.
async fn run(config: &Path, args: &[&str]) -> assert_cmd::assert::Assert {
    let mut cmd = cli(config);
    cmd.args(args);
    tokio::task::spawn_blocking(move || cmd.assert())
        .await
        .expect("join")
}

async fn seed(url: &str) -> (String, String) {
    let dev = Clients::build(&env("dev", url, "us-west-2", None)).await;
    let prod = Clients::build(&env("prod", url, "us-west-2", Some("111122223333"))).await;
    let weather = create(&dev, "weather").await;
    settled(&dev, &weather).await;
    update(&dev, &weather, "2").await;
    create_endpoint(&dev, &weather, "canary", Some("1")).await;
    settled(&dev, &weather).await;
    let billing = create(&prod, "billing").await;
    settled(&prod, &billing).await;
    (weather, billing)
}

use agentcore_console::backend::Clients;

#[tokio::test]
async fn runtimes_matrix_across_environments_in_table_and_json() {
    let dir = tempfile::tempdir().expect("tempdir");
    let local = start(&dir.path().join("state")).await;
    let (weather, billing) = seed(&local.url).await;
    let config = write_config(dir.path(), &local.url);

    let out = run(&config, &["runtimes"]).await.success();
    let text = String::from_utf8_lossy(&out.get_output().stdout).to_string();
    assert!(text.starts_with("ENV"), "{text}");
    let weather_row = text
        .lines()
        .find(|l| l.contains(&weather))
        .expect("weather row");
    assert!(
        weather_row.starts_with("dev") && weather_row.contains("READY"),
        "{weather_row}"
    );
    assert!(
        weather_row.contains("DEFAULT→2") && weather_row.contains("canary→1"),
        "{weather_row}"
    );
    assert!(
        text.lines()
            .any(|l| l.starts_with("staging") && l.contains("(no runtimes)")),
        "{text}"
    );
    assert!(
        text.lines()
            .any(|l| l.starts_with("prod") && l.contains(&billing)),
        "{text}"
    );

    let out = run(&config, &["runtimes", "--output", "json"])
        .await
        .success();
    let rows: Value = serde_json::from_slice(&out.get_output().stdout).expect("json");
    let rows = rows.as_array().expect("array");
    assert_eq!(rows.len(), 2);
    let w = rows
        .iter()
        .find(|r| r["id"] == weather.as_str())
        .expect("weather");
    assert_eq!(w["env"], "dev");
    assert_eq!(w["name"], "weather");
    assert_eq!(w["status"], "READY");
    assert_eq!(w["latestVersion"], "2");
    assert!(w["arn"].as_str().expect("arn").ends_with(&weather));
    let eps = w["endpoints"].as_array().expect("endpoints");
    let canary = eps.iter().find(|e| e["name"] == "canary").expect("canary");
    assert_eq!(
        (
            canary["liveVersion"].as_str(),
            canary["targetVersion"].as_str()
        ),
        (Some("1"), Some("1"))
    );
    assert_eq!(canary["status"], "READY");
    let b = rows
        .iter()
        .find(|r| r["id"] == billing.as_str())
        .expect("billing");
    assert_eq!(b["env"], "prod");
    assert!(b["arn"].as_str().expect("arn").contains(":111122223333:"));

    let out = run(&config, &["runtimes", "--env", "prod", "--output", "json"])
        .await
        .success();
    let rows: Value = serde_json::from_slice(&out.get_output().stdout).expect("json");
    assert_eq!(rows.as_array().map(Vec::len), Some(1));
    local.stop().await;
}

#[tokio::test]
async fn an_unreachable_environment_is_an_error_row_and_the_rest_still_list() {
    let dir = tempfile::tempdir().expect("tempdir");
    let local = start(&dir.path().join("state")).await;
    let (weather, _) = seed(&local.url).await;
    let config = dir.path().join("envs.toml");
    // Port 9 (discard) on loopback: nothing listens, the connection is refused.
    std::fs::write(
        &config,
        format!("[environments.dev]\nendpoint_url = \"{}\"\nregion = \"us-west-2\"\n[environments.down]\nendpoint_url = \"http://127.0.0.1:9\"\n", local.url),
    )
    .expect("write");
    let out = run(&config, &["runtimes"]).await.failure();
    let stdout = String::from_utf8_lossy(&out.get_output().stdout).to_string();
    let stderr = String::from_utf8_lossy(&out.get_output().stderr).to_string();
    assert!(stdout.contains(&weather), "{stdout}");
    let down = stdout
        .lines()
        .find(|l| l.starts_with("down"))
        .expect("error row");
    assert!(down.contains("ERROR"), "{down}");
    assert!(
        stderr.contains("1 of 2 environments") && stderr.contains("down"),
        "{stderr}"
    );
    let out = run(&config, &["runtimes", "--output", "json"])
        .await
        .failure();
    let rows: Value = serde_json::from_slice(&out.get_output().stdout).expect("json");
    let err_row = rows
        .as_array()
        .expect("array")
        .iter()
        .find(|r| r["env"] == "down")
        .expect("down");
    assert!(err_row["error"].as_str().is_some_and(|e| !e.is_empty()));
    local.stop().await;
}

#[tokio::test]
async fn runtime_show_prints_versions_and_endpoints() {
    let dir = tempfile::tempdir().expect("tempdir");
    let local = start(&dir.path().join("state")).await;
    let (weather, _) = seed(&local.url).await;
    let config = write_config(dir.path(), &local.url);
    let out = run(&config, &["runtime", "show", "weather", "--env", "dev"])
        .await
        .success();
    let text = String::from_utf8_lossy(&out.get_output().stdout).to_string();
    assert!(text.contains(&weather), "{text}");
    assert!(
        text.contains(&format!("/aws/bedrock-agentcore/runtimes/{weather}-canary")),
        "{text}"
    );
    assert!(
        text.lines()
            .any(|l| l.starts_with("canary") && l.contains("READY")),
        "{text}"
    );
    assert!(text.lines().any(|l| l.starts_with("VERSION")), "{text}");

    let out = run(
        &config,
        &[
            "runtime", "show", &weather, "--env", "dev", "--output", "json",
        ],
    )
    .await
    .success();
    let d: Value = serde_json::from_slice(&out.get_output().stdout).expect("json");
    let versions: Vec<&str> = d["versions"]
        .as_array()
        .expect("versions")
        .iter()
        .filter_map(|v| v["version"].as_str())
        .collect();
    assert_eq!(versions, ["2", "1"]);
    assert_eq!(d["runtime"]["latestVersion"], "2");
    assert_eq!(d["artifact"], "s3://fixture-code/weather.zip");
    assert_eq!(d["protocol"], "MCP");

    run(&config, &["runtime", "show", "nope", "--env", "dev"])
        .await
        .failure()
        .stderr(predicate::str::contains("runtime `nope` not found"));
    run(&config, &["runtime", "show", "weather"])
        .await
        .failure()
        .stderr(predicate::str::contains("choose one environment"));
    local.stop().await;
}

#[test]
fn envs_lists_protection_and_credentials() {
    let dir = tempfile::tempdir().expect("tempdir");
    let config = write_config(dir.path(), "http://127.0.0.1:4590");
    let out = cli(&config).arg("envs").assert().success();
    let text = String::from_utf8_lossy(&out.get_output().stdout).to_string();
    let prod = text.lines().find(|l| l.starts_with("prod")).expect("prod");
    assert!(
        prod.contains("read-only") && prod.contains("111122223333"),
        "{prod}"
    );
    let dev = text.lines().find(|l| l.starts_with("dev")).expect("dev");
    assert!(
        dev.contains("writable") && dev.contains("local-static"),
        "{dev}"
    );

    let out = cli(&config)
        .args(["envs", "--output", "json"])
        .assert()
        .success();
    let rows: Value = serde_json::from_slice(&out.get_output().stdout).expect("json");
    let names: Vec<&str> = rows
        .as_array()
        .expect("array")
        .iter()
        .filter_map(|r| r["name"].as_str())
        .collect();
    assert_eq!(names, ["dev", "staging", "prod"]);
    assert_eq!(rows[2]["readOnly"], true);
    assert_eq!(rows[0]["endpointUrl"], "http://127.0.0.1:4590");

    let example = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/assets/environments.example.toml"
    );
    cli(Path::new(example))
        .arg("envs")
        .assert()
        .success()
        .stdout(
            predicate::str::contains("mcp-gw-prod")
                .not()
                .and(predicate::str::contains("staging")),
        );
}

#[test]
fn config_errors_name_the_file_line_and_key() {
    let dir = tempfile::tempdir().expect("tempdir");
    let bad = |name: &str, text: &str| {
        let p = dir.path().join(name);
        std::fs::write(&p, text).expect("write");
        p
    };
    let malformed = bad(
        "malformed.toml",
        "[environments.dev]\nregion = \"us-west-2\n",
    );
    cli(&malformed)
        .arg("envs")
        .assert()
        .failure()
        .stderr(predicate::str::contains("malformed.toml:2:"));
    let wrong_type = bad(
        "types.toml",
        "[environments.dev]\nregion = \"us-west-2\"\nread_only = 1\n",
    );
    cli(&wrong_type).arg("runtimes").assert().failure().stderr(
        predicate::str::contains("types.toml:3:")
            .and(predicate::str::contains("environments.dev.read_only")),
    );
    let typo = bad(
        "typo.toml",
        "[environments.dev]\nendpiont_url = \"http://127.0.0.1:1\"\n",
    );
    cli(&typo).arg("envs").assert().failure().stderr(
        predicate::str::contains("typo.toml:2:1").and(predicate::str::contains("endpiont_url")),
    );
    let good = bad("good.toml", "[environments.dev]\nregion = \"us-west-2\"\n");
    cli(&good)
        .args(["runtimes", "--env", "qa"])
        .assert()
        .failure()
        .stderr(
            predicate::str::contains("good.toml")
                .and(predicate::str::contains("unknown environment `qa`")),
        );
    Command::new(BIN)
        .args(["--config", "/nonexistent/envs.toml", "envs"])
        .assert()
        .failure()
        .stderr(predicate::str::contains("/nonexistent/envs.toml"));
    // Discovery through the environment variable.
    Command::new(BIN)
        .env("AGENTCORE_CONSOLE_CONFIG", &good)
        .arg("envs")
        .assert()
        .success()
        .stdout(predicate::str::contains("us-west-2"));
}

#[tokio::test]
async fn local_serve_prints_its_url_and_keeps_state_across_restarts() {
    let dir = tempfile::tempdir().expect("tempdir");
    let state = dir.path().join("state");
    let spawn_state = state.clone();
    let spawn = move |extra: &'static [&'static str]| {
        let state = spawn_state.clone();
        let mut child = StdCommand::new(BIN)
            .args([
                "local",
                "serve",
                "--addr",
                "127.0.0.1:0",
                "--settle-ms",
                "20",
                "--state-dir",
            ])
            .arg(&state)
            .args(extra)
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("spawn");
        let stdout = child.stdout.take().expect("stdout");
        // Guarded from here: a failing assertion below must not leak the server.
        let served = Served(Some(child));
        let mut line = String::new();
        BufReader::new(stdout)
            .read_line(&mut line)
            .expect("first line");
        (served, line.trim().to_string())
    };
    let first = spawn.clone();
    let (served, url) = tokio::task::spawn_blocking(move || first(&[]))
        .await
        .expect("join");
    assert!(url.starts_with("http://127.0.0.1:"), "{url}");
    let c = Clients::build(&env("dev", &url, "us-west-2", None)).await;
    let id = create(&c, "survivor").await;
    settled(&c, &id).await;
    served.terminate();

    // Again, with AWS's invocation quota scaled down to one call per second.
    let (served, url) = tokio::task::spawn_blocking(move || spawn(&["--invoke-tps", "1"]))
        .await
        .expect("join");
    let config = dir.path().join("envs.toml");
    std::fs::write(
        &config,
        format!("[environments.dev]\nendpoint_url = \"{url}\"\nregion = \"us-west-2\"\n"),
    )
    .expect("write");
    run(&config, &["runtimes"])
        .await
        .success()
        .stdout(predicate::str::contains(id.as_str()).and(predicate::str::contains("READY")));
    let c = Clients::build(&env("dev", &url, "us-west-2", None)).await;
    let arn = format!(
        "arn:aws:bedrock-agentcore:us-west-2:{}:runtime/{id}",
        agentcore_console::emulator::DEFAULT_ACCOUNT
    );
    let invoke = || {
        c.data
            .invoke_agent_runtime()
            .agent_runtime_arn(&arn)
            .content_type("application/json")
            .payload(aws_sdk_bedrockagentcore::primitives::Blob::new(
                r#"{"jsonrpc":"2.0","id":1,"method":"tools/list"}"#,
            ))
            .send()
    };
    // The SDK retries throttling with backoff, so some calls get through after all; every
    // throttle met on the way is in the metrics.
    for _ in 0..4 {
        if let Err(e) = invoke().await {
            assert_eq!(status_and_code(&e).1, "ThrottlingException", "{e:?}");
        }
    }
    let out = run(&config, &["metrics", "survivor", "--output", "json"])
        .await
        .success()
        .get_output()
        .stdout
        .clone();
    let m: Value = serde_json::from_slice(&out).expect("json");
    let throttles = m[0]["endpoints"][0]["totals"]["throttles"].as_f64();
    assert!(throttles.is_some_and(|t| t >= 1.0), "{m}");
    served.terminate();

    Command::new(BIN)
        .args(["local", "serve", "--addr", "0.0.0.0:0", "--state-dir"])
        .arg(&state)
        .assert()
        .failure()
        .stderr(predicate::str::contains("loopback only"));
}

#[tokio::test]
async fn local_serve_announces_its_profile_and_refuses_a_bad_one() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut child = StdCommand::new(BIN)
        .args([
            "local",
            "serve",
            "--addr",
            "127.0.0.1:0",
            "--profile",
            "aws",
        ])
        .arg("--state-dir")
        .arg(dir.path().join("state"))
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn");
    let (stdout, stderr) = (child.stdout.take(), child.stderr.take());
    let served = Served(Some(child));
    let (url, banner) = tokio::task::spawn_blocking(move || {
        let mut url = String::new();
        BufReader::new(stdout.expect("stdout"))
            .read_line(&mut url)
            .expect("url");
        let banner: Vec<String> = BufReader::new(stderr.expect("stderr"))
            .lines()
            .map_while(Result::ok)
            .take_while(|l| !l.contains("sts:GetCallerIdentity"))
            .collect();
        (url.trim().to_string(), banner.join("\n"))
    })
    .await
    .expect("join");
    assert!(banner.contains("profile 'aws':"), "{banner}");
    assert!(
        banner.contains("logs:FilterLogEvents: 5/s burst 5, latency p50 300 ms p99 1200 ms"),
        "{banner}"
    );
    let (status, resp) = raw(&url, "GET", "/_local/faults", &[], "").await;
    assert_eq!(status, 200);
    assert!(resp.contains(r#""name":"aws""#), "{resp}");
    served.terminate();

    let bad = dir.path().join("bad.toml");
    std::fs::write(&bad, "[logs.FilterLogEvents]\nrps = \"fast\"\n").expect("write");
    Command::new(BIN)
        .args(["local", "serve", "--addr", "127.0.0.1:0", "--profile"])
        .arg(&bad)
        .arg("--state-dir")
        .arg(dir.path().join("state"))
        .assert()
        .failure()
        .stderr(predicate::str::contains(format!(
            "{}:2:7: key `logs.FilterLogEvents.rps`: must be a number",
            bad.display()
        )));
}

/// A `local serve` child, stopped however the test ends. SIGTERM makes it shut down as on
/// Ctrl-C: it stops the servers it runs, then exits. A SIGKILL would orphan them: each runs
/// in its own process group, and only a graceful shutdown kills them. So SIGKILL is the last
/// resort, after a bounded wait.
struct Served(Option<std::process::Child>);

impl Served {
    /// SIGTERM now, and it must shut down cleanly.
    fn terminate(mut self) {
        let mut child = self.0.take().expect("running");
        let exit = sigterm_and_wait(&mut child, Duration::from_secs(30));
        let exit = exit.unwrap_or_else(|| {
            kill_and_reap(&mut child);
            panic!("local serve did not exit within 30s of SIGTERM")
        });
        assert!(exit.success(), "local serve exited with {exit}");
    }
}

impl Drop for Served {
    fn drop(&mut self) {
        if let Some(mut child) = self.0.take()
            && sigterm_and_wait(&mut child, Duration::from_secs(15)).is_none()
        {
            kill_and_reap(&mut child);
        }
    }
}

/// SIGTERM, then wait (bounded) for the exit.
fn sigterm_and_wait(
    child: &mut std::process::Child,
    limit: Duration,
) -> Option<std::process::ExitStatus> {
    if let Ok(Some(exit)) = child.try_wait() {
        return Some(exit);
    }
    let _ = StdCommand::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status();
    let deadline = Instant::now() + limit;
    loop {
        match child.try_wait() {
            Ok(Some(exit)) => return Some(exit),
            Ok(None) if Instant::now() < deadline => {
                std::thread::sleep(Duration::from_millis(20));
            }
            _ => return None,
        }
    }
}

fn kill_and_reap(child: &mut std::process::Child) {
    let _ = child.kill();
    let _ = child.wait();
}
