//! The posture members of a runtime, sent by the SDK to moto and to the local AgentCore:
//! both return what was sent through GetAgentRuntime, in the same shapes. (moto checks none
//! of AWS's constraints on them, so the refusals are tested against the local AgentCore only,
//! in `emulator_auth::posture`.)

use aws_sdk_bedrockagentcorecontrol::operation::get_agent_runtime::GetAgentRuntimeOutput;
use aws_sdk_bedrockagentcorecontrol::types::{
    AuthorizerConfiguration, CustomJwtAuthorizerConfiguration, LifecycleConfiguration,
    RequestHeaderConfiguration, VpcConfig,
};

use super::*;

fn network() -> NetworkConfiguration {
    NetworkConfiguration::builder()
        .network_mode(NetworkMode::Vpc)
        .network_mode_config(
            VpcConfig::builder()
                .subnets("subnet-0123456789abcdef0")
                .subnets("subnet-01234567")
                .security_groups("sg-0123456789abcdef0")
                .build()
                .expect("vpc"),
        )
        .build()
        .expect("network")
}

fn authorizer() -> AuthorizerConfiguration {
    AuthorizerConfiguration::CustomJwtAuthorizer(
        CustomJwtAuthorizerConfiguration::builder()
            .discovery_url("http://127.0.0.1:4590/_local/oidc/.well-known/openid-configuration")
            .allowed_audience("api")
            .allowed_clients("console")
            .build()
            .expect("jwt"),
    )
}

async fn create_and_get(c: &Clients) -> GetAgentRuntimeOutput {
    let created = c
        .control
        .create_agent_runtime()
        .agent_runtime_name("posture_mcp")
        .agent_runtime_artifact(container_artifact(IMAGE))
        .role_arn(ROLE)
        .network_configuration(network())
        .authorizer_configuration(authorizer())
        .lifecycle_configuration(
            LifecycleConfiguration::builder()
                .idle_runtime_session_timeout(300)
                .max_lifetime(3600)
                .build(),
        )
        .protocol_configuration(mcp())
        .request_header_configuration(RequestHeaderConfiguration::RequestHeaderAllowlist(vec![
            "Authorization".into(),
            "X-Amzn-Bedrock-AgentCore-Runtime-Custom-Tenant".into(),
        ]))
        .send()
        .await
        .expect("create");
    c.control
        .get_agent_runtime()
        .agent_runtime_id(created.agent_runtime_id())
        .send()
        .await
        .expect("get")
}

#[tokio::test]
async fn posture_members_round_trip_alike_on_moto_and_the_local_agentcore() {
    let p = peer().await;
    let moto = create_and_get(&p.clients).await;
    let dir = tempfile::tempdir().expect("tempdir");
    let local = crate::support::emulator::start(dir.path()).await;
    let ours =
        create_and_get(&crate::support::emulator::clients(&local.url, "us-west-2").await).await;
    for (who, got) in [("moto", &moto), ("local", &ours)] {
        assert_eq!(got.network_configuration(), Some(&network()), "{who}");
        assert_eq!(got.authorizer_configuration(), Some(&authorizer()), "{who}");
        assert_eq!(
            got.lifecycle_configuration()
                .map(|l| (l.idle_runtime_session_timeout(), l.max_lifetime())),
            Some((Some(300), Some(3600))),
            "{who}"
        );
        assert_eq!(got.protocol_configuration(), Some(&mcp()), "{who}");
        assert!(
            matches!(got.request_header_configuration(), Some(RequestHeaderConfiguration::RequestHeaderAllowlist(h)) if h.len() == 2),
            "{who}: {:?}",
            got.request_header_configuration()
        );
    }
    local.stop().await;
}
