//! Running smoke checks over one MCP session: the health probe (`ping`), then every check's
//! `tools/call`, each timed and judged (`domain::smoke`). Every check runs, whatever the
//! others did; a call that cannot be made (unknown tool, arguments outside the input schema,
//! an MCP error) is that check's failure, not the run's.
//!
//! Deploy validation and the blue/green validation call [`run`] on the session they already
//! listed tools on; `smoke` and the rollout gate call [`run_on`], which opens one the way
//! `invoke` does (the runtime's authorizer decides SigV4 or bearer).

use std::sync::Arc;
use std::time::{Duration, Instant};

use rmcp::model::{ContentBlock, Tool};
use serde_json::Value;

use super::mcp::{McpError, McpSession, auth};
use super::runtimes::{list_endpoints, resolve};
use super::token::TokenSource;
use super::{BackendError, Clients};
use crate::domain::sanitize;
use crate::domain::smoke::{
    CheckResult, HealthResult, Observed, SmokeReport, SmokeSpec, judge, judge_health,
};

/// The most of an error message a reason keeps.
const MAX_REASON: usize = 300;

/// One smoke run against an endpoint: where it ran and what came of it.
#[derive(Debug, Clone, serde::Serialize)]
pub struct SmokeRun {
    pub runtime: String,
    pub qualifier: String,
    /// The version the qualifier served when the run began (None: the endpoint named none).
    pub version: Option<String>,
    pub report: SmokeReport,
}

/// Run the probe and every check on an open session whose tools are `tools`.
pub async fn run(s: &mut McpSession<'_>, tools: &[Tool], spec: &SmokeSpec) -> SmokeReport {
    let health = match &spec.health {
        Some(h) => {
            let started = Instant::now();
            let pinged = s.ping().await;
            let latency = started.elapsed();
            let reason = match pinged {
                Ok(()) => judge_health(h, latency),
                Err(e) => Some(format!("ping failed: {}", cut(&e.to_string()))),
            };
            Some(HealthResult {
                passed: reason.is_none(),
                latency_ms: millis(latency),
                reason,
            })
        }
        None => None,
    };
    let mut checks = Vec::with_capacity(spec.checks.len());
    for check in &spec.checks {
        let started = Instant::now();
        let called = s
            .call_tool(
                tools,
                &check.tool,
                Value::Object(check.arguments.clone()),
                None,
            )
            .await;
        let latency = started.elapsed();
        let reasons = match &called {
            Ok(result) => {
                let texts = result
                    .content
                    .iter()
                    .filter_map(|c| match c {
                        ContentBlock::Text(t) => Some(t.text.as_str()),
                        _ => None,
                    })
                    .collect();
                judge(
                    check,
                    &Observed {
                        is_error: result.is_error == Some(true),
                        texts,
                        structured: result.structured_content.as_ref(),
                        latency,
                    },
                )
            }
            Err(e) => vec![cut(&e.to_string())],
        };
        checks.push(CheckResult {
            name: sanitize::one_line(&check.name),
            tool: sanitize::one_line(&check.tool),
            passed: reasons.is_empty(),
            latency_ms: millis(latency),
            reason: (!reasons.is_empty()).then(|| reasons.join("; ")),
        });
    }
    SmokeReport { health, checks }
}

/// Open a session to `runtime` at `qualifier` (default: the environment's stable endpoint if
/// the runtime has it, else DEFAULT), list its tools and [`run`] the spec. `token` is
/// `--bearer-token`; without it a JWT runtime takes the environment's `token_command`.
pub async fn run_on(
    c: &Clients,
    runtime: &str,
    qualifier: Option<&str>,
    token: Option<Arc<TokenSource>>,
    spec: &SmokeSpec,
) -> Result<SmokeRun, McpError> {
    let rt = resolve(c, runtime).await?;
    let (qualifier, version) = target(c, rt.agent_runtime_id(), runtime, qualifier).await?;
    let arn = rt.agent_runtime_arn();
    let auth = auth::choose(c, arn, Some(&qualifier), token).await?;
    let mut s = McpSession::connect_with(c, arn, Some(&qualifier), auth).await?;
    let tools = s.list_tools().await?;
    let report = run(&mut s, &tools, spec).await;
    Ok(SmokeRun {
        runtime: rt.agent_runtime_name().to_string(),
        qualifier,
        version,
        report,
    })
}

/// The qualifier to call and the version it serves. A version number is itself; a name must
/// be one of the runtime's endpoints.
async fn target(
    c: &Clients,
    runtime_id: &str,
    runtime: &str,
    qualifier: Option<&str>,
) -> Result<(String, Option<String>), BackendError> {
    if let Some(q) = qualifier.filter(|q| !q.is_empty() && q.bytes().all(|b| b.is_ascii_digit())) {
        return Ok((q.to_string(), Some(q.to_string())));
    }
    let endpoints = list_endpoints(c, runtime_id).await?;
    let name = match qualifier {
        Some(q) => q.to_string(),
        None if endpoints.iter().any(|e| e.name == c.env.stable_endpoint()) => {
            c.env.stable_endpoint().to_string()
        }
        None => "DEFAULT".to_string(),
    };
    let Some(ep) = endpoints.iter().find(|e| e.name == name) else {
        let known: Vec<&str> = endpoints.iter().map(|e| e.name.as_str()).collect();
        return Err(BackendError::Other(format!(
            "{}: runtime `{runtime}` has no endpoint `{name}` (--qualifier takes one of: {}, or \
             a version number)",
            c.env.name,
            known.join(", ")
        )));
    };
    Ok((name, ep.live_version.clone()))
}

fn millis(d: Duration) -> u64 {
    u64::try_from(d.as_millis()).unwrap_or(u64::MAX)
}

/// An error as a reason: one line, no control characters, at most [`MAX_REASON`] characters.
fn cut(s: &str) -> String {
    let line = sanitize::one_line(s);
    if line.chars().count() <= MAX_REASON {
        return line;
    }
    let kept: String = line.chars().take(MAX_REASON).collect();
    format!("{kept}…")
}
