//! The traffic and metrics panes without a terminal: what opening them asks for, the weight
//! form's checks, the write flow for set/promote/abort, stale answers, range and zoom keys.

use super::action::Action;
use super::app::{App, Modal};
use super::fixtures::*;
use super::io::{Job, Reply, Request, Response};
use super::keymap::Context;
use super::time::Millis;
use super::widgets::status_line::Level;
use super::write::{TrafficChange, WriteOp};

fn jobs(reqs: &[Request]) -> Vec<&Job> {
    reqs.iter().map(|r| &r.job).collect()
}

fn traffic_job(env: &str) -> Job {
    Job::Traffic {
        env: env.into(),
        runtime: "weather_mcp".into(),
    }
}

fn metrics_job(span: i64, period: i32) -> Job {
    Job::Metrics {
        env: "prod".into(),
        runtime: "weather_mcp".into(),
        span,
        period,
    }
}

/// The matrix loaded, then the traffic pane of weather_mcp in `env`, loaded.
fn traffic_in(env: &str) -> App {
    let mut app = loaded(&[]);
    let reqs = press(
        &mut app,
        &[Action::OpenTraffic {
            env: env.into(),
            runtime: "weather_mcp".into(),
        }],
        Millis(0),
    );
    serve(&mut app, reqs, &[], Millis(0));
    app
}

#[test]
fn traffic_and_metrics_open_from_the_matrix_the_detail_the_palette_and_each_other() {
    let mut app = loaded(&[]);
    // weather_mcp × prod in the matrix, then `t`.
    let reqs = press(
        &mut app,
        &[Action::Down, Action::Right, Action::Right, Action::Traffic],
        Millis(0),
    );
    assert_eq!(jobs(&reqs), [&traffic_job("prod")]);
    assert_eq!(app.context(), Context::Traffic);
    assert_eq!(
        app.breadcrumbs(),
        ["environments", "traffic of weather_mcp in prod"]
    );
    // `m` from the traffic pane: one metrics fetch, the last hour in minutes.
    let reqs = press(&mut app, &[Action::Metrics], Millis(0));
    assert_eq!(jobs(&reqs), [&metrics_job(3600, 60)]);
    assert_eq!(app.context(), Context::Metrics);
    // From the runtime detail.
    let mut app = loaded(&[]);
    press(
        &mut app,
        &[Action::OpenRuntime {
            env: "dev".into(),
            runtime: "weather_mcp".into(),
        }],
        Millis(0),
    );
    let reqs = press(&mut app, &[Action::Traffic], Millis(0));
    assert_eq!(jobs(&reqs), [&traffic_job("dev")]);
    // From the palette.
    let mut keys = vec![Action::Palette];
    keys.extend(typed("metrics weather prod"));
    keys.push(Action::Submit);
    let reqs = press(&mut app, &keys, Millis(0));
    assert_eq!(jobs(&reqs), [&metrics_job(3600, 60)]);
    // A cell where the runtime is not deployed opens nothing.
    let mut app = loaded(&[]);
    let reqs = press(&mut app, &[Action::Right, Action::Traffic], Millis(0));
    assert!(reqs.is_empty());
    assert_eq!(app.context(), Context::Matrix);
    assert!(
        app.status()
            .latest()
            .is_some_and(|m| m.text.contains("not deployed in staging"))
    );
}

#[test]
fn a_weight_of_101_is_refused_in_the_form_without_any_request() {
    let mut app = traffic_in("dev");
    press(&mut app, &[Action::SetWeight], Millis(0));
    assert_eq!(app.context(), Context::TrafficForm);
    let mut keys = vec![Action::ClearInput];
    keys.extend(typed("101"));
    keys.push(Action::Submit);
    let reqs = press(&mut app, &keys, Millis(0));
    assert!(reqs.is_empty(), "{reqs:?}");
    assert!(app.modal().is_none(), "no confirmation for a bad weight");
    assert_eq!(app.context(), Context::TrafficForm, "the form stays open");
    assert!(
        screen(&app, 120, 30)
            .contains("the weight must be a whole number from 0 to 100, not `101`")
    );
    // `q` is text in the form, not quit.
    press(&mut app, &[Action::Char('q')], Millis(0));
    assert!(!app.should_quit());
    // A good weight goes to the confirmation (dev is not protected), with the exact calls.
    let mut keys = vec![Action::ClearInput];
    keys.extend(typed("25"));
    keys.push(Action::Submit);
    assert!(press(&mut app, &keys, Millis(0)).is_empty());
    let Some(Modal::Confirm(c)) = app.modal() else {
        panic!("expected the confirmation, got {:?}", app.modal());
    };
    let WriteOp::Traffic(op) = &c.op else {
        panic!("{:?}", c.op);
    };
    assert_eq!(
        op.change,
        TrafficChange::Set {
            version: "4".into(),
            weight: 25
        }
    );
    assert!(
        c.command
            .ends_with("traffic set weather_mcp --env dev --canary-version 4 --weight 25 --yes"),
        "{}",
        c.command
    );
    assert!(
        c.op.calls()
            .iter()
            .any(|call| call.text == "UpdateGatewayRule")
    );
    // Esc in the form sends nothing.
    press(
        &mut app,
        &[Action::Back, Action::SetWeight, Action::Back],
        Millis(0),
    );
    assert_eq!(app.context(), Context::Traffic);
}

#[test]
fn set_promote_and_abort_in_prod_need_arming_then_one_write_then_a_re_read() {
    for (action, verb) in [
        (Action::SetWeight, "traffic.set"),
        (Action::Promote, "traffic.promote"),
        (Action::Abort, "traffic.abort"),
    ] {
        let mut app = traffic_in("prod");
        let mut keys = vec![action.clone()];
        if action == Action::SetWeight {
            keys.push(Action::Submit);
        }
        assert!(press(&mut app, &keys, Millis(1_000)).is_empty());
        let Some(Modal::Arm(prompt)) = app.modal() else {
            panic!("{verb}: expected the arm prompt, got {:?}", app.modal());
        };
        assert_eq!(prompt.env, "prod");
        let mut keys = typed("prod");
        keys.push(Action::Submit);
        assert!(press(&mut app, &keys, Millis(2_000)).is_empty());
        let Some(Modal::Confirm(c)) = app.modal() else {
            panic!("{verb}: expected the confirmation, got {:?}", app.modal());
        };
        assert_eq!(c.op.verb(), verb);
        assert!(c.command.ends_with("--arm --yes"), "{}", c.command);
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
            panic!("{verb}: expected one armed write, got {reqs:?}");
        };
        let follow = app.apply(
            Response {
                ticket: *ticket,
                reply: Reply::Write {
                    op: op.clone(),
                    result: Ok("prod: weather_mcp now sends live v3 100%".into()),
                },
            },
            Millis(4_000),
        );
        assert_eq!(jobs(&follow), [&traffic_job("prod")], "{verb}");
        let msg = app.status().latest().expect("message");
        assert_eq!(msg.level, Level::Info);
        assert!(msg.text.starts_with("✓ prod: weather_mcp"), "{}", msg.text);
    }
}

#[test]
fn rollback_from_the_traffic_pane_reuses_the_rollback_write() {
    let mut app = traffic_in("dev");
    // stable (live), canary: the canary on 4 goes back to 3, the newest READY before it.
    press(&mut app, &[Action::Down, Action::Rollback], Millis(0));
    let Some(Modal::Confirm(c)) = app.modal() else {
        panic!("expected the confirmation, got {:?}", app.modal());
    };
    assert_eq!(
        c.op,
        WriteOp::Rollback {
            env: "dev".into(),
            runtime: "weather_mcp".into(),
            runtime_id: "weather_mcp-AbC123xyz".into(),
            endpoint: "canary".into(),
            from: "4".into(),
            to: "3".into(),
        }
    );
}

#[test]
fn stale_traffic_and_metrics_answers_are_dropped() {
    let mut app = loaded(&[]);
    let first = press(
        &mut app,
        &[Action::OpenTraffic {
            env: "prod".into(),
            runtime: "weather_mcp".into(),
        }],
        Millis(0),
    );
    let second = press(&mut app, &[Action::Refresh], Millis(100));
    let mut old = answer(&first[0], &[]).expect("answer");
    old.reply = Reply::Traffic(Err("an old failure".into()));
    app.apply(old, Millis(200));
    assert!(!screen(&app, 120, 30).contains("an old failure"));
    serve(&mut app, second, &[], Millis(300));
    assert!(screen(&app, 120, 30).contains("canary errors 31%"));
    // Metrics: the answer for the hour arrives after 3h was asked for: dropped.
    let hour = press(&mut app, &[Action::Metrics], Millis(400));
    let three = press(&mut app, &[Action::Range(2)], Millis(500));
    assert_eq!(jobs(&three), [&metrics_job(3 * 3600, 60)]);
    serve(&mut app, hour, &[], Millis(600));
    assert!(screen(&app, 120, 30).contains("Loading metrics"));
    serve(&mut app, three, &[], Millis(700));
    assert!(screen(&app, 120, 30).contains("last 3h"));
}

#[test]
fn range_and_zoom_keys_change_the_window_asked_for() {
    let mut app = loaded(&[]);
    press(
        &mut app,
        &[Action::OpenMetrics {
            env: "prod".into(),
            runtime: "weather_mcp".into(),
        }],
        Millis(0),
    );
    let steps = [
        (Action::Range(0), 900, 60),
        (Action::ZoomIn, 450, 60),
        (Action::ZoomReset, 900, 60),
        (Action::Range(4), 86_400, 180),
        (Action::ZoomOut, 172_800, 360),
        (Action::Range(3), 43_200, 120),
    ];
    for (action, span, period) in steps {
        let reqs = press(&mut app, std::slice::from_ref(&action), Millis(0));
        assert_eq!(jobs(&reqs), [&metrics_job(span, period)], "{action:?}");
    }
    // Zooming in past five minutes asks for nothing and says why.
    let reqs = press(&mut app, &[Action::Range(0), Action::ZoomIn], Millis(0));
    assert!(press(&mut app, &[Action::ZoomIn], Millis(0)).is_empty());
    assert!(
        app.status()
            .latest()
            .is_some_and(|m| m.text.contains("as far as it goes"))
    );
    // `b` cycles the chart lines without a request.
    serve(&mut app, reqs, &[], Millis(0));
    assert!(screen(&app, 120, 30).contains("last 7m30s"));
    assert!(press(&mut app, &[Action::ChartMarker], Millis(0)).is_empty());
    assert!(screen(&app, 120, 30).contains("lines block"));
}

#[test]
fn theme_toml_picks_the_chart_lines_even_without_colour() {
    use super::theme::Theme;
    use super::widgets::chart::ChartMarker;
    let mut t = Theme::mono();
    assert!(t.apply_overrides("chart_marker = \"ascii\"").is_empty());
    assert_eq!(t.chart_marker, ChartMarker::Ascii);
    let w = t.apply_overrides("chart_marker = \"sparkles\"");
    assert_eq!(w.len(), 1, "{w:?}");
    assert_eq!(
        t.chart_marker,
        ChartMarker::Ascii,
        "a bad value changes nothing"
    );
    // A metrics pane starts with the theme's lines.
    let mut app = app_with(t);
    let reqs = app.start(Millis(0));
    serve(&mut app, reqs, &[], Millis(0));
    let reqs = press(
        &mut app,
        &[Action::OpenMetrics {
            env: "prod".into(),
            runtime: "weather_mcp".into(),
        }],
        Millis(0),
    );
    serve(&mut app, reqs, &[], Millis(0));
    assert!(screen(&app, 120, 30).contains("lines ascii"));
}

#[test]
fn l_from_the_traffic_and_metrics_panes_opens_that_runtimes_logs() {
    use super::keys::Key;
    let (env, runtime) = ("prod".to_string(), "weather_mcp".to_string());
    for open in [
        Action::OpenTraffic {
            env: env.clone(),
            runtime: runtime.clone(),
        },
        Action::OpenMetrics {
            env: env.clone(),
            runtime: runtime.clone(),
        },
    ] {
        let mut app = loaded(&[]);
        press(&mut app, &[open], Millis(0));
        // Through the keymap, as a person presses it.
        let l = app.keymap().lookup(app.context(), &Key::ch('L')).cloned();
        assert_eq!(l, Some(Action::Logs), "in {:?}", app.context());
        press(&mut app, &[Action::Logs], Millis(0));
        assert_eq!(app.context(), Context::Logs);
        assert_eq!(
            app.breadcrumbs().last().map(String::as_str),
            Some("logs weather_mcp in prod")
        );
    }
}
