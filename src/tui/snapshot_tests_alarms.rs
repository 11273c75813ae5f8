//! Alarms on screen: matrix badges and the firing filter, the runtime detail's alarms, the
//! alarms pane (list, history, error), and thresholds with an ALARM period on the charts.

use insta::assert_snapshot;

use super::action::{Action, PaneKind};
use super::alarms::tests::{alarm, item};
use super::fixtures::*;
use super::io::{AlarmHistory, ChartAlarm, Job, Reply, Response};
use super::time::Millis;
use crate::domain::alarms::AlarmState;

const W: u16 = 120;
const H: u16 = 24;

/// prod: weather_mcp's live latency firing (with a hostile reason) and canary error rate
/// without data; dev: docs_mcp's error rate OK; staging's listing fails.
fn alarmed() -> super::app::App {
    let mut app = loaded(&[]);
    let mut hostile = alarm("prod", "weather_mcp", "live", "latency", AlarmState::Alarm);
    hostile.reason = "Threshold Crossed:\n\u{1b}[2J1 datapoint [2450.0] >= 2000.0".into();
    let lists = [
        (
            "prod",
            vec![
                hostile,
                alarm(
                    "prod",
                    "weather_mcp",
                    "canary",
                    "error-rate",
                    AlarmState::InsufficientData,
                ),
            ],
        ),
        (
            "dev",
            vec![alarm(
                "dev",
                "docs_mcp",
                "DEFAULT",
                "error-rate",
                AlarmState::Ok,
            )],
        ),
    ];
    with_alarms(
        &mut app,
        &lists,
        "DescribeAlarms: AccessDenied: not authorized",
        Millis(60_000),
    );
    app
}

#[test]
fn matrix_with_alarm_badges() {
    let app = alarmed();
    let s = screen(&app, W, H);
    assert!(s.contains("▲1") && s.contains("△1"), "{s}");
    assert!(!s.contains('\u{1b}'));
    assert_snapshot!(s);
}

#[test]
fn matrix_firing_only() {
    let mut app = alarmed();
    press(&mut app, &[Action::FiringOnly], Millis(60_000));
    assert_eq!(app.matrix().rows(), ["weather_mcp"]);
    assert_snapshot!(screen(&app, W, H));
}

#[test]
fn runtime_with_alarms() {
    let mut app = alarmed();
    let reqs = press(
        &mut app,
        &[
            Action::FocusRuntime("weather_mcp".into()),
            Action::FocusEnv("prod".into()),
            Action::Open,
        ],
        Millis(60_000),
    );
    serve(&mut app, reqs, &[], Millis(60_000));
    assert_snapshot!(screen(&app, W, 30));
}

#[test]
fn alarms_pane_list() {
    let mut app = alarmed();
    press(
        &mut app,
        &[Action::Goto(PaneKind::Alarms), Action::Down],
        Millis(90_000),
    );
    assert_snapshot!(screen(&app, W, H));
}

fn history_answer(app: &mut super::app::App, result: Result<Box<AlarmHistory>, String>) {
    let reqs = press(
        app,
        &[Action::Goto(PaneKind::Alarms), Action::Open],
        Millis(90_000),
    );
    let req = reqs
        .iter()
        .find(|r| matches!(r.job, Job::AlarmHistory { .. }))
        .expect("a history request");
    app.apply(
        Response {
            ticket: req.ticket,
            reply: Reply::AlarmHistory(result),
        },
        Millis(91_000),
    );
}

#[test]
fn alarms_pane_history() {
    let mut app = alarmed();
    let items = vec![
        item(
            "2026-11-24T09:52:00Z",
            "StateUpdate",
            Some(AlarmState::Alarm),
        ),
        item("2026-11-24T09:40:00Z", "StateUpdate", Some(AlarmState::Ok)),
        item("2026-11-24T09:30:00Z", "ConfigurationUpdate", None),
    ];
    let name = "agentcore-console/weather_mcp/live/latency".to_string();
    history_answer(
        &mut app,
        Ok(Box::new(AlarmHistory {
            env: "prod".into(),
            alarm: name,
            items,
        })),
    );
    assert_snapshot!(screen(&app, W, H));
}

#[test]
fn alarms_pane_history_error() {
    let mut app = alarmed();
    history_answer(
        &mut app,
        Err(
            "DescribeAlarmHistory: UnknownOperation: the local AgentCore does not implement it"
                .into(),
        ),
    );
    assert_snapshot!(screen(&app, W, H));
}

#[test]
fn metrics_with_threshold_and_alarm_period() {
    let mut app = alarmed();
    let open = Action::OpenMetrics {
        env: "prod".into(),
        runtime: "weather_mcp".into(),
    };
    let reqs = press(&mut app, &[open, Action::Range(1)], Millis(90_000));
    for r in reqs {
        let Some(mut resp) = super::fixtures::answer(&r, &[]) else {
            continue;
        };
        if let Reply::Metrics(Ok(d)) = &mut resp.reply {
            let mut latency = alarm("prod", "weather_mcp", "live", "latency", AlarmState::Alarm);
            latency.threshold = Some(600.0);
            let rate = alarm(
                "prod",
                "weather_mcp",
                "canary",
                "error-rate",
                AlarmState::Ok,
            );
            // In ALARM from 20 to 10 minutes before the window's end, and again from 4.
            let at = |ago: i64| {
                crate::domain::timestamp::rfc3339_from_ms((d.window.end - ago * 60) * 1000)
                    .expect("time")
            };
            let history = vec![
                item(&at(4), "StateUpdate", Some(AlarmState::Alarm)),
                item(&at(10), "StateUpdate", Some(AlarmState::Ok)),
                item(&at(20), "StateUpdate", Some(AlarmState::Alarm)),
            ];
            d.alarms = Ok(vec![
                ChartAlarm {
                    alarm: latency,
                    history: Ok(history),
                },
                ChartAlarm {
                    alarm: rate,
                    history: Ok(vec![]),
                },
            ]);
        }
        app.apply(resp, Millis(90_000));
    }
    let s = screen(&app, 130, 40);
    assert!(
        s.contains("live p99 ≥600ms") && s.contains("canary ≥5%"),
        "{s}"
    );
    assert!(s.contains('━'), "{s}");
    assert_snapshot!(s);
}
