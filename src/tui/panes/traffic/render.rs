//! Drawing the traffic pane: where the runtime is routed, the endpoints, the split as two bars
//! per leg side by side (SET, the configured weight; GOT, the share of new sessions it really
//! got), calls and errors per leg, the verdict, and the weight form on top when it is open.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Widget, Wrap};

use super::TrafficPane;
use super::form::FormView;
use super::verdict::{self, Tone, canary_weight, observed, pct};
use crate::backend::traffic::{EndpointVersion, TrafficView};
use crate::tui::io::{OBSERVED_MINUTES, TrafficData};
use crate::tui::loadable::Loadable;
use crate::tui::panes::{Cx, clean};
use crate::tui::theme::Theme;
use crate::tui::time::ago;

pub(super) fn render(pane: &TrafficPane, cx: &Cx<'_>, area: Rect, buf: &mut Buffer) {
    let t = cx.theme;
    let data = match pane.slot.state() {
        Loadable::Idle | Loadable::Loading => {
            Line::styled(
                format!(
                    " Loading the split of {} in {}: endpoints, gateway rule, and {OBSERVED_MINUTES} min of CloudWatch…",
                    clean(&pane.runtime),
                    pane.env
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
                Line::styled(" r retries now; esc goes back.", t.dim),
            ])
            .wrap(Wrap { trim: false })
            .render(area, buf);
            return;
        }
        Loadable::Ready(d) => d,
    };
    let mut lines = header(pane, data, cx);
    lines.push(Line::raw(""));
    lines.extend(endpoints(pane, &data.view, t));
    lines.push(Line::raw(""));
    lines.extend(split(&data.view, t, area.width));
    lines.push(Line::raw(""));
    for v in verdict::verdict(&data.view) {
        let style = match v.tone {
            Tone::Good => t.ok,
            Tone::Info => t.dim,
            Tone::Warn => t.warn,
            Tone::Bad => t.error,
        };
        lines.push(Line::styled(format!(" {}", clean(&v.text)), style));
    }
    Paragraph::new(lines)
        .wrap(Wrap { trim: false })
        .render(area, buf);
    if let Some(form) = pane.form() {
        let versions = data
            .runtime
            .detail
            .versions
            .iter()
            .map(|v| format!("{} {}", clean(&v.version), v.status))
            .collect::<Vec<_>>()
            .join(", ");
        FormView {
            form,
            theme: t,
            title: format!(
                "set the canary of {} in {}",
                clean(&data.view.runtime),
                pane.env
            ),
            versions,
            protected: cx.protected(&pane.env),
        }
        .render(area, buf);
    }
}

fn header(pane: &TrafficPane, d: &TrafficData, cx: &Cx<'_>) -> Vec<Line<'static>> {
    let t = cx.theme;
    let v = &d.view;
    let mut first = vec![Span::styled(" gateway ", t.dim)];
    match &v.gateway {
        Some(g) => first.push(Span::raw(clean(g))),
        None => first.push(Span::styled("none yet", t.dim)),
    }
    if let Some(r) = &v.rule {
        let paths = if r.match_paths.is_empty() {
            "every path (a catch-all)".to_string()
        } else {
            clean(&r.match_paths.join(" "))
        };
        first.push(Span::styled("  rule ", t.dim));
        first.push(Span::raw(clean(&r.id)));
        first.push(Span::styled(" priority ", t.dim));
        first.push(Span::raw(r.priority.to_string()));
        first.push(Span::styled(" for ", t.dim));
        first.push(Span::raw(paths));
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
        first.push(Span::styled(format!("  stale · {}", ago(age)), style));
    }
    let mut lines = vec![Line::from(first)];
    if let Some(url) = &v.gateway_url {
        lines.push(Line::from(vec![
            Span::styled(" clients call ", t.dim),
            Span::raw(clean(url)),
        ]));
    }
    if let Some(e) = pane.slot.error() {
        lines.push(Line::styled(
            format!(" ✗ refresh failed: {}", clean(e)),
            t.error,
        ));
    }
    lines
}

fn endpoints(pane: &TrafficPane, v: &TrafficView, t: &Theme) -> Vec<Line<'static>> {
    let mut lines = vec![Line::styled(
        format!(
            "   {:<8} {:<10} {:<7} {:<7} {:<14} {}",
            "LEG", "ENDPOINT", "LIVE", "TARGET", "STATUS", "ROLLBACK TO"
        ),
        t.title,
    )];
    for (i, (leg, e)) in [("stable", &v.stable), ("canary", &v.canary)]
        .into_iter()
        .enumerate()
    {
        let selected = i == pane.selected();
        let or_dash = |s: &Option<String>| s.as_deref().map_or("-".into(), clean);
        let back = pane
            .rollback_to(e)
            .map_or_else(|_| "-".to_string(), |v| format!("↶ {v}"));
        let status = e.status.clone().unwrap_or_else(|| "absent".into());
        let text = format!(
            " {} {leg:<8} {:<10} {:<7} {:<7} {:<14} {back}",
            if selected { "▸" } else { " " },
            clean(&e.name),
            or_dash(&e.live_version),
            or_dash(&e.target_version),
            clean(&status),
        );
        let style = if selected { t.selected } else { t.text };
        lines.push(Line::styled(text, style));
    }
    lines
}

/// `█████▍    ` — `pct` of `width` cells, in eighths.
pub fn bar(pct: f64, width: usize) -> String {
    const PARTS: [&str; 8] = ["", "▏", "▎", "▍", "▌", "▋", "▊", "▉"];
    let eighths = ((pct.clamp(0.0, 100.0) / 100.0) * (width * 8) as f64).round() as usize;
    let full = eighths / 8;
    let part = PARTS[eighths % 8];
    let used = full + usize::from(!part.is_empty());
    format!(
        "{}{part}{}",
        "█".repeat(full),
        "·".repeat(width.saturating_sub(used))
    )
}

fn split(v: &TrafficView, t: &Theme, width: u16) -> Vec<Line<'static>> {
    let Some(weight) = canary_weight(v) else {
        return vec![Line::styled(
            " SPLIT  none: every call goes to the endpoints directly",
            t.title,
        )];
    };
    let wide = width >= 96;
    let bw = if wide { 20 } else { 10 };
    let obs = v.observed.as_ref().filter(|o| o.error.is_none());
    let got = observed(v, &v.canary.name).and_then(|c| c.session_share);
    let mut summary = vec![
        Span::styled(" SPLIT OF NEW SESSIONS", t.title),
        Span::styled(
            format!("  set {weight}% / got {}", got.map_or("-".into(), pct)),
            t.text,
        ),
    ];
    if obs.is_some() {
        summary.push(Span::styled(
            format!(" to the canary over {OBSERVED_MINUTES} min"),
            t.dim,
        ));
    }
    let (set, got) = if wide {
        (
            "SET (configured)",
            format!("GOT (sessions, {OBSERVED_MINUTES} min)"),
        )
    } else {
        ("SET", format!("GOT ({OBSERVED_MINUTES} min)"))
    };
    let head = format!("   {:<16}{set:<w$}{got:<w$}", "", w = bw + 7);
    let head = if wide {
        format!("{head}{:>9}{:>14}{:>9}", "SESSIONS", "CALLS", "ERRORS")
    } else {
        format!("{head}{:>9}", "ERRORS")
    };
    let mut lines = vec![Line::from(summary), Line::styled(head, t.dim)];
    for (e, w, style) in [
        (&v.stable, 100 - weight, t.text),
        (&v.canary, weight, t.warn),
    ] {
        lines.push(leg_line(v, e, w, style, t, bw, wide));
    }
    lines
}

fn leg_line(
    v: &TrafficView,
    e: &EndpointVersion,
    weight: i32,
    style: Style,
    t: &Theme,
    bw: usize,
    wide: bool,
) -> Line<'static> {
    let o = observed(v, &e.name);
    let label = format!(
        "{} {}",
        clean(&e.name),
        e.live_version
            .as_deref()
            .map_or(String::new(), |v| format!("v{}", clean(v)))
    );
    let share = o.and_then(|l| l.session_share);
    let mut spans = vec![
        Span::raw(format!("   {label:<16}")),
        Span::styled(bar(f64::from(weight), bw), style),
        Span::raw(format!(" {:>4}  ", format!("{weight}%"))),
        Span::styled(bar(share.unwrap_or(0.0), bw), style),
        Span::raw(format!(" {:>4}  ", share.map_or("-".into(), pct))),
    ];
    let rate = o.and_then(|l| l.error_rate);
    let rate_style = match rate {
        Some(r) if r >= verdict::WORSE_BY => t.error,
        _ => t.text,
    };
    if wide {
        let calls = o.map_or("-".into(), |l| {
            format!(
                "{:.0} ({})",
                l.invocations,
                l.invocation_share.map_or("-".into(), pct)
            )
        });
        spans.push(Span::raw(format!(
            "{:>9}{:>14}",
            o.map_or("-".into(), |l| format!("{:.0}", l.sessions)),
            calls
        )));
    }
    spans.push(Span::styled(
        format!("{:>9}", rate.map_or("-".into(), |r| format!("{r:.1}%"))),
        rate_style,
    ));
    Line::from(spans)
}

#[cfg(test)]
mod tests {
    use super::bar;

    #[test]
    fn bars_fill_in_eighths() {
        assert_eq!(bar(0.0, 4), "····");
        assert_eq!(bar(100.0, 4), "████");
        assert_eq!(bar(50.0, 4), "██··");
        assert_eq!(bar(10.0, 10), "█·········");
        assert_eq!(bar(12.0, 10), "█▎········");
        assert_eq!(bar(11.25, 10), "█▏········");
        assert_eq!(bar(250.0, 2), "██");
    }
}
