//! The metric math functions: which exist, how many arguments they take, and what they do with
//! scalars (S), time series (TS) and arrays of time series (TS[]). Series-shaped work (FILL,
//! DIFF, RATE, the calendar functions) is in `series`.

use super::Evaluated::{Array, Scalar, Series};
use super::eval::{Ctx, finite, map_values};
use super::{Evaluated, MathError, Node};
use super::{arrays, series};

/// Name, fewest and most arguments.
const SUPPORTED: [(&str, usize, usize); 33] = [
    ("ABS", 1, 1),
    ("AVG", 1, 1),
    ("CEIL", 1, 1),
    ("DATAPOINT_COUNT", 1, 1),
    ("DATE", 1, 1),
    ("DAY", 1, 1),
    ("DIFF", 1, 1),
    ("DIFF_TIME", 1, 1),
    ("EPOCH", 1, 1),
    ("FILL", 2, 2),
    ("FIRST", 1, 1),
    ("FLOOR", 1, 1),
    ("HOUR", 1, 1),
    ("IF", 2, 3),
    ("LAST", 1, 1),
    ("LOG", 1, 1),
    ("LOG10", 1, 1),
    ("MAX", 1, 1),
    ("METRICS", 0, 1),
    ("METRIC_COUNT", 1, 1),
    ("MIN", 1, 1),
    ("MINUTE", 1, 1),
    ("MONTH", 1, 1),
    ("PERIOD", 1, 1),
    ("RATE", 1, 1),
    ("REMOVE_EMPTY", 1, 1),
    ("RUNNING_SUM", 1, 1),
    ("SLICE", 2, 3),
    ("SORT", 3, 4),
    ("STDDEV", 1, 1),
    ("SUM", 1, 1),
    ("TIME_SERIES", 1, 1),
    ("YEAR", 1, 1),
];

/// AWS functions that need data or services a pure evaluator does not have.
const UNSUPPORTED: [&str; 5] = [
    "ANOMALY_DETECTION_BAND",
    "INSIGHT_RULE_METRIC",
    "LAMBDA",
    "SEARCH",
    "SERVICE_QUOTA",
];

pub(super) fn is_known(name: &str) -> bool {
    SUPPORTED.iter().any(|(n, ..)| *n == name) || UNSUPPORTED.contains(&name)
}

/// Refuses unknown and unsupported functions where they are written.
pub(super) fn check_name(name: &str, column: usize) -> Result<(), MathError> {
    if UNSUPPORTED.contains(&name) {
        return Err(MathError::Unsupported {
            name: name.to_string(),
            column,
        });
    }
    if !SUPPORTED.iter().any(|(n, ..)| *n == name) {
        return Err(MathError::UnknownFunction {
            name: name.to_string(),
            column,
        });
    }
    Ok(())
}

pub(super) fn check_arity(name: &str, got: usize, column: usize) -> Result<(), MathError> {
    let Some(&(_, lo, hi)) = SUPPORTED.iter().find(|(n, ..)| *n == name) else {
        return Err(MathError::UnknownFunction {
            name: name.to_string(),
            column,
        });
    };
    if (lo..=hi).contains(&got) {
        return Ok(());
    }
    let want = match (lo, hi) {
        (1, 1) => "1 argument".to_string(),
        (lo, hi) if lo == hi => format!("{lo} arguments"),
        (lo, hi) => format!("{lo} or {hi} arguments"),
    };
    Err(MathError::Parse {
        column,
        message: format!("{name} takes {want}, got {got}"),
    })
}

pub(super) fn kind(v: &Evaluated) -> &'static str {
    match v {
        Scalar(_) => "a number",
        Series(_) => "a time series",
        Array(_) => "an array of time series",
    }
}

pub(super) fn wrong(name: &str, column: usize, want: &str, got: &Evaluated) -> MathError {
    MathError::Type(format!(
        "{name} at column {column} expects {want}, got {}",
        kind(got)
    ))
}

pub(super) fn call(
    ctx: &Ctx<'_, '_>,
    name: &str,
    args: &[Node],
    column: usize,
) -> Result<Evaluated, MathError> {
    // The parser checked the arity; this keeps a bad AST an error rather than a panic.
    let arg = |i: usize| {
        args.get(i).ok_or_else(|| MathError::Parse {
            column,
            message: format!("{name} is missing argument {}", i + 1),
        })
    };
    let eval = |i: usize| arg(i).and_then(|node| ctx.eval(node));
    match name {
        "ABS" => Ok(map_values(eval(0)?, f64::abs)),
        "CEIL" => Ok(map_values(eval(0)?, f64::ceil)),
        "FLOOR" => Ok(map_values(eval(0)?, f64::floor)),
        "LOG" => Ok(map_values(eval(0)?, f64::ln)),
        "LOG10" => Ok(map_values(eval(0)?, f64::log10)),
        "SUM" | "AVG" | "MIN" | "MAX" | "STDDEV" | "DATAPOINT_COUNT" => match eval(0)? {
            Series(s) => Ok(Scalar(reduce(name, &s))),
            Array(a) => Ok(Series(across(name, &a, ctx.len()))),
            other => Err(wrong(
                name,
                column,
                "a time series or an array of time series",
                &other,
            )),
        },
        "FILL" => series::fill(ctx, eval(0)?, arg(1)?, column),
        "IF" => {
            let otherwise = if args.len() > 2 { Some(eval(2)?) } else { None };
            if_(eval(0)?, eval(1)?, otherwise, ctx.len(), column)
        }
        "PERIOD" => match eval(0)? {
            Series(_) => Ok(Scalar(ctx.env.period as f64)),
            other => Err(wrong(name, column, "a time series", &other)),
        },
        "DIFF" | "DIFF_TIME" | "RATE" | "RUNNING_SUM" => {
            let f = |s: &[Option<f64>]| series::sequential(name, s, ctx.env.timestamps);
            match eval(0)? {
                Series(s) => Ok(Series(f(&s))),
                Array(a) => Ok(Array(a.iter().map(|s| f(s)).collect())),
                other => Err(wrong(
                    name,
                    column,
                    "a time series or an array of time series",
                    &other,
                )),
            }
        }
        "MINUTE" | "HOUR" | "DAY" | "DATE" | "MONTH" | "YEAR" | "EPOCH" => match eval(0)? {
            Series(_) => Ok(Series(series::calendar(name, ctx.env.timestamps))),
            other => Err(wrong(name, column, "a time series", &other)),
        },
        "TIME_SERIES" => match eval(0)? {
            Scalar(x) => Ok(Series(vec![finite(x); ctx.len()])),
            other => Err(wrong(name, column, "a number", &other)),
        },
        "METRICS" => arrays::metrics(ctx, args.first(), column),
        _ => arrays::call(ctx, name, args, column),
    }
}

/// An aggregate of one series' points: a scalar, NaN when it has none (SUM and
/// DATAPOINT_COUNT are 0 then). STDDEV is the population standard deviation.
pub(super) fn reduce(name: &str, s: &[Option<f64>]) -> f64 {
    let points: Vec<f64> = s.iter().flatten().copied().collect();
    let n = points.len() as f64;
    let sum: f64 = points.iter().sum();
    match name {
        "SUM" => sum,
        "DATAPOINT_COUNT" => n,
        _ if points.is_empty() => f64::NAN,
        "AVG" => sum / n,
        "MIN" => points.iter().copied().fold(f64::INFINITY, f64::min),
        "MAX" => points.iter().copied().fold(f64::NEG_INFINITY, f64::max),
        _ => {
            let mean = sum / n;
            (points.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / n).sqrt()
        }
    }
}

/// An aggregate across the members of an array at each timestamp. A timestamp where no member
/// has a point has none. AVG counts a missing member as 0, as documented ("Missing values are
/// treated as 0"), and STDDEV follows it; MIN and MAX ignore missing members.
fn across(name: &str, members: &[Vec<Option<f64>>], len: usize) -> Vec<Option<f64>> {
    (0..len)
        .map(|i| {
            let at: Vec<Option<f64>> = members
                .iter()
                .map(|s| s.get(i).copied().flatten())
                .collect();
            if at.iter().all(Option::is_none) {
                return None;
            }
            match name {
                "MIN" | "MAX" | "SUM" | "DATAPOINT_COUNT" => finite(reduce(name, &at)),
                _ => finite(reduce(
                    name,
                    &at.iter()
                        .map(|x| Some(x.unwrap_or(0.0)))
                        .collect::<Vec<_>>(),
                )),
            }
        })
        .collect()
}

/// `IF(condition, then[, else])` as documented: where the condition is missing there is no
/// point; where true, `then` (a missing `then` point counts as 0); where false, `else` (a
/// missing `else` point, or no `else`, gives no point). A scalar condition picks a whole branch.
fn if_(
    cond: Evaluated,
    then: Evaluated,
    otherwise: Option<Evaluated>,
    len: usize,
    column: usize,
) -> Result<Evaluated, MathError> {
    for v in [Some(&cond), Some(&then), otherwise.as_ref()]
        .into_iter()
        .flatten()
    {
        if let Array(_) = v {
            return Err(wrong("IF", column, "numbers or time series", v));
        }
    }
    let c = match cond {
        Scalar(x) => {
            let branch = if x.is_finite() && x != 0.0 {
                Some(then)
            } else {
                otherwise
            };
            return Ok(branch.unwrap_or_else(|| Series(vec![None; len])));
        }
        Series(c) => c,
        array @ Array(_) => return Err(wrong("IF", column, "numbers or time series", &array)),
    };
    let pick = |v: &Evaluated, i: usize, missing: Option<f64>| match v {
        Scalar(x) => finite(*x),
        Series(s) => s.get(i).copied().flatten().or(missing),
        Array(_) => None,
    };
    Ok(Series(
        c.iter()
            .enumerate()
            .map(|(i, ci)| match ci {
                None => None,
                Some(x) if *x != 0.0 => pick(&then, i, Some(0.0)),
                Some(_) => otherwise.as_ref().and_then(|o| pick(o, i, None)),
            })
            .collect(),
    ))
}

#[cfg(test)]
mod tests {
    use super::super::test_support::{EMPTY, N, eval_on, run, ts, type_error};
    use super::*;

    #[test]
    fn aggregates_of_one_series_are_scalars() {
        let mean = 4.0 / 2.0;
        let cases = [
            ("SUM(m1)", 4.0),
            ("AVG(m1)", mean),
            ("MIN(m2)", 3.0),
            ("MAX(m2)", 5.0),
            ("STDDEV(m1)", 1.0),
            ("DATAPOINT_COUNT(m2)", 2.0),
            ("SUM(empty)", 0.0),
            ("METRIC_COUNT([m1, m2, empty])", 3.0),
        ];
        for (src, want) in cases {
            assert_eq!(run(src).unwrap(), Scalar(want), "{src}");
        }
        assert!(matches!(run("AVG(empty)"), Ok(Scalar(x)) if x.is_nan()));
        // A scalar with no value drops every point computed from it.
        assert_eq!(run("m1 - AVG(empty)").unwrap(), Series(ts(EMPTY)));
        assert_eq!(run("m1 - AVG(m1)").unwrap(), Series(ts(&[-1.0, N, 1.0, N])));
    }

    #[test]
    fn aggregates_of_an_array_are_series() {
        let cases: [(&str, &[f64]); 6] = [
            ("SUM([m1, m2, m3])", &[6.0, 5.0, 3.0, N]),
            // AVG counts a missing member as 0 (documented).
            ("AVG([m1, m2, m3])", &[2.0, 5.0 / 3.0, 1.0, N]),
            ("MIN([m1, m2, m3])", &[1.0, 5.0, 3.0, N]),
            ("MAX([m1, m2, m3])", &[3.0, 5.0, 3.0, N]),
            ("DATAPOINT_COUNT([m1, m2, m3])", &[3.0, 1.0, 1.0, N]),
            ("SUM([m1])", &[1.0, N, 3.0, N]),
        ];
        for (src, want) in cases {
            assert_eq!(run(src).unwrap(), Series(ts(want)), "{src}");
        }
        let Ok(Series(sd)) = run("STDDEV([m1, m2, m3])") else {
            panic!("STDDEV")
        };
        assert_eq!(sd[0], Some((2.0f64 / 3.0).sqrt()));
        assert_eq!(run("SUM(METRICS(\"none\"))").unwrap(), Series(ts(EMPTY)));
        type_error(
            "SUM(5)",
            "SUM at column 1 expects a time series or an array of time series, got a number",
        );
    }

    #[test]
    fn if_follows_the_aws_tables() {
        let metric1: &[f64] = &[1.0, 1.0, 0.0, 0.0, N];
        let metric2: &[f64] = &[30.0, N, 0.0, 0.0, 30.0];
        let metric3: &[f64] = &[0.0, 0.0, 20.0, N, 20.0];
        let cases: [(&str, &[f64]); 8] = [
            ("IF(metric1, metric2, metric3)", &[30.0, 0.0, 20.0, N, N]),
            ("IF(metric1, 5, metric3)", &[5.0, 5.0, 20.0, N, N]),
            ("IF(metric1, metric2, 5)", &[30.0, 0.0, 5.0, 5.0, N]),
            ("IF(metric1, metric2)", &[30.0, 0.0, N, N, N]),
            ("IF(metric2 < 10, metric2)", &[N, N, 0.0, 0.0, N]),
            ("IF(1, metric2, metric3)", &[30.0, N, 0.0, 0.0, 30.0]),
            ("IF(0, metric2, metric3)", &[0.0, 0.0, 20.0, N, 20.0]),
            ("IF(0, metric2)", &[N, N, N, N, N]),
        ];
        for (src, want) in cases {
            let got = eval_on(
                src,
                &[
                    ("metric1", metric1),
                    ("metric2", metric2),
                    ("metric3", metric3),
                ],
            );
            assert_eq!(got.unwrap(), Series(ts(want)), "{src}");
        }
        type_error(
            "IF([m1], 1)",
            "IF at column 1 expects numbers or time series",
        );
    }

    #[test]
    fn pointwise_functions() {
        let cases: [(&str, &[f64]); 6] = [
            ("ABS(m1 - m2)", &[2.0, 5.0, 3.0, N]),
            ("CEIL(m1 / 2)", &[1.0, N, 2.0, N]),
            ("FLOOR(m1 / 2)", &[0.0, N, 1.0, N]),
            ("LOG10(m1 * 100)", &[2.0, N, (300.0f64).log10(), N]),
            ("LOG(m1 - 1)", &[N, N, (2.0f64).ln(), N]),
            ("TIME_SERIES(7)", &[7.0, 7.0, 7.0, 7.0]),
        ];
        for (src, want) in cases {
            assert_eq!(run(src).unwrap(), Series(ts(want)), "{src}");
        }
        assert_eq!(
            run("m1 / PERIOD(m1)").unwrap(),
            Series(ts(&[1.0 / 60.0, N, 3.0 / 60.0, N]))
        );
        type_error(
            "PERIOD(5)",
            "PERIOD at column 1 expects a time series, got a number",
        );
        type_error("TIME_SERIES(m1)", "expects a number, got a time series");
    }
}
