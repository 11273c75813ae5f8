//! CloudWatch (signing name `monitoring`) over Smithy RPC v2 CBOR, as aws-sdk-cloudwatch sends
//! it (`POST /service/GraniteServiceVersion20100801/operation/<Op>`), and over awsJson1_0,
//! which botocore prefers.
//!
//! PutMetricData, GetMetricData (statistics and metric math), ListMetrics, PutMetricAlarm,
//! DescribeAlarms, DeleteAlarms, DescribeAlarmHistory; plus the AgentCore runtime metrics every invocation
//! publishes (`record`). Data is kept per account and region, as on AWS.

mod alarms;
mod cbor;
mod eval;
mod get;
mod json;
mod put;
mod query;
pub mod record;
mod store;
mod wire;

use std::path::Path;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use axum::body::Body;
use axum::http::{Response, StatusCode};

use self::alarms::AlarmBook;
use self::cbor::Value;
pub use self::store::unit;
use self::store::{MetricKey, MetricStore, Point};
use self::wire::{CwError, Protocol, now_ms};
use super::http::Req;
use super::state::partition_key;
use crate::domain::metrics::stat::Sample;

const SERVICE_PATH: [&str; 3] = ["service", "GraniteServiceVersion20100801", "operation"];
/// How often alarms are evaluated and retention applied in the background.
const TICK: Duration = Duration::from_secs(10);

/// One sample to publish: metric name, dimensions, value, unit.
pub type Published<'a> = (&'a str, Vec<(String, String)>, Sample, &'static str);

pub struct CloudWatch {
    store: Mutex<MetricStore>,
    alarms: Mutex<AlarmBook>,
    meters: record::Meters,
    invoke_tps: Option<u32>,
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

impl CloudWatch {
    /// Load metrics and alarms persisted in `dir`.
    pub fn open(dir: &Path, invoke_tps: Option<u32>) -> std::io::Result<Self> {
        let named = |file: &str| {
            let file = file.to_string();
            move |e: std::io::Error| std::io::Error::new(e.kind(), format!("{file}: {e}"))
        };
        Ok(Self {
            store: Mutex::new(MetricStore::open(dir, now_ms()).map_err(named("metrics.jsonl"))?),
            alarms: Mutex::new(AlarmBook::open(dir, now_ms()).map_err(named("alarms.json"))?),
            meters: record::Meters::default(),
            invoke_tps,
        })
    }

    /// Evaluate alarms and apply retention every few seconds until `closing` flips.
    pub fn spawn_ticker(self: &Arc<Self>, mut closing: tokio::sync::watch::Receiver<bool>) {
        let cw = Arc::clone(self);
        tokio::spawn(async move {
            let mut every = tokio::time::interval(TICK);
            loop {
                tokio::select! {
                    _ = every.tick() => cw.tick(),
                    _ = closing.changed() => break,
                }
                if *closing.borrow() {
                    break;
                }
            }
        });
    }

    fn tick(&self) {
        let now = now_ms();
        let mut book = lock(&self.alarms);
        let mut store = lock(&self.store);
        store.prune(now);
        book.history.prune(now);
        if let Err(e) = store.compact_if_large() {
            tracing::warn!(error = %e, "cannot compact the metrics journal");
        }
        if book.evaluate(&store, None, now)
            && let Err(e) = book.save()
        {
            tracing::warn!(error = %e.message, "cannot persist alarm states");
        }
    }

    /// Publish samples as an AWS service does: internal, so reserved namespaces are allowed.
    /// Timestamps are kept per minute (standard resolution).
    pub fn publish(&self, partition: &str, namespace: &str, t_ms: i64, items: Vec<Published<'_>>) {
        let t = t_ms - t_ms.rem_euclid(60_000);
        let points = items
            .into_iter()
            .map(|(name, dims, sample, unit)| {
                (
                    MetricKey::new(partition, namespace, name, dims),
                    Point { t, sample, unit },
                )
            })
            .collect();
        lock(&self.store).put(points);
    }

    /// Answer one CloudWatch request, in the protocol it came in.
    pub fn handle(&self, req: &Req) -> Response<Body> {
        let path = req.path();
        let target = req
            .header("x-amz-target")
            .and_then(|t| t.strip_prefix(json::TARGET_PREFIX));
        let (proto, op) = match (target, path.as_slice()) {
            (Some(op), _) => (Protocol::Json, op),
            (None, [a, b, c, op]) if [*a, *b, *c] == SERVICE_PATH => (Protocol::Cbor, *op),
            _ => {
                return CwError::unknown_operation(&format!(
                    "{} {}",
                    req.method,
                    req.segments.join("/")
                ))
                .into_response(Protocol::Cbor);
            }
        };
        let partition = partition_key(&req.scope.account, &req.scope.region);
        let body = wire::request_body(req).and_then(|bytes| match proto {
            _ if bytes.iter().all(u8::is_ascii_whitespace) => Ok(Value::Map(Vec::new())),
            Protocol::Cbor => cbor::decode(&bytes)
                .map_err(|e| CwError::serialization(format!("cannot read the CBOR body: {e}"))),
            Protocol::Json => serde_json::from_slice(&bytes)
                .map(json::from_json)
                .map_err(|e| CwError::serialization(format!("cannot read the JSON body: {e}"))),
        });
        let result = body.and_then(|b| match b {
            Value::Map(_) => self.dispatch(op, &partition, &b),
            _ => Err(CwError::serialization("the body must be a map")),
        });
        match result {
            Ok(out) => wire::respond(proto, StatusCode::OK, out.as_ref()),
            Err(e) => e.into_response(proto),
        }
    }

    /// An injected fault's answer in the protocol `req` came in: CloudWatch's `Throttling`
    /// (400, which the SDKs retry) or `InternalServiceError` (500).
    pub fn fault_response(req: &Req, throttle: bool) -> Response<Body> {
        let proto = if req.header("x-amz-target").is_some() {
            Protocol::Json
        } else {
            Protocol::Cbor
        };
        let e = if throttle {
            CwError::throttling()
        } else {
            CwError::internal("Internal failure (an injected fault)")
        };
        e.into_response(proto)
    }

    /// The operation's output (None for operations without one).
    fn dispatch(&self, op: &str, partition: &str, b: &Value) -> Result<Option<Value>, CwError> {
        let now = now_ms();
        match op {
            "PutMetricData" => {
                let points = put::parse_put(b, partition, now)?;
                lock(&self.store).put(points);
                Ok(None)
            }
            "GetMetricData" => get::get_metric_data(&lock(&self.store), partition, b).map(Some),
            "ListMetrics" => put::list(&lock(&self.store), partition, b, now).map(Some),
            "PutMetricAlarm" => {
                let mut book = lock(&self.alarms);
                alarms::put(&mut book, &lock(&self.store), partition, b, now).map(|()| None)
            }
            "DescribeAlarms" => {
                let mut book = lock(&self.alarms);
                alarms::describe(&mut book, &lock(&self.store), partition, b, now).map(Some)
            }
            "DeleteAlarms" => {
                alarms::delete(&mut lock(&self.alarms), partition, b, now).map(|()| None)
            }
            "DescribeAlarmHistory" => {
                let mut book = lock(&self.alarms);
                // Transitions due by now are recorded before they are listed.
                if book.evaluate(&lock(&self.store), Some(partition), now) {
                    book.save()?;
                }
                alarms::describe_history(&book.history, partition, b).map(Some)
            }
            other => Err(CwError::unknown_operation(other)),
        }
    }
}
