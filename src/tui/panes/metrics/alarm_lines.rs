//! The runtime's alarms as the metrics charts draw them: which chart each kind belongs to,
//! its threshold line and label, and its periods in ALARM. Built once per answer.

use crate::domain::alarms::{AlarmKind, AlarmState};
use crate::tui::alarms::short_name;
use crate::tui::alarms::spans::alarm_periods;
use crate::tui::io::ChartAlarm;
use crate::tui::panes::clean;
use crate::tui::widgets::alarm_overlay::Threshold;

/// One alarm on one chart.
#[derive(Debug, Clone, PartialEq)]
pub struct ChartLine {
    pub kind: AlarmKind,
    /// `live/latency`.
    pub name: String,
    pub state: AlarmState,
    pub threshold: Option<Threshold>,
    /// In ALARM, epoch seconds, inside the fetched window.
    pub spans: Vec<(i64, i64)>,
    /// Why the periods are missing (the history could not be read).
    pub history_error: Option<String>,
}

/// The chart an alarm kind is drawn on (by the chart's name).
pub fn chart_of(kind: AlarmKind) -> &'static str {
    match kind {
        AlarmKind::ErrorRate | AlarmKind::ToolErrorRate => "ERROR RATE %",
        AlarmKind::Latency => "LATENCY p99",
        AlarmKind::Throttles => "THROTTLES",
    }
}

fn op(comparison: Option<&str>) -> &'static str {
    match comparison {
        Some("GreaterThanOrEqualToThreshold") => "≥",
        Some("GreaterThanThreshold") => ">",
        Some("LessThanThreshold") => "<",
        Some("LessThanOrEqualToThreshold") => "≤",
        _ => "",
    }
}

/// `live ≥5%`, `live tool errors ≥5%`, `canary p99 ≥2000ms`, `live throttles ≥1`.
fn label(c: &ChartAlarm, kind: AlarmKind, value: f64) -> String {
    let ep = c
        .alarm
        .endpoint
        .as_deref()
        .map_or_else(|| "all".into(), clean);
    let v = format!("{value}");
    let op = op(c.alarm.comparison.as_deref());
    match kind {
        AlarmKind::ErrorRate => format!("{ep} {op}{v}%"),
        AlarmKind::ToolErrorRate => format!("{ep} tool errors {op}{v}%"),
        AlarmKind::Latency => format!("{ep} p99 {op}{v}ms"),
        AlarmKind::Throttles => format!("{ep} throttles {op}{v}"),
    }
}

/// Each charted alarm (one with a kind) as drawn over the window `[x0, x1]`.
pub fn chart_lines(alarms: &[ChartAlarm], x0: i64, x1: i64) -> Vec<ChartLine> {
    alarms
        .iter()
        .filter_map(|c| {
            let kind = c.alarm.kind?;
            let (spans, history_error) = match &c.history {
                Ok(h) => (alarm_periods(&c.alarm, h, x0, x1), None),
                Err(e) => (vec![], Some(clean(e))),
            };
            Some(ChartLine {
                kind,
                name: short_name(&c.alarm),
                state: c.alarm.state,
                threshold: c.alarm.threshold.map(|value| Threshold {
                    value,
                    label: label(c, kind, value),
                }),
                spans,
                history_error,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tui::alarms::tests::{alarm, item};

    #[test]
    fn each_kind_goes_to_its_chart_with_its_threshold_labelled() {
        let c = |kind: &str, state| ChartAlarm {
            alarm: alarm("prod", "weather_mcp", "live", kind, state),
            history: Ok(vec![item(
                "2026-11-24T10:10:00Z",
                "StateUpdate",
                Some(AlarmState::Alarm),
            )]),
        };
        let mut failed = c("throttles", AlarmState::Ok);
        failed.history = Err("DescribeAlarmHistory: UnknownOperation".into());
        let theirs = c("PagerDuty-latency", AlarmState::Alarm);
        let all = [
            c("latency", AlarmState::Alarm),
            c("tool-error-rate", AlarmState::Ok),
            failed,
            theirs,
        ];
        let t = 1_795_514_400;
        let lines = chart_lines(&all, t, t + 3600);
        assert_eq!(
            lines.len(),
            3,
            "an alarm the console did not make has no chart"
        );
        assert_eq!(chart_of(lines[0].kind), "LATENCY p99");
        let th = lines[0].threshold.as_ref().expect("threshold");
        assert_eq!((th.value, th.label.as_str()), (2000.0, "live p99 ≥2000ms"));
        assert_eq!(lines[0].spans, [(t + 600, t + 3600)]);
        assert_eq!(chart_of(lines[1].kind), "ERROR RATE %");
        assert_eq!(
            lines[1].threshold.as_ref().map(|t| t.label.as_str()),
            Some("live tool errors ≥5%")
        );
        assert_eq!(lines[2].spans, []);
        assert!(
            lines[2]
                .history_error
                .as_deref()
                .is_some_and(|e| e.contains("UnknownOperation"))
        );
    }
}
