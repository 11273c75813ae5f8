//! Deploy a new version of a runtime to one environment: the form (source, runtime, variables),
//! checked in the pane and, for a directory, by the io worker (it exists and holds the entry
//! point) before anything is sent; then the write through the app's safety flow (arming, the
//! preview of the exact calls, the CLI line); then the backend's stages as they happen, and the
//! result (version, status, validation). A deploy from the console never moves a named
//! endpoint: moving one to the new version (`e`; the form's endpoint is created if absent) is a
//! second write, `point`, confirmed on its own.

mod form;
mod posture_form;
mod render;

use self::form::{DeployForm, Outcome};
use super::{Effect, Fetch, Pane, step};
use crate::backend::deploy::Source;
use crate::tui::action::Action;
use crate::tui::io::{DeployDone, DeployEvent, Job, Reply};
use crate::tui::keymap::{Context, Entry, e};
use crate::tui::time::Millis;
use crate::tui::widgets::status_line::Level;
use crate::tui::write::{DeployOp, WriteOp};

pub use form::{CODE_RUNTIMES, Field, Kind};
pub use posture_form::PField;

/// The deploy pane's keys (once the form is sent).
pub fn keys(nav: &impl Fn(&str) -> Vec<Entry>) -> Vec<Entry> {
    let mut k = vec![
        e(
            Action::MoveEndpoint,
            &["e"],
            "move the selected endpoint to the new version (its own confirmed write)",
            Some("move endpoint"),
        ),
        e(
            Action::Deploy,
            &["D"],
            "back to the form: deploy again",
            Some("deploy again"),
        ),
    ];
    k.extend(nav("endpoint"));
    k
}

/// The deploy form's keys.
pub fn form_keys(text: &impl Fn(&str, &str) -> Vec<Entry>) -> Vec<Entry> {
    let mut k = text("check the form and review the calls", "cancel");
    k.push(e(Action::Complete, &["tab"], "next field", None));
    k.push(e(Action::Down, &["down"], "next field", None));
    k.push(e(Action::Up, &["up"], "previous field", None));
    k.push(e(Action::Left, &["left"], "source: previous kind", None));
    k.push(e(Action::Right, &["right"], "source: next kind", None));
    k
}

/// Where the pane is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Phase {
    /// Editing the form (or reviewing the calls in the confirm modal).
    Form,
    /// The io worker is checking the directory (this generation).
    Checking(u64),
    /// The deploy runs: its stages so far.
    Running(Vec<String>),
    /// Its outcome, with the stages it went through.
    Done(Vec<String>, Result<Box<DeployDone>, String>),
}

pub struct DeployPane {
    env: String,
    form: DeployForm,
    phase: Phase,
    /// The last deploy asked for (the confirm modal shows it; the result is about it).
    op: Option<DeployOp>,
    /// A deploy whose directory the worker found to hold the entry point.
    checked: Option<DeployOp>,
    generation: u64,
    /// The selected named endpoint in the result.
    sel: usize,
    filter: String,
}

impl DeployPane {
    /// The pane for `runtime` in `env`, its posture fields holding the environment's defaults.
    pub fn new(env: &crate::domain::Environment, runtime: &str) -> Self {
        Self {
            env: env.name.clone(),
            form: DeployForm::new(runtime, env),
            phase: Phase::Form,
            op: None,
            checked: None,
            generation: 0,
            sel: 0,
            filter: String::new(),
        }
    }

    pub fn form(&self) -> &DeployForm {
        &self.form
    }

    pub fn phase(&self) -> &Phase {
        &self.phase
    }

    pub fn op(&self) -> Option<&DeployOp> {
        self.op.as_ref()
    }

    pub fn checked(&self) -> Option<&DeployOp> {
        self.checked.as_ref()
    }

    pub fn selected(&self) -> usize {
        self.sel
    }

    /// The named endpoints the result offers to move, and the version each serves: those the
    /// runtime has, then the form's endpoint if it does not exist yet (a move creates it).
    pub fn endpoints(&self) -> Vec<(String, Option<String>)> {
        let Phase::Done(_, Ok(d)) = &self.phase else {
            return vec![];
        };
        let mut all = d.endpoints.clone();
        if let Ok(Some(wanted)) = self.form.endpoint()
            && !all.iter().any(|(name, _)| *name == wanted)
        {
            all.push((wanted, None));
        }
        all
    }

    /// Whether the endpoint must be created by the move.
    pub fn is_new(&self, endpoint: &str) -> bool {
        match &self.phase {
            Phase::Done(_, Ok(d)) => !d.endpoints.iter().any(|(name, _)| name == endpoint),
            _ => false,
        }
    }

    fn form_action(&mut self, action: &Action) -> Effect {
        match self.form.handle(action, &self.env) {
            Outcome::Editing => Effect::Done,
            Outcome::Cancelled => Effect::Done,
            Outcome::Ready(op) => {
                let op = *op;
                let needs_check =
                    matches!(op.source, Source::Dir { .. }) && self.checked.as_ref() != Some(&op);
                if let (
                    true,
                    Source::Dir {
                        dir, entry_point, ..
                    },
                ) = (needs_check, &op.source)
                {
                    self.generation += 1;
                    self.phase = Phase::Checking(self.generation);
                    let job = Job::DeployCheck {
                        dir: dir.clone(),
                        entry_point: entry_point.clone(),
                    };
                    self.checked = None;
                    self.op = Some(op);
                    return Effect::Fetch(vec![Fetch {
                        generation: self.generation,
                        job,
                    }]);
                }
                self.op = Some(op.clone());
                Effect::Then(Action::RequestWrite(WriteOp::Deploy(Box::new(op))))
            }
        }
    }

    /// `e`: the selected endpoint to the new version (created if it does not exist yet).
    fn move_endpoint(&self) -> Result<WriteOp, String> {
        let (Some(op), Phase::Done(_, Ok(d))) = (&self.op, &self.phase) else {
            return Err("no deploy went through yet".into());
        };
        let endpoints = self.endpoints();
        let (name, live) = endpoints.get(self.sel).ok_or_else(|| {
            format!(
                "{} has no named endpoint (DEFAULT already serves version {}); name one in the form's `then endpoint`",
                op.runtime, d.version
            )
        })?;
        if live.is_none() && !self.is_new(name) {
            return Err(format!("endpoint {name} serves no version yet"));
        }
        if live.as_deref() == Some(d.version.as_str()) {
            return Err(format!(
                "endpoint {name} already serves version {}",
                d.version
            ));
        }
        Ok(WriteOp::Point {
            env: self.env.clone(),
            runtime: op.runtime.clone(),
            runtime_id: d.runtime_id.clone(),
            endpoint: name.clone(),
            from: live.clone(),
            to: d.version.clone(),
        })
    }
}

impl Pane for DeployPane {
    fn context(&self) -> Context {
        match self.phase {
            Phase::Form | Phase::Checking(_) => Context::DeployForm,
            _ => Context::Deploy,
        }
    }

    fn title(&self) -> String {
        format!("deploy {} to {}", self.form.runtime.text.trim(), self.env)
    }

    fn env(&self) -> Option<&str> {
        Some(&self.env)
    }

    fn apply(&mut self, generation: u64, reply: Reply, _now: Millis) -> bool {
        match reply {
            Reply::DeployChecked(result) => {
                if self.phase != Phase::Checking(generation) {
                    return false;
                }
                self.phase = Phase::Form;
                match result {
                    Ok(()) => {
                        self.checked = self.op.clone();
                        self.form.error = None;
                    }
                    Err(e) => self.form.error = Some(e),
                }
                true
            }
            // A deploy's events come with the write's ticket, not a generation of ours.
            Reply::Deploy(DeployEvent::Stage(s)) => {
                match &mut self.phase {
                    Phase::Running(stages) => stages.push(s),
                    _ => self.phase = Phase::Running(vec![s]),
                }
                true
            }
            Reply::Deploy(DeployEvent::Done(result)) => {
                let stages = match std::mem::replace(&mut self.phase, Phase::Form) {
                    Phase::Running(s) => s,
                    _ => vec![],
                };
                self.phase = Phase::Done(stages, result.map(Box::new));
                // Start on the endpoint the form named, if any.
                let wanted = self.form.endpoint().ok().flatten();
                self.sel = self
                    .endpoints()
                    .iter()
                    .position(|(name, _)| Some(name) == wanted.as_ref())
                    .unwrap_or(0);
                true
            }
            _ => false,
        }
    }

    fn busy(&self) -> bool {
        matches!(self.phase, Phase::Checking(_) | Phase::Running(_))
    }

    fn abandon(&mut self, generation: u64, _job: &Job) {
        if self.phase == Phase::Checking(generation) {
            self.phase = Phase::Form;
            self.form.error = Some("busy: the directory was not checked; enter again".into());
        }
    }

    fn handle(&mut self, action: &Action, _now: Millis) -> Option<Effect> {
        match &self.phase {
            // esc leaves the pane (the app pops it): nothing was sent.
            // The write the form asked for comes back through here: the app's to take.
            Phase::Form if matches!(action, Action::Back | Action::RequestWrite(_)) => {
                return None;
            }
            Phase::Form => return Some(self.form_action(action)),
            Phase::Checking(_) => {
                return match action {
                    Action::Back => {
                        self.phase = Phase::Form;
                        Some(Effect::Done)
                    }
                    _ => Some(Effect::Done),
                };
            }
            Phase::Running(_) | Phase::Done(..) => {}
        }
        if let Some(s) = step(self.sel, self.endpoints().len(), action, 5) {
            self.sel = s;
            return Some(Effect::Done);
        }
        Some(match action {
            Action::MoveEndpoint => match self.move_endpoint() {
                Ok(op) => Effect::Then(Action::RequestWrite(op)),
                Err(why) => Effect::Notice(Level::Warn, format!("move endpoint: {why}")),
            },
            Action::Deploy if matches!(self.phase, Phase::Done(..)) => {
                self.phase = Phase::Form;
                Effect::Done
            }
            Action::Deploy => Effect::Notice(Level::Info, "a deploy is running".into()),
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
