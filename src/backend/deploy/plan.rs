//! The calls a deploy makes, in order, as the CLI's confirmation and the console's preview
//! show them.

use super::{DeployRequest, Source, posture};
use crate::domain::posture::Posture;

/// The calls a deploy makes, in order, as the CLI's confirmation and the console's preview
/// show them, with the posture settings it applies and what it weakens.
pub fn plan(req: &DeployRequest, environment_posture: &Posture) -> Vec<String> {
    let intended = posture::overlay(&req.posture, environment_posture);
    let mut plan = vec![];
    if matches!(req.source, Source::Dir { .. }) {
        plan.push("PutObject (zip of the directory, SSE AES256)".to_string());
    }
    plan.push(format!(
        "CreateAgentRuntime or UpdateAgentRuntime {}",
        req.runtime
    ));
    let mut lines = posture::plan_lines(&intended);
    let retention = intended
        .log_retention_days
        .is_some()
        .then(|| lines.pop())
        .flatten();
    plan.extend(lines);
    plan.push("InvokeAgentRuntime (MCP initialize, tools/list) to validate".into());
    if let Some(spec) = &req.smoke {
        plan.push(format!(
            "InvokeAgentRuntime ({}) on the new version; any failure fails validation",
            spec.describe()
        ));
    }
    if let Some(e) = &req.endpoint {
        plan.push(format!(
            "UpdateAgentRuntimeEndpoint {e} (or CreateAgentRuntimeEndpoint)"
        ));
    }
    plan.extend(retention);
    for w in environment_posture.weakened_by(&intended) {
        plan.push(format!("WARNING: weakens the environment's posture: {w}"));
    }
    plan
}
