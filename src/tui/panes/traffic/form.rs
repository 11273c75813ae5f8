//! The weight form: the canary's version and its percent of new sessions, checked before
//! anything is asked of anyone (a weight of 101 never leaves the pane).

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{BorderType, Paragraph, Widget, Wrap};

use crate::domain::RuntimeVersion;
use crate::tui::action::Action;
use crate::tui::theme::Theme;
use crate::tui::widgets::text_input::TextInput;
use crate::tui::widgets::{frame, popup};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Field {
    Version,
    Weight,
}

#[derive(Debug, Clone, PartialEq)]
pub struct WeightForm {
    pub version: TextInput,
    pub weight: TextInput,
    pub focus: Field,
    /// Why the last enter was refused.
    pub error: Option<String>,
}

/// What an action did to the form.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// Still editing.
    Editing,
    Cancelled,
    /// Checked: this version at this percent.
    Ready {
        version: String,
        weight: i32,
    },
}

impl WeightForm {
    pub fn new(version: &str, weight: i32) -> Self {
        Self {
            version: TextInput::with(version),
            weight: TextInput::with(&weight.to_string()),
            focus: Field::Weight,
            error: None,
        }
    }

    /// Take an action; `versions` are the runtime's (the version must be one that has not
    /// failed).
    pub fn handle(&mut self, action: &Action, versions: &[RuntimeVersion]) -> Outcome {
        match action {
            Action::Back => return Outcome::Cancelled,
            Action::Complete | Action::Up | Action::Down => {
                self.focus = match self.focus {
                    Field::Version => Field::Weight,
                    Field::Weight => Field::Version,
                };
            }
            Action::Submit => match check(&self.version.text, &self.weight.text, versions) {
                Ok((version, weight)) => return Outcome::Ready { version, weight },
                Err(e) => self.error = Some(e),
            },
            other => {
                let input = match self.focus {
                    Field::Version => &mut self.version,
                    Field::Weight => &mut self.weight,
                };
                if input.edit(other) {
                    self.error = None;
                }
            }
        }
        Outcome::Editing
    }
}

/// The weight is a whole number 0..=100; the version one of the runtime's that has not failed.
pub fn check(
    version: &str,
    weight: &str,
    versions: &[RuntimeVersion],
) -> Result<(String, i32), String> {
    let w = weight.trim();
    let weight = match w.parse::<i32>() {
        Ok(n) if (0..=100).contains(&n) => n,
        _ => {
            return Err(format!(
                "the weight must be a whole number from 0 to 100, not `{}`",
                crate::domain::sanitize::one_line(w)
            ));
        }
    };
    let version = version.trim().trim_start_matches('v').to_string();
    let known: Vec<&str> = versions.iter().map(|v| v.version.as_str()).collect();
    match versions.iter().find(|v| v.version == version) {
        None => Err(format!(
            "no version `{}` (there are {})",
            crate::domain::sanitize::one_line(&version),
            known.join(", ")
        )),
        Some(v) if v.status.is_failed() => Err(format!(
            "version {version} is {}: an endpoint cannot serve it",
            v.status
        )),
        Some(_) => Ok((version, weight)),
    }
}

pub struct FormView<'a> {
    pub form: &'a WeightForm,
    pub theme: &'a Theme,
    pub title: String,
    /// `4 READY, 3 READY, 2 CREATE_FAILED, …`
    pub versions: String,
    pub protected: bool,
}

impl Widget for FormView<'_> {
    fn render(self, area: Rect, buf: &mut Buffer) {
        let t = self.theme;
        let f = self.form;
        let field = |label: &str, input: &TextInput, focus: bool, note: String| {
            let style = if focus { t.key } else { t.text };
            Line::from(vec![
                Span::styled(format!(" {label:<16}"), t.dim),
                Span::styled(crate::domain::sanitize::one_line(&input.text), style),
                Span::styled(if focus { "▏" } else { " " }, t.key),
                Span::styled(format!("   {note}"), t.dim),
            ])
        };
        let mut lines = vec![
            field(
                "canary version",
                &f.version,
                f.focus == Field::Version,
                format!("versions: {}", self.versions),
            ),
            field(
                "weight %",
                &f.weight,
                f.focus == Field::Weight,
                "of new sessions to the canary, 0-100".into(),
            ),
        ];
        if let Some(e) = &f.error {
            lines.push(Line::styled(format!(" ✗ {e}"), t.error));
        }
        lines.push(Line::from(vec![
            Span::styled(" enter", t.key),
            Span::styled(" review the change (nothing is sent yet)  ", t.dim),
            Span::styled("tab", t.key),
            Span::styled(" next field  ", t.dim),
            Span::styled("esc", t.key),
            Span::styled(" cancel", t.dim),
        ]));
        let width = area.width.saturating_sub(4).min(100);
        let height = lines.len() as u16 + 2;
        let at = popup(area, width, height);
        let at = Rect {
            y: area.bottom().saturating_sub(height + 1).max(area.y),
            ..at
        };
        let style = if self.protected { t.protected } else { t.title };
        let title = Line::from(Span::styled(format!(" {} ", self.title), t.title));
        let inner = frame(at, buf, title, style, BorderType::Rounded);
        Paragraph::new(lines)
            .wrap(Wrap { trim: false })
            .render(inner, buf);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::Status;

    fn versions() -> Vec<RuntimeVersion> {
        [("4", Status::Ready), ("2", Status::CreateFailed)]
            .into_iter()
            .map(|(v, status)| RuntimeVersion {
                version: v.into(),
                status,
                description: None,
                last_updated_at: None,
                lineage: None,
            })
            .collect()
    }

    #[test]
    fn weights_outside_0_to_100_and_unusable_versions_are_refused() {
        let vs = versions();
        assert_eq!(check("4", "25", &vs), Ok(("4".into(), 25)));
        assert_eq!(check("v4", " 0 ", &vs), Ok(("4".into(), 0)));
        for bad in ["101", "-1", "ten", "", "12.5"] {
            let e = check("4", bad, &vs).expect_err(bad);
            assert!(e.contains("0 to 100"), "{e}");
        }
        assert!(check("9", "10", &vs).is_err_and(|e| e.contains("no version `9`")));
        assert!(check("2", "10", &vs).is_err_and(|e| e.contains("CREATE_FAILED")));
    }

    #[test]
    fn the_form_edits_the_focused_field_and_submits_only_when_valid() {
        let vs = versions();
        let mut f = WeightForm::new("4", 10);
        for a in [
            Action::ClearInput,
            Action::Char('1'),
            Action::Char('0'),
            Action::Char('1'),
        ] {
            assert_eq!(f.handle(&a, &vs), Outcome::Editing);
        }
        assert_eq!(f.handle(&Action::Submit, &vs), Outcome::Editing);
        assert!(f.error.is_some());
        f.handle(&Action::Backspace, &vs);
        assert_eq!(f.error, None, "editing clears the error");
        f.handle(&Action::Complete, &vs);
        assert_eq!(f.focus, Field::Version);
        assert_eq!(
            f.handle(&Action::Submit, &vs),
            Outcome::Ready {
                version: "4".into(),
                weight: 10
            }
        );
        assert_eq!(f.handle(&Action::Back, &vs), Outcome::Cancelled);
    }
}
