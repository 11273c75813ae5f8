//! The status line: the latest message (errors stay, information fades) and a bounded history
//! that the `!` overlay lists. Errors never end the program; they come here.

use std::collections::VecDeque;

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Widget;

use crate::tui::theme::Theme;
use crate::tui::time::{Millis, ago};

/// Messages kept for the history overlay.
pub const HISTORY: usize = 100;
/// How long an information message stays on the status line.
const INFO_FOR_MS: u64 = 8_000;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Level {
    Info,
    Warn,
    Error,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Message {
    pub at: Millis,
    pub level: Level,
    pub text: String,
}

#[derive(Debug, Clone, Default)]
pub struct StatusLine {
    history: VecDeque<Message>,
}

impl StatusLine {
    /// Add a message; the same message as the latest only refreshes its time.
    pub fn push(&mut self, level: Level, text: impl AsRef<str>, now: Millis) {
        let text = crate::domain::sanitize::one_line(text.as_ref());
        if let Some(last) = self.history.back_mut()
            && last.level == level
            && last.text == text
        {
            last.at = now;
            return;
        }
        if self.history.len() == HISTORY {
            self.history.pop_front();
        }
        self.history.push_back(Message {
            at: now,
            level,
            text,
        });
    }

    pub fn latest(&self) -> Option<&Message> {
        self.history.back()
    }

    /// Newest first.
    pub fn history(&self) -> impl Iterator<Item = &Message> {
        self.history.iter().rev()
    }

    pub fn len(&self) -> usize {
        self.history.len()
    }

    pub fn is_empty(&self) -> bool {
        self.history.is_empty()
    }
}

/// The status line as drawn at `now`.
pub struct StatusView<'a> {
    pub status: &'a StatusLine,
    pub theme: &'a Theme,
    pub now: Millis,
}

impl Widget for StatusView<'_> {
    fn render(self, area: Rect, buf: &mut Buffer) {
        let t = self.theme;
        let mut spans = vec![];
        if let Some(m) = self.status.latest() {
            let age = self.now.since(m.at);
            let (mark, style) = match m.level {
                Level::Info => ("", t.text),
                Level::Warn => ("! ", t.warn),
                Level::Error => ("✗ ", t.error),
            };
            if m.level != Level::Info || age < INFO_FOR_MS {
                spans.push(Span::styled(format!(" {mark}{}", m.text), style));
                if m.level != Level::Info {
                    spans.push(Span::styled(format!(" · {}", ago(age)), t.dim));
                }
            }
        }
        let count = self.status.len();
        let right = if count > 0 {
            format!("{count} message{} (!) ", if count == 1 { "" } else { "s" })
        } else {
            String::new()
        };
        let room = usize::from(area.width).saturating_sub(right.chars().count() + 1);
        Line::from(spans).render(
            Rect {
                width: room as u16,
                ..area
            },
            buf,
        );
        if !right.is_empty() && usize::from(area.width) > right.chars().count() {
            let x = area.x + area.width - right.chars().count() as u16;
            buf.set_string(x, area.y, right, t.dim);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn history_is_bounded_and_text_is_cleaned() {
        let mut s = StatusLine::default();
        for i in 0..(HISTORY + 5) {
            s.push(Level::Info, format!("m{i}"), Millis(i as u64));
        }
        assert_eq!(s.len(), HISTORY);
        assert_eq!(s.history().last().map(|m| m.text.as_str()), Some("m5"));
        s.push(Level::Error, "bad\x1b[2Jthing\n", Millis(0));
        assert_eq!(
            s.latest().map(|m| m.text.as_str()),
            Some("bad\u{FFFD}[2Jthing⏎")
        );
    }
}
