//! Building the GetMetricData queries for many runtimes at once and reading the answer back
//! onto one period grid.

use std::collections::HashMap;

use aws_sdk_cloudwatch::primitives::DateTime;
use aws_sdk_cloudwatch::types::{Dimension, Metric, MetricDataQuery, MetricStat, ScanBy};
use futures::{StreamExt, TryStreamExt};

use super::{EndpointMetrics, NAMESPACE, RuntimeMetrics, Totals, Window};
use crate::backend::runtimes::{list_all, list_endpoints};
use crate::backend::{Backend, BackendError, Clients};

/// GetMetricData takes at most 500 queries; an endpoint's queries stay in one call because
/// its expressions refer to its other queries.
const MAX_QUERIES: usize = 500;
/// Queries per endpoint (see `endpoint_queries`).
const PER_ENDPOINT: usize = 9;
/// Endpoint listings in flight per environment.
const CONCURRENCY: usize = 8;

/// Metrics of `targets` (environment, runtime name or id) over `window`. A runtime missing
/// from an environment is skipped; one missing everywhere is an error.
pub async fn fetch(
    backend: &Backend,
    targets: &[(String, String)],
    window: Window,
) -> Result<Vec<RuntimeMetrics>, BackendError> {
    window.validate().map_err(BackendError::Other)?;
    let mut envs: Vec<&str> = targets.iter().map(|(e, _)| e.as_str()).collect();
    envs.dedup();
    let per_env = futures::future::try_join_all(envs.iter().map(|env| async move {
        let wanted: Vec<&str> = targets
            .iter()
            .filter(|(e, _)| e == env)
            .map(|(_, r)| r.as_str())
            .collect();
        fetch_env(backend, env, &wanted, window).await
    }))
    .await?;
    let all: Vec<RuntimeMetrics> = per_env.into_iter().flatten().collect();
    if all.is_empty() && !targets.is_empty() {
        let names: Vec<String> = targets.iter().map(|(e, r)| format!("{e}/{r}")).collect();
        return Err(BackendError::Other(format!(
            "no such runtime: {}",
            names.join(", ")
        )));
    }
    Ok(all)
}

async fn fetch_env(
    backend: &Backend,
    env: &str,
    wanted: &[&str],
    window: Window,
) -> Result<Vec<RuntimeMetrics>, BackendError> {
    let c = backend.clients(env).await?;
    let runtimes = list_all(&c).await?;
    // Owned runtimes: a stream closure over borrowed ones makes the future `Send` for one
    // lifetime only, and then it cannot run in a spawned task.
    let found: Vec<_> = runtimes
        .into_iter()
        .filter(|r| {
            wanted
                .iter()
                .any(|w| *w == r.agent_runtime_name() || *w == r.agent_runtime_id())
        })
        .collect();
    let c = &c;
    let mut plans: Vec<RuntimeMetrics> = futures::stream::iter(found)
        .map(|r| async move {
            let endpoints = list_endpoints(c, r.agent_runtime_id()).await?;
            Ok::<_, BackendError>(RuntimeMetrics {
                env: env.to_string(),
                runtime: r.agent_runtime_name().to_string(),
                runtime_arn: r.agent_runtime_arn().to_string(),
                period: window.period,
                timestamps: window.grid(),
                endpoints: endpoints
                    .into_iter()
                    .map(|e| EndpointMetrics {
                        endpoint: e.name,
                        version: e.live_version,
                        ..EndpointMetrics::default()
                    })
                    .collect(),
            })
        })
        .buffered(CONCURRENCY)
        .try_collect()
        .await?;
    // Every (runtime, endpoint) of the environment, in chunks that fit one call each.
    let slots: Vec<(usize, usize)> = plans
        .iter()
        .enumerate()
        .flat_map(|(r, p)| (0..p.endpoints.len()).map(move |e| (r, e)))
        .collect();
    for chunk in slots.chunks(MAX_QUERIES / PER_ENDPOINT) {
        let queries = chunk
            .iter()
            .flat_map(|&(r, e)| {
                let p = &plans[r];
                endpoint_queries(
                    &id(r, e),
                    &p.runtime_arn,
                    &p.runtime,
                    &p.endpoints[e].endpoint,
                    window.period,
                )
            })
            .collect();
        let results = get_metric_data(c, queries, window).await?;
        for &(r, e) in chunk {
            fill(
                &mut plans[r].endpoints[e],
                &id(r, e),
                &results,
                &window.grid(),
                window.period,
            );
        }
    }
    Ok(plans)
}

fn id(runtime: usize, endpoint: usize) -> String {
    format!("r{runtime}e{endpoint}")
}

/// The queries of one endpoint; ids are `<p>_<kind>`. Errors are SystemErrors + UserErrors
/// (both published by AgentCore), so nothing depends on the unconfirmed `TotalErrors` name.
pub(crate) fn endpoint_queries(
    p: &str,
    arn: &str,
    runtime: &str,
    endpoint: &str,
    period: i32,
) -> Vec<MetricDataQuery> {
    let dims = vec![
        dim("Operation", "InvokeAgentRuntime"),
        dim("Resource", arn),
        dim("Name", &format!("{runtime}::{endpoint}")),
    ];
    let stat = |kind: &str, name: &str, stat: &str, visible: bool| {
        let metric = Metric::builder()
            .namespace(NAMESPACE)
            .metric_name(name)
            .set_dimensions(Some(dims.clone()))
            .build();
        // No Unit: a unit that differs from the published one returns no data.
        let ms = MetricStat::builder()
            .metric(metric)
            .period(period)
            .stat(stat)
            .build();
        MetricDataQuery::builder()
            .id(format!("{p}_{kind}"))
            .metric_stat(ms)
            .return_data(visible)
            .build()
    };
    let expr = |kind: &str, e: String| {
        MetricDataQuery::builder()
            .id(format!("{p}_{kind}"))
            .expression(e)
            .return_data(true)
            .build()
    };
    vec![
        stat("inv", "Invocations", "Sum", true),
        stat("sys", "SystemErrors", "Sum", false),
        stat("usr", "UserErrors", "Sum", false),
        expr("err", format!("FILL({p}_sys, 0) + FILL({p}_usr, 0)")),
        expr(
            "rate",
            format!("100 * (FILL({p}_sys, 0) + FILL({p}_usr, 0)) / {p}_inv"),
        ),
        stat("thr", "Throttles", "Sum", true),
        stat("ses", "SessionCount", "Sum", true),
        stat("p50", "Latency", "p50", true),
        stat("p99", "Latency", "p99", true),
    ]
}

fn dim(name: &str, value: &str) -> Dimension {
    Dimension::builder().name(name).value(value).build()
}

/// One call, every page, over the window's period grid; id → (epoch seconds, value).
async fn get_metric_data(
    c: &Clients,
    queries: Vec<MetricDataQuery>,
    window: Window,
) -> Result<HashMap<String, Vec<(i64, f64)>>, BackendError> {
    let p = i64::from(window.period);
    let start = window.start.div_euclid(p) * p;
    get_metric_data_between(c, queries, start, window.end_aligned()).await
}

/// One call, every page, over `[start, end)` as given (epoch seconds); id → (epoch seconds,
/// value).
pub(crate) async fn get_metric_data_between(
    c: &Clients,
    queries: Vec<MetricDataQuery>,
    start: i64,
    end: i64,
) -> Result<HashMap<String, Vec<(i64, f64)>>, BackendError> {
    let mut out: HashMap<String, Vec<(i64, f64)>> = HashMap::new();
    let mut token: Option<String> = None;
    loop {
        let page = c
            .cloudwatch
            .get_metric_data()
            .set_metric_data_queries(Some(queries.clone()))
            .start_time(DateTime::from_secs(start))
            .end_time(DateTime::from_secs(end))
            .scan_by(ScanBy::TimestampAscending)
            .set_next_token(token.clone())
            .send()
            .await
            .map_err(|e| BackendError::sdk("GetMetricData", e))?;
        for r in page.metric_data_results() {
            let Some(id) = r.id() else { continue };
            let points = r
                .timestamps()
                .iter()
                .map(DateTime::secs)
                .zip(r.values().iter().copied());
            out.entry(id.to_string()).or_default().extend(points);
        }
        match page.next_token() {
            Some(t) if Some(t) != token.as_deref() => token = Some(t.to_string()),
            _ => return Ok(out),
        }
    }
}

/// Put an endpoint's results on the grid and total them.
fn fill(
    m: &mut EndpointMetrics,
    p: &str,
    results: &HashMap<String, Vec<(i64, f64)>>,
    grid: &[i64],
    period: i32,
) {
    let series = |kind: &str| on_grid(results.get(&format!("{p}_{kind}")), grid, period);
    m.invocations = series("inv");
    m.errors = series("err");
    m.error_rate = series("rate");
    m.throttles = series("thr");
    m.sessions = series("ses");
    m.latency_p50 = series("p50");
    m.latency_p99 = series("p99");
    // An empty f64 sum is -0.0, which prints as "-0": start from +0.0.
    let sum = |s: &[Option<f64>]| s.iter().flatten().fold(0.0, |a, v| a + v);
    let latest = |s: &[Option<f64>]| s.iter().rev().find_map(|v| *v);
    let (inv, err) = (sum(&m.invocations), sum(&m.errors));
    m.totals = Totals {
        invocations: inv,
        errors: err,
        throttles: sum(&m.throttles),
        sessions: sum(&m.sessions),
        error_rate: (inv > 0.0).then(|| 100.0 * err / inv),
        latest_p50: latest(&m.latency_p50),
        latest_p99: latest(&m.latency_p99),
    };
}

fn on_grid(points: Option<&Vec<(i64, f64)>>, grid: &[i64], period: i32) -> Vec<Option<f64>> {
    let mut out = vec![None; grid.len()];
    let (Some(points), Some(&first)) = (points, grid.first()) else {
        return out;
    };
    for &(t, v) in points {
        let i = (t - first).div_euclid(i64::from(period));
        if let Some(slot) = usize::try_from(i).ok().and_then(|i| out.get_mut(i)) {
            *slot = Some(v);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_endpoint_without_data_totals_zero_not_minus_zero() {
        let mut m = EndpointMetrics::default();
        fill(&mut m, "r0e0", &HashMap::new(), &[60, 120], 60);
        assert_eq!(format!("{:.0}", m.totals.invocations), "0");
        assert_eq!(m.totals.error_rate, None);
        assert_eq!(m.invocations, [None, None]);
    }

    #[test]
    fn points_land_in_their_period_and_the_rest_stays_empty() {
        let grid = [60, 120, 180];
        let pts = vec![(120, 2.0), (60, 1.0), (600, 9.0), (0, 9.0)];
        assert_eq!(on_grid(Some(&pts), &grid, 60), [Some(1.0), Some(2.0), None]);
        assert_eq!(on_grid(None, &grid, 60), [None, None, None]);
    }

    #[test]
    fn an_endpoint_is_nine_queries_that_fit_500_per_call() {
        let q = endpoint_queries("r0e0", "arn:x", "rt", "live", 60);
        assert_eq!(q.len(), PER_ENDPOINT);
        let ids: Vec<&str> = q.iter().filter_map(MetricDataQuery::id).collect();
        assert!(ids.iter().all(|i| i.starts_with("r0e0_")));
        let rate = q
            .iter()
            .find(|q| q.id() == Some("r0e0_rate"))
            .and_then(MetricDataQuery::expression);
        assert_eq!(
            rate,
            Some("100 * (FILL(r0e0_sys, 0) + FILL(r0e0_usr, 0)) / r0e0_inv")
        );
    }
}
