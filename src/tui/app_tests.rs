//! The app without a terminal: actions in, requests and state out.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use super::action::Action;
use super::app::{MATRIX_UID, Modal};
use super::arming::ARM_FOR;
use super::fixtures::*;
use super::io::{Job, Reply, Request, Response};
use super::keymap::Context;
use super::loadable::Loadable;
use super::time::{Millis, ms};
use super::widgets::status_line::Level;
use super::write::WriteOp;

fn jobs(reqs: &[Request]) -> Vec<&Job> {
    reqs.iter().map(|r| &r.job).collect()
}

fn writes(reqs: &[Request]) -> Vec<&Request> {
    reqs.iter()
        .filter(|r| matches!(r.job, Job::Write { .. }))
        .collect()
}

/// The matrix loaded, then weather_mcp opened in `env` and loaded.
fn runtime_in(env: &str) -> super::app::App {
    let mut app = loaded(&[]);
    let reqs = press(
        &mut app,
        &[Action::OpenRuntime {
            env: env.into(),
            runtime: "weather_mcp".into(),
        }],
        Millis(0),
    );
    serve(&mut app, reqs, &[], Millis(0));
    app
}

#[test]
fn start_asks_each_environment_once_and_polls_skip_while_in_flight() {
    let mut app = app();
    let reqs = app.start(Millis(0));
    let (matrix, alarms): (Vec<_>, Vec<_>) = reqs
        .iter()
        .partition(|r| matches!(r.job, Job::EnvMatrix { .. }));
    let envs: Vec<_> = matrix
        .iter()
        .map(|r| match &r.job {
            Job::EnvMatrix { env } => env.as_str(),
            other => panic!("{other:?}"),
        })
        .collect();
    assert_eq!(envs, ["dev", "staging", "prod"]);
    assert!(matrix.iter().all(|r| r.ticket.pane == MATRIX_UID));
    // And each environment's alarms, on their own ticket.
    assert_eq!(alarms.len(), 3, "{alarms:?}");
    assert!(
        alarms
            .iter()
            .all(|r| r.ticket.pane == crate::tui::alarms::ALARMS_UID
                && matches!(r.job, Job::Alarms { .. }))
    );
    assert!(
        app.update(Action::Tick, Millis(6_000)).is_empty(),
        "still in flight"
    );
    serve(&mut app, reqs, &[], Millis(6_000));
    assert!(app.update(Action::Tick, Millis(7_000)).is_empty(), "fresh");
    assert_eq!(
        app.update(Action::Tick, Millis(11_000)).len(),
        3,
        "due again"
    );
}

#[test]
fn navigation_enter_esc_palette_and_filter() {
    let mut app = loaded(&[]);
    assert_eq!(app.matrix().rows(), ["docs_mcp", "weather_mcp"]);
    // weather_mcp in prod: down, right, right, enter.
    let reqs = press(
        &mut app,
        &[Action::Down, Action::Right, Action::Right, Action::Open],
        Millis(0),
    );
    assert_eq!(app.context(), Context::Runtime);
    assert_eq!(app.breadcrumbs(), ["environments", "weather_mcp in prod"]);
    assert_eq!(
        jobs(&reqs),
        [&Job::RuntimeDetail {
            env: "prod".into(),
            runtime: "weather_mcp".into()
        }]
    );
    let detail_pane = reqs[0].ticket.pane;
    // esc: back to the matrix, the detail's reads cancelled.
    let reqs = press(&mut app, &[Action::Back], Millis(1_000));
    assert_eq!(app.context(), Context::Matrix);
    assert_eq!(reqs[0].job, Job::Cancel);
    assert_eq!(reqs[0].ticket.pane, detail_pane);
    // Palette: words narrow, enter goes.
    let mut keys = vec![Action::Palette];
    keys.extend(typed("weather stag"));
    keys.push(Action::Submit);
    let reqs = press(&mut app, &keys, Millis(1_000));
    assert_eq!(
        app.breadcrumbs(),
        ["environments", "weather_mcp in staging"]
    );
    assert_eq!(reqs.len(), 1);
    assert!(app.modal().is_none());
    // `env prod` from the detail: back to the matrix, prod column selected.
    let mut keys = vec![Action::Palette];
    keys.extend(typed("env prod"));
    keys.push(Action::Submit);
    press(&mut app, &keys, Millis(1_000));
    assert_eq!(app.context(), Context::Matrix);
    assert_eq!(app.matrix().selection().1, "prod");
    // Filter as typed; esc clears, enter keeps.
    let mut keys = vec![Action::Filter];
    keys.extend(typed("docs"));
    press(&mut app, &keys, Millis(1_000));
    assert_eq!(app.matrix().rows(), ["docs_mcp"]);
    press(&mut app, &[Action::Back], Millis(1_000));
    assert_eq!(app.matrix().rows().len(), 2, "esc cleared it");
    let mut keys = vec![Action::Filter];
    keys.extend(typed("WEA"));
    keys.push(Action::Submit);
    press(&mut app, &keys, Millis(1_000));
    assert_eq!(app.matrix().rows(), ["weather_mcp"]);
    assert!(app.modal().is_none());
    press(&mut app, &[Action::Back], Millis(1_000));
    assert_eq!(
        app.matrix().rows().len(),
        2,
        "esc on the pane clears the filter first"
    );
}

#[test]
fn opening_a_runtime_that_is_not_there_says_so() {
    let mut app = loaded(&[]);
    // docs_mcp × staging does not exist.
    let reqs = press(&mut app, &[Action::Right, Action::Open], Millis(0));
    assert!(reqs.is_empty());
    assert_eq!(app.context(), Context::Matrix);
    let msg = app.status().latest().expect("message");
    assert!(msg.text.contains("not deployed in staging"), "{msg:?}");
}

#[test]
fn keys_become_text_in_prompts_and_ctrl_c_always_quits() {
    let mut app = loaded(&[]);
    let q = KeyEvent::new(KeyCode::Char('q'), KeyModifiers::NONE);
    assert_eq!(app.action_for(&q), Some(Action::Quit));
    press(&mut app, &[Action::Palette], Millis(0));
    assert_eq!(app.action_for(&q), Some(Action::Char('q')));
    let ctrl_c = KeyEvent::new(KeyCode::Char('c'), KeyModifiers::CONTROL);
    assert_eq!(app.action_for(&ctrl_c), Some(Action::ForceQuit));
    press(&mut app, &[Action::ForceQuit], Millis(0));
    assert!(app.should_quit());
}

#[test]
fn a_protected_environment_needs_its_name_then_a_confirmation_then_one_write() {
    let mut app = runtime_in("prod");
    // Endpoints by name, DEFAULT last: canary, live, DEFAULT. live goes back to 1: the audit
    // trail says it served 1 before its last move to 3.
    let reqs = press(&mut app, &[Action::Down, Action::Rollback], Millis(1_000));
    assert!(reqs.is_empty());
    let Some(Modal::Arm(prompt)) = app.modal() else {
        panic!("expected the arm prompt, got {:?}", app.modal());
    };
    assert_eq!(prompt.env, "prod");
    // A wrong name is refused and arms nothing.
    let mut keys = typed("prd");
    keys.push(Action::Submit);
    assert!(press(&mut app, &keys, Millis(2_000)).is_empty());
    let Some(Modal::Arm(prompt)) = app.modal() else {
        panic!("still the arm prompt");
    };
    assert!(
        prompt
            .error
            .as_deref()
            .is_some_and(|e| e.contains("not armed"))
    );
    assert!(!app.arming().is_armed("prod", Millis(2_000)));
    // The right name arms for 5 minutes and goes on to the confirmation.
    let mut keys = typed("prod");
    keys.push(Action::Submit);
    assert!(press(&mut app, &keys, Millis(3_000)).is_empty());
    assert!(app.arming().is_armed("prod", Millis(3_000)));
    let Some(Modal::Confirm(c)) = app.modal() else {
        panic!("expected the confirmation, got {:?}", app.modal());
    };
    let expected = WriteOp::Rollback {
        env: "prod".into(),
        runtime: "weather_mcp".into(),
        runtime_id: "weather_mcp-AbC123xyz".into(),
        endpoint: "live".into(),
        from: "3".into(),
        to: "1".into(),
    };
    assert_eq!(c.op, expected);
    assert!(
        c.command.ends_with("--to-version 1 --arm --yes"),
        "{}",
        c.command
    );
    // Confirm: exactly one write, armed, with the equivalent command line.
    let reqs = press(&mut app, &[Action::Submit, Action::Submit], Millis(4_000));
    let w = writes(&reqs);
    assert_eq!(w.len(), 1, "{reqs:?}");
    let Job::Write { op, armed, command } = &w[0].job else {
        unreachable!()
    };
    assert_eq!(op, &expected);
    assert!(armed);
    assert_eq!(
        command,
        "agentcore-console --config /etc/agentcore/environments.toml --env prod rollback weather_mcp --endpoint live --to-version 1 --arm --yes"
    );
    assert_eq!(app.writes_in_flight(), 1);
    // Quitting waits for the write; its result re-reads the pane and lands on the status line.
    press(&mut app, &[Action::Quit], Millis(4_500));
    assert!(!app.should_quit());
    let follow = app.apply(
        Response {
            ticket: w[0].ticket,
            reply: Reply::Write {
                op: expected,
                result: Ok("prod: weather_mcp endpoint live moved 3 → 1".into()),
            },
        },
        Millis(5_000),
    );
    assert_eq!(app.writes_in_flight(), 0);
    assert!(matches!(
        follow[..],
        [Request {
            job: Job::RuntimeDetail { .. },
            ..
        }]
    ));
    let msg = app.status().latest().expect("message");
    assert_eq!(
        (msg.level, msg.text.as_str()),
        (Level::Info, "✓ prod: weather_mcp endpoint live moved 3 → 1")
    );
}

#[test]
fn an_unprotected_environment_goes_straight_to_the_confirmation_and_cancel_sends_nothing() {
    let mut app = runtime_in("dev");
    press(&mut app, &[Action::Rollback], Millis(0));
    let Some(Modal::Confirm(c)) = app.modal() else {
        panic!("expected the confirmation, got {:?}", app.modal());
    };
    assert!(!c.command.contains("--arm"));
    assert!(press(&mut app, &[Action::Back], Millis(0)).is_empty());
    assert!(app.modal().is_none());
    assert_eq!(app.writes_in_flight(), 0);
}

#[test]
fn arming_expires_after_five_minutes_even_with_the_confirmation_open() {
    let mut app = runtime_in("prod");
    let five = ms(ARM_FOR);
    let mut keys = vec![Action::Arm];
    keys.extend(typed("prod"));
    keys.push(Action::Submit);
    press(&mut app, &keys, Millis(0));
    assert!(app.arming().is_armed("prod", Millis(five - 1)));
    // Armed: the write goes straight to the confirmation...
    press(&mut app, &[Action::Rollback], Millis(five - 1_000));
    assert!(matches!(app.modal(), Some(Modal::Confirm(_))));
    // ...which is confirmed too late: no write, the arm prompt again.
    let reqs = press(&mut app, &[Action::Submit], Millis(five));
    assert!(writes(&reqs).is_empty());
    assert!(matches!(app.modal(), Some(Modal::Arm(p)) if p.then.is_some()));
    press(&mut app, &[Action::Back], Millis(five));
    // The tick says it expired; `A` toggles arming off when armed.
    let mut keys = vec![Action::Arm];
    keys.extend(typed("prod"));
    keys.push(Action::Submit);
    press(&mut app, &keys, Millis(10 * five));
    press(&mut app, &[Action::Tick], Millis(11 * five));
    assert!(!app.arming().is_armed("prod", Millis(11 * five)));
    assert!(
        app.status()
            .latest()
            .is_some_and(|m| m.text.contains("prod disarmed"))
    );
    press(&mut app, &[Action::Arm], Millis(11 * five));
    assert!(matches!(app.modal(), Some(Modal::Arm(_))));
}

#[test]
fn stale_responses_change_nothing() {
    let mut app = app();
    let first = app.start(Millis(0));
    let second = press(&mut app, &[Action::Refresh], Millis(100));
    assert_eq!(second.len(), 3);
    // The first round answers late: dropped.
    for req in &first {
        let resp = answer(req, &[]).expect("answer");
        app.apply(resp, Millis(200));
    }
    let dev = app.matrix().column("dev").expect("dev");
    assert_eq!(dev.state(), &Loadable::Loading);
    assert!(app.matrix().rows().is_empty());
    // The second round counts.
    serve(&mut app, second, &[], Millis(300));
    assert_eq!(app.matrix().rows().len(), 2);
    // An answer for a pane that was closed is dropped too.
    let reqs = press(
        &mut app,
        &[Action::OpenRuntime {
            env: "dev".into(),
            runtime: "weather_mcp".into(),
        }],
        Millis(400),
    );
    press(&mut app, &[Action::Back], Millis(500));
    let late = answer(&reqs[0], &[]).expect("answer");
    assert!(app.apply(late, Millis(600)).is_empty());
    assert_eq!(app.context(), Context::Matrix);
}

#[test]
fn an_environment_that_fails_leaves_the_others() {
    let app = loaded(&["staging"]);
    let m = app.matrix();
    assert!(matches!(
        m.column("staging").map(|c| c.state()),
        Some(Loadable::Failed(_))
    ));
    assert!(m.column("dev").and_then(|c| c.value()).is_some());
    assert!(m.column("prod").and_then(|c| c.value()).is_some());
    assert_eq!(m.rows(), ["docs_mcp", "weather_mcp"]);
    let msg = app.status().latest().expect("message");
    assert_eq!(msg.level, Level::Error);
    assert!(
        msg.text.starts_with("staging: ListAgentRuntimes"),
        "{}",
        msg.text
    );
}

#[test]
fn a_full_queue_lets_the_next_poll_try_again() {
    let mut app = app();
    let reqs = app.start(Millis(0));
    for r in reqs {
        app.rejected(r);
    }
    // Every matrix column and every alarm listing again.
    assert_eq!(app.update(Action::Tick, Millis(1)).len(), 6);
}

#[test]
fn rollback_refuses_default_and_endpoints_without_an_earlier_version() {
    let mut app = runtime_in("prod");
    // canary, live, DEFAULT: DEFAULT is last.
    press(&mut app, &[Action::Bottom, Action::Rollback], Millis(0));
    assert!(app.modal().is_none());
    let msg = app.status().latest().expect("message");
    assert!(
        msg.text.contains("DEFAULT always serves the latest"),
        "{}",
        msg.text
    );
}

#[test]
fn a_failing_environment_is_reported_once_per_outage() {
    let mut app = loaded(&["staging"]);
    let before = app.status().len();
    for t in [6_000, 12_000] {
        let reqs = app.update(Action::Tick, Millis(t));
        serve(&mut app, reqs, &["staging"], Millis(t));
    }
    assert_eq!(
        app.status().len(),
        before,
        "the same error again stays quiet"
    );
    assert_eq!(app.status().latest().map(|m| m.at), Some(Millis(0)));
    let reqs = app.update(Action::Tick, Millis(18_000));
    serve(&mut app, reqs, &[], Millis(18_000));
    let reqs = app.update(Action::Tick, Millis(24_000));
    serve(&mut app, reqs, &["staging"], Millis(24_000));
    let latest = app.status().latest().expect("message");
    assert_eq!(latest.at, Millis(24_000), "a new outage is reported now");
    assert!(latest.text.starts_with("staging:"));
}

#[test]
fn a_task_that_panicked_is_an_error_in_the_status_line_and_the_console_goes_on() {
    let mut app = runtime_in("dev");
    let reqs = app.apply(
        Response {
            ticket: super::io::Ticket {
                pane: MATRIX_UID,
                generation: 1,
            },
            reply: Reply::Crashed("internal error: task 9 panicked; the console goes on".into()),
        },
        Millis(1),
    );
    assert!(reqs.is_empty());
    let msg = app.status().latest().expect("message");
    assert_eq!(msg.level, Level::Error);
    assert!(msg.text.contains("panicked"), "{msg:?}");
    assert_eq!(app.context(), Context::Runtime, "the pane on top stays");
}
