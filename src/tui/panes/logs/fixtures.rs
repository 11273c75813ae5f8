//! Fixed lines and a logs pane opened from the matrix, for the logs pane's tests.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use super::*;
use crate::backend::logs::LogLine;
use crate::tui::app::App;
use crate::tui::fixtures::*;
use crate::tui::io::{Request, Response};

/// 2026-11-24T09:58:00Z.
pub const T0: i64 = 1_795_514_280_000;

pub fn line(env: &str, runtime: &str, secs: i64, message: &str) -> LogLine {
    LogLine {
        timestamp: T0 + secs * 1000,
        ingestion_time: T0 + secs * 1000 + 200,
        log_group: format!("/aws/bedrock-agentcore/runtimes/{runtime}-AbC123xyz-DEFAULT"),
        log_stream: "2026/11/24/[runtime-logs]0a1b".into(),
        event_id: None,
        message: message.into(),
        env: env.into(),
        runtime: runtime.into(),
    }
}

/// The sample MCP server's kind of line.
pub fn json(level: &str, tool: &str, session: &str, status: u16) -> String {
    format!(
        r#"{{"timestamp": "2026-11-24T09:58:01.234Z", "level": "{level}", "message": "request", "version": "4", "method": "tools/call", "tool": "{tool}", "session": "{session}", "status": {status}, "duration_ms": 12.5}}"#
    )
}

pub fn batch(lines: Vec<LogLine>) -> LogBatch {
    LogBatch {
        lines,
        ..LogBatch::default()
    }
}

pub fn stream_of(reqs: &[Request]) -> Option<(&Request, &LogStreamJob)> {
    reqs.iter().find_map(|r| match &r.job {
        Job::LogStream(j) => Some((r, j)),
        _ => None,
    })
}

pub fn key(c: char) -> KeyEvent {
    KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE)
}

/// The matrix loaded, weather_mcp × prod selected, `L` pressed: the app and the stream request.
pub fn opened() -> (App, Request) {
    let mut app = loaded(&[]);
    press(
        &mut app,
        &[Action::Down, Action::Right, Action::Right],
        Millis(0),
    );
    let action = app.action_for(&key('L')).expect("L is bound in the matrix");
    let reqs = app.update(action, Millis(0));
    let (req, _) = stream_of(&reqs).expect("a stream request");
    let req = req.clone();
    (app, req)
}

pub fn reply(app: &mut App, req: &Request, b: LogBatch, now: Millis) {
    app.apply(
        Response {
            ticket: req.ticket,
            reply: Reply::Logs(b),
        },
        now,
    );
}
