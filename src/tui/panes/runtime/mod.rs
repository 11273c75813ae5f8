//! One runtime in one environment: versions, endpoints (selectable; `u` rolls the selected one
//! back to the version the CLI's `rollback` would choose), artifact, protocol, log groups and
//! the recent changes the audit log recorded, and its alarms in this environment (from the
//! app's alarm book). `s` swaps versions and changes for every setting of the versions
//! endpoints serve (variable names, never values); `=` compares with another environment or
//! version (the palette, prefilled with `diff R ENV`).

mod render;

use std::sync::Arc;
use std::time::Duration;

use super::{Effect, Pane, step};
use crate::backend::deploy::rollback_target;
use crate::domain::Endpoint;
use crate::tui::action::Action;
use crate::tui::alarms::AlarmBook;
use crate::tui::io::{Job, Reply, RuntimeView};
use crate::tui::keymap::Context;
use crate::tui::loadable::{Requests, Slot};
use crate::tui::time::Millis;
use crate::tui::widgets::status_line::Level;
use crate::tui::write::WriteOp;

/// How often the visible detail refreshes.
pub const POLL: Duration = Duration::from_secs(5);

pub struct RuntimePane {
    env: String,
    runtime: String,
    slot: Slot<Box<RuntimeView>>,
    /// The selected endpoint, in [`RuntimePane::endpoints`] order.
    sel: usize,
    filter: String,
    alarms: Arc<AlarmBook>,
    /// `s`: every setting of the served versions instead of versions and changes.
    settings: bool,
}

impl RuntimePane {
    pub fn new(env: &str, runtime: &str) -> Self {
        Self {
            env: env.to_string(),
            runtime: runtime.to_string(),
            slot: Slot::default(),
            sel: 0,
            filter: String::new(),
            alarms: Arc::default(),
            settings: false,
        }
    }

    pub fn runtime(&self) -> &str {
        &self.runtime
    }

    pub fn slot(&self) -> &Slot<Box<RuntimeView>> {
        &self.slot
    }

    /// Named endpoints by name, then DEFAULT.
    pub fn endpoints(&self) -> Vec<&Endpoint> {
        let mut eps: Vec<&Endpoint> = self
            .slot
            .value()
            .map(|v| v.detail.runtime.endpoints.iter().collect())
            .unwrap_or_default();
        eps.sort_by_key(|e| (e.name == "DEFAULT", e.name.clone()));
        eps
    }

    pub fn selected(&self) -> usize {
        self.sel
    }

    /// Where `rollback` would send this endpoint, or why it cannot.
    pub fn rollback_to(&self, ep: &Endpoint) -> Result<String, String> {
        let view = self.slot.value().ok_or("the runtime is still loading")?;
        if ep.name == "DEFAULT" {
            return Err(
                "DEFAULT always serves the latest version: roll back a named endpoint".into(),
            );
        }
        let live = ep
            .live_version
            .as_deref()
            .ok_or_else(|| format!("endpoint {} serves no version yet", ep.name))?;
        let d = &view.detail;
        let names = [d.runtime.name.as_str(), d.runtime.id.as_str()];
        let history = view.history.as_deref().unwrap_or_default();
        rollback_target(history, &d.versions, &self.env, &names, &ep.name, live)
            .ok_or_else(|| format!("no earlier READY version than {live} to roll back to"))
    }

    fn rollback_op(&self) -> Result<WriteOp, String> {
        let eps = self.endpoints();
        let ep = eps.get(self.sel).ok_or("no endpoint selected")?;
        if ep.status.is_transitional() {
            return Err(format!(
                "endpoint {} is {}: wait for it to settle",
                ep.name, ep.status
            ));
        }
        let to = self.rollback_to(ep)?;
        let rt = &self
            .slot
            .value()
            .ok_or("the runtime is still loading")?
            .detail
            .runtime;
        Ok(WriteOp::Rollback {
            env: self.env.clone(),
            runtime: rt.name.clone(),
            runtime_id: rt.id.clone(),
            endpoint: ep.name.clone(),
            from: ep.live_version.clone().unwrap_or_default(),
            to,
        })
    }

    fn job(&self) -> Job {
        Job::RuntimeDetail {
            env: self.env.clone(),
            runtime: self.runtime.clone(),
        }
    }
}

impl Pane for RuntimePane {
    fn context(&self) -> Context {
        Context::Runtime
    }

    fn title(&self) -> String {
        format!("{} in {}", self.runtime, self.env)
    }

    fn env(&self) -> Option<&str> {
        Some(&self.env)
    }

    fn slot(&self) -> Option<&dyn Requests> {
        Some(&self.slot)
    }

    fn slot_mut(&mut self) -> Option<&mut dyn Requests> {
        Some(&mut self.slot)
    }

    fn slot_job(&self) -> Option<(Job, Duration)> {
        Some((self.job(), POLL))
    }

    fn apply(&mut self, generation: u64, reply: Reply, now: Millis) -> bool {
        let Reply::RuntimeDetail(result) = reply else {
            return false;
        };
        let fresh = self.slot.accept(generation, result, now);
        self.sel = self.sel.min(self.endpoints().len().saturating_sub(1));
        fresh
    }

    fn handle(&mut self, action: &Action, _now: Millis) -> Option<Effect> {
        if let Some(s) = step(self.sel, self.endpoints().len(), action, 5) {
            self.sel = s;
            return Some(Effect::Done);
        }
        match action {
            Action::Settings => {
                self.settings = !self.settings;
                Some(Effect::Done)
            }
            Action::Compare => Some(Effect::Then(Action::PaletteWith(format!(
                "diff {} {}",
                self.runtime, self.env
            )))),
            Action::Rollback => Some(match self.rollback_op() {
                Ok(op) => Effect::Then(Action::RequestWrite(op)),
                Err(why) => Effect::Notice(Level::Warn, format!("rollback: {why}")),
            }),
            Action::Deploy => Some(Effect::Then(Action::OpenDeploy {
                env: self.env.clone(),
                runtime: self.runtime.clone(),
            })),
            Action::Invoke => Some(Effect::Then(Action::OpenInvoke {
                env: self.env.clone(),
                runtime: self.runtime.clone(),
            })),
            Action::Traffic => Some(Effect::Then(Action::OpenTraffic {
                env: self.env.clone(),
                runtime: self.runtime.clone(),
            })),
            Action::Metrics => Some(Effect::Then(Action::OpenMetrics {
                env: self.env.clone(),
                runtime: self.runtime.clone(),
            })),
            Action::ApplyAlarms => Some(Effect::Then(Action::PlanAlarms {
                env: self.env.clone(),
                runtime: self.runtime.clone(),
            })),
            Action::Logs | Action::LogsAllEnvs => {
                super::logs::open_from(action, &self.env, &self.runtime).map(Effect::Then)
            }
            _ => None,
        }
    }

    fn filter(&self) -> &str {
        &self.filter
    }

    fn set_filter(&mut self, filter: &str) {
        self.filter = filter.to_string();
    }

    fn set_alarms(&mut self, alarms: &Arc<AlarmBook>) {
        self.alarms = Arc::clone(alarms);
    }

    fn render(
        &self,
        cx: &super::Cx<'_>,
        area: ratatui::layout::Rect,
        buf: &mut ratatui::buffer::Buffer,
    ) {
        render::render(self, cx, area, buf);
    }
}
