//! StartLiveTail: an AWS event stream of `sessionStart`, then a `sessionUpdate` about every
//! second with the events that arrived since, matching the pattern (at most 500 per update,
//! flagged `sampled` beyond that), until the client goes away or the 3-hour cap; or, under a
//! `drop-after=N` fault, until N events were sent, when the connection breaks mid-stream as a
//! dropped one does.

use std::sync::Arc;
use std::time::{Duration, Instant};

use aws_smithy_types::event_stream::{Header, HeaderValue, Message};
use axum::body::Body;
use axum::http::{Response, StatusCode};
use bytes::Bytes;
use serde_json::{Map, Value, json};

use super::err;
use crate::domain::filter_pattern::FilterPattern;
use crate::emulator::Emulator;
use crate::emulator::http::{AwsError, Req};
use crate::emulator::state::partition_key;

const MAX_PER_UPDATE: usize = 500;
const SESSION_CAP: Duration = Duration::from_secs(3 * 3600);

struct Session {
    partition: String,
    groups: Vec<(String, String)>,
    streams: Option<Vec<String>>,
    prefixes: Option<Vec<String>>,
    pattern: FilterPattern,
}

pub fn start(
    emu: &Arc<Emulator>,
    req: &Req,
    drop_after: Option<u64>,
) -> Result<Response<Body>, AwsError> {
    let b = req.json()?;
    let session = parse(emu, req, &b)?;
    let start = frame(
        "event",
        "sessionStart",
        &json!({
            "requestId": crate::emulator::ids::request_id(),
            "sessionId": crate::emulator::ids::request_id(),
            "logGroupIdentifiers": b.get("logGroupIdentifiers"),
            "logStreamNames": b.get("logStreamNames"),
            "logStreamNamePrefixes": b.get("logStreamNamePrefixes"),
            "logEventFilterPattern": b.get("logEventFilterPattern"),
        }),
    );
    let (tx, rx) = tokio::sync::mpsc::channel::<Result<Bytes, std::io::Error>>(16);
    let emu = Arc::clone(emu);
    tokio::spawn(async move {
        if tx.send(Ok(start)).await.is_err() {
            return;
        }
        let began = Instant::now();
        let mut cursor = emu.logs().cursor();
        let mut closing = emu.closing.subscribe();
        let mut left = drop_after;
        loop {
            tokio::select! {
                () = tokio::time::sleep(Duration::from_secs(1)) => {}
                _ = closing.changed() => return, // the server is shutting down
            }
            if began.elapsed() > SESSION_CAP {
                let _ = tx
                    .send(Ok(frame(
                        "exception",
                        "SessionTimeoutException",
                        &json!({ "message": "Live Tail sessions end after 3 hours" }),
                    )))
                    .await;
                return;
            }
            let (update, next, dropped) = collect(&emu, &session, cursor, left.as_mut());
            cursor = next;
            if tx.send(Ok(update)).await.is_err() {
                return; // the client went away
            }
            if dropped {
                tracing::info!(
                    after = drop_after.unwrap_or_default(),
                    "fault: Live Tail stream dropped"
                );
                // An error ends the body without its final chunk: the client sees a broken stream.
                let _ = tx
                    .send(Err(std::io::Error::other(
                        "Live Tail stream dropped (an injected fault)",
                    )))
                    .await;
                return;
            }
        }
    });
    let stream = futures::stream::unfold(rx, |mut rx| async move {
        rx.recv().await.map(|item| (item, rx))
    });
    Response::builder()
        .status(StatusCode::OK)
        .header("content-type", "application/vnd.amazon.eventstream")
        .header("x-amzn-requestid", crate::emulator::ids::request_id())
        .body(Body::from_stream(stream))
        .map_err(|e| AwsError::internal(e.to_string()))
}

fn parse(emu: &Emulator, req: &Req, b: &Map<String, Value>) -> Result<Session, AwsError> {
    let ids: Vec<&str> = b
        .get("logGroupIdentifiers")
        .and_then(Value::as_array)
        .map(|a| a.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    if ids.is_empty() || ids.len() > 10 {
        return Err(err(
            "InvalidParameterException",
            "logGroupIdentifiers must hold 1 to 10 log groups",
        ));
    }
    let partition = partition_key(&req.scope.account, &req.scope.region);
    let store = emu.logs();
    let mut groups = vec![];
    for id in ids {
        let name = id
            .split_once(":log-group:")
            .map_or(id, |(_, n)| n)
            .trim_end_matches(":*")
            .to_string();
        if !store
            .groups
            .contains_key(&(partition.clone(), name.clone()))
        {
            return Err(err(
                "ResourceNotFoundException",
                format!("log group {id} does not exist"),
            ));
        }
        groups.push((id.to_string(), name));
    }
    let list = |k: &str| {
        b.get(k).and_then(Value::as_array).map(|a| {
            a.iter()
                .filter_map(Value::as_str)
                .map(str::to_string)
                .collect::<Vec<_>>()
        })
    };
    let (streams, prefixes) = (list("logStreamNames"), list("logStreamNamePrefixes"));
    if (streams.is_some() || prefixes.is_some()) && groups.len() != 1 {
        return Err(err(
            "InvalidParameterException",
            "stream names or prefixes need exactly one log group",
        ));
    }
    let pattern = super::filter_pattern(b, "logEventFilterPattern")?;
    Ok(Session {
        partition,
        groups,
        streams,
        prefixes,
        pattern,
    })
}

/// Events newer than `cursor`, as one sessionUpdate frame, and the new cursor. With `left`
/// (events until a drop), at most that many are sent and the last flag says the stream must
/// break now.
fn collect(emu: &Emulator, s: &Session, cursor: u64, left: Option<&mut u64>) -> (Bytes, u64, bool) {
    let mut store = emu.logs();
    store.expire(super::store::now_ms());
    let mut results = vec![];
    for (ident, name) in &s.groups {
        let Some(g) = store.groups.get(&(s.partition.clone(), name.clone())) else {
            continue;
        };
        for (sname, stream) in &g.streams {
            if s.streams.as_ref().is_some_and(|n| !n.contains(sname))
                || s.prefixes
                    .as_ref()
                    .is_some_and(|p| !p.iter().any(|p| sname.starts_with(p.as_str())))
            {
                continue;
            }
            // Streams append in arrival order: walk back to the cursor.
            for e in stream.events.iter().rev().take_while(|e| e.seq > cursor) {
                if s.pattern.matches(&e.message) {
                    results.push((e.seq, json!({
                        "logStreamName": sname, "logGroupIdentifier": ident, "message": e.message,
                        "timestamp": e.timestamp, "ingestionTime": e.ingestion_time,
                    })));
                }
            }
        }
    }
    results.sort_by_key(|(seq, _)| *seq);
    let sampled = results.len() > MAX_PER_UPDATE;
    let mut take = MAX_PER_UPDATE;
    let mut dropped = false;
    if let Some(left) = left {
        let n = results.len().min(take) as u64;
        take = usize::try_from(n.min(*left)).unwrap_or(take);
        *left -= take as u64;
        dropped = *left == 0;
    }
    let results: Vec<Value> = results.into_iter().take(take).map(|(_, v)| v).collect();
    let update = frame(
        "event",
        "sessionUpdate",
        &json!({ "sessionMetadata": { "sampled": sampled }, "sessionResults": results }),
    );
    (update, store.cursor(), dropped)
}

/// One event-stream message, as AWS frames it.
fn frame(message_type: &str, kind: &str, payload: &Value) -> Bytes {
    let type_header = if message_type == "exception" {
        ":exception-type"
    } else {
        ":event-type"
    };
    let msg = Message::new(serde_json::to_vec(payload).unwrap_or_default())
        .add_header(Header::new(
            ":message-type",
            HeaderValue::String(message_type.to_string().into()),
        ))
        .add_header(Header::new(
            type_header,
            HeaderValue::String(kind.to_string().into()),
        ))
        .add_header(Header::new(
            ":content-type",
            HeaderValue::String("application/json".into()),
        ));
    let mut buf = Vec::new();
    let _ = aws_smithy_eventstream::frame::write_message_to(&msg, &mut buf);
    Bytes::from(buf)
}
