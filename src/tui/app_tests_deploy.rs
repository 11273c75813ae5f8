//! The deploy pane without a terminal: where it opens from, the form's checks (nothing sent),
//! the directory check in the worker, arming in prod, exactly one deploy job with its stages
//! streamed into the pane, and the endpoint move as a second confirmed write.

use super::action::Action;
use super::app::{App, Modal};
use super::fixtures::*;
use super::io::{DeployDone, DeployEvent, Job, Reply, Request, Response, Ticket};
use super::keymap::Context;
use super::time::Millis;
use super::write::WriteOp;
use crate::backend::deploy::Source;

/// The matrix loaded, then the deploy pane of weather_mcp in `env`.
fn deploy_in(env: &str) -> App {
    let mut app = loaded(&[]);
    let reqs = press(
        &mut app,
        &[Action::OpenDeploy {
            env: env.into(),
            runtime: "weather_mcp".into(),
        }],
        Millis(0),
    );
    assert!(reqs.is_empty(), "the form asks nothing: {reqs:?}");
    app
}

/// Type an image URI into the (focused) location field.
fn image(app: &mut App) {
    press(app, &[Action::Up, Action::Right, Action::Down], Millis(0));
    press(app, &typed("123.dkr.ecr/weather:7"), Millis(0));
}

pub(super) fn done(endpoints: &[(&str, &str)]) -> DeployDone {
    DeployDone {
        runtime_id: "weather_mcp-AbC".into(),
        version: "5".into(),
        status: "READY".into(),
        created: false,
        artifact: "123.dkr.ecr/weather:7".into(),
        tools: Some(3),
        endpoints: endpoints
            .iter()
            .map(|(n, v)| ((*n).to_string(), Some((*v).to_string())))
            .collect(),
        posture: vec![],
        weakenings: vec![],
        retention: None,
    }
}

fn event(app: &mut App, ticket: Ticket, e: DeployEvent) {
    app.apply(
        Response {
            ticket,
            reply: Reply::Deploy(e),
        },
        Millis(5_000),
    );
}

#[test]
fn deploy_opens_from_the_matrix_the_detail_and_the_palette() {
    let mut app = loaded(&[]);
    press(&mut app, &[Action::Down, Action::Deploy], Millis(0));
    assert_eq!(app.context(), Context::DeployForm);
    assert!(app.breadcrumbs()[1].starts_with("deploy weather_mcp to"));
    let mut app = loaded(&[]);
    press(
        &mut app,
        &[
            Action::OpenRuntime {
                env: "dev".into(),
                runtime: "weather_mcp".into(),
            },
            Action::Deploy,
        ],
        Millis(0),
    );
    assert_eq!(
        app.breadcrumbs().last().map(String::as_str),
        Some("deploy weather_mcp to dev")
    );
    let mut app = loaded(&[]);
    let mut keys = vec![Action::Palette];
    keys.extend(typed("deploy weather_mcp staging"));
    keys.push(Action::Submit);
    press(&mut app, &keys, Millis(0));
    assert_eq!(
        app.breadcrumbs().last().map(String::as_str),
        Some("deploy weather_mcp to staging")
    );
    // esc leaves, nothing sent.
    assert_eq!(
        press(&mut app, &[Action::Back], Millis(0)).len(),
        1,
        "a cancel"
    );
    assert_eq!(app.context(), Context::Matrix);
}

#[test]
fn an_invalid_form_sends_nothing_and_a_directory_is_checked_by_the_worker() {
    let mut app = deploy_in("dev");
    // Empty directory: refused in the pane.
    assert!(press(&mut app, &[Action::Submit], Millis(0)).is_empty());
    assert_eq!(app.modal(), None);
    // A directory: one check job, no write, no modal.
    press(&mut app, &typed("/nowhere"), Millis(0));
    let reqs = press(&mut app, &[Action::Submit], Millis(0));
    let [
        Request {
            ticket,
            job: Job::DeployCheck { dir, entry_point },
        },
    ] = &reqs[..]
    else {
        panic!("expected one directory check, got {reqs:?}");
    };
    assert_eq!(
        (dir.to_str(), entry_point.as_str()),
        (Some("/nowhere"), "main.py")
    );
    assert_eq!(app.modal(), None);
    // It failed: the form says why, still nothing sent.
    let follow = app.apply(
        Response {
            ticket: *ticket,
            reply: Reply::DeployChecked(Err("/nowhere: no such directory".into())),
        },
        Millis(0),
    );
    assert!(follow.is_empty());
    assert_eq!(app.modal(), None);
    assert!(screen(&app, 120, 24).contains("no such directory"));
    // Checked ok: the next enter asks for the write.
    let reqs = press(&mut app, &[Action::Submit], Millis(0));
    app.apply(
        Response {
            ticket: reqs[0].ticket,
            reply: Reply::DeployChecked(Ok(())),
        },
        Millis(0),
    );
    assert!(press(&mut app, &[Action::Submit], Millis(0)).is_empty());
    let Some(Modal::Confirm(c)) = app.modal() else {
        panic!("expected the confirmation, got {:?}", app.modal());
    };
    let WriteOp::Deploy(op) = &c.op else {
        panic!("{:?}", c.op)
    };
    assert!(matches!(op.source, Source::Dir { .. }));
    // A bad S3 URI: refused in the pane.
    let mut app = deploy_in("dev");
    press(
        &mut app,
        &[Action::Up, Action::Left, Action::Down],
        Millis(0),
    );
    press(&mut app, &typed("s3://only-a-bucket"), Millis(0));
    assert!(press(&mut app, &[Action::Submit], Millis(0)).is_empty());
    assert_eq!(app.modal(), None);
}

#[test]
fn prod_needs_arming_then_one_deploy_job_streams_into_the_pane_then_the_move_is_a_second_write() {
    let mut app = deploy_in("prod");
    image(&mut app);
    assert!(press(&mut app, &[Action::Submit], Millis(1_000)).is_empty());
    let Some(Modal::Arm(prompt)) = app.modal() else {
        panic!("expected the arm prompt, got {:?}", app.modal());
    };
    assert_eq!(prompt.env, "prod");
    let mut keys = typed("prod");
    keys.push(Action::Submit);
    assert!(press(&mut app, &keys, Millis(2_000)).is_empty());
    let Some(Modal::Confirm(c)) = app.modal() else {
        panic!("expected the confirmation, got {:?}", app.modal());
    };
    assert!(
        c.command
            .contains("deploy weather_mcp --image 123.dkr.ecr/weather:7 --arm --yes")
    );
    let reqs = press(&mut app, &[Action::Submit], Millis(3_000));
    let [
        Request {
            ticket,
            job: Job::Write {
                op, armed: true, ..
            },
        },
    ] = &reqs[..]
    else {
        panic!("expected one armed deploy, got {reqs:?}");
    };
    assert_eq!(op.verb(), "deploy");
    let (ticket, op) = (*ticket, op.clone());
    // The same deploy again while it runs: refused.
    assert!(press(&mut app, &[Action::RequestWrite(op.clone())], Millis(3_500)).is_empty());
    assert_eq!(app.writes_in_flight(), 1);
    event(
        &mut app,
        ticket,
        DeployEvent::Stage("waiting: CREATING".into()),
    );
    assert_eq!(app.context(), Context::Deploy);
    assert!(screen(&app, 120, 24).contains("waiting: CREATING"));
    event(
        &mut app,
        ticket,
        DeployEvent::Stage("validated: 3 tools".into()),
    );
    event(
        &mut app,
        ticket,
        DeployEvent::Done(Ok(done(&[("live", "4")]))),
    );
    let follow = app.apply(
        Response {
            ticket,
            reply: Reply::Write {
                op,
                result: Ok("prod: weather_mcp version 5 READY".into()),
            },
        },
        Millis(6_000),
    );
    assert!(follow.is_empty(), "the pane reads nothing again");
    assert_eq!(app.writes_in_flight(), 0);
    // `e`: the move is its own confirmed write (prod still armed).
    assert!(press(&mut app, &[Action::MoveEndpoint], Millis(7_000)).is_empty());
    let Some(Modal::Confirm(c)) = app.modal() else {
        panic!("expected the move's confirmation, got {:?}", app.modal());
    };
    assert_eq!(
        c.op,
        WriteOp::Point {
            env: "prod".into(),
            runtime: "weather_mcp".into(),
            runtime_id: "weather_mcp-AbC".into(),
            endpoint: "live".into(),
            from: Some("4".into()),
            to: "5".into(),
        }
    );
    let reqs = press(&mut app, &[Action::Submit], Millis(8_000));
    assert!(matches!(
        &reqs[..],
        [Request {
            job: Job::Write { armed: true, .. },
            ..
        }]
    ));
}

#[test]
fn a_failed_validation_offers_no_move() {
    let mut app = deploy_in("dev");
    image(&mut app);
    press(&mut app, &[Action::Submit], Millis(0));
    let reqs = press(&mut app, &[Action::Submit], Millis(0));
    let ticket = reqs[0].ticket;
    event(
        &mut app,
        ticket,
        DeployEvent::Done(Err(
            "validation failed: boom. Version 5 is READY and DEFAULT already serves it".into(),
        )),
    );
    assert!(press(&mut app, &[Action::MoveEndpoint], Millis(0)).is_empty());
    assert_eq!(app.modal(), None);
    let msg = app.status().latest().expect("a message");
    assert!(msg.text.contains("no deploy went through"), "{}", msg.text);
    // D: back to the form, values kept.
    press(&mut app, &[Action::Deploy], Millis(0));
    assert_eq!(app.context(), Context::DeployForm);
    assert!(screen(&app, 120, 24).contains("123.dkr.ecr/weather:7"));
}

#[test]
fn the_forms_endpoint_is_offered_and_created_by_the_move() {
    let mut app = deploy_in("dev");
    image(&mut app);
    // Down to `then endpoint` (source, location, runtime, env vars, endpoint).
    press(
        &mut app,
        &[Action::Down, Action::Down, Action::Down],
        Millis(0),
    );
    press(&mut app, &typed("blue"), Millis(0));
    assert!(screen(&app, 120, 24).contains("then endpoint blue"));
    press(&mut app, &[Action::Submit], Millis(0));
    let reqs = press(&mut app, &[Action::Submit], Millis(0));
    event(
        &mut app,
        reqs[0].ticket,
        DeployEvent::Done(Ok(done(&[("live", "4")]))),
    );
    let shown = screen(&app, 120, 24);
    assert!(
        shown.contains("blue") && shown.contains("new: created by the move"),
        "{shown}"
    );
    // The form's endpoint is selected: `e` creates it on the new version.
    press(&mut app, &[Action::MoveEndpoint], Millis(0));
    let Some(Modal::Confirm(c)) = app.modal() else {
        panic!("expected the move's confirmation, got {:?}", app.modal());
    };
    assert_eq!(
        c.op,
        WriteOp::Point {
            env: "dev".into(),
            runtime: "weather_mcp".into(),
            runtime_id: "weather_mcp-AbC".into(),
            endpoint: "blue".into(),
            from: None,
            to: "5".into(),
        }
    );
    assert!(
        c.op.calls()
            .iter()
            .any(|call| call.write && call.text == "CreateAgentRuntimeEndpoint")
    );
}
