//! The console through its real io worker against the local AgentCore: the matrix marks a
//! runtime off prod's posture, the runtime pane says why and shows every setting (names, never
//! a value), and `=` → enter opens the diff view.

use std::sync::Arc;

use agentcore_console::backend::Backend;
use agentcore_console::backend::audit::AuditLog;
use agentcore_console::tui::action::Action;
use agentcore_console::tui::app::App;
use agentcore_console::tui::io;
use agentcore_console::tui::keymap::Keymap;
use agentcore_console::tui::theme::Theme;
use agentcore_console::tui::time::Millis;
use ratatui::Terminal;
use ratatui::backend::TestBackend;

use super::setup::*;
use crate::support::emulator::{clients, env, start};
use crate::support::tui::{drive, keys};

fn screen(app: &App) -> String {
    let mut t = Terminal::new(TestBackend::new(140, 60)).expect("terminal");
    t.draw(|f| f.render_widget(app, f.area())).expect("draw");
    t.backend().to_string()
}

#[tokio::test(flavor = "multi_thread")]
async fn the_mark_its_reason_every_setting_and_the_diff_view_without_a_value() {
    let dir = tempfile::tempdir().expect("tempdir");
    let local = start(dir.path()).await;
    let c = clients(&local.url, "us-east-1").await;
    let id = create_base(&c, "weather").await;
    retention(&c, &id, "live", 7).await;
    let mut prod = env("prod", &local.url, "us-east-1", None);
    prod.posture = posture_b(Some(90));
    let envs = vec![prod];
    let audit = AuditLog::at(dir.path().join("audit.jsonl"));
    let mut io = io::spawn(Arc::new(Backend::new(envs.clone())), Ok(audit));
    let mut app = App::new(envs, Keymap::default(), Theme::mono(), vec![]);

    let reqs = app.start(Millis(0));
    drive(&mut app, &mut io, reqs, |a| screen(a).contains("weather")).await;
    let s = screen(&app);
    assert!(s.contains("● ≠ live→1"), "the cell is marked:\n{s}");
    assert!(s.contains("≠ posture off env defaults"), "{s}");

    let reqs = keys(
        &mut app,
        vec![
            Action::OpenRuntime {
                env: "prod".into(),
                runtime: "weather".into(),
            },
            Action::Settings,
        ],
    );
    drive(&mut app, &mut io, reqs, |a| screen(a).contains("SETTINGS")).await;
    let s = screen(&app);
    assert!(
        s.contains("≠ posture off prod's defaults: network PUBLIC (configured VPC)"),
        "{s}"
    );
    assert!(s.contains("API_KEY, APP_VERSION"), "{s}");
    assert!(!s.contains(SECRET), "a value on screen:\n{s}");

    let reqs = keys(&mut app, vec![Action::Compare, Action::Submit]);
    drive(&mut app, &mut io, reqs, |a| {
        screen(a).contains("left prod v1")
    })
    .await;
    let s = screen(&app);
    assert!(
        s.contains("no differences"),
        "stable (1) and latest (1):\n{s}"
    );
    assert!(!s.contains(SECRET));
    local.stop().await;
}
