//! Lineage on screen: a promoted version says where it came from, in the runtime pane (its
//! summary and its versions) and under the matrix for the selected cell.

use insta::assert_snapshot;

use super::action::Action;
use super::app::App;
use super::fixtures::*;
use super::io::{Reply, Request};
use super::time::Millis;
use crate::domain::lineage::Lineage;

fn lineage() -> Lineage {
    Lineage {
        env: "staging".into(),
        version: "12".into(),
        sha256: "9f2c".repeat(16),
    }
}

/// Answer like the fixtures, with prod's weather_mcp (latest v4) promoted from staging v12.
fn serve_promoted(app: &mut App, reqs: Vec<Request>) {
    let mut queue = reqs;
    while let Some(req) = queue.pop() {
        let Some(mut resp) = answer(&req, &[]) else {
            continue;
        };
        match &mut resp.reply {
            Reply::EnvMatrix { env, result: Ok(s) } if env == "prod" => {
                for rt in s.runtimes.iter_mut().filter(|r| r.name == "weather_mcp") {
                    rt.lineage = Some(lineage());
                }
            }
            Reply::RuntimeDetail(Ok(view)) => {
                view.detail.runtime.lineage = Some(lineage());
                view.detail.versions[0].lineage = Some(lineage());
            }
            _ => {}
        }
        queue.extend(app.apply(resp, Millis(0)));
    }
}

#[test]
fn matrix_says_where_the_selected_version_came_from() {
    let mut app = app();
    let reqs = app.start(Millis(0));
    serve_promoted(&mut app, reqs);
    let reqs = press(
        &mut app,
        &[Action::Down, Action::Right, Action::Right],
        Millis(0),
    );
    assert!(reqs.is_empty());
    let text = screen(&app, 120, 24);
    assert!(
        text.contains("prod v4 = staging v12 (sha256 9f2c9f2c9f2c…)"),
        "{text}"
    );
    assert_snapshot!(text);
}

#[test]
fn runtime_pane_shows_the_lineage_of_the_latest_and_each_version() {
    let mut app = app();
    let reqs = app.start(Millis(0));
    serve_promoted(&mut app, reqs);
    let reqs = press(
        &mut app,
        &[Action::OpenRuntime {
            env: "prod".into(),
            runtime: "weather_mcp".into(),
        }],
        Millis(0),
    );
    serve_promoted(&mut app, reqs);
    let text = screen(&app, 120, 30);
    assert!(
        text.contains("prod v4 = staging v12 (sha256 9f2c9f2c9f2c…)"),
        "{text}"
    );
    assert!(text.contains("= staging v12 (sha256"), "{text}");
    assert_snapshot!(text);
}
