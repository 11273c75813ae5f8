//! The overlays and modals as text screens: help, palette, arm, confirm, messages.

use insta::assert_snapshot;

use super::action::Action;
use super::fixtures::*;
use super::time::Millis;

const W: u16 = 120;
const H: u16 = 30;

#[test]
fn help_overlay() {
    let mut app = loaded(&[]);
    press(&mut app, &[Action::Help], Millis(0));
    assert_snapshot!(screen(&app, W, H));
}

#[test]
fn palette_with_completion() {
    let mut app = loaded(&[]);
    let mut keys = vec![Action::Palette];
    keys.extend(typed("wea"));
    keys.push(Action::Down);
    press(&mut app, &keys, Millis(0));
    assert_snapshot!(screen(&app, W, H));
    press(&mut app, &[Action::Complete], Millis(0));
    assert_snapshot!("palette_completed", screen(&app, W, H));
}

fn prod_runtime() -> super::app::App {
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
fn arm_modal() {
    let mut app = prod_runtime();
    let mut keys = vec![Action::Rollback];
    keys.extend(typed("prd"));
    keys.push(Action::Submit);
    keys.extend(typed("pr"));
    press(&mut app, &keys, Millis(0));
    assert_snapshot!(screen(&app, W, H));
}

#[test]
fn confirm_modal() {
    let mut app = prod_runtime();
    let mut keys = vec![Action::Rollback];
    keys.extend(typed("prod"));
    keys.push(Action::Submit);
    press(&mut app, &keys, Millis(1_000));
    // 28 s later: the countdown shows 4:32 left.
    press(&mut app, &[Action::Resize], Millis(29_000));
    assert_snapshot!(screen(&app, W, H));
}

#[test]
fn messages_overlay() {
    let mut app = loaded(&["staging"]);
    press(
        &mut app,
        &[Action::Right, Action::Open, Action::Messages],
        Millis(3_000),
    );
    assert_snapshot!(screen(&app, W, H));
}
