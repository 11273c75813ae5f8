//! The confirmation of a write: what it changes, the exact API calls, and the equivalent
//! command line that the audit log will record. Nothing is sent until it is confirmed.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Widget, Wrap};

use super::{frame, popup};
use crate::tui::theme::Theme;
use crate::tui::time::countdown;
use crate::tui::write::WriteOp;

#[derive(Debug, Clone, PartialEq)]
pub struct ConfirmPrompt {
    pub op: WriteOp,
    /// The equivalent CLI line (what the audit log records).
    pub command: String,
    pub protected: bool,
}

pub struct ConfirmView<'a> {
    pub prompt: &'a ConfirmPrompt,
    pub theme: &'a Theme,
    /// Time left on the environment's arming, when armed.
    pub armed_left: Option<u64>,
}

impl Widget for ConfirmView<'_> {
    fn render(self, area: Rect, buf: &mut Buffer) {
        let t = self.theme;
        let p = self.prompt;
        let mut lines = vec![
            Line::styled(p.op.title(), t.title),
            Line::raw(""),
            Line::raw(format!("In `{}` this will call:", p.op.env())),
        ];
        for call in p.op.calls() {
            if !call.write {
                lines.push(Line::from(vec![
                    Span::raw("    "),
                    Span::styled(call.text, t.dim),
                ]));
                continue;
            }
            lines.push(Line::from(vec![
                Span::styled("  ▶ ", t.warn),
                Span::styled(call.text, t.warn),
            ]));
            let name_w = call
                .params
                .iter()
                .map(|(n, _, _)| n.len())
                .max()
                .unwrap_or(0);
            for (name, value, now) in call.params {
                let mut spans = vec![
                    Span::styled(format!("      {name:<name_w$}  "), t.dim),
                    Span::styled(value, t.warn),
                ];
                if let Some(now) = now {
                    spans.push(Span::styled(format!("  (now {now})"), t.dim));
                }
                lines.push(Line::from(spans));
            }
        }
        lines.push(Line::raw(""));
        lines.push(Line::styled("Same as:", t.dim));
        lines.push(Line::raw(format!("  {}", p.command)));
        lines.push(Line::raw(""));
        if let Some(left) = self.armed_left {
            lines.push(Line::styled(
                format!(
                    "{} is armed ({} left). The change is audited.",
                    p.op.env(),
                    countdown(left)
                ),
                t.protected,
            ));
        } else {
            lines.push(Line::styled("The change is audited.", t.dim));
        }
        lines.push(Line::from(vec![
            Span::styled("y", t.key),
            Span::raw("/"),
            Span::styled("enter", t.key),
            Span::raw(" make the change   "),
            Span::styled("n", t.key),
            Span::raw("/"),
            Span::styled("esc", t.key),
            Span::raw(" cancel"),
        ]));
        let width = area.width.saturating_sub(4).min(110);
        let inner_w = usize::from(width.saturating_sub(2)).max(1);
        let height: usize = lines
            .iter()
            .map(|l| l.width().div_ceil(inner_w).max(1))
            .sum();
        let box_area = popup(area, width, height as u16 + 2);
        let title = Line::from(Span::styled(format!(" confirm {} ", p.op.verb()), t.title));
        let (style, border) = t.frame(p.protected, self.armed_left.is_some());
        let inner = frame(box_area, buf, title, style, border);
        Paragraph::new(lines)
            .wrap(Wrap { trim: false })
            .render(inner, buf);
    }
}
