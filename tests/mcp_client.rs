//! The backend's MCP client, through InvokeAgentRuntime, against real server processes.

#[path = "support/emulator.rs"]
mod support;

use agentcore_console::backend::mcp::{McpError, McpSession};
use serde_json::json;
use support::*;

#[tokio::test]
async fn initialize_list_and_call_through_the_data_plane() {
    let dir = tempfile::tempdir().expect("tempdir");
    let local = start(dir.path()).await;
    let c = clients(&local.url, "us-west-2").await;
    let id = create(&c, "tools").await;
    settled(&c, &id).await;
    let arn = c
        .control
        .get_agent_runtime()
        .agent_runtime_id(&id)
        .send()
        .await
        .expect("get")
        .agent_runtime_arn;

    let mut s = McpSession::connect(&c, &arn, None).await.expect("connect");
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
    local.stop().await;
}
