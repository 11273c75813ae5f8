//! One log line laid out as screen rows, without styles: a prefix (source colour bar, or a
//! source tag without colour; the time), then the message raw, pretty-printed or in columns,
//! cleaned of control sequences, regex matches marked, wrapped or not. Scrolling counts rows
//! with the same code the renderer draws with.

use unicode_width::UnicodeWidthChar;

use super::format::{self, Columns};
use super::{Entry, JsonMode, LogsPane};
use crate::tui::panes::clean;

/// What a piece of a row is (the renderer picks the style).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Part {
    /// The source's colour bar.
    Bar(u16),
    Time,
    /// The source's tag (without colour).
    Tag(u16),
    /// A JSON level column: styled by its value.
    Level,
    /// Another extracted column.
    Field,
    Text,
    /// Text the regex matches.
    Match,
    /// The other fields of a JSON line, continuation indents.
    Dim,
}

pub type Row = Vec<(String, Part)>;

/// Column widths in columns mode: level, tool, session.
pub const COLUMNS: [usize; 3] = [5, 10, 8];
/// Longest source tag shown.
const TAG_MAX: usize = 24;

/// The rows of `e` in `cols` columns, at most `max_rows`.
pub fn rows(p: &LogsPane, e: &Entry, cols: usize, max_rows: usize, mono: bool) -> Vec<Row> {
    let max_rows = max_rows.max(1);
    let prefix = prefix(p, e, mono);
    let indent: usize = prefix.iter().map(|(s, _)| width(s)).sum();
    // Long messages: only what can be on screen is cleaned and laid out.
    let limit = cols.saturating_mul(if p.wrap() { max_rows } else { 1 }) + 1;
    let lines: Vec<Row> = match p.json() {
        JsonMode::Raw => vec![text(p, &e.message, limit)],
        JsonMode::Pretty => match format::pretty(&e.message) {
            Some(pretty) => pretty
                .lines()
                .take(max_rows)
                .map(|l| text(p, l, limit))
                .collect(),
            None => vec![text(p, &e.message, limit)],
        },
        JsonMode::Columns => vec![columns(p, format::columns(&e.message), &e.message, limit)],
    };
    let avail = cols.saturating_sub(indent);
    let (avail, indent) = if avail < 10 {
        (cols, 0)
    } else {
        (avail, indent)
    };
    let mut out: Vec<Row> = vec![];
    for (i, line) in lines.into_iter().enumerate() {
        let pieces = if p.wrap() {
            wrap(line, avail.max(1))
        } else {
            vec![line]
        };
        for (j, piece) in pieces.into_iter().enumerate() {
            if out.len() == max_rows {
                return out;
            }
            let mut row = if i == 0 && j == 0 {
                prefix.clone()
            } else if indent > 0 {
                vec![(" ".repeat(indent), Part::Dim)]
            } else {
                vec![]
            };
            row.extend(piece);
            out.push(row);
        }
    }
    out
}

/// The colour bar (or the tag without colour) when there are several sources, and the time.
fn prefix(p: &LogsPane, e: &Entry, mono: bool) -> Row {
    let mut row = vec![];
    let several = p.sources().len() > 1;
    if several && !mono {
        row.push(("▌".to_string(), Part::Bar(e.source)));
    }
    if p.timestamps() {
        row.push((format!("{} ", format::clock(e.timestamp)), Part::Time));
    }
    if several && mono {
        let w = p
            .sources()
            .iter()
            .map(|s| s.label().len())
            .max()
            .unwrap_or(0)
            .min(TAG_MAX);
        let tag = p
            .sources()
            .get(usize::from(e.source))
            .map(super::Source::label)
            .unwrap_or_default();
        row.push((format!("{} ", fit(&clean(&tag), w)), Part::Tag(e.source)));
    }
    row
}

/// The column header of columns mode, aligned with the rows.
pub fn columns_header(p: &LogsPane, mono: bool) -> String {
    let mut s = String::new();
    let several = p.sources().len() > 1;
    if several && !mono {
        s.push(' ');
    }
    if p.timestamps() {
        s.push_str(&format!("{:<13}", "TIME"));
    }
    if several && mono {
        let w = p
            .sources()
            .iter()
            .map(|s| s.label().len())
            .max()
            .unwrap_or(0)
            .min(TAG_MAX);
        s.push_str(&format!("{} ", fit("SOURCE", w)));
    }
    let [l, t, se] = COLUMNS;
    s.push_str(&format!(
        "{} {} {} MESSAGE",
        fit("LEVEL", l),
        fit("TOOL", t),
        fit("SESSION", se)
    ));
    s
}

fn columns(p: &LogsPane, c: Option<Columns>, raw: &str, limit: usize) -> Row {
    let [l, t, s] = COLUMNS;
    let Some(c) = c else {
        let mut row = vec![(" ".repeat(l + t + s + 3), Part::Dim)];
        row.extend(text(p, raw, limit));
        return row;
    };
    let mut row = mark(p, format!("{} ", fit(&clean(&c.level), l)), Part::Level);
    row.extend(mark(
        p,
        format!("{} ", fit(&clean(&c.tool), t)),
        Part::Field,
    ));
    row.extend(mark(
        p,
        format!("{} ", fit(&clean(&c.session), s)),
        Part::Field,
    ));
    row.extend(text(p, &c.message, limit));
    if !c.rest.is_empty() {
        let rest = c.rest.join(" ");
        row.push((" ".into(), Part::Dim));
        row.extend(
            text(p, &rest, limit)
                .into_iter()
                .map(|(s, part)| (s, if part == Part::Text { Part::Dim } else { part })),
        );
    }
    row
}

/// Untrusted text, cleaned, cut to `limit` characters, with the regex's matches marked.
fn text(p: &LogsPane, s: &str, limit: usize) -> Row {
    let cut: String = s.chars().take(limit).collect();
    mark(p, clean(&cut), Part::Text)
}

/// Clean text as `part`, with the regex's matches as [`Part::Match`].
fn mark(p: &LogsPane, s: String, part: Part) -> Row {
    let Some(re) = p.buffer().regex() else {
        return vec![(s, part)];
    };
    let mut row = vec![];
    let mut at = 0;
    for m in re.find_iter(&s) {
        if m.start() > at {
            row.push((s[at..m.start()].to_string(), part));
        }
        if m.end() > m.start() {
            row.push((m.as_str().to_string(), Part::Match));
        }
        at = m.end();
    }
    if at < s.len() || row.is_empty() {
        row.push((s[at..].to_string(), part));
    }
    row
}

/// Split a row into rows of at most `avail` columns.
fn wrap(line: Row, avail: usize) -> Vec<Row> {
    let mut out = vec![];
    let mut row: Row = vec![];
    let mut used = 0;
    for (s, part) in line {
        let mut cur = String::new();
        for c in s.chars() {
            let w = c.width().unwrap_or(0);
            if used + w > avail && used > 0 {
                if !cur.is_empty() {
                    row.push((std::mem::take(&mut cur), part));
                }
                out.push(std::mem::take(&mut row));
                used = 0;
            }
            cur.push(c);
            used += w;
        }
        if !cur.is_empty() {
            row.push((cur, part));
        }
    }
    if !row.is_empty() || out.is_empty() {
        out.push(row);
    }
    out
}

fn width(s: &str) -> usize {
    s.chars().map(|c| c.width().unwrap_or(0)).sum()
}

/// `s` in exactly `w` columns: padded, or cut with `…`.
pub fn fit(s: &str, w: usize) -> String {
    let n = width(s);
    if n <= w {
        return format!("{s}{}", " ".repeat(w - n));
    }
    let mut out = String::new();
    let mut used = 0;
    for c in s.chars() {
        let cw = c.width().unwrap_or(0);
        if used + cw + 1 > w {
            break;
        }
        out.push(c);
        used += cw;
    }
    out.push('…');
    out.push_str(&" ".repeat(w.saturating_sub(used + 1)));
    out
}
