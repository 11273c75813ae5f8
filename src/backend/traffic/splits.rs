//! Every canary split of one environment at once: one read of the gateway and its rules,
//! whatever the number of runtimes (what a matrix of all runtimes needs; `show` is per runtime).

use serde::Serialize;

use super::gateway::{find_gateway, gateway_name, list_rules};
use super::rules::{RuleInfo, routing_rule, slug};
use crate::backend::{Backend, BackendError};

/// The configured split of one runtime: percent of new sessions per leg.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Split {
    pub runtime: String,
    pub stable: i32,
    pub canary: i32,
}

impl Split {
    /// Whether this split routes the runtime named `name`.
    pub fn is_for(&self, name: &str) -> bool {
        slug(&self.runtime) == slug(name)
    }
}

/// The split of each of `runtimes` that the environment's gateway routes: ListGateways
/// (+GetGateway) and ListGatewayRules once. No gateway yet means no splits.
pub async fn splits(
    backend: &Backend,
    env: &str,
    runtimes: &[String],
) -> Result<Vec<Split>, BackendError> {
    let environment = backend.environment(env)?.clone();
    let c = backend.clients(env).await?;
    let Some((gw, _)) = find_gateway(&c, &gateway_name(&environment)).await? else {
        return Ok(vec![]);
    };
    let rules: Vec<RuleInfo> = list_rules(&c, &gw)
        .await?
        .iter()
        .map(RuleInfo::from)
        .collect();
    Ok(splits_of(&rules, runtimes))
}

/// Each runtime's split, from the rule `traffic show` reads it from.
fn splits_of(rules: &[RuleInfo], runtimes: &[String]) -> Vec<Split> {
    runtimes
        .iter()
        .filter_map(|runtime| {
            let legs = routing_rule(rules, runtime)?.legs_of(runtime);
            if legs.is_empty() {
                return None;
            }
            let base = slug(runtime);
            let weight = |leg: &str| {
                legs.iter()
                    .find(|(t, _)| *t == format!("{base}-{leg}"))
                    .map_or(0, |(_, w)| *w)
            };
            Some(Split {
                runtime: runtime.clone(),
                stable: weight("stable"),
                canary: weight("canary"),
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rule(priority: i32, paths: &[&str], legs: &[(&str, i32)]) -> RuleInfo {
        RuleInfo {
            id: format!("r{priority}"),
            priority,
            paths: paths.iter().map(|p| (*p).to_string()).collect(),
            conditions: usize::from(!paths.is_empty()),
            description: None,
            legs: legs.iter().map(|(t, w)| ((*t).to_string(), *w)).collect(),
        }
    }

    #[test]
    fn one_read_gives_every_runtime_its_split() {
        let rules = vec![
            rule(2, &["/docs-mcp/*"], &[("docs-mcp-stable", 100)]),
            rule(
                1,
                &["/weather-mcp/*"],
                &[("weather-mcp-stable", 90), ("weather-mcp-canary", 10)],
            ),
            rule(9, &[], &[("somewhere-else", 100)]),
        ];
        let names = ["weather_mcp", "docs_mcp", "new_mcp"].map(String::from);
        let got = splits_of(&rules, &names);
        assert_eq!(
            got,
            [
                Split {
                    runtime: "weather_mcp".into(),
                    stable: 90,
                    canary: 10
                },
                Split {
                    runtime: "docs_mcp".into(),
                    stable: 100,
                    canary: 0
                },
            ]
        );
        assert!(got[0].is_for("weather_mcp") && !got[0].is_for("docs_mcp"));
        assert!(splits_of(&[], &names).is_empty());
    }
}
