//! The built binary in a pseudo-terminal, its screen read by a terminal emulator (vt100), for
//! the tests that see the console as a person does. The reader thread wakes waiters on every
//! chunk of output, so a wait ends on the frame that satisfies it (and a measured key-to-screen
//! time is not rounded up to a polling interval).
//! Linux only (tests read the PTY's termios through the master).
#![cfg(target_os = "linux")]
#![allow(dead_code)]

use std::ffi::OsStr;
use std::io::{Read, Write};
use std::path::Path;
use std::sync::{Arc, Condvar, Mutex, MutexGuard, PoisonError};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use nix::sys::signal::{Signal, kill};
use nix::sys::termios::LocalFlags;
use nix::unistd::Pid;
use portable_pty::{Child, CommandBuilder, ExitStatus, MasterPty, PtySize, native_pty_system};

const ALT_ON: &[u8] = b"\x1b[?1049h";
const ALT_OFF: &[u8] = b"\x1b[?1049l";
const CURSOR_SHOW: &[u8] = b"\x1b[?25h";

pub const BIN: &str = env!("CARGO_BIN_EXE_agentcore-console");

/// What the program wrote (raw) and its screen as vt100 sees it, with a condition variable the
/// reader thread notifies after each chunk.
pub struct Output {
    pub raw: Vec<u8>,
    pub parser: vt100::Parser,
}

/// The binary running in a PTY. Dropping it stops the program the way a terminal closing would
/// (SIGTERM, then SIGKILL if it lingers).
pub struct Pty {
    pub child: Box<dyn Child + Send + Sync>,
    pub master: Box<dyn MasterPty + Send>,
    writer: Box<dyn Write + Send>,
    output: Arc<(Mutex<Output>, Condvar)>,
    reader: Option<JoinHandle<()>>,
}

/// The console's command: `args` after the binary, run in `dir`, with the terminal a person
/// would have and no keymap.toml or theme.toml of the person running the tests.
pub fn console<S: AsRef<OsStr>>(dir: &Path, args: &[S]) -> CommandBuilder {
    let mut cmd = CommandBuilder::new(BIN);
    cmd.args(args);
    cmd.cwd(dir);
    cmd.env("TERM", "xterm-256color");
    cmd.env_remove("NO_COLOR");
    cmd.env("XDG_CONFIG_HOME", dir.join("config"));
    cmd
}

impl Pty {
    /// Spawn `cmd` on a new `rows`×`cols` PTY.
    pub fn spawn(cmd: CommandBuilder, rows: u16, cols: u16) -> Self {
        let pair = native_pty_system()
            .openpty(PtySize {
                rows,
                cols,
                pixel_width: 0,
                pixel_height: 0,
            })
            .expect("openpty");
        let child = pair
            .slave
            .spawn_command(cmd)
            .expect("spawn the console in the pty");
        // Only the child holds the terminal side now: its exit ends our reads.
        drop(pair.slave);
        let master = pair.master;
        let writer = master.take_writer().expect("pty writer");
        let mut reader = master.try_clone_reader().expect("pty reader");
        let size = |n: u16| std::num::NonZeroU16::new(n).expect("a size");
        let output = Arc::new((
            Mutex::new(Output {
                raw: Vec::new(),
                parser: vt100::Parser::new(size(rows), size(cols), 0),
            }),
            Condvar::new(),
        ));
        let out = Arc::clone(&output);
        let reader = std::thread::spawn(move || {
            let mut buf = [0u8; 16 * 1024];
            loop {
                match reader.read(&mut buf) {
                    Ok(0) | Err(_) => break, // EIO once the child side is closed
                    Ok(n) => {
                        let mut o = out.0.lock().unwrap_or_else(PoisonError::into_inner);
                        o.raw.extend_from_slice(&buf[..n]);
                        o.parser.process(&buf[..n]);
                        out.1.notify_all();
                    }
                }
            }
            out.1.notify_all();
        });
        Self {
            child,
            master,
            writer,
            output,
            reader: Some(reader),
        }
    }

    /// The screen as text.
    pub fn contents(&self) -> String {
        self.lock().parser.screen().contents()
    }

    /// Read the output (raw bytes and the emulated screen) under its lock.
    pub fn with_output<T>(&self, f: impl FnOnce(&Output) -> T) -> T {
        f(&self.lock())
    }

    /// The output, whoever panicked holding it (a failed wait must not take the reader down).
    fn lock(&self) -> MutexGuard<'_, Output> {
        self.output.0.lock().unwrap_or_else(PoisonError::into_inner)
    }

    pub fn keys(&mut self, keys: &str) {
        self.writer.write_all(keys.as_bytes()).expect("type");
        self.writer.flush().expect("flush");
    }

    /// Wait until the screen satisfies `ok`; the screen then. Fails with the screen on timeout
    /// or when the program exits first.
    pub fn wait_for(&mut self, what: &str, bound: Duration, ok: impl Fn(&str) -> bool) -> String {
        let deadline = Instant::now() + bound;
        let changed = &self.output.1;
        let mut out = self.output.0.lock().unwrap_or_else(PoisonError::into_inner);
        let failure = loop {
            let s = out.parser.screen().contents();
            if ok(&s) {
                return s;
            }
            let now = Instant::now();
            if now > deadline {
                break format!("timed out waiting for {what}; the screen:\n{s}");
            }
            if let Ok(Some(status)) = self.child.try_wait() {
                break format!(
                    "the console exited ({status:?}) while waiting for {what}; the screen:\n{s}"
                );
            }
            // Woken by new output; the time-out only bounds how late an exit is noticed.
            let wait = (deadline - now).min(Duration::from_millis(100));
            out = changed
                .wait_timeout(out, wait)
                .unwrap_or_else(PoisonError::into_inner)
                .0;
        };
        drop(out);
        panic!("{failure}");
    }

    /// Type `keys` and wait for the screen to satisfy `ok`: the screen then and how long it
    /// took from the keys to that screen.
    pub fn answer(
        &mut self,
        keys: &str,
        what: &str,
        bound: Duration,
        ok: impl Fn(&str) -> bool,
    ) -> (String, Duration) {
        let sent = Instant::now();
        self.keys(keys);
        let screen = self.wait_for(what, bound, ok);
        (screen, sent.elapsed())
    }

    /// Wait for the program to exit (bounded); its status. The reader thread has then seen
    /// all the output.
    pub fn wait_exit(&mut self, bound: Duration) -> ExitStatus {
        let deadline = Instant::now() + bound;
        let status = loop {
            if let Some(st) = self.child.try_wait().expect("try_wait") {
                break st;
            }
            assert!(
                Instant::now() < deadline,
                "the console did not exit; the screen:\n{}",
                self.contents()
            );
            std::thread::sleep(Duration::from_millis(10));
        };
        if let Some(r) = self.reader.take() {
            r.join().expect("reader thread");
        }
        status
    }
}

/// The console exited well and gave the terminal back: exit status 0, the alternate screen
/// left and the cursor shown as the last thing drawn, and the terminal out of raw mode
/// (canonical input and echo on again). `raw` is all it wrote.
pub fn given_back(pty: &Pty, status: ExitStatus, raw: &[u8]) {
    let text = String::from_utf8_lossy(raw).to_string();
    assert!(
        status.success(),
        "exit status {status:?}; output tail:\n{}",
        tail(&text)
    );
    let on = find_last(raw, ALT_ON).expect("the alternate screen was entered");
    let off = find_last(raw, ALT_OFF).expect("the alternate screen was left");
    assert!(off > on, "left the alternate screen after the last entry");
    let after = &raw[off + ALT_OFF.len()..];
    assert!(
        after.starts_with(CURSOR_SHOW),
        "the cursor is shown right after leaving the alternate screen: {:?}",
        String::from_utf8_lossy(&after[..after.len().min(40)])
    );
    // Nothing drawn after that (ratatui's own drop shows the cursor once more): what follows
    // is plain text (the demo saying it stops).
    let mut rest = after;
    while let Some(r) = rest.strip_prefix(CURSOR_SHOW) {
        rest = r;
    }
    assert!(
        !rest.contains(&0x1b),
        "escape sequences after the terminal was given back: {:?}",
        String::from_utf8_lossy(rest)
    );
    pty.with_output(|o| {
        assert!(!o.parser.screen().alternate_screen(), "on the main screen");
        assert!(!o.parser.screen().hide_cursor(), "the cursor is visible");
    });
    // Raw mode is off: the terminal's line discipline is canonical with echo again.
    let flags = pty
        .master
        .get_termios()
        .expect("the pty's termios")
        .local_flags;
    assert!(
        flags.contains(LocalFlags::ICANON | LocalFlags::ECHO | LocalFlags::ISIG),
        "raw mode left on: {flags:?}"
    );
}

fn find_last(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).rposition(|w| w == needle)
}

fn tail(s: &str) -> String {
    let chars: Vec<char> = s.chars().collect();
    chars[chars.len().saturating_sub(2_000)..].iter().collect()
}

impl Drop for Pty {
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
