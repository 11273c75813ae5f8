//! Runtimes whose two versions differ in every setting, made through the SDK.
#![allow(dead_code)]

use agentcore_console::backend::Clients;
use agentcore_console::domain::posture::{InboundAuth, Lifecycle, Network, Posture, Protocol};
use aws_sdk_bedrockagentcorecontrol::types::{
    AgentManagedRuntimeType, AgentRuntimeArtifact, AuthorizerConfiguration, Code,
    CodeConfiguration, CustomJwtAuthorizerConfiguration, LifecycleConfiguration,
    NetworkConfiguration, NetworkMode, ProtocolConfiguration, RequestHeaderConfiguration,
    S3Location, ServerProtocol, VpcConfig,
};

use crate::support::emulator::{
    FIXTURE_BUCKET, ROLE, create_endpoint, fixture_zip, settled, upload_fixture,
};

pub const BUCKET: &str = FIXTURE_BUCKET;
/// Keys named as deploy named them before promotion: `<runtime>/<16 hex of the zip's SHA-256>.zip` (still read as a digest).
pub const DIGEST_A: &str = "0123456789abcdef";
pub const DIGEST_B: &str = "fedcba9876543210";
pub const ROLE_B: &str = "arn:aws:iam::123456789012:role/AgentCoreRuntimeStrict";
/// A variable value that must never appear in any output.
pub const SECRET: &str = "hunter2-s3cr3t-do-not-print";
pub const TENANT: &str = "X-Amzn-Bedrock-AgentCore-Runtime-Custom-Tenant";
pub const TRACE: &str = "X-Amzn-Bedrock-AgentCore-Runtime-Custom-Trace";
pub const DISCOVERY: &str = "https://issuer.example.com/.well-known/openid-configuration";

/// Every field `runtime diff` compares, in its order.
pub const ALL_FIELDS: [&str; 17] = [
    "artifact_digest",
    "code_runtime",
    "entry_point",
    "variable_names",
    "role",
    "network",
    "subnets",
    "security_groups",
    "auth",
    "discovery_url",
    "allowed_audiences",
    "allowed_clients",
    "idle_session_timeout",
    "max_lifetime",
    "protocol",
    "request_headers",
    "log_retention_days",
];

pub fn artifact(key: &str, lang: AgentManagedRuntimeType, entry: &[&str]) -> AgentRuntimeArtifact {
    artifact_in(BUCKET, key, lang, entry)
}

pub fn artifact_in(
    bucket: &str,
    key: &str,
    lang: AgentManagedRuntimeType,
    entry: &[&str],
) -> AgentRuntimeArtifact {
    let mut b = CodeConfiguration::builder()
        .code(Code::S3(
            S3Location::builder()
                .bucket(bucket)
                .prefix(key)
                .build()
                .expect("s3"),
        ))
        .runtime(lang);
    for e in entry {
        b = b.entry_point(*e);
    }
    AgentRuntimeArtifact::CodeConfiguration(b.build().expect("code"))
}

pub fn lifecycle(idle: i32, max: i32) -> LifecycleConfiguration {
    LifecycleConfiguration::builder()
        .idle_runtime_session_timeout(idle)
        .max_lifetime(max)
        .build()
}

pub fn protocol(p: ServerProtocol) -> ProtocolConfiguration {
    ProtocolConfiguration::builder()
        .server_protocol(p)
        .build()
        .expect("protocol")
}

/// Version 1 of `name`: public, IAM, 15m/8h, MCP, one header, two variables (one secret);
/// the endpoint `live` pinned to it.
pub async fn create_base(c: &Clients, name: &str) -> String {
    let (a, b) = (
        format!("{name}/{DIGEST_A}.zip"),
        format!("{name}/{DIGEST_B}.zip"),
    );
    upload_fixture(c, &a).await;
    c.s3.put_object()
        .bucket(BUCKET)
        .key(&b)
        .body(fixture_zip().into())
        .send()
        .await
        .expect("upload");
    let id = c
        .control
        .create_agent_runtime()
        .agent_runtime_name(name)
        .agent_runtime_artifact(artifact(
            &a,
            AgentManagedRuntimeType::Python312,
            &["main.py"],
        ))
        .role_arn(ROLE)
        .network_configuration(
            NetworkConfiguration::builder()
                .network_mode(NetworkMode::Public)
                .build()
                .expect("network"),
        )
        .protocol_configuration(protocol(ServerProtocol::Mcp))
        .lifecycle_configuration(lifecycle(900, 28800))
        .request_header_configuration(RequestHeaderConfiguration::RequestHeaderAllowlist(vec![
            TENANT.into(),
        ]))
        .environment_variables("APP_VERSION", "1")
        .environment_variables("API_KEY", SECRET)
        .send()
        .await
        .expect("create")
        .agent_runtime_id;
    settled(c, &id).await;
    create_endpoint(c, &id, "live", Some("1")).await;
    settled(c, &id).await;
    id
}

/// Version 2: every setting changed (A2A: the local AgentCore probes it by connecting, which
/// the MCP fixture answers; HTTP would wait for `GET /ping`).
pub async fn update_everything(c: &Clients, id: &str) {
    let name = id.rsplit_once('-').map_or(id, |(n, _)| n);
    let m = members_b();
    c.control
        .update_agent_runtime()
        .agent_runtime_id(id)
        .agent_runtime_artifact(artifact(
            &format!("{name}/{DIGEST_B}.zip"),
            AgentManagedRuntimeType::Python313,
            &["main.py", "--verbose"],
        ))
        .role_arn(ROLE_B)
        .set_network_configuration(m.network)
        .set_authorizer_configuration(m.authorizer)
        .set_protocol_configuration(m.protocol)
        .set_lifecycle_configuration(m.lifecycle)
        .set_request_header_configuration(m.request_headers)
        .environment_variables("APP_VERSION", "2")
        .environment_variables("API_KEY", SECRET)
        .environment_variables("FEATURE", "on")
        .send()
        .await
        .expect("update");
    settled(c, id).await;
}

/// Version 2's posture members, built by hand (not by the backend's `to_sdk`, which reads them
/// back): VPC, the JWT authorizer, A2A, 10m/1h, two headers.
pub struct MembersB {
    pub network: Option<NetworkConfiguration>,
    pub authorizer: Option<AuthorizerConfiguration>,
    pub protocol: Option<ProtocolConfiguration>,
    pub lifecycle: Option<LifecycleConfiguration>,
    pub request_headers: Option<RequestHeaderConfiguration>,
}

pub fn members_b() -> MembersB {
    let vpc = VpcConfig::builder()
        .subnets("subnet-0123456789abcdef0")
        .security_groups("sg-0123456789abcdef0")
        .build()
        .expect("vpc");
    let jwt = CustomJwtAuthorizerConfiguration::builder()
        .discovery_url(DISCOVERY)
        .allowed_audience("weather")
        .allowed_clients("console")
        .build()
        .expect("jwt");
    MembersB {
        network: Some(
            NetworkConfiguration::builder()
                .network_mode(NetworkMode::Vpc)
                .network_mode_config(vpc)
                .build()
                .expect("network"),
        ),
        authorizer: Some(AuthorizerConfiguration::CustomJwtAuthorizer(jwt)),
        protocol: Some(protocol(ServerProtocol::A2A)),
        lifecycle: Some(lifecycle(600, 3600)),
        request_headers: Some(RequestHeaderConfiguration::RequestHeaderAllowlist(vec![
            TENANT.into(),
            TRACE.into(),
        ])),
    }
}

/// What version 2 reads back as.
pub fn posture_b(retention: Option<u32>) -> Posture {
    Posture {
        network: Some(Network::Vpc {
            subnets: vec!["subnet-0123456789abcdef0".into()],
            security_groups: vec!["sg-0123456789abcdef0".into()],
        }),
        auth: Some(InboundAuth::Jwt {
            discovery_url: DISCOVERY.into(),
            allowed_audiences: vec!["weather".into()],
            allowed_clients: vec!["console".into()],
        }),
        lifecycle: Some(Lifecycle {
            idle_session_timeout_s: Some(600),
            max_lifetime_s: Some(3600),
        }),
        protocol: Some(Protocol::A2a),
        request_headers: Some(vec![TENANT.into(), TRACE.into()]),
        log_retention_days: retention,
    }
}

/// The log group of `endpoint` (created if AgentCore has not yet) kept `days` days.
pub async fn retention(c: &Clients, id: &str, endpoint: &str, days: i32) {
    let group = agentcore_console::domain::runtime::log_group_name(id, endpoint);
    let _ = c
        .logs
        .create_log_group()
        .log_group_name(&group)
        .send()
        .await;
    c.logs
        .put_retention_policy()
        .log_group_name(&group)
        .retention_in_days(days)
        .send()
        .await
        .expect("PutRetentionPolicy");
}
