//! One log group's history as an ordered stream of slices. The first page is read here (a
//! small history ends there, as a serial read would); a bigger one is cut into slices by
//! [`plan`], read by up to [`WINDOW`] tasks ahead of the consumer, each with a bounded queue,
//! and consumed in slice order, so the stream is in time order and memory holds a few pages
//! per slice.

use std::collections::VecDeque;
use std::sync::Arc;

use tokio::sync::mpsc;
use tokio::task::JoinSet;

use super::plan;
use super::reader::{Group, QUEUED_PAGES, Sent};
use crate::backend::BackendError;
use crate::backend::logs::LogLine;

/// Slices of one group read at once (the current one included).
pub const WINDOW: usize = 4;

type Range = (Option<i64>, Option<i64>);

pub struct GroupStream {
    group: Arc<Group>,
    range: Range,
    started: bool,
    /// The events of the page being consumed.
    head: VecDeque<LogLine>,
    current: Option<mpsc::Receiver<Sent>>,
    /// Slices being read, in order, after the current one.
    ahead: VecDeque<mpsc::Receiver<Sent>>,
    /// Slices not started yet: range and the token to start from.
    waiting: VecDeque<(Range, Option<String>)>,
    /// Dropped with the stream: the readers stop.
    tasks: JoinSet<()>,
}

impl GroupStream {
    pub fn new(group: Group, range: Range) -> Self {
        Self {
            group: Arc::new(group),
            range,
            started: false,
            head: VecDeque::new(),
            current: None,
            ahead: VecDeque::new(),
            waiting: VecDeque::new(),
            tasks: JoinSet::new(),
        }
    }

    pub fn head(&self) -> Option<&LogLine> {
        self.head.front()
    }

    pub fn pop(&mut self) -> Option<LogLine> {
        self.head.pop_front()
    }

    /// Make the next event the head; no head afterwards means the group is read.
    pub async fn fill(&mut self) -> Result<(), BackendError> {
        if !self.started {
            self.started = true;
            self.first_page().await?;
        }
        loop {
            if !self.head.is_empty() {
                return Ok(());
            }
            if let Some(rx) = &mut self.current {
                match rx.recv().await {
                    Some(Ok(page)) => self.head.extend(page),
                    Some(Err(e)) => return Err(e),
                    None => self.current = None,
                }
                continue;
            }
            self.start_ahead();
            match self.ahead.pop_front() {
                Some(rx) => {
                    self.current = Some(rx);
                    self.start_ahead();
                }
                None => return Ok(()),
            }
        }
    }

    fn start_ahead(&mut self) {
        while self.ahead.len() + usize::from(self.current.is_some()) < WINDOW {
            let Some((range, token)) = self.waiting.pop_front() else {
                break;
            };
            let (tx, rx) = mpsc::channel(QUEUED_PAGES);
            self.tasks
                .spawn(Arc::clone(&self.group).slice(range, token, tx));
            self.ahead.push_back(rx);
        }
    }

    /// Read the first page of the whole range, and plan the rest.
    async fn first_page(&mut self) -> Result<(), BackendError> {
        let Some(page) = self.group.page(self.range, None).await? else {
            return Ok(()); // no such group: nothing logged yet
        };
        let Some(token) = page.next else {
            self.head.extend(page.events);
            return Ok(());
        };
        let (start, end) = self.range;
        let Some(from) = start else {
            // No start to cut from: the rest, serially.
            self.head.extend(page.events);
            self.waiting.push_back((self.range, Some(token)));
            self.start_ahead();
            return Ok(());
        };
        let to = end.unwrap_or_else(now_ms);
        let first = page.events.first().map_or(from, |l| l.timestamp);
        let (rest_from, n) = match page.events.last().map(|l| l.timestamp) {
            Some(t1) if t1 > from => {
                // Events before t1 are final; more at t1 may follow on the next page, so
                // t1 starts the rest (its events on this page are read again there).
                self.head
                    .extend(page.events.into_iter().filter(|l| l.timestamp < t1));
                // Density from the page's own span: the range may start long before the data.
                (t1, plan::count(t1 - first, t1, to))
            }
            // A whole page in the first millisecond: cut finely.
            Some(_) => (from, plan::count(0, from, to)),
            // The service is still scanning: no density to go by.
            None => (from, plan::BLIND_SLICES),
        };
        for (s, e) in plan::split(rest_from, to.max(rest_from), end, n) {
            self.waiting.push_back(((Some(s), e), None));
        }
        // Read ahead while the first page is consumed.
        self.start_ahead();
        Ok(())
    }
}

fn now_ms() -> i64 {
    i64::try_from(time::OffsetDateTime::now_utc().unix_timestamp_nanos() / 1_000_000)
        .unwrap_or(i64::MAX)
}
