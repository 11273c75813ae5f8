//! Log groups, streams and events, in memory and bounded per stream.

use std::collections::{BTreeMap, VecDeque};

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
}

#[derive(Debug, Default)]
pub struct Group {
    pub creation_time: i64,
    pub streams: BTreeMap<String, Stream>,
}

/// All groups, keyed by (partition, group name).
#[derive(Debug, Default)]
pub struct LogStore {
    pub groups: BTreeMap<(String, String), Group>,
    seq: u64,
}

pub fn now_ms() -> i64 {
    (time::OffsetDateTime::now_utc().unix_timestamp_nanos() / 1_000_000) as i64
}

impl LogStore {
    /// The newest sequence number handed out.
    pub fn cursor(&self) -> u64 {
        self.seq
    }

    pub fn group_mut(&mut self, partition: &str, group: &str) -> &mut Group {
        self.groups
            .entry((partition.to_string(), group.to_string()))
            .or_insert_with(|| Group {
                creation_time: now_ms(),
                streams: BTreeMap::new(),
            })
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
        self.seq += 1;
        let seq = self.seq;
        let now = now_ms();
        // Event ids sort by time, then arrival: 56 digits, like AWS's.
        let id = format!("{:020}{:036}", timestamp.max(0), self.seq);
        let g = self.group_mut(partition, group);
        let s = g
            .streams
            .entry(stream.to_string())
            .or_insert_with(|| Stream {
                creation_time: now,
                ..Stream::default()
            });
        if s.events.len() == MAX_EVENTS_PER_STREAM {
            if let Some(old) = s.events.pop_front() {
                s.stored_bytes = s.stored_bytes.saturating_sub(old.message.len() as u64);
            }
        }
        s.stored_bytes += message.len() as u64;
        s.events.push_back(Event {
            timestamp,
            ingestion_time: now,
            message: message.to_string(),
            id,
            seq,
        });
    }
}
