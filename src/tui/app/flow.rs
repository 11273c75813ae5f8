//! The app's prompts: the palette, the filter, and the safety flow every write goes through:
//! `RequestWrite(op)` → (protected and not armed: the arm prompt, typed name, 5 minutes) →
//! the confirm modal with the op's exact calls → one `Job::Write` → its result on the status
//! line and the visible pane re-read.

use super::{App, Modal};
use crate::tui::action::{Action, PaneKind};
use crate::tui::arming::ARM_FOR;
use crate::tui::io::{Job, Request, Ticket};
use crate::tui::time::Millis;
use crate::tui::widgets::arm::ArmPrompt;
use crate::tui::widgets::confirm::ConfirmPrompt;
use crate::tui::widgets::palette::PaletteItem;
use crate::tui::widgets::status_line::Level;
use crate::tui::write::WriteOp;

impl App {
    /// An action while a modal is open: the modal takes it.
    pub(super) fn modal_action(&mut self, action: Action, now: Millis) -> Vec<Request> {
        let Some(modal) = self.modals.last_mut() else {
            return vec![];
        };
        match modal {
            Modal::Help | Modal::Messages => {
                if action == Action::Back {
                    self.modals.pop();
                }
            }
            Modal::Palette(p) => match action {
                Action::Back => {
                    self.modals.pop();
                }
                Action::Submit => {
                    let chosen = p.chosen();
                    let typed = p.input.text.clone();
                    self.modals.pop();
                    match chosen {
                        Some(a) => return self.update(a, now),
                        None => self.notify(Level::Warn, format!("nothing matches `{typed}`")),
                    }
                }
                other => {
                    p.edit(&other);
                }
            },
            Modal::Filter(input) => match action {
                Action::Back => {
                    self.modals.pop();
                    self.top_mut().set_filter("");
                }
                Action::Submit => {
                    self.modals.pop();
                }
                other => {
                    if input.edit(&other) {
                        let text = input.text.clone();
                        self.top_mut().set_filter(&text);
                    }
                }
            },
            Modal::Arm(prompt) => match action {
                Action::Back => {
                    let env = prompt.env.clone();
                    self.modals.pop();
                    self.notify(Level::Info, format!("{env} not armed: nothing changed"));
                }
                Action::Submit if prompt.input.text == prompt.env => {
                    let (env, then) = (prompt.env.clone(), prompt.then.take());
                    self.modals.pop();
                    self.arming.arm(&env, now);
                    self.notify(
                        Level::Warn,
                        format!(
                            "{env} armed for {} minutes: writes allowed (each one confirmed and audited)",
                            ARM_FOR.as_secs() / 60
                        ),
                    );
                    if let Some(op) = then {
                        return self.request_write(op, now);
                    }
                }
                Action::Submit => {
                    prompt.error = Some(format!(
                        "`{}` is not `{}`: not armed",
                        crate::domain::sanitize::one_line(&prompt.input.text),
                        prompt.env
                    ));
                    prompt.input.text.clear();
                }
                other => {
                    prompt.input.edit(&other);
                }
            },
            Modal::Confirm(c) => match action {
                Action::Back => {
                    self.modals.pop();
                    self.notify(Level::Info, "cancelled: nothing was changed");
                }
                Action::Submit => {
                    let op = c.op.clone();
                    self.modals.pop();
                    return self.send_write(op, now);
                }
                Action::Down => c.scroll_by(1),
                Action::Up => c.scroll_by(-1),
                Action::PageDown => c.scroll_by(10),
                Action::PageUp => c.scroll_by(-10),
                _ => {}
            },
        }
        vec![]
    }

    /// Arm a protected environment (through the prompt), or disarm an armed one.
    pub(super) fn toggle_arming(&mut self, env: &str, now: Millis) {
        if !self.envs.iter().any(|e| e.name == env) {
            self.notify(Level::Warn, format!("no environment `{env}`"));
        } else if !self.is_protected(env) {
            self.notify(
                Level::Info,
                format!("{env} is not protected: writes need no arming"),
            );
        } else if self.arming.is_armed(env, now) {
            self.arming.disarm(env);
            self.notify(Level::Info, format!("{env} disarmed"));
        } else {
            self.modals.push(Modal::Arm(ArmPrompt::new(env, None)));
        }
    }

    /// Start the safety flow for `op`.
    pub(super) fn request_write(&mut self, op: WriteOp, now: Millis) -> Vec<Request> {
        let env = op.env().to_string();
        if !self.envs.iter().any(|e| e.name == env) {
            self.notify(Level::Error, format!("no environment `{env}`"));
            return vec![];
        }
        if self.writes.iter().any(|(_, w)| *w == op) {
            self.notify(Level::Warn, format!("already running: {}", op.title()));
            return vec![];
        }
        let protected = self.is_protected(&env);
        if protected && !self.arming.is_armed(&env, now) {
            self.modals.push(Modal::Arm(ArmPrompt::new(&env, Some(op))));
        } else {
            let command = op.command(&self.cli_prefix, protected);
            self.modals
                .push(Modal::Confirm(ConfirmPrompt::new(op, command, protected)));
        }
        vec![]
    }

    /// Confirmed: send exactly one write, unless the arming ran out meanwhile.
    fn send_write(&mut self, op: WriteOp, now: Millis) -> Vec<Request> {
        let env = op.env().to_string();
        let protected = self.is_protected(&env);
        let armed = self.arming.is_armed(&env, now);
        if protected && !armed {
            self.notify(
                Level::Warn,
                format!("{env} is no longer armed: type its name again"),
            );
            self.modals.push(Modal::Arm(ArmPrompt::new(&env, Some(op))));
            return vec![];
        }
        self.write_gen += 1;
        let ticket = Ticket {
            pane: self.top_uid(),
            generation: self.write_gen,
        };
        let command = op.command(&self.cli_prefix, protected);
        self.notify(Level::Info, format!("{}…", op.title()));
        self.writes.push((ticket, op.clone()));
        vec![Request {
            ticket,
            job: Job::Write { op, armed, command },
        }]
    }

    pub(super) fn write_done(
        &mut self,
        ticket: Ticket,
        op: WriteOp,
        result: Result<String, String>,
        now: Millis,
    ) -> Vec<Request> {
        self.writes.retain(|(t, _)| *t != ticket);
        match result {
            Ok(summary) => self.notify(Level::Info, format!("✓ {summary}")),
            Err(e) => self.notify(Level::Error, format!("{} failed: {e}", op.verb())),
        }
        // The world changed: re-read what is on screen.
        let uid = self.top_uid();
        let f = self.top_mut().refresh(now);
        let mut reqs = super::stamp(uid, f);
        if let WriteOp::Alarms(a) = &op {
            reqs.extend(self.relist_alarms(a.env(), now));
        }
        reqs
    }

    /// Everything the palette can jump to or do.
    pub(super) fn palette_items(&self) -> Vec<PaletteItem> {
        let item = |label: String, hint: String, action: Action| PaletteItem {
            label,
            hint,
            action,
        };
        let mut items = vec![
            item(
                "matrix".into(),
                "all runtimes × environments (home)".into(),
                Action::Goto(PaneKind::Matrix),
            ),
            item(
                "audit".into(),
                "the audit log".into(),
                Action::Goto(PaneKind::Audit),
            ),
            item(
                "alarms".into(),
                "every alarm of every environment, firing first; enter: its history".into(),
                Action::Goto(PaneKind::Alarms),
            ),
            item(
                "firing".into(),
                "matrix: only runtimes with an alarm firing (again: all)".into(),
                Action::FiringOnly,
            ),
        ];
        for e in &self.envs {
            let note = if e.read_only { " (protected)" } else { "" };
            items.push(item(
                format!("env {}", e.name),
                format!("select the {} column{note}", e.name),
                Action::FocusEnv(e.name.clone()),
            ));
            if e.read_only {
                let verb = if self.arming.is_armed(&e.name, self.now) {
                    "disarm"
                } else {
                    "arm"
                };
                items.push(item(
                    format!("{verb} {}", e.name),
                    format!("{verb} {} for writes", e.name),
                    Action::ArmEnv(e.name.clone()),
                ));
            }
        }
        for (runtime, envs) in self.matrix.known_runtimes() {
            items.push(item(
                runtime.clone(),
                format!("select in the matrix ({})", envs.join(", ")),
                Action::FocusRuntime(runtime.clone()),
            ));
            items.push(item(
                format!("logs {runtime}"),
                format!("logs of {runtime} in {}", envs.join(", ")),
                Action::OpenLogs {
                    runtime: runtime.clone(),
                    env: None,
                },
            ));
            items.extend(diff_items(&runtime, &envs));
            for env in envs {
                items.push(item(
                    format!("logs {runtime} {env}"),
                    format!("logs of {runtime} in {env}"),
                    Action::OpenLogs {
                        runtime: runtime.clone(),
                        env: Some(env.clone()),
                    },
                ));
                items.push(item(
                    format!("traffic {runtime} {env}"),
                    format!("canary split of {runtime} in {env}: set, promote, abort"),
                    Action::OpenTraffic {
                        env: env.clone(),
                        runtime: runtime.clone(),
                    },
                ));
                items.push(item(
                    format!("rollout {runtime} {env}"),
                    format!("gated rollout of {runtime} in {env}: start, approve, pause, abort"),
                    Action::OpenRollout {
                        env: env.clone(),
                        runtime: runtime.clone(),
                    },
                ));
                items.push(item(
                    format!("deploy {runtime} {env}"),
                    format!("deploy a new version of {runtime} to {env}"),
                    Action::OpenDeploy {
                        env: env.clone(),
                        runtime: runtime.clone(),
                    },
                ));
                items.push(item(
                    format!("invoke {runtime} {env}"),
                    format!("call a tool of {runtime} in {env}"),
                    Action::OpenInvoke {
                        env: env.clone(),
                        runtime: runtime.clone(),
                    },
                ));
                items.push(item(
                    format!("metrics {runtime} {env}"),
                    format!("charts of {runtime} in {env} per version"),
                    Action::OpenMetrics {
                        env: env.clone(),
                        runtime: runtime.clone(),
                    },
                ));
                items.push(item(
                    format!("alarms apply {runtime} {env}"),
                    format!(
                        "apply the standard alarms to {runtime} in {env}: plan, preview, confirm"
                    ),
                    Action::PlanAlarms {
                        env: env.clone(),
                        runtime: runtime.clone(),
                    },
                ));
                items.push(item(
                    format!("{runtime} {env}"),
                    format!("open {runtime} in {env}"),
                    Action::OpenRuntime {
                        env,
                        runtime: runtime.clone(),
                    },
                ));
            }
        }
        for (label, hint, action) in [
            ("refresh", "refresh the visible pane now", Action::Refresh),
            ("messages", "message history", Action::Messages),
            ("help", "keys of the visible pane", Action::Help),
            ("quit", "leave the console", Action::Quit),
        ] {
            items.push(item(label.into(), hint.into(), action));
        }
        items
    }
}

/// `diff R ENV` (the stable endpoint's version against the latest) and `diff R A B` (each
/// environment's stable version) for every pair of the environments `runtime` runs in.
fn diff_items(runtime: &str, envs: &[String]) -> Vec<PaletteItem> {
    use crate::backend::runtimes::config::DiffSide;
    let side = |env: &str, latest: bool| DiffSide {
        env: env.to_string(),
        version: None,
        latest_by_default: latest,
    };
    let mut out = Vec::new();
    for (i, a) in envs.iter().enumerate() {
        out.push(PaletteItem {
            label: format!("diff {runtime} {a}"),
            hint: format!("{runtime} in {a}: the stable endpoint's version against the latest"),
            action: Action::OpenDiff {
                runtime: runtime.to_string(),
                left: side(a, false),
                right: side(a, true),
            },
        });
        for b in &envs[i + 1..] {
            out.push(PaletteItem {
                label: format!("diff {runtime} {a} {b}"),
                hint: format!("{runtime}: every setting, {a} against {b}"),
                action: Action::OpenDiff {
                    runtime: runtime.to_string(),
                    left: side(a, false),
                    right: side(b, false),
                },
            });
        }
    }
    out
}
