//! Inbound auth on the local AgentCore: its own OpenID issuer, bearer tokens on JWT runtimes,
//! SigV4 on IAM runtimes, and every posture member through the control plane.

mod bearer;
mod issuer;
mod posture;

use crate::support::emulator as support;

use agentcore_console::backend::Clients;
use aws_sdk_bedrockagentcorecontrol::types::{
    AuthorizerConfiguration, CustomJwtAuthorizerConfiguration,
};
use serde_json::Value;
use support::*;

pub const INIT: &str = r#"{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"t","version":"1"}}}"#;
pub const TOOLS_LIST: &str = r#"{"jsonrpc":"2.0","id":2,"method":"tools/list","params":{}}"#;

/// The local issuer's discovery URL under `url`.
pub fn discovery(url: &str) -> String {
    format!("{url}/_local/oidc/.well-known/openid-configuration")
}

pub fn jwt(discovery_url: &str, audiences: &[&str], clients: &[&str]) -> AuthorizerConfiguration {
    let mut b = CustomJwtAuthorizerConfiguration::builder().discovery_url(discovery_url);
    for a in audiences {
        b = b.allowed_audience(*a);
    }
    for c in clients {
        b = b.allowed_clients(*c);
    }
    AuthorizerConfiguration::CustomJwtAuthorizer(b.build().expect("authorizer"))
}

/// Create a fixture runtime with (or without) an authorizer, wait until it serves, and return
/// its ARN.
pub async fn runtime(c: &Clients, name: &str, auth: Option<AuthorizerConfiguration>) -> String {
    let key = format!("{name}.zip");
    upload_fixture(c, &key).await;
    let out = c
        .control
        .create_agent_runtime()
        .agent_runtime_name(name)
        .agent_runtime_artifact(code(FIXTURE_BUCKET, &key))
        .role_arn(ROLE)
        .network_configuration(public())
        .protocol_configuration(mcp())
        .environment_variables("APP_VERSION", "1")
        .set_authorizer_configuration(auth)
        .send()
        .await
        .expect("create");
    settled(c, &out.agent_runtime_id).await;
    out.agent_runtime_arn
}

/// A token from the local issuer at `url` for this request body.
pub async fn token(url: &str, body: &str) -> String {
    let (status, resp) = raw(
        url,
        "POST",
        "/_local/oidc/token",
        &[("content-type", "application/json")],
        body,
    )
    .await;
    assert_eq!(status, 200, "{resp}");
    let v = json_body(&resp);
    assert_eq!(v["token_type"], "Bearer");
    v["access_token"]
        .as_str()
        .expect("access_token")
        .to_string()
}

/// The JSON body of a raw HTTP/1.1 response.
pub fn json_body(resp: &str) -> Value {
    let body = resp.split_once("\r\n\r\n").map_or("", |(_, b)| b);
    serde_json::from_str(body).unwrap_or_else(|e| panic!("not JSON ({e}): {resp}"))
}

/// InvokeAgentRuntime at its invocation URL (escaped ARN, qualifier) with these headers.
pub async fn call(url: &str, arn: &str, headers: &[(&str, &str)], body: &str) -> (u16, String) {
    let escaped = percent_encoding::utf8_percent_encode(arn, percent_encoding::NON_ALPHANUMERIC);
    let path = format!("/runtimes/{escaped}/invocations?qualifier=DEFAULT");
    let mut all = vec![
        ("content-type", "application/json"),
        ("accept", "application/json, text/event-stream"),
    ];
    all.extend_from_slice(headers);
    raw(url, "POST", &path, &all, body).await
}

/// InvokeAgentRuntime with `Authorization: Bearer <token>`.
pub async fn call_bearer(url: &str, arn: &str, token: &str, body: &str) -> (u16, String) {
    let auth = format!("Bearer {token}");
    call(url, arn, &[("authorization", &auth)], body).await
}
