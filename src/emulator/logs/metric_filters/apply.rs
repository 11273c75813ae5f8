//! Turning an ingested event into metric data, as CloudWatch Logs does for each filter on the
//! event's group: a match publishes `metricValue` (a number, or a `$` field of the event) with
//! dimensions from the event's fields; an event whose value is not a number publishes nothing.
//!
//! `defaultValue` is published once per filter per minute in which an event was ingested and
//! the first of them did not match; a match later in that minute adds to it (AWS settles the
//! minute as a whole, which needs a timer this store does not have).

use super::MetricFilter;
use crate::domain::filter_pattern::FilterPattern;

/// One sample a filter publishes.
#[derive(Debug, Clone, PartialEq)]
pub struct Datum {
    pub namespace: String,
    pub name: String,
    pub dimensions: Vec<(String, String)>,
    pub value: f64,
    pub unit: &'static str,
    pub timestamp: i64,
}

/// Where a log store sends what its filters publish: the partition and the sample.
pub type MetricSink = Box<dyn Fn(&str, &Datum) + Send>;

impl MetricFilter {
    /// What this filter publishes for one event at `timestamp`, if anything.
    pub fn apply(&mut self, message: &str, timestamp: i64) -> Option<Datum> {
        if self.compiled.is_none() {
            self.compiled = FilterPattern::parse(&self.pattern).ok();
        }
        // Fields, not methods: the pattern is borrowed while the minute is written.
        let pattern = self.compiled.as_ref()?;
        let t = &self.transformation;
        let unit = t
            .unit
            .as_deref()
            .and_then(crate::emulator::cloudwatch::unit)
            .unwrap_or("None");
        let minute = timestamp - timestamp.rem_euclid(60_000);
        let datum = |value, dimensions| Datum {
            namespace: t.metric_namespace.clone(),
            name: t.metric_name.clone(),
            dimensions,
            value,
            unit,
            timestamp,
        };
        if !pattern.matches(message) {
            let default = t.default_value?;
            if self.defaulted_minute == Some(minute) {
                return None;
            }
            self.defaulted_minute = Some(minute);
            return Some(datum(default, vec![]));
        }
        self.defaulted_minute = Some(minute);
        let value = value_of(pattern, message, &t.metric_value)?;
        let mut dims = vec![];
        for (name, sel) in &t.dimensions {
            dims.push((name.clone(), pattern.value_at(message, sel)?));
        }
        Some(datum(value, dims))
    }
}

/// `metricValue`: a literal number, or the event's field (skipped when not numeric, as AWS).
fn value_of(pattern: &FilterPattern, message: &str, spec: &str) -> Option<f64> {
    if spec.starts_with('$') {
        pattern.value_at(message, spec)?.trim().parse().ok()
    } else {
        spec.trim().parse().ok()
    }
    .filter(|v: &f64| v.is_finite())
}
