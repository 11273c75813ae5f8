//! Terminal input as a stream of [`Event`]s: a task reads crossterm's `EventStream` and sends
//! key presses (not repeats or releases), wheel turns (when the mouse is on) and resizes on a
//! bounded channel, so a flood of keys waits in the terminal instead of piling up in memory.

use crossterm::event::{Event as TermEvent, EventStream, KeyEvent, KeyEventKind, MouseEventKind};
use futures::StreamExt;
use tokio::sync::mpsc;

/// Events that may wait for the loop.
const CHANNEL: usize = 64;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Event {
    Key(KeyEvent),
    /// The mouse wheel turned (up: towards the top).
    Scroll {
        up: bool,
    },
    Resize,
    /// Reading the terminal failed; the loop ends (and restores the terminal).
    Failed(String),
}

/// Start reading the terminal.
pub fn spawn() -> (mpsc::Receiver<Event>, tokio::task::JoinHandle<()>) {
    let (tx, rx) = mpsc::channel(CHANNEL);
    let task = tokio::spawn(async move {
        let mut stream = EventStream::new();
        while let Some(next) = stream.next().await {
            let event = match next {
                Ok(TermEvent::Key(k)) if k.kind == KeyEventKind::Press => Event::Key(k),
                Ok(TermEvent::Resize(..)) => Event::Resize,
                Ok(TermEvent::Mouse(m)) => match m.kind {
                    MouseEventKind::ScrollUp => Event::Scroll { up: true },
                    MouseEventKind::ScrollDown => Event::Scroll { up: false },
                    _ => continue,
                },
                Ok(_) => continue,
                Err(e) => Event::Failed(e.to_string()),
            };
            let failed = matches!(event, Event::Failed(_));
            if tx.send(event).await.is_err() || failed {
                break;
            }
        }
    });
    (rx, task)
}
