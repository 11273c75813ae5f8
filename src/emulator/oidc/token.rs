//! `POST <issuer>/token`: a signed access token for tests and the demo. No client secret: the
//! issuer serves loopback only and exists so that JWT runtimes can be called locally.

use jsonwebtoken::{Algorithm, Header};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::key::SigningKey;

/// Lifetime when the request names none, and the longest allowed.
pub const DEFAULT_EXPIRES: u64 = 3600;
pub const MAX_EXPIRES: u64 = 86_400;
/// `client_id` when the request names none.
pub const DEFAULT_CLIENT: &str = "local-client";

/// The access token's claims (Cognito's access-token set, plus `aud` when asked for).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct Claims {
    pub iss: String,
    pub sub: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub aud: Option<Value>,
    #[serde(default)]
    pub client_id: Option<String>,
    pub iat: u64,
    #[serde(default)]
    pub nbf: Option<u64>,
    pub exp: u64,
    #[serde(default)]
    pub jti: Option<String>,
    #[serde(default)]
    pub scope: Option<String>,
    #[serde(default)]
    pub token_use: Option<String>,
}

/// A validated token request.
#[derive(Debug, PartialEq, Eq)]
pub struct TokenRequest {
    pub audience: Option<String>,
    pub client_id: String,
    pub expires_in: u64,
    pub scope: Option<String>,
}

impl TokenRequest {
    /// Read `{audience?, client_id?, expires_in?, scope?}`; an error names the member.
    pub fn parse(body: &[u8]) -> Result<Self, String> {
        let map: Map<String, Value> = if body.iter().all(u8::is_ascii_whitespace) {
            Map::new()
        } else {
            match serde_json::from_slice(body) {
                Ok(Value::Object(m)) => m,
                _ => return Err(
                    "the body must be a JSON object {audience?, client_id?, expires_in?, scope?}"
                        .into(),
                ),
            }
        };
        if let Some(k) = map.keys().find(|k| {
            !matches!(
                k.as_str(),
                "audience" | "client_id" | "expires_in" | "scope"
            )
        }) {
            return Err(format!(
                "unknown member '{k}': allowed are audience, client_id, expires_in, scope"
            ));
        }
        let text = |key: &str| -> Result<Option<String>, String> {
            match map.get(key) {
                None | Some(Value::Null) => Ok(None),
                Some(Value::String(s))
                    if (1..=256).contains(&s.chars().count())
                        && !s.chars().any(char::is_control) =>
                {
                    Ok(Some(s.clone()))
                }
                Some(_) => Err(format!(
                    "'{key}' must be a string of 1 to 256 printable characters"
                )),
            }
        };
        let expires_in = match map.get("expires_in") {
            None | Some(Value::Null) => DEFAULT_EXPIRES,
            Some(v) => v
                .as_u64()
                .filter(|n| (1..=MAX_EXPIRES).contains(n))
                .ok_or_else(|| {
                    format!(
                        "'expires_in' must be a whole number of seconds from 1 to {MAX_EXPIRES}"
                    )
                })?,
        };
        Ok(Self {
            audience: text("audience")?,
            client_id: text("client_id")?.unwrap_or_else(|| DEFAULT_CLIENT.into()),
            expires_in,
            scope: text("scope")?,
        })
    }
}

/// Sign a token for `req`, issued by `issuer`, at `now` (seconds since the epoch).
pub fn issue(
    key: &SigningKey,
    issuer: &str,
    req: &TokenRequest,
    now: u64,
) -> Result<String, jsonwebtoken::errors::Error> {
    let claims = Claims {
        iss: issuer.to_string(),
        sub: req.client_id.clone(),
        aud: req.audience.clone().map(Value::String),
        client_id: Some(req.client_id.clone()),
        iat: now,
        nbf: Some(now),
        exp: now + req.expires_in,
        jti: Some(uuid::Uuid::new_v4().to_string()),
        scope: req.scope.clone(),
        token_use: Some("access".into()),
    };
    let mut header = Header::new(Algorithm::RS256);
    header.kid = Some(key.kid.clone());
    jsonwebtoken::encode(&header, &claims, &key.encoding)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn requests_are_read_with_defaults_and_bad_members_named() {
        let r = TokenRequest::parse(b"").expect("empty");
        assert_eq!(r.client_id, DEFAULT_CLIENT);
        assert_eq!(r.expires_in, DEFAULT_EXPIRES);
        assert_eq!(r.audience, None);
        let r =
            TokenRequest::parse(br#"{"audience":"a","client_id":"c","expires_in":60,"scope":"s"}"#)
                .expect("full");
        assert_eq!(
            r,
            TokenRequest {
                audience: Some("a".into()),
                client_id: "c".into(),
                expires_in: 60,
                scope: Some("s".into())
            }
        );
        for (body, named) in [
            (r#"{"expires_in":0}"#, "expires_in"),
            (r#"{"expires_in":86401}"#, "expires_in"),
            (r#"{"expires_in":"1h"}"#, "expires_in"),
            (r#"{"audience":""}"#, "audience"),
            (r#"{"client_id":7}"#, "client_id"),
            (r#"{"aud":"x"}"#, "'aud'"),
            ("[1]", "JSON object"),
        ] {
            let err = TokenRequest::parse(body.as_bytes()).expect_err(body);
            assert!(err.contains(named), "{body}: {err}");
        }
    }
}
