//! The alarm gate's reads: the named alarms' states in one DescribeAlarms (by name, metric
//! and composite alarms alike), and the check a plan passes before it starts.

use std::collections::HashMap;

use aws_sdk_cloudwatch::types::AlarmType;

use crate::backend::{BackendError, Clients};

/// DescribeAlarms takes at most 100 names.
const MAX_NAMES: usize = 100;

/// Each named alarm that exists, with its state value (`OK`, `ALARM`, `INSUFFICIENT_DATA`).
pub(super) async fn states(
    c: &Clients,
    names: &[String],
) -> Result<HashMap<String, String>, BackendError> {
    let mut unique = names.to_vec();
    unique.sort();
    unique.dedup();
    let mut out = HashMap::new();
    for chunk in unique.chunks(MAX_NAMES) {
        let r = c
            .cloudwatch
            .describe_alarms()
            .set_alarm_names(Some(chunk.to_vec()))
            .alarm_types(AlarmType::MetricAlarm)
            .alarm_types(AlarmType::CompositeAlarm)
            .max_records(100)
            .send()
            .await
            .map_err(|e| BackendError::sdk("DescribeAlarms", e))?;
        let metric = r
            .metric_alarms()
            .iter()
            .map(|a| (a.alarm_name(), a.state_value()));
        let composite = r
            .composite_alarms()
            .iter()
            .map(|a| (a.alarm_name(), a.state_value()));
        for (name, state) in metric.chain(composite) {
            if let Some(name) = name {
                let state = state.map_or("INSUFFICIENT_DATA", |s| s.as_str());
                out.insert(name.to_string(), state.to_string());
            }
        }
    }
    Ok(out)
}

/// Refuse alarm names that do not exist (a typo would otherwise leave the gate Inconclusive
/// at every evaluation), naming each.
pub async fn check_alarms(c: &Clients, names: &[String]) -> Result<(), BackendError> {
    if names.is_empty() {
        return Ok(());
    }
    let found = states(c, names).await?;
    let mut missing: Vec<String> = names
        .iter()
        .filter(|n| !found.contains_key(*n))
        .map(|n| format!("'{n}'"))
        .collect();
    missing.dedup();
    if missing.is_empty() {
        return Ok(());
    }
    let (noun, verb) = if missing.len() == 1 {
        ("alarm", "does")
    } else {
        ("alarms", "do")
    };
    Err(BackendError::Other(format!(
        "the plan's {noun} {} {verb} not exist in '{}': fix the plan's `alarms` (`{{runtime}}` \
         stands for the runtime's name), or run `alarms apply` to create the standard ones",
        missing.join(", "),
        c.env.name
    )))
}
