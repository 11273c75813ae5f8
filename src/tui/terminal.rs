//! The terminal guard: raw mode and the alternate screen while the console runs, and the
//! terminal given back on every way out: drop (normal exit, errors) and panic (a hook,
//! installed before the terminal is touched, restores it before the panic message prints).

use std::io::{Stdout, stdout};
use std::sync::Once;

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
        install_panic_hook();
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
    let _ = disable_raw_mode();
    let _ = execute!(
        stdout(),
        DisableMouseCapture,
        LeaveAlternateScreen,
        cursor::Show
    );
}

fn install_panic_hook() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            restore();
            previous(info);
        }));
    });
}
