//! From what was read to every configured gate's result, with the domain's constructors: the
//! error rates as proportions of the canary's invocations, the relative gate over both legs,
//! latency as canary p99 over stable p99, the alarms by their states.

use std::collections::HashMap;

use super::query::Readings;
use crate::domain::rollout::{GateName, GateResult, Gates, Proportion, Samples};

/// The named alarms as DescribeAlarms found them.
#[derive(Debug, Clone, Default, PartialEq)]
pub(super) struct AlarmStates {
    pub in_alarm: Vec<String>,
    /// Named by the plan but not found.
    pub missing: Vec<String>,
    pub checked: usize,
}

impl AlarmStates {
    /// `names` against `found` (name → state value).
    pub fn of(names: &[String], found: &HashMap<String, String>) -> Self {
        let mut s = Self {
            checked: names.len(),
            ..Self::default()
        };
        for n in names {
            match found.get(n).map(String::as_str) {
                Some("ALARM") => s.in_alarm.push(n.clone()),
                Some(_) => {}
                None => s.missing.push(n.clone()),
            }
        }
        s
    }
}

/// Every configured gate, in the order gates are reported; unconfigured gates are absent.
pub(super) fn judge(gates: &Gates, m: &Readings, alarms: Option<&AlarmStates>) -> Vec<GateResult> {
    let (c, s) = (m.canary, m.stable);
    let errors = |leg: super::query::Leg| Proportion::new(leg.errors, leg.invocations);
    gates
        .configured()
        .into_iter()
        .filter_map(|gate| match gate {
            GateName::MaxErrorRate => gates
                .max_error_rate
                .map(|t| GateResult::error_rate(gate, errors(c), t, gates)),
            GateName::MaxErrorRateOverStable => gates
                .max_error_rate_over_stable
                .map(|t| GateResult::over_stable(errors(c), errors(s), t, gates)),
            GateName::MaxToolErrorRate => gates.max_tool_error_rate.map(|t| {
                let tool = Proportion::new(m.tool_errors, c.invocations);
                GateResult::error_rate(gate, tool, t, gates)
            }),
            GateName::MaxP99LatencyRatio => gates.max_p99_latency_ratio.map(|t| {
                let samples = Samples {
                    canary: c.invocations,
                    stable: Some(s.invocations),
                };
                GateResult::latency_ratio(c.p99, s.p99, samples, t, gates)
            }),
            GateName::Alarms => {
                alarms.map(|a| GateResult::alarms_seen(&a.in_alarm, &a.missing, a.checked, gates))
            }
            // Run against the canary by the driver, not read from metrics (`gates::smoke`).
            GateName::Smoke => None,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::super::query::Leg;
    use super::*;
    use crate::domain::rollout::Verdict;

    fn all(min: u64) -> Gates {
        Gates {
            min_invocations: min,
            max_error_rate: Some(5.0),
            max_error_rate_over_stable: Some(2.0),
            max_tool_error_rate: Some(5.0),
            max_p99_latency_ratio: Some(1.5),
            alarms: vec!["a".into()],
            ..Gates::default()
        }
    }

    fn readings(canary: (u64, u64, f64), stable: (u64, u64, f64), tool: u64) -> Readings {
        let leg = |(invocations, errors, p99): (u64, u64, f64)| Leg {
            invocations,
            errors,
            p99: Some(p99),
        };
        Readings {
            canary: leg(canary),
            stable: leg(stable),
            tool_errors: tool,
        }
    }

    #[test]
    fn every_configured_gate_is_judged_with_its_samples() {
        let m = readings((100, 1, 30.0), (900, 9, 25.0), 2);
        let ok = AlarmStates::of(&["a".into()], &[("a".into(), "OK".into())].into());
        let r = judge(&all(50), &m, Some(&ok));
        let names: Vec<GateName> = r.iter().map(|g| g.gate).collect();
        assert_eq!(names, GateName::ALL[..5]);
        assert!(r.iter().all(|g| g.verdict == Verdict::Pass), "{r:#?}");
        assert_eq!(r[0].value, Some(1.0));
        assert_eq!(r[1].samples.stable, Some(900));
        assert_eq!((r[2].value, r[2].samples.canary), (Some(2.0), 100));
        assert_eq!(r[3].value, Some(1.2));
        assert_eq!(r[3].samples.stable, Some(900));
        assert_eq!(r[4].samples.canary, 1);
    }

    #[test]
    fn tool_errors_fail_their_gate_while_the_error_rate_passes() {
        let m = readings((100, 0, 30.0), (900, 0, 30.0), 40);
        let r = judge(&all(50), &m, None);
        let verdict = |g: GateName| r.iter().find(|x| x.gate == g).map(|x| x.verdict);
        assert_eq!(verdict(GateName::MaxToolErrorRate), Some(Verdict::Fail));
        assert_eq!(verdict(GateName::MaxErrorRate), Some(Verdict::Pass));
        // No alarm states read: the gate is left out rather than passed.
        assert_eq!(verdict(GateName::Alarms), None);
    }

    #[test]
    fn unconfigured_gates_are_absent_and_thin_data_is_inconclusive() {
        let only = Gates {
            min_invocations: 50,
            max_error_rate: Some(5.0),
            ..Gates::default()
        };
        let r = judge(&only, &readings((10, 0, 1.0), (900, 0, 1.0), 0), None);
        assert_eq!(r.len(), 1);
        assert_eq!(r[0].verdict, Verdict::Inconclusive);
        assert_eq!(r[0].samples.canary, 10);
    }

    #[test]
    fn alarm_states_split_into_alarming_and_missing() {
        let found: HashMap<String, String> = [
            ("x".to_string(), "ALARM".to_string()),
            ("y".to_string(), "INSUFFICIENT_DATA".to_string()),
        ]
        .into();
        let s = AlarmStates::of(&["x".into(), "y".into(), "z".into()], &found);
        assert_eq!(s.in_alarm, ["x"]);
        assert_eq!(s.missing, ["z"]);
        assert_eq!(s.checked, 3);
    }
}
