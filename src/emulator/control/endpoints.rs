//! Runtime endpoints: DEFAULT follows the latest version, named endpoints are pinned.

use serde_json::json;

use super::super::http::{AwsError, Req};
use super::super::ids;
use super::super::state::{EndpointRec, RuntimeRec, status};
use super::runtimes::{DEFAULT_ENDPOINT, with_token};
use super::{Ctx, Outcome, paging, runtime, runtime_mut, shapes, validate};

/// Endpoints per runtime (AgentCore quota), DEFAULT included.
const MAX_ENDPOINTS: usize = 10;

fn endpoint<'a>(rt: &'a RuntimeRec, name: &str) -> Result<&'a EndpointRec, AwsError> {
    rt.endpoints.get(name).ok_or_else(|| {
        AwsError::not_found(format!(
            "Could not find endpoint {name} of Agent Runtime {}",
            rt.id
        ))
    })
}

/// The version asked for, which must exist; else the latest.
fn pick_version(rt: &RuntimeRec, asked: Option<&str>) -> Result<u32, AwsError> {
    match asked {
        Some(v) => {
            let n = validate::version("agentRuntimeVersion", v)?;
            if rt.versions.contains_key(&n) {
                Ok(n)
            } else {
                Err(AwsError::not_found(format!(
                    "Could not find version {n} of Agent Runtime {}",
                    rt.id
                )))
            }
        }
        None => rt
            .latest()
            .map(|v| v.version)
            .ok_or_else(|| AwsError::internal("runtime has no version")),
    }
}

pub fn create(ctx: &mut Ctx<'_>, req: &Req, id: &str) -> Result<Outcome, AwsError> {
    let body = req.json()?;
    let name = validate::required(&body, "name")?;
    validate::name("name", name)?;
    let description = validate::string(&body, "description")?.map(str::to_string);
    let rt = runtime_mut(ctx, id)?;
    if rt.deleting {
        return Err(AwsError::conflict(format!(
            "Agent Runtime {id} is being deleted"
        )));
    }
    if rt.endpoints.contains_key(name) {
        return Err(AwsError::conflict(format!(
            "An endpoint named '{name}' already exists"
        )));
    }
    if rt.endpoints.len() >= MAX_ENDPOINTS {
        return Err(AwsError::quota(format!(
            "Agent Runtime {id} already has {MAX_ENDPOINTS} endpoints"
        )));
    }
    let target = pick_version(rt, validate::string(&body, "agentRuntimeVersion")?)?;
    let now = ids::now_iso();
    let ep = EndpointRec {
        name: name.to_string(),
        id: ids::suffix(10),
        arn: format!("{}/runtime-endpoint/{name}", rt.arn),
        live_version: None,
        target_version: target,
        status: status::CREATING.into(),
        description,
        created_at: now.clone(),
        last_updated_at: now.clone(),
        failure_reason: None,
    };
    let body = json!({
        "targetVersion": target.to_string(),
        "agentRuntimeEndpointArn": ep.arn,
        "agentRuntimeArn": rt.arn,
        "agentRuntimeId": rt.id,
        "endpointName": name,
        "status": status::CREATING,
        "createdAt": now,
    });
    rt.endpoints.insert(name.to_string(), ep);
    Ok(Outcome::accepted(body, id))
}

pub fn get(ctx: &Ctx<'_>, id: &str, name: &str) -> Result<Outcome, AwsError> {
    let rt = runtime(ctx, id)?;
    Ok(Outcome::read(shapes::endpoint(rt, endpoint(rt, name)?)))
}

/// Move an endpoint to another version (a rollback is a move to an earlier one).
pub fn update(ctx: &mut Ctx<'_>, req: &Req, id: &str, name: &str) -> Result<Outcome, AwsError> {
    let body = req.json()?;
    let asked = validate::string(&body, "agentRuntimeVersion")?;
    let description = validate::string(&body, "description")?.map(str::to_string);
    let rt = runtime_mut(ctx, id)?;
    endpoint(rt, name)?;
    if name == DEFAULT_ENDPOINT && asked.is_some() {
        return Err(AwsError::validation(
            "The DEFAULT endpoint always points at the latest version; create a named endpoint to pin one",
        ));
    }
    let target = asked.map(|v| pick_version(rt, Some(v))).transpose()?;
    let now = ids::now_iso();
    let arn = rt.arn.clone();
    let ep = rt
        .endpoints
        .get_mut(name)
        .ok_or_else(|| AwsError::internal("endpoint vanished"))?;
    if ep.status == status::DELETING {
        return Err(AwsError::conflict(format!(
            "Endpoint {name} is being deleted"
        )));
    }
    if let Some(d) = description {
        ep.description = Some(d);
    }
    if let Some(v) = target {
        ep.target_version = v;
        ep.status = status::UPDATING.into();
        ep.failure_reason = None;
    }
    ep.last_updated_at = now;
    let mut body = json!({
        "targetVersion": ep.target_version.to_string(),
        "agentRuntimeEndpointArn": ep.arn,
        "agentRuntimeArn": arn,
        "status": ep.status,
        "createdAt": ep.created_at,
        "lastUpdatedAt": ep.last_updated_at,
    });
    if let Some(v) = ep.live_version {
        body["liveVersion"] = json!(v.to_string());
    }
    Ok(Outcome::accepted(body, id))
}

pub fn list(ctx: &Ctx<'_>, req: &Req, id: &str) -> Result<Outcome, AwsError> {
    let rt = runtime(ctx, id)?;
    let mut items: Vec<_> = rt
        .endpoints
        .values()
        .map(|e| {
            (
                format!("{}/{}", e.created_at, e.name),
                shapes::endpoint(rt, e),
            )
        })
        .collect();
    items.sort_by(|a, b| a.0.cmp(&b.0));
    let (page, next) = paging::page(req, items)?;
    Ok(Outcome::read(with_token(
        json!({ "runtimeEndpoints": page }),
        next,
    )))
}

pub fn delete(ctx: &mut Ctx<'_>, id: &str, name: &str) -> Result<Outcome, AwsError> {
    let rt = runtime_mut(ctx, id)?;
    endpoint(rt, name)?;
    if name == DEFAULT_ENDPOINT {
        return Err(AwsError::conflict(
            "Default endpoints are removed when you delete the agent",
        ));
    }
    if let Some(ep) = rt.endpoints.get_mut(name) {
        ep.status = status::DELETING.into();
        ep.last_updated_at = ids::now_iso();
    }
    let body = json!({ "status": status::DELETING, "agentRuntimeId": id, "endpointName": name });
    Ok(Outcome::accepted(body, id))
}
