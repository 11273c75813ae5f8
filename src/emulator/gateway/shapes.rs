//! Response shapes for gateways, targets and rules.

use serde_json::{Value, json};

use crate::emulator::state::{GatewayRec, RuleRec, TargetRec};

/// The loopback URL of a gateway on this server: `/_gateway/<id>` stands for AWS's
/// `https://<id>.gateway.bedrock-agentcore.<region>.amazonaws.com`. An MCP gateway's URL is
/// its `/mcp` endpoint, as on AWS; a gateway without a protocol type (runtime targets) is
/// called on paths below its root, `/<name>/invocations`, which its rules match.
pub fn gateway_url(g: &GatewayRec, base_url: &str) -> String {
    let root = format!("{base_url}/_gateway/{}", g.id);
    match g.spec.get("protocolType").and_then(Value::as_str) {
        Some("MCP") => format!("{root}/mcp"),
        _ => root,
    }
}

fn spec(g: &GatewayRec, key: &str) -> Value {
    g.spec.get(key).cloned().unwrap_or(Value::Null)
}

pub fn gateway(g: &GatewayRec, base_url: &str) -> Value {
    let mut out = g.spec.clone();
    out.insert("gatewayId".into(), json!(g.id));
    out.insert("gatewayArn".into(), json!(g.arn));
    out.insert("gatewayUrl".into(), json!(gateway_url(g, base_url)));
    out.insert("status".into(), json!("READY"));
    out.insert("createdAt".into(), json!(g.created_at));
    out.insert("updatedAt".into(), json!(g.updated_at));
    out.retain(|_, v| !v.is_null());
    Value::Object(out)
}

pub fn gateway_summary(g: &GatewayRec) -> Value {
    let mut out = json!({
        "gatewayId": g.id, "name": spec(g, "name"), "status": "READY",
        "createdAt": g.created_at, "updatedAt": g.updated_at, "authorizerType": spec(g, "authorizerType"),
    });
    for key in ["description", "protocolType"] {
        if let Some(v) = g.spec.get(key) {
            out[key] = v.clone();
        }
    }
    out
}

pub fn target(g: &GatewayRec, t: &TargetRec) -> Value {
    let mut out = json!({
        "gatewayArn": g.arn, "targetId": t.id, "name": t.name, "status": "READY",
        "targetConfiguration": t.config, "createdAt": t.created_at, "updatedAt": t.updated_at,
    });
    if let Some(d) = &t.description {
        out["description"] = json!(d);
    }
    out
}

pub fn target_summary(t: &TargetRec) -> Value {
    let mut out = json!({
        "targetId": t.id, "name": t.name, "status": "READY", "createdAt": t.created_at, "updatedAt": t.updated_at,
    });
    if let Some(d) = &t.description {
        out["description"] = json!(d);
    }
    out
}

pub fn rule(g: &GatewayRec, r: &RuleRec) -> Value {
    let mut out = json!({
        "ruleId": r.id, "gatewayArn": g.arn, "priority": r.priority, "conditions": r.conditions,
        "actions": r.actions, "createdAt": r.created_at, "updatedAt": r.updated_at, "status": "ACTIVE",
    });
    if let Some(d) = &r.description {
        out["description"] = json!(d);
    }
    out
}
