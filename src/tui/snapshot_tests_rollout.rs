//! The rollout pane in every state, the matrix's rollout text and a metrics mark, as text
//! screens (insta), from the fixed rollouts in `fixtures_rollout.rs`.

use insta::assert_snapshot;

use super::action::Action;
use super::app::App;
use super::fixtures::*;
use super::fixtures_rollout::{self as fx, T0};
use super::io::{EnvRollouts, Job, Reply, Response};
use super::time::Millis;
use crate::domain::rollout::RolloutState;

const W: u16 = 120;
const H: u16 = 40;
const S: i64 = 1000;

/// The rollout pane of weather_mcp in prod; `reply` answers its read (none: loading).
fn pane(reply: Option<Reply>) -> App {
    let mut app = loaded(&[]);
    let reqs = press(
        &mut app,
        &[Action::OpenRollout {
            env: "prod".into(),
            runtime: "weather_mcp".into(),
        }],
        Millis(0),
    );
    if let Some(reply) = reply {
        let r = reqs
            .iter()
            .find(|r| matches!(r.job, Job::Rollout { .. }))
            .expect("a rollout read");
        app.apply(
            Response {
                ticket: r.ticket,
                reply,
            },
            Millis(0),
        );
    }
    app
}

fn shown(state: RolloutState, at: i64) -> String {
    screen(&pane(Some(fx::reply(Some(state), at))), W, H)
}

#[test]
fn rollout_loading_and_none() {
    assert_snapshot!("rollout_loading", screen(&pane(None), W, 12));
    let none = screen(&pane(Some(fx::reply(None, T0))), W, 12);
    assert!(none.contains("has no rollout in prod"), "{none}");
    assert_snapshot!("rollout_none", none);
}

/// Step 2 of 3 at 25%, 4m12s left; every gate with its samples and interval; p99 observed.
#[test]
fn rollout_running_with_a_countdown() {
    let text = shown(fx::running(), T0 + 1248 * S);
    assert!(text.contains("25%  bake 10m00s  4m12s left"), "{text}");
    assert!(text.contains("(observe)"), "{text}");
    assert!(!text.contains('\u{1b}'), "sanitised: {text}");
    assert_snapshot!(text);
}

#[test]
fn rollout_awaiting_approval() {
    let text = shown(fx::awaiting_approval(), T0 + 1248 * S);
    assert!(text.contains("AWAITING-APPROVAL"), "{text}");
    assert!(text.contains("waiting for an operator (a)"), "{text}");
    assert_snapshot!(text);
}

/// Read after the lease ran out: stalled, prominently, with the lease's expiry.
#[test]
fn rollout_stalled() {
    let text = shown(fx::stalled(), T0 + 1500 * S);
    assert!(text.contains("● STALLED"), "{text}");
    assert!(
        text.contains("⚠ STALLED: no driver since 10:23:48"),
        "{text}"
    );
    assert_snapshot!(text);
}

/// The failing gate's numbers: 31 of 240 (12.92%) against 5, its interval, 2/2 in a row.
#[test]
fn rollout_rolled_back_with_the_failing_gates_numbers() {
    let text = shown(fx::rolled_back(), T0 + 1100 * S);
    assert!(text.contains("12.92%"), "{text}");
    assert!(text.contains("failures in a row 2/2"), "{text}");
    assert!(text.contains("ROLLED-BACK"), "{text}");
    assert_snapshot!(text);
}

#[test]
fn rollout_blue_green() {
    let text = shown(fx::blue_green(), T0 + 60 * S);
    assert!(text.contains("✓ validate v4 on canary"), "{text}");
    assert!(text.contains("switch: 100% to v4"), "{text}");
    assert_snapshot!(text);
}

/// The matrix: `⟳ 2/3 25% 4m12s` on weather_mcp × prod, counted from the listing's time.
#[test]
fn matrix_shows_a_rollouts_step_weight_and_time_left() {
    let mut app = app();
    let reqs = app.start(Millis(0));
    for req in reqs {
        let Some(mut resp) = answer(&req, &[]) else {
            continue;
        };
        if let Reply::EnvMatrix {
            env,
            result: Ok(snap),
        } = &mut resp.reply
            && env == "prod"
        {
            snap.rollouts = Ok(EnvRollouts {
                read_at_ms: T0 + 1248 * S,
                states: vec![fx::running()],
            });
        }
        app.apply(resp, Millis(0));
    }
    let text = screen(&app, W, 24);
    assert!(text.contains("⟳ 2/3 25% 4m12s"), "{text}");
    // Two seconds later on the TUI's clock, the countdown has moved with it.
    app.update(Action::Resize, Millis(2000));
    let later = super::panes::matrix::cells::cell(
        app.matrix().column("prod").expect("prod"),
        &envs()[2],
        "weather_mcp",
        Default::default(),
        Millis(2000),
    );
    let super::panes::matrix::cells::Cell::Present(v) = later else {
        panic!("present: {later:?}");
    };
    assert_eq!(v.rollout, Some(("⟳ 2/3 25% 4m10s".into(), false)));
    assert_snapshot!(text);
}

#[test]
fn matrix_cell_text_of_each_outcome() {
    use super::panes::rollout::timeline::summary;
    let at = T0 + 1100 * S;
    assert_eq!(
        summary(&fx::rolled_back(), at),
        Some(("↶ rolled back".into(), true))
    );
    assert_eq!(
        summary(&fx::awaiting_approval(), T0 + 1248 * S),
        Some(("? 2/3 10% approve".into(), true))
    );
    assert_eq!(
        summary(&fx::stalled(), T0 + 1500 * S),
        Some(("⚠ stalled 2/3 25%".into(), true))
    );
    assert_eq!(
        summary(&fx::rolled_back(), at + 2 * 86_400 * S),
        None,
        "long over"
    );
}

/// The metrics pane marks the rollout's start and its step 2 on the time axis.
#[test]
fn metrics_marks_the_rollouts_steps() {
    let mut app = loaded(&[]);
    let reqs = press(
        &mut app,
        &[Action::OpenMetrics {
            env: "prod".into(),
            runtime: "weather_mcp".into(),
        }],
        Millis(0),
    );
    let r = &reqs[0];
    let Job::Metrics { span, period, .. } = r.job else {
        panic!("{:?}", r.job);
    };
    let mut data = super::fixtures_traffic::metrics_data(span, period);
    data.rollout = Ok(Some(fx::running()));
    app.apply(
        Response {
            ticket: r.ticket,
            reply: Reply::Metrics(Ok(Box::new(data))),
        },
        Millis(0),
    );
    let text = screen(&app, W, 44);
    assert!(text.contains("10:00 rollout v4 start"), "{text}");
    assert!(text.contains("10:15 rollout step 2: 25%"), "{text}");
}
