//! Home: the environment matrix. Rows are runtimes, columns environments; each column is fed
//! by its own request (one per environment, concurrently), so an environment that fails shows
//! its error while the others keep showing theirs. Alarms come from the app's book: a badge
//! per cell, and `f` keeps only the runtimes with an alarm firing.

pub mod cells;
mod render;

use std::sync::Arc;
use std::time::Duration;

use super::{Effect, Fetch, Pane, step};
use crate::domain::Environment;
use crate::tui::action::Action;
use crate::tui::alarms::AlarmBook;
use crate::tui::io::{EnvSnapshot, Job, Reply};
use crate::tui::keymap::Context;
use crate::tui::loadable::Slot;
use crate::tui::time::Millis;
use crate::tui::widgets::status_line::Level;

/// How often the visible matrix polls each environment.
pub const POLL: Duration = Duration::from_secs(5);

pub struct MatrixPane {
    envs: Vec<Environment>,
    columns: Vec<Slot<EnvSnapshot>>,
    /// Selected row among the filtered runtimes, and selected environment column.
    row: usize,
    col: usize,
    filter: String,
    alarms: Arc<AlarmBook>,
    /// Only the runtimes with an alarm in ALARM (in any environment).
    firing_only: bool,
}

impl MatrixPane {
    pub fn new(envs: Vec<Environment>) -> Self {
        let columns = envs.iter().map(|_| Slot::default()).collect();
        Self {
            envs,
            columns,
            row: 0,
            col: 0,
            filter: String::new(),
            alarms: Arc::default(),
            firing_only: false,
        }
    }

    pub fn alarms(&self) -> &AlarmBook {
        &self.alarms
    }

    pub fn firing_only(&self) -> bool {
        self.firing_only
    }

    pub fn envs(&self) -> &[Environment] {
        &self.envs
    }

    pub fn column(&self, env: &str) -> Option<&Slot<EnvSnapshot>> {
        let i = self.envs.iter().position(|e| e.name == env)?;
        self.columns.get(i)
    }

    /// The snapshots of the columns that have answered.
    pub fn columns_ready(&self) -> impl Iterator<Item = &EnvSnapshot> {
        self.columns.iter().filter_map(Slot::value)
    }

    /// The filtered runtime names, in row order.
    pub fn rows(&self) -> Vec<String> {
        let mut rows = cells::rows(&self.columns, &self.filter);
        if self.firing_only {
            rows.retain(|r| self.alarms.firing(r));
        }
        rows
    }

    /// Keep the selected runtime selected while `change` moves the rows.
    fn keeping_selection(&mut self, change: impl FnOnce(&mut Self)) {
        let selected = self.rows().get(self.row).cloned();
        change(self);
        let rows = self.rows();
        if let Some(r) = selected.and_then(|name| rows.iter().position(|n| *n == name)) {
            self.row = r;
        }
        self.row = self.row.min(rows.len().saturating_sub(1));
    }

    /// The selected (runtime, environment).
    pub fn selection(&self) -> (Option<String>, &str) {
        let env = self.envs.get(self.col).map_or("", |e| e.name.as_str());
        (self.rows().get(self.row).cloned(), env)
    }

    /// Every runtime and the environments it exists in (for the palette).
    pub fn known_runtimes(&self) -> Vec<(String, Vec<String>)> {
        cells::rows(&self.columns, "")
            .into_iter()
            .map(|name| {
                let envs = self
                    .envs
                    .iter()
                    .zip(&self.columns)
                    .filter(|(_, c)| {
                        c.value()
                            .is_some_and(|s| s.runtimes.iter().any(|r| r.name == name))
                    })
                    .map(|(e, _)| e.name.clone())
                    .collect();
                (name, envs)
            })
            .collect()
    }

    fn fetches(&mut self, now: Millis, force: bool) -> Vec<Fetch> {
        self.envs
            .iter()
            .zip(self.columns.iter_mut())
            .filter(|(_, slot)| force || slot.due(now, POLL))
            .map(|(env, slot)| {
                let env = env.name.clone();
                slot.fetch(now, Job::EnvMatrix { env })
            })
            .collect()
    }

    fn select_runtime(&mut self, name: &str) -> Option<Effect> {
        if !name.to_lowercase().contains(&self.filter.to_lowercase()) {
            self.filter.clear();
        }
        if self.firing_only && !self.alarms.firing(name) {
            self.firing_only = false;
        }
        match self.rows().iter().position(|r| r == name) {
            Some(i) => {
                self.row = i;
                Some(Effect::Done)
            }
            None => Some(Effect::Notice(
                Level::Warn,
                format!("no runtime `{name}` in any environment"),
            )),
        }
    }
}

impl Pane for MatrixPane {
    fn context(&self) -> Context {
        Context::Matrix
    }

    fn title(&self) -> String {
        if self.firing_only {
            "environments · firing only".into()
        } else {
            "environments".into()
        }
    }

    fn env(&self) -> Option<&str> {
        self.envs.get(self.col).map(|e| e.name.as_str())
    }

    fn poll(&mut self, now: Millis) -> Vec<Fetch> {
        self.fetches(now, false)
    }

    fn refresh(&mut self, now: Millis) -> Vec<Fetch> {
        self.fetches(now, true)
    }

    fn apply(&mut self, generation: u64, reply: Reply, now: Millis) -> bool {
        let Reply::EnvMatrix { env, result } = reply else {
            return false;
        };
        let Some(i) = self.envs.iter().position(|e| e.name == env) else {
            return false;
        };
        let mut fresh = false;
        // Keep the same runtime selected when rows come and go.
        self.keeping_selection(|m| fresh = m.columns[i].accept(generation, result, now));
        fresh
    }

    fn busy(&self) -> bool {
        self.columns.iter().any(Slot::in_flight)
    }

    fn abandon(&mut self, generation: u64, job: &Job) {
        if let Job::EnvMatrix { env } = job
            && let Some(i) = self.envs.iter().position(|e| &e.name == env)
        {
            self.columns[i].abandon(generation);
        }
    }

    fn handle(&mut self, action: &Action, _now: Millis) -> Option<Effect> {
        let rows = self.rows();
        if let Some(r) = step(self.row, rows.len(), action, 10) {
            self.row = r;
            return Some(Effect::Done);
        }
        match action {
            Action::Left => self.col = self.col.saturating_sub(1),
            Action::Right => self.col = (self.col + 1).min(self.envs.len().saturating_sub(1)),
            Action::FocusEnv(name) => match self.envs.iter().position(|e| &e.name == name) {
                Some(i) => self.col = i,
                None => {
                    return Some(Effect::Notice(
                        Level::Warn,
                        format!("no environment `{name}`"),
                    ));
                }
            },
            Action::FocusRuntime(name) => return self.select_runtime(name),
            Action::FiringOnly => {
                self.keeping_selection(|m| m.firing_only = !m.firing_only);
                let text = if self.firing_only {
                    "only runtimes with an alarm firing (f again: all)"
                } else {
                    "every runtime"
                };
                return Some(Effect::Notice(Level::Info, text.into()));
            }
            Action::Traffic | Action::Metrics | Action::ApplyAlarms => {
                return Some(self.open_view(action));
            }
            Action::Invoke => {
                return Some(match self.open_view(&Action::Traffic) {
                    Effect::Then(Action::OpenTraffic { env, runtime }) => {
                        Effect::Then(Action::OpenInvoke { env, runtime })
                    }
                    other => other,
                });
            }
            Action::Deploy => {
                // A runtime may be deployed to an environment it is not in yet.
                let (runtime, env) = self.selection();
                return Some(Effect::Then(Action::OpenDeploy {
                    env: env.to_string(),
                    runtime: runtime.unwrap_or_default(),
                }));
            }
            Action::Logs | Action::LogsAllEnvs => return Some(self.logs(action)),
            Action::Open => {
                let (runtime, env) = self.selection();
                let Some(runtime) = runtime else {
                    return Some(Effect::Notice(Level::Info, "no runtime selected".into()));
                };
                let present = self
                    .column(env)
                    .and_then(Slot::value)
                    .is_some_and(|s| s.runtimes.iter().any(|r| r.name == runtime));
                if !present {
                    return Some(Effect::Notice(
                        Level::Warn,
                        format!("{runtime} is not deployed in {env}"),
                    ));
                }
                return Some(Effect::Then(Action::OpenRuntime {
                    env: env.to_string(),
                    runtime,
                }));
            }
            _ => return None,
        }
        Some(Effect::Done)
    }

    fn filter(&self) -> &str {
        &self.filter
    }

    fn set_filter(&mut self, filter: &str) {
        self.filter = filter.to_string();
        self.row = 0;
    }

    fn set_alarms(&mut self, alarms: &Arc<AlarmBook>) {
        let alarms = Arc::clone(alarms);
        self.keeping_selection(|m| m.alarms = alarms);
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

impl MatrixPane {
    /// `L`: the logs of the selected cell; `ctrl-l`: of the runtime in every environment.
    fn logs(&self, action: &Action) -> Effect {
        let (runtime, env) = self.selection();
        let Some(runtime) = runtime else {
            return Effect::Notice(Level::Info, "no runtime selected".into());
        };
        if *action == Action::LogsAllEnvs {
            return Effect::Then(Action::OpenLogs { runtime, env: None });
        }
        let present = self
            .column(env)
            .and_then(Slot::value)
            .is_some_and(|s| s.runtimes.iter().any(|r| r.name == runtime));
        if !present {
            return Effect::Notice(
                Level::Warn,
                format!(
                    "{runtime} is not deployed in {env} (ctrl-l: its logs in every environment)"
                ),
            );
        }
        Effect::Then(Action::OpenLogs {
            runtime,
            env: Some(env.to_string()),
        })
    }

    /// `t` / `m` / `a`: the traffic or metrics pane, or the alarms plan, of the selected cell.
    fn open_view(&self, action: &Action) -> Effect {
        let (runtime, env) = self.selection();
        let Some(runtime) = runtime else {
            return Effect::Notice(Level::Info, "no runtime selected".into());
        };
        let present = self
            .column(env)
            .and_then(Slot::value)
            .is_some_and(|s| s.runtimes.iter().any(|r| r.name == runtime));
        if !present {
            return Effect::Notice(Level::Warn, format!("{runtime} is not deployed in {env}"));
        }
        let env = env.to_string();
        Effect::Then(match action {
            Action::Traffic => Action::OpenTraffic { env, runtime },
            Action::ApplyAlarms => Action::PlanAlarms { env, runtime },
            _ => Action::OpenMetrics { env, runtime },
        })
    }

    pub(crate) fn columns(&self) -> &[Slot<EnvSnapshot>] {
        &self.columns
    }

    pub(crate) fn cursor(&self) -> (usize, usize) {
        (self.row, self.col)
    }
}
