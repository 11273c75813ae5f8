//! Contract tests: the backend's calls against moto, a second, independent implementation of
//! the AWS APIs, for what moto implements (runtimes, versions, endpoints, S3). moto gaps
//! (no pagination, no status progress, endpoint summaries without versions) are noted where
//! they limit what can be asserted.

#[path = "support/moto_server.rs"]
mod moto;
#[path = "support/emulator.rs"]
mod support;

use agentcore_console::backend::{Backend, BackendError, Clients, runtimes};
use aws_sdk_s3::primitives::ByteStream;
use aws_sdk_s3::types::{
    BucketLocationConstraint, CreateBucketConfiguration, ServerSideEncryption,
};
use support::{ROLE, code, container, env, mcp, public};

async fn moto_env() -> (moto::Moto, Clients, Backend) {
    let server = tokio::task::spawn_blocking(moto::start)
        .await
        .expect("moto");
    let e = env("moto", &server.url, "us-west-2", None);
    let clients = Clients::build(&e).await;
    (server, clients, Backend::new(vec![e]))
}

#[tokio::test]
async fn runtimes_versions_and_endpoints_read_back_through_the_backend() {
    let (_moto, c, backend) = moto_env().await;
    let weather = c
        .control
        .create_agent_runtime()
        .agent_runtime_name("weather_mcp")
        .agent_runtime_artifact(code("artifacts", "weather/agent.zip"))
        .role_arn(ROLE)
        .network_configuration(public())
        .protocol_configuration(mcp())
        .send()
        .await
        .expect("create code runtime")
        .agent_runtime_id;
    let boxed = c
        .control
        .create_agent_runtime()
        .agent_runtime_name("boxed_mcp")
        .agent_runtime_artifact(container(
            "123456789012.dkr.ecr.us-west-2.amazonaws.com/boxed:1",
        ))
        .role_arn(ROLE)
        .network_configuration(public())
        .send()
        .await
        .expect("create container runtime")
        .agent_runtime_id;
    c.control
        .update_agent_runtime()
        .agent_runtime_id(&weather)
        .agent_runtime_artifact(code("artifacts", "weather/agent-2.zip"))
        .role_arn(ROLE)
        .network_configuration(public())
        .protocol_configuration(mcp())
        .send()
        .await
        .expect("update");
    c.control
        .create_agent_runtime_endpoint()
        .agent_runtime_id(&weather)
        .name("canary")
        .agent_runtime_version("1")
        .send()
        .await
        .expect("endpoint");

    let all = runtimes::list_all(&c).await.expect("list");
    let mut names: Vec<&str> = all.iter().map(|r| r.agent_runtime_name()).collect();
    names.sort_unstable();
    assert_eq!(names, ["boxed_mcp", "weather_mcp"]);
    let w = runtimes::resolve(&c, "weather_mcp")
        .await
        .expect("resolve by name");
    assert_eq!(w.agent_runtime_id(), weather);
    assert_eq!(w.agent_runtime_version(), "2", "an update makes version 2");
    assert_eq!(
        runtimes::resolve(&c, &boxed)
            .await
            .expect("by id")
            .agent_runtime_name(),
        "boxed_mcp"
    );

    let versions = runtimes::list_versions(&c, &weather)
        .await
        .expect("versions");
    assert_eq!(
        versions
            .iter()
            .map(|v| v.version.as_str())
            .collect::<Vec<_>>(),
        ["2", "1"]
    );
    // moto's endpoint summaries carry no live/target versions: only names are comparable.
    let endpoints = runtimes::list_endpoints(&c, &weather)
        .await
        .expect("endpoints");
    assert!(
        endpoints.iter().any(|e| e.name == "canary"),
        "{endpoints:?}"
    );

    let detail = runtimes::show(&backend, "moto", "weather_mcp")
        .await
        .expect("show");
    assert_eq!(
        detail.artifact.as_deref(),
        Some("s3://artifacts/weather/agent-2.zip")
    );
    assert_eq!(detail.language_runtime.as_deref(), Some("PYTHON_3_12"));
    assert_eq!(detail.protocol.as_deref(), Some("MCP"));
    assert_eq!(detail.runtime.latest_version, "2");
    assert!(
        detail
            .log_groups
            .iter()
            .any(|g| g == &format!("/aws/bedrock-agentcore/runtimes/{weather}-canary"))
    );

    let matrix = runtimes::matrix(&backend, &["moto".to_string()]).await;
    let rows = matrix[0].result.as_ref().expect("moto lists");
    assert_eq!(
        rows.iter().map(|r| r.name.as_str()).collect::<Vec<_>>(),
        ["boxed_mcp", "weather_mcp"]
    );

    let missing = c
        .control
        .get_agent_runtime()
        .agent_runtime_id("absent-0123456789")
        .send()
        .await
        .expect_err("404");
    let err = BackendError::sdk("GetAgentRuntime", missing);
    assert_eq!(err.code(), Some("ResourceNotFoundException"));
    let gone = runtimes::show(&backend, "moto", "absent")
        .await
        .expect_err("unknown runtime");
    assert!(matches!(gone, BackendError::RuntimeNotFound { .. }));
}

#[tokio::test]
async fn s3_artifacts_round_trip_with_encryption() {
    let (_moto, c, _) = moto_env().await;
    let refused =
        c.s3.create_bucket()
            .bucket("artifacts")
            .send()
            .await
            .expect_err("needs a constraint");
    assert_eq!(
        aws_smithy_types::error::metadata::ProvideErrorMetadata::code(&refused),
        Some("IllegalLocationConstraintException")
    );
    c.s3.create_bucket()
        .bucket("artifacts")
        .create_bucket_configuration(
            CreateBucketConfiguration::builder()
                .location_constraint(BucketLocationConstraint::UsWest2)
                .build(),
        )
        .send()
        .await
        .expect("bucket");
    let body: Vec<u8> = (0..50_000u32).map(|i| (i % 253) as u8).collect();
    c.s3.put_object()
        .bucket("artifacts")
        .key("a.zip")
        .body(ByteStream::from(body.clone()))
        .server_side_encryption(ServerSideEncryption::Aes256)
        .send()
        .await
        .expect("put");
    c.s3.put_object()
        .bucket("artifacts")
        .key("b.zip")
        .body(ByteStream::from_static(b"kms"))
        .server_side_encryption(ServerSideEncryption::AwsKms)
        .ssekms_key_id("alias/artifacts")
        .send()
        .await
        .expect("put kms");
    let got =
        c.s3.get_object()
            .bucket("artifacts")
            .key("a.zip")
            .send()
            .await
            .expect("get");
    assert_eq!(
        got.server_side_encryption(),
        Some(&ServerSideEncryption::Aes256)
    );
    assert_eq!(
        got.body
            .collect()
            .await
            .expect("body")
            .into_bytes()
            .as_ref(),
        body.as_slice()
    );
    let head =
        c.s3.head_object()
            .bucket("artifacts")
            .key("b.zip")
            .send()
            .await
            .expect("head");
    assert_eq!(
        head.server_side_encryption(),
        Some(&ServerSideEncryption::AwsKms)
    );
    assert_eq!(head.ssekms_key_id(), Some("alias/artifacts"));
}
