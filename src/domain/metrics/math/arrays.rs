//! Functions of an array of time series (METRIC_COUNT, FIRST, LAST, REMOVE_EMPTY, SLICE,
//! SORT) and METRICS(), which makes one.

use super::Evaluated::{Array, Scalar, Series};
use super::eval::Ctx;
use super::funcs::{reduce, wrong};
use super::{Evaluated, MathError, Node};

/// Functions of an array of time series.
pub(super) fn call(
    ctx: &Ctx<'_, '_>,
    name: &str,
    args: &[Node],
    column: usize,
) -> Result<Evaluated, MathError> {
    let Some(first) = args.first() else {
        return Err(MathError::UnknownFunction {
            name: name.to_string(),
            column,
        });
    };
    let members = match ctx.eval(first)? {
        Array(a) => a,
        other => return Err(wrong(name, column, "an array of time series", &other)),
    };
    let scalar = |i: usize| match args.get(i).map(|n| ctx.eval(n)).transpose()? {
        Some(Scalar(x)) if x.is_finite() => Ok(Some(x)),
        Some(other) => Err(wrong(
            name,
            column,
            &format!("a number as argument {}", i + 1),
            &other,
        )),
        None => Ok(None),
    };
    let empty = || vec![None; ctx.len()];
    match name {
        "METRIC_COUNT" => Ok(Scalar(members.len() as f64)),
        "FIRST" => Ok(Series(members.into_iter().next().unwrap_or_else(empty))),
        "LAST" => Ok(Series(
            members.into_iter().next_back().unwrap_or_else(empty),
        )),
        "REMOVE_EMPTY" => Ok(Array(
            members
                .into_iter()
                .filter(|s| s.iter().any(Option::is_some))
                .collect(),
        )),
        "SLICE" => {
            let len = members.len();
            let bound = |x: Option<f64>, default: usize| {
                x.map_or(default, |x| (x.max(0.0).floor() as usize).min(len))
            };
            let start = bound(scalar(1)?, 0);
            let end = bound(scalar(2)?, len).max(start);
            Ok(Array(members[start..end].to_vec()))
        }
        "SORT" => {
            let by = keyword(args.get(1), &["SUM", "AVG", "MIN", "MAX"], name, column)?;
            let descending = keyword(args.get(2), &["ASC", "DESC"], name, column)? == "DESC";
            let limit = scalar(3)?.map(|x| x.max(0.0).floor() as usize);
            let mut keyed: Vec<(f64, Vec<Option<f64>>)> =
                members.into_iter().map(|s| (reduce(by, &s), s)).collect();
            // Stable; series with no points (NaN key) go last in either order.
            keyed.sort_by(|(a, _), (b, _)| match (a.is_nan(), b.is_nan()) {
                (false, false) if descending => b.total_cmp(a),
                (false, false) => a.total_cmp(b),
                (x, y) => x.cmp(&y),
            });
            keyed.truncate(limit.unwrap_or(usize::MAX));
            Ok(Array(keyed.into_iter().map(|(_, s)| s).collect()))
        }
        _ => Err(MathError::UnknownFunction {
            name: name.to_string(),
            column,
        }),
    }
}

fn keyword<'a>(
    node: Option<&Node>,
    allowed: &[&'a str],
    func: &str,
    column: usize,
) -> Result<&'a str, MathError> {
    if let Some(Node::Keyword { name, .. }) = node
        && let Some(k) = allowed.iter().find(|k| **k == name.as_str())
    {
        return Ok(*k);
    }
    Err(MathError::Type(format!(
        "{func} at column {column} expects one of {} here",
        allowed.join(", ")
    )))
}

/// `METRICS()` / `METRICS("text")`: the metric queries whose Id contains the text.
pub(super) fn metrics(
    ctx: &Ctx<'_, '_>,
    filter: Option<&Node>,
    column: usize,
) -> Result<Evaluated, MathError> {
    let needle = match filter {
        None => "",
        Some(Node::Str(s)) => s.as_str(),
        Some(_) => {
            return Err(MathError::Type(format!(
                "METRICS at column {column} takes a string in double quotes"
            )));
        }
    };
    let mut members = Vec::new();
    for id in ctx.metric_ids.iter().filter(|id| id.contains(needle)) {
        members.push(ctx.series(id)?.to_vec());
    }
    Ok(Array(members))
}

#[cfg(test)]
mod tests {
    use super::super::test_support::{EMPTY, M1, M2, M3, run, ts, type_error};
    use super::*;

    #[test]
    fn array_functions() {
        let arr = |members: &[&[f64]]| Array(members.iter().map(|m| ts(m)).collect());
        let cases = [
            ("REMOVE_EMPTY([m1, empty, m2])", arr(&[M1, M2])),
            ("SORT([m1, empty, m2], SUM, DESC)", arr(&[M2, M1, EMPTY])),
            ("SORT([empty, m2, m1], MAX, ASC, 2)", arr(&[M1, M2])),
            ("SLICE([m1, m2, m3], 1)", arr(&[M2, M3])),
            ("SLICE([m1, m2, m3], 0, 2)", arr(&[M1, M2])),
            ("SLICE([m1, m2, m3], 5)", arr(&[])),
            ("FIRST(SORT([m1, m2], AVG, DESC))", Series(ts(M2))),
            ("LAST([m1, m3])", Series(ts(M3))),
        ];
        for (src, want) in cases {
            assert_eq!(run(src).unwrap(), want, "{src}");
        }
        type_error(
            "FIRST(m1)",
            "FIRST at column 1 expects an array of time series, got a time series",
        );
        type_error("SORT([m1], ASC, SUM)", "expects one of SUM, AVG, MIN, MAX");
        type_error("METRICS(m1)", "takes a string");
    }
}
