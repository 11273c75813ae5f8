//! Whether one call's result meets its check. Every expectation is judged (not only the
//! first that fails), so one run says everything that is wrong.

use std::time::Duration;

use serde_json::Value;

use super::{Check, Health};
use crate::domain::sanitize;

/// The most of a value a reason quotes.
const MAX_SHOWN: usize = 120;

/// What a tool call gave back, as the checks see it.
#[derive(Debug, Clone, Default)]
pub struct Observed<'a> {
    pub is_error: bool,
    /// The text of every text content block.
    pub texts: Vec<&'a str>,
    pub structured: Option<&'a Value>,
    pub latency: Duration,
}

/// Why `got` fails `check`, one reason per unmet expectation; empty when it passes.
pub fn judge(check: &Check, got: &Observed<'_>) -> Vec<String> {
    let mut reasons = vec![];
    if got.is_error != check.is_error {
        let said = got
            .texts
            .first()
            .map(|t| format!(" ({})", shown(&Value::from(*t))))
            .unwrap_or_default();
        reasons.push(format!(
            "isError: expected {}, got {}{said}",
            check.is_error, got.is_error
        ));
    }
    if let Some(want) = &check.text_contains
        && !got.texts.iter().any(|t| t.contains(want.as_str()))
    {
        let text = got.texts.join(" ");
        reasons.push(format!(
            "text: expected it to contain {}, got {}",
            shown(&Value::from(want.as_str())),
            if got.texts.is_empty() {
                "no text content".to_string()
            } else {
                shown(&Value::from(text))
            }
        ));
    }
    for (pointer, want) in &check.json {
        let at = sanitize::one_line(if pointer.is_empty() { "\"\"" } else { pointer });
        match got.structured.map(|s| s.pointer(pointer)) {
            None => reasons.push(format!(
                "{at}: expected {}, got no structuredContent",
                shown(want)
            )),
            Some(None) => {
                reasons.push(format!("{at}: expected {}, got nothing there", shown(want)))
            }
            Some(Some(v)) if !same(v, want) => {
                reasons.push(format!("{at}: expected {}, got {}", shown(want), shown(v)))
            }
            Some(Some(_)) => {}
        }
    }
    reasons.extend(over(got.latency, check.max_latency_ms));
    reasons
}

/// Why a `ping` that took `latency` fails the probe; None when it passes.
pub fn judge_health(health: &Health, latency: Duration) -> Option<String> {
    over(latency, health.max_latency_ms)
}

fn over(latency: Duration, max_ms: Option<u64>) -> Option<String> {
    let ms = u64::try_from(latency.as_millis()).unwrap_or(u64::MAX);
    max_ms
        .filter(|max| ms > *max)
        .map(|max| format!("latency: expected at most {max} ms, got {ms} ms"))
}

/// JSON equality where numbers compare by value (TOML's `3` equals a server's `3.0`).
fn same(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => {
            x == y || matches!((x.as_f64(), y.as_f64()), (Some(p), Some(q)) if p == q)
        }
        (Value::Array(x), Value::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(p, q)| same(p, q))
        }
        (Value::Object(x), Value::Object(y)) => {
            x.len() == y.len() && x.iter().all(|(k, v)| y.get(k).is_some_and(|w| same(v, w)))
        }
        _ => a == b,
    }
}

/// A value as a reason quotes it: compact JSON, on one line, stripped of control characters,
/// cut at [`MAX_SHOWN`] characters.
pub fn shown(v: &Value) -> String {
    let text = sanitize::one_line(&v.to_string());
    if text.chars().count() <= MAX_SHOWN {
        return text;
    }
    let cut: String = text.chars().take(MAX_SHOWN).collect();
    format!("{cut}…")
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use serde_json::json;

    use super::*;

    fn check() -> Check {
        Check {
            name: "c".into(),
            tool: "weather".into(),
            arguments: serde_json::Map::new(),
            text_contains: None,
            is_error: false,
            max_latency_ms: None,
            json: BTreeMap::new(),
        }
    }

    fn ok(texts: Vec<&str>) -> Observed<'_> {
        Observed {
            texts,
            ..Observed::default()
        }
    }

    #[test]
    fn a_result_meeting_every_expectation_passes() {
        let mut c = check();
        c.text_contains = Some("Paris".into());
        c.json = BTreeMap::from([
            ("/city".into(), json!("Paris")),
            ("/temperature".into(), json!(21)),
        ]);
        c.max_latency_ms = Some(100);
        let sc = json!({"city": "Paris", "temperature": 21.0, "sky": "rain"});
        let got = Observed {
            structured: Some(&sc),
            latency: Duration::from_millis(100),
            ..ok(vec!["Paris: 21°C, rain"])
        };
        assert_eq!(judge(&c, &got), Vec::<String>::new());
    }

    #[test]
    fn every_unmet_expectation_is_a_reason_with_expected_and_got() {
        let mut c = check();
        c.text_contains = Some("hi".into());
        c.json = BTreeMap::from([("/echo".into(), json!("hi")), ("/n".into(), json!(1))]);
        c.max_latency_ms = Some(50);
        let sc = json!({"echo": "ho"});
        let got = Observed {
            is_error: true,
            structured: Some(&sc),
            latency: Duration::from_millis(51),
            ..ok(vec!["injected tool error"])
        };
        let r = judge(&c, &got);
        assert_eq!(
            r,
            [
                "isError: expected false, got true (\"injected tool error\")",
                "text: expected it to contain \"hi\", got \"injected tool error\"",
                "/echo: expected \"hi\", got \"ho\"",
                "/n: expected 1, got nothing there",
                "latency: expected at most 50 ms, got 51 ms",
            ]
        );
    }

    #[test]
    fn no_structured_content_and_an_expected_error() {
        let mut c = check();
        c.is_error = true;
        c.json = BTreeMap::from([("".into(), json!({}))]);
        let got = ok(vec![]);
        assert_eq!(
            judge(&c, &got),
            [
                "isError: expected true, got false",
                "\"\": expected {}, got no structuredContent"
            ]
        );
        let got = Observed {
            is_error: true,
            ..ok(vec![])
        };
        c.json.clear();
        assert!(judge(&c, &got).is_empty(), "an expected error passes");
    }

    #[test]
    fn quoted_values_are_one_line_without_escapes_and_cut() {
        let evil = Value::from("a\x1b[2J\nb");
        let s = shown(&evil);
        assert!(!s.contains('\x1b'), "{s}");
        let long = Value::from("x".repeat(500));
        let s = shown(&long);
        assert_eq!(s.chars().count(), MAX_SHOWN + 1);
        assert!(s.ends_with('…'));
        let mut c = check();
        c.text_contains = Some("y".into());
        let text = "\u{1b}]0;title\u{7}";
        let r = judge(&c, &ok(vec![text]));
        assert!(!r[0].chars().any(char::is_control), "{r:?}");
    }

    #[test]
    fn health_latency_bound() {
        let h = Health {
            max_latency_ms: Some(10),
        };
        assert_eq!(judge_health(&h, Duration::from_millis(10)), None);
        assert_eq!(
            judge_health(&h, Duration::from_millis(11)).as_deref(),
            Some("latency: expected at most 10 ms, got 11 ms")
        );
        assert_eq!(
            judge_health(&Health::default(), Duration::from_secs(99)),
            None
        );
    }
}
