//! A runtime's posture between the domain value and the control plane's shapes: what a deploy
//! sends (`Sdk`), and what a version is read back as (`read`). Log retention is not part of
//! the runtime on AWS (it is the log groups'), so it is carried beside, never sent here.

use aws_sdk_bedrockagentcorecontrol::types::{
    AuthorizerConfiguration, CustomJwtAuthorizerConfiguration, LifecycleConfiguration,
    NetworkConfiguration, NetworkMode, ProtocolConfiguration, RequestHeaderConfiguration,
    ServerProtocol, VpcConfig,
};

use super::BackendError;
use crate::domain::posture::{InboundAuth, Lifecycle, Network, Posture, Protocol};

/// The control-plane members of a posture; `None` leaves a member out of the request.
#[derive(Debug, Clone, Default)]
pub struct Sdk {
    pub network: Option<NetworkConfiguration>,
    pub authorizer: Option<AuthorizerConfiguration>,
    pub lifecycle: Option<LifecycleConfiguration>,
    pub protocol: Option<ProtocolConfiguration>,
    pub request_headers: Option<RequestHeaderConfiguration>,
}

fn built<T>(
    r: Result<T, aws_smithy_types::error::operation::BuildError>,
) -> Result<T, BackendError> {
    r.map_err(|e| BackendError::Other(e.to_string()))
}

/// The request members for `p`. IAM auth is AWS's default and has no member of its own: an
/// IAM posture sends no `authorizerConfiguration`.
pub fn to_sdk(p: &Posture) -> Result<Sdk, BackendError> {
    let network = match &p.network {
        None => None,
        Some(Network::Public) => Some(built(
            NetworkConfiguration::builder()
                .network_mode(NetworkMode::Public)
                .build(),
        )?),
        Some(Network::Vpc {
            subnets,
            security_groups,
        }) => Some(built(
            NetworkConfiguration::builder()
                .network_mode(NetworkMode::Vpc)
                .network_mode_config(built(
                    VpcConfig::builder()
                        .set_subnets(Some(subnets.clone()))
                        .set_security_groups(Some(security_groups.clone()))
                        .build(),
                )?)
                .build(),
        )?),
    };
    let authorizer = match &p.auth {
        None | Some(InboundAuth::Iam) => None,
        Some(InboundAuth::Jwt {
            discovery_url,
            allowed_audiences,
            allowed_clients,
        }) => Some(AuthorizerConfiguration::CustomJwtAuthorizer(built(
            CustomJwtAuthorizerConfiguration::builder()
                .discovery_url(discovery_url)
                .set_allowed_audience(
                    (!allowed_audiences.is_empty()).then(|| allowed_audiences.clone()),
                )
                .set_allowed_clients((!allowed_clients.is_empty()).then(|| allowed_clients.clone()))
                .build(),
        )?)),
    };
    let lifecycle = p.lifecycle.filter(|l| *l != Lifecycle::default()).map(|l| {
        LifecycleConfiguration::builder()
            .set_idle_runtime_session_timeout(l.idle_session_timeout_s.map(|s| s as i32))
            .set_max_lifetime(l.max_lifetime_s.map(|s| s as i32))
            .build()
    });
    let protocol = p
        .protocol
        .map(|proto| {
            built(
                ProtocolConfiguration::builder()
                    .server_protocol(ServerProtocol::from(proto.as_str()))
                    .build(),
            )
        })
        .transpose()?;
    let request_headers = p
        .request_headers
        .clone()
        .map(RequestHeaderConfiguration::RequestHeaderAllowlist);
    Ok(Sdk {
        network,
        authorizer,
        lifecycle,
        protocol,
        request_headers,
    })
}

/// A version's posture from its GetAgentRuntime members (retention is the caller's to add).
/// A member this build does not know (AWS added a variant) reads as not configured.
pub fn read(
    network: Option<&NetworkConfiguration>,
    authorizer: Option<&AuthorizerConfiguration>,
    lifecycle: Option<&LifecycleConfiguration>,
    protocol: Option<&ProtocolConfiguration>,
    request_headers: Option<&RequestHeaderConfiguration>,
) -> Posture {
    let network = network.and_then(|n| match n.network_mode() {
        NetworkMode::Public => Some(Network::Public),
        NetworkMode::Vpc => Some(Network::Vpc {
            subnets: n
                .network_mode_config()
                .map(|v| v.subnets().to_vec())
                .unwrap_or_default(),
            security_groups: n
                .network_mode_config()
                .map(|v| v.security_groups().to_vec())
                .unwrap_or_default(),
        }),
        _ => None,
    });
    let auth = match authorizer {
        // No authorizer is IAM: what AWS applies.
        None => Some(InboundAuth::Iam),
        Some(AuthorizerConfiguration::CustomJwtAuthorizer(j)) => Some(InboundAuth::Jwt {
            discovery_url: j.discovery_url().to_string(),
            allowed_audiences: j.allowed_audience().to_vec(),
            allowed_clients: j.allowed_clients().to_vec(),
        }),
        Some(_) => None,
    };
    let lifecycle = lifecycle.map(|l| Lifecycle {
        idle_session_timeout_s: l.idle_runtime_session_timeout().map(|s| s.max(0) as u32),
        max_lifetime_s: l.max_lifetime().map(|s| s.max(0) as u32),
    });
    let protocol = protocol.and_then(|p| {
        Protocol::ALL
            .into_iter()
            .find(|x| x.as_str() == p.server_protocol().as_str())
    });
    let request_headers = request_headers.and_then(|h| match h {
        RequestHeaderConfiguration::RequestHeaderAllowlist(l) => Some(l.clone()),
        _ => None,
    });
    Posture {
        network,
        auth,
        lifecycle,
        protocol,
        request_headers,
        log_retention_days: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn full() -> Posture {
        Posture {
            network: Some(Network::Vpc {
                subnets: vec!["subnet-0123456789abcdef0".into()],
                security_groups: vec!["sg-0123456789abcdef0".into()],
            }),
            auth: Some(InboundAuth::Jwt {
                discovery_url: "https://issuer.example.com/.well-known/openid-configuration".into(),
                allowed_audiences: vec!["prod".into()],
                allowed_clients: vec![],
            }),
            lifecycle: Some(Lifecycle {
                idle_session_timeout_s: Some(600),
                max_lifetime_s: Some(3600),
            }),
            protocol: Some(Protocol::Mcp),
            request_headers: Some(vec![
                "X-Amzn-Bedrock-AgentCore-Runtime-Custom-Tenant".into(),
            ]),
            log_retention_days: None,
        }
    }

    #[test]
    fn every_member_round_trips() {
        let p = full();
        let s = to_sdk(&p).unwrap();
        let back = read(
            s.network.as_ref(),
            s.authorizer.as_ref(),
            s.lifecycle.as_ref(),
            s.protocol.as_ref(),
            s.request_headers.as_ref(),
        );
        assert_eq!(back, p);
    }

    #[test]
    fn iam_sends_no_authorizer_and_reads_back_as_iam() {
        let p = Posture {
            auth: Some(InboundAuth::Iam),
            network: Some(Network::Public),
            ..Posture::default()
        };
        let s = to_sdk(&p).unwrap();
        assert!(s.authorizer.is_none());
        assert_eq!(s.network.unwrap().network_mode(), &NetworkMode::Public);
        assert_eq!(
            read(None, None, None, None, None).auth,
            Some(InboundAuth::Iam)
        );
    }
}
