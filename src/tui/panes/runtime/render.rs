//! Drawing the runtime detail: a summary, the endpoints (selectable, with where a rollback
//! would go), its alarms, versions beside the recent changes, and the log groups.

use ratatui::buffer::Buffer;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Row, Table, Widget, Wrap};

use super::RuntimePane;
use crate::domain::audit::AuditEntry;
use crate::domain::version_config::side_by_side;
use crate::tui::alarms::{REASON_CHARS, reason, short_name};
use crate::tui::io::RuntimeView;
use crate::tui::loadable::Loadable;
use crate::tui::panes::{Cx, clean};
use crate::tui::theme::Theme;
use crate::tui::time::ago;

pub(super) fn render(pane: &RuntimePane, cx: &Cx<'_>, area: Rect, buf: &mut Buffer) {
    let t = cx.theme;
    let view = match pane.slot.state() {
        Loadable::Idle | Loadable::Loading => {
            Line::styled(
                format!(" Loading {} in {}…", clean(&pane.runtime), pane.env),
                t.dim,
            )
            .render(area, buf);
            return;
        }
        Loadable::Failed(e) => {
            Paragraph::new(vec![
                Line::styled(format!(" ✗ {}", clean(e)), t.error),
                Line::raw(""),
                Line::styled(" r retries now; esc goes back.", t.dim),
            ])
            .wrap(Wrap { trim: false })
            .render(area, buf);
            return;
        }
        Loadable::Ready(v) => v,
    };
    let summary = summary(pane, view, cx);
    let eps = pane.endpoints();
    let log_h = view.detail.log_groups.len().min(4) as u16;
    let alarm_lines = alarms(pane, cx);
    let [sum_area, ep_area, alarms_area, lists_area, logs_area] = area.layout(&Layout::vertical([
        Constraint::Length(summary.len() as u16),
        Constraint::Length(eps.len() as u16 + 2),
        Constraint::Length(alarm_lines.len() as u16 + 1),
        Constraint::Fill(1),
        Constraint::Length(if log_h > 0 { log_h + 1 } else { 0 }),
    ]));
    Paragraph::new(summary).render(sum_area, buf);
    endpoints(pane, t, ep_area, buf);
    Paragraph::new(alarm_lines).render(alarms_area, buf);
    let (versions_area, changes_area) = if area.width >= 100 {
        let [a, b] = lists_area.layout(&Layout::horizontal([
            Constraint::Percentage(50),
            Constraint::Percentage(50),
        ]));
        (a, b)
    } else {
        let [a, b] = lists_area.layout(&Layout::vertical([
            Constraint::Percentage(50),
            Constraint::Percentage(50),
        ]));
        (a, b)
    };
    if pane.settings {
        settings(view, t, lists_area, buf);
    } else {
        versions(pane, view, t, versions_area, buf);
        changes(pane, view, t, changes_area, buf);
    }
    let mut logs = vec![Line::styled(" LOG GROUPS (retention)", t.title)];
    let kept = |g: &str| {
        let r = view.detail.log_retention.iter().find(|r| r.log_group == g);
        match r.map(|r| (r.exists, r.retention_in_days)) {
            None | Some((false, _)) => "no group yet".to_string(),
            Some((true, None)) => "never expire".to_string(),
            Some((true, Some(d))) => format!("{d} days"),
        }
    };
    logs.extend(view.detail.log_groups.iter().map(|g| {
        Line::from(vec![
            Span::raw(format!(" {}", clean(g))),
            Span::styled(format!("  {}", kept(g)), t.dim),
        ])
    }));
    Paragraph::new(logs).render(logs_area, buf);
}

fn summary(pane: &RuntimePane, view: &RuntimeView, cx: &Cx<'_>) -> Vec<Line<'static>> {
    let t = cx.theme;
    let d = &view.detail;
    let rt = &d.runtime;
    let or_dash = |v: Option<&str>| v.map_or_else(|| "-".to_string(), clean);
    let mut head = vec![
        Span::styled(format!(" {} ", rt.status), t.status(&rt.status)),
        Span::raw(format!(" latest version {}", clean(&rt.latest_version))),
        Span::styled(" · protocol ", t.dim),
        Span::raw(or_dash(d.protocol.as_deref())),
    ];
    if let Some(lang) = &d.language_runtime {
        head.push(Span::styled(" · ", t.dim));
        head.push(Span::raw(format!(
            "{} {}",
            clean(lang),
            clean(&d.entry_point.join(" "))
        )));
    }
    if let Some(age) = pane
        .slot
        .age(cx.now)
        .filter(|_| pane.slot.is_stale(cx.now, super::POLL))
    {
        let style = if pane.slot.error().is_some() {
            t.error
        } else {
            t.warn
        };
        head.push(Span::styled(format!("  stale · {}", ago(age)), style));
    }
    let mut lines = vec![Line::from(head)];
    if let Some(l) = &rt.lineage {
        let text = crate::domain::lineage::line(&rt.env, &rt.latest_version, l);
        lines.push(Line::styled(format!(" {}", clean(&text)), t.title));
    }
    lines.extend([
        Line::from(vec![
            Span::styled(" id ", t.dim),
            Span::raw(clean(&rt.id)),
            Span::styled("  arn ", t.dim),
            Span::raw(clean(&rt.arn)),
        ]),
        Line::from(vec![
            Span::styled(" artifact ", t.dim),
            Span::raw(or_dash(d.artifact.as_deref())),
        ]),
        Line::from(vec![
            Span::styled(" role ", t.dim),
            Span::raw(or_dash(d.role_arn.as_deref())),
            Span::styled("  created ", t.dim),
            Span::raw(or_dash(d.created_at.as_deref())),
            Span::styled("  updated ", t.dim),
            Span::raw(or_dash(rt.last_updated_at.as_deref())),
        ]),
    ]);
    if let Some(why) = &d.failure_reason {
        lines.push(Line::styled(format!(" failure: {}", clean(why)), t.error));
    }
    if let Some(drift) = view.posture_drift.as_ref().filter(|d| !d.is_empty()) {
        let what: Vec<String> = drift
            .iter()
            .map(|x| format!("{} {} (configured {})", x.field, x.actual, x.configured))
            .collect();
        lines.push(Line::styled(
            clean(&format!(
                " ≠ posture off {}'s defaults: {}",
                pane.env,
                what.join("; ")
            )),
            t.warn,
        ));
    }
    if let Some(e) = pane.slot.error() {
        lines.push(Line::styled(
            format!(" ✗ refresh failed: {}", clean(e)),
            t.error,
        ));
    }
    lines.push(Line::raw(""));
    lines
}

fn endpoints(pane: &RuntimePane, t: &Theme, area: Rect, buf: &mut Buffer) {
    let header = Row::new([
        "  ENDPOINT",
        "LIVE",
        "TARGET",
        "STATUS",
        "ROLLBACK TO",
        "UPDATED",
    ])
    .style(t.title);
    let rows: Vec<Row> = pane
        .endpoints()
        .into_iter()
        .enumerate()
        .map(|(i, e)| {
            let selected = i == pane.selected();
            let back = match pane.rollback_to(e) {
                Ok(v) => Span::raw(format!("↶ {v}")),
                Err(_) => Span::styled("-", t.dim),
            };
            let row = Row::new(vec![
                Line::raw(format!(
                    "{}{}",
                    if selected { "▸ " } else { "  " },
                    clean(&e.name)
                )),
                Line::raw(e.live_version.as_deref().map_or("-".into(), clean)),
                Line::raw(e.target_version.as_deref().map_or("-".into(), clean)),
                Line::styled(e.status.to_string(), t.status(&e.status)),
                Line::from(back),
                Line::styled(
                    e.last_updated_at.as_deref().map_or("-".into(), clean),
                    t.dim,
                ),
            ]);
            if selected { row.style(t.selected) } else { row }
        })
        .collect();
    let widths = [
        Constraint::Length(18),
        Constraint::Length(6),
        Constraint::Length(7),
        Constraint::Length(14),
        Constraint::Length(12),
        Constraint::Fill(1),
    ];
    Table::new(rows, widths)
        .header(header)
        .column_spacing(1)
        .render(
            Rect {
                height: area.height.saturating_sub(1),
                ..area
            },
            buf,
        );
}

/// At most this many alarms are listed here (the alarms pane has them all).
const MAX_ALARMS: usize = 6;

/// ` ALARMS`, then one line per alarm: state, name, since when, reason.
fn alarms(pane: &RuntimePane, cx: &Cx<'_>) -> Vec<Line<'static>> {
    let t = cx.theme;
    let book = &pane.alarms;
    let slot = book.slot(&pane.env);
    let mut lines = vec![Line::styled(" ALARMS", t.title)];
    let list = book.for_runtime(&pane.env, &pane.runtime);
    match slot.map(|s| (s.value().is_some(), s.error())) {
        None | Some((false, None)) => lines.push(Line::styled(" listing…", t.dim)),
        Some((false, Some(e))) => {
            lines.push(Line::styled(format!(" ✗ {}", clean(e)), t.error));
        }
        Some((true, error)) => {
            if let Some(e) = error {
                lines.push(Line::styled(
                    format!(" ✗ refresh failed, showing the last list: {}", clean(e)),
                    t.error,
                ));
            }
            if list.is_empty() {
                lines.push(Line::styled(
                    " none: `alarms apply` creates the standard ones",
                    t.dim,
                ));
            }
        }
    }
    for a in list.iter().take(MAX_ALARMS) {
        let since = book.since_ms(a, cx.now).map_or_else(|| "-".into(), ago);
        lines.push(Line::from(vec![
            Span::styled(format!(" {:<17}", a.state.as_str()), t.alarm(a.state)),
            Span::raw(format!(" {:<22}", short_name(a))),
            Span::styled(format!(" {since:<8}"), t.dim),
            Span::raw(format!(" {}", reason(&a.reason, REASON_CHARS))),
        ]));
    }
    if list.len() > MAX_ALARMS {
        lines.push(Line::styled(
            format!(" … {} more (: alarms)", list.len() - MAX_ALARMS),
            t.dim,
        ));
    }
    lines
}

/// Every setting, one column per served version (the latest first).
fn settings(view: &RuntimeView, t: &Theme, area: Rect, buf: &mut Buffer) {
    let d = &view.detail;
    let mut versions = vec![&d.latest];
    versions.extend(d.served.iter());
    let mut table = side_by_side(&versions, &d.latest.version).into_iter();
    let header = table.next().unwrap_or_default();
    let n = header.len().saturating_sub(1).max(1) as u32;
    let mut widths = vec![Constraint::Length(22)];
    widths.extend((0..n).map(|_| Constraint::Ratio(1, n)));
    let title = Rect { height: 1, ..area };
    Line::styled(" SETTINGS (s: versions and changes)", t.title).render(title, buf);
    let rows: Vec<Row> = table
        .map(|r| {
            let differs = r.iter().skip(2).any(|c| Some(c) != r.get(1));
            let row = Row::new(
                r.into_iter()
                    .map(|c| format!(" {}", clean(&c)))
                    .collect::<Vec<_>>(),
            );
            if differs { row.style(t.warn) } else { row }
        })
        .collect();
    Table::new(rows, widths)
        .header(
            Row::new(
                header
                    .into_iter()
                    .map(|h| format!(" {}", clean(&h)))
                    .collect::<Vec<_>>(),
            )
            .style(t.title),
        )
        .column_spacing(1)
        .render(
            Rect {
                y: area.y + 1,
                height: area.height.saturating_sub(1),
                ..area
            },
            buf,
        );
}

fn versions(pane: &RuntimePane, view: &RuntimeView, t: &Theme, area: Rect, buf: &mut Buffer) {
    let f = pane.filter.to_lowercase();
    let mut lines = vec![Line::styled(" VERSIONS", t.title)];
    let status_w = view
        .detail
        .versions
        .iter()
        .map(|v| v.status.as_str().len())
        .max()
        .unwrap_or(0);
    for v in &view.detail.versions {
        let served: Vec<&str> = view
            .detail
            .runtime
            .endpoints
            .iter()
            .filter(|e| e.live_version.as_deref() == Some(v.version.as_str()))
            .map(|e| e.name.as_str())
            .collect();
        let text = format!(
            " {:>3} {:<status_w$} {} {}",
            clean(&v.version),
            v.status.as_str(),
            short_time(v.last_updated_at.as_deref().unwrap_or("-")),
            v.lineage.as_ref().map_or_else(
                || v.description.as_deref().map(clean).unwrap_or_default(),
                |l| format!("= {}", l.short())
            )
        );
        if !f.is_empty() && !text.to_lowercase().contains(&f) {
            continue;
        }
        let mut spans = vec![Span::styled(text, t.status(&v.status))];
        if !served.is_empty() {
            spans.push(Span::styled(format!(" ← {}", served.join(", ")), t.title));
        }
        lines.push(Line::from(spans));
    }
    Paragraph::new(lines).render(area, buf);
}

fn changes(pane: &RuntimePane, view: &RuntimeView, t: &Theme, area: Rect, buf: &mut Buffer) {
    let f = pane.filter.to_lowercase();
    let mut lines = vec![Line::styled(" RECENT CHANGES (audit log)", t.title)];
    match &view.history {
        Err(e) => lines.push(Line::styled(format!(" ✗ {}", clean(e)), t.error)),
        Ok(h) if h.is_empty() => {
            lines.push(Line::styled(" none made with this console", t.dim));
        }
        Ok(h) => {
            for e in h.iter().rev() {
                let text = change_text(e);
                if f.is_empty() || text.to_lowercase().contains(&f) {
                    let style = if e.result == "ok" { t.text } else { t.error };
                    lines.push(Line::styled(text, style));
                }
            }
        }
    }
    Paragraph::new(lines).render(area, buf);
}

/// ` 11-24 10:02 rollback live 4→3 ok (alice)`
pub fn change_text(e: &AuditEntry) -> String {
    let v = |j: &serde_json::Value| j["version"].as_str().map(str::to_string);
    let moved = match (v(&e.before), v(&e.after)) {
        (Some(a), Some(b)) => format!(" {a}→{b}"),
        (None, Some(b)) => format!(" →{b}"),
        _ => String::new(),
    };
    let endpoint = e.after["endpoint"]
        .as_str()
        .map(|s| format!(" {s}"))
        .unwrap_or_default();
    let result = if e.result == "ok" {
        "ok"
    } else {
        e.result.as_str()
    };
    clean(&format!(
        " {} {}{endpoint}{moved} {result} ({})",
        short_time(&e.time),
        e.action,
        e.user
    ))
}

/// `2026-11-24T10:02:03Z` → `11-24 10:02`.
fn short_time(iso: &str) -> String {
    match (iso.get(5..10), iso.get(11..16)) {
        (Some(d), Some(t)) => format!("{d} {t}"),
        _ => iso.to_string(),
    }
}
