//! A one-line text input (palette, filter, arm prompt) and the line that shows it.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::Widget;

use crate::tui::action::Action;

/// Longest input kept (a name, a filter, a palette query).
const MAX: usize = 200;

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TextInput {
    pub text: String,
}

impl TextInput {
    pub fn with(text: &str) -> Self {
        Self {
            text: text.to_string(),
        }
    }

    /// Apply an editing action; false if it is not one.
    pub fn edit(&mut self, action: &Action) -> bool {
        match action {
            Action::Char(c) if !c.is_control() => {
                if self.text.chars().count() < MAX {
                    self.text.push(*c);
                }
            }
            Action::Backspace => {
                self.text.pop();
            }
            Action::ClearInput => self.text.clear(),
            _ => return false,
        }
        true
    }
}

/// `prompt text▏  hint`, on one line.
pub struct InputLine<'a> {
    pub prompt: &'a str,
    pub input: &'a TextInput,
    pub hint: &'a str,
    pub style: Style,
    pub hint_style: Style,
}

impl Widget for InputLine<'_> {
    fn render(self, area: Rect, buf: &mut Buffer) {
        Line::from(vec![
            Span::styled(self.prompt.to_string(), self.style),
            Span::raw(crate::domain::sanitize::one_line(&self.input.text)),
            Span::styled("▏", self.style),
            Span::styled(format!("  {}", self.hint), self.hint_style),
        ])
        .render(area, buf);
    }
}
