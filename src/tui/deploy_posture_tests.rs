//! The deploy pane's posture section without a terminal: prefilled from the environment's
//! defaults, checked as typed, a weakening of a protected environment refused until the
//! `allow posture change` toggle is on, then armed and previewed with the weakening; and its
//! screens (insta).

use insta::assert_snapshot;

use super::action::Action;
use super::app::{App, Modal};
use super::fixtures::*;
use super::io::{Job, Request};
use super::theme::Theme;
use super::time::Millis;
use super::write::WriteOp;
use crate::domain::posture::{InboundAuth, Lifecycle, Network, Posture, Protocol};

const W: u16 = 120;

fn prod_posture() -> Posture {
    Posture {
        network: Some(Network::Vpc {
            subnets: vec!["subnet-0123456789abcdef0".into()],
            security_groups: vec!["sg-0123456789abcdef0".into()],
        }),
        auth: Some(InboundAuth::Jwt {
            discovery_url: "https://issuer.example.com/.well-known/openid-configuration".into(),
            allowed_audiences: vec!["prod".into()],
            allowed_clients: vec![],
        }),
        lifecycle: Some(Lifecycle {
            idle_session_timeout_s: Some(600),
            max_lifetime_s: None,
        }),
        protocol: Some(Protocol::Mcp),
        request_headers: None,
        log_retention_days: Some(90),
    }
}

/// The deploy pane of weather_mcp in `env` (prod with a posture), an image typed in, the
/// posture section open, the focus on its header.
fn posture_open(env: &str) -> App {
    let mut envs = envs();
    for e in &mut envs {
        if e.name == "prod" {
            e.posture = prod_posture();
        }
    }
    let mut app = app_over(envs, Theme::colored());
    let reqs = app.start(Millis(0));
    serve(&mut app, reqs, &[], Millis(0));
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
    // runtime, env vars, then endpoint, then the posture header: open it.
    press(
        &mut app,
        &[
            Action::Down,
            Action::Down,
            Action::Down,
            Action::Down,
            Action::Right,
        ],
        Millis(0),
    );
    app
}

/// From the posture header to the log retention field, and type `days` there.
fn retention(app: &mut App, days: &str) {
    press(app, &vec![Action::Down; 12], Millis(0));
    press(app, &[Action::ClearInput], Millis(0));
    press(app, &typed(days), Millis(0));
}

#[test]
fn the_posture_section_is_prefilled_from_the_environment() {
    let app = posture_open("prod");
    let text = screen(&app, W, 40);
    for shown in [
        "network       vpc",
        "subnets       subnet-0123456789abcdef0",
        "auth          jwt",
        "discovery URL https://issuer.example.com/.well-known/openid-configuration",
        "idle timeout  10m",
        "log retention 90",
        "allow change  [ ]",
    ] {
        assert!(text.contains(shown), "`{shown}` in:\n{text}");
    }
    assert!(!text.contains("weakens"), "{text}");
    assert_snapshot!(text);
}

#[test]
fn a_weakening_is_refused_as_typed_until_allowed_then_armed_and_previewed() {
    let mut app = posture_open("prod");
    retention(&mut app, "30");
    let text = screen(&app, W, 40);
    assert!(
        text.contains("! weakens the environment's posture: shortens log retention from 90 to 30")
            && text.contains(
                "✗ weakens the protected environment's posture (1): turn on `allow change`"
            ),
        "checked as typed:\n{text}"
    );
    // Enter asks nothing: no arming, no preview.
    assert!(press(&mut app, &[Action::Submit], Millis(1_000)).is_empty());
    assert!(app.modal().is_none(), "{:?}", app.modal());
    // A value AWS refuses is named as typed too.
    press(&mut app, &[Action::ClearInput], Millis(0));
    press(&mut app, &typed("8"), Millis(0));
    assert!(screen(&app, W, 40).contains("log retention: 8 is not a retention"));
    press(&mut app, &[Action::ClearInput], Millis(0));
    press(&mut app, &typed("30"), Millis(0));
    // The toggle: allowed, still shown as a weakening.
    press(&mut app, &[Action::Down, Action::Right], Millis(0));
    let text = screen(&app, W, 40);
    assert!(text.contains("allow change  [x]"), "{text}");
    assert!(
        text.contains("! weakens the environment's posture: shortens log retention"),
        "{text}"
    );
    assert_snapshot!("deploy_posture_weakening_allowed", text);
    // Then arming, as every write in prod.
    assert!(press(&mut app, &[Action::Submit], Millis(1_000)).is_empty());
    let Some(Modal::Arm(_)) = app.modal() else {
        panic!("expected the arm prompt, got {:?}", app.modal());
    };
    let mut keys = typed("prod");
    keys.push(Action::Submit);
    press(&mut app, &keys, Millis(2_000));
    let Some(Modal::Confirm(c)) = app.modal() else {
        panic!("expected the confirmation, got {:?}", app.modal());
    };
    assert!(
        c.command.contains(
            "deploy weather_mcp --image 123.dkr.ecr/weather:7 --log-retention-days 30 \
             --allow-posture-change --arm --yes"
        ),
        "{}",
        c.command
    );
    let preview = screen(&app, W, 44);
    for shown in [
        "auth                  JWT",
        "PutRetentionPolicy 30 days",
        "WARNING: weakens the environment's posture: shortens log retention from 90 to 30",
    ] {
        assert!(preview.contains(shown), "`{shown}` in:\n{preview}");
    }
    assert_snapshot!("deploy_posture_preview", preview);
    let reqs = press(&mut app, &[Action::Submit], Millis(3_000));
    let [
        Request {
            job:
                Job::Write {
                    op: WriteOp::Deploy(op),
                    armed: true,
                    ..
                },
            ..
        },
    ] = &reqs[..]
    else {
        panic!("expected one armed deploy, got {reqs:?}");
    };
    let req = op.request(true);
    assert!(req.allow_posture_change);
    assert_eq!(req.posture.log_retention_days, Some(30));
    assert_eq!(
        req.posture.auth,
        prod_posture().auth,
        "the rest as prefilled"
    );
    // The outcome shows what was applied and what it weakened.
    let ticket = reqs[0].ticket;
    let mut d = super::app_tests_deploy::done(&[]);
    d.posture = vec![
        "network VPC".into(),
        "auth JWT".into(),
        "log_retention_days 30".into(),
    ];
    d.weakenings = vec!["shortens log retention from 90 to 30 days".into()];
    d.retention = Some((30, 1));
    app.apply(
        super::io::Response {
            ticket,
            reply: super::io::Reply::Deploy(super::io::DeployEvent::Done(Ok(d))),
        },
        Millis(4_000),
    );
    let text = screen(&app, W, 30);
    for shown in [
        "posture network VPC · auth JWT · log_retention_days 30",
        "✓ log retention 30 days on 1 log group",
        "! weakened the environment's posture: shortens log retention from 90 to 30 days",
    ] {
        assert!(text.contains(shown), "`{shown}` in:\n{text}");
    }
    assert_snapshot!("deploy_posture_result", text);
}

#[test]
fn in_an_unprotected_environment_a_weakening_is_only_shown() {
    let mut app = posture_open("dev");
    // dev has no defaults: the fields start empty, and nothing is weakened.
    let text = screen(&app, W, 40);
    assert!(text.contains("posture       none set"), "{text}");
    retention(&mut app, "14");
    let reqs = press(&mut app, &[Action::Submit], Millis(1_000));
    assert!(reqs.is_empty());
    let Some(Modal::Confirm(c)) = app.modal() else {
        panic!("expected the confirmation, got {:?}", app.modal());
    };
    assert!(
        c.command.contains("--log-retention-days 14 --yes"),
        "{}",
        c.command
    );
}
