//! The deploy pane through the real io worker and backend, against the local AgentCore in
//! process: the form (a directory, checked by the worker), the confirmed deploy with its stages,
//! validation with tools/list, then the endpoint the form named created by a second confirmed
//! write, both in the audit log with their command lines.

use crate::support::emulator as support;
use crate::support::tui;

use std::sync::Arc;

use agentcore_console::backend::audit::AuditLog;
use agentcore_console::backend::{Backend, deploy};
use agentcore_console::tui::action::Action;
use agentcore_console::tui::app::{App, Modal};
use agentcore_console::tui::io::{self, Job, Request};
use agentcore_console::tui::keymap::{Context, Keymap};
use agentcore_console::tui::theme::Theme;
use agentcore_console::tui::time::Millis;
use agentcore_console::tui::widgets::status_line::Level;
use support::*;
use tui::{drive, keys, screen};

const FIXTURE_DIR: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/tiny-mcp");

fn typed(text: &str) -> Vec<Action> {
    let mut a = vec![Action::ClearInput];
    a.extend(text.chars().map(Action::Char));
    a
}

#[tokio::test(flavor = "multi_thread")]
async fn deploy_a_directory_then_create_the_named_endpoint_through_the_worker() {
    let dir = tempfile::tempdir().expect("tempdir");
    let local = start(dir.path()).await;
    let envs = vec![env("dev", &local.url, "us-west-2", None)];
    let audit = AuditLog::at(dir.path().join("audit.jsonl"));
    let mut io = io::spawn(Arc::new(Backend::new(envs.clone())), Ok(audit.clone()));
    let prefix = vec!["agentcore-console".to_string()];
    let mut app = App::new(envs, Keymap::default(), Theme::mono(), prefix);
    let _ = app.start(Millis(0));

    let mut form = vec![Action::OpenDeploy {
        env: "dev".into(),
        runtime: "echo_mcp".into(),
    }];
    // The focus starts on the directory; a missing one is the worker's to refuse.
    form.extend(typed("/nonexistent/dir"));
    form.push(Action::Submit);
    let reqs = keys(&mut app, form);
    assert!(matches!(
        reqs[..],
        [Request {
            job: Job::DeployCheck { .. },
            ..
        }]
    ));
    drive(&mut app, &mut io, reqs, |a| !a.top().busy()).await;
    assert!(app.modal().is_none(), "nothing to confirm yet");
    assert!(screen(&app).contains("✗"), "{}", screen(&app));

    // The real directory, and `then endpoint` live (entry point, code runtime, runtime, env
    // vars, then endpoint).
    let mut form = typed(FIXTURE_DIR);
    form.extend(std::iter::repeat_n(Action::Down, 5));
    form.extend(typed("live"));
    form.push(Action::Submit);
    let reqs = keys(&mut app, form);
    drive(&mut app, &mut io, reqs, |a| !a.top().busy()).await;
    assert!(
        screen(&app).contains("holds the entry point"),
        "{}",
        screen(&app)
    );
    let reqs = keys(&mut app, vec![Action::Submit]);
    assert!(reqs.is_empty(), "the confirmation first");
    let Some(Modal::Confirm(c)) = app.modal() else {
        panic!("expected the deploy's confirmation, got {:?}", app.modal());
    };
    assert!(
        c.command
            .starts_with("agentcore-console --env dev deploy echo_mcp --from-dir")
    );
    let reqs = keys(&mut app, vec![Action::Submit]);
    drive(&mut app, &mut io, reqs, |a| a.writes_in_flight() == 0).await;
    let text = screen(&app);
    assert!(
        text.contains("validated: tools/list returned 1 tools"),
        "{text}"
    );
    assert!(text.contains("new: created by the move"), "{text}");
    assert_eq!(app.context(), Context::Deploy);

    // `e`: live is created on version 1, its own confirmed write.
    let reqs = keys(&mut app, vec![Action::MoveEndpoint]);
    assert!(reqs.is_empty());
    let Some(Modal::Confirm(c)) = app.modal() else {
        panic!("expected the move's confirmation, got {:?}", app.modal());
    };
    assert_eq!(
        c.command,
        "agentcore-console --env dev point echo_mcp --endpoint live --version 1 --yes"
    );
    let reqs = keys(&mut app, vec![Action::Submit]);
    drive(&mut app, &mut io, reqs, |a| a.writes_in_flight() == 0).await;
    let msg = app.status().latest().expect("result");
    assert_eq!(msg.level, Level::Info, "{}", msg.text);
    assert_eq!(msg.text, "✓ dev: echo_mcp endpoint live created on 1");

    let c = clients(&local.url, "us-west-2").await;
    let rt = agentcore_console::backend::runtimes::resolve(&c, "echo_mcp")
        .await
        .expect("the runtime");
    let live = deploy::live_version(&c, rt.agent_runtime_id(), "live").await;
    assert_eq!(live.expect("read").as_deref(), Some("1"));
    let entries = audit.read().expect("audit");
    let actions: Vec<(&str, &str)> = entries
        .iter()
        .map(|e| (e.action.as_str(), e.result.as_str()))
        .collect();
    assert_eq!(actions, [("deploy", "ok"), ("endpoint.point", "ok")]);
    assert_eq!(
        entries[1].command,
        "agentcore-console --env dev point echo_mcp --endpoint live --version 1 --yes"
    );

    drop(io.requests);
    io.worker.await.expect("worker ends when the app lets go");
    local.stop().await;
}
