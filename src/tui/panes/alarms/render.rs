//! Drawing the alarms pane: the list (state coloured, names shortened, reasons on one line),
//! each environment's listing error under it, and the open alarm's history below.

use ratatui::buffer::Buffer;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::Line;
use ratatui::widgets::{Block, Borders, Paragraph, Row, Table, Widget, Wrap};

use super::AlarmsPane;
use crate::domain::alarms::AlarmInfo;
use crate::tui::alarms::{AlarmBook, REASON_CHARS, reason};
use crate::tui::panes::{Cx, clean};
use crate::tui::theme::Theme;
use crate::tui::time::ago;

pub(super) fn render(
    pane: &AlarmsPane,
    book: &AlarmBook,
    cx: &Cx<'_>,
    area: Rect,
    buf: &mut Buffer,
) {
    let t = cx.theme;
    let errors: Vec<Line> = book
        .envs()
        .filter_map(|(env, s)| {
            let e = s.error()?;
            let stale = if s.value().is_some() {
                " (showing the last list)"
            } else {
                ""
            };
            Some(Line::styled(
                format!(" ✗ {env}: alarms: {}{stale}", clean(e)),
                t.error,
            ))
        })
        .collect();
    let err_h = errors.len().min(4) as u16;
    let hist_h = if pane.open.is_some() {
        area.height * 9 / 20
    } else {
        0
    };
    let [list, err_area, hist_area] = area.layout(&Layout::vertical([
        Constraint::Fill(1),
        Constraint::Length(err_h),
        Constraint::Length(hist_h),
    ]));
    Paragraph::new(errors).render(err_area, buf);
    let names: Vec<&str> = book.envs().map(|(e, _)| e).collect();
    let rows = pane.rows();
    if rows.is_empty() {
        let listed = book.envs().any(|(_, s)| s.value().is_some());
        let msg = if !listed && book.envs().any(|(_, s)| s.error().is_none()) {
            format!(" Listing the alarms of {}…", names.join(", "))
        } else if !listed {
            " No environment could list its alarms: the errors are below.".into()
        } else if !pane.filter.is_empty() {
            " No alarm matches the filter (esc clears it).".into()
        } else {
            format!(
                " No alarm concerns a runtime in {}: `alarms apply` creates the standard ones.",
                names.join(", ")
            )
        };
        Paragraph::new(Line::styled(msg, t.dim))
            .wrap(Wrap { trim: false })
            .render(list, buf);
    } else {
        table(pane, book, &rows, cx, list, buf);
    }
    if pane.open.is_some() {
        history(pane, t, hist_area, buf);
    }
}

fn table(
    pane: &AlarmsPane,
    book: &AlarmBook,
    rows: &[&AlarmInfo],
    cx: &Cx<'_>,
    area: Rect,
    buf: &mut Buffer,
) {
    let t = cx.theme;
    let visible = usize::from(area.height.saturating_sub(1)).max(1);
    let first = pane.sel.saturating_sub(visible - 1);
    let body: Vec<Row> = rows
        .iter()
        .enumerate()
        .skip(first)
        .take(visible)
        .map(|(i, a)| {
            let what = a
                .kind
                .map_or_else(|| clean(&a.name), |k| k.slug().to_string());
            let since = book.since_ms(a, cx.now).map_or_else(|| "-".into(), ago);
            let row = Row::new(vec![
                Line::raw(format!(
                    "{}{}",
                    if i == pane.sel { "▸ " } else { "  " },
                    clean(&a.env)
                )),
                Line::raw(clean(&a.runtime)),
                Line::raw(a.endpoint.as_deref().map_or_else(|| "-".into(), clean)),
                Line::raw(what),
                Line::styled(a.state.as_str(), t.alarm(a.state)),
                Line::styled(since, t.dim),
                Line::raw(reason(&a.reason, REASON_CHARS)),
            ]);
            if i == pane.sel {
                row.style(t.selected)
            } else {
                row
            }
        })
        .collect();
    let widths = [
        Constraint::Length(10),
        Constraint::Length(16),
        Constraint::Length(10),
        Constraint::Length(18),
        Constraint::Length(17),
        Constraint::Length(8),
        Constraint::Fill(1),
    ];
    Table::new(body, widths)
        .header(
            Row::new([
                "  ENV", "RUNTIME", "ENDPOINT", "ALARM", "STATE", "SINCE", "REASON",
            ])
            .style(t.title),
        )
        .column_spacing(1)
        .render(area, buf);
}

fn history(pane: &AlarmsPane, t: &Theme, area: Rect, buf: &mut Buffer) {
    let Some((env, name)) = pane.open() else {
        return;
    };
    let block = Block::new()
        .borders(Borders::TOP)
        .border_style(t.border)
        .title(Line::styled(
            format!(" HISTORY {} in {env} (esc closes) ", clean(name)),
            t.title,
        ));
    let inner = block.inner(area);
    block.render(area, buf);
    let Some(h) = pane.history() else {
        let line = match pane.history.error().filter(|_| !pane.history.in_flight()) {
            Some(e) => Line::styled(format!(" ✗ {}", clean(e)), t.error),
            None => Line::styled(" Reading its history…", t.dim),
        };
        return Paragraph::new(line)
            .wrap(Wrap { trim: false })
            .render(inner, buf);
    };
    if h.items.is_empty() {
        return Line::styled(" No history recorded for this alarm.", t.dim).render(inner, buf);
    }
    let rows: Vec<Row> = h
        .items
        .iter()
        .map(|i| {
            let style = match i.new_state {
                Some(s) => t.alarm(s),
                None => t.text,
            };
            Row::new(vec![
                Line::raw(format!(" {}", clean(&short_time(&i.timestamp)))),
                Line::styled(clean(&i.kind), style),
                Line::raw(reason(&i.summary, REASON_CHARS)),
            ])
        })
        .collect();
    Table::new(
        rows,
        [
            Constraint::Length(20),
            Constraint::Length(19),
            Constraint::Fill(1),
        ],
    )
    .column_spacing(1)
    .render(inner, buf);
}

/// `2026-11-25T09:04:11.706Z` → `2026-11-25 09:04:11` (UTC, to the second).
fn short_time(iso: &str) -> String {
    match (iso.get(..10), iso.get(11..19)) {
        (Some(d), Some(t)) => format!("{d} {t}"),
        _ => iso.to_string(),
    }
}
