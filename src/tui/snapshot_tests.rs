//! The panes in every state, as text screens (insta), from the fixed data in `fixtures.rs`.

use insta::assert_snapshot;
use ratatui::style::Color;

use super::action::Action;
use super::fixtures::*;
use super::io::{Reply, Response};
use super::theme::Theme;
use super::time::Millis;

const W: u16 = 120;
const H: u16 = 24;

#[test]
fn matrix_loading() {
    let mut app = app();
    let _ = app.start(Millis(0));
    assert_snapshot!(screen(&app, W, H));
}

#[test]
fn matrix_empty() {
    let mut app = app();
    let reqs = app.start(Millis(0));
    for r in reqs {
        let mut resp = answer(&r, &[]).expect("answer");
        if let Reply::EnvMatrix { result: Ok(s), .. } = &mut resp.reply {
            s.runtimes.clear();
            s.metrics = Ok(vec![]);
        }
        app.apply(resp, Millis(0));
    }
    assert_snapshot!(screen(&app, W, H));
}

#[test]
fn matrix_error() {
    let app = loaded(&["dev", "staging", "prod"]);
    assert_snapshot!(screen(&app, W, H));
}

/// A protected prod, a canary in dev, staging mid-update; prod's last refresh failed (stale,
/// with its age) and the cursor is on weather_mcp in prod.
#[test]
fn matrix_populated() {
    let mut app = loaded(&[]);
    let reqs = press(
        &mut app,
        &[Action::Down, Action::Right, Action::Right],
        Millis(0),
    );
    assert!(reqs.is_empty());
    let reqs = app.update(Action::Tick, Millis(12_000));
    for r in reqs {
        let failing = ["prod"];
        let resp = answer(&r, &failing).expect("answer");
        app.apply(resp, Millis(12_000));
    }
    assert_snapshot!(screen(&app, W, H));
    // prod is protected: its frame is red.
    let buf = buffer(&app, W, H);
    assert_eq!(buf[(0u16, 1u16)].fg, Color::Red);
}

#[test]
fn matrix_one_environment_down() {
    let app = loaded(&["staging"]);
    assert_snapshot!(screen(&app, W, H));
}

#[test]
fn matrix_narrow() {
    let app = loaded(&[]);
    assert_snapshot!(screen(&app, 60, 20));
}

#[test]
fn matrix_no_color() {
    let mut app = app_with(Theme::mono());
    let reqs = app.start(Millis(0));
    serve(&mut app, reqs, &[], Millis(0));
    press(&mut app, &[Action::Right, Action::Right], Millis(0));
    assert_snapshot!(screen(&app, W, H));
    let buf = buffer(&app, W, H);
    for cell in buf.content() {
        assert_eq!((cell.fg, cell.bg), (Color::Reset, Color::Reset), "{cell:?}");
    }
}

fn runtime_pane(respond: Option<Result<(), &str>>) -> super::app::App {
    let mut app = loaded(&[]);
    let reqs = press(
        &mut app,
        &[Action::OpenRuntime {
            env: "prod".into(),
            runtime: "weather_mcp".into(),
        }],
        Millis(0),
    );
    match respond {
        None => {}
        Some(Ok(())) => serve(&mut app, reqs, &[], Millis(0)),
        Some(Err(e)) => {
            app.apply(
                Response {
                    ticket: reqs[0].ticket,
                    reply: Reply::RuntimeDetail(Err(e.into())),
                },
                Millis(0),
            );
        }
    }
    app
}

#[test]
fn runtime_loading() {
    assert_snapshot!(screen(&runtime_pane(None), W, H));
}

#[test]
fn runtime_error() {
    let app = runtime_pane(Some(Err("prod: runtime `weather_mcp` not found")));
    assert_snapshot!(screen(&app, W, H));
}

#[test]
fn runtime_populated() {
    assert_snapshot!(screen(&runtime_pane(Some(Ok(()))), W, 30));
}

#[test]
fn runtime_narrow() {
    assert_snapshot!(screen(&runtime_pane(Some(Ok(()))), 80, 30));
}

#[test]
fn audit_populated() {
    let mut app = loaded(&[]);
    let reqs = press(
        &mut app,
        &[Action::Goto(super::action::PaneKind::Audit)],
        Millis(0),
    );
    serve(&mut app, reqs, &[], Millis(0));
    assert_snapshot!(screen(&app, W, H));
}
