//! The default bindings of every context: the table `keymap.toml` rebinds.

use super::{Context, Entry, Keymap};
use crate::tui::action::Action;
use crate::tui::keys::Key;

/// A pane's table plus `L`/`ctrl-l`: the logs of the runtime it shows.
fn with_logs(mut keys: Vec<Entry>) -> Vec<Entry> {
    keys.extend(crate::tui::panes::logs::open_keys());
    keys
}

pub(crate) fn e(action: Action, keys: &[&str], desc: &str, hint: Option<&'static str>) -> Entry {
    Entry {
        action,
        keys: keys.iter().filter_map(|k| Key::parse(k).ok()).collect(),
        desc: desc.to_string(),
        hint,
    }
}

/// `t` and `m` from a runtime in an environment (the matrix's selection, the detail).
fn open_views() -> Vec<Entry> {
    vec![
        e(
            Action::Traffic,
            &["t"],
            "traffic: the canary split, configured vs observed, and its verdict",
            Some("traffic"),
        ),
        e(
            Action::Metrics,
            &["m"],
            "metrics: invocations, errors, throttles, latency per version",
            Some("metrics"),
        ),
        e(
            Action::Invoke,
            &["i"],
            "invoke: call a tool of this runtime (a form from its input schema)",
            Some("invoke"),
        ),
        e(
            Action::Deploy,
            &["D"],
            "deploy a new version: source, preview of the calls, progress, validation",
            Some("deploy"),
        ),
        // No footer hint: the footer is full at 120 columns; help and the palette have it.
        e(
            Action::ApplyAlarms,
            &["a"],
            "apply the standard alarms (every endpoint): plan, preview of the calls, audited",
            None,
        ),
    ]
}

impl Default for Keymap {
    fn default() -> Self {
        use Action as A;
        let nav = |what: &str| {
            vec![
                e(A::Up, &["k", "up"], &format!("previous {what}"), None),
                e(A::Down, &["j", "down"], &format!("next {what}"), None),
                e(A::PageUp, &["pgup"], "page up", None),
                e(A::PageDown, &["pgdn"], "page down", None),
                e(A::Top, &["g", "home"], "first", None),
                e(A::Bottom, &["G", "end"], "last", None),
            ]
        };
        let text = |submit: &str, back: &str| {
            vec![
                e(A::Submit, &["enter"], submit, None),
                e(A::Back, &["esc"], back, None),
                e(A::Backspace, &["backspace"], "delete a character", None),
                e(A::ClearInput, &["ctrl-u"], "clear the input", None),
            ]
        };
        let global = {
            let mut g = vec![
                // Help and quit first: when the footer runs out of room, these stay.
                e(A::Help, &["?", "f1"], "this help", Some("help")),
                e(A::Quit, &["q"], "quit", Some("quit")),
                e(
                    A::Palette,
                    &[":"],
                    "command palette: jump to an env, runtime or pane",
                    Some("jump"),
                ),
                e(A::Filter, &["/"], "filter the list", Some("filter")),
                e(A::Refresh, &["r"], "refresh now", Some("refresh")),
                e(
                    A::Back,
                    &["esc"],
                    "clear the filter, or go back",
                    Some("back"),
                ),
                e(
                    A::Arm,
                    &["A"],
                    "arm (or disarm) the environment in focus for writes",
                    Some("arm"),
                ),
                e(A::Messages, &["!"], "message history", None),
                e(A::Left, &["h", "left"], "left", None),
                e(A::Right, &["l", "right"], "right", None),
                e(A::Open, &["enter"], "open", None),
                e(
                    A::ForceQuit,
                    &["ctrl-c"],
                    "quit now, even during a write",
                    None,
                ),
            ];
            g.extend(nav("row"));
            g
        };
        let matrix = {
            let mut m = vec![
                e(
                    A::Open,
                    &["enter"],
                    "open the runtime in the selected environment",
                    Some("open"),
                ),
                e(A::Left, &["h", "left"], "previous environment", None),
                e(A::Right, &["l", "right"], "next environment", None),
                e(
                    A::FiringOnly,
                    &["f"],
                    "only the runtimes with an alarm firing (again: all of them)",
                    Some("firing"),
                ),
            ];
            m.extend(open_views());
            m.extend(crate::tui::panes::logs::open_keys());
            m.extend(nav("runtime"));
            m
        };
        let runtime = {
            let mut r = vec![
                e(
                    A::Rollback,
                    &["u"],
                    "roll the selected endpoint back to its previous version",
                    Some("rollback"),
                ),
                e(
                    A::Settings,
                    &["s"],
                    "every setting of the served versions (variable names, never values)",
                    // No footer hint: at 80 columns it would push out help and quit.
                    None,
                ),
                e(
                    A::Compare,
                    &["="],
                    "compare with another environment or version (the palette's `diff`)",
                    None,
                ),
            ];
            r.extend(open_views());
            r.extend(crate::tui::panes::logs::open_keys());
            r.extend(nav("endpoint"));
            r
        };
        let palette = {
            let mut p = text("run the selected entry", "close");
            p.push(e(
                A::Complete,
                &["tab"],
                "complete with the selected entry",
                None,
            ));
            p.push(e(A::Up, &["up"], "previous entry", None));
            p.push(e(A::Down, &["down"], "next entry", None));
            p
        };
        Self {
            tables: vec![
                (Context::Global, global),
                (Context::Matrix, matrix),
                (Context::Runtime, runtime),
                (Context::Audit, nav("entry")),
                (
                    Context::Diff,
                    vec![
                        e(
                            A::OlderVersion,
                            &["["],
                            "left side: one version older",
                            Some("older"),
                        ),
                        e(
                            A::NewerVersion,
                            &["]"],
                            "left side: one version newer",
                            Some("newer"),
                        ),
                    ],
                ),
                (Context::Alarms, crate::tui::panes::alarms::keys(&nav)),
                (Context::Palette, palette),
                (Context::Filter, text("keep the filter", "clear the filter")),
                (Context::Arm, text("arm the environment", "cancel")),
                (
                    Context::Confirm,
                    vec![
                        e(A::Submit, &["y", "enter"], "make the change", None),
                        e(A::Back, &["n", "esc"], "cancel", None),
                        e(A::Down, &["j", "down"], "scroll down", None),
                        e(A::Up, &["k", "up"], "scroll up", None),
                        e(A::PageDown, &["pgdn"], "page down", None),
                        e(A::PageUp, &["pgup"], "page up", None),
                    ],
                ),
                (
                    Context::Overlay,
                    vec![e(A::Back, &["esc", "q", "?"], "close", None)],
                ),
                (
                    Context::Traffic,
                    with_logs(crate::tui::panes::traffic::keys(&nav)),
                ),
                (
                    Context::TrafficForm,
                    crate::tui::panes::traffic::form_keys(&text),
                ),
                (
                    Context::Metrics,
                    with_logs(crate::tui::panes::metrics::keys(&nav)),
                ),
                (Context::Logs, crate::tui::panes::logs::keys()),
                (Context::Invoke, crate::tui::panes::invoke::keys(&nav)),
                (Context::InvokeForm, crate::tui::panes::invoke::form_keys()),
                (Context::Deploy, crate::tui::panes::deploy::keys(&nav)),
                (
                    Context::DeployForm,
                    crate::tui::panes::deploy::form_keys(&text),
                ),
                (
                    Context::Rollout,
                    with_logs(crate::tui::panes::rollout::keys(&nav)),
                ),
                (
                    Context::RolloutForm,
                    crate::tui::panes::rollout::form_keys(&text),
                ),
            ],
        }
    }
}
