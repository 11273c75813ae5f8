//! Panes: one screen each, stacked by the app (the matrix at the bottom). A pane owns its
//! data ([`Slot`](super::loadable::Slot)s), turns actions into [`Effect`]s, takes the replies
//! to its own requests, and renders itself from a borrowed `&self`. It does no I/O: it
//! returns [`Fetch`]es and the app sends them. The recipe for a new pane is at the top of
//! `tui/mod.rs`.

pub mod alarms;
pub mod audit;
pub mod deploy;
pub mod diff;
pub mod invoke;
pub mod logs;
pub mod matrix;
pub mod metrics;
pub mod rollout;
pub mod runtime;
pub mod traffic;

use std::time::Duration;

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;

use super::action::Action;
use super::arming::Arming;
use super::io::{Job, Reply};
use super::keymap::Context;
use super::loadable::Requests;
use super::theme::Theme;
use super::time::Millis;
use super::widgets::status_line::Level;
use crate::domain::Environment;

/// A request a pane wants made, stamped with the pane's generation for it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fetch {
    pub generation: u64,
    pub job: Job,
}

/// What a pane did with an action.
#[derive(Debug, Clone, PartialEq)]
pub enum Effect {
    /// Handled; nothing else to do.
    Done,
    /// Handled; make these requests.
    Fetch(Vec<Fetch>),
    /// Handled; the app should now do this (open a pane, ask for a write…).
    Then(Action),
    /// Tell the user (e.g. why the action does nothing here).
    Notice(Level, String),
}

/// What rendering needs besides the pane: the clock, the theme, the environments and which of
/// them are armed.
pub struct Cx<'a> {
    pub theme: &'a Theme,
    pub now: Millis,
    pub envs: &'a [Environment],
    pub arming: &'a Arming,
}

impl Cx<'_> {
    pub fn protected(&self, env: &str) -> bool {
        self.envs.iter().any(|e| e.name == env && e.read_only)
    }
}

/// One screen.
pub trait Pane {
    /// The keymap table in force while this pane is on top.
    fn context(&self) -> Context;
    /// The breadcrumb and frame title.
    fn title(&self) -> String;
    /// The environment the pane acts on now (its frame turns red when that one is protected).
    fn env(&self) -> Option<&str>;
    /// A pane whose data is one slot names it here, with the request that fills it and how
    /// often that is polled; `poll`, `refresh`, `busy` and `abandon` then need no body.
    fn slot(&self) -> Option<&dyn Requests> {
        None
    }
    fn slot_mut(&mut self) -> Option<&mut dyn Requests> {
        None
    }
    fn slot_job(&self) -> Option<(Job, Duration)> {
        None
    }
    /// The requests due at `now` (the app calls this on every tick while the pane is visible).
    fn poll(&mut self, now: Millis) -> Vec<Fetch> {
        let Some((job, every)) = self.slot_job() else {
            return Vec::new();
        };
        self.slot_mut()
            .and_then(|s| s.poll(now, every, job))
            .into_iter()
            .collect()
    }
    /// Requests for everything now, whatever is in flight (`r`, and after a write).
    fn refresh(&mut self, now: Millis) -> Vec<Fetch> {
        let Some((job, _)) = self.slot_job() else {
            return Vec::new();
        };
        self.slot_mut()
            .map(|s| s.fetch(now, job))
            .into_iter()
            .collect()
    }
    /// Take a reply to one of this pane's requests; false when it is stale or not for it.
    fn apply(&mut self, generation: u64, reply: Reply, now: Millis) -> bool;
    /// Whether a request of this pane is on its way (the frame shows it).
    fn busy(&self) -> bool {
        self.slot().is_some_and(Requests::in_flight)
    }
    /// A request of generation `generation` could not be sent: let the next poll ask again.
    fn abandon(&mut self, generation: u64, _job: &Job) {
        if let Some(s) = self.slot_mut() {
            s.abandon(generation);
        }
    }
    /// React to an action; `None` lets the app handle it.
    fn handle(&mut self, action: &Action, now: Millis) -> Option<Effect>;
    fn filter(&self) -> &str;
    fn set_filter(&mut self, filter: &str);
    /// The app's alarms changed (and when the pane is opened); panes that show them keep it.
    fn set_alarms(&mut self, _alarms: &std::sync::Arc<crate::tui::alarms::AlarmBook>) {}
    fn render(&self, cx: &Cx<'_>, area: Rect, buf: &mut Buffer);
}

/// Move a selection of `len` items by an action; `page` rows per page.
pub fn step(sel: usize, len: usize, action: &Action, page: usize) -> Option<usize> {
    let last = len.saturating_sub(1);
    Some(match action {
        Action::Up => sel.saturating_sub(1),
        Action::Down => (sel + 1).min(last),
        Action::PageUp => sel.saturating_sub(page),
        Action::PageDown => (sel + page).min(last),
        Action::Top => 0,
        Action::Bottom => last,
        _ => return None,
    })
}

/// Untrusted text on one line, safe for the terminal.
pub fn clean(s: &str) -> String {
    crate::domain::sanitize::one_line(s)
}
