//! Promotion: deploy into a target environment exactly the artifact a source environment's
//! version runs. source version (`--version`, else what the stable endpoint serves) → READY?
//! → code: copy to the target's bucket, verified by SHA-256 ([`copy`]); image: pinned by
//! digest → the normal deploy ([`deploy_as`]) with the target's posture and variables, the
//! lineage in the new version's description ([`Lineage`]), audited as `promote`.

pub mod copy;

use std::time::Duration;

use aws_sdk_bedrockagentcorecontrol::types::{AgentRuntimeArtifact, Code};
use serde::Serialize;
use serde_json::json;

use self::copy::{Origin, copy_verified, image_digest, read_source};
use super::audit::{Actor, AuditLog, WriteRef};
use super::deploy::{self, AuditAs, DeployReport, DeployRequest, Progress, Source, checks};
use super::runtimes::config::{default_version, get_version};
use super::runtimes::{list_endpoints, resolve};
use super::{Backend, BackendError, guard};
use crate::domain::lineage::Lineage;
use crate::domain::posture::Posture;
use crate::domain::secret::Secret;
use crate::domain::smoke::SmokeSpec;

/// What to promote, and how the target's version is finished.
#[derive(Debug, Clone)]
pub struct PromoteRequest {
    pub runtime: String,
    /// The source version [default: what the source's stable endpoint serves, else DEFAULT's
    /// live version, else the latest].
    pub version: Option<String>,
    /// The target endpoint to move to the new version once it validated.
    pub endpoint: Option<String>,
    /// Variables set on the target's version (the target's others carry over).
    pub env_vars: Vec<(String, Secret)>,
    pub timeout: Duration,
    pub armed: bool,
    /// Smoke checks run on the new version after `tools/list`, as part of its validation.
    pub smoke: Option<SmokeSpec>,
}

/// The source side of a promotion.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FromSide {
    pub env: String,
    pub version: String,
    pub sha256: String,
}

/// The target side: the new version and the artifact it runs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ToSide {
    pub env: String,
    pub version: String,
    pub artifact: String,
    pub sha256: String,
}

/// A promotion's result, with the deploy it made.
#[derive(Debug, Clone)]
pub struct PromoteReport {
    pub runtime: String,
    pub from: FromSide,
    pub to: ToSide,
    pub deploy: DeployReport,
}

/// The source version's artifact, as GetAgentRuntime describes it.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Artifact {
    Code {
        bucket: String,
        key: String,
        entry_point: String,
        language: String,
    },
    Image(String),
}

/// Checks that need no call: names, the version, two different environments, the timeout.
pub fn check(req: &PromoteRequest, from: &str, to: &str) -> Result<(), BackendError> {
    checks::runtime(&req.runtime)?;
    if from == to {
        return Err(BackendError::Other(format!(
            "--from and --to are both `{from}`: promote between two environments"
        )));
    }
    if let Some(v) = &req.version {
        checks::version("--version", v)?;
    }
    // The rest as the deploy will check it, with a stand-in source.
    checks::deploy_request(&deploy_request(
        req,
        Source::Image("stand-in".into()),
        "promoted".into(),
    ))
}

/// The calls a promotion makes, for the confirmation and the preview.
pub fn plan(req: &PromoteRequest, from: &str, to: &str, to_posture: &Posture) -> Vec<String> {
    let version = req.version.as_deref().map_or_else(
        || "the version the stable endpoint serves".to_string(),
        |v| format!("version {v}"),
    );
    let mut plan = vec![
        format!(
            "{from}: GetAgentRuntime {} ({version}): READY?",
            req.runtime
        ),
        format!("{from}: GetObject (the code zip; an image must be pinned by digest)"),
        format!("{to}: PutObject {}/<sha256>.zip (SSE AES256)", req.runtime),
        format!("{to}: GetObject (the copy), SHA-256 compared; DeleteObject if it differs"),
    ];
    let deploy_req = deploy_request(req, Source::Image(String::new()), String::new());
    plan.extend(
        deploy::plan(&deploy_req, to_posture)
            .into_iter()
            .map(|l| format!("{to}: {l}")),
    );
    plan
}

fn deploy_request(req: &PromoteRequest, source: Source, description: String) -> DeployRequest {
    DeployRequest {
        runtime: req.runtime.clone(),
        source,
        endpoint: req.endpoint.clone(),
        role_arn: None,
        env_vars: req.env_vars.clone(),
        unset_env: vec![],
        description: Some(description),
        timeout: req.timeout,
        armed: req.armed,
        posture: Posture::default(),
        allow_posture_change: false,
        smoke: req.smoke.clone(),
    }
}

/// Promote `req.runtime` from `from` to `to`. Every refusal is audited in the target.
pub async fn promote(
    backend: &Backend,
    (from, to): (&str, &str),
    req: &PromoteRequest,
    (actor, audit): (&Actor, &AuditLog),
    progress: Progress<'_>,
) -> Result<PromoteReport, BackendError> {
    let target = backend.environment(to)?.clone();
    backend.environment(from)?;
    let write = WriteRef {
        env: to,
        action: "promote",
        target: &req.runtime,
    };
    guard::authorize(
        &target,
        req.armed,
        &write,
        (actor, audit),
        check(req, from, to),
    )?;
    let (lineage, source, description) = prepare(backend, (from, to), req, progress)
        .await
        .inspect_err(|e| audit.refuse(actor, &write, &e.to_string()))?;
    let how = AuditAs {
        action: "promote",
        source: Some(json!(&lineage)),
    };
    let dreq = deploy_request(req, source, lineage.describe(description.as_deref()));
    let report = deploy::deploy_as(backend, to, &dreq, &how, (actor, audit), progress).await?;
    Ok(PromoteReport {
        runtime: req.runtime.clone(),
        from: FromSide {
            env: lineage.env.clone(),
            version: lineage.version.clone(),
            sha256: lineage.sha256.clone(),
        },
        to: ToSide {
            env: to.to_string(),
            version: report.version.clone(),
            artifact: report.artifact.clone(),
            sha256: lineage.sha256,
        },
        deploy: report,
    })
}

/// The source version (READY), its artifact copied and verified: the lineage, the deploy's
/// source and the source version's description.
async fn prepare(
    backend: &Backend,
    (from, to): (&str, &str),
    req: &PromoteRequest,
    progress: Progress<'_>,
) -> Result<(Lineage, Source, Option<String>), BackendError> {
    let src_env = backend.environment(from)?;
    let fc = backend.clients(from).await?;
    let summary = resolve(&fc, &req.runtime).await?;
    let id = summary.agent_runtime_id();
    let version = match &req.version {
        Some(v) => v.clone(),
        None => {
            let endpoints = list_endpoints(&fc, id).await?;
            default_version(src_env, &endpoints, summary.agent_runtime_version())
        }
    };
    let got = get_version(&fc, id, &version).await?;
    // An image pinned by tag is refused whatever its status: no status makes a tag safe.
    let found = artifact(got.agent_runtime_artifact());
    if let Some(Artifact::Image(uri)) = &found
        && image_digest(uri).is_none()
    {
        return Err(BackendError::Other(format!(
            "{from}: version {version} of `{}` runs the image `{uri}`, pinned by tag only: a \
             tag can move, so only an image pinned by digest is promoted; deploy it by digest \
             (--image REPO@sha256:<64 hex>) and promote that version",
            req.runtime
        )));
    }
    let status = got.status().as_str();
    if status != "READY" {
        return Err(BackendError::Other(format!(
            "{from}: version {version} of `{}` is {status}, not READY: only a READY version is \
             promoted (pick one with --version)",
            req.runtime
        )));
    }
    let description = got.description().map(str::to_string);
    let lineage = |sha256: String| Lineage {
        env: from.to_string(),
        version: version.clone(),
        sha256,
    };
    match found {
        Some(Artifact::Image(uri)) => {
            let digest = image_digest(&uri).unwrap_or_default().to_string();
            Ok((lineage(digest), Source::Image(uri), description))
        }
        Some(Artifact::Code {
            bucket,
            key,
            entry_point,
            language,
        }) => {
            let o = Origin {
                env: from,
                runtime: &req.runtime,
                version: &version,
                bucket: &bucket,
                key: &key,
            };
            let bytes = read_source(&fc, &o).await?;
            let tc = backend.clients(to).await?;
            let copied = copy_verified(&tc, &o, bytes).await?;
            progress(deploy::Stage::Uploaded {
                uri: format!("s3://{}/{} (sha256 verified)", copied.bucket, copied.key),
            });
            let source = Source::S3 {
                bucket: copied.bucket,
                key: copied.key,
                entry_point,
                language,
            };
            Ok((lineage(copied.sha256), source, description))
        }
        None => Err(BackendError::Other(format!(
            "{from}: version {version} of `{}` has no artifact this console can promote \
             (an S3 code zip with one entry point, or a container image)",
            req.runtime
        ))),
    }
}

fn artifact(a: Option<&AgentRuntimeArtifact>) -> Option<Artifact> {
    match a? {
        AgentRuntimeArtifact::ContainerConfiguration(c) => {
            Some(Artifact::Image(c.container_uri().to_string()))
        }
        AgentRuntimeArtifact::CodeConfiguration(c) => match c.code()? {
            Code::S3(s3) => Some(Artifact::Code {
                bucket: s3.bucket().to_string(),
                key: s3.prefix().to_string(),
                // A deploy sends one; a longer command line is not one this console made.
                entry_point: match c.entry_point() {
                    [one] => one.clone(),
                    _ => return None,
                },
                language: c.runtime().as_str().to_string(),
            }),
            _ => None,
        },
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn req() -> PromoteRequest {
        PromoteRequest {
            runtime: "weather".into(),
            version: None,
            endpoint: Some("live".into()),
            env_vars: vec![],
            timeout: Duration::from_secs(60),
            armed: false,
            smoke: None,
        }
    }

    #[test]
    fn bad_input_is_refused_naming_it() {
        let msg = |r: &PromoteRequest, from: &str, to: &str| {
            check(r, from, to).map_or_else(|e| e.to_string(), |()| String::new())
        };
        assert_eq!(msg(&req(), "dev", "staging"), "");
        assert!(msg(&req(), "dev", "dev").contains("--from and --to are both `dev`"));
        let mut r = req();
        r.version = Some("01".into());
        assert!(msg(&r, "dev", "staging").contains("--version `01`"));
        let mut r = req();
        r.endpoint = Some("DEFAULT".into());
        assert!(msg(&r, "dev", "staging").contains("DEFAULT follows the latest version"));
        let mut r = req();
        r.runtime = "no-hyphens".into();
        assert!(msg(&r, "dev", "staging").contains("`no-hyphens` is not a runtime name"));
    }

    #[test]
    fn the_plan_names_every_call_in_its_environment() {
        let plan = plan(&req(), "staging", "prod", &Posture::default());
        assert!(
            plan[0].starts_with("staging: GetAgentRuntime weather"),
            "{plan:?}"
        );
        assert!(
            plan.iter()
                .any(|l| l == "prod: PutObject weather/<sha256>.zip (SSE AES256)")
        );
        assert!(
            plan.iter()
                .any(|l| l.contains("DeleteObject if it differs"))
        );
        assert!(
            plan.iter()
                .any(|l| l.starts_with("prod: CreateAgentRuntime or UpdateAgentRuntime"))
        );
        assert!(
            plan.iter()
                .any(|l| l.starts_with("prod: UpdateAgentRuntimeEndpoint live"))
        );
        // The copy is the promotion's: deploy's own upload of a directory is not planned.
        assert!(!plan.iter().any(|l| l.contains("zip of the directory")));
    }
}
