//! The audit log: every change made with this console (TUI or CLI), newest first, with the
//! equivalent command line of the selected one. Read through the backend's `AuditLog`.

use std::time::Duration;

use ratatui::buffer::Buffer;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Row, Table, Widget, Wrap};

use super::{Cx, Effect, Pane, clean, step};
use crate::domain::audit::AuditEntry;
use crate::tui::action::Action;
use crate::tui::io::{Job, Reply};
use crate::tui::keymap::Context;
use crate::tui::loadable::{Loadable, Requests, Slot};
use crate::tui::time::Millis;

/// The audit log is a local file: cheap to re-read.
pub const POLL: Duration = Duration::from_secs(5);

#[derive(Default)]
pub struct AuditPane {
    slot: Slot<Vec<AuditEntry>>,
    sel: usize,
    filter: String,
}

impl AuditPane {
    /// Matching entries, newest first.
    pub fn entries(&self) -> Vec<&AuditEntry> {
        let f = self.filter.to_lowercase();
        self.slot
            .value()
            .map(|all| {
                all.iter()
                    .rev()
                    .filter(|e| {
                        f.is_empty()
                            || [&e.env, &e.action, &e.target, &e.user, &e.result, &e.command]
                                .iter()
                                .any(|s| s.to_lowercase().contains(&f))
                    })
                    .collect()
            })
            .unwrap_or_default()
    }
}

impl Pane for AuditPane {
    fn context(&self) -> Context {
        Context::Audit
    }

    fn title(&self) -> String {
        "audit log".into()
    }

    fn env(&self) -> Option<&str> {
        None
    }

    fn slot(&self) -> Option<&dyn Requests> {
        Some(&self.slot)
    }

    fn slot_mut(&mut self) -> Option<&mut dyn Requests> {
        Some(&mut self.slot)
    }

    fn slot_job(&self) -> Option<(Job, Duration)> {
        Some((Job::Audit, POLL))
    }

    fn apply(&mut self, generation: u64, reply: Reply, now: Millis) -> bool {
        let Reply::Audit(result) = reply else {
            return false;
        };
        self.slot.accept(generation, result, now)
    }

    fn handle(&mut self, action: &Action, _now: Millis) -> Option<Effect> {
        let s = step(self.sel, self.entries().len(), action, 10)?;
        self.sel = s;
        Some(Effect::Done)
    }

    fn filter(&self) -> &str {
        &self.filter
    }

    fn set_filter(&mut self, filter: &str) {
        self.filter = filter.to_string();
        self.sel = 0;
    }

    fn render(&self, cx: &Cx<'_>, area: Rect, buf: &mut Buffer) {
        let t = cx.theme;
        match self.slot.state() {
            Loadable::Idle | Loadable::Loading => {
                return Line::styled(" Reading the audit log…", t.dim).render(area, buf);
            }
            Loadable::Failed(e) => {
                return Paragraph::new(Line::styled(format!(" ✗ {}", clean(e)), t.error))
                    .wrap(Wrap { trim: false })
                    .render(area, buf);
            }
            Loadable::Ready(_) => {}
        }
        let entries = self.entries();
        if entries.is_empty() {
            let msg = if self.filter.is_empty() {
                " No changes recorded yet: writes made with this console (TUI or CLI) appear here."
            } else {
                " No entry matches the filter (esc clears it)."
            };
            return Line::styled(msg, t.dim).render(area, buf);
        }
        let [list, detail] = area.layout(&Layout::vertical([
            Constraint::Fill(1),
            Constraint::Length(5),
        ]));
        let visible = usize::from(list.height.saturating_sub(1)).max(1);
        let first = self.sel.saturating_sub(visible - 1);
        let rows: Vec<Row> = entries
            .iter()
            .enumerate()
            .skip(first)
            .take(visible)
            .map(|(i, e)| {
                let ok = e.result == "ok";
                let row = Row::new(vec![
                    Line::raw(clean(&short_time(&e.time))),
                    Line::raw(clean(&e.user)),
                    Line::raw(clean(&e.env)),
                    Line::raw(clean(&e.action)),
                    Line::raw(clean(&e.target)),
                    Line::styled(clean(&e.result), if ok { t.ok } else { t.error }),
                ]);
                if i == self.sel {
                    row.style(t.selected)
                } else {
                    row
                }
            })
            .collect();
        let widths = [
            Constraint::Length(19),
            Constraint::Length(10),
            Constraint::Length(10),
            Constraint::Length(16),
            Constraint::Length(18),
            Constraint::Fill(1),
        ];
        Table::new(rows, widths)
            .header(Row::new(["TIME", "USER", "ENV", "ACTION", "TARGET", "RESULT"]).style(t.title))
            .column_spacing(1)
            .render(list, buf);
        if let Some(e) = entries.get(self.sel) {
            let lines = vec![
                Line::from(vec![
                    Span::styled("command  ", t.dim),
                    Span::raw(clean(&e.command)),
                ]),
                Line::from(vec![
                    Span::styled("before   ", t.dim),
                    Span::raw(clean(&e.before.to_string())),
                ]),
                Line::from(vec![
                    Span::styled("after    ", t.dim),
                    Span::raw(clean(&e.after.to_string())),
                ]),
                Line::from(vec![
                    Span::styled("identity ", t.dim),
                    Span::raw(e.identity.as_deref().map_or("-".into(), clean)),
                ]),
            ];
            Paragraph::new(lines)
                .block(
                    ratatui::widgets::Block::new()
                        .borders(ratatui::widgets::Borders::TOP)
                        .border_style(t.border),
                )
                .render(detail, buf);
        }
    }
}

/// `2026-11-25T09:04:11.706Z` → `2026-11-25 09:04:11` (UTC, to the second).
fn short_time(iso: &str) -> String {
    match (iso.get(..10), iso.get(11..19)) {
        (Some(d), Some(t)) => format!("{d} {t}"),
        _ => iso.to_string(),
    }
}
