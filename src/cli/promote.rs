//! `promote R --from ENV --to ENV [--version N] [--endpoint NAME | --rollout PLAN]
//! [--smoke FILE]`: deploy
//! into `--to` exactly the artifact `--from`'s version runs ([`crate::backend::promote`]),
//! then optionally start a rollout of the new version (the `rollout start` code path, so
//! its exit codes 3 and 4 are promote's too).
//!
//! `--output json`: one object `{runtime, from:{env,version,sha256},
//! to:{env,version,artifact,sha256}, endpoint, rollout}`; with `--rollout` it is the first
//! NDJSON line and the rollout's lines follow.

use std::path::PathBuf;
use std::time::Duration;

use serde::Serialize;

use super::confirm::{Write, WriteFlags};
use super::deploy::parse_kv;
use super::output::{self, OutputFormat};
use super::rollout::{plan as rollout_plan, start_request};
use super::{Cli, CliError, Outcome};
use crate::backend::deploy::{EndpointMove, Stage};
use crate::backend::promote::{self, FromSide, PromoteRequest, ToSide};
use crate::backend::rollout::StartRequest;
use crate::backend::{Backend, BackendError};
use crate::config::Config;
use crate::domain::secret::Secret;

#[derive(Debug, clap::Args)]
pub struct PromoteArgs {
    /// Runtime name (created in the target if it does not exist there)
    pub runtime: String,
    /// The environment whose version is promoted
    #[arg(long, value_name = "ENV")]
    pub from: String,
    /// The environment that gets it
    #[arg(long, value_name = "ENV")]
    pub to: String,
    /// The source version [default: what the source's stable endpoint serves, else
    /// DEFAULT's live version, else the latest]
    #[arg(long, value_name = "N")]
    pub version: Option<String>,
    /// Move this target endpoint (created if absent) to the new version once it validated
    #[arg(long, value_name = "NAME", conflicts_with = "rollout")]
    pub endpoint: Option<String>,
    /// Then start a rollout of the new version with this plan (a file, a plan of the target
    /// environment, or a built-in), as `rollout start` does
    #[arg(long, value_name = "PLAN", conflicts_with = "endpoint")]
    pub rollout: Option<String>,
    /// Environment variable for the target's version (repeatable; its others carry over)
    #[arg(long = "env-var", value_name = "KEY=VALUE", value_parser = parse_kv)]
    pub env_vars: Vec<(String, Secret)>,
    /// Smoke checks (a smoke.toml) the new version must pass, after `tools/list`, before an
    /// endpoint moves or a rollout starts
    #[arg(long, value_name = "FILE")]
    pub smoke: Option<PathBuf>,
    /// Seconds to wait for the new version
    #[arg(long, default_value_t = 300)]
    pub timeout: u64,
    #[command(flatten)]
    pub write: WriteFlags,
}

/// The stable JSON result.
#[derive(Debug, Serialize)]
struct PromoteJson<'a> {
    runtime: &'a str,
    from: &'a FromSide,
    to: &'a ToSide,
    endpoint: Option<&'a EndpointMove>,
    /// The rollout's plan, when one was started (its own lines follow).
    rollout: Option<&'a str>,
}

pub async fn run(config: &Config, cli: &Cli, args: &PromoteArgs) -> Result<Outcome, CliError> {
    let named = |flag: &str, name: &str| {
        config
            .one(&[name.to_string()])
            .map_err(|e| CliError::msg(format!("{flag}: {e}")))
    };
    let from = named("--from", &args.from)?;
    let to = named("--to", &args.to)?;
    let write = Write::new(&to, "promote", &args.runtime, &args.write)?;
    let smoke = args
        .smoke
        .as_deref()
        .map(crate::config::smoke::load)
        .transpose()
        .map_err(|e| write.refuse(format!("--smoke: {e}")))?;
    let req = PromoteRequest {
        runtime: args.runtime.clone(),
        version: args.version.clone(),
        endpoint: args.endpoint.clone(),
        env_vars: args.env_vars.clone(),
        timeout: Duration::from_secs(args.timeout),
        armed: args.write.arm,
        smoke,
    };
    // Bad input (the plan file too) is refused before the plan is shown or anything called.
    promote::check(&req, &from.name, &to.name).map_err(|e| write.refuse(e))?;
    let plan = args
        .rollout
        .as_deref()
        .map(|p| rollout_plan::resolve(&to, Some(p)))
        .transpose()
        .map_err(|e| write.refuse(format!("--rollout: {e}")))?;
    let mut calls = promote::plan(&req, &from.name, &to.name, &to.posture);
    if let Some(p) = &plan {
        calls.push(format!(
            "{}: then a rollout of the new version with plan `{}` (its calls are shown before \
             it starts)",
            to.name, p.name
        ));
    }
    write.confirm(&calls)?;
    let backend = Backend::new(vec![from.clone(), to.clone()]);
    let json = cli.output == OutputFormat::Json;
    let mut on_stage = |stage: Stage| {
        if !json {
            eprintln!("{stage}");
        }
    };
    let report = promote::promote(
        &backend,
        (&from.name, &to.name),
        &req,
        (&write.actor, &write.audit),
        &mut on_stage,
    )
    .await;
    // As a deploy's: failing smoke checks are exit 5 (README: "For CI"), live not moved.
    let report = match report {
        Err(BackendError::SmokeFailed(why)) => {
            return Ok(Outcome::Exit(super::smoke::EXIT_FAILED, Some(why)));
        }
        other => other?,
    };
    let result = PromoteJson {
        runtime: &report.runtime,
        from: &report.from,
        to: &report.to,
        endpoint: report.deploy.endpoint.as_ref(),
        rollout: plan.as_ref().map(|p| p.name.as_str()),
    };
    if json {
        if plan.is_some() {
            println!("{}", serde_json::to_string(&result)?);
        } else {
            output::json(&result)?;
        }
    } else {
        print_text(&result);
    }
    let Some(plan) = plan else {
        return Ok(Outcome::Ok);
    };
    let rw = Write::new(&to, "rollout.start", &args.runtime, &args.write)?;
    let start = StartRequest {
        env: to.name.clone(),
        runtime: args.runtime.clone(),
        canary_version: report.to.version.clone(),
        plan,
        // Kept in the rollout's state: blue/green and a require_smoke gate run it.
        smoke: req.smoke.clone(),
    };
    start_request(&backend, &rw, json, start, args.write.arm).await
}

fn print_text(r: &PromoteJson<'_>) {
    println!(
        "promoted {} {} v{} → {} v{} (sha256 {})",
        r.runtime, r.from.env, r.from.version, r.to.env, r.to.version, r.to.sha256
    );
    println!("artifact: {}", r.to.artifact);
    if let Some(m) = r.endpoint {
        println!(
            "endpoint {}: {} → {}",
            m.endpoint,
            m.from.as_deref().unwrap_or("(new)"),
            m.to
        );
    }
}
