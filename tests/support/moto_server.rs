//! moto (`moto[server]==5.2.5`), installed into a venv under `target/` on first use and run on
//! a free loopback port: an independent implementation of the AWS APIs to check ours against.
//! If it cannot be installed, the tests fail loudly; they never skip.
#![allow(dead_code)]

use std::net::{TcpListener, TcpStream};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const MOTO: &str = "moto[server]==5.2.5";

fn target_dir() -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target"))
}

fn venv() -> PathBuf {
    target_dir().join("moto-venv")
}

fn installed() -> bool {
    let python = venv().join("bin/python");
    venv().join("bin/moto_server").is_file()
        && Command::new(&python)
            .args(["-c", "import moto; assert moto.__version__ == '5.2.5'"])
            .status()
            .is_ok_and(|s| s.success())
}

/// Install moto once, even with several test processes racing (a lock directory).
fn install() {
    if installed() {
        return;
    }
    std::fs::create_dir_all(target_dir()).expect("target dir");
    let lock = target_dir().join("moto-venv.lock");
    let deadline = Instant::now() + Duration::from_secs(600);
    while std::fs::create_dir(&lock).is_err() {
        if installed() {
            return;
        }
        let stale = std::fs::metadata(&lock)
            .and_then(|m| m.modified())
            .is_ok_and(|t| t.elapsed().unwrap_or_default() > Duration::from_secs(900));
        if stale {
            let _ = std::fs::remove_dir(&lock);
        }
        assert!(
            Instant::now() < deadline,
            "timed out waiting for another moto install ({})",
            lock.display()
        );
        std::thread::sleep(Duration::from_millis(500));
    }
    let result = (|| {
        if installed() {
            return Ok(());
        }
        let run = |cmd: &mut Command, what: &str| -> Result<(), String> {
            let out = cmd
                .output()
                .map_err(|e| format!("{what}: cannot run: {e}"))?;
            if out.status.success() {
                Ok(())
            } else {
                Err(format!(
                    "{what} failed ({}):\n{}",
                    out.status,
                    String::from_utf8_lossy(&out.stderr)
                ))
            }
        };
        run(
            Command::new("python3").args(["-m", "venv"]).arg(venv()),
            "python3 -m venv",
        )?;
        run(
            Command::new(venv().join("bin/pip")).args([
                "install",
                "--quiet",
                "--disable-pip-version-check",
                MOTO,
            ]),
            &format!("pip install {MOTO}"),
        )
    })();
    let _ = std::fs::remove_dir(&lock);
    if let Err(e) = result {
        panic!("moto is needed for the contract tests and could not be installed: {e}");
    }
}

pub struct Moto {
    pub url: String,
    child: Child,
}

impl Drop for Moto {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A fresh moto server on 127.0.0.1, ready to answer.
pub fn start() -> Moto {
    install();
    let port = TcpListener::bind("127.0.0.1:0")
        .expect("port")
        .local_addr()
        .expect("addr")
        .port();
    let child = Command::new(venv().join("bin/moto_server"))
        .args(["-H", "127.0.0.1", "-p", &port.to_string()])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start moto_server");
    let mut moto = Moto {
        url: format!("http://127.0.0.1:{port}"),
        child,
    };
    let deadline = Instant::now() + Duration::from_secs(30);
    while TcpStream::connect(("127.0.0.1", port)).is_err() {
        if let Ok(Some(status)) = moto.child.try_wait() {
            panic!("moto_server exited at start ({status})");
        }
        assert!(
            Instant::now() < deadline,
            "moto_server did not listen within 30s"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    moto
}
