//! The logs pane: one or more runtimes × environments interleaved, each source in its own
//! colour (a tag column under `NO_COLOR`). It follows (Live Tail, history first) or reads a
//! history window; the server-side CloudWatch filter pattern (`F`) restarts the stream, the
//! client-side regex (`/`) filters or (`H`) only highlights. JSON lines raw, pretty or as
//! columns (`J`); wrap, timestamps, pause and scroll-back; quick windows `1`..`6`; `s` saves
//! what is shown. The buffer is bounded ([`BUFFER_LINES`]): the oldest lines go, counted, and
//! the status line says so with the follower's own counters (the anchors' "honest live logs").
//!
//! Data comes from one stream task per pane in the io worker (`io/log_stream.rs`), batched;
//! a new query is a new generation, and the worker drops the old stream.

mod buffer;
mod control;
#[cfg(test)]
mod fixtures;
pub mod format;
mod keys;
mod render;
pub mod rows;
#[cfg(test)]
mod snapshot_tests;
#[cfg(test)]
mod tests;
mod types;

use std::cell::Cell;

pub use buffer::{Entry, LogBuffer, Shown};
pub use keys::{keys, open_from, open_keys};
pub use types::{BUFFER_LINES, JsonMode, LogCmd, Prompt, Scroll, Source, StreamState, WINDOWS};

use super::{Effect, Fetch, Pane};
use crate::backend::logs::{NoticeKind, TailStats};
use crate::tui::action::Action;
use crate::tui::io::{Job, LogBatch, LogStreamJob, Reply};
use crate::tui::keymap::Context;
use crate::tui::time::Millis;

pub struct LogsPane {
    targets: Vec<(String, String)>,
    /// Colour order: the targets, then any other source a line names.
    /// The endpoints lines came from, in order of their first line.
    sources: Vec<Source>,
    follow: bool,
    window: usize,
    pattern: Option<String>,
    generation: u64,
    state: StreamState,
    started: Millis,
    buf: LogBuffer,
    stats: TailStats,
    /// Lines the stream task dropped while the UI's queue was full.
    stream_dropped: u64,
    /// The latest mode notice per source (Live Tail or polling, and why).
    modes: Vec<((String, String), String)>,
    /// The latest other notice (reconnect, throttling, sampling), with its source.
    notice: Option<String>,
    regex_text: String,
    regex_error: Option<String>,
    highlight: bool,
    wrap: bool,
    timestamps: bool,
    json: JsonMode,
    scroll: Scroll,
    prompt: Option<Prompt>,
    saves: u64,
    saving: bool,
    saved: Option<(Millis, Result<String, String>)>,
    /// The log area last drawn (columns, rows) and whether without colour; scrolling by
    /// pages and leaving follow need it. Written by `render` only.
    view: Cell<(u16, u16, bool)>,
}

impl LogsPane {
    pub fn new(targets: Vec<(String, String)>) -> Self {
        Self::with_capacity(targets, BUFFER_LINES)
    }

    /// A pane whose buffer holds `cap` lines.
    pub fn with_capacity(targets: Vec<(String, String)>, cap: usize) -> Self {
        Self {
            sources: vec![],
            targets,
            follow: true,
            window: 0,
            pattern: None,
            generation: 0,
            state: StreamState::Idle,
            started: Millis(0),
            buf: LogBuffer::new(cap),
            stats: TailStats::default(),
            stream_dropped: 0,
            modes: vec![],
            notice: None,
            regex_text: String::new(),
            regex_error: None,
            highlight: false,
            wrap: false,
            timestamps: true,
            json: JsonMode::Raw,
            scroll: Scroll::Follow,
            prompt: None,
            saves: 0,
            saving: false,
            saved: None,
            view: Cell::new((0, 0, false)),
        }
    }

    // === accessors (rendering, tests) ===

    pub fn targets(&self) -> &[(String, String)] {
        &self.targets
    }
    pub fn sources(&self) -> &[Source] {
        &self.sources
    }
    pub fn buffer(&self) -> &LogBuffer {
        &self.buf
    }
    pub fn state(&self) -> &StreamState {
        &self.state
    }
    pub fn stats(&self) -> &TailStats {
        &self.stats
    }
    pub fn scroll(&self) -> Scroll {
        self.scroll
    }
    pub fn json(&self) -> JsonMode {
        self.json
    }
    pub fn prompt(&self) -> Option<&Prompt> {
        self.prompt.as_ref()
    }
    pub fn pattern(&self) -> Option<&str> {
        self.pattern.as_deref()
    }
    pub fn following(&self) -> bool {
        self.follow
    }
    pub fn highlight_only(&self) -> bool {
        self.highlight
    }

    /// Dropped in all: by the buffer's bound and by the stream task.
    pub fn dropped(&self) -> u64 {
        self.buf.dropped() + self.stream_dropped
    }

    /// The lines on view: the regex's matches unless it only highlights.
    pub fn shown(&self) -> Shown<'_> {
        self.buf
            .shown(!self.highlight && self.regex_error.is_none())
    }

    /// The stream request for the current query: a new generation, an empty buffer.
    pub fn start(&mut self, now: Millis) -> Fetch {
        self.generation += 1;
        self.state = StreamState::Starting;
        self.started = now;
        self.buf.clear();
        self.stats = TailStats::default();
        self.stream_dropped = 0;
        self.modes.clear();
        self.notice = None;
        self.scroll = Scroll::Follow;
        Fetch {
            generation: self.generation,
            job: Job::LogStream(LogStreamJob {
                targets: self.targets.clone(),
                since_secs: WINDOWS[self.window].1,
                follow: self.follow,
                filter: self.pattern.clone(),
            }),
        }
    }

    /// Take a batch of the current stream. Sources interleave by arrival; within a batch the
    /// lines are put in time order (a stable sort: one source's order is kept).
    pub fn ingest(&mut self, mut batch: LogBatch) {
        batch.lines.sort_by_key(|l| l.timestamp);
        for line in batch.lines {
            let endpoint = crate::domain::runtime::endpoint_of_log_group(&line.log_group);
            let source = self.source_index(Source {
                env: line.env,
                runtime: line.runtime,
                endpoint: endpoint.map(str::to_string),
            });
            self.buf.push(Entry {
                timestamp: line.timestamp,
                source,
                message: line.message,
            });
        }
        if let Some(s) = batch.stats {
            self.stats = s;
        }
        for n in batch.notices {
            let key = (n.env, n.runtime);
            match n.kind {
                NoticeKind::Mode => match self.modes.iter_mut().find(|(k, _)| *k == key) {
                    Some((_, text)) => *text = n.text,
                    None => self.modes.push((key, n.text)),
                },
                _ => self.notice = Some(format!("{}/{}: {}", key.0, key.1, n.text)),
            }
        }
        self.stream_dropped += batch.dropped;
        self.state = match batch.end {
            Some(Ok(())) => StreamState::Complete,
            Some(Err(e)) => StreamState::Failed(e),
            None => StreamState::Running,
        };
    }

    fn source_index(&mut self, source: Source) -> u16 {
        let i = match self.sources.iter().position(|s| *s == source) {
            Some(i) => i,
            None => {
                self.sources.push(source);
                self.sources.len() - 1
            }
        };
        u16::try_from(i).unwrap_or(u16::MAX)
    }

    /// `Live Tail`, `polling`, `history`: how the lines are read now.
    pub fn mode(&self) -> String {
        if !self.follow {
            return "history".into();
        }
        let polling = self
            .modes
            .iter()
            .filter(|(_, t)| t.contains("polling"))
            .count();
        match polling {
            0 => "Live Tail".into(),
            n if n >= self.targets.len() => "polling".into(),
            n => format!("Live Tail ({n} polling)"),
        }
    }

    /// Live Tail updates the service sampled, as a share of the updates it sent (one per
    /// second per source): an estimate, `None` before the first second.
    pub fn sampled_percent(&self, now: Millis) -> Option<u64> {
        let secs = now.since(self.started) / 1000 * self.targets.len().max(1) as u64;
        (self.follow && secs > 0).then(|| (self.stats.sampled_updates * 100 / secs).min(100))
    }

    pub fn notice(&self) -> Option<&str> {
        self.notice.as_deref()
    }

    pub fn regex_text(&self) -> &str {
        &self.regex_text
    }
    pub fn regex_error(&self) -> Option<&str> {
        self.regex_error.as_deref()
    }
    pub fn window(&self) -> &'static str {
        WINDOWS[self.window].0
    }
    pub fn wrap(&self) -> bool {
        self.wrap
    }
    pub fn timestamps(&self) -> bool {
        self.timestamps
    }
    /// The last save's result, while it is recent.
    pub fn saved(&self, now: Millis) -> Option<&Result<String, String>> {
        self.saved
            .as_ref()
            .filter(|(at, _)| now.since(*at) < 15_000)
            .map(|(_, r)| r)
    }
    pub(super) fn view(&self) -> (u16, u16, bool) {
        self.view.get()
    }
    pub(super) fn set_view(&self, cols: u16, rows: u16, mono: bool) {
        self.view.set((cols, rows, mono));
    }
}

impl Pane for LogsPane {
    fn context(&self) -> Context {
        if self.prompt.is_some() {
            Context::Filter
        } else {
            Context::Logs
        }
    }

    fn title(&self) -> String {
        let mut runtimes: Vec<&str> = self.targets.iter().map(|(_, r)| r.as_str()).collect();
        runtimes.dedup();
        let envs: Vec<&str> = self.targets.iter().map(|(e, _)| e.as_str()).collect();
        format!("logs {} in {}", runtimes.join(", "), envs.join(", "))
    }

    fn env(&self) -> Option<&str> {
        let first = self.targets.first().map(|(e, _)| e.as_str())?;
        self.targets
            .iter()
            .all(|(e, _)| e == first)
            .then_some(first)
    }

    fn poll(&mut self, now: Millis) -> Vec<Fetch> {
        if self.state == StreamState::Idle {
            vec![self.start(now)]
        } else {
            vec![]
        }
    }

    fn refresh(&mut self, now: Millis) -> Vec<Fetch> {
        vec![self.start(now)]
    }

    fn apply(&mut self, generation: u64, reply: Reply, now: Millis) -> bool {
        match reply {
            Reply::Logs(batch) if generation == self.generation => {
                self.ingest(batch);
                true
            }
            Reply::LogsSaved(result) => {
                self.saving = false;
                self.saved = Some((now, result));
                true
            }
            _ => false,
        }
    }

    fn busy(&self) -> bool {
        self.state == StreamState::Starting || self.saving
    }

    fn abandon(&mut self, generation: u64, job: &Job) {
        match job {
            Job::LogStream(_) if generation == self.generation => self.state = StreamState::Idle,
            Job::SaveLogs { .. } => self.saving = false,
            _ => {}
        }
    }

    fn handle(&mut self, action: &Action, now: Millis) -> Option<Effect> {
        if self.prompt.is_some() {
            return Some(self.prompt_action(action, now));
        }
        match action {
            Action::Log(cmd) => Some(self.command(*cmd, now)),
            Action::Up
            | Action::Down
            | Action::PageUp
            | Action::PageDown
            | Action::Top
            | Action::Bottom => {
                self.scroll_by(action);
                Some(Effect::Done)
            }
            _ => None,
        }
    }

    fn filter(&self) -> &str {
        &self.regex_text
    }

    fn set_filter(&mut self, filter: &str) {
        if filter == self.regex_text {
            return;
        }
        self.regex_text = filter.to_string();
        match format::regex(filter) {
            Ok(r) => {
                self.regex_error = None;
                self.buf.set_regex(r);
            }
            Err(e) => {
                self.regex_error = Some(e);
                self.buf.set_regex(None);
            }
        }
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
