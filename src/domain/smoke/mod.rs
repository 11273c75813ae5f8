//! Smoke checks: tool calls with expectations, and an optional health probe, that a deploy, a
//! blue/green switch, a rollout gate or `smoke` runs against one endpoint. The spec is parsed
//! from `smoke.toml` by `config::smoke`; the backend runs it; judging what came back is pure
//! and lives here (`judge.rs`), as does the report every face prints.

mod judge;
mod report;

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

pub use judge::{Observed, judge, judge_health, shown};
pub use report::{CheckResult, HealthResult, SmokeReport};

/// What to run: the health probe (MCP `ping`), then every check, in file order.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SmokeSpec {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub health: Option<Health>,
    #[serde(default)]
    pub checks: Vec<Check>,
}

/// The health probe: an MCP `ping` answered (within the bound, if any).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Health {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_latency_ms: Option<u64>,
}

/// One tool call and what its result must be.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Check {
    /// Unique in the spec (the file's `name`, else `TOOL #N`).
    pub name: String,
    pub tool: String,
    #[serde(default)]
    pub arguments: Map<String, Value>,
    /// Some text content must contain it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub text_contains: Option<String>,
    /// The `isError` the result must have (default false: the call must succeed).
    #[serde(default)]
    pub is_error: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_latency_ms: Option<u64>,
    /// JSON pointer into `structuredContent` → the value it must equal.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub json: BTreeMap<String, Value>,
}

impl SmokeSpec {
    /// How many results a run gives (the health probe counts as one).
    pub fn len(&self) -> usize {
        self.checks.len() + usize::from(self.health.is_some())
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// One line for plans and previews: `smoke checks (3 checks, health probe)`.
    pub fn describe(&self) -> String {
        let n = self.checks.len();
        let mut parts = vec![format!("{n} check{}", if n == 1 { "" } else { "s" })];
        if self.health.is_some() {
            parts.push("health probe".into());
        }
        format!("smoke checks ({})", parts.join(", "))
    }
}

/// The default name of the check at `index` (0-based) calling `tool`.
pub fn default_name(tool: &str, index: usize) -> String {
    format!("{tool} #{}", index + 1)
}

/// Whether `p` is a JSON pointer (RFC 6901): empty, or `/`-separated tokens where `~` is
/// only ever `~0` or `~1`.
pub fn is_json_pointer(p: &str) -> bool {
    if p.is_empty() {
        return true;
    }
    if !p.starts_with('/') {
        return false;
    }
    let mut chars = p.chars();
    while let Some(c) = chars.next() {
        if c == '~' && !matches!(chars.next(), Some('0' | '1')) {
            return false;
        }
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_pointers_are_empty_or_slash_led_with_escapes() {
        for ok in ["", "/", "/echo", "/a/0/b", "/a~1b", "/m~0n"] {
            assert!(is_json_pointer(ok), "{ok}");
        }
        for bad in ["echo", "a/b", "/a~2", "/a~", "#/a"] {
            assert!(!is_json_pointer(bad), "{bad}");
        }
    }

    #[test]
    fn a_spec_survives_json_as_the_rollout_state_stores_it() {
        let spec = SmokeSpec {
            health: Some(Health {
                max_latency_ms: Some(500),
            }),
            checks: vec![Check {
                name: "add".into(),
                tool: "add".into(),
                arguments: serde_json::json!({"a": 1, "b": 2})
                    .as_object()
                    .cloned()
                    .unwrap_or_default(),
                text_contains: Some("3".into()),
                is_error: false,
                max_latency_ms: None,
                json: BTreeMap::from([("/sum".into(), Value::from(3))]),
            }],
        };
        let text = serde_json::to_string(&spec).expect("serialise");
        assert_eq!(
            serde_json::from_str::<SmokeSpec>(&text).expect("parse"),
            spec
        );
        assert_eq!(spec.len(), 2);
        assert_eq!(spec.describe(), "smoke checks (1 check, health probe)");
    }
}
