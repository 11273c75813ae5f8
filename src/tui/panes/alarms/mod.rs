//! Every alarm of every environment that concerns a runtime: firing first, then the newest
//! state change. Enter reads the selected alarm's history (DescribeAlarmHistory, newest
//! first) into a section below; esc closes it. The list is the app's alarm book (no request
//! of its own); only the history is this pane's.

mod render;

use std::sync::Arc;

use super::{Effect, Pane, step};
use crate::domain::alarms::AlarmInfo;
use crate::tui::action::Action;
use crate::tui::alarms::AlarmBook;
use crate::tui::io::{AlarmHistory, Job, Reply};
use crate::tui::keymap::{Context, Entry, e};
use crate::tui::loadable::{Requests, Slot};
use crate::tui::time::Millis;

/// The alarms pane's keys.
pub fn keys(nav: &impl Fn(&str) -> Vec<Entry>) -> Vec<Entry> {
    let mut k = vec![
        e(
            Action::Open,
            &["enter"],
            "the selected alarm's history (newest first)",
            Some("history"),
        ),
        e(
            Action::Back,
            &["esc"],
            "close the history, clear the filter, or go back",
            Some("back"),
        ),
    ];
    k.extend(nav("alarm"));
    k
}

#[derive(Default)]
pub struct AlarmsPane {
    book: Arc<AlarmBook>,
    sel: usize,
    filter: String,
    /// The alarm whose history is open: (env, name).
    open: Option<(String, String)>,
    history: Slot<Box<AlarmHistory>>,
}

impl AlarmsPane {
    /// The rows, in order: firing first, then the newest state change; filtered.
    pub fn rows(&self) -> Vec<&AlarmInfo> {
        let f = self.filter.to_lowercase();
        self.book
            .all()
            .into_iter()
            .filter(|a| {
                f.is_empty()
                    || [
                        a.env.as_str(),
                        &a.runtime,
                        a.endpoint.as_deref().unwrap_or_default(),
                        &a.name,
                        a.state.as_str(),
                        &a.reason,
                    ]
                    .iter()
                    .any(|s| s.to_lowercase().contains(&f))
            })
            .collect()
    }

    pub fn selected(&self) -> usize {
        self.sel
    }

    /// The alarm whose history is shown, if any: (env, name).
    pub fn open(&self) -> Option<&(String, String)> {
        self.open.as_ref()
    }

    /// The history read for the open alarm (not one read for another).
    pub fn history(&self) -> Option<&AlarmHistory> {
        let (env, name) = self.open.as_ref()?;
        self.history
            .value()
            .map(AsRef::as_ref)
            .filter(|h| &h.env == env && &h.alarm == name)
    }

    fn history_job(&self) -> Option<Job> {
        let (env, alarm) = self.open.clone()?;
        Some(Job::AlarmHistory { env, alarm })
    }
}

impl Pane for AlarmsPane {
    fn context(&self) -> Context {
        Context::Alarms
    }

    fn title(&self) -> String {
        "alarms".into()
    }

    fn env(&self) -> Option<&str> {
        None
    }

    fn slot(&self) -> Option<&dyn Requests> {
        Some(&self.history)
    }

    fn slot_mut(&mut self) -> Option<&mut dyn Requests> {
        Some(&mut self.history)
    }

    // No polling: the list is the app's; a history is read on enter and on `r`.
    fn poll(&mut self, _now: Millis) -> Vec<super::Fetch> {
        Vec::new()
    }

    fn refresh(&mut self, now: Millis) -> Vec<super::Fetch> {
        self.history_job()
            .map(|job| self.history.fetch(now, job))
            .into_iter()
            .collect()
    }

    fn apply(&mut self, generation: u64, reply: Reply, now: Millis) -> bool {
        let Reply::AlarmHistory(result) = reply else {
            return false;
        };
        self.history.accept(generation, result, now)
    }

    fn handle(&mut self, action: &Action, now: Millis) -> Option<Effect> {
        let rows = self.rows().len();
        if let Some(s) = step(self.sel, rows, action, 10) {
            self.sel = s;
            return Some(Effect::Done);
        }
        match action {
            Action::Open => {
                let a = self.rows().get(self.sel).copied()?;
                self.open = Some((a.env.clone(), a.name.clone()));
                Some(Effect::Fetch(self.refresh(now)))
            }
            Action::Back if self.open.is_some() => {
                self.open = None;
                Some(Effect::Done)
            }
            _ => None,
        }
    }

    fn filter(&self) -> &str {
        &self.filter
    }

    fn set_filter(&mut self, filter: &str) {
        self.filter = filter.to_string();
        self.sel = 0;
    }

    fn set_alarms(&mut self, alarms: &Arc<AlarmBook>) {
        let selected = self
            .rows()
            .get(self.sel)
            .map(|a| (a.env.clone(), a.name.clone()));
        self.book = Arc::clone(alarms);
        // The same alarm stays selected as states change and rows move.
        let rows = self.rows();
        let found = selected
            .and_then(|(env, name)| rows.iter().position(|a| a.env == env && a.name == name));
        let len = rows.len();
        self.sel = found.unwrap_or(self.sel).min(len.saturating_sub(1));
    }

    fn render(
        &self,
        cx: &super::Cx<'_>,
        area: ratatui::layout::Rect,
        buf: &mut ratatui::buffer::Buffer,
    ) {
        render::render(self, &self.book, cx, area, buf);
    }
}
