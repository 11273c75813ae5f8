//! History near the quota: each log group's range is cut into time slices ([`plan`]), read
//! concurrently within an adaptive window per environment ([`aimd`]), and merged back in
//! time order as pages arrive ([`stream`]), so the output is what a serial read gives, in the
//! same order, while the calls in flight follow what the service allows.
//!
//! consumer ← merge by (time, env, group, event id) ← one [`stream::GroupStream`] per log
//! group ← its slices' bounded queues ← reader tasks ([`reader`]) ← FilterLogEvents.

mod aimd;
mod plan;
mod reader;
mod stream;

use std::collections::HashMap;
use std::sync::Arc;

use self::aimd::Limiter;
use self::reader::Group;
use self::stream::GroupStream;
use super::history::order;
use super::{LogLine, Source};
use crate::backend::BackendError;

/// Every event of `sources` in the range matching `filter`, in time order, through `emit`;
/// stops early when `emit` returns false. Returns whether it ran to the end.
pub async fn each(
    sources: &[Source],
    range: (Option<i64>, Option<i64>),
    filter: Option<&str>,
    page_size: Option<i32>,
    mut emit: impl FnMut(LogLine) -> bool,
) -> Result<bool, BackendError> {
    // Quotas are per account and Region: one window per environment.
    let mut limiters: HashMap<&str, Arc<Limiter>> = HashMap::new();
    let mut streams: Vec<GroupStream> = vec![];
    for s in sources {
        let limiter = limiters.entry(s.env.as_str()).or_default();
        for g in &s.groups {
            let group = Group {
                clients: Arc::clone(&s.clients),
                env: s.env.clone(),
                runtime: s.runtime.clone(),
                group: g.clone(),
                filter: filter.map(str::to_string),
                page_size,
                limiter: Arc::clone(limiter),
            };
            streams.push(GroupStream::new(group, range));
        }
    }
    // Every group's first page at once.
    futures::future::try_join_all(streams.iter_mut().map(GroupStream::fill)).await?;
    loop {
        for s in &mut streams {
            s.fill().await?;
        }
        let best = streams
            .iter()
            .enumerate()
            .filter_map(|(i, s)| s.head().map(|l| (i, l)))
            .min_by(|(_, a), (_, b)| order(a).cmp(&order(b)))
            .map(|(i, _)| i);
        let Some(line) = best.and_then(|i| streams[i].pop()) else {
            let throttles: u64 = limiters.values().map(|l| l.throttles()).sum();
            tracing::debug!(throttles, "history read");
            return Ok(true);
        };
        if !emit(line) {
            return Ok(false);
        }
    }
}
