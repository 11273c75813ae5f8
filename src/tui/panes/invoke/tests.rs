//! The invoke pane through the app: actions in, requests and state out.

use serde_json::json;

use super::fixtures::{forecast, opened, select, the_call, tool_list};
use crate::tui::action::Action;
use crate::tui::app::Modal;
use crate::tui::fixtures::{loaded, press, typed};
use crate::tui::io::{Job, Progress, Reply, Response, ToolsJob};
use crate::tui::keymap::Context;
use crate::tui::time::Millis;

#[test]
fn i_on_the_matrix_lists_the_tools_of_the_selected_cell() {
    let mut app = loaded(&[]);
    let keys = [Action::FocusRuntime("weather_mcp".into()), Action::Invoke];
    let reqs = press(&mut app, &keys, Millis(0));
    assert_eq!(app.context(), Context::Invoke);
    let [req] = &reqs[..] else { panic!("{reqs:?}") };
    assert_eq!(
        req.job,
        Job::InvokeTools(ToolsJob {
            env: "dev".into(),
            runtime: "weather_mcp".into(),
            qualifier: None,
        })
    );
    // The tools are listed once; ticks do not ask again (only the app's alarm listings).
    let again = press(&mut app, &[Action::Tick], Millis(60_000));
    assert!(
        again.iter().all(|r| matches!(r.job, Job::Alarms { .. })),
        "{again:?}"
    );
    let items = {
        press(&mut app, &[Action::Palette], Millis(0));
        let Some(Modal::Palette(p)) = app.modal() else {
            panic!("palette")
        };
        format!("{p:?}")
    };
    assert!(items.contains("invoke weather_mcp prod"), "{items}");
}

#[test]
fn the_form_makes_exactly_one_call_with_numbers_as_numbers() {
    let mut app = opened("dev", Some(Ok(tool_list())));
    select(&mut app, "add");
    let mut keys = vec![Action::Open];
    keys.extend(typed("1.5"));
    keys.push(Action::Complete);
    keys.extend(typed("2"));
    keys.push(Action::Submit);
    let reqs = press(&mut app, &keys, Millis(1_000));
    let (req, args) = the_call(&reqs);
    assert_eq!(args, json!({"a": 1.5, "b": 2}));
    let Job::InvokeCall(job) = &req.job else {
        unreachable!()
    };
    assert_eq!((job.qualifier.as_str(), job.tool.as_str()), ("live", "add"));
    // A second enter while it runs sends nothing.
    assert!(press(&mut app, &[Action::Submit], Millis(1_100)).is_empty());
    assert!(app.top().busy());
}

#[test]
fn invalid_arguments_are_not_sent_and_say_why() {
    let mut app = opened("dev", Some(Ok(tool_list())));
    select(&mut app, "create_ticket");
    let reqs = press(&mut app, &[Action::InvokeCall], Millis(0));
    assert!(reqs.is_empty(), "{reqs:?}");
    assert_eq!(
        app.context(),
        Context::InvokeForm,
        "the form shows the problems"
    );
    let shown = crate::tui::fixtures::screen(&app, 120, 30);
    assert!(shown.contains("✗ arguments/title"), "{shown}");
}

#[test]
fn stale_results_and_progress_are_dropped() {
    let mut app = opened("dev", Some(Ok(tool_list())));
    select(&mut app, "echo");
    let mut keys = vec![Action::Open];
    keys.extend(typed("hi"));
    keys.push(Action::Submit);
    let (first, _) = the_call(&press(&mut app, &keys, Millis(0)));
    // esc (in the form: back to the list), esc again: cancel the call in flight.
    let reqs = press(&mut app, &[Action::Back, Action::Back], Millis(500));
    assert!(reqs.iter().any(|r| r.job == Job::Cancel), "{reqs:?}");
    assert_eq!(app.context(), Context::Invoke, "cancelling keeps the pane");
    let late = |reply| Response {
        ticket: first.ticket,
        reply,
    };
    let p = Progress {
        progress: 1.0,
        total: Some(3.0),
        message: None,
    };
    app.apply(late(Reply::InvokeProgress(p)), Millis(600));
    app.apply(
        late(Reply::InvokeResult(Ok(Box::new(forecast())))),
        Millis(700),
    );
    let shown = crate::tui::fixtures::screen(&app, 120, 30);
    assert!(shown.contains("cancelled"), "{shown}");
    assert!(!shown.contains("Oslo: 4°C"), "{shown}");
    // A new call, then the answer to the cancelled one: only the new one counts.
    let (second, _) = the_call(&press(&mut app, &[Action::InvokeCall], Millis(800)));
    assert_ne!(first.ticket, second.ticket);
    app.apply(late(Reply::InvokeResult(Err("old".into()))), Millis(900));
    assert!(app.top().busy(), "still waiting for the second call");
    let answer = Response {
        ticket: second.ticket,
        reply: Reply::InvokeResult(Ok(Box::new(forecast()))),
    };
    app.apply(answer, Millis(1_000));
    assert!(!app.top().busy());
}

#[test]
fn in_prod_only_read_only_tools_are_called_without_arming() {
    let mut app = opened("prod", Some(Ok(tool_list())));
    select(&mut app, "status");
    the_call(&press(&mut app, &[Action::InvokeCall], Millis(0)));
    let mut app = opened("prod", Some(Ok(tool_list())));
    select(&mut app, "weather");
    let mut keys = vec![Action::Open];
    keys.extend(typed("Oslo"));
    keys.push(Action::Submit);
    assert!(press(&mut app, &keys, Millis(0)).is_empty());
    let Some(Modal::Arm(prompt)) = app.modal() else {
        panic!("expected the arm prompt, got {:?}", app.modal());
    };
    assert_eq!(prompt.env, "prod");
    let mut keys = typed("prod");
    keys.push(Action::Submit);
    assert!(
        press(&mut app, &keys, Millis(1_000)).is_empty(),
        "arming sends nothing"
    );
    let (_, args) = the_call(&press(&mut app, &[Action::Submit], Millis(2_000)));
    assert_eq!(args, json!({"city": "Oslo"}));
}

#[test]
fn a_result_goes_to_the_history_and_l_opens_the_logs_of_its_session() {
    let mut app = opened("dev", Some(Ok(tool_list())));
    select(&mut app, "weather");
    let mut keys = vec![Action::Open];
    keys.extend(typed("Oslo"));
    keys.push(Action::Submit);
    let (req, _) = the_call(&press(&mut app, &keys, Millis(0)));
    app.apply(
        Response {
            ticket: req.ticket,
            reply: Reply::InvokeResult(Ok(Box::new(forecast()))),
        },
        Millis(300),
    );
    press(
        &mut app,
        &[Action::Back, Action::InvokeHistory],
        Millis(400),
    );
    let shown = crate::tui::fixtures::screen(&app, 120, 30);
    assert!(
        shown.contains("✓ weather@live Oslo: 4°C, rain  session 9f2c4e1a7b"),
        "{shown}"
    );
    // History survives the pane: a new invoke pane in dev shows it, one in prod does not.
    press(&mut app, &[Action::Back, Action::Back], Millis(500));
    let reqs = press(
        &mut app,
        &[Action::OpenInvoke {
            env: "dev".into(),
            runtime: "weather_mcp".into(),
        }],
        Millis(600),
    );
    let [req] = &reqs[..] else { panic!("{reqs:?}") };
    let reply = Reply::InvokeTools(Ok(Box::new(tool_list())));
    app.apply(
        Response {
            ticket: req.ticket,
            reply,
        },
        Millis(600),
    );
    press(&mut app, &[Action::InvokeHistory], Millis(600));
    assert!(crate::tui::fixtures::screen(&app, 120, 30).contains("session 9f2c4e1a7b"));
    // L on the entry: the logs of weather_mcp in dev, filtered on the session.
    press(&mut app, &[Action::Logs], Millis(700));
    assert_eq!(app.context(), Context::Logs);
    assert_eq!(app.top().filter(), "9f2c4e1a7b");
    assert!(
        app.top().title().contains("weather_mcp"),
        "{}",
        app.top().title()
    );
    // m from the invoke pane: the metrics of the runtime.
    press(&mut app, &[Action::Back, Action::Back], Millis(800));
    assert_eq!(
        app.context(),
        Context::Invoke,
        "esc clears the regex, then goes back"
    );
    press(&mut app, &[Action::Metrics], Millis(800));
    assert_eq!(app.context(), Context::Metrics);
}

#[test]
fn entering_a_history_entry_fills_the_form_with_its_arguments() {
    let mut app = opened("dev", Some(Ok(tool_list())));
    select(&mut app, "add");
    let mut keys = vec![Action::Open];
    keys.extend(typed("1"));
    keys.push(Action::Complete);
    keys.extend(typed("2"));
    keys.push(Action::Submit);
    let (req, _) = the_call(&press(&mut app, &keys, Millis(0)));
    app.apply(
        Response {
            ticket: req.ticket,
            reply: Reply::InvokeResult(Err("boom".into())),
        },
        Millis(300),
    );
    // Change the form, then load the entry back.
    press(&mut app, &[Action::ClearInput], Millis(400));
    let keys = [Action::Back, Action::InvokeHistory, Action::Open];
    press(&mut app, &keys, Millis(500));
    assert_eq!(app.context(), Context::InvokeForm);
    let (_, args) = the_call(&press(&mut app, &[Action::Submit], Millis(600)));
    assert_eq!(args, json!({"a": 1, "b": 2}));
}
