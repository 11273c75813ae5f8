//! When an alarm was in ALARM, from its history: each `StateUpdate` to ALARM opens a period
//! that the next state update closes (an open one runs to the end of the window). The
//! metrics charts mark these on their time axis. Pure.

use super::epoch_ms;
use crate::domain::alarms::{AlarmHistoryItem, AlarmInfo, AlarmState};

/// Periods in ALARM as (start, end) epoch seconds, oldest first, clipped to `[x0, x1]`.
/// `history` is newest first (as DescribeAlarmHistory returns it). Without any state update
/// in it, the alarm's current state tells: in ALARM since its last change.
pub fn alarm_periods(
    alarm: &AlarmInfo,
    history: &[AlarmHistoryItem],
    x0: i64,
    x1: i64,
) -> Vec<(i64, i64)> {
    let secs = |iso: &str| epoch_ms(iso).map(|ms| ms.div_euclid(1000));
    let mut updates: Vec<(i64, AlarmState)> = history
        .iter()
        .filter(|h| h.kind == "StateUpdate")
        .filter_map(|h| Some((secs(&h.timestamp)?, h.new_state?)))
        .collect();
    if updates.is_empty()
        && alarm.state == AlarmState::Alarm
        && let Some(at) = alarm.state_updated_at.as_deref().and_then(secs)
    {
        updates.push((at, AlarmState::Alarm));
    }
    updates.sort_by_key(|(at, _)| *at);
    let mut out = vec![];
    let mut open: Option<i64> = None;
    for (at, state) in updates {
        match (open, state) {
            (None, AlarmState::Alarm) => open = Some(at),
            (Some(start), s) if s != AlarmState::Alarm => {
                out.push((start, at));
                open = None;
            }
            _ => {}
        }
    }
    if let Some(start) = open {
        out.push((start, x1));
    }
    out.into_iter()
        .filter(|(s, e)| *e >= x0 && *s <= x1)
        .map(|(s, e)| (s.max(x0), e.min(x1)))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tui::alarms::tests::{alarm, item};

    // 2026-11-24T10:00:00Z
    const T: i64 = 1_795_514_400;

    #[test]
    fn alarm_until_the_next_update_and_an_open_one_to_the_end() {
        let a = alarm("prod", "weather_mcp", "live", "latency", AlarmState::Alarm);
        // Newest first, as the API returns them; a configuration update in between is no
        // state change.
        let h = [
            item(
                "2026-11-24T10:40:00Z",
                "StateUpdate",
                Some(AlarmState::Alarm),
            ),
            item("2026-11-24T10:30:00Z", "ConfigurationUpdate", None),
            item("2026-11-24T10:20:00Z", "StateUpdate", Some(AlarmState::Ok)),
            item(
                "2026-11-24T10:10:00Z",
                "StateUpdate",
                Some(AlarmState::Alarm),
            ),
            item(
                "2026-11-24T10:05:00Z",
                "StateUpdate",
                Some(AlarmState::InsufficientData),
            ),
        ];
        assert_eq!(
            alarm_periods(&a, &h, T, T + 3600),
            [(T + 600, T + 1200), (T + 2400, T + 3600)]
        );
        // Clipped to the window; a period wholly before it is left out.
        assert_eq!(
            alarm_periods(&a, &h, T + 1500, T + 3000),
            [(T + 2400, T + 3000)]
        );
        assert_eq!(alarm_periods(&a, &h[2..], T + 1500, T + 3000), []);
    }

    #[test]
    fn without_history_the_current_state_tells() {
        let mut a = alarm("prod", "weather_mcp", "live", "latency", AlarmState::Alarm);
        a.state_updated_at = Some("2026-11-24T10:50:00Z".into());
        assert_eq!(alarm_periods(&a, &[], T, T + 3600), [(T + 3000, T + 3600)]);
        a.state = AlarmState::Ok;
        assert_eq!(alarm_periods(&a, &[], T, T + 3600), []);
    }
}
