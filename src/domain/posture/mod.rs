//! A runtime's posture: network, inbound auth, lifecycle, protocol, request-header allowlist and
//! log retention, each `None` when not configured. Every value is checked against AWS's
//! constraints here (before any call); `weakened_by` says what a deploy would weaken against
//! an environment's configured posture, `diff` lists what differs for `runtime diff`.
//!
//! Adding a setting: a field here, its check in `validate`, its rows in `rows`, and, when
//! lowering it makes a runtime less safe, a sentence in `weakened_by`.

mod auth;
mod headers;
mod lifecycle;
mod network;
mod retention;

use serde::{Deserialize, Serialize};

pub use auth::InboundAuth;
pub use headers::{CUSTOM_PREFIX, MAX_HEADERS, validate as validate_request_headers};
pub use lifecycle::{LIFECYCLE_RANGE_S, Lifecycle, Protocol, seconds};
pub use network::{MAX_IDS, Network};
pub use retention::{RETENTION_DAYS, validate as validate_retention_days};

/// A value outside AWS's constraints: the field (as the environments file names it), the item
/// of a list when one item is at fault, and what is allowed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{field}{}: {message}", item.map(|i| format!("[{}]", i + 1)).unwrap_or_default())]
pub struct PostureError {
    pub field: &'static str,
    /// Index into the field's list, from 0.
    pub item: Option<usize>,
    pub message: String,
}

impl PostureError {
    pub fn new(field: &'static str, message: String) -> Self {
        Self {
            field,
            item: None,
            message,
        }
    }

    pub fn item(mut self, index: usize) -> Self {
        self.item = Some(index);
        self
    }
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Posture {
    pub network: Option<Network>,
    pub auth: Option<InboundAuth>,
    pub lifecycle: Option<Lifecycle>,
    pub protocol: Option<Protocol>,
    pub request_headers: Option<Vec<String>>,
    pub log_retention_days: Option<u32>,
}

impl Posture {
    pub fn is_configured(&self) -> bool {
        *self != Self::default()
    }

    /// Every setting against AWS's constraints, and the one rule across settings: AgentCore
    /// passes `Authorization` on only to a runtime with a JWT authorizer.
    pub fn validate(&self) -> Result<(), PostureError> {
        if let Some(n) = &self.network {
            n.validate()?;
        }
        if let Some(a) = &self.auth {
            a.validate()?;
        }
        if let Some(l) = &self.lifecycle {
            l.validate()?;
        }
        if let Some(h) = &self.request_headers {
            headers::validate(h)?;
            if let (Some(i), Some(InboundAuth::Iam)) = (headers::has_authorization(h), &self.auth) {
                return Err(PostureError::new(
                    "request_headers",
                    "`Authorization` is passed on only with auth = \"jwt\" (a custom JWT \
                     authorizer); with IAM the header carries the SigV4 signature"
                        .into(),
                )
                .item(i));
            }
        }
        if let Some(d) = self.log_retention_days {
            retention::validate(d)?;
        }
        Ok(())
    }

    /// What `deploy` (the posture a deploy gives the runtime) weakens against `self` (the
    /// environment's configured posture), one sentence each. A deploy's unset network is
    /// PUBLIC and its unset auth IAM (what AWS applies when none is sent); its unset retention
    /// leaves the log groups as they are.
    pub fn weakened_by(&self, deploy: &Posture) -> Vec<String> {
        let mut out = Vec::new();
        if let Some(InboundAuth::Jwt { discovery_url, .. }) = &self.auth
            && !deploy.auth.as_ref().is_some_and(InboundAuth::is_jwt)
        {
            let how = if deploy.auth.is_some() {
                "replaces the JWT authorizer with IAM"
            } else {
                "drops the JWT authorizer (the runtime would take IAM callers)"
            };
            out.push(format!(
                "{how}; the environment requires tokens from {discovery_url}"
            ));
        }
        if let Some(Network::Vpc { subnets, .. }) = &self.network
            && !matches!(deploy.network, Some(Network::Vpc { .. }))
        {
            out.push(format!(
                "leaves the VPC for the public network; the environment runs in subnets {}",
                subnets.join(", ")
            ));
        }
        if let (Some(required), Some(given)) = (self.log_retention_days, deploy.log_retention_days)
            && given < required
        {
            out.push(format!(
                "shortens log retention from {required} to {given} days"
            ));
        }
        out
    }

    /// `(field, self's value, other's value)` for every setting that differs, in a fixed order;
    /// `-` is "not configured".
    pub fn diff(&self, other: &Posture) -> Vec<(&'static str, String, String)> {
        self.rows()
            .into_iter()
            .zip(other.rows())
            .filter(|((_, l), (_, r))| l != r)
            .map(|((field, l), (_, r))| (field, l, r))
            .collect()
    }

    /// Every setting as shown in `runtime show` and `runtime diff`.
    pub fn rows(&self) -> Vec<(&'static str, String)> {
        let unset = || "-".to_string();
        let list = |l: &[String]| {
            if l.is_empty() { unset() } else { l.join(", ") }
        };
        let (subnets, groups) = match &self.network {
            Some(Network::Vpc {
                subnets,
                security_groups,
            }) => (list(subnets), list(security_groups)),
            _ => (unset(), unset()),
        };
        let (url, audiences, clients) = match &self.auth {
            Some(InboundAuth::Jwt {
                discovery_url,
                allowed_audiences,
                allowed_clients,
            }) => (
                discovery_url.clone(),
                list(allowed_audiences),
                list(allowed_clients),
            ),
            _ => (unset(), unset(), unset()),
        };
        let life = self.lifecycle.unwrap_or_default();
        let secs = |s: Option<u32>| s.map_or_else(unset, seconds);
        vec![
            (
                "network",
                self.network
                    .as_ref()
                    .map_or_else(unset, |n| n.mode().to_string()),
            ),
            ("subnets", subnets),
            ("security_groups", groups),
            (
                "auth",
                self.auth.as_ref().map_or_else(unset, |a| match a {
                    InboundAuth::Iam => "IAM".into(),
                    InboundAuth::Jwt { .. } => "JWT".into(),
                }),
            ),
            ("discovery_url", url),
            ("allowed_audiences", audiences),
            ("allowed_clients", clients),
            ("idle_session_timeout", secs(life.idle_session_timeout_s)),
            ("max_lifetime", secs(life.max_lifetime_s)),
            (
                "protocol",
                self.protocol.map_or_else(unset, |p| p.as_str().to_string()),
            ),
            (
                "request_headers",
                self.request_headers.as_deref().map_or_else(unset, list),
            ),
            (
                "log_retention_days",
                self.log_retention_days
                    .map_or_else(unset, |d| d.to_string()),
            ),
        ]
    }
}

#[cfg(test)]
mod tests;
