//! The `:` command palette: type to narrow a list of destinations (environments, runtimes in
//! each environment, panes, commands), tab completes, ↑/↓ choose, enter goes.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{BorderType, Widget};

use super::text_input::{InputLine, TextInput};
use super::{frame, popup};
use crate::tui::action::Action;
use crate::tui::theme::Theme;

/// Candidates shown at once.
const SHOWN: usize = 8;

/// One destination.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PaletteItem {
    /// What is typed and completed (`weather_mcp prod`, `env staging`, `audit`).
    pub label: String,
    /// What it does, shown beside it.
    pub hint: String,
    pub action: Action,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Palette {
    pub input: TextInput,
    items: Vec<PaletteItem>,
    selected: usize,
}

impl Palette {
    pub fn new(items: Vec<PaletteItem>) -> Self {
        Self {
            input: TextInput::default(),
            items,
            selected: 0,
        }
    }

    /// The candidates for the input, best first: every word typed must appear in the label;
    /// labels that start with the input come first, then shorter ones.
    pub fn matches(&self) -> Vec<&PaletteItem> {
        let query = self.input.text.to_lowercase();
        let terms: Vec<&str> = query.split_whitespace().collect();
        let mut found: Vec<(u8, &PaletteItem)> = self
            .items
            .iter()
            .filter_map(|item| {
                let label = item.label.to_lowercase();
                if !terms.iter().all(|t| label.contains(t)) {
                    return None;
                }
                let rank = if label.starts_with(query.trim()) {
                    0
                } else if terms
                    .first()
                    .is_some_and(|t| label.split([' ', '_', '-']).any(|w| w.starts_with(t)))
                {
                    1
                } else {
                    2
                };
                Some((rank, item))
            })
            .collect();
        found.sort_by(|a, b| {
            a.0.cmp(&b.0)
                .then(a.1.label.len().cmp(&b.1.label.len()))
                .then(a.1.label.cmp(&b.1.label))
        });
        found.into_iter().map(|(_, i)| i).collect()
    }

    pub fn selected(&self) -> usize {
        self.selected
    }

    /// Typing, ↑/↓ and tab; false if the action is not the palette's.
    pub fn edit(&mut self, action: &Action) -> bool {
        let count = self.matches().len();
        match action {
            Action::Up => self.selected = self.selected.saturating_sub(1),
            Action::Down => self.selected = (self.selected + 1).min(count.saturating_sub(1)),
            Action::Complete => {
                if let Some(label) = self.matches().get(self.selected).map(|i| i.label.clone()) {
                    self.input.text = label;
                    self.selected = 0;
                }
            }
            other => {
                if !self.input.edit(other) {
                    return false;
                }
                self.selected = 0;
            }
        }
        true
    }

    /// The action of the selected candidate.
    pub fn chosen(&self) -> Option<Action> {
        self.matches()
            .get(self.selected)
            .map(|item| item.action.clone())
    }
}

pub struct PaletteView<'a> {
    pub palette: &'a Palette,
    pub theme: &'a Theme,
}

impl Widget for PaletteView<'_> {
    fn render(self, area: Rect, buf: &mut Buffer) {
        let t = self.theme;
        let matches = self.palette.matches();
        let shown = matches.len().clamp(1, SHOWN);
        let width = area.width.saturating_sub(4).min(72);
        let box_area = popup(area, width, shown as u16 + 3);
        let box_area = Rect {
            y: area.y + 1,
            ..box_area
        };
        let title = Line::from(Span::styled(" jump to ", t.title));
        let inner = frame(box_area, buf, title, t.border, BorderType::Plain);
        InputLine {
            prompt: ":",
            input: &self.palette.input,
            hint: "tab complete · enter go · esc close",
            style: t.key,
            hint_style: t.dim,
        }
        .render(Rect { height: 1, ..inner }, buf);
        if matches.is_empty() {
            buf.set_string(inner.x, inner.y + 1, "no match", t.dim);
            return;
        }
        let first = self.palette.selected.saturating_sub(SHOWN - 1);
        let label_w = matches
            .iter()
            .map(|m| m.label.chars().count())
            .max()
            .unwrap_or(0);
        for (row, (i, item)) in matches
            .iter()
            .enumerate()
            .skip(first)
            .take(SHOWN)
            .enumerate()
        {
            let y = inner.y + 1 + row as u16;
            if y >= inner.bottom() {
                break;
            }
            let style = if i == self.palette.selected {
                t.selected
            } else {
                t.text
            };
            let line = Line::from(vec![
                Span::styled(format!(" {:<label_w$} ", item.label), style),
                Span::styled(format!(" {}", item.hint), t.dim),
            ]);
            line.render(Rect::new(inner.x, y, inner.width, 1), buf);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn item(label: &str) -> PaletteItem {
        PaletteItem {
            label: label.into(),
            hint: String::new(),
            action: Action::FocusRuntime(label.into()),
        }
    }

    #[test]
    fn words_narrow_prefixes_rank_first_and_tab_completes() {
        let mut p = Palette::new(vec![
            item("weather_mcp prod"),
            item("weather_mcp dev"),
            item("env prod"),
            item("docs_mcp prod"),
        ]);
        for c in "prod".chars() {
            p.edit(&Action::Char(c));
        }
        let labels: Vec<_> = p.matches().iter().map(|i| i.label.as_str()).collect();
        assert_eq!(labels, ["env prod", "docs_mcp prod", "weather_mcp prod"]);
        p.edit(&Action::ClearInput);
        for c in "wea pr".chars() {
            p.edit(&Action::Char(c));
        }
        assert_eq!(p.matches().len(), 1);
        p.edit(&Action::Complete);
        assert_eq!(p.input.text, "weather_mcp prod");
        assert_eq!(
            p.chosen(),
            Some(Action::FocusRuntime("weather_mcp prod".into()))
        );
    }
}
