//! Runtime metrics from CloudWatch (namespace `AWS/Bedrock-AgentCore`), per endpoint and so
//! per version: invocations, errors, throttles, sessions, latency percentiles, and the error
//! rate computed by metric math. Every runtime × endpoint of an environment goes into one
//! GetMetricData call per 500 queries, never one call per runtime.

mod query;

use serde::Serialize;

pub use query::fetch;
// For the rollout gates: the same per-endpoint queries, over one window-long period.
pub(crate) use query::{endpoint_queries, get_metric_data_between};

/// The namespace AgentCore publishes runtime metrics in.
pub const NAMESPACE: &str = "AWS/Bedrock-AgentCore";
/// Datapoints one GetMetricData call may return (CloudWatch's limit).
pub const MAX_DATAPOINTS: i64 = 100_800;

/// A time range in epoch seconds and the period of each datapoint.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Window {
    pub start: i64,
    pub end: i64,
    pub period: i32,
}

impl Window {
    /// Check the window as CloudWatch would, with a message a person can act on.
    pub fn validate(&self) -> Result<(), String> {
        if self.end <= self.start {
            return Err("the time range is empty: --until is not after --since".into());
        }
        if self.period < 60 || self.period % 60 != 0 {
            return Err(format!(
                "period {} s: must be a multiple of 60 s (AgentCore publishes per minute)",
                self.period
            ));
        }
        if self.start < self.end - 455 * 86_400 {
            return Err("CloudWatch keeps metrics for at most 455 days".into());
        }
        Ok(())
    }

    /// `end` rounded up to a period boundary: the period under way is included, with what
    /// it has so far (an invocation a moment ago is not left out).
    pub fn end_aligned(&self) -> i64 {
        let p = i64::from(self.period);
        self.end.div_euclid(p) * p + if self.end.rem_euclid(p) == 0 { 0 } else { p }
    }

    /// The period-aligned timestamps the series are reported on.
    pub fn grid(&self) -> Vec<i64> {
        let p = i64::from(self.period);
        let first = self.start.div_euclid(p) * p;
        (0..)
            .map(|i| first + i * p)
            .take_while(|t| *t < self.end)
            .collect()
    }
}

/// The series and totals of one endpoint over the window.
#[derive(Debug, Clone, Default, Serialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct EndpointMetrics {
    pub endpoint: String,
    /// The version the endpoint serves now (it may have moved within the window).
    pub version: Option<String>,
    pub invocations: Vec<Option<f64>>,
    pub errors: Vec<Option<f64>>,
    pub throttles: Vec<Option<f64>>,
    pub sessions: Vec<Option<f64>>,
    pub latency_p50: Vec<Option<f64>>,
    pub latency_p99: Vec<Option<f64>>,
    /// Percent of invocations that failed, per period (none where there were none).
    pub error_rate: Vec<Option<f64>>,
    pub totals: Totals,
}

/// Over the whole window.
#[derive(Debug, Clone, Default, Serialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct Totals {
    pub invocations: f64,
    pub errors: f64,
    pub throttles: f64,
    pub sessions: f64,
    pub error_rate: Option<f64>,
    /// Latency of the latest period with data: percentiles do not add up across periods.
    pub latest_p50: Option<f64>,
    pub latest_p99: Option<f64>,
}

/// One runtime in one environment.
#[derive(Debug, Clone, Serialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct RuntimeMetrics {
    pub env: String,
    pub runtime: String,
    pub runtime_arn: String,
    pub period: i32,
    /// Epoch seconds, one per period, shared by every series below.
    pub timestamps: Vec<i64>,
    pub endpoints: Vec<EndpointMetrics>,
}

impl RuntimeMetrics {
    pub fn endpoint(&self, name: &str) -> Option<&EndpointMetrics> {
        self.endpoints.iter().find(|e| e.endpoint == name)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_grid_is_aligned_on_the_period() {
        let w = Window {
            start: 130,
            end: 300,
            period: 60,
        };
        assert_eq!(w.grid(), [120, 180, 240]);
        assert_eq!(w.end_aligned(), 300);
        let mid = Window { end: 301, ..w };
        assert_eq!((mid.grid().len(), mid.end_aligned()), (4, 360));
        assert!(w.validate().is_ok());
    }

    #[test]
    fn windows_cloudwatch_would_refuse_are_refused_here() {
        let bad = [
            (
                Window {
                    start: 10,
                    end: 10,
                    period: 60,
                },
                "empty",
            ),
            (
                Window {
                    start: 0,
                    end: 600,
                    period: 90,
                },
                "multiple of 60",
            ),
            (
                Window {
                    start: 0,
                    end: 600,
                    period: 0,
                },
                "multiple of 60",
            ),
            (
                Window {
                    start: 0,
                    end: 500 * 86_400,
                    period: 3600,
                },
                "455 days",
            ),
        ];
        for (w, expect) in bad {
            let err = w.validate().expect_err("refused");
            assert!(err.contains(expect), "{w:?}: {err}");
        }
    }
}
