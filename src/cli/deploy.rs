//! `deploy`, `rollback` and `point`.

use std::path::PathBuf;
use std::time::Duration;

use indicatif::{ProgressBar, ProgressStyle};

use super::confirm::{Write, WriteFlags};
use super::deploy_posture::{self, PostureFlags};
use super::output::{self, OutputFormat};
use super::{Cli, CliError, Outcome};
use crate::backend::deploy::{self, DeployRequest, Source, Stage};
use crate::backend::{Backend, BackendError};
use crate::config::{self, Config, ConfigError};
use crate::domain::secret::Secret;
use crate::domain::smoke::SmokeSpec;

#[derive(Debug, clap::Args)]
pub struct DeployArgs {
    /// Runtime name (created if it does not exist)
    pub runtime: String,
    /// Package this directory (dependencies vendored in it) and upload it
    #[arg(long, value_name = "DIR", conflicts_with_all = ["image", "s3"])]
    pub from_dir: Option<PathBuf>,
    /// Deploy this container image
    #[arg(long, value_name = "URI", conflicts_with_all = ["from_dir", "s3"])]
    pub image: Option<String>,
    /// Deploy this zip already in S3 (s3://bucket/key)
    #[arg(long, value_name = "S3_URI", conflicts_with_all = ["from_dir", "image"])]
    pub s3: Option<String>,
    /// Entry point inside the code (e.g. main.py)
    #[arg(long, value_name = "FILE", default_value = "main.py")]
    pub entry_point: String,
    /// Language runtime of the code
    #[arg(long, default_value = "PYTHON_3_12", value_parser = ["PYTHON_3_10", "PYTHON_3_11", "PYTHON_3_12", "PYTHON_3_13", "PYTHON_3_14", "NODE_22"])]
    pub code_runtime: String,
    /// Move this endpoint (created if absent) to the new version once it validated
    #[arg(long, value_name = "NAME")]
    pub endpoint: Option<String>,
    /// Execution role [default: role_arn of the environment]
    #[arg(long, value_name = "ARN")]
    pub role_arn: Option<String>,
    /// Environment variable for the runtime (repeatable)
    #[arg(long = "env-var", value_name = "KEY=VALUE", value_parser = parse_kv)]
    pub env_vars: Vec<(String, Secret)>,
    /// On an update, drop this variable the current version has (repeatable; the others are
    /// carried over)
    #[arg(long = "unset-env-var", value_name = "KEY")]
    pub unset_env: Vec<String>,
    #[arg(long)]
    pub description: Option<String>,
    /// Smoke checks to run on the new version after tools/list; a failure fails the deploy
    /// (exit 5) and no endpoint moves [default: DIR/smoke.toml with --from-dir, if present]
    #[arg(long = "smoke", value_name = "FILE", conflicts_with = "no_smoke")]
    pub smoke: Option<PathBuf>,
    /// Do not run DIR/smoke.toml
    #[arg(long)]
    pub no_smoke: bool,
    /// Seconds to wait for the new version
    #[arg(long, default_value_t = 300)]
    pub timeout: u64,
    #[command(flatten)]
    pub posture: PostureFlags,
    #[command(flatten)]
    pub write: WriteFlags,
}

#[derive(Debug, clap::Args)]
pub struct RollbackArgs {
    /// Runtime name or id
    pub runtime: String,
    /// The endpoint to move back
    #[arg(long, value_name = "NAME")]
    pub endpoint: String,
    /// Version to go back to [default: the one the endpoint served before]
    #[arg(long, value_name = "N")]
    pub to_version: Option<String>,
    #[command(flatten)]
    pub write: WriteFlags,
}

#[derive(Debug, clap::Args)]
pub struct PointArgs {
    /// Runtime name or id
    pub runtime: String,
    /// The endpoint to move (created if it does not exist; not DEFAULT)
    #[arg(long, value_name = "NAME")]
    pub endpoint: String,
    /// The READY version it is to serve
    #[arg(long, value_name = "N")]
    pub version: String,
    #[command(flatten)]
    pub write: WriteFlags,
}

pub(super) fn parse_kv(s: &str) -> Result<(String, Secret), String> {
    s.split_once('=')
        .filter(|(k, _)| !k.is_empty())
        .map(|(k, v)| (k.to_string(), Secret::new(v)))
        .ok_or_else(|| "an --env-var is not KEY=VALUE (no `=` or no KEY)".to_string())
}

fn parse_s3(uri: &str) -> Result<(String, String), CliError> {
    uri.strip_prefix("s3://")
        .and_then(|r| r.split_once('/'))
        .filter(|(b, k)| !b.is_empty() && !k.is_empty())
        .map(|(b, k)| (b.to_string(), k.to_string()))
        .ok_or_else(|| CliError::msg(format!("`{uri}` is not s3://bucket/key")))
}

pub async fn deploy(config: &Config, cli: &Cli, args: &DeployArgs) -> Result<Outcome, CliError> {
    let env = config.one(&cli.envs)?;
    let write = Write::new(&env, "deploy", &args.runtime, &args.write)?;
    let source = match (&args.from_dir, &args.image, &args.s3) {
        (Some(dir), None, None) => Source::Dir {
            dir: dir.clone(),
            entry_point: args.entry_point.clone(),
            language: args.code_runtime.clone(),
        },
        (None, Some(uri), None) => Source::Image(uri.clone()),
        (None, None, Some(s3)) => {
            let (bucket, key) = parse_s3(s3).map_err(|e| write.refuse(e))?;
            Source::S3 {
                bucket,
                key,
                entry_point: args.entry_point.clone(),
                language: args.code_runtime.clone(),
            }
        }
        _ => {
            return Err(write.refuse(
                "say what to deploy: --from-dir DIR, --image URI or --s3 s3://bucket/key",
            ));
        }
    };
    let posture = args.posture.posture().map_err(|e| write.refuse(e))?;
    let smoke = smoke_spec(args).map_err(|e| write.refuse(e))?;
    let req = DeployRequest {
        runtime: args.runtime.clone(),
        source,
        endpoint: args.endpoint.clone(),
        role_arn: args.role_arn.clone(),
        env_vars: args.env_vars.clone(),
        unset_env: args.unset_env.clone(),
        description: args.description.clone(),
        timeout: Duration::from_secs(args.timeout),
        armed: args.write.arm,
        posture,
        allow_posture_change: args.posture.allow_posture_change,
        smoke,
    };
    // Bad input is refused before the plan is shown, so nothing is asked for in vain.
    deploy::checks::deploy_request(&req).map_err(|e| write.refuse(e))?;
    // With the environment's defaults joined: still valid, and no forbidden weakening.
    let intended = deploy::posture::intended(&req, &env);
    intended
        .validate()
        .map_err(|e| write.refuse(deploy_posture::refusal(&e)))?;
    deploy::posture::check(&req, &env).map_err(|e| write.refuse(e))?;
    let plan = deploy::plan(&req, &env.posture);
    write.confirm(&plan)?;
    let name = env.name.clone();
    let backend = Backend::new(vec![env.clone()]);
    let bar = progress_bar(cli.output);
    let mut on_stage = |stage: Stage| {
        let msg = stage.to_string();
        if let Some(b) = &bar {
            b.set_message(msg);
        }
    };
    let result = deploy::deploy(
        &backend,
        &name,
        &req,
        &write.actor,
        &write.audit,
        &mut on_stage,
    )
    .await;
    if let Some(b) = bar {
        b.finish_and_clear();
    }
    let report = match result {
        Err(BackendError::SmokeFailed(why)) => {
            return Ok(Outcome::Exit(super::smoke::EXIT_FAILED, Some(why)));
        }
        other => other?,
    };
    if cli.output == OutputFormat::Json {
        output::json(&report)?;
    } else {
        println!(
            "{} {} version {} in {}: {}{}",
            if report.created {
                "created"
            } else {
                "deployed"
            },
            report.runtime,
            report.version,
            report.env,
            report.status,
            report
                .tools
                .map(|t| format!(", {t} tools"))
                .unwrap_or_default()
        );
        if let Some(m) = &report.endpoint {
            println!(
                "endpoint {}: {} → {}",
                m.endpoint,
                m.from.as_deref().unwrap_or("(new)"),
                m.to
            );
        }
        if let Some(s) = &report.smoke {
            println!("{}", s.summary());
        }
        println!("posture:");
        for line in deploy_posture::lines(&report.posture) {
            println!("{line}");
        }
        if let Some(r) = &report.log_retention {
            let n = r.log_groups.len();
            println!(
                "log retention: {} days on {n} log group{}",
                r.days,
                if n == 1 { "" } else { "s" }
            );
        }
    }
    for w in &report.weakenings {
        eprintln!("warning: this deploy weakens the environment's posture: {w}");
    }
    Ok(Outcome::Ok)
}

/// `--smoke FILE`, else `DIR/smoke.toml` when deploying a directory that has one.
fn smoke_spec(args: &DeployArgs) -> Result<Option<SmokeSpec>, ConfigError> {
    if args.no_smoke {
        return Ok(None);
    }
    let path = args
        .smoke
        .clone()
        .or_else(|| args.from_dir.as_deref().and_then(config::smoke::beside));
    path.map(|p| config::smoke::load(&p)).transpose()
}

pub async fn rollback(
    config: &Config,
    cli: &Cli,
    args: &RollbackArgs,
) -> Result<Outcome, CliError> {
    let env = config.one(&cli.envs)?;
    let write = Write::new(&env, "rollback", &args.runtime, &args.write)?;
    let to = args.to_version.as_deref();
    deploy::checks::endpoint_move(&args.runtime, &args.endpoint, to)
        .map_err(|e| write.refuse(e))?;
    let target = to.unwrap_or("its previous version");
    write.confirm(&[format!(
        "UpdateAgentRuntimeEndpoint {} → {target}",
        args.endpoint
    )])?;
    let name = env.name.clone();
    let backend = Backend::new(vec![env.clone()]);
    let moved = deploy::rollback(
        &backend,
        &name,
        &args.runtime,
        &args.endpoint,
        args.to_version.as_deref(),
        args.write.arm,
        &write.actor,
        &write.audit,
    )
    .await?;
    report_move(cli, &moved)
}

pub async fn point(config: &Config, cli: &Cli, args: &PointArgs) -> Result<Outcome, CliError> {
    let env = config.one(&cli.envs)?;
    let write = Write::new(&env, "endpoint.point", &args.runtime, &args.write)?;
    deploy::checks::endpoint_move(&args.runtime, &args.endpoint, Some(&args.version))
        .map_err(|e| write.refuse(e))?;
    write.confirm(&[format!(
        "UpdateAgentRuntimeEndpoint (or CreateAgentRuntimeEndpoint) {} → {}",
        args.endpoint, args.version
    )])?;
    let name = env.name.clone();
    let backend = Backend::new(vec![env.clone()]);
    let moved = deploy::point_endpoint(
        &backend,
        &name,
        &args.runtime,
        &args.endpoint,
        &args.version,
        args.write.arm,
        &write.actor,
        &write.audit,
    )
    .await?;
    report_move(cli, &moved)
}

fn report_move(cli: &Cli, moved: &deploy::EndpointMove) -> Result<Outcome, CliError> {
    if cli.output == OutputFormat::Json {
        output::json(moved)?;
    } else {
        println!(
            "endpoint {}: {} → {}{}",
            moved.endpoint,
            moved.from.as_deref().unwrap_or("-"),
            moved.to,
            if moved.created { " (created)" } else { "" }
        );
    }
    Ok(Outcome::Ok)
}

/// A spinner on a terminal for people; nothing for JSON or pipes.
fn progress_bar(format: OutputFormat) -> Option<ProgressBar> {
    use std::io::IsTerminal;
    if format == OutputFormat::Json || !std::io::stderr().is_terminal() {
        return None;
    }
    let bar = ProgressBar::new_spinner();
    bar.set_style(
        ProgressStyle::with_template("{spinner} {elapsed} {msg}")
            .unwrap_or_else(|_| ProgressStyle::default_spinner()),
    );
    bar.enable_steady_tick(Duration::from_millis(120));
    Some(bar)
}
