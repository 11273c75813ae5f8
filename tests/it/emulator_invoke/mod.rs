//! Runtimes that run: real server processes behind InvokeAgentRuntime.

mod endpoints;
#[cfg(target_os = "linux")]
mod orphans;
mod supervision;
use crate::support::emulator as support;

use std::time::Duration;

use agentcore_console::backend::Clients;
use aws_sdk_bedrockagentcore::primitives::Blob;
use support::*;

const INIT: &str = r#"{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"t","version":"1"}}}"#;

async fn arn(c: &Clients, id: &str) -> String {
    c.control
        .get_agent_runtime()
        .agent_runtime_id(id)
        .send()
        .await
        .expect("get")
        .agent_runtime_arn
}

/// InvokeAgentRuntime with an MCP `initialize`, failing with (HTTP status, error code,
/// message).
async fn invoke_err(c: &Clients, arn: &str) -> (u16, String, String) {
    let err = c
        .data
        .invoke_agent_runtime()
        .agent_runtime_arn(arn)
        .content_type("application/json")
        .payload(Blob::new(INIT))
        .send()
        .await
        .expect_err("the invocation must fail");
    let (status, code) = status_and_code(&err);
    let message = err
        .as_service_error()
        .and_then(aws_smithy_types::error::metadata::ProvideErrorMetadata::message)
        .unwrap_or_default()
        .to_string();
    (status, code, message)
}

/// Invoke with an MCP `initialize` and return the server's reported version.
async fn server_version(c: &Clients, arn: &str, qualifier: Option<&str>) -> Result<String, String> {
    let out = c
        .data
        .invoke_agent_runtime()
        .agent_runtime_arn(arn)
        .set_qualifier(qualifier.map(str::to_string))
        .content_type("application/json")
        .accept("application/json, text/event-stream")
        .payload(Blob::new(INIT))
        .send()
        .await
        .map_err(|e| {
            format!(
                "{}",
                aws_smithy_types::error::display::DisplayErrorContext(&e)
            )
        })?;
    assert!(
        out.mcp_session_id().is_some(),
        "the platform returns a session id"
    );
    assert!(out.runtime_session_id().is_some_and(|s| s.len() >= 33));
    let body = out.response.collect().await.expect("body").into_bytes();
    let v: serde_json::Value = serde_json::from_slice(&body).expect("json");
    Ok(v["result"]["serverInfo"]["version"]
        .as_str()
        .expect("version")
        .to_string())
}

#[tokio::test]
async fn invocations_reach_the_version_the_qualifier_points_at() {
    let dir = tempfile::tempdir().expect("tempdir");
    let local = start(dir.path()).await;
    let c = clients(&local.url, "us-west-2").await;
    let id = create(&c, "versions").await;
    settled(&c, &id).await;
    create_endpoint(&c, &id, "stable", Some("1")).await;
    update(&c, &id, "2").await;
    settled(&c, &id).await;
    let arn = arn(&c, &id).await;
    assert_eq!(
        server_version(&c, &arn, None).await.as_deref(),
        Ok("2"),
        "DEFAULT follows the latest"
    );
    assert_eq!(
        server_version(&c, &arn, Some("DEFAULT")).await.as_deref(),
        Ok("2")
    );
    assert_eq!(
        server_version(&c, &arn, Some("stable")).await.as_deref(),
        Ok("1"),
        "stable stays pinned"
    );

    // Rolling stable forward switches the process that answers.
    c.control
        .update_agent_runtime_endpoint()
        .agent_runtime_id(&id)
        .endpoint_name("stable")
        .agent_runtime_version("2")
        .send()
        .await
        .expect("move");
    settled(&c, &id).await;
    assert_eq!(
        server_version(&c, &arn, Some("stable")).await.as_deref(),
        Ok("2")
    );

    let unknown = server_version(&c, &arn, Some("nope"))
        .await
        .expect_err("unknown qualifier");
    assert!(unknown.contains("ResourceNotFoundException"), "{unknown}");
    let missing = server_version(&c, &arn.replace("versions-", "absent-"), None)
        .await
        .expect_err("unknown runtime");
    assert!(missing.contains("ResourceNotFoundException"), "{missing}");
    local.stop().await;
}

#[tokio::test]
async fn a_server_that_exits_or_never_answers_fails_its_version_with_the_reason() {
    let dir = tempfile::tempdir().expect("tempdir");
    // 6 s for a server to answer: the silent one fails after it, and the good one (a Python
    // start) has time even on a loaded CI machine, where 2 s was seen to run out.
    let local = start_opts(
        dir.path(),
        Duration::from_millis(20),
        Duration::from_secs(6),
    )
    .await;
    let c = clients(&local.url, "us-west-2").await;
    let exits = create_with(&c, "exits", &[("FIXTURE_MODE", "exit")]).await;
    let silent = create_with(&c, "silent", &[("FIXTURE_MODE", "silent")]).await;
    settled(&c, &exits).await;
    settled(&c, &silent).await;
    let e = c
        .control
        .get_agent_runtime()
        .agent_runtime_id(&exits)
        .send()
        .await
        .expect("get");
    assert_eq!(e.status().as_str(), "CREATE_FAILED");
    let reason = e.failure_reason().unwrap_or_default();
    assert!(
        reason.contains("exited") && reason.contains("fixture: exiting as asked"),
        "{reason}"
    );
    let s = c
        .control
        .get_agent_runtime()
        .agent_runtime_id(&silent)
        .send()
        .await
        .expect("get");
    assert_eq!(s.status().as_str(), "CREATE_FAILED");
    assert!(
        s.failure_reason()
            .unwrap_or_default()
            .contains("did not answer"),
        "{:?}",
        s.failure_reason()
    );

    // An update whose server fails leaves DEFAULT serving the previous version.
    let good = create(&c, "good").await;
    settled(&c, &good).await;
    c.control
        .update_agent_runtime()
        .agent_runtime_id(&good)
        .agent_runtime_artifact(code(FIXTURE_BUCKET, "good.zip"))
        .role_arn(ROLE)
        .network_configuration(public())
        .protocol_configuration(mcp())
        .environment_variables("FIXTURE_MODE", "exit")
        .send()
        .await
        .expect("update");
    settled(&c, &good).await;
    let v2 = c
        .control
        .get_agent_runtime()
        .agent_runtime_id(&good)
        .send()
        .await
        .expect("get");
    assert_eq!(v2.status().as_str(), "UPDATE_FAILED");
    let arn = arn(&c, &good).await;
    assert_eq!(server_version(&c, &arn, None).await.as_deref(), Ok("1"));
    local.stop().await;
}

#[tokio::test]
async fn invoking_a_runtime_that_is_not_ready_or_failed_says_so() {
    // Still CREATING: a conflict that retrying resolves.
    let dir = tempfile::tempdir().expect("tempdir");
    let slow = start_with(dir.path(), Duration::from_secs(3600)).await;
    let c = clients(&slow.url, "us-west-2").await;
    let id = create(&c, "unsettled").await;
    let (status, code, message) = invoke_err(&c, &arn(&c, &id).await).await;
    assert_eq!((status, code.as_str()), (409, "RetryableConflictException"));
    assert!(message.contains("CREATING"), "{message}");
    slow.stop().await;

    // CREATE_FAILED: retrying will not help; the error says it failed, and why.
    let dir = tempfile::tempdir().expect("tempdir");
    let local = start_opts(
        dir.path(),
        Duration::from_millis(20),
        Duration::from_secs(5),
    )
    .await;
    let c = clients(&local.url, "us-west-2").await;
    let id = create_with(&c, "broken", &[("FIXTURE_MODE", "exit")]).await;
    settled(&c, &id).await;
    let (status, code, message) = invoke_err(&c, &arn(&c, &id).await).await;
    assert_eq!((status, code.as_str()), (424, "RuntimeClientError"));
    assert!(
        message.contains("CREATE_FAILED")
            && message.contains("exited")
            && message.contains("fixture: exiting as asked"),
        "{message}"
    );
    local.stop().await;
}

#[tokio::test]
async fn a_crashed_server_is_restarted() {
    let dir = tempfile::tempdir().expect("tempdir");
    let local = start(dir.path()).await;
    let c = clients(&local.url, "us-west-2").await;
    // The probe's initialize is request 1; the fixture exits after its 2nd answer.
    let id = create_with(
        &c,
        "crashy",
        &[
            ("FIXTURE_MODE", "crash_after"),
            ("FIXTURE_CRASH_AFTER", "2"),
        ],
    )
    .await;
    settled(&c, &id).await;
    let arn = arn(&c, &id).await;
    assert_eq!(server_version(&c, &arn, None).await.as_deref(), Ok("1"));
    // It has crashed now; invocations wait for the restart (like a cold start) and succeed.
    let mut ok = 0;
    for _ in 0..3 {
        if server_version(&c, &arn, None).await.is_ok() {
            ok += 1;
        }
    }
    assert!(
        ok >= 2,
        "the server came back after crashing ({ok}/3 calls answered)"
    );
    local.stop().await;
}

#[tokio::test]
async fn servers_come_back_after_a_restart_of_the_local_agentcore() {
    let dir = tempfile::tempdir().expect("tempdir");
    let local = start(dir.path()).await;
    let c = clients(&local.url, "us-west-2").await;
    let id = create(&c, "phoenix").await;
    settled(&c, &id).await;
    local.stop().await;
    let again = start(dir.path()).await;
    let c = clients(&again.url, "us-west-2").await;
    let arn = arn(&c, &id).await;
    assert_eq!(server_version(&c, &arn, None).await.as_deref(), Ok("1"));
    again.stop().await;
}

#[tokio::test]
async fn container_artifacts_need_a_docker_engine() {
    let dir = tempfile::tempdir().expect("tempdir");
    let local = start(dir.path()).await;
    let c = clients(&local.url, "us-west-2").await;
    let id = create_container(&c, "boxed").await;
    settled(&c, &id).await;
    let got = c
        .control
        .get_agent_runtime()
        .agent_runtime_id(&id)
        .send()
        .await
        .expect("get");
    let docker_works = std::process::Command::new("docker")
        .arg("info")
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if docker_works {
        // With an engine the image would be pulled; from ECR it cannot be here.
        assert_ne!(got.status().as_str(), "CREATING");
    } else {
        assert_eq!(got.status().as_str(), "CREATE_FAILED");
        assert!(
            got.failure_reason()
                .unwrap_or_default()
                .contains("no local Docker engine")
        );
    }
    local.stop().await;
}
