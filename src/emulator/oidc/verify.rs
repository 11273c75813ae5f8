//! Bearer tokens on a runtime with a custom JWT authorizer, checked as AWS documents: the
//! signature against the JWKS the discovery URL names, `exp`/`nbf`, `iss` equal to the discovery
//! document's issuer, and each configured rule (`allowedAudience` against `aud`,
//! `allowedClients` against `client_id`, `allowedScopes` against `scope`, `customClaims`). Only loopback discovery URLs are fetched: the local
//! AgentCore never reaches another address. JWKS are cached per discovery URL and fetched again
//! when a token names a key they lack (the issuer rotated).

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::Duration;

use axum::body::Body;
use axum::http::{HeaderValue, StatusCode, Uri};
use http_body_util::{BodyExt, Limited};
use jsonwebtoken::jwk::JwkSet;
use jsonwebtoken::{Algorithm, DecodingKey, Validation, errors::ErrorKind};
use serde_json::Value;

use crate::emulator::http::AwsError;
use crate::emulator::runner::probe::HttpClient;

const FETCH_TIMEOUT: Duration = Duration::from_secs(5);
const MAX_DOC: usize = 1024 * 1024;

/// What a discovery URL said, and its keys.
#[derive(Clone)]
struct Discovered {
    issuer: String,
    keys: JwkSet,
}

/// JWKS per discovery URL.
#[derive(Default)]
pub struct Verifier {
    cache: Mutex<HashMap<String, Discovered>>,
}

/// A refusal of a token: 401 with `WWW-Authenticate`, as RFC 6750 answers an invalid token.
pub fn unauthorized(message: impl Into<String>) -> AwsError {
    AwsError::new(StatusCode::UNAUTHORIZED, "UnauthorizedException", message)
}

/// The refusal AWS gives a call whose kind of authentication is not the runtime's.
pub fn mismatch() -> AwsError {
    AwsError::new(
        StatusCode::FORBIDDEN,
        "AccessDeniedException",
        "Authorization method mismatch. The agent is configured for a different authorization \
         method than what was used in your request.",
    )
}

/// Add the RFC 6750 challenge to a 401 response.
pub fn challenge(resp: &mut axum::http::Response<Body>) {
    if resp.status() == StatusCode::UNAUTHORIZED {
        resp.headers_mut().insert(
            "www-authenticate",
            HeaderValue::from_static("Bearer error=\"invalid_token\""),
        );
    }
}

/// `http://` on a loopback host, or why not.
pub fn loopback_url(what: &str, url: &str) -> Result<(), String> {
    let uri: Uri = url
        .parse()
        .map_err(|_| format!("the {what} '{url}' is not a URL"))?;
    let host = uri.host().unwrap_or_default();
    let host = host.trim_start_matches('[').trim_end_matches(']');
    let loopback = host.eq_ignore_ascii_case("localhost")
        || host
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback());
    if uri.scheme_str() != Some("http") || !loopback {
        return Err(format!(
            "the local AgentCore verifies tokens only from loopback issuers (http://127.0.0.1, \
             http://localhost, http://[::1]); the {what} '{url}' is not one"
        ));
    }
    Ok(())
}

impl Verifier {
    /// Verify `token` for a runtime whose `customJWTAuthorizer` is `authorizer`.
    pub async fn verify(
        &self,
        http: &HttpClient,
        authorizer: &Value,
        token: &str,
    ) -> Result<(), AwsError> {
        let discovery_url = authorizer
            .get("discoveryUrl")
            .and_then(Value::as_str)
            .ok_or_else(|| AwsError::internal("the runtime's authorizer has no discoveryUrl"))?;
        loopback_url("discovery URL", discovery_url)
            .map_err(|m| AwsError::new(StatusCode::FORBIDDEN, "AccessDeniedException", m))?;
        if token.is_empty() {
            return Err(unauthorized(
                "the Authorization header carries no bearer token",
            ));
        }
        let header = jsonwebtoken::decode_header(token)
            .map_err(|_| unauthorized("the bearer token is not a well-formed JWT"))?;
        if !matches!(
            header.alg,
            Algorithm::RS256
                | Algorithm::RS384
                | Algorithm::RS512
                | Algorithm::PS256
                | Algorithm::PS384
                | Algorithm::PS512
                | Algorithm::ES256
                | Algorithm::ES384
                | Algorithm::EdDSA
        ) {
            return Err(unauthorized(format!(
                "the bearer token is signed with {:?}; only public-key algorithms verify against a JWKS",
                header.alg
            )));
        }
        let cached = self.cached(discovery_url);
        let (found, issuer) = match cached.as_ref().and_then(|d| pick(d, header.kid.as_deref())) {
            Some(found) => found,
            None => {
                // Unknown here (or a new key at the issuer): fetch once more.
                let fresh = discover(http, discovery_url).await?;
                self.store(discovery_url, fresh.clone());
                pick(&fresh, header.kid.as_deref()).ok_or_else(|| {
                    unauthorized(format!(
                        "the bearer token is signed with a key ('{}') that the JWKS of '{discovery_url}' does not have",
                        header.kid.as_deref().unwrap_or("no kid")
                    ))
                })?
            }
        };
        let key = DecodingKey::from_jwk(&found).map_err(|e| {
            AwsError::internal(format!("the issuer's JWKS has an unusable key: {e}"))
        })?;
        let mut v = Validation::new(header.alg);
        v.leeway = 0;
        v.validate_nbf = true;
        v.validate_aud = false;
        v.set_issuer(&[&issuer]);
        v.set_required_spec_claims(&["exp", "iss"]);
        let data = jsonwebtoken::decode::<Value>(token, &key, &v).map_err(|e| {
            unauthorized(match e.kind() {
                ErrorKind::ExpiredSignature => "the bearer token has expired".to_string(),
                ErrorKind::ImmatureSignature => "the bearer token is not valid yet (nbf)".into(),
                ErrorKind::InvalidIssuer => format!(
                    "the bearer token was not issued by '{issuer}', the issuer of the authorizer's discovery URL"
                ),
                ErrorKind::InvalidSignature => format!(
                    "the bearer token's signature does not verify against the JWKS of '{discovery_url}'"
                ),
                ErrorKind::MissingRequiredClaim(c) => {
                    format!("the bearer token has no '{c}' claim")
                }
                _ => "the bearer token cannot be verified: it is malformed".into(),
            })
        })?;
        allowed(authorizer, &data.claims)
    }

    fn cached(&self, url: &str) -> Option<Discovered> {
        self.cache
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .get(url)
            .cloned()
    }

    fn store(&self, url: &str, d: Discovered) {
        self.cache
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .insert(url.to_string(), d);
    }
}

/// The key a token names (or the only key, for a token without `kid`), with the issuer.
fn pick(d: &Discovered, kid: Option<&str>) -> Option<(jsonwebtoken::jwk::Jwk, String)> {
    let jwk = match kid {
        Some(kid) => d.keys.find(kid),
        None if d.keys.keys.len() == 1 => d.keys.keys.first(),
        None => None,
    }?;
    Some((jwk.clone(), d.issuer.clone()))
}

/// `allowedAudience` and `allowedClients`, each checked when configured.
fn allowed(authorizer: &Value, claims: &Value) -> Result<(), AwsError> {
    let list = |key: &str| -> Vec<&str> {
        authorizer
            .get(key)
            .and_then(Value::as_array)
            .map(|a| a.iter().filter_map(Value::as_str).collect())
            .unwrap_or_default()
    };
    let audiences = list("allowedAudience");
    if !audiences.is_empty() {
        let aud: Vec<&str> = match claims.get("aud") {
            Some(Value::String(s)) => vec![s.as_str()],
            Some(Value::Array(a)) => a.iter().filter_map(Value::as_str).collect(),
            _ => Vec::new(),
        };
        if !aud.iter().any(|a| audiences.contains(a)) {
            return Err(unauthorized(format!(
                "the bearer token's audience ({}) is not among the runtime's allowedAudience",
                if aud.is_empty() {
                    "none".to_string()
                } else {
                    quoted(&aud)
                }
            )));
        }
    }
    let clients = list("allowedClients");
    if !clients.is_empty() {
        let client = claims.get("client_id").and_then(Value::as_str);
        if !client.is_some_and(|c| clients.contains(&c)) {
            return Err(unauthorized(format!(
                "the bearer token's client_id ({}) is not among the runtime's allowedClients",
                client.map_or_else(|| "none".to_string(), |c| quoted(&[c]))
            )));
        }
    }
    let scopes = list("allowedScopes");
    if !scopes.is_empty() {
        let granted: Vec<&str> = claims
            .get("scope")
            .and_then(Value::as_str)
            .map(|s| s.split_whitespace().collect())
            .unwrap_or_default();
        if !granted.iter().any(|g| scopes.contains(g)) {
            return Err(unauthorized(format!(
                "the bearer token's scopes ({}) include none of the runtime's allowedScopes",
                if granted.is_empty() {
                    "none".to_string()
                } else {
                    quoted(&granted)
                }
            )));
        }
    }
    for rule in authorizer
        .get("customClaims")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        custom_claim(rule, claims)?;
    }
    Ok(())
}

/// One `customClaims` rule: EQUALS a string claim, CONTAINS a value or CONTAINS_ANY of a list
/// in an array claim.
fn custom_claim(rule: &Value, claims: &Value) -> Result<(), AwsError> {
    let name = rule
        .get("inboundTokenClaimName")
        .and_then(Value::as_str)
        .unwrap_or_default();
    let matcher = rule.get("authorizingClaimMatchValue");
    let op = matcher
        .and_then(|m| m.get("claimMatchOperator"))
        .and_then(Value::as_str)
        .unwrap_or_default();
    let value = matcher.and_then(|m| m.get("claimMatchValue"));
    let one = value
        .and_then(|v| v.get("matchValueString"))
        .and_then(Value::as_str);
    let any: Vec<&str> = value
        .and_then(|v| v.get("matchValueStringList"))
        .and_then(Value::as_array)
        .map(|a| a.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    let claim = claims.get(name);
    let array: Vec<&str> = match claim {
        Some(Value::Array(a)) => a.iter().filter_map(Value::as_str).collect(),
        _ => Vec::new(),
    };
    let ok = match op {
        "EQUALS" => claim
            .and_then(Value::as_str)
            .is_some_and(|c| Some(c) == one),
        "CONTAINS" => one.is_some_and(|o| array.contains(&o)),
        "CONTAINS_ANY" => array.iter().any(|c| any.contains(c)),
        _ => false,
    };
    ok.then_some(()).ok_or_else(|| {
        unauthorized(format!(
            "the bearer token's claim '{}' does not satisfy the runtime's customClaims rule ({op})",
            crate::domain::sanitize::one_line(name)
        ))
    })
}

fn quoted(values: &[&str]) -> String {
    let values: Vec<String> = values
        .iter()
        .map(|v| format!("'{}'", crate::domain::sanitize::one_line(v)))
        .collect();
    values.join(", ")
}

async fn discover(http: &HttpClient, discovery_url: &str) -> Result<Discovered, AwsError> {
    let doc = fetch(http, "discovery URL", discovery_url).await?;
    let field = |k: &str| {
        doc.get(k)
            .and_then(Value::as_str)
            .map(str::to_string)
            .ok_or_else(|| {
                AwsError::new(
                    StatusCode::FORBIDDEN,
                    "AccessDeniedException",
                    format!("the discovery document at '{discovery_url}' has no '{k}'"),
                )
            })
    };
    let issuer = field("issuer")?;
    let jwks_uri = field("jwks_uri")?;
    let jwks = fetch(http, "jwks_uri", &jwks_uri).await?;
    let keys: JwkSet = serde_json::from_value(jwks).map_err(|e| {
        AwsError::new(
            StatusCode::FORBIDDEN,
            "AccessDeniedException",
            format!("the JWKS at '{jwks_uri}' is not a JWK set: {e}"),
        )
    })?;
    Ok(Discovered { issuer, keys })
}

async fn fetch(http: &HttpClient, what: &str, url: &str) -> Result<Value, AwsError> {
    let denied = |m: String| AwsError::new(StatusCode::FORBIDDEN, "AccessDeniedException", m);
    loopback_url(what, url).map_err(denied)?;
    let req = hyper::Request::get(url)
        .header("accept", "application/json")
        .body(Body::empty())
        .map_err(|e| denied(format!("the {what} '{url}' cannot be requested: {e}")))?;
    let resp = tokio::time::timeout(FETCH_TIMEOUT, http.request(req))
        .await
        .map_err(|_| denied(format!("the {what} '{url}' did not answer in time")))?
        .map_err(|e| denied(format!("cannot fetch the {what} '{url}': {e}")))?;
    if !resp.status().is_success() {
        return Err(denied(format!(
            "the {what} '{url}' answered HTTP {}",
            resp.status().as_u16()
        )));
    }
    let body = Limited::new(resp.into_body(), MAX_DOC)
        .collect()
        .await
        .map_err(|e| denied(format!("cannot read the {what} '{url}': {e}")))?
        .to_bytes();
    serde_json::from_slice(&body).map_err(|_| denied(format!("the {what} '{url}' is not JSON")))
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn only_http_loopback_urls_are_fetched() {
        for ok in [
            "http://127.0.0.1:4590/_local/oidc/.well-known/openid-configuration",
            "http://localhost/x",
            "http://[::1]:8/x",
            "http://127.9.9.9/x",
        ] {
            assert!(loopback_url("discovery URL", ok).is_ok(), "{ok}");
        }
        for bad in [
            "https://cognito-idp.us-east-1.amazonaws.com/p/.well-known/openid-configuration",
            "http://10.0.0.1/x",
            "http://169.254.169.254/x",
            "https://127.0.0.1/x",
            "http://localhost.evil.example/x",
            "not a url",
        ] {
            let err = loopback_url("discovery URL", bad).expect_err(bad);
            assert!(
                err.contains("loopback") || err.contains("not a URL"),
                "{err}"
            );
        }
    }

    #[test]
    fn configured_lists_are_each_checked() {
        let both = json!({"allowedAudience": ["api"], "allowedClients": ["c1"]});
        assert!(allowed(&both, &json!({"aud": "api", "client_id": "c1"})).is_ok());
        assert!(allowed(&both, &json!({"aud": ["x", "api"], "client_id": "c1"})).is_ok());
        let e = allowed(&both, &json!({"aud": "other", "client_id": "c1"})).expect_err("aud");
        assert!(e.message.contains("allowedAudience"), "{}", e.message);
        let e = allowed(&both, &json!({"aud": "api", "client_id": "c2"})).expect_err("client");
        assert!(e.message.contains("allowedClients"), "{}", e.message);
        assert_eq!(e.status, StatusCode::UNAUTHORIZED);
        let clients = json!({"allowedClients": ["c1"]});
        assert!(allowed(&clients, &json!({"client_id": "c1"})).is_ok());
        assert!(allowed(&clients, &json!({"aud": "c1"})).is_err());
        assert!(allowed(&json!({}), &json!({})).is_ok());
    }

    #[test]
    fn scopes_and_custom_claims_are_checked() {
        let scoped = json!({"allowedScopes": ["read", "admin"]});
        assert!(allowed(&scoped, &json!({"scope": "write read"})).is_ok());
        assert!(allowed(&scoped, &json!({"scope": "write"})).is_err());
        assert!(allowed(&scoped, &json!({})).is_err());
        let rule = |name: &str, op: &str, value: Value| {
            json!({"customClaims": [{"inboundTokenClaimName": name, "inboundTokenClaimValueType": "STRING",
                "authorizingClaimMatchValue": {"claimMatchOperator": op, "claimMatchValue": value}}]})
        };
        let eq = rule("dept", "EQUALS", json!({"matchValueString": "eng"}));
        assert!(allowed(&eq, &json!({"dept": "eng"})).is_ok());
        assert!(allowed(&eq, &json!({"dept": "ops"})).is_err());
        let contains = rule("groups", "CONTAINS", json!({"matchValueString": "admin"}));
        assert!(allowed(&contains, &json!({"groups": ["x", "admin"]})).is_ok());
        assert!(allowed(&contains, &json!({"groups": ["x"]})).is_err());
        let any = rule(
            "groups",
            "CONTAINS_ANY",
            json!({"matchValueStringList": ["a", "b"]}),
        );
        assert!(allowed(&any, &json!({"groups": ["b"]})).is_ok());
        let e = allowed(&any, &json!({"groups": ["c"]})).expect_err("none");
        assert!(e.message.contains("'groups'"), "{}", e.message);
    }
}
