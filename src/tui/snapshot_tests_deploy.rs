//! The deploy pane in every state, as text screens (insta): the form, its refusal, the preview
//! modal, a deploy in progress, a validated result, a failed validation, and narrow.

use insta::assert_snapshot;

use super::action::Action;
use super::app::App;
use super::app_tests_deploy::done;
use super::fixtures::*;
use super::io::{DeployEvent, Reply, Response, Ticket};
use super::time::Millis;

const W: u16 = 120;
const H: u16 = 26;

/// The deploy pane of weather_mcp in `env` with an image typed in.
fn form(env: &str) -> App {
    let mut app = loaded(&[]);
    press(
        &mut app,
        &[Action::OpenDeploy {
            env: env.into(),
            runtime: "weather_mcp".into(),
        }],
        Millis(0),
    );
    press(
        &mut app,
        &[Action::Up, Action::Right, Action::Down],
        Millis(0),
    );
    press(&mut app, &typed("123.dkr.ecr/weather:7"), Millis(0));
    press(&mut app, &[Action::Down, Action::Down], Millis(0));
    press(&mut app, &typed("LOG_LEVEL=debug"), Millis(0));
    app
}

/// The deploy confirmed; `events` streamed into the pane.
fn running(events: Vec<DeployEvent>) -> App {
    let mut app = form("dev");
    press(&mut app, &[Action::Submit], Millis(0));
    let reqs = press(&mut app, &[Action::Submit], Millis(0));
    let ticket: Ticket = reqs[0].ticket;
    for e in events {
        let done = match &e {
            DeployEvent::Done(r) => Some(
                r.clone()
                    .map(|d| format!("dev: weather_mcp version {}", d.version)),
            ),
            DeployEvent::Stage(_) => None,
        };
        app.apply(
            Response {
                ticket,
                reply: Reply::Deploy(e),
            },
            Millis(1_000),
        );
        // The write's own reply follows the outcome, as the worker sends it.
        if let (Some(result), Some(super::io::Job::Write { op, .. })) =
            (done, reqs.first().map(|r| &r.job))
        {
            app.apply(
                Response {
                    ticket,
                    reply: Reply::Write {
                        op: op.clone(),
                        result,
                    },
                },
                Millis(1_000),
            );
        }
    }
    app
}

fn stages() -> Vec<DeployEvent> {
    ["new version 5", "waiting: CREATING", "waiting: READY"]
        .into_iter()
        .map(|s| DeployEvent::Stage(s.into()))
        .collect()
}

#[test]
fn deploy_form() {
    assert_snapshot!(screen(&form("prod"), W, H));
}

#[test]
fn deploy_form_refused() {
    let mut app = form("dev");
    press(&mut app, &[Action::Up, Action::Up, Action::Up], Millis(0));
    press(&mut app, &[Action::Right], Millis(0));
    press(&mut app, &[Action::Down, Action::ClearInput], Millis(0));
    press(&mut app, &typed("s3://bucket-only"), Millis(0));
    press(&mut app, &[Action::Submit], Millis(0));
    let text = screen(&app, W, H);
    assert!(text.contains("is not s3://bucket/key"), "{text}");
    assert_snapshot!(text);
}

#[test]
fn deploy_preview_modal() {
    let mut app = form("dev");
    press(&mut app, &[Action::Submit], Millis(0));
    let text = screen(&app, W, 34);
    assert!(
        text.contains("CreateAgentRuntime or UpdateAgentRuntime weather_mcp"),
        "{text}"
    );
    assert_snapshot!(text);
}

#[test]
fn deploy_preview_modal_with_smoke_checks() {
    // A directory with smoke.toml (relative: tests run in the package's directory).
    let mut app = loaded(&[]);
    press(
        &mut app,
        &[Action::OpenDeploy {
            env: "dev".into(),
            runtime: "weather_mcp".into(),
        }],
        Millis(0),
    );
    press(&mut app, &typed("tests/fixtures/smoke"), Millis(0));
    // The worker checks the directory; once it answers, enter opens the preview.
    let reqs = press(&mut app, &[Action::Submit], Millis(0));
    app.apply(
        Response {
            ticket: reqs[0].ticket,
            reply: Reply::DeployChecked(Ok(())),
        },
        Millis(0),
    );
    press(&mut app, &[Action::Submit], Millis(0));
    let text = screen(&app, W, 34);
    assert!(
        text.contains("InvokeAgentRuntime (smoke checks (2 checks, health probe)) on the new"),
        "{text}"
    );
    assert_snapshot!(text);
}

#[test]
fn deploy_progress() {
    let app = running(stages());
    assert_snapshot!(screen(&app, W, H));
}

#[test]
fn deploy_result_validated() {
    let mut events = stages();
    events.push(DeployEvent::Stage("validated: 3 tools".into()));
    events.push(DeployEvent::Done(Ok(done(&[
        ("live", "4"),
        ("canary", "5"),
    ]))));
    let app = running(events);
    assert_snapshot!(screen(&app, W, H));
}

#[test]
fn deploy_result_failed_validation() {
    let mut events = stages();
    events.push(DeployEvent::Done(Err(
        "validation failed: tools/list: connection reset. Version 5 is READY and DEFAULT already \
         serves it (DEFAULT follows the latest version, as on AWS); named endpoints were not \
         moved. To keep callers off it, point them at a named endpoint, or deploy a fixed version"
            .into(),
    )));
    let app = running(events);
    let text = screen(&app, W, H);
    assert!(text.contains("DEFAULT already"), "{text}");
    assert_snapshot!(text);
}

#[test]
fn deploy_narrow() {
    assert_snapshot!(screen(&form("dev"), 60, H));
}

/// A variable's value is typed into the form and sent in the write, but the confirm modal,
/// its "same as" command line and the request's `Debug` (what a panic log would print) never
/// carry it.
#[test]
fn a_secret_value_stays_out_of_the_modal_the_command_and_debug() {
    const SECRET: &str = "hunter2-s3cret";
    let mut app = form("dev");
    press(&mut app, &typed(&format!(" API_TOKEN={SECRET}")), Millis(0));
    press(&mut app, &[Action::Submit], Millis(0));
    let text = screen(&app, W, 34);
    assert!(text.contains("confirm deploy"), "{text}");
    assert!(text.contains("API_TOKEN=***"), "{text}");
    assert!(!text.contains(SECRET) && !text.contains("=debug"), "{text}");
    let reqs = press(&mut app, &[Action::Submit], Millis(0));
    let Some(super::io::Job::Write {
        op: super::write::WriteOp::Deploy(d),
        command,
        ..
    }) = reqs.first().map(|r| &r.job)
    else {
        panic!("one deploy write: {reqs:?}");
    };
    let sent: Vec<&str> = d.env_vars.iter().map(|(_, v)| v.expose()).collect();
    assert_eq!(sent, ["debug", SECRET], "the values go to the backend");
    assert!(
        !command.contains(SECRET) && command.contains("API_TOKEN=***"),
        "{command}"
    );
    let debug = format!("{reqs:?}");
    assert!(
        !debug.contains(SECRET) && debug.contains("API_TOKEN"),
        "{debug}"
    );
}
