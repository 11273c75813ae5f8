//! Which plan `--plan` names (a file, the environment's named plan, or a built-in), and the
//! plan as the preview and `status` print it.

use std::fmt::Write as _;
use std::path::Path;

use super::format::{duration, gate_threshold};
use crate::config::{ConfigError, parse_plan_file};
use crate::domain::Environment;
use crate::domain::rollout::plan::BUILTINS;
use crate::domain::rollout::{GateName, Plan, PlanKind, Step};

/// Why `--plan` names no plan.
#[derive(Debug, thiserror::Error)]
pub enum PlanError {
    #[error(transparent)]
    File(#[from] ConfigError),
    #[error(
        "unknown plan `{name}`: pass a plan file's path or one of: {}",
        known.join(", ")
    )]
    Unknown { name: String, known: Vec<String> },
}

/// The plan `arg` names: a TOML file when it is one (or looks like a path), else the
/// environment's plan of that name, else a built-in; `seed` when there is no `--plan`.
pub fn resolve(env: &Environment, arg: Option<&str>) -> Result<Plan, PlanError> {
    let name = arg.unwrap_or("seed");
    let path = Path::new(name);
    let looks_like_path =
        name.contains(std::path::MAIN_SEPARATOR) || name.contains('/') || name.ends_with(".toml");
    if path.is_file() || looks_like_path {
        return Ok(parse_plan_file(path)?);
    }
    if let Some(p) = env.plans.iter().find(|p| p.name == name) {
        return Ok(p.clone());
    }
    Plan::builtin(name).ok_or_else(|| PlanError::Unknown {
        name: name.to_string(),
        known: env
            .plans
            .iter()
            .map(|p| p.name.clone())
            .chain(BUILTINS.iter().map(|b| (*b).to_string()))
            .collect(),
    })
}

/// The plan for people: its steps, what happens after the last, and its gates.
pub fn summary(plan: &Plan) -> String {
    let mut out = String::new();
    let kind = match plan.kind {
        PlanKind::Canary => "canary",
        PlanKind::BlueGreen => "blue-green",
    };
    let _ = writeln!(
        out,
        "plan `{}` ({kind}): {} step{}, {} of bake in all",
        plan.name,
        plan.steps.len(),
        if plan.steps.len() == 1 { "" } else { "s" },
        duration(plan.total_bake()),
    );
    if plan.kind == PlanKind::BlueGreen {
        let _ = writeln!(
            out,
            "  the canary endpoint gets the new version with no traffic and is validated (MCP tools/list)"
        );
    }
    for (i, step) in plan.steps.iter().enumerate() {
        match step {
            Step::Weight { weight, bake } => {
                let _ = writeln!(
                    out,
                    "  {}. {weight}% of new sessions, bake {}",
                    i + 1,
                    duration(*bake)
                );
            }
            Step::Approve => {
                let _ = writeln!(out, "  {}. wait for an operator's approval", i + 1);
            }
        }
    }
    let _ = match plan.kind {
        PlanKind::Canary => writeln!(
            out,
            "  then promote: the stable endpoint moves to the canary's version, the split is removed"
        ),
        PlanKind::BlueGreen => writeln!(
            out,
            "  then switch 100% to the new version; the old one stays the rollback target"
        ),
    };
    let g = &plan.gates;
    let _ = writeln!(
        out,
        "gates every {}, at least {} canary call{} per evaluation, roll back after {} failing \
         evaluation{} in a row:",
        duration(g.interval),
        g.min_invocations,
        if g.min_invocations == 1 { "" } else { "s" },
        g.failure_limit.max(1),
        if g.failure_limit.max(1) == 1 { "" } else { "s" },
    );
    let configured = g.configured();
    if configured.is_empty() {
        let _ = writeln!(out, "  none");
    }
    for gate in configured {
        let observe = if g.is_observed(gate) {
            "  (observe: reported, never acted on)"
        } else {
            ""
        };
        let _ = writeln!(
            out,
            "  {:<27} {}{observe}",
            gate.as_str(),
            gate_rule(gate, plan)
        );
    }
    out
}

/// What a gate demands, in words and its unit.
fn gate_rule(gate: GateName, plan: &Plan) -> String {
    let g = &plan.gates;
    let t = |v: Option<f64>| gate_threshold(gate, v.unwrap_or_default());
    match gate {
        GateName::MaxErrorRate => {
            format!("{} canary errors (AgentCore metrics)", t(g.max_error_rate))
        }
        GateName::MaxErrorRateOverStable => format!(
            "{} over stable's error rate, with 95% confidence",
            t(g.max_error_rate_over_stable)
        ),
        GateName::MaxToolErrorRate => format!(
            "{} canary tool errors (isError, from the log metric filter)",
            t(g.max_tool_error_rate)
        ),
        GateName::MaxP99LatencyRatio => {
            format!("{} stable's p99 latency", t(g.max_p99_latency_ratio))
        }
        GateName::Alarms => format!("not in ALARM: {}", g.alarms.join(", ")),
        GateName::Smoke => {
            "every smoke check passes against the canary (rollout start --smoke)".into()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env_with(plans: Vec<Plan>) -> Environment {
        Environment {
            name: "dev".into(),
            plans,
            ..Environment::default()
        }
    }

    #[test]
    fn a_named_plan_wins_over_a_builtin_and_unknown_names_list_the_choices() {
        let mut fast = Plan::builtin("seed").expect("seed");
        fast.name = "fast".into();
        let env = env_with(vec![fast.clone()]);
        assert_eq!(resolve(&env, Some("fast")).expect("named"), fast);
        assert_eq!(resolve(&env, None).expect("default").name, "seed");
        assert_eq!(
            resolve(&env, Some("blue-green")).expect("builtin").kind,
            PlanKind::BlueGreen
        );
        let err = resolve(&env, Some("quick"))
            .expect_err("unknown")
            .to_string();
        assert_eq!(
            err,
            "unknown plan `quick`: pass a plan file's path or one of: fast, seed, blue-green"
        );
        let err = resolve(&env, Some("nowhere/plan.toml"))
            .expect_err("no file")
            .to_string();
        assert!(err.contains("nowhere/plan.toml: cannot read"), "{err}");
    }

    #[test]
    fn the_seed_plan_summary() {
        let mut seed = Plan::builtin("seed").expect("seed");
        seed.gates.observe = vec![GateName::MaxP99LatencyRatio];
        seed.steps.insert(2, Step::Approve);
        insta::assert_snapshot!(summary(&seed));
    }

    #[test]
    fn the_blue_green_summary() {
        let bg = Plan::builtin("blue-green").expect("blue-green");
        insta::assert_snapshot!(summary(&bg));
    }
}
