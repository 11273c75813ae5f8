//! The local runner runs only what the code artifact holds: an entry point outside it fails
//! the version, saying why.

use aws_sdk_bedrockagentcorecontrol::types::{
    AgentManagedRuntimeType, AgentRuntimeArtifact, Code, CodeConfiguration, S3Location,
};

use crate::support::emulator::{
    FIXTURE_BUCKET, ROLE, clients, mcp, public, settled, start, upload_fixture,
};

#[tokio::test]
async fn an_entry_point_outside_the_artifact_fails_the_version() {
    let dir = tempfile::tempdir().expect("tempdir");
    let local = start(&dir.path().join("local")).await;
    let c = clients(&local.url, "us-west-2").await;
    upload_fixture(&c, "outside.zip").await;
    // A real MCP server, but not the deployed one: it ran, and the version went READY.
    let outside = dir.path().join("main.py");
    let fixture = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/tiny-mcp/main.py"
    );
    std::fs::copy(fixture, &outside).expect("copy");
    let outside = outside.display().to_string();
    let artifact = AgentRuntimeArtifact::CodeConfiguration(
        CodeConfiguration::builder()
            .code(Code::S3(
                S3Location::builder()
                    .bucket(FIXTURE_BUCKET)
                    .prefix("outside.zip")
                    .build()
                    .expect("s3"),
            ))
            .runtime(AgentManagedRuntimeType::Python312)
            .entry_point(&outside)
            .build()
            .expect("code"),
    );
    let id = c
        .control
        .create_agent_runtime()
        .agent_runtime_name("outside")
        .agent_runtime_artifact(artifact)
        .role_arn(ROLE)
        .network_configuration(public())
        .protocol_configuration(mcp())
        .send()
        .await
        .expect("create")
        .agent_runtime_id;
    settled(&c, &id).await;
    let got = c
        .control
        .get_agent_runtime()
        .agent_runtime_id(&id)
        .send()
        .await
        .expect("get");
    assert_eq!(got.status().as_str(), "CREATE_FAILED");
    let reason = got.failure_reason().unwrap_or_default();
    assert!(reason.contains("absolute path"), "{reason}");
    local.stop().await;
}
