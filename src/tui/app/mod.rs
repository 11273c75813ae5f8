//! The app: owns all UI state (the pane stack over the matrix, the modals, the status line,
//! arming per environment) and changes it only in [`App::update`] (an action in, requests
//! out) and [`App::apply`] (a response in). Both are synchronous and deterministic given the
//! clock value passed in, so everything here is tested without a terminal or a network.

mod alarm_apply;
mod alarms;
mod flow;
mod invoke;
mod logs;
mod responses;
mod rollout;

use std::collections::HashMap;
use std::sync::Arc;

use crossterm::event::KeyEvent;

use super::action::{Action, PaneKind};
use super::alarms::AlarmBook;
use super::arming::Arming;
use super::io::{Job, PaneUid, Request, Ticket};
use super::keymap::{Context, Keymap};
use super::keys::Key;
use super::panes::alarms::AlarmsPane;
use super::panes::audit::AuditPane;
use super::panes::deploy::DeployPane;
use super::panes::diff::DiffPane;
use super::panes::matrix::MatrixPane;
use super::panes::metrics::MetricsPane;
use super::panes::rollout::RolloutPane;
use super::panes::runtime::RuntimePane;
use super::panes::traffic::TrafficPane;
use super::panes::{Effect, Fetch, Pane};
use super::theme::Theme;
use super::time::Millis;
use super::widgets::arm::ArmPrompt;
use super::widgets::confirm::ConfirmPrompt;
use super::widgets::palette::Palette;
use super::widgets::status_line::{Level, StatusLine};
use super::widgets::text_input::TextInput;
use super::write::WriteOp;
use crate::domain::Environment;

/// The matrix is always at the bottom of the stack, with this id.
pub const MATRIX_UID: PaneUid = 0;

/// What sits on top of the panes and takes the keys first.
#[derive(Debug, Clone, PartialEq)]
pub enum Modal {
    Help,
    Messages,
    Palette(Palette),
    /// Editing the filter of the pane on top (applied as it is typed).
    Filter(TextInput),
    Arm(ArmPrompt),
    Confirm(ConfirmPrompt),
}

impl Modal {
    fn context(&self) -> Context {
        match self {
            Modal::Help | Modal::Messages => Context::Overlay,
            Modal::Palette(_) => Context::Palette,
            Modal::Filter(_) => Context::Filter,
            Modal::Arm(_) => Context::Arm,
            Modal::Confirm(_) => Context::Confirm,
        }
    }
}

struct Mounted {
    uid: PaneUid,
    pane: Box<dyn Pane>,
}

pub struct App {
    envs: Vec<Environment>,
    keymap: Keymap,
    theme: Theme,
    matrix: MatrixPane,
    /// Panes opened over the matrix; the last one is visible.
    stack: Vec<Mounted>,
    modals: Vec<Modal>,
    status: StatusLine,
    arming: Arming,
    next_uid: PaneUid,
    write_gen: u64,
    /// Writes sent and not answered yet.
    writes: Vec<(Ticket, WriteOp)>,
    /// Alarm plans being read: (ticket, env, runtime).
    alarm_plans: Vec<(Ticket, String, String)>,
    /// Rollout previews being read.
    rollout_previews: Vec<Ticket>,
    /// The error last reported per (pane, source), so a poll that fails again stays quiet.
    failing: HashMap<(PaneUid, String), String>,
    /// `agentcore-console --config PATH`: the start of every equivalent command line.
    cli_prefix: Vec<String>,
    /// The invoke panes' calls per environment (kept when a pane closes).
    invoke_history: super::panes::invoke::SharedHistory,
    /// Every environment's alarms (polled and answered here).
    alarms: AlarmBook,
    /// The copy the panes hold, replaced after each fresh answer.
    alarms_shared: Arc<AlarmBook>,
    quit: bool,
    now: Millis,
}

impl App {
    pub fn new(
        envs: Vec<Environment>,
        keymap: Keymap,
        theme: Theme,
        cli_prefix: Vec<String>,
    ) -> Self {
        let alarms = AlarmBook::new(envs.iter().map(|e| e.name.clone()));
        Self {
            matrix: MatrixPane::new(envs.clone()),
            alarms_shared: Arc::new(alarms.clone()),
            alarms,
            envs,
            keymap,
            theme,
            stack: vec![],
            modals: vec![],
            status: StatusLine::default(),
            arming: Arming::default(),
            next_uid: MATRIX_UID + 1,
            write_gen: 0,
            writes: vec![],
            alarm_plans: vec![],
            rollout_previews: vec![],
            failing: HashMap::new(),
            cli_prefix,
            invoke_history: Default::default(),
            quit: false,
            now: Millis(0),
        }
    }

    /// The first requests: the matrix, every environment at once.
    pub fn start(&mut self, now: Millis) -> Vec<Request> {
        self.now = now;
        self.poll_top(now)
    }

    // === accessors (rendering and tests) ===

    pub fn envs(&self) -> &[Environment] {
        &self.envs
    }
    pub fn keymap(&self) -> &Keymap {
        &self.keymap
    }
    pub fn theme(&self) -> &Theme {
        &self.theme
    }
    pub fn now(&self) -> Millis {
        self.now
    }
    pub fn arming(&self) -> &Arming {
        &self.arming
    }
    pub fn status(&self) -> &StatusLine {
        &self.status
    }
    pub fn matrix(&self) -> &MatrixPane {
        &self.matrix
    }
    pub fn modal(&self) -> Option<&Modal> {
        self.modals.last()
    }
    pub fn should_quit(&self) -> bool {
        self.quit
    }
    pub fn writes_in_flight(&self) -> usize {
        self.writes.len()
    }

    /// The visible pane.
    pub fn top(&self) -> &dyn Pane {
        match self.stack.last() {
            Some(m) => m.pane.as_ref(),
            None => &self.matrix,
        }
    }

    fn top_mut(&mut self) -> &mut dyn Pane {
        match self.stack.last_mut() {
            Some(m) => m.pane.as_mut(),
            None => &mut self.matrix,
        }
    }

    fn top_uid(&self) -> PaneUid {
        self.stack.last().map_or(MATRIX_UID, |m| m.uid)
    }

    /// Titles from the matrix to the visible pane.
    pub fn breadcrumbs(&self) -> Vec<String> {
        std::iter::once(self.matrix.title())
            .chain(self.stack.iter().map(|m| m.pane.title()))
            .collect()
    }

    /// Where keys go now: the top modal, else the visible pane.
    pub fn context(&self) -> Context {
        self.modal()
            .map_or_else(|| self.top().context(), Modal::context)
    }

    pub fn is_protected(&self, env: &str) -> bool {
        self.envs.iter().any(|e| e.name == env && e.read_only)
    }

    /// Tell the user something (used for start-up warnings too).
    pub fn notify(&mut self, level: Level, text: impl AsRef<str>) {
        self.status.push(level, text, self.now);
    }

    // === input ===

    /// The action a key press means here, if any.
    pub fn action_for(&self, event: &KeyEvent) -> Option<Action> {
        let key = Key::from_event(event);
        let ctx = self.context();
        if let Some(a) = self.keymap.lookup(ctx, &key) {
            return Some(a.clone());
        }
        if ctx.takes_text()
            && let Some(c) = key.typed()
        {
            return Some(Action::Char(c));
        }
        // The way out works everywhere, whatever the keymap says.
        (key == Key::ctrl('c')).then_some(Action::ForceQuit)
    }

    /// Apply one action at `now`; returns the requests to send.
    pub fn update(&mut self, action: Action, now: Millis) -> Vec<Request> {
        self.now = now;
        match action {
            Action::Tick => return self.tick(now),
            Action::Resize => return vec![],
            Action::ForceQuit => {
                self.quit = true;
                return vec![];
            }
            _ => {}
        }
        if !self.modals.is_empty() {
            return self.modal_action(action, now);
        }
        let uid = self.top_uid();
        match self.top_mut().handle(&action, now) {
            Some(effect) => self.effect(uid, effect, now),
            None => self.global(action, now),
        }
    }

    fn tick(&mut self, now: Millis) -> Vec<Request> {
        for env in self.arming.expire(now) {
            self.notify(
                Level::Warn,
                format!("{env} disarmed: its 5 minutes are over"),
            );
        }
        self.poll_top(now)
    }

    fn effect(&mut self, uid: PaneUid, effect: Effect, now: Millis) -> Vec<Request> {
        match effect {
            Effect::Done => vec![],
            Effect::Fetch(f) => stamp(uid, f),
            Effect::Then(action) => self.update(action, now),
            Effect::Notice(level, text) => {
                self.notify(level, text);
                vec![]
            }
        }
    }

    /// What no pane handled.
    fn global(&mut self, action: Action, now: Millis) -> Vec<Request> {
        match action {
            Action::Quit if self.writes.iter().any(|(_, w)| !w.drives()) => self.notify(
                Level::Warn,
                "a write is still running: wait for its result, or ctrl-c to quit anyway",
            ),
            Action::Quit => {
                self.leave_drivers();
                self.quit = true;
            }
            Action::Help => self.modals.push(Modal::Help),
            Action::Messages => self.modals.push(Modal::Messages),
            Action::Palette => {
                let items = self.palette_items();
                self.modals.push(Modal::Palette(Palette::new(items)));
            }
            Action::PaletteWith(text) => {
                let mut p = Palette::new(self.palette_items());
                p.input = TextInput::with(&text);
                self.modals.push(Modal::Palette(p));
            }
            Action::OpenDiff {
                runtime,
                left,
                right,
            } => {
                return self.push(Box::new(DiffPane::new(&runtime, left, right)), now);
            }
            Action::Filter => {
                let current = TextInput::with(self.top().filter());
                self.modals.push(Modal::Filter(current));
            }
            Action::Back if !self.top().filter().is_empty() => self.top_mut().set_filter(""),
            Action::Back => return self.pop(now),
            Action::Refresh => {
                let uid = self.top_uid();
                let f = self.top_mut().refresh(now);
                let mut reqs = stamp(uid, f);
                reqs.extend(self.poll_alarms(now, true));
                return reqs;
            }
            Action::Arm => match self.top().env().map(str::to_string) {
                Some(env) => self.toggle_arming(&env, now),
                None => self.notify(Level::Info, "no environment in focus to arm"),
            },
            Action::ArmEnv(env) => self.toggle_arming(&env, now),
            Action::Goto(PaneKind::Matrix) => return self.pop_all(now),
            Action::Goto(PaneKind::Audit) if self.top().context() != Context::Audit => {
                return self.push(Box::new(AuditPane::default()), now);
            }
            Action::Goto(PaneKind::Alarms) if self.top().context() != Context::Alarms => {
                return self.push(Box::new(AlarmsPane::default()), now);
            }
            Action::FocusEnv(_) | Action::FocusRuntime(_) | Action::FiringOnly => {
                let mut reqs = self.pop_all(now);
                if let Some(effect) = self.matrix.handle(&action, now) {
                    reqs.extend(self.effect(MATRIX_UID, effect, now));
                }
                return reqs;
            }
            Action::OpenRuntime { env, runtime } => {
                if !self.envs.iter().any(|e| e.name == env) {
                    self.notify(Level::Warn, format!("no environment `{env}`"));
                    return vec![];
                }
                return self.push(Box::new(RuntimePane::new(&env, &runtime)), now);
            }
            Action::RequestWrite(op) => return self.request_write(op, now),
            Action::PlanAlarms { env, runtime } => return self.plan_alarms(env, runtime),
            Action::ApplyAlarms => self.notify(
                Level::Info,
                "apply alarms (a): select a runtime in the matrix, or open one",
            ),
            Action::OpenTraffic { env, runtime } if self.envs.iter().any(|e| e.name == env) => {
                return self.push(Box::new(TrafficPane::new(&env, &runtime)), now);
            }
            Action::OpenMetrics { env, runtime } if self.envs.iter().any(|e| e.name == env) => {
                let pane = MetricsPane::new(&env, &runtime, self.theme.chart_marker);
                return self.push(Box::new(pane), now);
            }
            Action::OpenDeploy { env, runtime } if self.envs.iter().any(|e| e.name == env) => {
                let Some(e) = self.envs.iter().find(|e| e.name == env) else {
                    return vec![];
                };
                return self.push(Box::new(DeployPane::new(e, &runtime)), now);
            }
            Action::OpenRollout { env, runtime } => {
                let Some(e) = self.envs.iter().find(|e| e.name == env) else {
                    self.notify(Level::Warn, format!("no environment `{env}`"));
                    return vec![];
                };
                let pane = RolloutPane::new(&env, &runtime, &e.plans);
                return self.push(Box::new(pane), now);
            }
            Action::PreviewRollout(ask) => return self.preview_rollout(ask),
            Action::Rollout => self.notify(
                Level::Info,
                "rollout (R): open a runtime's traffic (t), or `rollout` in the palette (:)",
            ),
            Action::OpenDeploy { env, .. } => {
                self.notify(Level::Warn, format!("no environment `{env}`"));
            }
            Action::Deploy => self.notify(
                Level::Info,
                "deploy (D): select a runtime in the matrix, or open one",
            ),
            Action::OpenTraffic { env, .. } | Action::OpenMetrics { env, .. } => {
                self.notify(Level::Warn, format!("no environment `{env}`"));
            }
            Action::Traffic | Action::Metrics => self.notify(
                Level::Info,
                "traffic (t) and metrics (m): select a runtime in the matrix, or open one",
            ),
            Action::OpenLogs { runtime, env } => return self.open_logs(&runtime, env, now),
            Action::Invoke
            | Action::OpenInvoke { .. }
            | Action::CallTool { .. }
            | Action::OpenLogsMatching { .. } => return self.invoke_action(action, now),
            Action::Logs | Action::LogsAllEnvs => self.notify(
                Level::Info,
                "logs: select a runtime in the matrix (or open one), then L (ctrl-l: every environment)",
            ),
            Action::Rollback => self.notify(
                Level::Info,
                "rollback: open a runtime (enter) and select one of its endpoints",
            ),
            _ => {}
        }
        vec![]
    }

    // === the pane stack ===

    fn poll_top(&mut self, now: Millis) -> Vec<Request> {
        let uid = self.top_uid();
        let f = self.top_mut().poll(now);
        let mut reqs = stamp(uid, f);
        reqs.extend(self.poll_alarms(now, false));
        reqs
    }

    fn push(&mut self, mut pane: Box<dyn Pane>, now: Millis) -> Vec<Request> {
        let uid = self.next_uid;
        self.next_uid += 1;
        pane.set_alarms(&self.alarms_shared);
        self.stack.push(Mounted { uid, pane });
        self.poll_top(now)
    }

    /// Close the visible pane (cancelling its reads) and poll the one under it.
    fn pop(&mut self, now: Millis) -> Vec<Request> {
        let Some(gone) = self.stack.pop() else {
            return vec![];
        };
        let mut reqs = vec![cancel(gone.uid)];
        reqs.extend(self.poll_top(now));
        reqs
    }

    fn pop_all(&mut self, now: Millis) -> Vec<Request> {
        let mut reqs: Vec<Request> = self.stack.drain(..).map(|m| cancel(m.uid)).collect();
        reqs.extend(self.poll_top(now));
        reqs
    }

    fn pane_mut(&mut self, uid: PaneUid) -> Option<&mut (dyn Pane + 'static)> {
        if uid == MATRIX_UID {
            return Some(&mut self.matrix);
        }
        self.stack
            .iter_mut()
            .find(|m| m.uid == uid)
            .map(|m| m.pane.as_mut())
    }
}

fn stamp(uid: PaneUid, fetches: Vec<Fetch>) -> Vec<Request> {
    fetches
        .into_iter()
        .map(|f| Request {
            ticket: Ticket {
                pane: uid,
                generation: f.generation,
            },
            job: f.job,
        })
        .collect()
}

fn cancel(uid: PaneUid) -> Request {
    Request {
        ticket: Ticket {
            pane: uid,
            generation: 0,
        },
        job: Job::Cancel,
    }
}
