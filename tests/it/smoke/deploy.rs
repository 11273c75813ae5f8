//! A deploy from a directory with smoke.toml runs it on the new version after tools/list: a
//! failure is a failed validation (exit 5) and the endpoint stays where it was; `--no-smoke`
//! skips it; a passing run is in the deploy's report.

use super::*;
use crate::support::cli::{self, world};

const ECHO: &str =
    "[[check]]\ntool = \"echo\"\narguments = { text = \"hi\" }\ntext_contains = \"hi\"\n";

/// What `live` serves, as `smoke` reports it (a health probe only: any version passes).
async fn live_version(w: &World, probe: &Path) -> String {
    let r = ran(
        w,
        None,
        &[
            "--env",
            "dev",
            "--output",
            "json",
            "smoke",
            "sample",
            "--qualifier",
            "live",
            "--smoke",
            probe.to_str().expect("path"),
        ],
    )
    .await;
    assert_eq!(r.code, 0, "{}", r.err);
    r.json()["version"].as_str().expect("version").to_string()
}

#[tokio::test(flavor = "multi_thread")]
async fn a_failing_smoke_file_beside_the_code_keeps_the_endpoint_where_it_was() {
    let w = world().await;
    deploy_sample(&w, "sample", &[]).await;
    let code = tempfile::tempdir().expect("tempdir");
    std::fs::copy(
        Path::new(SAMPLE_DIR).join("main.py"),
        code.path().join("main.py"),
    )
    .expect("copy");
    write(code.path(), "smoke.toml", ECHO);
    let elsewhere = tempfile::tempdir().expect("tempdir");
    let probe = write(elsewhere.path(), "probe.toml", "[health]\n");
    let dir = code.path().to_str().expect("path");
    let deploy = |extra: &[&'static str]| {
        let mut args = vec![
            "--env",
            "dev",
            "--output",
            "json",
            "deploy",
            "sample",
            "--from-dir",
            dir,
            "--endpoint",
            "live",
            "--yes",
        ];
        args.extend(extra);
        args
    };

    let r = ran(&w, None, &deploy(&["--env-var", "MCP_TOOL_ERROR_RATE=1"])).await;
    assert_eq!(r.code, 5, "{}\n{}", r.out, r.err);
    assert!(
        r.err.contains(
            "validation failed: smoke 0/1 passed: check echo #1: isError: expected false, got true"
        ),
        "{}",
        r.err
    );
    assert!(r.err.contains("`live` still serves version 1"), "{}", r.err);
    assert_eq!(
        live_version(&w, &probe).await,
        "1",
        "the endpoint did not move"
    );
    let last = cli::audit(&w).pop().expect("audit");
    assert_eq!(last["action"], "deploy");
    assert!(
        last["result"]
            .as_str()
            .expect("result")
            .contains("smoke 0/1 passed"),
        "{last}"
    );

    // The same code without the smoke file's say: it validates and moves.
    let r = ran(
        &w,
        None,
        &deploy(&["--env-var", "MCP_TOOL_ERROR_RATE=1", "--no-smoke"]),
    )
    .await;
    assert_eq!(r.code, 0, "{}", r.err);
    assert!(r.json().get("smoke").is_none(), "{}", r.out);
    assert_eq!(live_version(&w, &probe).await, "3");

    // A healthy version passes its smoke checks and reports them.
    let r = ran(
        &w,
        None,
        &deploy(&["--unset-env-var", "MCP_TOOL_ERROR_RATE"]),
    )
    .await;
    assert_eq!(r.code, 0, "{}", r.err);
    let v = r.json();
    assert_eq!(v["smoke"]["checks"][0]["passed"], true, "{v}");
    assert_eq!(v["endpoint"]["to"], "4");

    // A bad smoke file is refused before anything is uploaded.
    let bad = write(
        elsewhere.path(),
        "bad.toml",
        "[[check]]\ntool = \"echo\"\nexpect = 1\n",
    );
    let mut args = deploy(&[]);
    args.extend(["--smoke", bad.to_str().expect("path")]);
    let r = ran(&w, None, &args).await;
    assert_eq!(r.code, 1, "{}", r.err);
    assert!(
        r.err.contains("bad.toml:3:1: key `check[1].expect`"),
        "{}",
        r.err
    );
    assert_eq!(live_version(&w, &probe).await, "4");
}
