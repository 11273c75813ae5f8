//! CloudWatch statistics over the samples of one period, as the "CloudWatch statistics
//! definitions" page defines them: SampleCount, Sum, Average (= Sum / SampleCount), Minimum,
//! Maximum and percentiles (`pNN`).

use std::fmt;
use std::str::FromStr;

/// One stored observation: a value seen `count` times (PutMetricData Values/Counts or Value),
/// or a pre-aggregated StatisticSet.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Sample {
    Value {
        value: f64,
        count: f64,
    },
    Set {
        sum: f64,
        min: f64,
        max: f64,
        count: f64,
    },
}

/// A statistic AWS accepts in `MetricStat.Stat` (the trimmed/winsorized families are not
/// implemented and fail to parse with a message saying so).
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Statistic {
    Sum,
    Average,
    Minimum,
    Maximum,
    SampleCount,
    /// `pNN`: 0..=100.
    Percentile(f64),
}

const NAMED: [(&str, Statistic); 5] = [
    ("Sum", Statistic::Sum),
    ("Average", Statistic::Average),
    ("Minimum", Statistic::Minimum),
    ("Maximum", Statistic::Maximum),
    ("SampleCount", Statistic::SampleCount),
];

impl FromStr for Statistic {
    type Err = String;

    /// AWS spelling, case-sensitive: `Sum`, `Average`, `Minimum`, `Maximum`, `SampleCount`,
    /// `p0`..`p100` with an optional fraction (`p99.9`).
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        if let Some((_, stat)) = NAMED.iter().find(|(name, _)| *name == s) {
            return Ok(*stat);
        }
        if let Some(num) = s.strip_prefix('p') {
            return parse_percentile(num)
                .map(Statistic::Percentile)
                .ok_or_else(|| {
                    format!("invalid percentile '{s}': expected p0 to p100, e.g. 'p99' or 'p99.9'")
                });
        }
        let lower = s.to_ascii_lowercase();
        if ["tm", "wm", "tc", "ts", "pr", "iqm"]
            .iter()
            .any(|f| lower.starts_with(f))
        {
            return Err(format!(
                "statistic '{s}' is not supported here; use a percentile or a basic statistic"
            ));
        }
        Err(format!(
            "unknown statistic '{s}': expected Sum, Average, Minimum, Maximum, SampleCount or a percentile such as 'p99'"
        ))
    }
}

/// Digits with an optional fraction, 0..=100; no sign, exponent, `inf` or `nan`.
fn parse_percentile(num: &str) -> Option<f64> {
    let (int, frac) = num.split_once('.').unwrap_or((num, ""));
    let digits = |t: &str| t.chars().all(|c| c.is_ascii_digit());
    if int.is_empty() || !digits(int) || !digits(frac) || (num.contains('.') && frac.is_empty()) {
        return None;
    }
    let p: f64 = num.parse().ok()?;
    (0.0..=100.0).contains(&p).then_some(p)
}

impl fmt::Display for Statistic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Statistic::Percentile(p) => write!(f, "p{p}"),
            named => {
                let name = NAMED
                    .iter()
                    .find(|(_, s)| s == named)
                    .map_or("?", |(n, _)| n);
                f.write_str(name)
            }
        }
    }
}

impl Statistic {
    /// The statistic over the samples of one period; None when there are none.
    ///
    /// Percentiles follow the documented rules: they need raw values, so a StatisticSet only
    /// counts when it describes one repeated value (`Min == Max` and `Sum == Min × SampleCount`,
    /// which covers `SampleCount == 1`); any other set, or any negative value, gives None.
    /// The percentile is the nearest rank: the smallest value with at least p% of the samples
    /// (weighted by their counts) at or below it, so p50 of 1..=100 is 50 and p0 is the minimum.
    pub fn compute(&self, samples: &[Sample]) -> Option<f64> {
        if samples.is_empty() {
            return None;
        }
        match self {
            Statistic::Percentile(p) => percentile(*p, samples),
            _ => {
                let agg = Aggregate::of(samples);
                match self {
                    Statistic::Sum => Some(agg.sum),
                    Statistic::SampleCount => Some(agg.count),
                    Statistic::Average => (agg.count > 0.0).then(|| agg.sum / agg.count),
                    Statistic::Minimum => agg.min,
                    Statistic::Maximum => agg.max,
                    Statistic::Percentile(_) => None,
                }
            }
        }
    }
}

struct Aggregate {
    sum: f64,
    count: f64,
    min: Option<f64>,
    max: Option<f64>,
}

impl Aggregate {
    fn of(samples: &[Sample]) -> Self {
        let mut agg = Aggregate {
            sum: 0.0,
            count: 0.0,
            min: None,
            max: None,
        };
        for s in samples {
            let (sum, count, lo, hi) = match *s {
                Sample::Value { value, count } => (value * count, count, value, value),
                Sample::Set {
                    sum,
                    min,
                    max,
                    count,
                } => (sum, count, min, max),
            };
            agg.sum += sum;
            agg.count += count;
            // A value reported zero times was not observed.
            if count > 0.0 {
                agg.min = Some(agg.min.map_or(lo, |m| m.min(lo)));
                agg.max = Some(agg.max.map_or(hi, |m| m.max(hi)));
            }
        }
        agg
    }
}

fn percentile(p: f64, samples: &[Sample]) -> Option<f64> {
    let mut weighted = Vec::with_capacity(samples.len());
    for s in samples {
        let (value, count) = match *s {
            Sample::Value { value, count } => (value, count),
            Sample::Set {
                sum,
                min,
                max,
                count,
            } => {
                let single_value =
                    min == max && (sum - min * count).abs() <= 1e-9 * sum.abs().max(1.0);
                if !single_value {
                    return None;
                }
                (min, count)
            }
        };
        if value < 0.0 || !value.is_finite() {
            return None;
        }
        if count > 0.0 {
            weighted.push((value, count));
        }
    }
    weighted.sort_by(|a, b| a.0.total_cmp(&b.0));
    let total: f64 = weighted.iter().map(|(_, c)| c).sum();
    // Compare cum × 100 with p × total rather than cum with p/100 × total: 0.07 × 100 is
    // 7.000000000000001 in floating point, which would push p7 of 1..=100 to 8.
    let target = p * total * (1.0 - 1e-12);
    let mut cum = 0.0;
    for (value, count) in &weighted {
        cum += count;
        if cum * 100.0 >= target {
            return Some(*value);
        }
    }
    weighted.last().map(|(v, _)| *v)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(value: f64, count: f64) -> Sample {
        Sample::Value { value, count }
    }

    fn set(sum: f64, min: f64, max: f64, count: f64) -> Sample {
        Sample::Set {
            sum,
            min,
            max,
            count,
        }
    }

    fn values(vs: impl IntoIterator<Item = f64>) -> Vec<Sample> {
        vs.into_iter().map(|value| v(value, 1.0)).collect()
    }

    fn p(p: f64, samples: &[Sample]) -> Option<f64> {
        Statistic::Percentile(p).compute(samples)
    }

    #[test]
    fn parses_and_displays_aws_spellings() {
        let cases = [
            ("Sum", Statistic::Sum),
            ("Average", Statistic::Average),
            ("Minimum", Statistic::Minimum),
            ("Maximum", Statistic::Maximum),
            ("SampleCount", Statistic::SampleCount),
            ("p0", Statistic::Percentile(0.0)),
            ("p50", Statistic::Percentile(50.0)),
            ("p99", Statistic::Percentile(99.0)),
            ("p99.9", Statistic::Percentile(99.9)),
            ("p100", Statistic::Percentile(100.0)),
        ];
        for (text, stat) in cases {
            assert_eq!(text.parse::<Statistic>(), Ok(stat), "{text}");
            assert_eq!(stat.to_string(), text);
        }
    }

    #[test]
    fn rejects_other_spellings_with_a_reason() {
        let cases = [
            ("sum", "unknown statistic 'sum'"),
            ("Avg", "unknown statistic 'Avg'"),
            ("", "unknown statistic ''"),
            ("P99", "unknown statistic 'P99'"),
            ("p101", "invalid percentile 'p101'"),
            ("p-1", "invalid percentile 'p-1'"),
            ("p", "invalid percentile 'p'"),
            ("p99.", "invalid percentile 'p99.'"),
            ("p1e2", "invalid percentile 'p1e2'"),
            ("pnan", "invalid percentile 'pnan'"),
            ("tm99", "statistic 'tm99' is not supported"),
        ];
        for (text, want) in cases {
            let err = text.parse::<Statistic>().unwrap_err();
            assert!(err.starts_with(want), "{text}: {err}");
        }
    }

    #[test]
    fn basic_statistics_weight_values_by_count() {
        let samples = [v(2.0, 3.0), v(10.0, 1.0), set(7.0, 1.0, 6.0, 2.0)];
        let cases = [
            (Statistic::SampleCount, 6.0),
            (Statistic::Sum, 6.0 + 10.0 + 7.0),
            (Statistic::Average, 23.0 / 6.0),
            (Statistic::Minimum, 1.0),
            (Statistic::Maximum, 10.0),
        ];
        for (stat, want) in cases {
            assert_eq!(stat.compute(&samples), Some(want), "{stat}");
        }
    }

    #[test]
    fn no_samples_no_statistic() {
        for stat in [
            Statistic::Sum,
            Statistic::SampleCount,
            Statistic::Percentile(50.0),
        ] {
            assert_eq!(stat.compute(&[]), None, "{stat}");
        }
        let unseen = [v(5.0, 0.0)];
        assert_eq!(Statistic::Average.compute(&unseen), None);
        assert_eq!(Statistic::Maximum.compute(&unseen), None);
        assert_eq!(Statistic::SampleCount.compute(&unseen), Some(0.0));
    }

    #[test]
    fn percentiles_are_nearest_rank() {
        let hundred = values((1..=100).rev().map(f64::from));
        let cases = [
            (0.0, 1.0),
            (7.0, 7.0),
            (50.0, 50.0),
            (90.0, 90.0),
            (99.0, 99.0),
        ];
        for (pct, want) in cases.into_iter().chain([(99.9, 100.0), (100.0, 100.0)]) {
            assert_eq!(p(pct, &hundred), Some(want), "p{pct}");
        }
        let four = values([4.0, 1.0, 3.0, 2.0]);
        assert_eq!(p(25.0, &four), Some(1.0));
        assert_eq!(p(26.0, &four), Some(2.0));
        assert_eq!(p(75.0, &four), Some(3.0));
    }

    #[test]
    fn percentiles_weight_by_count() {
        let samples = [v(100.0, 1.0), v(1.0, 9.0)];
        for (pct, want) in [(50.0, 1.0), (90.0, 1.0), (91.0, 100.0), (100.0, 100.0)] {
            assert_eq!(p(pct, &samples), Some(want), "p{pct}");
        }
    }

    #[test]
    fn percentiles_need_raw_values() {
        let raw = v(5.0, 1.0);
        let spread = set(10.0, 1.0, 9.0, 2.0);
        assert_eq!(p(50.0, &[raw, spread]), None, "a set of different values");
        assert_eq!(
            p(50.0, &[raw, set(12.0, 4.0, 4.0, 3.0)]),
            Some(4.0),
            "4 seen 3 times"
        );
        assert_eq!(
            p(50.0, &[set(7.0, 7.0, 7.0, 1.0)]),
            Some(7.0),
            "SampleCount 1"
        );
        assert_eq!(
            p(50.0, &[set(5.0, 4.0, 4.0, 3.0)]),
            None,
            "Sum != Min x SampleCount"
        );
        // Sets still feed the basic statistics.
        assert_eq!(Statistic::Maximum.compute(&[raw, spread]), Some(9.0));
    }

    #[test]
    fn percentiles_refuse_negative_values() {
        let samples = values([3.0, -1.0, 2.0]);
        assert_eq!(p(50.0, &samples), None);
        assert_eq!(Statistic::Minimum.compute(&samples), Some(-1.0));
    }
}
