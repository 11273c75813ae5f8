//! The traffic and metrics panes through the real io worker and backend, against the local
//! AgentCore in process: set a 25% canary from the weight form, read the split and the
//! metrics back, abort, and find both changes in the audit log with their command lines.

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
use agentcore_console::tui::theme::Theme;
use agentcore_console::tui::time::Millis;
use agentcore_console::tui::widgets::status_line::Level;
use support::*;
use tui::{drive, keys, screen};

#[tokio::test(flavor = "multi_thread")]
async fn a_canary_set_from_the_form_then_aborted_through_the_worker() {
    let dir = tempfile::tempdir().expect("tempdir");
    let local = start(dir.path()).await;
    let c = clients(&local.url, "us-west-2").await;
    // weather_mcp: versions 1 and 2, `live` on 1, no canary endpoint and no gateway yet.
    let id = create(&c, "weather_mcp").await;
    settled(&c, &id).await;
    update(&c, &id, "2").await;
    settled(&c, &id).await;
    deploy::point(&c, &id, "live", "1", Duration::from_secs(60))
        .await
        .expect("live on 1");

    let envs = vec![env("dev", &local.url, "us-west-2", None)];
    let audit = AuditLog::at(dir.path().join("audit.jsonl"));
    let mut io = io::spawn(Arc::new(Backend::new(envs.clone())), Ok(audit.clone()));
    let prefix = vec![
        "agentcore-console".to_string(),
        "--config".into(),
        "envs.toml".into(),
    ];
    let mut app = App::new(envs, Keymap::default(), Theme::mono(), prefix);
    let _ = app.start(Millis(0));

    let reqs = keys(
        &mut app,
        vec![Action::OpenTraffic {
            env: "dev".into(),
            runtime: "weather_mcp".into(),
        }],
    );
    assert!(matches!(
        reqs[..],
        [Request {
            job: Job::Traffic { .. },
            ..
        }]
    ));
    drive(&mut app, &mut io, reqs, |a| !a.top().busy()).await;
    let text = screen(&app);
    assert!(
        text.contains("No split yet: no gateway routes weather_mcp"),
        "{text}"
    );

    // The form: 101 is refused in place; 25 on version 2 (the newest) goes to the confirmation.
    let mut form = vec![Action::SetWeight, Action::ClearInput];
    form.extend("101".chars().map(Action::Char));
    form.push(Action::Submit);
    assert!(keys(&mut app, form).is_empty());
    assert!(app.modal().is_none());
    let form = vec![
        Action::ClearInput,
        Action::Char('2'),
        Action::Char('5'),
        Action::Submit,
    ];
    assert!(keys(&mut app, form).is_empty());
    let Some(Modal::Confirm(confirm)) = app.modal() else {
        panic!("expected the confirmation, got {:?}", app.modal());
    };
    assert!(
        confirm
            .command
            .ends_with("traffic set weather_mcp --env dev --canary-version 2 --weight 25 --yes"),
        "{}",
        confirm.command
    );
    let reqs = keys(&mut app, vec![Action::Submit]);
    assert_eq!(reqs.len(), 1);
    drive(&mut app, &mut io, reqs, |a| a.writes_in_flight() == 0).await;
    let msg = app.status().latest().expect("result");
    assert_eq!(msg.level, Level::Info, "{}", msg.text);
    assert_eq!(
        msg.text,
        "✓ dev: weather_mcp split is now live v1 75% / canary v2 25%"
    );
    // The write re-read the pane.
    drive(&mut app, &mut io, vec![], |a| !a.top().busy()).await;
    let text = screen(&app);
    assert!(text.contains("set 25% / got"), "{text}");

    // Metrics of the same runtime: one fetch, answered.
    let reqs = keys(&mut app, vec![Action::Metrics]);
    assert!(matches!(
        &reqs[..],
        [Request {
            job: Job::Metrics {
                span: 3600,
                period: 60,
                ..
            },
            ..
        }]
    ));
    drive(&mut app, &mut io, reqs, |a| !a.top().busy()).await;
    let text = screen(&app);
    assert!(text.contains("last 1h"), "{text}");
    assert!(
        text.contains("set canary v2 25%"),
        "the change is a marker: {text}"
    );

    // Back to the split, and abort it.
    let reqs = keys(&mut app, vec![Action::Back, Action::Abort]);
    drive(&mut app, &mut io, reqs, |a| !a.top().busy()).await;
    assert!(
        matches!(app.modal(), Some(Modal::Confirm(_))),
        "{:?}",
        app.modal()
    );
    let reqs = keys(&mut app, vec![Action::Submit]);
    drive(&mut app, &mut io, reqs, |a| a.writes_in_flight() == 0).await;
    let msg = app.status().latest().expect("result");
    assert_eq!(msg.text, "✓ dev: weather_mcp now sends live v1 100%");

    let entries = audit.read().expect("audit");
    let actions: Vec<(&str, &str)> = entries
        .iter()
        .map(|e| (e.action.as_str(), e.result.as_str()))
        .collect();
    assert_eq!(actions, [("traffic.set", "ok"), ("traffic.abort", "ok")]);
    assert_eq!(
        entries[1].command,
        "agentcore-console --config envs.toml traffic abort weather_mcp --env dev --yes"
    );

    drop(io.requests);
    io.worker.await.expect("worker ends when the app lets go");
    local.stop().await;
}
