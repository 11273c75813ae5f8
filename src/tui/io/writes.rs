//! The writes the console makes, through the same backend calls as the CLI.

use super::{alarm_jobs, deploy_jobs, rollout_jobs, traffic_jobs};
use crate::backend::audit::{Actor, AuditLog};
use crate::backend::deploy::{self, EndpointMove};
use crate::backend::{Backend, BackendError};
use crate::tui::write::WriteOp;

pub(super) async fn write(
    backend: &Backend,
    audit: &AuditLog,
    op: &WriteOp,
    armed: bool,
    command: String,
) -> Result<String, String> {
    let actor = Actor::new(command);
    match op {
        WriteOp::Rollback {
            env,
            runtime,
            endpoint,
            to,
            ..
        } => moved(
            env,
            runtime,
            deploy::rollback(
                backend,
                env,
                runtime,
                endpoint,
                Some(to),
                armed,
                &actor,
                audit,
            )
            .await,
        ),
        WriteOp::Point {
            env,
            runtime,
            endpoint,
            to,
            ..
        } => moved(
            env,
            runtime,
            deploy::point_endpoint(backend, env, runtime, endpoint, to, armed, &actor, audit).await,
        ),
        WriteOp::Traffic(t) => traffic_jobs::traffic_write(backend, audit, t, armed, &actor).await,
        WriteOp::Deploy(d) => deploy_jobs::deploy(backend, audit, d, armed, &actor, None).await,
        WriteOp::Alarms(a) => alarm_jobs::apply(backend, audit, a, armed, &actor).await,
        WriteOp::Rollout(r) => rollout_jobs::control(backend, audit, r, armed, &actor).await,
    }
}

/// The status line's words for an endpoint move.
fn moved(
    env: &str,
    runtime: &str,
    r: Result<EndpointMove, BackendError>,
) -> Result<String, String> {
    let m = r.map_err(|e| e.to_string())?;
    Ok(match &m.from {
        Some(from) => format!(
            "{env}: {runtime} endpoint {} moved {from} → {}",
            m.endpoint, m.to
        ),
        None => format!(
            "{env}: {runtime} endpoint {} created on {}",
            m.endpoint, m.to
        ),
    })
}
