//! The demo's gated rollouts, driven in the background by the demo process itself (it holds
//! their leases, so the console shows them running; quitting the demo leaves them stalled for
//! `rollout resume`). Staging rolls a healthy version out on a short plan; prod rolls out the
//! failing one and its gates roll it back within about two minutes of traffic.

use std::sync::Arc;

use tokio::sync::{mpsc, watch};
use tokio::task::JoinHandle;

use super::seed::{Ctx, ROLLOUT_PLAN};
use crate::backend::audit::{Actor, AuditLog};
use crate::backend::rollout::{self, Driving, StartRequest};
use crate::backend::{Backend, BackendError};
use crate::domain::rollout::Phase;

/// The `demo` plan of an environment, as the environments file holds it: short bakes, gates
/// that judge on the demo's modest traffic (a few canary calls a minute at 10%). The traffic
/// generator calls the `fail` tool on purpose in ~3% of its calls, healthy version or not, so
/// the tool-error gate allows 10% and needs 20 calls: one failure in 14 calls is no verdict.
pub fn plan_toml(env: &str) -> Option<String> {
    let (steps, interval) = match env {
        "staging" => (&[(25, "45s"), (50, "45s")][..], "10s"),
        "prod" => (&[(10, "3m"), (25, "2m"), (50, "2m")][..], "15s"),
        _ => return None,
    };
    let mut t =
        format!("\n# The demo's rollout plan (`rollout start RUNTIME --plan {ROLLOUT_PLAN}`).\n");
    for (weight, bake) in steps {
        t.push_str(&format!(
            "[[environments.{env}.plans.{ROLLOUT_PLAN}.step]]\nweight = {weight}\nbake = \"{bake}\"\n"
        ));
    }
    t.push_str(&format!(
        "[environments.{env}.plans.{ROLLOUT_PLAN}.gates]\ninterval = \"{interval}\"\n\
         min_invocations = 20\nmax_error_rate = 5.0\nmax_error_rate_over_stable = 2.0\n\
         max_tool_error_rate = 10.0\nmax_p99_latency_ratio = 2.0\n\
         alarms = [\"agentcore-console/{{runtime}}/canary/error-rate\"]\nfailure_limit = 2\n\
         observe = [\"max_p99_latency_ratio\"]\n"
    ));
    Some(t)
}

/// The background drivers; dropping this stops them (each gives up its lease).
pub struct Drivers {
    stop: watch::Sender<bool>,
    tasks: Vec<JoinHandle<()>>,
}

impl Drivers {
    /// Ask every driver to stop and wait for them to give up their leases.
    pub async fn stop(self) {
        let _ = self.stop.send(true);
        for t in self.tasks {
            let _ = t.await;
        }
    }
}

/// Start (or, after a restart on the same state dir, resume) each rollout that is not over.
pub fn start_all(
    backend: &Arc<Backend>,
    ctx: &Ctx,
    rollouts: Vec<(String, String, String)>,
) -> Drivers {
    let (stop, stopped) = watch::channel(false);
    let tasks = rollouts
        .into_iter()
        .map(|(env, runtime, version)| {
            let backend = Arc::clone(backend);
            let audit = AuditLog::at(ctx.audit.path());
            let stopped = stopped.clone();
            let actor = ctx.actor(
                &env,
                &[
                    "rollout",
                    "start",
                    &runtime,
                    "--canary-version",
                    &version,
                    "--plan",
                    ROLLOUT_PLAN,
                    "--yes",
                ],
            );
            tokio::spawn(async move {
                let r = drive(
                    &backend,
                    (&env, &runtime, &version),
                    &actor,
                    &audit,
                    stopped,
                )
                .await;
                if let Err(e) = r {
                    tracing::warn!(%env, %runtime, error = %e, "demo rollout failed");
                }
            })
        })
        .collect();
    Drivers { stop, tasks }
}

async fn drive(
    backend: &Backend,
    (env, runtime, version): (&str, &str, &str),
    actor: &Actor,
    audit: &AuditLog,
    stop: watch::Receiver<bool>,
) -> Result<(), BackendError> {
    let armed = backend.environment(env)?.read_only;
    // The TUI shows the events from the state object; these are not needed here.
    let (events, _) = mpsc::unbounded_channel();
    let driving = Driving {
        actor,
        audit,
        events,
        stop,
    };
    match rollout::status(backend, env, runtime).await? {
        None => {
            let plan = backend
                .environment(env)?
                .plans
                .iter()
                .find(|p| p.name == ROLLOUT_PLAN)
                .cloned()
                .ok_or_else(|| BackendError::Other(format!("{env}: no `{ROLLOUT_PLAN}` plan")))?;
            let req = StartRequest {
                env: env.into(),
                runtime: runtime.into(),
                canary_version: version.into(),
                plan,
                smoke: None,
            };
            rollout::driver::start(backend, req, armed, driving).await?;
        }
        Some(s) if !s.phase.is_terminal() && s.phase != Phase::AwaitingApproval => {
            rollout::driver::resume(backend, env, runtime, armed, driving).await?;
        }
        Some(_) => {}
    }
    Ok(())
}
