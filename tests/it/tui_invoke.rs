//! The invoke pane through the real io worker and backend, against the local AgentCore in
//! process: the tools of the stable endpoint (DEFAULT when the runtime has none), one call
//! from the form, its result and session, and the way to the logs of that session.

use crate::support::emulator as support;
use crate::support::tui;

use std::sync::Arc;
use std::time::Duration;

use agentcore_console::backend::audit::AuditLog;
use agentcore_console::backend::{Backend, deploy};
use agentcore_console::tui::action::Action;
use agentcore_console::tui::app::App;
use agentcore_console::tui::io::{self, Job, Request};
use agentcore_console::tui::keymap::{Context, Keymap};
use agentcore_console::tui::theme::Theme;
use agentcore_console::tui::time::Millis;
use support::*;
use tui::{drive, keys, screen};

fn open(app: &mut App, runtime: &str) -> Vec<Request> {
    keys(
        app,
        vec![Action::OpenInvoke {
            env: "dev".into(),
            runtime: runtime.into(),
        }],
    )
}

#[tokio::test(flavor = "multi_thread")]
async fn tools_of_the_stable_endpoint_one_call_and_the_logs_of_its_session() {
    let dir = tempfile::tempdir().expect("tempdir");
    let local = start(dir.path()).await;
    let c = clients(&local.url, "us-west-2").await;
    let id = create(&c, "tools").await;
    settled(&c, &id).await;
    deploy::point(&c, &id, "live", "1", Duration::from_secs(60))
        .await
        .expect("live on 1");
    let plain = create(&c, "plain").await;
    settled(&c, &plain).await;

    let envs = vec![env("dev", &local.url, "us-west-2", None)];
    let audit = AuditLog::at(dir.path().join("audit.jsonl"));
    let mut io = io::spawn(Arc::new(Backend::new(envs.clone())), Ok(audit));
    let mut app = App::new(envs, Keymap::default(), Theme::mono(), vec![]);
    let _ = app.start(Millis(0));

    // No `live` endpoint: DEFAULT.
    let reqs = open(&mut app, "plain");
    drive(&mut app, &mut io, reqs, |a| !a.top().busy()).await;
    let text = screen(&app);
    assert!(text.contains("endpoint DEFAULT"), "{text}");
    keys(&mut app, vec![Action::Back]);

    let reqs = open(&mut app, "tools");
    assert!(matches!(
        &reqs[..],
        [Request {
            job: Job::InvokeTools(_),
            ..
        }]
    ));
    drive(&mut app, &mut io, reqs, |a| !a.top().busy()).await;
    let text = screen(&app);
    assert!(text.contains("endpoint live"), "{text}");
    assert!(text.contains("▸version"), "{text}");

    let reqs = keys(&mut app, vec![Action::InvokeCall]);
    assert!(
        matches!(
            &reqs[..],
            [Request {
                job: Job::InvokeCall(_),
                ..
            }]
        ),
        "{reqs:?}"
    );
    drive(&mut app, &mut io, reqs, |a| !a.top().busy()).await;
    let text = screen(&app);
    assert!(text.contains("✓ version"), "{text}");
    let session = text
        .split("session ")
        .nth(1)
        .and_then(|s| s.split_whitespace().next())
        .expect("a session id on screen")
        .to_string();

    // L: the logs of `tools` in dev, filtered on that session.
    let reqs = keys(&mut app, vec![Action::Logs]);
    assert_eq!(app.context(), Context::Logs);
    assert_eq!(app.top().filter(), regex::escape(&session));
    assert!(!reqs.is_empty());
}
