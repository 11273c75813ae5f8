//! Filter patterns over AWS's 1024 characters, or nested deeper than the parser allows.

use aws_smithy_types::error::metadata::ProvideErrorMetadata;

use crate::support::cli::BIN;
use crate::support::emulator::{clients, start, status_and_code};

fn nested(depth: usize) -> String {
    format!("{{ {}$.a = 1{} }}", "(".repeat(depth), ")".repeat(depth))
}

#[tokio::test]
async fn the_local_agentcore_refuses_long_and_deep_patterns_as_aws_does() {
    let dir = tempfile::tempdir().expect("tempdir");
    let local = start(&dir.path().join("local")).await;
    let c = clients(&local.url, "us-west-2").await;
    c.logs
        .create_log_group()
        .log_group_name("/g")
        .send()
        .await
        .expect("group");
    let filter = |pattern: String| {
        c.logs
            .filter_log_events()
            .log_group_name("/g")
            .filter_pattern(pattern)
            .send()
    };
    // 10,000 `(` overflowed the parser's stack and took the whole local AgentCore down.
    for pattern in [nested(10_000), "x".repeat(1025)] {
        let e = filter(pattern).await.expect_err("too long");
        assert_eq!(
            status_and_code(&e),
            (400, "InvalidParameterException".into())
        );
        let msg = e
            .as_service_error()
            .and_then(|s| s.message())
            .unwrap_or_default();
        assert!(
            msg.contains("'filterPattern'") && msg.contains("less than or equal to 1024"),
            "{msg}"
        );
    }
    let e = filter(nested(100)).await.expect_err("too deep");
    assert_eq!(
        status_and_code(&e),
        (400, "InvalidParameterException".into())
    );
    filter("x".repeat(1024))
        .await
        .expect("1024 characters are allowed");

    let e = c
        .logs
        .start_live_tail()
        .log_group_identifiers("arn:aws:logs:us-west-2:123456789012:log-group:/g")
        .log_event_filter_pattern(nested(10_000))
        .send()
        .await
        .expect_err("too long for live tail");
    let msg = format!(
        "{:?}",
        aws_smithy_types::error::display::DisplayErrorContext(&e)
    );
    assert!(
        msg.contains("InvalidParameterException") && msg.contains("'logEventFilterPattern'"),
        "{msg}"
    );
    local.stop().await;
}

#[test]
fn the_cli_refuses_a_long_pattern_before_any_call() {
    let dir = tempfile::tempdir().expect("tempdir");
    // The environments point at a listener nobody serves: a call would connect to it.
    let silent = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    silent.set_nonblocking(true).expect("nonblocking");
    let config = dir.path().join("silent.toml");
    std::fs::write(
        &config,
        format!(
            "[environments.dev]\nendpoint_url = \"http://{}\"\nregion = \"us-west-2\"\n",
            silent.local_addr().expect("addr")
        ),
    )
    .expect("config");
    for pattern in [nested(10_000), nested(100)] {
        let out = std::process::Command::new(BIN)
            .arg("--config")
            .arg(&config)
            .env("AGENTCORE_CONSOLE_STATE_DIR", dir.path())
            .args(["logs", "r", "--filter", &pattern])
            .output()
            .expect("run");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(!out.status.success());
        assert!(stderr.contains("--filter"), "{stderr}");
        assert!(
            stderr.contains("at most 1024") || stderr.contains("more than 64 deep"),
            "{stderr}"
        );
    }
    assert!(
        silent
            .accept()
            .is_err_and(|e| e.kind() == std::io::ErrorKind::WouldBlock),
        "no call was made"
    );
}
