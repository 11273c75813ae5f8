//! Create the runtime, or update it with its current configuration carried over; the posture
//! sent is `intended` over the current version's over AWS's defaults (`posture::sent`).

use aws_sdk_bedrockagentcorecontrol::types::{AgentRuntime, AgentRuntimeArtifact};

use super::{DeployRequest, posture};
use crate::backend::posture::{read, to_sdk};
use crate::backend::{BackendError, Clients};
use crate::domain::lineage::without_lineage;
use crate::domain::posture::Posture;

/// What a submit created: id, ARN, version, whether the runtime is new.
type Submitted = (String, String, String, bool);

/// CreateAgentRuntime, or UpdateAgentRuntime carrying the current configuration over (an
/// update is a full re-specification on AWS). Returns the posture sent.
pub(super) async fn submit(
    c: &Clients,
    environment: &crate::domain::Environment,
    req: &DeployRequest,
    (existing, intended): (Option<&AgentRuntime>, &Posture),
    artifact: AgentRuntimeArtifact,
) -> Result<(Submitted, Posture), BackendError> {
    let Some(rt) = existing else {
        let role = create_role(environment, req)?;
        let sent = posture::sent(intended, None)?;
        let m = to_sdk(&sent)?;
        let mut create = c
            .control
            .create_agent_runtime()
            .agent_runtime_name(&req.runtime)
            .agent_runtime_artifact(artifact)
            .role_arn(role)
            .set_network_configuration(m.network)
            .set_protocol_configuration(m.protocol)
            .set_authorizer_configuration(m.authorizer)
            .set_lifecycle_configuration(m.lifecycle)
            .set_request_header_configuration(m.request_headers)
            .set_description(req.description.clone());
        for (k, v) in &req.env_vars {
            create = create.environment_variables(k, v.expose());
        }
        let out = create
            .send()
            .await
            .map_err(|e| BackendError::sdk("CreateAgentRuntime", e))?;
        return Ok((
            (
                out.agent_runtime_id,
                out.agent_runtime_arn,
                out.agent_runtime_version,
                true,
            ),
            sent,
        ));
    };
    let current = c
        .control
        .get_agent_runtime()
        .agent_runtime_id(rt.agent_runtime_id())
        .send()
        .await
        .map_err(|e| BackendError::sdk("GetAgentRuntime", e))?;
    let current_posture = read(
        current.network_configuration(),
        current.authorizer_configuration(),
        current.lifecycle_configuration(),
        current.protocol_configuration(),
        current.request_header_configuration(),
    );
    let sent = posture::sent(intended, Some(&current_posture))?;
    let m = to_sdk(&sent)?;
    // Carried over unless set or unset: an update is code, not a reset of its configuration.
    let mut vars = current.environment_variables().cloned().unwrap_or_default();
    vars.retain(|k, _| !req.unset_env.contains(k));
    vars.extend(
        req.env_vars
            .iter()
            .map(|(k, v)| (k.clone(), v.expose().to_string())),
    );
    let out = c
        .control
        .update_agent_runtime()
        .agent_runtime_id(rt.agent_runtime_id())
        .agent_runtime_artifact(artifact)
        .role_arn(
            req.role_arn
                .clone()
                .unwrap_or_else(|| current.role_arn().to_string()),
        )
        .set_network_configuration(m.network)
        .set_protocol_configuration(m.protocol)
        // A lineage is the promoted version's alone: a version built otherwise keeps the rest.
        .set_description(req.description.clone().or_else(|| {
            current
                .description()
                .map(without_lineage)
                .filter(|d| !d.is_empty())
        }))
        .set_lifecycle_configuration(m.lifecycle)
        .set_authorizer_configuration(m.authorizer)
        .set_request_header_configuration(m.request_headers)
        .set_environment_variables(Some(vars))
        .send()
        .await
        .map_err(|e| BackendError::sdk("UpdateAgentRuntime", e))?;
    Ok((
        (
            out.agent_runtime_id,
            out.agent_runtime_arn,
            out.agent_runtime_version,
            false,
        ),
        sent,
    ))
}

/// The execution role a new runtime gets: `--role-arn`, else the environment's, else (on the
/// local AgentCore) a stand-in.
pub(super) fn create_role(
    environment: &crate::domain::Environment,
    req: &DeployRequest,
) -> Result<String, BackendError> {
    req.role_arn
        .clone()
        .or_else(|| environment.role_arn.clone())
        .or_else(|| {
            environment.is_loopback().then(|| {
                let account = environment.account_id.as_deref().unwrap_or("123456789012");
                format!("arn:aws:iam::{account}:role/AgentCoreRuntimeLocal")
            })
        })
        .ok_or_else(|| {
            BackendError::Other(
                "deploy needs an execution role: set role_arn in the environments file or pass \
                 --role-arn"
                    .into(),
            )
        })
}
