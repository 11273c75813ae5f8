//! InvokeAgentRuntime: proxy the payload to the process of (the version the qualifier's
//! endpoint serves, that endpoint), and stream its answer back as the server sent it.

use std::sync::Arc;

use axum::body::Body;
use axum::http::{HeaderValue, Response, StatusCode};
use http_body_util::BodyExt;

use super::Emulator;
use super::cloudwatch::record::{self, Meter};
use super::http::{AwsError, Req};
use super::ids;
use super::lifecycle::{launch_spec, version_endpoint, version_qualifier};
use super::oidc;
use super::runner::ProcessKey;
use super::sigv4::Scope;
use super::state::{RuntimeRec, partition_key, status};

/// Request headers passed through to the server.
const PASS_UP: &[&str] = &[
    "content-type",
    "accept",
    "mcp-session-id",
    "mcp-protocol-version",
    "mcp-method",
    "mcp-name",
    "last-event-id",
    "x-amzn-bedrock-agentcore-runtime-session-id",
    "x-amzn-bedrock-agentcore-runtime-user-id",
    "traceparent",
    "tracestate",
    "baggage",
];
/// Response headers passed back to the caller.
const PASS_DOWN: &[&str] = &[
    "content-type",
    "mcp-session-id",
    "mcp-protocol-version",
    "cache-control",
];
const SESSION_HEADER: &str = "x-amzn-bedrock-agentcore-runtime-session-id";

pub async fn handle(emu: &Arc<Emulator>, req: &Req, runtime: &str) -> Response<Body> {
    match invoke(emu, req, runtime).await {
        Ok(resp) => resp,
        Err(e) => {
            let mut resp = e.into_response();
            oidc::verify::challenge(&mut resp);
            resp
        }
    }
}

fn runtime_client_error(message: String) -> AwsError {
    AwsError::new(StatusCode::FAILED_DEPENDENCY, "RuntimeClientError", message)
}

/// Where the runtime lives: an ARN names its account and region; a bare id uses `accountId`
/// (or the caller's account) and the caller's region.
fn locate(req: &Req, runtime: &str) -> Result<(String, String), AwsError> {
    if let Some(rest) = runtime.strip_prefix("arn:") {
        let parts: Vec<&str> = rest.splitn(5, ':').collect();
        return match parts.as_slice() {
            [_, "bedrock-agentcore", region, account, resource] => {
                let id = resource
                    .strip_prefix("runtime/")
                    .map(|r| r.split('/').next().unwrap_or_default())
                    .filter(|id| !id.is_empty())
                    .ok_or_else(|| {
                        AwsError::field("agentRuntimeArn", "is not an agent runtime ARN")
                    })?;
                Ok((partition_key(account, region), id.to_string()))
            }
            _ => Err(AwsError::field(
                "agentRuntimeArn",
                "is not an agent runtime ARN",
            )),
        };
    }
    let account = req.query("accountId").unwrap_or(&req.scope.account);
    Ok((
        partition_key(account, &req.scope.region),
        runtime.to_string(),
    ))
}

/// The bearer token of a request, if it carries one (`Authorization: Bearer …`).
fn bearer(headers: &axum::http::HeaderMap) -> Option<&str> {
    let auth = headers.get("authorization")?.to_str().ok()?;
    let (scheme, token) = auth.split_once(' ').unwrap_or((auth, ""));
    scheme.eq_ignore_ascii_case("bearer").then(|| token.trim())
}

/// The scope of an unsigned InvokeAgentRuntime call that carries a bearer token: AWS routes it
/// by the runtime's ARN, so the account and region come from there. None for any other request.
pub fn bearer_scope(
    method: &axum::http::Method,
    raw_path: &str,
    headers: &axum::http::HeaderMap,
) -> Option<Result<Scope, AwsError>> {
    bearer(headers)?;
    let segments = super::http::split_path(raw_path);
    let [first, runtime, last] = segments.as_slice() else {
        return None;
    };
    if method != axum::http::Method::POST || first != "runtimes" || last != "invocations" {
        return None;
    }
    let arn = runtime
        .strip_prefix("arn:")
        .map(|r| r.splitn(5, ':').collect::<Vec<_>>());
    Some(match arn.as_deref() {
        Some([_, "bedrock-agentcore", region, account, resource])
            if resource.starts_with("runtime/") =>
        {
            Ok(Scope {
                access_key: String::new(),
                region: (*region).to_string(),
                service: "bedrock-agentcore".into(),
                account: (*account).to_string(),
            })
        }
        _ => Err(AwsError::field(
            "agentRuntimeArn",
            "a call with a bearer token must name the runtime by its ARN              (arn:aws:bedrock-agentcore:REGION:ACCOUNT:runtime/ID)",
        )),
    })
}

/// The custom JWT authorizer of the version `qualifier` serves, if the runtime has one. An
/// unknown runtime or qualifier is left to the proxy, which reports it.
fn authorizer(
    emu: &Emulator,
    partition: &str,
    id: &str,
    qualifier: &str,
) -> Option<serde_json::Value> {
    let state = emu.store.read();
    let rt = state.partitions.get(partition)?.runtimes.get(id)?;
    let (version, _) = resolve(rt, qualifier).ok()?;
    rt.versions
        .get(&version)?
        .config
        .get("authorizerConfiguration")?
        .get("customJWTAuthorizer")
        .cloned()
}

/// Enforce the runtime's inbound auth: a JWT runtime takes only verified bearer tokens, an IAM
/// runtime only SigV4, as AWS does.
async fn authenticate(
    emu: &Emulator,
    req: &Req,
    partition: &str,
    id: &str,
    qualifier: &str,
) -> Result<(), AwsError> {
    let jwt = authorizer(emu, partition, id, qualifier);
    match (jwt, bearer(&req.headers)) {
        (None, None) => Ok(()),
        (Some(a), Some(token)) => emu.oidc.verifier.verify(emu.runner.http(), &a, token).await,
        (Some(_), None) | (None, Some(_)) => Err(oidc::verify::mismatch()),
    }
}

async fn invoke(emu: &Arc<Emulator>, req: &Req, runtime: &str) -> Result<Response<Body>, AwsError> {
    let (partition, id) = locate(req, runtime)?;
    let qualifier = req.query("qualifier").unwrap_or("DEFAULT");
    if let Err(e) = authenticate(emu, req, &partition, &id, qualifier).await {
        tracing::info!(runtime = %id, qualifier, status = e.status.as_u16(), reason = %e.message, "invocation refused");
        return Err(e);
    }
    // A version number called directly has a process no endpoint or target references: keep
    // it while it is in use (a deploy validating its version), not only until the next settle.
    if let Some(version) = version_qualifier(qualifier) {
        emu.runner.touch(&ProcessKey {
            partition: partition.clone(),
            runtime_id: id.clone(),
            version,
            endpoint: version_endpoint(version),
        });
    }
    proxy(
        emu,
        &partition,
        &id,
        qualifier,
        &req.headers,
        req.body.clone(),
    )
    .await
}

/// Send a payload to the process serving `qualifier` of a runtime and stream its answer back,
/// publishing AgentCore's runtime metrics for it when the runtime is known.
pub async fn proxy(
    emu: &Arc<Emulator>,
    partition: &str,
    id: &str,
    qualifier: &str,
    headers: &axum::http::HeaderMap,
    body: bytes::Bytes,
) -> Result<Response<Body>, AwsError> {
    let target = record::target(&emu.store.read(), partition, id, qualifier);
    let Some(target) = target else {
        return forward(emu, partition, id, qualifier, headers, body).await;
    };
    let meter = Meter::begin(&emu.cloudwatch, target, headers);
    if !meter.admit() {
        meter.failed(StatusCode::TOO_MANY_REQUESTS.as_u16());
        return Err(AwsError::new(
            StatusCode::TOO_MANY_REQUESTS,
            "ThrottlingException",
            "Rate exceeded: too many invocations per second for this endpoint",
        ));
    }
    match forward(emu, partition, id, qualifier, headers, body).await {
        Ok(resp) => Ok(meter.stream(resp)),
        Err(e) => {
            meter.failed(e.status.as_u16());
            Err(e)
        }
    }
}

async fn forward(
    emu: &Arc<Emulator>,
    partition: &str,
    id: &str,
    qualifier: &str,
    headers: &axum::http::HeaderMap,
    body: bytes::Bytes,
) -> Result<Response<Body>, AwsError> {
    let header = |n: &str| headers.get(n).and_then(|v| v.to_str().ok());
    let (key, spec) = {
        let state = emu.store.read();
        let rt = state
            .partitions
            .get(partition)
            .and_then(|p| p.runtimes.get(id))
            .filter(|rt| !rt.deleting)
            .ok_or_else(|| AwsError::not_found(format!("Could not find Agent Runtime {id}")))?;
        let (version, endpoint) = resolve(rt, qualifier)?;
        let config = &rt
            .versions
            .get(&version)
            .ok_or_else(|| AwsError::internal("live version missing"))?
            .config;
        // No disk I/O here, under the state lock: the code is read only if a process starts.
        let spec = launch_spec(emu, &state, partition, config).map_err(runtime_client_error)?;
        (
            ProcessKey {
                partition: partition.to_string(),
                runtime_id: id.to_string(),
                version,
                endpoint,
            },
            spec,
        )
    };
    let path = spec.path.clone();
    // A process that is starting (or restarting after a crash, or cold after a restart of
    // the local AgentCore) is waited for, like a cold start.
    let port = emu.runner.ensure(&key, spec).await.map_err(|reason| {
        runtime_client_error(format!(
            "the server of version {} is not running: {reason}",
            key.version
        ))
    })?;

    let session = header(SESSION_HEADER).map_or_else(
        || format!("{}-{}", ids::request_id(), ids::suffix(4)),
        str::to_string,
    );
    let mut up = hyper::Request::post(format!("http://127.0.0.1:{port}{path}"));
    for name in PASS_UP {
        if let Some(v) = headers.get(*name) {
            up = up.header(*name, v);
        }
    }
    up = up.header(SESSION_HEADER, &session);
    let up = up
        .body(Body::from(body))
        .map_err(|e| AwsError::internal(e.to_string()))?;
    let resp = emu
        .runner
        .http()
        .request(up)
        .await
        .map_err(|e| runtime_client_error(format!("the server in the runtime failed: {e}")))?;
    let status = resp.status();
    if !status.is_success() {
        let body = resp
            .into_body()
            .collect()
            .await
            .map(|b| b.to_bytes())
            .unwrap_or_default();
        let snippet: String = String::from_utf8_lossy(&body).chars().take(500).collect();
        return Err(runtime_client_error(format!(
            "the server in the runtime answered HTTP {}: {snippet}",
            status.as_u16()
        )));
    }
    let mut out = Response::builder().status(status);
    for name in PASS_DOWN {
        if let Some(v) = resp.headers().get(*name) {
            out = out.header(*name, v);
        }
    }
    let upstream_session = resp.headers().get("mcp-session-id").is_some();
    if !upstream_session {
        // The platform gives every MCP conversation a session id, for stickiness.
        let s = header("mcp-session-id").map_or_else(ids::request_id, str::to_string);
        if let Ok(v) = HeaderValue::from_str(&s) {
            out = out.header("mcp-session-id", v);
        }
    }
    out = out
        .header(SESSION_HEADER, session)
        .header("x-amzn-requestid", ids::request_id());
    out.body(Body::new(resp.into_body()))
        .map_err(|e| AwsError::internal(e.to_string()))
}

/// The version a qualifier resolves to, and whose process serves it: the endpoint's own, or for
/// a version number (as gateway runtime targets may give) that version's pinned process.
fn resolve(rt: &RuntimeRec, qualifier: &str) -> Result<(u32, String), AwsError> {
    let id = &rt.id;
    let Some(ep) = rt.endpoints.get(qualifier) else {
        let version = version_qualifier(qualifier)
            .and_then(|n| rt.versions.get(&n))
            .ok_or_else(|| {
                AwsError::not_found(format!(
                    "Could not find endpoint {qualifier} of Agent Runtime {id}"
                ))
            })?;
        return match version.status.as_str() {
            status::READY => Ok((version.version, version_endpoint(version.version))),
            s if status::is_transitional(s) => Err(AwsError::new(
                StatusCode::CONFLICT,
                "RetryableConflictException",
                format!("version {qualifier} is {s} and cannot serve yet"),
            )),
            s => Err(runtime_client_error(format!(
                "version {qualifier} of Agent Runtime {id} is {s}: {}",
                version
                    .failure_reason
                    .as_deref()
                    .unwrap_or("no reason was recorded")
            ))),
        };
    };
    match ep.live_version {
        Some(v) => Ok((v, ep.name.clone())),
        // Failed for good: retrying will not help, so not RetryableConflictException. AWS
        // reports a server that could not start as RuntimeClientError; so does this.
        None if ep.status.ends_with("_FAILED") => Err(runtime_client_error(format!(
            "endpoint {qualifier} of Agent Runtime {id} is {} and serves no version: {}",
            ep.status,
            ep.failure_reason
                .as_deref()
                .unwrap_or("no reason was recorded")
        ))),
        None => Err(AwsError::new(
            StatusCode::CONFLICT,
            "RetryableConflictException",
            format!(
                "endpoint {qualifier} is {} and serves no version yet",
                ep.status
            ),
        )),
    }
}
