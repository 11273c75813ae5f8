//! The local AgentCore's own OpenID issuer, so JWT-protected runtimes can be called without a
//! real identity provider. Everything is under `<base>/_local/oidc` (base = the URL the request
//! came to), unsigned like the other `/_local/` admin paths:
//!
//! - `GET  …/_local/oidc/.well-known/openid-configuration`: the discovery document;
//! - `GET  …/_local/oidc/jwks.json`: the public key;
//! - `POST …/_local/oidc/token` `{audience?, client_id?, expires_in?, scope?}`:
//!   `{access_token, token_type: "Bearer", expires_in}`.
//!
//! The same module verifies bearer tokens on InvokeAgentRuntime ([`verify`]).

pub mod key;
pub mod token;
pub mod verify;

use std::path::Path;

use axum::body::Body;
use axum::http::{Method, Response, StatusCode};
use serde_json::{Value, json};

use crate::emulator::http::json_response;

/// Where the issuer lives under a base URL.
pub const ISSUER_PATH: &str = "/_local/oidc";

/// The issuer's key and the verifier's JWKS cache.
pub struct Oidc {
    pub key: key::SigningKey,
    pub verifier: verify::Verifier,
}

impl Oidc {
    pub fn open(state_dir: &Path) -> Result<Self, key::KeyError> {
        Ok(Self {
            key: key::SigningKey::load_or_create(state_dir)?,
            verifier: verify::Verifier::default(),
        })
    }

    /// Answer `/_local/oidc/<rest>`.
    pub fn handle(&self, method: &Method, rest: &str, base: &str, body: &[u8]) -> Response<Body> {
        let issuer = format!("{base}{ISSUER_PATH}");
        let path: Vec<&str> = rest.split('/').filter(|s| !s.is_empty()).collect();
        match (method.as_str(), path.as_slice()) {
            ("GET", [".well-known", "openid-configuration"]) => {
                json_response(StatusCode::OK, &discovery(&issuer))
            }
            ("GET", ["jwks.json"]) => json_response(StatusCode::OK, &json!(self.key.jwks())),
            ("POST", ["token"]) => self.token(&issuer, body),
            _ => error(
                StatusCode::NOT_FOUND,
                "invalid_request",
                format!(
                    "{method} {ISSUER_PATH}/{rest} is not an issuer path: use GET \
                     {ISSUER_PATH}/.well-known/openid-configuration, GET {ISSUER_PATH}/jwks.json \
                     or POST {ISSUER_PATH}/token"
                ),
            ),
        }
    }

    fn token(&self, issuer: &str, body: &[u8]) -> Response<Body> {
        let req = match token::TokenRequest::parse(body) {
            Ok(r) => r,
            Err(m) => return error(StatusCode::BAD_REQUEST, "invalid_request", m),
        };
        let now = time::OffsetDateTime::now_utc().unix_timestamp();
        let now = u64::try_from(now).unwrap_or_default();
        match token::issue(&self.key, issuer, &req, now) {
            Ok(t) => {
                // The token itself is never logged: only who it is for.
                tracing::info!(client_id = %req.client_id, audience = req.audience.as_deref().unwrap_or("-"), expires_in = req.expires_in, "local token issued");
                json_response(
                    StatusCode::OK,
                    &json!({"access_token": t, "token_type": "Bearer", "expires_in": req.expires_in}),
                )
            }
            Err(e) => error(
                StatusCode::INTERNAL_SERVER_ERROR,
                "server_error",
                format!("cannot sign the token: {e}"),
            ),
        }
    }
}

/// The OpenID Provider Metadata this issuer publishes.
fn discovery(issuer: &str) -> Value {
    json!({
        "issuer": issuer,
        "jwks_uri": format!("{issuer}/jwks.json"),
        "token_endpoint": format!("{issuer}/token"),
        "response_types_supported": ["token"],
        "grant_types_supported": ["client_credentials"],
        "subject_types_supported": ["public"],
        "id_token_signing_alg_values_supported": ["RS256"],
        "token_endpoint_auth_methods_supported": ["none"],
        "claims_supported": ["iss", "sub", "aud", "client_id", "iat", "nbf", "exp", "jti", "scope", "token_use"],
    })
}

/// An OAuth error body (RFC 6749 §5.2).
fn error(status: StatusCode, code: &str, description: String) -> Response<Body> {
    json_response(
        status,
        &json!({"error": code, "error_description": description}),
    )
}
