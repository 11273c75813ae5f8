//! The deploy pane's posture section through the real io worker and backend, against the local
//! AgentCore: the environment's defaults prefilled, one field changed, and both on the runtime
//! (GetAgentRuntime) and its log group (DescribeLogGroups) afterwards.

use crate::support::emulator as support;
use crate::support::tui;

use std::sync::Arc;

use agentcore_console::backend::Backend;
use agentcore_console::backend::audit::AuditLog;
use agentcore_console::domain::posture::{Lifecycle, Posture};
use agentcore_console::domain::runtime::log_group_name;
use agentcore_console::tui::action::Action;
use agentcore_console::tui::app::{App, Modal};
use agentcore_console::tui::io;
use agentcore_console::tui::keymap::Keymap;
use agentcore_console::tui::theme::Theme;
use agentcore_console::tui::time::Millis;
use support::*;
use tui::{drive, keys, screen};

const FIXTURE_DIR: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/tiny-mcp");

fn typed(text: &str) -> Vec<Action> {
    let mut a = vec![Action::ClearInput];
    a.extend(text.chars().map(Action::Char));
    a
}

#[tokio::test(flavor = "multi_thread")]
async fn the_pane_deploys_the_environments_posture_with_a_change() {
    let dir = tempfile::tempdir().expect("tempdir");
    let local = start(dir.path()).await;
    let mut dev = env("dev", &local.url, "us-west-2", None);
    dev.posture = Posture {
        lifecycle: Some(Lifecycle {
            idle_session_timeout_s: Some(600),
            max_lifetime_s: None,
        }),
        log_retention_days: Some(7),
        ..Posture::default()
    };
    let envs = vec![dev];
    let audit = AuditLog::at(dir.path().join("audit.jsonl"));
    let mut io = io::spawn(Arc::new(Backend::new(envs.clone())), Ok(audit.clone()));
    let mut app = App::new(
        envs,
        Keymap::default(),
        Theme::mono(),
        vec!["agentcore-console".to_string()],
    );
    let _ = app.start(Millis(0));

    let mut form = vec![Action::OpenDeploy {
        env: "dev".into(),
        runtime: "posed_mcp".into(),
    }];
    form.extend(typed(FIXTURE_DIR));
    // Entry point, code runtime, runtime, env vars, endpoint, then the posture line: open it,
    // and go to its last field, log retention (prefilled with the environment's 7).
    form.extend(std::iter::repeat_n(Action::Down, 6));
    form.push(Action::Right);
    form.extend(std::iter::repeat_n(Action::Down, 12));
    form.extend(typed("14"));
    form.push(Action::Submit);
    let reqs = keys(&mut app, form);
    drive(&mut app, &mut io, reqs, |a| !a.top().busy()).await;
    let text = screen(&app);
    assert!(text.contains("idle timeout  10m"), "prefilled: {text}");
    assert!(text.contains("holds the entry point"), "{text}");
    let reqs = keys(&mut app, vec![Action::Submit]);
    assert!(reqs.is_empty(), "the confirmation first");
    let Some(Modal::Confirm(c)) = app.modal() else {
        panic!("expected the confirmation, got {:?}", app.modal());
    };
    assert!(
        c.command.ends_with("--log-retention-days 14 --yes"),
        "only what differs from the environment: {}",
        c.command
    );
    let reqs = keys(&mut app, vec![Action::Submit]);
    drive(&mut app, &mut io, reqs, |a| a.writes_in_flight() == 0).await;
    let text = screen(&app);
    assert!(
        text.contains("log retention 14 days on 1 log group"),
        "{text}"
    );

    let c = clients(&local.url, "us-west-2").await;
    let rt = agentcore_console::backend::runtimes::resolve(&c, "posed_mcp")
        .await
        .expect("the runtime");
    let got = c
        .control
        .get_agent_runtime()
        .agent_runtime_id(rt.agent_runtime_id())
        .send()
        .await
        .expect("get");
    assert_eq!(
        got.lifecycle_configuration()
            .and_then(|l| l.idle_runtime_session_timeout()),
        Some(600),
        "the environment's default"
    );
    let group = log_group_name(rt.agent_runtime_id(), "DEFAULT");
    let groups = c
        .logs
        .describe_log_groups()
        .log_group_name_prefix(&group)
        .send()
        .await
        .expect("describe");
    assert_eq!(
        groups
            .log_groups()
            .first()
            .and_then(|g| g.retention_in_days()),
        Some(14),
        "the pane's value"
    );
    drop(io.requests);
    io.worker.await.expect("worker ends");
    local.stop().await;
}
