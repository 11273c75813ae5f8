//! Fixture versions with every setting, for the runtime pane, the diff view and the matrix's
//! posture mark.

use crate::backend::runtimes::config::DiffSide;
use crate::domain::posture::{InboundAuth, Lifecycle, Network, Posture, Protocol};
use crate::domain::version_config::{Artifact, EndpointRetention, RuntimeDiff, VersionConfig};

/// Version `v` of weather_mcp in `env`: prod runs JWT in a VPC with 90-day logs, others are
/// public with IAM and 7 days; version 4 adds a variable and a header.
pub fn version_config(env: &str, v: &str) -> VersionConfig {
    let prod = env.starts_with("prod");
    let mut variable_names = vec!["APP_VERSION".to_string(), "DB_PASSWORD".to_string()];
    let mut request_headers = vec!["X-Amzn-Bedrock-AgentCore-Runtime-Custom-Tenant".to_string()];
    if v == "4" {
        variable_names.push("FEATURE_FLAGS".into());
        request_headers.push("X-Amzn-Bedrock-AgentCore-Runtime-Custom-Trace".into());
    }
    VersionConfig {
        env: env.into(),
        runtime_id: "weather_mcp-AbC123xyz".into(),
        version: v.into(),
        status: "READY".into(),
        artifact: Some(Artifact::code(
            "agentcore-console-123456789012-us-east-1",
            &format!(
                "weather_mcp/{}.zip",
                ["9f2c4e1a0b3d5f67", "1a2b3c4d5e6f7081"][usize::from(v == "4")]
            ),
        )),
        code_runtime: Some("PYTHON_3_12".into()),
        entry_point: vec!["main.py".into()],
        variable_names,
        role_arn: Some("arn:aws:iam::123456789012:role/AgentCoreRuntime".into()),
        posture: Posture {
            network: Some(if prod {
                Network::Vpc {
                    subnets: vec!["subnet-0123456789abcdef0".into()],
                    security_groups: vec!["sg-0123456789abcdef0".into()],
                }
            } else {
                Network::Public
            }),
            auth: Some(if prod {
                InboundAuth::Jwt {
                    discovery_url: "https://issuer.example.com/.well-known/openid-configuration"
                        .into(),
                    allowed_audiences: vec!["weather".into()],
                    allowed_clients: vec![],
                }
            } else {
                InboundAuth::Iam
            }),
            lifecycle: Some(Lifecycle {
                idle_session_timeout_s: Some(900),
                max_lifetime_s: Some(28800),
            }),
            protocol: Some(Protocol::Mcp),
            request_headers: Some(request_headers),
            log_retention_days: Some(if prod { 90 } else { 7 }),
        },
        retention_from: Some(if v == "4" { "DEFAULT" } else { "live" }.into()),
        served_by: vec![if v == "4" { "DEFAULT" } else { "live" }.into()],
    }
}

pub fn retention(env: &str) -> Vec<EndpointRetention> {
    let days = if env.starts_with("prod") { 90 } else { 7 };
    ["DEFAULT", "live"]
        .into_iter()
        .map(|e| EndpointRetention {
            endpoint: e.into(),
            log_group: format!("/aws/bedrock-agentcore/runtimes/weather_mcp-AbC123xyz-{e}"),
            exists: true,
            retention_in_days: Some(days),
        })
        .collect()
}

/// The fixture answer to a diff: each side's version (named, else 3 in prod and staging's
/// stable endpoint, else 4 for the latest).
pub fn diff(left: &DiffSide, right: &DiffSide) -> RuntimeDiff {
    let pick = |s: &DiffSide| {
        s.version
            .clone()
            .unwrap_or_else(|| if s.latest_by_default { "4" } else { "3" }.into())
    };
    RuntimeDiff::new(
        version_config(&left.env, &pick(left)),
        version_config(&right.env, &pick(right)),
    )
}
