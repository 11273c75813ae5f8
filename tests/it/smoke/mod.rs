//! Smoke checks against the local AgentCore running the sample MCP server: `smoke` passing and
//! failing in every way (exit codes, JSON, JUnit), a deploy whose smoke.toml fails, blue/green
//! and the `require_smoke` gate, and a JWT runtime over bearer.

mod cli;
mod deploy;
mod jwt;
mod rollout;

use std::path::{Path, PathBuf};

use assert_cmd::Command;
use serde_json::Value;

use crate::support::cli::{BIN, World, json};

pub const SAMPLE_DIR: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/assets/sample-mcp-server");

/// A run's exit code, stdout and stderr.
pub struct Ran {
    pub code: i32,
    pub out: String,
    pub err: String,
}

impl Ran {
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.out)
            .unwrap_or_else(|e| panic!("{e}: {}\n{}", self.out, self.err))
    }
}

/// Run the binary in `cwd` (default: the test's) with `--yes` for writes; any exit code.
pub async fn ran(w: &World, cwd: Option<&Path>, args: &[&str]) -> Ran {
    let mut cmd = Command::new(BIN);
    cmd.arg("--config")
        .arg(&w.config)
        .env("AGENTCORE_CONSOLE_STATE_DIR", &w.state)
        .args(args);
    if let Some(dir) = cwd {
        cmd.current_dir(dir);
    }
    let out = tokio::task::spawn_blocking(move || cmd.output().expect("run"))
        .await
        .expect("join");
    Ran {
        code: out.status.code().unwrap_or(-1),
        out: String::from_utf8_lossy(&out.stdout).into_owned(),
        err: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// Deploy the sample server as `runtime` in dev, moving `live`, with these variables; the
/// report.
pub async fn deploy_sample(w: &World, runtime: &str, vars: &[&str]) -> Value {
    let mut args = vec![
        "--env",
        "dev",
        "deploy",
        runtime,
        "--from-dir",
        SAMPLE_DIR,
        "--endpoint",
        "live",
    ];
    for v in vars {
        args.extend(["--env-var", v]);
    }
    json(w, &args).await
}

/// Write `text` as `name` in `dir`; its path.
pub fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, text).expect("write");
    path
}

/// Every `<testcase>` of a JUnit file: (name, failure message if any).
pub fn junit_cases(path: &Path) -> Vec<(String, Option<String>)> {
    use quick_xml::events::Event;
    let xml = std::fs::read_to_string(path).expect("junit file");
    let mut r = quick_xml::Reader::from_str(&xml);
    let mut cases: Vec<(String, Option<String>)> = vec![];
    let attr = |e: &quick_xml::events::BytesStart<'_>, key: &str| {
        e.attributes()
            .filter_map(Result::ok)
            .find(|a| a.key.as_ref() == key.as_bytes())
            .and_then(|a| a.unescape_value().ok().map(|v| v.into_owned()))
    };
    loop {
        match r.read_event().expect("well-formed JUnit") {
            Event::Start(e) | Event::Empty(e) if e.name().as_ref() == b"testcase" => {
                cases.push((attr(&e, "name").expect("name"), None));
            }
            Event::Start(e) | Event::Empty(e) if e.name().as_ref() == b"failure" => {
                if let Some(last) = cases.last_mut() {
                    last.1 = attr(&e, "message");
                }
            }
            Event::Eof => return cases,
            _ => {}
        }
    }
}
