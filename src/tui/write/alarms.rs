//! The standard-alarms write (`alarms apply`), described before it is made: the plan was read
//! first (an io job), so the preview is exactly the calls `backend::alarms::apply` makes.

use super::Call;
use crate::backend::alarms::AlarmPlan;
use crate::domain::sanitize::one_line;

/// Make a runtime's endpoints match the environment's alarm template, as planned.
#[derive(Debug, Clone, PartialEq)]
pub struct AlarmsOp {
    /// Read just before; never empty (an empty plan changes nothing and asks nothing).
    pub plan: AlarmPlan,
}

// The plan holds thresholds (f64), none NaN: the template's validation refuses them.
impl Eq for AlarmsOp {}

impl AlarmsOp {
    pub fn env(&self) -> &str {
        &self.plan.env
    }

    pub fn title(&self) -> String {
        let n = self.plan.calls().len();
        format!(
            "Apply the standard alarms of {} in {} ({}): {n} call{}",
            self.plan.runtime,
            self.plan.env,
            self.plan.endpoints.join(", "),
            if n == 1 { "" } else { "s" }
        )
    }

    /// Every call writes; the text comes from CloudWatch's and our own names, so it is
    /// stripped of control sequences before it reaches the screen.
    pub fn calls(&self) -> Vec<Call> {
        self.plan
            .calls()
            .iter()
            .map(|c| Call {
                write: true,
                text: one_line(c),
                params: vec![],
            })
            .collect()
    }

    pub fn cli_args(&self) -> Vec<String> {
        [
            "--env",
            &self.plan.env,
            "alarms",
            "apply",
            &self.plan.runtime,
        ]
        .iter()
        .map(|s| (*s).to_string())
        .collect()
    }
}
