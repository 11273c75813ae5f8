//! The TUI's requests through the real io worker and backend, against the local AgentCore in
//! process: no terminal, the app driven by actions, the matrix and a rollback checked.

use crate::support::emulator as support;
use crate::support::tui;

use std::sync::Arc;
use std::time::Duration;

use agentcore_console::backend::audit::AuditLog;
use agentcore_console::backend::{Backend, deploy};
use agentcore_console::tui::action::Action;
use agentcore_console::tui::app::{App, Modal};
use agentcore_console::tui::io::{self, Job, Request};
use agentcore_console::tui::keymap::Keymap;
use agentcore_console::tui::loadable::Loadable;
use agentcore_console::tui::theme::Theme;
use agentcore_console::tui::time::Millis;
use agentcore_console::tui::widgets::status_line::Level;
use support::*;
use tui::drive;

#[tokio::test(flavor = "multi_thread")]
async fn the_worker_feeds_the_matrix_and_makes_the_confirmed_write() {
    let dir = tempfile::tempdir().expect("tempdir");
    let local = start(dir.path()).await;
    let c = clients(&local.url, "us-west-2").await;
    // weather_mcp: versions 1 and 2, endpoint `live` on 2.
    let id = create(&c, "weather_mcp").await;
    settled(&c, &id).await;
    update(&c, &id, "2").await;
    settled(&c, &id).await;
    deploy::point(&c, &id, "live", "2", Duration::from_secs(60))
        .await
        .expect("live on 2");

    // dev is the local AgentCore; staging points at a closed loopback port.
    let envs = vec![
        env("dev", &local.url, "us-west-2", None),
        env("staging", "http://127.0.0.1:1", "us-east-1", None),
    ];
    let audit = AuditLog::at(dir.path().join("audit.jsonl"));
    let mut io = io::spawn(Arc::new(Backend::new(envs.clone())), Ok(audit.clone()));
    let prefix = vec![
        "agentcore-console".to_string(),
        "--config".into(),
        "envs.toml".into(),
    ];
    let mut app = App::new(envs, Keymap::default(), Theme::mono(), prefix);

    let reqs = app.start(Millis(0));
    let per_env = |alarms: bool| {
        reqs.iter()
            .filter(|r| matches!(r.job, Job::Alarms { .. }) == alarms)
            .count()
    };
    assert_eq!(
        (per_env(false), per_env(true)),
        (2, 2),
        "one matrix request and one alarm listing per environment"
    );
    drive(&mut app, &mut io, reqs, |a| {
        ["dev", "staging"].iter().all(|e| {
            a.matrix()
                .column(e)
                .is_some_and(|c| !matches!(c.state(), Loadable::Idle | Loadable::Loading))
        })
    })
    .await;
    let m = app.matrix();
    assert_eq!(m.rows(), ["weather_mcp"]);
    let dev = m
        .column("dev")
        .and_then(|c| c.value())
        .expect("dev answered");
    let rt = &dev.runtimes[0];
    assert_eq!(
        (rt.name.as_str(), rt.latest_version.as_str()),
        ("weather_mcp", "2")
    );
    assert!(
        rt.endpoints
            .iter()
            .any(|e| e.name == "live" && e.live_version.as_deref() == Some("2"))
    );
    assert!(dev.metrics.is_ok(), "{:?}", dev.metrics);
    assert!(
        dev.splits.as_ref().is_ok_and(Vec::is_empty),
        "no gateway yet: {:?}",
        dev.splits
    );
    assert!(
        matches!(m.column("staging").map(|c| c.state()), Some(Loadable::Failed(e)) if e.contains("ListAgentRuntimes")),
        "staging failed on its own"
    );

    // Open the detail, select `live` (canary-less: live, then DEFAULT), roll it back.
    let reqs = app.update(Action::Open, Millis(0));
    assert!(matches!(
        reqs[..],
        [Request {
            job: Job::RuntimeDetail { .. },
            ..
        }]
    ));
    drive(&mut app, &mut io, reqs, |a| !a.top().busy()).await;
    assert_eq!(app.top().title(), "weather_mcp in dev");
    let mut reqs = app.update(Action::Rollback, Millis(0));
    assert!(reqs.is_empty());
    let Some(Modal::Confirm(confirm)) = app.modal() else {
        panic!(
            "dev is not protected: straight to the confirmation, got {:?}",
            app.modal()
        );
    };
    assert!(
        confirm
            .command
            .ends_with("--env dev rollback weather_mcp --endpoint live --to-version 1 --yes")
    );
    reqs.extend(app.update(Action::Submit, Millis(0)));
    assert_eq!(reqs.len(), 1);
    drive(&mut app, &mut io, reqs, |a| a.writes_in_flight() == 0).await;
    let msg = app.status().latest().expect("result");
    assert_eq!(msg.level, Level::Info, "{}", msg.text);
    assert!(msg.text.contains("live moved 2 → 1"), "{}", msg.text);
    let entries = audit.read().expect("audit");
    let last = entries.last().expect("audited");
    assert_eq!(
        (last.action.as_str(), last.result.as_str()),
        ("rollback", "ok")
    );
    assert_eq!(
        last.command,
        "agentcore-console --config envs.toml --env dev rollback weather_mcp --endpoint live --to-version 1 --yes"
    );

    drop(io.requests);
    io.worker.await.expect("worker ends when the app lets go");
    local.stop().await;
}
