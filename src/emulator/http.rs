//! The emulator's view of one HTTP request, and AWS-shaped responses.

use axum::body::Body;
use axum::http::{HeaderMap, HeaderValue, Method, Response, StatusCode};
use bytes::Bytes;
use percent_encoding::percent_decode_str;
use serde_json::Value;

use super::sigv4::Scope;

/// A fully read request, with the path split and percent-decoded once, the way AWS reads it.
#[derive(Debug)]
pub struct Req {
    pub method: Method,
    /// Decoded path segments; a trailing slash is ignored (botocore sends one, Rust does not).
    pub segments: Vec<String>,
    pub query: Vec<(String, String)>,
    pub headers: HeaderMap,
    pub body: Bytes,
    pub scope: Scope,
}

impl Req {
    pub fn query(&self, key: &str) -> Option<&str> {
        self.query
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    /// The path segments as `&str`, for matching.
    pub fn path(&self) -> Vec<&str> {
        self.segments.iter().map(String::as_str).collect()
    }

    /// The JSON body as an object; an empty body is an empty object.
    pub fn json(&self) -> Result<serde_json::Map<String, Value>, AwsError> {
        if self.body.iter().all(u8::is_ascii_whitespace) {
            return Ok(serde_json::Map::new());
        }
        match serde_json::from_slice(&self.body) {
            Ok(Value::Object(map)) => Ok(map),
            Ok(_) => Err(AwsError::validation(
                "the request body must be a JSON object",
            )),
            Err(e) => Err(AwsError::new(
                StatusCode::BAD_REQUEST,
                "SerializationException",
                format!("cannot parse the request body: {e}"),
            )),
        }
    }
}

/// Split and decode a raw path (`/runtimes/arn%3Aaws.../invocations/`).
pub fn split_path(raw: &str) -> Vec<String> {
    raw.split('/')
        .filter(|s| !s.is_empty())
        .map(|s| percent_decode_str(s).decode_utf8_lossy().into_owned())
        .collect()
}

/// Parse a query string; `+` is a space, as AWS front ends read it.
pub fn parse_query(raw: Option<&str>) -> Vec<(String, String)> {
    let decode = |s: &str| {
        percent_decode_str(&s.replace('+', " "))
            .decode_utf8_lossy()
            .into_owned()
    };
    raw.unwrap_or_default()
        .split('&')
        .filter(|p| !p.is_empty())
        .map(|pair| match pair.split_once('=') {
            Some((k, v)) => (decode(k), decode(v)),
            None => (decode(pair), String::new()),
        })
        .collect()
}

/// An error in AWS's restJson1 shape: status, `x-amzn-errortype`, and a JSON body.
#[derive(Debug, Clone)]
pub struct AwsError {
    pub status: StatusCode,
    pub code: &'static str,
    pub message: String,
    /// Extra body members (`reason`, `fieldList`, …).
    pub extra: serde_json::Map<String, Value>,
}

impl AwsError {
    pub fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> Self {
        Self {
            status,
            code,
            message: message.into(),
            extra: serde_json::Map::new(),
        }
    }

    pub fn validation(message: impl Into<String>) -> Self {
        let mut e = Self::new(StatusCode::BAD_REQUEST, "ValidationException", message);
        e.extra.insert("reason".into(), "CannotParse".into());
        e
    }

    /// A field that failed its constraint; AWS lists it in `fieldList`.
    pub fn field(name: &str, message: impl Into<String>) -> Self {
        let message = message.into();
        let mut e = Self::new(
            StatusCode::BAD_REQUEST,
            "ValidationException",
            format!(
                "1 validation error detected: Value at '{name}' failed to satisfy constraint: {message}"
            ),
        );
        e.extra
            .insert("reason".into(), "FieldValidationFailed".into());
        e.extra.insert(
            "fieldList".into(),
            serde_json::json!([{ "name": name, "message": message }]),
        );
        e
    }

    pub fn not_found(message: impl Into<String>) -> Self {
        Self::new(StatusCode::NOT_FOUND, "ResourceNotFoundException", message)
    }

    pub fn conflict(message: impl Into<String>) -> Self {
        Self::new(StatusCode::CONFLICT, "ConflictException", message)
    }

    pub fn quota(message: impl Into<String>) -> Self {
        Self::new(
            StatusCode::PAYMENT_REQUIRED,
            "ServiceQuotaExceededException",
            message,
        )
    }

    pub fn internal(message: impl Into<String>) -> Self {
        Self::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "InternalServerException",
            message,
        )
    }

    pub fn unknown_operation(req_method: &Method, path: &str) -> Self {
        Self::new(
            StatusCode::NOT_FOUND,
            "UnknownOperationException",
            format!("the local AgentCore does not implement {req_method} {path}"),
        )
    }

    /// The restJson1 response.
    pub fn into_response(self) -> Response<Body> {
        let mut body = self.extra;
        body.insert("message".into(), Value::String(self.message));
        let mut resp = json_response(self.status, &Value::Object(body));
        if let Ok(v) = HeaderValue::from_str(self.code) {
            resp.headers_mut().insert("x-amzn-errortype", v);
        }
        resp
    }
}

/// A JSON response with a request id, as AWS sends.
pub fn json_response(status: StatusCode, body: &Value) -> Response<Body> {
    let bytes = serde_json::to_vec(body).unwrap_or_default();
    let mut resp = Response::new(Body::from(bytes));
    *resp.status_mut() = status;
    let h = resp.headers_mut();
    h.insert("content-type", HeaderValue::from_static("application/json"));
    if let Ok(v) = HeaderValue::from_str(&super::ids::request_id()) {
        h.insert("x-amzn-requestid", v);
    }
    resp
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_decode_labels_and_ignore_trailing_slashes() {
        assert_eq!(split_path("/runtimes/"), ["runtimes"]);
        assert_eq!(
            split_path("/runtimes/arn%3Aaws%3Ax%2Fy/invocations"),
            ["runtimes", "arn:aws:x/y", "invocations"]
        );
    }

    #[test]
    fn query_decoding() {
        let q = parse_query(Some("maxResults=5&nextToken=a%2Bb&flag&x=a+b"));
        assert_eq!(q[0], ("maxResults".into(), "5".into()));
        assert_eq!(q[1].1, "a+b");
        assert_eq!(q[2], ("flag".into(), String::new()));
        assert_eq!(q[3].1, "a b");
    }
}
