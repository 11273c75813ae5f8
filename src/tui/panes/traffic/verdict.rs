//! What the split says, in sentences that carry their numbers: whether the canary fails more
//! than stable (and on how many calls), and whether the share it really got is the share it
//! was set to. Pure, so the thresholds are tested here and nowhere else.
//!
//! The canary is *worse* when its error rate is at least [`WORSE_BY`] points above stable's
//! and at least twice it; that needs [`MIN_CALLS`] canary calls to be a verdict rather than a
//! hint. The observed share is *off* when it differs from the configured weight by more than
//! [`DRIFT`] points over at least [`MIN_SESSIONS`] sessions.

use crate::backend::traffic::{ObservedLeg, TrafficView};

pub const WORSE_BY: f64 = 5.0;
pub const MIN_CALLS: f64 = 10.0;
pub const DRIFT: f64 = 5.0;
pub const MIN_SESSIONS: f64 = 20.0;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tone {
    Good,
    Info,
    Warn,
    Bad,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Line {
    pub tone: Tone,
    pub text: String,
}

fn line(tone: Tone, text: String) -> Line {
    Line { tone, text }
}

/// The configured canary percent: none when no rule routes the runtime.
pub fn canary_weight(v: &TrafficView) -> Option<i32> {
    if v.routes.is_empty() {
        return None;
    }
    Some(
        v.routes
            .iter()
            .find(|r| r.qualifier == v.canary.name)
            .map_or(0, |r| r.weight),
    )
}

/// The observed leg of an endpoint, when the metrics could be read.
pub fn observed<'a>(v: &'a TrafficView, endpoint: &str) -> Option<&'a ObservedLeg> {
    v.observed
        .as_ref()?
        .legs
        .iter()
        .find(|l| l.qualifier == endpoint)
}

/// `31%`, `0.4%`, `0%`.
pub fn pct(v: f64) -> String {
    if v == 0.0 || v >= 10.0 {
        format!("{v:.0}%")
    } else {
        format!("{v:.1}%")
    }
}

pub fn verdict(v: &TrafficView) -> Vec<Line> {
    let mut out = vec![];
    let Some(weight) = canary_weight(v) else {
        out.push(line(
            Tone::Info,
            if v.gateway.is_none() {
                format!(
                    "No split yet: no gateway routes {} (w creates the gateway, its targets and the rule).",
                    v.runtime
                )
            } else {
                format!(
                    "No split yet: no rule of the gateway routes {} (w sets one).",
                    v.runtime
                )
            },
        ));
        return out;
    };
    let Some(obs) = &v.observed else {
        return out;
    };
    let minutes = obs.window_minutes;
    if let Some(e) = &obs.error {
        out.push(line(
            Tone::Warn,
            format!("What traffic really did is unknown: {e}"),
        ));
        return out;
    }
    let (stable, canary) = (observed(v, &v.stable.name), observed(v, &v.canary.name));
    match canary.filter(|c| c.invocations > 0.0) {
        Some(c) => {
            let c_rate = c.error_rate.unwrap_or(0.0);
            let s_rate = stable.and_then(|s| s.error_rate).unwrap_or(0.0);
            let calls = c.invocations;
            let compare = format!(
                "canary errors {} vs stable {} over {minutes} min ({calls:.0} calls)",
                pct(c_rate),
                pct(s_rate)
            );
            let worse = c_rate - s_rate >= WORSE_BY && c_rate >= 2.0 * s_rate;
            out.push(match (worse, calls >= MIN_CALLS) {
                (true, true) if weight == 0 => line(
                    Tone::Bad,
                    format!(
                        "✗ {compare}: aborted (no new sessions go to it); u on the canary rolls its endpoint back."
                    ),
                ),
                (true, true) => line(
                    Tone::Bad,
                    format!(
                        "✗ {compare}: x aborts (100% to stable), u on the canary rolls it back."
                    ),
                ),
                (true, false) => line(
                    Tone::Warn,
                    format!("! {compare}: too few calls to judge yet."),
                ),
                (false, _) => line(
                    Tone::Good,
                    format!("✓ {compare}: no worse than stable (p promotes)."),
                ),
            });
        }
        None if weight > 0 => out.push(line(
            Tone::Info,
            format!("No canary calls in the last {minutes} min: nothing to judge yet."),
        )),
        None => {}
    }
    if weight == 0 && canary.is_some_and(|c| c.invocations > 0.0) {
        out.push(line(
            Tone::Info,
            "The canary gets 0% of new sessions; sessions opened on it before stay on it until they end."
                .into(),
        ));
    }
    let sessions: f64 = [stable, canary].iter().flatten().map(|l| l.sessions).sum();
    if let Some(got) = canary.and_then(|c| c.session_share)
        && sessions >= MIN_SESSIONS
        && (got - f64::from(weight)).abs() > DRIFT
    {
        out.push(line(
            Tone::Warn,
            format!(
                "! set {weight}% / got {} of {sessions:.0} new sessions over {minutes} min: a change within the window, or sessions still too few to even out.",
                pct(got)
            ),
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::backend::traffic::{EndpointVersion, Observed, Route};

    fn ep(name: &str, v: &str) -> EndpointVersion {
        EndpointVersion {
            name: name.into(),
            live_version: Some(v.into()),
            target_version: Some(v.into()),
            status: Some("READY".into()),
            last_updated_at: None,
        }
    }

    fn leg(name: &str, sessions: f64, share: f64, calls: f64, rate: f64) -> ObservedLeg {
        ObservedLeg {
            qualifier: name.into(),
            version: None,
            sessions,
            invocations: calls,
            session_share: Some(share),
            invocation_share: None,
            error_rate: (calls > 0.0).then_some(rate),
        }
    }

    fn view(weight: Option<i32>, legs: Vec<ObservedLeg>) -> TrafficView {
        let route = |q: &str, w: i32| Route {
            target: format!("weather-mcp-{q}"),
            qualifier: q.into(),
            version: None,
            weight: w,
        };
        TrafficView {
            env: "prod".into(),
            runtime: "weather_mcp".into(),
            gateway: Some("gw".into()),
            gateway_url: None,
            stable: ep("live", "3"),
            canary: ep("canary", "4"),
            rule: None,
            routes: weight.map_or(vec![], |w| vec![route("live", 100 - w), route("canary", w)]),
            observed: Some(Observed {
                window_minutes: 15,
                legs,
                error: None,
            }),
            note: None,
        }
    }

    #[test]
    fn a_failing_canary_says_by_how_much_and_on_how_many_calls() {
        let v = view(
            Some(10),
            vec![
                leg("live", 90.0, 88.0, 800.0, 0.0),
                leg("canary", 12.0, 12.0, 120.0, 31.2),
            ],
        );
        let got = verdict(&v);
        assert_eq!(got[0].tone, Tone::Bad);
        assert!(
            got[0]
                .text
                .starts_with("✗ canary errors 31% vs stable 0% over 15 min (120 calls)"),
            "{got:?}"
        );
        assert_eq!(
            got.len(),
            1,
            "12% of sessions for a 10% weight is not a drift"
        );
    }

    #[test]
    fn few_calls_healthy_canaries_drift_and_no_split() {
        let few = view(
            Some(10),
            vec![
                leg("live", 90.0, 90.0, 800.0, 0.0),
                leg("canary", 1.0, 10.0, 3.0, 66.0),
            ],
        );
        assert_eq!(verdict(&few)[0].tone, Tone::Warn);
        let fine = view(
            Some(10),
            vec![
                leg("live", 60.0, 60.0, 800.0, 1.0),
                leg("canary", 40.0, 40.0, 300.0, 1.5),
            ],
        );
        let got = verdict(&fine);
        assert_eq!(got[0].tone, Tone::Good);
        assert!(
            got[1]
                .text
                .starts_with("! set 10% / got 40% of 100 new sessions"),
            "{got:?}"
        );
        let none = view(None, vec![]);
        assert!(verdict(&none)[0].text.starts_with("No split yet"));
        let aborted = view(
            Some(0),
            vec![
                leg("live", 90.0, 90.0, 800.0, 0.0),
                leg("canary", 10.0, 10.0, 120.0, 30.0),
            ],
        );
        let got = verdict(&aborted);
        assert!(got[0].text.contains("aborted (no new sessions"), "{got:?}");
        assert!(got[1].text.contains("stay on it until they end"), "{got:?}");
        let idle = view(Some(25), vec![leg("live", 5.0, 100.0, 50.0, 0.0)]);
        assert!(verdict(&idle)[0].text.starts_with("No canary calls"));
        assert_eq!(canary_weight(&idle), Some(25));
    }
}
