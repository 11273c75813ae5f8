//! The name of the AWS operation a request calls, as AWS spells it (`FilterLogEvents`,
//! `ListAgentRuntimes`, `PutObject`), read the way each protocol carries it: awsJson from
//! `X-Amz-Target`, Smithy RPC v2 CBOR from its `/service/…/operation/<Op>` path, restJson and
//! restXml from method and route, awsQuery from `Action`. Faults match on it. A new route in a
//! service's dispatcher gets its name here too (the table below lists what can be named).

use axum::http::Method;

use super::http::{Req, parse_query};

/// The signing names the local AgentCore serves.
pub const SERVICES: &[&str] = &["bedrock-agentcore", "logs", "monitoring", "s3", "sts"];

/// Every operation, per signing name.
const OPERATIONS: &[(&str, &[&str])] = &[
    (
        "bedrock-agentcore",
        &[
            "CreateAgentRuntime",
            "ListAgentRuntimes",
            "GetAgentRuntime",
            "UpdateAgentRuntime",
            "DeleteAgentRuntime",
            "ListAgentRuntimeVersions",
            "CreateAgentRuntimeEndpoint",
            "ListAgentRuntimeEndpoints",
            "GetAgentRuntimeEndpoint",
            "UpdateAgentRuntimeEndpoint",
            "DeleteAgentRuntimeEndpoint",
            "InvokeAgentRuntime",
            "CreateGateway",
            "ListGateways",
            "GetGateway",
            "DeleteGateway",
            "CreateGatewayTarget",
            "ListGatewayTargets",
            "GetGatewayTarget",
            "DeleteGatewayTarget",
            "CreateGatewayRule",
            "ListGatewayRules",
            "GetGatewayRule",
            "UpdateGatewayRule",
            "DeleteGatewayRule",
        ],
    ),
    (
        "logs",
        &[
            "DescribeLogGroups",
            "DescribeLogStreams",
            "GetLogEvents",
            "FilterLogEvents",
            "CreateLogGroup",
            "DeleteLogGroup",
            "CreateLogStream",
            "PutLogEvents",
            "PutRetentionPolicy",
            "DeleteRetentionPolicy",
            "StartLiveTail",
        ],
    ),
    (
        "monitoring",
        &[
            "PutMetricData",
            "GetMetricData",
            "ListMetrics",
            "PutMetricAlarm",
            "DescribeAlarms",
            "DeleteAlarms",
            "DescribeAlarmHistory",
        ],
    ),
    (
        "s3",
        &[
            "CreateBucket",
            "HeadBucket",
            "PutObject",
            "GetObject",
            "HeadObject",
            "DeleteObject",
            "CreateMultipartUpload",
            "UploadPart",
            "CompleteMultipartUpload",
            "AbortMultipartUpload",
        ],
    ),
    ("sts", &["GetCallerIdentity"]),
];

const LOGS_TARGET: &str = "Logs_20140328.";
const CLOUDWATCH_TARGET: &str = "GraniteServiceVersion20100801.";

/// Whether `op` is an operation of `service` (`*`: of any service).
pub fn known(service: &str, op: &str) -> bool {
    OPERATIONS
        .iter()
        .any(|(s, ops)| (service == "*" || *s == service) && ops.contains(&op))
}

/// The operation `req` calls; None for what no service here implements.
pub fn name(req: &Req) -> Option<&'static str> {
    let service = req.scope.service.as_str();
    let found = match service {
        "logs" => target(req, LOGS_TARGET),
        "monitoring" => target(req, CLOUDWATCH_TARGET).or_else(|| match req.path().as_slice() {
            ["service", "GraniteServiceVersion20100801", "operation", op] => Some((*op).into()),
            _ => None,
        }),
        "bedrock-agentcore" => agentcore(&req.method, &req.path()).map(Into::into),
        "s3" => s3(req).map(Into::into),
        "sts" => parse_query(std::str::from_utf8(&req.body).ok())
            .into_iter()
            .find(|(k, _)| k == "Action")
            .map(|(_, v)| v),
        _ => None,
    }?;
    // Only names from the table: a fault can then never match something unknown by accident.
    OPERATIONS
        .iter()
        .filter(|(s, _)| *s == service)
        .flat_map(|(_, ops)| ops.iter())
        .find(|op| **op == found)
        .copied()
}

fn target(req: &Req, prefix: &str) -> Option<String> {
    req.header("x-amz-target")
        .and_then(|t| t.strip_prefix(prefix))
        .map(str::to_string)
}

/// The control and data planes' routes (control::dispatch, gateway::dispatch, invoke).
fn agentcore(m: &Method, path: &[&str]) -> Option<&'static str> {
    let op = match (m.as_str(), path) {
        ("PUT", ["runtimes"]) => "CreateAgentRuntime",
        ("POST", ["runtimes"]) => "ListAgentRuntimes",
        ("GET", ["runtimes", _]) => "GetAgentRuntime",
        ("PUT", ["runtimes", _]) => "UpdateAgentRuntime",
        ("DELETE", ["runtimes", _]) => "DeleteAgentRuntime",
        ("POST", ["runtimes", _, "versions"]) => "ListAgentRuntimeVersions",
        ("POST", ["runtimes", _, "invocations"]) => "InvokeAgentRuntime",
        ("PUT", ["runtimes", _, "runtime-endpoints"]) => "CreateAgentRuntimeEndpoint",
        ("POST", ["runtimes", _, "runtime-endpoints"]) => "ListAgentRuntimeEndpoints",
        ("GET", ["runtimes", _, "runtime-endpoints", _]) => "GetAgentRuntimeEndpoint",
        ("PUT", ["runtimes", _, "runtime-endpoints", _]) => "UpdateAgentRuntimeEndpoint",
        ("DELETE", ["runtimes", _, "runtime-endpoints", _]) => "DeleteAgentRuntimeEndpoint",
        ("POST", ["gateways"]) => "CreateGateway",
        ("GET", ["gateways"]) => "ListGateways",
        ("GET", ["gateways", _]) => "GetGateway",
        ("DELETE", ["gateways", _]) => "DeleteGateway",
        ("POST", ["gateways", _, "targets"]) => "CreateGatewayTarget",
        ("GET", ["gateways", _, "targets"]) => "ListGatewayTargets",
        ("GET", ["gateways", _, "targets", _]) => "GetGatewayTarget",
        ("DELETE", ["gateways", _, "targets", _]) => "DeleteGatewayTarget",
        ("POST", ["gateways", _, "rules"]) => "CreateGatewayRule",
        ("GET", ["gateways", _, "rules"]) => "ListGatewayRules",
        ("GET", ["gateways", _, "rules", _]) => "GetGatewayRule",
        ("PATCH", ["gateways", _, "rules", _]) => "UpdateGatewayRule",
        ("DELETE", ["gateways", _, "rules", _]) => "DeleteGatewayRule",
        _ => return None,
    };
    Some(op)
}

/// S3's path-style routes (s3::route).
fn s3(req: &Req) -> Option<&'static str> {
    let has_key = req.segments.len() > 1;
    let q = |k: &str| req.query(k).is_some();
    let op = match (&req.method, has_key) {
        (&Method::POST, true) if q("uploads") => "CreateMultipartUpload",
        (&Method::PUT, true) if q("uploadId") && q("partNumber") => "UploadPart",
        (&Method::PUT, true) => "PutObject",
        (&Method::POST, true) if q("uploadId") => "CompleteMultipartUpload",
        (&Method::DELETE, true) if q("uploadId") => "AbortMultipartUpload",
        (&Method::DELETE, true) => "DeleteObject",
        (&Method::PUT, false) => "CreateBucket",
        (&Method::HEAD, false) => "HeadBucket",
        (&Method::GET, true) => "GetObject",
        (&Method::HEAD, true) => "HeadObject",
        _ => return None,
    };
    Some(op)
}

#[cfg(test)]
mod tests {
    use axum::http::HeaderMap;

    use super::*;
    use crate::emulator::http::split_path;
    use crate::emulator::sigv4::Scope;

    fn req(service: &str, method: Method, path: &str, query: &str, target: Option<&str>) -> Req {
        let mut headers = HeaderMap::new();
        if let Some(t) = target {
            headers.insert("x-amz-target", t.parse().expect("header"));
        }
        Req {
            method,
            segments: split_path(path),
            query: parse_query(Some(query)),
            headers,
            body: bytes::Bytes::from_static(b"Action=GetCallerIdentity&Version=2011-06-15"),
            scope: Scope {
                access_key: "AKID".into(),
                region: "us-east-1".into(),
                service: service.into(),
                account: "123456789012".into(),
            },
        }
    }

    #[test]
    fn names_each_protocol_s_operations() {
        let cases = [
            (
                req(
                    "logs",
                    Method::POST,
                    "/",
                    "",
                    Some("Logs_20140328.FilterLogEvents"),
                ),
                Some("FilterLogEvents"),
            ),
            (
                req(
                    "logs",
                    Method::POST,
                    "/",
                    "",
                    Some("Logs_20140328.StartLiveTail"),
                ),
                Some("StartLiveTail"),
            ),
            (
                req(
                    "logs",
                    Method::POST,
                    "/",
                    "",
                    Some("Logs_20140328.DeleteLogGroup"),
                ),
                Some("DeleteLogGroup"),
            ),
            (
                req(
                    "logs",
                    Method::POST,
                    "/",
                    "",
                    Some("Logs_20140328.PutDestination"),
                ),
                None,
            ),
            (
                req("s3", Method::DELETE, "/bucket/k", "x-id=DeleteObject", None),
                Some("DeleteObject"),
            ),
            (
                req(
                    "monitoring",
                    Method::POST,
                    "/service/GraniteServiceVersion20100801/operation/GetMetricData",
                    "",
                    None,
                ),
                Some("GetMetricData"),
            ),
            (
                req(
                    "monitoring",
                    Method::POST,
                    "/",
                    "",
                    Some("GraniteServiceVersion20100801.DescribeAlarms"),
                ),
                Some("DescribeAlarms"),
            ),
            (
                req("bedrock-agentcore", Method::POST, "/runtimes/", "", None),
                Some("ListAgentRuntimes"),
            ),
            (
                req(
                    "bedrock-agentcore",
                    Method::PUT,
                    "/runtimes/rt-1/runtime-endpoints/live/",
                    "",
                    None,
                ),
                Some("UpdateAgentRuntimeEndpoint"),
            ),
            (
                req(
                    "bedrock-agentcore",
                    Method::POST,
                    "/runtimes/arn%3Aaws%3Ax%2Fy/invocations",
                    "qualifier=DEFAULT",
                    None,
                ),
                Some("InvokeAgentRuntime"),
            ),
            (
                req(
                    "bedrock-agentcore",
                    Method::PATCH,
                    "/gateways/g/rules/r",
                    "",
                    None,
                ),
                Some("UpdateGatewayRule"),
            ),
            (
                req("bedrock-agentcore", Method::GET, "/nowhere", "", None),
                None,
            ),
            (
                req(
                    "s3",
                    Method::PUT,
                    "/bucket/a/key.zip",
                    "x-id=PutObject",
                    None,
                ),
                Some("PutObject"),
            ),
            (
                req("s3", Method::PUT, "/bucket", "", None),
                Some("CreateBucket"),
            ),
            (
                req(
                    "s3",
                    Method::PUT,
                    "/bucket/k",
                    "uploadId=u&partNumber=2",
                    None,
                ),
                Some("UploadPart"),
            ),
            (
                req("s3", Method::GET, "/bucket/k", "x-id=GetObject", None),
                Some("GetObject"),
            ),
            (
                req("sts", Method::POST, "/", "", None),
                Some("GetCallerIdentity"),
            ),
        ];
        for (r, want) in cases {
            assert_eq!(
                name(&r),
                want,
                "{} {} {:?}",
                r.method,
                r.segments.join("/"),
                r.headers
            );
        }
    }

    #[test]
    fn knows_operations_per_service() {
        assert!(known("logs", "FilterLogEvents"));
        assert!(known("*", "PutObject"));
        assert!(!known("logs", "PutObject"));
        assert!(!known("*", "Nope"));
    }
}
