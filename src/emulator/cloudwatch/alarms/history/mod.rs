//! Alarm history, as DescribeAlarmHistory returns it: a ConfigurationUpdate when an alarm is
//! created, updated or deleted, a StateUpdate on every transition. Kept per account+region
//! and alarm name (so a deleted alarm's history stays, as on AWS), for 14 days and at most
//! [`MAX_PER_ALARM`] items per alarm (oldest dropped).
//!
//! Stored as an append-only journal (`alarm_history.jsonl`) beside `alarms.json`: one item a
//! line, rewritten from what is kept once it holds far more lines than that.

mod data;
mod describe;

pub use data::{alarm_created, alarm_deleted, alarm_updated, state_update};
pub use describe::describe_history;

use std::collections::{BTreeMap, VecDeque};
use std::io::{BufRead, Write};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

const JOURNAL: &str = "alarm_history.jsonl";
/// AWS keeps alarm history for two weeks.
pub const RETENTION_MS: i64 = 14 * 24 * 3600 * 1000;
pub const MAX_PER_ALARM: usize = 1_000;
/// Journal lines beyond what is kept before it is rewritten.
const SLACK_LINES: usize = 10_000;

/// HistoryItemType.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum ItemKind {
    ConfigurationUpdate,
    StateUpdate,
    Action,
}

impl ItemKind {
    pub const ALL: [Self; 3] = [Self::ConfigurationUpdate, Self::StateUpdate, Self::Action];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::ConfigurationUpdate => "ConfigurationUpdate",
            Self::StateUpdate => "StateUpdate",
            Self::Action => "Action",
        }
    }
}

/// One AlarmHistoryItem (of a metric alarm).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Item {
    pub partition: String,
    pub alarm: String,
    pub t_ms: i64,
    /// Orders items of the same millisecond (a creation before its first transition).
    pub seq: u64,
    pub kind: ItemKind,
    pub summary: String,
    /// HistoryData: a JSON document, as a string.
    pub data: String,
}

/// Every alarm's history, keyed by (partition, alarm name).
pub struct History {
    pub items: BTreeMap<(String, String), VecDeque<Item>>,
    next_seq: u64,
    journal: Option<std::fs::File>,
    /// Lines in the journal, to rewrite it once it holds far more than is kept.
    lines: usize,
    dir: PathBuf,
}

impl History {
    /// Load the journal in `dir` (a torn last line is skipped) and keep appending to it.
    pub fn open(dir: &Path, now_ms: i64) -> std::io::Result<Self> {
        let mut h = Self {
            items: BTreeMap::new(),
            next_seq: 0,
            journal: None,
            lines: 0,
            dir: dir.to_path_buf(),
        };
        if let Ok(f) = std::fs::File::open(dir.join(JOURNAL)) {
            for line in std::io::BufReader::new(f).lines() {
                h.lines += 1;
                if let Ok(item) = serde_json::from_str::<Item>(&line?) {
                    h.next_seq = h.next_seq.max(item.seq + 1);
                    h.keep(item);
                }
            }
        }
        h.prune(now_ms);
        if h.lines > h.kept() {
            h.compact()?;
        }
        h.journal = Some(crate::private_fs::open(&dir.join(JOURNAL), true)?);
        Ok(h)
    }

    fn kept(&self) -> usize {
        self.items.values().map(VecDeque::len).sum()
    }

    fn keep(&mut self, item: Item) {
        let list = self
            .items
            .entry((item.partition.clone(), item.alarm.clone()))
            .or_default();
        list.push_back(item);
        while list.len() > MAX_PER_ALARM {
            list.pop_front();
        }
    }

    /// Append one item of `alarm` (journaled at once).
    pub fn record(
        &mut self,
        partition: &str,
        alarm: &str,
        t_ms: i64,
        kind: ItemKind,
        summary: String,
        data: String,
    ) {
        let item = Item {
            partition: partition.to_string(),
            alarm: alarm.to_string(),
            t_ms,
            seq: self.next_seq,
            kind,
            summary,
            data,
        };
        self.next_seq += 1;
        if let Some(f) = self.journal.as_mut() {
            let mut line = serde_json::to_vec(&item).unwrap_or_default();
            line.push(b'\n');
            match f.write_all(&line) {
                Ok(()) => self.lines += 1,
                Err(e) => tracing::warn!(error = %e, "cannot journal alarm history"),
            }
        }
        self.keep(item);
    }

    /// Drop items older than the retention, and rewrite the journal once it is mostly waste.
    pub fn prune(&mut self, now_ms: i64) {
        let oldest = now_ms - RETENTION_MS;
        self.items.retain(|_, list| {
            while list.front().is_some_and(|i| i.t_ms < oldest) {
                list.pop_front();
            }
            !list.is_empty()
        });
        if self.journal.is_some()
            && self.lines > self.kept() + SLACK_LINES
            && let Err(e) = self.compact()
        {
            tracing::warn!(error = %e, "cannot compact the alarm history journal");
        }
    }

    fn compact(&mut self) -> std::io::Result<()> {
        let mut all: Vec<&Item> = self.items.values().flatten().collect();
        all.sort_by_key(|i| i.seq);
        let mut out = Vec::new();
        for item in &all {
            if serde_json::to_writer(&mut out, item).is_ok() {
                out.push(b'\n');
            }
        }
        let reopen = self.journal.take().is_some();
        crate::emulator::store::atomic_write(&self.dir, JOURNAL, &out)?;
        self.lines = all.len();
        if reopen {
            self.journal = Some(crate::private_fs::open(&self.dir.join(JOURNAL), true)?);
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(h: &mut History, alarm: &str, t_ms: i64, n: usize) {
        for k in 0..n {
            h.record(
                "1/us-west-2",
                alarm,
                t_ms,
                ItemKind::StateUpdate,
                format!("s{k}"),
                "{}".into(),
            );
        }
    }

    #[test]
    fn history_survives_reopen_is_bounded_per_alarm_and_pruned_after_two_weeks() {
        let dir = tempfile::tempdir().expect("tempdir");
        let now = 1_800_000_000_000;
        let mut h = History::open(dir.path(), now).expect("open");
        record(&mut h, "old", now - RETENTION_MS - 1, 1);
        record(&mut h, "busy", now, MAX_PER_ALARM + 5);
        drop(h);
        let mut f = crate::private_fs::open(&dir.path().join(JOURNAL), true).expect("journal");
        f.write_all(b"{\"torn").expect("torn line");
        drop(f);
        let h = History::open(dir.path(), now).expect("reopen");
        assert!(!h.items.contains_key(&("1/us-west-2".into(), "old".into())));
        let busy = &h.items[&("1/us-west-2".to_string(), "busy".to_string())];
        assert_eq!(busy.len(), MAX_PER_ALARM);
        assert_eq!(busy.front().map(|i| i.summary.as_str()), Some("s5"));
        assert_eq!(
            h.lines, MAX_PER_ALARM,
            "the journal was rewritten to what is kept"
        );
        assert_eq!(h.next_seq, MAX_PER_ALARM as u64 + 6);
    }
}
