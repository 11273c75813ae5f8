//! The rollout pane without a terminal: how it opens (traffic `R`, the palette), its 2 s
//! poll, approve/pause/resume/abort through arming and the confirm modal in a protected
//! environment, the start form's preview read before the confirmation, and a driver's
//! events and quitting with one running.

use super::action::Action;
use super::app::{App, Modal};
use super::fixtures::*;
use super::fixtures_rollout::{self as fx, T0};
use super::io::{Job, Reply, Request, Response, StartAsk};
use super::keymap::Context;
use super::time::Millis;
use super::write::{RolloutAction, RolloutOp, WriteOp};
use crate::domain::rollout::{Plan, RolloutState};

const S: i64 = 1000;

fn rollout_job() -> Job {
    Job::Rollout {
        env: "prod".into(),
        runtime: "weather_mcp".into(),
    }
}

/// The rollout pane of weather_mcp in prod, read at `at` with `state`.
fn open(state: Option<RolloutState>, at: i64) -> App {
    let mut app = loaded(&[]);
    let reqs = press(
        &mut app,
        &[Action::OpenRollout {
            env: "prod".into(),
            runtime: "weather_mcp".into(),
        }],
        Millis(0),
    );
    let r = reqs.iter().find(|r| r.job == rollout_job()).expect("read");
    app.apply(
        Response {
            ticket: r.ticket,
            reply: fx::reply(state, at),
        },
        Millis(0),
    );
    app
}

fn rollout_op(app: &App) -> RolloutOp {
    match app.modal() {
        Some(Modal::Confirm(c)) => match &c.op {
            WriteOp::Rollout(r) => (**r).clone(),
            other => panic!("{other:?}"),
        },
        other => panic!("a confirm modal: {other:?}"),
    }
}

/// Arm prod by typing its name: the confirm modal follows.
fn arm(app: &mut App) {
    assert!(matches!(app.modal(), Some(Modal::Arm(_))), "arming first");
    let mut keys = typed("prod");
    keys.push(Action::Submit);
    assert!(press(app, &keys, Millis(10)).is_empty());
    assert!(matches!(app.modal(), Some(Modal::Confirm(_))));
}

/// Arm prod, then confirm: exactly one write.
fn arm_and_confirm(app: &mut App) -> Vec<Request> {
    arm(app);
    press(app, &[Action::Submit], Millis(20))
}

#[test]
fn the_pane_opens_from_traffic_and_the_palette_and_polls_every_two_seconds() {
    let mut app = loaded(&[]);
    press(
        &mut app,
        &[Action::OpenTraffic {
            env: "prod".into(),
            runtime: "weather_mcp".into(),
        }],
        Millis(0),
    );
    let reqs = press(&mut app, &[Action::Rollout], Millis(0));
    assert!(reqs.iter().any(|r| r.job == rollout_job()), "{reqs:?}");
    assert_eq!(app.context(), Context::Rollout);
    // Nothing again until 2 s later, then one read (the previous one answered).
    let t = reqs.iter().find(|r| r.job == rollout_job()).expect("read");
    app.apply(
        Response {
            ticket: t.ticket,
            reply: fx::reply(None, T0),
        },
        Millis(0),
    );
    assert!(
        app.update(Action::Tick, Millis(1500))
            .iter()
            .all(|r| r.job != rollout_job())
    );
    let again = app.update(Action::Tick, Millis(2000));
    assert_eq!(again.iter().filter(|r| r.job == rollout_job()).count(), 1);
    // From the palette.
    let mut app = loaded(&[]);
    let mut keys = vec![Action::Palette];
    keys.extend(typed("rollout weather_mcp staging"));
    keys.push(Action::Submit);
    let reqs = press(&mut app, &keys, Millis(0));
    assert!(reqs.iter().any(|r| r.job
        == Job::Rollout {
            env: "staging".into(),
            runtime: "weather_mcp".into()
        }));
}

#[test]
fn approve_pause_and_abort_go_through_arming_and_the_confirm_modal() {
    // Awaiting approval: `a` arms prod, then confirms one approve.
    let mut app = open(Some(fx::awaiting_approval()), T0 + 1248 * S);
    assert!(press(&mut app, &[Action::Approve], Millis(0)).is_empty());
    let reqs = arm_and_confirm(&mut app);
    let [
        Request {
            job: Job::Write { op, armed, command },
            ..
        },
    ] = reqs.as_slice()
    else {
        panic!("one write: {reqs:?}");
    };
    assert!(*armed);
    assert_eq!(op.verb(), "rollout.approve");
    assert!(
        command.ends_with("--env prod rollout approve weather_mcp --arm --yes"),
        "{command}"
    );
    // Pause is refused while it waits for approval: nothing asked.
    assert!(press(&mut app, &[Action::PauseRollout], Millis(30)).is_empty());
    assert!(app.modal().is_none());

    // Running: pause (armed now, so straight to the confirmation), cancel changes nothing.
    let mut app = open(Some(fx::running()), T0 + 1248 * S);
    press(&mut app, &[Action::PauseRollout], Millis(0));
    arm(&mut app);
    assert_eq!(rollout_op(&app).action, RolloutAction::Pause);
    assert!(press(&mut app, &[Action::Back], Millis(40)).is_empty());

    // Abort: the calls name the traffic moves and where the canary goes back to.
    press(&mut app, &[Action::Abort], Millis(50));
    let op = rollout_op(&app);
    assert_eq!(op.action, RolloutAction::Abort);
    let calls: Vec<String> = op.calls().into_iter().map(|c| c.text).collect();
    assert!(
        calls.iter().any(|c| c.contains("canary back to v3")),
        "{calls:?}"
    );
    let reqs = press(&mut app, &[Action::Submit], Millis(60));
    assert!(matches!(
        &reqs[..],
        [Request {
            job: Job::Write { armed: true, .. },
            ..
        }]
    ));
    // A rollout that is over takes no control.
    let mut app = open(Some(fx::rolled_back()), T0 + 1100 * S);
    assert!(press(&mut app, &[Action::Abort], Millis(0)).is_empty());
    assert!(app.modal().is_none());
}

#[test]
fn resume_applies_to_a_stalled_rollout() {
    let mut app = open(Some(fx::running()), T0 + 1248 * S);
    press(&mut app, &[Action::ResumeRollout], Millis(0));
    assert!(app.modal().is_none(), "a live driver runs it");
    let mut app = open(Some(fx::stalled()), T0 + 1500 * S);
    press(&mut app, &[Action::ResumeRollout], Millis(0));
    arm(&mut app);
    let op = rollout_op(&app);
    assert_eq!(
        (op.action.clone(), op.state_now.as_str()),
        (RolloutAction::Resume, "stalled")
    );
    assert!(op.drives());
}

#[test]
fn start_reads_the_preview_then_confirms_its_calls() {
    let mut app = open(None, T0);
    assert!(press(&mut app, &[Action::StartRollout], Millis(0)).is_empty());
    assert_eq!(app.context(), Context::RolloutForm);
    let mut keys = typed("4");
    keys.push(Action::Submit);
    let reqs = press(&mut app, &keys, Millis(0));
    let ask = StartAsk {
        env: "prod".into(),
        runtime: "weather_mcp".into(),
        canary_version: "4".into(),
        plan: "seed".into(),
    };
    let [req] = reqs.as_slice() else {
        panic!("one preview read: {reqs:?}");
    };
    assert_eq!(req.job, Job::RolloutPreview(ask));
    assert!(
        app.modal().is_none(),
        "nothing to confirm before the preview"
    );
    let preview = RolloutOp {
        env: "prod".into(),
        runtime: "weather_mcp".into(),
        state_now: "none".into(),
        previous_canary: Some("3".into()),
        action: RolloutAction::Start {
            canary_version: "4".into(),
            plan: Box::new(Plan::builtin("seed").expect("seed")),
            calls: vec![
                "PutMetricFilter agentcore-console-tool-errors-canary".into(),
                "UpdateAgentRuntimeEndpoint canary → v4".into(),
                "UpdateGatewayRule weighted: live 90 / canary 10".into(),
            ],
            stable_version: Some("3".into()),
            canary_from: Some("3".into()),
        },
    };
    app.apply(
        Response {
            ticket: req.ticket,
            reply: Reply::RolloutPreview(Ok(Box::new(preview.clone()))),
        },
        Millis(10),
    );
    // prod: arm first, then the confirmation shows the preview's calls.
    let reqs = arm_and_confirm(&mut app);
    let [
        Request {
            job: Job::Write { op, command, .. },
            ticket,
        },
    ] = reqs.as_slice()
    else {
        panic!("one write: {reqs:?}");
    };
    assert_eq!(op, &WriteOp::Rollout(Box::new(preview)));
    assert!(
        command.contains("rollout start weather_mcp --canary-version 4 --plan seed --arm --yes")
    );
    // The driver's events reach the pane; quitting leaves the rollout for `resume`.
    let ev = crate::backend::rollout::Event {
        at_ms: T0,
        event: "start".into(),
        message: "v4 on canary".into(),
        state: "running",
        step: 0,
        weight: 10,
        evaluation: None,
    };
    app.apply(
        Response {
            ticket: *ticket,
            reply: Reply::RolloutEvent(Box::new(ev)),
        },
        Millis(30),
    );
    let reqs = app.update(Action::Tick, Millis(40));
    assert!(
        reqs.iter().any(|r| r.job == rollout_job()),
        "an event re-reads the state"
    );
    assert!(screen(&app, 120, 30).contains("driven here: last event 10:00:00 start"));
    press(&mut app, &[Action::Quit], Millis(50));
    assert!(app.should_quit(), "a driver does not hold the console open");
    let last = app
        .status()
        .latest()
        .map(|m| m.text.clone())
        .unwrap_or_default();
    assert!(last.contains("`rollout resume` continues it"), "{last}");
}
