//! `runtime show` and `runtime diff` through the built binary: tables, the JSON shape,
//! `--exit-code`, errors that name what is wrong, and no variable value in any output.

use assert_cmd::Command;
use serde_json::Value;

use super::setup::*;
use crate::support::cli::{BIN, World, json, run, world};
use crate::support::emulator::clients;

/// Exit code, stdout, stderr.
async fn exit(w: &World, args: &[&str]) -> (i32, String, String) {
    let mut cmd = Command::new(BIN);
    cmd.arg("--config")
        .arg(&w.config)
        .env("AGENTCORE_CONSOLE_STATE_DIR", &w.state)
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

/// dev's `weather` with version 2 changing every setting (DEFAULT → 2 kept 30 days, `live`
/// → 1 kept 7); prod's `weather` at version 1 (`live` kept 90 days).
async fn two_runtimes(w: &World) {
    let dev = clients(&w.local.url, "us-west-2").await;
    let id = create_base(&dev, "weather").await;
    update_everything(&dev, &id).await;
    retention(&dev, &id, "live", 7).await;
    retention(&dev, &id, "DEFAULT", 30).await;
    let prod = clients(&w.local.url, "us-east-1").await;
    let pid = create_base(&prod, "weather").await;
    retention(&prod, &pid, "live", 90).await;
}

#[tokio::test]
async fn show_prints_every_setting_and_a_stable_json_without_values() {
    let w = world().await;
    two_runtimes(&w).await;
    let (ok, table, err) = run(&w, &["--env", "dev", "runtime", "show", "weather"]).await;
    assert!(ok, "{err}");
    for field in ALL_FIELDS {
        assert!(table.contains(field), "{field} missing:\n{table}");
    }
    for value in [
        "v2 (latest, DEFAULT)",
        "v1 (live)",
        DIGEST_B,
        "PYTHON_3_13",
        "main.py --verbose",
        "API_KEY, APP_VERSION, FEATURE",
        ROLE_B,
        "subnet-0123456789abcdef0",
        DISCOVERY,
        "A2A",
        TRACE,
        "30 days",
        "7 days",
    ] {
        assert!(table.contains(value), "{value} missing:\n{table}");
    }
    assert!(!table.contains(SECRET), "a value leaked:\n{table}");

    let v = json(&w, &["--env", "dev", "runtime", "show", "weather"]).await;
    let latest = &v["latest"];
    assert_eq!(latest["version"], "2");
    assert_eq!(latest["artifact"]["digest"], format!("sha256:{DIGEST_B}"));
    assert_eq!(latest["codeRuntime"], "PYTHON_3_13");
    assert_eq!(
        latest["variableNames"],
        serde_json::json!(["API_KEY", "APP_VERSION", "FEATURE"])
    );
    assert_eq!(latest["posture"]["network"]["mode"], "VPC");
    assert_eq!(latest["posture"]["log_retention_days"], 30);
    assert_eq!(v["served"][0]["version"], "1");
    assert_eq!(v["logRetention"][0]["retentionInDays"], 30);
    assert!(!v.to_string().contains(SECRET));
    w.local.stop().await;
}

#[tokio::test]
async fn diff_of_two_versions_and_two_environments_table_json_and_exit_code() {
    let w = world().await;
    two_runtimes(&w).await;
    let versions = [
        "--env",
        "dev",
        "runtime",
        "diff",
        "weather",
        "--version",
        "1",
        "--version",
        "2",
    ];

    let v = json(&w, &versions).await;
    let fields: Vec<&str> = v["differences"]
        .as_array()
        .expect("differences")
        .iter()
        .map(|d| d["field"].as_str().expect("field"))
        .collect();
    assert_eq!(fields, ALL_FIELDS);
    assert_eq!(v["left"]["version"], "1");
    assert_eq!(v["right"]["version"], "2");
    assert_eq!(v["differences"][0]["left"], format!("sha256:{DIGEST_A}"));
    assert!(!v.to_string().contains(SECRET));

    let (code, table, err) = exit(&w, &versions).await;
    assert_eq!(code, 0, "{err}");
    assert!(table.starts_with("FIELD"), "{table}");
    assert!(
        table.contains("dev v1") && table.contains("dev v2"),
        "{table}"
    );
    assert!(!table.contains(SECRET));
    let mut strict = versions.to_vec();
    strict.push("--exit-code");
    assert_eq!(exit(&w, &strict).await.0, 1, "differs: --exit-code gives 1");

    // One environment, no version: the stable endpoint's (1) against the latest (2).
    let dflt = json(&w, &["--env", "dev", "runtime", "diff", "weather"]).await;
    assert_eq!(
        (&dflt["left"]["version"], &dflt["right"]["version"]),
        (&Value::from("1"), &Value::from("2"))
    );

    // Two environments, each side's stable version: only retention differs.
    let envs = [
        "--env", "dev", "--env", "prod", "runtime", "diff", "weather",
    ];
    let v = json(&w, &envs).await;
    assert_eq!(v["left"]["env"], "dev");
    assert_eq!(v["right"]["env"], "prod");
    assert_eq!(
        v["differences"],
        serde_json::json!([{ "field": "log_retention_days", "left": "7", "right": "90" }])
    );
    // The same version on both sides: no differences, exit 0 even with --exit-code.
    let (code, out, err) = exit(
        &w,
        &[
            "--env",
            "prod",
            "--env",
            "prod",
            "runtime",
            "diff",
            "weather",
            "--exit-code",
        ],
    )
    .await;
    assert_eq!(code, 0, "{err}");
    assert!(
        out.starts_with("no differences (prod v1 and prod v1)"),
        "{out}"
    );
    w.local.stop().await;
}

#[tokio::test]
async fn diff_errors_name_the_unknown_runtime_env_or_version() {
    let w = world().await;
    two_runtimes(&w).await;
    let cases: [(&[&str], &str); 5] = [
        (
            &["--env", "dev", "runtime", "diff", "nope"],
            "runtime `nope` not found",
        ),
        (&["--env", "qa", "runtime", "diff", "weather"], "qa"),
        (
            &[
                "--env",
                "dev",
                "runtime",
                "diff",
                "weather",
                "--version",
                "9",
            ],
            "has no version `9`",
        ),
        (
            &[
                "--env",
                "dev",
                "runtime",
                "diff",
                "weather",
                "--version",
                "x",
            ],
            "--version `x`",
        ),
        (&["runtime", "diff", "weather"], "--env"),
    ];
    for (args, says) in cases {
        let (code, _, err) = exit(&w, args).await;
        assert_eq!(code, 1, "{args:?}: {err}");
        assert!(err.contains(says), "{args:?}: {err}");
    }
    w.local.stop().await;
}

#[tokio::test]
async fn runtimes_marks_a_runtime_off_its_environments_posture() {
    let w = world().await;
    two_runtimes(&w).await;
    let mut cfg = std::fs::read_to_string(&w.config).expect("config");
    cfg.push_str(&format!(
        "[environments.prod.runtime]\nnetwork = \"vpc\"\nsubnets = [\"subnet-0123456789abcdef0\"]\n\
         security_groups = [\"sg-0123456789abcdef0\"]\nauth = \"jwt\"\ndiscovery_url = \"{DISCOVERY}\"\n\
         allowed_audiences = [\"weather\"]\nallowed_clients = [\"console\"]\n\
         idle_session_timeout = \"10m\"\nmax_lifetime = \"1h\"\nprotocol = \"A2A\"\n\
         request_headers = [\"{TENANT}\", \"{TRACE}\"]\nlog_retention_days = 90\n"
    ));
    std::fs::write(&w.config, cfg).expect("config");

    let rows = json(&w, &["runtimes"]).await;
    let row = |env: &str| {
        rows.as_array()
            .expect("rows")
            .iter()
            .find(|r| r["env"] == env && r["name"] == "weather")
            .cloned()
            .expect(env)
    };
    // dev configures no posture: no mark.
    assert_eq!(row("dev")["postureDrift"], Value::Null);
    let prod = row("prod");
    let fields: Vec<&str> = prod["postureDrift"]
        .as_array()
        .expect("drift")
        .iter()
        .map(|d| d["field"].as_str().expect("field"))
        .collect();
    // Retention matches (90 days on the stable endpoint's group); the rest does not.
    assert_eq!(fields, ALL_FIELDS[5..16]);
    assert_eq!(prod["postureDrift"][0]["configured"], "VPC");
    assert_eq!(prod["postureDrift"][0]["actual"], "PUBLIC");

    let (ok, table, err) = run(&w, &["runtimes"]).await;
    assert!(ok, "{err}");
    assert!(
        table.lines().next().expect("header").contains("POSTURE"),
        "{table}"
    );
    let prod_line = table
        .lines()
        .find(|l| l.starts_with("prod"))
        .expect("prod row");
    assert!(prod_line.contains("≠ network, subnets"), "{table}");
    let dev_line = table
        .lines()
        .find(|l| l.starts_with("dev"))
        .expect("dev row");
    assert!(!dev_line.contains('≠'), "{table}");
    w.local.stop().await;
}
