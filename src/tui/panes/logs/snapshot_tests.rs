//! The logs pane in every state, as text screens (insta), from fixed lines.

use insta::assert_snapshot;
use ratatui::style::Color;

use super::fixtures::{batch, json, line, opened, reply};
use super::*;
use crate::backend::logs::{LogLine, Notice};
use crate::tui::app::App;
use crate::tui::fixtures::*;
use crate::tui::io::Request;
use crate::tui::theme::Theme;

const W: u16 = 120;
const H: u16 = 24;
const NOW: Millis = Millis(60_000);

/// A morning in prod: requests, an error, a traceback, a line with escape sequences.
fn prod_lines(env: &str) -> Vec<LogLine> {
    vec![
        line(
            env,
            "weather_mcp",
            0,
            &json("INFO", "weather", "9f2c4e1a7b", 200),
        ),
        line(
            env,
            "weather_mcp",
            1,
            &json("INFO", "add", "9f2c4e1a7b", 200),
        ),
        line(
            env,
            "weather_mcp",
            2,
            &json("ERROR", "fail", "c0ffee0123", 500),
        ),
        line(
            env,
            "weather_mcp",
            2,
            "Traceback (most recent call last): ValueError: boom",
        ),
        line(env, "weather_mcp", 3, "evil \x1b[2J\x1b]0;pwned\x07 text"),
        line(
            env,
            "weather_mcp",
            4,
            &json("WARN", "weather", "77aa55bb99", 200),
        ),
    ]
}

fn with_lines(lines: Vec<LogLine>) -> App {
    let (mut app, req) = opened();
    reply(&mut app, &req, stats(batch(lines)), NOW);
    app
}

fn stats(mut b: LogBatch) -> LogBatch {
    b.stats = Some(TailStats {
        delivered: b.lines.len() as u64,
        deduplicated: 2,
        sampled_updates: 0,
        throttled: 0,
        reconnects: 1,
        lag_ms: 850,
    });
    b
}

/// weather_mcp in every environment, lines from dev and prod interleaved.
fn two_sources(theme: Theme) -> App {
    let mut app = app_with(theme);
    let reqs = app.start(Millis(0));
    serve(&mut app, reqs, &[], Millis(0));
    let reqs = press(&mut app, &[Action::Down, Action::LogsAllEnvs], Millis(0));
    let req: Request = reqs
        .into_iter()
        .find(|r| matches!(r.job, Job::LogStream(_)))
        .expect("a stream");
    let mut lines = vec![];
    for (i, (d, p)) in prod_lines("dev")
        .into_iter()
        .zip(prod_lines("prod"))
        .enumerate()
    {
        if i % 2 == 0 {
            lines.extend([d, p]);
        } else {
            lines.extend([p, d]);
        }
    }
    let mut b = stats(batch(lines));
    b.notices = vec![Notice {
        env: "staging".into(),
        runtime: "weather_mcp".into(),
        kind: NoticeKind::Reconnect,
        text: "Live Tail session ended; reconnecting".into(),
    }];
    reply(&mut app, &req, b, NOW);
    app
}

#[test]
fn logs_loading() {
    let (app, _) = opened();
    assert_snapshot!(screen(&app, W, H));
}

#[test]
fn logs_empty() {
    assert_snapshot!(screen(&with_lines(vec![]), W, H));
}

#[test]
fn logs_error() {
    let (mut app, req) = opened();
    let why = "FilterLogEvents: cannot connect: Connection refused (os error 111)";
    reply(&mut app, &req, LogBatch::failed(why.into()), NOW);
    assert_snapshot!(screen(&app, W, H));
}

#[test]
fn logs_populated_two_sources() {
    let app = two_sources(Theme::colored());
    assert_snapshot!(screen(&app, W, H));
    // Each source has its colour bar, in order of their first line: dev, then prod (staging
    // sent nothing, so it is no source).
    let buf = buffer(&app, W, H);
    let bars: Vec<Color> = (0..H)
        .filter(|y| buf[(1u16, *y)].symbol() == "▌")
        .map(|y| buf[(1u16, y)].fg)
        .collect();
    assert!(
        bars.contains(&Color::Cyan) && bars.contains(&Color::Magenta),
        "{bars:?}"
    );
}

#[test]
fn logs_json_pretty() {
    let mut app = with_lines(prod_lines("prod"));
    press(&mut app, &[Action::Log(LogCmd::Json)], NOW);
    assert_snapshot!(screen(&app, W, H));
}

#[test]
fn logs_json_columns() {
    let mut app = with_lines(prod_lines("prod"));
    press(
        &mut app,
        &[Action::Log(LogCmd::Json), Action::Log(LogCmd::Json)],
        NOW,
    );
    assert_snapshot!(screen(&app, W, H));
}

#[test]
fn logs_highlight() {
    let mut app = with_lines(prod_lines("prod"));
    app.update(Action::Filter, NOW);
    press(&mut app, &typed("error|boom"), NOW);
    app.update(Action::Submit, NOW);
    press(&mut app, &[Action::Log(LogCmd::Highlight)], NOW);
    let s = screen(&app, W, H);
    assert_snapshot!(s);
    let buf = buffer(&app, W, H);
    let marked: String = buf
        .content()
        .iter()
        .filter(|c| c.bg == Color::Yellow)
        .map(|c| c.symbol())
        .collect();
    assert_eq!(marked, "ERRORErrorboom", "smart case: ValueError too");
}

#[test]
fn logs_filtered_and_paused() {
    let (mut app, req) = opened();
    reply(&mut app, &req, stats(batch(prod_lines("prod"))), NOW);
    app.update(Action::Filter, NOW);
    press(&mut app, &typed("weather"), NOW);
    app.update(Action::Submit, NOW);
    press(&mut app, &[Action::Up], NOW);
    let more = vec![
        line(
            "prod",
            "weather_mcp",
            9,
            &json("INFO", "weather", "1234567890", 200),
        ),
        line(
            "prod",
            "weather_mcp",
            9,
            &json("INFO", "echo", "1234567890", 200),
        ),
    ];
    reply(&mut app, &req, batch(more), NOW);
    assert_snapshot!(screen(&app, W, H));
}

#[test]
fn logs_filter_pattern_prompt_with_an_error() {
    let mut app = with_lines(prod_lines("prod"));
    press(&mut app, &[Action::Log(LogCmd::ServerFilter)], NOW);
    let mut actions = typed("{ $.status >= ");
    actions.push(Action::Submit);
    press(&mut app, &actions, NOW);
    assert_snapshot!(screen(&app, W, H));
}

#[test]
fn logs_narrow() {
    let mut app = two_sources(Theme::colored());
    press(&mut app, &[Action::Log(LogCmd::Wrap)], NOW);
    assert_snapshot!(screen(&app, 60, 20));
}

#[test]
fn logs_no_color() {
    let app = two_sources(Theme::mono());
    assert_snapshot!(screen(&app, W, H));
    let buf = buffer(&app, W, H);
    for cell in buf.content() {
        assert_eq!((cell.fg, cell.bg), (Color::Reset, Color::Reset), "{cell:?}");
    }
}
