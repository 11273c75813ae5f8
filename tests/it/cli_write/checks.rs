//! Input a write can check before its first call is refused before it: no bucket, no upload,
//! no version, no endpoint, no gateway, no audit entry of a change.

use super::cli::{self, FIXTURE_DIR, World, json, run, world};
use super::support::clients;
use crate::support::sessions;

/// Nothing was created in dev: no runtime, no artifact bucket.
async fn nothing_created(w: &World, what: &str) {
    let rows = json(w, &["--env", "dev", "runtimes"]).await;
    assert_eq!(rows.as_array().map(Vec::len), Some(0), "{what}: {rows}");
    let c = clients(&w.local.url, "us-west-2").await;
    let bucket =
        c.s3.head_bucket()
            .bucket("agentcore-console-123456789012-us-west-2")
            .send()
            .await;
    assert!(bucket.is_err(), "{what}: no artifact bucket");
}

#[tokio::test]
async fn bad_deploy_flags_are_refused_before_anything_is_created() {
    let w = world().await;
    let tmp = tempfile::tempdir().expect("tempdir");
    let code = tmp.path().join("code");
    std::fs::create_dir(&code).expect("mkdir");
    std::fs::copy(format!("{FIXTURE_DIR}/main.py"), code.join("main.py")).expect("copy");
    // Beside the directory, reachable by `..`, an absolute path or a link, none packaged.
    std::fs::copy(
        format!("{FIXTURE_DIR}/main.py"),
        tmp.path().join("outside.py"),
    )
    .expect("copy");
    std::os::unix::fs::symlink(tmp.path().join("outside.py"), code.join("link.py"))
        .expect("symlink");
    let code_dir = code.display().to_string();
    let outside = tmp.path().join("outside.py").display().to_string();
    let missing = tmp.path().join("nope").display().to_string();
    let cases: Vec<(Vec<&str>, &str)> = vec![
        (vec!["--endpoint", "my-live"], "is not an endpoint name"),
        (vec!["--endpoint", "DEFAULT"], "DEFAULT follows the latest"),
        (
            vec!["--timeout", "0"],
            "timeout of 0s (--timeout) is not usable",
        ),
        (vec!["--timeout", "18446744073709551615"], "is not usable"),
        (
            vec!["--entry-point", "../outside.py"],
            "leaves the code's directory",
        ),
        (vec!["--entry-point", &outside], "is an absolute path"),
        (vec!["--entry-point", "link.py"], "symbolic link `link.py`"),
        (vec!["--description", ""], "description must be 1 to 4096"),
    ];
    for (extra, said) in cases {
        let mut args = vec!["--env", "dev", "deploy", "weather", "--from-dir", &code_dir];
        args.extend(extra.iter().copied());
        let (ok, _, err) = run(&w, &args).await;
        assert!(
            !ok && err.contains(said),
            "{extra:?}: `{said}` not in: {err}"
        );
        nothing_created(&w, &format!("{extra:?}")).await;
    }
    let (ok, _, err) = run(
        &w,
        &["--env", "dev", "deploy", "weather", "--from-dir", &missing],
    )
    .await;
    assert!(
        !ok && err.contains("no such directory") && !err.contains("entry point"),
        "{err}"
    );
    for (runtime, said) in [
        ("my-weather", "is not a runtime name"),
        // An id's shape, of no runtime: it cannot name a new one either.
        ("weather-abcdefghij", "cannot name a new one"),
    ] {
        let args = ["--env", "dev", "deploy", runtime, "--from-dir", &code_dir];
        let (ok, _, err) = run(&w, &args).await;
        assert!(!ok && err.contains(said), "{runtime}: {err}");
    }
    nothing_created(&w, "a runtime name with `-`").await;
    let audit = cli::audit(&w);
    assert!(
        !audit.is_empty()
            && audit.iter().all(|e| e["result"]
                .as_str()
                .is_some_and(|r| r.starts_with("refused"))),
        "nothing changed; each refusal audited as one: {audit:?}"
    );
    w.local.stop().await;
}

#[tokio::test]
async fn a_bad_endpoint_on_an_update_creates_no_version() {
    let w = world().await;
    json(&w, &super::deploy_args("dev", "APP_VERSION=1")).await;
    let args = [
        "--env",
        "dev",
        "deploy",
        "weather",
        "--from-dir",
        FIXTURE_DIR,
        "--endpoint",
        "live-2",
    ];
    let (ok, _, err) = run(&w, &args).await;
    assert!(!ok && err.contains("is not an endpoint name"), "{err}");
    let shown = json(&w, &["--env", "dev", "runtime", "show", "weather"]).await;
    let versions = shown["versions"].as_array().map(Vec::len);
    assert_eq!(versions, Some(1), "no version 2: {shown}");
    for (args, said) in [
        (
            vec![
                "rollback",
                "weather",
                "--endpoint",
                "live",
                "--to-version",
                "01",
            ],
            "is not a version number",
        ),
        (
            vec!["point", "weather", "--endpoint", "a-b", "--version", "1"],
            "is not an endpoint name",
        ),
    ] {
        let mut all = vec!["--env", "dev"];
        all.extend(args);
        let (ok, _, err) = run(&w, &all).await;
        assert!(!ok && err.contains(said), "{all:?}: {err}");
    }
    let audit = cli::audit(&w);
    let done: Vec<_> = audit
        .iter()
        .filter(|e| {
            !e["result"]
                .as_str()
                .is_some_and(|r| r.starts_with("refused"))
        })
        .collect();
    assert_eq!(
        done.len(),
        1,
        "only the first deploy changed anything: {audit:?}"
    );
    assert!(audit.len() > 1, "the refusals are audited");
    w.local.stop().await;
}

#[tokio::test]
async fn abort_with_no_canary_says_so_and_changes_nothing() {
    let w = world().await;
    sessions::deploy(&w, "weather", "1", Some("live")).await;
    sessions::deploy(&w, "weather", "2", None).await;
    let abort = ["--env", "dev", "traffic", "abort", "weather"];
    let (ok, _, err) = run(&w, &abort).await;
    assert!(ok, "the state an abort asks for holds: {err}");
    assert!(
        err.contains("no canary to abort: no gateway rule splits `weather`'s traffic"),
        "{err}"
    );
    let view = json(&w, &["--env", "dev", "traffic", "show", "weather"]).await;
    assert!(view["gateway"].is_null(), "no gateway was created: {view}");

    sessions::set(&w, "weather", "2", "10").await;
    let (ok, _, err) = run(&w, &abort).await;
    assert!(ok && !err.contains("no canary"), "a real abort: {err}");
    let again = json(&w, &abort).await;
    assert_eq!(
        again["note"],
        "no canary to abort: every new session of `weather` already goes to `live` (version \
         1); nothing changed"
    );
    let actions: Vec<String> = cli::audit(&w)
        .iter()
        .filter_map(|e| e["action"].as_str().map(str::to_string))
        .filter(|a| a.starts_with("traffic."))
        .collect();
    assert_eq!(
        actions,
        ["traffic.set", "traffic.abort"],
        "the no-ops wrote nothing"
    );
    w.local.stop().await;
}
