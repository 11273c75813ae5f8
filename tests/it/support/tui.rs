//! Driving the TUI's App through its real io worker without a terminal, for the TUI's
//! integration tests.
#![allow(dead_code)]

use std::time::Duration;

use agentcore_console::tui::action::Action;
use agentcore_console::tui::app::App;
use agentcore_console::tui::io::{Io, Request};
use agentcore_console::tui::time::Millis;
use ratatui::Terminal;
use ratatui::backend::TestBackend;

/// Send `reqs`, then apply responses (and send what they ask for) until `done` holds.
pub async fn drive(app: &mut App, io: &mut Io, reqs: Vec<Request>, done: impl Fn(&App) -> bool) {
    for r in reqs {
        io.requests.send(r).await.expect("worker alive");
    }
    while !done(app) {
        let resp = tokio::time::timeout(Duration::from_secs(60), io.responses.recv())
            .await
            .expect("a response within a minute")
            .expect("worker alive");
        for r in app.apply(resp, Millis(0)) {
            io.requests.send(r).await.expect("worker alive");
        }
    }
}

/// The whole screen as text, 120×30.
pub fn screen(app: &App) -> String {
    let mut t = Terminal::new(TestBackend::new(120, 30)).expect("terminal");
    t.draw(|f| f.render_widget(app, f.area())).expect("draw");
    t.backend().to_string()
}

/// The requests a sequence of key actions makes.
pub fn keys(app: &mut App, actions: Vec<Action>) -> Vec<Request> {
    actions
        .into_iter()
        .flat_map(|a| app.update(a, Millis(0)))
        .collect()
}
