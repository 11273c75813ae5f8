//! Drawing the matrix: a header per environment (protection, arming, freshness), two lines per
//! cell, a legend, and the environments' errors underneath.

use ratatui::buffer::Buffer;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span, Text};
use ratatui::widgets::{Cell as TableCell, Paragraph, Row, Table, Widget, Wrap};

use super::MatrixPane;
use super::cells::{Cell, CellView, cell};
use crate::domain::alarms::AlarmState;
use crate::tui::loadable::Loadable;
use crate::tui::panes::{Cx, clean};
use crate::tui::theme::Theme;
use crate::tui::time::{ago, countdown};
use crate::tui::widgets::sparkline::spark;

pub(super) fn render(pane: &MatrixPane, cx: &Cx<'_>, area: Rect, buf: &mut Buffer) {
    let t = cx.theme;
    let errors = error_lines(pane, t);
    let err_h = errors.len().min(4) as u16;
    let [table_area, legend_area, err_area] = area.layout(&Layout::vertical([
        Constraint::Fill(1),
        Constraint::Length(1),
        Constraint::Length(err_h),
    ]));
    let rows = pane.rows();
    let (sel_row, sel_col) = pane.cursor();
    let n = pane.envs.len().max(1) as u16;
    let longest = rows.iter().map(|r| r.chars().count()).max().unwrap_or(0) as u16;
    let name_w = (longest + 2).clamp(9, 28).min(area.width / 4).max(6);
    let env_w = area.width.saturating_sub(name_w + n) / n;
    let spark_w = usize::from(env_w.saturating_sub(16).min(30));

    let mut header = vec![Text::from(vec![
        Line::styled("RUNTIME", t.title),
        Line::raw(""),
    ])];
    for (i, (env, slot)) in pane.envs.iter().zip(pane.columns()).enumerate() {
        let mut first = vec![Span::styled(
            env.name.clone(),
            if i == sel_col { t.title } else { t.text },
        )];
        if let Some(left) = cx.arming.remaining(&env.name, cx.now) {
            first.push(Span::styled(format!(" ARMED {}", countdown(left)), t.armed));
        } else if env.read_only {
            first.push(Span::styled(" [RO]", t.protected));
        }
        let second = match slot.state() {
            Loadable::Idle | Loadable::Loading => Line::styled("loading…", t.dim),
            Loadable::Failed(_) => Line::styled("✗ unreachable", t.error),
            Loadable::Ready(s) => {
                let age = slot.age(cx.now).map(ago).unwrap_or_default();
                if slot.error().is_some() {
                    Line::styled(format!("✗ stale · {age}"), t.error)
                } else if slot.is_stale(cx.now, super::POLL) {
                    Line::styled(format!("stale · {age}"), t.warn)
                } else {
                    let n = s.runtimes.len();
                    Line::styled(
                        format!("{n} runtime{}", if n == 1 { "" } else { "s" }),
                        t.dim,
                    )
                }
            }
        };
        header.push(Text::from(vec![Line::from(first), second]));
    }
    let widths: Vec<Constraint> = std::iter::once(Constraint::Length(name_w))
        .chain(pane.envs.iter().map(|_| Constraint::Fill(1)))
        .collect();
    let visible = usize::from(table_area.height.saturating_sub(2) / 2).max(1);
    let first = sel_row.saturating_sub(visible - 1);
    let body: Vec<Row> = rows
        .iter()
        .enumerate()
        .skip(first)
        .take(visible)
        .map(|(r, name)| {
            let selected_row = r == sel_row;
            let mut cells = vec![TableCell::from(Line::styled(
                format!("{}{}", if selected_row { "▸ " } else { "  " }, clean(name)),
                if selected_row { t.title } else { t.text },
            ))];
            for (c, (env, slot)) in pane.envs.iter().zip(pane.columns()).enumerate() {
                let badge = pane.alarms.badge(&env.name, name);
                let mut cell_widget =
                    TableCell::from(cell_text(&cell(slot, env, name, badge, cx.now), t, spark_w));
                if selected_row && c == sel_col {
                    cell_widget = cell_widget.style(t.selected);
                }
                cells.push(cell_widget);
            }
            Row::new(cells).height(2)
        })
        .collect();
    let empty = body.is_empty();
    Table::new(body, widths)
        .header(Row::new(header).height(2))
        .column_spacing(1)
        .render(table_area, buf);
    if empty {
        let msg = empty_message(pane, t);
        let inner = Rect {
            y: table_area.y + 3,
            height: table_area.height.saturating_sub(3),
            ..table_area
        };
        Paragraph::new(msg)
            .wrap(Wrap { trim: true })
            .render(inner, buf);
    }
    let mut legend = vec![Span::styled(
        " latency: p99 over 30 min · error rate · cN% canary weight (observed share)",
        t.dim,
    )];
    let any_alarm = pane.alarms.all().iter().any(|a| a.state != AlarmState::Ok);
    if pane.firing_only {
        legend.push(Span::styled(" · showing firing only (f: all)", t.warn));
    } else if any_alarm {
        legend.push(Span::styled(" · ▲ alarms firing △ without data", t.dim));
    }
    let any_drift = pane
        .columns_ready()
        .any(|s| s.drift.as_ref().is_ok_and(|d| !d.is_empty()));
    if any_drift {
        legend.push(Span::styled(
            " · ≠ posture off env defaults (enter: why)",
            t.warn,
        ));
    }
    // The selected cell's lineage, first: it is what the operator is looking at.
    if let (Some(name), Some(env), Some(slot)) = (
        rows.get(sel_row),
        pane.envs.get(sel_col),
        pane.columns().get(sel_col),
    ) && let Some(l) = super::cells::lineage(slot, env, name)
    {
        legend.insert(0, Span::styled(format!(" {} ·", clean(&l)), t.title));
    }
    Line::from(legend).render(legend_area, buf);
    Paragraph::new(errors).render(err_area, buf);
}

fn cell_text(c: &Cell, t: &Theme, spark_w: usize) -> Text<'static> {
    match c {
        Cell::Loading => Text::from(vec![Line::styled("…", t.dim), Line::raw("")]),
        Cell::Failed => Text::from(vec![Line::styled("✗ error", t.error), Line::raw("")]),
        Cell::Absent => Text::from(vec![Line::styled("·", t.dim), Line::raw("")]),
        Cell::Present(v) => present(v, t, spark_w),
    }
}

fn present(v: &CellView, t: &Theme, spark_w: usize) -> Text<'static> {
    let glyph = if v.status.is_failed() {
        "✗"
    } else if v.status.is_transitional() {
        "◐"
    } else {
        "●"
    };
    let mut first = vec![Span::styled(format!("{glyph} "), t.status(&v.status))];
    // Alarms before the endpoints, so a narrow cell cuts the endpoints, not the alarm.
    if v.alarms.firing > 0 {
        first.push(Span::styled(format!("▲{} ", v.alarms.firing), t.error));
    }
    if v.alarms.no_data > 0 {
        first.push(Span::styled(format!("△{} ", v.alarms.no_data), t.dim));
    }
    if v.posture_differs {
        first.push(Span::styled("≠ ", t.warn));
    }
    if v.status != crate::domain::Status::Ready {
        first.push(Span::styled(format!("{} ", v.status), t.status(&v.status)));
    }
    first.push(Span::raw(clean(&v.endpoints)));
    let mut second: Vec<Span<'static>> = vec![];
    let no_traffic = v.error_rate.is_none() && v.latency.iter().all(Option::is_none);
    if v.metrics_failed {
        second.push(Span::styled("metrics ✗", t.warn));
    } else if no_traffic {
        second.push(Span::styled("no traffic", t.dim));
    } else {
        // A rollout's step and countdown matter more than the sparkline in a narrow cell.
        if spark_w > 0 && v.rollout.is_none() {
            second.push(Span::styled(
                format!("{} ", spark(&v.latency, spark_w)),
                t.text,
            ));
        }
        second.push(match v.error_rate {
            None => Span::styled("–", t.dim),
            Some(r) => Span::styled(format!("{r:.1}%"), rate_style(r, t)),
        });
    }
    if let Some((text, attention)) = &v.rollout {
        let style = match (attention, text.starts_with('✓')) {
            (true, _) => t.error,
            (false, true) => t.ok,
            (false, false) => t.warn,
        };
        second.push(Span::styled(format!(" {text}"), style));
    } else if let Some(c) = &v.canary {
        let observed = c
            .observed
            .filter(|_| spark_w > 0)
            .map(|o| format!(" ({o:.0}%)"))
            .unwrap_or_default();
        second.push(Span::styled(format!(" c{}%{observed}", c.weight), t.warn));
    }
    Text::from(vec![Line::from(first), Line::from(second)])
}

fn rate_style(r: f64, t: &Theme) -> Style {
    if r >= 5.0 {
        t.error
    } else if r > 0.0 {
        t.warn
    } else {
        t.ok
    }
}

fn error_lines(pane: &MatrixPane, t: &Theme) -> Vec<Line<'static>> {
    let mut out = vec![];
    for (env, slot) in pane.envs.iter().zip(pane.columns()) {
        if let Some(e) = slot.error() {
            out.push(Line::styled(
                format!(" ✗ {}: {}", env.name, clean(e)),
                t.error,
            ));
        }
        if let Some(e) = pane.alarms.slot(&env.name).and_then(|s| s.error()) {
            out.push(Line::styled(
                format!(" ! {}: alarms: {}", env.name, clean(e)),
                t.warn,
            ));
        }
        if let Some(s) = slot.value() {
            if let Err(e) = &s.metrics {
                out.push(Line::styled(
                    format!(" ! {}: metrics: {}", env.name, clean(e)),
                    t.warn,
                ));
            }
            if let Err(e) = &s.rollouts {
                out.push(Line::styled(
                    format!(" ! {}: rollouts: {}", env.name, clean(e)),
                    t.warn,
                ));
            }
            if let Err(e) = &s.drift {
                out.push(Line::styled(
                    format!(" ! {}: posture: {}", env.name, clean(e)),
                    t.warn,
                ));
            }
            if let Err(e) = &s.splits {
                out.push(Line::styled(
                    format!(" ! {}: canary splits: {}", env.name, clean(e)),
                    t.warn,
                ));
            }
        }
    }
    out
}

fn empty_message(pane: &MatrixPane, t: &Theme) -> Vec<Line<'static>> {
    let cols = pane.columns();
    let names: Vec<&str> = pane.envs.iter().map(|e| e.name.as_str()).collect();
    let line = if cols
        .iter()
        .all(|c| matches!(c.state(), Loadable::Idle | Loadable::Loading))
    {
        Line::styled(
            format!(" Loading runtimes from {}…", names.join(", ")),
            t.dim,
        )
    } else if pane.firing_only {
        Line::styled(
            " No alarm is firing in any environment (f shows every runtime).",
            t.ok,
        )
    } else if !pane.filter.is_empty() {
        Line::styled(
            format!(
                " No runtime matches /{} (esc clears the filter).",
                clean(&pane.filter)
            ),
            t.dim,
        )
    } else if cols
        .iter()
        .all(|c| matches!(c.state(), Loadable::Failed(_)))
    {
        Line::styled(" No environment answered: the errors are below.", t.error)
    } else {
        return vec![
            Line::raw(format!(" No runtimes in {}.", names.join(", "))),
            Line::styled(
                " Deploy one: agentcore-console --env ENV deploy NAME --from-dir DIR",
                t.dim,
            ),
        ];
    };
    vec![line]
}
