//! `smoke` on a runtime with a JWT authorizer: the same MCP client path as `invoke`, so the
//! token comes from --bearer-token (or token_command), and without one it cannot run.

use crate::mcp_bearer::{BIN, leaks, world};

#[tokio::test(flavor = "multi_thread")]
async fn a_jwt_runtime_passes_with_a_token_and_cannot_run_without() {
    let w = world().await;
    let config = w.config(None);
    let token = w.token(600).await;
    let file = w.dir.path().join("token");
    std::fs::write(&file, &token).expect("token file");
    let spec = w.dir.path().join("smoke.toml");
    std::fs::write(
        &spec,
        "[health]\n[[check]]\ntool = \"version\"\ntext_contains = \"1\"\n",
    )
    .expect("spec");
    let run = |with_token: bool| {
        let mut cmd = assert_cmd::Command::new(BIN);
        cmd.arg("--config")
            .arg(&config)
            .env("AGENTCORE_CONSOLE_STATE_DIR", w.dir.path().join("state"))
            .args([
                "--env",
                "prod",
                "--output",
                "json",
                "smoke",
                "secure",
                "--qualifier",
                "DEFAULT",
            ])
            .arg("--smoke")
            .arg(&spec);
        if with_token {
            cmd.arg("--bearer-token")
                .arg(format!("@{}", file.display()));
        }
        async move {
            let out = tokio::task::spawn_blocking(move || cmd.output().expect("run"))
                .await
                .expect("join");
            (
                out.status.code(),
                String::from_utf8_lossy(&out.stdout).into_owned(),
                String::from_utf8_lossy(&out.stderr).into_owned(),
            )
        }
    };
    let (code, out, err) = run(true).await;
    assert_eq!(code, Some(0), "{out}\n{err}");
    let v: serde_json::Value = serde_json::from_str(&out).expect("json");
    assert_eq!(
        (v["passed"].as_u64(), v["failed"].as_u64()),
        (Some(2), Some(0)),
        "{v}"
    );
    assert!(
        w.counts.bearer() >= 4,
        "initialize, tools/list, ping, call over bearer"
    );
    assert!(
        !leaks(&out, &token) && !leaks(&err, &token),
        "the token leaked"
    );

    let (code, _, err) = run(false).await;
    assert_eq!(code, Some(1), "{err}");
    assert!(
        err.contains("uses a JWT authorizer") && err.contains("--bearer-token"),
        "{err}"
    );
}
