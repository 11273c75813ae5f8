//! The metrics AgentCore publishes for what really happened: the sample MCP server deployed,
//! invoked directly and through a gateway, failing and throttled, counted in
//! `AWS/Bedrock-AgentCore` per {Operation, Resource} and {Operation, Resource, Name}.

use std::collections::BTreeMap;
use std::io::Write;

use agentcore_console::backend::Clients;
use agentcore_console::emulator;
use aws_sdk_bedrockagentcore::primitives::Blob;
use aws_sdk_bedrockagentcorecontrol::types::{
    AuthorizerType, HttpTargetConfiguration, RuntimeTargetConfiguration, TargetConfiguration,
};

use super::support::*;
use super::{cw, get, now_s, stat};

const NS: &str = "AWS/Bedrock-AgentCore";
pub(super) const INIT: &str = r#"{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"t","version":"1"}}}"#;
pub(super) const ECHO: &str = r#"{"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":"echo","arguments":{"text":"hi"}}}"#;
/// Streams three progress events 200 ms apart: Latency must cover the whole body.
const SLOW: &str = r#"{"jsonrpc":"2.0","id":3,"method":"tools/call","params":{"name":"slow_count","arguments":{"steps":3,"delay_ms":200},"_meta":{"progressToken":"p"}}}"#;
const SAMPLE: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/assets/sample-mcp-server/main.py"
);
const BUCKET: &str = "metrics-code";

/// Create a runtime running the sample MCP server with these settings: (id, ARN).
pub(super) async fn sample_runtime(
    c: &Clients,
    name: &str,
    vars: &[(&str, &str)],
) -> (String, String) {
    let mut w = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    w.start_file("main.py", zip::write::SimpleFileOptions::default())
        .expect("zip");
    w.write_all(&std::fs::read(SAMPLE).expect("sample"))
        .expect("zip");
    let zip = w.finish().expect("zip").into_inner();
    let _ =
        c.s3.create_bucket()
            .bucket(BUCKET)
            .create_bucket_configuration(
                aws_sdk_s3::types::CreateBucketConfiguration::builder()
                    .location_constraint(aws_sdk_s3::types::BucketLocationConstraint::UsWest2)
                    .build(),
            )
            .send()
            .await;
    let key = format!("{name}.zip");
    c.s3.put_object()
        .bucket(BUCKET)
        .key(&key)
        .body(zip.into())
        .send()
        .await
        .expect("upload");
    let mut req = c
        .control
        .create_agent_runtime()
        .agent_runtime_name(name)
        .agent_runtime_artifact(code(BUCKET, &key))
        .role_arn(ROLE)
        .network_configuration(public())
        .protocol_configuration(mcp());
    for (k, v) in vars {
        req = req.environment_variables(*k, *v);
    }
    let out = req.send().await.expect("create");
    settled(c, &out.agent_runtime_id).await;
    (out.agent_runtime_id, out.agent_runtime_arn)
}

/// A data-plane client that does not retry, so every call is one invocation.
pub(super) fn no_retry(c: &Clients) -> aws_sdk_bedrockagentcore::Client {
    aws_sdk_bedrockagentcore::Client::from_conf(
        c.data
            .config()
            .to_builder()
            .retry_config(aws_smithy_types::retry::RetryConfig::disabled())
            .build(),
    )
}

/// One InvokeAgentRuntime: the MCP session id answered, or the HTTP status and error code.
pub(super) async fn invoke(
    data: &aws_sdk_bedrockagentcore::Client,
    arn: &str,
    qualifier: &str,
    session: &str,
    mcp_session: Option<&str>,
    body: &str,
) -> Result<Option<String>, (u16, String)> {
    let out = data
        .invoke_agent_runtime()
        .agent_runtime_arn(arn)
        .qualifier(qualifier)
        .content_type("application/json")
        .accept("application/json, text/event-stream")
        .runtime_session_id(format!("{session:0>40}"))
        .set_mcp_session_id(mcp_session.map(str::to_string))
        .payload(Blob::new(body))
        .send()
        .await
        .map_err(|e| status_and_code(&e))?;
    let mcp = out.mcp_session_id().map(str::to_string);
    out.response.collect().await.expect("body");
    Ok(mcp)
}

/// The runtime's metrics since half an hour ago: Sum per count metric, Latency statistics.
async fn stats(
    c: &aws_sdk_cloudwatch::Client,
    arn: &str,
    name: Option<&str>,
) -> BTreeMap<String, f64> {
    let mut dims = vec![("Operation", "InvokeAgentRuntime"), ("Resource", arn)];
    dims.extend(name.map(|n| ("Name", n)));
    let mut wanted: Vec<(String, &str, &str)> = [
        "Invocations",
        "Throttles",
        "SystemErrors",
        "UserErrors",
        "TotalErrors",
        "SessionCount",
    ]
    .iter()
    .map(|m| (m.to_string(), *m, "Sum"))
    .collect();
    for s in ["SampleCount", "Minimum", "Maximum"] {
        wanted.push((format!("Latency.{s}"), "Latency", s));
    }
    let qs = wanted
        .iter()
        .enumerate()
        .map(|(i, (_, metric, s))| stat(&format!("q{i}"), NS, metric, &dims, 3600, s))
        .collect();
    let now = now_s();
    let out = get(c, qs, now - 1800, now + 120, None).await;
    wanted
        .iter()
        .zip(out)
        .map(|((key, _, _), r)| (key.clone(), r.values().first().copied().unwrap_or(0.0)))
        .collect()
}

fn check(got: &BTreeMap<String, f64>, want: &[(&str, f64)], what: &str) {
    for (k, v) in want {
        assert_eq!(got.get(*k), Some(v), "{what}: {k} in {got:?}");
    }
}

#[tokio::test]
async fn invocations_direct_and_through_a_gateway_publish_agentcore_metrics() {
    let dir = tempfile::tempdir().expect("tempdir");
    let local = start(dir.path()).await;
    let c = clients(&local.url, "us-west-2").await;
    let data = no_retry(&c);
    let metrics = cw(&local.url).await;
    let (_, arn) = sample_runtime(&c, "sample", &[]).await;
    let (_, flaky) = sample_runtime(&c, "flaky", &[("MCP_ERROR_RATE", "1")]).await;

    // Two sessions: initialize, a call, a streamed call; then initialize again.
    let mcp = invoke(&data, &arn, "DEFAULT", "a", None, INIT)
        .await
        .expect("init a");
    invoke(&data, &arn, "DEFAULT", "a", mcp.as_deref(), ECHO)
        .await
        .expect("echo");
    invoke(&data, &arn, "DEFAULT", "a", mcp.as_deref(), SLOW)
        .await
        .expect("slow");
    invoke(&data, &arn, "DEFAULT", "b", None, INIT)
        .await
        .expect("init b");
    let missing = invoke(&data, &arn, "nope", "c", None, INIT)
        .await
        .expect_err("unknown endpoint");
    assert_eq!(missing.0, 404);
    // Every tools/call of the flaky server answers HTTP 500: RuntimeClientError (424).
    let mcp = invoke(&data, &flaky, "DEFAULT", "d", None, INIT)
        .await
        .expect("init flaky");
    for _ in 0..3 {
        let e = invoke(&data, &flaky, "DEFAULT", "d", mcp.as_deref(), ECHO)
            .await
            .expect_err("injected");
        assert_eq!(e, (424, "RuntimeClientError".into()));
    }

    let named = stats(&metrics, &arn, Some("sample::DEFAULT")).await;
    check(
        &named,
        &[
            ("Invocations", 4.0),
            ("SessionCount", 2.0),
            ("UserErrors", 0.0),
            ("SystemErrors", 0.0),
            ("TotalErrors", 0.0),
            ("Throttles", 0.0),
            ("Latency.SampleCount", 4.0),
        ],
        "sample::DEFAULT",
    );
    assert!(
        named["Latency.Maximum"] >= 600.0,
        "latency covers the streamed body: {named:?}"
    );
    assert!(
        named["Latency.Minimum"] > 0.0 && named["Latency.Minimum"] < 600.0,
        "{named:?}"
    );
    let whole = stats(&metrics, &arn, None).await;
    check(
        &whole,
        &[
            ("Invocations", 5.0),
            ("UserErrors", 1.0),
            ("TotalErrors", 1.0),
            ("SessionCount", 2.0),
        ],
        "sample",
    );
    let failing = stats(&metrics, &flaky, Some("flaky::DEFAULT")).await;
    check(
        &failing,
        &[
            ("Invocations", 4.0),
            ("UserErrors", 3.0),
            ("TotalErrors", 3.0),
            ("SystemErrors", 0.0),
            ("SessionCount", 1.0),
        ],
        "flaky::DEFAULT",
    );

    // Through a gateway: one new session, then two calls in it.
    let (_, routed) = sample_runtime(&c, "routed", &[]).await;
    let gw = c
        .control
        .create_gateway()
        .name("metrics-gw")
        .role_arn(ROLE)
        .authorizer_type(AuthorizerType::AwsIam)
        .send()
        .await
        .expect("gateway");
    let target = RuntimeTargetConfiguration::builder()
        .arn(&routed)
        .qualifier("DEFAULT")
        .build()
        .expect("target");
    c.control
        .create_gateway_target()
        .gateway_identifier(gw.gateway_id())
        .name("only")
        .target_configuration(TargetConfiguration::Http(
            HttpTargetConfiguration::AgentcoreRuntime(target),
        ))
        .send()
        .await
        .expect("target");
    let url = gw.gateway_url().expect("gateway url").to_string();
    let path = url
        .strip_prefix(&local.url)
        .expect("local gateway url")
        .to_string();
    let json = [
        ("content-type", "application/json"),
        ("accept", "application/json, text/event-stream"),
    ];
    let (status, resp) = raw(&local.url, "POST", &path, &json, INIT).await;
    assert_eq!(status, 200, "{resp}");
    let session = resp
        .lines()
        .find_map(|l| {
            l.split_once(':')
                .filter(|(k, _)| k.eq_ignore_ascii_case("mcp-session-id"))
                .map(|(_, v)| v.trim().to_string())
        })
        .expect("gateway session");
    for _ in 0..2 {
        let mut h = json.to_vec();
        h.push(("mcp-session-id", &session));
        let (status, resp) = raw(&local.url, "POST", &path, &h, ECHO).await;
        assert_eq!(status, 200, "{resp}");
    }
    let via = stats(&metrics, &routed, Some("routed::DEFAULT")).await;
    check(
        &via,
        &[
            ("Invocations", 3.0),
            ("SessionCount", 1.0),
            ("TotalErrors", 0.0),
            ("Latency.SampleCount", 3.0),
        ],
        "routed",
    );

    let listed = metrics
        .list_metrics()
        .namespace(NS)
        .send()
        .await
        .expect("list");
    let named_sets = listed
        .metrics()
        .iter()
        .filter(|m| m.dimensions().iter().any(|d| d.name() == Some("Name")))
        .count();
    assert_eq!(
        (listed.metrics().len(), named_sets),
        (7 * 6, 7 * 3),
        "7 metrics x 2 sets x 3 runtimes"
    );
    local.stop().await;
}

#[tokio::test]
async fn a_tps_limit_throttles_and_counts_throttles() {
    let dir = tempfile::tempdir().expect("tempdir");
    let listener = emulator::bind("127.0.0.1:0".parse().expect("addr"))
        .await
        .expect("bind");
    let url = emulator::endpoint_url(&listener).expect("url");
    let mut opts = emulator::Options::new(dir.path());
    opts.settle_delay = std::time::Duration::from_millis(50);
    opts.invoke_tps = Some(2);
    let (tx, rx) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(emulator::serve(listener, opts, async {
        let _ = rx.await;
    }));
    let c = clients(&url, "us-west-2").await;
    let data = no_retry(&c);
    let id = create(&c, "busy").await;
    settled(&c, &id).await;
    let arn = c
        .control
        .get_agent_runtime()
        .agent_runtime_id(&id)
        .send()
        .await
        .expect("get")
        .agent_runtime_arn;
    let sessions: Vec<String> = (0..8).map(|i| i.to_string()).collect();
    let calls = sessions
        .iter()
        .map(|s| invoke(&data, &arn, "DEFAULT", s, None, ECHO));
    let outcomes = futures::future::join_all(calls).await;
    let throttled = outcomes
        .iter()
        .filter(|o| matches!(o, Err((429, code)) if code == "ThrottlingException"))
        .count();
    let ok = outcomes.iter().filter(|o| o.is_ok()).count();
    assert_eq!(ok + throttled, 8, "{outcomes:?}");
    assert!(
        throttled >= 1,
        "8 calls at once over a 2 TPS limit: {outcomes:?}"
    );
    let got = stats(&cw(&url).await, &arn, Some("busy::DEFAULT")).await;
    check(
        &got,
        &[
            ("Invocations", 8.0),
            ("Throttles", throttled as f64),
            ("UserErrors", 0.0),
            ("TotalErrors", 0.0),
            ("SessionCount", ok as f64),
        ],
        "busy::DEFAULT",
    );
    let _ = tx.send(());
    server.await.expect("join").expect("serve");
}
