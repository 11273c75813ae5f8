//! A rollout's steps on the charts' time axis, from its decision log: each step's start, and
//! how it ended (promotion, rollback, abort). The pane keeps only the marks in its window,
//! as it does for deploys.

use super::window::Marker;
use crate::domain::rollout::RolloutState;
use crate::domain::sanitize::one_line;

/// The marks of one rollout, oldest first.
pub fn marks(s: &RolloutState) -> Vec<Marker> {
    s.log
        .iter()
        .filter_map(|l| {
            let text = match l.event.as_str() {
                "start" => format!("rollout v{} start", s.canary_version),
                "step" => format!("rollout {}", l.message.chars().take(30).collect::<String>()),
                "promote" => format!("rollout v{} promoted", s.canary_version),
                "rollback" => "rollout rolled back".into(),
                "abort" => "rollout aborted".into(),
                _ => return None,
            };
            Some(Marker {
                at: l.at_ms.div_euclid(1000),
                text: one_line(&text),
                failed: matches!(l.event.as_str(), "rollback" | "abort"),
            })
        })
        .collect()
}
