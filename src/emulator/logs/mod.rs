//! CloudWatch Logs (awsJson1_1, `X-Amz-Target: Logs_20140328.<Op>`): what runtimes write, and
//! DescribeLogGroups/Streams, GetLogEvents, FilterLogEvents with real filter patterns,
//! CreateLogGroup/Stream, PutLogEvents, log groups' lifecycle (`groups`: create, describe,
//! delete), metric filters (`metric_filters`) and retention (`retention`).

mod groups;
pub mod live_tail;
pub mod metric_filters;
mod retention;
pub mod store;

use axum::body::Body;
use axum::http::{HeaderValue, Response, StatusCode};
use serde_json::{Map, Value, json};

use self::store::{Event, LogStore, now_ms};
use super::http::{AwsError, Req};
use super::state::partition_key;
use crate::domain::filter_pattern::{FilterPattern, MAX_PATTERN_CHARS, PatternError};

pub(crate) fn err(code: &'static str, message: impl Into<String>) -> AwsError {
    AwsError::new(StatusCode::BAD_REQUEST, code, message)
}

/// Answer one Logs request.
pub fn handle(store: &mut LogStore, req: &Req) -> Response<Body> {
    let op = req
        .header("x-amz-target")
        .and_then(|t| t.strip_prefix("Logs_20140328."))
        .unwrap_or_default()
        .to_string();
    let partition = partition_key(&req.scope.account, &req.scope.region);
    // Retention is applied as time passes; doing it before each request is the same to callers.
    store.expire(now_ms());
    let result = req
        .json()
        .and_then(|body| dispatch(store, &partition, req, &op, &body));
    match result {
        Ok(v) => json_1_1(StatusCode::OK, &v),
        Err(e) => error_response(e),
    }
}

/// An error in awsJson1_1's shape: the code in `__type`.
pub fn error_response(e: AwsError) -> Response<Body> {
    let mut b = e.extra;
    b.insert("__type".into(), json!(e.code));
    b.insert("message".into(), json!(e.message));
    json_1_1(e.status, &Value::Object(b))
}

fn json_1_1(status: StatusCode, body: &Value) -> Response<Body> {
    let mut resp = Response::new(Body::from(serde_json::to_vec(body).unwrap_or_default()));
    *resp.status_mut() = status;
    resp.headers_mut().insert(
        "content-type",
        HeaderValue::from_static("application/x-amz-json-1.1"),
    );
    resp
}

fn dispatch(
    store: &mut LogStore,
    partition: &str,
    req: &Req,
    op: &str,
    b: &Map<String, Value>,
) -> Result<Value, AwsError> {
    match op {
        "DescribeLogGroups" => groups::describe(store, partition, req, b),
        "DescribeLogStreams" => describe_streams(store, partition, req, b),
        "GetLogEvents" => get_events(store, partition, b),
        "FilterLogEvents" => filter_events(store, partition, b),
        "CreateLogGroup" => groups::create(store, partition, b),
        "DeleteLogGroup" => groups::delete(store, partition, b),
        "CreateLogStream" => {
            let g = existing_group(store, partition, b)?;
            let name = str_field(b, "logStreamName")?.to_string();
            if g.streams.contains_key(&name) {
                return Err(err(
                    "ResourceAlreadyExistsException",
                    "The specified log stream already exists",
                ));
            }
            let group = group_name(b)?;
            store.create_stream(partition, &group, &name);
            Ok(json!({}))
        }
        "PutLogEvents" => put_events(store, partition, b),
        "PutRetentionPolicy" => retention::put(store, partition, b),
        "DeleteRetentionPolicy" => retention::delete(store, partition, b),
        "PutMetricFilter" => metric_filters::put(store, partition, b),
        "DescribeMetricFilters" => metric_filters::describe(store, partition, b),
        "DeleteMetricFilter" => metric_filters::delete(store, partition, b),
        "TestMetricFilter" => metric_filters::test(b),
        other => Err(AwsError::new(
            StatusCode::BAD_REQUEST,
            "UnknownOperationException",
            format!("the local AgentCore does not implement Logs {other}"),
        )),
    }
}

/// The pattern in `member`, refused as AWS refuses it: too long is a constraint violation of
/// the member (Logs reports those as InvalidParameterException), else why it does not parse.
pub(crate) fn filter_pattern(
    b: &Map<String, Value>,
    member: &str,
) -> Result<FilterPattern, AwsError> {
    let text = b.get(member).and_then(Value::as_str).unwrap_or("");
    FilterPattern::parse(text).map_err(|e| match e {
        PatternError::TooLong(_) => err(
            "InvalidParameterException",
            format!(
                "1 validation error detected: Value at '{member}' failed to satisfy constraint: \
                 Member must have length less than or equal to {MAX_PATTERN_CHARS}"
            ),
        ),
        e => err("InvalidParameterException", e.to_string()),
    })
}

pub(crate) fn str_field<'a>(b: &'a Map<String, Value>, key: &str) -> Result<&'a str, AwsError> {
    b.get(key)
        .and_then(Value::as_str)
        .ok_or_else(|| err("InvalidParameterException", format!("{key} is required")))
}

/// `logGroupName`, or the name inside a `logGroupIdentifier` ARN.
pub(crate) fn group_name(b: &Map<String, Value>) -> Result<String, AwsError> {
    if let Some(n) = b.get("logGroupName").and_then(Value::as_str) {
        return Ok(n.to_string());
    }
    let id = str_field(b, "logGroupIdentifier")?;
    Ok(id
        .split_once(":log-group:")
        .map_or(id, |(_, n)| n)
        .trim_end_matches(":*")
        .to_string())
}

pub(crate) fn existing_group<'s>(
    store: &'s mut LogStore,
    partition: &str,
    b: &Map<String, Value>,
) -> Result<&'s mut store::Group, AwsError> {
    let name = group_name(b)?;
    store
        .groups
        .get_mut(&(partition.to_string(), name))
        .ok_or_else(|| {
            err(
                "ResourceNotFoundException",
                "The specified log group does not exist.",
            )
        })
}

pub(crate) fn limit(b: &Map<String, Value>, max: u64, default: u64) -> Result<usize, AwsError> {
    match b.get("limit") {
        None => Ok(default as usize),
        Some(v) => v
            .as_u64()
            .filter(|n| (1..=max).contains(n))
            .map(|n| n as usize)
            .ok_or_else(|| {
                err(
                    "InvalidParameterException",
                    format!("limit must be between 1 and {max}"),
                )
            }),
    }
}

/// Page through items sorted by key; the token is the last key returned.
pub(crate) fn page(
    items: Vec<(String, Value)>,
    after: Option<&str>,
    limit: usize,
) -> (Vec<Value>, Option<String>) {
    let mut rest = items
        .into_iter()
        .filter(|(k, _)| after.is_none_or(|a| k.as_str() > a))
        .peekable();
    let mut out = vec![];
    let mut last = None;
    while out.len() < limit {
        let Some((k, v)) = rest.next() else { break };
        last = Some(k);
        out.push(v);
    }
    let next = if rest.peek().is_some() { last } else { None };
    (out, next)
}

fn describe_streams(
    store: &mut LogStore,
    partition: &str,
    req: &Req,
    b: &Map<String, Value>,
) -> Result<Value, AwsError> {
    let group = group_name(b)?;
    let g = existing_group(store, partition, b)?;
    let prefix = b
        .get("logStreamNamePrefix")
        .and_then(Value::as_str)
        .unwrap_or("");
    let by_time = b.get("orderBy").and_then(Value::as_str) == Some("LastEventTime");
    if by_time && !prefix.is_empty() {
        return Err(err(
            "InvalidParameterException",
            "Cannot order by LastEventTime with a logStreamNamePrefix.",
        ));
    }
    let descending = b
        .get("descending")
        .and_then(Value::as_bool)
        .unwrap_or(false);
    let a = groups::arn(&req.scope.region, &req.scope.account, &group);
    let mut items: Vec<(String, Value)> = g
        .streams
        .iter()
        .filter(|(n, _)| n.starts_with(prefix))
        .map(|(n, s)| {
            let first = s.events.front().map(|e| e.timestamp);
            let last = s.events.back().map(|e| e.timestamp);
            let key = if by_time { format!("{:020}/{n}", last.unwrap_or(0)) } else { n.clone() };
            let mut v = json!({ "logStreamName": n, "creationTime": s.creation_time, "arn": format!("{a}:log-stream:{n}"), "storedBytes": s.stored_bytes });
            if let (Some(f), Some(l)) = (first, last) {
                v["firstEventTimestamp"] = json!(f);
                v["lastEventTimestamp"] = json!(l);
                v["lastIngestionTime"] = json!(s.events.back().map(|e| e.ingestion_time));
            }
            (key, v)
        })
        .collect();
    items.sort_by(|x, y| x.0.cmp(&y.0));
    if descending {
        items.reverse();
        // Keys are compared with `>` when paging; invert them so a later page still follows.
        items = items
            .into_iter()
            .enumerate()
            .map(|(i, (_, v))| (format!("{i:010}"), v))
            .collect();
    }
    let (streams, next) = page(
        items,
        b.get("nextToken").and_then(Value::as_str),
        limit(b, 50, 50)?,
    );
    Ok(with_next(json!({ "logStreams": streams }), next))
}

fn get_events(
    store: &mut LogStore,
    partition: &str,
    b: &Map<String, Value>,
) -> Result<Value, AwsError> {
    let g = existing_group(store, partition, b)?;
    let name = str_field(b, "logStreamName")?;
    let s = g.streams.get(name).ok_or_else(|| {
        err(
            "ResourceNotFoundException",
            "The specified log stream does not exist.",
        )
    })?;
    let (start, end) = time_range(b)?;
    let in_range: Vec<(usize, &Event)> = s
        .events
        .iter()
        .enumerate()
        .filter(|(_, e)| e.timestamp >= start && e.timestamp < end)
        .collect();
    let lim = limit(b, 10_000, 10_000)?;
    let from_head = b
        .get("startFromHead")
        .and_then(Value::as_bool)
        .unwrap_or(false);
    // Tokens: f/<index> reads forward from index, b/<index> reads backward before it.
    let token = b.get("nextToken").and_then(Value::as_str);
    let (forward, pos) = match token.map(|t| t.split_once('/')) {
        Some(Some(("f", n))) => (
            true,
            n.parse::<usize>()
                .map_err(|_| err("InvalidParameterException", "bad nextToken"))?,
        ),
        Some(Some(("b", n))) => (
            false,
            n.parse::<usize>()
                .map_err(|_| err("InvalidParameterException", "bad nextToken"))?,
        ),
        Some(_) => {
            return Err(err(
                "InvalidParameterException",
                "The specified nextToken is invalid.",
            ));
        }
        None if from_head => (true, 0),
        None => (false, in_range.len()),
    };
    let (lo, hi) = if forward {
        (pos.min(in_range.len()), (pos + lim).min(in_range.len()))
    } else {
        (pos.saturating_sub(lim), pos.min(in_range.len()))
    };
    let events: Vec<Value> = in_range[lo..hi]
        .iter()
        .map(|(_, e)| json!({ "timestamp": e.timestamp, "message": e.message, "ingestionTime": e.ingestion_time }))
        .collect();
    Ok(
        json!({ "events": events, "nextForwardToken": format!("f/{hi}"), "nextBackwardToken": format!("b/{lo}") }),
    )
}

fn time_range(b: &Map<String, Value>) -> Result<(i64, i64), AwsError> {
    let start = b
        .get("startTime")
        .and_then(Value::as_i64)
        .unwrap_or(i64::MIN);
    let end = b.get("endTime").and_then(Value::as_i64).unwrap_or(i64::MAX);
    if start > end {
        return Err(err(
            "InvalidParameterException",
            "startTime must be before endTime",
        ));
    }
    Ok((start, end))
}

fn filter_events(
    store: &mut LogStore,
    partition: &str,
    b: &Map<String, Value>,
) -> Result<Value, AwsError> {
    let pattern = filter_pattern(b, "filterPattern")?;
    let g = existing_group(store, partition, b)?;
    let (start, end) = time_range(b)?;
    let names: Option<Vec<&str>> = b
        .get("logStreamNames")
        .and_then(Value::as_array)
        .map(|a| a.iter().filter_map(Value::as_str).collect());
    let prefix = b.get("logStreamNamePrefix").and_then(Value::as_str);
    if names.is_some() && prefix.is_some() {
        return Err(err(
            "InvalidParameterException",
            "logStreamNames and logStreamNamePrefix cannot both be given",
        ));
    }
    let mut items: Vec<(String, Value)> = vec![];
    for (sname, s) in &g.streams {
        if names.as_ref().is_some_and(|n| !n.contains(&sname.as_str()))
            || prefix.is_some_and(|p| !sname.starts_with(p))
        {
            continue;
        }
        for e in s
            .events
            .iter()
            .filter(|e| e.timestamp >= start && e.timestamp <= end && pattern.matches(&e.message))
        {
            items.push((e.id.clone(), json!({ "logStreamName": sname, "timestamp": e.timestamp, "message": e.message, "ingestionTime": e.ingestion_time, "eventId": e.id })));
        }
    }
    items.sort_by(|x, y| x.0.cmp(&y.0));
    let (events, next) = page(
        items,
        b.get("nextToken").and_then(Value::as_str),
        limit(b, 10_000, 10_000)?,
    );
    Ok(with_next(
        json!({ "events": events, "searchedLogStreams": [] }),
        next,
    ))
}

/// PutLogEvents with AWS's checks: chronological order, batch size, age.
fn put_events(
    store: &mut LogStore,
    partition: &str,
    b: &Map<String, Value>,
) -> Result<Value, AwsError> {
    let group = group_name(b)?;
    let stream = str_field(b, "logStreamName")?.to_string();
    let g = existing_group(store, partition, b)?;
    if !g.streams.contains_key(&stream) {
        return Err(err(
            "ResourceNotFoundException",
            "The specified log stream does not exist.",
        ));
    }
    let events = b
        .get("logEvents")
        .and_then(Value::as_array)
        .ok_or_else(|| err("InvalidParameterException", "logEvents is required"))?;
    if events.is_empty() || events.len() > 10_000 {
        return Err(err(
            "InvalidParameterException",
            "a batch holds 1 to 10,000 log events",
        ));
    }
    let mut batch = vec![];
    let mut bytes = 0usize;
    for e in events {
        let ts = e
            .get("timestamp")
            .and_then(Value::as_i64)
            .ok_or_else(|| err("InvalidParameterException", "each event needs a timestamp"))?;
        let msg = e
            .get("message")
            .and_then(Value::as_str)
            .ok_or_else(|| err("InvalidParameterException", "each event needs a message"))?;
        bytes += msg.len() + 26;
        batch.push((ts, msg.to_string()));
    }
    if bytes > 1_048_576 {
        return Err(err(
            "InvalidParameterException",
            "the batch is over 1,048,576 bytes",
        ));
    }
    if batch.windows(2).any(|w| w[1].0 < w[0].0) {
        return Err(err(
            "InvalidParameterException",
            "Log events in a single PutLogEvents request must be in chronological order.",
        ));
    }
    let now = now_ms();
    let too_old = now - 14 * 24 * 3600 * 1000;
    let too_new = now + 2 * 3600 * 1000;
    let mut rejected = Map::new();
    if let Some(last_old) = batch.iter().rposition(|(t, _)| *t < too_old) {
        rejected.insert("tooOldLogEventEndIndex".into(), json!(last_old + 1));
    }
    if let Some(first_new) = batch.iter().position(|(t, _)| *t > too_new) {
        rejected.insert("tooNewLogEventStartIndex".into(), json!(first_new));
    }
    // Older than the group's retention: AWS reports them expired and keeps none.
    if let Some(last) = batch
        .iter()
        .rposition(|(t, _)| store.expired(partition, &group, *t, now))
    {
        rejected.insert("expiredLogEventEndIndex".into(), json!(last + 1));
    }
    let kept: Vec<_> = batch
        .iter()
        .filter(|(t, _)| *t >= too_old && *t <= too_new)
        .filter(|(t, _)| !store.expired(partition, &group, *t, now))
        .collect();
    for (ts, msg) in kept {
        store.append(partition, &group, &stream, *ts, msg);
    }
    let mut out = json!({ "nextSequenceToken": format!("{:056}", now) });
    if !rejected.is_empty() {
        out["rejectedLogEventsInfo"] = Value::Object(rejected);
    }
    Ok(out)
}

pub(crate) fn with_next(mut v: Value, next: Option<String>) -> Value {
    if let Some(t) = next {
        v["nextToken"] = json!(t);
    }
    v
}
