//! `a` (apply the standard alarms) through the real io worker and backend, against the local
//! AgentCore: the plan, the confirmation, the write; the four standard alarms of each endpoint
//! exist afterwards (read through the SDK), the audit log has the `alarms.apply` entry with its
//! command line, the matrix's alarm book has them at once, and a second `a` changes nothing.

use crate::support::emulator as support;
use crate::support::tui;

use std::sync::Arc;

use agentcore_console::backend::Backend;
use agentcore_console::backend::audit::AuditLog;
use agentcore_console::tui::action::Action;
use agentcore_console::tui::app::{App, Modal};
use agentcore_console::tui::io::{self, Job};
use agentcore_console::tui::keymap::Keymap;
use agentcore_console::tui::theme::Theme;
use agentcore_console::tui::time::Millis;
use agentcore_console::tui::widgets::status_line::Level;
use support::*;
use tui::{drive, keys};

const KINDS: [&str; 4] = ["error-rate", "latency", "throttles", "tool-error-rate"];

#[tokio::test(flavor = "multi_thread")]
async fn a_applies_the_standard_alarms_then_finds_nothing_to_change() {
    let dir = tempfile::tempdir().expect("tempdir");
    let local = start(dir.path()).await;
    let c = clients(&local.url, "us-west-2").await;
    let id = create(&c, "weather_mcp").await;
    settled(&c, &id).await;
    create_endpoint(&c, &id, "live", Some("1")).await;

    let envs = vec![env("dev", &local.url, "us-west-2", None)];
    let audit = AuditLog::at(dir.path().join("audit.jsonl"));
    let mut io = io::spawn(Arc::new(Backend::new(envs.clone())), Ok(audit.clone()));
    let prefix = vec![
        "agentcore-console".to_string(),
        "--config".into(),
        "envs.toml".into(),
    ];
    let mut app = App::new(envs, Keymap::default(), Theme::mono(), prefix);
    let reqs = app.start(Millis(0));
    drive(&mut app, &mut io, reqs, |a| {
        a.alarms().slot("dev").is_some_and(|s| s.value().is_some()) && a.matrix().rows().len() == 1
    })
    .await;
    assert!(app.alarms().of("dev").is_empty());

    // `a` on weather_mcp × dev: the plan is read, then the confirmation shows its calls.
    let key = app
        .action_for(&crossterm::event::KeyEvent::from(
            crossterm::event::KeyCode::Char('a'),
        ))
        .expect("`a` is bound on the matrix");
    assert_eq!(key, Action::ApplyAlarms);
    let reqs = keys(
        &mut app,
        vec![Action::FocusRuntime("weather_mcp".into()), key],
    );
    assert!(
        reqs.iter().any(|r| matches!(r.job, Job::AlarmPlan { .. })),
        "{reqs:?}"
    );
    drive(&mut app, &mut io, reqs, |a| a.modal().is_some()).await;
    let Some(Modal::Confirm(confirm)) = app.modal() else {
        panic!("expected the confirmation, got {:?}", app.modal());
    };
    let calls: Vec<String> = confirm.op.calls().into_iter().map(|c| c.text).collect();
    for e in ["DEFAULT", "live"] {
        for k in KINDS {
            let name = format!("agentcore-console/weather_mcp/{e}/{k}");
            assert!(
                calls
                    .iter()
                    .any(|c| c.starts_with(&format!("PutMetricAlarm {name}:"))),
                "{name} in {calls:#?}"
            );
        }
    }
    assert_eq!(
        confirm.command,
        "agentcore-console --config envs.toml --env dev alarms apply weather_mcp --yes"
    );

    // Confirmed: one write, then dev's alarms listed again at once.
    let reqs = keys(&mut app, vec![Action::Submit]);
    assert_eq!(reqs.len(), 1, "{reqs:?}");
    drive(&mut app, &mut io, reqs, |a| {
        a.writes_in_flight() == 0 && a.alarms().of("dev").len() == 8
    })
    .await;
    let msg = app.status().latest().expect("a message");
    assert_eq!(msg.level, Level::Info, "{}", msg.text);
    assert!(
        msg.text.starts_with("✓ alarms of weather_mcp in dev: ")
            && msg.text.ends_with(" calls made"),
        "{}",
        msg.text
    );

    // Read back through the SDK: the four standard alarms of each endpoint.
    let mut made: Vec<String> = c
        .cloudwatch
        .describe_alarms()
        .alarm_name_prefix("agentcore-console/weather_mcp/")
        .send()
        .await
        .expect("DescribeAlarms")
        .metric_alarms()
        .iter()
        .filter_map(|a| a.alarm_name().map(str::to_string))
        .collect();
    made.sort();
    let mut want: Vec<String> = ["DEFAULT", "live"]
        .iter()
        .flat_map(|e| KINDS.map(|k| format!("agentcore-console/weather_mcp/{e}/{k}")))
        .collect();
    want.sort();
    assert_eq!(made, want);

    let entries = audit.read().expect("audit");
    let [entry] = entries.as_slice() else {
        panic!("one audit entry: {entries:?}");
    };
    assert_eq!(
        (entry.action.as_str(), entry.result.as_str()),
        ("alarms.apply", "ok")
    );
    assert_eq!(
        entry.command,
        "agentcore-console --config envs.toml --env dev alarms apply weather_mcp --yes"
    );

    // Again: nothing to change, no confirmation, no write.
    let reqs = keys(&mut app, vec![Action::ApplyAlarms]);
    drive(&mut app, &mut io, reqs, |a| {
        a.alarm_plans_in_flight().is_empty()
    })
    .await;
    assert!(app.modal().is_none(), "{:?}", app.modal());
    assert_eq!(
        app.status().latest().map(|m| m.text.as_str()),
        Some("alarms of weather_mcp in dev: nothing to change")
    );
    assert_eq!(audit.read().expect("audit").len(), 1);

    drop(io.requests);
    io.worker.await.expect("worker ends when the app lets go");
    local.stop().await;
}
