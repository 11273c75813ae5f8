//! Evaluation of the AST: values, broadcasting and the operators. Functions are in `funcs`.

use super::Evaluated::{Array, Scalar, Series};
use super::{BinOp, Env, Evaluated, MathError, Node, funcs};

/// One evaluation: the environment plus what `METRICS()` stands for.
pub(super) struct Ctx<'a, 'e> {
    pub env: &'a Env<'e>,
    pub metric_ids: &'a [String],
}

impl Ctx<'_, '_> {
    pub fn eval(&self, node: &Node) -> Result<Evaluated, MathError> {
        match node {
            Node::Num(n) => Ok(Scalar(*n)),
            Node::Id(id) => self.series(id).map(|s| Series(s.to_vec())),
            Node::Str(s) => Err(MathError::Type(format!(
                "the string \"{s}\" is only valid as the argument of METRICS"
            ))),
            Node::Keyword { name, column } => Err(MathError::Type(format!(
                "'{name}' at column {column} is only valid as an argument of FILL or SORT"
            ))),
            Node::Array(items) => {
                let mut members = Vec::new();
                for (i, item) in items.iter().enumerate() {
                    match self.eval(item)? {
                        Series(s) => members.push(s),
                        // `[METRICS("4xx"), METRICS("5xx")]` concatenates, as the docs show.
                        Array(a) => members.extend(a),
                        Scalar(_) => {
                            return Err(MathError::Type(format!(
                                "an array holds time series, but member {} is a number",
                                i + 1
                            )));
                        }
                    }
                }
                Ok(Array(members))
            }
            Node::Neg(inner) => Ok(map_values(self.eval(inner)?, |x| -x)),
            Node::Bin(op, l, r) => binary(*op, self.eval(l)?, self.eval(r)?),
            Node::Call { name, args, column } => funcs::call(self, name, args, *column),
        }
    }

    /// The query `id`'s series, checked against the grid.
    pub fn series(&self, id: &str) -> Result<&[Option<f64>], MathError> {
        let s = self
            .env
            .series
            .get(id)
            .ok_or_else(|| MathError::UnknownId(id.to_string()))?;
        if s.len() != self.len() {
            return Err(MathError::Type(format!(
                "series '{id}' has {} points but the grid has {}",
                s.len(),
                self.len()
            )));
        }
        Ok(s)
    }

    /// Points on the grid.
    pub fn len(&self) -> usize {
        self.env.timestamps.len()
    }
}

/// `Some(x)` when `x` is a number a datapoint can hold; AWS drops the others.
pub(super) fn finite(x: f64) -> Option<f64> {
    x.is_finite().then_some(x)
}

/// Applies `f` to every scalar and point; points that stop being finite are dropped, and a
/// scalar that stops being finite becomes NaN ("no value").
pub(super) fn map_values(v: Evaluated, f: impl Fn(f64) -> f64) -> Evaluated {
    let point = |p: Option<f64>| p.and_then(|x| finite(f(x)));
    match v {
        Scalar(x) => Scalar(finite(x).and_then(|x| finite(f(x))).unwrap_or(f64::NAN)),
        Series(s) => Series(s.into_iter().map(point).collect()),
        Array(a) => Array(
            a.into_iter()
                .map(|s| s.into_iter().map(point).collect())
                .collect(),
        ),
    }
}

/// One operator on two numbers; None when an input has no value or the result is not finite
/// (division by zero).
pub(super) fn point(op: BinOp, x: f64, y: f64) -> Option<f64> {
    if !x.is_finite() || !y.is_finite() {
        return None;
    }
    let truth = |c: bool| if c { 1.0 } else { 0.0 };
    let v = match op {
        BinOp::Add => x + y,
        BinOp::Sub => x - y,
        BinOp::Mul => x * y,
        BinOp::Div => x / y,
        BinOp::Pow => x.powf(y),
        BinOp::Lt => truth(x < y),
        BinOp::Gt => truth(x > y),
        BinOp::Le => truth(x <= y),
        BinOp::Ge => truth(x >= y),
        BinOp::Eq => truth(x == y),
        BinOp::Ne => truth(x != y),
        BinOp::And => truth(x != 0.0 && y != 0.0),
        BinOp::Or => truth(x != 0.0 || y != 0.0),
    };
    finite(v)
}

/// S op S → S; TS op S, S op TS, TS op TS → TS; TS[] op (S | TS), (S | TS) op TS[] → TS[],
/// member by member. Two arrays are refused: AWS lists no such form.
pub(super) fn binary(op: BinOp, l: Evaluated, r: Evaluated) -> Result<Evaluated, MathError> {
    Ok(match (l, r) {
        (Scalar(a), Scalar(b)) => Scalar(point(op, a, b).unwrap_or(f64::NAN)),
        (Array(_), Array(_)) => {
            return Err(MathError::Type(format!(
                "'{}' cannot combine two arrays of time series",
                op.symbol()
            )));
        }
        (Array(a), r) => Array(
            a.iter()
                .map(|s| pointwise(op, Side::Ts(s), side(&r)))
                .collect(),
        ),
        (l, Array(b)) => Array(
            b.iter()
                .map(|s| pointwise(op, side(&l), Side::Ts(s)))
                .collect(),
        ),
        (l, r) => Series(pointwise(op, side(&l), side(&r))),
    })
}

#[derive(Clone, Copy)]
enum Side<'a> {
    S(f64),
    Ts(&'a [Option<f64>]),
}

fn side(v: &Evaluated) -> Side<'_> {
    match v {
        Scalar(x) => Side::S(*x),
        Series(s) => Side::Ts(s),
        // Callers split arrays into members first.
        Array(_) => Side::S(f64::NAN),
    }
}

/// The documented missing-value rule: between two time series a point missing on one side
/// counts as 0, and one missing on both stays missing; against a scalar it stays missing.
fn pointwise(op: BinOp, l: Side<'_>, r: Side<'_>) -> Vec<Option<f64>> {
    let len = match (l, r) {
        (Side::Ts(a), _) => a.len(),
        (_, Side::Ts(b)) => b.len(),
        _ => 0,
    };
    (0..len)
        .map(|i| match (l, r) {
            (Side::Ts(a), Side::Ts(b)) => {
                match (a.get(i).copied().flatten(), b.get(i).copied().flatten()) {
                    (None, None) => None,
                    (x, y) => point(op, x.unwrap_or(0.0), y.unwrap_or(0.0)),
                }
            }
            (Side::Ts(a), Side::S(y)) => a.get(i).copied().flatten().and_then(|x| point(op, x, y)),
            (Side::S(x), Side::Ts(b)) => b.get(i).copied().flatten().and_then(|y| point(op, x, y)),
            (Side::S(x), Side::S(y)) => point(op, x, y),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::super::test_support::{N, eval_on, ts};
    use super::*;

    const M1: &[f64] = &[1.0, N, 4.0, N];
    const M2: &[f64] = &[2.0, 5.0, N, N];

    fn series(src: &str) -> Vec<Option<f64>> {
        match eval_on(src, &[("m1", M1), ("m2", M2)]) {
            Ok(Series(s)) => s,
            other => panic!("{src}: {other:?}"),
        }
    }

    #[test]
    fn arithmetic_is_pointwise_with_documented_missing_values() {
        let cases: [(&str, &[f64]); 11] = [
            // Between two series a point missing on one side is 0; on both, it stays missing.
            ("m1 + m2", &[3.0, 5.0, 4.0, N]),
            ("m1 * m2", &[2.0, 0.0, 0.0, N]),
            // Against a scalar a missing point stays missing.
            ("m1 - 1", &[0.0, N, 3.0, N]),
            ("10 - m1", &[9.0, N, 6.0, N]),
            ("-m1", &[-1.0, N, -4.0, N]),
            ("m1 ^ 2", &[1.0, N, 16.0, N]),
            ("2 ^ -1 * m1", &[0.5, N, 2.0, N]),
            // Division by zero drops the point, including a zero that stands for a missing one.
            ("m1 / 0", &[N, N, N, N]),
            ("m1 / (m1 - 1)", &[N, N, 4.0 / 3.0, N]),
            ("m2 / m1", &[2.0, N, 0.0, N]),
            ("m1 + 1 / 0", &[N, N, N, N]),
        ];
        for (src, want) in cases {
            assert_eq!(series(src), ts(want), "{src}");
        }
    }

    #[test]
    fn comparisons_and_logic_follow_the_aws_example() {
        // The table in "Comparison and logical operators".
        let metric1: &[f64] = &[30.0, 20.0, 0.0, 0.0];
        let metric2: &[f64] = &[20.0, N, 20.0, N];
        let cases: [(&str, &[f64]); 7] = [
            ("(metric1 < metric2)", &[0.0, 0.0, 1.0, 0.0]),
            ("(metric1 >= 30)", &[1.0, 0.0, 0.0, 0.0]),
            ("(metric1 > 15 AND metric2 > 15)", &[1.0, 0.0, 0.0, 0.0]),
            ("metric1 > 15 && metric2 > 15", &[1.0, 0.0, 0.0, 0.0]),
            ("metric1 == 0 || metric2 == 20", &[1.0, 0.0, 1.0, 1.0]),
            ("metric1 != metric2", &[1.0, 1.0, 1.0, 0.0]),
            ("metric2 <= 20 OR 0", &[1.0, N, 1.0, N]),
        ];
        for (src, want) in cases {
            let got = eval_on(src, &[("metric1", metric1), ("metric2", metric2)]).unwrap();
            assert_eq!(got, Series(ts(want)), "{src}");
        }
    }

    #[test]
    fn scalars_stay_scalars() {
        let cases = [
            ("1 + 2 * 3", 7.0),
            ("-2 ^ 2", -4.0),
            ("(1 < 2) + (2 == 2)", 2.0),
            ("0 OR 3", 1.0),
        ];
        for (src, want) in cases {
            assert_eq!(eval_on(src, &[("m1", M1)]).unwrap(), Scalar(want), "{src}");
        }
        assert!(matches!(eval_on("1 / 0", &[("m1", M1)]), Ok(Scalar(x)) if x.is_nan()));
    }

    #[test]
    fn arrays_broadcast_member_by_member() {
        let run = |src| eval_on(src, &[("m1", M1), ("m2", M2)]);
        let cases: [(&str, Vec<&[f64]>); 4] = [
            (
                "[m1, m2] * 10",
                vec![&[10.0, N, 40.0, N], &[20.0, 50.0, N, N]],
            ),
            (
                "100 / [m1, m2]",
                vec![&[100.0, N, 25.0, N], &[50.0, 20.0, N, N]],
            ),
            (
                "[m1, m2] - m1",
                vec![&[0.0, N, 0.0, N], &[1.0, 5.0, -4.0, N]],
            ),
            (
                "-[m1, [m2]]",
                vec![&[-1.0, N, -4.0, N], &[-2.0, -5.0, N, N]],
            ),
        ];
        for (src, want) in cases {
            let want = Array(want.into_iter().map(ts).collect());
            assert_eq!(run(src).unwrap(), want, "{src}");
        }
        let errors = [
            (
                "[m1, m2] + [m1]",
                "'+' cannot combine two arrays of time series",
            ),
            ("[m1, 1]", "member 2 is a number"),
            (
                "m1 + REPEAT",
                "'REPEAT' at column 6 is only valid as an argument of FILL or SORT",
            ),
            ("m1 + \"x\"", "only valid as the argument of METRICS"),
        ];
        for (src, want) in errors {
            match run(src) {
                Err(MathError::Type(m)) => assert!(m.contains(want), "{src}: {m}"),
                other => panic!("{src}: {other:?}"),
            }
        }
    }
}
