//! Packaging streams each file into the zip: a deploy of a directory holding a large file
//! never holds that file in memory (it used to read each file whole: 330 MB peak for 300 MB).
#![cfg(target_os = "linux")]

use std::process::Stdio;
use std::time::Duration;

use super::cli::{BIN, FIXTURE_DIR, world};

/// The file: zeros, sparse on disk, so the test costs no disk and compresses to almost nothing.
const BIG: u64 = 160 * 1024 * 1024;
/// Far under the file, far over what the console needs besides it (about 40 MB).
const PEAK_BOUND_KB: u64 = 100 * 1024;

fn rss_kb(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let line = status.lines().find(|l| l.starts_with("VmRSS:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

#[tokio::test]
async fn a_large_file_is_streamed_into_the_zip_not_read_whole() {
    let w = world().await;
    let code = tempfile::tempdir().expect("tempdir");
    for f in std::fs::read_dir(FIXTURE_DIR).expect("fixture") {
        let f = f.expect("entry").path();
        std::fs::copy(&f, code.path().join(f.file_name().expect("name"))).expect("copy");
    }
    std::fs::File::create(code.path().join("model.bin"))
        .and_then(|f| f.set_len(BIG))
        .expect("sparse file");
    let child = std::process::Command::new(BIN)
        .arg("--config")
        .arg(&w.config)
        .env("AGENTCORE_CONSOLE_STATE_DIR", &w.state)
        .args(["--env", "dev", "deploy", "weather", "--yes", "--from-dir"])
        .arg(code.path())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn");
    let pid = child.id();
    // Sample the resident set until the deploy ends: the old code held the file for the
    // seconds it took to compress it.
    let sampler = tokio::task::spawn_blocking(move || {
        let mut peak = 0;
        while let Some(kb) = rss_kb(pid) {
            peak = peak.max(kb);
            std::thread::sleep(Duration::from_millis(5));
        }
        peak
    });
    let out = tokio::task::spawn_blocking(move || child.wait_with_output().expect("wait"))
        .await
        .expect("join");
    let peak = sampler.await.expect("sampler");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "the deploy failed: {stderr}");
    assert!(
        peak > 0 && peak < PEAK_BOUND_KB,
        "peak RSS {peak} kB while packaging a {} MB file (bound {PEAK_BOUND_KB} kB)",
        BIG / (1024 * 1024)
    );
    w.local.stop().await;
}
