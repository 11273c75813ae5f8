//! Deploy: package and upload (or take an image or S3 object), create or update the runtime,
//! wait for the new version, validate it with MCP `tools/list`, then move an endpoint.

mod bucket;
pub mod checks;
mod endpoints;
mod package;
mod plan;
pub mod posture;
mod submit;
mod verify;

use std::path::PathBuf;
use std::time::Duration;

use aws_sdk_bedrockagentcorecontrol::types::{
    AgentManagedRuntimeType, AgentRuntimeArtifact, Code, CodeConfiguration, ContainerConfiguration,
    S3Location,
};
use aws_sdk_s3::types::ServerSideEncryption;
use serde_json::{Value, json};

pub(crate) use bucket::{artifact_bucket, bucket_name, sha256_hex};
pub use endpoints::{
    EndpointMove, live_version, point, point_endpoint, rollback, rollback_target, wait_endpoint,
};
pub use package::{MAX_UNZIPPED, MAX_ZIPPED, Package, package_dir};
pub use plan::plan;
use submit::{create_role, submit};
use verify::finish;

use super::audit::{Actor, AuditLog, WriteRef};
use super::runtimes::resolve;
use super::{Backend, BackendError, Clients, guard};
use crate::domain::Status;
use crate::domain::audit::AuditEntry;
use crate::domain::posture::Posture;
use crate::domain::secret::Secret;
use crate::domain::smoke::{SmokeReport, SmokeSpec};

/// Where the code comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    /// A directory packaged into a zip and uploaded.
    Dir {
        dir: PathBuf,
        entry_point: String,
        language: String,
    },
    /// A zip already in S3.
    S3 {
        bucket: String,
        key: String,
        entry_point: String,
        language: String,
    },
    /// A container image.
    Image(String),
}

#[derive(Debug, Clone)]
pub struct DeployRequest {
    pub runtime: String,
    pub source: Source,
    /// Endpoint to move to the new version once it validated (created if absent).
    pub endpoint: Option<String>,
    pub role_arn: Option<String>,
    /// Variables to set; on an update the others are carried over from the current version.
    /// Values are secrets: they leave the process only in the runtime write.
    pub env_vars: Vec<(String, Secret)>,
    /// Variables the current version has that the new one must not (update only).
    pub unset_env: Vec<String>,
    pub description: Option<String>,
    pub timeout: Duration,
    pub armed: bool,
    /// The posture settings this deploy sets (flags, pane fields); the others come from the
    /// environment's defaults, the current version or AWS (`posture`).
    pub posture: Posture,
    /// Let a deploy to a protected environment weaken its posture (with `armed`).
    pub allow_posture_change: bool,
    /// Smoke checks run on the new version after `tools/list`; any failure fails validation.
    pub smoke: Option<SmokeSpec>,
}

/// What a deploy is doing, for progress displays.
#[derive(Debug, Clone)]
pub enum Stage {
    Packaged { files: usize, bytes: usize },
    Uploaded { uri: String },
    Submitted { version: String, created: bool },
    Waiting { status: String },
    Validated { tools: usize },
    SmokeChecked { passed: usize, total: usize },
    EndpointMoved { endpoint: String, version: String },
    RetentionSet { days: u32, groups: usize },
}

#[derive(Debug, Clone, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DeployReport {
    pub env: String,
    pub runtime: String,
    pub runtime_id: String,
    pub arn: String,
    pub version: String,
    pub status: String,
    pub created: bool,
    pub artifact: String,
    /// Tools the new version lists (MCP runtimes).
    pub tools: Option<usize>,
    /// The smoke checks' outcome, when the deploy ran them (all passed: else it failed).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub smoke: Option<SmokeReport>,
    pub endpoint: Option<EndpointMove>,
    /// The posture sent with the new version (retention: what the log groups were given).
    pub posture: Posture,
    /// What this deploy weakens against the environment's posture (warned, or allowed).
    pub weakenings: Vec<String>,
    pub log_retention: Option<posture::RetentionApplied>,
}

pub type Progress<'a> = &'a mut (dyn FnMut(Stage) + Send);

impl std::fmt::Display for Stage {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Stage::Packaged { files, bytes } => write!(f, "packaged {files} files ({bytes} bytes)"),
            Stage::Uploaded { uri } => write!(f, "uploaded {uri}"),
            Stage::Submitted { version, created } => write!(
                f,
                "{} version {version}",
                if *created { "created runtime," } else { "new" }
            ),
            Stage::Waiting { status } => write!(f, "waiting: {status}"),
            Stage::Validated { tools } => write!(f, "validated: {tools} tools"),
            Stage::SmokeChecked { passed, total } => {
                write!(f, "smoke checks: {passed}/{total} passed")
            }
            Stage::EndpointMoved { endpoint, version } => {
                write!(f, "endpoint {endpoint} → {version}")
            }
            Stage::RetentionSet { days, groups } => {
                write!(
                    f,
                    "log retention {days} days on {groups} log group{}",
                    if *groups == 1 { "" } else { "s" }
                )
            }
        }
    }
}

/// How a deploy is audited: its action and what its entry's before and after add (a
/// promotion's source), under `source`.
#[derive(Debug, Clone)]
pub(crate) struct AuditAs {
    pub action: &'static str,
    pub source: Option<Value>,
}

/// Deploy a new version; every step's failure leaves named endpoints where they were.
pub async fn deploy(
    backend: &Backend,
    env: &str,
    req: &DeployRequest,
    actor: &Actor,
    audit: &AuditLog,
    progress: Progress<'_>,
) -> Result<DeployReport, BackendError> {
    let plain = AuditAs {
        action: "deploy",
        source: None,
    };
    deploy_as(backend, env, req, &plain, (actor, audit), progress).await
}

/// [`deploy`], audited as `how` says.
pub(crate) async fn deploy_as(
    backend: &Backend,
    env: &str,
    req: &DeployRequest,
    how: &AuditAs,
    (actor, audit): (&Actor, &AuditLog),
    progress: Progress<'_>,
) -> Result<DeployReport, BackendError> {
    let environment = backend.environment(env)?.clone();
    let write = WriteRef {
        env,
        action: how.action,
        target: &req.runtime,
    };
    let mut weakenings = vec![];
    guard::authorize(
        &environment,
        req.armed,
        &write,
        (actor, audit),
        checks::deploy_request(req)
            .and_then(|()| posture::check(req, &environment))
            .map(|w| weakenings = w),
    )?;
    let intended = posture::intended(req, &environment);
    // Up to the runtime's change nothing of it is touched (the artifact is uploaded): a "no"
    // found here (a name a create cannot take, a directory over AWS's limit) is a refusal.
    let (c, existing, artifact, artifact_uri, endpoint_before, before) = async {
        let c = backend.clients(env).await?;
        let existing = match resolve(&c, &req.runtime).await {
            Ok(rt) => Some(rt),
            Err(BackendError::RuntimeNotFound { .. }) => None,
            Err(e) => return Err(e),
        };
        // What a create needs, known before anything is uploaded.
        if existing.is_none() {
            checks::new_runtime_name(&req.runtime)?;
            create_role(&environment, req)?;
        }
        let (artifact, artifact_uri) = artifact(&c, req, progress).await?;
        // What the moved endpoint served before (else the latest version), so a rollback can
        // find its way back from the audit trail.
        let endpoint_before = match (&existing, &req.endpoint) {
            (Some(rt), Some(ep)) => live_version(&c, rt.agent_runtime_id(), ep).await?,
            _ => None,
        };
        let before_version = endpoint_before.clone().or_else(|| {
            existing
                .as_ref()
                .map(|r| r.agent_runtime_version().to_string())
        });
        let mut before = json!({ "version": before_version, "endpoint": req.endpoint });
        if let Some(src) = &how.source {
            before["source"] = src.clone();
        }
        Ok((c, existing, artifact, artifact_uri, endpoint_before, before))
    }
    .await
    .inspect_err(|e: &BackendError| audit.refuse(actor, &write, &e.to_string()))?;
    let submitted = submit(
        &c,
        &environment,
        req,
        (existing.as_ref(), &intended),
        artifact,
    )
    .await;
    let ((id, arn, version, created), sent) = match submitted {
        Ok(s) => s,
        Err(e) => {
            let mut after = json!({ "artifact": artifact_uri });
            if let Some(src) = &how.source {
                after["source"] = src.clone();
            }
            record(
                audit,
                audit_entry(
                    &c,
                    env,
                    how.action,
                    &req.runtime,
                    before,
                    after,
                    &Err::<(), _>(&e),
                    actor,
                )
                .await,
            )?;
            return Err(e);
        }
    };
    progress(Stage::Submitted {
        version: version.clone(),
        created,
    });
    let mut default_serves = None;
    let mut outcome = finish(
        &c,
        req,
        (&id, &arn, &version),
        endpoint_before.as_deref(),
        &mut default_serves,
        progress,
    )
    .await;
    // Retention after the move: the log groups of every endpoint, the moved one included.
    let mut log_retention = None;
    if let (Ok(_), Some(days)) = (&outcome, sent.log_retention_days) {
        match posture::apply_retention(&c, &id, days).await {
            Ok(r) => {
                progress(Stage::RetentionSet {
                    days,
                    groups: r.log_groups.len(),
                });
                log_retention = Some(r);
            }
            Err(e) => {
                outcome = Err(BackendError::Other(format!(
                    "version {version} is deployed, but setting log retention failed: {e}. \
                     Deploy again, or set it with `aws logs put-retention-policy`"
                )));
            }
        }
    }
    // DEFAULT follows the latest version whatever validation says, as on AWS: record where it
    // went, so that a failed deploy's entry tells what DEFAULT serves now.
    let mut after = json!({
        "version": version,
        "artifact": artifact_uri,
        "endpoint": req.endpoint,
        "defaultVersion": default_serves,
        "posture": &sent,
        "weakenings": &weakenings,
        "smoke": outcome.as_ref().ok().and_then(|((_, s), _)| s.as_ref().map(SmokeReport::summary)),
    });
    if let Some(src) = &how.source {
        after["source"] = src.clone();
    }
    record(
        audit,
        audit_entry(
            &c,
            env,
            how.action,
            &req.runtime,
            before,
            after,
            &outcome,
            actor,
        )
        .await,
    )?;
    let ((tools, smoke), endpoint) = outcome?;
    Ok(DeployReport {
        env: env.to_string(),
        runtime: req.runtime.clone(),
        runtime_id: id,
        arn,
        version,
        status: Status::Ready.to_string(),
        created,
        artifact: artifact_uri,
        tools,
        smoke,
        endpoint,
        posture: sent,
        weakenings,
        log_retention,
    })
}

/// The artifact to deploy, uploading a packaged directory first.
async fn artifact(
    c: &Clients,
    req: &DeployRequest,
    progress: Progress<'_>,
) -> Result<(AgentRuntimeArtifact, String), BackendError> {
    let code = |bucket: &str, key: &str, entry: &str, language: &str| {
        let cfg = CodeConfiguration::builder()
            .code(Code::S3(
                S3Location::builder()
                    .bucket(bucket)
                    .prefix(key)
                    .build()
                    .map_err(|e| BackendError::Other(e.to_string()))?,
            ))
            .runtime(AgentManagedRuntimeType::from(language))
            .entry_point(entry)
            .build()
            .map_err(|e| BackendError::Other(e.to_string()))?;
        Ok::<_, BackendError>((
            AgentRuntimeArtifact::CodeConfiguration(cfg),
            format!("s3://{bucket}/{key}"),
        ))
    };
    match &req.source {
        Source::Image(uri) => {
            let cfg = ContainerConfiguration::builder()
                .container_uri(uri)
                .build()
                .map_err(|e| BackendError::Other(e.to_string()))?;
            Ok((
                AgentRuntimeArtifact::ContainerConfiguration(cfg),
                uri.clone(),
            ))
        }
        Source::S3 {
            bucket,
            key,
            entry_point,
            language,
        } => code(bucket, key, entry_point, language),
        Source::Dir {
            dir,
            entry_point,
            language,
        } => {
            let dir = dir.clone();
            let entry = entry_point.clone();
            let pkg = tokio::task::spawn_blocking(move || package_dir(&dir, &entry))
                .await
                .map_err(|e| BackendError::Other(e.to_string()))??;
            progress(Stage::Packaged {
                files: pkg.files,
                bytes: pkg.bytes.len(),
            });
            let bucket = artifact_bucket(c).await?;
            let digest = sha256_hex(&pkg.bytes);
            // The full hash: every version's key names exactly the bytes it runs.
            let key = format!("{}/{digest}.zip", req.runtime);
            c.s3.put_object()
                .bucket(&bucket)
                .key(&key)
                .body(pkg.bytes.into())
                .server_side_encryption(ServerSideEncryption::Aes256)
                .send()
                .await
                .map_err(|e| BackendError::sdk("PutObject", e))?;
            let out = code(&bucket, &key, entry_point, language)?;
            progress(Stage::Uploaded { uri: out.1.clone() });
            Ok(out)
        }
    }
}

/// An audit entry for a mutation of `target` in `env`.
#[allow(clippy::too_many_arguments)]
pub(crate) async fn audit_entry<T, E: std::fmt::Display>(
    c: &Clients,
    env: &str,
    action: &str,
    target: &str,
    before: Value,
    after: Value,
    result: &Result<T, E>,
    actor: &Actor,
) -> AuditEntry {
    AuditEntry {
        time: super::audit::now_rfc3339(),
        user: actor.user.clone(),
        identity: c.identity().await.ok().map(|(arn, _)| arn),
        env: env.to_string(),
        action: action.to_string(),
        target: target.to_string(),
        before,
        after,
        result: match result {
            Ok(_) => "ok".into(),
            Err(e) => format!("error: {e}"),
        },
        command: actor.command.clone(),
    }
}

pub(crate) fn record(audit: &AuditLog, entry: AuditEntry) -> Result<(), BackendError> {
    audit.append(&entry)
}
