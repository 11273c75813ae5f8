//! AgentCore's runtime metrics for every InvokeAgentRuntime (direct or through a gateway),
//! published in `AWS/Bedrock-AgentCore` as AWS publishes them, and the opt-in per-endpoint
//! TPS limit that makes `Throttles` real.
//!
//! Outcomes: 2xx is a success; 429 counts in `Throttles` only; other 4xx in `UserErrors`,
//! which includes RuntimeClientError (424), what callers see when the server in the runtime
//! answers HTTP 500 or cannot be reached (the platform blames the runtime's code, a user
//! error); 5xx in `SystemErrors`, including a response stream that breaks half-way.
//! `TotalErrors` is SystemErrors + UserErrors, as the AgentCore docs define it.

use std::collections::{HashMap, VecDeque};
use std::pin::Pin;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use axum::body::{Body, Bytes, HttpBody};
use axum::http::{HeaderMap, Response};
use hyper::body::{Frame, SizeHint};

use super::CloudWatch;
use super::wire::now_ms;
use crate::domain::metrics::stat::Sample;
use crate::emulator::state::State;

pub const NAMESPACE: &str = "AWS/Bedrock-AgentCore";
const OPERATION: &str = "InvokeAgentRuntime";
const SESSION_HEADER: &str = "x-amzn-bedrock-agentcore-runtime-session-id";
/// Sessions remembered for SessionCount (AgentCore ends idle sessions after 15 minutes and
/// every session after 8 hours).
const SESSION_TTL: Duration = Duration::from_secs(8 * 3600);
const MAX_SESSIONS: usize = 200_000;
const MAX_LIMITED: usize = 10_000;

/// Who an invocation is metered against: the runtime, and the endpoint when it exists.
#[derive(Debug, Clone)]
pub struct Target {
    partition: String,
    runtime_id: String,
    arn: String,
    /// `<runtimeName>::<endpointName>`; None when the qualifier names no endpoint.
    name: Option<String>,
    qualifier: String,
}

/// The runtime (if known) an invocation of `id`/`qualifier` is metered against.
pub fn target(state: &State, partition: &str, id: &str, qualifier: &str) -> Option<Target> {
    let rt = state.partitions.get(partition)?.runtimes.get(id)?;
    Some(Target {
        partition: partition.to_string(),
        runtime_id: id.to_string(),
        arn: rt.arn.clone(),
        name: rt
            .endpoints
            .contains_key(qualifier)
            .then(|| format!("{}::{qualifier}", rt.name)),
        qualifier: qualifier.to_string(),
    })
}

/// Sessions seen, and recent admissions per endpoint for the TPS limit.
#[derive(Default)]
pub struct Meters {
    sessions: Mutex<HashMap<String, Instant>>,
    admitted: Mutex<HashMap<String, VecDeque<Instant>>>,
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

/// One invocation being metered, from its start.
pub struct Meter {
    cw: Arc<CloudWatch>,
    target: Target,
    started: Instant,
    started_ms: i64,
    /// The session ids the request carried (MCP and runtime).
    asked: Vec<String>,
}

impl Meter {
    pub fn begin(cw: &Arc<CloudWatch>, target: Target, headers: &HeaderMap) -> Self {
        let asked = ["mcp-session-id", SESSION_HEADER]
            .iter()
            .filter_map(|h| headers.get(*h).and_then(|v| v.to_str().ok()))
            .map(str::to_string)
            .collect();
        Self {
            cw: Arc::clone(cw),
            target,
            started: Instant::now(),
            started_ms: now_ms(),
            asked,
        }
    }

    /// Whether the endpoint is under its TPS limit (always, without one); counts the call.
    pub fn admit(&self) -> bool {
        let Some(tps) = self.cw.invoke_tps else {
            return true;
        };
        let key = format!(
            "{}|{}|{}",
            self.target.partition, self.target.runtime_id, self.target.qualifier
        );
        let mut admitted = lock(&self.cw.meters.admitted);
        if admitted.len() >= MAX_LIMITED {
            admitted.retain(|_, q| {
                q.back()
                    .is_some_and(|t| t.elapsed() < Duration::from_secs(1))
            });
        }
        let recent = admitted.entry(key).or_default();
        while recent
            .front()
            .is_some_and(|t| t.elapsed() >= Duration::from_secs(1))
        {
            recent.pop_front();
        }
        if recent.len() >= tps as usize {
            return false;
        }
        recent.push_back(Instant::now());
        true
    }

    /// The invocation failed with this HTTP status before any response body.
    pub fn failed(self, status: u16) {
        self.record(status, false);
    }

    /// A successful answer: recorded when its body has been fully sent (or abandoned), so
    /// Latency is end to end.
    pub fn stream(self, resp: Response<Body>) -> Response<Body> {
        let keys = self.session_keys(resp.headers());
        let (parts, body) = resp.into_parts();
        let timed = Timed {
            inner: body,
            finish: Some(Finish {
                meter: Some(self),
                status: 200,
                keys,
            }),
        };
        Response::from_parts(parts, Body::new(timed))
    }

    /// The session ids to remember for this runtime: asked for, and answered with.
    fn session_keys(&self, answer: &HeaderMap) -> Vec<String> {
        let answered = ["mcp-session-id", SESSION_HEADER]
            .iter()
            .filter_map(|h| answer.get(*h).and_then(|v| v.to_str().ok()));
        self.asked
            .iter()
            .map(String::as_str)
            .chain(answered)
            .map(|s| self.session_key(s))
            .collect()
    }

    fn session_key(&self, id: &str) -> String {
        format!("{}|{}|{id}", self.target.partition, self.target.runtime_id)
    }

    /// A new session: none of the ids the request carried was seen before. Successful
    /// invocations remember their ids.
    fn new_session(&self, keys: &[String]) -> bool {
        let mut seen = lock(&self.cw.meters.sessions);
        let fresh = self
            .asked
            .iter()
            .all(|id| !seen.contains_key(&self.session_key(id)));
        if seen.len() >= MAX_SESSIONS {
            seen.retain(|_, t| t.elapsed() < SESSION_TTL);
        }
        for k in keys {
            seen.insert(k.clone(), Instant::now());
        }
        fresh
    }

    fn record(self, status: u16, new_session: bool) {
        let latency = self.started.elapsed().as_secs_f64() * 1000.0;
        let flag = |b: bool| if b { 1.0 } else { 0.0 };
        let system = status >= 500;
        let user = (400..500).contains(&status) && status != 429;
        let values = [
            ("Invocations", 1.0, "Count"),
            ("Throttles", flag(status == 429), "Count"),
            ("SystemErrors", flag(system), "Count"),
            ("UserErrors", flag(user), "Count"),
            ("TotalErrors", flag(system || user), "Count"),
            ("SessionCount", flag(new_session), "Count"),
            ("Latency", latency, "Milliseconds"),
        ];
        let t = &self.target;
        let mut dim_sets = vec![vec![
            ("Operation".to_string(), OPERATION.to_string()),
            ("Resource".to_string(), t.arn.clone()),
        ]];
        if let Some(name) = &t.name {
            let mut named = dim_sets[0].clone();
            named.push(("Name".to_string(), name.clone()));
            dim_sets.push(named);
        }
        let mut items = Vec::new();
        for dims in &dim_sets {
            for (metric, value, unit) in values {
                items.push((
                    metric,
                    dims.clone(),
                    Sample::Value { value, count: 1.0 },
                    unit,
                ));
            }
        }
        self.cw
            .publish(&t.partition, NAMESPACE, self.started_ms, items);
    }
}

/// Records the invocation when dropped: at the end of the body, or when the caller leaves.
struct Finish {
    meter: Option<Meter>,
    status: u16,
    keys: Vec<String>,
}

impl Drop for Finish {
    fn drop(&mut self) {
        if let Some(m) = self.meter.take() {
            let new = self.status < 300 && m.new_session(&self.keys);
            m.record(self.status, new);
        }
    }
}

/// The response body, passed through unchanged (length included), that finishes the meter
/// with its last frame.
struct Timed {
    inner: Body,
    finish: Option<Finish>,
}

impl HttpBody for Timed {
    type Data = Bytes;
    type Error = axum::Error;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, axum::Error>>> {
        let polled = Pin::new(&mut self.inner).poll_frame(cx);
        match &polled {
            Poll::Ready(Some(Ok(_))) if self.inner.is_end_stream() => drop(self.finish.take()),
            Poll::Ready(None) => drop(self.finish.take()),
            Poll::Ready(Some(Err(_))) => {
                // The server's stream broke after the headers: a platform-side failure.
                if let Some(mut f) = self.finish.take() {
                    f.status = 502;
                }
            }
            _ => {}
        }
        polled
    }

    fn is_end_stream(&self) -> bool {
        self.inner.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.inner.size_hint()
    }
}
