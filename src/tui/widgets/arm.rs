//! The arm prompt: a protected environment accepts writes only after its name is typed, and
//! only for a while. A write that was waiting for it continues to its confirmation.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Widget;

use super::text_input::{InputLine, TextInput};
use super::{frame, popup};
use crate::tui::theme::Theme;
use crate::tui::write::WriteOp;

#[derive(Debug, Clone, PartialEq)]
pub struct ArmPrompt {
    pub env: String,
    pub input: TextInput,
    /// Why the last attempt was refused.
    pub error: Option<String>,
    /// The write that asked for arming, if any: it goes on to confirmation.
    pub then: Option<WriteOp>,
}

impl ArmPrompt {
    pub fn new(env: &str, then: Option<WriteOp>) -> Self {
        Self {
            env: env.to_string(),
            input: TextInput::default(),
            error: None,
            then,
        }
    }
}

pub struct ArmView<'a> {
    pub prompt: &'a ArmPrompt,
    pub theme: &'a Theme,
    pub minutes: u64,
}

impl Widget for ArmView<'_> {
    fn render(self, area: Rect, buf: &mut Buffer) {
        let t = self.theme;
        let p = self.prompt;
        let width = area.width.saturating_sub(4).min(76);
        let box_area = popup(area, width, 9);
        let title = Line::from(Span::styled(format!(" arm {} ", p.env), t.protected));
        let (style, border) = t.frame(true, false);
        let inner = frame(box_area, buf, title, style, border);
        let mut lines = vec![
            Line::from(vec![
                Span::styled(p.env.clone(), t.protected),
                Span::raw(" is protected: writes are refused until it is armed."),
            ]),
            Line::raw(format!(
                "Type its name and press enter to allow writes for {} minutes.",
                self.minutes
            )),
        ];
        lines.push(match &p.then {
            Some(op) => Line::styled(format!("Then: {}", op.title()), t.dim),
            None => Line::raw(""),
        });
        for (i, l) in lines.into_iter().enumerate() {
            l.render(
                Rect::new(
                    inner.x + 1,
                    inner.y + i as u16,
                    inner.width.saturating_sub(1),
                    1,
                ),
                buf,
            );
        }
        let y = inner.y + 4;
        if y < inner.bottom() {
            InputLine {
                prompt: "> ",
                input: &p.input,
                hint: "enter arm · esc cancel",
                style: t.key,
                hint_style: t.dim,
            }
            .render(
                Rect::new(inner.x + 1, y, inner.width.saturating_sub(1), 1),
                buf,
            );
        }
        if let Some(e) = &p.error
            && y + 2 < inner.bottom()
        {
            buf.set_string(inner.x + 1, y + 2, format!("✗ {e}"), t.error);
        }
    }
}
