//! The home matrix with 3 environments × 200 runtimes (each with live, canary and DEFAULT,
//! metrics with a 30-point latency series and a canary split), drawn into a 200×50
//! `TestBackend`: ms per frame at the top and scrolled to the middle.

use std::time::Instant;

use agentcore_console::backend::metrics::{EndpointMetrics, RuntimeMetrics, Totals};
use agentcore_console::backend::traffic::Split;
use agentcore_console::domain::{Endpoint, Environment, Runtime, Status};
use agentcore_console::tui::action::Action;
use agentcore_console::tui::arming::Arming;
use agentcore_console::tui::io::{EnvSnapshot, Job, Reply};
use agentcore_console::tui::panes::matrix::MatrixPane;
use agentcore_console::tui::panes::{Cx, Pane};
use agentcore_console::tui::theme::Theme;
use agentcore_console::tui::time::Millis;
use ratatui::Terminal;
use ratatui::backend::TestBackend;

const ENVS: [&str; 3] = ["dev", "staging", "prod"];
const RUNTIMES: usize = 200;

fn endpoint(name: &str, version: &str) -> Endpoint {
    Endpoint {
        name: name.into(),
        live_version: Some(version.into()),
        target_version: Some(version.into()),
        status: Status::Ready,
        arn: None,
        description: None,
        failure_reason: None,
        last_updated_at: Some("2026-11-24T09:58:00Z".into()),
    }
}

fn snapshot(env: &str) -> EnvSnapshot {
    let name = |i: usize| format!("runtime_{i:03}_mcp");
    let runtimes = (0..RUNTIMES)
        .map(|i| Runtime {
            env: env.into(),
            name: name(i),
            id: format!("{}-AbC123xyz", name(i)),
            arn: format!("arn:aws:bedrock-agentcore:us-east-1:123456789012:runtime/{i}"),
            status: Status::Ready,
            latest_version: "3".into(),
            description: None,
            last_updated_at: None,
            endpoints: vec![
                endpoint("DEFAULT", "3"),
                endpoint("canary", "3"),
                endpoint("live", "2"),
            ],
            lineage: None,
        })
        .collect();
    let leg = |n: &str, inv: f64, err: f64| EndpointMetrics {
        endpoint: n.into(),
        latency_p99: (0..30)
            .map(|t| Some(100.0 + f64::from(t % 7) * 20.0))
            .collect(),
        totals: Totals {
            invocations: inv,
            errors: err,
            sessions: inv / 4.0,
            ..Totals::default()
        },
        ..EndpointMetrics::default()
    };
    let metrics = (0..RUNTIMES)
        .map(|i| RuntimeMetrics {
            env: env.into(),
            runtime: name(i),
            runtime_arn: String::new(),
            period: 60,
            timestamps: (0..30).map(|t| t * 60).collect(),
            endpoints: vec![leg("live", 900.0, 3.0), leg("canary", 100.0, 9.0)],
        })
        .collect();
    let splits = (0..RUNTIMES)
        .map(|i| Split {
            runtime: name(i),
            stable: 90,
            canary: 10,
        })
        .collect();
    EnvSnapshot {
        runtimes,
        metrics: Ok(metrics),
        splits: Ok(splits),
        rollouts: Ok(Default::default()),
        drift: Ok(Default::default()),
    }
}

/// ms per frame (median, p99) of the matrix at the top and scrolled half way.
pub fn run(frames: usize) -> [(String, f64, f64); 2] {
    let envs: Vec<Environment> = ENVS
        .iter()
        .map(|n| Environment {
            name: (*n).into(),
            read_only: Environment::default_read_only(n),
            ..Environment::default()
        })
        .collect();
    let mut pane = MatrixPane::new(envs.clone());
    for fetch in pane.refresh(Millis(0)) {
        if let Job::EnvMatrix { env } = &fetch.job {
            let reply = Reply::EnvMatrix {
                env: env.clone(),
                result: Ok(snapshot(env)),
            };
            pane.apply(fetch.generation, reply, Millis(1));
        }
    }
    assert_eq!(pane.rows().len(), RUNTIMES, "every runtime is a row");
    let theme = Theme::colored();
    let arming = Arming::default();
    let mut term = Terminal::new(TestBackend::new(200, 50)).expect("terminal");
    let mut time = |pane: &MatrixPane| {
        let cx = Cx {
            theme: &theme,
            now: Millis(2_000),
            envs: &envs,
            arming: &arming,
        };
        let mut draw = || {
            term.draw(|f| pane.render(&cx, f.area(), f.buffer_mut()))
                .expect("draw");
        };
        for _ in 0..frames {
            draw();
        }
        let mut ms: Vec<f64> = (0..frames)
            .map(|_| {
                let t = Instant::now();
                draw();
                t.elapsed().as_secs_f64() * 1000.0
            })
            .collect();
        ms.sort_by(f64::total_cmp);
        (ms[ms.len() / 2], ms[ms.len() * 99 / 100])
    };
    let top = time(&pane);
    for _ in 0..RUNTIMES / 2 {
        pane.handle(&Action::Down, Millis(3));
    }
    let mid = time(&pane);
    [
        ("matrix 3 × 200 runtimes, top".to_string(), top.0, top.1),
        (
            "matrix 3 × 200 runtimes, scrolled half way".to_string(),
            mid.0,
            mid.1,
        ),
    ]
}
