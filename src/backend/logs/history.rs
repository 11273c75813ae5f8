//! History: FilterLogEvents over every log group of the targets, page by page, merged by
//! time as it goes, so the first events print before the last page is fetched and memory
//! holds one page per group.

use std::collections::VecDeque;
use std::sync::Arc;
use std::time::Duration;

use super::{LogLine, Source};
use crate::backend::{BackendError, Clients};

/// One log group read page by page.
pub struct GroupReader {
    clients: Arc<Clients>,
    env: String,
    runtime: String,
    group: String,
    start: Option<i64>,
    end: Option<i64>,
    filter: Option<String>,
    token: Option<String>,
    buf: VecDeque<LogLine>,
    done: bool,
}

impl GroupReader {
    pub fn new(
        src: &Source,
        group: &str,
        range: (Option<i64>, Option<i64>),
        filter: Option<&str>,
    ) -> Self {
        Self {
            clients: Arc::clone(&src.clients),
            env: src.env.clone(),
            runtime: src.runtime.clone(),
            group: group.to_string(),
            start: range.0,
            end: range.1,
            filter: filter.map(str::to_string),
            token: None,
            buf: VecDeque::new(),
            done: false,
        }
    }

    /// The next event, fetching pages as needed (pages may be empty while a token remains).
    async fn peek(&mut self) -> Result<Option<&LogLine>, BackendError> {
        while self.buf.is_empty() && !self.done {
            self.fetch().await?;
        }
        Ok(self.buf.front())
    }

    async fn fetch(&mut self) -> Result<(), BackendError> {
        let page = self
            .clients
            .logs
            .filter_log_events()
            .log_group_name(&self.group)
            .set_start_time(self.start)
            .set_end_time(self.end)
            .set_filter_pattern(self.filter.clone())
            .set_next_token(self.token.clone())
            .send()
            .await
            .map_err(|e| BackendError::sdk("FilterLogEvents", e));
        // A group with no events yet does not exist: nothing to read.
        let Some(page) = BackendError::absent_as_none(page)? else {
            self.done = true;
            return Ok(());
        };
        self.buf.extend(
            page.events()
                .iter()
                .map(|e| LogLine::filtered(e, &self.group, &self.env, &self.runtime)),
        );
        match page.next_token() {
            Some(t) if Some(t) != self.token.as_deref() => self.token = Some(t.to_string()),
            _ => self.done = true,
        }
        Ok(())
    }
}

/// Readers merged by (timestamp, environment, group, event id), pulled one event at a time,
/// so a consumer that waits (a full queue, a slow terminal) slows the reads instead of
/// losing events.
pub struct Merge {
    readers: Vec<GroupReader>,
}

impl Merge {
    pub fn new(readers: Vec<GroupReader>) -> Self {
        Self { readers }
    }

    /// The next event in order; `None` when every reader is done.
    pub async fn next(&mut self) -> Result<Option<LogLine>, BackendError> {
        // Fill every head first: a borrow of one head must not outlive the next fetch.
        for r in &mut self.readers {
            r.peek().await?;
        }
        let best = self
            .readers
            .iter()
            .enumerate()
            .filter_map(|(i, r)| r.buf.front().map(|l| (i, l)))
            .min_by(|(_, a), (_, b)| order(a).cmp(&order(b)))
            .map(|(i, _)| i);
        Ok(best.and_then(|i| self.readers[i].buf.pop_front()))
    }
}

/// Every event of the readers in order through `emit`; stops early when `emit` returns
/// false. Returns whether it ran to the end.
pub async fn merge(
    readers: Vec<GroupReader>,
    mut emit: impl FnMut(LogLine) -> bool,
) -> Result<bool, BackendError> {
    let mut m = Merge::new(readers);
    let mut throttled = 0u32;
    loop {
        // More throttling than the SDK's own retries absorb: wait and ask again. A failed
        // fetch leaves its reader where it was, so nothing is skipped or read twice.
        let line = match m.next().await {
            Err(e) if e.is_throttling() && throttled < MAX_THROTTLED => {
                throttled += 1;
                let wait =
                    Duration::from_millis((500u64 << throttled.min(5)) + fastrand::u64(0..250));
                tracing::warn!("{e}; throttled, retrying in {:.1}s", wait.as_secs_f32());
                tokio::time::sleep(wait).await;
                continue;
            }
            other => other?,
        };
        throttled = 0;
        let Some(line) = line else { return Ok(true) };
        if !emit(line) {
            return Ok(false);
        }
    }
}

/// Throttled reads in a row before history gives up (with backoff up to 16 s: about 1.5 min).
const MAX_THROTTLED: u32 = 8;

pub(super) fn order(l: &LogLine) -> (i64, &str, &str, &str) {
    (
        l.timestamp,
        &l.env,
        &l.log_group,
        l.event_id.as_deref().unwrap_or_default(),
    )
}

/// The readers of every log group of `sources`, for the range and filter.
pub fn readers(
    sources: &[Source],
    range: (Option<i64>, Option<i64>),
    filter: Option<&str>,
) -> Vec<GroupReader> {
    sources
        .iter()
        .flat_map(|s| {
            s.groups
                .iter()
                .map(move |g| GroupReader::new(s, g, range, filter))
        })
        .collect()
}

/// Every event of `sources` in the range matching `filter`, in time order, through `emit`.
pub async fn each(
    sources: &[Source],
    range: (Option<i64>, Option<i64>),
    filter: Option<&str>,
    emit: impl FnMut(LogLine) -> bool,
) -> Result<bool, BackendError> {
    merge(readers(sources, range, filter), emit).await
}
