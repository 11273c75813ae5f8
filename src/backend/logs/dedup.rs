//! De-duplication across overlapping reads of the same log.
//!
//! Every read of a log (one FilterLogEvents scan, one poll, one Live Tail session) is a
//! *pass*; within a pass an event comes at most once. Passes overlap on purpose (a poll
//! re-reads the last seconds; a reconnect backfills from before the drop), so an event is a
//! repeat when its pass has seen that event more often than has already been delivered.
//! Counting, rather than a set, keeps two identical lines written in the same millisecond.
//! Live Tail events carry no event id, so events are keyed by what identifies them in both
//! APIs: group, stream, timestamp, ingestion time and message.

use std::collections::{HashMap, VecDeque};
use std::hash::{DefaultHasher, Hash, Hasher};

use super::LogLine;

/// How far back (by event time) an event is remembered; reads overlap by seconds.
pub const WINDOW_MS: i64 = 15 * 60 * 1000;
/// Events remembered at most, however fast they come.
pub const CAP: usize = 200_000;

pub type PassId = u64;

#[derive(Default)]
struct Counts {
    counts: HashMap<u64, u32>,
    order: VecDeque<(i64, u64)>,
}

impl Counts {
    fn bump(&mut self, key: u64, ts: i64) -> u32 {
        self.order.push_back((ts, key));
        let c = self.counts.entry(key).or_insert(0);
        *c += 1;
        *c
    }

    fn get(&self, key: u64) -> u32 {
        self.counts.get(&key).copied().unwrap_or(0)
    }

    /// Forget what is older than `floor`, and the oldest beyond the cap.
    fn trim(&mut self, floor: i64) {
        while let Some(&(ts, key)) = self.order.front() {
            if ts >= floor && self.order.len() <= CAP {
                break;
            }
            self.order.pop_front();
            if let Some(c) = self.counts.get_mut(&key) {
                *c -= 1;
                if *c == 0 {
                    self.counts.remove(&key);
                }
            }
        }
    }
}

/// Delivered events, and what each open pass has seen.
#[derive(Default)]
pub struct Dedup {
    delivered: Counts,
    passes: HashMap<PassId, Counts>,
    newest: i64,
}

impl Dedup {
    /// The pass is over; its counts are no longer needed.
    pub fn end(&mut self, pass: PassId) {
        self.passes.remove(&pass);
    }

    /// True when `line`, read in `pass`, has not been delivered yet (and is now counted as
    /// delivered).
    pub fn admit(&mut self, pass: PassId, line: &LogLine) -> bool {
        let key = key(line);
        let seen = self
            .passes
            .entry(pass)
            .or_default()
            .bump(key, line.timestamp);
        let fresh = seen > self.delivered.get(key);
        if fresh {
            self.delivered.bump(key, line.timestamp);
        }
        if line.timestamp > self.newest {
            self.newest = line.timestamp;
            let floor = self.newest - WINDOW_MS;
            self.delivered.trim(floor);
            for p in self.passes.values_mut() {
                p.trim(floor);
            }
        }
        fresh
    }
}

fn key(l: &LogLine) -> u64 {
    let mut h = DefaultHasher::new();
    (
        &l.env,
        &l.log_group,
        &l.log_stream,
        l.timestamp,
        l.ingestion_time,
        &l.message,
    )
        .hash(&mut h);
    h.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line(ts: i64, msg: &str) -> LogLine {
        LogLine {
            timestamp: ts,
            ingestion_time: ts + 1,
            log_group: "g".into(),
            log_stream: "s".into(),
            event_id: None,
            message: msg.into(),
            env: "dev".into(),
            runtime: "r".into(),
        }
    }

    #[test]
    fn overlapping_passes_deliver_each_event_once() {
        let mut d = Dedup::default();
        let p1 = 1;
        assert!(d.admit(p1, &line(1, "a")));
        assert!(d.admit(p1, &line(2, "b")));
        d.end(p1);
        // The next poll re-reads b and finds c.
        let p2 = 2;
        assert!(!d.admit(p2, &line(2, "b")));
        assert!(d.admit(p2, &line(3, "c")));
    }

    #[test]
    fn identical_lines_in_one_millisecond_are_both_kept() {
        let mut d = Dedup::default();
        let p1 = 1;
        assert!(d.admit(p1, &line(5, "")));
        assert!(d.admit(p1, &line(5, "")), "a second blank line is a line");
        let p2 = 2;
        assert!(!d.admit(p2, &line(5, "")));
        assert!(!d.admit(p2, &line(5, "")));
        assert!(d.admit(p2, &line(5, "")), "a third one is new");
    }

    #[test]
    fn memory_is_bounded_by_the_window() {
        let mut d = Dedup::default();
        let p = 1;
        for i in 0..1000 {
            assert!(d.admit(p, &line(i * 60_000, "x")));
        }
        let kept = d.delivered.order.len();
        assert!(kept <= 17, "{kept} remembered");
        assert_eq!(d.passes[&p].order.len(), kept);
    }
}
