//! The rollout pane's I/O, through `backend::rollout` as the CLI does: the status read (one
//! GetObject), a start's preview (reads only; the answer goes to the confirmation), the
//! control writes (approve, pause, abort), and the drivers (start, resume), which run as a
//! background task of the worker until the rollout ends or the console quits (the worker's
//! stop signal), their events streaming to the pane that asked.

use tokio::sync::{mpsc, watch};

use super::{Reply, Response, Ticket};
use crate::backend::audit::{Actor, AuditLog};
use crate::backend::rollout::{self, Driving, Event, Outcome, StartRequest};
use crate::backend::{Backend, BackendError};
use crate::domain::rollout::{Plan, RolloutState};
use crate::tui::write::{RolloutAction, RolloutOp, WriteOp};

/// A runtime's rollout as read, and when (epoch ms): countdowns run from there.
#[derive(Debug, Clone, PartialEq)]
pub struct RolloutView {
    pub state: Option<RolloutState>,
    pub read_at_ms: i64,
}

/// One environment's rollouts (the matrix), and when they were read (epoch ms).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct EnvRollouts {
    pub read_at_ms: i64,
    pub states: Vec<RolloutState>,
}

pub(super) async fn env_rollouts(backend: &Backend, env: &str) -> Result<EnvRollouts, String> {
    let states = rollout::list(backend, env)
        .await
        .map_err(|e| e.to_string())?;
    Ok(EnvRollouts {
        read_at_ms: rollout::now_ms(),
        states,
    })
}

/// What a start asks for before its preview is read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StartAsk {
    pub env: String,
    pub runtime: String,
    pub canary_version: String,
    /// A plan of the environment's, or a built-in.
    pub plan: String,
}

pub(super) async fn status(
    backend: &Backend,
    env: &str,
    runtime: &str,
) -> Result<RolloutView, String> {
    let state = rollout::status(backend, env, runtime)
        .await
        .map_err(|e| e.to_string())?;
    Ok(RolloutView {
        state,
        read_at_ms: rollout::now_ms(),
    })
}

/// The plan a start names: the environment's own first, then the built-ins.
fn plan(backend: &Backend, env: &str, name: &str) -> Result<Plan, String> {
    let e = backend.environment(env).map_err(|e| e.to_string())?;
    e.plans
        .iter()
        .find(|p| p.name == name)
        .cloned()
        .or_else(|| Plan::builtin(name))
        .ok_or_else(|| {
            let mut names: Vec<&str> = e.plans.iter().map(|p| p.name.as_str()).collect();
            names.extend(crate::domain::rollout::plan::BUILTINS);
            format!("no plan `{name}` in {env} (there are {})", names.join(", "))
        })
}

/// A start as the confirmation shows it: the backend's preview of the exact calls.
pub(super) async fn preview(backend: &Backend, ask: &StartAsk) -> Result<Box<RolloutOp>, String> {
    let req = StartRequest {
        env: ask.env.clone(),
        runtime: ask.runtime.clone(),
        canary_version: ask.canary_version.clone(),
        plan: plan(backend, &ask.env, &ask.plan)?,
        smoke: None,
    };
    let p = rollout::preview(backend, &req)
        .await
        .map_err(|e| e.to_string())?;
    Ok(Box::new(RolloutOp {
        env: ask.env.clone(),
        runtime: ask.runtime.clone(),
        state_now: "none".into(),
        previous_canary: p.canary_from.clone(),
        action: RolloutAction::Start {
            canary_version: ask.canary_version.clone(),
            plan: Box::new(p.plan),
            calls: p.calls,
            stable_version: p.stable_version,
            canary_from: p.canary_from,
        },
    }))
}

/// Approve, pause or abort: one call, no lease.
pub(super) async fn control(
    backend: &Backend,
    audit: &AuditLog,
    op: &RolloutOp,
    armed: bool,
    actor: &Actor,
) -> Result<String, String> {
    let (env, rt) = (op.env.as_str(), op.runtime.as_str());
    let state = match op.action {
        RolloutAction::Approve => rollout::approve(backend, env, rt, armed, actor, audit).await,
        RolloutAction::Pause => rollout::pause(backend, env, rt, armed, actor, audit).await,
        RolloutAction::Abort => rollout::abort(backend, env, rt, armed, actor, audit).await,
        RolloutAction::Start { .. } | RolloutAction::Resume => Err(BackendError::Other(
            "a driver runs as a stream, not a single write".into(),
        )),
    }
    .map_err(|e| e.to_string())?;
    Ok(format!(
        "rollout of {rt} in {env}: {}",
        state.shown(rollout::now_ms())
    ))
}

/// Run a driver (start or resume) until the rollout ends or `stop` turns true; each event
/// goes to the pane that asked (dropped when the channel is full: the stored decision log
/// has it), then the write's usual reply.
#[allow(clippy::too_many_arguments)]
pub(super) async fn drive(
    backend: &Backend,
    audit: Result<AuditLog, String>,
    op: &RolloutOp,
    armed: bool,
    command: &str,
    ticket: Ticket,
    tx: mpsc::Sender<Response>,
    stop: watch::Receiver<bool>,
) {
    let result = match &audit {
        Err(why) => Err(format!("no audit log, so no writes: {why}")),
        Ok(audit) => {
            let actor = Actor::new(command.to_string());
            run(backend, audit, op, armed, &actor, ticket, &tx, stop).await
        }
    };
    let op = WriteOp::Rollout(Box::new(op.clone()));
    let _ = tx
        .send(Response {
            ticket,
            reply: Reply::Write { op, result },
        })
        .await;
}

#[allow(clippy::too_many_arguments)]
async fn run(
    backend: &Backend,
    audit: &AuditLog,
    op: &RolloutOp,
    armed: bool,
    actor: &Actor,
    ticket: Ticket,
    tx: &mpsc::Sender<Response>,
    stop: watch::Receiver<bool>,
) -> Result<String, String> {
    let (events, mut rx) = mpsc::unbounded_channel::<Event>();
    let driving = Driving {
        actor,
        audit,
        events,
        stop,
    };
    let (env, rt) = (op.env.clone(), op.runtime.clone());
    let driver = async {
        match &op.action {
            RolloutAction::Start {
                canary_version,
                plan,
                ..
            } => {
                let req = StartRequest {
                    env: env.clone(),
                    runtime: rt.clone(),
                    canary_version: canary_version.clone(),
                    plan: (**plan).clone(),
                    smoke: None,
                };
                rollout::start(backend, req, armed, driving).await
            }
            _ => rollout::resume(backend, &env, &rt, armed, driving).await,
        }
    };
    tokio::pin!(driver);
    let mut last: Option<Event> = None;
    let forward = |ev: Event, last: &mut Option<Event>| {
        let _ = tx.try_send(Response {
            ticket,
            reply: Reply::RolloutEvent(Box::new(ev.clone())),
        });
        *last = Some(ev);
    };
    let outcome = loop {
        tokio::select! {
            out = &mut driver => break out,
            Some(ev) = rx.recv() => forward(ev, &mut last),
        }
    };
    while let Ok(ev) = rx.try_recv() {
        forward(ev, &mut last);
    }
    let outcome = outcome.map_err(|e| e.to_string())?;
    let why = last.map(|e| e.message).unwrap_or_default();
    match outcome {
        Outcome::Promoted => Ok(format!("rollout of {rt} in {env} promoted")),
        Outcome::Handed => Ok(format!(
            "rollout of {rt} in {env} resumed: its driver goes on"
        )),
        Outcome::Stopped => Ok(format!(
            "rollout of {rt} in {env} left where it is: `rollout resume` continues it"
        )),
        Outcome::RolledBack => Err(format!("rolled back by a gate: {why}")),
        Outcome::Aborted => Err(format!("aborted by an operator: {why}")),
    }
}
