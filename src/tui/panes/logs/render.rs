//! Drawing the logs pane: a header (sources and their colours, the query, the regex), the
//! lines (only those on view are laid out: following shows the newest, a held view starts at
//! its top line), and the pane's status line with the stream's counters.

use ratatui::buffer::Buffer;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::Widget;

use super::format::{duration, thousands};
use super::rows::{Part, Row, columns_header, fit, rows};
use super::{JsonMode, LogsPane, Scroll, StreamState};
use crate::tui::panes::{Cx, clean};
use crate::tui::theme::Theme;

/// Source colours, in order of the pane's sources (red is for errors and prod).
const PALETTE: [Color; 10] = [
    Color::Cyan,
    Color::Magenta,
    Color::Green,
    Color::Yellow,
    Color::Blue,
    Color::LightMagenta,
    Color::LightCyan,
    Color::LightGreen,
    Color::LightYellow,
    Color::LightBlue,
];

pub fn source_style(t: &Theme, source: u16) -> Style {
    if t.color {
        Style::new().fg(PALETTE[usize::from(source) % PALETTE.len()])
    } else {
        t.text
    }
}

fn match_style(t: &Theme) -> Style {
    if t.color {
        Style::new()
            .bg(Color::Yellow)
            .fg(Color::Black)
            .add_modifier(Modifier::BOLD)
    } else {
        Style::new().add_modifier(Modifier::REVERSED | Modifier::BOLD)
    }
}

fn level_style(t: &Theme, level: &str) -> Style {
    match level.trim().to_ascii_uppercase().as_str() {
        "ERROR" | "ERR" | "FATAL" | "CRITICAL" | "CRIT" | "ALERT" | "EMERG" => t.error,
        "WARN" | "WARNING" => t.warn,
        "DEBUG" | "TRACE" => t.dim,
        _ => t.text,
    }
}

fn spans(t: &Theme, row: Row) -> Line<'static> {
    Line::from(
        row.into_iter()
            .map(|(s, part)| {
                let style = match part {
                    Part::Bar(src) => source_style(t, src),
                    Part::Time | Part::Dim => t.dim,
                    Part::Tag(_) | Part::Field | Part::Text => t.text,
                    Part::Level => level_style(t, &s),
                    Part::Match => match_style(t),
                };
                Span::styled(s, style)
            })
            .collect::<Vec<_>>(),
    )
}

pub fn render(p: &LogsPane, cx: &Cx<'_>, area: Rect, buf: &mut Buffer) {
    let t = cx.theme;
    let mono = !t.color;
    let (head, mut body, status) = if area.height >= 3 {
        let [h, b, s] = area.layout(&Layout::vertical([
            Constraint::Length(1),
            Constraint::Fill(1),
            Constraint::Length(1),
        ]));
        (Some(h), b, Some(s))
    } else {
        (None, area, None)
    };
    if let Some(h) = head {
        header(p, t, h, buf);
    }
    if p.json() == JsonMode::Columns && body.height > 1 {
        let title = columns_header(p, mono);
        buf.set_stringn(
            body.x,
            body.y,
            title,
            usize::from(body.width),
            t.dim.add_modifier(Modifier::BOLD),
        );
        body.y += 1;
        body.height -= 1;
    }
    p.set_view(body.width, body.height, mono);
    if let Some((failed, first, hint)) = empty_text(p) {
        let style = if failed { t.error } else { t.dim };
        Line::styled(clean(&first), style).render(body, buf);
        if body.height > 1 {
            let below = Rect::new(body.x, body.y + 1, body.width, 1);
            Line::styled(clean(&hint), t.dim).render(below, buf);
        }
    } else {
        for (i, row) in visible(p, body, mono).into_iter().enumerate() {
            let y = body.y + u16::try_from(i).unwrap_or(u16::MAX);
            spans(t, row).render(Rect::new(body.x, y, body.width, 1), buf);
        }
    }
    if let Some(s) = status {
        status_line(p, cx, s, buf);
    }
}

/// The rows on view in `body`: the newest (bottom-aligned) when following, else from the
/// held top line down. Only the lines that can be on screen are laid out.
pub fn visible(p: &LogsPane, body: Rect, mono: bool) -> Vec<Row> {
    let shown = p.shown();
    let cols = usize::from(body.width.max(1));
    let height = usize::from(body.height);
    let mut out: Vec<Row> = Vec::with_capacity(height);
    match p.scroll() {
        Scroll::Follow => {
            let mut pos = shown.len();
            let mut acc: Vec<Vec<Row>> = vec![];
            let mut used = 0;
            while pos > 0 && used < height {
                pos -= 1;
                if let Some(e) = shown.at(pos) {
                    let r = rows(p, e, cols, height, mono);
                    used += r.len();
                    acc.push(r);
                }
            }
            out.extend(acc.into_iter().rev().flatten());
            let extra = out.len().saturating_sub(height);
            out.drain(..extra);
        }
        Scroll::At { top, .. } => {
            let mut pos = shown.pos_of(top);
            while out.len() < height {
                let Some(e) = shown.at(pos) else { break };
                out.extend(rows(p, e, cols, height, mono));
                pos += 1;
            }
            out.truncate(height);
        }
    }
    out
}

/// What the body says when there is no line to show: (an error?, the line, a hint).
fn empty_text(p: &LogsPane) -> Option<(bool, String, String)> {
    let window = p.window();
    let matching = p
        .pattern()
        .map(|f| format!(" matching `{f}`"))
        .unwrap_or_default();
    if p.buffer().is_empty() {
        let (failed, line, hint) = match p.state() {
            StreamState::Idle | StreamState::Starting if p.following() => (
                false,
                format!("starting Live Tail (the last {window} first)…"),
                String::new(),
            ),
            StreamState::Idle | StreamState::Starting => {
                (false, format!("reading the last {window}…"), String::new())
            }
            StreamState::Failed(e) => (
                true,
                format!("✗ cannot read these logs: {e}"),
                "r retries · F changes the filter pattern · esc goes back".into(),
            ),
            StreamState::Running => (
                false,
                format!("no events in the last {window}{matching}; waiting for new ones…"),
                "1-6 read a longer window · F filter pattern · f follow off".into(),
            ),
            StreamState::Complete => (
                false,
                format!("no events in the last {window}{matching}"),
                "1-6 read a longer window · f follows".into(),
            ),
        };
        return Some((failed, line, hint));
    }
    if p.shown().is_empty() {
        return Some((
            false,
            format!(
                "none of the {} lines held matches /{}/",
                thousands(p.buffer().len() as u64),
                p.regex_text()
            ),
            "H highlights instead of filtering · esc clears the regex".into(),
        ));
    }
    None
}

fn header(p: &LogsPane, t: &Theme, area: Rect, buf: &mut Buffer) {
    if let Some(prompt) = p.prompt() {
        let mut spans = vec![
            Span::styled("filter pattern (CloudWatch, server side): ", t.key),
            Span::raw(clean(&prompt.input.text)),
            Span::styled("▏", t.key),
        ];
        match &prompt.error {
            Some(e) => spans.push(Span::styled(format!("  ✗ {}", clean(e)), t.error)),
            None => spans.push(Span::styled("  enter apply · esc clear", t.dim)),
        }
        Line::from(spans).render(area, buf);
        return;
    }
    let mut spans = vec![];
    if p.sources().len() > 1 {
        for (i, source) in p.sources().iter().enumerate() {
            let i = u16::try_from(i).unwrap_or(u16::MAX);
            if t.color {
                spans.push(Span::styled("▌", source_style(t, i)));
                spans.push(Span::styled(
                    format!("{} ", clean(&source.label())),
                    source_style(t, i),
                ));
            } else {
                spans.push(Span::raw(format!("{} ", clean(&source.label()))));
            }
        }
        spans.push(Span::styled("· ", t.dim));
    }
    let query = if p.following() {
        format!("last {} → following", p.window())
    } else {
        format!("last {} (history)", p.window())
    };
    spans.push(Span::raw(query));
    if let Some(f) = p.pattern() {
        spans.push(Span::styled(" · pattern ", t.dim));
        spans.push(Span::styled(clean(f), t.warn));
    }
    if !p.regex_text().is_empty() {
        spans.push(Span::styled(" · ", t.dim));
        spans.push(Span::styled(format!("/{}/", clean(p.regex_text())), t.warn));
        let b = p.buffer();
        let text = match p.regex_error() {
            Some(e) => Span::styled(format!(" ✗ {}", clean(e)), t.error),
            None if p.highlight_only() => Span::raw(format!(
                " highlight: {} matches",
                thousands(b.match_count() as u64)
            )),
            None => Span::raw(format!(
                " filter: {} of {}",
                thousands(b.match_count() as u64),
                thousands(b.len() as u64)
            )),
        };
        spans.push(text);
    }
    let mut modes = vec![];
    match p.json() {
        JsonMode::Raw => {}
        JsonMode::Pretty => modes.push("JSON pretty"),
        JsonMode::Columns => modes.push("JSON columns"),
    }
    if p.wrap() {
        modes.push("wrap");
    }
    if !p.timestamps() {
        modes.push("no times");
    }
    if !modes.is_empty() {
        spans.push(Span::styled(format!(" · {}", modes.join(" · ")), t.dim));
    }
    let line = Line::from(spans);
    let used = line.width();
    line.render(area, buf);
    // The latest reconnect / throttling / sampling notice, on the right (cut to fit).
    if let Some(n) = p.notice() {
        let text = clean(n);
        let room = usize::from(area.width).saturating_sub(used + 2);
        if room >= 20 {
            let text = fit(&text, room.min(Line::raw(text.as_str()).width()));
            let x =
                area.x + area.width - u16::try_from(Line::raw(text.as_str()).width()).unwrap_or(0);
            buf.set_string(x, area.y, text, t.warn);
        }
    }
}

fn status_line(p: &LogsPane, cx: &Cx<'_>, area: Rect, buf: &mut Buffer) {
    let t = cx.theme;
    let sep = || Span::styled(" · ", t.dim);
    let mut spans = vec![];
    if let Scroll::At { mark, .. } = p.scroll() {
        let new = p.shown().count_from(mark);
        spans.push(Span::styled(
            format!(" ⏸ paused · {} new ", thousands(new as u64)),
            t.selected,
        ));
        spans.push(Span::raw(" "));
    }
    let mode = p.mode();
    let style = match (p.following(), mode.as_str()) {
        (true, "Live Tail") => t.ok,
        (true, _) => t.warn,
        _ => t.text,
    };
    spans.push(Span::styled(mode, style));
    match p.state() {
        // With nothing held, the body shows the error.
        StreamState::Failed(e) if !p.buffer().is_empty() => {
            spans.push(sep());
            spans.push(Span::styled(format!("✗ {}", clean(e)), t.error));
        }
        StreamState::Complete => {
            spans.push(sep());
            spans.push(Span::raw("complete"));
        }
        StreamState::Starting | StreamState::Idle => {
            spans.push(sep());
            spans.push(Span::styled("starting…", t.dim));
        }
        StreamState::Running | StreamState::Failed(_) => {}
    }
    match p.saved(cx.now) {
        Some(Ok(path)) => {
            spans.push(sep());
            spans.push(Span::styled(format!("saved → {}", clean(path)), t.ok));
        }
        Some(Err(e)) => {
            spans.push(sep());
            spans.push(Span::styled(format!("save failed: {}", clean(e)), t.error));
        }
        None => {}
    }
    let s = p.stats();
    let dropped = p.dropped();
    let mut counts = vec![];
    if p.following() {
        let sampled = match p.sampled_percent(cx.now) {
            Some(pct) if s.sampled_updates > 0 => format!("sampled {pct}% ({})", s.sampled_updates),
            _ => "sampled 0%".into(),
        };
        counts.push((sampled, s.sampled_updates > 0));
    }
    counts.push((format!("dropped {}", thousands(dropped)), dropped > 0));
    if p.following() {
        counts.push((format!("dedup {}", thousands(s.deduplicated)), false));
        counts.push((format!("lag {}", duration(s.lag_ms)), s.lag_ms > 10_000));
        // Zero is the normal case: these show once something happened.
        if s.throttled > 0 {
            counts.push((format!("throttled {}", s.throttled), true));
        }
        if s.reconnects > 0 {
            counts.push((format!("reconnects {}", s.reconnects), false));
        }
        counts.push((format!("{} delivered", thousands(s.delivered)), false));
    }
    let b = p.buffer();
    counts.push((
        format!(
            "{}/{} held",
            thousands(b.len() as u64),
            thousands(b.cap() as u64)
        ),
        false,
    ));
    for (text, warn) in counts {
        spans.push(sep());
        spans.push(Span::styled(text, if warn { t.warn } else { t.text }));
    }
    Line::from(spans).render(area, buf);
}
