//! The shipped sample MCP server, deployed to the local AgentCore and driven by the backend's
//! MCP client: negotiation, pagination, schemas, SSE progress, errors.

use crate::support::emulator as support;

use agentcore_console::backend::Backend;
use agentcore_console::backend::Clients;
use agentcore_console::backend::audit::{Actor, AuditLog};
use agentcore_console::backend::deploy::{self, DeployRequest, Source};
use agentcore_console::backend::mcp::{McpError, McpSession};
use serde_json::json;
use support::*;

const SAMPLE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/assets/sample-mcp-server");

/// Deploy the sample with these settings; returns the runtime ARN.
async fn deploy_sample(
    backend: &Backend,
    name: &str,
    vars: &[(&str, &str)],
    state: &std::path::Path,
) -> String {
    let req = DeployRequest {
        runtime: name.into(),
        source: Source::Dir {
            dir: SAMPLE.into(),
            entry_point: "main.py".into(),
            language: "PYTHON_3_12".into(),
        },
        endpoint: None,
        role_arn: None,
        env_vars: vars
            .iter()
            .map(|(k, v)| (k.to_string(), (*v).into()))
            .collect(),
        unset_env: vec![],
        description: None,
        timeout: std::time::Duration::from_secs(60),
        armed: false,
        posture: Default::default(),
        allow_posture_change: false,
        smoke: None,
    };
    let audit = AuditLog::at(state.join("audit.jsonl"));
    let report = deploy::deploy(
        backend,
        "dev",
        &req,
        &Actor::new("test".into()),
        &audit,
        &mut |_| {},
    )
    .await
    .expect("deploy");
    assert_eq!(report.tools, Some(6), "validated with tools/list");
    report.arn
}

async fn setup(dir: &std::path::Path) -> (Local, Backend) {
    let local = start(&dir.join("local")).await;
    let backend = Backend::new(vec![env("dev", &local.url, "us-west-2", None)]);
    (local, backend)
}

#[tokio::test]
async fn tools_list_call_and_stream_progress() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (local, backend) = setup(dir.path()).await;
    let arn = deploy_sample(
        &backend,
        "sample",
        &[("MCP_PAGE_SIZE", "2"), ("APP_VERSION", "7.1.0")],
        dir.path(),
    )
    .await;
    let c: std::sync::Arc<Clients> = backend.clients("dev").await.expect("clients");
    let mut s = McpSession::connect(&c, &arn, None).await.expect("connect");
    let server = s.server.clone().expect("server");
    assert_eq!(
        (
            server.server_info.name.as_str(),
            server.server_info.version.as_str()
        ),
        ("sample-mcp-server", "7.1.0")
    );
    assert_eq!(server.protocol_version.as_str(), "2025-06-18");
    let tools = s.list_tools().await.expect("three pages of two");
    let names: Vec<&str> = tools.iter().map(|t| t.name.as_ref()).collect();
    assert_eq!(
        names,
        [
            "echo",
            "add",
            "weather",
            "create_ticket",
            "slow_count",
            "fail"
        ]
    );

    let sum = s
        .call_tool(&tools, "add", json!({"a": 2, "b": 40}), None)
        .await
        .expect("add");
    assert_eq!(sum.structured_content, Some(json!({"sum": 42})));

    let mut seen = vec![];
    let mut on_progress =
        |p: &rmcp::model::ProgressNotificationParam| seen.push((p.progress, p.total));
    let counted = s
        .call_tool(
            &tools,
            "slow_count",
            json!({"steps": 4, "delay_ms": 20}),
            Some(&mut on_progress),
        )
        .await
        .expect("slow_count");
    assert_eq!(
        seen,
        vec![
            (1.0, Some(4.0)),
            (2.0, Some(4.0)),
            (3.0, Some(4.0)),
            (4.0, Some(4.0))
        ]
    );
    assert_eq!(
        serde_json::to_value(&counted.content).expect("json")[0]["text"],
        "counted to 4"
    );

    // The nested schema is checked before anything is sent.
    let bad = s
        .call_tool(
            &tools,
            "create_ticket",
            json!({"title": "x", "customer": {"name": "n"}}),
            None,
        )
        .await
        .expect_err("missing email");
    match bad {
        McpError::InvalidArguments { problems, .. } => {
            assert!(
                problems
                    .iter()
                    .any(|p| p.contains("customer") && p.contains("email")),
                "{problems:?}"
            )
        }
        other => panic!("expected a schema error, got {other}"),
    }
    let tool_error = s
        .call_tool(&tools, "fail", json!({"message": "nope"}), None)
        .await
        .expect("a result");
    assert_eq!(tool_error.is_error, Some(true));
    let rpc = s
        .call_tool(
            &tools,
            "fail",
            json!({"mode": "protocol_error", "message": "boom"}),
            None,
        )
        .await;
    assert!(
        matches!(rpc, Err(McpError::Rpc { code: -32000, ref message }) if message == "boom"),
        "{rpc:?}"
    );
    local.stop().await;
}

#[tokio::test]
async fn sse_answers_and_server_errors_come_through() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (local, backend) = setup(dir.path()).await;
    let sse = deploy_sample(
        &backend,
        "streams",
        &[("MCP_RESPONSE_MODE", "sse")],
        dir.path(),
    )
    .await;
    let c = backend.clients("dev").await.expect("clients");
    let mut s = McpSession::connect(&c, &sse, None)
        .await
        .expect("connect over SSE");
    let tools = s.list_tools().await.expect("tools over SSE");
    let echoed = s
        .call_tool(&tools, "echo", json!({"text": "hello"}), None)
        .await
        .expect("echo");
    assert_eq!(
        serde_json::to_value(&echoed.content).expect("json")[0]["text"],
        "hello"
    );

    let flaky = deploy_sample(&backend, "flaky", &[("MCP_ERROR_RATE", "1")], dir.path()).await;
    let mut f = McpSession::connect(&c, &flaky, None)
        .await
        .expect("connect");
    let tools = f.list_tools().await.expect("tools");
    let err = f
        .call_tool(&tools, "echo", json!({"text": "x"}), None)
        .await
        .expect_err("injected 500");
    let text = err.to_string();
    assert!(
        text.contains("RuntimeClientError") && text.contains("500"),
        "{text}"
    );
    local.stop().await;
}
