//! Human time points for log queries: `15m`, `2h30m`, `1d`, `90s` ago, or an RFC 3339 time.

use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

/// Milliseconds since the epoch for `text`, relative to `now` for durations.
pub fn parse_time(text: &str, now: OffsetDateTime) -> Result<i64, String> {
    let t = text.trim();
    if let Ok(at) = OffsetDateTime::parse(t, &Rfc3339) {
        return Ok((at.unix_timestamp_nanos() / 1_000_000) as i64);
    }
    let secs = parse_duration(t).map_err(|_| bad(t))?;
    Ok((now.unix_timestamp_nanos() / 1_000_000) as i64 - secs * 1000)
}

/// Seconds in a duration like `90s`, `15m`, `2h30m`, `1d`, `1w`.
pub fn parse_duration(text: &str) -> Result<i64, String> {
    let t = text.trim();
    let mut total = 0i64;
    let mut num = String::new();
    for c in t.chars() {
        if c.is_ascii_digit() {
            num.push(c);
            continue;
        }
        let n: i64 = num.parse().map_err(|_| bad_duration(t))?;
        num.clear();
        let unit = match c {
            's' => 1,
            'm' => 60,
            'h' => 3600,
            'd' => 86_400,
            'w' => 604_800,
            _ => return Err(bad_duration(t)),
        };
        total = n
            .checked_mul(unit)
            .and_then(|v| total.checked_add(v))
            .ok_or_else(|| bad_duration(t))?;
    }
    if !num.is_empty() || total == 0 {
        return Err(bad_duration(t));
    }
    Ok(total)
}

fn bad_duration(t: &str) -> String {
    format!("`{t}` is not a duration: use 90s, 15m, 2h30m, 1d")
}

fn bad(t: &str) -> String {
    format!("`{t}` is not a time: use a duration like 15m, 2h30m, 1d or an RFC 3339 time")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_and_instants() {
        let now = time::macros::datetime!(2026-11-24 12:00:00 UTC);
        let ms = |t: OffsetDateTime| (t.unix_timestamp_nanos() / 1_000_000) as i64;
        assert_eq!(parse_time("15m", now), Ok(ms(now) - 15 * 60_000));
        assert_eq!(parse_time("2h30m", now), Ok(ms(now) - 9_000_000));
        assert_eq!(parse_time("1d", now), Ok(ms(now) - 86_400_000));
        assert_eq!(
            parse_time("2026-11-24T11:00:00Z", now),
            Ok(ms(now) - 3_600_000)
        );
        for bad in ["", "15", "m", "5x", "yesterday"] {
            assert!(parse_time(bad, now).is_err(), "{bad}");
        }
        assert_eq!(parse_duration("1h5m"), Ok(3900));
        assert!(parse_duration("99999999999999w").is_err());
    }
}
