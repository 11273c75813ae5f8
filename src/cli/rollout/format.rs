//! Rollout events and gate results as text: one line per event, an evaluation's line carrying
//! every gate with its evidence (value against threshold, samples, 95% interval, verdict).

use std::time::Duration;

use crate::backend::rollout::Event;
use crate::domain::rollout::{GateName, GateResult, Interval, Verdict};
use crate::domain::sanitize;

/// `13:37:42` (UTC) for a time in ms since the epoch.
pub fn clock(ms: i64) -> String {
    let day = ms.div_euclid(1000).rem_euclid(86_400);
    format!("{:02}:{:02}:{:02}", day / 3600, day % 3600 / 60, day % 60)
}

/// A duration as plans write it: `45s`, `15m`, `1h30m`, `2m05s`.
pub fn duration(d: Duration) -> String {
    let s = d.as_secs();
    let (h, m, s) = (s / 3600, s % 3600 / 60, s % 60);
    match (h, m, s) {
        (0, 0, s) => format!("{s}s"),
        (0, m, 0) => format!("{m}m"),
        (0, m, s) => format!("{m}m{s:02}s"),
        (h, 0, 0) => format!("{h}h"),
        (h, m, 0) => format!("{h}h{m:02}m"),
        (h, m, s) => format!("{h}h{m:02}m{s:02}s"),
    }
}

/// Milliseconds as a duration, rounded up to the second (time left is never shown as 0s
/// while some remains).
pub fn duration_ms(ms: i64) -> String {
    let secs = u64::try_from(ms.max(0)).unwrap_or_default().div_ceil(1000);
    duration(Duration::from_secs(secs))
}

/// `step 2/3`, or `-` for a plan with no steps (blue/green with no approval).
pub fn step_of(step: usize, of: usize) -> String {
    if of == 0 {
        "step -".into()
    } else {
        format!("step {}/{of}", (step + 1).min(of))
    }
}

/// One event as one line: time, step, weight, the event and its message (and, for an
/// evaluation, every gate).
pub fn event_line(e: &Event, steps: usize) -> String {
    let mut line = format!(
        "{}  {}  {:>3}%  {:<10}  ",
        clock(e.at_ms),
        step_of(e.step, steps),
        e.weight,
        e.event,
    );
    match &e.evaluation {
        // The gates are shown here with their intervals; the driver's own summary of them
        // (the message) would say the same twice.
        Some(r) => {
            line.push_str(&format!(
                "{} ({} failing in a row)",
                verdict(r.verdict),
                r.failures_in_row
            ));
            for g in &r.evaluation.gates {
                line.push_str(" | ");
                line.push_str(&gate_text(g));
            }
        }
        None => line.push_str(&sanitize::one_line(&e.message)),
    }
    line.trim_end().to_string()
}

/// One gate's result: `max_error_rate 2.0% <= 5.0% (95% [0.6, 7.0]%, n=100) pass`.
pub fn gate_text(g: &GateResult) -> String {
    let mut out = format!(
        "{} {} {}",
        g.gate.as_str(),
        gate_value(g.gate, g.value),
        gate_threshold(g.gate, g.threshold)
    );
    let mut evidence = vec![];
    if let Some(i) = g.interval {
        evidence.push(interval_text(g.gate, i));
    }
    evidence.push(samples_text(g));
    out.push_str(&format!(" ({})", evidence.join(", ")));
    out.push(' ');
    out.push_str(verdict(g.verdict));
    if g.observed_only {
        out.push_str(" [observe]");
    }
    if let Some(d) = &g.detail {
        out.push_str(&format!(" ({})", sanitize::one_line(d)));
    }
    out
}

/// A gate's value in its unit; `no data` when there was nothing to measure.
pub fn gate_value(gate: GateName, v: Option<f64>) -> String {
    let Some(v) = v else {
        return "no data".into();
    };
    match gate {
        GateName::MaxErrorRate | GateName::MaxToolErrorRate => format!("{v:.1}%"),
        GateName::MaxErrorRateOverStable => format!("{v:+.1}pp"),
        GateName::MaxP99LatencyRatio => format!("{v:.2}x"),
        GateName::Alarms => format!("{v:.0} in ALARM"),
        GateName::Smoke => format!("{v:.0} failed"),
    }
}

/// The gate's threshold in its unit: what the value must not exceed.
pub fn gate_threshold(gate: GateName, t: f64) -> String {
    match gate {
        GateName::MaxErrorRate | GateName::MaxToolErrorRate => format!("<= {t:.1}%"),
        GateName::MaxErrorRateOverStable => format!("<= {t:+.1}pp"),
        GateName::MaxP99LatencyRatio => format!("<= {t:.2}x"),
        GateName::Alarms => format!("<= {t:.0}"),
        GateName::Smoke => format!("<= {t:.0} failed"),
    }
}

fn interval_text(gate: GateName, i: Interval) -> String {
    match gate {
        GateName::MaxErrorRateOverStable => format!("95% [{:+.1}, {:+.1}]pp", i.low, i.high),
        _ => format!("95% [{:.1}, {:.1}]%", i.low, i.high),
    }
}

/// `n=120`, or `n=120/900` (canary/stable) for gates that compare with stable; alarms count
/// the alarms checked.
fn samples_text(g: &GateResult) -> String {
    match (g.gate, g.samples.stable) {
        (GateName::Alarms, _) => format!("{} checked", g.samples.canary),
        (GateName::Smoke, _) => format!("{} run", g.samples.canary),
        (_, Some(s)) => format!("n={}/{s}", g.samples.canary),
        (_, None) => format!("n={}", g.samples.canary),
    }
}

pub fn verdict(v: Verdict) -> &'static str {
    match v {
        Verdict::Pass => "pass",
        Verdict::Fail => "FAIL",
        Verdict::Inconclusive => "inconclusive",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::rollout::{Evaluation, Gates, Proportion, Record, Samples};

    fn evaluation_event() -> Event {
        let gates = Gates {
            max_error_rate: Some(5.0),
            observe: vec![GateName::MaxP99LatencyRatio],
            min_invocations: 20,
            ..Gates::default()
        };
        let results = vec![
            GateResult::error_rate(
                GateName::MaxErrorRate,
                Proportion::new(30, 100),
                5.0,
                &gates,
            ),
            GateResult::over_stable(
                Proportion::new(30, 100),
                Proportion::new(1, 400),
                2.0,
                &gates,
            ),
            GateResult::error_rate(
                GateName::MaxToolErrorRate,
                Proportion::new(0, 10),
                5.0,
                &gates,
            ),
            GateResult::latency_ratio(
                Some(240.0),
                Some(120.0),
                Samples {
                    canary: 100,
                    stable: Some(400),
                },
                1.5,
                &gates,
            ),
            GateResult::alarms(
                &["agentcore-console/weather/canary/error-rate".into()],
                1,
                &gates,
            ),
        ];
        let evaluation = Evaluation {
            at_ms: 1_764_720_000_000 + 13 * 3_600_000 + 37 * 60_000 + 42_000,
            gates: results,
        };
        Event {
            at_ms: evaluation.at_ms,
            event: "evaluation".into(),
            message: "gates evaluated".into(),
            state: "running",
            step: 0,
            weight: 10,
            evaluation: Some(Record {
                step: 0,
                weight: 10,
                verdict: evaluation.verdict(),
                evaluation,
                failures_in_row: 1,
            }),
        }
    }

    #[test]
    fn an_evaluation_line_shows_every_gate_with_its_evidence() {
        insta::assert_snapshot!(event_line(&evaluation_event(), 3));
    }

    #[test]
    fn a_transition_is_one_plain_line() {
        let e = Event {
            at_ms: 61_000,
            event: "step".into(),
            message: "25% of new sessions to version 2\x1b[31m".into(),
            state: "running",
            step: 1,
            weight: 25,
            evaluation: None,
        };
        assert_eq!(
            event_line(&e, 3),
            "00:01:01  step 2/3   25%  step        25% of new sessions to version 2\u{FFFD}[31m"
        );
    }

    #[test]
    fn durations_read_as_plans_write_them() {
        let d = |s| duration(Duration::from_secs(s));
        assert_eq!(
            [d(0), d(45), d(900), d(125), d(5400), d(3600), d(3661)],
            ["0s", "45s", "15m", "2m05s", "1h30m", "1h", "1h01m01s"]
        );
        assert_eq!(duration_ms(1), "1s");
        assert_eq!(duration_ms(-5), "0s");
        assert_eq!(step_of(3, 3), "step 3/3");
        assert_eq!(step_of(0, 0), "step -");
    }
}
