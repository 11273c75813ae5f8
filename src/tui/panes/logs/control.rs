//! The logs pane's keys: its commands, the filter-pattern prompt, and scrolling (which holds
//! the view; the bottom, `G` or `space` resume following).

use std::sync::Arc;

use super::{JsonMode, LogCmd, LogsPane, Prompt, Scroll, Source, WINDOWS, format, rows};
use crate::domain::filter_pattern::FilterPattern;
use crate::tui::action::Action;
use crate::tui::io::Job;
use crate::tui::panes::{Effect, Fetch};
use crate::tui::time::Millis;
use crate::tui::widgets::status_line::Level;
use crate::tui::widgets::text_input::TextInput;

/// Rows assumed before the first draw.
const DEFAULT_ROWS: u16 = 20;

impl LogsPane {
    pub(super) fn command(&mut self, cmd: LogCmd, now: Millis) -> Effect {
        match cmd {
            LogCmd::Follow => {
                self.follow = !self.follow;
                Effect::Fetch(vec![self.start(now)])
            }
            LogCmd::Window(n) => {
                self.window = usize::from(n).min(WINDOWS.len() - 1);
                self.follow = true;
                Effect::Fetch(vec![self.start(now)])
            }
            LogCmd::Pause => {
                self.scroll = match self.scroll {
                    Scroll::Follow => self.held_at(self.top_pos()),
                    Scroll::At { .. } => Scroll::Follow,
                };
                Effect::Done
            }
            LogCmd::ServerFilter => {
                self.prompt = Some(Prompt {
                    input: TextInput::with(self.pattern.as_deref().unwrap_or_default()),
                    error: None,
                });
                Effect::Done
            }
            LogCmd::Highlight => {
                let top = self.held_seq();
                self.highlight = !self.highlight;
                self.keep_top(top);
                if self.regex_text.is_empty() {
                    let what = if self.highlight {
                        "highlights"
                    } else {
                        "filters"
                    };
                    return Effect::Notice(
                        Level::Info,
                        format!("the / regex now {what}: type one with /"),
                    );
                }
                Effect::Done
            }
            LogCmd::Wrap => {
                self.wrap = !self.wrap;
                Effect::Done
            }
            LogCmd::Timestamps => {
                self.timestamps = !self.timestamps;
                Effect::Done
            }
            LogCmd::Json => {
                self.json = match self.json {
                    JsonMode::Raw => JsonMode::Pretty,
                    JsonMode::Pretty => JsonMode::Columns,
                    JsonMode::Columns => JsonMode::Raw,
                };
                Effect::Done
            }
            LogCmd::Save => self.save(),
        }
    }

    fn save(&mut self) -> Effect {
        let shown = self.shown().len();
        if shown == 0 {
            return Effect::Notice(Level::Info, "no lines to save".into());
        }
        if self.saving {
            return Effect::Notice(Level::Info, "already saving".into());
        }
        self.saving = true;
        self.saves += 1;
        let name = match self.targets.as_slice() {
            [(env, runtime)] => format!("{runtime}-{env}"),
            [(_, runtime), ..] => format!("{runtime}-{}-sources", self.targets.len()),
            [] => "logs".into(),
        };
        Effect::Fetch(vec![Fetch {
            generation: self.saves,
            job: Job::SaveLogs {
                name,
                text: saved_text(self),
            },
        }])
    }

    /// Keys while the filter-pattern prompt is open: enter applies (when it parses), esc
    /// clears the pattern, as the `/` prompt does.
    pub(super) fn prompt_action(&mut self, action: &Action, now: Millis) -> Effect {
        let Some(prompt) = self.prompt.as_mut() else {
            return Effect::Done;
        };
        match action {
            Action::Submit => {
                let text = prompt.input.text.trim().to_string();
                if let Err(e) = FilterPattern::parse(&text) {
                    prompt.error = Some(e.to_string());
                    return Effect::Done;
                }
                self.prompt = None;
                let pattern = (!text.is_empty()).then_some(text);
                if pattern == self.pattern {
                    return Effect::Done;
                }
                self.pattern = pattern;
                Effect::Fetch(vec![self.start(now)])
            }
            Action::Back => {
                self.prompt = None;
                if self.pattern.take().is_some() {
                    return Effect::Fetch(vec![self.start(now)]);
                }
                Effect::Done
            }
            other => {
                if prompt.input.edit(other) {
                    prompt.error = None;
                }
                Effect::Done
            }
        }
    }

    /// Move the view; anything but the bottom holds it.
    pub(super) fn scroll_by(&mut self, action: &Action) {
        let len = self.shown().len();
        let page = usize::from(self.rows()).max(1);
        let pos = self.top_pos();
        let bottom = self.follow_top();
        let target = match action {
            Action::Up => pos.saturating_sub(1),
            Action::PageUp => pos.saturating_sub(page),
            Action::Down => pos + 1,
            Action::PageDown => pos + page,
            Action::Top => 0,
            _ => len,
        };
        let down = matches!(action, Action::Down | Action::PageDown | Action::Bottom);
        if down && target >= bottom.min(len) || *action == Action::Bottom {
            self.scroll = Scroll::Follow;
        } else {
            self.scroll = self.held_at(target.min(len.saturating_sub(1)));
        }
    }

    /// A held view with `pos` on top, keeping the mark of a view already held.
    fn held_at(&self, pos: usize) -> Scroll {
        let top = self.shown().seq_at(pos).unwrap_or(self.buf.end());
        let mark = match self.scroll {
            Scroll::At { mark, .. } => mark,
            Scroll::Follow => self.buf.end(),
        };
        Scroll::At { top, mark }
    }

    fn held_seq(&self) -> Option<u64> {
        match self.scroll {
            Scroll::At { top, .. } => Some(top),
            Scroll::Follow => None,
        }
    }

    /// After the shown set changed: keep a held view on the same line (or the next shown).
    fn keep_top(&mut self, top: Option<u64>) {
        if let (Some(top), Scroll::At { mark, .. }) = (top, self.scroll) {
            let pos = self.shown().pos_of(top);
            let top = self.shown().seq_at(pos).unwrap_or(top);
            self.scroll = Scroll::At { top, mark };
        }
    }

    /// The position of the line on the first row now.
    pub(super) fn top_pos(&self) -> usize {
        match self.scroll {
            Scroll::Follow => self.follow_top(),
            Scroll::At { top, .. } => self.shown().pos_of(top),
        }
    }

    /// The first line (position) on view when following: the newest lines that fill the
    /// rows, counted from the end (only as many lines as there are rows are looked at).
    pub(super) fn follow_top(&self) -> usize {
        let shown = self.shown();
        let (cols, rows, mono) = self.view();
        let rows = usize::from(if rows == 0 { DEFAULT_ROWS } else { rows });
        let mut used = 0;
        let mut pos = shown.len();
        while pos > 0 && used < rows {
            pos -= 1;
            if let Some(e) = shown.at(pos) {
                used += rows::rows(self, e, usize::from(cols.max(1)), rows, mono).len();
            }
        }
        // The oldest line looked at may not fit whole: following shows its end, a held view
        // starts with it.
        pos
    }

    pub(super) fn rows(&self) -> u16 {
        match self.view().1 {
            0 => DEFAULT_ROWS,
            r => r,
        }
    }
}

/// The text of a save: what is shown, one event per line (JSON pretty when shown so).
pub fn saved_text(pane: &LogsPane) -> Arc<str> {
    let mut out = String::new();
    for e in pane.shown().iter() {
        let source = pane
            .sources
            .get(usize::from(e.source))
            .map_or_else(|| "?".to_string(), Source::label);
        let msg = match pane.json {
            JsonMode::Pretty => format::pretty(&e.message).map_or_else(
                || crate::tui::panes::clean(&e.message),
                |p| crate::domain::sanitize::text(&p),
            ),
            _ => crate::tui::panes::clean(&e.message),
        };
        out.push_str(&format!(
            "{} {source} {msg}\n",
            format::rfc3339(e.timestamp)
        ));
    }
    out.into()
}
