//! The AgentCore control plane (restJson1): runtimes, versions and endpoints.

mod endpoints;
pub(crate) mod paging;
mod posture;
mod runtimes;
mod shapes;
pub(crate) mod validate;

use axum::http::{Method, StatusCode};
use serde_json::Value;

use super::http::{AwsError, Req};
use super::state::{Partition, State, TokenRec, partition_key};

/// What an operation did: its answer, and whether state must be persisted and settled.
pub struct Outcome {
    pub status: StatusCode,
    pub body: Value,
    /// The runtime whose transitional states must settle later.
    pub settle: Option<String>,
    pub mutated: bool,
}

impl Outcome {
    fn read(body: Value) -> Self {
        Self {
            status: StatusCode::OK,
            body,
            settle: None,
            mutated: false,
        }
    }

    fn accepted(body: Value, runtime_id: &str) -> Self {
        Self {
            status: StatusCode::ACCEPTED,
            body,
            settle: Some(runtime_id.to_string()),
            mutated: true,
        }
    }
}

/// One request's view of the state: its own account and region.
pub struct Ctx<'a> {
    pub part: &'a mut Partition,
    pub region: &'a str,
    pub account: &'a str,
}

/// Route a control-plane request, as AWS does: by method and path, labels decoded.
pub fn dispatch(state: &mut State, req: &Req, base_url: &str) -> Result<Outcome, AwsError> {
    let part = state
        .partitions
        .entry(partition_key(&req.scope.account, &req.scope.region))
        .or_default();
    let mut ctx = Ctx {
        part,
        region: &req.scope.region,
        account: &req.scope.account,
    };
    if req.segments.first().map(String::as_str) == Some("gateways") {
        return super::gateway::dispatch(&mut ctx, req, base_url);
    }
    let m = &req.method;
    match (m, req.path().as_slice()) {
        (&Method::PUT, ["runtimes"]) => {
            idempotent(&mut ctx, req, "CreateAgentRuntime", runtimes::create)
        }
        (&Method::POST, ["runtimes"]) => runtimes::list(&ctx, req),
        (&Method::GET, ["runtimes", id]) => runtimes::get(&ctx, req, id),
        (&Method::PUT, ["runtimes", id]) => {
            idempotent(&mut ctx, req, "UpdateAgentRuntime", |c, r, _| {
                runtimes::update(c, r, id)
            })
        }
        (&Method::DELETE, ["runtimes", id]) => {
            idempotent(&mut ctx, req, "DeleteAgentRuntime", |c, r, _| {
                runtimes::delete(c, r, id)
            })
        }
        (&Method::POST, ["runtimes", id, "versions"]) => runtimes::list_versions(&ctx, req, id),
        (&Method::PUT, ["runtimes", id, "runtime-endpoints"]) => {
            idempotent(&mut ctx, req, "CreateAgentRuntimeEndpoint", |c, r, _| {
                endpoints::create(c, r, id)
            })
        }
        (&Method::POST, ["runtimes", id, "runtime-endpoints"]) => endpoints::list(&ctx, req, id),
        (&Method::GET, ["runtimes", id, "runtime-endpoints", name]) => {
            endpoints::get(&ctx, id, name)
        }
        (&Method::PUT, ["runtimes", id, "runtime-endpoints", name]) => {
            idempotent(&mut ctx, req, "UpdateAgentRuntimeEndpoint", |c, r, _| {
                endpoints::update(c, r, id, name)
            })
        }
        (&Method::DELETE, ["runtimes", id, "runtime-endpoints", name]) => {
            idempotent(&mut ctx, req, "DeleteAgentRuntimeEndpoint", |c, _, _| {
                endpoints::delete(c, id, name)
            })
        }
        _ => Err(AwsError::unknown_operation(
            m,
            &format!("/{}", req.segments.join("/")),
        )),
    }
}

/// Seconds a client token is remembered.
const TOKEN_TTL: i64 = 24 * 3600;

/// Run a mutation once per `clientToken`: a retry with the same token and parameters gets the
/// first answer; the same token with other parameters is refused.
fn idempotent(
    ctx: &mut Ctx<'_>,
    req: &Req,
    op: &str,
    f: impl FnOnce(&mut Ctx<'_>, &Req, &str) -> Result<Outcome, AwsError>,
) -> Result<Outcome, AwsError> {
    let mut body = req.json()?;
    let token = match body.remove("clientToken") {
        Some(Value::String(t)) => Some(t),
        Some(_) => return Err(AwsError::field("clientToken", "must be a string")),
        None => req.query("clientToken").map(str::to_string),
    };
    let Some(token) = token else {
        return f(ctx, req, op);
    };
    validate::client_token(&token)?;
    let fingerprint = format!("{op} {} {}", req.segments.join("/"), Value::Object(body));
    let now = time::OffsetDateTime::now_utc().unix_timestamp();
    ctx.part.client_tokens.retain(|_, t| now - t.at < TOKEN_TTL);
    if let Some(seen) = ctx.part.client_tokens.get(&token) {
        if seen.fingerprint != fingerprint {
            return Err(AwsError::conflict(
                "the clientToken was already used for a request with other parameters",
            ));
        }
        return Ok(Outcome {
            status: StatusCode::from_u16(seen.status).unwrap_or(StatusCode::OK),
            body: seen.body.clone(),
            settle: None,
            mutated: false,
        });
    }
    let out = f(ctx, req, op)?;
    ctx.part.client_tokens.insert(
        token,
        TokenRec {
            fingerprint,
            status: out.status.as_u16(),
            body: out.body.clone(),
            at: now,
        },
    );
    Ok(Outcome {
        mutated: true,
        ..out
    })
}

/// Find a runtime by id, as a 404 when absent.
fn runtime<'a>(ctx: &'a Ctx<'_>, id: &str) -> Result<&'a super::state::RuntimeRec, AwsError> {
    ctx.part
        .runtimes
        .get(id)
        .ok_or_else(|| AwsError::not_found(format!("Could not find Agent Runtime with ID {id}")))
}

fn runtime_mut<'a>(
    ctx: &'a mut Ctx<'_>,
    id: &str,
) -> Result<&'a mut super::state::RuntimeRec, AwsError> {
    ctx.part
        .runtimes
        .get_mut(id)
        .ok_or_else(|| AwsError::not_found(format!("Could not find Agent Runtime with ID {id}")))
}
