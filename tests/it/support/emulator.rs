//! Start the local AgentCore in-process on 127.0.0.1:0 and point SDK clients at it.
#![allow(dead_code)]

use std::path::Path;
use std::time::Duration;

use agentcore_console::backend::Clients;
use agentcore_console::domain::Environment;
use agentcore_console::emulator;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

pub struct Local {
    pub url: String,
    shutdown: Option<oneshot::Sender<()>>,
    task: Option<JoinHandle<()>>,
}

/// Serve `dir` on a free loopback port; the listener is bound before this returns, so the
/// server is ready without any sleep.
pub async fn start(dir: &Path) -> Local {
    start_with(dir, Duration::from_millis(50)).await
}

impl Local {
    pub async fn stop(mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        if let Some(t) = self.task.take() {
            t.await.expect("server task");
        }
    }
}

/// A bucket in us-west-2 (the test clients' region, so S3 needs the location constraint).
pub async fn us_west_2_bucket(c: &Clients, name: &str) {
    use aws_sdk_s3::types::{BucketLocationConstraint, CreateBucketConfiguration};
    c.s3.create_bucket()
        .bucket(name)
        .create_bucket_configuration(
            CreateBucketConfiguration::builder()
                .location_constraint(BucketLocationConstraint::UsWest2)
                .build(),
        )
        .send()
        .await
        .unwrap_or_else(|e| panic!("CreateBucket {name}: {e:?}"));
}

pub fn env(name: &str, url: &str, region: &str, account: Option<&str>) -> Environment {
    Environment {
        name: name.into(),
        region: Some(region.into()),
        profile: None,
        endpoint_url: Some(url.into()),
        read_only: false,
        account_id: account.map(str::to_string),
        ..Environment::default()
    }
}

pub async fn clients(url: &str, region: &str) -> Clients {
    Clients::build(&env("t", url, region, None)).await
}

pub const ROLE: &str = "arn:aws:iam::123456789012:role/AgentCoreRuntime";

/// A container artifact (accepted as stored by the local AgentCore).
pub fn container(uri: &str) -> aws_sdk_bedrockagentcorecontrol::types::AgentRuntimeArtifact {
    use aws_sdk_bedrockagentcorecontrol::types::{AgentRuntimeArtifact, ContainerConfiguration};
    AgentRuntimeArtifact::ContainerConfiguration(
        ContainerConfiguration::builder()
            .container_uri(uri)
            .build()
            .expect("container"),
    )
}

/// A code artifact at s3://bucket/key.
pub fn code(
    bucket: &str,
    key: &str,
) -> aws_sdk_bedrockagentcorecontrol::types::AgentRuntimeArtifact {
    use aws_sdk_bedrockagentcorecontrol::types::{
        AgentManagedRuntimeType, AgentRuntimeArtifact, Code, CodeConfiguration, S3Location,
    };
    AgentRuntimeArtifact::CodeConfiguration(
        CodeConfiguration::builder()
            .code(Code::S3(
                S3Location::builder()
                    .bucket(bucket)
                    .prefix(key)
                    .build()
                    .expect("s3"),
            ))
            .runtime(AgentManagedRuntimeType::Python312)
            .entry_point("main.py")
            .build()
            .expect("code"),
    )
}

pub fn public() -> aws_sdk_bedrockagentcorecontrol::types::NetworkConfiguration {
    aws_sdk_bedrockagentcorecontrol::types::NetworkConfiguration::builder()
        .network_mode(aws_sdk_bedrockagentcorecontrol::types::NetworkMode::Public)
        .build()
        .expect("network")
}

/// The tiny MCP fixture server, zipped.
pub fn fixture_zip() -> Vec<u8> {
    use std::io::Write;
    let src = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/tiny-mcp/main.py"
    );
    let mut w = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    w.start_file("main.py", zip::write::SimpleFileOptions::default())
        .expect("start");
    w.write_all(&std::fs::read(src).expect("fixture"))
        .expect("write");
    w.finish().expect("finish").into_inner()
}

pub const FIXTURE_BUCKET: &str = "fixture-code";

/// Upload the fixture to s3://fixture-code/<key> in the clients' region.
pub async fn upload_fixture(c: &Clients, key: &str) {
    use aws_sdk_s3::types::{BucketLocationConstraint, CreateBucketConfiguration};
    let region = c.env.region.clone().unwrap_or_else(|| "us-east-1".into());
    let mut create = c.s3.create_bucket().bucket(FIXTURE_BUCKET);
    if region != "us-east-1" {
        create = create.create_bucket_configuration(
            CreateBucketConfiguration::builder()
                .location_constraint(BucketLocationConstraint::from(region.as_str()))
                .build(),
        );
    }
    let _ = create.send().await; // already there is fine
    c.s3.put_object()
        .bucket(FIXTURE_BUCKET)
        .key(key)
        .body(fixture_zip().into())
        .send()
        .await
        .expect("upload fixture");
}

pub fn mcp() -> aws_sdk_bedrockagentcorecontrol::types::ProtocolConfiguration {
    aws_sdk_bedrockagentcorecontrol::types::ProtocolConfiguration::builder()
        .server_protocol(aws_sdk_bedrockagentcorecontrol::types::ServerProtocol::Mcp)
        .build()
        .expect("protocol")
}

/// Create a runtime that runs the fixture MCP server (APP_VERSION=1) and return its id.
pub async fn create(c: &Clients, name: &str) -> String {
    create_with(c, name, &[("APP_VERSION", "1")]).await
}

/// Create a fixture runtime with these environment variables.
pub async fn create_with(c: &Clients, name: &str, env: &[(&str, &str)]) -> String {
    let key = format!("{name}.zip");
    upload_fixture(c, &key).await;
    let mut req = c
        .control
        .create_agent_runtime()
        .agent_runtime_name(name)
        .agent_runtime_artifact(code(FIXTURE_BUCKET, &key))
        .role_arn(ROLE)
        .network_configuration(public())
        .protocol_configuration(mcp());
    for (k, v) in env {
        req = req.environment_variables(*k, *v);
    }
    req.send().await.expect("create").agent_runtime_id
}

/// Create a runtime with a container artifact (fails to run without a Docker engine).
pub async fn create_container(c: &Clients, name: &str) -> String {
    c.control
        .create_agent_runtime()
        .agent_runtime_name(name)
        .agent_runtime_artifact(container(&format!(
            "123456789012.dkr.ecr.us-west-2.amazonaws.com/{name}:1"
        )))
        .role_arn(ROLE)
        .network_configuration(public())
        .send()
        .await
        .expect("create")
        .agent_runtime_id
}

/// UpdateAgentRuntime to the fixture with APP_VERSION=`tag`: a new version.
/// CreateAgentRuntimeEndpoint `name` (on `version`, else the current one); not waited for.
pub async fn create_endpoint(c: &Clients, id: &str, name: &str, version: Option<&str>) {
    c.control
        .create_agent_runtime_endpoint()
        .agent_runtime_id(id)
        .name(name)
        .set_agent_runtime_version(version.map(str::to_string))
        .send()
        .await
        .expect("CreateAgentRuntimeEndpoint");
}

pub async fn update(c: &Clients, id: &str, tag: &str) -> String {
    let name = id.rsplit_once('-').map_or(id, |(n, _)| n);
    c.control
        .update_agent_runtime()
        .agent_runtime_id(id)
        .agent_runtime_artifact(code(FIXTURE_BUCKET, &format!("{name}.zip")))
        .role_arn(ROLE)
        .network_configuration(public())
        .protocol_configuration(mcp())
        .environment_variables("APP_VERSION", tag)
        .send()
        .await
        .expect("update")
        .agent_runtime_version
}

/// Poll until every endpoint of the runtime and the runtime itself have left
/// CREATING/UPDATING/DELETING (bounded, no fixed sleep).
pub async fn settled(c: &Clients, id: &str) {
    // At least 20 s: a test's readiness timeout (up to 6 s) under a loaded CI machine.
    for _ in 0..1000 {
        let rt = c
            .control
            .get_agent_runtime()
            .agent_runtime_id(id)
            .send()
            .await
            .expect("get");
        let eps = agentcore_console::backend::runtimes::list_endpoints(c, id)
            .await
            .expect("eps");
        let moving = |s: &str| matches!(s, "CREATING" | "UPDATING" | "DELETING");
        if !moving(rt.status().as_str()) && eps.iter().all(|e| !moving(e.status.as_str())) {
            return;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    panic!("runtime {id} did not settle");
}

/// Like [`start`] with a chosen settle delay (long ones let a test see transitional states).
pub async fn start_with(dir: &Path, settle: Duration) -> Local {
    start_opts(dir, settle, Duration::from_secs(30)).await
}

/// Like [`start_with`], with a chosen readiness timeout for new servers.
pub async fn start_opts(dir: &Path, settle: Duration, ready_timeout: Duration) -> Local {
    start_options(dir, |o| {
        o.settle_delay = settle;
        o.ready_timeout = ready_timeout;
    })
    .await
}

/// Start with a latency and quota profile (TOML of `local serve --profile FILE`'s shape).
pub async fn start_profiled(dir: &Path, profile_toml: &str) -> Local {
    let spec = emulator::ProfileSpec::parse("test", Path::new("test.toml"), profile_toml)
        .expect("profile");
    start_options(dir, |o| {
        o.settle_delay = Duration::from_millis(50);
        o.profile = Some(spec);
    })
    .await
}

/// Start with the options `set` changes from the defaults.
pub async fn start_options(dir: &Path, set: impl FnOnce(&mut emulator::Options)) -> Local {
    let listener = emulator::bind("127.0.0.1:0".parse().expect("addr"))
        .await
        .expect("bind");
    let url = emulator::endpoint_url(&listener).expect("url");
    let (tx, rx) = oneshot::channel();
    let mut opts = emulator::Options::new(dir);
    set(&mut opts);
    let task = tokio::spawn(async move {
        emulator::serve(listener, opts, async {
            let _ = rx.await;
        })
        .await
        .expect("serve");
    });
    Local {
        url,
        shutdown: Some(tx),
        task: Some(task),
    }
}

/// HTTP status and AWS error code of an SDK error.
pub fn status_and_code<E, R>(
    err: &aws_smithy_runtime_api::client::result::SdkError<E, R>,
) -> (u16, String)
where
    E: aws_smithy_types::error::metadata::ProvideErrorMetadata,
    R: HasStatus,
{
    match err {
        aws_smithy_runtime_api::client::result::SdkError::ServiceError(se) => (
            se.raw().status_u16(),
            se.err().code().unwrap_or_default().to_string(),
        ),
        other => panic!(
            "expected a service error, got {other:?}",
            other = DebugErr(other)
        ),
    }
}

pub trait HasStatus {
    fn status_u16(&self) -> u16;
}

impl HasStatus for aws_smithy_runtime_api::http::Response {
    fn status_u16(&self) -> u16 {
        self.status().as_u16()
    }
}

struct DebugErr<'a, T>(&'a T);
impl<T: std::fmt::Display> std::fmt::Debug for DebugErr<'_, T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.0)
    }
}

/// One raw HTTP/1.1 exchange, for what an SDK other than Rust's sends.
pub async fn raw(
    url: &str,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: &str,
) -> (u16, String) {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let addr = url.trim_start_matches("http://");
    let mut s = tokio::net::TcpStream::connect(addr).await.expect("connect");
    let mut req = format!(
        "{method} {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\nContent-Length: {}\r\n",
        body.len()
    );
    for (k, v) in headers {
        req.push_str(&format!("{k}: {v}\r\n"));
    }
    req.push_str("\r\n");
    req.push_str(body);
    s.write_all(req.as_bytes()).await.expect("write");
    let mut resp = String::new();
    s.read_to_string(&mut resp).await.expect("read");
    let status = resp
        .split(' ')
        .nth(1)
        .and_then(|c| c.parse().ok())
        .expect("status");
    (status, resp)
}

/// An Authorization header with the given scope (the local AgentCore reads, not verifies, it).
pub fn auth(service: &str, region: &str) -> String {
    format!(
        "AWS4-HMAC-SHA256 Credential=AKIDBOTO/20261124/{region}/{service}/aws4_request, SignedHeaders=host;x-amz-date, Signature=00"
    )
}
