//! One runtime in one environment over time, per endpoint (so per version: "live v3",
//! "canary v4"): invocations, errors, error rate, throttles, p50 and p99 latency as charts,
//! with the deploys, rollbacks and traffic changes of the audit log marked on the time axis.
//! `1`..`5` pick the range (15m … 24h), `+`/`-` zoom and `=` resets, `b` cycles the chart
//! lines (braille, block, dot, ascii), `j`/`k` scroll when the charts do not all fit. One
//! `backend::metrics::fetch` per refresh. The runtime's alarms draw their thresholds on their
//! charts and their periods in ALARM along the time axis.

pub mod alarm_lines;
mod render;
pub mod rollout_marks;
pub mod window;

use std::time::Duration;

use self::window::{Marker, RANGES, View, markers};
use super::{Effect, Pane};
use crate::tui::action::Action;
use crate::tui::io::{Job, MetricsData, Reply};
use crate::tui::keymap::{Context, Entry, e};
use crate::tui::loadable::{Requests, Slot};
use crate::tui::time::Millis;
use crate::tui::widgets::chart::ChartMarker;
use crate::tui::widgets::status_line::Level;

/// How often the visible charts refresh (CloudWatch publishes per minute).
pub const POLL: Duration = Duration::from_secs(30);
/// The charts of the pane, in order.
pub const CHARTS: usize = 6;

/// The metrics pane's keys.
pub fn keys(nav: &impl Fn(&str) -> Vec<Entry>) -> Vec<Entry> {
    use Action as A;
    let mut k: Vec<Entry> = RANGES
        .iter()
        .enumerate()
        .map(|(i, (label, _))| {
            let key = (i + 1).to_string();
            e(
                A::Range(i as u8),
                &[key.as_str()],
                &format!("the last {label}"),
                Some(*label),
            )
        })
        .collect();
    k.extend([
        e(
            A::ZoomIn,
            &["+"],
            "zoom in: half the time span",
            Some("zoom"),
        ),
        e(A::ZoomOut, &["-"], "zoom out: twice the time span", None),
        e(A::ZoomReset, &["="], "reset the zoom", None),
        e(
            A::ChartMarker,
            &["b"],
            "chart lines: braille, block, dot, ascii (for fonts without braille)",
            Some("lines"),
        ),
    ]);
    k.extend(nav("chart row"));
    k
}

pub struct MetricsPane {
    env: String,
    runtime: String,
    slot: Slot<Box<MetricsData>>,
    markers: Vec<Marker>,
    /// Per endpoint that moved inside the fetched window: ` (v3 until 10:02)`. Read from the
    /// audit trail once per answer, not per frame.
    moved: std::collections::HashMap<String, String>,
    /// The runtime's alarms as drawn, built once per answer.
    alarms: Vec<alarm_lines::ChartLine>,
    view: View,
    mode: ChartMarker,
    /// The first chart row shown when they do not all fit.
    scroll: usize,
    filter: String,
}

impl MetricsPane {
    /// `mode`: the chart lines to start with (the theme's `chart_marker`).
    pub fn new(env: &str, runtime: &str, mode: ChartMarker) -> Self {
        Self {
            env: env.to_string(),
            runtime: runtime.to_string(),
            slot: Slot::default(),
            markers: vec![],
            moved: std::collections::HashMap::new(),
            alarms: vec![],
            view: View::default(),
            mode,
            scroll: 0,
            filter: String::new(),
        }
    }

    pub fn slot(&self) -> &Slot<Box<MetricsData>> {
        &self.slot
    }

    pub fn view(&self) -> View {
        self.view
    }

    pub fn mode(&self) -> ChartMarker {
        self.mode
    }

    /// The visible time range (epoch seconds): the span ending where the data ends.
    pub fn x_range(&self) -> Option<(i64, i64)> {
        let end = self.slot.value()?.window.end;
        Some((end - self.view.span(), end))
    }

    /// The markers inside the visible range, oldest first.
    pub fn visible_markers(&self) -> Vec<&Marker> {
        let Some((x0, x1)) = self.x_range() else {
            return vec![];
        };
        self.markers
            .iter()
            .filter(|m| m.at >= x0 && m.at <= x1)
            .collect()
    }

    fn job(&self) -> Job {
        Job::Metrics {
            env: self.env.clone(),
            runtime: self.runtime.clone(),
            span: self.view.span(),
            period: self.view.period(),
        }
    }

    /// The view changed: ask for it now (the answer to the old one is dropped as stale).
    fn refetch(&mut self, now: Millis) -> Effect {
        Effect::Fetch(self.refresh(now))
    }
}

impl Pane for MetricsPane {
    fn context(&self) -> Context {
        Context::Metrics
    }

    fn title(&self) -> String {
        format!("metrics of {} in {}", self.runtime, self.env)
    }

    fn env(&self) -> Option<&str> {
        Some(&self.env)
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
        let Reply::Metrics(result) = reply else {
            return false;
        };
        let fresh = self.slot.accept(generation, result, now);
        if fresh && let Some(d) = self.slot.value() {
            let none = vec![];
            let history = d.history.as_ref().unwrap_or(&none);
            self.markers = markers(history, d.versions.as_deref().unwrap_or_default());
            if let Ok(Some(r)) = &d.rollout {
                self.markers.extend(rollout_marks::marks(r));
                self.markers.sort_by_key(|m| m.at);
            }
            let charted = d.alarms.as_deref().unwrap_or_default();
            self.alarms = alarm_lines::chart_lines(charted, d.window.start, d.window.end);
            self.moved = d
                .metrics
                .endpoints
                .iter()
                .filter_map(|m| {
                    let (at, before) =
                        window::last_move(history, &m.endpoint, d.window.start, d.window.end)?;
                    let label =
                        format!(" (v{} until {})", super::clean(&before), window::clock(at));
                    Some((m.endpoint.clone(), label))
                })
                .collect();
        }
        fresh
    }

    fn handle(&mut self, action: &Action, now: Millis) -> Option<Effect> {
        Some(match action {
            Action::Range(i) if usize::from(*i) < RANGES.len() => {
                self.view = View {
                    range: usize::from(*i),
                    zoom: 0,
                };
                self.refetch(now)
            }
            Action::ZoomIn if self.view.zoom_in() => self.refetch(now),
            Action::ZoomIn => Effect::Notice(
                Level::Info,
                "zoomed in as far as it goes (5 minutes)".into(),
            ),
            Action::ZoomOut if self.view.zoom_out() => self.refetch(now),
            Action::ZoomOut => {
                Effect::Notice(Level::Info, "zoomed out as far as it goes (7 days)".into())
            }
            Action::ZoomReset if self.view.zoom != 0 => {
                self.view.zoom = 0;
                self.refetch(now)
            }
            Action::ZoomReset => Effect::Done,
            Action::ChartMarker => {
                self.mode = self.mode.next();
                Effect::Notice(
                    Level::Info,
                    format!(
                        "chart lines: {} (chart_marker in theme.toml sets the default)",
                        self.mode.name()
                    ),
                )
            }
            Action::Up | Action::PageUp | Action::Top => {
                self.scroll = if *action == Action::Up {
                    self.scroll.saturating_sub(1)
                } else {
                    0
                };
                Effect::Done
            }
            Action::Down | Action::PageDown | Action::Bottom => {
                // Clamped to what fits when drawn.
                self.scroll = if *action == Action::Down {
                    (self.scroll + 1).min(CHARTS - 1)
                } else {
                    CHARTS - 1
                };
                Effect::Done
            }
            Action::Logs | Action::LogsAllEnvs => {
                Effect::Then(super::logs::open_from(action, &self.env, &self.runtime)?)
            }
            _ => return None,
        })
    }

    fn filter(&self) -> &str {
        &self.filter
    }

    fn set_filter(&mut self, filter: &str) {
        self.filter = filter.to_string();
    }

    fn render(
        &self,
        cx: &super::Cx<'_>,
        area: ratatui::layout::Rect,
        buf: &mut ratatui::buffer::Buffer,
    ) {
        render::render(self, cx, area, buf);
    }
}
