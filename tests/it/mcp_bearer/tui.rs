//! The invoke pane on a JWT runtime: the tools and a call with the environment's
//! token_command's token (run by the io worker), and the pane's error when there is none.

use std::sync::Arc;

use agentcore_console::backend::Backend;
use agentcore_console::backend::audit::AuditLog;
use agentcore_console::tui::action::Action;
use agentcore_console::tui::app::App;
use agentcore_console::tui::io;
use agentcore_console::tui::keymap::Keymap;
use agentcore_console::tui::theme::Theme;
use agentcore_console::tui::time::Millis;

use super::*;
use crate::support::tui::{drive, keys, screen};

fn pane(w: &World, token_command: Option<&str>) -> (App, io::Io) {
    let envs = vec![w.env(token_command)];
    let audit = AuditLog::at(w.dir.path().join("audit.jsonl"));
    let io = io::spawn(Arc::new(Backend::new(envs.clone())), Ok(audit));
    let mut app = App::new(envs, Keymap::default(), Theme::mono(), vec![]);
    let _ = app.start(Millis(0));
    (app, io)
}

fn open(app: &mut App) -> Vec<io::Request> {
    keys(
        app,
        vec![Action::OpenInvoke {
            env: "prod".into(),
            runtime: "secure".into(),
        }],
    )
}

#[tokio::test(flavor = "multi_thread")]
async fn the_invoke_pane_calls_a_jwt_runtime_with_the_token_commands_token() {
    let w = world().await;
    let (cmd, runs_file) = w.minting_command("tui", "1h");
    let (mut app, mut io) = pane(&w, Some(&cmd));
    let reqs = open(&mut app);
    drive(&mut app, &mut io, reqs, |a| !a.top().busy()).await;
    let text = screen(&app);
    assert!(text.contains("endpoint DEFAULT"), "{text}");
    assert!(text.contains("▸version"), "{text}");

    let reqs = keys(&mut app, vec![Action::InvokeCall]);
    drive(&mut app, &mut io, reqs, |a| !a.top().busy()).await;
    let text = screen(&app);
    assert!(text.contains("✓ version"), "{text}");
    assert!(w.counts.bearer() >= 6, "tools and the call, over bearer");
    assert_eq!(runs(&runs_file), 1, "one token for both");
}

#[tokio::test(flavor = "multi_thread")]
async fn without_a_token_the_pane_says_what_to_do() {
    let w = world().await;
    let (mut app, mut io) = pane(&w, None);
    let reqs = open(&mut app);
    drive(&mut app, &mut io, reqs, |a| !a.top().busy()).await;
    let text = screen(&app)
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    assert!(text.contains("uses a JWT authorizer"), "{text}");
    assert!(text.contains("token_command"), "{text}");
    assert_eq!(w.counts.invocations(), 0);
}
