//! A time-series chart: ratatui's `Chart` (one dataset per series and gap-free stretch),
//! with its y labels, the deploy/traffic markers as vertical lines, and an optional time axis
//! row carrying the markers' numbers. The axes are drawn here rather than by `Chart` so the
//! graph area is known exactly and a marker's column is the column of its time.
//!
//! Braille draws the finest lines but breaks in many fonts (bottom#914), so the marker is a
//! setting ([`ChartMarker`], `chart_marker` in `theme.toml`) and a key cycles it: braille,
//! half blocks, dots, and plain ASCII (`*`, `|`, `-`) for terminals with nothing else.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::symbols::Marker;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Axis, Chart, Dataset, GraphType, LegendPosition, Widget};

use super::alarm_overlay::{self, Threshold};

/// Width of the y labels column (the axis line is one more).
pub const LABEL_W: u16 = 6;

/// How the lines of a chart are drawn.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ChartMarker {
    /// Unicode braille: 2×4 dots per cell, the finest; broken in some fonts.
    #[default]
    Braille,
    /// Half blocks (`▀▄█`): 1×2 per cell, in nearly every font.
    HalfBlock,
    /// One `•` per cell.
    Dot,
    /// ASCII only: `*` points, `|` and `-` axes.
    Ascii,
}

impl ChartMarker {
    const ALL: [ChartMarker; 4] = [Self::Braille, Self::HalfBlock, Self::Dot, Self::Ascii];

    /// The setting's value: `braille`, `block`, `dot`, `ascii`.
    pub fn name(self) -> &'static str {
        match self {
            Self::Braille => "braille",
            Self::HalfBlock => "block",
            Self::Dot => "dot",
            Self::Ascii => "ascii",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        let t = text.trim().to_ascii_lowercase();
        let t = if t == "halfblock" { "block".into() } else { t };
        Self::ALL.into_iter().find(|m| m.name() == t)
    }

    /// The next one in the cycle the toggle key walks.
    pub fn next(self) -> Self {
        let i = Self::ALL.iter().position(|m| *m == self).unwrap_or(0);
        Self::ALL[(i + 1) % Self::ALL.len()]
    }

    fn marker(self) -> Marker {
        match self {
            Self::Braille => Marker::Braille,
            Self::HalfBlock => Marker::HalfBlock,
            Self::Dot | Self::Ascii => Marker::Dot,
        }
    }

    fn vertical(self) -> &'static str {
        if self == Self::Ascii { "|" } else { "│" }
    }

    fn marker_line(self) -> &'static str {
        if self == Self::Ascii { ":" } else { "┊" }
    }
}

/// One line of a chart: stretches of (x, y) points without gaps, drawn in one style.
pub struct Series {
    pub style: Style,
    pub stretches: Vec<Vec<(f64, f64)>>,
}

impl Series {
    /// From values on a time grid: `None` breaks the line (no data in that period).
    pub fn from_grid(style: Style, xs: &[i64], ys: &[Option<f64>]) -> Self {
        let mut stretches: Vec<Vec<(f64, f64)>> = vec![];
        let mut cur = vec![];
        for (x, y) in xs.iter().zip(ys) {
            match y {
                Some(y) => cur.push((*x as f64, *y)),
                None if !cur.is_empty() => stretches.push(std::mem::take(&mut cur)),
                None => {}
            }
        }
        if !cur.is_empty() {
            stretches.push(cur);
        }
        Self { style, stretches }
    }
}

/// A chart over `x` (epoch seconds), with its title line.
pub struct TimeChart<'a> {
    pub title: Line<'a>,
    pub series: &'a [Series],
    /// The visible time range.
    pub x: (f64, f64),
    /// Where the markers are (epoch seconds) and the character that names each.
    pub markers: &'a [(f64, char)],
    pub mode: ChartMarker,
    /// Draw the time axis row under the chart (the bottom chart of a column).
    pub axis: bool,
    /// How a value is written on the y axis.
    pub fmt: fn(f64) -> String,
    pub dim: Style,
    pub marker_style: Style,
    /// Alarm thresholds, as horizontal lines (the y axis stretches to show them).
    pub thresholds: &'a [Threshold],
    /// Periods (epoch seconds) an alarm of this chart was in ALARM.
    pub alarm_spans: &'a [(f64, f64)],
    pub alarm_style: Style,
}

impl TimeChart<'_> {
    /// The top of the y axis: the largest visible value, rounded up to 1, 2 or 5 × 10ⁿ.
    fn y_max(&self) -> f64 {
        let (x0, x1) = self.x;
        let max = self
            .series
            .iter()
            .flat_map(|s| s.stretches.iter().flatten())
            .filter(|(x, _)| *x >= x0 && *x <= x1)
            .map(|(_, y)| *y)
            .chain(self.thresholds.iter().map(|t| t.value))
            .fold(0.0_f64, f64::max);
        nice(max)
    }
}

/// The smallest 1, 2 or 5 × 10ⁿ at or above `v` (1 for nothing).
pub fn nice(v: f64) -> f64 {
    if !(v.is_finite() && v > 0.0) {
        return 1.0;
    }
    let p = 10f64.powf(v.log10().floor());
    [1.0, 2.0, 5.0, 10.0]
        .into_iter()
        .map(|m| m * p)
        .find(|c| *c >= v * 0.999_999)
        .unwrap_or(10.0 * p)
}

/// The column of `x` in a graph `width` wide starting at `left`, if inside the range.
pub fn column(x: f64, range: (f64, f64), left: u16, width: u16) -> Option<u16> {
    let (x0, x1) = range;
    if width == 0 || x1 <= x0 || x < x0 || x > x1 {
        return None;
    }
    let frac = (x - x0) / (x1 - x0);
    let col = (frac * f64::from(width - 1)).round();
    // 0..width-1 by construction.
    Some(left + (col as u16).min(width - 1))
}

impl Widget for TimeChart<'_> {
    fn render(self, area: Rect, buf: &mut Buffer) {
        if area.height < 2 || area.width <= LABEL_W + 2 {
            self.title.render(area, buf);
            return;
        }
        let axis_h = u16::from(self.axis && area.height >= 4);
        let title = Rect { height: 1, ..area };
        self.title.clone().render(title, buf);
        let body = Rect {
            y: area.y + 1,
            height: area.height - 1 - axis_h,
            ..area
        };
        let graph = Rect {
            x: body.x + LABEL_W + 1,
            width: body.width - LABEL_W - 1,
            ..body
        };
        let y_max = self.y_max();
        // The y axis: labels at the top and bottom (and the middle when there is room).
        let v = self.mode.vertical();
        for row in body.y..body.bottom() {
            buf.set_string(body.x + LABEL_W, row, v, self.dim);
        }
        let label = |buf: &mut Buffer, row: u16, value: f64| {
            let text = (self.fmt)(value);
            let w = text.chars().count().min(usize::from(LABEL_W)) as u16;
            buf.set_stringn(
                body.x + LABEL_W - w,
                row,
                &text,
                usize::from(LABEL_W),
                self.dim,
            );
        };
        label(buf, body.y, y_max);
        label(buf, body.bottom() - 1, 0.0);
        if body.height >= 5 {
            label(buf, body.y + (body.height - 1) / 2, y_max / 2.0);
        }
        let datasets: Vec<Dataset> = self
            .series
            .iter()
            .flat_map(|s| {
                s.stretches.iter().map(|pts| {
                    Dataset::default()
                        .marker(self.mode.marker())
                        .graph_type(GraphType::Line)
                        .style(s.style)
                        .data(pts)
                })
            })
            .collect();
        Chart::new(datasets)
            .x_axis(Axis::default().bounds([self.x.0, self.x.1]))
            .y_axis(Axis::default().bounds([0.0, y_max]))
            .legend_position(None::<LegendPosition>)
            .render(graph, buf);
        if self.mode == ChartMarker::Ascii {
            for row in graph.y..graph.bottom() {
                for col in graph.x..graph.right() {
                    if let Some(cell) = buf.cell_mut((col, row))
                        && cell.symbol() == "•"
                    {
                        cell.set_symbol("*");
                    }
                }
            }
        }
        // Markers: a dotted line through the empty cells of their column.
        for (at, _) in self.markers {
            let Some(col) = column(*at, self.x, graph.x, graph.width) else {
                continue;
            };
            for row in graph.y..graph.bottom() {
                if let Some(cell) = buf.cell_mut((col, row))
                    && cell.symbol() == " "
                {
                    cell.set_symbol(self.mode.marker_line());
                    cell.set_style(self.marker_style);
                }
            }
        }
        alarm_overlay::thresholds(
            buf,
            graph,
            y_max,
            self.thresholds,
            self.mode,
            self.alarm_style,
        );
        alarm_overlay::periods(
            buf,
            graph,
            self.x,
            self.alarm_spans,
            self.mode,
            self.alarm_style,
        );
        if axis_h == 1 {
            let row = body.bottom();
            let axis = Rect {
                y: row,
                height: 1,
                ..graph
            };
            time_axis(&self, axis, buf);
        }
    }
}

/// `-1h ····· -30m ····· now`, with the markers' names at their columns. Markers that fall
/// on a taken column move left (`12` rather than `2` over `1`); a label a marker would cover
/// is left out.
fn time_axis(c: &TimeChart<'_>, area: Rect, buf: &mut Buffer) {
    let (x0, x1) = c.x;
    let span = (x1 - x0).max(0.0) as i64;
    let w = usize::from(area.width);
    let names = marker_columns(c, area.width);
    let line = if c.mode == ChartMarker::Ascii {
        '-'
    } else {
        '─'
    };
    let mut row = vec![line; w];
    let mut labels = vec![(0, format!("-{} ", short_span(span)))];
    if w > 24 {
        let mid = format!(" -{} ", short_span(span / 2));
        labels.push(((w / 2).saturating_sub(mid.chars().count() / 2), mid));
    }
    labels.push((w.saturating_sub(4), " now".into()));
    for (at, text) in labels {
        let end = at + text.chars().count();
        if names.iter().any(|(col, _)| (at..end).contains(col)) {
            continue;
        }
        for (i, ch) in text.chars().enumerate() {
            if let Some(slot) = row.get_mut(at + i) {
                *slot = ch;
            }
        }
    }
    let text: String = row.into_iter().collect();
    buf.set_stringn(area.x, area.y, &text, w, c.dim);
    for (col, name) in names {
        // Within the row by construction.
        buf.set_string(
            area.x + col as u16,
            area.y,
            name.to_string(),
            c.marker_style,
        );
    }
}

/// Each marker's column on a row `width` wide, moved left past the ones already placed.
fn marker_columns(c: &TimeChart<'_>, width: u16) -> Vec<(usize, char)> {
    let mut placed: Vec<(usize, char)> = vec![];
    for (at, name) in c.markers.iter().rev() {
        let Some(mut col) = column(*at, c.x, 0, width).map(usize::from) else {
            continue;
        };
        while placed.iter().any(|(p, _)| *p == col) && col > 0 {
            col -= 1;
        }
        if !placed.iter().any(|(p, _)| *p == col) {
            placed.push((col, *name));
        }
    }
    placed
}

/// `15m`, `1h`, `1h30m`, `2d`.
pub fn short_span(secs: i64) -> String {
    let m = secs / 60;
    match m {
        _ if secs < 60 => format!("{secs}s"),
        0..=59 if secs % 60 != 0 => format!("{m}m{}s", secs % 60),
        0..=59 => format!("{m}m"),
        _ if m % (24 * 60) == 0 => format!("{}d", m / (24 * 60)),
        _ if m % 60 == 0 => format!("{}h", m / 60),
        _ if m < 24 * 60 => format!("{}h{}m", m / 60, m % 60),
        _ => format!("{}h", m / 60),
    }
}

/// A compact number for an axis or a total: `0`, `7`, `12.5`, `840`, `1.2k`, `3.4M`.
pub fn compact(v: f64) -> String {
    let a = v.abs();
    if a >= 1e6 {
        format!("{:.1}M", v / 1e6)
    } else if a >= 1e4 {
        format!("{:.0}k", v / 1e3)
    } else if a >= 1e3 {
        format!("{:.1}k", v / 1e3)
    } else if a >= 100.0 || v.fract() == 0.0 {
        format!("{v:.0}")
    } else if a >= 10.0 {
        format!("{v:.1}")
    } else {
        format!("{v:.2}")
    }
}

/// A title line: the chart's name, then each series' label and value in its style.
pub fn title_line(name: &str, name_style: Style, legs: Vec<(String, Style)>) -> Line<'static> {
    let mut spans = vec![Span::styled(format!(" {name}"), name_style)];
    for (text, style) in legs {
        spans.push(Span::raw("  "));
        spans.push(Span::styled(text, style));
    }
    Line::from(spans)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markers_parse_cycle_and_name() {
        assert_eq!(ChartMarker::parse("Dot"), Some(ChartMarker::Dot));
        assert_eq!(
            ChartMarker::parse("halfblock"),
            Some(ChartMarker::HalfBlock)
        );
        assert_eq!(ChartMarker::parse("sparkles"), None);
        let mut m = ChartMarker::Braille;
        let mut seen = vec![];
        for _ in 0..4 {
            seen.push(m.name());
            m = m.next();
        }
        assert_eq!(seen, ["braille", "block", "dot", "ascii"]);
        assert_eq!(m, ChartMarker::Braille);
    }

    #[test]
    fn gaps_break_a_series_into_stretches() {
        let s = Series::from_grid(
            Style::new(),
            &[0, 60, 120, 180, 240],
            &[Some(1.0), Some(2.0), None, Some(4.0), None],
        );
        assert_eq!(
            s.stretches,
            vec![vec![(0.0, 1.0), (60.0, 2.0)], vec![(180.0, 4.0)]]
        );
    }

    #[test]
    fn axes_round_and_columns_map() {
        assert_eq!(nice(0.0), 1.0);
        assert_eq!(nice(7.0), 10.0);
        assert_eq!(nice(31.2), 50.0);
        assert_eq!(nice(200.0), 200.0);
        assert_eq!(column(0.0, (0.0, 100.0), 10, 11), Some(10));
        assert_eq!(column(100.0, (0.0, 100.0), 10, 11), Some(20));
        assert_eq!(column(50.0, (0.0, 100.0), 10, 11), Some(15));
        assert_eq!(column(101.0, (0.0, 100.0), 10, 11), None);
        assert_eq!(short_span(900), "15m");
        assert_eq!(short_span(450), "7m30s");
        assert_eq!(short_span(5400), "1h30m");
        assert_eq!(short_span(86_400), "1d");
        assert_eq!(compact(1234.0), "1.2k");
        assert_eq!(compact(31.25), "31.2");
        assert_eq!(compact(0.5), "0.50");
        assert_eq!(compact(12.0), "12");
    }

    #[test]
    fn markers_on_one_column_sit_side_by_side_and_hide_the_label_they_cover() {
        let series = [Series::from_grid(
            Style::new(),
            &[0, 120],
            &[Some(1.0), Some(1.0)],
        )];
        let chart = TimeChart {
            title: Line::raw(" T"),
            series: &series,
            x: (0.0, 120.0),
            markers: &[(120.0, '1'), (120.0, '2'), (120.0, '3')],
            mode: ChartMarker::Ascii,
            axis: true,
            fmt: compact,
            dim: Style::new(),
            marker_style: Style::new(),
            thresholds: &[],
            alarm_spans: &[],
            alarm_style: Style::new(),
        };
        let mut buf = Buffer::empty(Rect::new(0, 0, 40, 6));
        chart.render(buf.area, &mut buf);
        let axis: String = (0..40).map(|x| buf[(x, 5)].symbol().to_string()).collect();
        assert!(axis.ends_with("123"), "{axis}");
        assert!(!axis.contains("now"), "{axis}");
        assert!(axis.contains("-2m "), "{axis}");
    }

    #[test]
    fn ascii_mode_draws_no_unicode() {
        let series = [Series::from_grid(
            Style::new(),
            &[0, 60, 120],
            &[Some(1.0), Some(3.0), Some(2.0)],
        )];
        let chart = TimeChart {
            title: Line::raw(" T"),
            series: &series,
            x: (0.0, 120.0),
            markers: &[(60.0, '1')],
            mode: ChartMarker::Ascii,
            axis: true,
            fmt: compact,
            dim: Style::new(),
            marker_style: Style::new(),
            thresholds: &[],
            alarm_spans: &[],
            alarm_style: Style::new(),
        };
        let mut buf = Buffer::empty(Rect::new(0, 0, 30, 7));
        chart.render(buf.area, &mut buf);
        let text: String = buf.content().iter().map(|c| c.symbol()).collect();
        assert!(text.is_ascii(), "{text}");
        assert!(text.contains('*') && text.contains(':') && text.contains('1'));
    }
}
