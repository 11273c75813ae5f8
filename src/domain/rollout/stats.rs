//! The statistics behind a gate's verdict: Wilson score intervals for an error rate, and
//! Newcombe's hybrid score interval for the difference between the canary's and the stable
//! leg's error rates.
//!
//! Why these: a canary gets few calls at 10%, often with zero or a handful of errors, where the
//! textbook (Wald) interval collapses to zero width or leaves [0, 1]. Wilson's interval stays
//! inside [0, 1] and keeps close to its nominal coverage down to tiny samples (Newcombe 1998a,
//! method 3). For the difference, Newcombe's method 10 (1998b) combines the two legs' Wilson
//! intervals in closed form: nearly as good as the iterative score methods, with no solver,
//! and it reproduces the published figures to four decimals (see the tests).
//!
//! A relative gate fails only when the whole 95% interval of (canary - stable) lies above the
//! margin, so a noisy canary is not rolled back on chance; with fewer than the minimum calls on
//! either leg the verdict is Inconclusive, never Pass.

use serde::{Deserialize, Serialize};

/// The normal quantile for a two-sided 95% interval.
pub const Z95: f64 = 1.959_964;

/// A gate's decision for one evaluation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Verdict {
    Pass,
    Fail,
    /// Too little data to decide: never counts as a pass.
    Inconclusive,
}

/// `events` out of `trials` (errors out of invocations).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Proportion {
    pub events: u64,
    pub trials: u64,
}

impl Proportion {
    /// A proportion; events beyond trials are clamped (metrics from two sources can disagree).
    pub fn new(events: u64, trials: u64) -> Self {
        Self {
            events: events.min(trials),
            trials,
        }
    }

    /// The point estimate, as a fraction; `None` with no trials.
    pub fn rate(self) -> Option<f64> {
        (self.trials > 0).then(|| self.events as f64 / self.trials as f64)
    }
}

/// A closed interval, in the unit of the value it bounds.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Interval {
    pub low: f64,
    pub high: f64,
}

impl Interval {
    fn scaled(self, k: f64) -> Self {
        Self {
            low: self.low * k,
            high: self.high * k,
        }
    }
}

/// Wilson's score interval for a proportion (fractions); `None` with no trials.
pub fn wilson(p: Proportion, z: f64) -> Option<Interval> {
    let phat = p.rate()?;
    let n = p.trials as f64;
    let z2 = z * z;
    let denom = 1.0 + z2 / n;
    let centre = (phat + z2 / (2.0 * n)) / denom;
    let half = z * (phat * (1.0 - phat) / n + z2 / (4.0 * n * n)).sqrt() / denom;
    Some(Interval {
        low: (centre - half).max(0.0),
        high: (centre + half).min(1.0),
    })
}

/// Newcombe's hybrid score interval (1998b, method 10) for `a - b` (fractions); `None` when a
/// leg has no trials.
pub fn newcombe_difference(a: Proportion, b: Proportion, z: f64) -> Option<Interval> {
    let (pa, pb) = (a.rate()?, b.rate()?);
    let (wa, wb) = (wilson(a, z)?, wilson(b, z)?);
    let d = pa - pb;
    let below = ((pa - wa.low).powi(2) + (wb.high - pb).powi(2)).sqrt();
    let above = ((wa.high - pa).powi(2) + (pb - wb.low).powi(2)).sqrt();
    Some(Interval {
        low: (d - below).max(-1.0),
        high: (d + above).min(1.0),
    })
}

/// Canary against stable: the evidence for a relative error gate, in percent.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Comparison {
    pub canary: Proportion,
    pub stable: Proportion,
    /// Canary rate minus stable rate, in percentage points (`None` when a leg has no calls).
    pub difference: Option<f64>,
    /// Its 95% interval, in percentage points.
    pub interval: Option<Interval>,
    pub verdict: Verdict,
}

/// "The canary's error rate is worse than stable's by more than `margin` percentage points,
/// with 95% confidence": Fail when the interval's low end is above the margin.
pub fn compare(
    canary: Proportion,
    stable: Proportion,
    margin: f64,
    min_samples: u64,
) -> Comparison {
    let interval = newcombe_difference(canary, stable, Z95).map(|i| i.scaled(100.0));
    let difference = canary
        .rate()
        .zip(stable.rate())
        .map(|(c, s)| (c - s) * 100.0);
    let enough = canary.trials >= min_samples.max(1) && stable.trials >= min_samples.max(1);
    let verdict = match interval {
        Some(i) if enough && i.low > margin => Verdict::Fail,
        Some(_) if enough => Verdict::Pass,
        _ => Verdict::Inconclusive,
    };
    Comparison {
        canary,
        stable,
        difference,
        interval,
        verdict,
    }
}

/// An absolute gate: the point value against its threshold (a value above it fails); too few
/// samples or no value is Inconclusive.
pub fn absolute(value: Option<f64>, threshold: f64, samples: u64, min_samples: u64) -> Verdict {
    match value {
        Some(v) if samples >= min_samples.max(1) => {
            if v > threshold {
                Verdict::Fail
            } else {
                Verdict::Pass
            }
        }
        _ => Verdict::Inconclusive,
    }
}

/// An error rate in percent with its Wilson interval in percent, for an absolute rate gate.
pub fn rate_percent(p: Proportion) -> (Option<f64>, Option<Interval>) {
    (
        p.rate().map(|r| r * 100.0),
        wilson(p, Z95).map(|i| i.scaled(100.0)),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(got: Interval, low: f64, high: f64) {
        assert!(
            (got.low - low).abs() < 5e-5 && (got.high - high).abs() < 5e-5,
            "got {got:?}, want ({low}, {high})"
        );
    }

    fn w(x: u64, n: u64) -> Interval {
        wilson(Proportion::new(x, n), Z95).expect("trials")
    }

    #[test]
    fn wilson_matches_published_values() {
        // Newcombe RG (1998a), "Two-sided confidence intervals for the single proportion:
        // comparison of seven methods", Stat Med 17:857-872, Table II, method 3 (score, no
        // continuity correction): 81/263, 15/148, 0/20, 1/29.
        close(w(81, 263), 0.2553, 0.3662);
        close(w(15, 148), 0.0624, 0.1605);
        close(w(0, 20), 0.0, 0.1611);
        close(w(1, 29), 0.0061, 0.1718);
        // 0/10 and 1/10: the single-proportion Wilson limits Newcombe (1998b) builds examples
        // (f) 0/10 - 0/10 = (-0.2775, 0.2775) from; 5/10 is symmetric about 0.5.
        close(w(0, 10), 0.0, 0.2775);
        close(w(1, 10), 0.0179, 0.4042);
        close(w(5, 10), 0.2366, 0.7634);
        assert_eq!(wilson(Proportion::new(0, 0), Z95), None);
    }

    #[test]
    fn newcombe_difference_matches_published_values() {
        // Newcombe RG (1998b), "Interval estimation for the difference between independent
        // proportions: comparison of eleven methods", Stat Med 17:873-890, Table II, method
        // 10 (hybrid score, no continuity correction), examples (a)-(h). (a) and (b) are also
        // the figures the `propint` R package tests against.
        let d = |a: (u64, u64), b: (u64, u64)| {
            newcombe_difference(Proportion::new(a.0, a.1), Proportion::new(b.0, b.1), Z95)
                .expect("trials")
        };
        close(d((56, 70), (48, 80)), 0.0524, 0.3339);
        close(d((9, 10), (3, 10)), 0.1705, 0.8090);
        close(d((6, 7), (2, 7)), 0.0582, 0.8062);
        close(d((5, 56), (0, 29)), -0.0381, 0.1926);
        close(d((0, 10), (0, 20)), -0.1611, 0.2775);
        close(d((0, 10), (0, 10)), -0.2775, 0.2775);
        close(d((10, 10), (0, 20)), 0.6791, 1.0);
        close(d((10, 10), (0, 10)), 0.6075, 1.0);
    }

    #[test]
    fn a_relative_gate_fails_only_beyond_the_margin_with_confidence() {
        let p = Proportion::new;
        // 10% vs 1% on 1000 calls each: clearly worse than a 2-point margin.
        let worse = compare(p(100, 1000), p(10, 1000), 2.0, 50);
        assert_eq!(worse.verdict, Verdict::Fail);
        assert!((worse.difference.expect("both legs") - 9.0).abs() < 1e-9);
        assert!(worse.interval.expect("interval").low > 2.0);
        // 4% vs 1% on 60 calls: the point is past the margin, the interval is not.
        let noisy = compare(p(3, 60), p(10, 1000), 2.0, 50);
        assert!(noisy.difference.expect("both legs") > 2.0);
        assert_eq!(noisy.verdict, Verdict::Pass);
        // Below the minimum, even a disaster is only Inconclusive (the absolute gate acts).
        assert_eq!(
            compare(p(40, 40), p(0, 1000), 2.0, 50).verdict,
            Verdict::Inconclusive
        );
        // No calls at all: no estimate, never a pass.
        let none = compare(p(0, 0), p(0, 0), 2.0, 0);
        assert_eq!(
            (none.verdict, none.difference),
            (Verdict::Inconclusive, None)
        );
    }

    #[test]
    fn absolute_gates_compare_the_point_value() {
        assert_eq!(absolute(Some(5.1), 5.0, 100, 50), Verdict::Fail);
        assert_eq!(absolute(Some(5.0), 5.0, 100, 50), Verdict::Pass);
        assert_eq!(absolute(Some(90.0), 5.0, 49, 50), Verdict::Inconclusive);
        assert_eq!(absolute(None, 1.5, 100, 50), Verdict::Inconclusive);
        let (value, interval) = rate_percent(Proportion::new(1, 10));
        assert!((value.expect("value") - 10.0).abs() < 1e-9);
        close(interval.expect("interval").scaled(0.01), 0.0179, 0.4042);
    }
}
