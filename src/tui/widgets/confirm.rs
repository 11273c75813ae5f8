//! The confirmation of a write: what it changes, the exact API calls, and the equivalent
//! command line that the audit log will record. Nothing is sent until it is confirmed.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Widget};
use unicode_width::UnicodeWidthChar;

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
    /// The first line of the calls shown, when they do not fit (j/k, pgdn/pgup).
    pub scroll: u16,
}

impl ConfirmPrompt {
    pub fn new(op: WriteOp, command: String, protected: bool) -> Self {
        Self {
            op,
            command,
            protected,
            scroll: 0,
        }
    }

    /// Move the view `by` lines (negative: back), no further than the last line.
    pub fn scroll_by(&mut self, by: i32) {
        let last = i32::try_from(self.op.calls().len() * 3 + 8).unwrap_or(i32::MAX);
        let to = (i32::from(self.scroll) + by).clamp(0, last);
        self.scroll = u16::try_from(to).unwrap_or(0);
    }
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
        // The verdict and the keys stay in view however far the calls scroll.
        let mut foot = vec![Line::raw("")];
        if let Some(left) = self.armed_left {
            foot.push(Line::styled(
                format!(
                    "{} is armed ({} left). The change is audited.",
                    p.op.env(),
                    countdown(left)
                ),
                t.protected,
            ));
        } else {
            foot.push(Line::styled("The change is audited.", t.dim));
        }
        foot.push(Line::from(vec![
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
        // Wrapped here, not by the paragraph: the rows are then known, so scrolling can reach
        // the last one (the command line) exactly.
        let lines = hard_wrap(lines, inner_w);
        let foot = hard_wrap(foot, inner_w);
        let count = |ls: &[Line<'_>]| u16::try_from(ls.len()).unwrap_or(u16::MAX);
        let (body_h, mut foot_h) = (count(&lines), count(&foot));
        let room = area.height.saturating_sub(2);
        let scrolls = body_h.saturating_add(foot_h) > room;
        let mut offset = 0;
        let mut foot = foot;
        if scrolls {
            let shown = room.saturating_sub(foot_h + 1).max(1);
            offset = p.scroll.min(body_h.saturating_sub(shown));
            let last = (offset + shown).min(body_h);
            foot.insert(
                0,
                Line::styled(
                    format!(
                        "lines {}–{last} of {body_h} · j/k pgdn/pgup scroll",
                        offset + 1
                    ),
                    t.dim,
                ),
            );
            foot_h += 1;
        }
        let box_area = popup(area, width, body_h.saturating_add(foot_h).saturating_add(2));
        let title = Line::from(Span::styled(format!(" confirm {} ", p.op.verb()), t.title));
        let (style, border) = t.frame(p.protected, self.armed_left.is_some());
        let inner = frame(box_area, buf, title, style, border);
        let foot_h = foot_h.min(inner.height);
        let body = Rect {
            height: inner.height - foot_h,
            ..inner
        };
        let foot_area = Rect {
            y: body.bottom(),
            height: foot_h,
            ..inner
        };
        Paragraph::new(lines).scroll((offset, 0)).render(body, buf);
        Paragraph::new(foot).render(foot_area, buf);
    }
}

/// Lines no wider than `width`: a longer one continues on indented rows, cut after a space
/// where there is one (a long path or ARN is cut where it must), styles kept.
fn hard_wrap(lines: Vec<Line<'static>>, width: usize) -> Vec<Line<'static>> {
    const INDENT: usize = 6;
    let mut out = Vec::new();
    for line in lines {
        if line.width() <= width || width <= INDENT + 1 {
            out.push(line);
            continue;
        }
        let cells: Vec<(char, ratatui::style::Style)> = line
            .spans
            .iter()
            .flat_map(|s| s.content.chars().map(move |c| (c, s.style)))
            .collect();
        let mut start = 0;
        let mut first = true;
        while start < cells.len() {
            let room = if first { width } else { width - INDENT };
            let (mut end, mut used) = (start, 0);
            while end < cells.len() {
                let w = cells[end].0.width().unwrap_or(0);
                if used + w > room {
                    break;
                }
                used += w;
                end += 1;
            }
            if end < cells.len()
                && let Some(space) = cells[start..end].iter().rposition(|(c, _)| *c == ' ')
                && space > 0
            {
                end = start + space + 1;
            }
            let end = end.max(start + 1);
            let mut row: Vec<Span<'static>> = vec![];
            if !first {
                row.push(Span::raw(" ".repeat(INDENT)));
            }
            // The indent is its own span; text joins the previous span of the same style.
            let fixed = row.len();
            for (c, style) in &cells[start..end] {
                let joinable = row.len() > fixed;
                match row.last_mut() {
                    Some(last) if joinable && last.style == *style => {
                        last.content.to_mut().push(*c);
                    }
                    _ => row.push(Span::styled(c.to_string(), *style)),
                }
            }
            out.push(Line::from(row));
            start = end;
            first = false;
        }
    }
    out
}
