//! What the client needs from a token it cannot verify: when it expires. The payload of a JWT
//! is read without checking the signature (the runtime's authorizer does that); a token that is
//! not a JWT simply has no known expiry.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde_json::Value;

/// The `exp` claim (unix seconds) of a JWT, if `token` is one and has it.
pub fn expiry(token: &str) -> Option<i64> {
    let mut parts = token.split('.');
    let (_header, payload, _sig) = (parts.next()?, parts.next()?, parts.next()?);
    if parts.next().is_some() {
        return None;
    }
    let bytes = URL_SAFE_NO_PAD.decode(payload.trim_end_matches('=')).ok()?;
    let claims: Value = serde_json::from_slice(&bytes).ok()?;
    match claims.get("exp")? {
        Value::Number(n) => n.as_i64().or_else(|| n.as_f64().map(|f| f as i64)),
        _ => None,
    }
}

/// Whatever looks like a JWT in `text` (three base64url parts, the first starting `eyJ`),
/// replaced by `***`: a failing command's stderr may print the token it was about to return.
pub fn redact(text: &str) -> String {
    static JWT: std::sync::OnceLock<Option<regex::Regex>> = std::sync::OnceLock::new();
    let re = JWT.get_or_init(|| {
        regex::Regex::new(r"eyJ[A-Za-z0-9_-]*\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*").ok()
    });
    match re {
        Some(re) => re
            .replace_all(text, crate::domain::secret::REDACTED)
            .into_owned(),
        // The pattern is a constant; should it not compile, show nothing rather than a token.
        None => crate::domain::secret::REDACTED.to_string(),
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// An unsigned JWT with these claims (the client never checks signatures).
    pub fn token_with(claims: &Value) -> String {
        let enc = |v: &Value| URL_SAFE_NO_PAD.encode(v.to_string());
        format!(
            "{}.{}.c2ln",
            enc(&serde_json::json!({"alg": "RS256", "typ": "JWT"})),
            enc(claims)
        )
    }

    #[test]
    fn reads_exp_from_a_jwt_only() {
        assert_eq!(
            expiry(&token_with(&serde_json::json!({"exp": 1_700_000_000}))),
            Some(1_700_000_000)
        );
        assert_eq!(
            expiry(&token_with(&serde_json::json!({"exp": 1.5e9}))),
            Some(1_500_000_000)
        );
        assert_eq!(expiry(&token_with(&serde_json::json!({"sub": "x"}))), None);
        assert_eq!(
            expiry(&token_with(&serde_json::json!({"exp": "soon"}))),
            None
        );
        assert_eq!(expiry("opaque-token"), None);
        assert_eq!(expiry("a.b.c.d"), None);
        assert_eq!(expiry("a.!!!.c"), None);
        // Padding, which some issuers leave on, is tolerated.
        let padded = format!("x.{}==.y", URL_SAFE_NO_PAD.encode(r#"{"exp":42}"#));
        assert_eq!(expiry(&padded), Some(42));
    }

    #[test]
    fn redacts_anything_like_a_jwt() {
        let t = token_with(&serde_json::json!({"exp": 1}));
        let out = redact(&format!("error: got {t} from the cache\nbye"));
        assert!(!out.contains(&t), "{out}");
        assert!(out.contains("got *** from the cache\nbye"), "{out}");
    }
}
