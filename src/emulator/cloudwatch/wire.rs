//! Smithy RPC v2 CBOR answers as CloudWatch sends them: `application/cbor` bodies, the
//! `smithy-protocol` header, and errors with `__type` plus the awsQueryCompatible
//! `x-amzn-query-error: <Code>;<Sender|Receiver>` header, which is what the SDKs read the
//! error code from (`InvalidParameterValue`, not the shape name).

use axum::body::Body;
use axum::http::{HeaderValue, Response, StatusCode};

use std::borrow::Cow;
use std::io::Read;

use super::cbor::{self, Obj, Value};
use crate::emulator::http::Req;
use crate::emulator::ids;

/// A compressed body may inflate to this much at most.
const MAX_INFLATED: usize = 16 * 1024 * 1024;

/// A CloudWatch error: HTTP status, the shape in `__type`, and the query-compatible code.
#[derive(Debug, Clone, PartialEq)]
pub struct CwError {
    pub status: StatusCode,
    pub shape: &'static str,
    pub code: &'static str,
    pub message: String,
}

impl CwError {
    fn new(
        status: StatusCode,
        shape: &'static str,
        code: &'static str,
        message: impl Into<String>,
    ) -> Self {
        Self {
            status,
            shape,
            code,
            message: message.into(),
        }
    }

    pub fn invalid_value(message: impl Into<String>) -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            "com.amazonaws.cloudwatch#InvalidParameterValueException",
            "InvalidParameterValue",
            message,
        )
    }

    pub fn missing(message: impl Into<String>) -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            "com.amazonaws.cloudwatch#MissingRequiredParameterException",
            "MissingParameter",
            message,
        )
    }

    pub fn combination(message: impl Into<String>) -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            "com.amazonaws.cloudwatch#InvalidParameterCombinationException",
            "InvalidParameterCombination",
            message,
        )
    }

    /// Input checks outside the modelled errors (GetMetricData's Ids, Stats, limits): AWS
    /// answers `ValidationError`, which the SDKs surface as an unmodelled error with that code.
    pub fn validation(message: impl Into<String>) -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            "com.amazon.coral.validate#ValidationException",
            "ValidationError",
            message,
        )
    }

    pub fn next_token(message: impl Into<String>) -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            "com.amazonaws.cloudwatch#InvalidNextToken",
            "InvalidNextToken",
            message,
        )
    }

    pub fn limit(message: impl Into<String>) -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            "com.amazonaws.cloudwatch#LimitExceededFault",
            "LimitExceeded",
            message,
        )
    }

    pub fn internal(message: impl Into<String>) -> Self {
        Self::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "com.amazonaws.cloudwatch#InternalServiceFault",
            "InternalServiceError",
            message,
        )
    }

    /// What CloudWatch answers over its request quota: `Throttling` (the awsQuery code the
    /// SDKs classify as throttling), `Sender`, 400.
    pub fn throttling() -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            "com.amazon.coral.availability#ThrottlingException",
            "Throttling",
            "Rate exceeded",
        )
    }

    pub fn unknown_operation(op: &str) -> Self {
        Self::new(
            StatusCode::NOT_FOUND,
            "smithy.framework#UnknownOperationException",
            "UnknownOperationException",
            format!("the local AgentCore does not implement CloudWatch {op}"),
        )
    }

    pub fn serialization(message: impl Into<String>) -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            "smithy.framework#SerializationException",
            "SerializationException",
            message,
        )
    }

    pub fn into_response(self, proto: Protocol) -> Response<Body> {
        let body: Value = Obj::default()
            .with("__type", self.shape)
            .with("message", self.message)
            .into();
        let mut resp = respond(proto, self.status, Some(&body));
        let fault = if self.status.is_server_error() {
            "Receiver"
        } else {
            "Sender"
        };
        if let Ok(v) = HeaderValue::from_str(&format!("{};{fault}", self.code)) {
            resp.headers_mut().insert("x-amzn-query-error", v);
        }
        resp
    }
}

/// The wire protocol a request came in, and its answer goes out, with.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Protocol {
    /// Smithy RPC v2 CBOR (the Rust SDK and the other current SDKs).
    Cbor,
    /// awsJson1_0 (botocore, so boto3 and the AWS CLI).
    Json,
}

/// An answer; operations without output send an empty body (`{}` in JSON).
pub fn respond(proto: Protocol, status: StatusCode, body: Option<&Value>) -> Response<Body> {
    let (bytes, content_type) = match proto {
        Protocol::Cbor => (
            body.map(cbor::encode).unwrap_or_default(),
            "application/cbor",
        ),
        Protocol::Json => (
            body.map_or_else(
                || b"{}".to_vec(),
                |b| serde_json::to_vec(&super::json::to_json(b)).unwrap_or_default(),
            ),
            "application/x-amz-json-1.0",
        ),
    };
    let mut resp = Response::new(Body::from(bytes));
    *resp.status_mut() = status;
    let h = resp.headers_mut();
    h.insert("content-type", HeaderValue::from_static(content_type));
    if proto == Protocol::Cbor {
        h.insert("smithy-protocol", HeaderValue::from_static("rpc-v2-cbor"));
    }
    if let Ok(v) = HeaderValue::from_str(&ids::request_id()) {
        h.insert("x-amzn-requestid", v);
    }
    resp
}

/// The request body, gunzipped when the SDK compressed it (it does for PutMetricData bodies
/// over 10 KB, the operation's `requestCompression` trait).
pub fn request_body(req: &Req) -> Result<Cow<'_, [u8]>, CwError> {
    let gzip = req
        .header("content-encoding")
        .is_some_and(|e| e.split(',').any(|c| c.trim().eq_ignore_ascii_case("gzip")));
    if !gzip {
        return Ok(Cow::Borrowed(&req.body));
    }
    let mut out = Vec::new();
    flate2::read::GzDecoder::new(&req.body[..])
        .take(MAX_INFLATED as u64 + 1)
        .read_to_end(&mut out)
        .map_err(|e| CwError::serialization(format!("cannot gunzip the body: {e}")))?;
    if out.len() > MAX_INFLATED {
        return Err(CwError::serialization(format!(
            "the body inflates to more than {MAX_INFLATED} bytes"
        )));
    }
    Ok(Cow::Owned(out))
}

/// Dimensions as `[{Name, Value}]`.
pub fn dims_value(dims: &[(String, String)]) -> Value {
    Value::Array(
        dims.iter()
            .map(|(n, v)| {
                Obj::default()
                    .with("Name", n.as_str())
                    .with("Value", v.as_str())
                    .into()
            })
            .collect(),
    )
}

/// Read `[{Name, Value}]`; the path names the list in messages.
pub fn read_dims(v: Option<&Value>, path: &str) -> Result<Vec<(String, String)>, CwError> {
    let Some(list) = v else {
        return Ok(Vec::new());
    };
    let items = list
        .as_list()
        .ok_or_else(|| CwError::serialization(format!("{path} must be a list")))?;
    let mut out = Vec::with_capacity(items.len());
    for (i, d) in items.iter().enumerate() {
        let member = format!("{path}.member.{}", i + 1);
        let name = d
            .get("Name")
            .and_then(Value::as_str)
            .ok_or_else(|| CwError::missing(format!("The parameter {member}.Name is required.")))?;
        let value = d.get("Value").and_then(Value::as_str).ok_or_else(|| {
            CwError::missing(format!("The parameter {member}.Value is required."))
        })?;
        if name.is_empty() || name.chars().count() > 255 {
            return Err(CwError::invalid_value(format!(
                "The parameter {member}.Name must be 1 to 255 characters long."
            )));
        }
        if value.is_empty() || value.chars().count() > 1024 {
            return Err(CwError::invalid_value(format!(
                "The parameter {member}.Value must be 1 to 1024 characters long."
            )));
        }
        if out.iter().any(|(n, _): &(String, String)| n == name) {
            return Err(CwError::invalid_value(format!(
                "No metric may have more than one dimension named {name}: {path} repeats it."
            )));
        }
        out.push((name.to_string(), value.to_string()));
    }
    Ok(out)
}

/// Epoch milliseconds of a CBOR timestamp.
pub fn time_ms(v: &Value) -> Option<i64> {
    v.as_time()
        .filter(|t| t.is_finite())
        .map(|t| (t * 1000.0).floor() as i64)
}

/// A CBOR timestamp for epoch milliseconds.
pub fn time_value(ms: i64) -> Value {
    Value::Time(ms as f64 / 1000.0)
}

pub fn now_ms() -> i64 {
    (time::OffsetDateTime::now_utc().unix_timestamp_nanos() / 1_000_000) as i64
}

/// Opaque paging tokens: the position to resume at, bound to what was asked.
pub fn token(pos: &str, fingerprint: u64) -> String {
    use base64::Engine;
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(format!("{fingerprint:x}:{pos}"))
}

/// The position inside a token made by [`token`] for the same request.
pub fn read_token(tok: &str, fingerprint: u64) -> Option<String> {
    use base64::Engine;
    let raw = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(tok)
        .ok()?;
    let text = String::from_utf8(raw).ok()?;
    let (fp, pos) = text.split_once(':')?;
    (u64::from_str_radix(fp, 16).ok()? == fingerprint).then(|| pos.to_string())
}

/// A stable hash of request members, to bind tokens to the request that made them.
pub fn fingerprint(parts: &[&str]) -> u64 {
    use std::hash::{Hash, Hasher};
    let mut h = std::collections::hash_map::DefaultHasher::new();
    parts.hash(&mut h);
    h.finish()
}
