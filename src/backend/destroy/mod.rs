//! `destroy`: remove what the console made for a runtime (or for one of its endpoints).
//!
//! [`plan`] reads everything first and refuses before any change (unknown runtime or
//! endpoint, DEFAULT named, a rollout not finished, traffic on a split); the plan's
//! [`Step`]s are the exact calls, shown by `--dry-run` and the confirmation alike. [`run`]
//! makes them in order (gateway rule, targets, alarms, endpoints, runtime, rollout object,
//! log groups), stops at the first failure and audits one `destroy` entry: before = what
//! existed, after = what was deleted and what was not. Every call takes "already gone" as
//! done, so a rerun after a failure plans what is left and finishes the job.

mod plan;
mod run;

use serde::Serialize;

pub use self::plan::plan;
pub use self::run::run;

/// What to destroy.
#[derive(Debug, Clone)]
pub struct DestroyRequest {
    pub runtime: String,
    /// Only this endpoint (never DEFAULT), not the whole runtime.
    pub endpoint: Option<String>,
    /// Also the log groups (their metric filters go with them).
    pub with_logs: bool,
}

/// One call of a destroy, in the order it is made.
#[derive(Debug, Clone, PartialEq)]
pub enum Step {
    DeleteGatewayRule {
        gateway: String,
        rule_id: String,
    },
    DeleteGatewayTarget {
        gateway: String,
        target_id: String,
        name: String,
    },
    DeleteMetricFilter {
        log_group: String,
    },
    DeleteAlarms {
        names: Vec<String>,
    },
    DeleteEndpoint {
        name: String,
    },
    DeleteRuntime,
    DeleteRolloutState {
        bucket: String,
        key: String,
    },
    DeleteLogGroup {
        name: String,
    },
}

impl Step {
    /// The call as the preview, the confirmation and the report word it.
    pub fn line(&self, runtime_id: &str) -> String {
        match self {
            Step::DeleteGatewayRule { gateway, rule_id } => {
                format!("DeleteGatewayRule gateway={gateway} rule={rule_id}")
            }
            Step::DeleteGatewayTarget {
                gateway,
                target_id,
                name,
            } => format!("DeleteGatewayTarget gateway={gateway} target={target_id} ({name})"),
            Step::DeleteMetricFilter { log_group } => format!(
                "DeleteMetricFilter group={log_group} name={}",
                crate::domain::alarms::TOOL_ERRORS_FILTER
            ),
            Step::DeleteAlarms { names } => format!("DeleteAlarms {}", names.join(", ")),
            Step::DeleteEndpoint { name } => {
                format!("DeleteAgentRuntimeEndpoint {runtime_id} {name} (then wait until gone)")
            }
            Step::DeleteRuntime => {
                format!("DeleteAgentRuntime {runtime_id} (with DEFAULT; then wait until gone)")
            }
            Step::DeleteRolloutState { bucket, key } => {
                format!("DeleteObject s3://{bucket}/{key} (a finished rollout)")
            }
            Step::DeleteLogGroup { name } => format!("DeleteLogGroup {name}"),
        }
    }
}

/// What a destroy will do, read before any change.
#[derive(Debug, Clone)]
pub struct DestroyPlan {
    pub env: String,
    pub runtime: String,
    pub runtime_id: String,
    pub endpoint: Option<String>,
    pub with_logs: bool,
    pub steps: Vec<Step>,
    /// What exists now, for the audit entry's `before`.
    pub before: serde_json::Value,
}

impl DestroyPlan {
    /// The exact calls, in order.
    pub fn calls(&self) -> Vec<String> {
        self.steps
            .iter()
            .map(|s| s.line(&self.runtime_id))
            .collect()
    }

    /// A report of this plan with nothing done yet (what `--dry-run` prints).
    pub fn report(&self, dry_run: bool) -> DestroyReport {
        DestroyReport {
            env: self.env.clone(),
            runtime: self.runtime.clone(),
            runtime_id: self.runtime_id.clone(),
            endpoint: self.endpoint.clone(),
            with_logs: self.with_logs,
            dry_run,
            calls: self.calls(),
            deleted: vec![],
            not_deleted: if dry_run { vec![] } else { self.calls() },
            error: None,
        }
    }
}

/// What a destroy did (the JSON result of `destroy --output json`).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DestroyReport {
    pub env: String,
    pub runtime: String,
    pub runtime_id: String,
    pub endpoint: Option<String>,
    pub with_logs: bool,
    pub dry_run: bool,
    /// Every call of the plan, in order.
    pub calls: Vec<String>,
    /// The calls made.
    pub deleted: Vec<String>,
    /// The calls not made (a failure stopped the run there): a rerun makes them.
    pub not_deleted: Vec<String>,
    /// Why the run stopped, if it did.
    pub error: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_dry_run_report_has_done_nothing_and_a_fresh_one_has_everything_to_do() {
        let plan = DestroyPlan {
            env: "dev".into(),
            runtime: "weather".into(),
            runtime_id: "weather-abcdefghij".into(),
            endpoint: None,
            with_logs: true,
            steps: vec![
                Step::DeleteEndpoint {
                    name: "live".into(),
                },
                Step::DeleteRuntime,
                Step::DeleteLogGroup {
                    name: "/aws/bedrock-agentcore/runtimes/weather-abcdefghij-live".into(),
                },
            ],
            before: serde_json::Value::Null,
        };
        assert_eq!(
            plan.calls(),
            [
                "DeleteAgentRuntimeEndpoint weather-abcdefghij live (then wait until gone)",
                "DeleteAgentRuntime weather-abcdefghij (with DEFAULT; then wait until gone)",
                "DeleteLogGroup /aws/bedrock-agentcore/runtimes/weather-abcdefghij-live",
            ]
        );
        let dry = plan.report(true);
        assert!(dry.dry_run && dry.deleted.is_empty() && dry.not_deleted.is_empty());
        let fresh = plan.report(false);
        assert_eq!(fresh.not_deleted, plan.calls());
        let json = serde_json::to_value(&fresh).expect("json");
        assert_eq!(json["runtimeId"], "weather-abcdefghij");
        assert_eq!(json["notDeleted"].as_array().map(Vec::len), Some(3));
    }
}
