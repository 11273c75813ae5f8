//! Response shapes for gateways, targets and rules.

use serde_json::{Value, json};

use crate::emulator::state::{GatewayRec, RuleRec, TargetRec};

/// The loopback URL of a gateway's MCP endpoint on this server.
pub fn gateway_url(g: &GatewayRec, base_url: &str) -> String {
    format!("{base_url}/_gateway/{}/mcp", g.id)
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
