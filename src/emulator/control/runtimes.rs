//! Create, read, update, list and delete runtimes and their versions.

use std::collections::BTreeMap;

use serde_json::json;

use super::super::http::{AwsError, Req};
use super::super::ids;
use super::super::state::{EndpointRec, RuntimeRec, VersionRec, status};
use super::{Ctx, Outcome, paging, runtime, runtime_mut, shapes, validate};

/// The endpoint every runtime has, which follows the latest version.
pub const DEFAULT_ENDPOINT: &str = "DEFAULT";

pub fn create(ctx: &mut Ctx<'_>, req: &Req, _op: &str) -> Result<Outcome, AwsError> {
    let body = req.json()?;
    let name = validate::required(&body, "agentRuntimeName")?;
    validate::name("agentRuntimeName", name)?;
    let config = validate::runtime_config(&body)?;
    if ctx.part.runtimes.values().any(|r| r.name == name) {
        return Err(AwsError::conflict(format!(
            "An agent runtime with the name '{name}' already exists"
        )));
    }
    let id = format!("{name}-{}", ids::suffix(10));
    let arn = format!(
        "arn:aws:bedrock-agentcore:{}:{}:runtime/{id}",
        ctx.region, ctx.account
    );
    let now = ids::now_iso();
    let tags = body
        .get("tags")
        .and_then(|t| t.as_object())
        .cloned()
        .unwrap_or_default();
    let version = VersionRec {
        version: 1,
        config,
        status: status::CREATING.into(),
        created_at: now.clone(),
        last_updated_at: now.clone(),
        failure_reason: None,
    };
    let default = EndpointRec {
        name: DEFAULT_ENDPOINT.into(),
        id: ids::suffix(10),
        arn: format!("{arn}/runtime-endpoint/{DEFAULT_ENDPOINT}"),
        live_version: None,
        target_version: 1,
        status: status::CREATING.into(),
        description: None,
        created_at: now.clone(),
        last_updated_at: now.clone(),
        failure_reason: None,
    };
    let rt = RuntimeRec {
        workload_identity_arn: format!(
            "arn:aws:bedrock-agentcore:{}:{}:workload-identity-directory/default/workload-identity/{id}",
            ctx.region, ctx.account
        ),
        id: id.clone(),
        name: name.to_string(),
        arn: arn.clone(),
        created_at: now.clone(),
        last_updated_at: now.clone(),
        tags,
        next_version: 2,
        deleting: false,
        versions: BTreeMap::from([(1, version)]),
        endpoints: BTreeMap::from([(DEFAULT_ENDPOINT.to_string(), default)]),
    };
    let body = json!({
        "agentRuntimeArn": arn,
        "agentRuntimeId": id,
        "agentRuntimeVersion": "1",
        "createdAt": now,
        "status": status::CREATING,
        "workloadIdentityDetails": { "workloadIdentityArn": rt.workload_identity_arn },
    });
    ctx.part.runtimes.insert(id.clone(), rt);
    Ok(Outcome::accepted(body, &id))
}

/// A new immutable version with the full configuration given; DEFAULT moves to it.
pub fn update(ctx: &mut Ctx<'_>, req: &Req, id: &str) -> Result<Outcome, AwsError> {
    let body = req.json()?;
    let config = validate::runtime_config(&body)?;
    let rt = runtime_mut(ctx, id)?;
    if rt.deleting {
        return Err(AwsError::conflict(format!(
            "Agent Runtime {id} is being deleted"
        )));
    }
    let n = rt.next_version;
    let now = ids::now_iso();
    rt.next_version += 1;
    rt.last_updated_at = now.clone();
    rt.versions.insert(
        n,
        VersionRec {
            version: n,
            config,
            status: status::UPDATING.into(),
            created_at: now.clone(),
            last_updated_at: now.clone(),
            failure_reason: None,
        },
    );
    if let Some(ep) = rt.endpoints.get_mut(DEFAULT_ENDPOINT) {
        ep.target_version = n;
        ep.status = status::UPDATING.into();
        ep.last_updated_at = now.clone();
        ep.failure_reason = None;
    }
    let body = json!({
        "agentRuntimeArn": rt.arn,
        "agentRuntimeId": rt.id,
        "agentRuntimeVersion": n.to_string(),
        "createdAt": rt.created_at,
        "lastUpdatedAt": now,
        "status": status::UPDATING,
        "workloadIdentityDetails": { "workloadIdentityArn": rt.workload_identity_arn },
    });
    Ok(Outcome::accepted(body, id))
}

pub fn get(ctx: &Ctx<'_>, req: &Req, id: &str) -> Result<Outcome, AwsError> {
    let rt = runtime(ctx, id)?;
    let body = match req.query("version") {
        Some(v) => {
            let n = validate::version("version", v)?;
            let ver = rt.versions.get(&n).ok_or_else(|| {
                AwsError::not_found(format!("Could not find version {n} of Agent Runtime {id}"))
            })?;
            shapes::detail(rt, ver, &ver.status)
        }
        None => {
            let ver = rt
                .latest()
                .ok_or_else(|| AwsError::internal("runtime has no version"))?;
            shapes::detail(rt, ver, shapes::runtime_status(rt))
        }
    };
    Ok(Outcome::read(body))
}

pub fn list(ctx: &Ctx<'_>, req: &Req) -> Result<Outcome, AwsError> {
    let mut items: Vec<(String, serde_json::Value)> = ctx
        .part
        .runtimes
        .values()
        .filter_map(|rt| {
            let v = rt.latest()?;
            Some((
                format!("{}/{}", rt.name, rt.id),
                shapes::summary(rt, v, shapes::runtime_status(rt)),
            ))
        })
        .collect();
    items.sort_by(|a, b| a.0.cmp(&b.0));
    let (page, next) = paging::page(req, items)?;
    Ok(Outcome::read(with_token(
        json!({ "agentRuntimes": page }),
        next,
    )))
}

/// Newest first.
pub fn list_versions(ctx: &Ctx<'_>, req: &Req, id: &str) -> Result<Outcome, AwsError> {
    let rt = runtime(ctx, id)?;
    let items: Vec<_> = rt
        .versions
        .values()
        .rev()
        .map(|v| {
            (
                format!("{:05}", 99_999 - v.version),
                shapes::summary(rt, v, &v.status),
            )
        })
        .collect();
    let (page, next) = paging::page(req, items)?;
    Ok(Outcome::read(with_token(
        json!({ "agentRuntimes": page }),
        next,
    )))
}

/// Delete the runtime (once its named endpoints are gone) or, with `version`, one version.
pub fn delete(ctx: &mut Ctx<'_>, req: &Req, id: &str) -> Result<Outcome, AwsError> {
    let version = req
        .query("version")
        .map(|v| validate::version("version", v))
        .transpose()?;
    let rt = runtime_mut(ctx, id)?;
    if let Some(n) = version {
        if !rt.versions.contains_key(&n) {
            return Err(AwsError::not_found(format!(
                "Could not find version {n} of Agent Runtime {id}"
            )));
        }
        let in_use = rt
            .endpoints
            .values()
            .any(|e| e.live_version == Some(n) || e.target_version == n);
        if in_use || rt.latest().map(|v| v.version) == Some(n) {
            return Err(AwsError::conflict(format!(
                "Version {n} is the latest version or is referenced by an endpoint"
            )));
        }
        rt.versions.remove(&n);
        let body = json!({ "status": status::DELETING, "agentRuntimeId": id, "agentRuntimeVersion": n.to_string() });
        return Ok(Outcome::accepted(body, id));
    }
    let named: Vec<&str> = rt
        .endpoints
        .values()
        .filter(|e| e.name != DEFAULT_ENDPOINT)
        .map(|e| e.name.as_str())
        .collect();
    if !named.is_empty() {
        return Err(AwsError::conflict(format!(
            "This agent has endpoints that must be deleted first: {}",
            named.join(", ")
        )));
    }
    rt.deleting = true;
    rt.last_updated_at = ids::now_iso();
    Ok(Outcome::accepted(
        json!({ "status": status::DELETING, "agentRuntimeId": id }),
        id,
    ))
}

pub(super) fn with_token(mut body: serde_json::Value, next: Option<String>) -> serde_json::Value {
    if let Some(t) = next {
        body["nextToken"] = json!(t);
    }
    body
}
