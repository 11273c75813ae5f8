//! RFC 3339 timestamps as the console writes them: UTC, `Z`, and always three fractional
//! digits. `time`'s `Rfc3339` and smithy's `Format::DateTime` drop trailing zeros (`.77Z`
//! beside `.771Z`), which misaligns columns and breaks sorting timestamps as text.

use time::OffsetDateTime;
use time::macros::format_description;

/// `t` in UTC to the millisecond (truncated), e.g. `2026-11-24T09:58:01.230Z`.
pub fn rfc3339_ms(t: OffsetDateTime) -> String {
    t.to_offset(time::UtcOffset::UTC)
        .format(format_description!(
            "[year]-[month]-[day]T[hour]:[minute]:[second].[subsecond digits:3]Z"
        ))
        .unwrap_or_default()
}

/// Milliseconds since the epoch as [`rfc3339_ms`]; `None` out of `time`'s range.
pub fn rfc3339_from_ms(ms: i64) -> Option<String> {
    OffsetDateTime::from_unix_timestamp_nanos(i128::from(ms) * 1_000_000)
        .ok()
        .map(rfc3339_ms)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn always_three_fractional_digits() {
        assert_eq!(
            rfc3339_from_ms(0).as_deref(),
            Some("1970-01-01T00:00:00.000Z")
        );
        assert_eq!(
            rfc3339_from_ms(1_795_514_281_770).as_deref(),
            Some("2026-11-24T09:58:01.770Z")
        );
        assert_eq!(
            rfc3339_from_ms(1_795_514_281_771).as_deref(),
            Some("2026-11-24T09:58:01.771Z")
        );
        let nanos = OffsetDateTime::from_unix_timestamp_nanos(1_795_514_281_700_999_999)
            .expect("time")
            .to_offset(time::macros::offset!(+2));
        assert_eq!(
            rfc3339_ms(nanos),
            "2026-11-24T09:58:01.700Z",
            "UTC, truncated"
        );
    }
}
