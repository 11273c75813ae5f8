//! Responses from the io worker: fresh ones change the pane that asked (stale ones nothing),
//! errors reach the status line once per outage, and requests that could not be sent are
//! handed back to their pane.

use super::{App, Level};
use crate::tui::io::{Job, Reply, Request, Response};
use crate::tui::time::Millis;

impl App {
    /// Take a response at `now`. Answers for a pane that is gone, or for a request a newer one
    /// replaced, change nothing. Returns follow-up requests (a write re-reads the pane).
    pub fn apply(&mut self, resp: Response, now: Millis) -> Vec<Request> {
        self.now = now;
        let Response { ticket, reply } = resp;
        if let Reply::Write { op, result } = reply {
            return self.write_done(ticket, op, result, now);
        }
        if let Reply::Alarms { env, result } = reply {
            return self.alarms_reply(ticket, env, result, now);
        }
        if let Reply::AlarmPlan { result, .. } = reply {
            return self.alarm_plan_reply(ticket, result, now);
        }
        if let Reply::RolloutPreview(result) = reply {
            return self.rollout_preview_reply(ticket, result, now);
        }
        if let Reply::Crashed(why) = reply {
            self.notify(Level::Error, why);
            return vec![];
        }
        // One message per outage, not one per failed poll: keyed by pane and source.
        let (source, error) = match &reply {
            Reply::EnvMatrix { env, result } => (
                env.clone(),
                result.as_ref().err().map(|e| format!("{env}: {e}")),
            ),
            Reply::RuntimeDetail(r) => (String::new(), r.as_ref().err().cloned()),
            Reply::Audit(r) => (
                String::new(),
                r.as_ref().err().map(|e| format!("audit log: {e}")),
            ),
            Reply::Write { .. } => (String::new(), None),
            Reply::Traffic(r) => (
                String::new(),
                r.as_ref().err().map(|e| format!("traffic: {e}")),
            ),
            Reply::Metrics(r) => (
                String::new(),
                r.as_ref().err().map(|e| format!("metrics: {e}")),
            ),
            // A stream's failure shows in its pane; a failed save is worth a message.
            Reply::Logs(_) => (String::new(), None),
            Reply::InvokeTools(r) => (
                String::new(),
                r.as_ref().err().map(|e| format!("tools: {e}")),
            ),
            // A call's outcome (and its error) shows in the pane.
            Reply::InvokeProgress(_) | Reply::InvokeResult(_) => (String::new(), None),
            Reply::LogsSaved(r) => (
                "save".into(),
                r.as_ref().err().map(|e| format!("saving logs: {e}")),
            ),
            // A deploy's stages, outcome and directory check show in its pane.
            Reply::Deploy(_) | Reply::DeployChecked(_) => (String::new(), None),
            // Taken above; a history's error shows in the alarms pane.
            Reply::Alarms { .. } | Reply::AlarmHistory(_) | Reply::AlarmPlan { .. } => {
                (String::new(), None)
            }
            Reply::Rollout(r) => (
                String::new(),
                r.as_ref().err().map(|e| format!("rollout: {e}")),
            ),
            // A driver's events show in its pane; a preview is taken above.
            Reply::RolloutEvent(_) | Reply::RolloutPreview(_) => (String::new(), None),
            Reply::Crashed(_) => (String::new(), None),
            Reply::RuntimeDiff(r) => (
                String::new(),
                r.as_ref().err().map(|e| format!("diff: {e}")),
            ),
        };
        let Some(pane) = self.pane_mut(ticket.pane) else {
            return vec![];
        };
        if pane.apply(ticket.generation, reply, now) {
            let key = (ticket.pane, source);
            match error {
                Some(e) if self.failing.get(&key) != Some(&e) => {
                    self.failing.insert(key, e.clone());
                    self.notify(Level::Error, e);
                }
                Some(_) => {}
                None => {
                    self.failing.remove(&key);
                }
            }
        }
        vec![]
    }

    /// A request could not be sent (the worker's queue was full, or it is gone).
    pub fn rejected(&mut self, req: Request) {
        match &req.job {
            Job::Write { op, .. } => {
                self.writes.retain(|(t, _)| *t != req.ticket);
                self.notify(
                    Level::Error,
                    format!("{}: not started, the console is busy; try again", op.verb()),
                );
            }
            Job::Cancel => {}
            Job::AlarmPlan { .. } => self.alarm_plan_rejected(req.ticket),
            Job::RolloutPreview(_) => self.rollout_preview_rejected(req.ticket),
            Job::Alarms { env } => self.alarms.abandon(env, req.ticket.generation),
            job => {
                if let Some(pane) = self.pane_mut(req.ticket.pane) {
                    pane.abandon(req.ticket.generation, job);
                }
                self.notify(
                    Level::Warn,
                    "busy: a refresh was skipped and will be retried",
                );
            }
        }
    }
}
