//! Starting a rollout from its pane: the form's answer is read into the backend's preview by
//! an io job (on its own ticket owner, so closing the pane does not cancel it), and the
//! preview becomes a `WriteOp::Rollout` that takes the usual write flow (arming, the confirm
//! modal listing the preview's calls, one audited write that runs the driver in the worker).
//! Quitting with a driver running stops it: the rollout is left for `rollout resume`.

use super::alarm_apply::PLANS_UID;
use super::{App, Level};
use crate::tui::io::{Job, PaneUid, Request, StartAsk, Ticket};
use crate::tui::time::Millis;
use crate::tui::write::{RolloutOp, WriteOp};

/// The ticket owner of rollout previews: no pane, never cancelled.
pub const PREVIEWS_UID: PaneUid = PLANS_UID - 1;

impl App {
    pub(super) fn preview_rollout(&mut self, ask: StartAsk) -> Vec<Request> {
        if !self.envs.iter().any(|e| e.name == ask.env) {
            self.notify(Level::Warn, format!("no environment `{}`", ask.env));
            return vec![];
        }
        self.write_gen += 1;
        let ticket = Ticket {
            pane: PREVIEWS_UID,
            generation: self.write_gen,
        };
        self.notify(
            Level::Info,
            format!(
                "rollout of {} v{} in {}: reading the preview…",
                ask.runtime, ask.canary_version, ask.env
            ),
        );
        self.rollout_previews.push(ticket);
        vec![Request {
            ticket,
            job: Job::RolloutPreview(ask),
        }]
    }

    pub(super) fn rollout_preview_reply(
        &mut self,
        ticket: Ticket,
        result: Result<Box<RolloutOp>, String>,
        now: Millis,
    ) -> Vec<Request> {
        if !self.rollout_previews.contains(&ticket) {
            return vec![];
        }
        self.rollout_previews.retain(|t| *t != ticket);
        match result {
            Err(e) => {
                self.notify(
                    Level::Error,
                    format!("rollout: no preview, nothing started: {e}"),
                );
                vec![]
            }
            Ok(op) => self.request_write(WriteOp::Rollout(op), now),
        }
    }

    pub(super) fn rollout_preview_rejected(&mut self, ticket: Ticket) {
        self.rollout_previews.retain(|t| *t != ticket);
        self.notify(
            Level::Error,
            "rollout: no preview read, the console is busy; try again",
        );
    }

    /// Quit with drivers running: say what is left behind (the worker stops them).
    pub(super) fn leave_drivers(&mut self) {
        let left: Vec<String> = self
            .writes
            .iter()
            .filter_map(|(_, w)| match w {
                WriteOp::Rollout(r) if r.drives() => Some(format!("{} in {}", r.runtime, r.env)),
                _ => None,
            })
            .collect();
        if !left.is_empty() {
            self.notify(
                Level::Warn,
                format!(
                    "rollout of {} left where it is: `rollout resume` continues it",
                    left.join(", ")
                ),
            );
        }
    }
}
