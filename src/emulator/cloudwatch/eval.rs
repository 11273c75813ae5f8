//! Evaluation of MetricDataQueries over the store: a statistic per period bucket, then
//! metric math in dependency order on a common grid of timestamps.

use std::collections::{BTreeMap, HashMap};

use super::query::{Kind, MetricStat, Query};
use super::store::{MetricKey, MetricStore};
use super::wire::CwError;
use crate::domain::metrics::math::{Env, Evaluated, Expr};
use crate::domain::metrics::stat::{Sample, Statistic};

/// Periods an expression may span (AWS's datapoint limit per call), and periods times the
/// series it uses: beyond these the request is refused rather than memory spent.
const MAX_GRID: i64 = 100_800;
const MAX_CELLS: i64 = 5_000_000;

/// One result series: `(epoch seconds, value)` ascending.
#[derive(Debug, Clone)]
pub struct Computed {
    pub id: String,
    pub label: String,
    pub return_data: bool,
    pub points: Vec<(i64, f64)>,
}

/// The first bucket: AWS rounds StartTime down to the minute (periods of a minute or more)
/// or to the period's division of the minute, and buckets run from there.
pub fn grid_start(start_s: i64, period: i64) -> i64 {
    start_s - start_s.rem_euclid(period.min(60))
}

/// A statistic per bucket of `[start, end)` for one metric (buckets without data are absent).
pub fn stat_points(
    store: &MetricStore,
    partition: &str,
    ms: &MetricStat,
    start_s: i64,
    end_s: i64,
) -> Vec<(i64, f64)> {
    let Ok(stat) = ms.stat.parse::<Statistic>() else {
        return Vec::new();
    };
    let key = MetricKey::new(partition, &ms.namespace, &ms.name, ms.dims.clone());
    let Some(series) = store.metrics.get(&key) else {
        return Vec::new();
    };
    let first = grid_start(start_s, ms.period);
    let mut buckets: BTreeMap<i64, Vec<Sample>> = BTreeMap::new();
    for p in series.range(first.saturating_mul(1000), end_s.saturating_mul(1000)) {
        // A unit that does not match the data returns nothing, as on AWS.
        if ms.unit.as_deref().is_some_and(|u| u != p.unit) {
            continue;
        }
        let t = p.t.div_euclid(1000);
        let b = first + (t - first).div_euclid(ms.period) * ms.period;
        buckets.entry(b).or_default().push(p.sample);
    }
    buckets
        .into_iter()
        .filter_map(|(t, samples)| stat.compute(&samples).map(|v| (t, v)))
        .collect()
}

/// Evaluate every query over `[start, end)`; expressions after what they use. Errors in an
/// expression (syntax, unknown ids, cycles, type errors) are ValidationErrors, as AWS
/// rejects the request rather than returning partial math.
pub fn evaluate(
    store: &MetricStore,
    partition: &str,
    queries: &[Query],
    start_s: i64,
    end_s: i64,
) -> Result<Vec<Computed>, CwError> {
    let order = dependency_order(queries)?;
    let metric_ids: Vec<String> = queries
        .iter()
        .filter(|q| matches!(q.kind, Kind::Stat(_)))
        .map(|q| q.id.clone())
        .collect();
    let mut done: HashMap<String, (i64, Vec<Computed>)> = HashMap::new();
    for idx in order {
        let q = &queries[idx];
        let (period, results) = match &q.kind {
            Kind::Stat(ms) => {
                let label = q.label.clone().unwrap_or_else(|| ms.name.clone());
                let points = stat_points(store, partition, ms, start_s, end_s);
                (ms.period, vec![computed(q, label, points)])
            }
            Kind::Expr(src) => expression(q, src, &done, &metric_ids, start_s, end_s)?,
        };
        done.insert(q.id.clone(), (period, results));
    }
    Ok(queries
        .iter()
        .flat_map(|q| done.remove(&q.id).map(|(_, r)| r).unwrap_or_default())
        .collect())
}

fn computed(q: &Query, label: String, points: Vec<(i64, f64)>) -> Computed {
    Computed {
        id: q.id.clone(),
        label,
        return_data: q.return_data,
        points,
    }
}

fn expr_error(id: &str, e: impl std::fmt::Display) -> CwError {
    CwError::validation(format!("Error in expression {id}: {e}"))
}

/// Query indexes in an order where every expression follows the ids it uses.
fn dependency_order(queries: &[Query]) -> Result<Vec<usize>, CwError> {
    let index: HashMap<&str, usize> = queries
        .iter()
        .enumerate()
        .map(|(i, q)| (q.id.as_str(), i))
        .collect();
    let mut deps: Vec<Vec<usize>> = Vec::with_capacity(queries.len());
    for q in queries {
        let Kind::Expr(src) = &q.kind else {
            deps.push(Vec::new());
            continue;
        };
        let expr = Expr::parse(src).map_err(|e| expr_error(&q.id, e))?;
        let mut d = Vec::new();
        for id in expr.ids() {
            let i = index.get(id.as_str()).ok_or_else(|| {
                expr_error(
                    &q.id,
                    format!(
                        "unknown id '{id}': no metric or expression in the request has this Id"
                    ),
                )
            })?;
            d.push(*i);
        }
        if expr.uses_metrics() {
            d.extend(
                queries
                    .iter()
                    .enumerate()
                    .filter(|(_, q)| matches!(q.kind, Kind::Stat(_)))
                    .map(|(i, _)| i),
            );
        }
        deps.push(d);
    }
    // Depth-first, with 1 = on the current path (a cycle) and 2 = placed.
    let mut mark = vec![0u8; queries.len()];
    let mut order = Vec::with_capacity(queries.len());
    fn visit(
        i: usize,
        deps: &[Vec<usize>],
        mark: &mut [u8],
        order: &mut Vec<usize>,
        qs: &[Query],
    ) -> Result<(), CwError> {
        match mark[i] {
            2 => return Ok(()),
            1 => {
                return Err(expr_error(
                    &qs[i].id,
                    "circular reference between expressions",
                ));
            }
            _ => {}
        }
        mark[i] = 1;
        for &d in &deps[i] {
            visit(d, deps, mark, order, qs)?;
        }
        mark[i] = 2;
        order.push(i);
        Ok(())
    }
    for i in 0..queries.len() {
        visit(i, &deps, &mut mark, &mut order, queries)?;
    }
    Ok(order)
}

/// One expression on its grid: the period is the query's, else the longest of what it
/// uses; the series it uses are looked up by timestamp on that grid.
fn expression(
    q: &Query,
    src: &str,
    done: &HashMap<String, (i64, Vec<Computed>)>,
    metric_ids: &[String],
    start_s: i64,
    end_s: i64,
) -> Result<(i64, Vec<Computed>), CwError> {
    let expr = Expr::parse(src).map_err(|e| expr_error(&q.id, e))?;
    let mut used = expr.ids();
    if expr.uses_metrics() {
        used.extend(metric_ids.iter().cloned());
    }
    let period = q
        .period
        .or_else(|| {
            used.iter()
                .filter_map(|id| done.get(id).map(|(p, _)| *p))
                .max()
        })
        .unwrap_or(60);
    let first = grid_start(start_s, period);
    let slots = (end_s - first + period - 1).div_euclid(period).max(0);
    if slots > MAX_GRID || slots * (used.len() as i64).max(1) > MAX_CELLS {
        return Err(expr_error(
            &q.id,
            format!(
                "the time range holds {slots} periods of {} series; at most {MAX_GRID} periods and {MAX_CELLS} datapoints are evaluated",
                used.len()
            ),
        ));
    }
    let timestamps: Vec<i64> = (0..slots).map(|k| first + k * period).collect();
    let mut series = HashMap::new();
    for id in &used {
        // An array-valued expression stands for its first series when used by another.
        let Some(c) = done.get(id).and_then(|(_, r)| r.first()) else {
            continue;
        };
        let at: HashMap<i64, f64> = c.points.iter().copied().collect();
        series.insert(
            id.clone(),
            timestamps
                .iter()
                .map(|t| at.get(t).copied())
                .collect::<Vec<_>>(),
        );
    }
    let env = Env {
        timestamps: &timestamps,
        period,
        series: &series,
    };
    let value = expr
        .eval_with_metrics(&env, metric_ids)
        .map_err(|e| expr_error(&q.id, e))?;
    let label = q.label.clone().unwrap_or_else(|| q.id.clone());
    let on_grid = |values: Vec<Option<f64>>| -> Vec<(i64, f64)> {
        timestamps
            .iter()
            .zip(values)
            .filter_map(|(t, v)| v.filter(|v| v.is_finite()).map(|v| (*t, v)))
            .collect()
    };
    let results = match value {
        // A single number is that value at every timestamp of the grid.
        Evaluated::Scalar(v) => vec![computed(q, label, on_grid(vec![Some(v); timestamps.len()]))],
        Evaluated::Series(s) => vec![computed(q, label, on_grid(s))],
        Evaluated::Array(list) => list
            .into_iter()
            .map(|s| computed(q, label.clone(), on_grid(s)))
            .collect(),
    };
    Ok((period, results))
}
