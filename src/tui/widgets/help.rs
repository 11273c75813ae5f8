//! The `?` overlay, generated from the keymap: the keys of the pane on top (and the global keys
//! it does not override), then how the prompts work.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{BorderType, Widget};

use super::{frame, popup};
use crate::tui::keymap::{Context, Keymap};
use crate::tui::theme::Theme;

pub struct HelpView<'a> {
    pub keymap: &'a Keymap,
    /// The pane context the help is about.
    pub context: Context,
    pub theme: &'a Theme,
}

impl HelpView<'_> {
    fn lines(&self) -> Vec<Line<'static>> {
        let t = self.theme;
        let row = |keys: String, desc: &str| {
            Line::from(vec![
                Span::styled(format!(" {keys:>14} "), t.key),
                Span::raw(format!(" {desc}")),
            ])
        };
        let mut lines = vec![Line::styled(
            format!(" {} keys", self.context.name()),
            t.title,
        )];
        for e in self.keymap.effective(self.context) {
            let keys: Vec<String> = e.keys.iter().map(ToString::to_string).collect();
            lines.push(row(keys.join(" "), &e.desc));
        }
        lines.push(Line::raw(""));
        lines.push(Line::styled(" prompts", t.title));
        for (ctx, what) in [
            (Context::Palette, "palette"),
            (Context::Filter, "filter"),
            (Context::Arm, "arm"),
            (Context::Confirm, "confirm"),
        ] {
            let parts: Vec<String> = self
                .keymap
                .table(ctx)
                .iter()
                .filter(|e| !e.keys.is_empty() && e.action.name() != Some("backspace"))
                .map(|e| {
                    let k = e.keys.first().map(ToString::to_string).unwrap_or_default();
                    format!("{k} {}", e.desc)
                })
                .collect();
            lines.push(row(what.to_string(), &parts.join(" · ")));
        }
        lines.push(Line::raw(""));
        lines.push(Line::styled(
            " Protected environments refuse writes until armed: type the name; it lasts 5 min.",
            t.dim,
        ));
        lines
    }
}

impl Widget for HelpView<'_> {
    fn render(self, area: Rect, buf: &mut Buffer) {
        let lines = self.lines();
        let width = area.width.saturating_sub(4).min(96);
        let box_area = popup(area, width, lines.len() as u16 + 2);
        let title = Line::from(Span::styled(" help · esc closes ", self.theme.title));
        let inner = frame(box_area, buf, title, self.theme.border, BorderType::Plain);
        for (i, line) in lines.into_iter().enumerate() {
            let y = inner.y + i as u16;
            if y >= inner.bottom() {
                break;
            }
            line.render(Rect::new(inner.x, y, inner.width, 1), buf);
        }
    }
}
