//! What anyone may do to a rollout without its lease: approve the step it waits at, pause it,
//! abort it. Each is one conditional read-modify-write of the object (the driver sees it at
//! its next read); abort also moves the traffic itself, so it holds even with no driver.

use super::driver::restore;
use super::{holder, now_ms, store};
use crate::backend::audit::{Actor, AuditLog, WriteRef};
use crate::backend::deploy::{audit_entry, record};
use crate::backend::{Backend, BackendError, guard};
use crate::domain::rollout::{Phase, RolloutState};

/// Approve the approval step the rollout waits at (refused when it waits at none).
pub async fn approve(
    backend: &Backend,
    env: &str,
    runtime: &str,
    armed: bool,
    actor: &Actor,
    audit: &AuditLog,
) -> Result<RolloutState, BackendError> {
    let by = holder(&actor.user);
    let write = WriteRef {
        env,
        action: "rollout.approve",
        target: runtime,
    };
    change(backend, &write, armed, (actor, audit), |s| {
        if s.phase != Phase::AwaitingApproval {
            return Err(refusal(s, "approve", "nothing waits for approval"));
        }
        let now = now_ms();
        let step = s.step + 1;
        s.note(now, &by, "approve", format!("step {step} approved by {by}"));
        s.advance(now);
        Ok(())
    })
    .await
}

/// Pause a running rollout: its driver stops evaluating and keeps the weight.
pub async fn pause(
    backend: &Backend,
    env: &str,
    runtime: &str,
    armed: bool,
    actor: &Actor,
    audit: &AuditLog,
) -> Result<RolloutState, BackendError> {
    let by = holder(&actor.user);
    let write = WriteRef {
        env,
        action: "rollout.pause",
        target: runtime,
    };
    change(backend, &write, armed, (actor, audit), |s| {
        if s.phase != Phase::Running {
            return Err(refusal(s, "pause", "only a running rollout pauses"));
        }
        let now = now_ms();
        let reason = format!("paused by {by}");
        s.pause(now, reason.clone());
        s.note(
            now,
            &by,
            "pause",
            format!("{reason} at {}%; `rollout resume` continues", s.weight()),
        );
        Ok(())
    })
    .await
}

/// Abort at once, with no lease: record the abort, send 100% to stable, put the canary
/// endpoint back to its previous version. The driver sees it and stops.
pub async fn abort(
    backend: &Backend,
    env: &str,
    runtime: &str,
    armed: bool,
    actor: &Actor,
    audit: &AuditLog,
) -> Result<RolloutState, BackendError> {
    let by = holder(&actor.user);
    let write = WriteRef {
        env,
        action: "rollout.abort",
        target: runtime,
    };
    let environment = backend.environment(env)?.clone();
    let checks = crate::backend::deploy::checks::runtime(runtime);
    guard::authorize(&environment, armed, &write, (actor, audit), checks)?;
    let c = backend.clients(env).await?;
    let mut before = None;
    // Recorded first: a driver mid-move sees it after its move and puts traffic back too.
    let aborted = store::update(&c, runtime, |s| {
        if s.phase.is_terminal() {
            return Err(super::driver::over(s));
        }
        before = Some(s.clone());
        let now = now_ms();
        let reason = format!("aborted by {by} at {}%", s.weight());
        s.note(now, &by, "abort", reason.clone());
        s.finish(Phase::Aborted, now, reason);
        Ok(true)
    })
    .await
    .inspect_err(|e| audit.refuse(actor, &write, &e.to_string()))?;
    let restored = restore(backend, &aborted.state, armed, (actor, audit)).await;
    let mut state = aborted.state;
    if let Ok(what) = &restored {
        let line = what.clone();
        let noted = store::update(&c, runtime, |s| {
            let ours = s.id == state.id;
            if ours {
                s.note(now_ms(), &by, "abort", line.clone());
            }
            Ok(ours)
        })
        .await;
        if let Ok(s) = noted {
            state = s.state;
        }
    }
    let result = restored.as_ref().map(drop).map_err(|e| {
        BackendError::Other(format!(
            "the abort is recorded but putting traffic back failed: {e}; run `rollout abort` \
             or `traffic abort` again"
        ))
    });
    let entry = audit_entry(
        &c,
        env,
        "rollout.abort",
        runtime,
        before.as_ref().map(summary).unwrap_or_default(),
        summary(&state),
        &result,
        actor,
    );
    record(audit, entry.await)?;
    result.map(|()| state)
}

/// A guarded, audited read-modify-write of the object; `edit` refuses or changes it.
async fn change<F>(
    backend: &Backend,
    write: &WriteRef<'_>,
    armed: bool,
    (actor, audit): (&Actor, &AuditLog),
    mut edit: F,
) -> Result<RolloutState, BackendError>
where
    F: FnMut(&mut RolloutState) -> Result<(), BackendError>,
{
    let environment = backend.environment(write.env)?.clone();
    let checks = crate::backend::deploy::checks::runtime(write.target);
    guard::authorize(&environment, armed, write, (actor, audit), checks)?;
    let c = backend.clients(write.env).await?;
    let mut before = None;
    let changed = store::update(&c, write.target, |s| {
        before = Some(summary(s));
        edit(s).map(|()| true)
    })
    .await
    .inspect_err(|e| audit.refuse(actor, write, &e.to_string()))?;
    let ok: Result<(), BackendError> = Ok(());
    let entry = audit_entry(
        &c,
        write.env,
        write.action,
        write.target,
        before.unwrap_or_default(),
        summary(&changed.state),
        &ok,
        actor,
    );
    record(audit, entry.await)?;
    Ok(changed.state)
}

fn summary(s: &RolloutState) -> serde_json::Value {
    super::driver::summary(s)
}

/// `cannot approve: the rollout of `weather` is running (…)`.
fn refusal(s: &RolloutState, verb: &str, why: &str) -> BackendError {
    if s.phase.is_terminal() {
        return super::driver::over(s);
    }
    let now = now_ms();
    BackendError::Other(format!(
        "{}: cannot {verb} the rollout of `{}`: it is {}{}; {why}",
        s.env,
        s.runtime,
        s.shown(now),
        s.reason
            .as_deref()
            .map(|r| format!(" ({r})"))
            .unwrap_or_default()
    ))
}
