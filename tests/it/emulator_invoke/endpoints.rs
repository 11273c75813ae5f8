//! Each endpoint has its own compute and its own log group, as on AWS: two endpoints on one
//! version run two processes, each writing only to its endpoint's group; a gateway target
//! qualified by a version number gets a process of its own.

use agentcore_console::backend::Clients;
use aws_sdk_bedrockagentcore::primitives::Blob;
use aws_sdk_bedrockagentcorecontrol::types::{
    AuthorizerType, HttpTargetConfiguration, RuntimeTargetConfiguration, TargetConfiguration,
};

use super::supervision::{answers, events, port_of, wait_closed, wait_events};
use super::support::*;
use super::{INIT, arn, server_version};

const CALL: &str =
    r#"{"jsonrpc":"2.0","id":7,"method":"tools/call","params":{"name":"version","arguments":{}}}"#;
const CALLS: &str = r#"{ $.method = "tools/call" }"#;

fn group(id: &str, endpoint: &str) -> String {
    format!("/aws/bedrock-agentcore/runtimes/{id}-{endpoint}")
}

async fn call(c: &Clients, arn: &str, qualifier: &str) {
    c.data
        .invoke_agent_runtime()
        .agent_runtime_arn(arn)
        .qualifier(qualifier)
        .content_type("application/json")
        .accept("application/json, text/event-stream")
        .payload(Blob::new(CALL))
        .send()
        .await
        .expect("tools/call");
}

async fn move_endpoint(c: &Clients, id: &str, name: &str, version: &str) {
    c.control
        .update_agent_runtime_endpoint()
        .agent_runtime_id(id)
        .endpoint_name(name)
        .agent_runtime_version(version)
        .send()
        .await
        .expect("move");
    settled(c, id).await;
}

#[tokio::test]
async fn each_endpoint_logs_only_its_own_calls_to_its_own_group() {
    let dir = tempfile::tempdir().expect("tempdir");
    let local = start(dir.path()).await;
    let c = clients(&local.url, "us-west-2").await;
    let id = create(&c, "split").await;
    settled(&c, &id).await;
    create_endpoint(&c, &id, "canary", Some("1")).await;
    settled(&c, &id).await;
    let arn = arn(&c, &id).await;
    let (default, canary) = (group(&id, "DEFAULT"), group(&id, "canary"));

    call(&c, &arn, "canary").await;
    wait_events(&c, &canary, CALLS, 1).await;
    assert_eq!(
        events(&c, &default, CALLS).await,
        [],
        "a call through canary is not in DEFAULT's logs"
    );
    call(&c, &arn, "DEFAULT").await;
    call(&c, &arn, "DEFAULT").await;
    assert_eq!(wait_events(&c, &default, CALLS, 2).await.len(), 2);
    assert_eq!(events(&c, &canary, CALLS).await.len(), 1, "no line twice");

    // Two processes on version 1; DEFAULT moving on stops only its own.
    let (d1, c1) = (
        port_of(&c, &default, "1").await,
        port_of(&c, &canary, "1").await,
    );
    assert_ne!(d1, c1, "each endpoint has its own server");
    update(&c, &id, "2").await;
    settled(&c, &id).await;
    wait_closed(d1, "DEFAULT's server of version 1").await;
    assert!(answers(c1).await, "canary still serves version 1");
    move_endpoint(&c, &id, "canary", "2").await;
    wait_closed(c1, "canary's server of version 1").await;
    let c2 = port_of(&c, &canary, "2").await;
    assert_ne!(c2, port_of(&c, &default, "2").await);
    local.stop().await;
    wait_closed(c2, "after shutdown").await;

    // Back after a restart: canary's own server answers, and logs to canary's group.
    let again = start(dir.path()).await;
    let c = clients(&again.url, "us-west-2").await;
    assert_eq!(
        server_version(&c, &arn, Some("canary")).await.as_deref(),
        Ok("2")
    );
    call(&c, &arn, "canary").await;
    wait_events(&c, &canary, CALLS, 2).await;
    assert_eq!(events(&c, &default, CALLS).await.len(), 2);
    again.stop().await;
}

#[tokio::test]
async fn a_gateway_target_qualified_by_a_version_number_reaches_that_version() {
    let dir = tempfile::tempdir().expect("tempdir");
    let local = start(dir.path()).await;
    let c = clients(&local.url, "us-west-2").await;
    let id = create(&c, "pinned").await;
    settled(&c, &id).await;
    update(&c, &id, "2").await;
    settled(&c, &id).await;
    let gw = c
        .control
        .create_gateway()
        .name("pinned-gw")
        .role_arn(ROLE)
        .authorizer_type(AuthorizerType::AwsIam)
        .send()
        .await
        .expect("gateway");
    let runtime = RuntimeTargetConfiguration::builder()
        .arn(arn(&c, &id).await)
        .qualifier("1")
        .build()
        .expect("rt");
    let target = c
        .control
        .create_gateway_target()
        .gateway_identifier(gw.gateway_id())
        .name("v1")
        .target_configuration(TargetConfiguration::Http(
            HttpTargetConfiguration::AgentcoreRuntime(runtime),
        ))
        .send()
        .await
        .expect("target");
    let path = gw
        .gateway_url()
        .and_then(|u| u.strip_prefix(&local.url))
        .map(|base| format!("{base}/v1/invocations"))
        .expect("local gateway url");
    let headers = [
        ("content-type", "application/json"),
        ("accept", "application/json, text/event-stream"),
    ];
    let (status, resp) = raw(&local.url, "POST", &path, &headers, INIT).await;
    assert_eq!(status, 200, "{resp}");
    assert!(resp.contains(r#""version": "1""#), "{resp}");
    let (status, resp) = raw(&local.url, "POST", &path, &headers, CALL).await;
    assert_eq!(status, 200, "{resp}");
    assert!(resp.contains(r#""text": "1""#), "{resp}");
    // Its own server, logging to its own group: not DEFAULT's (which serves version 2).
    let pinned = group(&id, "version-1");
    let port = port_of(&c, &pinned, "1").await;
    wait_events(&c, &pinned, CALLS, 1).await;
    assert_eq!(events(&c, &group(&id, "DEFAULT"), CALLS).await, []);
    // Once no target is pinned to the version, its process goes.
    c.control
        .delete_gateway_target()
        .gateway_identifier(gw.gateway_id())
        .target_id(target.target_id())
        .send()
        .await
        .expect("delete target");
    wait_closed(port, "the pinned process once its target is gone").await;
    local.stop().await;
}
