//! A version's full configuration (`runtime show`'s `latest`) read by the backend from moto:
//! every posture member, variable names without values, the artifact digest from the key,
//! and the log group's retention (DescribeLogGroups by the runtime's prefix).

use aws_sdk_bedrockagentcorecontrol::types::{
    AgentManagedRuntimeType, AuthorizerConfiguration, CustomJwtAuthorizerConfiguration,
    NetworkConfiguration, NetworkMode, RequestHeaderConfiguration, ServerProtocol, VpcConfig,
};

use super::{BUCKET, ENV, create_endpoint, peer};
use crate::runtime_config::setup::*;
use agentcore_console::backend::runtimes;

#[tokio::test]
async fn show_reads_every_setting_and_the_retention_from_moto() {
    let p = peer().await;
    let c = &p.clients;
    let id = c
        .control
        .create_agent_runtime()
        .agent_runtime_name("secure_mcp")
        .agent_runtime_artifact(artifact_in(
            BUCKET,
            &format!("secure_mcp/{DIGEST_B}.zip"),
            AgentManagedRuntimeType::Python313,
            &["main.py", "--verbose"],
        ))
        .role_arn(ROLE_B)
        .network_configuration(
            NetworkConfiguration::builder()
                .network_mode(NetworkMode::Vpc)
                .network_mode_config(
                    VpcConfig::builder()
                        .subnets("subnet-0123456789abcdef0")
                        .security_groups("sg-0123456789abcdef0")
                        .build()
                        .expect("vpc"),
                )
                .build()
                .expect("network"),
        )
        .authorizer_configuration(AuthorizerConfiguration::CustomJwtAuthorizer(
            CustomJwtAuthorizerConfiguration::builder()
                .discovery_url(DISCOVERY)
                .allowed_audience("weather")
                .allowed_clients("console")
                .build()
                .expect("jwt"),
        ))
        .protocol_configuration(protocol(ServerProtocol::A2A))
        .lifecycle_configuration(lifecycle(600, 3600))
        .request_header_configuration(RequestHeaderConfiguration::RequestHeaderAllowlist(vec![
            TENANT.into(),
            TRACE.into(),
        ]))
        .environment_variables("API_KEY", SECRET)
        .environment_variables("APP_VERSION", "2")
        .environment_variables("FEATURE", "on")
        .send()
        .await
        .expect("create")
        .agent_runtime_id;
    create_endpoint(c, &id, "live", "1").await;
    retention(c, &id, "live", 30).await;

    let d = runtimes::show(&p.backend, ENV, "secure_mcp")
        .await
        .expect("show");
    let l = &d.latest;
    assert_eq!(
        l.artifact.as_ref().and_then(|a| a.digest.as_deref()),
        Some(format!("sha256:{DIGEST_B}").as_str())
    );
    assert_eq!(l.code_runtime.as_deref(), Some("PYTHON_3_13"));
    assert_eq!(l.entry_point, ["main.py", "--verbose"]);
    assert_eq!(l.variable_names, ["API_KEY", "APP_VERSION", "FEATURE"]);
    assert_eq!(l.role_arn.as_deref(), Some(ROLE_B));
    assert_eq!(l.posture, posture_b(Some(30)));
    let kept: Vec<_> = d
        .log_retention
        .iter()
        .map(|r| (r.endpoint.as_str(), r.exists, r.retention_in_days))
        .collect();
    assert_eq!(kept, [("live", true, Some(30))]);
    assert!(!serde_json::to_string(&d).expect("json").contains(SECRET));
}
