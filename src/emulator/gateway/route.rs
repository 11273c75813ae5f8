//! The gateway's invocation URLs: each new session is routed by the first rule that matches
//! its path (see [`super::rules`]) and stays on the target it first got.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::body::Body;
use axum::http::{HeaderMap, HeaderValue, Response};
use bytes::Bytes;
use serde_json::Value;

use crate::emulator::Emulator;
use crate::emulator::http::AwsError;
use crate::emulator::ids;
use crate::emulator::invoke::proxy;
use crate::emulator::state::{GatewayRec, partition_key};

use super::rules;

const SESSION_TTL: Duration = Duration::from_secs(3600);
const MAX_SESSIONS: usize = 100_000;
/// Tells callers (and tests) which target served the request.
pub const TARGET_HEADER: &str = "x-agentcore-local-target";

struct Sticky {
    /// The gateway and request path the session was opened on: it is not valid elsewhere.
    gateway: String,
    path: String,
    target: String,
    /// The session id the target's server gave, sent on its behalf.
    upstream: Option<String>,
    seen: Instant,
}

/// Gateway session → target, in memory (sessions do not survive a restart, as on AWS they
/// end with the microVM).
#[derive(Default)]
pub struct Sessions(Mutex<HashMap<String, Sticky>>);

impl Sessions {
    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, Sticky>> {
        self.0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

/// A request to a gateway; `path` is what follows the gateway in its URL (`/<target or
/// runtime path>/invocations`), what rules' `matchPaths` conditions see.
pub async fn handle(
    emu: &Arc<Emulator>,
    gateway_id: &str,
    path: &str,
    headers: HeaderMap,
    body: Bytes,
) -> Response<Body> {
    match route(emu, gateway_id, path, headers, body).await {
        Ok(r) => r,
        Err(e) => e.into_response(),
    }
}

async fn route(
    emu: &Arc<Emulator>,
    gateway_id: &str,
    path: &str,
    mut headers: HeaderMap,
    body: Bytes,
) -> Result<Response<Body>, AwsError> {
    let gw = {
        let state = emu.store.read();
        state
            .partitions
            .values()
            .find_map(|p| p.gateways.get(gateway_id).cloned())
            .ok_or_else(|| AwsError::not_found(format!("Gateway {gateway_id} not found")))?
    };
    let asked = headers
        .get("mcp-session-id")
        .and_then(|v| v.to_str().ok())
        .map(str::to_string);
    let known = asked.as_ref().and_then(|s| {
        emu.sessions
            .lock()
            .get_mut(s)
            .filter(|st| st.gateway == gw.id && st.path == path)
            .map(|st| {
                st.seen = Instant::now();
                (st.target.clone(), st.upstream.clone())
            })
    });
    let (session, target, upstream) = match (asked, known) {
        (Some(s), Some((t, up))) => (s, t, up),
        (Some(s), None) => {
            return Err(AwsError::not_found(format!(
                "Session {s} not found on {path} of gateway {gateway_id}: initialize a new one"
            )));
        }
        (None, _) => (
            format!("gw-{}", ids::request_id()),
            rules::pick(&gw, path, |total| fastrand::i64(0..total))?,
            None,
        ),
    };
    let (arn, qualifier) = runtime_target(&gw, &target)?;
    let (partition, runtime_id) = locate(&arn)?;
    headers.remove("mcp-session-id");
    if let Some(up) = &upstream
        && let Ok(v) = HeaderValue::from_str(up)
    {
        headers.insert("mcp-session-id", v);
    }
    let mut resp = proxy(emu, &partition, &runtime_id, &qualifier, &headers, body).await?;
    let upstream_now = resp
        .headers()
        .get("mcp-session-id")
        .and_then(|v| v.to_str().ok())
        .map(str::to_string);
    {
        let mut sessions = emu.sessions.lock();
        if sessions.len() >= MAX_SESSIONS {
            sessions.retain(|_, s| s.seen.elapsed() < SESSION_TTL);
        }
        sessions.insert(
            session.clone(),
            Sticky {
                gateway: gw.id.clone(),
                path: path.to_string(),
                target: target.clone(),
                upstream: upstream_now.or(upstream),
                seen: Instant::now(),
            },
        );
    }
    let h = resp.headers_mut();
    if let Ok(v) = HeaderValue::from_str(&session) {
        h.insert("mcp-session-id", v);
    }
    if let Ok(v) = HeaderValue::from_str(&target) {
        h.insert(TARGET_HEADER, v);
    }
    Ok(resp)
}

/// A runtime target's ARN and qualifier.
fn runtime_target(gw: &GatewayRec, name: &str) -> Result<(String, String), AwsError> {
    let t = gw
        .targets
        .values()
        .find(|t| t.name == name)
        .ok_or_else(|| AwsError::not_found(format!("target {name} no longer exists")))?;
    let rt = t.config.pointer("/http/agentcoreRuntime").ok_or_else(|| {
        AwsError::validation(format!("target {name} is not an AgentCore runtime target"))
    })?;
    let arn = rt
        .get("arn")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_string();
    let qualifier = rt
        .get("qualifier")
        .and_then(Value::as_str)
        .unwrap_or("DEFAULT")
        .to_string();
    Ok((arn, qualifier))
}

fn locate(arn: &str) -> Result<(String, String), AwsError> {
    let parts: Vec<&str> = arn.splitn(6, ':').collect();
    match parts.as_slice() {
        ["arn", _, "bedrock-agentcore", region, account, resource] => {
            let id = resource.strip_prefix("runtime/").unwrap_or_default();
            Ok((
                partition_key(account, region),
                id.split('/').next().unwrap_or_default().to_string(),
            ))
        }
        _ => Err(AwsError::validation(format!(
            "{arn} is not an agent runtime ARN"
        ))),
    }
}
