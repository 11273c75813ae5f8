//! CloudWatch metric math ("Using metric math" in the CloudWatch user guide), over series that
//! the caller has already aligned on one grid of timestamps.
//!
//! Values are scalars (S), time series (TS) or arrays of time series (TS[]). Where the AWS
//! documentation states a rule it is followed, including the ones that surprise:
//! - arithmetic, comparison and logical operators between two time series treat a point
//!   missing on one side as 0 (a point missing on both sides stays missing); against a scalar,
//!   a missing point stays missing;
//! - a point whose result is not a finite number (division by zero, `LOG(0)`) is dropped;
//! - function names are uppercase only ("Enter all functions in uppercase letters");
//! - the logical operators are `AND`/`&&` and `OR`/`||`; there is no NOT.
//!
//! A scalar that has no value (the `AVG` of a series with no points) is NaN, and every point
//! computed from it is dropped.

mod arrays;
mod eval;
mod funcs;
mod lex;
mod parse;
mod series;

use std::collections::HashMap;

/// AWS's limit on `MetricDataQuery.Expression`, in characters.
pub const MAX_EXPRESSION_LEN: usize = 2048;

/// A parsed metric math expression.
#[derive(Debug, Clone, PartialEq)]
pub struct Expr {
    root: Node,
}

#[derive(Debug, Clone, PartialEq)]
enum Node {
    Num(f64),
    Id(String),
    /// Only valid as the argument of `METRICS`.
    Str(String),
    /// A bare uppercase word (`REPEAT`, `DESC`, …), only valid as certain function arguments.
    Keyword {
        name: String,
        column: usize,
    },
    Array(Vec<Node>),
    Neg(Box<Node>),
    Bin(BinOp, Box<Node>, Box<Node>),
    Call {
        name: String,
        args: Vec<Node>,
        column: usize,
    },
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum BinOp {
    Add,
    Sub,
    Mul,
    Div,
    Pow,
    Lt,
    Gt,
    Le,
    Ge,
    Eq,
    Ne,
    And,
    Or,
}

impl BinOp {
    fn symbol(self) -> &'static str {
        match self {
            BinOp::Add => "+",
            BinOp::Sub => "-",
            BinOp::Mul => "*",
            BinOp::Div => "/",
            BinOp::Pow => "^",
            BinOp::Lt => "<",
            BinOp::Gt => ">",
            BinOp::Le => "<=",
            BinOp::Ge => ">=",
            BinOp::Eq => "==",
            BinOp::Ne => "!=",
            BinOp::And => "AND",
            BinOp::Or => "OR",
        }
    }

    /// Binding level for the parser: 0 is loosest. `^` is handled apart (right-associative).
    fn level(self) -> u8 {
        match self {
            BinOp::Or => 0,
            BinOp::And => 1,
            BinOp::Lt | BinOp::Gt | BinOp::Le | BinOp::Ge | BinOp::Eq | BinOp::Ne => 2,
            BinOp::Add | BinOp::Sub => 3,
            BinOp::Mul | BinOp::Div => 4,
            BinOp::Pow => 5,
        }
    }
}

/// Why an expression does not parse or evaluate.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum MathError {
    #[error("syntax error at column {column}: {message}")]
    Parse { column: usize, message: String },
    #[error("the expression is {len} characters long; the maximum is {MAX_EXPRESSION_LEN}")]
    TooLong { len: usize },
    #[error("unknown function '{name}' at column {column}{}", uppercase_hint(.name))]
    UnknownFunction { name: String, column: usize },
    /// An AWS function this implementation does not provide (SEARCH, ANOMALY_DETECTION_BAND, …).
    #[error("function '{name}' at column {column} is not supported here")]
    Unsupported { name: String, column: usize },
    #[error("unknown id '{0}': no metric or expression in the request has this Id")]
    UnknownId(String),
    /// A value of the wrong kind (scalar, time series, array) for an operator or function.
    #[error("{0}")]
    Type(String),
}

fn uppercase_hint(name: &str) -> String {
    let upper = name.to_ascii_uppercase();
    if upper != name && funcs::is_known(&upper) {
        format!(" (functions are uppercase: {upper})")
    } else {
        String::new()
    }
}

/// What the expression is evaluated over: one common grid of timestamps (epoch seconds,
/// ascending), the period in seconds, and every query id's series aligned on that grid
/// (None = no datapoint in that period).
pub struct Env<'a> {
    pub timestamps: &'a [i64],
    pub period: i64,
    pub series: &'a HashMap<String, Vec<Option<f64>>>,
}

/// The value of an expression.
#[derive(Debug, Clone, PartialEq)]
pub enum Evaluated {
    Scalar(f64),
    Series(Vec<Option<f64>>),
    Array(Vec<Vec<Option<f64>>>),
}

impl Evaluated {
    /// The series a GetMetricData result carries: one for a time series, one per member for an
    /// array. A scalar is refused, as AWS refuses it as a final result.
    pub fn into_series_list(self) -> Result<Vec<Vec<Option<f64>>>, MathError> {
        match self {
            Evaluated::Scalar(_) => Err(MathError::Type(
                "the expression returns a single number; the final result must be a time series \
                 or an array of time series (wrap it in TIME_SERIES(...) or combine it with a metric)"
                    .into(),
            )),
            Evaluated::Series(s) => Ok(vec![s]),
            Evaluated::Array(a) => Ok(a),
        }
    }
}

impl Expr {
    pub fn parse(src: &str) -> Result<Expr, MathError> {
        let len = src.chars().count();
        if len > MAX_EXPRESSION_LEN {
            return Err(MathError::TooLong { len });
        }
        Ok(Expr {
            root: parse::parse(src)?,
        })
    }

    /// Query ids the expression refers to (for dependency ordering), deduplicated, in order of
    /// first use. `METRICS()` is not expanded here: see [`Expr::uses_metrics`].
    pub fn ids(&self) -> Vec<String> {
        fn walk(node: &Node, out: &mut Vec<String>) {
            match node {
                Node::Id(id) if !out.contains(id) => out.push(id.clone()),
                Node::Array(items) | Node::Call { args: items, .. } => {
                    items.iter().for_each(|n| walk(n, out))
                }
                Node::Neg(inner) => walk(inner, out),
                Node::Bin(_, l, r) => {
                    walk(l, out);
                    walk(r, out);
                }
                _ => {}
            }
        }
        let mut out = Vec::new();
        walk(&self.root, &mut out);
        out
    }

    /// Whether the expression calls `METRICS()`, and so depends on every metric query.
    pub fn uses_metrics(&self) -> bool {
        fn walk(node: &Node) -> bool {
            match node {
                Node::Call { name, args, .. } => name == "METRICS" || args.iter().any(walk),
                Node::Array(items) => items.iter().any(walk),
                Node::Neg(inner) => walk(inner),
                Node::Bin(_, l, r) => walk(l) || walk(r),
                _ => false,
            }
        }
        walk(&self.root)
    }

    /// Evaluates over `env`. `METRICS()` then means every series in `env.series`, ordered by
    /// id; use [`Expr::eval_with_metrics`] to give it the request's metric queries instead.
    pub fn eval(&self, env: &Env<'_>) -> Result<Evaluated, MathError> {
        let mut ids: Vec<String> = env.series.keys().cloned().collect();
        ids.sort();
        self.eval_with_metrics(env, &ids)
    }

    /// Evaluates over `env`, with `METRICS()` standing for `metric_ids` in that order: AWS
    /// means the request's metric (MetricStat) queries, in request order, not its expressions.
    pub fn eval_with_metrics(
        &self,
        env: &Env<'_>,
        metric_ids: &[String],
    ) -> Result<Evaluated, MathError> {
        eval::Ctx { env, metric_ids }.eval(&self.root)
    }
}

/// Shared by the tests of this module's files: series written as `f64`s with NaN for "no
/// point", on a one-minute grid starting at 0.
#[cfg(test)]
mod test_support {
    use super::*;

    pub const N: f64 = f64::NAN;

    pub fn ts(values: &[f64]) -> Vec<Option<f64>> {
        values.iter().map(|v| (!v.is_nan()).then_some(*v)).collect()
    }

    pub fn eval_on(src: &str, series: &[(&str, &[f64])]) -> Result<Evaluated, MathError> {
        let len = series.first().map_or(4, |(_, v)| v.len());
        let timestamps: Vec<i64> = (0..len as i64).map(|i| i * 60).collect();
        let map: HashMap<String, Vec<Option<f64>>> = series
            .iter()
            .map(|(id, v)| (id.to_string(), ts(v)))
            .collect();
        Expr::parse(src)?.eval(&Env {
            timestamps: &timestamps,
            period: 60,
            series: &map,
        })
    }

    /// Four series the function tables share: gaps, overlaps, one point, none.
    pub const M1: &[f64] = &[1.0, N, 3.0, N];
    pub const M2: &[f64] = &[3.0, 5.0, N, N];
    pub const M3: &[f64] = &[2.0, N, N, N];
    pub const EMPTY: &[f64] = &[N, N, N, N];

    pub fn run(src: &str) -> Result<Evaluated, MathError> {
        eval_on(src, &[("m1", M1), ("m2", M2), ("m3", M3), ("empty", EMPTY)])
    }

    pub fn type_error(src: &str, fragment: &str) {
        match run(src) {
            Err(MathError::Type(m)) => assert!(m.contains(fragment), "{src}: {m}"),
            other => panic!("{src}: {other:?}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::test_support::{N, eval_on, ts};
    use super::*;

    #[test]
    fn error_rate_expression() {
        let errors: &[f64] = &[1.0, N, 2.0, N];
        let invocations: &[f64] = &[10.0, 20.0, N, N];
        let got = eval_on(
            "100 * FILL(errors, 0) / invocations",
            &[("errors", errors), ("invocations", invocations)],
        );
        // 100*2/missing: the missing divisor counts as 0, and division by zero drops the point.
        assert_eq!(got.unwrap(), Evaluated::Series(ts(&[10.0, 0.0, N, N])));
    }

    #[test]
    fn ids_in_order_of_first_use() {
        let e = Expr::parse("IF(b > 0, a / b, FILL(c, a)) + [b, d] * SUM(METRICS())").unwrap();
        assert_eq!(e.ids(), ["b", "a", "c", "d"]);
        assert!(e.uses_metrics());
        assert!(!Expr::parse("m1 + 1").unwrap().uses_metrics());
        assert!(Expr::parse("PERIOD(m1)").unwrap().ids() == ["m1"]);
    }

    #[test]
    fn metrics_stands_for_the_given_ids() {
        let map: HashMap<String, Vec<Option<f64>>> = [
            ("m2".to_string(), ts(&[1.0, 2.0])),
            ("errors_a".to_string(), ts(&[10.0, N])),
            ("e1".to_string(), ts(&[100.0, 100.0])),
        ]
        .into();
        let env = Env {
            timestamps: &[0, 60],
            period: 60,
            series: &map,
        };
        let metric_ids = ["m2".to_string(), "errors_a".to_string()];
        let sum = Expr::parse("SUM(METRICS())").unwrap();
        assert_eq!(
            sum.eval_with_metrics(&env, &metric_ids).unwrap(),
            Evaluated::Series(ts(&[11.0, 2.0]))
        );
        // Without the list, every series in the environment, by id.
        assert_eq!(
            sum.eval(&env).unwrap(),
            Evaluated::Series(ts(&[111.0, 102.0]))
        );
        let filtered = Expr::parse("METRICS(\"errors\")").unwrap();
        assert_eq!(
            filtered.eval_with_metrics(&env, &metric_ids).unwrap(),
            Evaluated::Array(vec![ts(&[10.0, N])])
        );
    }

    #[test]
    fn unknown_ids_and_misaligned_series_are_errors() {
        assert_eq!(
            eval_on("m1 + m9", &[("m1", &[1.0])]).unwrap_err(),
            MathError::UnknownId("m9".into())
        );
        let map: HashMap<String, Vec<Option<f64>>> = [("m1".to_string(), ts(&[1.0]))].into();
        let env = Env {
            timestamps: &[0, 60],
            period: 60,
            series: &map,
        };
        let err = Expr::parse("m1").unwrap().eval(&env).unwrap_err();
        assert_eq!(
            err,
            MathError::Type("series 'm1' has 1 points but the grid has 2".into())
        );
    }

    #[test]
    fn final_results_must_be_series() {
        let scalar = eval_on("PERIOD(m1) / 60", &[("m1", &[1.0])]).unwrap();
        assert_eq!(scalar, Evaluated::Scalar(1.0));
        assert!(
            matches!(scalar.into_series_list(), Err(MathError::Type(m)) if m.contains("TIME_SERIES"))
        );
        let array = eval_on("[m1, m1 * 2]", &[("m1", &[1.0])]).unwrap();
        assert_eq!(
            array.into_series_list().unwrap(),
            vec![ts(&[1.0]), ts(&[2.0])]
        );
    }
}
