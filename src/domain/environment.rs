//! An environment: one AWS account and region (or one AgentCore-compatible endpoint).

use std::net::IpAddr;

/// A configured environment, validated.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize)]
pub struct Environment {
    /// The name used on the command line (`--env NAME`).
    pub name: String,
    /// AWS region; `None` means "take it from the profile or the default chain".
    pub region: Option<String>,
    /// AWS profile for the standard credential chain.
    pub profile: Option<String>,
    /// A custom endpoint (the local AgentCore or another AWS-compatible server).
    pub endpoint_url: Option<String>,
    /// Whether mutations are refused unless armed.
    pub read_only: bool,
    /// The gateway whose rules carry the canary split.
    pub gateway: Option<String>,
    /// The AWS account id, when known from the file.
    pub account_id: Option<String>,
    /// Bucket for code artifacts (derived from account and region when absent).
    pub artifact_bucket: Option<String>,
    /// Execution role for runtimes that `deploy` creates or updates.
    pub role_arn: Option<String>,
    /// The endpoint that serves stable traffic (default `live`).
    pub stable_endpoint: Option<String>,
    /// The endpoint that serves the canary (default `canary`).
    pub canary_endpoint: Option<String>,
    /// How `alarms apply` builds the standard alarms (`[environments.NAME.alarms]`).
    pub alarms: super::alarms::AlarmTemplate,
    /// Named rollout plans (`[environments.NAME.plans.PLAN]`), in file order.
    pub plans: Vec<super::rollout::plan::Plan>,
    /// The runtime posture deploys here get (`[environments.NAME.runtime]`); default: none.
    pub posture: super::posture::Posture,
    /// A program (run with `sh -c`) that prints a bearer token for runtimes with a JWT
    /// authorizer. Not serialised: `envs --output json` is not where a command line that may
    /// embed credentials belongs.
    #[serde(skip)]
    pub token_command: Option<String>,
}

impl Environment {
    /// `read_only` when the file says nothing: names starting with `prod` are protected.
    pub fn default_read_only(name: &str) -> bool {
        name.to_ascii_lowercase().starts_with("prod")
    }

    pub fn stable_endpoint(&self) -> &str {
        self.stable_endpoint.as_deref().unwrap_or("live")
    }

    pub fn canary_endpoint(&self) -> &str {
        self.canary_endpoint.as_deref().unwrap_or("canary")
    }

    /// True when the endpoint is a loopback address, so no AWS credentials are needed.
    pub fn is_loopback(&self) -> bool {
        self.endpoint_url.as_deref().is_some_and(is_loopback_url)
    }
}

/// Whether `url` is an `http(s)://` URL whose host is a loopback address or `localhost`.
pub fn is_loopback_url(url: &str) -> bool {
    let Some(rest) = url
        .strip_prefix("http://")
        .or_else(|| url.strip_prefix("https://"))
    else {
        return false;
    };
    let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
    let host = if let Some(v6) = authority.strip_prefix('[') {
        v6.split(']').next().unwrap_or_default()
    } else {
        authority.rsplit_once(':').map_or(authority, |(h, _)| h)
    };
    host.eq_ignore_ascii_case("localhost")
        || host.parse::<IpAddr>().is_ok_and(|ip| ip.is_loopback())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn loopback_urls() {
        assert!(is_loopback_url("http://127.0.0.1:4590"));
        assert!(is_loopback_url("http://localhost:1/x"));
        assert!(is_loopback_url("http://[::1]:80"));
        assert!(is_loopback_url("http://127.9.9.9"));
        assert!(!is_loopback_url(
            "https://bedrock-agentcore.us-east-1.amazonaws.com"
        ));
        assert!(!is_loopback_url("http://10.0.0.1:80"));
        assert!(!is_loopback_url("http://127.0.0.1.evil.com/"));
        assert!(!is_loopback_url("127.0.0.1:80"));
    }

    #[test]
    fn prod_names_are_protected_by_default() {
        assert!(Environment::default_read_only("prod"));
        assert!(Environment::default_read_only("Prod-eu"));
        assert!(Environment::default_read_only("production"));
        assert!(!Environment::default_read_only("staging"));
        assert!(!Environment::default_read_only("preprod"));
    }
}
