//! The rollout driver: `preview` (read only), `start` and `resume`, then the loop ([`run`])
//! that bakes each step, moves traffic ([`moves`]) and ends the rollout.
//!
//! The object in S3 is the truth: the driver re-reads it every interval (anyone may have
//! paused, approved or aborted it meanwhile), decides on what it read, and writes with
//! If-Match; a lost race is read again and decided again. Its lease (renewed at each read)
//! is the only thing that makes it the driver; abort never needs it.

mod moves;
mod report;
mod run;

use serde_json::json;

pub(super) use self::moves::restore;
pub(super) use self::report::{over, summary};
use self::run::Run;
use super::store::{self, Write};
use super::{Driving, Outcome, Preview, StartRequest, holder, now_ms};
use crate::backend::audit::{Actor, AuditLog, WriteRef};
use crate::backend::deploy::{audit_entry, bucket_name, record};
use crate::backend::rollout::gates::{self, Legs};
use crate::backend::runtimes::{list_endpoints, list_versions, resolve};
use crate::backend::{Backend, BackendError, Clients, guard, traffic};
use crate::domain::rollout::state::lease_ttl_ms;
use crate::domain::rollout::{Phase, PlanKind, RolloutState, Start, Step};
use crate::domain::{Environment, Status};

/// What `start` would do, read only: the calls in order (the state object, the gates' metric
/// filters, the canary endpoint's move, the first split), and where traffic goes back to.
pub async fn preview(backend: &Backend, req: &StartRequest) -> Result<Preview, BackendError> {
    let environment = backend.environment(&req.env)?.clone();
    check_plan(&environment, req)?;
    let c = backend.clients(&req.env).await?;
    Ok(read_start(&c, &environment, req).await?.preview)
}

/// Start a rollout (guarded: `armed` for a protected environment; audited `rollout.start`) and
/// drive it in the foreground until it ends or `driving.stop` turns true. Refused, before any
/// change, when another rollout of the runtime is not over (naming its state, holder and
/// lease expiry).
pub async fn start(
    backend: &Backend,
    req: StartRequest,
    armed: bool,
    driving: Driving<'_>,
) -> Result<Outcome, BackendError> {
    let environment = backend.environment(&req.env)?.clone();
    let write = WriteRef {
        env: &req.env,
        action: "rollout.start",
        target: &req.runtime,
    };
    let who = (driving.actor, driving.audit);
    guard::authorize(
        &environment,
        armed,
        &write,
        who,
        check_plan(&environment, &req),
    )?;
    // Up to the object's creation nothing changes: a "no" here is a refusal, audited.
    let c = backend.clients(&req.env).await?;
    let read = read_start(&c, &environment, &req)
        .await
        .inspect_err(|e| driving.audit.refuse(driving.actor, &write, &e.to_string()))?;
    let by = holder(&driving.actor.user);
    let driver = new_id();
    let mut state = RolloutState::new(
        Start {
            id: new_id(),
            env: req.env.clone(),
            runtime: read.runtime.clone(),
            runtime_id: read.runtime_id.clone(),
            runtime_arn: read.runtime_arn.clone(),
            stable_endpoint: environment.stable_endpoint().to_string(),
            canary_endpoint: environment.canary_endpoint().to_string(),
            plan: req.plan.clone(),
            canary_version: req.canary_version.clone(),
            stable_version: read.preview.stable_version.clone(),
            previous_canary_version: read.preview.canary_from.clone(),
            smoke: req.smoke.clone(),
            by: by.clone(),
            driver: driver.clone(),
        },
        now_ms(),
    );
    state.note(
        now_ms(),
        &by,
        "start",
        format!(
            "plan `{}`: version {} on `{}`, stable `{}` serves {}",
            state.plan.name,
            state.canary_version,
            state.canary_endpoint,
            state.stable_endpoint,
            state.stable_version.as_deref().unwrap_or("nothing")
        ),
    );
    // The object is the claim: it exists before any traffic moves.
    let created = store::put(&c, &state, read.replaces.as_ref().map(|s| s.etag.as_str())).await;
    if let Err(e) = created {
        let e = match e {
            Write::Failed(e) => e,
            Write::Stale => BackendError::Other(format!(
                "{}: another console started a rollout of `{}` a moment ago; see `rollout \
                 status {} --env {}`",
                req.env, read.runtime, read.runtime, req.env
            )),
        };
        driving.audit.refuse(driving.actor, &write, &e.to_string());
        return Err(e);
    }
    let legs = legs(&state);
    let ensured = gates::ensure(&c, &environment, &legs, &state.plan.gates).await;
    let before = read
        .replaces
        .as_ref()
        .map_or(serde_json::Value::Null, |s| report::summary(&s.state));
    let audited = audit_entry(
        &c,
        &req.env,
        "rollout.start",
        &read.runtime,
        before,
        report::summary(&state),
        &ensured,
        driving.actor,
    );
    record(driving.audit, audited.await)?;
    if let Err(e) = ensured {
        let why = format!("could not start: {e}");
        store::update(&c, &read.runtime, |s| {
            let ours = s.id == state.id && !s.phase.is_terminal();
            if ours {
                s.note(now_ms(), &by, "error", why.clone());
                s.finish(Phase::Aborted, now_ms(), why.clone());
            }
            Ok(ours)
        })
        .await?;
        return Err(e);
    }
    let run = Run::new(backend, c, armed, driving, (by, driver));
    run.drive(state.id, state.runtime).await
}

/// Continue a rollout: a paused one whose driver is alive is set running and that driver goes
/// on (`Handed`); a stalled one (no live lease) is taken over and driven here from the
/// current step with its remaining watch time.
pub async fn resume(
    backend: &Backend,
    env: &str,
    runtime: &str,
    armed: bool,
    driving: Driving<'_>,
) -> Result<Outcome, BackendError> {
    let environment = backend.environment(env)?.clone();
    let write = WriteRef {
        env,
        action: "rollout.resume",
        target: runtime,
    };
    let who = (driving.actor, driving.audit);
    let checks = crate::backend::deploy::checks::runtime(runtime);
    guard::authorize(&environment, armed, &write, who, checks)?;
    let c = backend.clients(env).await?;
    let by = holder(&driving.actor.user);
    let driver = new_id();
    let mut before = None;
    let mut handed = false;
    let decided = store::update(&c, runtime, |s| {
        let now = now_ms();
        before = Some(report::summary(s));
        if s.phase.is_terminal() {
            return Err(report::over(s));
        }
        let ttl = lease_ttl_ms(&s.plan);
        match s.claim((&by, &driver), now, ttl) {
            Err(lease) if s.phase == Phase::Paused => {
                // Its driver is alive and waiting: set it running, it goes on.
                handed = true;
                s.resume(now);
                s.note(
                    now,
                    &by,
                    "resume",
                    format!("resumed; {} drives", lease.holder),
                );
            }
            Err(lease) => {
                return Err(BackendError::Other(format!(
                    "{env}: the rollout of `{runtime}` is {} and driven by {} (lease until {}); \
                     nothing to resume",
                    s.phase.as_str(),
                    lease.holder,
                    report::time(lease.expires_ms)
                )));
            }
            Ok(()) => {
                handed = false;
                let was = s.shown(now);
                if s.phase == Phase::Paused || s.phase == Phase::Running {
                    s.resume(now);
                }
                s.note(
                    now,
                    &by,
                    "takeover",
                    format!(
                        "taken over ({was}, step {} of {}); driven by {by}",
                        (s.step + 1).min(s.plan.steps.len()),
                        s.plan.steps.len()
                    ),
                );
            }
        }
        Ok(true)
    })
    .await
    .inspect_err(|e| driving.audit.refuse(driving.actor, &write, &e.to_string()))?;
    let ok: Result<(), BackendError> = Ok(());
    let audited = audit_entry(
        &c,
        env,
        "rollout.resume",
        runtime,
        before.unwrap_or_default(),
        report::summary(&decided.state),
        &ok,
        driving.actor,
    );
    record(driving.audit, audited.await)?;
    if handed {
        report::send_log(&driving.events, &decided.state, decided.state.log.len() - 1);
        return Ok(Outcome::Handed);
    }
    let mut run = Run::new(backend, c, armed, driving, (by, driver));
    // The events start at the takeover.
    run.sent = decided.state.log.len().saturating_sub(1);
    run.drive(decided.state.id, decided.state.runtime).await
}

/// What a start reads before it changes anything.
struct StartRead {
    preview: Preview,
    runtime: String,
    runtime_id: String,
    runtime_arn: String,
    /// A finished rollout of the runtime, replaced (If-Match on its ETag).
    replaces: Option<store::Stored>,
}

/// Everything a plan must pass before any call: two endpoints, a canary plan with a weight
/// step, a blue/green plan with approvals only.
fn check_plan(environment: &Environment, req: &StartRequest) -> Result<(), BackendError> {
    traffic::check(environment, &req.runtime, Some((&req.canary_version, 0)))?;
    if req.plan.gates.require_smoke && req.smoke.is_none() {
        return Err(BackendError::Other(format!(
            "plan `{}` requires smoke checks (require_smoke = true) but none were given: pass \
             --smoke FILE",
            req.plan.name
        )));
    }
    let weights = req
        .plan
        .steps
        .iter()
        .filter(|s| matches!(s, Step::Weight { .. }))
        .count();
    match req.plan.kind {
        PlanKind::Canary if weights == 0 => Err(BackendError::Other(format!(
            "plan `{}` is a canary plan with no weight step: it would promote without sending \
             the canary any traffic; add a `[[step]] weight = …` or use `--plan blue-green`",
            req.plan.name
        ))),
        PlanKind::BlueGreen if weights > 0 => Err(BackendError::Other(format!(
            "plan `{}` is blue/green: it switches all traffic at once, so only `approve` steps \
             are allowed, not weights",
            req.plan.name
        ))),
        _ => Ok(()),
    }
}

/// Read what a start needs and list its calls; refuse what cannot run.
async fn read_start(
    c: &Clients,
    environment: &Environment,
    req: &StartRequest,
) -> Result<StartRead, BackendError> {
    let env = &req.env;
    let rt = resolve(c, &req.runtime).await?;
    let (id, name, arn) = (
        rt.agent_runtime_id().to_string(),
        rt.agent_runtime_name().to_string(),
        rt.agent_runtime_arn().to_string(),
    );
    let versions = list_versions(c, &id).await?;
    match versions.iter().find(|v| v.version == req.canary_version) {
        None => {
            return Err(BackendError::Other(format!(
                "{env}: runtime `{name}` has no version {} (see `runtime show {name}`)",
                req.canary_version
            )));
        }
        Some(v) if v.status.is_failed() || v.status == Status::Deleting => {
            return Err(BackendError::Other(format!(
                "{env}: version {} of `{name}` is {}: it cannot serve a canary; deploy a fixed \
                 version",
                req.canary_version, v.status
            )));
        }
        Some(_) => {}
    }
    let endpoints = list_endpoints(c, &id).await?;
    let live = |ep: &str| {
        endpoints
            .iter()
            .find(|e| e.name == ep)
            .and_then(|e| e.live_version.clone())
    };
    let (stable_ep, canary_ep) = (environment.stable_endpoint(), environment.canary_endpoint());
    let (stable_version, canary_from) = (live(stable_ep), live(canary_ep));
    if stable_version.as_deref() == Some(req.canary_version.as_str()) {
        return Err(BackendError::Other(format!(
            "{env}: `{stable_ep}` of `{name}` already serves version {}: nothing to roll out",
            req.canary_version
        )));
    }
    gates::check_alarms(c, &req.plan.gates.alarm_names(&name)).await?;
    let replaces = match store::load(c, &name).await? {
        Some(s) if !s.state.phase.is_terminal() => return Err(report::busy(&s.state, now_ms())),
        other => other,
    };
    let legs = Legs {
        runtime: &name,
        runtime_arn: &arn,
        stable: stable_ep,
        canary: canary_ep,
    };
    // In the order `start` makes them: the state object first (it is the claim), then what
    // the gates need, then the traffic.
    let bucket = bucket_name(c).await?;
    let condition = match &replaces {
        Some(s) => format!(
            "If-Match: {}, replacing the {} rollout",
            s.etag,
            s.state.phase.as_str()
        ),
        None => "If-None-Match: *".into(),
    };
    let mut calls = vec![format!(
        "PutObject s3://{bucket}/{} ({condition})",
        store::key(&name)
    )];
    calls.extend(gates::requirements(c, environment, &legs, &req.plan.gates).await?);
    let verb = if endpoints.iter().any(|e| e.name == canary_ep) {
        "UpdateAgentRuntimeEndpoint"
    } else {
        "CreateAgentRuntimeEndpoint"
    };
    calls.push(format!(
        "{verb} {canary_ep} -> version {} (was {})",
        req.canary_version,
        canary_from.as_deref().unwrap_or("none")
    ));
    let first = match req.plan.kind {
        PlanKind::BlueGreen => 0,
        PlanKind::Canary => report::first_weight(&req.plan),
    };
    calls.push(format!(
        "gateway rule for `{name}`: {stable_ep} {}% / {canary_ep} {first}% of new sessions",
        100 - i32::from(first)
    ));
    if let Some(spec) = &req.smoke {
        calls.push(match req.plan.kind {
            PlanKind::BlueGreen => format!(
                "InvokeAgentRuntime ({}) on {canary_ep} after tools/list; a failure rolls back",
                spec.describe()
            ),
            PlanKind::Canary if req.plan.gates.require_smoke => format!(
                "InvokeAgentRuntime ({}) on {canary_ep} at each evaluation (require_smoke)",
                spec.describe()
            ),
            PlanKind::Canary => format!(
                "({} kept with the rollout, not run: the plan has no require_smoke gate)",
                spec.describe()
            ),
        });
    }
    Ok(StartRead {
        preview: Preview {
            calls,
            stable_version,
            canary_from,
            plan: req.plan.clone(),
        },
        runtime: name,
        runtime_id: id,
        runtime_arn: arn,
        replaces,
    })
}

fn legs(s: &RolloutState) -> Legs<'_> {
    Legs {
        runtime: &s.runtime,
        runtime_arn: &s.runtime_arn,
        stable: &s.stable_endpoint,
        canary: &s.canary_endpoint,
    }
}

fn new_id() -> String {
    uuid::Uuid::new_v4().simple().to_string()
}

/// The audit record of a rollout decision: where it stands and, for a decision taken on an
/// evaluation, that evaluation.
fn audit_after(s: &RolloutState) -> serde_json::Value {
    let mut after = report::summary(s);
    if let Some(r) = s.latest() {
        after["evaluation"] = json!(r);
    }
    after
}

/// Audit one of the driver's own decisions (`rollout.promote`, `rollout.rollback`).
async fn audit_decision(
    c: &Clients,
    (actor, audit): (&Actor, &AuditLog),
    action: &str,
    (before, after): (&RolloutState, &RolloutState),
    result: &Result<(), BackendError>,
) -> Result<(), BackendError> {
    let entry = audit_entry(
        c,
        &after.env,
        action,
        &after.runtime,
        report::summary(before),
        audit_after(after),
        result,
        actor,
    );
    record(audit, entry.await)
}
