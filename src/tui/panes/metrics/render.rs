//! Drawing the metrics pane: a header (range, period, zoom, lines, the legend of endpoints →
//! versions, the markers), then the charts in a grid, two columns when wide, scrolled when
//! they do not fit; loading, empty, error and stale states.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::{Color, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Widget, Wrap};

use super::alarm_lines::{ChartLine, chart_of};
use super::window::{clock, marker_name};
use super::{CHARTS, MetricsPane};
use crate::backend::metrics::EndpointMetrics;
use crate::tui::io::MetricsData;
use crate::tui::loadable::Loadable;
use crate::tui::panes::{Cx, clean};
use crate::tui::time::ago;
use crate::tui::widgets::alarm_overlay::Threshold;
use crate::tui::widgets::chart::{Series, TimeChart, compact, short_span, title_line};

/// A chart needs its title, three rows of graph and (at the bottom) the time axis.
const MIN_CHART_H: u16 = 5;
const COLORS: [Color; 5] = [
    Color::Cyan,
    Color::Yellow,
    Color::Magenta,
    Color::Green,
    Color::Blue,
];

/// One endpoint as drawn: its label and style.
struct Leg<'a> {
    label: String,
    /// ` (v3 until 10:02)` when the endpoint moved in the window: the points before are v3's.
    moved: Option<String>,
    style: Style,
    m: &'a EndpointMetrics,
    has_data: bool,
}

/// One chart: its name, its series, whether a gap counts as zero, and its legend value.
struct Spec {
    name: &'static str,
    values: fn(&EndpointMetrics) -> &[Option<f64>],
    counts: bool,
    total: fn(&EndpointMetrics) -> String,
}

fn specs() -> [Spec; CHARTS] {
    [
        Spec {
            name: "INVOCATIONS",
            values: |m| &m.invocations,
            counts: true,
            total: |m| compact(m.totals.invocations),
        },
        Spec {
            name: "ERRORS",
            values: |m| &m.errors,
            counts: true,
            total: |m| compact(m.totals.errors),
        },
        Spec {
            name: "ERROR RATE %",
            values: |m| &m.error_rate,
            counts: false,
            total: |m| {
                m.totals
                    .error_rate
                    .map_or("-".into(), |r| format!("{r:.1}%"))
            },
        },
        Spec {
            name: "THROTTLES",
            values: |m| &m.throttles,
            counts: true,
            total: |m| compact(m.totals.throttles),
        },
        Spec {
            name: "LATENCY p50",
            values: |m| &m.latency_p50,
            counts: false,
            total: |m| format!("now {}", ms_text(m.totals.latest_p50)),
        },
        Spec {
            name: "LATENCY p99",
            values: |m| &m.latency_p99,
            counts: false,
            total: |m| format!("now {}", ms_text(m.totals.latest_p99)),
        },
    ]
}

fn ms_text(v: Option<f64>) -> String {
    v.map_or_else(|| "-".into(), |v| format!("{}ms", compact(v)))
}

/// Counts: a period without a datapoint had no calls (0), except at the end, where
/// CloudWatch may not have published yet; and the period still under way (`partial`) is left
/// out, or its count so far would read as a drop. Rates and percentiles are drawn as they are.
fn filled(values: &[Option<f64>], counts: bool, partial: bool) -> Vec<Option<f64>> {
    if !counts {
        return values.to_vec();
    }
    let keep = values.len() - usize::from(partial && !values.is_empty());
    let last = values[..keep].iter().rposition(Option::is_some);
    values
        .iter()
        .enumerate()
        .map(|(i, v)| match (v, last) {
            _ if i >= keep => None,
            (Some(v), _) => Some(*v),
            (None, Some(l)) if i < l => Some(0.0),
            _ => None,
        })
        .collect()
}

/// Stable first, then canary, then the others by name, DEFAULT last; filtered.
fn legs<'a>(pane: &MetricsPane, d: &'a MetricsData, cx: &Cx<'_>) -> Vec<Leg<'a>> {
    let env = cx.envs.iter().find(|e| e.name == pane.env);
    let (stable, canary) = env.map_or(("live", "canary"), |e| {
        (e.stable_endpoint(), e.canary_endpoint())
    });
    let mut eps: Vec<&EndpointMetrics> = d.metrics.endpoints.iter().collect();
    eps.sort_by_key(|e| {
        let rank = match e.endpoint.as_str() {
            n if n == stable => 0,
            n if n == canary => 1,
            "DEFAULT" => 3,
            _ => 2,
        };
        (rank, e.endpoint.clone())
    });
    let f = pane.filter.to_lowercase();
    eps.into_iter()
        .enumerate()
        .map(|(i, m)| {
            let version = m
                .version
                .as_deref()
                .map_or(String::new(), |v| format!(" v{}", clean(v)));
            let moved = pane.moved.get(&m.endpoint).cloned();
            let style = if cx.theme.color {
                Style::new().fg(COLORS[i % COLORS.len()])
            } else {
                Style::new()
            };
            let has_data = [&m.invocations, &m.errors, &m.throttles, &m.latency_p99]
                .iter()
                .any(|s| s.iter().any(Option::is_some));
            Leg {
                label: format!("{}{version}", clean(&m.endpoint)),
                moved,
                style,
                m,
                has_data,
            }
        })
        .filter(|l| f.is_empty() || l.label.to_lowercase().contains(&f))
        .collect()
}

pub(super) fn render(pane: &MetricsPane, cx: &Cx<'_>, area: Rect, buf: &mut Buffer) {
    let t = cx.theme;
    let view = pane.view();
    let d = match pane.slot.state() {
        Loadable::Idle | Loadable::Loading => {
            Line::styled(
                format!(
                    " Loading metrics of {} in {}: the last {} in {} periods…",
                    clean(&pane.runtime),
                    pane.env,
                    short_span(view.span()),
                    short_span(i64::from(view.period()))
                ),
                t.dim,
            )
            .render(area, buf);
            return;
        }
        Loadable::Failed(e) => {
            Paragraph::new(vec![
                Line::styled(format!(" ✗ {}", clean(e)), t.error),
                Line::raw(""),
                Line::styled(
                    " r retries now; 1-5 pick another range; esc goes back.",
                    t.dim,
                ),
            ])
            .wrap(Wrap { trim: false })
            .render(area, buf);
            return;
        }
        Loadable::Ready(d) => d,
    };
    let legs = legs(pane, d, cx);
    let markers = pane.visible_markers();
    // Header: what is shown, the legend, the markers.
    let mut head = vec![
        Span::styled(format!(" last {}", short_span(view.span())), t.title),
        Span::styled(
            format!(" · {} periods", short_span(i64::from(d.window.period))),
            t.dim,
        ),
    ];
    let zoom = view.zoom_label();
    if !zoom.is_empty() {
        head.push(Span::styled(
            format!(" · zoom {zoom} of {}", view.range_label()),
            t.warn,
        ));
    }
    head.push(Span::styled(
        format!(" · lines {}", pane.mode().name()),
        t.dim,
    ));
    if pane.slot.in_flight() && d.window.end - d.window.start != view.span() {
        head.push(Span::styled(" · ⟳ fetching", t.warn));
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
        head.push(Span::styled(format!(" · stale {}", ago(age)), style));
    }
    head.push(Span::raw("   "));
    for l in &legs {
        if l.has_data {
            let moved = l.moved.as_deref().unwrap_or_default();
            head.push(Span::styled(format!("■ {}{moved}  ", l.label), l.style));
        } else {
            head.push(Span::styled(format!("{}: no calls  ", l.label), t.dim));
        }
    }
    let mut mark = vec![Span::styled(" ┊ ", t.warn)];
    match &d.history {
        Err(e) => mark.push(Span::styled(
            format!("markers unavailable: {}", clean(e)),
            t.dim,
        )),
        Ok(_) if markers.is_empty() => mark.push(Span::styled(
            "no deploys, rollbacks or traffic changes in this window",
            t.dim,
        )),
        Ok(_) => {
            for (i, m) in markers.iter().enumerate() {
                let style = if m.failed { t.error } else { t.text };
                mark.push(Span::styled(format!("{} ", marker_name(i)), t.warn));
                mark.push(Span::styled(
                    format!("{} {}   ", clock(m.at), m.text),
                    style,
                ));
            }
        }
    }
    let mut lines = vec![Line::from(head), Line::from(mark)];
    if let Some(line) = alarms_line(pane, d, cx) {
        lines.push(line);
    }
    if let Some(e) = pane.slot.error() {
        lines.push(Line::styled(
            format!(" ✗ refresh failed: {}", clean(e)),
            t.error,
        ));
    }
    let head_h = lines.len() as u16;
    Paragraph::new(lines).render(
        Rect {
            height: head_h.min(area.height),
            ..area
        },
        buf,
    );
    let body = Rect {
        y: area.y + head_h,
        height: area.height.saturating_sub(head_h),
        ..area
    };
    if !legs.iter().any(|l| l.has_data) {
        Paragraph::new(vec![
            Line::raw(""),
            Line::styled(
                format!(
                    " No datapoints for {} in {} in the last {}: nothing called it, or CloudWatch has not published yet.",
                    clean(&pane.runtime),
                    pane.env,
                    short_span(view.span())
                ),
                t.text,
            ),
            Line::styled(" 1-5 pick a longer range; r refreshes now.", t.dim),
        ])
        .wrap(Wrap { trim: false })
        .render(body, buf);
        return;
    }
    charts(pane, d, &legs, &markers, cx, body, buf);
}

/// ` ╌ alarms live/latency ALARM · canary/error-rate OK   ━ in ALARM`, or why they are
/// missing; nothing for a runtime without alarms.
fn alarms_line(pane: &MetricsPane, d: &MetricsData, cx: &Cx<'_>) -> Option<Line<'static>> {
    let t = cx.theme;
    let mut spans = vec![Span::styled(" ╌ ", t.error)];
    match &d.alarms {
        Err(e) => spans.push(Span::styled(
            format!("alarms unavailable: {}", clean(e)),
            t.dim,
        )),
        Ok(_) if pane.alarms.is_empty() => return None,
        Ok(_) => {
            spans.push(Span::styled("alarms ", t.dim));
            for a in &pane.alarms {
                spans.push(Span::raw(format!("{} ", a.name)));
                spans.push(Span::styled(
                    format!("{}  ", a.state.as_str()),
                    t.alarm(a.state),
                ));
            }
            spans.push(Span::styled(" ━ in ALARM", t.error));
            if let Some(e) = pane.alarms.iter().find_map(|a| a.history_error.as_deref()) {
                spans.push(Span::styled(format!(" · periods unavailable: {e}"), t.dim));
            }
        }
    }
    Some(Line::from(spans))
}

fn charts(
    pane: &MetricsPane,
    d: &MetricsData,
    legs: &[Leg<'_>],
    markers: &[&super::window::Marker],
    cx: &Cx<'_>,
    body: Rect,
    buf: &mut Buffer,
) {
    let t = cx.theme;
    let Some((x0, x1)) = pane.x_range() else {
        return;
    };
    let cols: usize = if body.width >= 110 { 2 } else { 1 };
    let rows_total = CHARTS.div_ceil(cols);
    let fit = usize::from((body.height / MIN_CHART_H).max(1)).min(rows_total);
    let scroll = pane.scroll.min(rows_total - fit);
    let mut area = body;
    if fit < rows_total {
        let note = format!(
            " charts {}-{} of {} rows · j/k scroll",
            scroll + 1,
            scroll + fit,
            rows_total
        );
        Line::styled(note, t.dim).right_aligned().render(
            Rect {
                height: 1,
                y: body.bottom().saturating_sub(1),
                ..body
            },
            buf,
        );
        area.height = area.height.saturating_sub(1);
    }
    let marks: Vec<(f64, char)> = markers
        .iter()
        .enumerate()
        .map(|(i, m)| (m.at as f64, marker_name(i)))
        .collect();
    let specs = specs();
    let row_h = area.height / fit as u16;
    let col_w = area.width / cols as u16;
    let period = short_span(i64::from(d.window.period));
    // The last period is partial when the window does not end on a period boundary.
    let partial = d.window.end % i64::from(d.window.period.max(1)) != 0;
    for r in 0..fit {
        for c in 0..cols {
            let Some(spec) = specs.get((scroll + r) * cols + c) else {
                continue;
            };
            let last = r + 1 == fit;
            let cell = Rect {
                x: area.x + c as u16 * col_w,
                y: area.y + r as u16 * row_h,
                width: if c + 1 == cols {
                    area.width - c as u16 * col_w
                } else {
                    col_w.saturating_sub(1)
                },
                height: if last {
                    area.height - r as u16 * row_h
                } else {
                    row_h
                },
            };
            let series: Vec<Series> = legs
                .iter()
                .filter(|l| l.has_data)
                .map(|l| {
                    Series::from_grid(
                        l.style,
                        &d.metrics.timestamps,
                        &filled((spec.values)(l.m), spec.counts, partial),
                    )
                })
                .collect();
            let name = if spec.counts {
                format!("{} /{period}", spec.name)
            } else {
                spec.name.to_string()
            };
            let legend = legs
                .iter()
                .filter(|l| l.has_data)
                .map(|l| (format!("{} {}", l.label, (spec.total)(l.m)), l.style))
                .collect();
            let mine: Vec<&ChartLine> = pane
                .alarms
                .iter()
                .filter(|a| chart_of(a.kind) == spec.name)
                .collect();
            let thresholds: Vec<Threshold> =
                mine.iter().filter_map(|a| a.threshold.clone()).collect();
            let spans: Vec<(f64, f64)> = mine
                .iter()
                .flat_map(|a| a.spans.iter().map(|(s, e)| (*s as f64, *e as f64)))
                .collect();
            TimeChart {
                title: title_line(&name, t.title, legend),
                series: &series,
                x: (x0 as f64, x1 as f64),
                markers: &marks,
                mode: pane.mode(),
                axis: last,
                fmt: compact,
                dim: t.dim,
                marker_style: t.warn,
                thresholds: &thresholds,
                alarm_spans: &spans,
                alarm_style: t.error,
            }
            .render(cell, buf);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::filled;

    #[test]
    fn count_gaps_are_zero_but_the_unpublished_tail_and_the_partial_period_are_not() {
        let v = [None, Some(3.0), None, Some(4.0), Some(1.0), None];
        assert_eq!(
            filled(&v, true, false),
            [Some(0.0), Some(3.0), Some(0.0), Some(4.0), Some(1.0), None]
        );
        assert_eq!(
            filled(&v[..5], true, true),
            [Some(0.0), Some(3.0), Some(0.0), Some(4.0), None]
        );
        assert_eq!(filled(&v, false, true), v);
        assert!(filled(&[], true, true).is_empty());
    }
}
