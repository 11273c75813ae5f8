//! The logs pane's types: its commands, modes, stream states, the view, the quick windows.

use crate::tui::widgets::text_input::TextInput;

/// Lines a logs pane keeps; past it the oldest are dropped (and counted).
pub const BUFFER_LINES: usize = 50_000;
/// The quick windows, keys `1`..`6`: history over the window, then following.
pub const WINDOWS: [(&str, u64); 6] = [
    ("5m", 300),
    ("15m", 900),
    ("1h", 3_600),
    ("3h", 10_800),
    ("12h", 43_200),
    ("24h", 86_400),
];

/// Where a line came from: one endpoint of a runtime in an environment (each has its own log
/// group), so a canary's lines can be told from stable's.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Source {
    pub env: String,
    pub runtime: String,
    /// None for a log group not named as AgentCore names them.
    pub endpoint: Option<String>,
}

impl Source {
    /// `prod/weather_mcp:canary`.
    pub fn label(&self) -> String {
        match &self.endpoint {
            Some(ep) => format!("{}/{}:{ep}", self.env, self.runtime),
            None => format!("{}/{}", self.env, self.runtime),
        }
    }
}

/// A command of the logs pane (its keys; see the keymap's `logs` table).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogCmd {
    /// Follow on/off (off: the history window only).
    Follow,
    /// Freeze the view (lines keep arriving into the buffer), or resume.
    Pause,
    /// Edit the CloudWatch filter pattern (server side).
    ServerFilter,
    /// The regex highlights instead of filtering, or back.
    Highlight,
    /// Quick window `WINDOWS[n]`, then follow.
    Window(u8),
    Wrap,
    Timestamps,
    /// JSON lines: raw → pretty → columns.
    Json,
    /// Save what is shown to a file under the state dir.
    Save,
}

/// How JSON messages are shown.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum JsonMode {
    #[default]
    Raw,
    Pretty,
    Columns,
}

/// Where the stream is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StreamState {
    /// Not asked for yet (or the request could not be sent).
    Idle,
    /// Asked; nothing back yet.
    Starting,
    Running,
    /// A history window read to its end.
    Complete,
    Failed(String),
}

/// The view: following the newest line, or held with `top` (a sequence number) on the first
/// row; `mark` is where the buffer ended when the view was held (what came after is "new").
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scroll {
    Follow,
    At { top: u64, mark: u64 },
}

/// The server-side filter pattern being typed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Prompt {
    pub input: TextInput,
    pub error: Option<String>,
}
