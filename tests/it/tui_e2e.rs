//! The console end to end, as a person sees it: the built binary's `demo` in a pseudo-terminal
//! on a fresh state dir, its output read by a terminal emulator (vt100). The test waits for the
//! matrix to show prod, goes to prod's `weather_mcp` with the matrix keys, opens its logs (`L`),
//! sees lines arrive and the delivered count grow, quits with `q`, and checks the terminal was
//! given back: exit status 0, the alternate screen left and the cursor shown as the last thing
//! drawn, and the terminal out of raw mode (canonical input and echo on again).
//! Linux only (the PTY's termios is read through the master).
#![cfg(target_os = "linux")]

use std::time::Duration;

use nix::sys::termios::LocalFlags;

use crate::support::pty::{Pty, console, given_back};

const ROWS: u16 = 40;
const COLS: u16 = 160;
/// Generous: seeding takes seconds, but test machines are slow and tests run in parallel.
const SEED_BOUND: Duration = Duration::from_secs(120);
const STEP_BOUND: Duration = Duration::from_secs(30);
/// Quitting stops the local AgentCore and its servers.
const EXIT_BOUND: Duration = Duration::from_secs(60);

/// `1,234 delivered` on the logs pane's status line.
fn delivered(screen: &str) -> Option<u64> {
    let at = screen.find(" delivered")?;
    let digits: String = screen[..at]
        .chars()
        .rev()
        .take_while(|c| c.is_ascii_digit() || *c == ',')
        .filter(char::is_ascii_digit)
        .collect::<Vec<_>>()
        .into_iter()
        .rev()
        .collect();
    digits.parse().ok()
}

/// Rows of the pane that are log lines: `│09:58:01.234 …`.
fn log_rows(screen: &str) -> usize {
    screen
        .lines()
        .filter(|l| {
            // After the border, and the source's colour bar when there are several sources.
            let rest = l.chars().skip(1);
            let b: Vec<char> = rest.skip_while(|c| *c == '▌').take(13).collect();
            b.len() == 13
                && b[2] == ':'
                && b[5] == ':'
                && b[8] == '.'
                && b[12] == ' '
                && b[..2].iter().all(char::is_ascii_digit)
        })
        .count()
}

#[test]
fn demo_in_a_terminal_to_prod_logs_and_back() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut cmd = console(dir.path(), &["demo", "--rate", "5", "--state-dir"]);
    cmd.arg(dir.path().join("state"));
    let mut s = Pty::spawn(cmd, ROWS, COLS);

    // The matrix, with prod's column loaded (weather_mcp runs there with its canary).
    s.wait_for("the matrix with prod", SEED_BOUND, |t| {
        t.contains("prod [RO]") && t.contains("weather_mcp") && t.matches("live→").count() >= 3
    });

    // weather_mcp is the last row (rows are sorted); prod the third column; L its logs.
    s.keys("G");
    s.keys("ll");
    let screen = s.wait_for("prod selected", STEP_BOUND, |t| {
        t.contains("▸ weather_mcp") && t.contains("prod protected: read-only")
    });
    assert!(
        screen.contains("L logs"),
        "the footer offers logs:\n{screen}"
    );
    s.keys("L");
    let first = s.wait_for("log lines of weather_mcp in prod", STEP_BOUND, |t| {
        t.contains("logs weather_mcp in prod") && log_rows(t) >= 3 && delivered(t).is_some()
    });
    assert!(
        first.contains("Live Tail"),
        "following on Live Tail:\n{first}"
    );
    let before = delivered(&first).expect("a delivered count");
    let later = s.wait_for("more lines to arrive", STEP_BOUND, |t| {
        delivered(t).is_some_and(|n| n > before)
    });
    assert!(log_rows(&later) >= 3);
    // The way raw mode is read below sees it on while the console runs.
    let during = s
        .master
        .get_termios()
        .expect("the pty's termios")
        .local_flags;
    assert!(
        !during.contains(LocalFlags::ICANON),
        "raw mode while up: {during:?}"
    );

    // Quit, and the terminal is given back.
    s.keys("q");
    let status = s.wait_exit(EXIT_BOUND);
    let raw = s.with_output(|o| o.raw.clone());
    given_back(&s, status, &raw);
}
