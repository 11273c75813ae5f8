//! One evaluation's metrics in one GetMetricData: both legs' AgentCore queries (the same ones
//! `metrics` makes) and the canary's tool-error count, over ONE period as long as the window,
//! so a count is the window's total and p99 is the percentile over every call in it (p99s of
//! minutes cannot be combined into the window's p99).

use std::collections::HashMap;

use aws_sdk_cloudwatch::types::{Metric, MetricDataQuery, MetricStat};

use super::Legs;
use crate::backend::metrics::{Window, endpoint_queries};
use crate::domain::alarms::{TOOL_ERRORS_NAMESPACE, tool_error_metric};

/// Query id prefixes of the two legs, and the tool-error query's id.
const STABLE: &str = "s";
const CANARY: &str = "c";
const TOOL: &str = "c_tool";

/// The window as one period: `(start, period)`, the start aligned down to the minute (where
/// CloudWatch starts its first period) and the period the rest of the window rounded up to
/// whole minutes, so the query's end is `start + period`.
pub(super) fn whole_window(w: Window) -> Result<(i64, i32), String> {
    if w.end <= w.start {
        return Err(format!(
            "the gates' window {}..{} is empty: its end must be after its start",
            w.start, w.end
        ));
    }
    let start = w.start.div_euclid(60) * 60;
    let minutes = (w.end - start + 59).div_euclid(60);
    i32::try_from(minutes * 60)
        .ok()
        .filter(|p| *p <= 455 * 86_400)
        .map(|p| (start, p))
        .ok_or_else(|| {
            format!(
                "the gates' window of {minutes} minutes is longer than CloudWatch keeps metrics"
            )
        })
}

/// Both legs' queries and the canary's tool errors (the log metric filter's metric has no
/// dimensions: the endpoint is in its name).
pub(super) fn queries(legs: &Legs<'_>, period: i32) -> Vec<MetricDataQuery> {
    let leg = |p: &str, endpoint: &str| {
        endpoint_queries(p, legs.runtime_arn, legs.runtime, endpoint, period)
    };
    let tool = MetricDataQuery::builder()
        .id(TOOL)
        .metric_stat(
            MetricStat::builder()
                .metric(
                    Metric::builder()
                        .namespace(TOOL_ERRORS_NAMESPACE)
                        .metric_name(tool_error_metric(legs.runtime, legs.canary))
                        .build(),
                )
                .period(period)
                .stat("Sum")
                .build(),
        )
        .return_data(true)
        .build();
    let mut all = leg(STABLE, legs.stable);
    all.extend(leg(CANARY, legs.canary));
    all.push(tool);
    all
}

/// What one leg did in the window.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub(super) struct Leg {
    pub invocations: u64,
    /// SystemErrors + UserErrors.
    pub errors: u64,
    /// Latency p99 over the window, milliseconds (none without calls).
    pub p99: Option<f64>,
}

/// Both legs and the canary's tool errors.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub(super) struct Readings {
    pub stable: Leg,
    pub canary: Leg,
    /// Missing data is 0: the filter publishes its default 0 only when a log line matched
    /// nothing, so a window without log lines has no datapoint at all.
    pub tool_errors: u64,
}

/// Read GetMetricData's answer (id → points) into legs.
pub(super) fn read(results: &HashMap<String, Vec<(i64, f64)>>) -> Readings {
    let leg = |p: &str| Leg {
        invocations: count(results, &format!("{p}_inv")),
        errors: count(results, &format!("{p}_err")),
        // One period, so one point; several would mean a misaligned window.
        p99: results
            .get(&format!("{p}_p99"))
            .and_then(|v| v.iter().map(|(_, x)| *x).reduce(f64::max)),
    };
    Readings {
        stable: leg(STABLE),
        canary: leg(CANARY),
        tool_errors: count(results, TOOL),
    }
}

/// The total of a count's points (absent: 0).
fn count(results: &HashMap<String, Vec<(i64, f64)>>, id: &str) -> u64 {
    let sum: f64 = results
        .get(id)
        .map_or(0.0, |v| v.iter().map(|(_, x)| x.max(0.0)).sum());
    // Sums of whole counts; rounding absorbs float noise.
    sum.round() as u64
}

#[cfg(test)]
mod tests {
    use super::*;

    fn window(start: i64, end: i64) -> Window {
        Window {
            start,
            end,
            period: 60,
        }
    }

    #[test]
    fn the_window_is_one_period_from_the_minute_it_starts_in() {
        // 10:00:30 .. 10:05:10: from 10:00:00, six whole minutes reach past the end.
        assert_eq!(whole_window(window(630, 910)), Ok((600, 360)));
        // Aligned both ends: exactly the window.
        assert_eq!(whole_window(window(600, 900)), Ok((600, 300)));
        // A window inside one minute is that minute.
        assert_eq!(whole_window(window(601, 602)), Ok((600, 60)));
        let (start, period) =
            whole_window(window(1_700_000_123, 1_700_000_123 + 900)).expect("a quarter of an hour");
        assert_eq!(start % 60, 0);
        assert!(start + i64::from(period) >= 1_700_000_123 + 900);
        assert_eq!(period % 60, 0);
    }

    #[test]
    fn empty_or_endless_windows_are_refused() {
        assert!(
            whole_window(window(600, 600))
                .expect_err("empty")
                .contains("empty")
        );
        assert!(
            whole_window(window(0, 500 * 86_400))
                .expect_err("too long")
                .contains("longer")
        );
    }

    #[test]
    fn both_legs_and_the_canarys_tool_errors_are_one_call() {
        let legs = Legs {
            runtime: "weather",
            runtime_arn: "arn:aws:bedrock-agentcore:us-east-1:1:runtime/weather-AbC",
            stable: "stable",
            canary: "canary",
        };
        let q = queries(&legs, 300);
        let ids: Vec<&str> = q.iter().filter_map(MetricDataQuery::id).collect();
        for id in [
            "s_inv", "s_err", "s_p99", "c_inv", "c_err", "c_p99", "c_tool",
        ] {
            assert!(ids.contains(&id), "{id} in {ids:?}");
        }
        let tool = q
            .iter()
            .find(|q| q.id() == Some(TOOL))
            .and_then(MetricDataQuery::metric_stat)
            .expect("tool query");
        assert_eq!(tool.period(), Some(300));
        let m = tool.metric().expect("metric");
        assert_eq!(m.metric_name(), Some("weather/canary"));
        assert_eq!(m.namespace(), Some(TOOL_ERRORS_NAMESPACE));
        assert!(m.dimensions().is_empty());
        assert!(
            q.iter()
                .filter_map(MetricDataQuery::metric_stat)
                .all(|s| s.period() == Some(300))
        );
    }

    #[test]
    fn results_are_read_into_legs_and_missing_tool_errors_are_zero() {
        let r: HashMap<String, Vec<(i64, f64)>> = [
            ("s_inv", vec![(600, 120.0)]),
            ("s_err", vec![(600, 1.0)]),
            ("s_p99", vec![(600, 40.0)]),
            ("c_inv", vec![(600, 12.999_999)]),
            ("c_err", vec![(600, 0.0)]),
            ("c_p99", vec![(600, 55.5)]),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v))
        .collect();
        let got = read(&r);
        assert_eq!(
            got,
            Readings {
                stable: Leg {
                    invocations: 120,
                    errors: 1,
                    p99: Some(40.0)
                },
                canary: Leg {
                    invocations: 13,
                    errors: 0,
                    p99: Some(55.5)
                },
                tool_errors: 0,
            }
        );
        assert_eq!(read(&HashMap::new()), Readings::default());
    }
}
