//! What alarms add to a time chart: each threshold as a horizontal dashed line with its label
//! at the right end, and the periods an alarm was in ALARM as a heavy line along the bottom
//! row (the time axis of that chart). Both draw only into empty cells, so the data stays
//! readable; the labels are the exception, as a line without its value says nothing.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::Style;

use super::chart::{ChartMarker, column};

/// A horizontal line at an alarm's threshold.
#[derive(Debug, Clone, PartialEq)]
pub struct Threshold {
    pub value: f64,
    /// `live p99 ≥2000` (already safe for the terminal).
    pub label: String,
}

/// The row of `value` in `graph` when the y axis runs from 0 to `y_max`.
fn row(graph: Rect, value: f64, y_max: f64) -> Option<u16> {
    if graph.height == 0 || y_max <= 0.0 || !value.is_finite() || value < 0.0 || value > y_max {
        return None;
    }
    let up = (value / y_max * f64::from(graph.height - 1)).round() as u16;
    Some(graph.bottom() - 1 - up.min(graph.height - 1))
}

pub fn thresholds(
    buf: &mut Buffer,
    graph: Rect,
    y_max: f64,
    lines: &[Threshold],
    mode: ChartMarker,
    style: Style,
) {
    let dash = if mode == ChartMarker::Ascii {
        "-"
    } else {
        "╌"
    };
    for t in lines {
        let Some(y) = row(graph, t.value, y_max) else {
            continue;
        };
        for x in graph.x..graph.right() {
            if let Some(cell) = buf.cell_mut((x, y))
                && cell.symbol() == " "
            {
                cell.set_symbol(dash);
                cell.set_style(style);
            }
        }
        let label = format!(" {} ", t.label);
        let w = (unicode_width::UnicodeWidthStr::width(label.as_str()) as u16).min(graph.width);
        buf.set_stringn(graph.right() - w, y, &label, usize::from(w), style);
    }
}

/// Each period (epoch seconds) in ALARM, inside the visible range `x`, along the bottom row.
pub fn periods(
    buf: &mut Buffer,
    graph: Rect,
    x: (f64, f64),
    spans: &[(f64, f64)],
    mode: ChartMarker,
    style: Style,
) {
    let heavy = if mode == ChartMarker::Ascii {
        "="
    } else {
        "━"
    };
    let y = graph.bottom().saturating_sub(1);
    for (s, e) in spans {
        let (s, e) = (s.max(x.0), e.min(x.1));
        let (Some(c0), Some(c1)) = (
            column(s, x, graph.x, graph.width),
            column(e, x, graph.x, graph.width),
        ) else {
            continue;
        };
        for col in c0..=c1 {
            if let Some(cell) = buf.cell_mut((col, y))
                && cell.symbol() == " "
            {
                cell.set_symbol(heavy);
                cell.set_style(style);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(buf: &Buffer, y: u16) -> String {
        (0..buf.area.width)
            .map(|x| buf[(x, y)].symbol().to_string())
            .collect()
    }

    #[test]
    fn a_threshold_is_a_labelled_line_at_its_height() {
        let graph = Rect::new(0, 0, 30, 5);
        let mut buf = Buffer::empty(graph);
        let line = [Threshold {
            value: 5.0,
            label: "live ≥5%".into(),
        }];
        thresholds(
            &mut buf,
            graph,
            10.0,
            &line,
            ChartMarker::Ascii,
            Style::new(),
        );
        // 5 of 10 on rows 0..=4 (4 at the bottom): row 2.
        assert_eq!(text(&buf, 2), format!("{} live ≥5% ", "-".repeat(20)));
        assert_eq!(text(&buf, 1).trim(), "");
        // Above the axis: not drawn.
        let mut buf = Buffer::empty(graph);
        thresholds(
            &mut buf,
            graph,
            4.0,
            &line,
            ChartMarker::Ascii,
            Style::new(),
        );
        assert!((0..5).all(|y| text(&buf, y).trim().is_empty()));
    }

    #[test]
    fn periods_mark_the_bottom_row_within_the_range() {
        let graph = Rect::new(0, 0, 11, 3);
        let mut buf = Buffer::empty(graph);
        buf[(3u16, 2u16)].set_symbol("•");
        periods(
            &mut buf,
            graph,
            (0.0, 100.0),
            &[(20.0, 50.0), (90.0, 400.0), (-50.0, -10.0)],
            ChartMarker::Ascii,
            Style::new(),
        );
        assert_eq!(text(&buf, 2), "  =•==   ==");
        assert_eq!(text(&buf, 1).trim(), "");
    }
}
