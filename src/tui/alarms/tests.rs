//! The alarm book: answers per environment, badges, ordering, ages; and the fixtures other
//! tests use for alarms.

use super::*;
use crate::domain::alarms::{AlarmHistoryItem, AlarmKind, alarm_name};

/// 2026-11-24T10:00:00Z, in ms: when the fixture lists were read.
pub const LISTED_MS: i64 = 1_795_514_400_000;

/// A console-made alarm (`kind` a slug) or, for an unknown slug, one named `kind`.
pub fn alarm(env: &str, runtime: &str, endpoint: &str, kind: &str, state: AlarmState) -> AlarmInfo {
    let k = AlarmKind::from_slug(kind);
    AlarmInfo {
        env: env.into(),
        runtime: runtime.into(),
        endpoint: Some(endpoint.into()),
        name: k.map_or_else(|| kind.to_string(), |k| alarm_name(runtime, endpoint, k)),
        state,
        reason: format!(
            "Threshold Crossed: 2 out of the last 3 datapoints were greater than or equal to the threshold ({kind})."
        ),
        state_updated_at: Some("2026-11-24T09:52:00Z".into()),
        threshold: Some(match k {
            Some(AlarmKind::Latency) => 2000.0,
            Some(AlarmKind::Throttles) => 1.0,
            _ => 5.0,
        }),
        comparison: Some("GreaterThanOrEqualToThreshold".into()),
        actions_enabled: true,
        actions: vec![],
        kind: k,
    }
}

pub fn item(at: &str, kind: &str, new_state: Option<AlarmState>) -> AlarmHistoryItem {
    AlarmHistoryItem {
        name: "x".into(),
        timestamp: at.into(),
        kind: kind.into(),
        summary: match new_state {
            Some(s) => format!("Alarm updated to {}", s.as_str()),
            None => "Alarm \"x\" updated".into(),
        },
        new_state,
    }
}

pub fn listed(alarms: Vec<AlarmInfo>) -> EnvAlarms {
    EnvAlarms {
        listed_at_ms: LISTED_MS,
        alarms,
    }
}

fn book() -> AlarmBook {
    AlarmBook::new(["dev", "prod"].map(String::from))
}

/// List `env` at `now` and take `r` as its answer (the other listings are left unsent).
fn answer(b: &mut AlarmBook, env: &str, r: Result<EnvAlarms, String>, now: Millis) -> bool {
    let mut mine = None;
    for f in b.fetches(now, true) {
        match &f.job {
            Job::Alarms { env: e } if e == env => mine = Some(f.generation),
            Job::Alarms { env: e } => b.abandon(&e.clone(), f.generation),
            other => panic!("{other:?}"),
        }
    }
    b.accept(env, mine.expect("a listing of that environment"), r, now)
}

#[test]
fn each_environment_is_listed_at_most_every_poll_and_keeps_its_last_good_list() {
    let mut b = book();
    let first = b.fetches(Millis(0), false);
    assert_eq!(first.len(), 2, "both environments at once");
    assert!(b.fetches(Millis(1_000), false).is_empty(), "in flight");
    assert!(
        b.fetches(Millis(1_000), true).is_empty(),
        "forced, but in flight"
    );
    for f in first {
        let Job::Alarms { env } = &f.job else {
            panic!("{f:?}")
        };
        let r = Ok(listed(vec![alarm(
            env,
            "weather_mcp",
            "live",
            "latency",
            AlarmState::Alarm,
        )]));
        assert!(b.accept(env, f.generation, r, Millis(2_000)));
    }
    assert!(
        b.fetches(Millis(31_999), false).is_empty(),
        "not due before 30 s"
    );
    let again = b.fetches(Millis(32_000), false);
    assert_eq!(again.len(), 2);
    // prod fails: its list stays, with the error; dev's is untouched.
    let prod = again
        .iter()
        .find(|f| f.job == Job::Alarms { env: "prod".into() });
    let generation = prod.expect("prod").generation;
    assert!(b.accept(
        "prod",
        generation,
        Err("DescribeAlarms: throttled".into()),
        Millis(33_000)
    ));
    assert_eq!(b.of("prod").len(), 1);
    assert_eq!(
        b.slot("prod").and_then(|s| s.error()),
        Some("DescribeAlarms: throttled")
    );
    assert_eq!(b.slot("dev").and_then(|s| s.error()), None);
    // An unknown environment or a stale answer changes nothing.
    assert!(!b.accept("qa", 1, Ok(listed(vec![])), Millis(34_000)));
    assert!(!b.accept("dev", 1, Ok(listed(vec![])), Millis(34_000)));
    assert_eq!(b.of("dev").len(), 1);
}

#[test]
fn badges_count_firing_and_missing_data_and_the_list_puts_firing_first_then_newest() {
    let mut b = book();
    let mut old = alarm("prod", "weather_mcp", "live", "latency", AlarmState::Alarm);
    old.state_updated_at = Some("2026-11-24T08:00:00Z".into());
    let newer = alarm(
        "prod",
        "weather_mcp",
        "canary",
        "error-rate",
        AlarmState::Alarm,
    );
    let ok = alarm("prod", "weather_mcp", "live", "throttles", AlarmState::Ok);
    let no_data = alarm(
        "dev",
        "docs_mcp",
        "live",
        "latency",
        AlarmState::InsufficientData,
    );
    answer(&mut b, "prod", Ok(listed(vec![ok, old, newer])), Millis(0));
    answer(&mut b, "dev", Ok(listed(vec![no_data])), Millis(0));
    assert_eq!(
        b.badge("prod", "weather_mcp"),
        Badge {
            firing: 2,
            no_data: 0
        }
    );
    assert_eq!(
        b.badge("dev", "docs_mcp"),
        Badge {
            firing: 0,
            no_data: 1
        }
    );
    assert_eq!(b.badge("dev", "weather_mcp"), Badge::default());
    assert!(b.firing("weather_mcp"));
    assert!(!b.firing("docs_mcp"), "missing data is not firing");
    let order: Vec<String> = b.all().iter().map(|a| short_name(a)).collect();
    assert_eq!(
        order,
        [
            "canary/error-rate",
            "live/latency",
            "live/latency",
            "live/throttles"
        ]
    );
    assert_eq!(b.all()[2].env, "dev");
}

#[test]
fn since_counts_from_the_state_change_on_the_screen_clock() {
    let mut b = book();
    let a = alarm("prod", "weather_mcp", "live", "latency", AlarmState::Alarm);
    answer(&mut b, "prod", Ok(listed(vec![a.clone()])), Millis(5_000));
    // Changed 8 minutes before the listing, which was 60 s ago on the screen's clock.
    assert_eq!(b.since_ms(&a, Millis(65_000)), Some(9 * 60_000));
}

#[test]
fn names_shorten_and_reasons_are_one_safe_line() {
    let a = alarm("prod", "weather_mcp", "live", "latency", AlarmState::Alarm);
    assert_eq!(short_name(&a), "live/latency");
    let theirs = alarm(
        "prod",
        "weather_mcp",
        "live",
        "PagerDuty\u{1b}[31m high",
        AlarmState::Ok,
    );
    assert_eq!(short_name(&theirs), "PagerDuty\u{FFFD}[31m high");
    assert_eq!(reason("a\nb\u{1b}c", 10), "a⏎b\u{FFFD}c");
    assert_eq!(reason("0123456789abc", 5), "0123…");
}
