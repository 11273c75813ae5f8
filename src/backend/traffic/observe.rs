//! What the traffic really did: the share of each leg from CloudWatch.

use super::{Observed, ObservedLeg, TrafficView};
use crate::backend::Backend;

/// Add the observed share of each leg over the last `minutes` to a view.
pub async fn observe(backend: &Backend, mut view: TrafficView, minutes: i64) -> TrafficView {
    let now = time::OffsetDateTime::now_utc().unix_timestamp();
    let window = crate::backend::metrics::Window {
        start: now - minutes * 60,
        end: now,
        period: 60,
    };
    let target = [(view.env.clone(), view.runtime.clone())];
    let fetched = crate::backend::metrics::fetch(backend, &target, window).await;
    let mut observed = Observed {
        window_minutes: minutes,
        legs: vec![],
        error: None,
    };
    match fetched {
        Err(e) => observed.error = Some(e.to_string()),
        Ok(all) => {
            let m = all.first();
            let legs: Vec<_> = [&view.stable, &view.canary]
                .into_iter()
                .map(|ep| {
                    let t = m
                        .and_then(|m| m.endpoint(&ep.name))
                        .map(|e| e.totals.clone());
                    (ep, t.unwrap_or_default())
                })
                .collect();
            let sessions: f64 = legs.iter().fold(0.0, |a, (_, t)| a + t.sessions);
            let invocations: f64 = legs.iter().fold(0.0, |a, (_, t)| a + t.invocations);
            let share = |part: f64, all: f64| (all > 0.0).then(|| 100.0 * part / all);
            observed.legs = legs
                .into_iter()
                .map(|(ep, t)| ObservedLeg {
                    qualifier: ep.name.clone(),
                    version: ep.live_version.clone(),
                    sessions: t.sessions,
                    invocations: t.invocations,
                    session_share: share(t.sessions, sessions),
                    invocation_share: share(t.invocations, invocations),
                    error_rate: t.error_rate,
                })
                .collect();
        }
    }
    view.observed = Some(observed);
    view
}
