//! Text helpers of the logs pane, free of styling: JSON messages pretty-printed or split into
//! columns (level, tool, session, message, then the other fields), event times, counts, and
//! the client-side regex (smart case). Their output is still untrusted: the renderer cleans it.

use regex::{Regex, RegexBuilder};
use serde_json::{Map, Value};

/// Keys (first found wins) for each extracted column.
const LEVEL: &[&str] = &["level", "severity", "lvl", "levelname", "log_level"];
const MESSAGE: &[&str] = &["msg", "message"];
const TOOL: &[&str] = &["tool", "tool_name", "toolName"];
const SESSION: &[&str] = &["session", "session_id", "sessionId", "mcp_session_id"];
/// Time keys: the event time is shown already.
const TIME: &[&str] = &["timestamp", "time", "ts", "@timestamp"];

/// A JSON log line split into columns.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Columns {
    pub level: String,
    pub tool: String,
    pub session: String,
    pub message: String,
    /// The other top-level fields (by name, as serde_json orders them), as `key=value`.
    pub rest: Vec<String>,
}

/// The message as a JSON object, if it is one.
pub fn object(message: &str) -> Option<Map<String, Value>> {
    let t = message.trim();
    if !t.starts_with('{') {
        return None;
    }
    match serde_json::from_str::<Value>(t) {
        Ok(Value::Object(m)) => Some(m),
        _ => None,
    }
}

fn scalar(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// Split a JSON object message into columns; `None` for anything else.
pub fn columns(message: &str) -> Option<Columns> {
    let mut obj = object(message)?;
    // A null (`"tool": null`) is an empty column.
    let mut take = |keys: &[&str]| -> String {
        keys.iter()
            .find_map(|k| obj.remove(*k).filter(|v| !v.is_null()))
            .map(|v| scalar(&v))
            .unwrap_or_default()
    };
    let mut c = Columns {
        level: take(LEVEL),
        tool: take(TOOL),
        session: take(SESSION),
        message: take(MESSAGE),
        rest: vec![],
    };
    for k in TIME {
        obj.remove(*k);
    }
    c.rest = obj
        .iter()
        .filter(|(_, v)| !v.is_null())
        .map(|(k, v)| format!("{k}={}", scalar(v)))
        .collect();
    Some(c)
}

/// The message pretty-printed over several lines, if it is a JSON object.
pub fn pretty(message: &str) -> Option<String> {
    object(message).and_then(|m| serde_json::to_string_pretty(&Value::Object(m)).ok())
}

/// `09:58:01.234` (UTC) for a CloudWatch timestamp in milliseconds.
pub fn clock(ms: i64) -> String {
    let secs = ms.div_euclid(1000);
    let milli = ms.rem_euclid(1000);
    let day = secs.rem_euclid(86_400);
    format!(
        "{:02}:{:02}:{:02}.{milli:03}",
        day / 3600,
        day % 3600 / 60,
        day % 60
    )
}

/// The full UTC time to the millisecond, for saved files.
pub fn rfc3339(ms: i64) -> String {
    time::OffsetDateTime::from_unix_timestamp_nanos(i128::from(ms) * 1_000_000)
        .ok()
        .and_then(|t| {
            t.format(time::macros::format_description!(
                "[year]-[month]-[day]T[hour]:[minute]:[second].[subsecond digits:3]Z"
            ))
            .ok()
        })
        .unwrap_or_else(|| ms.to_string())
}

/// `12,345`.
pub fn thousands(n: u64) -> String {
    let s = n.to_string();
    let mut out = String::with_capacity(s.len() + s.len() / 3);
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// `850ms`, `1.2s`, `3m`.
pub fn duration(ms: i64) -> String {
    match ms.max(0) {
        m @ 0..=999 => format!("{m}ms"),
        m @ 1_000..=59_999 => format!("{:.1}s", m as f64 / 1000.0),
        m => format!("{}m", m / 60_000),
    }
}

/// The client-side regex: empty is none; case-insensitive unless it has an upper-case letter.
pub fn regex(text: &str) -> Result<Option<Regex>, String> {
    if text.is_empty() {
        return Ok(None);
    }
    RegexBuilder::new(text)
        .case_insensitive(!text.chars().any(char::is_uppercase))
        .size_limit(1 << 20)
        .build()
        .map(Some)
        .map_err(|e| {
            e.to_string()
                .lines()
                .last()
                .unwrap_or_default()
                .trim()
                .to_string()
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_columns_take_the_known_keys_and_keep_the_rest() {
        let line = r#"{"timestamp":"2026-11-24T09:58:01.234Z","level":"ERROR","message":"request","version":"4","method":"tools/call","tool":"weather","session":"9f2c4e1a-77","status":500,"error":null}"#;
        let c = columns(line).expect("a JSON object");
        assert_eq!(c.level, "ERROR");
        assert_eq!(c.message, "request");
        assert_eq!(c.tool, "weather");
        assert_eq!(c.session, "9f2c4e1a-77");
        // serde_json sorts keys.
        assert_eq!(c.rest, ["method=tools/call", "status=500", "version=4"]);
        let other = columns(
            r#"{"severity":"warn","msg":"slow","tool":null,"tool_name":"add","sessionId":"s1"}"#,
        )
        .expect("object");
        assert_eq!(
            (
                other.level.as_str(),
                other.message.as_str(),
                other.tool.as_str()
            ),
            ("warn", "slow", "add")
        );
        assert_eq!(other.session, "s1");
        assert!(columns("plain text").is_none());
        assert!(columns("[1,2]").is_none());
        assert!(columns("{not json").is_none());
    }

    #[test]
    fn pretty_spreads_objects_over_lines() {
        let p = pretty(r#"{"a":1,"b":{"c":"d"}}"#).expect("object");
        assert_eq!(p.lines().count(), 6, "{p}");
        assert!(pretty("nope").is_none());
    }

    #[test]
    fn times_counts_and_durations() {
        assert_eq!(clock(1_795_514_281_234), "09:58:01.234");
        assert_eq!(clock(-1), "23:59:59.999");
        assert_eq!(rfc3339(0), "1970-01-01T00:00:00.000Z");
        assert_eq!(rfc3339(1_795_514_281_230), "2026-11-24T09:58:01.230Z");
        assert_eq!(thousands(1_234_567), "1,234,567");
        assert_eq!(thousands(12), "12");
        assert_eq!(duration(850), "850ms");
        assert_eq!(duration(1_250), "1.2s");
        assert_eq!(duration(600_000), "10m");
    }

    #[test]
    fn the_regex_is_smart_case_and_errors_are_one_line() {
        let r = regex("error").expect("valid").expect("some");
        assert!(r.is_match("ERROR here"));
        let r = regex("Error").expect("valid").expect("some");
        assert!(!r.is_match("ERROR here"));
        assert!(regex("").expect("valid").is_none());
        let e = regex("foo(").expect_err("invalid");
        assert!(!e.contains('\n') && !e.is_empty(), "{e}");
    }
}
