//! A rollout plan: its steps (weights with a bake time, or an operator's approval) and its
//! gates, and the built-in plans. Parsing and validation of the TOML form live in
//! `config::plans`; these types are what the driver and the rollout state carry.

use std::time::Duration;

use serde::{Deserialize, Serialize};

/// What the rollout does with the new version.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum PlanKind {
    /// Weighted steps on the canary endpoint, then promotion (the stable endpoint moves to the
    /// canary's version and the split is removed).
    Canary,
    /// The canary endpoint gets the new version with no traffic, is validated (MCP
    /// `tools/list`, and smoke checks when present), then traffic switches to it at once; the
    /// old version stays the rollback target. Only `approve` steps are allowed: they wait
    /// between validation and the switch.
    BlueGreen,
}

/// One step of a plan.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", tag = "type")]
pub enum Step {
    /// Send `weight` percent of new sessions to the canary and watch for `bake`.
    Weight {
        weight: u8,
        #[serde(with = "secs")]
        bake: Duration,
    },
    /// Wait for an operator's approval.
    Approve,
}

/// The gates' names, as plans spell them (`observe` lists these).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum GateName {
    /// Canary error rate (AgentCore metrics), percent: absolute.
    MaxErrorRate,
    /// Canary minus stable error rate, percentage points, with 95% confidence: relative.
    MaxErrorRateOverStable,
    /// Canary MCP tool error rate (the log metric filter), percent: absolute.
    MaxToolErrorRate,
    /// Canary p99 latency over stable p99: absolute.
    MaxP99LatencyRatio,
    /// The named alarms must not be in ALARM.
    Alarms,
    /// Every smoke check (the rollout's smoke file) passes against the canary endpoint.
    Smoke,
}

impl GateName {
    /// Every gate, in the order they are reported.
    pub const ALL: [GateName; 6] = [
        GateName::MaxErrorRate,
        GateName::MaxErrorRateOverStable,
        GateName::MaxToolErrorRate,
        GateName::MaxP99LatencyRatio,
        GateName::Alarms,
        GateName::Smoke,
    ];

    /// The name as plans and JSON output spell it.
    pub fn as_str(self) -> &'static str {
        match self {
            GateName::MaxErrorRate => "max_error_rate",
            GateName::MaxErrorRateOverStable => "max_error_rate_over_stable",
            GateName::MaxToolErrorRate => "max_tool_error_rate",
            GateName::MaxP99LatencyRatio => "max_p99_latency_ratio",
            GateName::Alarms => "alarms",
            GateName::Smoke => "require_smoke",
        }
    }

    /// The gate a plan names, if it is one.
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|g| g.as_str() == s)
    }
}

/// When and how the canary is judged. A threshold left out is a gate not evaluated.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Gates {
    /// How often the gates are evaluated during a bake.
    #[serde(with = "secs")]
    pub interval: Duration,
    /// Fewer canary (or stable) calls than this in an evaluation: Inconclusive.
    pub min_invocations: u64,
    pub max_error_rate: Option<f64>,
    pub max_error_rate_over_stable: Option<f64>,
    pub max_tool_error_rate: Option<f64>,
    pub max_p99_latency_ratio: Option<f64>,
    /// Alarm names; `{runtime}` is replaced by the runtime's name.
    pub alarms: Vec<String>,
    /// Failing evaluations of an enforced gate in a row before rolling back.
    pub failure_limit: u32,
    /// Gates evaluated and reported but never acted on.
    pub observe: Vec<GateName>,
    /// Run the rollout's smoke checks against the canary at each evaluation.
    #[serde(default)]
    pub require_smoke: bool,
}

impl Default for Gates {
    fn default() -> Self {
        Self {
            interval: Duration::from_secs(60),
            min_invocations: 50,
            max_error_rate: None,
            max_error_rate_over_stable: None,
            max_tool_error_rate: None,
            max_p99_latency_ratio: None,
            alarms: vec![],
            failure_limit: 2,
            observe: vec![],
            require_smoke: false,
        }
    }
}

impl Gates {
    /// The gates this plan evaluates.
    pub fn configured(&self) -> Vec<GateName> {
        GateName::ALL
            .into_iter()
            .filter(|g| match g {
                GateName::MaxErrorRate => self.max_error_rate.is_some(),
                GateName::MaxErrorRateOverStable => self.max_error_rate_over_stable.is_some(),
                GateName::MaxToolErrorRate => self.max_tool_error_rate.is_some(),
                GateName::MaxP99LatencyRatio => self.max_p99_latency_ratio.is_some(),
                GateName::Alarms => !self.alarms.is_empty(),
                GateName::Smoke => self.require_smoke,
            })
            .collect()
    }

    /// Whether a gate is observed only.
    pub fn is_observed(&self, gate: GateName) -> bool {
        self.observe.contains(&gate)
    }

    /// The alarm names for one runtime.
    pub fn alarm_names(&self, runtime: &str) -> Vec<String> {
        self.alarms
            .iter()
            .map(|t| t.replace("{runtime}", runtime))
            .collect()
    }
}

/// A validated plan.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Plan {
    /// `seed`, `blue-green`, a named plan's name, or a plan file's stem.
    pub name: String,
    pub kind: PlanKind,
    pub steps: Vec<Step>,
    pub gates: Gates,
}

/// The built-in plans' names.
pub const BUILTINS: [&str; 2] = ["seed", "blue-green"];

impl Plan {
    /// A built-in plan: `seed` (the seed's canary 10% for 15m, 25% and 50% for 10m each, then
    /// promotion) or `blue-green`.
    pub fn builtin(name: &str) -> Option<Self> {
        let min = |m: u64| Duration::from_secs(m * 60);
        match name {
            "seed" => Some(Self {
                name: name.into(),
                kind: PlanKind::Canary,
                steps: vec![
                    Step::Weight {
                        weight: 10,
                        bake: min(15),
                    },
                    Step::Weight {
                        weight: 25,
                        bake: min(10),
                    },
                    Step::Weight {
                        weight: 50,
                        bake: min(10),
                    },
                ],
                gates: Gates {
                    interval: Duration::from_secs(60),
                    min_invocations: 50,
                    max_error_rate: Some(5.0),
                    max_error_rate_over_stable: Some(2.0),
                    max_tool_error_rate: Some(5.0),
                    max_p99_latency_ratio: Some(1.5),
                    alarms: vec!["agentcore-console/{runtime}/canary/error-rate".into()],
                    failure_limit: 2,
                    observe: vec![],
                    require_smoke: false,
                },
            }),
            // No traffic reaches the new version before the switch, so there is nothing for
            // metric gates to judge: validation decides, and the defaults apply afterwards.
            "blue-green" => Some(Self {
                name: name.into(),
                kind: PlanKind::BlueGreen,
                steps: vec![],
                gates: Gates::default(),
            }),
            _ => None,
        }
    }

    /// The sum of the bake times: how long the plan watches when every evaluation passes.
    pub fn total_bake(&self) -> Duration {
        self.steps
            .iter()
            .map(|s| match s {
                Step::Weight { bake, .. } => *bake,
                Step::Approve => Duration::ZERO,
            })
            .sum()
    }
}

/// Durations as whole seconds in the stored state.
mod secs {
    use std::time::Duration;

    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(d: &Duration, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_u64(d.as_secs())
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Duration, D::Error> {
        u64::deserialize(d).map(Duration::from_secs)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_seed_plan_is_the_seeds_canary() {
        let seed = Plan::builtin("seed").expect("seed");
        let weights: Vec<_> = seed
            .steps
            .iter()
            .map(|s| match s {
                Step::Weight { weight, bake } => (*weight, bake.as_secs() / 60),
                Step::Approve => (0, 0),
            })
            .collect();
        assert_eq!(weights, [(10, 15), (25, 10), (50, 10)]);
        assert_eq!(seed.total_bake(), Duration::from_secs(35 * 60));
        assert_eq!(seed.gates.configured(), GateName::ALL[..5]);
        assert_eq!(
            seed.gates.alarm_names("weather"),
            ["agentcore-console/weather/canary/error-rate"]
        );
        assert_eq!(
            (seed.gates.min_invocations, seed.gates.failure_limit),
            (50, 2)
        );
    }

    #[test]
    fn blue_green_has_no_weighted_steps() {
        let bg = Plan::builtin("blue-green").expect("blue-green");
        assert_eq!(bg.kind, PlanKind::BlueGreen);
        assert!(bg.steps.is_empty());
        assert!(Plan::builtin("canary").is_none());
        for name in BUILTINS {
            assert!(Plan::builtin(name).is_some(), "{name}");
        }
    }

    #[test]
    fn plans_round_trip_through_the_stored_json() {
        let seed = Plan::builtin("seed").expect("seed");
        let json = serde_json::to_string(&seed).expect("json");
        assert!(json.contains("\"bake\":900"), "{json}");
        let back: Plan = serde_json::from_str(&json).expect("parse");
        assert_eq!(back, seed);
        for g in GateName::ALL {
            assert_eq!(GateName::parse(g.as_str()), Some(g));
        }
    }
}
