//! `a` (apply the standard alarms) without a terminal: the key asks for the plan of the cell
//! in focus, an empty plan only says so, any other goes through arming (protected) and the
//! confirm modal with its exact calls, and the write's answer re-lists that env's alarms.

use insta::assert_snapshot;

use super::action::Action;
use super::app::{App, Modal};
use super::fixtures::*;
use super::io::{Job, Reply, Request, Response};
use super::time::Millis;
use super::widgets::status_line::Level;
use super::write::WriteOp;
use crate::backend::alarms::{AlarmPlan, first_apply_example};

fn plan_job(env: &str) -> Job {
    Job::AlarmPlan {
        env: env.into(),
        runtime: "weather_mcp".into(),
    }
}

fn latest(app: &App) -> String {
    app.status()
        .latest()
        .map(|m| m.text.clone())
        .unwrap_or_default()
}

/// `a` on weather_mcp in `env` (from its detail pane), returning the plan request.
fn ask(app: &mut App, env: &str) -> Request {
    let reqs = press(
        app,
        &[Action::OpenRuntime {
            env: env.into(),
            runtime: "weather_mcp".into(),
        }],
        Millis(0),
    );
    serve(app, reqs, &[], Millis(0));
    let reqs = press(app, &[Action::ApplyAlarms], Millis(0));
    let [req] = reqs.as_slice() else {
        panic!("one request: {reqs:?}");
    };
    assert_eq!(req.job, plan_job(env));
    req.clone()
}

fn planned(app: &mut App, req: &Request, plan: Result<AlarmPlan, String>) -> Vec<Request> {
    let Job::AlarmPlan { env, runtime } = &req.job else {
        panic!("{req:?}");
    };
    app.apply(
        Response {
            ticket: req.ticket,
            reply: Reply::AlarmPlan {
                env: env.clone(),
                runtime: runtime.clone(),
                result: plan.map(Box::new),
            },
        },
        Millis(0),
    )
}

fn example(env: &str) -> AlarmPlan {
    first_apply_example(env, "weather_mcp", &["DEFAULT", "live"])
}

#[test]
fn a_on_the_matrix_the_detail_or_the_palette_reads_the_plan_of_that_cell() {
    let mut app = loaded(&[]);
    // weather_mcp × prod in the matrix.
    let reqs = press(
        &mut app,
        &[
            Action::Down,
            Action::Right,
            Action::Right,
            Action::ApplyAlarms,
        ],
        Millis(0),
    );
    let [req] = reqs.as_slice() else {
        panic!("one request: {reqs:?}");
    };
    assert_eq!(req.job, plan_job("prod"));
    assert!(app.modal().is_none(), "nothing to confirm before the plan");
    assert!(
        latest(&app).contains("reading what exists"),
        "{}",
        latest(&app)
    );
    assert_eq!(app.alarm_plans_in_flight(), [("prod", "weather_mcp")]);
    // Pressed again while the plan is read: no second read.
    assert!(press(&mut app, &[Action::ApplyAlarms], Millis(0)).is_empty());
    assert!(latest(&app).contains("still reading"), "{}", latest(&app));
    // A cell where the runtime is not deployed plans nothing.
    let mut app = loaded(&[]);
    let reqs = press(&mut app, &[Action::Right, Action::ApplyAlarms], Millis(0));
    assert!(reqs.is_empty(), "{reqs:?}");
    assert!(latest(&app).contains("not deployed in staging"));
    // From the detail pane and from the palette.
    let mut app = loaded(&[]);
    ask(&mut app, "dev");
    let mut app = loaded(&[]);
    let mut keys = vec![Action::Palette];
    keys.extend(typed("alarms apply weather_mcp staging"));
    keys.push(Action::Submit);
    let reqs = press(&mut app, &keys, Millis(0));
    assert_eq!(
        reqs.iter().map(|r| &r.job).collect::<Vec<_>>(),
        [&plan_job("staging")]
    );
}

#[test]
fn an_empty_plan_only_says_there_is_nothing_to_change() {
    let mut app = loaded(&[]);
    let req = ask(&mut app, "prod");
    let mut plan = example("prod");
    plan.items.clear();
    assert!(planned(&mut app, &req, Ok(plan)).is_empty());
    assert!(app.modal().is_none(), "{:?}", app.modal());
    assert_eq!(
        latest(&app),
        "alarms of weather_mcp in prod: nothing to change"
    );
    assert!(app.alarm_plans_in_flight().is_empty());
    // A failed plan says why, and nothing else happens.
    let req = ask(&mut app, "dev");
    assert!(planned(&mut app, &req, Err("DescribeAlarms: throttled".into())).is_empty());
    let msg = app.status().latest().expect("a message");
    assert_eq!(msg.level, Level::Error);
    assert!(
        msg.text
            .contains("could not plan: DescribeAlarms: throttled")
    );
    assert!(app.modal().is_none());
}

#[test]
fn a_plan_is_confirmed_with_its_calls_then_applied_and_the_alarms_listed_again() {
    let mut app = loaded(&[]);
    let req = ask(&mut app, "dev");
    let plan = example("dev");
    assert!(planned(&mut app, &req, Ok(plan.clone())).is_empty());
    let Some(Modal::Confirm(c)) = app.modal() else {
        panic!("expected the confirmation, got {:?}", app.modal());
    };
    let shown: Vec<String> = c.op.calls().into_iter().map(|c| c.text).collect();
    assert_eq!(shown, plan.calls(), "the preview is the plan's calls");
    assert_eq!(shown.len(), 12, "per endpoint: log group, filter, 4 alarms");
    assert_eq!(
        c.command,
        "agentcore-console --config /etc/agentcore/environments.toml --env dev alarms apply weather_mcp --yes"
    );
    let reqs = press(&mut app, &[Action::Submit], Millis(0));
    let [
        Request {
            ticket,
            job:
                Job::Write {
                    op: op @ WriteOp::Alarms(_),
                    armed: false,
                    command,
                },
        },
    ] = reqs.as_slice()
    else {
        panic!("one alarms write, not armed: {reqs:?}");
    };
    assert!(command.ends_with("alarms apply weather_mcp --yes"));
    assert_eq!(app.writes_in_flight(), 1);
    // Its answer: the status line, and dev's alarms listed now (not at the next poll).
    let reqs = app.apply(
        Response {
            ticket: *ticket,
            reply: Reply::Write {
                op: op.clone(),
                result: Ok("alarms of weather_mcp in dev: 12 calls made".into()),
            },
        },
        Millis(1_000),
    );
    assert_eq!(
        latest(&app),
        "✓ alarms of weather_mcp in dev: 12 calls made"
    );
    assert!(
        reqs.iter()
            .any(|r| r.job == Job::Alarms { env: "dev".into() }),
        "{reqs:?}"
    );
    assert!(
        !reqs
            .iter()
            .any(|r| r.job == Job::Alarms { env: "prod".into() }),
        "only the env that changed: {reqs:?}"
    );
    // A failure is reported as the write's.
    let req = ask(&mut app, "dev");
    planned(&mut app, &req, Ok(example("dev")));
    let reqs = press(&mut app, &[Action::Submit], Millis(2_000));
    let Job::Write { op, .. } = &reqs[0].job else {
        panic!("{reqs:?}");
    };
    app.apply(
        Response {
            ticket: reqs[0].ticket,
            reply: Reply::Write {
                op: op.clone(),
                result: Err("PutMetricAlarm: AccessDenied".into()),
            },
        },
        Millis(2_000),
    );
    assert_eq!(
        latest(&app),
        "alarms.apply failed: PutMetricAlarm: AccessDenied"
    );
}

#[test]
fn in_a_protected_env_the_plan_asks_for_arming_before_the_confirmation() {
    let mut app = loaded(&[]);
    let req = ask(&mut app, "prod");
    assert!(planned(&mut app, &req, Ok(example("prod"))).is_empty());
    let Some(Modal::Arm(arm)) = app.modal() else {
        panic!("expected the arm prompt, got {:?}", app.modal());
    };
    assert_eq!(arm.env, "prod");
    assert!(matches!(arm.then, Some(WriteOp::Alarms(_))));
    // Cancelled: nothing changes, the refusal is the usual one.
    assert!(press(&mut app, &[Action::Back], Millis(0)).is_empty());
    assert_eq!(latest(&app), "prod not armed: nothing changed");
    // Again, armed this time: the confirmation says --arm and the write is armed.
    let req = ask(&mut app, "prod");
    planned(&mut app, &req, Ok(example("prod")));
    let mut keys = typed("prod");
    keys.push(Action::Submit);
    assert!(press(&mut app, &keys, Millis(0)).is_empty());
    let Some(Modal::Confirm(c)) = app.modal() else {
        panic!("expected the confirmation, got {:?}", app.modal());
    };
    assert!(
        c.command
            .ends_with("--env prod alarms apply weather_mcp --arm --yes"),
        "{}",
        c.command
    );
    let reqs = press(&mut app, &[Action::Submit], Millis(0));
    assert!(
        matches!(
            &reqs[..],
            [Request {
                job: Job::Write {
                    op: WriteOp::Alarms(_),
                    armed: true,
                    ..
                },
                ..
            }]
        ),
        "{reqs:?}"
    );
}

#[test]
fn confirm_modal_with_an_alarms_plan() {
    let mut app = loaded(&[]);
    let req = ask(&mut app, "dev");
    planned(&mut app, &req, Ok(example("dev")));
    let top = screen(&app, 120, 30);
    assert!(top.contains("lines 1–"), "the calls scroll: {top}");
    assert_snapshot!(top);
    press(&mut app, &[Action::PageDown, Action::Down], Millis(0));
    assert_snapshot!(
        "confirm_modal_with_an_alarms_plan_scrolled",
        screen(&app, 120, 30)
    );
}
