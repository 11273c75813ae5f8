//! The posture mark: the matrix marks a runtime off its environment's configured posture
//! (and says so in the legend), and the runtime pane says which settings differ.

use insta::assert_snapshot;

use super::action::Action;
use super::fixtures::*;
use super::io::{Job, Reply, Response};
use super::time::Millis;
use crate::domain::version_config::PostureDrift;

fn drift() -> Vec<PostureDrift> {
    vec![
        PostureDrift {
            field: "network",
            configured: "VPC".into(),
            actual: "PUBLIC".into(),
        },
        PostureDrift {
            field: "log_retention_days",
            configured: "90".into(),
            actual: "7".into(),
        },
    ]
}

#[test]
fn matrix_marks_a_runtime_off_its_environments_posture() {
    let mut app = app();
    let mut queue = app.start(Millis(0));
    while let Some(req) = queue.pop() {
        let Some(mut resp) = answer(&req, &[]) else {
            continue;
        };
        if let Reply::EnvMatrix { env, result: Ok(s) } = &mut resp.reply
            && env == "prod"
        {
            s.drift = Ok([("weather_mcp-AbC123xyz".to_string(), drift())].into());
        }
        queue.extend(app.apply(resp, Millis(0)));
    }
    let s = screen(&app, 120, 24);
    let marked: Vec<&str> = s.lines().filter(|l| l.contains('≠')).collect();
    // One cell (prod's weather_mcp) and the legend.
    assert_eq!(marked.len(), 2, "{s}");
    assert!(s.contains("≠ posture off env defaults (enter: why)"), "{s}");
    assert_snapshot!(s);
}

#[test]
fn runtime_pane_says_which_settings_differ() {
    let mut app = loaded(&[]);
    let reqs = press(
        &mut app,
        &[Action::OpenRuntime {
            env: "prod".into(),
            runtime: "weather_mcp".into(),
        }],
        Millis(0),
    );
    for req in reqs {
        let Some(mut resp) = answer(&req, &[]) else {
            continue;
        };
        if let (Job::RuntimeDetail { .. }, Reply::RuntimeDetail(Ok(v))) =
            (&req.job, &mut resp.reply)
        {
            v.posture_drift = Some(drift());
        }
        app.apply(
            Response {
                ticket: req.ticket,
                reply: resp.reply,
            },
            Millis(0),
        );
    }
    let s = screen(&app, 120, 30);
    assert!(
        s.contains("≠ posture off prod's defaults: network PUBLIC (configured VPC); log_retention_days 7 (configured 90)"),
        "{s}"
    );
    assert_snapshot!(s);
}
