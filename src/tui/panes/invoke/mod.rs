//! The invoke pane: the tools of one runtime endpoint in one environment (its stable endpoint
//! if the runtime has one, else DEFAULT), an argument form generated from the selected tool's
//! input schema (or raw JSON, `R`), the call (`ctrl-s`, or enter in the form) with its
//! progress as it comes, the result, and the calls made in this environment (`H`). From a
//! result, `L` opens the logs of its MCP session and `m` the runtime's metrics.
//!
//! Safety: in a protected environment a tool is called freely only when its annotations say
//! `readOnlyHint: true` (and not `destructiveHint: true`); any other tool needs the
//! environment armed (the usual prompt: type its name). Annotations are the server's hints.

mod calls;
pub mod form;
mod history;
mod keys;
mod render;
pub mod schema;

#[cfg(test)]
mod fixtures;
#[cfg(test)]
mod form_tests;
#[cfg(test)]
mod snapshot_tests;
#[cfg(test)]
mod tests;

use serde_json::Value;

use self::form::Form;
pub use self::history::{Entry as HistoryEntry, History, Shared as SharedHistory};
pub use self::keys::{form_keys, keys};
use super::{Effect, Fetch, Pane, step};
use crate::tui::action::Action;
use crate::tui::io::{CallOutcome, Job, Progress, Reply, ToolInfo, ToolList, ToolsJob};
use crate::tui::keymap::Context;
use crate::tui::loadable::{Loadable, Slot};
use crate::tui::time::Millis;
use crate::tui::widgets::status_line::Level;

/// Progress lines kept for the call on view.
const PROGRESS_KEPT: usize = 50;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum View {
    Tools,
    Form,
    History,
}

/// The call on view.
#[derive(Debug, Clone, PartialEq)]
pub enum Call {
    None,
    Running {
        generation: u64,
        tool: String,
        args: Value,
        started: Millis,
        progress: Vec<Progress>,
    },
    Done {
        tool: String,
        result: Result<Box<CallOutcome>, String>,
        progress: Vec<Progress>,
    },
}

pub struct InvokePane {
    env: String,
    runtime: String,
    asked: Option<String>,
    tools: Slot<Box<ToolList>>,
    sel: usize,
    view: View,
    /// One form per tool, kept while the pane is open.
    forms: Vec<(String, Form)>,
    call: Call,
    call_gen: u64,
    /// Checked arguments waiting for the app's go (arming).
    pending: Option<(String, Value)>,
    /// Why the last call was not sent.
    problems: Vec<String>,
    history: SharedHistory,
    hist_sel: usize,
    filter: String,
}

impl InvokePane {
    pub fn new(env: &str, runtime: &str, qualifier: Option<&str>, history: SharedHistory) -> Self {
        Self {
            env: env.to_string(),
            runtime: runtime.to_string(),
            asked: qualifier.map(str::to_string),
            tools: Slot::default(),
            sel: 0,
            view: View::Tools,
            forms: vec![],
            call: Call::None,
            call_gen: 0,
            pending: None,
            problems: vec![],
            history,
            hist_sel: 0,
            filter: String::new(),
        }
    }

    pub fn slot(&self) -> &Slot<Box<ToolList>> {
        &self.tools
    }
    pub fn view(&self) -> View {
        self.view
    }
    pub fn call(&self) -> &Call {
        &self.call
    }
    pub fn problems(&self) -> &[String] {
        &self.problems
    }
    pub fn selected(&self) -> usize {
        self.sel
    }
    pub fn history_selected(&self) -> usize {
        self.hist_sel
    }

    /// The calls made in this environment, newest first.
    pub fn history(&self) -> Vec<HistoryEntry> {
        self.history.borrow().list(&self.env)
    }

    /// The tools matching the filter.
    pub fn shown_tools(&self) -> Vec<&ToolInfo> {
        let f = self.filter.to_lowercase();
        self.tools
            .value()
            .map(|l| {
                l.tools
                    .iter()
                    .filter(|t| f.is_empty() || t.name.to_lowercase().contains(&f))
                    .collect()
            })
            .unwrap_or_default()
    }

    pub fn tool(&self) -> Option<&ToolInfo> {
        self.shown_tools().get(self.sel).copied()
    }

    /// The selected tool's form (a fresh one until it is edited).
    pub fn form(&self) -> Option<Form> {
        let t = self.tool()?;
        Some(
            self.forms
                .iter()
                .find(|(n, _)| *n == t.name)
                .map_or_else(|| Form::new(&t.schema), |(_, f)| f.clone()),
        )
    }

    fn form_mut(&mut self) -> Option<&mut Form> {
        let t = self.tool()?.clone();
        if !self.forms.iter().any(|(n, _)| *n == t.name) {
            self.forms.push((t.name.clone(), Form::new(&t.schema)));
        }
        self.forms
            .iter_mut()
            .find(|(n, _)| *n == t.name)
            .map(|(_, f)| f)
    }

    /// Whether calling `tool` here needs the environment armed (when it is protected).
    pub fn guarded(tool: &ToolInfo) -> bool {
        !tool.read_only || tool.destructive
    }

    fn fetch_tools(&mut self, now: Millis) -> Fetch {
        let job = Job::InvokeTools(ToolsJob {
            env: self.env.clone(),
            runtime: self.runtime.clone(),
            qualifier: self.asked.clone(),
        });
        self.tools.fetch(now, job)
    }
}

impl Pane for InvokePane {
    fn context(&self) -> Context {
        if self.view == View::Form {
            Context::InvokeForm
        } else {
            Context::Invoke
        }
    }

    fn title(&self) -> String {
        format!("invoke {} in {}", self.runtime, self.env)
    }

    fn env(&self) -> Option<&str> {
        Some(&self.env)
    }

    fn poll(&mut self, now: Millis) -> Vec<Fetch> {
        // The tools are listed once (r lists them again).
        if matches!(self.tools.state(), Loadable::Idle) {
            vec![self.fetch_tools(now)]
        } else {
            vec![]
        }
    }

    fn refresh(&mut self, now: Millis) -> Vec<Fetch> {
        vec![self.fetch_tools(now)]
    }

    fn apply(&mut self, generation: u64, reply: Reply, _now: Millis) -> bool {
        match reply {
            Reply::InvokeTools(r) => {
                let fresh = self.tools.accept(generation, r, _now);
                self.sel = self.sel.min(self.shown_tools().len().saturating_sub(1));
                fresh
            }
            Reply::InvokeProgress(p) => match &mut self.call {
                Call::Running {
                    generation: g,
                    progress,
                    ..
                } if *g == generation => {
                    progress.push(p);
                    let over = progress.len().saturating_sub(PROGRESS_KEPT);
                    progress.drain(..over);
                    true
                }
                _ => false,
            },
            Reply::InvokeResult(result) => {
                let Call::Running {
                    generation: g,
                    tool,
                    args,
                    progress,
                    ..
                } = &self.call
                else {
                    return false;
                };
                if *g != generation {
                    return false;
                }
                let (tool, args, progress) = (tool.clone(), args.clone(), progress.clone());
                let (summary, ok) = history::summary(&result);
                let (session_id, at) = match &result {
                    Ok(o) => (o.session_id.clone(), o.at),
                    Err(_) => (None, 0),
                };
                let qualifier = self
                    .tools
                    .value()
                    .map(|l| l.qualifier.clone())
                    .unwrap_or_default();
                self.history.borrow_mut().push(
                    &self.env,
                    HistoryEntry {
                        runtime: self.runtime.clone(),
                        qualifier,
                        tool: tool.clone(),
                        args,
                        summary,
                        ok,
                        session_id,
                        at,
                    },
                );
                self.call = Call::Done {
                    tool,
                    result,
                    progress,
                };
                true
            }
            _ => false,
        }
    }

    fn busy(&self) -> bool {
        self.tools.in_flight() || matches!(self.call, Call::Running { .. })
    }

    fn abandon(&mut self, generation: u64, job: &Job) {
        match job {
            Job::InvokeCall(_) => {
                if let Call::Running {
                    generation: g,
                    tool,
                    progress,
                    ..
                } = &self.call
                    && *g == generation
                {
                    self.call = Call::Done {
                        tool: tool.clone(),
                        result: Err("not sent: the console is busy; call again".into()),
                        progress: progress.clone(),
                    };
                }
            }
            _ => self.tools.abandon(generation),
        }
    }

    fn handle(&mut self, action: &Action, now: Millis) -> Option<Effect> {
        if *action == Action::CallToolNow {
            return Some(self.start_call(now));
        }
        if self.view == View::Form {
            return self.form_action(action);
        }
        if self.view == View::History {
            let n = self.history().len();
            if let Some(s) = step(self.hist_sel, n, action, 5) {
                self.hist_sel = s;
                return Some(Effect::Done);
            }
        } else if let Some(s) = step(self.sel, self.shown_tools().len(), action, 5) {
            self.sel = s;
            return Some(Effect::Done);
        }
        Some(match action {
            Action::Open | Action::Right if self.view == View::History => self.load_entry(),
            Action::Open | Action::Right if self.tool().is_some() => {
                self.view = View::Form;
                Effect::Done
            }
            Action::InvokeRaw if self.tool().is_some() => {
                let r = self.form_mut().map(|f| f.toggle_raw());
                self.view = View::Form;
                match r {
                    Some(Err(e)) => Effect::Notice(Level::Warn, e),
                    _ => Effect::Done,
                }
            }
            Action::InvokeCall => self.request_call(),
            Action::InvokeHistory => {
                self.view = if self.view == View::History {
                    View::Tools
                } else {
                    View::History
                };
                self.hist_sel = 0;
                Effect::Done
            }
            Action::Back if matches!(self.call, Call::Running { .. }) => self.cancel_call(),
            Action::Back if self.view == View::History => {
                self.view = View::Tools;
                Effect::Done
            }
            Action::Logs => self.logs(),
            Action::Metrics => Effect::Then(Action::OpenMetrics {
                env: self.env.clone(),
                runtime: self.runtime.clone(),
            }),
            _ => return None,
        })
    }

    fn filter(&self) -> &str {
        &self.filter
    }

    fn set_filter(&mut self, filter: &str) {
        self.filter = filter.to_string();
        self.sel = 0;
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
