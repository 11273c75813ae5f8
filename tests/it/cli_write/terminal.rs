//! Confirmation on a real terminal: a write run in a pseudo-terminal with stderr sent to a
//! file still shows its plan on the terminal and asks; answering `n` changes nothing and is
//! audited as refused.

use std::io::{Read, Write};
use std::time::{Duration, Instant};

use portable_pty::{CommandBuilder, PtySize, native_pty_system};

use super::cli::{self, BIN, FIXTURE_DIR, json, world};

/// Generous: the binary only reads the config and prints; slow machines run tests in parallel.
const PROMPT_BOUND: Duration = Duration::from_secs(60);
const PROMPT: &str = "Go on? [y/N]";

#[tokio::test]
async fn the_plan_is_asked_on_the_terminal_even_with_stderr_redirected() {
    let w = world().await;
    let err_file = w.state.with_file_name("stderr.log");
    let pair = native_pty_system()
        .openpty(PtySize {
            rows: 40,
            cols: 160,
            pixel_width: 0,
            pixel_height: 0,
        })
        .expect("openpty");
    // `2>file` on an interactive terminal, as a person would type it.
    let mut cmd = CommandBuilder::new("sh");
    cmd.args(["-c", "exec \"$0\" \"$@\" 2>\"$ERR_FILE\""]);
    cmd.arg(BIN);
    cmd.arg("--config");
    cmd.arg(&w.config);
    cmd.args([
        "--env",
        "dev",
        "deploy",
        "weather",
        "--from-dir",
        FIXTURE_DIR,
    ]);
    cmd.env("ERR_FILE", &err_file);
    cmd.env("AGENTCORE_CONSOLE_STATE_DIR", &w.state);
    let mut child = pair.slave.spawn_command(cmd).expect("spawn in the pty");
    drop(pair.slave);
    let mut writer = pair.master.take_writer().expect("pty writer");
    let mut reader = pair.master.try_clone_reader().expect("pty reader");
    let (tx, rx) = std::sync::mpsc::channel::<Vec<u8>>();
    std::thread::spawn(move || {
        let mut buf = [0u8; 4096];
        // Ends at EOF or EIO, once the child (the only holder of the terminal side) exits.
        while let Ok(n) = reader.read(&mut buf) {
            if n == 0 || tx.send(buf[..n].to_vec()).is_err() {
                break;
            }
        }
    });
    let deadline = Instant::now() + PROMPT_BOUND;
    // Read the terminal until the prompt shows, the program ends, or the bound passes.
    let (asked, screen) = tokio::task::spawn_blocking(move || {
        let mut screen = String::new();
        while !screen.contains(PROMPT) {
            let left = deadline.saturating_duration_since(Instant::now());
            match rx.recv_timeout(left) {
                Ok(chunk) => screen.push_str(&String::from_utf8_lossy(&chunk)),
                Err(_) => return (false, screen),
            }
        }
        (true, screen)
    })
    .await
    .expect("join");
    let stderr = std::fs::read_to_string(&err_file).unwrap_or_default();
    assert!(
        asked,
        "no prompt on the terminal: {screen:?}; stderr: {stderr}"
    );
    assert!(
        screen.contains("In `dev` this will call:") && screen.contains("CreateAgentRuntime"),
        "{screen:?}"
    );
    writer.write_all(b"n\r").expect("answer");
    writer.flush().expect("flush");
    let status = tokio::task::spawn_blocking(move || child.wait().expect("wait"))
        .await
        .expect("join");
    assert!(!status.success());
    let stderr = std::fs::read_to_string(&err_file).expect("stderr file");
    assert!(
        stderr.contains("not confirmed; nothing was changed"),
        "{stderr}"
    );
    assert!(
        !stderr.contains("this will call"),
        "the plan is not in the log: {stderr}"
    );
    let rows = json(&w, &["--env", "dev", "runtimes"]).await;
    assert_eq!(
        rows.as_array().map(Vec::len),
        Some(0),
        "nothing changed: {rows}"
    );
    let entries = cli::audit(&w);
    assert_eq!(entries.len(), 1, "{entries:?}");
    assert_eq!(entries[0]["action"], "deploy");
    assert_eq!(
        entries[0]["result"],
        "refused: not confirmed; nothing was changed"
    );
    w.local.stop().await;
}
