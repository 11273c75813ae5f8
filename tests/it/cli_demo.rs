//! `demo --no-ui` end to end, from the built binary: seeding dev/staging/prod, the CLI pointed
//! at the demo's environments file, live traffic in metrics and logs, the prod guard, a clean
//! stop on a terminal's Ctrl-C, and a restart on the same state dir that reuses everything.
//! Linux only: it finds the demo's server processes in /proc.
#![cfg(target_os = "linux")]

use std::io::{BufRead, BufReader};
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use serde_json::Value;

const BIN: &str = env!("CARGO_BIN_EXE_agentcore-console");
/// Generous: seeding takes seconds, but CI machines are slow and tests run in parallel.
const SEED_BOUND: Duration = Duration::from_secs(60);

struct Demo {
    child: Child,
    config: PathBuf,
    hint: String,
    seeded_in: Duration,
    stderr: PathBuf,
}

/// Start `demo --no-ui` on `state` and wait for its first two stdout lines.
fn start(state: &Path, log: &Path) -> Demo {
    let stderr = std::fs::File::create(log).expect("stderr file");
    let started = Instant::now();
    let mut child = Command::new(BIN)
        .args(["demo", "--no-ui", "--rate", "20", "--state-dir"])
        .arg(state)
        // Its own process group, to be interrupted the way a terminal's Ctrl-C does it.
        .process_group(0)
        .stdout(Stdio::piped())
        .stderr(stderr)
        .spawn()
        .expect("spawn demo");
    let stdout = child.stdout.take().expect("stdout");
    let (tx, rx) = mpsc::channel();
    // Keeps reading until the demo exits, so its stdout never breaks.
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines() {
            if tx.send(line.unwrap_or_default()).is_err() {
                break;
            }
        }
    });
    let first = rx.recv_timeout(SEED_BOUND);
    let seeded_in = started.elapsed();
    let Ok(first) = first else {
        let _ = child.kill();
        panic!(
            "no environments file printed within {SEED_BOUND:?}; stderr:\n{}",
            std::fs::read_to_string(log).unwrap_or_default()
        );
    };
    let hint = rx.recv_timeout(Duration::from_secs(5)).expect("hint line");
    eprintln!("demo seeded and serving after {seeded_in:?}");
    Demo {
        config: PathBuf::from(first),
        hint,
        seeded_in,
        stderr: log.to_path_buf(),
        child,
    }
}

/// Processes whose parent is `pid`, with their start times (field 22 of /proc/PID/stat).
fn children(pid: u32) -> Vec<(u32, String)> {
    let mut out = vec![];
    for entry in std::fs::read_dir("/proc").expect("/proc").flatten() {
        let Some(n) = entry
            .file_name()
            .to_str()
            .and_then(|s| s.parse::<u32>().ok())
        else {
            continue;
        };
        if let Some((state, ppid, start)) = stat(n)
            && ppid == pid
            && state != "Z"
        {
            out.push((n, start));
        }
    }
    out
}

/// (state, parent pid, start time) of a live process.
fn stat(pid: u32) -> Option<(String, u32, String)> {
    let text = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    let fields: Vec<&str> = text.rsplit_once(')')?.1.split_whitespace().collect();
    Some((
        fields.first()?.to_string(),
        fields.get(1)?.parse().ok()?,
        fields.get(19)?.to_string(),
    ))
}

impl Demo {
    /// Run the CLI against the demo: (exit ok, stdout, stderr).
    fn cli(&self, args: &[&str]) -> (bool, String, String) {
        let console_state = self.config.with_file_name("console-state");
        let out = Command::new(BIN)
            .arg("--config")
            .arg(&self.config)
            .env("AGENTCORE_CONSOLE_STATE_DIR", console_state)
            .args(args)
            .output()
            .expect("run cli");
        (
            out.status.success(),
            String::from_utf8_lossy(&out.stdout).into_owned(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    }

    fn json(&self, args: &[&str]) -> Value {
        let mut all = args.to_vec();
        all.extend(["--output", "json"]);
        let (ok, out, err) = self.cli(&all);
        assert!(ok, "{args:?} failed: {err}");
        serde_json::from_str(&out).unwrap_or_else(|e| panic!("{args:?}: {e}: {out}"))
    }

    /// SIGINT, then: exit 0, and no server process it started is left.
    fn interrupt(mut self) -> String {
        // One server per version an endpoint serves (after a restart they come back in the
        // background, so wait for them).
        let deadline = Instant::now() + Duration::from_secs(30);
        let servers = loop {
            let servers = children(self.child.id());
            if servers.len() >= 13 {
                break servers;
            }
            assert!(Instant::now() < deadline, "servers: {servers:?}");
            std::thread::sleep(Duration::from_millis(100));
        };
        // To the whole process group, as Ctrl-C at a terminal.
        let sent = Command::new("kill")
            .args(["-INT", "--", &format!("-{}", self.child.id())])
            .status()
            .expect("kill");
        assert!(sent.success());
        let deadline = Instant::now() + Duration::from_secs(60);
        let status = loop {
            if let Some(s) = self.child.try_wait().expect("wait") {
                break s;
            }
            assert!(Instant::now() < deadline, "the demo did not stop on SIGINT");
            std::thread::sleep(Duration::from_millis(50));
        };
        let log = std::fs::read_to_string(&self.stderr).unwrap_or_default();
        assert!(status.success(), "exit {status}; stderr:\n{log}");
        assert!(
            !log.contains("restarting"),
            "the servers were stopped by the demo, not by the signal:\n{log}"
        );
        for (pid, start) in &servers {
            let alive = stat(*pid).filter(|(state, _, s)| s == start && state != "Z");
            assert!(alive.is_none(), "server process {pid} outlived the demo");
        }
        log
    }
}

/// (env, runtime, latest version, [(endpoint, live version)]).
type Row = (String, String, String, Vec<(String, String)>);

fn runtimes_by_env(rows: &Value) -> Vec<Row> {
    let mut out: Vec<_> = rows
        .as_array()
        .expect("array")
        .iter()
        .map(|r| {
            let mut eps: Vec<(String, String)> = r["endpoints"]
                .as_array()
                .expect("endpoints")
                .iter()
                .filter(|e| e["name"] != "DEFAULT")
                .map(|e| {
                    (
                        e["name"].as_str().expect("name").to_string(),
                        e["liveVersion"].as_str().unwrap_or("-").to_string(),
                    )
                })
                .collect();
            eps.sort();
            (
                r["env"].as_str().expect("env").to_string(),
                r["name"].as_str().expect("name").to_string(),
                r["latestVersion"].as_str().expect("latest").to_string(),
                eps,
            )
        })
        .collect();
    out.sort();
    out
}

fn audit_lines(state: &Path) -> Vec<Value> {
    std::fs::read_to_string(state.join("audit.jsonl"))
        .unwrap_or_default()
        .lines()
        .map(|l| serde_json::from_str(l).expect("audit line"))
        .collect()
}

/// Totals of one endpoint of the runtime `metrics` was asked about.
fn leg(metrics: &Value, endpoint: &str) -> (f64, f64) {
    let e = metrics[0]["endpoints"]
        .as_array()
        .expect("endpoints")
        .iter()
        .find(|e| e["endpoint"] == endpoint);
    let total = |k: &str| e.and_then(|e| e["totals"][k].as_f64()).unwrap_or(0.0);
    (total("invocations"), total("errors"))
}

/// Prod's runtimes have the JWT authorizer of the local issuer, a VPC and 90-day logs; dev's
/// are public, IAM, 7 days. The console calls prod's with the token_command's token.
fn check_posture(demo: &Demo) {
    use aws_sdk_bedrockagentcorecontrol::types::{AuthorizerConfiguration, NetworkMode};
    let config = agentcore_console::config::Config::load(&demo.config).expect("config");
    let rt = tokio::runtime::Runtime::new().expect("runtime");
    rt.block_on(async {
        for env in &config.environments {
            let c = agentcore_console::backend::Clients::build(env).await;
            for name in ["weather_mcp", "tickets_mcp"] {
                let r = agentcore_console::backend::runtimes::resolve(&c, name)
                    .await
                    .expect("runtime");
                let got = c
                    .control
                    .get_agent_runtime()
                    .agent_runtime_id(r.agent_runtime_id())
                    .send()
                    .await
                    .expect("get");
                let mode = got
                    .network_configuration()
                    .map(|n| n.network_mode().clone());
                let group = format!(
                    "/aws/bedrock-agentcore/runtimes/{}-live",
                    r.agent_runtime_id()
                );
                let groups = c
                    .logs
                    .describe_log_groups()
                    .log_group_name_prefix(&group)
                    .send()
                    .await
                    .expect("log groups");
                let retention = groups.log_groups()[0].retention_in_days();
                let at = format!("{}/{name}", env.name);
                if env.name == "prod" {
                    let Some(AuthorizerConfiguration::CustomJwtAuthorizer(j)) =
                        got.authorizer_configuration()
                    else {
                        panic!("{at} has no JWT authorizer: {got:?}");
                    };
                    let issuer = format!(
                        "{}/_local/oidc/.well-known/openid-configuration",
                        env.endpoint_url.as_deref().expect("url")
                    );
                    assert_eq!(j.discovery_url(), issuer, "{at}");
                    assert_eq!(mode, Some(NetworkMode::Vpc), "{at}");
                    assert_eq!(retention, Some(90), "{at}");
                } else if env.name == "dev" {
                    assert!(got.authorizer_configuration().is_none(), "{at}");
                    assert_eq!(mode, Some(NetworkMode::Public), "{at}");
                    assert_eq!(retention, Some(7), "{at}");
                }
            }
        }
    });
    // Through prod's token_command: the tools and a call.
    let (ok, out, err) = demo.cli(&["--env", "prod", "tools", "tickets_mcp"]);
    assert!(ok && out.contains("echo"), "{out}\n{err}");
    let (ok, out, err) = demo.cli(&[
        "--env",
        "prod",
        "invoke",
        "tickets_mcp",
        "--tool",
        "echo",
        "--args",
        r#"{"text":"over bearer"}"#,
    ]);
    assert!(ok && out.contains("over bearer"), "{out}\n{err}");
}

fn check_seeded(demo: &Demo) {
    check_posture(demo);
    let envs = demo.json(&["envs"]);
    let envs: Vec<(String, String, bool)> = envs
        .as_array()
        .expect("envs")
        .iter()
        .map(|e| {
            (
                e["name"].as_str().expect("name").to_string(),
                e["region"].as_str().expect("region").to_string(),
                e["readOnly"].as_bool().expect("readOnly"),
            )
        })
        .collect();
    assert_eq!(
        envs,
        [
            ("dev".into(), "us-west-2".into(), false),
            ("staging".into(), "eu-west-1".into(), false),
            ("prod".into(), "us-east-1".into(), true),
        ]
    );
    let (ok, table, _) = demo.cli(&["envs"]);
    assert!(ok && table.contains("read-only"), "{table}");

    let both = vec![
        ("canary".to_string(), "2".to_string()),
        ("live".into(), "1".into()),
    ];
    let rt = |env: &str, name: &str, latest: &str, eps: &Vec<(String, String)>| {
        (
            env.to_string(),
            name.to_string(),
            latest.to_string(),
            eps.clone(),
        )
    };
    let mut expected = vec![
        rt("dev", "docs_mcp", "1", &vec![("live".into(), "1".into())]),
        rt("dev", "tickets_mcp", "2", &both),
        rt("dev", "weather_mcp", "2", &both),
        rt("prod", "tickets_mcp", "2", &both),
        rt("staging", "tickets_mcp", "2", &both),
    ];
    expected.sort();
    // weather_mcp's endpoints in staging and prod move with their rollouts.
    let (rolled, rest): (Vec<Row>, Vec<Row>) = runtimes_by_env(&demo.json(&["runtimes"]))
        .into_iter()
        .partition(|(env, name, _, _)| name == "weather_mcp" && env != "dev");
    assert_eq!(rest, expected);
    assert_eq!(rolled.len(), 2, "{rolled:?}");
    for (env, _, latest, eps) in &rolled {
        let names: Vec<&str> = eps.iter().map(|(n, _)| n.as_str()).collect();
        assert_eq!(
            (latest.as_str(), names),
            ("2", vec!["canary", "live"]),
            "{env}"
        );
    }
    // Both rollouts are the demo's, on the environment's `demo` plan, version 2 against 1.
    for env in ["staging", "prod"] {
        let s = demo.json(&["--env", env, "rollout", "status", "weather_mcp"]);
        assert_eq!(s["plan"]["name"], "demo", "{s}");
        assert_eq!(
            (&s["versions"]["canary"], &s["versions"]["stable"]),
            (&Value::from("2"), &Value::from("1")),
            "{s}"
        );
        assert_ne!(s["state"], "stalled", "the demo drives it: {s}");
    }
}

/// The rollout's status once it has ended (or the deadline passed).
fn ended(demo: &Demo, env: &str, within: Duration) -> Value {
    let deadline = Instant::now() + within;
    loop {
        let s = demo.json(&["--env", env, "rollout", "status", "weather_mcp"]);
        let state = s["state"].as_str().unwrap_or_default().to_string();
        if ["promoted", "rolled-back", "aborted"].contains(&state.as_str()) {
            return s;
        }
        assert!(
            Instant::now() < deadline,
            "{env}: the rollout has not ended in time: {s}"
        );
        std::thread::sleep(Duration::from_secs(2));
    }
}

#[test]
fn demo_seeds_three_environments_serves_traffic_stops_cleanly_and_restarts_from_its_state() {
    let dir = tempfile::tempdir().expect("tempdir");
    let state = dir.path().join("demo");
    let demo = start(&state, &dir.path().join("first.log"));
    assert!(
        demo.config.is_absolute() && demo.config.starts_with(state.canonicalize().expect("abs")),
        "{:?}",
        demo.config
    );
    assert!(
        demo.hint.contains("--config") && demo.hint.contains("runtimes"),
        "{}",
        demo.hint
    );
    check_seeded(&demo);
    let seeded = audit_lines(&state);
    let actions = |env: &str, action: &str| {
        seeded
            .iter()
            .filter(|e| e["env"] == env && e["action"] == action && e["result"] == "ok")
            .count()
    };
    assert_eq!(
        actions("prod", "deploy"),
        4,
        "every seeding step is audited"
    );
    assert!(
        actions("prod", "traffic.set") >= 1,
        "the gateway route, then the rollout's"
    );

    // The guard holds on the seeded prod: nothing changes without --arm.
    let (ok, _, err) = demo.cli(&["--env", "prod", "traffic", "abort", "weather_mcp"]);
    assert!(!ok && err.contains("read-only"), "{err}");
    let (ok, _, err) = demo.cli(&["--env", "prod", "rollout", "abort", "weather_mcp", "--yes"]);
    assert!(!ok && err.contains("read-only"), "{err}");
    let (ok, _, err) = demo.cli(&[
        "--env",
        "prod",
        "rollback",
        "weather_mcp",
        "--endpoint",
        "canary",
        "--yes",
    ]);
    assert!(
        !ok && err.contains("read-only") && err.contains("--arm"),
        "{err}"
    );

    // The traffic reaches both legs through the gateway; the canary fails more.
    let deadline = Instant::now() + Duration::from_secs(90);
    let metrics = loop {
        let m = demo.json(&["--env", "prod", "metrics", "weather_mcp", "--since", "10m"]);
        let ((live_n, live_e), (canary_n, canary_e)) = (leg(&m, "live"), leg(&m, "canary"));
        if live_n > 0.0 && canary_n > 0.0 && canary_e > 0.0 && canary_e / canary_n > live_e / live_n
        {
            break m;
        }
        assert!(
            Instant::now() < deadline,
            "no canary errors seen in time: {m}"
        );
        std::thread::sleep(Duration::from_millis(500));
    };
    let (live_n, canary_n) = (leg(&metrics, "live").0, leg(&metrics, "canary").0);
    // prod's tickets_mcp is called on `live` with bearer tokens from its token_command.
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let m = demo.json(&["--env", "prod", "metrics", "tickets_mcp", "--since", "10m"]);
        if leg(&m, "live").0 > 0.0 {
            break;
        }
        assert!(Instant::now() < deadline, "no bearer traffic on prod: {m}");
        std::thread::sleep(Duration::from_millis(500));
    }
    eprintln!("prod weather_mcp: {live_n} invocations on live, {canary_n} on canary");
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let (ok, out, err) = demo.cli(&["--env", "prod", "logs", "weather_mcp", "--since", "5m"]);
        assert!(ok, "{err}");
        if out.lines().filter(|l| l.contains("tools/call")).count() > 0 {
            break;
        }
        assert!(Instant::now() < deadline, "no logs: {out}");
        std::thread::sleep(Duration::from_millis(500));
    }
    // The standard alarms are on every runtime.
    assert_eq!(
        seeded
            .iter()
            .filter(|e| e["action"] == "alarms.apply" && e["result"] == "ok")
            .count(),
        7,
        "alarms applied to every runtime, audited"
    );
    // prod's failing version is rolled back by its gates, with the numbers that decided it;
    // staging's healthy one is promoted.
    let prod = ended(&demo, "prod", Duration::from_secs(240));
    assert_eq!(prod["state"], "rolled-back", "{prod}");
    let reason = prod["reason"].as_str().unwrap_or_default();
    assert!(
        reason.contains("max_error_rate") && reason.contains("n="),
        "{prod}"
    );
    // The decision is recorded first, then acted on: the canary endpoint may still be moving.
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let view = demo.json(&["--env", "prod", "traffic", "show", "weather_mcp"]);
        assert_eq!(view["routes"][0]["weight"], 100, "all back on live: {view}");
        if view["canary"]["liveVersion"] == "1" && view["canary"]["status"] == "READY" {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "the canary endpoint is not back: {view}"
        );
        std::thread::sleep(Duration::from_millis(500));
    }
    let staging = ended(&demo, "staging", Duration::from_secs(240));
    assert_eq!(staging["state"], "promoted", "{staging}");
    let view = demo.json(&["--env", "staging", "traffic", "show", "weather_mcp"]);
    assert_eq!(
        view["stable"]["liveVersion"], "2",
        "live serves the new version: {view}"
    );
    let audit = audit_lines(&state);
    let audited_ok = |env: &str, action: &str| {
        audit
            .iter()
            .filter(|e| e["env"] == env && e["action"] == action && e["result"] == "ok")
            .count()
    };
    assert_eq!(
        [
            audited_ok("staging", "rollout.start"),
            audited_ok("staging", "rollout.promote"),
            audited_ok("prod", "rollout.start"),
            audited_ok("prod", "rollout.rollback"),
        ],
        [1, 1, 1, 1],
        "each rollout's start and end are audited"
    );
    let first_time = demo.seeded_in;
    let log = demo.interrupt();
    assert!(
        !log.contains("demo traffic: bad call"),
        "the generator sent calls the tools refuse:\n{log}"
    );

    // A restart reuses the state: no deploys, the same runtimes, history kept.
    let audited = audit_lines(&state).len();
    let again = start(&state, &dir.path().join("second.log"));
    eprintln!("first start {first_time:?}, restart {:?}", again.seeded_in);
    assert!(
        again.seeded_in < first_time,
        "a restart skips what exists: {:?} vs {first_time:?}",
        again.seeded_in
    );
    assert_eq!(
        audit_lines(&state).len(),
        audited,
        "nothing was redeployed, no ended rollout started again"
    );
    check_seeded(&again);
    let m = again.json(&["--env", "prod", "metrics", "weather_mcp", "--since", "15m"]);
    assert!(
        leg(&m, "live").0 >= live_n && leg(&m, "canary").0 >= canary_n,
        "metrics survive the restart: {m}"
    );
    let log = again.interrupt();
    assert!(log.contains("already seeded"), "{log}");
}
