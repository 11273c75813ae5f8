//! The `!` overlay: recent messages, newest first, with their age.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{BorderType, Widget};

use super::status_line::{Level, StatusLine};
use super::{frame, popup};
use crate::tui::theme::Theme;
use crate::tui::time::{Millis, ago};

pub struct MessagesView<'a> {
    pub status: &'a StatusLine,
    pub theme: &'a Theme,
    pub now: Millis,
}

impl Widget for MessagesView<'_> {
    fn render(self, area: Rect, buf: &mut Buffer) {
        let t = self.theme;
        let width = area.width.saturating_sub(4).min(110);
        let height = area
            .height
            .saturating_sub(4)
            .min(self.status.len() as u16 + 2)
            .max(3);
        let box_area = popup(area, width, height);
        let title = Line::from(Span::styled(" messages · esc closes ", t.title));
        let inner = frame(box_area, buf, title, t.border, BorderType::Plain);
        if self.status.is_empty() {
            buf.set_string(inner.x + 1, inner.y, "no messages", t.dim);
        }
        for (i, m) in self.status.history().enumerate() {
            let y = inner.y + i as u16;
            if y >= inner.bottom() {
                break;
            }
            let (mark, style) = match m.level {
                Level::Info => ("·", t.text),
                Level::Warn => ("!", t.warn),
                Level::Error => ("✗", t.error),
            };
            Line::from(vec![
                Span::styled(format!(" {:>8} ", ago(self.now.since(m.at))), t.dim),
                Span::styled(format!("{mark} {}", m.text), style),
            ])
            .render(Rect::new(inner.x, y, inner.width, 1), buf);
        }
    }
}
