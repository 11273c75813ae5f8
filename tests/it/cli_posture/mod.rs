//! `deploy`'s runtime posture from the built binary against the local AgentCore: every flag
//! round-trips through GetAgentRuntime (read with the SDK), settings carry over, each
//! environment's `[environments.NAME.runtime]` applies, flags override them; a protected
//! posture is not weakened unless allowed and armed; bad flags change nothing.

mod guard;
mod retention;

use std::path::PathBuf;

use agentcore_console::backend::Clients;
use agentcore_console::backend::posture::read;
use agentcore_console::domain::posture::Posture;
use serde_json::Value;

use crate::support::cli::{BIN, FIXTURE_DIR};
use crate::support::emulator::{Local, clients, start};

const ISSUER: &str = "https://issuer.example.com/.well-known/openid-configuration";
const SUBNET: &str = "subnet-0123456789abcdef0";
const SG: &str = "sg-0123456789abcdef0";
const HEADER: &str = "X-Amzn-Bedrock-AgentCore-Runtime-Custom-Tenant";

/// `bare` (no defaults), `dev` and `staging` with their own defaults, `prod` protected with a
/// JWT authorizer, a VPC and 90-day logs. Each in its own region, so each has its own runtimes.
const ENVS: &str = r#"
[environments.bare]
endpoint_url = "URL"
region = "us-west-2"
[environments.dev]
endpoint_url = "URL"
region = "us-east-2"
[environments.dev.runtime]
idle_session_timeout = "10m"
log_retention_days = 7
[environments.staging]
endpoint_url = "URL"
region = "eu-west-1"
[environments.staging.runtime]
idle_session_timeout = "20m"
max_lifetime = "2h"
request_headers = ["X-Amzn-Bedrock-AgentCore-Runtime-Custom-Tenant"]
log_retention_days = 30
[environments.prod]
endpoint_url = "URL"
region = "us-east-1"
[environments.prod.runtime]
network = "vpc"
subnets = ["subnet-0123456789abcdef0"]
security_groups = ["sg-0123456789abcdef0"]
auth = "jwt"
discovery_url = "https://issuer.example.com/.well-known/openid-configuration"
allowed_audiences = ["prod"]
log_retention_days = 90
"#;

pub struct PostureWorld {
    _dir: tempfile::TempDir,
    pub config: PathBuf,
    pub state: PathBuf,
    pub local: Local,
}

pub async fn posture_world() -> PostureWorld {
    let dir = tempfile::tempdir().expect("tempdir");
    let local = start(&dir.path().join("local")).await;
    let config = dir.path().join("envs.toml");
    std::fs::write(&config, ENVS.replace("URL", &local.url)).expect("config");
    PostureWorld {
        config,
        state: dir.path().join("console-state"),
        local,
        _dir: dir,
    }
}

pub fn region(env: &str) -> &'static str {
    match env {
        "bare" => "us-west-2",
        "dev" => "us-east-2",
        "staging" => "eu-west-1",
        _ => "us-east-1",
    }
}

/// Exit code, stdout, stderr of the binary with exactly these arguments.
pub async fn run_code(config: &PathBuf, state: &PathBuf, args: &[&str]) -> (i32, String, String) {
    let mut cmd = assert_cmd::Command::new(BIN);
    cmd.arg("--config")
        .arg(config)
        .env("AGENTCORE_CONSOLE_STATE_DIR", state)
        .args(args);
    let out = tokio::task::spawn_blocking(move || cmd.output().expect("run"))
        .await
        .expect("join");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// `deploy weather --from-dir <fixture> <extra> --yes --output json` in `env`: (code, report
/// or Null, stderr).
pub async fn deploy(w: &PostureWorld, env: &str, extra: &[&str]) -> (i32, Value, String) {
    let mut args = vec!["--env", env, "deploy", "weather", "--from-dir", FIXTURE_DIR];
    args.extend(extra);
    args.extend(["--yes", "--output", "json"]);
    let (code, out, err) = run_code(&w.config, &w.state, &args).await;
    (code, serde_json::from_str(&out).unwrap_or(Value::Null), err)
}

pub async fn deployed(w: &PostureWorld, env: &str, extra: &[&str]) -> Value {
    let (code, report, err) = deploy(w, env, extra).await;
    assert_eq!(code, 0, "deploy {extra:?} to {env}: {err}");
    report
}

/// The posture GetAgentRuntime shows for the runtime's latest version.
pub async fn shown(c: &Clients, id: &str) -> (String, Posture) {
    let got = c
        .control
        .get_agent_runtime()
        .agent_runtime_id(id)
        .send()
        .await
        .expect("GetAgentRuntime");
    let p = read(
        got.network_configuration(),
        got.authorizer_configuration(),
        got.lifecycle_configuration(),
        got.protocol_configuration(),
        got.request_header_configuration(),
    );
    (got.agent_runtime_version().to_string(), p)
}

fn rows(p: &Posture) -> Vec<(&'static str, String)> {
    p.rows()
}

fn row(p: &Posture, field: &str) -> String {
    rows(p)
        .into_iter()
        .find(|(f, _)| *f == field)
        .map(|(_, v)| v)
        .expect("field")
}

#[tokio::test]
async fn every_flag_round_trips_and_carries_over() {
    let w = posture_world().await;
    let all = [
        "--network",
        "vpc",
        "--subnet",
        SUBNET,
        "--subnet",
        "subnet-0123456789abcdef1",
        "--security-group",
        SG,
        "--auth",
        "jwt",
        "--discovery-url",
        ISSUER,
        "--allowed-audience",
        "weather",
        "--allowed-client",
        "ops-cli",
        "--idle-timeout",
        "10m",
        "--max-lifetime",
        "1h30m",
        // Not MCP: validation (tools/list) is skipped, whatever the JWT authorizer asks of callers
        // (the local AgentCore starts an A2A server once its port answers).
        "--protocol",
        "a2a",
        "--request-header",
        HEADER,
        "--log-retention-days",
        "14",
    ];
    let first = deployed(&w, "bare", &all).await;
    let id = first["runtimeId"].as_str().expect("id").to_string();
    let c = clients(&w.local.url, region("bare")).await;
    let (v, got) = shown(&c, &id).await;
    assert_eq!(v, "1");
    let want = [
        ("network", "VPC"),
        (
            "subnets",
            "subnet-0123456789abcdef0, subnet-0123456789abcdef1",
        ),
        ("security_groups", SG),
        ("auth", "JWT"),
        ("discovery_url", ISSUER),
        ("allowed_audiences", "weather"),
        ("allowed_clients", "ops-cli"),
        ("idle_session_timeout", "10m"),
        ("max_lifetime", "1h30m"),
        ("protocol", "A2A"),
        ("request_headers", HEADER),
    ];
    for (field, value) in want {
        assert_eq!(row(&got, field), value, "{field} after the first deploy");
    }
    // The raw members too, not only as read back by the backend.
    let raw = c
        .control
        .get_agent_runtime()
        .agent_runtime_id(&id)
        .send()
        .await
        .expect("get");
    let life = raw.lifecycle_configuration().expect("lifecycle");
    assert_eq!(
        (life.idle_runtime_session_timeout(), life.max_lifetime()),
        (Some(600), Some(5400))
    );
    // The report shows what was applied, retention included.
    assert_eq!(first["posture"]["protocol"], "A2A");
    assert_eq!(first["posture"]["auth"]["type"], "JWT");
    assert_eq!(first["posture"]["log_retention_days"], 14);
    assert_eq!(first["logRetention"]["days"], 14);
    assert_eq!(first["weakenings"], serde_json::json!([]));

    // No flags: every setting carried over from version 1.
    let second = deployed(&w, "bare", &[]).await;
    assert_eq!(second["version"], "2");
    let (v, again) = shown(&c, &id).await;
    assert_eq!(v, "2");
    for (field, value) in want {
        assert_eq!(row(&again, field), value, "{field} carried over");
    }
    assert_eq!(again, got);
    // One flag changes one setting; the rest still carried over.
    deployed(&w, "bare", &["--idle-timeout", "5m"]).await;
    let (_, third) = shown(&c, &id).await;
    assert_eq!(row(&third, "idle_session_timeout"), "5m");
    assert_eq!(row(&third, "max_lifetime"), "1h30m");
    assert_eq!(row(&third, "auth"), "JWT");
}

#[tokio::test]
async fn each_environment_gets_its_defaults_and_flags_override_them() {
    let w = posture_world().await;
    let dev = deployed(&w, "dev", &[]).await;
    let staging = deployed(&w, "staging", &[]).await;
    let dev_c = clients(&w.local.url, region("dev")).await;
    let staging_c = clients(&w.local.url, region("staging")).await;
    let (_, d) = shown(&dev_c, dev["runtimeId"].as_str().expect("id")).await;
    let (_, s) = shown(&staging_c, staging["runtimeId"].as_str().expect("id")).await;
    assert_eq!(row(&d, "idle_session_timeout"), "10m");
    assert_eq!(row(&d, "request_headers"), "-");
    assert_eq!(row(&s, "idle_session_timeout"), "20m");
    assert_eq!(row(&s, "max_lifetime"), "2h");
    assert_eq!(row(&s, "request_headers"), HEADER);
    // Unset everywhere: AWS's defaults, sent explicitly.
    for p in [&d, &s] {
        assert_eq!(
            (row(p, "network"), row(p, "auth"), row(p, "protocol")),
            ("PUBLIC".into(), "IAM".into(), "MCP".into())
        );
    }
    assert_eq!(dev["logRetention"]["days"], 7);
    assert_eq!(staging["logRetention"]["days"], 30);

    // A flag wins over the environment's default, on an update too.
    let over = deployed(&w, "staging", &["--idle-timeout", "5m"]).await;
    assert_eq!(over["version"], "2");
    let (_, s2) = shown(&staging_c, staging["runtimeId"].as_str().expect("id")).await;
    assert_eq!(row(&s2, "idle_session_timeout"), "5m");
    assert_eq!(
        row(&s2, "max_lifetime"),
        "2h",
        "the rest from the environment"
    );
    // And a later deploy without it goes back to the environment's.
    deployed(&w, "staging", &[]).await;
    let (_, s3) = shown(&staging_c, staging["runtimeId"].as_str().expect("id")).await;
    assert_eq!(row(&s3, "idle_session_timeout"), "20m");
}

#[tokio::test]
async fn the_text_report_shows_the_applied_posture() {
    let w = posture_world().await;
    let (code, out, err) = run_code(
        &w.config,
        &w.state,
        &[
            "--env",
            "dev",
            "deploy",
            "weather",
            "--from-dir",
            FIXTURE_DIR,
            "--protocol",
            "mcp",
            "--yes",
        ],
    )
    .await;
    assert_eq!(code, 0, "{err}");
    for line in [
        "posture:",
        "  network: PUBLIC",
        "  auth: IAM",
        "  idle_session_timeout: 10m",
        "  protocol: MCP",
        "  log_retention_days: 7",
        "log retention: 7 days on 1 log group\n",
    ] {
        assert!(out.contains(line), "`{line}` in:\n{out}");
    }
}
