//! `a` on a runtime: apply the standard alarms. The plan is read first by an io job (on its
//! own ticket owner, so closing a pane does not cancel it); an empty plan only says so, any
//! other becomes a `WriteOp::Alarms` and takes the usual write flow (arming, the confirm
//! modal with the plan's exact calls, one audited write). Once written, that environment's
//! alarms are listed again at once so the badges show what was made.

use super::{App, Level, stamp};
use crate::backend::alarms::AlarmPlan;
use crate::tui::alarms::{ALARMS_UID, AlarmBook};
use crate::tui::io::{Job, PaneUid, Request, Ticket};
use crate::tui::time::Millis;
use crate::tui::write::{AlarmsOp, WriteOp};

/// The ticket owner of alarm plans: no pane, never cancelled.
pub const PLANS_UID: PaneUid = ALARMS_UID - 1;

impl App {
    /// The (env, runtime) pairs whose plan is being read.
    pub fn alarm_plans_in_flight(&self) -> Vec<(&str, &str)> {
        self.alarm_plans
            .iter()
            .map(|(_, e, r)| (e.as_str(), r.as_str()))
            .collect()
    }

    pub(super) fn plan_alarms(&mut self, env: String, runtime: String) -> Vec<Request> {
        if !self.envs.iter().any(|e| e.name == env) {
            self.notify(Level::Warn, format!("no environment `{env}`"));
            return vec![];
        }
        if self
            .alarm_plans
            .iter()
            .any(|(_, e, r)| *e == env && *r == runtime)
        {
            self.notify(
                Level::Info,
                format!("still reading what the alarms of {runtime} in {env} need…"),
            );
            return vec![];
        }
        self.write_gen += 1;
        let ticket = Ticket {
            pane: PLANS_UID,
            generation: self.write_gen,
        };
        self.notify(
            Level::Info,
            format!("alarms of {runtime} in {env}: reading what exists to plan the change…"),
        );
        self.alarm_plans
            .push((ticket, env.clone(), runtime.clone()));
        vec![Request {
            ticket,
            job: Job::AlarmPlan { env, runtime },
        }]
    }

    pub(super) fn alarm_plan_reply(
        &mut self,
        ticket: Ticket,
        result: Result<Box<AlarmPlan>, String>,
        now: Millis,
    ) -> Vec<Request> {
        let Some(i) = self.alarm_plans.iter().position(|(t, _, _)| *t == ticket) else {
            return vec![];
        };
        let (_, env, runtime) = self.alarm_plans.remove(i);
        match result {
            Err(e) => {
                self.notify(
                    Level::Error,
                    format!("alarms of {runtime} in {env}: could not plan: {e}"),
                );
                vec![]
            }
            Ok(plan) if plan.is_empty() => {
                self.notify(
                    Level::Info,
                    format!("alarms of {runtime} in {env}: nothing to change"),
                );
                vec![]
            }
            Ok(plan) => {
                let n = plan.calls().len();
                self.notify(
                    Level::Info,
                    format!("alarms of {runtime} in {env}: {n} calls to make, once confirmed"),
                );
                self.request_write(WriteOp::Alarms(Box::new(AlarmsOp { plan: *plan })), now)
            }
        }
    }

    /// The plan's request was never sent.
    pub(super) fn alarm_plan_rejected(&mut self, ticket: Ticket) {
        self.alarm_plans.retain(|(t, _, _)| *t != ticket);
        self.notify(
            Level::Error,
            "alarms: not planned, the console is busy; try again",
        );
    }

    /// After an alarms write: that environment's listing now, whatever is due.
    pub(super) fn relist_alarms(&mut self, env: &str, now: Millis) -> Vec<Request> {
        stamp(
            ALARMS_UID,
            AlarmBook::fetch_env(&mut self.alarms, env, now)
                .into_iter()
                .collect(),
        )
    }
}
