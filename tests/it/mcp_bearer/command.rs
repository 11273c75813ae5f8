//! An environment's token_command through the backend's MCP client: run once and cached while
//! its token is good, run again when it is about to expire, run once more after a 401, and a
//! source that keeps failing is an error after one retry, never a loop.

use agentcore_console::backend::mcp::{McpError, McpSession};

use super::*;

#[tokio::test(flavor = "multi_thread")]
async fn a_token_is_cached_until_thirty_seconds_before_it_expires() {
    let w = world().await;
    // An hour: one run serves every session.
    let (cmd, runs_file) = w.minting_command("hour", "1h");
    let c = w.clients(Some(&cmd)).await;
    for _ in 0..2 {
        let mut s = McpSession::connect(&c, &w.secure, None)
            .await
            .expect("connect");
        let tools = s.list_tools().await.expect("tools");
        assert_eq!(tools[0].name, "version");
    }
    assert_eq!(runs(&runs_file), 1);
    let calls = w.counts.bearer();
    assert_eq!(calls, 6, "initialize, initialized, tools/list, twice");

    // 30 seconds: always within the margin, so every call runs the command again.
    let (cmd, runs_file) = w.minting_command("short", "30s");
    let c = w.clients(Some(&cmd)).await;
    let mut s = McpSession::connect(&c, &w.secure, Some("DEFAULT"))
        .await
        .expect("connect");
    s.list_tools().await.expect("tools");
    assert_eq!(runs(&runs_file), w.counts.bearer() - calls);
    assert_eq!(runs(&runs_file), 3);
}

#[tokio::test(flavor = "multi_thread")]
async fn after_a_401_the_command_runs_once_more_and_the_call_goes_through() {
    let w = world().await;
    // The first run prints a token the runtime refuses; later runs a good one.
    let (good, runs_file) = w.minting_command("flaky", "1h");
    let script = w.dir.path().join("flaky-first.sh");
    std::fs::write(
        &script,
        format!(
            "if [ ! -e '{runs}' ]; then echo run >> '{runs}'; echo not-a-valid-token; exit 0; fi\n{good}\n",
            runs = runs_file.display()
        ),
    )
    .expect("script");
    let c = w.clients(Some(&format!("sh '{}'", script.display()))).await;
    let mut s = McpSession::connect(&c, &w.secure, None)
        .await
        .expect("connect after a 401");
    s.list_tools().await.expect("tools");
    assert_eq!(runs(&runs_file), 2, "once, and once more after the 401");
    assert_eq!(
        w.counts.bearer(),
        4,
        "the refused initialize, then initialize, initialized, tools/list"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn refused_tokens_are_an_error_after_one_retry() {
    let w = world().await;
    // Each run prints another token the runtime refuses.
    let runs_file = w.dir.path().join("bad.runs");
    let cmd = format!(
        "echo run >> '{r}'; echo \"bad-token-$(wc -l < '{r}' | tr -d ' ')\"",
        r = runs_file.display()
    );
    let c = w.clients(Some(&cmd)).await;
    let e = McpSession::connect(&c, &w.secure, None)
        .await
        .err()
        .expect("refused");
    let text = e.to_string();
    assert!(matches!(e, McpError::Refused(_)), "{text}");
    assert!(
        text.contains("from the token_command of `prod` (HTTP 401"),
        "{text}"
    );
    assert!(
        text.contains("a new token was fetched and refused too"),
        "{text}"
    );
    assert!(!text.contains("bad-token"), "{text}");
    assert_eq!(
        (runs(&runs_file), w.counts.bearer()),
        (2, 2),
        "one retry, no loop"
    );

    // A command that fails says why, from its stderr, and nothing is sent.
    let c = w
        .clients(Some("echo 'session expired: run sso login' >&2; exit 4"))
        .await;
    let e = McpSession::connect(&c, &w.secure, None)
        .await
        .err()
        .expect("fails");
    assert_eq!(
        e.to_string(),
        "the token_command of `prod`: failed: exit status 4: session expired: run sso login"
    );
    assert_eq!(w.counts.bearer(), 2);
}
