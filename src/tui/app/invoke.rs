//! The invoke pane's app side: opening it, the safety check before a tool call (a protected
//! environment must be armed unless the tool says it is read-only), and the jump from a
//! result to the logs of its session.

use super::App;
use crate::tui::action::Action;
use crate::tui::io::Request;
use crate::tui::panes::invoke::InvokePane;
use crate::tui::time::Millis;
use crate::tui::widgets::arm::ArmPrompt;
use crate::tui::widgets::status_line::Level;

impl App {
    pub(super) fn invoke_action(&mut self, action: Action, now: Millis) -> Vec<Request> {
        match action {
            Action::OpenInvoke { env, runtime } if self.envs.iter().any(|e| e.name == env) => {
                let pane = InvokePane::new(&env, &runtime, None, self.invoke_history.clone());
                return self.push(Box::new(pane), now);
            }
            Action::OpenInvoke { env, .. } => {
                self.notify(Level::Warn, format!("no environment `{env}`"));
            }
            Action::CallTool { env, read_only } => {
                if self.is_protected(&env) && !read_only && !self.arming.is_armed(&env, now) {
                    self.notify(
                        Level::Warn,
                        format!(
                            "{env} is protected and this tool is not marked read-only: arm {env}, then call again"
                        ),
                    );
                    self.modals
                        .push(super::Modal::Arm(ArmPrompt::new(&env, None)));
                    return vec![];
                }
                return self.update(Action::CallToolNow, now);
            }
            Action::OpenLogsMatching {
                runtime,
                env,
                regex,
            } => {
                let reqs = self.open_logs(&runtime, Some(env), now);
                if self.top().context() == crate::tui::keymap::Context::Logs {
                    self.top_mut().set_filter(&regex);
                }
                return reqs;
            }
            _ => self.notify(
                Level::Info,
                "invoke (i): select a runtime in the matrix, or open one",
            ),
        }
        vec![]
    }
}
