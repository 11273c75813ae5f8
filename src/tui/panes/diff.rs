//! Two versions of one runtime compared (`runtime diff` as a view): the fields that differ,
//! left against right, or "no differences". `[`/`]` step the left side's version, so one
//! environment's history can be walked against a fixed right side.

use std::time::Duration;

use ratatui::buffer::Buffer;
use ratatui::layout::{Constraint, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Row, Table, Widget, Wrap};

use super::{Cx, Effect, Pane, clean, step};
use crate::backend::runtimes::config::DiffSide;
use crate::domain::version_config::{RuntimeDiff, VersionConfig};
use crate::tui::action::Action;
use crate::tui::io::{Job, Reply};
use crate::tui::keymap::Context;
use crate::tui::loadable::{Loadable, Requests, Slot};
use crate::tui::time::Millis;

/// Settings change only with a deploy: a slow poll is enough.
pub const POLL: Duration = Duration::from_secs(30);

pub struct DiffPane {
    runtime: String,
    left: DiffSide,
    right: DiffSide,
    slot: Slot<Box<RuntimeDiff>>,
    sel: usize,
    filter: String,
}

impl DiffPane {
    pub fn new(runtime: &str, left: DiffSide, right: DiffSide) -> Self {
        Self {
            runtime: runtime.to_string(),
            left,
            right,
            slot: Slot::default(),
            sel: 0,
            filter: String::new(),
        }
    }

    pub fn sides(&self) -> (&DiffSide, &DiffSide) {
        (&self.left, &self.right)
    }

    fn job(&self) -> Job {
        Job::RuntimeDiff {
            runtime: self.runtime.clone(),
            left: self.left.clone(),
            right: self.right.clone(),
        }
    }

    /// The left side's version moved by `by`, from the one on screen (or the one asked for).
    fn step_left(&mut self, by: i64, now: Millis) -> Effect {
        let shown = self
            .left
            .version
            .clone()
            .or_else(|| self.slot.value().map(|d| d.left.version.clone()));
        let Some(v) = shown.and_then(|v| v.parse::<i64>().ok()) else {
            return Effect::Done;
        };
        let next = (v + by).max(1);
        if next == v {
            return Effect::Done;
        }
        self.left.version = Some(next.to_string());
        self.sel = 0;
        Effect::Fetch(self.refresh(now))
    }
}

fn side(c: &VersionConfig) -> String {
    let served = if c.served_by.is_empty() {
        String::new()
    } else {
        format!(" ({})", c.served_by.join(", "))
    };
    clean(&format!("{} v{}{served}", c.env, c.version))
}

impl Pane for DiffPane {
    fn context(&self) -> Context {
        Context::Diff
    }

    fn title(&self) -> String {
        let v = |s: &DiffSide| {
            s.version
                .as_deref()
                .map(|v| format!(" v{v}"))
                .unwrap_or_default()
        };
        format!(
            "diff {}: {}{} ↔ {}{}",
            self.runtime,
            self.left.env,
            v(&self.left),
            self.right.env,
            v(&self.right)
        )
    }

    fn env(&self) -> Option<&str> {
        Some(&self.left.env)
    }

    fn slot(&self) -> Option<&dyn Requests> {
        Some(&self.slot)
    }

    fn slot_mut(&mut self) -> Option<&mut dyn Requests> {
        Some(&mut self.slot)
    }

    fn slot_job(&self) -> Option<(Job, Duration)> {
        Some((self.job(), POLL))
    }

    fn apply(&mut self, generation: u64, reply: Reply, now: Millis) -> bool {
        let Reply::RuntimeDiff(result) = reply else {
            return false;
        };
        self.slot.accept(generation, result, now)
    }

    fn handle(&mut self, action: &Action, now: Millis) -> Option<Effect> {
        match action {
            Action::OlderVersion => return Some(self.step_left(-1, now)),
            Action::NewerVersion => return Some(self.step_left(1, now)),
            _ => {}
        }
        let len = self.slot.value().map_or(0, |d| d.differences.len());
        let s = step(self.sel, len, action, 10)?;
        self.sel = s;
        Some(Effect::Done)
    }

    fn filter(&self) -> &str {
        &self.filter
    }

    fn set_filter(&mut self, filter: &str) {
        self.filter = filter.to_string();
        self.sel = 0;
    }

    fn render(&self, cx: &Cx<'_>, area: Rect, buf: &mut Buffer) {
        let t = cx.theme;
        let d = match self.slot.state() {
            Loadable::Idle | Loadable::Loading => {
                return Line::styled(format!(" Comparing {}…", clean(&self.runtime)), t.dim)
                    .render(area, buf);
            }
            Loadable::Failed(e) => {
                return Paragraph::new(vec![
                    Line::styled(format!(" ✗ {}", clean(e)), t.error),
                    Line::raw(""),
                    Line::styled(" [ ] pick another version; esc goes back.", t.dim),
                ])
                .wrap(Wrap { trim: false })
                .render(area, buf);
            }
            Loadable::Ready(d) => d,
        };
        let (l, r) = (side(&d.left), side(&d.right));
        let mut head = vec![Line::from(vec![
            Span::styled(" left ", t.dim),
            Span::raw(l.clone()),
            Span::styled("  right ", t.dim),
            Span::raw(r.clone()),
        ])];
        if let Some(e) = self.slot.error() {
            head.push(Line::styled(
                format!(" ✗ refresh failed: {}", clean(e)),
                t.error,
            ));
        }
        let head_h = head.len() as u16 + 1;
        Paragraph::new(head).render(area, buf);
        let rest = Rect {
            y: area.y + head_h,
            height: area.height.saturating_sub(head_h),
            ..area
        };
        if d.differences.is_empty() {
            return Line::styled(" no differences", t.ok).render(rest, buf);
        }
        let f = self.filter.to_lowercase();
        let rows: Vec<Row> = d
            .differences
            .iter()
            .filter(|x| f.is_empty() || x.field.contains(&f))
            .enumerate()
            .map(|(i, x)| {
                let row = Row::new(vec![
                    format!("{}{}", if i == self.sel { "▸ " } else { "  " }, x.field),
                    clean(&x.left),
                    clean(&x.right),
                ]);
                if i == self.sel {
                    row.style(t.selected)
                } else {
                    row
                }
            })
            .collect();
        let widths = [
            Constraint::Length(22),
            Constraint::Fill(1),
            Constraint::Fill(1),
        ];
        Table::new(rows, widths)
            .header(Row::new(vec!["  FIELD".to_string(), l, r]).style(t.title))
            .column_spacing(1)
            .render(rest, buf);
    }
}
