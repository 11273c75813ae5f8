//! Seeding the demo: every runtime of every environment at once, through the same backend
//! calls as `deploy` and `traffic set`, audited. Idempotent: what exists is skipped, so a
//! restart on the same state dir is quick and keeps its history (and the operator's changes).

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use serde_json::json;

use super::traffic::Target;
use crate::backend::audit::{Actor, AuditLog};
use crate::backend::deploy::{self, DeployRequest, Source, audit_entry, record};
use crate::backend::runtimes::{list_endpoints, list_versions, resolve};
use crate::backend::{Backend, BackendError, traffic};
use crate::cli::CliError;
use crate::domain::audit::command_line;
use crate::domain::secret::Secret;

/// The sample MCP server, carried in the binary so the demo runs from anywhere.
const SAMPLE_MAIN: &str = include_str!("../../../assets/sample-mcp-server/main.py");
const TIMEOUT: Duration = Duration::from_secs(120);

/// One version of a runtime: its app version, settings, and the endpoint it goes live on.
struct Version {
    app: &'static str,
    error_rate: Option<&'static str>,
    endpoint: Option<&'static str>,
}

struct Plan {
    env: &'static str,
    runtime: &'static str,
    description: &'static str,
    versions: &'static [Version],
    /// Percent of new sessions the gateway sends to the canary (on the last version).
    canary_weight: Option<i32>,
    /// Share of the generated traffic.
    traffic: u32,
    /// The environment's plan that rolls the last version out: seeding routes the runtime
    /// through the gateway with its canary endpoint on the first version at 0%, and the demo
    /// starts the rollout once everything is seeded.
    rollout: Option<&'static str>,
}

const fn v(app: &'static str, endpoint: Option<&'static str>) -> Version {
    Version {
        app,
        error_rate: None,
        endpoint,
    }
}

const WEATHER: &[Version] = &[v("2.3.0", Some("live")), v("2.4.0", Some("canary"))];
const TICKETS: &[Version] = &[v("1.0.0", Some("live")), v("1.1.0", Some("canary"))];
/// Version 2 is rolled out by a gated rollout (staging: healthy, promoted).
const WEATHER_SPLIT: &[Version] = &[v("2.3.0", Some("live")), v("2.4.0", None)];
/// The failing canary its rollout's gates roll back.
const WEATHER_PROD: &[Version] = &[
    v("2.3.0", Some("live")),
    Version {
        app: "2.4.0",
        error_rate: Some("0.3"),
        endpoint: None,
    },
];

const PLAN: &[Plan] = &[
    plan("dev", "weather_mcp", WEATHER, None, 1),
    plan("dev", "tickets_mcp", TICKETS, None, 1),
    Plan {
        env: "dev",
        runtime: "docs_mcp",
        description: "Documentation search (MCP)",
        versions: &[v("0.9.0", Some("live"))],
        canary_weight: None,
        traffic: 1,
        rollout: None,
    },
    rolled("staging", WEATHER_SPLIT, 2),
    plan("staging", "tickets_mcp", TICKETS, None, 1),
    rolled("prod", WEATHER_PROD, 6),
    plan("prod", "tickets_mcp", TICKETS, None, 2),
];

/// The plan name the demo's environments file gives its rollouts.
pub const ROLLOUT_PLAN: &str = "demo";

/// weather_mcp's last version, rolled out by the environment's `demo` plan.
const fn rolled(env: &'static str, versions: &'static [Version], traffic: u32) -> Plan {
    Plan {
        rollout: Some(ROLLOUT_PLAN),
        canary_weight: Some(0),
        ..plan(env, "weather_mcp", versions, None, traffic)
    }
}

const fn plan(
    env: &'static str,
    runtime: &'static str,
    versions: &'static [Version],
    canary_weight: Option<i32>,
    traffic: u32,
) -> Plan {
    let description = match runtime.as_bytes()[0] {
        b'w' => "Weather forecasts (MCP)",
        _ => "Support tickets (MCP)",
    };
    Plan {
        env,
        runtime,
        description,
        versions,
        canary_weight,
        traffic,
        rollout: None,
    }
}

/// What seeding needs besides the backend.
pub struct Ctx {
    pub audit: AuditLog,
    pub sample_dir: PathBuf,
    pub config_path: PathBuf,
    pub started: Instant,
}

impl Ctx {
    pub fn say(&self, env: &str, runtime: &str, what: &str) {
        say!(
            "{:>5.1}s  {env}/{runtime}: {what}",
            self.started.elapsed().as_secs_f64()
        );
    }

    /// The audit actor: this user, and the CLI command that makes the same change.
    pub fn actor(&self, env: &str, args: &[&str]) -> Actor {
        let mut line = vec![
            "agentcore-console".to_string(),
            "--config".into(),
            self.config_path.display().to_string(),
            "--env".into(),
            env.into(),
        ];
        line.extend(args.iter().map(|a| a.to_string()));
        Actor::new(command_line(&line))
    }
}

pub struct Seeded {
    pub targets: Vec<Target>,
    /// (environment, runtime, version) to roll out with the `demo` plan.
    pub rollouts: Vec<(String, String, String)>,
    /// Changes made (0 when everything was there already).
    pub changes: usize,
}

/// Write the sample server into the state dir (unchanged files are left alone).
pub fn write_sample(dir: &Path) -> Result<PathBuf, CliError> {
    let sample = dir.join("sample-mcp-server");
    let main = sample.join("main.py");
    if std::fs::read_to_string(&main).ok().as_deref() != Some(SAMPLE_MAIN) {
        std::fs::create_dir_all(&sample)
            .and_then(|()| std::fs::write(&main, SAMPLE_MAIN))
            .map_err(|e| CliError::msg(format!("{}: {e}", main.display())))?;
    }
    Ok(sample)
}

/// Seed every planned runtime concurrently.
pub async fn seed(backend: &Backend, ctx: &Ctx) -> Result<Seeded, CliError> {
    let all = futures::future::try_join_all(PLAN.iter().map(|p| async move {
        seed_runtime(backend, ctx, p)
            .await
            .map_err(|e| CliError::msg(format!("seeding {}/{}: {e}", p.env, p.runtime)))
    }))
    .await?;
    let rollouts = PLAN
        .iter()
        .filter(|p| p.rollout.is_some())
        .map(|p| (p.env.into(), p.runtime.into(), p.versions.len().to_string()))
        .collect();
    Ok(Seeded {
        changes: all.iter().map(|(_, n)| n).sum(),
        targets: all.into_iter().map(|(t, _)| t).collect(),
        rollouts,
    })
}

/// Deploy the missing versions, create missing endpoints, set the split if there is none.
async fn seed_runtime(
    backend: &Backend,
    ctx: &Ctx,
    p: &Plan,
) -> Result<(Target, usize), BackendError> {
    let env = backend.environment(p.env)?.clone();
    let c = backend.clients(p.env).await?;
    let have = match resolve(&c, p.runtime).await {
        Ok(rt) => list_versions(&c, rt.agent_runtime_id()).await?.len(),
        Err(BackendError::RuntimeNotFound { .. }) => 0,
        Err(e) => return Err(e),
    };
    let mut changes = 0;
    for v in p.versions.iter().skip(have) {
        let mut vars = vec![("APP_VERSION".to_string(), v.app.to_string())];
        if let Some(rate) = v.error_rate {
            vars.push(("MCP_ERROR_RATE".into(), rate.into()));
        }
        let req = DeployRequest {
            runtime: p.runtime.into(),
            source: Source::Dir {
                dir: ctx.sample_dir.clone(),
                entry_point: "main.py".into(),
                language: "PYTHON_3_12".into(),
            },
            endpoint: v.endpoint.map(str::to_string),
            role_arn: None,
            env_vars: vars
                .iter()
                .map(|(k, v)| (k.clone(), Secret::new(v.as_str())))
                .collect(),
            unset_env: vec![],
            description: Some(p.description.into()),
            timeout: TIMEOUT,
            armed: env.read_only,
            posture: Default::default(),
            allow_posture_change: false,
            smoke: None,
        };
        let sample = ctx.sample_dir.display().to_string();
        let mut args = vec!["deploy", p.runtime, "--from-dir", &sample];
        let pairs: Vec<String> = vars.iter().map(|(k, v)| format!("{k}={v}")).collect();
        for pair in &pairs {
            args.extend(["--env-var", pair]);
        }
        args.extend(["--description", p.description]);
        if let Some(e) = v.endpoint {
            args.extend(["--endpoint", e]);
        }
        args.extend(writes(env.read_only));
        let actor = ctx.actor(p.env, &args);
        let report = deploy::deploy(backend, p.env, &req, &actor, &ctx.audit, &mut |_| {}).await?;
        changes += 1;
        let moved = v.endpoint.map(|e| format!(", {e} → {}", report.version));
        ctx.say(
            p.env,
            p.runtime,
            &format!(
                "version {} ({}) ready{}",
                report.version,
                v.app,
                moved.unwrap_or_default()
            ),
        );
    }
    let rt = resolve(&c, p.runtime).await?;
    let id = rt.agent_runtime_id();
    // A seeding interrupted between a deploy and its endpoint move is finished here.
    let endpoints = list_endpoints(&c, id).await?;
    for (i, v) in p.versions.iter().enumerate() {
        let Some(name) = v.endpoint else { continue };
        if endpoints.iter().any(|e| e.name == name) {
            continue;
        }
        let version = (i + 1).to_string();
        let result = deploy::point(&c, id, name, &version, TIMEOUT).await;
        // No CLI command makes just an endpoint: the demo's own command line stands.
        let actor = crate::cli::confirm::actor();
        let before = json!({ "endpoint": name, "version": null });
        let after = json!({ "endpoint": name, "version": version });
        let entry = audit_entry(
            &c,
            p.env,
            "endpoint.move",
            p.runtime,
            before,
            after,
            &result,
            &actor,
        )
        .await;
        record(&ctx.audit, entry)?;
        result?;
        changes += 1;
        ctx.say(p.env, p.runtime, &format!("endpoint {name} → {version}"));
    }
    let mut gateway_url = None;
    if let Some(weight) = p.canary_weight {
        let mut view = traffic::show(backend, p.env, p.runtime).await?;
        // Any rule means someone set (or aborted) the split: the operator's choice stands.
        if view.routes.is_empty() {
            // A rollout's canary starts on stable's version, with no traffic.
            let version = if p.rollout.is_some() {
                1
            } else {
                p.versions.len()
            }
            .to_string();
            let w = weight.to_string();
            let mut args = vec![
                "traffic",
                "set",
                p.runtime,
                "--canary-version",
                &version,
                "--weight",
                &w,
            ];
            args.extend(writes(env.read_only));
            let actor = ctx.actor(p.env, &args);
            view = traffic::set(
                backend,
                p.env,
                p.runtime,
                &version,
                weight,
                env.read_only,
                &actor,
                &ctx.audit,
            )
            .await?;
            changes += 1;
            ctx.say(
                p.env,
                p.runtime,
                &format!("canary on version {version} at {weight}% through the gateway"),
            );
        }
        gateway_url = view.gateway_url;
    }
    if changes == 0 {
        ctx.say(p.env, p.runtime, "already seeded");
    }
    let target = Target {
        env: p.env.into(),
        runtime: p.runtime.into(),
        arn: rt.agent_runtime_arn().into(),
        gateway_url,
        weight: p.traffic,
    };
    Ok((target, changes))
}

/// The flags of a mutating command run by the demo: it arms protected environments itself.
pub fn writes(read_only: bool) -> Vec<&'static str> {
    if read_only {
        vec!["--arm", "--yes"]
    } else {
        vec!["--yes"]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_valid_agentcore_runtime_names_and_prod_has_the_failing_canary() {
        let valid = regex::Regex::new("^[a-zA-Z][a-zA-Z0-9_]{0,47}$").expect("regex");
        for p in PLAN {
            assert!(valid.is_match(p.runtime), "{}", p.runtime);
            assert!(super::super::ENVIRONMENTS.iter().any(|(e, _)| *e == p.env));
        }
        let prod = PLAN
            .iter()
            .find(|p| p.env == "prod" && p.runtime == "weather_mcp")
            .expect("prod weather");
        assert_eq!(
            (prod.canary_weight, prod.rollout),
            (Some(0), Some(ROLLOUT_PLAN))
        );
        assert_eq!(prod.versions.last().and_then(|v| v.error_rate), Some("0.3"));
    }
}
