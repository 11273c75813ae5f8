//! Runtime logs: history through FilterLogEvents across runtimes and environments, merged by
//! time; and a follower that uses Live Tail, falls back to polling, and de-duplicates across
//! reconnects and the history → live hand-over.

mod dedup;
mod follow;
mod history;
mod live;
mod sliced;

use std::sync::Arc;

use serde::Serialize;

pub use follow::{FollowOptions, Notice, NoticeKind, TailEvent, TailStats, follow, spawn_follow};

use super::runtimes::{list_endpoints, resolve};
use super::{Backend, BackendError, Clients};
use crate::domain::runtime::log_group_name;

/// One log event, with where it came from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct LogLine {
    pub timestamp: i64,
    pub ingestion_time: i64,
    pub log_group: String,
    pub log_stream: String,
    /// FilterLogEvents gives every event an id; Live Tail gives none.
    pub event_id: Option<String>,
    pub message: String,
    pub env: String,
    pub runtime: String,
}

impl LogLine {
    /// A FilterLogEvents event of `group`, read for `runtime` in `env`.
    pub(crate) fn filtered(
        e: &aws_sdk_cloudwatchlogs::types::FilteredLogEvent,
        group: &str,
        env: &str,
        runtime: &str,
    ) -> Self {
        LogLine {
            timestamp: e.timestamp().unwrap_or_default(),
            ingestion_time: e.ingestion_time().unwrap_or_default(),
            log_group: group.to_string(),
            log_stream: e.log_stream_name().unwrap_or_default().to_string(),
            event_id: e.event_id().map(str::to_string),
            message: e.message().unwrap_or_default().to_string(),
            env: env.to_string(),
            runtime: runtime.to_string(),
        }
    }
}

/// What to read: runtimes (by env), a time range in ms, a filter pattern.
#[derive(Debug, Clone, Default)]
pub struct LogQuery {
    pub targets: Vec<(String, String)>,
    pub start: Option<i64>,
    pub end: Option<i64>,
    pub filter: Option<String>,
    /// Events per FilterLogEvents page (the API's `limit`); None: the service's maximum.
    pub page_size: Option<i32>,
}

/// One runtime in one environment, and its log groups.
#[derive(Clone)]
pub struct Source {
    pub env: String,
    pub runtime: String,
    pub runtime_id: String,
    pub clients: Arc<Clients>,
    pub groups: Vec<String>,
}

/// The log groups of a runtime: one per endpoint.
pub async fn groups(c: &Clients, runtime: &str) -> Result<(String, Vec<String>), BackendError> {
    let rt = resolve(c, runtime).await?;
    let id = rt.agent_runtime_id().to_string();
    let endpoints = list_endpoints(c, &id).await?;
    Ok((
        rt.agent_runtime_name().to_string(),
        endpoints
            .iter()
            .map(|e| log_group_name(&id, &e.name))
            .collect(),
    ))
}

impl Source {
    async fn resolve(backend: &Backend, env: &str, runtime: &str) -> Result<Self, BackendError> {
        let clients = backend.clients(env).await?;
        let rt = resolve(&clients, runtime).await?;
        let mut src = Self {
            env: env.to_string(),
            runtime: rt.agent_runtime_name().to_string(),
            runtime_id: rt.agent_runtime_id().to_string(),
            clients,
            groups: vec![],
        };
        src.refresh().await?;
        Ok(src)
    }

    /// Re-read the endpoints: a new endpoint brings a new log group.
    async fn refresh(&mut self) -> Result<(), BackendError> {
        let endpoints = list_endpoints(&self.clients, &self.runtime_id).await?;
        self.groups = endpoints
            .iter()
            .map(|e| log_group_name(&self.runtime_id, &e.name))
            .collect();
        Ok(())
    }
}

/// The targets that exist; a runtime need not exist in every environment asked about, but
/// one that exists nowhere is an error.
pub async fn sources(backend: &Backend, q: &LogQuery) -> Result<Vec<Source>, BackendError> {
    if let (Some(s), Some(e)) = (q.start, q.end)
        && e < s
    {
        return Err(BackendError::Other("--until is before --since".into()));
    }
    let mut out = vec![];
    for (env, runtime) in &q.targets {
        match Source::resolve(backend, env, runtime).await {
            Ok(s) => out.push(s),
            Err(BackendError::RuntimeNotFound { .. }) => {}
            Err(e) => return Err(e),
        }
    }
    if out.is_empty() && !q.targets.is_empty() {
        let names: Vec<String> = q.targets.iter().map(|(e, r)| format!("{e}/{r}")).collect();
        return Err(BackendError::Other(format!(
            "no such runtime: {}",
            names.join(", ")
        )));
    }
    Ok(out)
}

/// Every matching event in the range, oldest first, across all targets, through `emit`
/// as they become final (stops when `emit` returns false): each log group's range is read
/// in time slices, concurrently within what the service allows.
pub async fn history_each(
    backend: &Backend,
    q: &LogQuery,
    emit: impl FnMut(LogLine) -> bool,
) -> Result<(), BackendError> {
    let sources = sources(backend, q).await?;
    let range = (q.start, q.end);
    sliced::each(&sources, range, q.filter.as_deref(), q.page_size, emit).await?;
    Ok(())
}

/// The same events read serially, one page of each log group at a time (what
/// `history_each` did before slicing): the reference for its tests and benchmarks.
pub async fn history_serial_each(
    backend: &Backend,
    q: &LogQuery,
    emit: impl FnMut(LogLine) -> bool,
) -> Result<(), BackendError> {
    let sources = sources(backend, q).await?;
    history::each(&sources, (q.start, q.end), q.filter.as_deref(), emit).await?;
    Ok(())
}

/// Every matching event in the range, oldest first, collected.
pub async fn history(backend: &Backend, q: &LogQuery) -> Result<Vec<LogLine>, BackendError> {
    let mut all = vec![];
    history_each(backend, q, |l| {
        all.push(l);
        true
    })
    .await?;
    Ok(all)
}
