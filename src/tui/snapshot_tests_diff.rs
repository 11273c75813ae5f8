//! The runtime pane's settings view, the diff view (from the palette and from the runtime
//! pane's `=`), in every state.

use insta::assert_snapshot;

use super::action::Action;
use super::app::App;
use super::fixtures::*;
use super::io::{Job, Reply, Response};
use super::time::Millis;
use crate::backend::runtimes::config::DiffSide;

const W: u16 = 120;

fn runtime_open() -> App {
    let mut app = loaded(&[]);
    let reqs = press(
        &mut app,
        &[Action::OpenRuntime {
            env: "prod".into(),
            runtime: "weather_mcp".into(),
        }],
        Millis(0),
    );
    serve(&mut app, reqs, &[], Millis(0));
    app
}

#[test]
fn runtime_settings_shows_every_setting_of_the_served_versions() {
    let mut app = runtime_open();
    assert!(press(&mut app, &[Action::Settings], Millis(0)).is_empty());
    let s = screen(&app, W, 44);
    for want in [
        "v4 (latest, DEFAULT)",
        "v3 (live)",
        "APP_VERSION, DB_PASSWORD, FEATURE_FLAGS",
        "sha256:1a2b3c4d5e6f7081",
        "subnet-0123456789abcdef0",
        "90 days",
    ] {
        assert!(s.contains(want), "{want} missing:\n{s}");
    }
    assert_snapshot!(s);
    // `s` again: back to versions and changes.
    press(&mut app, &[Action::Settings], Millis(0));
    assert!(screen(&app, W, 44).contains("RECENT CHANGES"));
}

fn side(env: &str, version: Option<&str>, latest: bool) -> DiffSide {
    DiffSide {
        env: env.into(),
        version: version.map(str::to_string),
        latest_by_default: latest,
    }
}

/// The diff view of staging against prod, answered (`Some`) or not.
fn diff_open(answer: Option<Result<(), &str>>, left: DiffSide, right: DiffSide) -> App {
    let mut app = loaded(&[]);
    let reqs = press(
        &mut app,
        &[Action::OpenDiff {
            runtime: "weather_mcp".into(),
            left,
            right,
        }],
        Millis(0),
    );
    assert!(
        matches!(&reqs[..], [r] if matches!(r.job, Job::RuntimeDiff { .. })),
        "{reqs:?}"
    );
    match answer {
        None => {}
        Some(Ok(())) => serve(&mut app, reqs, &[], Millis(0)),
        Some(Err(e)) => {
            app.apply(
                Response {
                    ticket: reqs[0].ticket,
                    reply: Reply::RuntimeDiff(Err(e.into())),
                },
                Millis(0),
            );
        }
    }
    app
}

#[test]
fn diff_populated() {
    let app = diff_open(
        Some(Ok(())),
        side("staging", None, false),
        side("prod", Some("4"), false),
    );
    let s = screen(&app, W, 30);
    assert!(
        s.contains("staging v3 (live)") && s.contains("prod v4 (DEFAULT)"),
        "{s}"
    );
    assert_snapshot!(s);
}

#[test]
fn diff_no_differences() {
    let app = diff_open(
        Some(Ok(())),
        side("prod", Some("3"), false),
        side("prod", Some("3"), false),
    );
    assert_snapshot!(screen(&app, W, 12));
}

#[test]
fn diff_loading_and_error() {
    let app = diff_open(None, side("dev", None, false), side("prod", None, false));
    assert_snapshot!("diff_loading", screen(&app, W, 8));
    let app = diff_open(
        Some(Err("dev: runtime `weather_mcp` has no version `9`")),
        side("dev", Some("9"), false),
        side("prod", None, false),
    );
    assert_snapshot!("diff_error", screen(&app, W, 8));
}

#[test]
fn older_and_newer_step_the_left_version_and_ask_again() {
    let mut app = diff_open(
        Some(Ok(())),
        side("prod", None, false),
        side("prod", None, true),
    );
    let reqs = press(&mut app, &[Action::OlderVersion], Millis(1));
    let [r] = &reqs[..] else { panic!("{reqs:?}") };
    let Job::RuntimeDiff { left, right, .. } = &r.job else {
        panic!("{r:?}")
    };
    assert_eq!(left.version.as_deref(), Some("2"), "3 shown, one older");
    assert_eq!(right.version, None);
    serve(&mut app, reqs, &[], Millis(1));
    let reqs = press(
        &mut app,
        &[Action::NewerVersion, Action::NewerVersion],
        Millis(2),
    );
    let Some(Job::RuntimeDiff { left, .. }) = reqs.last().map(|r| &r.job) else {
        panic!("{reqs:?}")
    };
    assert_eq!(left.version.as_deref(), Some("4"));
}

#[test]
fn compare_from_the_runtime_pane_opens_the_palette_on_diff_and_enter_opens_the_view() {
    let mut app = runtime_open();
    press(&mut app, &[Action::Compare], Millis(0));
    let s = screen(&app, W, 30);
    assert!(s.contains(":diff weather_mcp prod"), "{s}");
    assert!(s.contains("diff weather_mcp staging prod"), "{s}");
    assert_snapshot!(s);
    let reqs = press(&mut app, &[Action::Submit], Millis(0));
    let [r] = &reqs[..] else { panic!("{reqs:?}") };
    assert_eq!(
        r.job,
        Job::RuntimeDiff {
            runtime: "weather_mcp".into(),
            left: side("prod", None, false),
            right: side("prod", None, true),
        }
    );
    serve(&mut app, reqs, &[], Millis(0));
    let s = screen(&app, W, 30);
    assert!(
        s.contains("prod v3 (live)") && s.contains("prod v4 (DEFAULT)"),
        "{s}"
    );
}
