//! The run-time admin path, unsigned on loopback (bucket names cannot start with `_`, and no
//! AWS route starts with `/_local/`):
//! `GET /_local/faults` lists the faults with their counts, `POST /_local/faults` with
//! `{"spec": "logs:FilterLogEvents:throttle@0.5"}` adds one, `DELETE /_local/faults` removes
//! them all and `DELETE /_local/faults/<id>` one. The GET also shows the latency and quota
//! profile in force (`profile`: null without one), with each rule's served and throttled calls.

use axum::body::Body;
use axum::http::{Method, Response, StatusCode};
use serde_json::{Value, json};

use super::profile::Profile;
use super::{FaultSpec, Faults};
use crate::emulator::http::json_response;

/// Answer a request for `/_local/<rest>`.
pub fn handle(
    faults: &Faults,
    profile: Option<&Profile>,
    method: &Method,
    rest: &str,
    body: &[u8],
) -> Response<Body> {
    let path: Vec<&str> = rest.split('/').filter(|s| !s.is_empty()).collect();
    match (method.as_str(), path.as_slice()) {
        ("GET", ["faults"]) => json_response(
            StatusCode::OK,
            &json!({ "faults": faults.list(), "profile": profile.map(Profile::listing) }),
        ),
        ("POST", ["faults"]) => {
            let spec = serde_json::from_slice::<Value>(body)
                .ok()
                .and_then(|v| v.get("spec").and_then(Value::as_str).map(str::to_string));
            let Some(spec) = spec else {
                return error(
                    StatusCode::BAD_REQUEST,
                    "the body must be {\"spec\": \"SERVICE:OPERATION:KIND[@RATE]\"}".into(),
                );
            };
            match spec.parse::<FaultSpec>() {
                Ok(s) => {
                    let entry = faults.add(s);
                    tracing::info!(id = entry.id, spec = %entry.spec, "fault added");
                    json_response(StatusCode::CREATED, &json!(entry))
                }
                Err(e) => error(StatusCode::BAD_REQUEST, e.to_string()),
            }
        }
        ("DELETE", ["faults"]) => {
            let removed = faults.clear();
            tracing::info!(removed, "faults cleared");
            json_response(StatusCode::OK, &json!({ "removed": removed }))
        }
        ("DELETE", ["faults", id]) => match id.parse::<u64>() {
            Ok(id) if faults.remove(id) => {
                tracing::info!(id, "fault removed");
                json_response(StatusCode::OK, &json!({ "removed": 1 }))
            }
            _ => error(StatusCode::NOT_FOUND, format!("no fault with id '{id}'")),
        },
        _ => error(
            StatusCode::NOT_FOUND,
            format!(
                "{method} /_local/{rest} is not an admin path: use GET, POST or DELETE /_local/faults"
            ),
        ),
    }
}

fn error(status: StatusCode, message: String) -> Response<Body> {
    json_response(status, &json!({ "message": message }))
}
