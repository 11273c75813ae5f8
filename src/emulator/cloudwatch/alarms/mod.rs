//! Metric alarms: PutMetricAlarm (one metric, or `Metrics` with math), DescribeAlarms,
//! DeleteAlarms, DescribeAlarmHistory, and their evaluation. Kept in `alarms.json` in the
//! state dir, rewritten atomically on change; their history in its own journal (`history`).

mod describe;
mod eval;
pub mod history;
mod put;

pub use describe::{delete, describe};
pub use history::describe_history;
pub use put::put;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::cbor::Value;
use super::query::Query;
use super::store::MetricStore;
use super::wire::CwError;
use history::{History, ItemKind};

const FILE: &str = "alarms.json";
/// Alarms per account and region (AWS's default quota is far higher; this bounds memory).
const MAX_ALARMS: usize = 10_000;
const BASIC_STATS: [&str; 5] = ["SampleCount", "Average", "Sum", "Minimum", "Maximum"];
pub const OPERATORS: [&str; 4] = [
    "GreaterThanOrEqualToThreshold",
    "GreaterThanThreshold",
    "LessThanThreshold",
    "LessThanOrEqualToThreshold",
];
const TREAT_MISSING: [&str; 4] = ["breaching", "notBreaching", "ignore", "missing"];
pub const STATES: [&str; 3] = ["OK", "ALARM", "INSUFFICIENT_DATA"];

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Alarm {
    pub partition: String,
    pub name: String,
    pub description: Option<String>,
    pub actions_enabled: bool,
    pub ok_actions: Vec<String>,
    pub alarm_actions: Vec<String>,
    pub insufficient_data_actions: Vec<String>,
    /// The watched series: one MetricStat query, or the `Metrics` of a math alarm.
    pub queries: Vec<Query>,
    /// Whether the alarm was defined with MetricName/Namespace/… rather than `Metrics`.
    pub single: bool,
    pub evaluation_periods: i64,
    pub datapoints_to_alarm: Option<i64>,
    pub threshold: f64,
    pub comparison: String,
    pub treat_missing: Option<String>,
    pub config_updated_ms: i64,
    pub state: String,
    pub reason: String,
    pub reason_data: Option<String>,
    pub state_updated_ms: i64,
}

impl Alarm {
    pub fn arn(&self) -> String {
        let (account, region) = self.partition.split_once('/').unwrap_or(("", ""));
        format!("arn:aws:cloudwatch:{region}:{account}:alarm:{}", self.name)
    }
}

/// Every alarm, keyed by (partition, name).
pub struct AlarmBook {
    pub alarms: BTreeMap<(String, String), Alarm>,
    pub history: History,
    dir: PathBuf,
}

impl AlarmBook {
    pub fn open(dir: &Path, now_ms: i64) -> std::io::Result<Self> {
        let alarms = match std::fs::read(dir.join(FILE)) {
            Ok(bytes) => serde_json::from_slice::<Vec<Alarm>>(&bytes)
                .map_err(std::io::Error::other)?
                .into_iter()
                .map(|a| ((a.partition.clone(), a.name.clone()), a))
                .collect(),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => BTreeMap::new(),
            Err(e) => return Err(e),
        };
        Ok(Self {
            alarms,
            history: History::open(dir, now_ms)?,
            dir: dir.to_path_buf(),
        })
    }

    pub fn save(&self) -> Result<(), CwError> {
        let all: Vec<&Alarm> = self.alarms.values().collect();
        let bytes = serde_json::to_vec(&all).unwrap_or_default();
        crate::emulator::store::atomic_write(&self.dir, FILE, &bytes)
            .map_err(|e| CwError::internal(format!("cannot persist alarms: {e}")))
    }

    /// Evaluate the partition's alarms (or all), recording each transition in the history;
    /// true when a state changed.
    pub fn evaluate(&mut self, store: &MetricStore, partition: Option<&str>, now_ms: i64) -> bool {
        let mut changed = false;
        for ((p, _), alarm) in self.alarms.iter_mut() {
            if partition.is_none_or(|want| want == p) {
                changed |= update_recorded(&mut self.history, alarm, store, now_ms);
            }
        }
        changed
    }
}

/// Re-evaluate one alarm; a transition becomes a StateUpdate in `history`.
fn update_recorded(
    history: &mut History,
    alarm: &mut Alarm,
    store: &MetricStore,
    now_ms: i64,
) -> bool {
    let old = (
        alarm.state.clone(),
        alarm.reason.clone(),
        alarm.reason_data.clone(),
    );
    if !eval::update(alarm, store, now_ms) {
        return false;
    }
    let (summary, data) = history::state_update((&old.0, &old.1, old.2.as_deref()), alarm);
    history.record(
        &alarm.partition,
        &alarm.name,
        now_ms,
        ItemKind::StateUpdate,
        summary,
        data,
    );
    true
}

fn v(message: impl Into<String>) -> CwError {
    CwError::validation(message)
}

/// MaxRecords of a Describe call: 1..=100, `default` when absent.
fn max_records(b: &Value, default: i64) -> Result<usize, CwError> {
    let n = match b.get("MaxRecords") {
        None => default,
        Some(m) => m
            .as_i64()
            .filter(|m| (1..=100).contains(m))
            .ok_or_else(|| v("The parameter MaxRecords must be between 1 and 100."))?,
    };
    Ok(n as usize)
}

fn text(b: &Value, key: &str) -> Option<String> {
    b.get(key).and_then(Value::as_str).map(str::to_string)
}

fn text_list(b: &Value, key: &str) -> Vec<String> {
    b.get(key)
        .and_then(Value::as_list)
        .unwrap_or_default()
        .iter()
        .filter_map(|v| v.as_str().map(str::to_string))
        .collect()
}
