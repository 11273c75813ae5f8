//! Fixed data for the TUI's tests: three environments (prod protected), runtimes with a
//! canary, metrics, a runtime in detail with its audit history. Everything deterministic.

use ratatui::Terminal;
use ratatui::backend::TestBackend;
use serde_json::json;

use super::action::Action;
use super::app::App;
use super::io::{EnvSnapshot, Job, Reply, Request, Response, RuntimeView};
use super::keymap::Keymap;
use super::theme::Theme;
use super::time::Millis;
use crate::backend::metrics::{EndpointMetrics, RuntimeMetrics, Totals};
use crate::backend::traffic::Split;
use crate::domain::audit::AuditEntry;
use crate::domain::{Endpoint, Environment, Runtime, RuntimeDetail, RuntimeVersion, Status};

pub fn envs() -> Vec<Environment> {
    ["dev", "staging", "prod"]
        .into_iter()
        .map(|name| Environment {
            name: name.into(),
            region: Some("us-east-1".into()),
            endpoint_url: Some("http://127.0.0.1:4590".into()),
            read_only: Environment::default_read_only(name),
            ..Environment::default()
        })
        .collect()
}

pub fn app_with(theme: Theme) -> App {
    app_over(envs(), theme)
}

/// An app over these environments (the usual keymap and command line).
pub fn app_over(envs: Vec<Environment>, theme: Theme) -> App {
    App::new(
        envs,
        Keymap::default(),
        theme,
        vec![
            "agentcore-console".into(),
            "--config".into(),
            "/etc/agentcore/environments.toml".into(),
        ],
    )
}

pub fn app() -> App {
    app_with(Theme::colored())
}

pub fn endpoint(name: &str, live: &str, target: &str, status: Status) -> Endpoint {
    Endpoint {
        name: name.into(),
        live_version: Some(live.into()),
        target_version: Some(target.into()),
        status,
        arn: None,
        description: None,
        failure_reason: None,
        last_updated_at: Some("2026-11-24T09:58:00Z".into()),
    }
}

pub fn runtime(env: &str, name: &str, status: Status, latest: &str, eps: Vec<Endpoint>) -> Runtime {
    Runtime {
        env: env.into(),
        name: name.into(),
        id: format!("{name}-AbC123xyz"),
        arn: format!("arn:aws:bedrock-agentcore:us-east-1:123456789012:runtime/{name}-AbC123xyz"),
        status,
        latest_version: latest.into(),
        description: None,
        last_updated_at: Some("2026-11-24T09:58:00Z".into()),
        endpoints: eps,
        lineage: None,
    }
}

fn series(values: &[f64]) -> Vec<Option<f64>> {
    values.iter().map(|v| (*v >= 0.0).then_some(*v)).collect()
}

pub fn metrics(env: &str, runtime: &str, errors: f64, sessions: (f64, f64)) -> RuntimeMetrics {
    let latency = [
        120.0, 130.0, 125.0, 180.0, 240.0, 210.0, 160.0, 150.0, -1.0, 140.0, 135.0, 300.0, 220.0,
        190.0, 170.0, 160.0,
    ];
    let leg = |name: &str, invocations: f64, errors: f64, sessions: f64| EndpointMetrics {
        endpoint: name.into(),
        version: None,
        latency_p99: series(&latency),
        totals: Totals {
            invocations,
            errors,
            sessions,
            ..Totals::default()
        },
        ..EndpointMetrics::default()
    };
    RuntimeMetrics {
        env: env.into(),
        runtime: runtime.into(),
        runtime_arn: String::new(),
        period: 60,
        timestamps: (0..latency.len() as i64).map(|i| i * 60).collect(),
        endpoints: vec![
            leg("live", 800.0, errors, sessions.0),
            leg("canary", 200.0, 0.0, sessions.1),
        ],
    }
}

/// dev: weather (with a 10% canary) and docs; staging: weather mid-update; prod: weather and a
/// failed docs.
pub fn snapshot(env: &str) -> EnvSnapshot {
    let ready = Status::Ready;
    match env {
        "dev" => EnvSnapshot {
            runtimes: vec![
                runtime(
                    "dev",
                    "docs_mcp",
                    ready.clone(),
                    "2",
                    vec![endpoint("DEFAULT", "2", "2", ready.clone())],
                ),
                runtime(
                    "dev",
                    "weather_mcp",
                    ready.clone(),
                    "5",
                    vec![
                        endpoint("DEFAULT", "5", "5", ready.clone()),
                        endpoint("canary", "5", "5", ready.clone()),
                        endpoint("live", "4", "4", ready.clone()),
                    ],
                ),
            ],
            metrics: Ok(vec![metrics("dev", "weather_mcp", 4.0, (88.0, 12.0))]),
            splits: Ok(vec![Split {
                runtime: "weather_mcp".into(),
                stable: 90,
                canary: 10,
            }]),
            rollouts: Ok(Default::default()),
            drift: Ok(Default::default()),
        },
        "staging" => EnvSnapshot {
            runtimes: vec![runtime(
                "staging",
                "weather_mcp",
                Status::Updating,
                "4",
                vec![endpoint("live", "3", "4", Status::Updating)],
            )],
            metrics: Ok(vec![metrics("staging", "weather_mcp", 0.0, (10.0, 0.0))]),
            splits: Ok(vec![]),
            rollouts: Ok(Default::default()),
            drift: Ok(Default::default()),
        },
        _ => EnvSnapshot {
            runtimes: vec![
                runtime(env, "docs_mcp", Status::CreateFailed, "1", vec![]),
                runtime(
                    env,
                    "weather_mcp",
                    ready.clone(),
                    "4",
                    vec![
                        endpoint("DEFAULT", "4", "4", ready.clone()),
                        endpoint("live", "3", "3", ready.clone()),
                    ],
                ),
            ],
            metrics: Ok(vec![metrics(env, "weather_mcp", 80.0, (10.0, 0.0))]),
            splits: Ok(vec![]),
            rollouts: Ok(Default::default()),
            drift: Ok(Default::default()),
        },
    }
}

pub fn entry(env: &str, action: &str, from: &str, to: &str, result: &str) -> AuditEntry {
    AuditEntry {
        time: "2026-11-24T09:58:00Z".into(),
        user: "alice".into(),
        identity: Some("arn:aws:sts::123456789012:assumed-role/oncall/alice".into()),
        env: env.into(),
        action: action.into(),
        target: "weather_mcp".into(),
        before: json!({"version": from, "endpoint": "live"}),
        after: json!({"version": to, "endpoint": "live"}),
        result: result.into(),
        command: format!("agentcore-console --env {env} deploy weather_mcp --endpoint live"),
    }
}

/// weather_mcp in prod: v1..v4 (v2 failed), live on 3 (moved there from 1 by a deploy).
pub fn runtime_view() -> RuntimeView {
    let version = |v: &str, status: Status| RuntimeVersion {
        version: v.into(),
        status,
        description: Some(format!("release {v}")),
        last_updated_at: Some(format!("2026-11-2{v}T10:00:00Z")),
        lineage: None,
    };
    let rt = runtime(
        "prod",
        "weather_mcp",
        Status::Ready,
        "4",
        vec![
            endpoint("DEFAULT", "4", "4", Status::Ready),
            endpoint("live", "3", "3", Status::Ready),
            endpoint("canary", "4", "4", Status::Ready),
        ],
    );
    RuntimeView {
        detail: RuntimeDetail {
            artifact: Some(
                "s3://agentcore-console-123456789012-us-east-1/weather_mcp/9f2c.zip".into(),
            ),
            language_runtime: Some("PYTHON_3_12".into()),
            entry_point: vec!["main.py".into()],
            protocol: Some("MCP".into()),
            role_arn: Some("arn:aws:iam::123456789012:role/AgentCoreRuntime".into()),
            failure_reason: None,
            created_at: Some("2026-11-21T10:00:00Z".into()),
            log_groups: vec![
                "/aws/bedrock-agentcore/runtimes/weather_mcp-AbC123xyz-DEFAULT".into(),
                "/aws/bedrock-agentcore/runtimes/weather_mcp-AbC123xyz-live".into(),
            ],
            versions: vec![
                version("4", Status::Ready),
                version("3", Status::Ready),
                version("2", Status::CreateFailed),
                version("1", Status::Ready),
            ],
            runtime: rt,
            latest: super::fixtures_config::version_config("prod", "4"),
            served: vec![super::fixtures_config::version_config("prod", "3")],
            log_retention: super::fixtures_config::retention("prod"),
        },
        posture_drift: Some(vec![]),
        history: Ok(vec![
            entry("prod", "deploy", "1", "3", "ok"),
            entry(
                "prod",
                "deploy",
                "3",
                "4",
                "error: validation failed: no tools",
            ),
        ]),
    }
}

/// The answer to `req` from the fixtures (errors for the environments in `failing`).
pub fn answer(req: &Request, failing: &[&str]) -> Option<Response> {
    let reply = match &req.job {
        Job::EnvMatrix { env } => Reply::EnvMatrix {
            env: env.clone(),
            result: if failing.contains(&env.as_str()) {
                Err("ListAgentRuntimes: cannot connect: Connection refused (os error 111)".into())
            } else {
                Ok(snapshot(env))
            },
        },
        Job::RuntimeDetail { .. } => Reply::RuntimeDetail(Ok(Box::new(runtime_view()))),
        Job::Audit => Reply::Audit(Ok(runtime_view().history.unwrap_or_default())),
        Job::Write { .. } | Job::Cancel => return None,
        Job::Traffic { .. } => {
            Reply::Traffic(Ok(Box::new(super::fixtures_traffic::traffic_data())))
        }
        Job::Metrics { span, period, .. } => Reply::Metrics(Ok(Box::new(
            super::fixtures_traffic::metrics_data(*span, *period),
        ))),
        Job::LogStream(_) | Job::SaveLogs { .. } => return None,
        Job::InvokeTools(_) | Job::InvokeCall(_) => return None,
        // Tests answer the directory check themselves.
        Job::DeployCheck { .. } => return None,
        // No alarms unless a test lists some (`with_alarms`).
        Job::Alarms { env } => Reply::Alarms {
            env: env.clone(),
            result: Ok(super::alarms::tests::listed(vec![])),
        },
        // Tests answer plans themselves (`app_tests_alarms_apply`).
        Job::AlarmHistory { .. } | Job::AlarmPlan { .. } => return None,
        // Tests answer rollouts themselves (`app_tests_rollout`).
        Job::Rollout { .. } | Job::RolloutPreview(_) => return None,
        Job::RuntimeDiff { left, right, .. } => {
            Reply::RuntimeDiff(Ok(Box::new(super::fixtures_config::diff(left, right))))
        }
    };
    Some(Response {
        ticket: req.ticket,
        reply,
    })
}

/// Answer every request (and what the answers ask for) at `now`.
pub fn serve(app: &mut App, reqs: Vec<Request>, failing: &[&str], now: Millis) {
    let mut queue = reqs;
    while let Some(req) = queue.pop() {
        if let Some(resp) = answer(&req, failing) {
            queue.extend(app.apply(resp, now));
        }
    }
}

/// An app with the matrix loaded at t=0 (the given environments failing).
pub fn loaded(failing: &[&str]) -> App {
    let mut app = app();
    let reqs = app.start(Millis(0));
    serve(&mut app, reqs, failing, Millis(0));
    app
}

/// Refresh at `now`, answering the alarm listings with `lists` (an environment missing from
/// it fails with `error`) and everything else from the fixtures.
pub fn with_alarms(
    app: &mut App,
    lists: &[(&str, Vec<crate::domain::alarms::AlarmInfo>)],
    error: &str,
    now: Millis,
) {
    for req in app.update(Action::Refresh, now) {
        let resp = match &req.job {
            Job::Alarms { env } => Response {
                ticket: req.ticket,
                reply: Reply::Alarms {
                    env: env.clone(),
                    result: lists
                        .iter()
                        .find(|(e, _)| e == env)
                        .map(|(_, l)| super::alarms::tests::listed(l.clone()))
                        .ok_or_else(|| error.to_string()),
                },
            },
            _ => match answer(&req, &[]) {
                Some(r) => r,
                None => continue,
            },
        };
        let more = app.apply(resp, now);
        serve(app, more, &[], now);
    }
}

/// Apply actions at `now`, answering whatever they ask.
pub fn press(app: &mut App, actions: &[Action], now: Millis) -> Vec<Request> {
    let mut all = vec![];
    for a in actions {
        all.extend(app.update(a.clone(), now));
    }
    all
}

pub fn typed(text: &str) -> Vec<Action> {
    text.chars().map(Action::Char).collect()
}

/// The screen as text.
pub fn screen(app: &App, width: u16, height: u16) -> String {
    let mut t = Terminal::new(TestBackend::new(width, height)).expect("terminal");
    t.draw(|f| f.render_widget(app, f.area())).expect("draw");
    t.backend().to_string()
}

/// The screen's buffer, for style checks.
pub fn buffer(app: &App, width: u16, height: u16) -> ratatui::buffer::Buffer {
    let mut t = Terminal::new(TestBackend::new(width, height)).expect("terminal");
    t.draw(|f| f.render_widget(app, f.area())).expect("draw");
    t.backend().buffer().clone()
}
