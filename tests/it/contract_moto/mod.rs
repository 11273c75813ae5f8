//! Contract tests: the backend's own AWS calls (the one code path that talks to AWS) against
//! moto 5.2.5, an implementation of the AWS APIs independent of ours, for what moto implements:
//! AgentCore runtimes, versions and endpoints, and S3.
//!
//! Each test starts its own moto server on 127.0.0.1, so tests share no state. moto gaps are
//! named where they limit what can be asserted (see `/work/shared/reference/moto.md`):
//! - List* calls ignore `maxResults` and never return `nextToken`: the backend's paginators
//!   (`list_all`, `list_versions`, `list_endpoints`) only ever see one page here;
//! - status never leaves UPDATING after an update, and an endpoint's live version never moves
//!   to its target: `wait_until_settled` (and deploy's wait for READY) cannot be checked here;
//! - ListAgentRuntimeEndpoints summaries carry no live/target versions;
//! - S3 reports server-side encryption only when the upload asked for it, where AWS (and the
//!   local AgentCore) encrypt every object by default since 2023: a difference that lets
//!   `s3.rs` see whether deploy asks for it.

use crate::support::moto;

use agentcore_console::backend::{Backend, BackendError, Clients, runtimes};
use agentcore_console::domain::Environment;
use aws_sdk_bedrockagentcorecontrol::operation::create_agent_runtime::CreateAgentRuntimeOutput;
use aws_sdk_bedrockagentcorecontrol::operation::update_agent_runtime::UpdateAgentRuntimeOutput;
use aws_sdk_bedrockagentcorecontrol::types::{
    AgentManagedRuntimeType, AgentRuntimeArtifact, Code, CodeConfiguration, ContainerConfiguration,
    NetworkConfiguration, NetworkMode, ProtocolConfiguration, S3Location, ServerProtocol,
};
use aws_sdk_s3::primitives::ByteStream;
use aws_sdk_s3::types::{
    BucketLocationConstraint, CreateBucketConfiguration, ServerSideEncryption,
};
use moto::MotoServer;

const ENV: &str = "moto";
const ROLE: &str = "arn:aws:iam::123456789012:role/R";
const BUCKET: &str = "agentcore-artifacts";
const IMAGE: &str = "123456789012.dkr.ecr.us-west-2.amazonaws.com/boxed-mcp:1";

/// A moto server, the backend's clients pointed at it, and a backend over that one environment.
struct Peer {
    moto: MotoServer,
    clients: Clients,
    backend: Backend,
}

async fn peer() -> Peer {
    let moto = match tokio::task::spawn_blocking(MotoServer::start).await {
        Ok(moto) => moto,
        Err(e) => std::panic::resume_unwind(e.into_panic()),
    };
    assert!(moto.url.starts_with("http://127.0.0.1:"), "{}", moto.url);
    let env = Environment {
        name: ENV.into(),
        region: Some("us-west-2".into()),
        profile: None,
        endpoint_url: Some(moto.url.clone()),
        read_only: false,
        gateway: None,
        account_id: None,
        ..Environment::default()
    };
    assert!(env.is_loopback(), "static local credentials, no AWS chain");
    let clients = Clients::build(&env).await;
    Peer {
        moto,
        clients,
        backend: Backend::new(vec![env]),
    }
}

fn code_artifact(prefix: &str) -> AgentRuntimeArtifact {
    AgentRuntimeArtifact::CodeConfiguration(
        CodeConfiguration::builder()
            .code(Code::S3(
                S3Location::builder()
                    .bucket(BUCKET)
                    .prefix(prefix)
                    .build()
                    .expect("s3 location"),
            ))
            .runtime(AgentManagedRuntimeType::Python312)
            .entry_point("main.py")
            .build()
            .expect("code configuration"),
    )
}

fn container_artifact(uri: &str) -> AgentRuntimeArtifact {
    AgentRuntimeArtifact::ContainerConfiguration(
        ContainerConfiguration::builder()
            .container_uri(uri)
            .build()
            .expect("container configuration"),
    )
}

fn public() -> NetworkConfiguration {
    NetworkConfiguration::builder()
        .network_mode(NetworkMode::Public)
        .build()
        .expect("network configuration")
}

fn mcp() -> ProtocolConfiguration {
    ProtocolConfiguration::builder()
        .server_protocol(ServerProtocol::Mcp)
        .build()
        .expect("protocol configuration")
}

async fn create_code_runtime(c: &Clients, name: &str, prefix: &str) -> CreateAgentRuntimeOutput {
    c.control
        .create_agent_runtime()
        .agent_runtime_name(name)
        .agent_runtime_artifact(code_artifact(prefix))
        .role_arn(ROLE)
        .network_configuration(public())
        .protocol_configuration(mcp())
        .send()
        .await
        .unwrap_or_else(|e| {
            panic!(
                "CreateAgentRuntime {name}: {:?}",
                BackendError::sdk("CreateAgentRuntime", e)
            )
        })
}

async fn create_container_runtime(c: &Clients, name: &str) -> CreateAgentRuntimeOutput {
    c.control
        .create_agent_runtime()
        .agent_runtime_name(name)
        .agent_runtime_artifact(container_artifact(IMAGE))
        .role_arn(ROLE)
        .network_configuration(public())
        .send()
        .await
        .unwrap_or_else(|e| {
            panic!(
                "CreateAgentRuntime {name}: {:?}",
                BackendError::sdk("CreateAgentRuntime", e)
            )
        })
}

/// UpdateAgentRuntime with a new code prefix: a new immutable version.
async fn update_code_runtime(c: &Clients, id: &str, prefix: &str) -> UpdateAgentRuntimeOutput {
    c.control
        .update_agent_runtime()
        .agent_runtime_id(id)
        .agent_runtime_artifact(code_artifact(prefix))
        .role_arn(ROLE)
        .network_configuration(public())
        .protocol_configuration(mcp())
        .description("second build")
        .send()
        .await
        .unwrap_or_else(|e| {
            panic!(
                "UpdateAgentRuntime: {:?}",
                BackendError::sdk("UpdateAgentRuntime", e)
            )
        })
}

/// CreateAgentRuntimeEndpoint pinned to `version`; returns the endpoint ARN.
async fn create_endpoint(c: &Clients, id: &str, name: &str, version: &str) -> String {
    let out = c
        .control
        .create_agent_runtime_endpoint()
        .agent_runtime_id(id)
        .name(name)
        .agent_runtime_version(version)
        .send()
        .await
        .unwrap_or_else(|e| {
            panic!(
                "CreateAgentRuntimeEndpoint {name}: {:?}",
                BackendError::sdk("CreateAgentRuntimeEndpoint", e)
            )
        });
    assert_eq!(out.target_version(), version, "endpoint {name} pinned");
    out.agent_runtime_endpoint_arn().to_string()
}

mod config;
mod control;
mod delete;
mod posture;
mod s3;
mod s3_conditional;
mod s3_delete;
mod s3_list;
