//! The invoke pane in every state, as text screens (insta).

use insta::assert_snapshot;

use super::fixtures::{forecast, opened, select, the_call, tool_list};
use crate::tui::action::Action;
use crate::tui::app::App;
use crate::tui::fixtures::{press, screen, typed};
use crate::tui::io::{CallOutcome, Progress, Reply, Response};
use crate::tui::time::Millis;

const W: u16 = 120;
const H: u16 = 30;

/// `create_ticket` with a title, a customer and one tag typed in.
fn ticket_form() -> App {
    let mut app = opened("dev", Some(Ok(tool_list())));
    select(&mut app, "create_ticket");
    let mut keys = vec![Action::Open, Action::Down];
    keys.extend(typed("ada@example.com"));
    keys.push(Action::Down);
    keys.extend(typed("Ada"));
    keys.extend([
        Action::Down,
        Action::Right,
        Action::Down,
        Action::InvokeAddItem,
    ]);
    keys.extend(typed("printer"));
    keys.push(Action::Down);
    keys.extend(typed("Printer on fire"));
    press(&mut app, &keys, Millis(0));
    app
}

fn called(outcome: Result<CallOutcome, String>, progress: &[Progress]) -> App {
    let mut app = opened("dev", Some(Ok(tool_list())));
    select(&mut app, "weather");
    let mut keys = vec![Action::Open];
    keys.extend(typed("Oslo"));
    keys.push(Action::Submit);
    let (req, _) = the_call(&press(&mut app, &keys, Millis(0)));
    for p in progress {
        let reply = Reply::InvokeProgress(p.clone());
        app.apply(
            Response {
                ticket: req.ticket,
                reply,
            },
            Millis(1_000),
        );
    }
    if !outcome.as_ref().is_err_and(|e| e == "running") {
        let reply = Reply::InvokeResult(outcome.map(Box::new));
        app.apply(
            Response {
                ticket: req.ticket,
                reply,
            },
            Millis(2_000),
        );
    }
    app
}

#[test]
fn invoke_loading() {
    assert_snapshot!(screen(&opened("prod", None), W, 16));
}

#[test]
fn invoke_error() {
    let app = opened(
        "dev",
        Some(Err(
            "InvokeAgentRuntime: runtime weather_mcp has no endpoint `live`".into(),
        )),
    );
    assert_snapshot!(screen(&app, W, 16));
}

#[test]
fn invoke_tools_with_the_nested_form() {
    assert_snapshot!(screen(&ticket_form(), W, H));
}

#[test]
fn invoke_raw_json() {
    let mut app = ticket_form();
    press(&mut app, &[Action::InvokeRaw], Millis(0));
    let text = screen(&app, W, H);
    assert!(
        text.contains(r#"{"customer":{"email":"ada@example.com","name":"Ada"},"#),
        "{text}"
    );
    assert!(text.contains(r#""tags":["printer"]"#), "{text}");
    assert_snapshot!(text);
}

#[test]
fn invoke_result_with_structured_content() {
    assert_snapshot!(screen(&called(Ok(forecast()), &[]), W, H));
}

#[test]
fn invoke_running_with_progress() {
    let p = |i: f64| Progress {
        progress: i,
        total: Some(10.0),
        message: Some(format!("step {i}")),
    };
    let app = called(Err("running".into()), &[p(1.0), p(2.0), p(3.0), p(4.0)]);
    assert_snapshot!(screen(&app, W, H));
}

#[test]
fn invoke_tool_error_and_call_failure() {
    let tool_error = CallOutcome {
        is_error: true,
        content: vec!["no such city: \u{1b}[31mAtlantis\u{1b}[0m".into()],
        structured: None,
        ..forecast()
    };
    assert_snapshot!(
        "invoke_tool_error",
        screen(&called(Ok(tool_error), &[]), W, 20)
    );
    let failed = called(
        Err("MCP error -32602: arguments.city has the wrong length".into()),
        &[],
    );
    assert_snapshot!("invoke_call_failed", screen(&failed, W, 20));
}

#[test]
fn invoke_protected_and_narrow() {
    let mut app = opened("prod", Some(Ok(tool_list())));
    select(&mut app, "weather");
    assert_snapshot!("invoke_prod", screen(&app, W, 20));
    press(&mut app, &[Action::Open], Millis(0));
    assert_snapshot!("invoke_narrow", screen(&app, 70, 20));
}
