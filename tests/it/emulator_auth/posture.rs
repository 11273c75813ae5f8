//! Every posture member through the SDK: kept per version by Create/UpdateAgentRuntime and
//! returned by GetAgentRuntime; bad values are ValidationException naming the member.

use aws_sdk_bedrockagentcorecontrol::types::{
    LifecycleConfiguration, NetworkConfiguration, NetworkMode, ProtocolConfiguration,
    RequestHeaderConfiguration, ServerProtocol, VpcConfig,
};

use super::*;

fn vpc(subnets: &[&str], groups: &[&str]) -> NetworkConfiguration {
    let mut cfg = VpcConfig::builder().require_service_s3_endpoint(true);
    for s in subnets {
        cfg = cfg.subnets(*s);
    }
    for g in groups {
        cfg = cfg.security_groups(*g);
    }
    NetworkConfiguration::builder()
        .network_mode(NetworkMode::Vpc)
        .network_mode_config(cfg.build().expect("vpc"))
        .build()
        .expect("network")
}

fn lifecycle(idle: i32, max: i32) -> LifecycleConfiguration {
    LifecycleConfiguration::builder()
        .idle_runtime_session_timeout(idle)
        .max_lifetime(max)
        .build()
}

fn protocol(p: ServerProtocol) -> ProtocolConfiguration {
    ProtocolConfiguration::builder()
        .server_protocol(p)
        .build()
        .expect("protocol")
}

fn headers(names: &[&str]) -> RequestHeaderConfiguration {
    RequestHeaderConfiguration::RequestHeaderAllowlist(
        names.iter().map(|s| s.to_string()).collect(),
    )
}

#[tokio::test]
async fn every_posture_member_round_trips_per_version() {
    let dir = tempfile::tempdir().expect("tempdir");
    let local = start(dir.path()).await;
    let c = clients(&local.url, "us-west-2").await;
    upload_fixture(&c, "posture.zip").await;
    let net1 = vpc(
        &["subnet-0123456789abcdef0", "subnet-01234567"],
        &["sg-0123456789abcdef0"],
    );
    let auth1 = jwt(&discovery(&local.url), &["api"], &["console"]);
    let created = c
        .control
        .create_agent_runtime()
        .agent_runtime_name("posture")
        .agent_runtime_artifact(code(FIXTURE_BUCKET, "posture.zip"))
        .role_arn(ROLE)
        .network_configuration(net1.clone())
        .authorizer_configuration(auth1.clone())
        .lifecycle_configuration(lifecycle(300, 3600))
        .protocol_configuration(protocol(ServerProtocol::Mcp))
        .request_header_configuration(headers(&[
            "Authorization",
            "X-Amzn-Bedrock-AgentCore-Runtime-Custom-Tenant",
        ]))
        .send()
        .await
        .expect("create");
    let id = created.agent_runtime_id;
    settled(&c, &id).await;

    let net2 = NetworkConfiguration::builder()
        .network_mode(NetworkMode::Public)
        .build()
        .expect("public");
    c.control
        .update_agent_runtime()
        .agent_runtime_id(&id)
        .agent_runtime_artifact(code(FIXTURE_BUCKET, "posture.zip"))
        .role_arn(ROLE)
        .network_configuration(net2.clone())
        .lifecycle_configuration(lifecycle(60, 28_800))
        .protocol_configuration(protocol(ServerProtocol::Http))
        .request_header_configuration(headers(&["X-Trace"]))
        .send()
        .await
        .expect("update");
    // Not waited for: the fixture speaks MCP only, so an HTTP version never gets READY; its
    // configuration is what this test reads.

    let get = |v: &'static str| {
        let c = &c;
        let id = &id;
        async move {
            c.control
                .get_agent_runtime()
                .agent_runtime_id(id)
                .agent_runtime_version(v)
                .send()
                .await
                .expect("get")
        }
    };
    let v1 = get("1").await;
    assert_eq!(v1.network_configuration(), Some(&net1));
    assert_eq!(v1.authorizer_configuration(), Some(&auth1));
    assert_eq!(v1.lifecycle_configuration(), Some(&lifecycle(300, 3600)));
    assert_eq!(
        v1.protocol_configuration(),
        Some(&protocol(ServerProtocol::Mcp))
    );
    assert_eq!(
        v1.request_header_configuration(),
        Some(&headers(&[
            "Authorization",
            "X-Amzn-Bedrock-AgentCore-Runtime-Custom-Tenant"
        ]))
    );
    let v2 = get("2").await;
    assert_eq!(v2.network_configuration(), Some(&net2));
    assert_eq!(
        v2.authorizer_configuration(),
        None,
        "an update without it drops it"
    );
    assert_eq!(v2.lifecycle_configuration(), Some(&lifecycle(60, 28_800)));
    assert_eq!(
        v2.protocol_configuration(),
        Some(&protocol(ServerProtocol::Http))
    );
    assert_eq!(
        v2.request_header_configuration(),
        Some(&headers(&["X-Trace"]))
    );
    local.stop().await;
}

#[tokio::test]
async fn bad_posture_values_are_validation_errors_naming_the_member() {
    use aws_sdk_bedrockagentcorecontrol::types::AuthorizerConfiguration;
    let dir = tempfile::tempdir().expect("tempdir");
    let local = start(dir.path()).await;
    let c = clients(&local.url, "us-west-2").await;
    let bad_jwt = |url: &str| {
        AuthorizerConfiguration::CustomJwtAuthorizer(
            aws_sdk_bedrockagentcorecontrol::types::CustomJwtAuthorizerConfiguration::builder()
                .discovery_url(url)
                .build()
                .expect("jwt"),
        )
    };
    let no_vpc_config = NetworkConfiguration::builder()
        .network_mode(NetworkMode::Vpc)
        .build()
        .expect("network");
    let too_many: Vec<String> = (0..17).map(|i| format!("sg-{i:08}")).collect();
    let too_many: Vec<&str> = too_many.iter().map(String::as_str).collect();
    type Case = (
        &'static str,
        Option<NetworkConfiguration>,
        Option<AuthorizerConfiguration>,
        Option<LifecycleConfiguration>,
        Option<RequestHeaderConfiguration>,
        &'static str,
    );
    let cases: Vec<Case> = vec![
        (
            "bad subnet",
            Some(vpc(&["subnet-xyz"], &["sg-01234567"])),
            None,
            None,
            None,
            "networkConfiguration.networkModeConfig.subnets.1.member",
        ),
        (
            "bad group",
            Some(vpc(&["subnet-01234567"], &["security-group"])),
            None,
            None,
            None,
            "networkConfiguration.networkModeConfig.securityGroups.1.member",
        ),
        (
            "17 groups",
            Some(vpc(&["subnet-01234567"], &too_many)),
            None,
            None,
            None,
            "networkConfiguration.networkModeConfig.securityGroups",
        ),
        (
            "VPC without config",
            Some(no_vpc_config),
            None,
            None,
            None,
            "networkConfiguration.networkModeConfig",
        ),
        (
            "discovery URL",
            None,
            Some(bad_jwt("https://idp.example.com/oauth2")),
            None,
            None,
            "authorizerConfiguration.customJWTAuthorizer.discoveryUrl",
        ),
        (
            "idle too short",
            None,
            None,
            Some(lifecycle(59, 600)),
            None,
            "lifecycleConfiguration.idleRuntimeSessionTimeout",
        ),
        (
            "lifetime too long",
            None,
            None,
            Some(lifecycle(600, 28_801)),
            None,
            "lifecycleConfiguration.maxLifetime",
        ),
        (
            "header pattern",
            None,
            None,
            None,
            Some(headers(&["X Bad"])),
            "requestHeaderConfiguration.requestHeaderAllowlist.1.member",
        ),
        (
            "no headers",
            None,
            None,
            None,
            Some(headers(&[])),
            "requestHeaderConfiguration.requestHeaderAllowlist",
        ),
    ];
    for (what, net, auth, life, hdrs, field) in cases {
        let err = c
            .control
            .create_agent_runtime()
            .agent_runtime_name("refused")
            .agent_runtime_artifact(container(
                "123456789012.dkr.ecr.us-west-2.amazonaws.com/r:1",
            ))
            .role_arn(ROLE)
            .network_configuration(net.unwrap_or_else(public))
            .set_authorizer_configuration(auth)
            .set_lifecycle_configuration(life)
            .set_request_header_configuration(hdrs)
            .send()
            .await
            .expect_err(what);
        let (status, code) = status_and_code(&err);
        assert_eq!(
            (status, code.as_str()),
            (400, "ValidationException"),
            "{what}"
        );
        let msg = aws_smithy_types::error::metadata::ProvideErrorMetadata::message(
            err.as_service_error().expect("service"),
        )
        .unwrap_or_default()
        .to_string();
        assert!(msg.contains(&format!("'{field}'")), "{what}: {msg}");
    }
    let listed = c.control.list_agent_runtimes().send().await.expect("list");
    assert!(listed.agent_runtimes().is_empty(), "nothing was created");
    local.stop().await;
}
