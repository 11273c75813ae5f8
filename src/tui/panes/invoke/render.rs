//! Drawing the invoke pane: a header (endpoint, server, the safety rule here), the tools on
//! the left, the form (or raw JSON, or the history) on the right, the call's result below.
//! Everything the server sent goes through `clean`.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Widget, Wrap};

use super::form::Form;
use super::{Call, InvokePane, View};
use crate::tui::loadable::Loadable;
use crate::tui::panes::{Cx, clean};
use crate::tui::theme::Theme;

/// Narrower than this, the tool list gives way to the form.
const WIDE: u16 = 90;
const LIST_W: u16 = 26;

pub(super) fn render(pane: &InvokePane, cx: &Cx<'_>, area: Rect, buf: &mut Buffer) {
    let t = cx.theme;
    let list = match pane.tools.state() {
        Loadable::Idle | Loadable::Loading => {
            let line = format!(
                " Connecting to {} in {} (endpoint {}): initialize, tools/list…",
                clean(&pane.runtime),
                pane.env,
                pane.asked
                    .as_deref()
                    .map_or("stable, else DEFAULT".into(), clean)
            );
            Line::styled(line, t.dim).render(area, buf);
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
        Loadable::Ready(l) => l,
    };
    let protected = cx.protected(&pane.env);
    let mut head = vec![
        Span::styled(" endpoint ", t.dim),
        Span::raw(clean(&list.qualifier)),
        Span::styled("  server ", t.dim),
        Span::raw(list.server.as_deref().map_or("-".into(), clean)),
        Span::styled(format!("  {} tools", list.tools.len()), t.dim),
    ];
    if protected {
        let armed = cx.arming.is_armed(&pane.env, cx.now);
        let rule = if armed {
            format!("  {} armed: every tool may be called", pane.env)
        } else {
            format!(
                "  {} is protected: only read-only tools (·); arm (A) for the others",
                pane.env
            )
        };
        head.push(Span::styled(
            rule,
            if armed { t.armed } else { t.protected },
        ));
    }
    // Two lines when narrow: the protection rule must not be cut off.
    Paragraph::new(Line::from(head))
        .wrap(Wrap { trim: true })
        .render(Rect { height: 2, ..area }, buf);
    let body = Rect {
        y: area.y + 2,
        height: area.height.saturating_sub(2),
        ..area
    };
    let result_h = (body.height * 2 / 5).max(4).min(body.height);
    let top = Rect {
        height: body.height - result_h,
        ..body
    };
    let bottom = Rect {
        y: top.bottom(),
        height: result_h,
        ..body
    };
    let wide = area.width >= WIDE;
    let right = if wide {
        tools(
            pane,
            t,
            Rect {
                width: LIST_W,
                ..top
            },
            buf,
        );
        Rect {
            x: top.x + LIST_W + 1,
            width: top.width.saturating_sub(LIST_W + 1),
            ..top
        }
    } else if pane.view == View::Tools {
        tools(pane, t, top, buf);
        Rect { height: 0, ..top }
    } else {
        top
    };
    match pane.view {
        View::History => history(pane, t, right, buf),
        _ => {
            if let (Some(tool), Some(form)) = (pane.tool(), pane.form()) {
                let mut lines = vec![];
                if let Some(d) = &tool.description {
                    lines.push(Line::styled(clean(d), t.dim));
                }
                let focused = pane.view == View::Form;
                lines.extend(form_lines(&form, t, focused, right.width));
                for p in pane.problems() {
                    lines.push(Line::styled(format!("✗ {}", clean(p)), t.error));
                }
                let skip = scroll(&form, focused, right.height as usize);
                Paragraph::new(lines.split_off(skip.min(lines.len())))
                    .wrap(Wrap { trim: false })
                    .render(right, buf);
            }
        }
    }
    result(pane, cx, bottom, buf);
}

fn tools(pane: &InvokePane, t: &Theme, area: Rect, buf: &mut Buffer) {
    let shown = pane.shown_tools();
    let skip = pane
        .selected()
        .saturating_sub(area.height.saturating_sub(1) as usize);
    let lines: Vec<Line> = shown
        .iter()
        .enumerate()
        .skip(skip)
        .map(|(i, tool)| {
            let mark = if InvokePane::guarded(tool) { " " } else { "·" };
            let style = if i == pane.selected() {
                t.selected
            } else {
                t.text
            };
            let here = if i == pane.selected() { "▸" } else { " " };
            Line::from(vec![
                Span::styled(here, t.key),
                Span::styled(clean(&tool.name), style),
                Span::styled(mark, t.dim),
            ])
        })
        .collect();
    if lines.is_empty() {
        Line::styled(" no tools (match the filter)", t.dim).render(area, buf);
    } else {
        Paragraph::new(lines).render(area, buf);
    }
}

/// Rows to skip so the focused row shows.
fn scroll(form: &Form, focused: bool, height: usize) -> usize {
    if !focused || form.raw.is_some() {
        return 0;
    }
    (form.focus + 3).saturating_sub(height)
}

fn form_lines(form: &Form, t: &Theme, focused: bool, width: u16) -> Vec<Line<'static>> {
    if let Some(raw) = &form.raw {
        let mut lines = vec![Line::styled(
            "raw JSON (ctrl-r or R: back to the form)",
            t.title,
        )];
        lines.push(Line::from(vec![
            Span::styled(clean(&raw.text), if focused { t.key } else { t.text }),
            Span::styled(if focused { "▏" } else { "" }, t.key),
        ]));
        if let Some(e) = &raw.error {
            lines.push(Line::styled(format!("✗ {}", clean(e)), t.error));
        }
        return lines;
    }
    let rows = form.rows();
    if rows.len() == 1 && rows[0].value == "{0 fields}" {
        return vec![Line::styled("no arguments: ctrl-s calls it", t.dim)];
    }
    let label_w = rows
        .iter()
        .map(|r| r.depth * 2 + r.label.chars().count() + 1)
        .max()
        .unwrap_or(0)
        .min(usize::from(width / 3).max(8));
    let mut out = vec![];
    for (i, r) in rows.iter().enumerate() {
        let here = focused && i == form.focus;
        let label = format!(
            "{}{}{}",
            "  ".repeat(r.depth),
            clean(&r.label),
            if r.required { "*" } else { "" }
        );
        let value_style = match (here, r.absent) {
            (true, _) => t.key,
            (false, true) => t.dim,
            (false, false) => t.text,
        };
        let mut spans = vec![
            Span::styled(if here { "▸" } else { " " }, t.key),
            Span::styled(
                format!("{label:<label_w$} "),
                if r.absent { t.dim } else { t.text },
            ),
            Span::styled(shown_value(&r.value, r.absent), value_style),
        ];
        if here && matches!(r.edit, "type text" | "type a number" | "type JSON") {
            spans.push(Span::styled("▏", t.key));
        }
        if !r.hint.is_empty() {
            spans.push(Span::styled(format!("  {}", clean(&r.hint)), t.dim));
        }
        if here && !r.edit.is_empty() {
            spans.push(Span::styled(format!("  ({})", r.edit), t.dim));
        }
        out.push(Line::from(spans));
    }
    out
}

fn shown_value(v: &str, absent: bool) -> String {
    if absent && (v.is_empty() || v == "false") {
        "—".into()
    } else {
        clean(v)
    }
}

fn history(pane: &InvokePane, t: &Theme, area: Rect, buf: &mut Buffer) {
    let entries = pane.history();
    let mut lines = vec![Line::styled(
        format!(
            "calls in {} (newest first; enter loads one, L its logs)",
            pane.env
        ),
        t.title,
    )];
    if entries.is_empty() {
        lines.push(Line::styled("none yet", t.dim));
    }
    for (i, e) in entries.iter().enumerate() {
        let style = if i == pane.history_selected() {
            t.selected
        } else {
            t.text
        };
        lines.push(Line::from(vec![
            Span::styled(format!("{} ", clock(e.at)), t.dim),
            Span::styled(
                format!(
                    "{} {}@{} ",
                    if e.ok { "✓" } else { "✗" },
                    clean(&e.tool),
                    clean(&e.qualifier)
                ),
                style,
            ),
            Span::styled(clean(&e.summary), if e.ok { t.text } else { t.error }),
            Span::styled(
                e.session_id
                    .as_deref()
                    .map_or(String::new(), |s| format!("  session {}", clean(s))),
                t.dim,
            ),
        ]));
    }
    Paragraph::new(lines).render(area, buf);
}

/// `14:03:09` (UTC) from unix seconds.
fn clock(at: i64) -> String {
    time::OffsetDateTime::from_unix_timestamp(at).map_or_else(
        |_| "--:--:--".into(),
        |d| format!("{:02}:{:02}:{:02}", d.hour(), d.minute(), d.second()),
    )
}

fn result(pane: &InvokePane, cx: &Cx<'_>, area: Rect, buf: &mut Buffer) {
    let t = cx.theme;
    let rule = Line::styled("─".repeat(usize::from(area.width)), t.border);
    let mut lines = vec![rule];
    let progress = |p: &[crate::tui::io::Progress], lines: &mut Vec<Line<'static>>| {
        for p in p.iter().rev().take(3).rev() {
            let total = p.total.map(|x| format!("/{x}")).unwrap_or_default();
            let msg = p.message.as_deref().map(clean).unwrap_or_default();
            lines.push(Line::styled(
                format!(" progress {}{total} {msg}", p.progress),
                t.dim,
            ));
        }
    };
    match pane.call() {
        Call::None => lines.push(Line::styled(
            " no call yet: enter edits the arguments, ctrl-s calls the tool",
            t.dim,
        )),
        Call::Running {
            tool,
            started,
            progress: p,
            ..
        } => {
            let secs = cx.now.since(*started) / 1000;
            lines.push(Line::styled(
                format!(" ⟳ calling {}… {secs}s (esc cancels)", clean(tool)),
                t.warn,
            ));
            progress(p, &mut lines);
        }
        Call::Done {
            tool,
            result,
            progress: p,
        } => {
            progress(p, &mut lines);
            match result {
                Err(e) => lines.push(Line::styled(
                    format!(" ✗ {} failed: {}", clean(tool), clean(e)),
                    t.error,
                )),
                Ok(o) => {
                    let (mark, style): (&str, Style) = if o.is_error {
                        ("✗", t.error)
                    } else {
                        ("✓", t.ok)
                    };
                    let what = if o.is_error { " reported an error" } else { "" };
                    let session = o.session_id.as_deref().map_or(String::new(), |s| {
                        format!(" · session {} (L its logs, m metrics)", clean(s))
                    });
                    lines.push(Line::from(vec![
                        Span::styled(format!(" {mark} {}{what}", clean(tool)), style),
                        Span::styled(format!(" · {} ms{session}", o.millis), t.dim),
                    ]));
                    for c in &o.content {
                        for l in c.lines() {
                            lines.push(Line::styled(
                                format!(" {}", clean(l)),
                                if o.is_error { t.error } else { t.text },
                            ));
                        }
                    }
                    if let Some(s) = &o.structured {
                        lines.push(Line::styled(" structured content:", t.dim));
                        let pretty = serde_json::to_string_pretty(s).unwrap_or_default();
                        for l in pretty.lines() {
                            lines.push(Line::raw(format!(" {}", clean(l))));
                        }
                    }
                }
            }
        }
    }
    Paragraph::new(lines).render(area, buf);
}
