//! The terminal guard: raw mode and the alternate screen while the console runs, and the
//! terminal given back on every way out: drop (normal exit, errors) and a panic that takes the
//! process down (the hook restores it before color-eyre's report prints). A panic in a
//! background task is not that: tokio catches it, the io worker shows it in the status line,
//! and the hook only logs it (to console.log), leaving the screen as it is.

use std::io::{Stdout, stdout};
use std::sync::atomic::{AtomicBool, Ordering};

use crossterm::cursor;
use crossterm::event::{DisableMouseCapture, EnableMouseCapture};
use crossterm::execute;
use crossterm::terminal::{
    EnterAlternateScreen, LeaveAlternateScreen, disable_raw_mode, enable_raw_mode,
};
use ratatui::backend::CrosstermBackend;
use ratatui::layout::Rect;
use ratatui::{Terminal, TerminalOptions, Viewport};

pub type Term = Terminal<CrosstermBackend<Stdout>>;

/// Owns the terminal while the TUI is up.
pub struct TerminalGuard {
    pub terminal: Term,
}

impl TerminalGuard {
    /// `mouse`: capture the mouse (the wheel scrolls; the terminal's own selection then needs
    /// shift held, which is why it is off unless asked for).
    pub fn enter(mouse: bool) -> std::io::Result<Self> {
        SCREEN_UP.store(true, Ordering::SeqCst);
        enable_raw_mode()?;
        let setup = execute!(stdout(), EnterAlternateScreen, cursor::Hide).and_then(|()| {
            if mouse {
                execute!(stdout(), EnableMouseCapture)?;
            }
            Terminal::new(CrosstermBackend::new(stdout()))
        });
        match setup {
            Ok(terminal) => Ok(Self { terminal }),
            Err(e) => {
                restore();
                Err(e)
            }
        }
    }
}

impl Drop for TerminalGuard {
    fn drop(&mut self) {
        restore();
        // ratatui's own drop shows the cursor again and, if the terminal is gone (a hangup),
        // reports that with `eprintln!` — which panics when stderr is that terminal too. So
        // show it here, and when that fails leave ratatui nothing to do.
        if self.terminal.show_cursor().is_err()
            && let Ok(inert) = Terminal::with_options(
                CrosstermBackend::new(stdout()),
                TerminalOptions {
                    viewport: Viewport::Fixed(Rect::default()),
                },
            )
        {
            std::mem::forget(std::mem::replace(&mut self.terminal, inert));
        }
    }
}

/// Leave raw mode and the alternate screen; safe to call more than once.
pub fn restore() {
    SCREEN_UP.store(false, Ordering::SeqCst);
    let _ = disable_raw_mode();
    let _ = execute!(
        stdout(),
        DisableMouseCapture,
        LeaveAlternateScreen,
        cursor::Show
    );
}

/// Whether the console's screen is up (raw mode, alternate screen).
static SCREEN_UP: AtomicBool = AtomicBool::new(false);

/// What the panic hook does with a panic.
#[derive(Debug, PartialEq, Eq)]
enum OnPanic {
    /// The process goes on (a task or helper thread; tokio or the thread's owner sees it):
    /// log it and leave the screen alone.
    Log,
    /// The process goes down with the screen up: give the terminal back, then report.
    RestoreAndReport,
    /// No screen to give back: report.
    Report,
}

/// Only the main thread's panic takes the process down: the console's loop runs there
/// (`block_on`), while request tasks run on tokio's workers, which catch their panics.
fn on_panic(screen_up: bool, thread: Option<&str>) -> OnPanic {
    match (screen_up, thread == Some("main")) {
        (true, true) => OnPanic::RestoreAndReport,
        (true, false) => OnPanic::Log,
        (false, _) => OnPanic::Report,
    }
}

/// Install color-eyre's error and panic reports, with the rule above about the screen. Call
/// once, first thing in `main`.
pub fn install_hooks() {
    let (panic_hook, eyre_hook) = color_eyre::config::HookBuilder::blank()
        .display_env_section(false)
        .into_hooks();
    // Only fails when a hook is already installed, which then stays.
    let _ = eyre_hook.install();
    std::panic::set_hook(Box::new(move |info| {
        let thread = std::thread::current();
        match on_panic(SCREEN_UP.load(Ordering::SeqCst), thread.name()) {
            OnPanic::Log => {
                tracing::error!(thread = thread.name(), "panic: {info}");
            }
            OnPanic::RestoreAndReport => {
                restore();
                eprintln!("{}", panic_hook.panic_report(info));
            }
            OnPanic::Report => eprintln!("{}", panic_hook.panic_report(info)),
        }
    }));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_a_panic_that_ends_the_process_gives_the_terminal_back() {
        assert_eq!(on_panic(true, Some("main")), OnPanic::RestoreAndReport);
        assert_eq!(
            on_panic(true, Some("tokio-runtime-worker")),
            OnPanic::Log,
            "a request task's panic leaves the screen up"
        );
        assert_eq!(on_panic(true, None), OnPanic::Log);
        assert_eq!(on_panic(false, Some("main")), OnPanic::Report);
        assert_eq!(
            on_panic(false, Some("tokio-runtime-worker")),
            OnPanic::Report
        );
    }
}
