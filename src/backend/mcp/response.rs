//! Reading the answer to one request, whichever transport carried it: a JSON body, or an event
//! stream of progress notifications ending with the response.

use std::time::Duration;

use aws_smithy_types::byte_stream::ByteStream;
use rmcp::model::ProgressNotificationParam;
use serde_json::Value;

use super::wire::{self, Envelope, SseParser};
use super::{McpError, OnProgress};

/// Read the response to request `id`: one JSON document, or an event stream whose events are
/// progress notifications and, last, the response. `idle` bounds each wait for bytes.
pub(super) async fn read_response(
    id: i64,
    content_type: &str,
    mut stream: ByteStream,
    idle: Duration,
    on_progress: &mut Option<OnProgress<'_>>,
) -> Result<Value, McpError> {
    let is_sse = content_type.starts_with("text/event-stream");
    let mut parser = SseParser::default();
    let mut json_body = vec![];
    loop {
        let chunk = tokio::time::timeout(idle, stream.next())
            .await
            .map_err(|_| silent_for(idle))?;
        let Some(chunk) = chunk else { break };
        let chunk =
            chunk.map_err(|e| McpError::Protocol(format!("the response stream broke: {e}")))?;
        if !is_sse {
            if json_body.len() + chunk.len() > wire::MAX_MESSAGE {
                return Err(too_large(wire::TooLarge {
                    limit: wire::MAX_MESSAGE,
                }));
            }
            json_body.extend_from_slice(&chunk);
            continue;
        }
        for event in parser.feed(&chunk).map_err(too_large)? {
            if let Some(result) = handle_event(id, &event, on_progress)? {
                return Ok(result);
            }
        }
    }
    if is_sse {
        for event in parser.finish().map_err(too_large)? {
            if let Some(result) = handle_event(id, &event, on_progress)? {
                return Ok(result);
            }
        }
        // A server that primed the stream may close it and expect the client to resume it
        // with GET and Last-Event-ID (SEP-1699); InvokeAgentRuntime has no such call.
        let resumable = parser
            .last_event_id()
            .filter(|id| !id.is_empty())
            .map(|id| {
                format!(" (after event id `{id}`: resuming a stream is not possible through InvokeAgentRuntime)")
            })
            .unwrap_or_default();
        return Err(McpError::Protocol(format!(
            "the event stream ended without a response{resumable}"
        )));
    }
    let text = String::from_utf8_lossy(&json_body);
    handle_message(id, &text, on_progress)?
        .ok_or_else(|| McpError::Protocol("the response did not answer the request".into()))
}

fn too_large(e: wire::TooLarge) -> McpError {
    McpError::Protocol(e.to_string())
}

/// One event of a stream: events with empty data (SEP-1699 priming events, keep-alives) carry
/// no message and are skipped.
fn handle_event(
    id: i64,
    data: &str,
    on_progress: &mut Option<OnProgress<'_>>,
) -> Result<Option<Value>, McpError> {
    if data.trim().is_empty() {
        return Ok(None);
    }
    handle_message(id, data, on_progress)
}

pub(super) fn silent_for(idle: Duration) -> McpError {
    McpError::Timeout(format!(
        "the server sent nothing for {}",
        human_duration(idle)
    ))
}

/// `120s`, `1.5s`, `250ms`.
pub(super) fn human_duration(d: Duration) -> String {
    if d.subsec_millis() == 0 {
        format!("{}s", d.as_secs())
    } else if d < Duration::from_secs(1) {
        format!("{}ms", d.as_millis())
    } else {
        format!("{:.1}s", d.as_secs_f64())
    }
}

/// A response to `id` (Some), or a notification handled along the way (None).
fn handle_message(
    id: i64,
    text: &str,
    on_progress: &mut Option<OnProgress<'_>>,
) -> Result<Option<Value>, McpError> {
    let env: Envelope = serde_json::from_str(text).map_err(|e| {
        McpError::Protocol(format!(
            "not a JSON-RPC message ({e}): {}",
            text.chars().take(200).collect::<String>()
        ))
    })?;
    if env.method.as_deref() == Some("notifications/progress") {
        if let (Some(cb), Some(p)) = (on_progress.as_mut(), env.params)
            && let Ok(p) = serde_json::from_value::<ProgressNotificationParam>(p)
        {
            cb(&p);
        }
        return Ok(None);
    }
    if env.method.is_some() {
        return Ok(None); // other notifications or server requests: not answered by this client
    }
    if env.id.as_ref().and_then(Value::as_i64) != Some(id) {
        return Ok(None);
    }
    if let Some(err) = env.error {
        return Err(McpError::Rpc {
            code: err.code.0,
            message: err.message.to_string(),
        });
    }
    Ok(Some(env.result.unwrap_or(Value::Null)))
}
