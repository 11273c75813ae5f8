//! What a deploy or an invocation can be given besides a directory and inline JSON: a zip
//! already in S3, a container image, a directory over AWS's size limit, `--args @file`.

use super::cli::{self, json, run, world};
use super::support::{FIXTURE_BUCKET, clients, upload_fixture};
use super::tool_version;

#[tokio::test]
async fn deploy_from_a_zip_already_in_s3_and_from_an_image() {
    let w = world().await;
    let c = clients(&w.local.url, "us-west-2").await;
    upload_fixture(&c, "prebuilt/weather.zip").await;
    let uri = format!("s3://{FIXTURE_BUCKET}/prebuilt/weather.zip");
    let report = json(
        &w,
        &[
            "--env",
            "dev",
            "deploy",
            "weather",
            "--s3",
            &uri,
            "--endpoint",
            "live",
        ],
    )
    .await;
    assert_eq!(report["artifact"], uri.as_str());
    assert_eq!(report["tools"], 1);
    assert_eq!(tool_version(&w, "dev", "live").await, "1");
    let (success, _, stderr) = run(
        &w,
        &["--env", "dev", "deploy", "weather", "--s3", "s3://no-key"],
    )
    .await;
    assert!(
        !success && stderr.contains("is not s3://bucket/key"),
        "{stderr}"
    );

    let docker = std::process::Command::new("docker")
        .arg("info")
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    let image = "123456789012.dkr.ecr.us-west-2.amazonaws.com/boxed:1";
    let (success, _, stderr) =
        run(&w, &["--env", "dev", "deploy", "boxed", "--image", image]).await;
    // With an engine the image would be pulled, which cannot work here either.
    assert!(!success, "{stderr}");
    if !docker {
        assert!(
            stderr.contains("CREATE_FAILED") && stderr.contains("no local Docker engine"),
            "{stderr}"
        );
    }
    let shown = json(&w, &["--env", "dev", "runtime", "show", "boxed"]).await;
    assert_eq!(shown["artifact"], image, "the version records the image");
    w.local.stop().await;
}

#[tokio::test]
async fn a_directory_over_the_size_limit_is_refused_and_changes_nothing() {
    let w = world().await;
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::copy(
        format!("{}/main.py", cli::FIXTURE_DIR),
        dir.path().join("main.py"),
    )
    .expect("copy");
    // Sparse: 750 MB and one byte of nothing, on no disk and never read.
    let big = std::fs::File::create(dir.path().join("weights.bin")).expect("create");
    big.set_len(agentcore_console::backend::deploy::MAX_UNZIPPED + 1)
        .expect("set_len");
    let (success, _, stderr) = run(
        &w,
        &[
            "--env",
            "dev",
            "deploy",
            "weather",
            "--from-dir",
            &dir.path().display().to_string(),
        ],
    )
    .await;
    assert!(
        !success && stderr.contains("holds more than 750 MB, AWS's limit"),
        "{stderr}"
    );
    let rows = json(&w, &["--env", "dev", "runtimes"]).await;
    assert_eq!(rows.as_array().map(Vec::len), Some(0), "no runtime: {rows}");
    let audit = cli::audit(&w);
    assert!(
        audit.len() == 1
            && audit[0]["result"]
                .as_str()
                .is_some_and(|r| r.starts_with("refused: ") && r.contains("750 MB")),
        "the refusal is audited: {audit:?}"
    );
    let c = clients(&w.local.url, "us-west-2").await;
    let bucket =
        c.s3.head_bucket()
            .bucket("agentcore-console-123456789012-us-west-2")
            .send()
            .await;
    assert!(bucket.is_err(), "no artifact bucket was created");
    w.local.stop().await;
}

#[tokio::test]
async fn invoke_reads_its_arguments_from_a_file() {
    let w = world().await;
    json(&w, &super::deploy_args("dev", "APP_VERSION=7")).await;
    let dir = tempfile::tempdir().expect("tempdir");
    let good = dir.path().join("args.json");
    std::fs::write(&good, r#"{"city": "Lisbon"}"#).expect("write");
    let at_good = format!("@{}", good.display());
    let out = json(
        &w,
        &[
            "--env", "dev", "invoke", "weather", "--tool", "version", "--args", &at_good,
        ],
    )
    .await;
    assert_eq!(out["content"][0]["text"], "7");

    let bad = dir.path().join("list.json");
    std::fs::write(&bad, "[1]").expect("write");
    let at_bad = format!("@{}", bad.display());
    let (success, _, stderr) = run(
        &w,
        &[
            "--env", "dev", "invoke", "weather", "--tool", "version", "--args", &at_bad,
        ],
    )
    .await;
    assert!(
        !success && stderr.contains("do not match the input schema"),
        "{stderr}"
    );
    let missing = dir.path().join("absent.json");
    let at_missing = format!("@{}", missing.display());
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
            &at_missing,
        ],
    )
    .await;
    assert!(
        !success && stderr.contains(&missing.display().to_string()),
        "{stderr}"
    );
    w.local.stop().await;
}

#[tokio::test]
async fn an_update_carries_variables_over_unless_set_or_unset() {
    let w = world().await;
    let deploy = |extra: &'static [&'static str]| {
        let mut args = vec!["--env", "dev", "deploy", "weather", "--from-dir"];
        args.push(cli::FIXTURE_DIR);
        args.extend_from_slice(extra);
        let w = &w;
        async move { json(w, &args).await }
    };
    deploy(&[
        "--env-var",
        "APP_VERSION=1",
        "--env-var",
        "MCP_ERROR_RATE=0.3",
    ])
    .await;
    deploy(&["--env-var", "LOG_LEVEL=debug"]).await;
    let third = deploy(&[
        "--unset-env-var",
        "MCP_ERROR_RATE",
        "--unset-env-var",
        "ABSENT",
    ])
    .await;
    assert_eq!(third["version"], "3");
    let c = clients(&w.local.url, "us-west-2").await;
    let vars = |version: &'static str| {
        let c = &c;
        async move {
            let rt = agentcore_console::backend::runtimes::resolve(c, "weather")
                .await
                .expect("runtime");
            let got = c
                .control
                .get_agent_runtime()
                .agent_runtime_id(rt.agent_runtime_id())
                .agent_runtime_version(version)
                .send()
                .await
                .expect("GetAgentRuntime");
            let mut keys: Vec<String> = got
                .environment_variables()
                .map(|m| m.keys().cloned().collect())
                .unwrap_or_default();
            keys.sort();
            keys
        }
    };
    assert_eq!(
        vars("2").await,
        ["APP_VERSION", "LOG_LEVEL", "MCP_ERROR_RATE"]
    );
    assert_eq!(
        vars("3").await,
        ["APP_VERSION", "LOG_LEVEL"],
        "dropped; an absent name is no error"
    );
    assert_eq!(
        tool_version(&w, "dev", "DEFAULT").await,
        "1",
        "carried over"
    );
    w.local.stop().await;
}
