//! Alarms in the app, without a terminal: listings on their own ticket and schedule, errors
//! kept per environment and reported once, the matrix's firing filter, the alarms pane's
//! history opening and closing.

use super::action::{Action, PaneKind};
use super::alarms::ALARMS_UID;
use super::alarms::tests::alarm;
use super::fixtures::*;
use super::io::{Job, Reply, Response};
use super::keymap::Context;
use super::time::Millis;
use crate::domain::alarms::AlarmState;

fn firing_in_prod() -> super::app::App {
    let mut app = loaded(&[]);
    let lists = [
        (
            "prod",
            vec![alarm(
                "prod",
                "weather_mcp",
                "live",
                "latency",
                AlarmState::Alarm,
            )],
        ),
        (
            "dev",
            vec![alarm(
                "dev",
                "docs_mcp",
                "DEFAULT",
                "latency",
                AlarmState::InsufficientData,
            )],
        ),
        ("staging", vec![]),
    ];
    with_alarms(&mut app, &lists, "unused", Millis(1_000));
    app
}

#[test]
fn listings_poll_every_30_s_whatever_pane_is_open_and_a_pane_closing_does_not_cancel_them() {
    let mut app = loaded(&[]);
    let alarms = |reqs: &[super::io::Request]| {
        reqs.iter()
            .filter(|r| matches!(r.job, Job::Alarms { .. }))
            .count()
    };
    assert_eq!(alarms(&app.update(Action::Tick, Millis(29_000))), 0);
    let open = Action::OpenRuntime {
        env: "dev".into(),
        runtime: "weather_mcp".into(),
    };
    let reqs = press(&mut app, &[open], Millis(29_500));
    assert_eq!(alarms(&reqs), 0);
    let reqs = app.update(Action::Tick, Millis(30_000));
    assert_eq!(alarms(&reqs), 3, "due, with the runtime pane on top");
    assert!(
        reqs.iter()
            .filter(|r| matches!(r.job, Job::Alarms { .. }))
            .all(|r| r.ticket.pane == ALARMS_UID)
    );
    // Going back cancels the runtime pane's reads, never the listings' ticket.
    let back = press(&mut app, &[Action::Back], Millis(30_100));
    assert!(
        back.iter()
            .filter(|r| r.job == Job::Cancel)
            .all(|r| r.ticket.pane != ALARMS_UID)
    );
}

#[test]
fn a_failing_environment_keeps_its_alarms_and_is_reported_once() {
    let mut app = firing_in_prod();
    let fail = |app: &mut super::app::App, now| {
        for r in app.update(Action::Refresh, Millis(now)) {
            if let Job::Alarms { env } = &r.job {
                let result = if env == "prod" {
                    Err("DescribeAlarms: Throttling: rate exceeded".to_string())
                } else {
                    Ok(super::alarms::tests::listed(vec![]))
                };
                let reply = Reply::Alarms {
                    env: env.clone(),
                    result,
                };
                app.apply(
                    Response {
                        ticket: r.ticket,
                        reply,
                    },
                    Millis(now),
                );
            }
        }
    };
    fail(&mut app, 2_000);
    fail(&mut app, 40_000);
    assert_eq!(
        app.alarms().badge("prod", "weather_mcp").firing,
        1,
        "the last good list"
    );
    assert_eq!(
        app.alarms().badge("dev", "docs_mcp").no_data,
        0,
        "dev's new list"
    );
    let messages = format!("{:?}", app.status());
    assert_eq!(
        messages
            .matches("prod: alarms: DescribeAlarms: Throttling")
            .count(),
        1,
        "{messages}"
    );
    assert!(screen(&app, 120, 24).contains("! prod: alarms: DescribeAlarms: Throttling"));
}

#[test]
fn the_firing_filter_keeps_firing_rows_and_toggles_back() {
    let mut app = firing_in_prod();
    assert_eq!(app.matrix().rows(), ["docs_mcp", "weather_mcp"]);
    press(&mut app, &[Action::FiringOnly], Millis(2_000));
    assert_eq!(
        app.matrix().rows(),
        ["weather_mcp"],
        "missing data is not firing"
    );
    assert_eq!(app.breadcrumbs(), ["environments · firing only"]);
    press(&mut app, &[Action::FiringOnly], Millis(2_000));
    assert_eq!(app.matrix().rows(), ["docs_mcp", "weather_mcp"]);
    // From another pane (the palette's `firing`), back to the filtered matrix.
    let open = Action::OpenRuntime {
        env: "prod".into(),
        runtime: "weather_mcp".into(),
    };
    press(&mut app, &[open, Action::FiringOnly], Millis(2_000));
    assert_eq!(app.context(), Context::Matrix);
    assert!(app.matrix().firing_only());
    // Jumping to a runtime that is not firing shows every runtime again.
    press(
        &mut app,
        &[Action::FocusRuntime("docs_mcp".into())],
        Millis(2_000),
    );
    assert!(!app.matrix().firing_only());
    assert_eq!(app.matrix().selection().0.as_deref(), Some("docs_mcp"));
}

#[test]
fn enter_opens_the_history_and_esc_closes_it_before_going_back() {
    let mut app = firing_in_prod();
    let reqs = press(&mut app, &[Action::Goto(PaneKind::Alarms)], Millis(2_000));
    assert!(
        reqs.iter()
            .all(|r| !matches!(r.job, Job::AlarmHistory { .. })),
        "no history yet"
    );
    assert_eq!(app.context(), Context::Alarms);
    let reqs = press(&mut app, &[Action::Open], Millis(2_000));
    let [req] = &reqs[..] else { panic!("{reqs:?}") };
    assert_eq!(
        req.job,
        Job::AlarmHistory {
            env: "prod".into(),
            alarm: "agentcore-console/weather_mcp/live/latency".into()
        },
        "firing first"
    );
    assert!(screen(&app, 120, 24).contains("Reading its history"));
    press(&mut app, &[Action::Back], Millis(2_000));
    assert_eq!(
        app.context(),
        Context::Alarms,
        "esc closed the history only"
    );
    assert!(!screen(&app, 120, 24).contains("HISTORY"));
    press(&mut app, &[Action::Back], Millis(2_000));
    assert_eq!(app.context(), Context::Matrix);
}
