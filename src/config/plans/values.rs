//! The values a plan holds, read strictly: durations, alarm name templates, integers, and how
//! a refused value is shown back.

use std::time::Duration;

use toml::Spanned;
use toml::de::DeValue;

type Value<'a, 'i> = &'a Spanned<DeValue<'i>>;

/// A duration as plans write it: whole hours, minutes and seconds in that order, each at
/// most once, more than zero in all (`90s`, `15m`, `1h30m`).
pub fn parse_duration(s: &str) -> Result<Duration, String> {
    let bad = || {
        format!("`{s}` is not a duration: use whole h, m, s in that order, like 90s, 15m, 1h30m")
    };
    let mut rest = s;
    let mut total: u64 = 0;
    let mut units = ['h', 'm', 's'].iter().peekable();
    while !rest.is_empty() {
        let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
        if digits == 0 {
            return Err(bad());
        }
        let n: u64 = rest[..digits].parse().map_err(|_| bad())?;
        let unit = rest[digits..].chars().next().ok_or_else(bad)?;
        // Units only move forward: "1h30m" yes, "30m1h" and "1m1m" no.
        loop {
            match units.next() {
                Some(u) if *u == unit => break,
                Some(_) => {}
                None => return Err(bad()),
            }
        }
        let secs = match unit {
            'h' => 3600,
            'm' => 60,
            _ => 1,
        };
        total = n
            .checked_mul(secs)
            .and_then(|v| total.checked_add(v))
            .ok_or_else(bad)?;
        rest = &rest[digits + 1..];
    }
    if total == 0 {
        return Err(format!("`{s}` must be longer than zero"));
    }
    Ok(Duration::from_secs(total))
}

/// An alarm name template: `{runtime}` is the only placeholder.
pub(super) fn alarm_template(s: &str) -> Result<(), String> {
    let mut rest = s;
    while let Some(open) = rest.find(['{', '}']) {
        let tail = &rest[open..];
        if !tail.starts_with("{runtime}") {
            let end = tail.find('}').map_or(tail.len(), |e| e + 1);
            return Err(format!(
                "alarm `{s}` uses `{}`: the only placeholder is {{runtime}}",
                &tail[..end]
            ));
        }
        rest = &tail["{runtime}".len()..];
    }
    Ok(())
}

pub(super) fn integer(value: Value<'_, '_>) -> Option<i64> {
    match value.get_ref() {
        DeValue::Integer(i) => i64::from_str_radix(i.as_str(), i.radix()).ok(),
        _ => None,
    }
}

pub(super) fn shown(value: Value<'_, '_>) -> String {
    match value.get_ref() {
        DeValue::String(s) => format!("\"{s}\""),
        DeValue::Integer(i) => i.as_str().to_string(),
        DeValue::Float(f) => f.as_str().to_string(),
        DeValue::Boolean(b) => b.to_string(),
        other => other.type_str().to_string(),
    }
}

pub(super) fn must_be(what: &str, value: Value<'_, '_>) -> String {
    format!("must be {what}, found {}", value.get_ref().type_str())
}
