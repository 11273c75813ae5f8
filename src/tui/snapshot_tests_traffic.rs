//! The traffic and metrics panes in every state, as text screens (insta), from the fixed data
//! in `fixtures_traffic.rs`.

use insta::assert_snapshot;

use super::action::Action;
use super::app::App;
use super::fixtures::*;
use super::fixtures_traffic::{metrics_empty, no_split};
use super::io::{Reply, Response};
use super::theme::Theme;
use super::time::Millis;
use super::widgets::chart::ChartMarker;

const W: u16 = 120;
const H: u16 = 30;

/// The traffic pane of weather_mcp in `env`; `reply` answers its request (none: loading).
fn traffic(env: &str, reply: Option<Reply>) -> App {
    let mut app = loaded(&[]);
    let reqs = press(
        &mut app,
        &[Action::OpenTraffic {
            env: env.into(),
            runtime: "weather_mcp".into(),
        }],
        Millis(0),
    );
    if let Some(reply) = reply {
        app.apply(
            Response {
                ticket: reqs[0].ticket,
                reply,
            },
            Millis(0),
        );
    }
    app
}

fn failing_canary() -> Reply {
    Reply::Traffic(Ok(Box::new(super::fixtures_traffic::traffic_data())))
}

#[test]
fn traffic_loading() {
    assert_snapshot!(screen(&traffic("prod", None), W, 24));
}

#[test]
fn traffic_no_split_yet() {
    let app = traffic("dev", Some(Reply::Traffic(Ok(Box::new(no_split())))));
    assert_snapshot!(screen(&app, W, 24));
}

/// Set 10% / got 12%, and a canary failing 31% of 120 calls against stable's 0%.
#[test]
fn traffic_failing_canary() {
    let app = traffic("prod", Some(failing_canary()));
    let text = screen(&app, W, 24);
    assert!(text.contains("set 10% / got 12%"));
    assert!(text.contains("canary errors 31% vs stable 0% over 15 min (120 calls)"));
    assert_snapshot!(text);
}

#[test]
fn traffic_error() {
    let app = traffic(
        "prod",
        Some(Reply::Traffic(Err(
            "prod: runtime `weather_mcp` not found".into()
        ))),
    );
    assert_snapshot!(screen(&app, W, 24));
}

#[test]
fn traffic_narrow() {
    assert_snapshot!(screen(&traffic("prod", Some(failing_canary())), 80, 24));
}

#[test]
fn traffic_weight_form_refuses_101() {
    let mut app = traffic("dev", Some(failing_canary()));
    let mut keys = vec![Action::SetWeight, Action::ClearInput];
    keys.extend(typed("101"));
    keys.push(Action::Submit);
    press(&mut app, &keys, Millis(0));
    assert_snapshot!(screen(&app, W, 24));
}

#[test]
fn traffic_abort_confirmation() {
    let mut app = traffic("prod", Some(failing_canary()));
    let mut keys = vec![Action::Abort];
    keys.extend(typed("prod"));
    keys.push(Action::Submit);
    press(&mut app, &keys, Millis(0));
    assert_snapshot!(screen(&app, W, H));
}

/// The metrics pane of weather_mcp in prod, with chart lines `mode`; `answer` answers it.
fn metrics(mode: ChartMarker, answer_with: Option<fn(i64, i32) -> Reply>) -> App {
    let mut theme = Theme::colored();
    theme.chart_marker = mode;
    let mut app = app_with(theme);
    let reqs = app.start(Millis(0));
    serve(&mut app, reqs, &[], Millis(0));
    let reqs = press(
        &mut app,
        &[Action::OpenMetrics {
            env: "prod".into(),
            runtime: "weather_mcp".into(),
        }],
        Millis(0),
    );
    if let Some(f) = answer_with {
        let super::io::Job::Metrics { span, period, .. } = reqs[0].job else {
            panic!("{reqs:?}");
        };
        app.apply(
            Response {
                ticket: reqs[0].ticket,
                reply: f(span, period),
            },
            Millis(0),
        );
    }
    app
}

fn populated(span: i64, period: i32) -> Reply {
    Reply::Metrics(Ok(Box::new(super::fixtures_traffic::metrics_data(
        span, period,
    ))))
}

#[test]
fn metrics_loading() {
    assert_snapshot!(screen(&metrics(ChartMarker::Braille, None), W, 24));
}

#[test]
fn metrics_empty_window() {
    let app = metrics(
        ChartMarker::Braille,
        Some(|s, p| Reply::Metrics(Ok(Box::new(metrics_empty(s, p))))),
    );
    assert_snapshot!(screen(&app, W, 24));
}

#[test]
fn metrics_error() {
    let app = metrics(
        ChartMarker::Braille,
        Some(|_, _| Reply::Metrics(Err("GetMetricData: throttled (Rate exceeded)".into()))),
    );
    assert_snapshot!(screen(&app, W, 24));
}

/// live v3 and canary v4 (v3 until 10:02), DEFAULT idle; markers: the deploy of v4 at 09:58
/// and the split set at 10:02.
#[test]
fn metrics_populated_braille() {
    let app = metrics(ChartMarker::Braille, Some(populated));
    let text = screen(&app, W, H);
    assert!(text.contains("1 09:58 deploy v4 "), "{text}");
    assert!(text.contains("2 10:02 set canary v4 10%"), "{text}");
    assert!(text.contains("canary v4 (v3 until 10:02)"), "{text}");
    assert_snapshot!(text);
}

#[test]
fn metrics_populated_ascii() {
    let app = metrics(ChartMarker::Ascii, Some(populated));
    let text = screen(&app, W, H);
    let graph: String = text.lines().skip(4).take(20).collect();
    assert!(
        !graph
            .chars()
            .any(|c| ('\u{2800}'..='\u{28ff}').contains(&c)),
        "no braille"
    );
    assert_snapshot!(text);
}

#[test]
fn metrics_populated_dots() {
    assert_snapshot!(screen(&metrics(ChartMarker::Dot, Some(populated)), W, H));
}

#[test]
fn metrics_narrow() {
    assert_snapshot!(screen(
        &metrics(ChartMarker::Braille, Some(populated)),
        80,
        24
    ));
}
