//! Following logs: history first, then Live Tail, with FilterLogEvents polling as the
//! fallback where Live Tail is unavailable. Each runtime × environment has its own driver
//! task; one loop de-duplicates and delivers. Throttling and dropped connections back off and
//! are reported, never fatal; the counters say what happened.

use std::sync::Arc;
use std::time::Duration;

use serde::Serialize;
use tokio::sync::mpsc;

use super::dedup::{Dedup, PassId};
use super::live::{LiveSession, MAX_GROUPS, existing_groups};
use super::{LogLine, LogQuery, Source, history, sources};
use crate::backend::{Backend, BackendError};

/// How to follow.
#[derive(Debug, Clone)]
pub struct FollowOptions {
    /// Use Live Tail where the service offers it.
    pub live_tail: bool,
    /// Poll interval when polling.
    pub poll_every: Duration,
    /// How often to look for new log groups (a new endpoint).
    pub refresh_every: Duration,
}

impl Default for FollowOptions {
    fn default() -> Self {
        Self {
            live_tail: true,
            poll_every: Duration::from_secs(1),
            refresh_every: Duration::from_secs(30),
        }
    }
}

/// What the follower has done so far.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct TailStats {
    pub delivered: u64,
    /// Events read twice (overlapping reads, reconnects) and delivered once.
    pub deduplicated: u64,
    /// Live Tail updates the service sampled (over 500 events/s): events were left out.
    pub sampled_updates: u64,
    pub throttled: u64,
    pub reconnects: u64,
    /// Delivery time minus event time, for the latest event delivered.
    pub lag_ms: i64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum NoticeKind {
    /// Live Tail or polling, and why.
    Mode,
    Sampled,
    Throttled,
    Reconnect,
}

/// Something the person following should know, for one source.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Notice {
    pub env: String,
    pub runtime: String,
    pub kind: NoticeKind,
    pub text: String,
}

/// What the follower delivers, in order.
#[derive(Debug, Clone)]
pub enum TailEvent {
    Line(LogLine),
    Notice(Notice),
}

enum Msg {
    Lines(PassId, Vec<LogLine>),
    End(PassId),
    Notice(Notice),
    Fatal(BackendError),
}

/// Follow in the background: events and notices arrive on the receiver (bounded: a slow
/// reader slows the drivers, nothing is dropped here) with the stats so far. Dropping the
/// receiver stops every driver.
pub async fn spawn_follow(
    backend: Arc<Backend>,
    q: LogQuery,
    opts: FollowOptions,
) -> Result<mpsc::Receiver<Result<(TailEvent, TailStats), BackendError>>, BackendError> {
    let srcs = sources(&backend, &q).await?;
    let (out_tx, out_rx) = mpsc::channel(1024);
    tokio::spawn(async move {
        let (tx, mut rx) = mpsc::channel::<Msg>(16);
        let mut drivers = tokio::task::JoinSet::new();
        for (i, src) in srcs.into_iter().enumerate() {
            drivers.spawn(drive(src, q.clone(), opts.clone(), tx.clone(), i as u64));
        }
        drop(tx);
        let mut dedup = Dedup::default();
        let mut stats = TailStats::default();
        loop {
            // A reader that went away stops the drivers now, not at their next event (a
            // quiet runtime's Live Tail session would otherwise stay open).
            let msg = tokio::select! {
                msg = rx.recv() => msg,
                () = out_tx.closed() => None,
            };
            let Some(msg) = msg else { break };
            let out = match msg {
                Msg::Lines(pass, lines) => {
                    let now = now_ms();
                    let mut fresh = Vec::with_capacity(lines.len());
                    for l in lines {
                        if dedup.admit(pass, &l) {
                            stats.delivered += 1;
                            stats.lag_ms = now - l.timestamp;
                            fresh.push(l);
                        } else {
                            stats.deduplicated += 1;
                        }
                    }
                    fresh
                        .into_iter()
                        .map(|l| Ok((TailEvent::Line(l), stats.clone())))
                        .collect()
                }
                Msg::End(pass) => {
                    dedup.end(pass);
                    vec![]
                }
                Msg::Notice(n) => {
                    match n.kind {
                        NoticeKind::Sampled => stats.sampled_updates += 1,
                        NoticeKind::Throttled => stats.throttled += 1,
                        NoticeKind::Reconnect => stats.reconnects += 1,
                        NoticeKind::Mode => {}
                    }
                    vec![Ok((TailEvent::Notice(n), stats.clone()))]
                }
                Msg::Fatal(e) => vec![Err(e)],
            };
            for item in out {
                let fatal = item.is_err();
                if out_tx.send(item).await.is_err() || fatal {
                    return; // the reader went away, or it is over: the drivers are aborted
                }
            }
        }
    });
    Ok(out_rx)
}

/// Follow until `emit` returns false; the stats at the end.
pub async fn follow(
    backend: Arc<Backend>,
    q: &LogQuery,
    opts: FollowOptions,
    mut emit: impl FnMut(&TailEvent, &TailStats) -> bool,
) -> Result<TailStats, BackendError> {
    let mut rx = spawn_follow(backend, q.clone(), opts).await?;
    let mut last = TailStats::default();
    while let Some(item) = rx.recv().await {
        let (event, stats) = item?;
        last = stats;
        if !emit(&event, &last) {
            break;
        }
    }
    Ok(last)
}

/// One source's driver: history, then Live Tail sessions (or polls), until the loop above
/// goes away.
async fn drive(mut src: Source, q: LogQuery, opts: FollowOptions, tx: mpsc::Sender<Msg>, idx: u64) {
    let mut d = Driver {
        src: &mut src,
        tx,
        next_pass: idx << 40,
        newest: q.start,
        backoff: 0,
    };
    let filter = q.filter.as_deref();
    let mut live = opts.live_tail;
    if !live {
        d.notice(
            NoticeKind::Mode,
            "polling FilterLogEvents (Live Tail off)".into(),
        )
        .await;
    }
    loop {
        if d.tx.is_closed() {
            return;
        }
        let result = if live {
            d.live_round(filter, &opts).await
        } else {
            d.poll_round(filter).await.map(|()| Round::Polled)
        };
        match result {
            Ok(Round::Polled) => {
                d.backoff = 0;
                tokio::time::sleep(opts.poll_every).await;
            }
            Ok(Round::Ended { why, lasted }) => {
                // A session that ends at once (a service that answers with a snapshot, or
                // keeps refusing) must not be reopened in a tight loop.
                if lasted < SHORT_SESSION {
                    let wait = d.next_backoff().max(opts.poll_every);
                    let text = format!("{why}; reconnecting in {:.1}s", wait.as_secs_f32());
                    d.notice(NoticeKind::Reconnect, text).await;
                    tokio::time::sleep(wait).await;
                } else {
                    d.backoff = 0;
                    d.notice(NoticeKind::Reconnect, format!("{why}; reconnecting"))
                        .await;
                }
            }
            Err(e) if e.is_throttling() => {
                let wait = d.next_backoff();
                d.notice(
                    NoticeKind::Throttled,
                    format!("throttled ({e}); retrying in {}s", wait.as_secs_f32()),
                )
                .await;
                tokio::time::sleep(wait).await;
            }
            Err(e @ BackendError::Transport { .. }) => {
                let wait = d.next_backoff();
                d.notice(
                    NoticeKind::Reconnect,
                    format!("{e}; retrying in {}s", wait.as_secs_f32()),
                )
                .await;
                tokio::time::sleep(wait).await;
            }
            Err(e) if live && e.code().is_some_and(|c| c != "InvalidParameterException") => {
                live = false;
                d.notice(
                    NoticeKind::Mode,
                    format!(
                        "Live Tail unavailable ({e}): polling FilterLogEvents every {}s",
                        opts.poll_every.as_secs_f32()
                    ),
                )
                .await;
            }
            Err(e) => {
                let _ = d.tx.send(Msg::Fatal(e)).await;
                return;
            }
        }
    }
}

enum Round {
    Polled,
    /// The live session ended, for this reason, after this long.
    Ended {
        why: String,
        lasted: Duration,
    },
}

/// A Live Tail session shorter than this is retried with backoff.
const SHORT_SESSION: Duration = Duration::from_secs(10);

struct Driver<'a> {
    src: &'a mut Source,
    tx: mpsc::Sender<Msg>,
    next_pass: PassId,
    /// The newest event time read: the next read starts a little before it.
    newest: Option<i64>,
    backoff: u32,
}

/// Events per batch handed to the delivering loop.
const BATCH: usize = 500;
/// Reads overlap by this much: events can be ingested a little out of order.
const OVERLAP_MS: i64 = 5_000;

impl Driver<'_> {
    async fn notice(&self, kind: NoticeKind, text: String) {
        let n = Notice {
            env: self.src.env.clone(),
            runtime: self.src.runtime.clone(),
            kind,
            text,
        };
        let _ = self.tx.send(Msg::Notice(n)).await;
    }

    fn next_backoff(&mut self) -> Duration {
        self.backoff = (self.backoff + 1).min(6);
        let base = 500u64 << self.backoff; // 1 s … 32 s
        Duration::from_millis(base.min(30_000) + fastrand::u64(0..250))
    }

    /// Read everything since a little before the newest event seen, as one pass. Batches
    /// wait for room in the queue: a slow reader slows the reads, nothing is dropped, and
    /// `newest` only moves past what was handed over.
    async fn poll_round(&mut self, filter: Option<&str>) -> Result<(), BackendError> {
        self.next_pass += 1;
        let pass = self.next_pass;
        let from = self.newest.map(|n| n - OVERLAP_MS);
        let mut merged = history::Merge::new(history::readers(
            std::slice::from_ref(self.src),
            (from, None),
            filter,
        ));
        let mut batch = Vec::with_capacity(BATCH);
        loop {
            let line = merged.next().await?;
            let done = line.is_none();
            batch.extend(line);
            if batch.len() >= BATCH || (done && !batch.is_empty()) {
                let newest = batch.iter().map(|l| l.timestamp).max();
                let full = std::mem::replace(&mut batch, Vec::with_capacity(BATCH));
                if self.tx.send(Msg::Lines(pass, full)).await.is_err() {
                    return Ok(()); // the reader went away
                }
                self.newest = self.newest.max(newest);
            }
            if done {
                break;
            }
        }
        let _ = self.tx.send(Msg::End(pass)).await;
        Ok(())
    }

    /// One Live Tail session: start it, backfill what came before it, then deliver its
    /// updates until it ends or the runtime's log groups change.
    async fn live_round(
        &mut self,
        filter: Option<&str>,
        opts: &FollowOptions,
    ) -> Result<Round, BackendError> {
        let groups = self.tailable().await?;
        if groups.is_empty() || groups.len() > MAX_GROUPS {
            // Nothing to tail yet (no output so far), or more than one session can hold.
            self.poll_round(filter).await?;
            return Ok(Round::Polled);
        }
        let mut session = LiveSession::start(self.src, &groups, filter).await?;
        let began = std::time::Instant::now();
        // Started before the backfill, so nothing falls between the two; the overlap is
        // removed by de-duplication.
        self.poll_round(filter).await?;
        self.next_pass += 1;
        let pass = self.next_pass;
        let refresh = tokio::time::sleep(opts.refresh_every);
        tokio::pin!(refresh);
        let round = loop {
            tokio::select! {
                update = session.next() => match update {
                    Ok(Some(u)) => {
                        if u.sampled {
                            self.notice(NoticeKind::Sampled, "Live Tail sampled this second (over 500 events/s): some events are not shown".into()).await;
                        }
                        if let Some(n) = u.lines.iter().map(|l| l.timestamp).max() {
                            self.newest = self.newest.max(Some(n));
                        }
                        if !u.lines.is_empty() && self.tx.send(Msg::Lines(pass, u.lines)).await.is_err() {
                            break "stopped".to_string();
                        }
                    }
                    Ok(None) => break "Live Tail session ended".to_string(),
                    Err(BackendError::Service { code, message, .. }) if code.contains("Timeout") => {
                        break format!("Live Tail session ended ({message})");
                    }
                    Err(e) => break format!("Live Tail stream dropped ({e})"),
                },
                () = &mut refresh => {
                    let now = self.tailable().await?;
                    if now.len() != groups.len() {
                        break "a new log group appeared".to_string();
                    }
                    refresh.as_mut().reset(tokio::time::Instant::now() + opts.refresh_every);
                }
            }
        };
        let _ = self.tx.send(Msg::End(pass)).await;
        Ok(Round::Ended {
            why: round,
            lasted: began.elapsed(),
        })
    }

    /// The log groups of the runtime's current endpoints that exist (name, ARN), as history
    /// and polling read them.
    async fn tailable(&mut self) -> Result<Vec<(String, String)>, BackendError> {
        self.src.refresh().await?;
        let mut groups = existing_groups(self.src).await?;
        groups.retain(|(name, _)| self.src.groups.contains(name));
        Ok(groups)
    }
}

fn now_ms() -> i64 {
    i64::try_from(time::OffsetDateTime::now_utc().unix_timestamp_nanos() / 1_000_000)
        .unwrap_or(i64::MAX)
}
