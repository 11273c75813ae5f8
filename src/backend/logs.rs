//! Runtime logs: history through FilterLogEvents across runtimes and environments, merged by
//! time; and a follower that polls with de-duplication by event id (the fallback when Live
//! Tail is not available).

use std::collections::{HashSet, VecDeque};
use std::time::Duration;

use serde::Serialize;

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
    pub event_id: String,
    pub message: String,
    pub env: String,
    pub runtime: String,
}

/// What to read: runtimes (by env), a time range in ms, a filter pattern.
#[derive(Debug, Clone, Default)]
pub struct LogQuery {
    pub targets: Vec<(String, String)>,
    pub start: Option<i64>,
    pub end: Option<i64>,
    pub filter: Option<String>,
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

/// Every matching event in the range, oldest first, across all targets.
pub async fn history(backend: &Backend, q: &LogQuery) -> Result<Vec<LogLine>, BackendError> {
    if let (Some(s), Some(e)) = (q.start, q.end)
        && e < s
    {
        return Err(BackendError::Other("--until is before --since".into()));
    }
    let mut all = vec![];
    let mut found = false;
    for (env, runtime) in &q.targets {
        let c = backend.clients(env).await?;
        // A runtime need not exist in every environment asked about.
        let (name, groups) = match groups(&c, runtime).await {
            Ok(g) => g,
            Err(BackendError::RuntimeNotFound { .. }) => continue,
            Err(e) => return Err(e),
        };
        found = true;
        for group in groups {
            all.extend(
                filter_group(&c, env, &name, &group, q.start, q.end, q.filter.as_deref()).await?,
            );
        }
    }
    if !found && !q.targets.is_empty() {
        let names: Vec<String> = q.targets.iter().map(|(e, r)| format!("{e}/{r}")).collect();
        return Err(BackendError::Other(format!(
            "no such runtime: {}",
            names.join(", ")
        )));
    }
    all.sort_by(|a, b| (a.timestamp, &a.event_id).cmp(&(b.timestamp, &b.event_id)));
    Ok(all)
}

/// FilterLogEvents over one group, every page; a group with no events yet is empty.
pub async fn filter_group(
    c: &Clients,
    env: &str,
    runtime: &str,
    group: &str,
    start: Option<i64>,
    end: Option<i64>,
    filter: Option<&str>,
) -> Result<Vec<LogLine>, BackendError> {
    let mut out = vec![];
    let mut token: Option<String> = None;
    loop {
        let page = c
            .logs
            .filter_log_events()
            .log_group_name(group)
            .set_start_time(start)
            .set_end_time(end)
            .set_filter_pattern(filter.map(str::to_string))
            .set_next_token(token.clone())
            .send()
            .await;
        // A group with no events yet does not exist: nothing to read.
        let page = page.map_err(|e| BackendError::sdk("FilterLogEvents", e));
        let Some(page) = BackendError::absent_as_none(page)? else {
            return Ok(out);
        };
        out.extend(page.events().iter().map(|e| LogLine {
            timestamp: e.timestamp().unwrap_or_default(),
            ingestion_time: e.ingestion_time().unwrap_or_default(),
            log_group: group.to_string(),
            log_stream: e.log_stream_name().unwrap_or_default().to_string(),
            event_id: e.event_id().unwrap_or_default().to_string(),
            message: e.message().unwrap_or_default().to_string(),
            env: env.to_string(),
            runtime: runtime.to_string(),
        }));
        match page.next_token() {
            Some(t) if Some(t) != token.as_deref() => token = Some(t.to_string()),
            _ => return Ok(out),
        }
    }
}

/// Event ids already delivered, bounded: old ids fall out once their time is well past.
#[derive(Default)]
pub struct Seen {
    ids: HashSet<String>,
    order: VecDeque<(i64, String)>,
}

/// Ids remembered at most; the follower overlaps its polls by far fewer events.
const SEEN_CAP: usize = 50_000;

impl Seen {
    /// True the first time an event is seen.
    pub fn first(&mut self, line: &LogLine) -> bool {
        if !self.ids.insert(line.event_id.clone()) {
            return false;
        }
        self.order
            .push_back((line.timestamp, line.event_id.clone()));
        while self.order.len() > SEEN_CAP {
            if let Some((_, id)) = self.order.pop_front() {
                self.ids.remove(&id);
            }
        }
        true
    }
}

/// Poll for new events every `every`, calling `emit` once per event in time order; re-reads
/// from a little before the newest event seen, so late arrivals are not missed, and drops
/// what was already delivered. Ends when `emit` returns false.
pub async fn follow(
    backend: &Backend,
    q: &LogQuery,
    every: Duration,
    mut emit: impl FnMut(&LogLine) -> bool,
) -> Result<(), BackendError> {
    let mut seen = Seen::default();
    let mut from = q.start;
    loop {
        let mut query = q.clone();
        query.start = from;
        let lines = history(backend, &query).await?;
        for line in &lines {
            if seen.first(line) && !emit(line) {
                return Ok(());
            }
        }
        if let Some(newest) = lines.iter().map(|l| l.timestamp).max() {
            // Overlap by five seconds: events can be ingested a little out of order.
            from = Some(newest - 5_000);
        }
        tokio::time::sleep(every).await;
    }
}
