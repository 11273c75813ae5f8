//! What the user means: keys become actions through the keymap; panes, the palette and the
//! modals emit actions too. `App::update` is the only place actions change state.

pub use super::panes::logs::LogCmd;
use super::write::WriteOp;

/// A pane the palette can open by name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PaneKind {
    /// The environment matrix (home).
    Matrix,
    /// The audit log.
    Audit,
    /// Every alarm of every environment.
    Alarms,
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
    /// Open the traffic pane of the runtime × environment in focus.
    Traffic,
    /// Open the metrics pane of the runtime × environment in focus.
    Metrics,
    /// Open the traffic pane of a runtime in an environment.
    OpenTraffic {
        env: String,
        runtime: String,
    },
    /// Open the metrics pane of a runtime in an environment.
    OpenMetrics {
        env: String,
        runtime: String,
    },
    /// Traffic: set the canary's version and weight (opens the form).
    SetWeight,
    /// Traffic: move the stable endpoint to the canary's version, 100% stable.
    Promote,
    /// Traffic: send every new session to stable.
    Abort,
    /// Metrics: show the n-th time range (0: 15m … 4: 24h).
    Range(u8),
    ZoomIn,
    ZoomOut,
    ZoomReset,
    /// Metrics: next chart marker (braille, block, dot, ascii).
    ChartMarker,
    /// Open the logs of the runtime × environment in focus.
    Logs,
    /// Open the logs of the runtime in focus, in every environment it runs in.
    LogsAllEnvs,
    /// Open the logs of a runtime in one environment (or, `None`, in every one).
    OpenLogs {
        runtime: String,
        env: Option<String>,
    },
    /// A command of the logs pane (follow, pause, windows, modes, save).
    Log(LogCmd),
    /// Open the invoke pane of the runtime × environment in focus.
    Invoke,
    /// Open the invoke pane of a runtime in an environment (its stable endpoint, else DEFAULT).
    OpenInvoke {
        env: String,
        runtime: String,
    },
    /// Invoke: the form ↔ raw JSON.
    InvokeRaw,
    /// Invoke: call the selected tool with the form's arguments.
    InvokeCall,
    /// Invoke: the focused nullable field to null, or back.
    InvokeNull,
    /// Invoke: add an item to the focused list.
    InvokeAddItem,
    /// Invoke: remove the focused list item, or leave the focused optional field out.
    InvokeRemove,
    /// Invoke: show the calls made in this environment, or back to the tools.
    InvokeHistory,
    /// From the invoke pane to the app: may a tool be called in `env` now? Protected
    /// environments need arming unless the tool says it is read-only.
    CallTool {
        env: String,
        read_only: bool,
    },
    /// From the app back to the invoke pane: the call may go.
    CallToolNow,
    /// Open the logs of a runtime in an environment, filtered (client side) by a regex.
    OpenLogsMatching {
        runtime: String,
        env: String,
        regex: String,
    },
    /// Open the deploy pane for the runtime × environment in focus.
    Deploy,
    /// Open the deploy pane of a runtime (prefilled) in an environment.
    OpenDeploy {
        env: String,
        runtime: String,
    },
    /// Deploy: move the selected named endpoint to the new version (a second write).
    MoveEndpoint,
    /// Matrix: only the runtimes with an alarm in ALARM, or every runtime again.
    FiringOnly,
    /// Apply the standard alarms to the runtime × environment in focus.
    ApplyAlarms,
    /// Plan the standard alarms of a runtime in an environment (every endpoint), then show
    /// the calls for confirmation; an empty plan only says so.
    PlanAlarms {
        env: String,
        runtime: String,
    },
    /// Open the rollout pane of the runtime in view.
    Rollout,
    /// Open the rollout pane of a runtime in an environment.
    OpenRollout {
        env: String,
        runtime: String,
    },
    /// The rollout pane's start form.
    StartRollout,
    /// Read what a start would do, then confirm it (the preview's calls in the modal).
    PreviewRollout(super::io::StartAsk),
    /// Approve the step a rollout waits at.
    Approve,
    /// Pause a running rollout (its weight stays).
    PauseRollout,
    /// Resume a paused rollout, or drive a stalled one from here.
    ResumeRollout,
    /// Runtime pane: every setting of the served versions, or back to versions and changes.
    Settings,
    /// Runtime pane: compare with another environment or version (the palette, prefilled).
    Compare,
    /// Open the palette with this text typed.
    PaletteWith(String),
    /// Open the diff view of two versions of a runtime.
    OpenDiff {
        runtime: String,
        left: crate::backend::runtimes::config::DiffSide,
        right: crate::backend::runtimes::config::DiffSide,
    },
    /// Diff view: the left side one version older / newer.
    OlderVersion,
    NewerVersion,
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
    ("traffic", Action::Traffic),
    ("metrics", Action::Metrics),
    ("set-weight", Action::SetWeight),
    ("promote", Action::Promote),
    ("abort", Action::Abort),
    ("range-15m", Action::Range(0)),
    ("range-1h", Action::Range(1)),
    ("range-3h", Action::Range(2)),
    ("range-12h", Action::Range(3)),
    ("range-24h", Action::Range(4)),
    ("zoom-in", Action::ZoomIn),
    ("zoom-out", Action::ZoomOut),
    ("zoom-reset", Action::ZoomReset),
    ("chart-marker", Action::ChartMarker),
    ("logs", Action::Logs),
    ("logs-all-envs", Action::LogsAllEnvs),
    ("follow", Action::Log(LogCmd::Follow)),
    ("pause", Action::Log(LogCmd::Pause)),
    ("filter-pattern", Action::Log(LogCmd::ServerFilter)),
    ("highlight-only", Action::Log(LogCmd::Highlight)),
    ("window-5m", Action::Log(LogCmd::Window(0))),
    ("window-15m", Action::Log(LogCmd::Window(1))),
    ("window-1h", Action::Log(LogCmd::Window(2))),
    ("window-3h", Action::Log(LogCmd::Window(3))),
    ("window-12h", Action::Log(LogCmd::Window(4))),
    ("window-24h", Action::Log(LogCmd::Window(5))),
    ("wrap", Action::Log(LogCmd::Wrap)),
    ("timestamps", Action::Log(LogCmd::Timestamps)),
    ("json-mode", Action::Log(LogCmd::Json)),
    ("save-logs", Action::Log(LogCmd::Save)),
    ("invoke", Action::Invoke),
    ("invoke-raw", Action::InvokeRaw),
    ("invoke-call", Action::InvokeCall),
    ("invoke-null", Action::InvokeNull),
    ("invoke-add-item", Action::InvokeAddItem),
    ("invoke-remove", Action::InvokeRemove),
    ("invoke-history", Action::InvokeHistory),
    ("deploy", Action::Deploy),
    ("move-endpoint", Action::MoveEndpoint),
    ("firing-only", Action::FiringOnly),
    ("apply-alarms", Action::ApplyAlarms),
    ("rollout", Action::Rollout),
    ("rollout-start", Action::StartRollout),
    ("approve", Action::Approve),
    ("rollout-pause", Action::PauseRollout),
    ("rollout-resume", Action::ResumeRollout),
    ("settings", Action::Settings),
    ("compare", Action::Compare),
    ("older-version", Action::OlderVersion),
    ("newer-version", Action::NewerVersion),
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
