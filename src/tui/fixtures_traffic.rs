//! Fixed data for the traffic and metrics panes' tests: prod's weather_mcp with a 10% canary on
//! v4 that fails 31% of its calls, an hour of metrics ending 2026-11-24 10:15 UTC, and the
//! audit entries that mark it (a deploy of v4 at 09:58, the split set at 10:02).

use serde_json::json;

use super::fixtures::{entry, runtime_view};
use super::io::{MetricsData, TrafficData};
use crate::backend::metrics::{EndpointMetrics, RuntimeMetrics, Totals, Window};
use crate::backend::traffic::{
    EndpointVersion, Observed, ObservedLeg, Route, RuleRef, TrafficView,
};

/// 2026-11-24T10:15:00Z.
pub const END: i64 = 1_795_515_300;

fn ep(name: &str, v: &str) -> EndpointVersion {
    EndpointVersion {
        name: name.into(),
        live_version: Some(v.into()),
        target_version: Some(v.into()),
        status: Some("READY".into()),
        last_updated_at: None,
    }
}

fn leg(
    name: &str,
    v: &str,
    sessions: f64,
    calls: f64,
    shares: (f64, f64),
    rate: f64,
) -> ObservedLeg {
    ObservedLeg {
        qualifier: name.into(),
        version: Some(v.into()),
        sessions,
        invocations: calls,
        session_share: Some(shares.0),
        invocation_share: Some(shares.1),
        error_rate: Some(rate),
    }
}

/// The split: live v3 90% / canary v4 10%; observed 88/12 of sessions, the canary at 31.2%
/// errors over 120 calls.
pub fn traffic_view() -> TrafficView {
    let route = |leg: &str, q: &str, v: &str, w: i32| Route {
        target: format!("weather-mcp-{leg}"),
        qualifier: q.into(),
        version: Some(v.into()),
        weight: w,
    };
    TrafficView {
        env: "prod".into(),
        runtime: "weather_mcp".into(),
        gateway: Some("mcp-gw-prod".into()),
        gateway_url: Some(
            "http://127.0.0.1:4590/gateways/mcp-gw-prod/weather-mcp/invocations".into(),
        ),
        stable: ep("live", "3"),
        canary: ep("canary", "4"),
        rule: Some(RuleRef {
            id: "rule-0001".into(),
            priority: 1,
            match_paths: vec!["/weather-mcp/*".into()],
        }),
        routes: vec![
            route("stable", "live", "3", 90),
            route("canary", "canary", "4", 10),
        ],
        observed: Some(Observed {
            window_minutes: 15,
            legs: vec![
                leg("live", "3", 88.0, 812.0, (88.0, 87.1), 0.0),
                leg("canary", "4", 12.0, 120.0, (12.0, 12.9), 31.2),
            ],
            error: None,
        }),
        note: None,
    }
}

pub fn traffic_data() -> TrafficData {
    TrafficData {
        view: traffic_view(),
        runtime: runtime_view(),
    }
}

/// No gateway routes the runtime yet.
pub fn no_split() -> TrafficData {
    let mut d = traffic_data();
    d.view.gateway = None;
    d.view.gateway_url = None;
    d.view.rule = None;
    d.view.routes.clear();
    d.view.canary = EndpointVersion {
        name: "canary".into(),
        live_version: None,
        target_version: None,
        status: None,
        last_updated_at: None,
    };
    d.view.observed = None;
    d
}

/// The metrics of `span` seconds ending at [`END`] in `period`s: live v3 busy and healthy,
/// canary v4 from 10:02 on failing about a third of its calls, DEFAULT idle.
pub fn metrics_data(span: i64, period: i32) -> MetricsData {
    let window = Window {
        start: END - span,
        end: END,
        period,
    };
    let timestamps = window.grid();
    let n = timestamps.len();
    let canary_from = 1_795_514_520;
    let series = |f: &dyn Fn(usize, i64) -> Option<f64>| -> Vec<Option<f64>> {
        timestamps
            .iter()
            .enumerate()
            .map(|(i, t)| f(i, *t))
            .collect()
    };
    let live_inv = series(&|i, _| Some(50.0 + (i * 7 % 11) as f64));
    let canary_inv = series(&|i, t| (t >= canary_from).then_some(5.0 + (i % 3) as f64));
    let canary_err = series(&|_, t| (t >= canary_from).then_some(2.0));
    let leg =
        |name: &str, v: &str, inv: Vec<Option<f64>>, err: Vec<Option<f64>>, p50: f64, p99: f64| {
            let total = |s: &[Option<f64>]| s.iter().flatten().sum::<f64>();
            let rate: Vec<Option<f64>> = inv
                .iter()
                .zip(&err)
                .map(|(i, e)| Some(100.0 * e.unwrap_or(0.0) / (*i)?))
                .collect();
            let lat =
                |base: f64| series(&|i, _| inv[i].map(|_| base + (i % 5) as f64 * base / 10.0));
            EndpointMetrics {
                endpoint: name.into(),
                version: Some(v.into()),
                totals: Totals {
                    invocations: total(&inv),
                    errors: total(&err),
                    throttles: 0.0,
                    sessions: total(&inv) / 8.0,
                    error_rate: (total(&inv) > 0.0).then(|| 100.0 * total(&err) / total(&inv)),
                    latest_p50: inv.iter().rev().flatten().next().map(|_| p50),
                    latest_p99: inv.iter().rev().flatten().next().map(|_| p99),
                },
                throttles: inv.iter().map(|v| v.map(|_| 0.0)).collect(),
                sessions: vec![None; n],
                error_rate: rate,
                latency_p50: lat(p50),
                latency_p99: lat(p99),
                invocations: inv,
                errors: err,
            }
        };
    let live_err = series(&|_, _| Some(0.0));
    MetricsData {
        window,
        metrics: RuntimeMetrics {
            env: "prod".into(),
            runtime: "weather_mcp".into(),
            runtime_arn: String::new(),
            period,
            timestamps: timestamps.clone(),
            endpoints: vec![
                leg("DEFAULT", "4", vec![None; n], vec![None; n], 0.0, 0.0),
                leg("canary", "4", canary_inv, canary_err, 180.0, 900.0),
                leg("live", "3", live_inv, live_err, 120.0, 300.0),
            ],
        },
        history: Ok(vec![
            {
                // A deploy that moved no named endpoint.
                let mut e = entry("prod", "deploy", "3", "4", "ok");
                e.before["endpoint"] = json!(null);
                e.after["endpoint"] = json!(null);
                e
            },
            {
                let mut e = entry("prod", "traffic.set", "3", "4", "ok");
                e.time = "2026-11-24T10:02:00Z".into();
                e.before = json!({"canary": "3", "endpoint": "canary", "version": "3",
                    "weights": [{"target": "weather-mcp-stable", "weight": 100}]});
                e.after = json!({"canary": "4", "endpoint": "canary", "version": "4",
                    "weights": [{"target": "weather-mcp-stable", "weight": 90},
                                {"target": "weather-mcp-canary", "weight": 10}]});
                e
            },
        ]),
        versions: Ok(runtime_view().detail.versions),
        alarms: Ok(vec![]),
        rollout: Ok(None),
    }
}

/// Nothing called the runtime in the window.
pub fn metrics_empty(span: i64, period: i32) -> MetricsData {
    let mut d = metrics_data(span, period);
    let n = d.metrics.timestamps.len();
    for e in &mut d.metrics.endpoints {
        let version = e.version.clone();
        *e = EndpointMetrics {
            endpoint: e.endpoint.clone(),
            version,
            invocations: vec![None; n],
            errors: vec![None; n],
            throttles: vec![None; n],
            sessions: vec![None; n],
            latency_p50: vec![None; n],
            latency_p99: vec![None; n],
            error_rate: vec![None; n],
            totals: Totals::default(),
        };
    }
    d.history = Ok(vec![]);
    d
}
