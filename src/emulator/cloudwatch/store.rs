//! Metric samples per metric identity, bounded as AWS bounds them (15 days of retention) and
//! by a hard cap per metric, with an append-only journal in the state dir so they survive a
//! restart (compacted at start when it grows).

use std::collections::{BTreeMap, VecDeque};
use std::io::{BufRead, Write};
use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::domain::metrics::stat::Sample;

const JOURNAL: &str = "metrics.jsonl";
/// A journal bigger than this at start is rewritten from what the store keeps.
const COMPACT_AT: u64 = 64 * 1024 * 1024;
/// Samples kept per metric; the oldest go first, so memory stays bounded.
pub const MAX_SAMPLES_PER_METRIC: usize = 500_000;
/// How many samples back an equal one is looked for to merge with.
const MERGE_WINDOW: usize = 8;
/// Data older than this is gone, as with CloudWatch's 15-day retention of 1-minute data.
pub const RETENTION_MS: i64 = 15 * 24 * 3600 * 1000;

/// Units CloudWatch accepts (`StandardUnit`).
pub const UNITS: [&str; 27] = [
    "Seconds",
    "Microseconds",
    "Milliseconds",
    "Bytes",
    "Kilobytes",
    "Megabytes",
    "Gigabytes",
    "Terabytes",
    "Bits",
    "Kilobits",
    "Megabits",
    "Gigabits",
    "Terabits",
    "Percent",
    "Count",
    "Bytes/Second",
    "Kilobytes/Second",
    "Megabytes/Second",
    "Gigabytes/Second",
    "Terabytes/Second",
    "Bits/Second",
    "Kilobits/Second",
    "Megabits/Second",
    "Gigabits/Second",
    "Terabits/Second",
    "Count/Second",
    "None",
];

/// The unit as a static name, if CloudWatch knows it.
pub fn unit(name: &str) -> Option<&'static str> {
    UNITS.iter().copied().find(|u| *u == name)
}

/// One metric: account/region partition, namespace, name and dimensions sorted by name.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct MetricKey {
    pub partition: String,
    pub namespace: String,
    pub name: String,
    pub dims: Vec<(String, String)>,
}

impl MetricKey {
    pub fn new(
        partition: &str,
        namespace: &str,
        name: &str,
        mut dims: Vec<(String, String)>,
    ) -> Self {
        dims.sort();
        Self {
            partition: partition.to_string(),
            namespace: namespace.to_string(),
            name: name.to_string(),
            dims,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Point {
    /// Epoch milliseconds.
    pub t: i64,
    pub sample: Sample,
    pub unit: &'static str,
}

#[derive(Debug, Default)]
pub struct Series {
    /// Names the metric in the journal.
    id: u64,
    /// Sorted by time.
    pub points: VecDeque<Point>,
}

impl Series {
    /// The points in `[from, to)` (epoch ms).
    pub fn range(&self, from: i64, to: i64) -> impl Iterator<Item = &Point> {
        let start = self.points.partition_point(|p| p.t < from);
        self.points.range(start..).take_while(move |p| p.t < to)
    }

    fn insert(&mut self, p: Point) {
        let at = self.points.partition_point(|q| q.t <= p.t);
        // The same value in the same period is one sample seen more often: every statistic,
        // percentiles included, stays exact, and 0/1 counters (one per invocation) stay small.
        if let Sample::Value { value, count } = p.sample {
            let same = (at.saturating_sub(MERGE_WINDOW)..at).rev().find(|&i| {
                let q = &self.points[i];
                q.t == p.t
                    && q.unit == p.unit
                    && matches!(q.sample, Sample::Value { value: v, .. } if v == value)
            });
            if let Some(i) = same
                && let Some(Point {
                    sample: Sample::Value { count: c, .. },
                    ..
                }) = self.points.get_mut(i)
            {
                *c += count;
                return;
            }
        }
        if self.points.len() >= MAX_SAMPLES_PER_METRIC {
            self.points.pop_front();
        }
        let at = self.points.partition_point(|q| q.t <= p.t);
        self.points.insert(at, p);
    }
}

/// One journal line.
#[derive(Serialize, Deserialize)]
#[serde(tag = "k")]
enum Record {
    /// A metric's identity, named by `i` in the lines after it.
    #[serde(rename = "m")]
    Metric { i: u64, key: MetricKey },
    #[serde(rename = "v")]
    Value {
        i: u64,
        t: i64,
        u: String,
        v: f64,
        c: f64,
    },
    #[serde(rename = "s")]
    Set {
        i: u64,
        t: i64,
        u: String,
        sum: f64,
        min: f64,
        max: f64,
        c: f64,
    },
}

impl Record {
    fn sample(i: u64, p: &Point) -> Self {
        let u = p.unit.to_string();
        match p.sample {
            Sample::Value { value, count } => Record::Value {
                i,
                t: p.t,
                u,
                v: value,
                c: count,
            },
            Sample::Set {
                sum,
                min,
                max,
                count,
            } => Record::Set {
                i,
                t: p.t,
                u,
                sum,
                min,
                max,
                c: count,
            },
        }
    }
}

#[derive(Debug, Default)]
pub struct MetricStore {
    pub metrics: BTreeMap<MetricKey, Series>,
    next_id: u64,
    journal: Option<std::fs::File>,
    /// The journal's size, to compact it when it grows past [`COMPACT_AT`].
    journal_bytes: u64,
    dir: std::path::PathBuf,
}

impl MetricStore {
    /// Load the journal in `dir` (if any) and keep appending to it.
    pub fn open(dir: &Path, now_ms: i64) -> std::io::Result<Self> {
        let path = dir.join(JOURNAL);
        let mut store = Self::default();
        let mut size = 0;
        if let Ok(f) = std::fs::File::open(&path) {
            size = f.metadata()?.len();
            let mut keys: BTreeMap<u64, MetricKey> = BTreeMap::new();
            for line in std::io::BufReader::new(f).lines() {
                // A torn last line (a crash mid-write) is skipped, not fatal.
                let Ok(rec) = serde_json::from_str::<Record>(&line?) else {
                    continue;
                };
                store.replay(rec, &mut keys, now_ms);
            }
            // Ids continue after the journal's, so appended lines stay unambiguous.
            store.next_id = keys.keys().next_back().map_or(0, |i| i + 1);
        }
        store.dir = dir.to_path_buf();
        store.journal_bytes = size;
        store.compact_if_large()?;
        if store.journal.is_none() {
            store.reopen()?;
        }
        Ok(store)
    }

    fn reopen(&mut self) -> std::io::Result<()> {
        let path = self.dir.join(JOURNAL);
        self.journal = Some(crate::private_fs::open(&path, true)?);
        self.journal_bytes = std::fs::metadata(&path)?.len();
        Ok(())
    }

    /// Rewrite the journal from what the store keeps once it has grown large (merged and
    /// pruned samples make the rewrite much smaller).
    pub fn compact_if_large(&mut self) -> std::io::Result<()> {
        if self.journal_bytes <= COMPACT_AT {
            return Ok(());
        }
        self.journal = None;
        let dir = self.dir.clone();
        self.compact(&dir)?;
        self.reopen()
    }

    fn replay(&mut self, rec: Record, keys: &mut BTreeMap<u64, MetricKey>, now_ms: i64) {
        let (i, point) = match rec {
            Record::Metric { i, key } => {
                keys.insert(i, key);
                return;
            }
            Record::Value { i, t, u, v, c } => (
                i,
                Point {
                    t,
                    sample: Sample::Value { value: v, count: c },
                    unit: unit(&u).unwrap_or("None"),
                },
            ),
            Record::Set {
                i,
                t,
                u,
                sum,
                min,
                max,
                c,
            } => (
                i,
                Point {
                    t,
                    sample: Sample::Set {
                        sum,
                        min,
                        max,
                        count: c,
                    },
                    unit: unit(&u).unwrap_or("None"),
                },
            ),
        };
        if point.t < now_ms - RETENTION_MS {
            return;
        }
        if let Some(key) = keys.get(&i) {
            self.series_mut(key).insert(point);
        }
    }

    fn series_mut(&mut self, key: &MetricKey) -> &mut Series {
        if !self.metrics.contains_key(key) {
            let id = self.next_id;
            self.next_id += 1;
            self.metrics.insert(
                key.clone(),
                Series {
                    id,
                    points: VecDeque::new(),
                },
            );
        }
        self.metrics.entry(key.clone()).or_default()
    }

    /// Store samples (journaled in one write).
    pub fn put(&mut self, items: Vec<(MetricKey, Point)>) {
        let mut lines = Vec::new();
        for (key, point) in items {
            let known = self.metrics.contains_key(&key);
            let series = self.series_mut(&key);
            let id = series.id;
            series.insert(point);
            if !known {
                push_line(&mut lines, &Record::Metric { i: id, key });
            }
            push_line(&mut lines, &Record::sample(id, &point));
        }
        if let Some(f) = self.journal.as_mut() {
            match f.write_all(&lines) {
                Ok(()) => self.journal_bytes += lines.len() as u64,
                Err(e) => tracing::warn!(error = %e, "cannot journal metric data"),
            }
        }
    }

    /// Drop what retention no longer keeps, and metrics left without data.
    pub fn prune(&mut self, now_ms: i64) {
        let oldest = now_ms - RETENTION_MS;
        self.metrics.retain(|_, s| {
            while s.points.front().is_some_and(|p| p.t < oldest) {
                s.points.pop_front();
            }
            !s.points.is_empty()
        });
    }

    fn compact(&mut self, dir: &Path) -> std::io::Result<()> {
        let mut out = Vec::new();
        for (id, (key, series)) in self.metrics.iter_mut().enumerate() {
            series.id = id as u64;
            push_line(
                &mut out,
                &Record::Metric {
                    i: series.id,
                    key: key.clone(),
                },
            );
            for p in &series.points {
                push_line(&mut out, &Record::sample(series.id, p));
            }
        }
        self.next_id = self.metrics.len() as u64;
        crate::emulator::store::atomic_write(dir, JOURNAL, &out)
    }
}

fn push_line(out: &mut Vec<u8>, rec: &Record) {
    if serde_json::to_writer(&mut *out, rec).is_ok() {
        out.push(b'\n');
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn point(t: i64, value: f64) -> Point {
        Point {
            t,
            sample: Sample::Value { value, count: 1.0 },
            unit: "Count",
        }
    }

    #[test]
    fn samples_survive_reopen_sorted_and_a_torn_line_is_skipped() {
        let dir = tempfile::tempdir().expect("tempdir");
        let now = 1_000 * RETENTION_MS;
        let key = MetricKey::new(
            "1/r",
            "App",
            "Hits",
            vec![("b".into(), "2".into()), ("a".into(), "1".into())],
        );
        assert_eq!(key.dims[0].0, "a", "dimensions are sorted");
        {
            let mut s = MetricStore::open(dir.path(), now).expect("open");
            s.put(vec![
                (key.clone(), point(now - 10, 2.0)),
                (key.clone(), point(now - 20, 1.0)),
            ]);
        }
        let mut f = std::fs::OpenOptions::new()
            .append(true)
            .open(dir.path().join(JOURNAL))
            .expect("journal");
        f.write_all(b"{\"k\":\"v\",\"i\":0,\"t\":").expect("torn");
        let s = MetricStore::open(dir.path(), now).expect("reopen");
        let pts: Vec<f64> = s.metrics[&key]
            .range(0, now)
            .map(|p| match p.sample {
                Sample::Value { value, .. } => value,
                Sample::Set { sum, .. } => sum,
            })
            .collect();
        assert_eq!(pts, [1.0, 2.0]);
    }

    #[test]
    fn equal_values_in_one_period_merge_into_one_sample() {
        let mut s = Series::default();
        for v in [1.0, 0.0, 1.0, 1.0, 0.0, 7.5] {
            s.insert(point(60_000, v));
        }
        s.insert(point(120_000, 1.0));
        let got: Vec<_> = s
            .points
            .iter()
            .map(|p| match p.sample {
                Sample::Value { value, count } => (p.t, value, count),
                Sample::Set { .. } => (p.t, f64::NAN, 0.0),
            })
            .collect();
        assert_eq!(
            got,
            [
                (60_000, 1.0, 3.0),
                (60_000, 0.0, 2.0),
                (60_000, 7.5, 1.0),
                (120_000, 1.0, 1.0)
            ]
        );
    }

    #[test]
    fn retention_and_the_cap_bound_a_series() {
        let mut s = Series::default();
        for t in 0..(MAX_SAMPLES_PER_METRIC as i64 + 5) {
            s.insert(point(t, 0.0));
        }
        assert_eq!(s.points.len(), MAX_SAMPLES_PER_METRIC);
        assert_eq!(s.points.front().map(|p| p.t), Some(5), "oldest dropped");
        let mut store = MetricStore::default();
        let key = MetricKey::new("1/r", "App", "Old", vec![]);
        store.put(vec![(key.clone(), point(0, 1.0))]);
        store.prune(RETENTION_MS + 1);
        assert!(store.metrics.is_empty());
    }
}
