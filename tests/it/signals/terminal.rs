//! `demo` with its TUI in a pseudo-terminal, on a temporary state dir: SIGHUP, SIGTERM and
//! the terminal going away (the pty's master closed, as when a terminal window or an ssh
//! session ends) each stop every server, remove the state dir and end with status 0 — no
//! panic on the way out, though the terminal and stderr are gone.

use std::io::Read;
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use nix::sys::signal::Signal;
use portable_pty::{Child, CommandBuilder, MasterPty, PtySize, native_pty_system};

use super::demo::TEMP_PREFIX;
use super::{BIN, EXIT_BOUND, assert_all_gone, await_servers, entries, signal};

const SEED_BOUND: Duration = Duration::from_secs(120);
const ALT_ON: &[u8] = b"\x1b[?1049h";

/// How the terminal session ends.
#[derive(Debug, Clone, Copy)]
enum End {
    Signal(Signal),
    /// Every master descriptor closed: the kernel hangs the terminal up.
    CloseTerminal,
}

/// The demo in a PTY. No writer is taken: portable-pty's writer types a newline and EOF into
/// the terminal when dropped.
struct Session {
    child: Box<dyn Child + Send + Sync>,
    master: Option<Box<dyn MasterPty + Send>>,
    raw: Arc<Mutex<Vec<u8>>>,
    stop_reading: Arc<AtomicBool>,
    reader: Option<JoinHandle<()>>,
}

impl Session {
    fn start(root: &Path, tmp: &Path) -> Self {
        let pair = native_pty_system()
            .openpty(PtySize {
                rows: 40,
                cols: 160,
                pixel_width: 0,
                pixel_height: 0,
            })
            .expect("openpty");
        let mut cmd = CommandBuilder::new(BIN);
        cmd.args(["demo", "--rate", "0"]);
        cmd.cwd(root);
        cmd.env("TERM", "xterm-256color");
        cmd.env("TMPDIR", tmp);
        cmd.env("AGENTCORE_CONSOLE_STATE_DIR", root.join("console"));
        cmd.env("XDG_CONFIG_HOME", root.join("config"));
        let child = pair
            .slave
            .spawn_command(cmd)
            .expect("spawn demo in the pty");
        drop(pair.slave);
        let mut reader = pair.master.try_clone_reader().expect("pty reader");
        let raw = Arc::new(Mutex::new(Vec::new()));
        let stop_reading = Arc::new(AtomicBool::new(false));
        let (raw2, stop2) = (Arc::clone(&raw), Arc::clone(&stop_reading));
        // The TUI draws every second, so a read returns at least that often and the flag is
        // seen: the reader's descriptor must close too for the terminal to hang up.
        let reader = std::thread::spawn(move || {
            let mut buf = [0u8; 16 * 1024];
            while !stop2.load(Ordering::SeqCst) {
                match reader.read(&mut buf) {
                    Ok(0) | Err(_) => break,
                    Ok(n) => raw2.lock().expect("raw").extend_from_slice(&buf[..n]),
                }
            }
        });
        Self {
            child,
            master: Some(pair.master),
            raw,
            stop_reading,
            reader: Some(reader),
        }
    }

    /// Wait until the TUI took the terminal (after seeding).
    fn await_tui(&mut self) {
        let deadline = Instant::now() + SEED_BOUND;
        loop {
            let raw = self.raw.lock().expect("raw").clone();
            if raw.windows(ALT_ON.len()).any(|w| w == ALT_ON) {
                return;
            }
            if let Ok(Some(st)) = self.child.try_wait() {
                panic!(
                    "the demo exited ({st:?}) before its TUI was up:\n{}",
                    String::from_utf8_lossy(&raw)
                );
            }
            assert!(Instant::now() < deadline, "no TUI within {SEED_BOUND:?}");
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    fn end(&mut self, end: End) {
        match end {
            End::Signal(sig) => {
                signal(self.child.process_id().expect("pid"), sig);
            }
            End::CloseTerminal => {
                self.stop_reading.store(true, Ordering::SeqCst);
                if let Some(r) = self.reader.take() {
                    r.join().expect("reader thread");
                }
                self.master.take();
            }
        }
    }

    fn wait_exit(&mut self, what: &str) -> portable_pty::ExitStatus {
        let deadline = Instant::now() + EXIT_BOUND;
        loop {
            if let Some(st) = self.child.try_wait().expect("try_wait") {
                return st;
            }
            assert!(
                Instant::now() < deadline,
                "{what}: no exit within {EXIT_BOUND:?}"
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

impl Drop for Session {
    fn drop(&mut self) {
        if let Ok(None) = self.child.try_wait() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
        self.stop_reading.store(true, Ordering::SeqCst);
    }
}

#[test]
fn demo_in_a_terminal_stops_its_servers_on_sighup_sigterm_and_terminal_loss() {
    for end in [
        End::CloseTerminal,
        End::Signal(Signal::SIGHUP),
        End::Signal(Signal::SIGTERM),
    ] {
        let dir = tempfile::tempdir().expect("tempdir");
        let tmp = dir.path().join("tmp");
        std::fs::create_dir_all(&tmp).expect("tmp");
        let mut s = Session::start(dir.path(), &tmp);
        s.await_tui();
        let _running = await_servers(&tmp, 1, Duration::from_secs(30));

        s.end(end);
        let status = s.wait_exit(&format!("demo after {end:?}"));
        assert!(
            status.success(),
            "{end:?}: the demo exited with {status:?} (a panic is 101)"
        );
        assert_all_gone(&tmp, &format!("demo after {end:?}"));
        assert_eq!(
            entries(&tmp, TEMP_PREFIX),
            Vec::<String>::new(),
            "{end:?}: the temporary state dir is removed"
        );
    }
}
