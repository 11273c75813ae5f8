//! A protected environment's posture is not weakened unless allowed and armed; bad posture
//! flags are refused naming the flag, before any call.

use super::*;

/// Versions of the runtime named `weather` in `env` (0 when it does not exist).
async fn versions(w: &PostureWorld, env: &str) -> usize {
    let c = clients(&w.local.url, region(env)).await;
    let list = c.control.list_agent_runtimes().send().await.expect("list");
    let Some(rt) = list
        .agent_runtimes()
        .iter()
        .find(|r| r.agent_runtime_name() == "weather")
    else {
        return 0;
    };
    c.control
        .list_agent_runtime_versions()
        .agent_runtime_id(rt.agent_runtime_id())
        .send()
        .await
        .expect("versions")
        .agent_runtimes()
        .len()
}

fn audit(w: &PostureWorld) -> Vec<Value> {
    std::fs::read_to_string(w.state.join("audit.jsonl"))
        .unwrap_or_default()
        .lines()
        .map(|l| serde_json::from_str(l).expect("audit line"))
        .collect()
}

const WEAKER: [&str; 6] = [
    "--auth",
    "iam",
    "--network",
    "public",
    "--log-retention-days",
    "30",
];

#[tokio::test]
async fn weakening_a_protected_posture_is_refused_unless_allowed_and_armed() {
    let w = posture_world().await;
    // Armed, not allowed; allowed, not armed: refused alike, naming every weakening.
    for extra in [&["--arm"][..], &["--allow-posture-change"]] {
        let mut args = WEAKER.to_vec();
        args.extend(extra);
        let (code, report, err) = deploy(&w, "prod", &args).await;
        assert_eq!(code, 1, "{err}");
        // No deploy report: the error document of the CI contract (README, For CI).
        assert_eq!(report["exitCode"], 1, "{report}");
        assert!(report.get("version").is_none(), "{report}");
        for part in [
            "replaces the JWT authorizer with IAM",
            "leaves the VPC for the public network",
            "shortens log retention from 90 to 30 days",
            "--allow-posture-change with --arm",
        ] {
            assert!(err.contains(part), "`{part}` in {err}");
        }
    }
    assert_eq!(versions(&w, "prod").await, 0, "nothing created");
    let refused = audit(&w);
    assert_eq!(refused.len(), 2);
    for e in &refused {
        assert_eq!(e["action"], "deploy");
        assert!(
            e["result"]
                .as_str()
                .is_some_and(|r| r.starts_with("refused") && r.contains("weakens")),
            "{e}"
        );
    }

    // Allowed and armed: deployed, the weakenings reported and audited.
    let mut args = WEAKER.to_vec();
    args.extend(["--allow-posture-change", "--arm"]);
    let (code, report, err) = deploy(&w, "prod", &args).await;
    assert_eq!(code, 0, "{err}");
    assert_eq!(report["weakenings"].as_array().map(Vec::len), Some(3));
    assert!(err.contains("warning: this deploy weakens"), "{err}");
    let c = clients(&w.local.url, region("prod")).await;
    let (v, p) = shown(&c, report["runtimeId"].as_str().expect("id")).await;
    assert_eq!(
        (v.as_str(), row(&p, "auth"), row(&p, "network")),
        ("1", "IAM".into(), "PUBLIC".into())
    );
    let ok = audit(&w).pop().expect("entry");
    assert_eq!(ok["result"], "ok");
    assert_eq!(ok["after"]["weakenings"].as_array().map(Vec::len), Some(3));
    assert_eq!(ok["after"]["posture"]["auth"]["type"], "IAM");

    // The next weakening of an existing runtime is refused too: no version 2.
    let (code, _, err) = deploy(&w, "prod", &["--arm", "--log-retention-days", "7"]).await;
    assert_eq!(code, 1, "{err}");
    assert!(
        err.contains("shortens log retention from 90 to 7 days"),
        "{err}"
    );
    assert_eq!(versions(&w, "prod").await, 1, "no new version");
}

#[tokio::test]
async fn in_an_unprotected_environment_a_weakening_is_a_warning() {
    let w = posture_world().await;
    // dev keeps logs 7 days; 3 is shorter, and dev is not protected.
    let (code, report, err) = deploy(&w, "dev", &["--log-retention-days", "3"]).await;
    assert_eq!(code, 0, "{err}");
    assert_eq!(
        report["weakenings"],
        serde_json::json!(["shortens log retention from 7 to 3 days"])
    );
    assert!(
        err.contains("warning: this deploy weakens the environment's posture: shortens"),
        "{err}"
    );
    assert_eq!(report["logRetention"]["days"], 3);
}

#[tokio::test]
async fn bad_posture_flags_are_refused_naming_the_flag_before_any_call() {
    // Nothing listens here: a call would fail with a connection error, not the flag's.
    let closed = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let url = format!("http://{}", closed.local_addr().expect("addr"));
    drop(closed);
    let dir = tempfile::tempdir().expect("tempdir");
    let config = dir.path().join("envs.toml");
    std::fs::write(
        &config,
        format!("[environments.dev]\nendpoint_url = \"{url}\"\nregion = \"us-west-2\"\n"),
    )
    .expect("config");
    let state = dir.path().join("state");
    for (flags, want) in [
        (
            &["--network", "vpc", "--subnet", "subnet-0123456789abcdef0"][..],
            "--network vpc needs --subnet and --security-group",
        ),
        (
            &[
                "--network",
                "vpc",
                "--subnet",
                "subnet-x",
                "--security-group",
                "sg-0123456789abcdef0",
            ],
            "--subnet (value 1): `subnet-x` is not an id",
        ),
        (
            &[
                "--auth",
                "jwt",
                "--discovery-url",
                "ftp://x",
                "--allowed-audience",
                "a",
            ],
            "--discovery-url: `ftp://x` must be an https:// URL",
        ),
        (
            &["--allowed-audience", "a"],
            "--allowed-audience is only for --auth jwt",
        ),
        (
            &["--idle-timeout", "30s"],
            "--idle-timeout: 30s is out of range: 1m to 8h",
        ),
        (
            &["--max-lifetime", "1d"],
            "--max-lifetime: `1d` is not a duration",
        ),
        (
            &["--request-header", "x-amz-date"],
            "--request-header (value 1)",
        ),
        (
            &["--log-retention-days", "10"],
            "--log-retention-days: 10 is not a retention CloudWatch Logs accepts",
        ),
    ] {
        let mut args = vec![
            "--env",
            "dev",
            "deploy",
            "weather",
            "--from-dir",
            FIXTURE_DIR,
        ];
        args.extend(flags);
        args.push("--yes");
        let (code, _, err) = run_code(&config, &state, &args).await;
        assert_eq!(code, 1, "{flags:?}: {err}");
        assert!(err.contains(want), "{flags:?}: `{want}` in {err}");
    }
    // The same deploy with valid flags does reach for the endpoint (and fails there).
    let (code, _, err) = run_code(
        &config,
        &state,
        &[
            "--env",
            "dev",
            "deploy",
            "weather",
            "--from-dir",
            FIXTURE_DIR,
            "--log-retention-days",
            "14",
            "--yes",
        ],
    )
    .await;
    assert_eq!(code, 1);
    assert!(!err.contains("--log-retention-days"), "{err}");
}
