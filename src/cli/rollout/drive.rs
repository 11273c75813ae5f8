//! Driving a rollout in the foreground (`start`, `resume`): the driver runs here while its
//! events are printed as they come, one line each (NDJSON with `--output json`), then one
//! summary. The first Ctrl-C (SIGINT, SIGTERM, SIGHUP) asks the driver to stop: it gives up
//! its lease and the traffic stays where it is, so anyone can resume or abort at once; a second
//! one leaves without waiting (the lease then expires by itself).

use serde::Serialize;
use tokio::sync::{mpsc, watch};

use super::format::event_line;
use crate::backend::audit::{Actor, AuditLog};
use crate::backend::rollout::{self, Driving, Event, Outcome as Ended, StartRequest};
use crate::backend::{Backend, BackendError};
use crate::cli::{CliError, Outcome};

/// What to drive.
pub enum Run {
    Start(Box<StartRequest>),
    Resume,
}

/// Where, by whom, and how to print.
pub struct Foreground<'a> {
    pub backend: &'a Backend,
    pub env: &'a str,
    pub runtime: &'a str,
    pub armed: bool,
    pub actor: &'a Actor,
    pub audit: &'a AuditLog,
    pub json: bool,
    /// The plan's steps, for `step i/n`.
    pub steps: usize,
}

/// The last NDJSON line of a foreground run.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct Summary<'a> {
    event: &'static str,
    outcome: Ended,
    exit_code: u8,
    env: &'a str,
    runtime: &'a str,
    /// The state as `status` shows it now (null when it could not be read).
    state: Option<&'static str>,
    weight: Option<u8>,
    reason: Option<String>,
    message: String,
}

/// Drive `run` to its end, printing events; the exit code is the driver's outcome's.
pub async fn drive(f: &Foreground<'_>, run: Run) -> Result<Outcome, CliError> {
    let (events, mut rx) = mpsc::unbounded_channel();
    let (stop_tx, stop) = watch::channel(false);
    let mut signals = Signals::install();
    let driving = Driving {
        actor: f.actor,
        audit: f.audit,
        events,
        stop,
    };
    let driver = async {
        match run {
            Run::Start(req) => rollout::driver::start(f.backend, *req, f.armed, driving).await,
            Run::Resume => {
                rollout::driver::resume(f.backend, f.env, f.runtime, f.armed, driving).await
            }
        }
    };
    // Ends when the driver drops its sender, i.e. when it has returned.
    let printer = async {
        let mut last_weight = None;
        while let Some(e) = rx.recv().await {
            print_event(&e, f);
            last_weight = Some(e.weight);
        }
        last_weight
    };
    let stopper = async {
        signals.next().await;
        let _ = stop_tx.send(true);
        eprintln!(
            "agentcore-console: stopping the driver: it gives up its lease and leaves the \
             traffic where it is (Ctrl-C again to leave at once)"
        );
        signals.next().await;
    };
    let both = futures::future::join(driver, printer);
    tokio::select! {
        (result, last_weight) = both => finish(f, result, last_weight).await,
        () = stopper => Ok(Outcome::Exit(1, Some(format!(
            "left without waiting for the driver: its lease expires by itself, then {}",
            hint(f)
        )))),
    }
}

fn print_event(e: &Event, f: &Foreground<'_>) {
    if f.json {
        if let Err(err) = crate::cli::output::json_line(e) {
            eprintln!("agentcore-console: an event could not be shown: {err}");
        }
    } else {
        println!("{}", event_line(e, f.steps));
    }
}

/// `rollout resume … continues it, rollout abort … ends it`.
fn hint(f: &Foreground<'_>) -> String {
    format!(
        "`rollout resume {rt} --env {env}` continues it, `rollout abort {rt} --env {env}` ends it",
        rt = f.runtime,
        env = f.env
    )
}

async fn finish(
    f: &Foreground<'_>,
    result: Result<Ended, BackendError>,
    last_weight: Option<u8>,
) -> Result<Outcome, CliError> {
    let ended = result?;
    let now = rollout::now_ms();
    // The state now, for the summary; the outcome stands even if it cannot be read.
    let state = rollout::status(f.backend, f.env, f.runtime)
        .await
        .ok()
        .flatten();
    let weight = state.as_ref().map(|s| s.weight()).or(last_weight);
    let reason = state.as_ref().and_then(|s| s.reason.clone());
    let holder = state
        .as_ref()
        .and_then(|s| s.lease.as_ref())
        .map(|l| l.holder.clone());
    // The stored reason says how it ended in the driver's words (it names the gate, or who
    // aborted); without one, say what the outcome means.
    let reason_or = |default: &str| reason.clone().unwrap_or_else(|| default.to_string());
    let message = match ended {
        Ended::Promoted => format!("promoted: {} in {} is done", f.runtime, f.env),
        Ended::RolledBack => reason_or("rolled back by a gate"),
        Ended::Aborted => reason_or("aborted by an operator"),
        Ended::Handed => format!(
            "handed to the running driver ({})",
            holder.as_deref().unwrap_or("its holder")
        ),
        Ended::Stopped => format!(
            "the rollout is left at {}% with no driver: {}",
            weight.map_or_else(|| "its last".into(), |w| w.to_string()),
            hint(f)
        ),
    };
    let code = ended.exit_code();
    if f.json {
        let summary = Summary {
            event: "summary",
            outcome: ended,
            exit_code: code,
            env: f.env,
            runtime: f.runtime,
            state: state.as_ref().map(|s| s.shown(now)),
            weight,
            reason,
            message: message.clone(),
        };
        crate::cli::output::json_line(&summary)?;
    } else if code == 0 {
        println!("{message}");
    } else {
        // The cause goes to stderr (below); stdout's transcript still ends with the outcome.
        println!("outcome: {} (exit {code})", outcome_name(ended));
    }
    Ok(if code == 0 {
        Outcome::Ok
    } else {
        Outcome::Exit(code, Some(message))
    })
}

fn outcome_name(o: Ended) -> String {
    serde_json::to_value(o)
        .ok()
        .and_then(|v| v.as_str().map(str::to_string))
        .unwrap_or_else(|| format!("{o:?}"))
}

/// The stop signals, installed up front so that none is missed or left to its default (which
/// would end the process with the lease still held).
struct Signals {
    #[cfg(unix)]
    streams: Vec<tokio::signal::unix::Signal>,
}

impl Signals {
    fn install() -> Self {
        #[cfg(unix)]
        {
            use tokio::signal::unix::{SignalKind, signal};
            let kinds = [
                SignalKind::interrupt(),
                SignalKind::terminate(),
                SignalKind::hangup(),
            ];
            let streams = kinds
                .into_iter()
                .filter_map(|k| match signal(k) {
                    Ok(s) => Some(s),
                    Err(e) => {
                        tracing::warn!(signal = ?k, error = %e, "cannot handle the signal; it would end the process with the lease held");
                        None
                    }
                })
                .collect();
            Self { streams }
        }
        #[cfg(not(unix))]
        Self {}
    }

    /// The next signal, from any of them.
    async fn next(&mut self) {
        #[cfg(unix)]
        {
            if self.streams.is_empty() {
                return std::future::pending().await;
            }
            let waits = self.streams.iter_mut().map(|s| Box::pin(s.recv()));
            let _ = futures::future::select_all(waits).await;
        }
        #[cfg(not(unix))]
        {
            let _ = tokio::signal::ctrl_c().await;
        }
    }
}
