//! Log groups, streams and events: in memory and bounded per stream, with an append-only
//! journal in the state dir so they survive a restart (compacted at start when it grows).

use std::collections::{BTreeMap, VecDeque};
use std::io::{BufRead, Write};
use std::path::Path;

use serde::{Deserialize, Serialize};

use super::metric_filters::MetricFilter;
use super::metric_filters::apply::MetricSink;

/// A journal bigger than this at start is rewritten from what the store keeps.
const COMPACT_AT: u64 = 256 * 1024 * 1024;

/// One journal line.
#[derive(Serialize, Deserialize)]
#[serde(tag = "k")]
enum Record {
    #[serde(rename = "g")]
    Group { p: String, g: String, t: i64 },
    #[serde(rename = "s")]
    Stream {
        p: String,
        g: String,
        s: String,
        t: i64,
    },
    #[serde(rename = "e")]
    Event {
        p: String,
        g: String,
        s: String,
        t: i64,
        i: i64,
        m: String,
    },
    #[serde(rename = "f")]
    Filter {
        p: String,
        g: String,
        f: Box<MetricFilter>,
    },
    #[serde(rename = "fd")]
    FilterDeleted { p: String, g: String, n: String },
    /// DeleteLogGroup: the group and all in it.
    #[serde(rename = "gd")]
    GroupDeleted { p: String, g: String },
    /// PutRetentionPolicy (`d` set) or DeleteRetentionPolicy (`d` absent).
    #[serde(rename = "r")]
    Retention {
        p: String,
        g: String,
        #[serde(default)]
        d: Option<u32>,
    },
}

/// Events kept per stream; older ones are dropped, as retention would.
pub const MAX_EVENTS_PER_STREAM: usize = 100_000;

#[derive(Debug, Clone)]
pub struct Event {
    pub timestamp: i64,
    pub ingestion_time: i64,
    pub message: String,
    pub id: String,
    /// Arrival order across the whole store, for Live Tail cursors.
    pub seq: u64,
}

#[derive(Debug, Default)]
pub struct Stream {
    pub creation_time: i64,
    pub events: VecDeque<Event>,
    pub stored_bytes: u64,
    /// No event is older (may be older than the oldest left): spares `expire` a walk.
    oldest: Option<i64>,
}

#[derive(Debug, Default)]
pub struct Group {
    pub creation_time: i64,
    pub streams: BTreeMap<String, Stream>,
    pub metric_filters: BTreeMap<String, MetricFilter>,
    /// `retentionInDays`; `None` keeps events forever (within the per-stream bound).
    pub retention_days: Option<u32>,
}

/// All groups, keyed by (partition, group name).
#[derive(Default)]
pub struct LogStore {
    pub groups: BTreeMap<(String, String), Group>,
    seq: u64,
    journal: Option<std::fs::File>,
    metric_sink: Option<MetricSink>,
}

pub fn now_ms() -> i64 {
    (time::OffsetDateTime::now_utc().unix_timestamp_nanos() / 1_000_000) as i64
}

impl LogStore {
    /// The newest sequence number handed out.
    pub fn cursor(&self) -> u64 {
        self.seq
    }

    /// Where metric filters publish (the emulator's CloudWatch); without one they only match.
    pub fn set_metric_sink(&mut self, sink: MetricSink) {
        self.metric_sink = Some(sink);
    }

    /// Load the journal in `dir` (if any) and keep appending to it.
    pub fn open(dir: &Path) -> std::io::Result<Self> {
        let path = dir.join("logs.jsonl");
        let mut store = Self::default();
        let mut size = 0;
        if let Ok(f) = std::fs::File::open(&path) {
            size = f.metadata()?.len();
            for line in std::io::BufReader::new(f).lines() {
                // A torn last line (a crash mid-write) is skipped, not fatal.
                if let Ok(rec) = serde_json::from_str::<Record>(&line?) {
                    store.apply(rec);
                }
            }
        }
        store.expire(now_ms());
        if size > COMPACT_AT {
            store.compact(dir)?;
        }
        store.journal = Some(crate::private_fs::open(&path, true)?);
        Ok(store)
    }

    fn compact(&self, dir: &Path) -> std::io::Result<()> {
        let mut out = Vec::new();
        for ((p, g), group) in &self.groups {
            let rec = Record::Group {
                p: p.clone(),
                g: g.clone(),
                t: group.creation_time,
            };
            serde_json::to_writer(&mut out, &rec)?;
            out.push(b'\n');
            if let Some(d) = group.retention_days {
                let rec = Record::Retention {
                    p: p.clone(),
                    g: g.clone(),
                    d: Some(d),
                };
                serde_json::to_writer(&mut out, &rec)?;
                out.push(b'\n');
            }
            for f in group.metric_filters.values() {
                let rec = Record::Filter {
                    p: p.clone(),
                    g: g.clone(),
                    f: Box::new(f.clone()),
                };
                serde_json::to_writer(&mut out, &rec)?;
                out.push(b'\n');
            }
            for (sname, stream) in &group.streams {
                let rec = Record::Stream {
                    p: p.clone(),
                    g: g.clone(),
                    s: sname.clone(),
                    t: stream.creation_time,
                };
                serde_json::to_writer(&mut out, &rec)?;
                out.push(b'\n');
                for e in &stream.events {
                    let rec = Record::Event {
                        p: p.clone(),
                        g: g.clone(),
                        s: sname.clone(),
                        t: e.timestamp,
                        i: e.ingestion_time,
                        m: e.message.clone(),
                    };
                    serde_json::to_writer(&mut out, &rec)?;
                    out.push(b'\n');
                }
            }
        }
        crate::emulator::store::atomic_write(dir, "logs.jsonl", &out)
    }

    fn write(&mut self, rec: &Record) {
        if let Some(f) = self.journal.as_mut()
            && let Ok(mut line) = serde_json::to_vec(rec)
        {
            line.push(b'\n');
            if let Err(e) = f.write_all(&line) {
                tracing::warn!(error = %e, "cannot journal a log event");
            }
        }
    }

    fn apply(&mut self, rec: Record) {
        match rec {
            Record::Group { p, g, t } => {
                self.groups.entry((p, g)).or_insert_with(|| Group {
                    creation_time: t,
                    ..Group::default()
                });
            }
            Record::GroupDeleted { p, g } => {
                self.groups.remove(&(p, g));
            }
            Record::Filter { p, g, f } => {
                if let Some(group) = self.groups.get_mut(&(p, g)) {
                    group.metric_filters.insert(f.name.clone(), *f);
                }
            }
            Record::Retention { p, g, d } => {
                if let Some(group) = self.groups.get_mut(&(p, g)) {
                    group.retention_days = d;
                }
            }
            Record::FilterDeleted { p, g, n } => {
                if let Some(group) = self.groups.get_mut(&(p, g)) {
                    group.metric_filters.remove(&n);
                }
            }
            Record::Stream { p, g, s, t } => {
                let group = self.groups.entry((p, g)).or_insert_with(|| Group {
                    creation_time: t,
                    ..Group::default()
                });
                group.streams.entry(s).or_insert_with(|| Stream {
                    creation_time: t,
                    ..Stream::default()
                });
            }
            Record::Event { p, g, s, t, i, m } => self.insert(&p, &g, &s, t, i, m),
        }
    }

    /// The group, created (and journaled) on first use.
    pub fn group_mut(&mut self, partition: &str, group: &str) -> &mut Group {
        let key = (partition.to_string(), group.to_string());
        if !self.groups.contains_key(&key) {
            let t = now_ms();
            self.write(&Record::Group {
                p: key.0.clone(),
                g: key.1.clone(),
                t,
            });
            self.groups.insert(
                key.clone(),
                Group {
                    creation_time: t,
                    ..Group::default()
                },
            );
        }
        self.groups.entry(key).or_default()
    }

    /// Delete a group with its streams, events, metric filters and retention (journaled);
    /// false when there was none.
    pub fn delete_group(&mut self, partition: &str, group: &str) -> bool {
        let key = (partition.to_string(), group.to_string());
        if self.groups.remove(&key).is_none() {
            return false;
        }
        self.write(&Record::GroupDeleted { p: key.0, g: key.1 });
        true
    }

    /// Create or replace a metric filter on an existing group (journaled).
    pub fn put_metric_filter(&mut self, partition: &str, group: &str, filter: MetricFilter) {
        self.write(&Record::Filter {
            p: partition.to_string(),
            g: group.to_string(),
            f: Box::new(filter.clone()),
        });
        self.group_mut(partition, group)
            .metric_filters
            .insert(filter.name.clone(), filter);
    }

    /// Delete a metric filter (journaled).
    pub fn delete_metric_filter(&mut self, partition: &str, group: &str, name: &str) {
        self.write(&Record::FilterDeleted {
            p: partition.to_string(),
            g: group.to_string(),
            n: name.to_string(),
        });
        self.group_mut(partition, group).metric_filters.remove(name);
    }

    /// Set (or with `None` remove) an existing group's retention (journaled).
    pub fn set_retention(&mut self, partition: &str, group: &str, days: Option<u32>) {
        self.write(&Record::Retention {
            p: partition.to_string(),
            g: group.to_string(),
            d: days,
        });
        self.group_mut(partition, group).retention_days = days;
    }

    /// Drop the events older than their group's retention, as AWS deletes them: what is gone
    /// is no longer returned by any read. Not journaled: the replay expires them again.
    pub fn expire(&mut self, now: i64) {
        const DAY_MS: i64 = 24 * 3600 * 1000;
        for g in self.groups.values_mut() {
            let Some(days) = g.retention_days else {
                continue;
            };
            let cutoff = now - i64::from(days) * DAY_MS;
            for s in g.streams.values_mut() {
                if s.oldest.is_none_or(|o| o >= cutoff) {
                    continue;
                }
                s.events.retain(|e| e.timestamp >= cutoff);
                s.stored_bytes = s.events.iter().map(|e| e.message.len() as u64).sum();
                s.oldest = s.events.iter().map(|e| e.timestamp).min();
            }
        }
    }

    /// Whether an event at `timestamp` is already past `group`'s retention.
    pub fn expired(&self, partition: &str, group: &str, timestamp: i64, now: i64) -> bool {
        self.groups
            .get(&(partition.to_string(), group.to_string()))
            .and_then(|g| g.retention_days)
            .is_some_and(|d| timestamp < now - i64::from(d) * 24 * 3600 * 1000)
    }

    /// Create a stream in an existing group (journaled).
    pub fn create_stream(&mut self, partition: &str, group: &str, stream: &str) {
        let t = now_ms();
        self.write(&Record::Stream {
            p: partition.to_string(),
            g: group.to_string(),
            s: stream.to_string(),
            t,
        });
        self.group_mut(partition, group).streams.insert(
            stream.to_string(),
            Stream {
                creation_time: t,
                ..Stream::default()
            },
        );
    }

    /// Append one event (creating group and stream on first use).
    pub fn append(
        &mut self,
        partition: &str,
        group: &str,
        stream: &str,
        timestamp: i64,
        message: &str,
    ) {
        let now = now_ms();
        self.group_mut(partition, group);
        self.write(&Record::Event {
            p: partition.to_string(),
            g: group.to_string(),
            s: stream.to_string(),
            t: timestamp,
            i: now,
            m: message.to_string(),
        });
        self.insert(
            partition,
            group,
            stream,
            timestamp,
            now,
            message.to_string(),
        );
        self.publish(partition, group, timestamp, message);
    }

    /// Run the group's metric filters over a newly ingested event (never over a replayed one:
    /// what they published then is in the metric store already).
    fn publish(&mut self, partition: &str, group: &str, timestamp: i64, message: &str) {
        let Some(sink) = self.metric_sink.as_ref() else {
            return;
        };
        let Some(g) = self
            .groups
            .get_mut(&(partition.to_string(), group.to_string()))
        else {
            return;
        };
        for f in g.metric_filters.values_mut() {
            if let Some(d) = f.apply(message, timestamp) {
                sink(partition, &d);
            }
        }
    }

    fn insert(
        &mut self,
        partition: &str,
        group: &str,
        stream: &str,
        timestamp: i64,
        ingestion: i64,
        message: String,
    ) {
        self.seq += 1;
        let seq = self.seq;
        // Event ids sort by time, then arrival: 56 digits, like AWS's.
        let id = format!("{:020}{:036}", timestamp.max(0), seq);
        let g = self
            .groups
            .entry((partition.to_string(), group.to_string()))
            .or_insert_with(|| Group {
                creation_time: ingestion,
                ..Group::default()
            });
        let s = g
            .streams
            .entry(stream.to_string())
            .or_insert_with(|| Stream {
                creation_time: ingestion,
                ..Stream::default()
            });
        if s.events.len() == MAX_EVENTS_PER_STREAM
            && let Some(old) = s.events.pop_front()
        {
            s.stored_bytes = s.stored_bytes.saturating_sub(old.message.len() as u64);
        }
        s.stored_bytes += message.len() as u64;
        s.oldest = Some(s.oldest.map_or(timestamp, |o| o.min(timestamp)));
        s.events.push_back(Event {
            timestamp,
            ingestion_time: ingestion,
            message,
            id,
            seq,
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const DAY_MS: i64 = 24 * 3600 * 1000;

    fn messages(store: &LogStore) -> Vec<String> {
        store
            .groups
            .values()
            .flat_map(|g| g.streams.values())
            .flat_map(|s| s.events.iter().map(|e| e.message.clone()))
            .collect()
    }

    #[test]
    fn expiry_drops_what_is_past_retention_and_compaction_keeps_the_setting() {
        let dir = tempfile::tempdir().expect("tempdir");
        let now = now_ms();
        {
            let mut store = LogStore::open(dir.path()).expect("open");
            store.append("p", "g", "s", now - 5 * DAY_MS, "old");
            store.append("p", "g", "s", now - 1000, "new");
            store.append("p", "other", "s", now - 5 * DAY_MS, "kept: no retention");
            store.expire(now);
            assert_eq!(messages(&store).len(), 3, "no retention yet");
            store.set_retention("p", "g", Some(3));
            store.expire(now);
            assert_eq!(messages(&store), ["new", "kept: no retention"]);
            let g = &store.groups[&("p".to_string(), "g".to_string())];
            assert_eq!(g.streams["s"].stored_bytes, 3, "bytes follow the events");
            // Compaction rewrites the journal from memory: the retention goes with it.
            store.compact(dir.path()).expect("compact");
        }
        let journal = std::fs::read_to_string(dir.path().join("logs.jsonl")).expect("journal");
        assert!(journal.contains(r#""r""#), "{journal}");
        let store = LogStore::open(dir.path()).expect("reopen");
        assert_eq!(
            store.groups[&("p".to_string(), "g".to_string())].retention_days,
            Some(3)
        );
        assert_eq!(messages(&store), ["new", "kept: no retention"]);
    }
}
