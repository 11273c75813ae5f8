//! The backend's MCP client, through InvokeAgentRuntime, against real server processes.

use crate::support::emulator as support;

use std::time::Duration;

use agentcore_console::backend::Clients;
use agentcore_console::backend::mcp::{McpError, McpSession};
use serde_json::json;
use support::*;

async fn arn(c: &Clients, id: &str) -> String {
    c.control
        .get_agent_runtime()
        .agent_runtime_id(id)
        .send()
        .await
        .expect("get")
        .agent_runtime_arn
}

/// The messages the runtime's server logged (through DEFAULT's log group) matching `pattern`.
async fn logged(c: &Clients, id: &str, pattern: &str) -> Vec<String> {
    let page = c
        .logs
        .filter_log_events()
        .log_group_name(format!("/aws/bedrock-agentcore/runtimes/{id}-DEFAULT"))
        .filter_pattern(pattern)
        .send()
        .await
        .expect("filter");
    page.events()
        .iter()
        .filter_map(|e| e.message().map(str::to_string))
        .collect()
}

#[tokio::test]
async fn initialize_list_and_call_through_the_data_plane() {
    let dir = tempfile::tempdir().expect("tempdir");
    let local = start(dir.path()).await;
    let c = clients(&local.url, "us-west-2").await;
    let id = create(&c, "tools").await;
    settled(&c, &id).await;
    let mut s = McpSession::connect(&c, &arn(&c, &id).await, None)
        .await
        .expect("connect");
    let server = s.server.clone().expect("initialized");
    assert_eq!(server.server_info.name, "tiny");
    assert_eq!(
        server.protocol_version.as_str(),
        "2025-06-18",
        "negotiated down to what the server speaks"
    );
    assert!(s.session_id().is_some());
    let tools = s.list_tools().await.expect("tools");
    assert_eq!(
        tools.iter().map(|t| t.name.as_ref()).collect::<Vec<_>>(),
        ["version"]
    );
    let result = s
        .call_tool(&tools, "version", json!({}), None)
        .await
        .expect("call");
    let text = serde_json::to_value(&result.content).expect("content");
    assert_eq!(text[0]["text"], "1");

    let unknown = s
        .call_tool(&tools, "nope", json!({}), None)
        .await
        .expect_err("unknown tool");
    assert!(matches!(unknown, McpError::UnknownTool(_)));
    let not_object = s
        .call_tool(&tools, "version", json!([1]), None)
        .await
        .expect_err("schema");
    assert!(
        matches!(not_object, McpError::InvalidArguments { .. }),
        "{not_object}"
    );

    // Neither the unknown tool nor the bad arguments reached the server. Its lines come in
    // order, so once the next tools/list is logged, any call sent before it would be too.
    s.list_tools().await.expect("tools again");
    let pattern = r#"{ $.method = "tools/list" }"#;
    for _ in 0..200 {
        if logged(&c, &id, pattern).await.len() >= 2 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert_eq!(logged(&c, &id, pattern).await.len(), 2);
    let calls = logged(&c, &id, r#"{ $.method = "tools/call" }"#).await;
    assert_eq!(calls.len(), 1, "only the valid call was sent: {calls:?}");
    local.stop().await;
}

#[tokio::test]
async fn a_server_that_primes_its_event_streams_is_understood() {
    // MCP 2025-11-25 (SEP-1699): every answer is an event stream that starts with an event
    // holding only an id and empty data, then a comment.
    let dir = tempfile::tempdir().expect("tempdir");
    let local = start(dir.path()).await;
    let c = clients(&local.url, "us-west-2").await;
    let id = create_with(&c, "primed", &[("FIXTURE_SSE", "prime")]).await;
    settled(&c, &id).await;
    let mut s = McpSession::connect(&c, &arn(&c, &id).await, None)
        .await
        .expect("connect");
    let tools = s.list_tools().await.expect("tools");
    let result = s
        .call_tool(&tools, "version", json!({}), None)
        .await
        .expect("call");
    let text = serde_json::to_value(&result.content).expect("content");
    assert_eq!(text[0]["text"], "1");
    local.stop().await;
}

#[tokio::test]
async fn silence_hits_the_idle_limit_and_progress_does_not_outlast_the_hard_cap() {
    let dir = tempfile::tempdir().expect("tempdir");
    let local = start(dir.path()).await;
    let c = clients(&local.url, "us-west-2").await;
    let silent = create_with(&c, "mute", &[("FIXTURE_CALL_DELAY", "3")]).await;
    let chatty = create_with(
        &c,
        "chatty",
        &[
            ("FIXTURE_CALL_DELAY", "1.4"),
            ("FIXTURE_CALL_PROGRESS", "1"),
        ],
    )
    .await;
    settled(&c, &silent).await;
    settled(&c, &chatty).await;

    // Nothing at all, not even the response's headers, for longer than the idle limit.
    let mut s = McpSession::connect(&c, &arn(&c, &silent).await, None)
        .await
        .expect("connect")
        .with_idle_limit(Duration::from_millis(400));
    let tools = s.list_tools().await.expect("tools");
    let idle = s
        .call_tool(&tools, "version", json!({}), None)
        .await
        .expect_err("idle");
    assert!(
        matches!(&idle, McpError::Timeout(m) if m.contains("sent nothing for 400ms")),
        "{idle}"
    );

    // Progress every 0.2 s keeps a call alive past the idle limit...
    let chatty_arn = arn(&c, &chatty).await;
    let mut s = McpSession::connect(&c, &chatty_arn, None)
        .await
        .expect("connect")
        .with_idle_limit(Duration::from_millis(800));
    let tools = s.list_tools().await.expect("tools");
    let mut seen = 0;
    let mut count = |_: &rmcp::model::ProgressNotificationParam| seen += 1;
    s.call_tool(&tools, "version", json!({}), Some(&mut count))
        .await
        .expect("alive through progress");
    assert!(seen >= 3, "{seen} progress notifications");

    // ...but not past the hard cap on the whole call.
    let mut s = McpSession::connect(&c, &chatty_arn, None)
        .await
        .expect("connect")
        .with_idle_limit(Duration::from_millis(800))
        .with_hard_cap(Duration::from_millis(600));
    let tools = s.list_tools().await.expect("tools");
    let capped = s
        .call_tool(&tools, "version", json!({}), None)
        .await
        .expect_err("hard cap");
    assert!(
        matches!(&capped, McpError::Timeout(m) if m.contains("tools/call took longer than 600ms")),
        "{capped}"
    );
    local.stop().await;
}
