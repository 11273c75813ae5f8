//! `rollout start|resume|status|list|approve|pause|abort`: gated rollouts from the command
//! line. `start` and `resume` drive the rollout in the foreground ([`drive`]); the others read
//! or change the shared state object ([`status`], [`control`]). The plan comes from
//! [`plan::resolve`]; every line of text output is built in [`format`].
//!
//! Exit codes (DESIGN §8): 0 promoted (or done), 1 error or stopped unfinished, 2 usage,
//! 3 rolled back by a gate, 4 aborted by an operator.

mod control;
mod drive;
mod format;
pub(super) mod plan;
mod status;

use clap::{Args, Subcommand};
use serde::Serialize;

use self::drive::{Foreground, Run};
use super::confirm::{Write, WriteFlags};
use super::output::{self, OutputFormat, Table, or_dash};
use super::{Cli, CliError, Outcome};
use crate::backend::Backend;
use crate::backend::rollout::{self, Preview, StartRequest};
use crate::config::Config;
use crate::domain::Environment;
use crate::domain::rollout::RolloutState;

#[derive(Debug, Subcommand)]
pub enum RolloutCommand {
    /// Start a rollout of a new version on the canary endpoint and drive it here until it
    /// promotes, rolls back or is aborted (exit 0, 3, 4; 1 on error or Ctrl-C)
    Start(StartArgs),
    /// The runtime's rollout: state, step, weight, the latest gates, lease, decision log
    Status { runtime: String },
    /// Every rollout of the environment
    List,
    /// Approve the approval step the rollout waits at
    Approve(ControlArgs),
    /// Pause a running rollout: its driver keeps the weight and stops evaluating
    Pause(ControlArgs),
    /// Continue a paused or stalled rollout (driven here when no live driver has it)
    Resume(ControlArgs),
    /// End the rollout now: 100% to stable, the canary endpoint back (needs no lease)
    Abort(ControlArgs),
}

#[derive(Debug, Args)]
pub struct StartArgs {
    pub runtime: String,
    /// The version the canary endpoint is to serve
    #[arg(long, value_name = "N")]
    pub canary_version: String,
    /// A plan file (TOML), a plan of the environment, or a built-in: seed (default),
    /// blue-green
    #[arg(long, value_name = "FILE|NAME")]
    pub plan: Option<String>,
    /// Smoke checks (smoke.toml) for blue/green's validation and the `require_smoke` gate;
    /// kept in the rollout's state, so `resume` anywhere has them
    #[arg(long = "smoke", value_name = "FILE")]
    pub smoke: Option<std::path::PathBuf>,
    #[command(flatten)]
    pub write: WriteFlags,
}

#[derive(Debug, Args)]
pub struct ControlArgs {
    pub runtime: String,
    #[command(flatten)]
    pub write: WriteFlags,
}

pub async fn run(config: &Config, cli: &Cli, cmd: &RolloutCommand) -> Result<Outcome, CliError> {
    let env = config.one(&cli.envs)?;
    let backend = Backend::new(vec![env.clone()]);
    let json = cli.output == OutputFormat::Json;
    match cmd {
        RolloutCommand::Start(args) => start(&backend, &env, json, args).await,
        RolloutCommand::Resume(args) => resume(&backend, &env, json, args).await,
        RolloutCommand::Status { runtime } => show(&backend, &env, json, runtime).await,
        RolloutCommand::List => list(&backend, &env, json).await,
        RolloutCommand::Approve(args) => {
            control::run(&backend, &env, json, args, control::Action::Approve).await
        }
        RolloutCommand::Pause(args) => {
            control::run(&backend, &env, json, args, control::Action::Pause).await
        }
        RolloutCommand::Abort(args) => {
            control::run(&backend, &env, json, args, control::Action::Abort).await
        }
    }
}

/// The preview, as the first NDJSON line of `start --output json`.
#[derive(Serialize)]
struct PreviewLine<'a> {
    event: &'static str,
    #[serde(flatten)]
    preview: &'a Preview,
}

async fn start(
    backend: &Backend,
    env: &Environment,
    json: bool,
    args: &StartArgs,
) -> Result<Outcome, CliError> {
    let w = Write::new(env, "rollout.start", &args.runtime, &args.write)?;
    w.guard()?;
    // A bad plan is refused before any call.
    let plan = plan::resolve(env, args.plan.as_deref()).map_err(|e| w.refuse(e))?;
    let smoke = args
        .smoke
        .as_deref()
        .map(crate::config::smoke::load)
        .transpose()
        .map_err(|e| w.refuse(e))?;
    let req = StartRequest {
        env: env.name.clone(),
        runtime: args.runtime.clone(),
        canary_version: args.canary_version.clone(),
        plan,
        smoke,
    };
    start_request(backend, &w, json, req, args.write.arm).await
}

/// Preview, confirm and drive a rollout whose plan is resolved: `rollout start`, and
/// `promote --rollout` once its version exists.
pub(super) async fn start_request(
    backend: &Backend,
    w: &Write<'_>,
    json: bool,
    req: StartRequest,
    armed: bool,
) -> Result<Outcome, CliError> {
    let env = w.env;
    let preview = rollout::driver::preview(backend, &req).await?;
    if json {
        output::json_line(&PreviewLine {
            event: "preview",
            preview: &preview,
        })?;
    } else {
        print!("{}", plan::summary(&preview.plan));
        println!(
            "traffic goes back to: stable `{}` version {}; the canary endpoint `{}` back to {}",
            env.stable_endpoint(),
            or_dash(preview.stable_version.as_deref()),
            env.canary_endpoint(),
            or_dash(preview.canary_from.as_deref()),
        );
        println!("calls:");
        for c in &preview.calls {
            println!("  {c}");
        }
    }
    w.confirm(&preview.calls)?;
    let runtime = req.runtime.clone();
    let f = Foreground {
        backend,
        env: &env.name,
        runtime: &runtime,
        armed,
        actor: &w.actor,
        audit: &w.audit,
        json,
        steps: req.plan.steps.len(),
    };
    drive::drive(&f, Run::Start(Box::new(req))).await
}

async fn resume(
    backend: &Backend,
    env: &Environment,
    json: bool,
    args: &ControlArgs,
) -> Result<Outcome, CliError> {
    let w = Write::new(env, "rollout.resume", &args.runtime, &args.write)?;
    w.guard()?;
    let state = existing(backend, env, &args.runtime, &w).await?;
    let now = rollout::now_ms();
    if state.phase.is_terminal() {
        return Err(w.refuse(format!(
            "the rollout of `{}` in `{}` is {}: there is nothing to resume; start a new one \
             with `rollout start`",
            args.runtime,
            env.name,
            state.shown(now)
        )));
    }
    let calls = vec![
        format!(
            "PutObject rollouts/{}.json (If-Match): resume {} at {}% (taking the lease if no \
             live driver holds it)",
            args.runtime,
            format::step_of(state.step, state.plan.steps.len()),
            state.weight()
        ),
        format!(
            "then, as the plan goes on: the gateway rule's weights step by step (`{canary}` \
             on version {v}); at the end UpdateAgentRuntimeEndpoint `{stable}` → version {v}; \
             on a failing gate 100% to `{stable}` and `{canary}` back to version {back}",
            canary = state.canary_endpoint,
            stable = state.stable_endpoint,
            v = state.canary_version,
            back = state.previous_canary_version.as_deref().unwrap_or("-"),
        ),
    ];
    if !json {
        println!("{}", status::text(&state, now).trim_end());
        println!("calls:");
        for c in &calls {
            println!("  {c}");
        }
    }
    w.confirm(&calls)?;
    let f = Foreground {
        backend,
        env: &env.name,
        runtime: &args.runtime,
        armed: args.write.arm,
        actor: &w.actor,
        audit: &w.audit,
        json,
        steps: state.plan.steps.len(),
    };
    drive::drive(&f, Run::Resume).await
}

/// The runtime's rollout, or a refusal (audited) when it has none.
async fn existing(
    backend: &Backend,
    env: &Environment,
    runtime: &str,
    w: &Write<'_>,
) -> Result<RolloutState, CliError> {
    rollout::status(backend, &env.name, runtime)
        .await?
        .ok_or_else(|| w.refuse(no_rollout(runtime, &env.name)))
}

fn no_rollout(runtime: &str, env: &str) -> String {
    format!(
        "no rollout of `{runtime}` in `{env}`: start one with `rollout start {runtime} --env {env}`"
    )
}

async fn show(
    backend: &Backend,
    env: &Environment,
    json: bool,
    runtime: &str,
) -> Result<Outcome, CliError> {
    let Some(state) = rollout::status(backend, &env.name, runtime).await? else {
        return Err(CliError::msg(no_rollout(runtime, &env.name)));
    };
    print_state(&state, json)?;
    Ok(Outcome::Ok)
}

/// A rollout, as `status` prints it.
fn print_state(state: &RolloutState, json: bool) -> Result<(), CliError> {
    let now = rollout::now_ms();
    if json {
        output::json(&status::StatusView::new(state, now))?;
    } else {
        print!("{}", status::text(state, now));
    }
    Ok(())
}

async fn list(backend: &Backend, env: &Environment, json: bool) -> Result<Outcome, CliError> {
    let mut all = rollout::list(backend, &env.name).await?;
    all.sort_by(|a, b| a.runtime.cmp(&b.runtime));
    let now = rollout::now_ms();
    if json {
        let views: Vec<_> = all
            .iter()
            .map(|s| status::StatusView::new(s, now))
            .collect();
        output::json(&views)?;
        return Ok(Outcome::Ok);
    }
    if all.is_empty() {
        println!("no rollouts in `{}`", env.name);
        return Ok(Outcome::Ok);
    }
    let mut t = Table::new(vec![
        "RUNTIME", "STATE", "STEP", "WEIGHT", "LEFT", "PLAN", "CANARY", "STABLE", "HOLDER",
    ]);
    for s in &all {
        t.row(vec![
            s.runtime.clone(),
            s.shown(now).to_string(),
            format::step_of(s.step, s.plan.steps.len()),
            format!("{}%", s.weight()),
            s.time_left_ms(now)
                .map_or_else(|| "-".into(), format::duration_ms),
            s.plan.name.clone(),
            s.canary_version.clone(),
            or_dash(s.stable_version.as_deref()),
            or_dash(s.lease.as_ref().map(|l| l.holder.as_str())),
        ]);
    }
    t.print();
    Ok(Outcome::Ok)
}
