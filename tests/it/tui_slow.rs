//! The console under slow AWS, as a person sees it: `ui` in a pseudo-terminal against a local
//! AgentCore that answers every call 2 s late (`*:*:latency=2s`). Keys are answered at once
//! while calls are in flight (the pane's title shows `⟳` in the very frame that answers the
//! key), panes show loading and then their data, a refresh in flight keeps the older data on
//! screen and says how old it is, and `q` quits promptly with calls still in flight.
#![cfg(target_os = "linux")]

use std::path::Path;
use std::time::{Duration, Instant};

use crate::support::cli::world;
use crate::support::emulator::{clients, create_container};
use crate::support::faults;
use crate::support::pty::{Pty, console, given_back};

const LATENCY: &str = "*:*:latency=2s";
const ROWS: u16 = 50;
const COLS: u16 = 140;
/// From a key to the screen that answers it. A loop that awaited a call would take the call's
/// 2 s at least; a loop that does not takes a frame (milliseconds), so 1 s separates the two
/// even on a loaded machine.
const KEY_BOUND: Duration = Duration::from_secs(1);
/// Generous: several 2 s calls in a row, on a machine busy with other tests.
const LOAD_BOUND: Duration = Duration::from_secs(60);
/// From `q` to the process gone, with reads in flight that have seconds left to run.
const QUIT_BOUND: Duration = Duration::from_secs(2);

/// The matrix pane's title while one of its requests is out.
fn matrix_busy(s: &str) -> bool {
    s.contains(" environments ⟳")
}

fn help_open(s: &str) -> bool {
    s.contains(" help · esc closes ")
}

/// Both runtimes listed, `name` selected.
fn rows_with(s: &str, selected: &str) -> bool {
    let other = if selected == "alpha" { "beta" } else { "alpha" };
    s.contains(&format!("▸ {selected}")) && s.contains(&format!("  {other} "))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn keys_are_answered_at_once_while_every_aws_call_is_two_seconds_late() {
    let w = world().await;
    let c = clients(&w.local.url, "us-west-2").await;
    for name in ["alpha", "beta"] {
        create_container(&c, name).await;
    }
    // Late from here on: the console's first call too.
    faults::add(&w.local.url, LATENCY).await;
    let dir = tempfile::tempdir().expect("tempdir");
    let (config, state, cwd) = (w.config.clone(), w.state.clone(), dir.path().to_path_buf());
    tokio::task::spawn_blocking(move || session(&config, &state, &cwd))
        .await
        .expect("the terminal session");
    // Every call the console made was late, and it made many.
    let (matched, applied) = faults::counts(&w.local.url, LATENCY).await;
    assert!(
        applied == matched && applied >= 5,
        "{applied} of {matched} calls delayed"
    );
    w.local.stop().await;
}

fn session(config: &Path, state: &Path, dir: &Path) {
    let mut cmd = console(
        dir,
        &["--config".as_ref(), config.as_os_str(), "ui".as_ref()],
    );
    cmd.env("AGENTCORE_CONSOLE_STATE_DIR", state);
    let started = Instant::now();
    let mut s = Pty::spawn(cmd, ROWS, COLS);
    let mut took = Timings::default();

    // The first frame: every column loading, its requests out.
    s.wait_for("the matrix loading", LOAD_BOUND, |t| {
        t.contains("Loading runtimes from dev, prod…") && matrix_busy(t)
    });
    // `?` and `esc` while the first load is out.
    let (_, d) = s.answer("?", "the help, the load still out", KEY_BOUND * 5, |t| {
        help_open(t) && matrix_busy(t)
    });
    took.key("? opens the help", d);
    let (_, d) = s.answer(
        "\x1b",
        "the help closed, the load still out",
        KEY_BOUND * 5,
        |t| !help_open(t) && matrix_busy(t),
    );
    took.key("esc closes the help", d);

    // Then the data.
    s.wait_for("the runtimes", LOAD_BOUND, |t| rows_with(t, "alpha"));
    let loaded = started.elapsed();
    assert!(
        loaded >= Duration::from_secs(2),
        "the matrix loaded in {loaded:?}: were the calls late at all?"
    );

    // A refresh in flight keeps the rows; moving the selection does not wait for it.
    s.wait_for("a refresh in flight over the rows", LOAD_BOUND, |t| {
        rows_with(t, "alpha") && matrix_busy(t)
    });
    let (_, d) = s.answer(
        "j",
        "beta selected, the refresh still out",
        KEY_BOUND * 5,
        |t| rows_with(t, "beta") && matrix_busy(t),
    );
    took.key("j moves the selection", d);

    // The data shown while a refresh is slow says how old it is (past two polls).
    s.wait_for("the rows marked stale during a refresh", LOAD_BOUND, |t| {
        rows_with(t, "beta") && t.contains("stale · ") && matrix_busy(t)
    });

    // Another pane: loading at once, left at once with its request out, then its data.
    let loading = |t: &str| t.contains("Loading beta in dev…") && t.contains(" beta in dev ⟳");
    let (_, d) = s.answer("\r", "beta's pane loading", KEY_BOUND * 5, loading);
    took.key("enter opens the runtime (loading)", d);
    let (_, d) = s.answer("\x1b", "back on the matrix", KEY_BOUND * 5, |t| {
        rows_with(t, "beta") && !t.contains(" beta in dev")
    });
    took.key("esc leaves it while it loads", d);
    let (_, d) = s.answer("\r", "beta's pane loading again", KEY_BOUND * 5, loading);
    took.key("enter opens it again (loading)", d);
    s.wait_for("beta's details", LOAD_BOUND, |t| {
        t.contains("latest version 1") && t.contains("LOG GROUPS")
    });
    let (_, d) = s.answer("\x1b", "back on the matrix", KEY_BOUND * 5, |t| {
        rows_with(t, "beta") && !t.contains(" beta in dev")
    });
    took.key("esc back to the matrix", d);

    // `q` just after a refresh went out, so its calls have seconds left to run.
    s.wait_for("the last refresh answered", LOAD_BOUND, |t| !matrix_busy(t));
    s.wait_for("the next refresh out", LOAD_BOUND, matrix_busy);
    let quit = Instant::now();
    s.keys("q");
    let status = s.wait_exit(LOAD_BOUND);
    let d = quit.elapsed();
    took.quit = Some(d);
    eprintln!("{took:?}");
    let raw = s.with_output(|o| o.raw.clone());
    given_back(&s, status, &raw);
    took.check();
}

/// Key-to-screen times, all reported when one is over the bound.
#[derive(Debug, Default)]
struct Timings {
    keys: Vec<(&'static str, Duration)>,
    quit: Option<Duration>,
}

impl Timings {
    fn key(&mut self, what: &'static str, d: Duration) {
        self.keys.push((what, d));
    }

    fn check(&self) {
        for (what, d) in &self.keys {
            assert!(
                *d < KEY_BOUND,
                "{what}: {d:?} from key to screen; all: {self:?}"
            );
        }
        let q = self.quit.expect("quit timed");
        assert!(q < QUIT_BOUND, "q took {q:?} to exit; all: {self:?}");
    }
}
