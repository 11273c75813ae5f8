//! What the traffic really did: the share of each leg from CloudWatch.

use super::{Observed, ObservedLeg, TrafficView};
use crate::backend::Backend;

/// Add the observed share of each leg over the last `minutes` to a view — or since either
/// leg's endpoint last moved, if that is more recent: metrics are per endpoint, so what an
/// endpoint did before a rollback must not count against the version it serves now.
pub async fn observe(backend: &Backend, mut view: TrafficView, minutes: i64) -> TrafficView {
    // Rounded up to the next second: a move or an invocation in the current second is in the
    // window (truncated, a move at 12:20:00.3 left the window 12:20:00–12:20:00, empty).
    let now = time::OffsetDateTime::now_utc().unix_timestamp() + 1;
    let moved: Vec<String> = [&view.stable, &view.canary]
        .into_iter()
        .filter_map(|e| e.last_updated_at.clone())
        .collect();
    let (start, minutes) = window_start(now, minutes, &moved);
    let window = crate::backend::metrics::Window {
        start,
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

/// The window's start (at a minute boundary, CloudWatch's granularity here) and its length in
/// minutes: the last `minutes`, cut at the most recent move.
fn window_start(now: i64, minutes: i64, moves: &[String]) -> (i64, i64) {
    let rfc = &time::format_description::well_known::Rfc3339;
    let latest = moves
        .iter()
        .filter_map(|m| time::OffsetDateTime::parse(m, rfc).ok())
        .map(|t| t.unix_timestamp().div_euclid(60) * 60)
        .max();
    let start = latest.map_or(now - minutes * 60, |m| m.max(now - minutes * 60));
    let covered = ((now - start + 59) / 60).clamp(1, minutes.max(1));
    (start, covered)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_window_starts_at_the_last_move_when_that_is_recent() {
        let now = 1_795_600_000; // 2026-11-25T...Z, 40 s past a minute
        let at = |secs_ago: i64| {
            time::OffsetDateTime::from_unix_timestamp(now - secs_ago)
                .expect("time")
                .format(&time::format_description::well_known::Rfc3339)
                .expect("rfc3339")
        };
        assert_eq!(window_start(now, 15, &[]), (now - 900, 15));
        assert_eq!(
            window_start(now, 15, &[at(3600)]),
            (now - 900, 15),
            "an old move"
        );
        let (start, minutes) = window_start(now, 15, &[at(3600), at(200)]);
        assert_eq!(
            start,
            (now - 200).div_euclid(60) * 60,
            "the latest move, to the minute"
        );
        assert_eq!(minutes, 4);
        assert_eq!(window_start(now, 15, &[at(5)]).1, 1, "at least a minute");
        // A move in the second `observe` runs in: its `now` is rounded up, so the window holds
        // that second and is not empty.
        let on_the_minute = now.div_euclid(60) * 60;
        let (start, _) = window_start(on_the_minute + 1, 15, &[at(now - on_the_minute)]);
        let w = crate::backend::metrics::Window {
            start,
            end: on_the_minute + 1,
            period: 60,
        };
        assert_eq!(w.validate(), Ok(()));
        assert_eq!(
            w.end_aligned(),
            on_the_minute + 60,
            "the minute under way counts"
        );
        assert_eq!(
            window_start(now, 15, &["not a time".into()]),
            (now - 900, 15)
        );
    }
}
