//! The console end to end, as a person sees it: the built binary's `demo` in a pseudo-terminal
//! on a fresh state dir, its output read by a terminal emulator (vt100). The test waits for the
//! matrix to show prod, goes to prod's `weather_mcp` with the matrix keys, opens its logs (`L`),
//! sees lines arrive and the delivered count grow, quits with `q`, and checks the terminal was
//! given back: exit status 0, the alternate screen left and the cursor shown as the last thing
//! drawn, and the terminal out of raw mode (canonical input and echo on again).
//! Linux only (the PTY's termios is read through the master).
#![cfg(target_os = "linux")]

use std::io::{Read, Write};
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use nix::sys::signal::{Signal, kill};
use nix::sys::termios::LocalFlags;
use nix::unistd::Pid;
use portable_pty::{Child, CommandBuilder, MasterPty, PtySize, native_pty_system};

const BIN: &str = env!("CARGO_BIN_EXE_agentcore-console");
const ROWS: u16 = 40;
const COLS: u16 = 160;
/// Generous: seeding takes seconds, but test machines are slow and tests run in parallel.
const SEED_BOUND: Duration = Duration::from_secs(120);
const STEP_BOUND: Duration = Duration::from_secs(30);
/// Quitting stops the local AgentCore and its servers.
const EXIT_BOUND: Duration = Duration::from_secs(60);

const ALT_ON: &[u8] = b"\x1b[?1049h";
const ALT_OFF: &[u8] = b"\x1b[?1049l";
const CURSOR_SHOW: &[u8] = b"\x1b[?25h";

/// The demo in a PTY: what it wrote (raw) and its screen, fed by a reader thread. Dropping it
/// stops the demo the way a terminal closing would (SIGTERM, then SIGKILL if it lingers).
struct Session {
    child: Box<dyn Child + Send + Sync>,
    master: Box<dyn MasterPty + Send>,
    writer: Box<dyn Write + Send>,
    raw: Arc<Mutex<Vec<u8>>>,
    screen: Arc<Mutex<vt100::Parser>>,
    reader: Option<JoinHandle<()>>,
}

impl Session {
    fn start(dir: &Path) -> Self {
        let pty = native_pty_system();
        let pair = pty
            .openpty(PtySize {
                rows: ROWS,
                cols: COLS,
                pixel_width: 0,
                pixel_height: 0,
            })
            .expect("openpty");
        let mut cmd = CommandBuilder::new(BIN);
        cmd.args(["demo", "--rate", "5", "--state-dir"]);
        cmd.arg(dir.join("state"));
        cmd.cwd(dir);
        cmd.env("TERM", "xterm-256color");
        cmd.env_remove("NO_COLOR");
        // No keymap.toml or theme.toml of the person running the tests.
        cmd.env("XDG_CONFIG_HOME", dir.join("config"));
        let child = pair
            .slave
            .spawn_command(cmd)
            .expect("spawn demo in the pty");
        // Only the child holds the terminal side now: its exit ends our reads.
        drop(pair.slave);
        let master = pair.master;
        let writer = master.take_writer().expect("pty writer");
        let mut reader = master.try_clone_reader().expect("pty reader");
        let raw = Arc::new(Mutex::new(Vec::new()));
        let size = |n: u16| std::num::NonZeroU16::new(n).expect("a size");
        let screen = Arc::new(Mutex::new(vt100::Parser::new(size(ROWS), size(COLS), 0)));
        let (raw2, screen2) = (Arc::clone(&raw), Arc::clone(&screen));
        let reader = std::thread::spawn(move || {
            let mut buf = [0u8; 16 * 1024];
            loop {
                match reader.read(&mut buf) {
                    Ok(0) | Err(_) => break, // EIO once the child side is closed
                    Ok(n) => {
                        raw2.lock().expect("raw").extend_from_slice(&buf[..n]);
                        screen2.lock().expect("screen").process(&buf[..n]);
                    }
                }
            }
        });
        Self {
            child,
            master,
            writer,
            raw,
            screen,
            reader: Some(reader),
        }
    }

    fn contents(&self) -> String {
        self.screen.lock().expect("screen").screen().contents()
    }

    fn keys(&mut self, keys: &str) {
        self.writer.write_all(keys.as_bytes()).expect("type");
        self.writer.flush().expect("flush");
    }

    /// Wait until the screen satisfies `ok`; the screen then. Fails with the screen on timeout.
    fn wait_for(&mut self, what: &str, bound: Duration, ok: impl Fn(&str) -> bool) -> String {
        let deadline = Instant::now() + bound;
        loop {
            let s = self.contents();
            if ok(&s) {
                return s;
            }
            if Instant::now() > deadline {
                panic!("timed out waiting for {what}; the screen:\n{s}");
            }
            if let Ok(Some(status)) = self.child.try_wait() {
                panic!("the demo exited ({status:?}) while waiting for {what}; the screen:\n{s}");
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    }
}

impl Drop for Session {
    fn drop(&mut self) {
        if let Ok(None) = self.child.try_wait() {
            if let Some(pid) = self.child.process_id().and_then(|p| i32::try_from(p).ok()) {
                let _ = kill(Pid::from_raw(pid), Signal::SIGTERM);
            }
            let deadline = Instant::now() + Duration::from_secs(20);
            while matches!(self.child.try_wait(), Ok(None)) && Instant::now() < deadline {
                std::thread::sleep(Duration::from_millis(100));
            }
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

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

fn find_last(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).rposition(|w| w == needle)
}

#[test]
fn demo_in_a_terminal_to_prod_logs_and_back() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut s = Session::start(dir.path());

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
    let deadline = Instant::now() + EXIT_BOUND;
    let status = loop {
        if let Some(st) = s.child.try_wait().expect("try_wait") {
            break st;
        }
        assert!(
            Instant::now() < deadline,
            "the demo did not exit after q; the screen:\n{}",
            s.contents()
        );
        std::thread::sleep(Duration::from_millis(100));
    };
    if let Some(r) = s.reader.take() {
        r.join().expect("reader thread");
    }
    let raw = s.raw.lock().expect("raw").clone();
    let text = String::from_utf8_lossy(&raw).to_string();
    assert!(
        status.success(),
        "exit status {status:?}; output tail:\n{}",
        tail(&text)
    );

    let on = find_last(&raw, ALT_ON).expect("the alternate screen was entered");
    let off = find_last(&raw, ALT_OFF).expect("the alternate screen was left");
    assert!(off > on, "left the alternate screen after the last entry");
    let after = &raw[off + ALT_OFF.len()..];
    assert!(
        after.starts_with(CURSOR_SHOW),
        "the cursor is shown right after leaving the alternate screen: {:?}",
        String::from_utf8_lossy(&after[..after.len().min(40)])
    );
    // Nothing drawn after that (ratatui's own drop shows the cursor once more): what follows
    // is plain text, the demo saying it stops.
    let mut rest = after;
    while let Some(r) = rest.strip_prefix(CURSOR_SHOW) {
        rest = r;
    }
    assert!(
        !rest.contains(&0x1b),
        "escape sequences after the terminal was given back: {:?}",
        String::from_utf8_lossy(rest)
    );
    {
        let parser = s.screen.lock().expect("screen");
        assert!(!parser.screen().alternate_screen(), "on the main screen");
        assert!(!parser.screen().hide_cursor(), "the cursor is visible");
    }

    // Raw mode is off: the terminal's line discipline is canonical with echo again.
    let termios = s.master.get_termios().expect("the pty's termios");
    let flags = termios.local_flags;
    assert!(
        flags.contains(LocalFlags::ICANON | LocalFlags::ECHO | LocalFlags::ISIG),
        "raw mode left on: {flags:?}"
    );
}

fn tail(s: &str) -> String {
    let chars: Vec<char> = s.chars().collect();
    chars[chars.len().saturating_sub(2_000)..].iter().collect()
}
