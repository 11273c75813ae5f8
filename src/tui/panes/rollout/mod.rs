//! One runtime's gated rollout in one environment, read from the shared state object every
//! 2 s while open: the steps as a timeline, the state with its reason and lease (stalled said
//! prominently), the latest evaluation's gates with their evidence, and the decision log.
//! Writes (`s` start, `a` approve, `p` pause, `c` resume, `x` abort) go through the app's
//! safety flow; a start first reads the backend's preview (an app-level io job) so the
//! confirm modal lists its exact calls. Start and resume run the driver in the io worker.

mod form;
mod render;
pub mod timeline;

use std::time::Duration;

use self::form::{Outcome, StartForm};
use super::{Effect, Fetch, Pane};
use crate::backend::rollout::Event;
use crate::domain::rollout::{Phase, Plan, RolloutState};
use crate::tui::action::Action;
use crate::tui::io::{Job, Reply, RolloutView, StartAsk};
use crate::tui::keymap::{Context, Entry, e};
use crate::tui::loadable::{Requests, Slot};
use crate::tui::time::Millis;
use crate::tui::widgets::status_line::Level;
use crate::tui::write::{RolloutAction, RolloutOp, WriteOp};

/// How often the open pane re-reads the state (countdowns tick between reads).
pub const POLL: Duration = Duration::from_secs(2);
/// Driver events kept for the pane (the stored log has them all).
const EVENTS: usize = 50;

/// The rollout pane's keys.
pub fn keys(nav: &impl Fn(&str) -> Vec<Entry>) -> Vec<Entry> {
    use Action as A;
    let mut k = vec![
        e(
            A::StartRollout,
            &["s"],
            "start a rollout: canary version and plan, then the preview to confirm",
            Some("start"),
        ),
        e(
            A::Approve,
            &["a"],
            "approve the step the rollout waits at",
            Some("approve"),
        ),
        e(
            A::PauseRollout,
            &["p"],
            "pause: stop evaluating, keep the weight",
            Some("pause"),
        ),
        e(
            A::ResumeRollout,
            &["c"],
            "resume (a stalled rollout is driven from here)",
            Some("resume"),
        ),
        e(
            A::Abort,
            &["x"],
            "abort: 100% to stable, the canary endpoint back (no lease needed)",
            Some("abort"),
        ),
        e(
            A::Metrics,
            &["m"],
            "metrics of this runtime",
            Some("metrics"),
        ),
    ];
    k.extend(nav("log line"));
    k
}

/// The start form's keys.
pub fn form_keys(text: &impl Fn(&str, &str) -> Vec<Entry>) -> Vec<Entry> {
    let mut k = text("read the preview, then confirm", "cancel");
    k.push(e(Action::Complete, &["tab"], "next field", None));
    k.push(e(Action::Up, &["up"], "previous plan", None));
    k.push(e(Action::Down, &["down"], "next plan", None));
    k
}

pub struct RolloutPane {
    env: String,
    runtime: String,
    /// The environment's plans, then the built-ins (the form offers these).
    plans: Vec<Plan>,
    slot: Slot<Box<RolloutView>>,
    form: Option<StartForm>,
    /// Decision-log lines scrolled up from the newest.
    scroll: usize,
    /// Events of a driver this console runs, newest last.
    events: Vec<Event>,
    /// A driver event arrived: read the state at the next poll.
    reread: bool,
    filter: String,
}

impl RolloutPane {
    /// `plans`: the environment's own (the built-ins are added).
    pub fn new(env: &str, runtime: &str, plans: &[Plan]) -> Self {
        let mut all = plans.to_vec();
        for name in crate::domain::rollout::plan::BUILTINS {
            if let Some(p) = Plan::builtin(name).filter(|_| !plans.iter().any(|p| p.name == name)) {
                all.push(p);
            }
        }
        Self {
            env: env.to_string(),
            runtime: runtime.to_string(),
            plans: all,
            slot: Slot::default(),
            form: None,
            scroll: 0,
            events: vec![],
            reread: false,
            filter: String::new(),
        }
    }

    pub fn slot(&self) -> &Slot<Box<RolloutView>> {
        &self.slot
    }

    pub fn form(&self) -> Option<&StartForm> {
        self.form.as_ref()
    }

    pub fn events(&self) -> &[Event] {
        &self.events
    }

    pub fn scroll(&self) -> usize {
        self.scroll
    }

    /// The rollout as last read.
    pub fn state(&self) -> Option<&RolloutState> {
        self.slot.value().and_then(|v| v.state.as_ref())
    }

    /// Epoch ms now, from the time of the read and its age on the TUI's clock.
    pub fn epoch_now(&self, now: Millis) -> Option<i64> {
        let v = self.slot.value()?;
        let age = self.slot.age(now).unwrap_or(0);
        Some(v.read_at_ms + i64::try_from(age).unwrap_or(0))
    }

    fn job(&self) -> Job {
        Job::Rollout {
            env: self.env.clone(),
            runtime: self.runtime.clone(),
        }
    }

    fn op(&self, action: RolloutAction, now: Millis) -> WriteOp {
        let state = self.state();
        let shown = match (state, self.epoch_now(now)) {
            (Some(s), Some(at)) => s.shown(at).to_string(),
            _ => "none".into(),
        };
        WriteOp::Rollout(Box::new(RolloutOp {
            env: self.env.clone(),
            runtime: self.runtime.clone(),
            action,
            state_now: shown,
            previous_canary: state.and_then(|s| s.previous_canary_version.clone()),
        }))
    }

    /// The write an action asks for, or why it does not apply to the rollout as shown.
    fn control(&self, action: &Action, now: Millis) -> Result<WriteOp, String> {
        let s = self
            .state()
            .ok_or_else(|| format!("{} has no rollout in {}", self.runtime, self.env))?;
        let at = self.epoch_now(now).unwrap_or(s.updated_ms);
        let shown = s.shown(at);
        if s.phase.is_terminal() {
            return Err(format!("the rollout is over ({shown})"));
        }
        let stalled = s.is_stalled(at);
        let (ok, act) = match action {
            Action::Approve => (s.phase == Phase::AwaitingApproval, RolloutAction::Approve),
            Action::PauseRollout => (s.phase == Phase::Running, RolloutAction::Pause),
            Action::ResumeRollout => (s.phase == Phase::Paused || stalled, RolloutAction::Resume),
            _ => (true, RolloutAction::Abort),
        };
        if ok {
            Ok(self.op(act, now))
        } else {
            Err(format!("the rollout is {shown}"))
        }
    }

    fn open_form(&mut self, now: Millis) -> Result<(), String> {
        if let Some(s) = self.state() {
            let at = self.epoch_now(now).unwrap_or(s.updated_ms);
            if !s.phase.is_terminal() {
                return Err(format!(
                    "a rollout of {} is {} here: resume, abort or wait for it",
                    self.runtime,
                    s.shown(at)
                ));
            }
        }
        let names: Vec<String> = self.plans.iter().map(|p| p.name.clone()).collect();
        self.form = Some(StartForm::new(names));
        Ok(())
    }

    fn form_action(&mut self, action: &Action) -> Effect {
        let Some(form) = self.form.as_mut() else {
            return Effect::Done;
        };
        match form.handle(action) {
            Outcome::Editing => Effect::Done,
            Outcome::Cancelled => {
                self.form = None;
                Effect::Notice(Level::Info, "no rollout started: nothing was sent".into())
            }
            Outcome::Ready {
                canary_version,
                plan,
            } => {
                self.form = None;
                Effect::Then(Action::PreviewRollout(StartAsk {
                    env: self.env.clone(),
                    runtime: self.runtime.clone(),
                    canary_version,
                    plan,
                }))
            }
        }
    }
}

impl Pane for RolloutPane {
    fn context(&self) -> Context {
        if self.form.is_some() {
            Context::RolloutForm
        } else {
            Context::Rollout
        }
    }

    fn title(&self) -> String {
        format!("rollout of {} in {}", self.runtime, self.env)
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

    fn poll(&mut self, now: Millis) -> Vec<Fetch> {
        if self.reread && !self.slot.in_flight() {
            self.reread = false;
            return vec![self.slot.fetch(now, self.job())];
        }
        let job = self.job();
        self.slot.poll(now, POLL, job).into_iter().collect()
    }

    fn apply(&mut self, generation: u64, reply: Reply, now: Millis) -> bool {
        match reply {
            Reply::Rollout(result) => self.slot.accept(generation, result, now),
            Reply::RolloutEvent(ev) => {
                self.events.push(*ev);
                let extra = self.events.len().saturating_sub(EVENTS);
                self.events.drain(..extra);
                self.reread = true;
                true
            }
            _ => false,
        }
    }

    fn handle(&mut self, action: &Action, now: Millis) -> Option<Effect> {
        if self.form.is_some() {
            return Some(self.form_action(action));
        }
        let log_len = self.state().map_or(0, |s| s.log.len());
        let max = log_len.saturating_sub(1);
        let scrolled = match action {
            Action::Up => Some((self.scroll + 1).min(max)),
            Action::Down => Some(self.scroll.saturating_sub(1)),
            Action::PageUp => Some((self.scroll + 10).min(max)),
            Action::PageDown => Some(self.scroll.saturating_sub(10)),
            Action::Top => Some(max),
            Action::Bottom => Some(0),
            _ => None,
        };
        if let Some(s) = scrolled {
            self.scroll = s;
            return Some(Effect::Done);
        }
        Some(match action {
            Action::StartRollout => match self.open_form(now) {
                Ok(()) => Effect::Done,
                Err(why) => Effect::Notice(Level::Warn, format!("start: {why}")),
            },
            Action::Approve | Action::PauseRollout | Action::ResumeRollout | Action::Abort => {
                match self.control(action, now) {
                    Ok(op) => Effect::Then(Action::RequestWrite(op)),
                    Err(why) => Effect::Notice(
                        Level::Warn,
                        format!("{}: {why}", action.name().unwrap_or("rollout")),
                    ),
                }
            }
            Action::Filter => Effect::Notice(
                Level::Info,
                "nothing to filter here: one rollout; ↑/↓ scroll its log".into(),
            ),
            Action::Metrics => Effect::Then(Action::OpenMetrics {
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
