//! The loop: every `gates.interval`, read the object, renew the lease, and do what the state
//! asks: move traffic for a step this driver has not applied yet, evaluate a baking step and
//! act on its decision, wait at a pause or an approval, promote after the last step. Every
//! write is If-Match on the ETag read; a lost race is read again and decided again.

use std::sync::Arc;
use std::time::Duration;

use super::moves::{Mover, restore, validate};
use super::report;
use super::{audit_decision, legs};
use crate::backend::metrics::Window;
use crate::backend::rollout::gates;
use crate::backend::rollout::store::{self, Stored, Write};
use crate::backend::rollout::{Driving, Outcome, now_ms};
use crate::backend::{Backend, BackendError, Clients};
use crate::domain::rollout::state::lease_ttl_ms;
use crate::domain::rollout::{Next, Phase, RolloutState, Step, Verdict};

/// What an iteration leaves the loop to do.
enum Flow {
    /// Go round again at once (a lost race, a decision that moves on).
    Now,
    /// Wait an interval first.
    Wait,
    Done(Outcome),
}

/// One driver, driving one rollout.
pub(super) struct Run<'a> {
    backend: &'a Backend,
    c: Arc<Clients>,
    armed: bool,
    driving: Driving<'a>,
    /// `user@host` and this driver's id, as its lease names them.
    by: String,
    driver: String,
    /// Decision-log entries already sent as events.
    pub(super) sent: usize,
    /// The step whose traffic this driver set; a step it has not (a start, a takeover, an
    /// approval by someone else) gets its weight set before it is judged.
    applied: Option<usize>,
    /// The step whose bake this driver already said it extends.
    extended: Option<usize>,
}

impl<'a> Run<'a> {
    pub(super) fn new(
        backend: &'a Backend,
        c: Arc<Clients>,
        armed: bool,
        driving: Driving<'a>,
        (by, driver): (String, String),
    ) -> Self {
        Self {
            backend,
            c,
            armed,
            driving,
            by,
            driver,
            sent: 0,
            applied: None,
            extended: None,
        }
    }

    /// Drive rollout `id` until it ends, this driver is told to stop, or it fails.
    pub(super) async fn drive(
        mut self,
        id: String,
        runtime: String,
    ) -> Result<Outcome, BackendError> {
        loop {
            if *self.driving.stop.borrow() {
                return self.stop(&id, &runtime).await;
            }
            let stored = self.load(&id, &runtime).await?;
            let interval = stored.state.plan.gates.interval;
            match self.step(stored).await? {
                Flow::Now => {}
                Flow::Wait => self.sleep(interval).await,
                Flow::Done(outcome) => return Ok(outcome),
            }
        }
    }

    /// One look at the rollout, and what it asks for.
    async fn step(&mut self, stored: Stored) -> Result<Flow, BackendError> {
        let mut s = stored.state.clone();
        match s.phase {
            Phase::Promoted => return Ok(Flow::Done(Outcome::Promoted)),
            Phase::RolledBack => return Ok(Flow::Done(Outcome::RolledBack)),
            Phase::Aborted => return Ok(Flow::Done(Outcome::Aborted)),
            _ => {}
        }
        let now = now_ms();
        if let Err(l) = s.claim((&self.by, &self.driver), now, lease_ttl_ms(&s.plan)) {
            return Err(BackendError::Other(format!(
                "{}: {} took over the rollout of `{}` (lease until {}); this driver stops",
                s.env,
                l.holder,
                s.runtime,
                report::time(l.expires_ms)
            )));
        }
        if s.is_blue_green() && !s.log.iter().any(|e| e.event == "validate") {
            return self.validate(&stored, s).await;
        }
        if s.phase != Phase::Running {
            // Paused or awaiting approval: keep the lease and wait for whoever moves it on.
            return Ok(match self.write(&stored.etag, &s).await? {
                Some(_) => Flow::Wait,
                None => Flow::Now,
            });
        }
        match s.current_step().cloned() {
            None => self.promote(&stored, s).await,
            Some(Step::Approve) => Ok(match self.write(&stored.etag, &s).await? {
                Some(_) => Flow::Wait,
                None => Flow::Now,
            }),
            Some(Step::Weight { weight, .. }) if self.applied != Some(s.step) => {
                if self.write(&stored.etag, &s).await?.is_none() {
                    return Ok(Flow::Now);
                }
                self.mover().set(&s, weight).await?;
                self.applied = Some(s.step);
                if self.abort_won(&s).await? {
                    return Ok(Flow::Done(Outcome::Aborted));
                }
                Ok(Flow::Wait)
            }
            Some(Step::Weight { bake, .. }) => self.judge(&stored, s, bake).await,
        }
    }

    /// Evaluate a baking step and act on the decision.
    async fn judge(
        &mut self,
        stored: &Stored,
        mut s: RolloutState,
        bake: Duration,
    ) -> Result<Flow, BackendError> {
        let window = window(s.started_ms);
        let (legs, smoke) = (legs(&s), s.smoke.as_ref());
        let evaluation = gates::evaluate_with_smoke(&self.c, &legs, &s.plan.gates, window, smoke);
        let evaluation = match evaluation.await {
            Ok(e) => e,
            Err(e) => {
                // A failed read is never a pass: say so (once while it lasts), and try again
                // next interval.
                let line = format!("evaluation failed: {e}");
                if s.log.last().is_none_or(|l| l.message != line) {
                    s.note(now_ms(), &self.by, "error", line);
                }
                return Ok(match self.write(&stored.etag, &s).await? {
                    Some(_) => Flow::Wait,
                    None => Flow::Now,
                });
            }
        };
        let now = now_ms();
        let next = s.record(evaluation, now);
        let Some(record) = s.latest().cloned() else {
            return Ok(Flow::Wait);
        };
        let bake_ms = bake.as_millis() as i64;
        let flow = match &next {
            Next::Watch => {
                let extends = record.verdict == Verdict::Inconclusive
                    && s.watched_ms >= bake_ms
                    && self.extended != Some(s.step);
                if extends {
                    s.note(
                        now,
                        &self.by,
                        "extend",
                        format!(
                            "the {} s bake at {}% ended without a conclusive pass: watching up \
                             to {} s",
                            bake_ms / 1000,
                            record.weight,
                            2 * bake_ms / 1000
                        ),
                    );
                }
                Flow::Wait
            }
            Next::Advance => {
                let (from, done) = (record.weight, s.step + 1);
                let to = s.advance(now);
                let message = match to {
                    Some(Step::Weight { weight, bake }) => format!(
                        "step {done} passed at {from}%: next {weight}% for {} s",
                        bake.as_secs()
                    ),
                    Some(Step::Approve) => {
                        format!("step {done} passed at {from}%: waiting for approval")
                    }
                    None => format!("step {done} passed at {from}%: promoting"),
                };
                s.note(now, &self.by, "step", message);
                Flow::Now
            }
            Next::RollBack { .. } => {
                let reason = report::rollback_reason(&record, s.failures_in_row);
                s.note(now, &self.by, "rollback", reason.clone());
                s.finish(Phase::RolledBack, now, reason);
                Flow::Done(Outcome::RolledBack)
            }
            Next::PauseForData => {
                let reason =
                    report::data_pause_reason(&record, bake_ms, s.plan.gates.min_invocations);
                s.pause(now, reason.clone());
                s.note(now, &self.by, "pause", reason);
                Flow::Wait
            }
        };
        match store::put(&self.c, &s, Some(&stored.etag)).await {
            Ok(_) => {}
            // Someone changed it meanwhile: decide again on what is there now.
            Err(Write::Stale) => return Ok(Flow::Now),
            Err(Write::Failed(e)) => return Err(e),
        }
        if matches!(next, Next::Watch) && record.verdict == Verdict::Inconclusive {
            self.extended = self
                .extended
                .or((s.watched_ms >= bake_ms).then_some(s.step));
        }
        // The evidence first, then what was decided on it.
        report::send_evaluation(&self.driving.events, &s, &record);
        self.emit(&s);
        if let Flow::Done(Outcome::RolledBack) = flow {
            self.roll_back(&stored.state, &s).await?;
        }
        Ok(flow)
    }

    /// Blue/green: the new version on the canary endpoint with no traffic, then MCP
    /// validation; a failure rolls back.
    async fn validate(&mut self, stored: &Stored, s: RolloutState) -> Result<Flow, BackendError> {
        if self.write(&stored.etag, &s).await?.is_none() {
            return Ok(Flow::Now);
        }
        self.mover().set(&s, 0).await?;
        if self.abort_won(&s).await? {
            return Ok(Flow::Done(Outcome::Aborted));
        }
        let found = validate(&self.c, &s).await;
        let (by, driver) = (self.by.clone(), self.driver.clone());
        let before = s.clone();
        let updated = store::update(&self.c, &s.runtime, |x| {
            if x.id != s.id || x.phase.is_terminal() || !x.is_driven_by(&driver, now_ms()) {
                return Ok(false);
            }
            let now = now_ms();
            match &found {
                Ok(what) => x.note(now, &by, "validate", what.clone()),
                Err(why) => {
                    x.note(now, &by, "validate", format!("failed: {why}"));
                    let reason = format!("validation failed, no traffic was switched: {why}");
                    x.note(now, &by, "rollback", reason.clone());
                    x.finish(Phase::RolledBack, now, reason);
                }
            }
            Ok(true)
        })
        .await?;
        self.emit(&updated.state);
        if updated.state.id == s.id && updated.state.phase == Phase::RolledBack && found.is_err() {
            self.roll_back(&before, &updated.state).await?;
            return Ok(Flow::Done(Outcome::RolledBack));
        }
        Ok(Flow::Now)
    }

    /// After the last step: the stable endpoint to the canary's version, 100% to stable.
    async fn promote(&mut self, stored: &Stored, s: RolloutState) -> Result<Flow, BackendError> {
        if self.write(&stored.etag, &s).await?.is_none() {
            return Ok(Flow::Now);
        }
        self.mover().promote(&s).await?;
        let reason = match (&s.stable_version, s.is_blue_green()) {
            (Some(old), true) => format!(
                "switched: `{}` serves version {}; version {old} is the rollback target \
                 (`rollback {} --endpoint {}`)",
                s.stable_endpoint, s.canary_version, s.runtime, s.stable_endpoint
            ),
            (old, _) => format!(
                "promoted: `{}` serves version {} (was {}), 100% of new sessions",
                s.stable_endpoint,
                s.canary_version,
                old.as_deref().unwrap_or("nothing")
            ),
        };
        let by = self.by.clone();
        let done = store::update(&self.c, &s.runtime, |x| {
            if x.id != s.id || x.phase.is_terminal() {
                return Ok(false);
            }
            let now = now_ms();
            x.note(now, &by, "promote", reason.clone());
            x.finish(Phase::Promoted, now, reason.clone());
            Ok(true)
        })
        .await?;
        self.emit(&done.state);
        if done.state.id != s.id || done.state.phase != Phase::Promoted {
            // Aborted while the stable endpoint moved: the split is 100% stable already.
            return Ok(Flow::Done(Outcome::Aborted));
        }
        let ok = Ok(());
        audit_decision(
            &self.c,
            self.who(),
            "rollout.promote",
            (&s, &done.state),
            &ok,
        )
        .await?;
        Ok(Flow::Done(Outcome::Promoted))
    }

    /// Traffic back to stable after a rollback was recorded, audited with its evaluation.
    async fn roll_back(
        &mut self,
        before: &RolloutState,
        after: &RolloutState,
    ) -> Result<(), BackendError> {
        let restored = restore(self.backend, after, self.armed, self.who()).await;
        let result = match &restored {
            Ok(_) => Ok(()),
            Err(e) => Err(BackendError::Other(e.to_string())),
        };
        let by = self.by.clone();
        let line = match &restored {
            Ok(what) => what.clone(),
            Err(e) => format!("putting traffic back failed: {e}; run `rollout abort` again"),
        };
        let event = if restored.is_ok() {
            "rollback"
        } else {
            "error"
        };
        if let Ok(s) = store::update(&self.c, &after.runtime, |x| {
            let ours = x.id == after.id;
            if ours {
                x.note(now_ms(), &by, event, line.clone());
            }
            Ok(ours)
        })
        .await
        {
            self.emit(&s.state);
        }
        audit_decision(
            &self.c,
            self.who(),
            "rollout.rollback",
            (before, after),
            &result,
        )
        .await?;
        restored.map(drop)
    }

    /// After a traffic move: if the rollout was aborted meanwhile, the abort wins (its own
    /// traffic move may have run before this one).
    async fn abort_won(&mut self, s: &RolloutState) -> Result<bool, BackendError> {
        let now = self.load(&s.id, &s.runtime).await?;
        if now.state.phase != Phase::Aborted {
            return Ok(false);
        }
        let what = restore(self.backend, &now.state, self.armed, self.who()).await?;
        let by = self.by.clone();
        let line = format!("aborted during a traffic move; the driver put it back: {what}");
        let _ = store::update(&self.c, &s.runtime, |x| {
            x.note(now_ms(), &by, "abort", line.clone());
            Ok(x.id == s.id)
        })
        .await;
        Ok(true)
    }

    /// Give up the lease, leave traffic where it is.
    async fn stop(&mut self, id: &str, runtime: &str) -> Result<Outcome, BackendError> {
        let (by, driver) = (self.by.clone(), self.driver.clone());
        let stopped = store::update(&self.c, runtime, |x| {
            if x.id != id || !x.is_driven_by(&driver, now_ms()) {
                return Ok(false);
            }
            x.lease = None;
            x.note(
                now_ms(),
                &by,
                "stop",
                format!(
                    "driver stopped; traffic stays at {}% to `{}`; `rollout resume` continues, \
                     `rollout abort` ends it",
                    x.weight(),
                    x.canary_endpoint
                ),
            );
            Ok(true)
        })
        .await?;
        self.emit(&stopped.state);
        Ok(Outcome::Stopped)
    }

    /// The rollout, as stored now; gone or replaced by another rollout is an error.
    async fn load(&mut self, id: &str, runtime: &str) -> Result<Stored, BackendError> {
        let env = &self.c.env.name;
        let stored = store::load(&self.c, runtime).await?.ok_or_else(|| {
            BackendError::Other(format!(
                "{env}: the rollout object of `{runtime}` was deleted; this driver stops \
                 (traffic is where it was: see `traffic show {runtime}`)"
            ))
        })?;
        if stored.state.id != id {
            return Err(BackendError::Other(format!(
                "{env}: the rollout of `{runtime}` was replaced by another one (started by {}); \
                 this driver stops",
                stored.state.started_by
            )));
        }
        self.emit(&stored.state);
        Ok(stored)
    }

    /// Write from the version read: the new ETag, or `None` when someone wrote first.
    async fn write(
        &mut self,
        etag: &str,
        s: &RolloutState,
    ) -> Result<Option<String>, BackendError> {
        match store::put(&self.c, s, Some(etag)).await {
            Ok(etag) => {
                self.emit(s);
                Ok(Some(etag))
            }
            Err(Write::Stale) => Ok(None),
            Err(Write::Failed(e)) => Err(e),
        }
    }

    fn emit(&mut self, s: &RolloutState) {
        if s.log.len() > self.sent {
            report::send_log(&self.driving.events, s, self.sent);
            self.sent = s.log.len();
        }
    }

    /// Wait an interval, or less if told to stop.
    async fn sleep(&mut self, interval: Duration) {
        let stop = &mut self.driving.stop;
        tokio::select! {
            () = tokio::time::sleep(interval) => {}
            changed = stop.changed() => {
                // A dropped sender never stops the driver: wait the interval out.
                if changed.is_err() {
                    tokio::time::sleep(interval).await;
                }
            }
        }
    }

    fn mover(&self) -> Mover<'_> {
        Mover {
            backend: self.backend,
            armed: self.armed,
            actor: self.driving.actor,
            audit: self.driving.audit,
        }
    }

    fn who(
        &self,
    ) -> (
        &'a crate::backend::audit::Actor,
        &'a crate::backend::audit::AuditLog,
    ) {
        (self.driving.actor, self.driving.audit)
    }
}

/// From the rollout's start (down to its minute: metrics are per minute) to now.
fn window(started_ms: i64) -> Window {
    let start = started_ms.div_euclid(1000);
    Window {
        start: start - start.rem_euclid(60),
        end: now_ms().div_euclid(1000) + 1,
        period: 60,
    }
}
