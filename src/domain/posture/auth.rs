//! Who may invoke a runtime: SigV4-signed IAM callers (AWS's default), or bearer tokens checked
//! by a custom JWT authorizer against an OpenID discovery document.

use serde::{Deserialize, Serialize};

use super::PostureError;
use crate::domain::environment::is_loopback_url;

const DISCOVERY_SUFFIX: &str = "/.well-known/openid-configuration";

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "SCREAMING_SNAKE_CASE")]
pub enum InboundAuth {
    Iam,
    Jwt {
        discovery_url: String,
        allowed_audiences: Vec<String>,
        allowed_clients: Vec<String>,
    },
}

impl InboundAuth {
    /// A custom JWT authorizer, checked against AWS's constraints.
    pub fn jwt(
        discovery_url: String,
        allowed_audiences: Vec<String>,
        allowed_clients: Vec<String>,
    ) -> Result<Self, PostureError> {
        let auth = Self::Jwt {
            discovery_url,
            allowed_audiences,
            allowed_clients,
        };
        auth.validate()?;
        Ok(auth)
    }

    pub fn validate(&self) -> Result<(), PostureError> {
        let Self::Jwt {
            discovery_url,
            allowed_audiences,
            allowed_clients,
        } = self
        else {
            return Ok(());
        };
        check_discovery_url(discovery_url)?;
        if allowed_audiences.is_empty() && allowed_clients.is_empty() {
            return Err(PostureError::new(
                "allowed_audiences",
                "a JWT authorizer needs at least one allowed audience or allowed client \
                 (otherwise it accepts no token)"
                    .into(),
            ));
        }
        for (field, list) in [
            ("allowed_audiences", allowed_audiences),
            ("allowed_clients", allowed_clients),
        ] {
            if let Some(i) = list.iter().position(|s| s.trim().is_empty()) {
                return Err(
                    PostureError::new(field, "must not hold an empty string".into()).item(i),
                );
            }
        }
        Ok(())
    }

    pub fn is_jwt(&self) -> bool {
        matches!(self, Self::Jwt { .. })
    }
}

/// AWS wants `…/.well-known/openid-configuration`; https, except a loopback issuer (the local
/// AgentCore's) which is served over plain http.
fn check_discovery_url(url: &str) -> Result<(), PostureError> {
    let fail = |why: &str| Err(PostureError::new("discovery_url", format!("`{url}` {why}")));
    let rest = if let Some(rest) = url.strip_prefix("https://") {
        rest
    } else if let Some(rest) = url.strip_prefix("http://") {
        if !is_loopback_url(url) {
            return fail("must use https:// (http:// only for a loopback issuer)");
        }
        rest
    } else {
        return fail("must be an https:// URL");
    };
    let host = rest.split(['/', '?', '#']).next().unwrap_or_default();
    if host.is_empty() || rest.contains(char::is_whitespace) {
        return fail("has no host");
    }
    if !rest.ends_with(DISCOVERY_SUFFIX) {
        return fail(&format!(
            "must end with {DISCOVERY_SUFFIX} (the issuer's discovery document)"
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn jwt(url: &str, aud: &[&str], clients: &[&str]) -> Result<InboundAuth, PostureError> {
        let v = |l: &[&str]| l.iter().map(|s| s.to_string()).collect();
        InboundAuth::jwt(url.into(), v(aud), v(clients))
    }

    #[test]
    fn good_authorizers_are_accepted() {
        for (url, aud, clients) in [
            (
                "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_AbC/.well-known/openid-configuration",
                &["api"][..],
                &[][..],
            ),
            (
                "https://idp.example.com/.well-known/openid-configuration",
                &[],
                &["client-1"],
            ),
            (
                "http://127.0.0.1:4590/local/issuer/.well-known/openid-configuration",
                &["a"],
                &["c"],
            ),
            (
                "http://localhost:8080/.well-known/openid-configuration",
                &["a"],
                &[],
            ),
            (
                "http://[::1]:80/.well-known/openid-configuration",
                &["a"],
                &[],
            ),
        ] {
            assert!(jwt(url, aud, clients).is_ok(), "{url}");
        }
        assert_eq!(InboundAuth::Iam.validate(), Ok(()));
    }

    #[test]
    fn bad_authorizers_are_refused_naming_the_field() {
        let cases = [
            (
                "http://idp.example.com/.well-known/openid-configuration",
                "discovery_url",
                "https://",
            ),
            (
                "ftp://idp.example.com/.well-known/openid-configuration",
                "discovery_url",
                "https://",
            ),
            (
                "https://idp.example.com/",
                "discovery_url",
                "/.well-known/openid-configuration",
            ),
            (
                "https://idp.example.com/.well-known/openid-configuration/x",
                "discovery_url",
                "must end",
            ),
            (
                "https:///.well-known/openid-configuration",
                "discovery_url",
                "no host",
            ),
            (
                "https://idp .example.com/.well-known/openid-configuration",
                "discovery_url",
                "no host",
            ),
        ];
        for (url, field, needle) in cases {
            let e = jwt(url, &["a"], &[]).expect_err(url);
            assert_eq!(e.field, field, "{e}");
            assert!(e.message.contains(needle), "{url}: {e}");
        }
        let ok = "https://idp.example.com/.well-known/openid-configuration";
        let e = jwt(ok, &[], &[]).expect_err("no audience or client");
        assert!(
            e.message
                .contains("at least one allowed audience or allowed client"),
            "{e}"
        );
        let e = jwt(ok, &["a"], &["c", " "]).expect_err("blank client");
        assert_eq!((e.field, e.item), ("allowed_clients", Some(1)));
    }
}
