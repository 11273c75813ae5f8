//! The logs pane's I/O: one long-running task per open logs pane, following (Live Tail with
//! history first, through `backend::logs::spawn_follow`) or reading a history window
//! (`history_each`), batching lines into replies (at most [`BATCH_LINES`] lines, or every
//! [`BATCH_EVERY`]). It never waits on the UI: while the reply queue is full, lines wait here,
//! bounded, and the oldest are dropped and counted. The worker aborts the task when the pane
//! closes or asks for another stream. Also: saving the pane's lines under the state dir.

use std::collections::VecDeque;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use tokio::sync::mpsc;

use super::{Reply, Response, Ticket};
use crate::backend::Backend;
use crate::backend::audit::AuditLog;
use crate::backend::logs::{self, FollowOptions, LogLine, LogQuery, Notice, TailEvent, TailStats};

/// Lines per reply, at most.
pub const BATCH_LINES: usize = 500;
/// How long lines may wait for a reply.
pub const BATCH_EVERY: Duration = Duration::from_millis(100);
/// Lines held while the UI's queue is full; past it the oldest go (counted as dropped).
pub const PENDING_MAX: usize = 50_000;
/// Notices held between replies.
const NOTICES_MAX: usize = 32;

/// What a logs pane reads: runtimes by environment, the last `since_secs`, then (`follow`)
/// new events as they come; `filter` is a CloudWatch filter pattern (server side).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LogStreamJob {
    pub targets: Vec<(String, String)>,
    pub since_secs: u64,
    pub follow: bool,
    pub filter: Option<String>,
}

/// Lines and news from a log stream.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct LogBatch {
    pub lines: Vec<LogLine>,
    /// The follower's counters, when they changed.
    pub stats: Option<TailStats>,
    pub notices: Vec<Notice>,
    /// Lines dropped here (oldest first) because the UI's queue stayed full.
    pub dropped: u64,
    /// The stream is over: `Ok` when a history window was read to its end.
    pub end: Option<Result<(), String>>,
}

impl LogBatch {
    pub fn failed(why: String) -> Self {
        Self {
            end: Some(Err(why)),
            ..Self::default()
        }
    }
}

/// What waits for the next reply.
#[derive(Default)]
struct Pending {
    lines: VecDeque<LogLine>,
    stats: Option<TailStats>,
    notices: Vec<Notice>,
    dropped: u64,
}

/// The UI went away.
struct Closed;

impl Pending {
    fn push(&mut self, line: LogLine) {
        if self.lines.len() >= PENDING_MAX {
            self.lines.pop_front();
            self.dropped += 1;
        }
        self.lines.push_back(line);
    }

    fn notice(&mut self, n: Notice) {
        if self.notices.len() >= NOTICES_MAX {
            self.notices.remove(0);
        }
        self.notices.push(n);
    }

    fn take(&mut self, end: Option<Result<(), String>>) -> LogBatch {
        LogBatch {
            lines: std::mem::take(&mut self.lines).into(),
            stats: self.stats.take(),
            notices: std::mem::take(&mut self.notices),
            dropped: std::mem::take(&mut self.dropped),
            end,
        }
    }

    /// Hand what waits to the UI if its queue has room; otherwise keep it (never wait).
    fn flush(&mut self, tx: &mpsc::Sender<Response>, ticket: Ticket) -> Result<(), Closed> {
        if self.lines.is_empty()
            && self.stats.is_none()
            && self.notices.is_empty()
            && self.dropped == 0
        {
            return Ok(());
        }
        match tx.try_reserve() {
            Ok(permit) => {
                permit.send(Response {
                    ticket,
                    reply: Reply::Logs(self.take(None)),
                });
                Ok(())
            }
            Err(mpsc::error::TrySendError::Full(())) => Ok(()),
            Err(mpsc::error::TrySendError::Closed(())) => Err(Closed),
        }
    }
}

/// Run one stream until it ends, fails, or the task is aborted.
pub async fn stream(
    backend: Arc<Backend>,
    job: LogStreamJob,
    ticket: Ticket,
    tx: mpsc::Sender<Response>,
) {
    let now = now_ms();
    let since = i64::try_from(job.since_secs.saturating_mul(1000)).unwrap_or(i64::MAX);
    let query = LogQuery {
        targets: job.targets,
        start: Some(now.saturating_sub(since)),
        end: (!job.follow).then_some(now),
        filter: job.filter.filter(|f| !f.trim().is_empty()),
        page_size: None,
    };
    let mut pending = Pending::default();
    let end = if job.follow {
        follow(backend, query, &mut pending, ticket, &tx).await
    } else {
        history(&backend, &query, &mut pending, ticket, &tx).await
    };
    if let Ok(end) = end {
        let batch = pending.take(Some(end));
        let _ = tx
            .send(Response {
                ticket,
                reply: Reply::Logs(batch),
            })
            .await;
    }
}

async fn follow(
    backend: Arc<Backend>,
    query: LogQuery,
    pending: &mut Pending,
    ticket: Ticket,
    tx: &mpsc::Sender<Response>,
) -> Result<Result<(), String>, Closed> {
    let mut rx = match logs::spawn_follow(backend, query, FollowOptions::default()).await {
        Ok(rx) => rx,
        Err(e) => return Ok(Err(e.to_string())),
    };
    let mut tick = tokio::time::interval(BATCH_EVERY);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
    loop {
        tokio::select! {
            item = rx.recv() => match item {
                Some(Ok((TailEvent::Line(line), stats))) => {
                    pending.push(line);
                    pending.stats = Some(stats);
                    if pending.lines.len() >= BATCH_LINES {
                        pending.flush(tx, ticket)?;
                    }
                }
                Some(Ok((TailEvent::Notice(n), stats))) => {
                    pending.notice(n);
                    pending.stats = Some(stats);
                }
                Some(Err(e)) => return Ok(Err(e.to_string())),
                None => return Ok(Err("the log stream stopped".into())),
            },
            _ = tick.tick() => pending.flush(tx, ticket)?,
        }
    }
}

async fn history(
    backend: &Backend,
    query: &LogQuery,
    pending: &mut Pending,
    ticket: Ticket,
    tx: &mpsc::Sender<Response>,
) -> Result<Result<(), String>, Closed> {
    let mut last = Instant::now();
    let mut closed = false;
    let read = logs::history_each(backend, query, |line| {
        pending.push(line);
        if pending.lines.len() >= BATCH_LINES || last.elapsed() >= BATCH_EVERY {
            last = Instant::now();
            closed = pending.flush(tx, ticket).is_err();
        }
        !closed
    })
    .await;
    if closed {
        return Err(Closed);
    }
    Ok(read.map_err(|e| e.to_string()))
}

/// Write `text` to `<state dir>/logs/<name>-<UTC time>.log`; the path written.
pub async fn save(
    audit: &Result<AuditLog, String>,
    name: &str,
    text: &str,
) -> Result<String, String> {
    let audit = audit
        .as_ref()
        .map_err(|e| format!("no state directory to save in: {e}"))?;
    let dir = audit
        .path()
        .parent()
        .map_or_else(|| PathBuf::from("."), PathBuf::from)
        .join("logs");
    // Logs may hold anything a server printed: 0700 directory, 0600 file.
    crate::private_fs::create_dir(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    let stamp = time::OffsetDateTime::now_utc()
        .format(time::macros::format_description!(
            "[year][month][day]T[hour][minute][second]Z"
        ))
        .unwrap_or_default();
    let safe: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.') {
                c
            } else {
                '_'
            }
        })
        .collect();
    let mut path = dir.join(format!("{safe}-{stamp}.log"));
    let mut n = 1;
    while tokio::fs::try_exists(&path).await.unwrap_or(false) {
        n += 1;
        path = dir.join(format!("{safe}-{stamp}-{n}.log"));
    }
    crate::private_fs::open(&path, false)
        .and_then(|mut f| std::io::Write::write_all(&mut f, text.as_bytes()))
        .map_err(|e| format!("{}: {e}", path.display()))?;
    Ok(path.display().to_string())
}

fn now_ms() -> i64 {
    i64::try_from(time::OffsetDateTime::now_utc().unix_timestamp_nanos() / 1_000_000)
        .unwrap_or(i64::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line(i: usize) -> LogLine {
        LogLine {
            timestamp: i as i64,
            ingestion_time: i as i64,
            log_group: String::new(),
            log_stream: String::new(),
            event_id: None,
            message: format!("m{i}"),
            env: "dev".into(),
            runtime: "r".into(),
        }
    }

    #[tokio::test]
    async fn a_full_reply_queue_never_blocks_and_the_oldest_waiting_lines_are_dropped() {
        let (tx, mut rx) = mpsc::channel(1);
        let ticket = Ticket {
            pane: 7,
            generation: 3,
        };
        let mut p = Pending::default();
        p.push(line(0));
        assert!(p.flush(&tx, ticket).is_ok());
        // The queue is full now: lines wait here, bounded.
        for i in 1..=PENDING_MAX + 10 {
            p.push(line(i));
        }
        assert!(p.flush(&tx, ticket).is_ok(), "returns at once");
        assert_eq!((p.lines.len(), p.dropped), (PENDING_MAX, 10));
        let first = rx.recv().await.expect("the first batch");
        assert_eq!(first.ticket, ticket);
        assert!(matches!(first.reply, Reply::Logs(b) if b.lines.len() == 1));
        assert!(p.flush(&tx, ticket).is_ok());
        let Some(Response {
            reply: Reply::Logs(b),
            ..
        }) = rx.recv().await
        else {
            panic!("a batch");
        };
        assert_eq!((b.lines.len(), b.dropped), (PENDING_MAX, 10));
        assert_eq!(b.lines[0].message, "m11", "the oldest went");
        drop(rx);
        p.push(line(0));
        assert!(p.flush(&tx, ticket).is_err(), "the UI is gone");
    }
}
