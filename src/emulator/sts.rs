//! STS GetCallerIdentity (awsQuery), so tools can learn which account an environment is.

use axum::body::Body;
use axum::http::{HeaderValue, Response, StatusCode};

use super::http::{Req, parse_query};
use super::ids;

pub fn handle(req: &Req) -> Response<Body> {
    let form = parse_query(std::str::from_utf8(&req.body).ok());
    let action = form
        .iter()
        .find(|(k, _)| k == "Action")
        .map(|(_, v)| v.as_str());
    let (status, body) = match action {
        Some("GetCallerIdentity") => (
            StatusCode::OK,
            format!(
                "<GetCallerIdentityResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\"><GetCallerIdentityResult><Arn>arn:aws:iam::{a}:user/local</Arn><UserId>AIDALOCAL{k}</UserId><Account>{a}</Account></GetCallerIdentityResult><ResponseMetadata><RequestId>{r}</RequestId></ResponseMetadata></GetCallerIdentityResponse>",
                a = req.scope.account,
                k = req
                    .scope
                    .access_key
                    .chars()
                    .filter(char::is_ascii_alphanumeric)
                    .take(12)
                    .collect::<String>(),
                r = ids::request_id()
            ),
        ),
        other => {
            return error_response(
                StatusCode::BAD_REQUEST,
                "InvalidAction",
                &format!(
                    "the local AgentCore does not implement STS {}",
                    other.unwrap_or("(no action)")
                ),
            );
        }
    };
    xml(status, body)
}

/// An awsQuery error document; the type (Sender or Receiver) follows from the status.
pub fn error_response(status: StatusCode, code: &str, message: &str) -> Response<Body> {
    let kind = if status.is_server_error() {
        "Receiver"
    } else {
        "Sender"
    };
    xml(
        status,
        format!(
            "<ErrorResponse><Error><Type>{kind}</Type><Code>{code}</Code><Message>{}</Message></Error><RequestId>{}</RequestId></ErrorResponse>",
            quick_xml::escape::escape(message),
            ids::request_id()
        ),
    )
}

fn xml(status: StatusCode, body: String) -> Response<Body> {
    let mut resp = Response::new(Body::from(body));
    *resp.status_mut() = status;
    resp.headers_mut()
        .insert("content-type", HeaderValue::from_static("text/xml"));
    resp
}
