//! Styles, in one place. Protected environments are red; with `NO_COLOR` set there is no
//! colour at all and emphasis comes from bold, reverse and the border shape instead.

use std::str::FromStr;

use ratatui::style::{Color, Modifier, Style};
use ratatui::widgets::BorderType;

use super::widgets::chart::ChartMarker;
use crate::domain::Status;

/// Every style the console draws with.
#[derive(Debug, Clone, PartialEq)]
pub struct Theme {
    /// False under `NO_COLOR`: no foreground or background colour anywhere.
    pub color: bool,
    pub text: Style,
    pub dim: Style,
    pub title: Style,
    pub ok: Style,
    pub warn: Style,
    pub error: Style,
    /// Protected (read-only) environments: their name, their frame.
    pub protected: Style,
    /// An armed environment: writes allowed for a while.
    pub armed: Style,
    /// The selected row or cell.
    pub selected: Style,
    /// Keys in the footer and the help.
    pub key: Style,
    pub border: Style,
    /// How charts draw their lines (`chart_marker` in `theme.toml`: braille, block, dot,
    /// ascii); braille is the finest and breaks in some fonts.
    pub chart_marker: ChartMarker,
}

/// Whether the `NO_COLOR` convention asks for no colour (set and not empty).
pub fn no_color_requested() -> bool {
    std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty())
}

impl Theme {
    pub fn colored() -> Self {
        Self {
            color: true,
            text: Style::new(),
            dim: Style::new().fg(Color::DarkGray),
            title: Style::new().fg(Color::Cyan).add_modifier(Modifier::BOLD),
            ok: Style::new().fg(Color::Green),
            warn: Style::new().fg(Color::Yellow),
            error: Style::new().fg(Color::Red).add_modifier(Modifier::BOLD),
            protected: Style::new().fg(Color::Red).add_modifier(Modifier::BOLD),
            armed: Style::new()
                .fg(Color::White)
                .bg(Color::Red)
                .add_modifier(Modifier::BOLD),
            selected: Style::new().bg(Color::Blue).fg(Color::White),
            key: Style::new().fg(Color::Cyan).add_modifier(Modifier::BOLD),
            border: Style::new().fg(Color::DarkGray),
            chart_marker: ChartMarker::default(),
        }
    }

    /// No colour: bold, underline, reverse and dim carry the emphasis.
    pub fn mono() -> Self {
        let bold = Style::new().add_modifier(Modifier::BOLD);
        Self {
            color: false,
            text: Style::new(),
            dim: Style::new().add_modifier(Modifier::DIM),
            title: bold,
            ok: Style::new(),
            warn: bold,
            error: bold.add_modifier(Modifier::UNDERLINED),
            protected: bold,
            armed: bold.add_modifier(Modifier::REVERSED),
            selected: Style::new().add_modifier(Modifier::REVERSED),
            key: bold,
            border: Style::new(),
            chart_marker: ChartMarker::default(),
        }
    }

    /// The default for this process: mono under `NO_COLOR`.
    pub fn for_terminal() -> Self {
        if no_color_requested() {
            Self::mono()
        } else {
            Self::colored()
        }
    }

    pub fn status(&self, s: &Status) -> Style {
        if s.is_failed() {
            self.error
        } else if s.is_transitional() {
            self.warn
        } else if *s == Status::Ready {
            self.ok
        } else {
            self.text
        }
    }

    /// An alarm state: ALARM in the error style, missing data dim, OK green.
    pub fn alarm(&self, s: crate::domain::alarms::AlarmState) -> Style {
        use crate::domain::alarms::AlarmState;
        match s {
            AlarmState::Alarm => self.error,
            AlarmState::InsufficientData => self.dim,
            AlarmState::Ok => self.ok,
        }
    }

    /// The frame of a pane over `protected` / `armed` environments: red (or, without colour,
    /// double lines), thick when armed.
    pub fn frame(&self, protected: bool, armed: bool) -> (Style, BorderType) {
        match (protected, armed) {
            (true, true) => (self.protected, BorderType::Thick),
            (true, false) if self.color => (self.protected, BorderType::Plain),
            (true, false) => (self.protected, BorderType::Double),
            (false, _) => (self.border, BorderType::Plain),
        }
    }

    /// Apply `theme.toml` (colour names, `#rrggbb` or 0-255), field by field; returns one
    /// warning per entry it could not use. Ignored without colour.
    pub fn apply_overrides(&mut self, text: &str) -> Vec<String> {
        let mut table: toml::Table = match text.parse() {
            Ok(t) => t,
            Err(e) => return vec![format!("theme.toml: {}", one_line(&e.to_string()))],
        };
        let mut warnings = vec![];
        if let Some(v) = table.remove("chart_marker") {
            match v.as_str().and_then(ChartMarker::parse) {
                Some(m) => self.chart_marker = m,
                None => warnings.push(format!(
                    "theme.toml: `chart_marker` must be braille, block, dot or ascii, not {v}"
                )),
            }
        }
        if !self.color {
            return warnings;
        }
        for (key, value) in table {
            let Some(name) = value.as_str() else {
                warnings.push(format!("theme.toml: `{key}` must be a colour string"));
                continue;
            };
            let Ok(c) = Color::from_str(name) else {
                warnings.push(format!("theme.toml: `{key}`: `{name}` is not a colour"));
                continue;
            };
            match key.as_str() {
                "title" => self.title = self.title.fg(c),
                "dim" => self.dim = self.dim.fg(c),
                "ok" => self.ok = self.ok.fg(c),
                "warn" => self.warn = self.warn.fg(c),
                "error" => self.error = self.error.fg(c),
                "protected" => {
                    self.protected = self.protected.fg(c);
                    self.armed = self.armed.bg(c);
                }
                "selected" => self.selected = self.selected.bg(c),
                "key" => self.key = self.key.fg(c),
                "border" => self.border = self.border.fg(c),
                _ => warnings.push(format!(
                    "theme.toml: unknown key `{key}` (title, dim, ok, warn, error, protected, selected, key, border, chart_marker)"
                )),
            }
        }
        warnings
    }
}

fn one_line(s: &str) -> String {
    s.lines().next().unwrap_or_default().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn overrides_apply_and_bad_entries_warn() {
        let mut t = Theme::colored();
        let w = t.apply_overrides("protected = \"magenta\"\nok = \"nope\"\nwat = \"red\"\n");
        assert_eq!(t.protected.fg, Some(Color::Magenta));
        assert_eq!(w.len(), 2, "{w:?}");
        let w = t.apply_overrides("this is not toml");
        assert_eq!(w.len(), 1);
        let mut m = Theme::mono();
        assert!(m.apply_overrides("protected = \"red\"").is_empty());
        assert_eq!(m.protected.fg, None, "no colour under NO_COLOR");
    }
}
