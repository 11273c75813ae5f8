//! What the user means: keys become actions through the keymap; panes, the palette and the
//! modals emit actions too. `App::update` is the only place actions change state.

use super::write::WriteOp;

/// A pane the palette can open by name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PaneKind {
    /// The environment matrix (home).
    Matrix,
    /// The audit log.
    Audit,
}

/// One user intent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Action {
    /// The clock moved: poll the visible pane, expire arming.
    Tick,
    /// The terminal changed size: redraw.
    Resize,
    /// Leave (refused while a write runs).
    Quit,
    /// Leave now, even with a write running.
    ForceQuit,
    /// Show the keys of the current pane.
    Help,
    /// Open the `:` command palette.
    Palette,
    /// Filter the current list.
    Filter,
    /// Show the message history.
    Messages,
    /// Close the top modal, clear the filter, or go back one pane.
    Back,
    /// Fetch the visible pane's data now.
    Refresh,
    Up,
    Down,
    Left,
    Right,
    PageUp,
    PageDown,
    Top,
    Bottom,
    /// Open the selection (a runtime from the matrix).
    Open,
    /// Arm (or disarm) the environment in focus.
    Arm,
    /// Arm (or disarm) this environment.
    ArmEnv(String),
    /// Roll back the selected endpoint.
    Rollback,
    /// Ask for a write: arming if protected, then a confirmation, then the request.
    RequestWrite(WriteOp),
    /// Go to a pane.
    Goto(PaneKind),
    /// Select an environment column of the matrix.
    FocusEnv(String),
    /// Select a runtime row of the matrix.
    FocusRuntime(String),
    /// Open the detail of a runtime in an environment.
    OpenRuntime {
        env: String,
        runtime: String,
    },
    /// A character typed into the palette, the filter or a prompt.
    Char(char),
    Backspace,
    /// Empty the text input.
    ClearInput,
    /// Complete the palette input with the selected candidate.
    Complete,
    /// Enter in a prompt: run, keep, arm, confirm.
    Submit,
}

/// Actions a key may be bound to in `keymap.toml`, by name.
const NAMED: &[(&str, Action)] = &[
    ("quit", Action::Quit),
    ("force-quit", Action::ForceQuit),
    ("help", Action::Help),
    ("palette", Action::Palette),
    ("filter", Action::Filter),
    ("messages", Action::Messages),
    ("back", Action::Back),
    ("refresh", Action::Refresh),
    ("up", Action::Up),
    ("down", Action::Down),
    ("left", Action::Left),
    ("right", Action::Right),
    ("page-up", Action::PageUp),
    ("page-down", Action::PageDown),
    ("top", Action::Top),
    ("bottom", Action::Bottom),
    ("open", Action::Open),
    ("arm", Action::Arm),
    ("rollback", Action::Rollback),
    ("submit", Action::Submit),
    ("complete", Action::Complete),
    ("clear-input", Action::ClearInput),
    ("backspace", Action::Backspace),
];

impl Action {
    /// The action bound to `name` in `keymap.toml`.
    pub fn named(name: &str) -> Option<Action> {
        NAMED
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, a)| a.clone())
    }

    /// The `keymap.toml` name of this action, if it can be bound.
    pub fn name(&self) -> Option<&'static str> {
        NAMED.iter().find(|(_, a)| a == self).map(|(n, _)| *n)
    }

    pub fn names() -> impl Iterator<Item = &'static str> {
        NAMED.iter().map(|(n, _)| *n)
    }
}
