//! The terminal UI: one owner loop over one [`App`]; all I/O in the
//! [`io`] worker.
//!
//! ```text
//! crossterm EventStream ─▶ event.rs ─Event─▶ keymap ─Action─▶ App::update ─Request─▶ io worker
//!                                                               ▲                      │ JoinSet
//!                             render (&App, pure) ◀── App ◀─────┴─── App::apply ◀─Response─┘
//! ```
//!
//! - The loop (`run_loop` below) owns the terminal, the app and both channel ends. It never
//!   awaits a backend call: requests go out with `try_send` on a bounded channel (if it is
//!   full the app is told and the pane polls again later), responses come back on another.
//! - Every request carries a [`Ticket`](io::Ticket): the pane instance that asked and its
//!   generation for that data. A pane that was closed, or a request that a newer one
//!   replaced, gets its answer dropped. Panes poll only while visible and skip a poll while
//!   the previous one is in flight ([`Slot`](loadable::Slot)).
//! - Errors become state (a pane's `Failed`, the status line); nothing in here ends the
//!   program but the user. The terminal is restored on exit, on error and on panic
//!   ([`terminal`]).
//! - Writes go through one safety flow (`app/flow.rs`): arm a protected environment by typing
//!   its name (5 minutes), confirm a modal that shows the exact API calls and the equivalent
//!   command line, then exactly one `Job::Write`; the audit log records that command line.
//!
//! # Adding a pane (the recipe)
//!
//! 1. **Data.** If the pane needs a fetch the worker cannot do yet, add a [`Job`](io::Job)
//!    variant (what to fetch) and a [`Reply`](io::Reply) variant (the result, `Result<_,
//!    String>`), and the arm in `io::execute` that calls the backend. Keep the backend call in
//!    `src/backend/` (the CLI must be able to make the same one). For a stream (logs), spawn
//!    a task per stream that batches items into replies, and abort it on `Job::Cancel` for
//!    the pane (the worker already aborts a pane's reads on `Cancel`).
//! 2. **State.** `panes/<name>.rs` (or a folder with `mod.rs` + `render.rs` past ~300 lines):
//!    a struct holding a [`Slot`](loadable::Slot) per piece of data, the selection and the
//!    filter. Implement [`Pane`](panes::Pane): `poll` returns `slot.poll(now, POLL, job)` (a
//!    [`Fetch`](panes::Fetch) when one is due); `refresh` always, `slot.fetch(now, job)`;
//!    `apply` matches its `Reply` variant and calls `slot.accept(generation, result, now)`
//!    (which drops stale generations); `busy` is `slot.in_flight()` and `abandon`
//!    `slot.abandon(generation)`; `handle` turns actions into [`Effect`](panes::Effect)s
//!    (`Then(Action::RequestWrite(op))` for a write);
//!    `render` draws from `&self` and the [`Cx`](panes::Cx) (theme, clock, environments,
//!    arming), showing loading, empty, error and stale states; untrusted text goes through
//!    `panes::clean`.
//! 3. **Keys.** Add a [`Context`](keymap::Context) for the pane and its table in
//!    `Keymap::default` (actions, keys, the help text, an optional footer word). New user
//!    intents are [`Action`](action::Action) variants; give bindable ones a name in
//!    `action::NAMED` so `keymap.toml` can rebind them. The help and the footer follow.
//! 4. **Navigation.** Open it from another pane's `handle` (`Effect::Then(Action::...)`) and/or
//!    the palette (`App::palette_items` in `app/flow.rs`; a [`PaneKind`](action::PaneKind) for
//!    panes reached by name), and push it in `App::global` with `self.push(Box::new(..), now)`.
//! 5. **Writes.** Add a [`WriteOp`](write::WriteOp) variant with its exact calls, title and
//!    CLI arguments, and its execution in `io::write` (with an `Actor` from the command).
//!    Arming, confirmation, auditing and the re-read afterwards come with the flow.
//! 6. **Tests.** App-level tests in `app_tests.rs` (actions in, requests and state out), and an
//!    insta snapshot per state (loading, empty, error, populated, narrow) in
//!    `snapshot_tests.rs`, from the fixed data in `fixtures.rs`.

pub mod action;
pub mod alarms;
pub mod app;
pub mod arming;
pub mod event;
pub mod io;
pub mod keymap;
pub mod keys;
pub mod loadable;
pub mod panes;
mod render;
pub mod settings;
pub mod terminal;
pub use terminal::install_hooks;
pub mod theme;
pub mod time;
pub mod widgets;
pub mod write;

#[cfg(test)]
mod app_tests;
#[cfg(test)]
mod app_tests_alarms;
#[cfg(test)]
mod app_tests_alarms_apply;
#[cfg(test)]
mod app_tests_deploy;
#[cfg(test)]
mod app_tests_rollout;
#[cfg(test)]
mod app_tests_traffic;
#[cfg(test)]
mod deploy_posture_tests;
#[cfg(test)]
mod fixtures;
#[cfg(test)]
mod fixtures_config;
#[cfg(test)]
mod fixtures_rollout;
#[cfg(test)]
mod fixtures_traffic;
#[cfg(test)]
mod snapshot_tests;
#[cfg(test)]
mod snapshot_tests_alarms;
#[cfg(test)]
mod snapshot_tests_deploy;
#[cfg(test)]
mod snapshot_tests_diff;
#[cfg(test)]
mod snapshot_tests_lineage;
#[cfg(test)]
mod snapshot_tests_modals;
#[cfg(test)]
mod snapshot_tests_posture;
#[cfg(test)]
mod snapshot_tests_rollout;
#[cfg(test)]
mod snapshot_tests_traffic;

use std::io::IsTerminal;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use tokio::sync::mpsc::error::TrySendError;

use self::app::App;
use self::event::Event;
use self::time::Millis;
use self::widgets::status_line::Level;
use crate::backend::Backend;
use crate::backend::audit::AuditLog;
use crate::config::Config;

/// How often the loop ticks (polls, ages, countdowns).
const TICK: Duration = Duration::from_secs(1);
/// Events handled before a redraw, at most.
const DRAIN: usize = 32;
/// Lines (or rows) one turn of the mouse wheel moves.
const SCROLL_LINES: usize = 3;

/// Open the console on the environments in `config_path` and run until the user quits.
/// Open the console on the environments of `config_path` (only those named in `only`, when it
/// is not empty), auditing writes to `audit_path` or the default audit log.
pub async fn run(
    config_path: PathBuf,
    only: &[String],
    audit_path: Option<PathBuf>,
) -> Result<(), String> {
    let config = Config::load(&config_path).map_err(|e| e.to_string())?;
    let environments = config.select(only).map_err(|e| e.to_string())?;
    if !std::io::stdout().is_terminal() {
        return Err(
            "the console needs a terminal; for scripts use a subcommand (see --help)".into(),
        );
    }
    let settings = settings::load(
        settings::config_dir().as_deref(),
        theme::Theme::for_terminal(),
    );
    // The demo keeps its own audit log: changes made in it stay out of the user's real one.
    let audit = match audit_path {
        Some(p) => Ok(AuditLog::at(p)),
        None => AuditLog::default_location().map_err(|e| e.to_string()),
    };
    let backend = Arc::new(Backend::new(environments.clone()));
    let config_arg = std::fs::canonicalize(&config_path).unwrap_or(config_path);
    let prefix = vec![
        "agentcore-console".to_string(),
        "--config".to_string(),
        config_arg.display().to_string(),
    ];
    let mouse = settings.mouse;
    let mut app = App::new(environments, settings.keymap, settings.theme, prefix);
    for w in settings.warnings {
        app.notify(Level::Warn, w);
    }
    if let Err(e) = &audit {
        app.notify(
            Level::Warn,
            format!("no audit log, so writes are refused: {e}"),
        );
    }
    let io = io::spawn(backend, audit);
    let mut guard = terminal::TerminalGuard::enter(mouse)
        .map_err(|e| format!("cannot take over the terminal: {e}"))?;
    let (result, worker, writes) = run_loop(&mut guard.terminal, app, io).await;
    drop(guard);
    // With the terminal given back: a write still running is allowed to finish (bounded).
    if writes > 0 {
        // Not `eprintln!`: after a hangup stderr is gone, and a panic here would skip cleanup.
        use std::io::Write as _;
        let _ = writeln!(
            std::io::stderr(),
            "agentcore-console: waiting for {writes} write(s) to finish (ctrl-c abandons)…"
        );
    }
    let _ = worker.await;
    result
}

/// What the loop does with one terminal event; `Err` ends the loop.
fn on_event(app: &mut App, event: Event, now: Millis) -> Result<Vec<io::Request>, String> {
    Ok(match event {
        Event::Key(k) => match app.action_for(&k) {
            Some(a) => app.update(a, now),
            None => vec![],
        },
        // The wheel is the arrow keys, three at a time, where a list or the logs are in front
        // (not in a form or a modal, where up/down mean something else).
        Event::Scroll { up } if app.modal().is_none() && !app.context().takes_text() => {
            let a = if up {
                action::Action::Up
            } else {
                action::Action::Down
            };
            (0..SCROLL_LINES)
                .flat_map(|_| app.update(a.clone(), now))
                .collect()
        }
        Event::Scroll { .. } => vec![],
        Event::Resize => app.update(action::Action::Resize, now),
        Event::Failed(e) => return Err(format!("cannot read the terminal: {e}")),
    })
}

async fn run_loop(
    terminal: &mut terminal::Term,
    mut app: App,
    io: io::Io,
) -> (Result<(), String>, tokio::task::JoinHandle<()>, usize) {
    let io::Io {
        requests,
        mut responses,
        worker,
    } = io;
    let (mut events, reader) = event::spawn();
    let started = tokio::time::Instant::now();
    let clock = || Millis(u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX));
    let send = |app: &mut App, reqs: Vec<io::Request>| {
        for r in reqs {
            if let Err(TrySendError::Full(r) | TrySendError::Closed(r)) = requests.try_send(r) {
                app.rejected(r);
            }
        }
    };
    let reqs = app.start(clock());
    send(&mut app, reqs);
    let mut hangup = Hangup::new();
    let mut ticks = tokio::time::interval(TICK);
    ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
    let mut outcome = Ok(());
    'outer: while !app.should_quit() {
        if let Err(e) = terminal.draw(|f| f.render_widget(&app, f.area())) {
            // A terminal that went away (closed, ssh dropped) ends the console like `q`,
            // whether this or the SIGHUP that comes with it is seen first.
            if !terminal_gone(&e) {
                outcome = Err(format!("cannot draw: {e}"));
            }
            break;
        }
        // Terminal input first (biased), so keys stay responsive under a flood of responses.
        let reqs = tokio::select! {
            biased;
            ev = events.recv() => match ev {
                Some(ev) => on_event(&mut app, ev, clock()),
                None => break,
            },
            Some(resp) = responses.recv() => Ok(app.apply(resp, clock())),
            _ = ticks.tick() => Ok(app.update(action::Action::Tick, clock())),
            () = hangup.recv() => break,
        };
        match reqs {
            Ok(reqs) => send(&mut app, reqs),
            Err(e) => {
                outcome = Err(e);
                break;
            }
        }
        // Take what else is already queued before drawing again.
        for _ in 0..DRAIN {
            let reqs = if let Ok(ev) = events.try_recv() {
                on_event(&mut app, ev, clock())
            } else if let Ok(resp) = responses.try_recv() {
                Ok(app.apply(resp, clock()))
            } else {
                break;
            };
            match reqs {
                Ok(reqs) => send(&mut app, reqs),
                Err(e) => {
                    outcome = Err(e);
                    break 'outer;
                }
            }
        }
    }
    reader.abort();
    drop(requests);
    (outcome, worker, app.writes_in_flight())
}

/// Writing to a terminal that was hung up fails with EIO (or EPIPE).
fn terminal_gone(e: &std::io::Error) -> bool {
    #[cfg(unix)]
    if e.raw_os_error() == Some(nix::errno::Errno::EIO as i32) {
        return true;
    }
    e.kind() == std::io::ErrorKind::BrokenPipe
}

/// SIGTERM and SIGHUP end the loop like `q`, so the terminal is restored (the default action
/// would kill the process in raw mode).
struct Hangup {
    #[cfg(unix)]
    signals: Vec<tokio::signal::unix::Signal>,
}

impl Hangup {
    fn new() -> Self {
        #[cfg(unix)]
        {
            use tokio::signal::unix::{SignalKind, signal};
            let signals = [SignalKind::terminate(), SignalKind::hangup()]
                .into_iter()
                .filter_map(|k| signal(k).ok())
                .collect();
            Self { signals }
        }
        #[cfg(not(unix))]
        Self {}
    }

    async fn recv(&mut self) {
        #[cfg(unix)]
        {
            if self.signals.is_empty() {
                return std::future::pending().await;
            }
            let waits = self.signals.iter_mut().map(|s| Box::pin(s.recv()));
            let _ = futures::future::select_all(waits).await;
        }
        #[cfg(not(unix))]
        std::future::pending::<()>().await
    }
}

#[cfg(test)]
mod tests {
    use super::action::Action;
    use super::app::Modal;
    use super::fixtures::{loaded, press, screen};
    use super::*;

    #[test]
    fn the_wheel_moves_like_the_arrow_keys_but_not_inside_a_modal() {
        let opened = |app: &mut App| {
            press(app, &[Action::Open], Millis(0));
            app.breadcrumbs()
        };
        let mut keys = loaded(&[]);
        press(
            &mut keys,
            &[Action::Down, Action::Down, Action::Down],
            Millis(0),
        );
        let mut wheel = loaded(&[]);
        on_event(&mut wheel, Event::Scroll { up: false }, Millis(0)).expect("handled");
        assert_eq!(opened(&mut wheel), opened(&mut keys));
        let mut back = loaded(&[]);
        on_event(&mut back, Event::Scroll { up: false }, Millis(0)).expect("handled");
        on_event(&mut back, Event::Scroll { up: true }, Millis(0)).expect("handled");
        let mut top = loaded(&[]);
        assert_eq!(opened(&mut back), opened(&mut top));

        let mut app = loaded(&[]);
        press(&mut app, &[Action::Palette, Action::Char('l')], Millis(0));
        let before = screen(&app, 100, 24);
        on_event(&mut app, Event::Scroll { up: false }, Millis(0)).expect("handled");
        assert!(matches!(app.modal(), Some(Modal::Palette(_))));
        assert_eq!(
            screen(&app, 100, 24),
            before,
            "the palette ignores the wheel"
        );
    }
}
