//! The logs pane without a terminal: opening (matrix, detail, palette), the stream request and
//! its cancellation, stale generations, the bounded buffer, filter and highlight, the
//! filter-pattern prompt, pause and scroll, save.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use super::fixtures::{T0, batch, json, key, line, opened, reply, stream_of};
use super::*;
use crate::backend::logs::Notice;
use crate::tui::fixtures::*;
use crate::tui::io::Response;

#[test]
fn l_in_the_matrix_opens_the_cell_and_ctrl_l_every_environment() {
    let (app, req) = opened();
    assert_eq!(app.context(), Context::Logs);
    assert_eq!(
        app.breadcrumbs(),
        ["environments", "logs weather_mcp in prod"]
    );
    assert_eq!(
        req.job,
        Job::LogStream(LogStreamJob {
            targets: vec![("prod".into(), "weather_mcp".into())],
            since_secs: 300,
            follow: true,
            filter: None,
        })
    );
    let mut app = loaded(&[]);
    press(&mut app, &[Action::Down], Millis(0));
    let ctrl_l = KeyEvent::new(KeyCode::Char('l'), KeyModifiers::CONTROL);
    let action = app.action_for(&ctrl_l).expect("bound");
    let reqs = app.update(action, Millis(0));
    let (_, job) = stream_of(&reqs).expect("a stream");
    let envs: Vec<&str> = job.targets.iter().map(|(e, _)| e.as_str()).collect();
    assert_eq!(envs, ["dev", "staging", "prod"], "where the matrix saw it");
    // docs_mcp is not in staging: L there says so and opens nothing.
    let mut app = loaded(&[]);
    let reqs = press(&mut app, &[Action::Right, Action::Logs], Millis(0));
    assert!(reqs.is_empty());
    assert_eq!(app.context(), Context::Matrix);
}

#[test]
fn the_runtime_detail_and_the_palette_open_logs_too() {
    let mut app = loaded(&[]);
    let reqs = press(
        &mut app,
        &[Action::OpenRuntime {
            env: "dev".into(),
            runtime: "weather_mcp".into(),
        }],
        Millis(0),
    );
    serve(&mut app, reqs, &[], Millis(0));
    let reqs = press(&mut app, &[Action::Logs], Millis(0));
    let (_, job) = stream_of(&reqs).expect("a stream");
    assert_eq!(
        job.targets,
        [("dev".to_string(), "weather_mcp".to_string())]
    );
    let mut app = loaded(&[]);
    let mut actions = vec![Action::Palette];
    actions.extend(typed("logs weather_mcp staging"));
    actions.push(Action::Submit);
    let reqs = press(&mut app, &actions, Millis(0));
    let (_, job) = stream_of(&reqs).expect("a stream from the palette");
    assert_eq!(job.targets, [("staging".into(), "weather_mcp".into())]);
}

#[test]
fn closing_the_pane_cancels_its_stream() {
    let (mut app, req) = opened();
    let reqs = app.update(Action::Back, Millis(1));
    assert!(
        reqs.iter()
            .any(|r| r.job == Job::Cancel && r.ticket.pane == req.ticket.pane),
        "{reqs:?}"
    );
    assert_eq!(app.context(), Context::Matrix);
    // A late batch for the closed pane changes nothing.
    reply(
        &mut app,
        &req,
        batch(vec![line("prod", "weather_mcp", 1, "a-late-line")]),
        Millis(2),
    );
    assert!(!screen(&app, 120, 24).contains("a-late-line"));
}

#[test]
fn a_new_query_is_a_new_generation_and_old_batches_are_dropped() {
    let (mut app, old) = opened();
    let reqs = press(&mut app, &[Action::Log(LogCmd::Window(2))], Millis(5));
    let (new, job) = stream_of(&reqs).expect("restarted");
    assert_eq!((job.since_secs, job.follow), (3_600, true));
    assert!(new.ticket.generation > old.ticket.generation);
    assert_eq!(
        new.ticket.pane, old.ticket.pane,
        "the worker replaces the pane's stream"
    );
    let new = new.clone();
    reply(
        &mut app,
        &old,
        batch(vec![line("prod", "weather_mcp", 1, "stale line")]),
        Millis(6),
    );
    reply(
        &mut app,
        &new,
        batch(vec![line("prod", "weather_mcp", 2, "fresh line")]),
        Millis(6),
    );
    let s = screen(&app, 120, 24);
    assert!(s.contains("fresh line") && !s.contains("stale line"), "{s}");
    // f: history only, the same window.
    let reqs = press(&mut app, &[Action::Log(LogCmd::Follow)], Millis(7));
    let (_, job) = stream_of(&reqs).expect("restarted");
    assert_eq!((job.since_secs, job.follow), (3_600, false));
}

#[test]
fn a_full_buffer_drops_the_oldest_and_the_status_line_counts_them() {
    let mut p = LogsPane::with_capacity(vec![("prod".into(), "weather_mcp".into())], 10);
    let _ = p.start(Millis(0));
    let lines = (0..25)
        .map(|i| line("prod", "weather_mcp", i, &format!("n{i}")))
        .collect();
    p.ingest(LogBatch {
        lines,
        dropped: 3,
        ..LogBatch::default()
    });
    assert_eq!(p.buffer().len(), 10);
    assert_eq!(p.dropped(), 15 + 3, "buffer and stream drops");
    let first = p.shown().at(0).map(|e| e.message.clone());
    assert_eq!(first.as_deref(), Some("n15"));
    // A restart starts counting again.
    let _ = p.start(Millis(1));
    assert_eq!((p.dropped(), p.buffer().len()), (0, 0));
}

#[test]
fn the_regex_filters_or_only_highlights_and_a_bad_one_shows_everything() {
    let mut p = LogsPane::new(vec![("prod".into(), "weather_mcp".into())]);
    let _ = p.start(Millis(0));
    p.ingest(batch(vec![
        line(
            "prod",
            "weather_mcp",
            0,
            &json("INFO", "weather", "s1", 200),
        ),
        line("prod", "weather_mcp", 1, &json("ERROR", "fail", "s2", 500)),
        line("prod", "weather_mcp", 2, "plain text"),
    ]));
    p.set_filter("error");
    assert_eq!(p.shown().len(), 1, "smart case: `error` finds ERROR");
    assert_eq!(p.command(LogCmd::Highlight, Millis(0)), Effect::Done);
    assert_eq!(p.shown().len(), 3);
    assert_eq!(p.buffer().match_count(), 1);
    p.command(LogCmd::Highlight, Millis(0));
    p.set_filter("status\": (");
    assert!(p.regex_error().is_some());
    assert_eq!(p.shown().len(), 3, "an invalid regex hides nothing");
    p.set_filter("");
    assert_eq!((p.shown().len(), p.regex_error()), (3, None));
}

#[test]
fn the_filter_pattern_prompt_validates_applies_and_clears() {
    let (mut app, old) = opened();
    press(&mut app, &[Action::Log(LogCmd::ServerFilter)], Millis(1));
    assert_eq!(
        app.context(),
        Context::Filter,
        "typed text goes to the prompt"
    );
    assert_eq!(app.action_for(&key('f')), Some(Action::Char('f')));
    let mut actions = typed("{ $.level = ");
    actions.push(Action::Submit);
    let reqs = press(&mut app, &actions, Millis(1));
    assert!(reqs.is_empty(), "an invalid pattern is not sent");
    assert!(screen(&app, 120, 24).contains("✗ invalid filter pattern"));
    let mut actions = typed("\"ERROR\" }");
    actions.push(Action::Submit);
    let reqs = press(&mut app, &actions, Millis(2));
    let (new, job) = stream_of(&reqs).expect("restarted with the pattern");
    assert_eq!(job.filter.as_deref(), Some("{ $.level = \"ERROR\" }"));
    assert!(new.ticket.generation > old.ticket.generation);
    assert_eq!(app.context(), Context::Logs);
    // F then esc: no pattern any more.
    let reqs = press(
        &mut app,
        &[Action::Log(LogCmd::ServerFilter), Action::Back],
        Millis(3),
    );
    let (_, job) = stream_of(&reqs).expect("restarted without it");
    assert_eq!(job.filter, None);
}

#[test]
fn scrolling_up_holds_the_view_new_lines_are_counted_and_the_bottom_follows_again() {
    let mut p = LogsPane::new(vec![("prod".into(), "weather_mcp".into())]);
    let _ = p.start(Millis(0));
    p.set_view(120, 10, false);
    let many = |from: i64, n: i64| {
        batch(
            (from..from + n)
                .map(|i| line("prod", "weather_mcp", i, &format!("n{i}")))
                .collect(),
        )
    };
    p.ingest(many(0, 100));
    assert_eq!(p.follow_top(), 90);
    p.scroll_by(&Action::Up);
    assert_eq!(p.scroll(), Scroll::At { top: 89, mark: 100 });
    p.ingest(many(100, 5));
    assert_eq!(p.top_pos(), 89, "held while lines arrive");
    assert_eq!(p.shown().count_from(100), 5, "paused · 5 new");
    p.scroll_by(&Action::PageUp);
    assert_eq!(p.top_pos(), 79);
    p.scroll_by(&Action::Top);
    assert_eq!(p.top_pos(), 0);
    p.scroll_by(&Action::PageDown);
    p.scroll_by(&Action::PageDown);
    assert_eq!(p.top_pos(), 20);
    for _ in 0..10 {
        p.scroll_by(&Action::PageDown);
    }
    assert_eq!(p.scroll(), Scroll::Follow, "the bottom follows again");
    // space pauses and resumes; G resumes too.
    p.command(LogCmd::Pause, Millis(0));
    assert!(matches!(p.scroll(), Scroll::At { .. }));
    p.command(LogCmd::Pause, Millis(0));
    assert_eq!(p.scroll(), Scroll::Follow);
    p.scroll_by(&Action::Up);
    p.scroll_by(&Action::Bottom);
    assert_eq!(p.scroll(), Scroll::Follow);
}

#[test]
fn notices_set_the_mode_and_the_stream_end_its_state() {
    let mut p = LogsPane::new(vec![("prod".into(), "weather_mcp".into())]);
    let _ = p.start(Millis(0));
    assert_eq!(p.mode(), "Live Tail");
    let notice = |kind, text: &str| Notice {
        env: "prod".into(),
        runtime: "weather_mcp".into(),
        kind,
        text: text.into(),
    };
    p.ingest(LogBatch {
        notices: vec![
            notice(
                NoticeKind::Mode,
                "Live Tail unavailable (x): polling FilterLogEvents every 1s",
            ),
            notice(NoticeKind::Reconnect, "stream dropped; reconnecting"),
        ],
        ..LogBatch::default()
    });
    assert_eq!(p.mode(), "polling");
    assert_eq!(
        p.notice(),
        Some("prod/weather_mcp: stream dropped; reconnecting")
    );
    assert_eq!(p.state(), &StreamState::Running);
    p.ingest(LogBatch::failed("no such runtime: prod/weather_mcp".into()));
    assert_eq!(
        p.state(),
        &StreamState::Failed("no such runtime: prod/weather_mcp".into())
    );
}

#[test]
fn save_sends_what_is_shown() {
    let (mut app, req) = opened();
    let reqs = press(&mut app, &[Action::Log(LogCmd::Save)], Millis(1));
    assert!(reqs.is_empty(), "nothing to save yet");
    reply(
        &mut app,
        &req,
        batch(vec![
            line("prod", "weather_mcp", 0, "GET /ok"),
            line("prod", "weather_mcp", 1, "boom: error \x1b[31mred\x1b[0m"),
        ]),
        Millis(2),
    );
    app.update(Action::Filter, Millis(3));
    press(&mut app, &typed("error"), Millis(3));
    app.update(Action::Submit, Millis(3));
    let reqs = press(&mut app, &[Action::Log(LogCmd::Save)], Millis(4));
    let Some(Job::SaveLogs { name, text }) = reqs.first().map(|r| &r.job) else {
        panic!("{reqs:?}");
    };
    assert_eq!(name, "weather_mcp-prod");
    assert_eq!(
        &**text,
        "2026-11-24T09:58:01.000Z prod/weather_mcp:DEFAULT boom: error \u{fffd}[31mred\u{fffd}[0m\n"
    );
    app.apply(
        Response {
            ticket: reqs[0].ticket,
            reply: Reply::LogsSaved(Ok("/state/logs/weather_mcp-prod.log".into())),
        },
        Millis(5),
    );
    assert!(screen(&app, 120, 24).contains("saved → /state/logs/weather_mcp-prod.log"));
}

#[test]
fn the_logs_keys_are_in_the_keymap() {
    let (app, _) = opened();
    for (c, action) in [
        ('f', Action::Log(LogCmd::Follow)),
        (' ', Action::Log(LogCmd::Pause)),
        ('F', Action::Log(LogCmd::ServerFilter)),
        ('H', Action::Log(LogCmd::Highlight)),
        ('1', Action::Log(LogCmd::Window(0))),
        ('6', Action::Log(LogCmd::Window(5))),
        ('w', Action::Log(LogCmd::Wrap)),
        ('t', Action::Log(LogCmd::Timestamps)),
        ('J', Action::Log(LogCmd::Json)),
        ('s', Action::Log(LogCmd::Save)),
        ('/', Action::Filter),
        ('G', Action::Bottom),
        ('q', Action::Quit),
    ] {
        assert_eq!(app.action_for(&key(c)), Some(action), "{c:?}");
    }
    assert_eq!(
        Action::named("window-1h"),
        Some(Action::Log(LogCmd::Window(2)))
    );
}

#[test]
fn rows_lay_out_columns_wrap_and_clean() {
    let mut p = LogsPane::new(vec![("prod".into(), "weather_mcp".into())]);
    let e = Entry {
        timestamp: T0 + 1_234,
        source: 0,
        message: json("ERROR", "weather", "9f2c4e1a7b", 500),
    };
    p.json = JsonMode::Columns;
    let r = rows::rows(&p, &e, 120, 10, false);
    let text: String = r[0].iter().map(|(s, _)| s.as_str()).collect();
    assert_eq!(
        text,
        "09:58:01.234 ERROR weather    9f2c4e1… request duration_ms=12.5 method=tools/call status=500 version=4"
    );
    p.json = JsonMode::Pretty;
    assert_eq!(rows::rows(&p, &e, 120, 20, false).len(), 11);
    assert_eq!(rows::rows(&p, &e, 120, 4, false).len(), 4, "capped");
    p.json = JsonMode::Raw;
    p.wrap = true;
    let r = rows::rows(&p, &e, 60, 20, false);
    assert_eq!(r.len(), 5, "{r:?}");
    let evil = Entry {
        message: "a\x1b]0;pwned\x07b\nc".into(),
        ..e
    };
    let r = rows::rows(&p, &evil, 60, 20, false);
    let text: String = r[0].iter().map(|(s, _)| s.as_str()).collect();
    assert!(!text.chars().any(char::is_control), "{text:?}");
}

#[test]
fn a_runtimes_endpoints_are_sources_of_their_own() {
    let (mut app, req) = opened();
    let on = |endpoint: &str, secs: i64, msg: &str| {
        let mut l = line("prod", "weather_mcp", secs, msg);
        l.log_group = l.log_group.replace("-DEFAULT", &format!("-{endpoint}"));
        l
    };
    reply(
        &mut app,
        &req,
        batch(vec![
            on("live", 0, "stable ok"),
            on("canary", 1, "canary boom"),
        ]),
        Millis(2),
    );
    let text = screen(&app, 120, 12);
    assert!(
        text.contains("prod/weather_mcp:live") && text.contains("prod/weather_mcp:canary"),
        "the legend tells the endpoints apart: {text}"
    );
}
