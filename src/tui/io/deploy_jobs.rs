//! The deploy pane's I/O: the check of a source directory (it exists and holds the entry
//! point) before anything is sent, and the deploy itself, whose stages stream into the pane
//! that asked while the write runs (then its outcome, then the write's usual reply).

use std::path::PathBuf;

use tokio::sync::mpsc;

use super::{Reply, Response, Ticket};
use crate::backend::Backend;
use crate::backend::audit::{Actor, AuditLog};
use crate::backend::{deploy, runtimes};
use crate::tui::write::{DeployOp, WriteOp};

/// What a running deploy tells its pane.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DeployEvent {
    /// A stage, in the backend's words (`waiting: READY`, `validated: 3 tools`).
    Stage(String),
    /// The outcome: the new version, or the backend's message (a failed validation says
    /// that DEFAULT already serves the new version).
    Done(Result<DeployDone, String>),
}

/// A deploy that went through.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeployDone {
    pub runtime_id: String,
    pub version: String,
    pub status: String,
    pub created: bool,
    pub artifact: String,
    /// Tools the new version listed (MCP runtimes).
    pub tools: Option<usize>,
    /// The named endpoints afterwards and the version each serves (none moved).
    pub endpoints: Vec<(String, Option<String>)>,
    /// The posture sent, `field value` for each setting.
    pub posture: Vec<String>,
    /// What it weakened against the environment's posture (warned, or allowed and armed).
    pub weakenings: Vec<String>,
    /// Log retention set: days, and on how many log groups.
    pub retention: Option<(u32, usize)>,
}

/// Whether `dir` exists and holds `entry_point`, inside it and through no symbolic link (the
/// backend's own check, which the CLI runs before it asks anything).
pub(super) async fn check_dir(dir: PathBuf, entry_point: String) -> Result<(), String> {
    let shown = dir.display().to_string();
    tokio::task::spawn_blocking(move || {
        deploy::checks::source_dir(&dir, &entry_point).map_err(|e| e.to_string())
    })
    .await
    .map_err(|e| format!("{shown}: {e}"))?
}

/// Run the deploy; with `stream`, send its stages and outcome to that pane as they happen
/// (a stage is dropped if the channel is full; the outcome waits for room).
pub(super) async fn deploy(
    backend: &Backend,
    audit: &AuditLog,
    op: &DeployOp,
    armed: bool,
    actor: &Actor,
    stream: Option<(Ticket, mpsc::Sender<Response>)>,
) -> Result<String, String> {
    let send_stage = |text: String| {
        if let Some((ticket, tx)) = &stream {
            let reply = Reply::Deploy(DeployEvent::Stage(text));
            let _ = tx.try_send(Response {
                ticket: *ticket,
                reply,
            });
        }
    };
    let mut on_stage = |stage: deploy::Stage| send_stage(stage.to_string());
    let req = op.request(armed);
    let result = match &op.source {
        crate::backend::deploy::Source::Dir {
            dir, entry_point, ..
        } => check_dir(dir.clone(), entry_point.clone()).await,
        _ => Ok(()),
    };
    let result = match result {
        Ok(()) => deploy::deploy(backend, &op.env, &req, actor, audit, &mut on_stage)
            .await
            .map_err(|e| e.to_string()),
        Err(e) => Err(e),
    };
    let done = match result {
        Ok(r) => {
            // The named endpoints now, for the separate move; a failed read leaves it empty.
            // Only the endpoints: one paged list, not the runtime's whole detail.
            let endpoints = match backend.clients(&op.env).await {
                Ok(c) => runtimes::list_endpoints(&c, &r.runtime_id).await,
                Err(e) => Err(e),
            }
            .map(|list| {
                list.into_iter()
                    .filter(|e| e.name != "DEFAULT")
                    .map(|e| (e.name, e.live_version))
                    .collect()
            })
            .unwrap_or_default();
            Ok(DeployDone {
                runtime_id: r.runtime_id,
                version: r.version,
                status: r.status,
                created: r.created,
                artifact: r.artifact,
                tools: r.tools,
                endpoints,
                posture: r
                    .posture
                    .rows()
                    .into_iter()
                    .filter(|(_, v)| v != "-")
                    .map(|(k, v)| format!("{k} {v}"))
                    .collect(),
                weakenings: r.weakenings,
                retention: r.log_retention.map(|l| (l.days, l.log_groups.len())),
            })
        }
        Err(e) => Err(e),
    };
    if let Some((ticket, tx)) = &stream {
        let reply = Reply::Deploy(DeployEvent::Done(done.clone()));
        let _ = tx
            .send(Response {
                ticket: *ticket,
                reply,
            })
            .await;
    }
    done.map(|d| {
        format!(
            "{}: {} version {} {}{}",
            op.env,
            op.runtime,
            d.version,
            d.status,
            d.tools
                .map(|t| format!(", validated: {t} tools"))
                .unwrap_or_default()
        )
    })
}

/// A deploy write from a pane: its stages and outcome to that pane, then the write's reply.
pub(super) async fn stream(
    backend: &Backend,
    audit: Result<AuditLog, String>,
    op: &DeployOp,
    armed: bool,
    command: &str,
    ticket: Ticket,
    tx: mpsc::Sender<Response>,
) {
    let result = match &audit {
        Err(why) => Err(format!("no audit log, so no writes: {why}")),
        Ok(audit) => {
            let actor = Actor::new(command.to_string());
            deploy(
                backend,
                audit,
                op,
                armed,
                &actor,
                Some((ticket, tx.clone())),
            )
            .await
        }
    };
    let op = WriteOp::Deploy(Box::new(op.clone()));
    let _ = tx
        .send(Response {
            ticket,
            reply: Reply::Write { op, result },
        })
        .await;
}
