//! Identifiers and timestamps in the forms AWS uses.

use time::OffsetDateTime;

const ALNUM: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

/// `n` random letters and digits (runtime ids end in ten of them).
pub fn suffix(n: usize) -> String {
    (0..n)
        .map(|_| char::from(ALNUM[fastrand::usize(..ALNUM.len())]))
        .collect()
}

/// A request id, a UUID as AWS's are.
pub fn request_id() -> String {
    uuid::Uuid::new_v4().to_string()
}

/// Now, as the ISO-8601 string the AgentCore control plane returns (millisecond precision).
pub fn now_iso() -> String {
    iso(OffsetDateTime::now_utc())
}

pub fn iso(t: OffsetDateTime) -> String {
    crate::domain::timestamp::rfc3339_ms(t)
}

/// Now, in the HTTP-date form S3 uses for `Last-Modified`.
pub fn http_date(t: OffsetDateTime) -> String {
    let fmt = time::macros::format_description!(
        "[weekday repr:short], [day] [month repr:short] [year] [hour]:[minute]:[second] GMT"
    );
    t.to_offset(time::UtcOffset::UTC)
        .format(&fmt)
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shapes() {
        assert_eq!(suffix(10).len(), 10);
        assert!(suffix(10).bytes().all(|b| b.is_ascii_alphanumeric()));
        assert_eq!(request_id().len(), 36);
        let t = now_iso();
        assert!(t.ends_with('Z') && t.contains('T'), "{t}");
        let d = http_date(time::macros::datetime!(2026-11-24 21:40:05 UTC));
        assert_eq!(d, "Tue, 24 Nov 2026 21:40:05 GMT");
    }

    #[test]
    fn iso_keeps_trailing_zeros() {
        let t = time::macros::datetime!(2026-11-24 21:40:05.770 UTC);
        assert_eq!(iso(t), "2026-11-24T21:40:05.770Z");
        let t = time::macros::datetime!(2026-11-24 21:40:05 UTC);
        assert_eq!(iso(t), "2026-11-24T21:40:05.000Z");
    }
}
