//! Opening a logs pane: a runtime in one environment, or in every environment the matrix has
//! seen it in (all configured environments when the matrix has not loaded it yet: the stream
//! skips those it is not deployed in).

use super::App;
use crate::tui::io::Request;
use crate::tui::panes::logs::LogsPane;
use crate::tui::time::Millis;
use crate::tui::widgets::status_line::Level;

impl App {
    pub(super) fn open_logs(
        &mut self,
        runtime: &str,
        env: Option<String>,
        now: Millis,
    ) -> Vec<Request> {
        let envs: Vec<String> = match env {
            Some(env) if self.envs.iter().any(|e| e.name == env) => vec![env],
            Some(env) => {
                self.notify(Level::Warn, format!("no environment `{env}`"));
                return vec![];
            }
            None => {
                let seen = self
                    .matrix
                    .known_runtimes()
                    .into_iter()
                    .find(|(name, _)| name == runtime)
                    .map(|(_, envs)| envs)
                    .unwrap_or_default();
                if seen.is_empty() {
                    self.envs.iter().map(|e| e.name.clone()).collect()
                } else {
                    seen
                }
            }
        };
        let targets = envs.into_iter().map(|e| (e, runtime.to_string())).collect();
        self.push(Box::new(LogsPane::new(targets)), now)
    }
}
