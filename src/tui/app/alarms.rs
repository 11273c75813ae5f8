//! The app's alarm book: polled with the visible pane (each environment at most every
//! `alarms::POLL`), answered on its own ticket, published to every pane as one shared,
//! read-only copy after each fresh answer. An environment's failure reaches the status line
//! once per outage, like a pane's.

use std::sync::Arc;

use super::{App, Level, stamp};
use crate::tui::alarms::{ALARMS_UID, AlarmBook, EnvAlarms};
use crate::tui::io::{Request, Ticket};
use crate::tui::panes::Pane;
use crate::tui::time::Millis;

impl App {
    /// The alarms every pane sees.
    pub fn alarms(&self) -> &Arc<AlarmBook> {
        &self.alarms_shared
    }

    /// The listings due (all of them not in flight, when `force`).
    pub(super) fn poll_alarms(&mut self, now: Millis, force: bool) -> Vec<Request> {
        stamp(ALARMS_UID, self.alarms.fetches(now, force))
    }

    pub(super) fn alarms_reply(
        &mut self,
        ticket: Ticket,
        env: String,
        result: Result<EnvAlarms, String>,
        now: Millis,
    ) -> Vec<Request> {
        let error = result.as_ref().err().map(|e| format!("{env}: alarms: {e}"));
        if !self.alarms.accept(&env, ticket.generation, result, now) {
            return vec![];
        }
        let key = (ALARMS_UID, env);
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
        self.publish_alarms();
        vec![]
    }

    /// Hand the panes the book as it is now.
    fn publish_alarms(&mut self) {
        self.alarms_shared = Arc::new(self.alarms.clone());
        let shared = Arc::clone(&self.alarms_shared);
        self.matrix.set_alarms(&shared);
        for m in &mut self.stack {
            m.pane.set_alarms(&shared);
        }
    }
}
