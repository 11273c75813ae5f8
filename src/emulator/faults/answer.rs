//! A fault's answer in the shape of the protocol the call came in, as each service really
//! sends it, so the SDKs classify it as they would on AWS (throttling retried with backoff,
//! 5xx retried as transient).

use axum::body::Body;
use axum::http::{Response, StatusCode};

use super::{Decision, Kind};
use crate::emulator::http::{AwsError, Req};
use crate::emulator::{cloudwatch, logs, s3, sts};

/// Wait out the decision's delay, then its error answer, if it has one: the handler does not
/// run then, so nothing is done.
pub async fn apply(
    d: &Decision,
    req: &Req,
    op: Option<&str>,
    raw_path: &str,
) -> Option<Response<Body>> {
    let service = req.scope.service.as_str();
    let operation = op.unwrap_or("?");
    if !d.delay.is_zero() {
        tracing::info!(
            service,
            operation,
            delay_ms = d.delay.as_millis(),
            "fault: latency"
        );
        tokio::time::sleep(d.delay).await;
    }
    let (kind, spec) = d.answer.as_ref()?;
    tracing::info!(service, operation, fault = %spec, "fault: answered with an error");
    let throttle = *kind == Kind::Throttle;
    Some(match service {
        "logs" => logs::error_response(if throttle {
            AwsError::new(
                StatusCode::BAD_REQUEST,
                "ThrottlingException",
                "Rate exceeded",
            )
        } else {
            AwsError::new(
                StatusCode::INTERNAL_SERVER_ERROR,
                "InternalFailure",
                "The request processing has failed because of an unknown error (an injected fault)",
            )
        }),
        "monitoring" => cloudwatch::CloudWatch::fault_response(req, throttle),
        "s3" => s3::fault_response(req, throttle, raw_path),
        "sts" if throttle => {
            sts::error_response(StatusCode::BAD_REQUEST, "Throttling", "Rate exceeded")
        }
        "sts" => sts::error_response(
            StatusCode::INTERNAL_SERVER_ERROR,
            "InternalFailure",
            "an injected fault",
        ),
        // AgentCore (restJson1), control and data planes alike.
        _ if throttle => AwsError::new(
            StatusCode::TOO_MANY_REQUESTS,
            "ThrottlingException",
            "Rate exceeded",
        )
        .into_response(),
        _ => AwsError::internal("internal server error (an injected fault)").into_response(),
    })
}
