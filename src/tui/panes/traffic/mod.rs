//! One runtime's canary split in one environment: the stable and canary endpoints and their
//! versions, the gateway rule, the configured weight beside the share each leg really got
//! over the last 15 minutes (sessions, calls, errors), and a verdict that says why. Writes
//! (`w` set the weight, `p` promote, `x` abort, `u` roll the selected endpoint back) go
//! through the app's safety flow like every other write.

mod form;
mod render;
pub mod verdict;

use std::time::Duration;

use self::form::{Outcome, WeightForm};
use super::{Effect, Pane, step};
use crate::backend::deploy::rollback_target;
use crate::backend::traffic::EndpointVersion;
use crate::tui::action::Action;
use crate::tui::io::{Job, Reply, TrafficData};
use crate::tui::keymap::{Context, Entry, e};
use crate::tui::loadable::{Requests, Slot};
use crate::tui::time::Millis;
use crate::tui::widgets::status_line::Level;
use crate::tui::write::{TrafficChange, TrafficOp, WriteOp};

/// How often the visible split refreshes (the observed share moves with the traffic).
pub const POLL: Duration = Duration::from_secs(10);

/// The traffic pane's keys.
pub fn keys(nav: &impl Fn(&str) -> Vec<Entry>) -> Vec<Entry> {
    use Action as A;
    let mut k = vec![
        e(
            A::SetWeight,
            &["w"],
            "set the canary's version and weight (checked, then confirmed)",
            Some("weight"),
        ),
        e(
            A::Promote,
            &["p"],
            "promote: the stable endpoint to the canary's version, 100% stable",
            Some("promote"),
        ),
        e(
            A::Abort,
            &["x"],
            "abort: every new session to stable (the canary endpoint stays)",
            Some("abort"),
        ),
        e(
            A::Rollback,
            &["u"],
            "roll the selected endpoint back to its previous version",
            Some("rollback"),
        ),
        e(
            A::Metrics,
            &["m"],
            "metrics of this runtime",
            Some("metrics"),
        ),
        e(
            A::Rollout,
            &["R"],
            "the gated rollout of this runtime: start, approve, pause, resume, abort",
            Some("rollout"),
        ),
    ];
    k.extend(nav("endpoint"));
    k
}

/// The weight form's keys.
pub fn form_keys(text: &impl Fn(&str, &str) -> Vec<Entry>) -> Vec<Entry> {
    let mut k = text("check the values and review the change", "cancel");
    k.push(e(Action::Complete, &["tab"], "next field", None));
    k.push(e(Action::Up, &["up"], "previous field", None));
    k.push(e(Action::Down, &["down"], "next field", None));
    k
}

pub struct TrafficPane {
    env: String,
    runtime: String,
    slot: Slot<Box<TrafficData>>,
    /// 0: the stable endpoint, 1: the canary endpoint.
    sel: usize,
    form: Option<WeightForm>,
    filter: String,
}

impl TrafficPane {
    pub fn new(env: &str, runtime: &str) -> Self {
        Self {
            env: env.to_string(),
            runtime: runtime.to_string(),
            slot: Slot::default(),
            sel: 0,
            form: None,
            filter: String::new(),
        }
    }

    pub fn slot(&self) -> &Slot<Box<TrafficData>> {
        &self.slot
    }

    pub fn form(&self) -> Option<&WeightForm> {
        self.form.as_ref()
    }

    /// Stable, then canary.
    pub fn endpoints(&self) -> Vec<&EndpointVersion> {
        self.slot
            .value()
            .map(|d| vec![&d.view.stable, &d.view.canary])
            .unwrap_or_default()
    }

    pub fn selected(&self) -> usize {
        self.sel
    }

    /// Where `rollback` would send this endpoint, or why it cannot.
    pub fn rollback_to(&self, ep: &EndpointVersion) -> Result<String, String> {
        let d = self.slot.value().ok_or("the split is still loading")?;
        let live = ep
            .live_version
            .as_deref()
            .ok_or_else(|| format!("endpoint {} serves no version", ep.name))?;
        let detail = &d.runtime.detail;
        let names = [detail.runtime.name.as_str(), detail.runtime.id.as_str()];
        let history = d.runtime.history.as_deref().unwrap_or_default();
        rollback_target(history, &detail.versions, &self.env, &names, &ep.name, live)
            .ok_or_else(|| format!("no earlier READY version than {live} to roll back to"))
    }

    fn op(&self, change: TrafficChange) -> Result<TrafficOp, String> {
        let d = self.slot.value().ok_or("the split is still loading")?;
        let v = &d.view;
        let leg = |e: &EndpointVersion| (e.name.clone(), e.live_version.clone());
        Ok(TrafficOp {
            env: self.env.clone(),
            runtime: v.runtime.clone(),
            runtime_id: d.runtime.detail.runtime.id.clone(),
            stable: leg(&v.stable),
            canary: leg(&v.canary),
            gateway: v.gateway.clone(),
            rule: v.rule.as_ref().map(|r| (r.id.clone(), r.priority)),
            weight_now: verdict::canary_weight(v),
            change,
        })
    }

    fn promote(&self) -> Result<TrafficOp, String> {
        let d = self.slot.value().ok_or("the split is still loading")?;
        let (s, c) = (&d.view.stable, &d.view.canary);
        match &c.live_version {
            None => Err(format!(
                "the {} endpoint serves no version to promote",
                c.name
            )),
            Some(v)
                if Some(v) == s.live_version.as_ref()
                    && verdict::canary_weight(&d.view) == Some(0) =>
            {
                Err(format!(
                    "{} already serves v{v} and gets every new session",
                    s.name
                ))
            }
            Some(_) => self.op(TrafficChange::Promote),
        }
    }

    fn abort(&self) -> Result<TrafficOp, String> {
        let d = self.slot.value().ok_or("the split is still loading")?;
        match verdict::canary_weight(&d.view) {
            None => Err(format!(
                "no split to abort: no rule routes {} yet",
                d.view.runtime
            )),
            Some(0) => Err(format!(
                "the canary already gets 0%: every new session goes to {}",
                d.view.stable.name
            )),
            Some(_) => self.op(TrafficChange::Abort),
        }
    }

    fn rollback(&self) -> Result<WriteOp, String> {
        let d = self.slot.value().ok_or("the split is still loading")?;
        let eps = self.endpoints();
        let ep = eps.get(self.sel).ok_or("no endpoint selected")?;
        if ep.status.as_deref().is_none() {
            return Err(format!("endpoint {} does not exist", ep.name));
        }
        let to = self.rollback_to(ep)?;
        Ok(WriteOp::Rollback {
            env: self.env.clone(),
            runtime: d.view.runtime.clone(),
            runtime_id: d.runtime.detail.runtime.id.clone(),
            endpoint: ep.name.clone(),
            from: ep.live_version.clone().unwrap_or_default(),
            to,
        })
    }

    /// The form, filled with the canary's version (else the newest usable one) and weight.
    fn open_form(&mut self) -> Result<(), String> {
        let d = self.slot.value().ok_or("the split is still loading")?;
        let version = d.view.canary.live_version.clone().or_else(|| {
            d.runtime
                .detail
                .versions
                .iter()
                .find(|v| !v.status.is_failed())
                .map(|v| v.version.clone())
        });
        let weight = verdict::canary_weight(&d.view)
            .filter(|w| *w > 0)
            .unwrap_or(10);
        self.form = Some(WeightForm::new(&version.unwrap_or_default(), weight));
        Ok(())
    }

    fn form_action(&mut self, action: &Action) -> Effect {
        let versions = self
            .slot
            .value()
            .map(|d| d.runtime.detail.versions.clone())
            .unwrap_or_default();
        let Some(form) = self.form.as_mut() else {
            return Effect::Done;
        };
        match form.handle(action, &versions) {
            Outcome::Editing => Effect::Done,
            Outcome::Cancelled => {
                self.form = None;
                Effect::Notice(Level::Info, "weight unchanged: nothing was sent".into())
            }
            Outcome::Ready { version, weight } => {
                match self.op(TrafficChange::Set { version, weight }) {
                    Ok(op) => {
                        self.form = None;
                        Effect::Then(Action::RequestWrite(WriteOp::Traffic(Box::new(op))))
                    }
                    Err(e) => {
                        if let Some(f) = self.form.as_mut() {
                            f.error = Some(e);
                        }
                        Effect::Done
                    }
                }
            }
        }
    }

    fn job(&self) -> Job {
        Job::Traffic {
            env: self.env.clone(),
            runtime: self.runtime.clone(),
        }
    }
}

fn traffic(op: TrafficOp) -> WriteOp {
    WriteOp::Traffic(Box::new(op))
}

fn write(what: &str, op: Result<WriteOp, String>) -> Effect {
    match op {
        Ok(op) => Effect::Then(Action::RequestWrite(op)),
        Err(why) => Effect::Notice(Level::Warn, format!("{what}: {why}")),
    }
}

impl Pane for TrafficPane {
    fn context(&self) -> Context {
        if self.form.is_some() {
            Context::TrafficForm
        } else {
            Context::Traffic
        }
    }

    fn title(&self) -> String {
        format!("traffic of {} in {}", self.runtime, self.env)
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
        let Reply::Traffic(result) = reply else {
            return false;
        };
        self.slot.accept(generation, result, now)
    }

    fn handle(&mut self, action: &Action, _now: Millis) -> Option<Effect> {
        if self.form.is_some() {
            return Some(self.form_action(action));
        }
        if let Some(s) = step(self.sel, self.endpoints().len(), action, 1) {
            self.sel = s;
            return Some(Effect::Done);
        }
        Some(match action {
            Action::SetWeight => match self.open_form() {
                Ok(()) => Effect::Done,
                Err(why) => Effect::Notice(Level::Warn, format!("set weight: {why}")),
            },
            Action::Promote => write("promote", self.promote().map(traffic)),
            Action::Abort => write("abort", self.abort().map(traffic)),
            Action::Rollback => write("rollback", self.rollback()),
            Action::Filter => Effect::Notice(
                Level::Info,
                "nothing to filter here: one runtime, two endpoints".into(),
            ),
            Action::Metrics => Effect::Then(Action::OpenMetrics {
                env: self.env.clone(),
                runtime: self.runtime.clone(),
            }),
            Action::Rollout => Effect::Then(Action::OpenRollout {
                env: self.env.clone(),
                runtime: self.runtime.clone(),
            }),
            Action::Logs | Action::LogsAllEnvs => {
                Effect::Then(super::logs::open_from(action, &self.env, &self.runtime)?)
            }
            _ => return None,
        })
    }

    fn filter(&self) -> &str {
        &self.filter
    }

    fn set_filter(&mut self, filter: &str) {
        self.filter = filter.to_string();
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
