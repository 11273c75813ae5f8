//! Gateways, gateway targets and gateway rules (restJson1), in the shapes of the AgentCore
//! control plane SDK. Gateways and targets are READY at once, rules ACTIVE at once: nothing
//! is provisioned behind them locally.

pub mod route;
mod rules;
mod shapes;
mod validate;

use axum::http::{Method, StatusCode};
use serde_json::{Value, json};

use super::control::{Ctx, Outcome, paging};
use super::http::{AwsError, Req};
use super::ids;
use super::state::{GatewayRec, RuleRec, TargetRec};

/// Route `/gateways…` control-plane requests.
pub fn dispatch(ctx: &mut Ctx<'_>, req: &Req, base_url: &str) -> Result<Outcome, AwsError> {
    let m = &req.method;
    match (m, req.path().as_slice()) {
        (&Method::POST, ["gateways"]) => create_gateway(ctx, req, base_url),
        (&Method::GET, ["gateways"]) => {
            let items = ctx
                .part
                .gateways
                .values()
                .map(|g| (g.id.clone(), shapes::gateway_summary(g)))
                .collect();
            list(req, items, "items")
        }
        (&Method::GET, ["gateways", id]) => Ok(read(shapes::gateway(gateway(ctx, id)?, base_url))),
        (&Method::DELETE, ["gateways", id]) => {
            let g = gateway(ctx, id)?;
            if !g.targets.is_empty() {
                return Err(AwsError::conflict(
                    "the gateway has targets; delete them first",
                ));
            }
            let id = g.id.clone();
            ctx.part.gateways.remove(&id);
            Ok(write(
                StatusCode::ACCEPTED,
                json!({ "gatewayId": id, "status": "DELETING" }),
            ))
        }
        (&Method::POST, ["gateways", id, "targets"]) => create_target(ctx, req, id),
        (&Method::GET, ["gateways", id, "targets"]) => {
            let g = gateway(ctx, id)?;
            let items = g
                .targets
                .values()
                .map(|t| (t.name.clone(), shapes::target_summary(t)))
                .collect();
            list(req, items, "items")
        }
        (&Method::GET, ["gateways", id, "targets", tid]) => {
            let g = gateway(ctx, id)?;
            Ok(read(shapes::target(g, target(g, tid)?)))
        }
        (&Method::DELETE, ["gateways", id, "targets", tid]) => {
            let g = gateway_mut(ctx, id)?;
            let name = target(g, tid)?.name.clone();
            if g.rules
                .values()
                .any(|r| validate::rule_targets(&r.actions).contains(&name))
            {
                return Err(AwsError::conflict(format!(
                    "target {name} is used by a rule"
                )));
            }
            let removed = g.targets.remove(*tid);
            let mut out = write(
                StatusCode::ACCEPTED,
                json!({ "gatewayArn": g.arn, "targetId": tid, "status": "DELETING" }),
            );
            // A target pinned to a version number has a process of its own: a settle of that
            // runtime stops what nothing references any more.
            let arn = removed
                .as_ref()
                .and_then(|t| t.config.pointer("/http/agentcoreRuntime/arn"))
                .and_then(Value::as_str);
            out.settle = ctx
                .part
                .runtimes
                .values()
                .find(|rt| Some(rt.arn.as_str()) == arn)
                .map(|rt| rt.id.clone());
            Ok(out)
        }
        (&Method::POST, ["gateways", id, "rules"]) => put_rule(ctx, req, id, None),
        (&Method::GET, ["gateways", id, "rules"]) => {
            let g = gateway(ctx, id)?;
            let items = g
                .rules
                .values()
                .map(|r| (format!("{:010}/{}", r.priority, r.id), shapes::rule(g, r)))
                .collect();
            list(req, items, "gatewayRules")
        }
        (&Method::GET, ["gateways", id, "rules", rid]) => {
            let g = gateway(ctx, id)?;
            Ok(read(shapes::rule(g, rule(g, rid)?)))
        }
        (&Method::PATCH, ["gateways", id, "rules", rid]) => put_rule(ctx, req, id, Some(rid)),
        (&Method::DELETE, ["gateways", id, "rules", rid]) => {
            let g = gateway_mut(ctx, id)?;
            rule(g, rid)?;
            g.rules.remove(*rid);
            Ok(write(
                StatusCode::OK,
                json!({ "ruleId": rid, "status": "DELETING" }),
            ))
        }
        _ => Err(AwsError::unknown_operation(
            m,
            &format!("/{}", req.segments.join("/")),
        )),
    }
}

fn read(body: Value) -> Outcome {
    Outcome {
        status: StatusCode::OK,
        body,
        settle: None,
        mutated: false,
    }
}

fn write(status: StatusCode, body: Value) -> Outcome {
    Outcome {
        status,
        body,
        settle: None,
        mutated: true,
    }
}

fn list(req: &Req, items: Vec<(String, Value)>, key: &str) -> Result<Outcome, AwsError> {
    let mut items = items;
    items.sort_by(|a, b| a.0.cmp(&b.0));
    let (page, next) = paging::page(req, items)?;
    let mut body = json!({ key: page });
    if let Some(t) = next {
        body["nextToken"] = json!(t);
    }
    Ok(read(body))
}

/// A gateway by id (or by name, as some callers pass it).
fn gateway<'a>(ctx: &'a Ctx<'_>, id: &str) -> Result<&'a GatewayRec, AwsError> {
    ctx.part
        .gateways
        .get(id)
        .or_else(|| {
            ctx.part
                .gateways
                .values()
                .find(|g| g.spec.get("name").and_then(Value::as_str) == Some(id))
        })
        .ok_or_else(|| AwsError::not_found(format!("Gateway {id} not found")))
}

fn gateway_mut<'a>(ctx: &'a mut Ctx<'_>, id: &str) -> Result<&'a mut GatewayRec, AwsError> {
    let key = gateway(ctx, id)?.id.clone();
    ctx.part
        .gateways
        .get_mut(&key)
        .ok_or_else(|| AwsError::not_found(format!("Gateway {id} not found")))
}

fn target<'a>(g: &'a GatewayRec, tid: &str) -> Result<&'a TargetRec, AwsError> {
    g.targets
        .get(tid)
        .ok_or_else(|| AwsError::not_found(format!("Target {tid} not found in gateway {}", g.id)))
}

fn rule<'a>(g: &'a GatewayRec, rid: &str) -> Result<&'a RuleRec, AwsError> {
    g.rules
        .get(rid)
        .ok_or_else(|| AwsError::not_found(format!("Rule {rid} not found in gateway {}", g.id)))
}

fn create_gateway(ctx: &mut Ctx<'_>, req: &Req, base_url: &str) -> Result<Outcome, AwsError> {
    let body = req.json()?;
    let name = validate::resource_name("name", body.get("name"))?;
    if ctx
        .part
        .gateways
        .values()
        .any(|g| g.spec.get("name").and_then(Value::as_str) == Some(name.as_str()))
    {
        return Err(AwsError::conflict(format!(
            "A gateway named '{name}' already exists"
        )));
    }
    let auth = body
        .get("authorizerType")
        .and_then(Value::as_str)
        .unwrap_or_default();
    if !matches!(
        auth,
        "CUSTOM_JWT" | "AWS_IAM" | "NONE" | "AUTHENTICATE_ONLY"
    ) {
        return Err(AwsError::field(
            "authorizerType",
            "must be one of CUSTOM_JWT, AWS_IAM, NONE, AUTHENTICATE_ONLY",
        ));
    }
    if let Some(p) = body
        .get("protocolType")
        .and_then(Value::as_str)
        .filter(|p| *p != "MCP")
    {
        return Err(AwsError::field(
            "protocolType",
            format!("'{p}' must be MCP"),
        ));
    }
    let id = format!(
        "{}-{}",
        name.to_ascii_lowercase(),
        ids::suffix(10).to_ascii_lowercase()
    );
    let now = ids::now_iso();
    let mut spec = body.clone();
    spec.remove("clientToken");
    let g = GatewayRec {
        arn: format!(
            "arn:aws:bedrock-agentcore:{}:{}:gateway/{id}",
            ctx.region, ctx.account
        ),
        id: id.clone(),
        spec,
        created_at: now.clone(),
        updated_at: now,
        targets: Default::default(),
        rules: Default::default(),
    };
    let out = shapes::gateway(&g, base_url);
    ctx.part.gateways.insert(id, g);
    Ok(write(StatusCode::ACCEPTED, out))
}

fn create_target(ctx: &mut Ctx<'_>, req: &Req, id: &str) -> Result<Outcome, AwsError> {
    let body = req.json()?;
    let name = validate::resource_name("name", body.get("name"))?;
    let config = body
        .get("targetConfiguration")
        .cloned()
        .unwrap_or(Value::Null);
    let runtimes = &ctx.part.runtimes;
    validate::target_config(&config, |arn, qualifier| {
        let rt_id = arn
            .rsplit_once("runtime/")
            .map(|(_, id)| id.split('/').next().unwrap_or_default())?;
        let rt = runtimes.get(rt_id).filter(|rt| rt.arn == arn)?;
        Some(qualifier.is_none_or(|q| {
            rt.endpoints.contains_key(q)
                || q.parse::<u32>().is_ok_and(|v| rt.versions.contains_key(&v))
        }))
    })?;
    let g = gateway_mut(ctx, id)?;
    if g.spec.get("protocolType").and_then(Value::as_str) == Some("MCP")
        && config.pointer("/http/agentcoreRuntime").is_some()
    {
        return Err(AwsError::field(
            "targetConfiguration",
            "runtime targets are not allowed on MCP-protocol gateways",
        ));
    }
    if g.targets.values().any(|t| t.name == name) {
        return Err(AwsError::conflict(format!(
            "A target named '{name}' already exists"
        )));
    }
    let now = ids::now_iso();
    let t = TargetRec {
        id: ids::suffix(10).to_ascii_uppercase(),
        name,
        description: body
            .get("description")
            .and_then(Value::as_str)
            .map(str::to_string),
        config,
        created_at: now.clone(),
        updated_at: now,
    };
    let out = shapes::target(g, &t);
    g.targets.insert(t.id.clone(), t);
    Ok(write(StatusCode::ACCEPTED, out))
}

/// CreateGatewayRule (rid None) or UpdateGatewayRule.
fn put_rule(
    ctx: &mut Ctx<'_>,
    req: &Req,
    id: &str,
    rid: Option<&str>,
) -> Result<Outcome, AwsError> {
    let body = req.json()?;
    let g = gateway_mut(ctx, id)?;
    let existing = rid.map(|r| rule(g, r).cloned()).transpose()?;
    let priority = match body.get("priority") {
        Some(p) => p
            .as_i64()
            .filter(|p| (1..=1_000_000).contains(p))
            .ok_or_else(|| AwsError::field("priority", "must be a positive integer"))?,
        None => existing
            .as_ref()
            .map(|r| r.priority)
            .ok_or_else(|| AwsError::field("priority", "Member must not be null"))?,
    };
    let actions = match body.get("actions") {
        Some(a) => a.clone(),
        None => existing
            .as_ref()
            .map(|r| r.actions.clone())
            .ok_or_else(|| AwsError::field("actions", "Member must not be null"))?,
    };
    let names: Vec<String> = g.targets.values().map(|t| t.name.clone()).collect();
    validate::actions(&actions, &names)?;
    validate::conditions(body.get("conditions"))?;
    // Priorities are unique within a gateway, for updates too.
    if let Some(other) = g
        .rules
        .values()
        .find(|r| r.priority == priority && Some(&r.id) != existing.as_ref().map(|e| &e.id))
    {
        return Err(AwsError::conflict(format!(
            "a rule with priority {priority} already exists ({})",
            other.id
        )));
    }
    let now = ids::now_iso();
    let r = RuleRec {
        id: existing
            .as_ref()
            .map_or_else(|| ids::suffix(10).to_ascii_uppercase(), |r| r.id.clone()),
        priority,
        conditions: body
            .get("conditions")
            .cloned()
            .or_else(|| existing.as_ref().map(|r| r.conditions.clone()))
            .unwrap_or(json!([])),
        actions,
        description: body
            .get("description")
            .and_then(Value::as_str)
            .map(str::to_string)
            .or_else(|| existing.as_ref().and_then(|r| r.description.clone())),
        created_at: existing
            .as_ref()
            .map_or_else(|| now.clone(), |r| r.created_at.clone()),
        updated_at: now,
    };
    let out = shapes::rule(g, &r);
    g.rules.insert(r.id.clone(), r);
    Ok(write(
        if existing.is_some() {
            StatusCode::OK
        } else {
            StatusCode::ACCEPTED
        },
        out,
    ))
}
