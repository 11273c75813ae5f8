//! The invoke pane's actions: checking and starting a call, cancelling it, the form's
//! edits, loading a history entry, and the way to the logs of a result's session.

use super::form::Form;
use super::{Call, InvokePane, View};
use crate::tui::action::Action;
use crate::tui::io::{CallJob, Job};
use crate::tui::panes::{Effect, Fetch};
use crate::tui::time::Millis;
use crate::tui::widgets::status_line::Level;

impl InvokePane {
    /// Check the arguments, then ask the app whether the call may go.
    pub(super) fn request_call(&mut self) -> Effect {
        if matches!(self.call, Call::Running { .. }) {
            return Effect::Notice(
                Level::Warn,
                "a call is running: wait, or esc cancels it".into(),
            );
        }
        let Some(tool) = self.tool().cloned() else {
            return Effect::Notice(Level::Info, "no tool selected".into());
        };
        let Some(form) = self.form() else {
            return Effect::Done;
        };
        let args = match form.arguments() {
            Ok(a) => a,
            Err(p) => return self.refuse(p),
        };
        if let Some(schema) = tool.schema.as_object() {
            match crate::backend::mcp::violations(schema, &args) {
                Ok(p) if p.is_empty() => {}
                Ok(p) => return self.refuse(p),
                Err(e) => return self.refuse(vec![e]),
            }
        }
        self.problems.clear();
        self.pending = Some((tool.name.clone(), args));
        Effect::Then(Action::CallTool {
            env: self.env.clone(),
            read_only: !Self::guarded(&tool),
        })
    }

    pub(super) fn refuse(&mut self, problems: Vec<String>) -> Effect {
        let n = problems.len();
        self.problems = problems;
        self.view = View::Form;
        Effect::Notice(
            Level::Warn,
            format!("not called: {n} problem(s) with the arguments (shown under the form)"),
        )
    }

    /// The app said go: exactly one call job.
    pub(super) fn start_call(&mut self, now: Millis) -> Effect {
        let (Some((tool, args)), Some(list)) = (self.pending.take(), self.tools.value()) else {
            return Effect::Done;
        };
        self.call_gen += 1;
        let job = CallJob {
            env: self.env.clone(),
            runtime: self.runtime.clone(),
            qualifier: list.qualifier.clone(),
            tool: tool.clone(),
            args,
        };
        self.call = Call::Running {
            generation: self.call_gen,
            tool,
            args: job.args.clone(),
            started: now,
            progress: vec![],
        };
        Effect::Fetch(vec![Fetch {
            generation: self.call_gen,
            job: Job::InvokeCall(Box::new(job)),
        }])
    }

    pub(super) fn cancel_call(&mut self) -> Effect {
        let Call::Running { tool, progress, .. } = &self.call else {
            return Effect::Done;
        };
        self.call = Call::Done {
            tool: tool.clone(),
            result: Err("cancelled: the answer will be ignored".into()),
            progress: progress.clone(),
        };
        self.call_gen += 1; // whatever still arrives is stale
        Effect::Fetch(vec![Fetch {
            generation: 0,
            job: Job::Cancel,
        }])
    }

    /// `L`: the logs of the result's session (else of the runtime here).
    pub(super) fn logs(&self) -> Effect {
        let session = match (self.view, &self.call) {
            (View::History, _) => self
                .history()
                .get(self.hist_sel)
                .and_then(|e| e.session_id.clone()),
            (_, Call::Done { result: Ok(o), .. }) => o.session_id.clone(),
            _ => None,
        };
        Effect::Then(match session {
            Some(s) => Action::OpenLogsMatching {
                runtime: self.runtime.clone(),
                env: self.env.clone(),
                regex: regex::escape(&s),
            },
            None => Action::OpenLogs {
                runtime: self.runtime.clone(),
                env: Some(self.env.clone()),
            },
        })
    }

    /// Enter on a history entry: its tool, its arguments in the form, its summary.
    pub(super) fn load_entry(&mut self) -> Effect {
        let Some(e) = self.history().get(self.hist_sel).cloned() else {
            return Effect::Done;
        };
        self.filter.clear();
        let Some(i) = self.shown_tools().iter().position(|t| t.name == e.tool) else {
            return Effect::Notice(
                Level::Warn,
                format!("this endpoint has no tool `{}`", e.tool),
            );
        };
        self.sel = i;
        if let Some(f) = self.form_mut() {
            *f = Form::with_value(&f.schema().clone(), Some(&e.args));
        }
        self.view = View::Form;
        Effect::Done
    }

    pub(super) fn form_action(&mut self, action: &Action) -> Option<Effect> {
        let form = self.form_mut()?;
        let raw = form.raw.is_some();
        let failed = |r: Result<(), String>| match r {
            Ok(()) => Effect::Done,
            Err(e) => Effect::Notice(Level::Warn, e),
        };
        Some(match action {
            Action::Back => {
                self.view = View::Tools;
                Effect::Done
            }
            Action::Submit | Action::InvokeCall => return Some(self.request_call()),
            Action::InvokeRaw => failed(form.toggle_raw()),
            Action::Char(c) if raw => {
                form.edit_raw(Some(*c), false);
                Effect::Done
            }
            Action::Backspace | Action::ClearInput if raw => {
                form.edit_raw(None, *action == Action::ClearInput);
                Effect::Done
            }
            _ if raw => Effect::Done,
            Action::Complete | Action::Down => {
                form.move_focus(1);
                Effect::Done
            }
            Action::Up => {
                form.move_focus(-1);
                Effect::Done
            }
            Action::Left | Action::Right => {
                form.cycle(if *action == Action::Left { -1 } else { 1 });
                Effect::Done
            }
            Action::Char(c) => {
                form.type_char(*c);
                Effect::Done
            }
            Action::Backspace | Action::ClearInput => {
                form.erase(*action == Action::ClearInput);
                Effect::Done
            }
            Action::InvokeNull => failed(form.toggle_null()),
            Action::InvokeAddItem => failed(form.add_item()),
            Action::InvokeRemove => match form.remove() {
                Ok(_) => Effect::Done,
                Err(e) => Effect::Notice(Level::Warn, e),
            },
            // The app's (`CallTool` on its way back to it, …).
            _ => return None,
        })
    }
}
