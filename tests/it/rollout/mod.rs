//! `backend::rollout::{driver, control}` against the local AgentCore: the sample MCP server on
//! `live` (v1) and a new version (v2, healthy or failing on purpose), seconds-long plans, and
//! a traffic driver opening sessions through the gateway as clients do. Each test has its own
//! local AgentCore, so they run concurrently.

mod blue_green;
mod controls;
mod gated;
mod lease;

use std::sync::Arc;
use std::time::{Duration, Instant};

use agentcore_console::backend::audit::{Actor, AuditLog};
use agentcore_console::backend::rollout::{self, Driving, Event, Outcome, StartRequest, driver};
use agentcore_console::backend::{Backend, BackendError, traffic};
use agentcore_console::domain::rollout::{Gates, Plan, PlanKind, RolloutState, Step};
use serde_json::Value;
use tokio::sync::{mpsc, watch};
use tokio::task::JoinHandle;

use crate::support::cli::{World, json, world};
use crate::support::emulator as support;
use crate::support::sessions::{header, post};

const SAMPLE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/assets/sample-mcp-server");
const RUNTIME: &str = "weather";

/// A local AgentCore with `weather` v1 on `live` (and on `canary` when `canary_from`), a v2
/// with `v2_env` set, and a Backend on it as the first operator's console.
struct Rig {
    w: World,
    backend: Arc<Backend>,
    audit: AuditLog,
}

async fn rig(v2_env: &[&str], canary_on_v1: bool) -> Rig {
    let w = world().await;
    deploy(&w, &["APP_VERSION=1"], Some("live")).await;
    if canary_on_v1 {
        let args = [
            "--env",
            "dev",
            "point",
            RUNTIME,
            "--endpoint",
            "canary",
            "--version",
            "1",
        ];
        json(&w, &args).await;
    }
    let mut vars = vec!["APP_VERSION=2"];
    vars.extend(v2_env);
    deploy(&w, &vars, None).await;
    let backend = Arc::new(backend(&w));
    let audit = AuditLog::at(w.state.join("audit.jsonl"));
    Rig { w, backend, audit }
}

/// Another console on the same account (its own clients).
fn backend(w: &World) -> Backend {
    Backend::new(vec![support::env("dev", &w.local.url, "us-west-2", None)])
}

async fn deploy(w: &World, vars: &[&str], endpoint: Option<&str>) {
    let mut args = vec!["--env", "dev", "deploy", RUNTIME, "--from-dir", SAMPLE];
    for v in vars {
        args.extend(["--env-var", v]);
    }
    if let Some(e) = endpoint {
        args.extend(["--endpoint", e]);
    }
    args.push("--yes");
    json(w, &args).await;
}

fn actor(user: &str) -> Actor {
    Actor {
        user: user.into(),
        command: format!("agentcore-console rollout … {RUNTIME} (as {user})"),
    }
}

/// Gates judged every second on at least 5 calls, rolling back on 2 failures in a row.
fn gates() -> Gates {
    Gates {
        interval: Duration::from_secs(1),
        min_invocations: 5,
        failure_limit: 2,
        ..Gates::default()
    }
}

fn canary(steps: &[(u8, u64)], gates: Gates) -> Plan {
    Plan {
        name: "test".into(),
        kind: PlanKind::Canary,
        steps: steps
            .iter()
            .map(|(weight, bake)| Step::Weight {
                weight: *weight,
                bake: Duration::from_secs(*bake),
            })
            .collect(),
        gates,
    }
}

fn request(plan: Plan) -> StartRequest {
    StartRequest {
        env: "dev".into(),
        runtime: RUNTIME.into(),
        canary_version: "2".into(),
        plan,
        smoke: None,
    }
}

/// A driver running in its own task, as `rollout start`/`resume` run it.
struct Driver {
    task: JoinHandle<Result<Outcome, BackendError>>,
    events: mpsc::UnboundedReceiver<Event>,
    stop: watch::Sender<bool>,
}

impl Driver {
    async fn outcome(self) -> (Result<Outcome, BackendError>, Vec<Event>) {
        let Driver {
            task,
            mut events,
            stop,
        } = self;
        let outcome = tokio::time::timeout(Duration::from_secs(90), task).await;
        drop(stop);
        let mut all = vec![];
        while let Ok(e) = events.try_recv() {
            all.push(e);
        }
        // A driver still waiting says why in its last events (a pause names its reason).
        let Ok(outcome) = outcome else {
            let last: Vec<_> = all
                .iter()
                .rev()
                .take(3)
                .map(|e| (&e.event, &e.message))
                .collect();
            panic!("the driver did not end within 90 s; its last events: {last:#?}");
        };
        (outcome.expect("driver task"), all)
    }
}

/// Start `plan` as user `ana` in a task.
fn start(r: &Rig, plan: Plan) -> Driver {
    let (backend, audit) = (Arc::clone(&r.backend), r.audit.clone());
    let (tx, events) = mpsc::unbounded_channel();
    let (stop, stop_rx) = watch::channel(false);
    let task = tokio::spawn(async move {
        let actor = actor("ana");
        let driving = Driving {
            actor: &actor,
            audit: &audit,
            events: tx,
            stop: stop_rx,
        };
        driver::start(&backend, request(plan), false, driving).await
    });
    Driver { task, events, stop }
}

/// `rollout resume` as `user` in a task, from another console (its own Backend).
fn resume(r: &Rig, user: &'static str) -> Driver {
    let (backend, audit) = (backend(&r.w), r.audit.clone());
    let (tx, events) = mpsc::unbounded_channel();
    let (stop, stop_rx) = watch::channel(false);
    let task = tokio::spawn(async move {
        let actor = actor(user);
        let driving = Driving {
            actor: &actor,
            audit: &audit,
            events: tx,
            stop: stop_rx,
        };
        driver::resume(&backend, "dev", RUNTIME, false, driving).await
    });
    Driver { task, events, stop }
}

async fn status(b: &Backend) -> RolloutState {
    rollout::status(b, "dev", RUNTIME)
        .await
        .expect("status")
        .expect("a rollout")
}

/// Poll the rollout until `ready` holds (at most `within`); the last state read.
async fn until(
    b: &Backend,
    within: Duration,
    ready: impl Fn(&RolloutState) -> bool,
) -> RolloutState {
    let deadline = Instant::now() + within;
    loop {
        // The object appears once the driver created it.
        let s = rollout::status(b, "dev", RUNTIME).await.expect("status");
        match s {
            Some(s) if ready(&s) || Instant::now() > deadline => return s,
            None if Instant::now() > deadline => panic!("no rollout within {within:?}"),
            _ => {}
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// `traffic show` through the Backend.
async fn split(b: &Backend) -> traffic::TrafficView {
    traffic::show(b, "dev", RUNTIME)
        .await
        .expect("traffic show")
}

/// The canary's configured weight (0 when no rule routes to it).
fn canary_weight(v: &traffic::TrafficView) -> i32 {
    v.routes
        .iter()
        .find(|r| r.target.ends_with("-canary"))
        .map_or(0, |r| r.weight)
}

const INIT: &str = r#"{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"t","version":"1"}}}"#;
const ECHO: &str = r#"{"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":"echo","arguments":{"text":"hi"}}}"#;

/// Clients calling the runtime through the gateway: a new session (routed by the weights of
/// the moment), then 3 `echo` calls in it, over and over, until dropped.
struct Traffic(JoinHandle<()>);

impl Drop for Traffic {
    fn drop(&mut self) {
        self.0.abort();
    }
}

fn traffic(r: &Rig) -> Traffic {
    let backend = Arc::clone(&r.backend);
    Traffic(tokio::spawn(async move {
        // The gateway exists once the rollout set its first split.
        let url = loop {
            if let Ok(v) = traffic::show(&backend, "dev", RUNTIME).await
                && let (Some(url), false) = (v.gateway_url, v.routes.is_empty())
            {
                break url;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        };
        loop {
            let (status, resp) = post(&url, None, INIT).await;
            if status != 200 {
                continue;
            }
            let session = header(&resp, "mcp-session-id");
            for _ in 0..3 {
                post(&url, Some(&session), ECHO).await;
            }
        }
    }))
}

/// The audit entries of `action`.
fn audited(w: &World, action: &str) -> Vec<Value> {
    crate::support::cli::audit(w)
        .into_iter()
        .filter(|e| e["action"] == action)
        .collect()
}

fn log_events(s: &RolloutState) -> Vec<&str> {
    s.log.iter().map(|e| e.event.as_str()).collect()
}
