//! Response shapes of the control plane, with the member names of the service model.

use serde_json::{Map, Value, json};

use super::super::state::{EndpointRec, RuntimeRec, VersionRec, status};

/// The runtime status a caller sees: DELETING wins, else the latest version's.
pub fn runtime_status(rt: &RuntimeRec) -> &str {
    if rt.deleting {
        return status::DELETING;
    }
    rt.latest().map_or(status::CREATING, |v| v.status.as_str())
}

/// `AgentRuntime` (list items): one per runtime, or one per version.
pub fn summary(rt: &RuntimeRec, v: &VersionRec, status: &str) -> Value {
    let mut m = json!({
        "agentRuntimeArn": rt.arn,
        "agentRuntimeId": rt.id,
        "agentRuntimeVersion": v.version.to_string(),
        "agentRuntimeName": rt.name,
        "lastUpdatedAt": v.last_updated_at,
        "status": status,
    });
    if let Some(d) = v.config.get("description") {
        m["description"] = d.clone();
    } else {
        m["description"] = json!("");
    }
    m
}

/// GetAgentRuntime: the version's full configuration plus identity and status.
pub fn detail(rt: &RuntimeRec, v: &VersionRec, status: &str) -> Value {
    let mut m: Map<String, Value> = v.config.clone();
    m.insert("agentRuntimeArn".into(), json!(rt.arn));
    m.insert("agentRuntimeName".into(), json!(rt.name));
    m.insert("agentRuntimeId".into(), json!(rt.id));
    m.insert("agentRuntimeVersion".into(), json!(v.version.to_string()));
    m.insert("createdAt".into(), json!(v.created_at));
    m.insert("lastUpdatedAt".into(), json!(v.last_updated_at));
    m.insert("status".into(), json!(status));
    m.insert(
        "workloadIdentityDetails".into(),
        json!({ "workloadIdentityArn": rt.workload_identity_arn }),
    );
    if let Some(r) = &v.failure_reason {
        m.insert("failureReason".into(), json!(r));
    }
    Value::Object(m)
}

/// `AgentRuntimeEndpoint` and GetAgentRuntimeEndpoint.
pub fn endpoint(rt: &RuntimeRec, ep: &EndpointRec) -> Value {
    let mut m = json!({
        "name": ep.name,
        "id": ep.id,
        "targetVersion": ep.target_version.to_string(),
        "agentRuntimeEndpointArn": ep.arn,
        "agentRuntimeArn": rt.arn,
        "status": ep.status,
        "createdAt": ep.created_at,
        "lastUpdatedAt": ep.last_updated_at,
    });
    if let Some(v) = ep.live_version {
        m["liveVersion"] = json!(v.to_string());
    }
    if let Some(d) = &ep.description {
        m["description"] = json!(d);
    }
    if let Some(r) = &ep.failure_reason {
        m["failureReason"] = json!(r);
    }
    m
}
