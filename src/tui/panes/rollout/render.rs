//! Drawing the rollout pane: what rolls out and who started it, the state (stalled in red with
//! the lease's expiry), the timeline, the latest evaluation's gates with their evidence, and
//! the decision log filling the rest (newest last, scrolled with ↑/↓). Every stored text is
//! untrusted (any console may have written the object) and goes through `clean`.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Widget, Wrap};

use super::RolloutPane;
use super::form::FormView;
use super::timeline::{self, Mark};
use crate::domain::rollout::{Phase, RolloutState, Verdict};
use crate::tui::loadable::Loadable;
use crate::tui::panes::{Cx, clean};
use crate::tui::theme::Theme;

/// `12:04:05` (UTC) of an epoch-ms time.
fn hms(ms: i64) -> String {
    let s = (ms / 1000).rem_euclid(86_400);
    format!("{:02}:{:02}:{:02}", s / 3600, s % 3600 / 60, s % 60)
}

pub(super) fn render(pane: &RolloutPane, cx: &Cx<'_>, area: Rect, buf: &mut Buffer) {
    let t = cx.theme;
    let view = match pane.slot.state() {
        Loadable::Idle | Loadable::Loading => {
            Line::styled(
                format!(
                    " Reading the rollout of {} in {} (rollouts/{}.json)…",
                    clean(&pane.runtime),
                    pane.env,
                    clean(&pane.runtime)
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
        Loadable::Ready(v) => v,
    };
    let now = pane.epoch_now(cx.now).unwrap_or(view.read_at_ms);
    let mut lines = match &view.state {
        None => vec![
            Line::styled(
                format!(" {} has no rollout in {}.", clean(&pane.runtime), pane.env),
                t.text,
            ),
            Line::styled(
                " s starts one: the canary version and a plan, then the preview of every call to confirm.",
                t.dim,
            ),
        ],
        Some(s) => state_lines(s, now, t),
    };
    if let Some(e) = pane.slot.error() {
        lines.push(Line::styled(
            format!(" ✗ refresh failed: {}", clean(e)),
            t.warn,
        ));
    }
    if let Some(ev) = pane.events().last() {
        lines.push(Line::styled(
            format!(
                " driven here: last event {} {} · quitting leaves it for `rollout resume`",
                hms(ev.at_ms),
                clean(&ev.event)
            ),
            t.dim,
        ));
    }
    if let Some(s) = &view.state {
        lines.push(Line::raw(""));
        let room = usize::from(area.height).saturating_sub(lines.len() + 1);
        lines.extend(log_lines(s, pane.scroll(), room, t));
    }
    Paragraph::new(lines).render(area, buf);
    if let Some(form) = pane.form() {
        FormView {
            form,
            theme: t,
            title: format!(
                "start a rollout of {} in {}",
                clean(&pane.runtime),
                pane.env
            ),
            protected: cx.protected(&pane.env),
        }
        .render(area, buf);
    }
}

fn state_lines(s: &RolloutState, now: i64, t: &Theme) -> Vec<Line<'static>> {
    let kind = if s.is_blue_green() {
        "blue/green"
    } else {
        "canary"
    };
    let mut out = vec![Line::from(vec![
        Span::styled(format!(" v{}", clean(&s.canary_version)), t.title),
        Span::styled(
            format!(
                " against {} v{} · plan {} ({kind}) · started {} by {}",
                clean(&s.stable_endpoint),
                clean(s.stable_version.as_deref().unwrap_or("?")),
                clean(&s.plan.name),
                hms(s.started_ms),
                clean(&s.started_by)
            ),
            t.dim,
        ),
    ])];
    let shown = s.shown(now);
    let style = match s.phase {
        _ if s.is_stalled(now) => t.error,
        Phase::Running | Phase::Promoted => t.ok,
        Phase::Paused | Phase::AwaitingApproval => t.warn,
        Phase::RolledBack | Phase::Aborted => t.error,
    };
    let mut state = vec![Span::styled(format!(" ● {}", shown.to_uppercase()), style)];
    if let Some(r) = &s.reason {
        state.push(Span::styled(format!(": {}", clean(r)), style));
    }
    state.push(Span::styled(format!(" · weight {}%", s.weight()), t.text));
    match &s.lease {
        Some(l) => state.push(Span::styled(
            format!(" · lease {} until {}", clean(&l.holder), hms(l.expires_ms)),
            t.dim,
        )),
        None if !s.phase.is_terminal() => {
            state.push(Span::styled(" · no lease", t.dim));
        }
        None => {}
    }
    out.push(Line::from(state));
    if s.is_stalled(now) {
        let since = s
            .lease
            .as_ref()
            .map_or_else(|| "its start".into(), |l| hms(l.expires_ms));
        out.push(Line::styled(
            format!(
                " ⚠ STALLED: no driver since {since}; traffic stays at {}%. c resumes it here, x aborts.",
                s.weight()
            ),
            t.error,
        ));
    }
    out.push(Line::raw(""));
    for row in timeline::rows(s, now) {
        let style = match row.mark {
            Mark::Done => t.ok,
            Mark::Current => t.key,
            Mark::Next => t.dim,
            Mark::Failed => t.error,
        };
        out.push(Line::styled(
            format!("  {} {}", row.mark.glyph(), clean(&row.text)),
            style,
        ));
    }
    out.push(Line::raw(""));
    out.extend(gate_lines(s, t));
    out
}

fn gate_lines(s: &RolloutState, t: &Theme) -> Vec<Line<'static>> {
    let Some(rec) = s.latest() else {
        let what = if s.plan.gates.configured().is_empty() {
            "no gates in this plan"
        } else {
            "no evaluation yet"
        };
        return vec![Line::styled(format!(" gates: {what}"), t.dim)];
    };
    let limit = s.plan.gates.failure_limit.max(1);
    let mut out = vec![Line::styled(
        format!(
            " gates at {} (step {} at {}%): {} · failures in a row {}/{limit}",
            hms(rec.evaluation.at_ms),
            rec.step + 1,
            rec.weight,
            verdict(rec.verdict),
            rec.failures_in_row
        ),
        t.title,
    )];
    let head = [
        "gate",
        "value",
        "threshold",
        "samples c/s",
        "95% interval",
        "verdict",
    ];
    out.push(Line::styled(row(&head.map(String::from)), t.dim));
    for g in &rec.evaluation.gates {
        let style: Style = match (g.verdict, g.observed_only) {
            (Verdict::Fail, false) => t.error,
            (Verdict::Fail, true) | (Verdict::Inconclusive, _) => t.warn,
            (Verdict::Pass, _) => t.text,
        };
        out.push(Line::styled(row(&timeline::gate_cells(g)), style));
        if let Some(d) = &g.detail {
            out.push(Line::styled(format!("      {}", clean(d)), t.dim));
        }
    }
    out
}

fn verdict(v: Verdict) -> &'static str {
    match v {
        Verdict::Pass => "pass",
        Verdict::Fail => "FAIL",
        Verdict::Inconclusive => "inconclusive",
    }
}

fn row(c: &[String; 6]) -> String {
    format!(
        "  {:<27} {:>11} {:>12} {:>12} {:>17}  {}",
        c[0], c[1], c[2], c[3], c[4], c[5]
    )
}

/// The newest `room` lines of the log, `scroll` lines up from the newest.
fn log_lines(s: &RolloutState, scroll: usize, room: usize, t: &Theme) -> Vec<Line<'static>> {
    let n = s.log.len();
    let mut out = vec![Line::styled(
        format!(
            " decision log ({n}){}",
            if scroll > 0 {
                format!(" · {scroll} newer below (↓)")
            } else {
                String::new()
            }
        ),
        t.title,
    )];
    let end = n.saturating_sub(scroll);
    let start = end.saturating_sub(room.saturating_sub(1));
    for l in &s.log[start..end] {
        let style = match l.event.as_str() {
            "rollback" | "abort" | "error" => t.error,
            "promote" => t.ok,
            "pause" | "extend" | "takeover" => t.warn,
            _ => t.text,
        };
        out.push(Line::from(vec![
            Span::styled(format!("  {} ", hms(l.at_ms)), t.dim),
            Span::styled(format!("{:<9}", clean(&l.event)), style),
            Span::styled(format!("{} ", clean(&l.message)), t.text),
            Span::styled(format!("({})", clean(&l.by)), t.dim),
        ]));
    }
    out
}
