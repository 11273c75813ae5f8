//! `smoke R` from the built binary: a pass, every kind of failure in one run (exit 5, the JSON
//! report and the JUnit file say which and why), and files it refuses (exit 1).

use super::*;
use crate::support::cli::world;

const PASSING: &str = r#"
[health]
max_latency_ms = 60000

[[check]]
name = "echo says hi"
tool = "echo"
arguments = { text = "hi" }
text_contains = "hi"

[[check]]
tool = "add"
arguments = { a = 1, b = 2 }
[check.json]
"/sum" = 3

[[check]]
tool = "weather"
arguments = { city = "Paris" }
text_contains = "Paris"
[check.json]
"/city" = "Paris"
"/units" = "metric"
"#;

const FAILING: &str = r#"
[[check]]
name = "text missing"
tool = "echo"
arguments = { text = "hi" }
text_contains = "bye"

[[check]]
name = "pointer mismatch"
tool = "add"
arguments = { a = 1, b = 2 }
[check.json]
"/sum" = 4

[[check]]
name = "unknown tool"
tool = "nope"

[[check]]
name = "bad arguments"
tool = "echo"
arguments = { txt = "hi" }

[[check]]
name = "tool error"
tool = "fail"
arguments = { mode = "tool_error", message = "<boom> & bust" }

[[check]]
name = "too slow"
tool = "slow_count"
arguments = { steps = 2, delay_ms = 300 }
max_latency_ms = 100

[[check]]
name = "still runs"
tool = "echo"
arguments = { text = "after the failures" }
"#;

#[tokio::test(flavor = "multi_thread")]
async fn every_check_passing_exits_0_with_the_report_and_junit() {
    let w = world().await;
    deploy_sample(&w, "sample", &[]).await;
    let dir = tempfile::tempdir().expect("tempdir");
    let file = write(dir.path(), "checks.toml", PASSING);
    let junit = dir.path().join("junit.xml");
    let r = ran(
        &w,
        None,
        &[
            "--env",
            "dev",
            "--output",
            "json",
            "smoke",
            "sample",
            "--smoke",
            file.to_str().expect("path"),
            "--junit",
            junit.to_str().expect("path"),
        ],
    )
    .await;
    assert_eq!(r.code, 0, "{}", r.err);
    let v = r.json();
    assert_eq!(v["env"], "dev");
    assert_eq!(v["runtime"], "sample");
    assert_eq!(
        v["qualifier"], "live",
        "the stable endpoint, which the runtime has"
    );
    assert_eq!(v["version"], "1");
    assert_eq!(
        (v["passed"].as_u64(), v["failed"].as_u64()),
        (Some(4), Some(0))
    );
    assert_eq!(v["health"]["passed"], true);
    let names: Vec<&str> = v["checks"]
        .as_array()
        .expect("checks")
        .iter()
        .map(|c| c["name"].as_str().expect("name"))
        .collect();
    assert_eq!(names, ["echo says hi", "add #2", "weather #3"]);
    for c in v["checks"].as_array().expect("checks") {
        assert_eq!(c["passed"], true, "{c}");
        assert!(c["reason"].is_null(), "{c}");
        assert!(c["latencyMs"].is_u64(), "{c}");
    }
    let cases = junit_cases(&junit);
    assert_eq!(cases.len(), 4);
    assert_eq!(cases[0], ("health".to_string(), None));
    assert!(cases.iter().all(|(_, f)| f.is_none()), "{cases:?}");

    // The table for people, and DEFAULT by name.
    let r = ran(
        &w,
        None,
        &[
            "--env",
            "dev",
            "smoke",
            "sample",
            "--qualifier",
            "DEFAULT",
            "--smoke",
            file.to_str().expect("path"),
        ],
    )
    .await;
    assert_eq!(r.code, 0, "{}", r.err);
    assert!(
        r.out.contains("echo says hi") && r.out.contains("pass"),
        "{}",
        r.out
    );
    assert!(
        r.out
            .contains("4/4 passed on sample `DEFAULT` (version 1) in dev"),
        "{}",
        r.out
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn every_kind_of_failure_exits_5_and_every_check_runs() {
    let w = world().await;
    deploy_sample(&w, "sample", &[]).await;
    let dir = tempfile::tempdir().expect("tempdir");
    write(dir.path(), "smoke.toml", FAILING);
    let junit = dir.path().join("out.xml");
    // The default file: ./smoke.toml.
    let r = ran(
        &w,
        Some(dir.path()),
        &[
            "--env", "dev", "--output", "json", "smoke", "sample", "--junit", "out.xml",
        ],
    )
    .await;
    assert_eq!(r.code, 5, "{}\n{}", r.out, r.err);
    assert!(
        r.err.contains("smoke checks failed: smoke 1/7 passed"),
        "{}",
        r.err
    );
    let v = r.json();
    assert_eq!(
        (v["passed"].as_u64(), v["failed"].as_u64()),
        (Some(1), Some(6))
    );
    assert!(v["health"].is_null());
    let reason = |name: &str| {
        let c = v["checks"]
            .as_array()
            .expect("checks")
            .iter()
            .find(|c| c["name"] == name)
            .unwrap_or_else(|| panic!("no check {name}"));
        assert_eq!(c["passed"], c["reason"].is_null(), "{c}");
        c["reason"].as_str().unwrap_or_default().to_string()
    };
    assert_eq!(
        reason("text missing"),
        "text: expected it to contain \"bye\", got \"hi\""
    );
    assert_eq!(reason("pointer mismatch"), "/sum: expected 4, got 3");
    assert!(
        reason("unknown tool").contains("unknown tool `nope`"),
        "{}",
        reason("unknown tool")
    );
    let bad = reason("bad arguments");
    assert!(
        bad.starts_with("the arguments do not match the input schema of `echo`:")
            && bad.contains("\"text\" is a required property"),
        "checked before the call, as invoke does: {bad}"
    );
    assert_eq!(
        reason("tool error"),
        "isError: expected false, got true (\"<boom> & bust\")"
    );
    assert!(
        reason("too slow").starts_with("latency: expected at most 100 ms, got "),
        "{}",
        reason("too slow")
    );
    assert_eq!(
        reason("still runs"),
        "",
        "the check after the failures ran and passed"
    );
    let cases = junit_cases(&junit);
    let failed: Vec<(&str, &str)> = cases
        .iter()
        .filter_map(|(n, f)| f.as_deref().map(|f| (n.as_str(), f)))
        .collect();
    assert_eq!(failed.len(), 6, "{cases:?}");
    assert!(
        failed.contains(&(
            "tool error",
            "isError: expected false, got true (\"<boom> & bust\")"
        )),
        "{failed:?}"
    );
    assert_eq!(cases.last(), Some(&("still runs".to_string(), None)));
}

#[tokio::test(flavor = "multi_thread")]
async fn tool_errors_from_the_server_and_slow_servers_fail_their_checks() {
    let w = world().await;
    deploy_sample(
        &w,
        "flaky",
        &["MCP_TOOL_ERROR_RATE=1", "MCP_LATENCY_MS=400"],
    )
    .await;
    let dir = tempfile::tempdir().expect("tempdir");
    let file = write(
        dir.path(),
        "s.toml",
        "[health]\n[[check]]\ntool = \"echo\"\narguments = { text = \"hi\" }\nmax_latency_ms = 200\n",
    );
    let r = ran(
        &w,
        None,
        &[
            "--env",
            "dev",
            "--output",
            "json",
            "smoke",
            "flaky",
            "--smoke",
            file.to_str().expect("path"),
        ],
    )
    .await;
    assert_eq!(r.code, 5, "{}", r.err);
    let v = r.json();
    assert_eq!(v["health"]["passed"], true, "ping is not a tool call");
    let why = v["checks"][0]["reason"].as_str().expect("reason");
    assert!(
        why.starts_with("isError: expected false, got true (\"injected tool error\"); latency: expected at most 200 ms"),
        "{why}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn files_it_cannot_use_exit_1_naming_the_file() {
    let w = world().await;
    let dir = tempfile::tempdir().expect("tempdir");
    let r = ran(&w, Some(dir.path()), &["--env", "dev", "smoke", "sample"]).await;
    assert_eq!(r.code, 1, "{}", r.err);
    assert!(
        r.err
            .contains("./smoke.toml: no smoke file here: pass --smoke FILE"),
        "{}",
        r.err
    );
    let bad = write(
        dir.path(),
        "bad.toml",
        "[[check]]\ntool = \"echo\"\n[check.json]\n\"echo\" = \"hi\"\n",
    );
    let r = ran(
        &w,
        None,
        &[
            "--env",
            "dev",
            "smoke",
            "sample",
            "--smoke",
            bad.to_str().expect("path"),
        ],
    )
    .await;
    assert_eq!(r.code, 1, "{}", r.err);
    assert!(
        r.err.contains(&format!(
            "{}:4:1: key `check[1].json.\"echo\"`: not a JSON pointer",
            bad.display()
        )),
        "{}",
        r.err
    );
    // A valid file, but no such runtime: could not run.
    let good = write(dir.path(), "good.toml", "[health]\n");
    let r = ran(
        &w,
        None,
        &[
            "--env",
            "dev",
            "smoke",
            "ghost",
            "--smoke",
            good.to_str().expect("path"),
        ],
    )
    .await;
    assert_eq!(r.code, 1, "{}", r.err);
    assert!(r.err.contains("runtime `ghost` not found"), "{}", r.err);
}
