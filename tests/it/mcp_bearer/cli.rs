//! `tools`, `invoke` and `deploy` on a JWT runtime from the built binary: the token from a
//! file, a variable or token_command; what is said when there is none or it is refused; and
//! that the token shows up nowhere (stdout, stderr at trace level, the audit log).

use std::path::Path;

use super::*;
use crate::support::cli::FIXTURE_DIR;

/// Run the binary with these extra variables, logging at trace level; (ok, stdout, stderr).
pub(super) async fn run(
    config: &Path,
    state: &Path,
    vars: &[(&str, &str)],
    args: &[&str],
) -> (bool, String, String) {
    let mut cmd = assert_cmd::Command::new(BIN);
    cmd.arg("--config")
        .arg(config)
        .env("AGENTCORE_CONSOLE_STATE_DIR", state)
        .env("AGENTCORE_CONSOLE_LOG", "trace")
        .args(args);
    for (k, v) in vars {
        cmd.env(k, v);
    }
    let out = tokio::task::spawn_blocking(move || cmd.output().expect("run"))
        .await
        .expect("join");
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// `--env prod tools RUNTIME --bearer-token TOKEN_ARG`.
async fn prod_tools(
    config: &Path,
    state: &Path,
    runtime: &str,
    token_arg: &str,
) -> (bool, String, String) {
    let args = [
        "--env",
        "prod",
        "tools",
        runtime,
        "--bearer-token",
        token_arg,
    ];
    run(config, state, &[], &args).await
}

#[tokio::test(flavor = "multi_thread")]
async fn tools_and_invoke_with_a_token_from_a_file_or_a_variable_never_showing_it() {
    let w = world().await;
    let config = w.config(None);
    let state = w.dir.path().join("state");
    let token = w.token(600).await;
    let file = w.dir.path().join("token");
    std::fs::write(&file, format!("{token}\n")).expect("token file");
    let at_file = format!("@{}", file.display());

    let (ok, out, err) = prod_tools(&config, &state, "secure", &at_file).await;
    assert!(ok, "{err}");
    assert!(out.contains("version"), "{out}");
    assert!(
        !leaks(&out, &token) && !leaks(&err, &token),
        "the token leaked:\n{out}\n{err}"
    );
    let after_tools = w.counts.bearer();
    assert!(
        after_tools >= 3,
        "initialize, initialized, tools/list: {after_tools}"
    );
    assert_eq!(
        w.counts.invocations(),
        after_tools,
        "every call carried the token"
    );

    let (ok, out, err) = run(
        &config,
        &state,
        &[("PROD_TOKEN", &token)],
        &[
            "--env",
            "prod",
            "--output",
            "json",
            "invoke",
            "secure",
            "--tool",
            "version",
            "--bearer-token",
            "env:PROD_TOKEN",
        ],
    )
    .await;
    assert!(ok, "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).expect("json");
    assert_eq!(v["isError"], false, "{v}");
    assert!(
        !leaks(&out, &token) && !leaks(&err, &token),
        "the token leaked:\n{out}\n{err}"
    );
    assert!(w.counts.bearer() > after_tools);
    assert!(
        !state.join("audit.jsonl").exists()
            || !leaks(
                &std::fs::read_to_string(state.join("audit.jsonl")).unwrap_or_default(),
                &token
            )
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn without_a_token_the_error_says_what_to_do_and_nothing_is_sent() {
    let w = world().await;
    let config = w.config(None);
    let state = w.dir.path().join("state");
    let (ok, _, err) = run(&config, &state, &[], &["--env", "prod", "tools", "secure"]).await;
    assert!(!ok);
    let issuer = format!("{}/_local/oidc", w.local.url);
    assert!(
        err.contains(&format!(
            "runtime `secure` in `prod` uses a JWT authorizer ({issuer}): pass --bearer-token @FILE|env:VAR or set token_command for `prod`"
        )),
        "{err}"
    );
    // A literal token is refused before anything is read or called.
    let (ok, _, err) = prod_tools(&config, &state, "secure", "eyJhbGciOiJSUzI1NiJ9.e30.c2ln").await;
    assert!(!ok);
    assert!(
        err.contains("a literal token is refused") && err.contains("shell history"),
        "{err}"
    );
    assert!(
        !err.contains("eyJhbGciOiJSUzI1NiJ9"),
        "the literal is not echoed: {err}"
    );
    assert_eq!(w.counts.invocations(), 0, "no call was made");

    // The other way round: a token for an IAM runtime is refused by the runtime, and said so.
    let file = w.dir.path().join("token");
    std::fs::write(&file, w.token(600).await).expect("token file");
    let (ok, _, err) = prod_tools(&config, &state, "open", &format!("@{}", file.display())).await;
    assert!(!ok);
    assert!(
        err.contains("HTTP 403") && err.contains("takes IAM (SigV4) callers"),
        "{err}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn an_expired_token_is_refused_once_with_a_clear_error() {
    let w = world().await;
    let config = w.config(None);
    let state = w.dir.path().join("state");
    let token = w.token(1).await;
    let file = w.dir.path().join("token");
    std::fs::write(&file, &token).expect("token file");
    // Past its exp (the local AgentCore allows no leeway).
    tokio::time::sleep(std::time::Duration::from_millis(2100)).await;
    let (ok, out, err) =
        prod_tools(&config, &state, "secure", &format!("@{}", file.display())).await;
    assert!(!ok);
    assert!(
        err.contains(&format!(
            "the runtime refused the bearer token from --bearer-token @{} (HTTP 401",
            file.display()
        )),
        "{err}"
    );
    assert!(err.contains("the token expired at"), "{err}");
    assert!(!leaks(&out, &token) && !leaks(&err, &token), "{err}");
    // The file did not change: nothing new to try, one call.
    assert_eq!(w.counts.invocations(), 1);
}

#[tokio::test(flavor = "multi_thread")]
async fn deploy_validates_a_jwt_runtime_with_token_command_and_audits_no_token() {
    let w = world().await;
    // token_command = `cat FILE`, so the test knows the token to look for.
    let token = w.token(3600).await;
    let file = w.dir.path().join("token");
    std::fs::write(&file, &token).expect("token file");
    let config = w.config(Some(&format!("cat '{}'", file.display())));
    let state = w.dir.path().join("state");
    let (ok, out, err) = run(
        &config,
        &state,
        &[],
        &[
            "--env",
            "prod",
            "deploy",
            "secure",
            "--from-dir",
            FIXTURE_DIR,
            "--arm",
            "--yes",
        ],
    )
    .await;
    assert!(ok, "{out}\n{err}");
    assert!(
        out.contains("deployed secure version 2 in prod: READY, 1 tools"),
        "validated:\n{out}\n{err}"
    );
    assert!(w.counts.bearer() >= 3, "validation went over bearer");
    let audit = std::fs::read_to_string(state.join("audit.jsonl")).expect("audited");
    assert!(audit.contains("secure"), "{audit}");
    for (what, text) in [("stdout", &out), ("stderr", &err), ("audit", &audit)] {
        assert!(!leaks(text, &token), "the token is in {what}:\n{text}");
    }

    // And tools through the same token_command.
    let (ok, out, err) = run(&config, &state, &[], &["--env", "prod", "tools", "secure"]).await;
    assert!(ok && out.contains("version"), "{out}\n{err}");
    assert!(!leaks(&err, &token), "{err}");
}
