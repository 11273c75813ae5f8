//! The outcome of one smoke run, as `smoke --output json` prints it and as deploy errors and
//! rollout gates quote it.

use serde::{Deserialize, Serialize};

/// One check's outcome.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CheckResult {
    pub name: String,
    pub tool: String,
    pub passed: bool,
    pub latency_ms: u64,
    /// Why it failed (sanitised, expected vs actual); None when it passed.
    pub reason: Option<String>,
}

/// The health probe's outcome.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct HealthResult {
    pub passed: bool,
    pub latency_ms: u64,
    pub reason: Option<String>,
}

/// Every check's outcome, and the probe's when the spec has one.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SmokeReport {
    pub health: Option<HealthResult>,
    pub checks: Vec<CheckResult>,
}

impl SmokeReport {
    /// Results that passed, the probe included.
    pub fn passed(&self) -> usize {
        self.checks.iter().filter(|c| c.passed).count()
            + self.health.as_ref().map_or(0, |h| usize::from(h.passed))
    }

    /// Results that failed, the probe included.
    pub fn failed(&self) -> usize {
        self.total() - self.passed()
    }

    pub fn total(&self) -> usize {
        self.checks.len() + usize::from(self.health.is_some())
    }

    pub fn all_passed(&self) -> bool {
        self.failed() == 0
    }

    /// `name: reason` of every failure, the probe first.
    pub fn failures(&self) -> Vec<String> {
        let health = self
            .health
            .iter()
            .filter(|h| !h.passed)
            .map(|h| format!("health: {}", h.reason.as_deref().unwrap_or("failed")));
        let checks = self.checks.iter().filter(|c| !c.passed).map(|c| {
            format!(
                "check {}: {}",
                c.name,
                c.reason.as_deref().unwrap_or("failed")
            )
        });
        health.chain(checks).collect()
    }

    /// One line: `smoke 3/4 passed: check X: reason; check Y: reason`.
    pub fn summary(&self) -> String {
        let head = format!("smoke {}/{} passed", self.passed(), self.total());
        let failures = self.failures();
        if failures.is_empty() {
            head
        } else {
            format!("{head}: {}", failures.join("; "))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn result(name: &str, reason: Option<&str>) -> CheckResult {
        CheckResult {
            name: name.into(),
            tool: "echo".into(),
            passed: reason.is_none(),
            latency_ms: 3,
            reason: reason.map(str::to_string),
        }
    }

    #[test]
    fn the_summary_counts_the_probe_and_names_each_failure() {
        let r = SmokeReport {
            health: Some(HealthResult {
                passed: true,
                latency_ms: 1,
                reason: None,
            }),
            checks: vec![
                result("a", None),
                result("b", Some("isError: expected false, got true")),
                result("c", None),
            ],
        };
        assert_eq!((r.passed(), r.failed(), r.total()), (3, 1, 4));
        assert!(!r.all_passed());
        assert_eq!(
            r.summary(),
            "smoke 3/4 passed: check b: isError: expected false, got true"
        );
        let json = serde_json::to_value(&r.checks[1]).expect("json");
        assert_eq!(json["latencyMs"], 3);
        assert_eq!(json["reason"], "isError: expected false, got true");
        let fine = SmokeReport {
            health: None,
            checks: vec![result("a", None)],
        };
        assert_eq!(fine.summary(), "smoke 1/1 passed");
    }
}
