//! The calls made from invoke panes, per environment, in memory: the last [`KEEP`] of each
//! (tool, arguments, a one-line result, the MCP session, when). Shared by every invoke pane of
//! the app, so closing the pane keeps them.

use std::cell::RefCell;
use std::collections::{HashMap, VecDeque};
use std::rc::Rc;

use serde_json::Value;

use crate::tui::io::CallOutcome;

/// Calls kept per environment.
pub const KEEP: usize = 20;

#[derive(Debug, Clone, PartialEq)]
pub struct Entry {
    pub runtime: String,
    pub qualifier: String,
    pub tool: String,
    pub args: Value,
    /// `ok 3 blocks`, `tool error: …`, `failed: …`: one line.
    pub summary: String,
    pub ok: bool,
    pub session_id: Option<String>,
    /// When the call ended (unix seconds).
    pub at: i64,
}

/// Per environment, newest first.
#[derive(Debug, Default)]
pub struct History {
    by_env: HashMap<String, VecDeque<Entry>>,
}

pub type Shared = Rc<RefCell<History>>;

impl History {
    pub fn push(&mut self, env: &str, entry: Entry) {
        let list = self.by_env.entry(env.to_string()).or_default();
        list.push_front(entry);
        list.truncate(KEEP);
    }

    pub fn list(&self, env: &str) -> Vec<Entry> {
        self.by_env
            .get(env)
            .map(|l| l.iter().cloned().collect())
            .unwrap_or_default()
    }
}

/// The one line a result leaves in the history.
pub fn summary(result: &Result<Box<CallOutcome>, String>) -> (String, bool) {
    let first = |o: &CallOutcome| {
        o.content
            .iter()
            .flat_map(|c| c.lines())
            .find(|l| !l.trim().is_empty())
            .map(|l| {
                crate::domain::sanitize::one_line(l)
                    .chars()
                    .take(80)
                    .collect::<String>()
            })
            .unwrap_or_else(|| match &o.structured {
                Some(s) => s.to_string().chars().take(80).collect(),
                None => "(no content)".into(),
            })
    };
    match result {
        Ok(o) if o.is_error => (format!("tool error: {}", first(o)), false),
        Ok(o) => (first(o), true),
        Err(e) => (
            format!("failed: {}", crate::domain::sanitize::one_line(e)),
            false,
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(tool: &str) -> Entry {
        Entry {
            runtime: "weather_mcp".into(),
            qualifier: "live".into(),
            tool: tool.into(),
            args: Value::Null,
            summary: String::new(),
            ok: true,
            session_id: None,
            at: 0,
        }
    }

    #[test]
    fn keeps_the_last_twenty_per_environment_newest_first() {
        let mut h = History::default();
        for i in 0..25 {
            h.push("dev", entry(&format!("t{i}")));
        }
        h.push("prod", entry("p"));
        let dev = h.list("dev");
        assert_eq!(dev.len(), KEEP);
        assert_eq!(dev[0].tool, "t24");
        assert_eq!(dev[KEEP - 1].tool, "t5");
        assert_eq!(h.list("prod").len(), 1);
        assert!(h.list("staging").is_empty());
    }
}
