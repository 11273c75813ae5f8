//! The only place the TUI does I/O. The owner loop sends [`Request`]s with `try_send` on a
//! bounded channel and never awaits a backend call; the worker owns the `Arc<Backend>`, runs
//! each request as a task in a `JoinSet`, and sends one [`Response`] back per request on
//! another bounded channel. Every request carries a [`Ticket`] (the pane that asked and that
//! pane's generation for it), so the app can drop answers nobody is waiting for any more.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use tokio::sync::mpsc;
use tokio::task::{AbortHandle, JoinSet};

use super::write::WriteOp;
use crate::backend::Backend;
use crate::backend::audit::AuditLog;
use crate::backend::metrics::RuntimeMetrics;
use crate::backend::runtimes::config::DiffSide;
use crate::backend::traffic::Split;
use crate::domain::audit::AuditEntry;
use crate::domain::version_config::RuntimeDiff;
use crate::domain::{Runtime, RuntimeDetail};

mod alarm_jobs;
mod deploy_jobs;
mod metrics_jobs;
mod reads;
mod rollout_jobs;
mod traffic_jobs;
mod writes;
pub use alarm_jobs::{AlarmHistory, ChartAlarm, HISTORY_LIMIT};
pub use deploy_jobs::{DeployDone, DeployEvent};
pub use metrics_jobs::MetricsData;
pub use rollout_jobs::{EnvRollouts, RolloutView, StartAsk};
pub use traffic_jobs::{OBSERVED_MINUTES, TrafficData};
mod invoke_jobs;
mod log_stream;
pub use invoke_jobs::{CallJob, CallOutcome, Progress, ToolInfo, ToolList, ToolsJob};
pub use log_stream::{LogBatch, LogStreamJob};

/// Requests (and responses) that may wait in each channel.
pub const CHANNEL: usize = 64;
/// The window the matrix's error rate and latency sparkline cover.
pub const MATRIX_WINDOW_SECS: i64 = 30 * 60;
/// How long leaving waits for writes still running (reads are cancelled at once).
const DRAIN: Duration = Duration::from_secs(30);

/// Which pane instance asked.
pub type PaneUid = u64;

/// Who asked, and which of their requests this is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Ticket {
    pub pane: PaneUid,
    pub generation: u64,
}

/// Something to fetch or do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Job {
    /// One environment's column of the matrix: runtimes with endpoints, then (concurrently)
    /// one GetMetricData batch for all of them and one read of the gateway's splits.
    EnvMatrix { env: String },
    /// One runtime in detail, with its audit history.
    RuntimeDetail { env: String, runtime: String },
    /// The audit log.
    Audit,
    /// A confirmed change. `command` is the equivalent CLI line for the audit log.
    Write {
        op: WriteOp,
        armed: bool,
        command: String,
    },
    /// The pane is gone: cancel its reads still running (never its writes).
    Cancel,
    /// A runtime's canary split, what traffic really did, its versions and audit history.
    Traffic { env: String, runtime: String },
    /// A runtime's metrics over the last `span` seconds in `period`s, with its markers.
    Metrics {
        env: String,
        runtime: String,
        span: i64,
        period: i32,
    },
    /// A logs pane's stream: many replies, until it ends, fails, or the pane closes or asks
    /// for another (one stream per pane).
    LogStream(LogStreamJob),
    /// Save a logs pane's lines to a file under the state dir.
    SaveLogs { name: String, text: Arc<str> },
    /// The tools of a runtime endpoint (an MCP session: initialize, tools/list).
    InvokeTools(ToolsJob),
    /// One tool call: progress replies as they come, then the result.
    InvokeCall(Box<CallJob>),
    /// The deploy form's source directory: it exists and holds the entry point.
    DeployCheck {
        dir: std::path::PathBuf,
        entry_point: String,
    },
    /// One environment's alarms (one DescribeAlarms listing), for the app's alarm book.
    Alarms { env: String },
    /// One alarm's history, newest first (the alarms pane).
    AlarmHistory { env: String, alarm: String },
    /// What applying the standard alarms to a runtime (every endpoint) would change: reads
    /// only; the answer goes to the confirmation.
    AlarmPlan { env: String, runtime: String },
    /// A runtime's rollout (one GetObject of the shared state).
    Rollout { env: String, runtime: String },
    /// What starting a rollout would do: reads only; the answer goes to the confirmation.
    RolloutPreview(StartAsk),
    /// Two versions of a runtime, every setting, and what differs.
    RuntimeDiff {
        runtime: String,
        left: DiffSide,
        right: DiffSide,
    },
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Request {
    pub ticket: Ticket,
    pub job: Job,
}

/// One environment's matrix data. Metrics and splits fail on their own; the runtimes stand.
#[derive(Debug, Clone, PartialEq)]
pub struct EnvSnapshot {
    pub runtimes: Vec<Runtime>,
    pub metrics: Result<Vec<RuntimeMetrics>, String>,
    pub splits: Result<Vec<Split>, String>,
    /// Every runtime's rollout, over or not (one listing, one GetObject each).
    pub rollouts: Result<EnvRollouts, String>,
    /// Runtimes (by id) off the environment's configured posture, and how.
    pub drift: Result<crate::backend::runtimes::drift::EnvDrift, String>,
}

/// A runtime in detail and what the audit log says was done to it (oldest first).
#[derive(Debug, Clone, PartialEq)]
pub struct RuntimeView {
    pub detail: RuntimeDetail,
    pub history: Result<Vec<AuditEntry>, String>,
    /// What of the environment's configured posture the stable version lacks; `None` when
    /// the environment configures none.
    pub posture_drift: Option<Vec<crate::domain::version_config::PostureDrift>>,
}

/// The answer to one request.
#[derive(Debug, Clone, PartialEq)]
pub enum Reply {
    EnvMatrix {
        env: String,
        result: Result<EnvSnapshot, String>,
    },
    RuntimeDetail(Result<Box<RuntimeView>, String>),
    Audit(Result<Vec<AuditEntry>, String>),
    Write {
        op: WriteOp,
        result: Result<String, String>,
    },
    Traffic(Result<Box<TrafficData>, String>),
    Metrics(Result<Box<MetricsData>, String>),
    Logs(LogBatch),
    /// Where the lines were saved.
    LogsSaved(Result<String, String>),
    InvokeTools(Result<Box<ToolList>, String>),
    /// A progress notification of the call in flight.
    InvokeProgress(Progress),
    InvokeResult(Result<Box<CallOutcome>, String>),
    /// A running deploy's stage or outcome (to the pane that confirmed it).
    Deploy(DeployEvent),
    /// The deploy form's directory check.
    DeployChecked(Result<(), String>),
    /// One environment's alarms.
    Alarms {
        env: String,
        result: Result<crate::tui::alarms::EnvAlarms, String>,
    },
    /// One alarm's history.
    AlarmHistory(Result<Box<AlarmHistory>, String>),
    /// The standard alarms' plan for a runtime in an environment.
    AlarmPlan {
        env: String,
        runtime: String,
        result: Result<Box<crate::backend::alarms::AlarmPlan>, String>,
    },
    /// A runtime's rollout.
    Rollout(Result<Box<RolloutView>, String>),
    /// A start's preview, as the write to confirm.
    RolloutPreview(Result<Box<super::write::RolloutOp>, String>),
    /// Something a driver this console runs did or saw.
    RolloutEvent(Box<crate::backend::rollout::Event>),
    /// A request's task panicked: a message for the status line.
    Crashed(String),
    RuntimeDiff(Result<Box<RuntimeDiff>, String>),
}

impl Reply {
    /// The reply a job gets when its task died without answering.
    fn failed(job: &Job, why: String) -> Option<Self> {
        Some(match job {
            Job::EnvMatrix { env } => Reply::EnvMatrix {
                env: env.clone(),
                result: Err(why),
            },
            Job::RuntimeDetail { .. } => Reply::RuntimeDetail(Err(why)),
            Job::Audit => Reply::Audit(Err(why)),
            Job::Write { op, .. } => Reply::Write {
                op: op.clone(),
                result: Err(why),
            },
            Job::Cancel => return None,
            Job::Traffic { .. } => Reply::Traffic(Err(why)),
            Job::Metrics { .. } => Reply::Metrics(Err(why)),
            Job::LogStream(_) => Reply::Logs(LogBatch::failed(why)),
            Job::SaveLogs { .. } => Reply::LogsSaved(Err(why)),
            Job::InvokeTools(_) => Reply::InvokeTools(Err(why)),
            Job::InvokeCall(_) => Reply::InvokeResult(Err(why)),
            Job::DeployCheck { .. } => Reply::DeployChecked(Err(why)),
            Job::Alarms { env } => Reply::Alarms {
                env: env.clone(),
                result: Err(why),
            },
            Job::AlarmHistory { .. } => Reply::AlarmHistory(Err(why)),
            Job::AlarmPlan { env, runtime } => Reply::AlarmPlan {
                env: env.clone(),
                runtime: runtime.clone(),
                result: Err(why),
            },
            Job::Rollout { .. } => Reply::Rollout(Err(why)),
            Job::RolloutPreview(_) => Reply::RolloutPreview(Err(why)),
            Job::RuntimeDiff { .. } => Reply::RuntimeDiff(Err(why)),
        })
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Response {
    pub ticket: Ticket,
    pub reply: Reply,
}

/// The loop's ends of the worker's channels.
pub struct Io {
    pub requests: mpsc::Sender<Request>,
    pub responses: mpsc::Receiver<Response>,
    pub worker: tokio::task::JoinHandle<()>,
}

/// Start the worker. `audit` is where writes are recorded and the audit pane reads; without
/// one, writes are refused with the reason.
pub fn spawn(backend: Arc<Backend>, audit: Result<AuditLog, String>) -> Io {
    let (req_tx, req_rx) = mpsc::channel(CHANNEL);
    let (resp_tx, resp_rx) = mpsc::channel(CHANNEL);
    let worker = tokio::spawn(run(backend, audit, req_rx, resp_tx));
    Io {
        requests: req_tx,
        responses: resp_rx,
        worker,
    }
}

struct Running {
    ticket: Ticket,
    job: Job,
    abort: AbortHandle,
}

async fn run(
    backend: Arc<Backend>,
    audit: Result<AuditLog, String>,
    mut requests: mpsc::Receiver<Request>,
    responses: mpsc::Sender<Response>,
) {
    let mut tasks: JoinSet<()> = JoinSet::new();
    // Rollout drivers stop on this when the console quits (the rollout stays for `resume`).
    let (stop_tx, stop) = tokio::sync::watch::channel(false);
    let mut running: HashMap<tokio::task::Id, Running> = HashMap::new();
    loop {
        tokio::select! {
            req = requests.recv() => {
                let Some(req) = req else { break };
                if req.job == Job::Cancel {
                    for r in running.values() {
                        let is_write = matches!(r.job, Job::Write { .. });
                        if r.ticket.pane == req.ticket.pane && !is_write {
                            r.abort.abort();
                        }
                    }
                    continue;
                }
                if matches!(req.job, Job::LogStream(_)) {
                    // One stream per pane: a new query replaces the old one.
                    for r in running.values() {
                        if r.ticket.pane == req.ticket.pane && matches!(r.job, Job::LogStream(_)) {
                            r.abort.abort();
                        }
                    }
                }
                let (backend, audit, tx) = (Arc::clone(&backend), audit.clone(), responses.clone());
                let stop = stop.clone();
                let (ticket, job) = (req.ticket, req.job.clone());
                let abort = tasks.spawn(async move {
                    if let Job::LogStream(job) = req.job {
                        return log_stream::stream(backend, job, req.ticket, tx).await;
                    }
                    if let Job::InvokeCall(job) = req.job {
                        return invoke_jobs::call(backend, *job, req.ticket, tx).await;
                    }
                    if let Job::Write { op: WriteOp::Deploy(d), armed, command } = &req.job {
                        return deploy_jobs::stream(&backend, audit, d, *armed, command, req.ticket, tx)
                            .await;
                    }
                    if let Job::Write { op: WriteOp::Rollout(r), armed, command } = &req.job
                        && r.drives()
                    {
                        return rollout_jobs::drive(&backend, audit, r, *armed, command, req.ticket, tx, stop)
                            .await;
                    }
                    if let Some(reply) = execute(backend, audit, req.job).await {
                        let _ = tx.send(Response { ticket: req.ticket, reply }).await;
                    }
                });
                running.insert(abort.id(), Running { ticket, job, abort });
            }
            Some(done) = tasks.join_next_with_id(), if !tasks.is_empty() => {
                for resp in ended(&mut running, done) {
                    let _ = responses.send(resp).await;
                }
            }
        }
    }
    // Leaving: reads are dropped, writes finish (an audited change is never cut in half),
    // drivers give up their lease and return.
    let _ = stop_tx.send(true);
    for r in running.values() {
        if !matches!(r.job, Job::Write { .. }) {
            r.abort.abort();
        }
    }
    let _ = tokio::time::timeout(DRAIN, async { while tasks.join_next().await.is_some() {} }).await;
}

/// A task ended. One that panicked answers its pane with the failure it would have had, and
/// the status line says so: the console goes on (tokio caught the panic; the panic hook left
/// the screen alone).
fn ended(
    running: &mut HashMap<tokio::task::Id, Running>,
    done: Result<(tokio::task::Id, ()), tokio::task::JoinError>,
) -> Vec<Response> {
    let (id, panicked) = match done {
        Ok((id, ())) => (id, None),
        Err(e) => (e.id(), e.is_panic().then(|| e.to_string())),
    };
    let (Some(r), Some(why)) = (running.remove(&id), panicked) else {
        return Vec::new();
    };
    tracing::error!(?r.job, "request task panicked: {why}");
    let mut out = vec![Response {
        ticket: r.ticket,
        reply: Reply::Crashed(format!(
            "internal error: {why}; the console goes on (details in console.log)"
        )),
    }];
    if let Some(reply) = Reply::failed(&r.job, format!("internal error: {why}")) {
        out.push(Response {
            ticket: r.ticket,
            reply,
        });
    }
    out
}

async fn execute(
    backend: Arc<Backend>,
    audit: Result<AuditLog, String>,
    job: Job,
) -> Option<Reply> {
    let backend = backend.as_ref();
    Some(match job {
        Job::EnvMatrix { env } => {
            let result = reads::env_snapshot(backend, &env).await;
            Reply::EnvMatrix { env, result }
        }
        Job::RuntimeDetail { env, runtime } => Reply::RuntimeDetail(
            reads::runtime_view(backend, audit, &env, &runtime)
                .await
                .map(Box::new),
        ),
        Job::Audit => Reply::Audit(audit.and_then(|a| a.read().map_err(|e| e.to_string()))),
        Job::RuntimeDiff {
            runtime,
            left,
            right,
        } => Reply::RuntimeDiff(
            crate::backend::runtimes::config::diff(backend, &runtime, &left, &right)
                .await
                .map(Box::new)
                .map_err(|e| e.to_string()),
        ),
        Job::Write { op, armed, command } => {
            let result = match audit {
                Err(why) => Err(format!("no audit log, so no writes: {why}")),
                Ok(audit) => writes::write(backend, &audit, &op, armed, command).await,
            };
            Reply::Write { op, result }
        }
        Job::Cancel => return None,
        Job::Traffic { env, runtime } => Reply::Traffic(
            traffic_jobs::traffic_data(backend, audit, &env, &runtime)
                .await
                .map(Box::new),
        ),
        Job::Metrics {
            env,
            runtime,
            span,
            period,
        } => Reply::Metrics(
            metrics_jobs::metrics_data(backend, audit, &env, &runtime, span, period)
                .await
                .map(Box::new),
        ),
        Job::LogStream(_) => return None, // run by `log_stream::stream`, many replies
        Job::InvokeCall(_) => return None, // run by `invoke_jobs::call`, many replies
        Job::InvokeTools(job) => {
            Reply::InvokeTools(invoke_jobs::tools(backend, &job).await.map(Box::new))
        }
        Job::SaveLogs { name, text } => {
            Reply::LogsSaved(log_stream::save(&audit, &name, &text).await)
        }
        Job::DeployCheck { dir, entry_point } => {
            Reply::DeployChecked(deploy_jobs::check_dir(dir, entry_point).await)
        }
        Job::Alarms { env } => {
            let result = alarm_jobs::env_alarms(backend, &env).await;
            Reply::Alarms { env, result }
        }
        Job::AlarmHistory { env, alarm } => Reply::AlarmHistory(
            alarm_jobs::history(backend, &env, &alarm)
                .await
                .map(Box::new),
        ),
        Job::AlarmPlan { env, runtime } => {
            let result = alarm_jobs::plan(backend, &env, &runtime).await;
            Reply::AlarmPlan {
                env,
                runtime,
                result,
            }
        }
        Job::Rollout { env, runtime } => Reply::Rollout(
            rollout_jobs::status(backend, &env, &runtime)
                .await
                .map(Box::new),
        ),
        Job::RolloutPreview(ask) => {
            Reply::RolloutPreview(rollout_jobs::preview(backend, &ask).await)
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_panicking_task_answers_its_pane_and_the_status_line() {
        let mut tasks: JoinSet<()> = JoinSet::new();
        let abort = tasks.spawn(async { panic!("boom in a task") });
        let ticket = Ticket {
            pane: 7,
            generation: 3,
        };
        let mut running = HashMap::from([(
            abort.id(),
            Running {
                ticket,
                job: Job::Audit,
                abort,
            },
        )]);
        let done = tasks.join_next_with_id().await.expect("a task");
        let out = ended(&mut running, done);
        assert!(running.is_empty());
        let [crashed, failed] = out.as_slice() else {
            panic!("two responses: {out:?}");
        };
        assert_eq!((crashed.ticket, failed.ticket), (ticket, ticket));
        assert!(
            matches!(&crashed.reply, Reply::Crashed(m) if m.contains("boom in a task") && m.contains("goes on")),
            "{crashed:?}"
        );
        assert!(
            matches!(&failed.reply, Reply::Audit(Err(m)) if m.contains("boom in a task")),
            "{failed:?}"
        );
        // A task that ended well says nothing.
        let abort = tasks.spawn(async {});
        running.insert(
            abort.id(),
            Running {
                ticket,
                job: Job::Audit,
                abort,
            },
        );
        let done = tasks.join_next_with_id().await.expect("a task");
        assert!(ended(&mut running, done).is_empty());
        assert!(running.is_empty());
    }
}
