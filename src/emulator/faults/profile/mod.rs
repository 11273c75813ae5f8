//! A latency and quota profile (`--profile aws|FILE`): every call of an operation the profile
//! names waits a latency drawn from its distribution, and takes a token from the bucket of
//! its account, region and operation; with none left it is answered with the protocol's own
//! throttling error (through the faults' [`super::apply`]), at once, as AWS answers one. The
//! profile and what it has done show at `GET /_local/faults`.

mod bucket;
pub mod spec;

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use serde::Serialize;

pub use self::bucket::Bucket;
pub use self::spec::{Latency, ProfileError, ProfileSpec, Quota, Rule};
use super::{Decision, Kind};

/// A profile in force, with its buckets and counts.
#[derive(Debug)]
pub struct Profile {
    spec: ProfileSpec,
    state: Mutex<State>,
}

#[derive(Debug, Default)]
struct State {
    /// (account, region, service, operation) → bucket.
    buckets: HashMap<(String, String, String, String), Bucket>,
    /// Per rule: calls served, calls throttled.
    counts: Vec<(u64, u64)>,
}

/// One rule as the admin path shows it.
#[derive(Debug, Clone, Serialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct RuleEntry {
    pub operation: String,
    pub rps: Option<f64>,
    pub burst: Option<f64>,
    pub p50_ms: Option<f64>,
    pub p99_ms: Option<f64>,
    pub served: u64,
    pub throttled: u64,
}

/// The profile as the admin path shows it.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Listing {
    pub name: String,
    pub rules: Vec<RuleEntry>,
}

impl Profile {
    pub fn new(spec: ProfileSpec) -> Self {
        let counts = vec![(0, 0); spec.rules.len()];
        Self {
            spec,
            state: Mutex::new(State {
                buckets: HashMap::new(),
                counts,
            }),
        }
    }

    pub fn name(&self) -> &str {
        &self.spec.name
    }

    /// The rule for a call: the operation's own, else its service's `*`.
    fn rule(&self, service: &str, operation: Option<&str>) -> Option<(usize, &Rule)> {
        let op = operation?;
        let rules = self.spec.rules.iter().enumerate();
        let mut star = None;
        for (i, r) in rules.filter(|(_, r)| r.service == service) {
            if r.operation == op {
                return Some((i, r));
            }
            if r.operation == "*" {
                star = Some((i, r));
            }
        }
        star
    }

    /// Apply the profile to a call the faults have decided on: a throttle when the bucket is
    /// empty (unless a fault already answers it), else the latency added to the delay.
    pub fn apply(
        &self,
        d: &mut Decision,
        (account, region): (&str, &str),
        service: &str,
        operation: Option<&str>,
    ) {
        let Some((i, rule)) = self.rule(service, operation) else {
            return;
        };
        if d.answer.is_some() {
            return;
        }
        let op = operation.unwrap_or("*");
        let mut state = self.lock();
        if let Some(q) = rule.quota {
            let key = (account.into(), region.into(), service.into(), op.into());
            let bucket = state
                .buckets
                .entry(key)
                .or_insert_with(|| Bucket::full(q, Instant::now()));
            if !bucket.take(Instant::now()) {
                state.counts[i].1 += 1;
                d.answer = Some((
                    Kind::Throttle,
                    format!(
                        "profile {}: {service}:{op} over {} requests/s",
                        self.spec.name, q.rps
                    ),
                ));
                return;
            }
        }
        state.counts[i].0 += 1;
        drop(state);
        if let Some(l) = rule.latency {
            d.delay += sample(l, fastrand::f64(), fastrand::f64());
        }
    }

    pub fn listing(&self) -> Listing {
        let state = self.lock();
        let ms = |d: Duration| d.as_secs_f64() * 1000.0;
        Listing {
            name: self.spec.name.clone(),
            rules: self
                .spec
                .rules
                .iter()
                .zip(&state.counts)
                .map(|(r, (served, throttled))| RuleEntry {
                    operation: format!("{}:{}", r.service, r.operation),
                    rps: r.quota.map(|q| q.rps),
                    burst: r.quota.map(|q| q.burst),
                    p50_ms: r.latency.map(|l| ms(l.p50)),
                    p99_ms: r.latency.map(|l| ms(l.p99)),
                    served: *served,
                    throttled: *throttled,
                })
                .collect(),
        }
    }

    /// One line per rule, for the startup banner.
    pub fn describe(&self) -> Vec<String> {
        self.listing()
            .rules
            .iter()
            .map(|r| {
                let quota = r.rps.map_or_else(
                    || "no quota".to_string(),
                    |rps| format!("{rps}/s burst {}", r.burst.unwrap_or(rps)),
                );
                let latency = match (r.p50_ms, r.p99_ms) {
                    (Some(p50), Some(p99)) => format!("latency p50 {p50} ms p99 {p99} ms"),
                    _ => "no added latency".into(),
                };
                format!("{}: {quota}, {latency}", r.operation)
            })
            .collect()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        self.state
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

/// z of the 99th percentile of the standard normal.
const Z99: f64 = 2.326_347_874;

/// A lognormal draw with median p50 and 99th percentile p99, from two uniforms in [0, 1)
/// (Box–Muller); capped at 4 × p99 so one draw cannot stall a run.
pub fn sample(l: Latency, u1: f64, u2: f64) -> Duration {
    let p50 = l.p50.as_secs_f64();
    if p50 <= 0.0 {
        return Duration::ZERO;
    }
    let sigma = (l.p99.as_secs_f64() / p50).ln() / Z99;
    let z = (-2.0 * (1.0 - u1).ln()).sqrt() * (std::f64::consts::TAU * u2).cos();
    let secs = (p50 * (sigma * z).exp()).min(4.0 * l.p99.as_secs_f64());
    Duration::from_secs_f64(secs)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn profile(text: &str) -> Profile {
        Profile::new(ProfileSpec::parse("t", std::path::Path::new("t.toml"), text).expect("spec"))
    }

    #[test]
    fn the_bucket_throttles_beyond_burst_per_account_region_and_operation() {
        let p = profile("[logs.FilterLogEvents]\nrps = 1\nburst = 2\n[logs.\"*\"]\np50_ms = 0\n");
        let call = |acct: &str, op: &str| {
            let mut d = Decision::default();
            p.apply(&mut d, (acct, "us-east-1"), "logs", Some(op));
            d.answer.map(|a| a.0)
        };
        assert_eq!(call("1", "FilterLogEvents"), None);
        assert_eq!(call("1", "FilterLogEvents"), None);
        assert_eq!(call("1", "FilterLogEvents"), Some(Kind::Throttle));
        // Another account has its own bucket; another operation has none.
        assert_eq!(call("2", "FilterLogEvents"), None);
        assert_eq!(call("1", "GetLogEvents"), None);
        let l = p.listing();
        assert_eq!(
            l.rules
                .iter()
                .map(|r| (r.operation.as_str(), r.served, r.throttled))
                .collect::<Vec<_>>(),
            [("logs:FilterLogEvents", 3, 1), ("logs:*", 1, 0)]
        );
        // A call a fault already answers is neither counted nor delayed.
        let mut d = Decision {
            answer: Some((Kind::Error500, "f".into())),
            ..Decision::default()
        };
        p.apply(&mut d, ("1", "r"), "logs", Some("FilterLogEvents"));
        assert_eq!(p.listing().rules[0].served, 3);
    }

    #[test]
    fn latency_is_lognormal_with_the_given_median_and_p99() {
        let l = Latency {
            p50: Duration::from_millis(100),
            p99: Duration::from_millis(400),
        };
        // u2 = 0 gives cos = 1, so z = sqrt(-2 ln(1 - u1)); u1 = 1 - e^(-z²/2).
        let u1_for = |z: f64| 1.0 - (-z * z / 2.0).exp();
        let ms = |d: Duration| d.as_secs_f64() * 1000.0;
        assert!(
            (ms(sample(l, 0.0, 0.0)) - 100.0).abs() < 1e-6,
            "z = 0: the median"
        );
        assert!(
            (ms(sample(l, u1_for(Z99), 0.0)) - 400.0).abs() < 1e-3,
            "z99: p99"
        );
        // Over many draws about half fall under the median and 1% over p99.
        fastrand::seed(7);
        let draws: Vec<f64> = (0..20_000)
            .map(|_| ms(sample(l, fastrand::f64(), fastrand::f64())))
            .collect();
        let under = draws.iter().filter(|d| **d < 100.0).count() as f64 / 20_000.0;
        let over = draws.iter().filter(|d| **d > 400.0).count() as f64 / 20_000.0;
        assert!((under - 0.5).abs() < 0.02, "{under}");
        assert!((over - 0.01).abs() < 0.005, "{over}");
        assert!(draws.iter().all(|d| *d <= 1600.0 + 1e-9));
        assert_eq!(
            sample(
                Latency {
                    p50: Duration::ZERO,
                    p99: Duration::ZERO
                },
                0.3,
                0.3
            ),
            Duration::ZERO
        );
    }

    #[test]
    fn the_operation_rule_wins_over_the_service_star() {
        let p = profile("[logs.\"*\"]\np50_ms = 5\n[logs.FilterLogEvents]\nrps = 3\n");
        assert_eq!(
            p.rule("logs", Some("FilterLogEvents")).map(|r| r.0),
            Some(1)
        );
        assert_eq!(p.rule("logs", Some("GetLogEvents")).map(|r| r.0), Some(0));
        assert!(p.rule("s3", Some("PutObject")).is_none());
        assert!(p.rule("logs", None).is_none());
        assert_eq!(
            p.describe()[1],
            "logs:FilterLogEvents: 3/s burst 3, no added latency"
        );
    }
}
