//! Functions that walk a series along its timestamps: FILL, DIFF, DIFF_TIME, RATE,
//! RUNNING_SUM, and the calendar functions (MINUTE … EPOCH).
//!
//! A series on the grid is sparse like a CloudWatch result: "the preceding value" of DIFF and
//! RATE is the previous point that exists, not the previous grid slot.

use super::Evaluated::{Array, Scalar, Series};
use super::eval::{Ctx, finite};
use super::funcs::wrong;
use super::{Evaluated, MathError, Node};

enum Filler<'a> {
    Value(f64),
    Series(&'a [Option<f64>]),
    Repeat,
    Linear,
}

/// `FILL(x, S | TS | REPEAT | LINEAR)` over a series or each member of an array.
///
/// REPEAT carries the most recent point forward; LINEAR interpolates along the timestamps
/// between the points at either end of a gap. Neither invents a point before the first one or
/// (LINEAR) after the last one: the AWS page names no value to use there.
pub(super) fn fill(
    ctx: &Ctx<'_, '_>,
    x: Evaluated,
    filler: &Node,
    column: usize,
) -> Result<Evaluated, MathError> {
    let filler_value;
    let filler = match filler {
        Node::Keyword { name, .. } if name == "REPEAT" => Filler::Repeat,
        Node::Keyword { name, .. } if name == "LINEAR" => Filler::Linear,
        Node::Keyword { name, .. } => {
            return Err(MathError::Type(format!(
                "FILL at column {column} expects a number, a time series, REPEAT or LINEAR as filler, got {name}"
            )));
        }
        node => {
            filler_value = ctx.eval(node)?;
            match &filler_value {
                Scalar(v) => Filler::Value(*v),
                Series(s) => Filler::Series(s),
                other => {
                    return Err(wrong(
                        "FILL",
                        column,
                        "a number, a time series, REPEAT or LINEAR as filler",
                        other,
                    ));
                }
            }
        }
    };
    let ts = ctx.env.timestamps;
    match x {
        Series(s) => Ok(Series(fill_one(s, &filler, ts))),
        Array(a) => Ok(Array(
            a.into_iter().map(|s| fill_one(s, &filler, ts)).collect(),
        )),
        other => Err(wrong(
            "FILL",
            column,
            "a time series or an array of time series",
            &other,
        )),
    }
}

fn fill_one(mut s: Vec<Option<f64>>, filler: &Filler<'_>, ts: &[i64]) -> Vec<Option<f64>> {
    match filler {
        Filler::Value(v) => s
            .iter_mut()
            .filter(|p| p.is_none())
            .for_each(|p| *p = finite(*v)),
        Filler::Series(f) => {
            for (p, fv) in s.iter_mut().zip(f.iter()) {
                if p.is_none() {
                    *p = *fv;
                }
            }
        }
        Filler::Repeat => {
            let mut last = None;
            for p in s.iter_mut() {
                match p {
                    Some(v) => last = Some(*v),
                    None => *p = last,
                }
            }
        }
        Filler::Linear => {
            let known: Vec<(usize, f64)> = s
                .iter()
                .enumerate()
                .filter_map(|(i, p)| p.map(|v| (i, v)))
                .collect();
            for pair in known.windows(2) {
                let ((i0, v0), (i1, v1)) = (pair[0], pair[1]);
                let (Some(&t0), Some(&t1)) = (ts.get(i0), ts.get(i1)) else {
                    continue;
                };
                for (i, p) in s.iter_mut().enumerate().take(i1).skip(i0 + 1) {
                    let t = ts.get(i).copied().unwrap_or(t0);
                    *p = finite(v0 + (v1 - v0) * (t - t0) as f64 / (t1 - t0) as f64);
                }
            }
        }
    }
    s
}

/// DIFF (value − previous value), DIFF_TIME (seconds since the previous point), RATE
/// (DIFF / DIFF_TIME, per second) and RUNNING_SUM. The first point has no predecessor, so
/// DIFF, DIFF_TIME and RATE have no point there.
pub(super) fn sequential(name: &str, s: &[Option<f64>], ts: &[i64]) -> Vec<Option<f64>> {
    let mut prev: Option<(i64, f64)> = None;
    let mut running = 0.0;
    s.iter()
        .zip(ts.iter())
        .map(|(p, &t)| {
            let v = (*p)?;
            let out = match (name, prev) {
                ("RUNNING_SUM", _) => {
                    running += v;
                    finite(running)
                }
                (_, None) => None,
                ("DIFF", Some((_, pv))) => finite(v - pv),
                ("DIFF_TIME", Some((pt, _))) => Some((t - pt) as f64),
                (_, Some((pt, pv))) => finite((v - pv) / (t - pt) as f64),
            };
            prev = Some((t, v));
            out
        })
        .collect()
}

/// The calendar functions, in UTC, for every timestamp of the grid (a non-sparse series, as
/// documented). DAY is the day of the week, 1 = Monday … 7 = Sunday; DATE the day of the month.
pub(super) fn calendar(name: &str, ts: &[i64]) -> Vec<Option<f64>> {
    ts.iter()
        .map(|&t| {
            let days = t.div_euclid(86_400);
            let secs = t.rem_euclid(86_400);
            let (year, month, date) = civil_from_days(days);
            let v = match name {
                "MINUTE" => secs / 60 % 60,
                "HOUR" => secs / 3600,
                // 1970-01-01 was a Thursday (4).
                "DAY" => (days + 3).rem_euclid(7) + 1,
                "DATE" => date,
                "MONTH" => month,
                "YEAR" => year,
                _ => t,
            };
            Some(v as f64)
        })
        .collect()
}

/// Days since 1970-01-01 to (year, month, day) in the proleptic Gregorian calendar
/// (H. Hinnant's `civil_from_days`).
fn civil_from_days(days: i64) -> (i64, i64, i64) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

#[cfg(test)]
mod tests {
    use super::super::test_support::{N, eval_on, ts};
    use super::*;

    const M: &[f64] = &[N, 2.0, N, N, 8.0, N];
    const F: &[f64] = &[1.0, 1.0, 1.0, N, 1.0, 1.0];

    #[test]
    fn fill_variants() {
        let cases: [(&str, &[f64]); 6] = [
            ("FILL(m, 0)", &[0.0, 2.0, 0.0, 0.0, 8.0, 0.0]),
            ("FILL(m, REPEAT)", &[N, 2.0, 2.0, 2.0, 8.0, 8.0]),
            ("FILL(m, LINEAR)", &[N, 2.0, 4.0, 6.0, 8.0, N]),
            ("FILL(m, f)", &[1.0, 2.0, 1.0, N, 8.0, 1.0]),
            ("FILL(m, MIN(m))", &[2.0, 2.0, 2.0, 2.0, 8.0, 2.0]),
            ("FILL(m, AVG(f - f - 1) / 0)", M),
        ];
        for (src, want) in cases {
            assert_eq!(
                eval_on(src, &[("m", M), ("f", F)]).unwrap(),
                Series(ts(want)),
                "{src}"
            );
        }
        let array = eval_on("FILL([m, f], REPEAT)", &[("m", M), ("f", F)]).unwrap();
        assert_eq!(
            array,
            Array(vec![
                ts(&[N, 2.0, 2.0, 2.0, 8.0, 8.0]),
                ts(&[1.0, 1.0, 1.0, 1.0, 1.0, 1.0])
            ])
        );
        for (src, fragment) in [
            ("FILL(m, DESC)", "REPEAT or LINEAR as filler, got DESC"),
            ("FILL(5, 0)", "got a number"),
            ("FILL(m, [f])", "got an array"),
        ] {
            match eval_on(src, &[("m", M), ("f", F)]) {
                Err(MathError::Type(msg)) => assert!(msg.contains(fragment), "{src}: {msg}"),
                other => panic!("{src}: {other:?}"),
            }
        }
    }

    #[test]
    fn linear_fill_follows_the_timestamps() {
        let got = fill_one(ts(&[0.0, N, 40.0]), &Filler::Linear, &[0, 10, 40]);
        assert_eq!(got, ts(&[0.0, 10.0, 40.0]));
    }

    #[test]
    fn differences_and_running_sum() {
        let m: &[f64] = &[1.0, N, 4.0, 10.0];
        let cases: [(&str, &[f64]); 4] = [
            ("DIFF(m)", &[N, N, 3.0, 6.0]),
            ("DIFF_TIME(m)", &[N, N, 120.0, 60.0]),
            ("RATE(m)", &[N, N, 3.0 / 120.0, 6.0 / 60.0]),
            ("RUNNING_SUM(m)", &[1.0, N, 5.0, 15.0]),
        ];
        for (src, want) in cases {
            assert_eq!(
                eval_on(src, &[("m", m)]).unwrap(),
                Series(ts(want)),
                "{src}"
            );
        }
        let both = eval_on("DIFF([m, m * 2])", &[("m", m)]).unwrap();
        assert_eq!(
            both,
            Array(vec![ts(&[N, N, 3.0, 6.0]), ts(&[N, N, 6.0, 12.0])])
        );
    }

    #[test]
    fn calendar_functions_are_utc() {
        // 2024-02-29T13:45:00Z (a Thursday), 1970-01-01T00:00:00Z (Thursday),
        // 1969-12-31T23:59:00Z (Wednesday).
        let ts = [1_709_214_300, 0, -60];
        let cases: [(&str, [f64; 3]); 7] = [
            ("MINUTE", [45.0, 0.0, 59.0]),
            ("HOUR", [13.0, 0.0, 23.0]),
            ("DAY", [4.0, 4.0, 3.0]),
            ("DATE", [29.0, 1.0, 31.0]),
            ("MONTH", [2.0, 1.0, 12.0]),
            ("YEAR", [2024.0, 1970.0, 1969.0]),
            ("EPOCH", [1_709_214_300.0, 0.0, -60.0]),
        ];
        for (name, want) in cases {
            assert_eq!(calendar(name, &ts), want.map(Some).to_vec(), "{name}");
        }
        // Non-sparse: every grid slot gets a value, even where the argument has no point.
        let hours = eval_on("HOUR(m)", &[("m", &[N, N])]).unwrap();
        assert_eq!(hours, Series(vec![Some(0.0), Some(0.0)]));
    }
}
