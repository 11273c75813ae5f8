//! Drawing the whole screen from `&App`: header (where you are, what is armed), the visible
//! pane in a frame (red when its environment is protected, thick when armed), the status line,
//! the footer hints generated from the keymap, and the modal on top. Pure: no I/O, no clock
//! read (the app's last clock value is used).

use ratatui::buffer::Buffer;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Widget};

use super::app::{App, Modal};
use super::arming::ARM_FOR;
use super::keymap::Context;
use super::panes::Cx;
use super::time::countdown;
use super::widgets::arm::ArmView;
use super::widgets::confirm::ConfirmView;
use super::widgets::help::HelpView;
use super::widgets::messages::MessagesView;
use super::widgets::palette::PaletteView;
use super::widgets::status_line::StatusView;
use super::widgets::text_input::InputLine;

impl Widget for &App {
    fn render(self, area: Rect, buf: &mut Buffer) {
        let t = self.theme();
        let now = self.now();
        let [header, body, status, footer] = area.layout(&Layout::vertical([
            Constraint::Length(1),
            Constraint::Fill(1),
            Constraint::Length(1),
            Constraint::Length(1),
        ]));

        // Header: name, breadcrumbs, and the armed environments with their countdowns.
        let mut left = vec![
            Span::styled(" agentcore-console ", t.title),
            Span::styled("│ ", t.dim),
            Span::raw(self.breadcrumbs().join(" › ")),
        ];
        if self.writes_in_flight() > 0 {
            left.push(Span::styled(
                format!("  ⟳ {} write running", self.writes_in_flight()),
                t.warn,
            ));
        }
        Line::from(left).render(header, buf);
        let armed: Vec<String> = self
            .arming()
            .armed(now)
            .into_iter()
            .map(|(env, left)| format!(" ARMED {env} {} ", countdown(left)))
            .collect();
        let right = armed.concat();
        let w = right.chars().count() as u16;
        if w > 0 && w < header.width {
            buf.set_string(header.x + header.width - w, header.y, right, t.armed);
        }

        // The visible pane, framed.
        let pane = self.top();
        let env = pane.env();
        let protected = env.is_some_and(|e| self.is_protected(e));
        let armed_left = env.and_then(|e| self.arming().remaining(e, now));
        let (style, border) = t.frame(protected, armed_left.is_some());
        let mut title = vec![Span::styled(format!(" {} ", pane.title()), t.title)];
        if pane.busy() {
            title.push(Span::styled("⟳ ", t.dim));
        }
        if let (Some(e), true) = (env, protected) {
            let tag = match armed_left {
                Some(left) => format!(" {e} ARMED {} ", countdown(left)),
                None => format!(" {e} protected: read-only "),
            };
            title.push(Span::styled(
                tag,
                if armed_left.is_some() {
                    t.armed
                } else {
                    t.protected
                },
            ));
        }
        if !pane.filter().is_empty() {
            title.push(Span::styled(
                format!(" /{} ", crate::domain::sanitize::one_line(pane.filter())),
                t.warn,
            ));
        }
        let block = Block::bordered()
            .border_style(style)
            .border_type(border)
            .title(Line::from(title));
        let inner = block.inner(body);
        block.render(body, buf);
        let cx = Cx {
            theme: t,
            now,
            envs: self.envs(),
            arming: self.arming(),
        };
        pane.render(&cx, inner, buf);

        StatusView {
            status: self.status(),
            theme: t,
            now,
        }
        .render(status, buf);

        // Footer: the filter being typed, or the keys that matter here.
        if let Some(Modal::Filter(input)) = self.modal() {
            InputLine {
                prompt: " /",
                input,
                hint: "enter keep · esc clear",
                style: t.key,
                hint_style: t.dim,
            }
            .render(footer, buf);
        } else {
            hints(self, footer, buf);
        }

        match self.modal() {
            None | Some(Modal::Filter(_)) => {}
            Some(Modal::Help) => HelpView {
                keymap: self.keymap(),
                context: pane.context(),
                theme: t,
            }
            .render(body, buf),
            Some(Modal::Messages) => MessagesView {
                status: self.status(),
                theme: t,
                now,
            }
            .render(body, buf),
            Some(Modal::Palette(p)) => PaletteView {
                palette: p,
                theme: t,
            }
            .render(body, buf),
            Some(Modal::Arm(p)) => ArmView {
                prompt: p,
                theme: t,
                minutes: ARM_FOR.as_secs() / 60,
            }
            .render(body, buf),
            Some(Modal::Confirm(c)) => ConfirmView {
                prompt: c,
                theme: t,
                armed_left: self.arming().remaining(c.op.env(), now),
            }
            .render(body, buf),
        }
    }
}

fn hints(app: &App, area: Rect, buf: &mut Buffer) {
    let t = app.theme();
    let ctx = app.context();
    let pairs: Vec<(String, String)> = match ctx {
        Context::Global
        | Context::Matrix
        | Context::Runtime
        | Context::Audit
        | Context::Alarms
        | Context::Logs
        | Context::Traffic
        | Context::Invoke
        | Context::InvokeForm
        | Context::Rollout
        | Context::Metrics => app
            .keymap()
            .hints(ctx)
            .into_iter()
            .map(|(k, w)| (k, w.to_string()))
            .collect(),
        _ => app
            .keymap()
            .table(ctx)
            .iter()
            .filter(|e| {
                e.action.name() != Some("backspace") && e.action.name() != Some("clear-input")
            })
            .filter_map(|e| Some((e.keys.first()?.to_string(), e.desc.clone())))
            .collect(),
    };
    // Whole hints only: one cut in the middle of a word reads as a different key.
    let mut spans = vec![Span::raw(" ")];
    let mut used = 1;
    for (k, w) in pairs {
        let words = format!(" {w}  ");
        let width = unicode_width::UnicodeWidthStr::width(k.as_str())
            + unicode_width::UnicodeWidthStr::width(words.trim_end());
        if used + width > usize::from(area.width) {
            break;
        }
        used += width + 2;
        spans.push(Span::styled(k, t.key));
        spans.push(Span::styled(words, t.dim));
    }
    Line::from(spans).render(area, buf);
}
