//! The start form: the canary's version (typed) and the plan (chosen among the environment's
//! plans and the built-ins with ↑/↓). Nothing is sent from here: enter asks the backend for
//! the preview, which the confirm modal then shows.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{BorderType, Paragraph, Widget, Wrap};

use crate::domain::sanitize::one_line;
use crate::tui::action::Action;
use crate::tui::theme::Theme;
use crate::tui::widgets::text_input::TextInput;
use crate::tui::widgets::{frame, popup};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Field {
    Version,
    Plan,
}

#[derive(Debug, Clone, PartialEq)]
pub struct StartForm {
    pub version: TextInput,
    /// Plan names, the environment's first.
    pub plans: Vec<String>,
    pub plan: usize,
    pub focus: Field,
    pub error: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    Editing,
    Cancelled,
    Ready {
        canary_version: String,
        plan: String,
    },
}

impl StartForm {
    /// The default plan is `seed` when offered (the default), else the first.
    pub fn new(plans: Vec<String>) -> Self {
        let plan = plans.iter().position(|p| p == "seed").unwrap_or(0);
        Self {
            version: TextInput::default(),
            plans,
            plan,
            focus: Field::Version,
            error: None,
        }
    }

    pub fn handle(&mut self, action: &Action) -> Outcome {
        let n = self.plans.len().max(1);
        match action {
            Action::Back => return Outcome::Cancelled,
            Action::Complete => {
                self.focus = match self.focus {
                    Field::Version => Field::Plan,
                    Field::Plan => Field::Version,
                };
            }
            Action::Up => self.plan = (self.plan + n - 1) % n,
            Action::Down => self.plan = (self.plan + 1) % n,
            Action::Submit => {
                let v = self.version.text.trim().trim_start_matches('v').to_string();
                if v.is_empty() || !v.chars().all(|c| c.is_ascii_digit()) {
                    self.error = Some(format!(
                        "the canary version is a version number, not `{}`",
                        one_line(&v)
                    ));
                    return Outcome::Editing;
                }
                let Some(plan) = self.plans.get(self.plan) else {
                    self.error = Some("no plan to choose from".into());
                    return Outcome::Editing;
                };
                return Outcome::Ready {
                    canary_version: v,
                    plan: plan.clone(),
                };
            }
            other if self.focus == Field::Version && self.version.edit(other) => {
                self.error = None;
            }
            _ => {}
        }
        Outcome::Editing
    }
}

pub struct FormView<'a> {
    pub form: &'a StartForm,
    pub theme: &'a Theme,
    pub title: String,
    pub protected: bool,
}

impl Widget for FormView<'_> {
    fn render(self, area: Rect, buf: &mut Buffer) {
        let (t, f) = (self.theme, self.form);
        let focus = |field| if f.focus == field { t.key } else { t.text };
        let plans: Vec<Span> = f
            .plans
            .iter()
            .enumerate()
            .map(|(i, p)| {
                let style = if i == f.plan {
                    focus(Field::Plan)
                } else {
                    t.dim
                };
                let mark = if i == f.plan { "◉" } else { "○" };
                Span::styled(format!("{mark} {}  ", one_line(p)), style)
            })
            .collect();
        let mut lines = vec![
            Line::from(vec![
                Span::styled(" canary version  ", t.dim),
                Span::styled(one_line(&f.version.text), focus(Field::Version)),
                Span::styled(
                    if f.focus == Field::Version {
                        "▏"
                    } else {
                        " "
                    },
                    t.key,
                ),
            ]),
            Line::from([vec![Span::styled(" plan (↑/↓)      ", t.dim)], plans].concat()),
        ];
        if let Some(e) = &f.error {
            lines.push(Line::styled(format!(" ✗ {e}"), t.error));
        }
        lines.push(Line::from(vec![
            Span::styled(" enter", t.key),
            Span::styled(" read the preview (nothing is sent yet)  ", t.dim),
            Span::styled("tab", t.key),
            Span::styled(" next field  ", t.dim),
            Span::styled("esc", t.key),
            Span::styled(" cancel", t.dim),
        ]));
        let width = area.width.saturating_sub(4).min(100);
        let height = u16::try_from(lines.len()).unwrap_or(6) + 2;
        let at = popup(area, width, height);
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

    #[test]
    fn the_form_offers_the_plans_and_checks_the_version() {
        let mut f = StartForm::new(vec!["fast".into(), "seed".into(), "blue-green".into()]);
        assert_eq!(f.plan, 1, "seed by default");
        assert_eq!(f.handle(&Action::Submit), Outcome::Editing);
        assert!(f.error.as_deref().is_some_and(|e| e.contains("version")));
        f.handle(&Action::Char('4'));
        assert_eq!(f.error, None);
        f.handle(&Action::Down);
        assert_eq!(
            f.handle(&Action::Submit),
            Outcome::Ready {
                canary_version: "4".into(),
                plan: "blue-green".into()
            }
        );
        f.handle(&Action::Down);
        assert_eq!(f.plan, 0, "wraps");
        assert_eq!(f.handle(&Action::Back), Outcome::Cancelled);
    }
}
