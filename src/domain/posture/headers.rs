//! The request-header allowlist: which caller headers AgentCore passes to the server. AWS's
//! model: 1..20 names matching `[A-Za-z][A-Za-z0-9_-]{0,255}`; its guide
//! (`runtime-header-allowlist`) adds: no `x-amz-*`, no `x-amzn-*` except the
//! `X-Amzn-Bedrock-AgentCore-Runtime-Custom-` prefix, none of its restricted headers, no
//! duplicates ignoring case, and `Authorization` only with a JWT authorizer.

use super::PostureError;

pub const MAX_HEADERS: usize = 20;
pub const CUSTOM_PREFIX: &str = "X-Amzn-Bedrock-AgentCore-Runtime-Custom-";

/// The guide's restricted headers (the categories it lists; its server-information row was not
/// retrievable here, so those are left to AWS to refuse).
const RESTRICTED: &[&str] = &[
    "Proxy-Authorization",
    "WWW-Authenticate",
    "Accept",
    "Accept-Charset",
    "Accept-Encoding",
    "Accept-Language",
    "Content-Type",
    "Content-Length",
    "Content-Encoding",
    "Content-Language",
    "Content-Location",
    "Content-Range",
    "Cache-Control",
    "ETag",
    "Expires",
    "If-Match",
    "If-Modified-Since",
    "If-None-Match",
    "If-Range",
    "If-Unmodified-Since",
    "Last-Modified",
    "Pragma",
    "Vary",
    "Connection",
    "Keep-Alive",
    "Proxy-Connection",
    "Upgrade",
    "Host",
    "Referer",
    "User-Agent",
    "From",
    "Range",
    "Accept-Ranges",
    "Transfer-Encoding",
    "TE",
    "Trailer",
];

pub fn validate(headers: &[String]) -> Result<(), PostureError> {
    let fail = |i: usize, m: String| Err(PostureError::new("request_headers", m).item(i));
    if headers.is_empty() || headers.len() > MAX_HEADERS {
        return Err(PostureError::new(
            "request_headers",
            format!(
                "the allowlist takes 1 to {MAX_HEADERS} header names, found {}",
                headers.len()
            ),
        ));
    }
    for (i, h) in headers.iter().enumerate() {
        let well_formed = h.len() <= 256
            && h.bytes().next().is_some_and(|b| b.is_ascii_alphabetic())
            && h.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
        if !well_formed {
            return fail(
                i,
                format!(
                    "`{h}` is not a header name: a letter, then up to 255 letters, digits, `-` or `_`"
                ),
            );
        }
        let lower = h.to_ascii_lowercase();
        let custom = lower.starts_with(&CUSTOM_PREFIX.to_ascii_lowercase());
        if lower.starts_with("x-amz-") || (lower.starts_with("x-amzn-") && !custom) {
            return fail(
                i,
                format!("`{h}`: x-amz-* and x-amzn-* are reserved (except {CUSTOM_PREFIX}*)"),
            );
        }
        if RESTRICTED.iter().any(|r| r.eq_ignore_ascii_case(h)) {
            return fail(
                i,
                format!("`{h}` is a restricted header AgentCore never passes on"),
            );
        }
        if let Some(first) = headers[..i].iter().position(|o| o.eq_ignore_ascii_case(h)) {
            return fail(
                i,
                format!(
                    "`{h}` is listed twice (with item {}; names ignore case)",
                    first + 1
                ),
            );
        }
    }
    Ok(())
}

pub fn has_authorization(headers: &[String]) -> Option<usize> {
    headers
        .iter()
        .position(|h| h.eq_ignore_ascii_case("Authorization"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(list: &[&str]) -> Result<(), PostureError> {
        validate(&list.iter().map(|s| s.to_string()).collect::<Vec<_>>())
    }

    #[test]
    fn allowed_names_are_accepted() {
        let longest = format!("X{}", "a".repeat(255));
        let twenty: Vec<String> = (0..20).map(|i| format!("X-Custom-{i}")).collect();
        assert!(
            check(&[
                "X-Amzn-Bedrock-AgentCore-Runtime-Custom-Tenant",
                "X-Api-Key",
                "Authorization",
                "traceparent",
                "x_snake"
            ])
            .is_ok()
        );
        assert!(check(&[&longest]).is_ok());
        assert!(validate(&twenty).is_ok());
    }

    #[test]
    fn refused_names_say_why() {
        let longest = format!("X{}", "a".repeat(256));
        let cases: &[(&[&str], Option<usize>, &str)] = &[
            (&[], None, "1 to 20 header names, found 0"),
            (&["1-Header"], Some(0), "not a header name"),
            (&["X-Ok", "X Space"], Some(1), "not a header name"),
            (&[&longest], Some(0), "not a header name"),
            (&["X-Amz-Date"], Some(0), "reserved"),
            (&["x-amzn-trace-id"], Some(0), "reserved"),
            (&["content-type"], Some(0), "restricted"),
            (&["X-A", "x-a"], Some(1), "listed twice (with item 1"),
        ];
        for (list, item, needle) in cases {
            let e = check(list).expect_err("refused");
            assert_eq!((e.field, e.item), ("request_headers", *item), "{e}");
            assert!(e.message.contains(needle), "{e}");
        }
        let twenty_one: Vec<String> = (0..21).map(|i| format!("X-Custom-{i}")).collect();
        assert!(
            validate(&twenty_one)
                .expect_err("21")
                .message
                .contains("found 21")
        );
    }
}
