//! After the new version is submitted: wait for it, validate it by its number, then move the
//! named endpoint, unless another deploy created a newer version meanwhile.
//!
//! Two deploys to one runtime each get their own version, and DEFAULT follows the newest. So
//! the older one must neither wait for DEFAULT to serve it (it never will) nor validate through
//! DEFAULT (it would check the other's code), nor move the endpoint backwards past the newer
//! version: it validates its version by number, says which version is newer, and stops.

use aws_sdk_bedrockagentcorecontrol::types::ServerProtocol;

use super::{DeployRequest, EndpointMove, Progress, Stage, point};
use crate::backend::mcp::{McpSession, auth};
use crate::backend::runtimes::wait_until_settled;
use crate::backend::smoke;
use crate::backend::{BackendError, Clients, wait};
use crate::domain::Status;
use crate::domain::smoke::{SmokeReport, SmokeSpec};

/// Wait for READY, validate with `tools/list`, move the endpoint. `default_serves` is set to
/// the version DEFAULT serves (or is moving to) once that is known.
pub(super) async fn finish(
    c: &Clients,
    req: &DeployRequest,
    (id, arn, version): (&str, &str, &str),
    endpoint_before: Option<&str>,
    default_serves: &mut Option<String>,
    progress: Progress<'_>,
) -> Result<(Validated, Option<EndpointMove>), BackendError> {
    progress(Stage::Waiting {
        status: "CREATING".into(),
    });
    let status = wait_until_settled(c, id, Some(version), req.timeout).await?;
    if status != Status::Ready {
        let got = c
            .control
            .get_agent_runtime()
            .agent_runtime_id(id)
            .agent_runtime_version(version)
            .send()
            .await;
        let reason = got
            .ok()
            .and_then(|g| g.failure_reason().map(str::to_string))
            .unwrap_or_default();
        return Err(BackendError::Other(format!(
            "version {version} is {status}: {reason}"
        )));
    }
    progress(Stage::Waiting {
        status: "READY".into(),
    });
    let newer = default_or_newer(c, id, version, req.timeout).await?;
    *default_serves = Some(newer.clone().unwrap_or_else(|| version.to_string()));
    let named = || match (req.endpoint.as_deref(), endpoint_before) {
        (Some(ep), Some(v)) => {
            format!("named endpoints were not moved (`{ep}` still serves version {v})")
        }
        _ => "named endpoints were not moved".into(),
    };
    let (tools, smoke) = match validate(c, id, arn, version, req.smoke.as_ref()).await {
        Ok(found) => found,
        Err(e) => {
            let default = match &newer {
                None => format!(
                    "Version {version} is READY and DEFAULT already serves it (DEFAULT follows \
                     the latest version, as on AWS)"
                ),
                Some(n) => format!(
                    "Version {version} is READY; DEFAULT serves version {n}, which another \
                     deploy created since"
                ),
            };
            let message = format!(
                "validation failed: {e}. {default}; {}. To keep callers off it, point them at a \
                 named endpoint, or deploy a fixed version",
                named()
            );
            return Err(match e {
                Invalid::Smoke(_) => BackendError::SmokeFailed(message),
                Invalid::Other(_) => BackendError::Other(message),
            });
        }
    };
    if let Some(t) = tools {
        progress(Stage::Validated { tools: t });
    }
    if let Some(r) = &smoke {
        progress(Stage::SmokeChecked {
            passed: r.passed(),
            total: r.total(),
        });
    }
    // Checked again just before the move: the other deploy may have started after the wait.
    let newer = match newer {
        Some(n) => Some(n),
        None => newer_version(c, id, version).await?,
    };
    if let Some(n) = newer {
        let validated = tools.map_or_else(String::new, |t| format!(" and lists {t} tools"));
        return Err(BackendError::Other(format!(
            "another deploy created version {n} of this runtime after this deploy's version \
             {version}: version {n} is the latest, and DEFAULT follows it. Version {version} is \
             READY{validated}; {}, so as not to move them behind version {n}. To serve version \
             {version} anyway: `point --endpoint NAME --version {version}`",
            named()
        )));
    }
    let moved = match &req.endpoint {
        Some(name) => {
            let m = point(c, id, name, version, req.timeout)
                .await
                .map_err(|e| move_failed(&e, req, name, version, endpoint_before))?;
            progress(Stage::EndpointMoved {
                endpoint: name.clone(),
                version: version.to_string(),
            });
            Some(m)
        }
        None => None,
    };
    Ok(((tools, smoke), moved))
}

/// What validation found: the tools listed (None: not an MCP runtime) and the smoke checks'
/// report (None: none were asked for).
type Validated = (Option<usize>, Option<SmokeReport>);

/// Why validation failed.
#[derive(Debug)]
enum Invalid {
    /// Smoke checks ran and some failed.
    Smoke(SmokeReport),
    Other(String),
}

impl std::fmt::Display for Invalid {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Invalid::Smoke(r) => f.write_str(&r.summary()),
            Invalid::Other(e) => f.write_str(e),
        }
    }
}

/// MCP `initialize` and `tools/list` on `version` itself (the version number as qualifier),
/// not on DEFAULT, which may already serve another deploy's version, then the smoke checks
/// on the same session. No tool count: not an MCP runtime.
async fn validate(
    c: &Clients,
    id: &str,
    arn: &str,
    version: &str,
    smoke: Option<&SmokeSpec>,
) -> Result<Validated, Invalid> {
    let got = c
        .control
        .get_agent_runtime()
        .agent_runtime_id(id)
        .agent_runtime_version(version)
        .send()
        .await
        .map_err(|e| Invalid::Other(BackendError::sdk("GetAgentRuntime", e).to_string()))?;
    let mcp = got
        .protocol_configuration()
        .is_some_and(|p| p.server_protocol() == &ServerProtocol::Mcp);
    if !mcp {
        return match smoke {
            Some(_) => Err(Invalid::Other(
                "smoke checks need an MCP runtime (its protocol is not MCP): deploy with \
                 --no-smoke"
                    .into(),
            )),
            None => Ok((None, None)),
        };
    }
    let fail = |e: crate::backend::mcp::McpError| Invalid::Other(e.to_string());
    // A JWT runtime is validated with the environment's token_command, as a caller would.
    let auth = auth::for_authorizer(
        c,
        got.agent_runtime_name(),
        auth::jwt_discovery_url(got.authorizer_configuration()),
        None,
    )
    .map_err(fail)?;
    let mut s = McpSession::connect_with(c, arn, Some(version), auth)
        .await
        .map_err(fail)?;
    let tools = s.list_tools().await.map_err(fail)?;
    let report = match smoke {
        Some(spec) => Some(smoke::run(&mut s, &tools, spec).await),
        None => None,
    };
    match report {
        Some(r) if !r.all_passed() => Err(Invalid::Smoke(r)),
        report => Ok((Some(tools.len()), report)),
    }
}

/// Wait until DEFAULT serves `version` (None), or until a newer version exists (Some(it)):
/// then DEFAULT will never serve this one, and waiting longer would only time out.
async fn default_or_newer(
    c: &Clients,
    id: &str,
    version: &str,
    timeout: std::time::Duration,
) -> Result<Option<String>, BackendError> {
    wait::poll(
        timeout,
        || format!("endpoint DEFAULT does not serve version {version}"),
        || async {
            if let Some(n) = newer_version(c, id, version).await? {
                return Ok(Some(Some(n)));
            }
            let ep = c
                .control
                .get_agent_runtime_endpoint()
                .agent_runtime_id(id)
                .endpoint_name("DEFAULT")
                .send()
                .await
                .map_err(|e| BackendError::sdk("GetAgentRuntimeEndpoint", e))?;
            let status = Status::parse(ep.status().as_str());
            if status.is_failed() {
                return Err(BackendError::Other(format!(
                    "endpoint DEFAULT is {status}: {}",
                    ep.failure_reason().unwrap_or("no reason given")
                )));
            }
            let later = [ep.live_version(), ep.target_version()]
                .into_iter()
                .flatten()
                .find(|v| is_newer(v, version));
            if let Some(n) = later {
                return Ok(Some(Some(n.to_string())));
            }
            let serves = status == Status::Ready && ep.live_version() == Some(version);
            Ok(serves.then_some(None))
        },
    )
    .await
}

/// The runtime's latest version, if it is newer than `version`.
async fn newer_version(
    c: &Clients,
    id: &str,
    version: &str,
) -> Result<Option<String>, BackendError> {
    let latest = c
        .control
        .get_agent_runtime()
        .agent_runtime_id(id)
        .send()
        .await
        .map_err(|e| BackendError::sdk("GetAgentRuntime", e))?;
    let v = latest.agent_runtime_version();
    Ok(is_newer(v, version).then(|| v.to_string()))
}

/// Versions are numbers that only grow.
fn is_newer(candidate: &str, version: &str) -> bool {
    match (candidate.parse::<u64>(), version.parse::<u64>()) {
        (Ok(a), Ok(b)) => a > b,
        _ => false,
    }
}

/// The endpoint move failed after the version was created and validated: say what exists
/// now, and the command that finishes the job.
fn move_failed(
    e: &BackendError,
    req: &DeployRequest,
    endpoint: &str,
    version: &str,
    endpoint_before: Option<&str>,
) -> BackendError {
    let before = endpoint_before.map_or_else(
        || format!("`{endpoint}` did not exist before"),
        |v| format!("`{endpoint}` served version {v} before"),
    );
    BackendError::Other(format!(
        "moving endpoint `{endpoint}` to version {version} failed: {e}. Version {version} was \
         created, is READY, validated, and DEFAULT serves it; {before} (check with `runtime \
         show {rt}`). To finish: `point {rt} --endpoint {endpoint} --version {version}`",
        rt = req.runtime
    ))
}
