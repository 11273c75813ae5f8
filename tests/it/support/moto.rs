//! moto (`moto[server]==5.2.5`) as an independent AWS peer for the contract tests.
//!
//! moto is installed with pip into a venv under the cargo target dir on first use (guarded by a
//! lock file, since several test processes may race), then each test starts its own
//! `moto_server` on a free 127.0.0.1 port and kills it on drop. If python3 or pip fails, this
//! panics with pip's own error: the contract tests fail loudly, they never skip.
#![allow(dead_code)]

use std::fs::{File, OpenOptions};
use std::io::{ErrorKind, Read, Write};
use std::net::{Shutdown, SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant, SystemTime};

/// The pinned moto release the contract is written against.
pub const MOTO_VERSION: &str = "5.2.5";
const MOTO_REQUIREMENT: &str = "moto[server]==5.2.5";
/// How long moto may take to answer after it was started.
const START_DEADLINE: Duration = Duration::from_secs(30);
/// How long to wait for another process's install before giving up.
const INSTALL_WAIT: Duration = Duration::from_secs(15 * 60);
/// A lock older than this is taken to be left behind by a killed process.
const STALE_LOCK: Duration = Duration::from_secs(20 * 60);

/// `$CARGO_TARGET_DIR`, or `<manifest dir>/target`.
pub fn target_dir() -> PathBuf {
    match std::env::var_os("CARGO_TARGET_DIR") {
        Some(dir) if !dir.is_empty() => {
            let dir = PathBuf::from(dir);
            if dir.is_absolute() {
                dir
            } else {
                PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(dir)
            }
        }
        _ => PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target"),
    }
}

/// Where moto is installed.
pub fn venv_dir() -> PathBuf {
    target_dir().join("moto-venv")
}

fn lock_path(venv: &Path) -> PathBuf {
    let mut name = venv.as_os_str().to_owned();
    name.push(".lock");
    PathBuf::from(name)
}

/// True when the venv holds `moto_server` and the pinned moto version.
fn is_installed(venv: &Path) -> bool {
    let check = format!("import moto; assert moto.__version__ == '{MOTO_VERSION}'");
    venv.join("bin/moto_server").is_file()
        && Command::new(venv.join("bin/python"))
            .args(["-c", &check])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success())
}

/// The lock file, removed when the installer is done (or panics).
struct InstallLock(PathBuf);

impl Drop for InstallLock {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

/// Whether the lock at `path` was left by a process that is gone (or is simply too old).
fn lock_is_stale(path: &Path) -> bool {
    let Ok(meta) = std::fs::metadata(path) else {
        return false;
    };
    let age = meta
        .modified()
        .ok()
        .and_then(|t| SystemTime::now().duration_since(t).ok())
        .unwrap_or_default();
    if age > STALE_LOCK {
        return true;
    }
    // On Linux the holder's pid (written into the lock) tells whether it is still running.
    if meta.is_file() && Path::new("/proc/self").exists() {
        let pid = std::fs::read_to_string(path).unwrap_or_default();
        let pid = pid.trim();
        if !pid.is_empty() && pid.chars().all(|c| c.is_ascii_digit()) {
            return !Path::new("/proc").join(pid).exists();
        }
    }
    false
}

fn remove_lock(path: &Path) {
    // A lock directory (another harness's convention) is removed as well as a lock file.
    if std::fs::remove_file(path).is_err() {
        let _ = std::fs::remove_dir(path);
    }
}

/// Take the install lock, or return `None` once someone else has finished the install.
fn acquire_lock(venv: &Path) -> Option<InstallLock> {
    let path = lock_path(venv);
    let deadline = Instant::now() + INSTALL_WAIT;
    loop {
        match OpenOptions::new().write(true).create_new(true).open(&path) {
            Ok(mut file) => {
                let _ = writeln!(file, "{}", std::process::id());
                return Some(InstallLock(path));
            }
            Err(e) if e.kind() == ErrorKind::AlreadyExists => {
                if is_installed(venv) {
                    return None;
                }
                if lock_is_stale(&path) {
                    remove_lock(&path);
                    continue;
                }
                assert!(
                    Instant::now() < deadline,
                    "waited {}s for another process installing moto (lock {}); remove the lock if no install is running",
                    INSTALL_WAIT.as_secs(),
                    path.display()
                );
                std::thread::sleep(Duration::from_millis(250));
            }
            Err(e) => panic!(
                "cannot create the moto install lock {}: {e}",
                path.display()
            ),
        }
    }
}

/// Run an install step; panic with its stderr (and stdout) if it fails.
fn run_step(cmd: &mut Command, what: &str) {
    let out = cmd
        .stdin(Stdio::null())
        .output()
        .unwrap_or_else(|e| panic!("moto install: cannot run `{what}`: {e}"));
    assert!(
        out.status.success(),
        "moto install: `{what}` failed ({}); the moto contract tests need it.\n--- stderr ---\n{}\n--- stdout ---\n{}",
        out.status,
        String::from_utf8_lossy(&out.stderr),
        String::from_utf8_lossy(&out.stdout),
    );
}

/// Install the pinned moto into the venv unless it is there already; returns `moto_server`.
pub fn ensure_installed() -> PathBuf {
    let venv = venv_dir();
    let server = venv.join("bin/moto_server");
    if is_installed(&venv) {
        return server;
    }
    if let Some(parent) = venv.parent() {
        std::fs::create_dir_all(parent)
            .unwrap_or_else(|e| panic!("cannot create {}: {e}", parent.display()));
    }
    let Some(_lock) = acquire_lock(&venv) else {
        return server;
    };
    if is_installed(&venv) {
        return server;
    }
    run_step(
        Command::new("python3").arg("-m").arg("venv").arg(&venv),
        &format!("python3 -m venv {}", venv.display()),
    );
    run_step(
        Command::new(venv.join("bin/python")).args([
            "-m",
            "pip",
            "install",
            "--disable-pip-version-check",
            "--no-input",
            MOTO_REQUIREMENT,
        ]),
        &format!("pip install '{MOTO_REQUIREMENT}'"),
    );
    assert!(
        is_installed(&venv),
        "pip installed '{MOTO_REQUIREMENT}' into {} but `import moto` does not report {MOTO_VERSION} or bin/moto_server is missing",
        venv.display()
    );
    server
}

/// One running `moto_server` on 127.0.0.1, killed on drop.
pub struct MotoServer {
    /// `http://127.0.0.1:PORT`.
    pub url: String,
    pub addr: SocketAddr,
    child: Child,
    log: tempfile::NamedTempFile,
}

impl Drop for MotoServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("bind 127.0.0.1:0 to pick a port")
        .port()
}

/// One HTTP request to moto's own API; the status code, or `None` if it does not answer yet.
fn moto_api(addr: SocketAddr, method: &str, path: &str) -> Option<u16> {
    let mut stream = TcpStream::connect_timeout(&addr, Duration::from_secs(1)).ok()?;
    stream.set_read_timeout(Some(Duration::from_secs(5))).ok()?;
    let request = format!(
        "{method} {path} HTTP/1.1\r\nHost: {addr}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
    );
    stream.write_all(request.as_bytes()).ok()?;
    let _ = stream.shutdown(Shutdown::Write);
    let mut head = [0u8; 32];
    let mut got = 0;
    while got < 12 {
        match stream.read(&mut head[got..]) {
            Ok(0) | Err(_) => break,
            Ok(n) => got += n,
        }
    }
    let line = std::str::from_utf8(&head[..got]).ok()?;
    line.strip_prefix("HTTP/1.")?.get(2..5)?.parse().ok()
}

fn log_tail(log: &Path) -> String {
    let mut text = String::new();
    if let Ok(mut f) = File::open(log) {
        let _ = f.read_to_string(&mut text);
    }
    let start = text.len().saturating_sub(4000);
    let start = (start..text.len())
        .find(|&i| text.is_char_boundary(i))
        .unwrap_or(text.len());
    text[start..].to_string()
}

impl MotoServer {
    /// Install moto if needed and start a fresh server, ready to answer.
    pub fn start() -> Self {
        let binary = ensure_installed();
        // The port is free when picked but could be taken before moto binds it: retry then.
        let mut failures = Vec::new();
        for _ in 0..3 {
            match Self::spawn(&binary) {
                Ok(server) => return server,
                Err(why) => failures.push(why),
            }
        }
        panic!("moto_server did not start:\n{}", failures.join("\n---\n"));
    }

    fn spawn(binary: &Path) -> Result<Self, String> {
        let port = free_port();
        let addr = SocketAddr::from(([127, 0, 0, 1], port));
        let log = tempfile::Builder::new()
            .prefix("moto-server-")
            .suffix(".log")
            .tempfile()
            .expect("moto log file");
        let out = log.reopen().expect("moto log");
        let err = log.reopen().expect("moto log");
        let child = Command::new(binary)
            .args(["-H", "127.0.0.1", "-p", &port.to_string()])
            .stdin(Stdio::null())
            .stdout(out)
            .stderr(err)
            .spawn()
            .map_err(|e| format!("cannot run {}: {e}", binary.display()))?;
        let mut server = Self {
            url: format!("http://{addr}"),
            addr,
            child,
            log,
        };
        let deadline = Instant::now() + START_DEADLINE;
        loop {
            if let Ok(Some(status)) = server.child.try_wait() {
                return Err(format!(
                    "moto_server on port {port} exited ({status}):\n{}",
                    log_tail(server.log.path())
                ));
            }
            if moto_api(addr, "GET", "/moto-api/") == Some(200) {
                return Ok(server);
            }
            if Instant::now() >= deadline {
                return Err(format!(
                    "moto_server on port {port} did not answer GET /moto-api/ within {}s:\n{}",
                    START_DEADLINE.as_secs(),
                    log_tail(server.log.path())
                ));
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// Wipe every service's state (`POST /moto-api/reset`).
    pub fn reset(&self) {
        assert_eq!(
            moto_api(self.addr, "POST", "/moto-api/reset"),
            Some(200),
            "moto reset failed"
        );
    }

    /// What moto has logged so far (for assertion messages).
    pub fn log(&self) -> String {
        log_tail(self.log.path())
    }
}
