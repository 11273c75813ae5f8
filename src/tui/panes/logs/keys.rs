//! The logs pane's keys (its table in the keymap, so the help and the footer follow), and the
//! keys that open it from the matrix and the runtime detail.

use super::{LogCmd, WINDOWS};
use crate::tui::action::Action;
use crate::tui::keymap::{Entry, e};

/// `L` and `ctrl-l`, in the matrix, the runtime detail, the traffic and the metrics panes.
pub fn open_keys() -> Vec<Entry> {
    vec![
        e(
            Action::Logs,
            &["L"],
            "logs of the runtime in this environment",
            Some("logs"),
        ),
        e(
            Action::LogsAllEnvs,
            &["ctrl-l"],
            "logs of the runtime in every environment, interleaved",
            None,
        ),
    ]
}

/// What `L` / `ctrl-l` open from a pane showing `runtime` in `env`: its logs there, or in every
/// environment; None for other actions.
pub fn open_from(action: &Action, env: &str, runtime: &str) -> Option<Action> {
    let env = match action {
        Action::Logs => Some(env.to_string()),
        Action::LogsAllEnvs => None,
        _ => return None,
    };
    Some(Action::OpenLogs {
        runtime: runtime.to_string(),
        env,
    })
}

/// The logs pane's table.
pub fn keys() -> Vec<Entry> {
    use Action as A;
    let cmd = |c: LogCmd| A::Log(c);
    let mut k = vec![
        e(
            cmd(LogCmd::Follow),
            &["f"],
            "follow on/off (off: the history window only)",
            Some("follow"),
        ),
        e(
            cmd(LogCmd::Pause),
            &["space"],
            "pause the view (lines keep arriving), or resume",
            Some("pause"),
        ),
        e(
            cmd(LogCmd::ServerFilter),
            &["F"],
            "CloudWatch filter pattern, applied by the service",
            Some("pattern"),
        ),
        e(
            A::Filter,
            &["/"],
            "regex over the lines (smart case): filters, or highlights with H",
            Some("regex"),
        ),
        e(
            cmd(LogCmd::Highlight),
            &["H"],
            "the regex highlights instead of filtering (or back)",
            None,
        ),
        e(
            cmd(LogCmd::Json),
            &["J"],
            "JSON lines: raw → pretty → columns",
            Some("json"),
        ),
        e(cmd(LogCmd::Wrap), &["w"], "wrap long lines", None),
        e(cmd(LogCmd::Timestamps), &["t"], "show times", None),
        e(
            cmd(LogCmd::Save),
            &["s"],
            "save what is shown to a file in the state dir",
            Some("save"),
        ),
    ];
    for (i, (name, _)) in WINDOWS.iter().enumerate() {
        let key = (i + 1).to_string();
        let n = u8::try_from(i).unwrap_or(0);
        k.push(e(
            cmd(LogCmd::Window(n)),
            &[key.as_str()],
            &format!("the last {name}, then follow"),
            None,
        ));
    }
    k.extend([
        e(A::Up, &["k", "up"], "scroll up (holds the view)", None),
        e(
            A::Down,
            &["j", "down"],
            "scroll down (at the bottom: follow again)",
            None,
        ),
        e(A::PageUp, &["pgup"], "page up", None),
        e(A::PageDown, &["pgdn"], "page down", None),
        e(A::Top, &["g", "home"], "oldest line held", None),
        e(A::Bottom, &["G", "end"], "newest line, following", None),
        e(A::Refresh, &["r"], "restart the stream", None),
    ]);
    k
}
