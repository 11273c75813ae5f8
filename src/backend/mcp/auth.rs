//! How a session authenticates to a runtime: SigV4 through the SDK (IAM, AWS's default), or a
//! bearer token over HTTPS when the runtime has a JWT authorizer. A token the caller gives
//! (`--bearer-token`) decides it; otherwise the configuration of the version the qualifier
//! serves does (GetAgentRuntime's `authorizerConfiguration`), and the token then comes from the
//! environment's `token_command`.

use std::sync::Arc;

use aws_sdk_bedrockagentcorecontrol::types::AuthorizerConfiguration;

use super::McpError;
use crate::backend::token::TokenSource;
use crate::backend::{BackendError, Clients};

/// How a session authenticates.
#[derive(Debug, Clone)]
pub enum Auth {
    /// The SDK's SigV4 signature (an IAM-authorized runtime).
    SigV4,
    /// `Authorization: Bearer` over HTTPS (a runtime with a JWT authorizer).
    Bearer(Arc<TokenSource>),
}

/// The discovery URL of a JWT authorizer, if that is what `authorizer` is.
pub fn jwt_discovery_url(authorizer: Option<&AuthorizerConfiguration>) -> Option<&str> {
    match authorizer {
        Some(AuthorizerConfiguration::CustomJwtAuthorizer(j)) => Some(j.discovery_url()),
        _ => None,
    }
}

/// The auth for a runtime whose authorizer is known: a given token wins; a JWT runtime takes
/// the environment's `token_command`, and without one it is an error that says what to do.
pub fn for_authorizer(
    c: &Clients,
    runtime: &str,
    discovery_url: Option<&str>,
    given: Option<Arc<TokenSource>>,
) -> Result<Auth, McpError> {
    if let Some(t) = given {
        return Ok(Auth::Bearer(t));
    }
    let Some(url) = discovery_url else {
        return Ok(Auth::SigV4);
    };
    match &c.tokens {
        Some(t) => Ok(Auth::Bearer(Arc::clone(t))),
        None => Err(McpError::NoToken {
            runtime: runtime.to_string(),
            env: c.env.name.clone(),
            issuer: issuer(url).to_string(),
        }),
    }
}

/// Look the runtime's authorizer up, then [`for_authorizer`]. When the lookup itself fails
/// (a caller allowed to invoke but not to read the control plane), SigV4 is tried: the
/// runtime's own answer then says what it wants.
pub async fn choose(
    c: &Clients,
    arn: &str,
    qualifier: Option<&str>,
    given: Option<Arc<TokenSource>>,
) -> Result<Auth, McpError> {
    if given.is_some() {
        return for_authorizer(c, arn, None, given);
    }
    match lookup(c, arn, qualifier).await {
        Ok((name, url)) => for_authorizer(c, &name, url.as_deref(), None),
        Err(e) => {
            tracing::debug!(env = %c.env.name, error = %e, "cannot read the runtime's authorizer; trying SigV4");
            Ok(Auth::SigV4)
        }
    }
}

/// The runtime's name and, for a JWT authorizer, its discovery URL, as configured on the
/// version `qualifier` serves (a number is a version; no qualifier is DEFAULT).
async fn lookup(
    c: &Clients,
    arn: &str,
    qualifier: Option<&str>,
) -> Result<(String, Option<String>), BackendError> {
    let id = runtime_id(arn)
        .ok_or_else(|| BackendError::Other(format!("`{arn}` is not a runtime ARN")))?;
    let version = match qualifier {
        Some(q) if q.bytes().all(|b| b.is_ascii_digit()) => Some(q.to_string()),
        _ => {
            let ep = c
                .control
                .get_agent_runtime_endpoint()
                .agent_runtime_id(id)
                .endpoint_name(qualifier.unwrap_or("DEFAULT"))
                .send()
                .await
                .map_err(|e| BackendError::sdk("GetAgentRuntimeEndpoint", e))?;
            ep.live_version()
                .or(ep.target_version())
                .map(str::to_string)
        }
    };
    let got = c
        .control
        .get_agent_runtime()
        .agent_runtime_id(id)
        .set_agent_runtime_version(version)
        .send()
        .await
        .map_err(|e| BackendError::sdk("GetAgentRuntime", e))?;
    Ok((
        got.agent_runtime_name().to_string(),
        jwt_discovery_url(got.authorizer_configuration()).map(str::to_string),
    ))
}

/// What AWS says to a call made with the other authorization method than the runtime's.
const MISMATCH: &str = "Authorization method mismatch";

/// A SigV4 call refused because the runtime wants bearer tokens (its authorizer could not be
/// read beforehand): say what to do.
pub(super) fn sigv4_refused(c: &Clients, e: BackendError) -> McpError {
    match &e {
        BackendError::Service { code, message, .. }
            if code == "AccessDeniedException" && message.contains(MISMATCH) =>
        {
            McpError::Refused(format!(
                "{e} (the runtime has a JWT authorizer, so it takes bearer tokens, not SigV4: \
                 pass --bearer-token @FILE|env:VAR or set token_command for `{}`)",
                c.env.name
            ))
        }
        _ => McpError::Backend(e),
    }
}

/// Whether a refusal of a bearer token says the runtime takes SigV4 (IAM) instead.
pub(super) fn is_mismatch(message: &str) -> bool {
    message.contains(MISMATCH)
}

/// `…:runtime/ID` → `ID`.
fn runtime_id(arn: &str) -> Option<&str> {
    arn.rsplit_once(":runtime/")
        .map(|(_, id)| id)
        .filter(|id| !id.is_empty() && !id.contains('/'))
}

/// The issuer a discovery URL belongs to (what a person recognises).
fn issuer(discovery_url: &str) -> &str {
    discovery_url
        .strip_suffix("/.well-known/openid-configuration")
        .unwrap_or(discovery_url)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_and_issuers() {
        assert_eq!(
            runtime_id("arn:aws:bedrock-agentcore:us-east-1:123456789012:runtime/w-Ab12"),
            Some("w-Ab12")
        );
        assert_eq!(runtime_id("w-Ab12"), None);
        assert_eq!(
            issuer("https://idp.example.com/pool/.well-known/openid-configuration"),
            "https://idp.example.com/pool"
        );
    }
}
