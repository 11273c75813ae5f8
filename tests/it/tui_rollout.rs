//! Rollouts in the console through the real io worker and backend, against the local
//! AgentCore: a rollout object written by another console (`store::put`) shows in the matrix
//! (step, weight, time left) and in the rollout pane (state, lease, timeline, decision log),
//! and `x` there aborts it through the confirm modal: state aborted, split 100% stable.

use crate::support::emulator as support;
use crate::support::tui;

use std::sync::Arc;
use std::time::Duration;

use agentcore_console::backend::audit::{Actor, AuditLog};
use agentcore_console::backend::rollout::{now_ms, store};
use agentcore_console::backend::{Backend, Clients, traffic};
use agentcore_console::domain::rollout::{Phase, Plan, RolloutState, Start};
use agentcore_console::tui::action::Action;
use agentcore_console::tui::app::App;
use agentcore_console::tui::app::Modal;
use agentcore_console::tui::io;
use agentcore_console::tui::keymap::Keymap;
use agentcore_console::tui::theme::Theme;
use agentcore_console::tui::time::Millis;
use support::*;
use tui::{drive, keys, screen};

fn rollout(runtime: &str, now: i64) -> RolloutState {
    let mut plan = Plan::builtin("seed").expect("seed");
    plan.gates.interval = Duration::from_secs(60);
    let mut s = RolloutState::new(
        Start {
            id: "r1".into(),
            env: "dev".into(),
            runtime: runtime.into(),
            runtime_id: format!("{runtime}-abc"),
            runtime_arn: "arn".into(),
            stable_endpoint: "live".into(),
            canary_endpoint: "canary".into(),
            plan,
            canary_version: "2".into(),
            stable_version: Some("1".into()),
            previous_canary_version: None,
            smoke: None,
            by: "bob@elsewhere".into(),
            driver: "d-elsewhere".into(),
        },
        now,
    );
    s.note(
        now,
        "bob@elsewhere",
        "start",
        "v2 on canary, 10% of new sessions",
    );
    s
}

#[tokio::test(flavor = "multi_thread")]
async fn another_consoles_rollout_shows_in_the_matrix_and_the_pane() {
    let dir = tempfile::tempdir().expect("tempdir");
    let local = start(dir.path()).await;
    let c = clients(&local.url, "us-west-2").await;
    let id = create(&c, "weather_mcp").await;
    settled(&c, &id).await;
    create_endpoint(&c, &id, "live", Some("1")).await;
    settled(&c, &id).await;

    let mut e = env("dev", &local.url, "us-west-2", None);
    e.artifact_bucket = Some("tui-rollout-test".into());
    let sdk = Clients::build(&e).await;
    store::put(&sdk, &rollout("weather_mcp", now_ms()), None)
        .await
        .map_err(|w| format!("{w:?}"))
        .expect("written by another console");

    let e_dev = e.clone();
    let envs = vec![e];
    let audit = AuditLog::at(dir.path().join("audit.jsonl"));
    let audit_log = AuditLog::at(dir.path().join("audit.jsonl"));
    let mut io = io::spawn(Arc::new(Backend::new(envs.clone())), Ok(audit));
    let mut app = App::new(envs, Keymap::default(), Theme::mono(), vec![]);
    let reqs = app.start(Millis(0));
    drive(&mut app, &mut io, reqs, |a| {
        a.matrix()
            .column("dev")
            .is_some_and(|s| s.value().is_some())
    })
    .await;
    let shown = screen(&app);
    let row = shown
        .lines()
        .skip_while(|l| !l.contains("weather_mcp"))
        .nth(1)
        .unwrap_or_default();
    // 15 minutes of bake, read a moment after the start (rounded up to the second).
    assert!(
        row.contains("⟳ 1/3 10% 15m00s") || row.contains("⟳ 1/3 10% 14m5"),
        "{shown}"
    );

    let reqs = keys(
        &mut app,
        vec![Action::OpenRollout {
            env: "dev".into(),
            runtime: "weather_mcp".into(),
        }],
    );
    drive(&mut app, &mut io, reqs, |a| screen(a).contains("● RUNNING")).await;
    let shown = screen(&app);
    for want in [
        "plan seed (canary)",
        "lease bob@elsewhere until",
        "▶  10%  bake 15m00s",
        "start    v2 on canary",
    ] {
        assert!(shown.contains(want), "{want}: {shown}");
    }

    // Its canary takes 10% through the gateway; `x` here aborts it, driver or not.
    let backend = Backend::new(vec![e_dev.clone()]);
    let actor = Actor::new("agentcore-console traffic set".into());
    traffic::set(
        &backend,
        "dev",
        "weather_mcp",
        "1",
        10,
        false,
        &actor,
        &audit_log,
    )
    .await
    .expect("the canary's split");
    let reqs = keys(&mut app, vec![Action::Abort]);
    drive(&mut app, &mut io, reqs, |a| !a.top().busy()).await;
    assert!(
        matches!(app.modal(), Some(Modal::Confirm(_))),
        "{:?}",
        app.modal()
    );
    let reqs = keys(&mut app, vec![Action::Submit]);
    drive(&mut app, &mut io, reqs, |a| a.writes_in_flight() == 0).await;
    let stored = store::load(&sdk, "weather_mcp")
        .await
        .expect("load")
        .expect("there");
    assert_eq!(
        stored.state.phase,
        Phase::Aborted,
        "{:?}",
        stored.state.reason
    );
    let view = traffic::show(&backend, "dev", "weather_mcp")
        .await
        .expect("show");
    let weights: Vec<(String, i32)> = view
        .routes
        .iter()
        .map(|r| (r.qualifier.clone(), r.weight))
        .collect();
    assert_eq!(weights, [("live".to_string(), 100)], "{view:?}");
    let audited: Vec<(String, String)> = audit_log
        .read()
        .expect("audit")
        .into_iter()
        .map(|e| (e.action, e.result))
        .collect();
    assert!(
        audited.contains(&("rollout.abort".into(), "ok".into())),
        "{audited:?}"
    );
    drive(&mut app, &mut io, vec![], |a| {
        screen(a).contains("● ABORTED")
    })
    .await;
    local.stop().await;
}
