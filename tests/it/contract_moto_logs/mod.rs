//! Contract tests: the backend's CloudWatch Logs reads (`backend::logs::history` and
//! `backend::logs::follow`) against moto 5.2.5, an implementation of the AWS APIs independent
//! of ours, and the same wire calls side by side against moto and the local emulator.
//!
//! Each test starts its own moto server on 127.0.0.1 (see `support/moto.rs`). The runtimes and
//! endpoints are created in moto through the SDK, so the backend finds the log groups the way
//! it does on AWS: `/aws/bedrock-agentcore/runtimes/<runtimeId>-<endpoint>`, one per endpoint,
//! with streams `YYYY/MM/DD/[runtime-logs]<instance>`.
//!
//! What moto 5.2.5 does with these calls (read in `moto/logs/{models,utils,responses}.py`;
//! what the backend depends on is asserted below):
//! - FilterLogEvents: a page holds 10,000 events when no `limit` is sent (the AWS default
//!   too); `nextToken` is `<group>@<stream>@<eventId>`, `null` on the last page. `startTime`
//!   and `endTime` are both inclusive, as AWS documents for FilterLogEvents. Event ids are a
//!   process-wide counter ("0", "1", …), not AWS's 56-digit ids. An unknown group is
//!   ResourceNotFoundException "The specified log group does not exist." (HTTP 400).
//! - Filter patterns are judged by their first character. A letter: plain terms, every
//!   space-separated word must occur as a case-sensitive substring (`?x` and `-x` after the
//!   first word are taken literally). A `"`: one quoted phrase, found by cutting the first and
//!   last characters off the whole pattern (so only a lone phrase works). Anything else (`?`,
//!   `-`, `{`, `[`, a digit): every event matches. moto never answers InvalidParameterException
//!   for a pattern, where AWS (and the emulator) filter or refuse.
//! - Several streams of one group come stream by stream unless the request sets the
//!   deprecated `interleaved` flag; AWS has interleaved by time since 2019 whatever the flag,
//!   and the backend does not send it. The history tests therefore write one stream per group.
//! - StartLiveTail is implemented, but as a snapshot: one `sessionStart`, one `sessionUpdate`
//!   holding the events that already exist (at most 500), then the stream ends; the follower
//!   reconnects after each. Its group lookup has a bug (`_find_log_group` loops without
//!   `break`): every identifier resolves to the most recently created log group, so a session
//!   over two groups returns the last group's events twice and the other's not at all (and the
//!   follower, which keeps identical lines that come twice in one read, then shows those
//!   events twice). The Live Tail test therefore tails a runtime with one endpoint; the
//!   polling fallback is tested with two, StartLiveTail being refused by a loopback proxy.
//!
//! Two tests pin bugs found here, since fixed: FilterLogEvents' `endTime` was exclusive in
//! the emulator, and the follower re-opened a Live Tail session that ended at once without
//! any delay.

use crate::support::emulator;
use crate::support::moto;

use std::collections::HashSet;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use agentcore_console::backend::logs::{
    self, FollowOptions, LogLine, LogQuery, Notice, NoticeKind, TailEvent, TailStats,
};
use agentcore_console::backend::{Backend, BackendError, Clients};
use agentcore_console::domain::Environment;
use agentcore_console::domain::runtime::log_group_name;
use aws_sdk_bedrockagentcorecontrol::types::{
    AgentRuntimeArtifact, ContainerConfiguration, NetworkConfiguration, NetworkMode,
};
use aws_sdk_cloudwatchlogs::config::http::HttpResponse;
use aws_sdk_cloudwatchlogs::error::{ProvideErrorMetadata, SdkError};
use aws_sdk_cloudwatchlogs::types::InputLogEvent;
use axum::body::Body;
use axum::http::{Request, Response};
use hyper_util::client::legacy::Client;
use hyper_util::rt::TokioExecutor;
use moto::MotoServer;

const ENV: &str = "moto";
const ROLE: &str = "arn:aws:iam::123456789012:role/R";
const IMAGE: &str = "123456789012.dkr.ecr.us-west-2.amazonaws.com/weather-mcp:1";
/// FilterLogEvents page size when no `limit` is sent (moto and AWS alike).
const PAGE: usize = 10_000;
/// How long a follow test may take before it fails.
const FOLLOW_DEADLINE: Duration = Duration::from_secs(60);

fn environment(url: &str) -> Environment {
    let env = Environment {
        name: ENV.into(),
        region: Some("us-west-2".into()),
        profile: None,
        endpoint_url: Some(url.to_string()),
        read_only: false,
        gateway: None,
        account_id: None,
        ..Environment::default()
    };
    assert!(env.is_loopback(), "static local credentials, no AWS chain");
    env
}

/// A moto server, the backend's clients pointed at it, and a backend over that one environment.
struct Peer {
    moto: MotoServer,
    clients: Clients,
    backend: Arc<Backend>,
}

async fn peer() -> Peer {
    let moto = match tokio::task::spawn_blocking(MotoServer::start).await {
        Ok(moto) => moto,
        Err(e) => std::panic::resume_unwind(e.into_panic()),
    };
    assert!(moto.url.starts_with("http://127.0.0.1:"), "{}", moto.url);
    let env = environment(&moto.url);
    let clients = Clients::build(&env).await;
    Peer {
        moto,
        clients,
        backend: Arc::new(Backend::new(vec![env])),
    }
}

fn now_ms() -> i64 {
    i64::try_from(time::OffsetDateTime::now_utc().unix_timestamp_nanos() / 1_000_000)
        .expect("now in ms")
}

/// A runtime (container artifact) with endpoints on version 1; its id.
async fn runtime_with_endpoints(c: &Clients, name: &str, endpoints: &[&str]) -> String {
    let created = c
        .control
        .create_agent_runtime()
        .agent_runtime_name(name)
        .agent_runtime_artifact(AgentRuntimeArtifact::ContainerConfiguration(
            ContainerConfiguration::builder()
                .container_uri(IMAGE)
                .build()
                .expect("container configuration"),
        ))
        .role_arn(ROLE)
        .network_configuration(
            NetworkConfiguration::builder()
                .network_mode(NetworkMode::Public)
                .build()
                .expect("network configuration"),
        )
        .send()
        .await
        .unwrap_or_else(|e| {
            panic!(
                "CreateAgentRuntime {name}: {:?}",
                BackendError::sdk("CreateAgentRuntime", e)
            )
        });
    let id = created.agent_runtime_id().to_string();
    for endpoint in endpoints {
        c.control
            .create_agent_runtime_endpoint()
            .agent_runtime_id(&id)
            .name(*endpoint)
            .agent_runtime_version("1")
            .send()
            .await
            .unwrap_or_else(|e| {
                panic!(
                    "CreateAgentRuntimeEndpoint {endpoint}: {:?}",
                    BackendError::sdk("CreateAgentRuntimeEndpoint", e)
                )
            });
    }
    id
}

/// The stream name AgentCore gives a runtime instance's output on the day of `ts_ms`.
fn stream_name(ts_ms: i64, instance: &str) -> String {
    let day = time::OffsetDateTime::from_unix_timestamp(ts_ms / 1000).expect("a valid time");
    format!(
        "{:04}/{:02}/{:02}/[runtime-logs]{instance}",
        day.year(),
        u8::from(day.month()),
        day.day()
    )
}

async fn create_group(c: &Clients, group: &str) {
    c.logs
        .create_log_group()
        .log_group_name(group)
        .send()
        .await
        .unwrap_or_else(|e| {
            panic!(
                "CreateLogGroup {group}: {:?}",
                BackendError::sdk("CreateLogGroup", e)
            )
        });
}

async fn create_stream(c: &Clients, group: &str, stream: &str) {
    c.logs
        .create_log_stream()
        .log_group_name(group)
        .log_stream_name(stream)
        .send()
        .await
        .unwrap_or_else(|e| {
            panic!(
                "CreateLogStream {group} {stream}: {:?}",
                BackendError::sdk("CreateLogStream", e)
            )
        });
}

/// A group with one stream.
async fn create_group_and_stream(c: &Clients, group: &str, stream: &str) {
    create_group(c, group).await;
    create_stream(c, group, stream).await;
}

/// PutLogEvents in batches AWS would accept (at most 10,000 events and 1 MiB each); every
/// event must be accepted.
async fn put(c: &Clients, group: &str, stream: &str, events: &[(i64, String)]) {
    for batch in events.chunks(4_000) {
        let out = c
            .logs
            .put_log_events()
            .log_group_name(group)
            .log_stream_name(stream)
            .set_log_events(Some(
                batch
                    .iter()
                    .map(|(ts, msg)| {
                        InputLogEvent::builder()
                            .timestamp(*ts)
                            .message(msg)
                            .build()
                            .expect("event")
                    })
                    .collect(),
            ))
            .send()
            .await
            .unwrap_or_else(|e| {
                panic!(
                    "PutLogEvents {group}: {:?}",
                    BackendError::sdk("PutLogEvents", e)
                )
            });
        assert!(
            out.rejected_log_events_info().is_none(),
            "{:?}",
            out.rejected_log_events_info()
        );
    }
}

fn query(runtime: &str) -> LogQuery {
    LogQuery {
        targets: vec![(ENV.into(), runtime.into())],
        ..LogQuery::default()
    }
}

/// (timestamp, group, message): a line as delivered, or an event as written.
type Seen = (i64, String, String);

/// Each line as (timestamp, group, message), to compare with what was written.
fn seen(lines: &[LogLine]) -> Vec<Seen> {
    lines
        .iter()
        .map(|l| (l.timestamp, l.log_group.clone(), l.message.clone()))
        .collect()
}

/// Equal lists, or a failure that shows where they part (not ten thousand lines).
fn assert_same(got: &[Seen], want: &[Seen], what: &str) {
    if let Some(i) = (0..got.len().max(want.len())).find(|&i| got.get(i) != want.get(i)) {
        panic!(
            "{what}: {} lines, {} expected; first difference at {i}: got {:?}, expected {:?}",
            got.len(),
            want.len(),
            got.get(i),
            want.get(i)
        );
    }
}

/// What was written to `group`, in the shape of `seen`.
fn written(group: &str, events: &[(i64, String)]) -> Vec<Seen> {
    events
        .iter()
        .map(|(ts, m)| (*ts, group.to_string(), m.clone()))
        .collect()
}

mod delete;
mod follow;
mod history;
mod metric_filters;
mod retention;
mod wire;
