//! The path scheme, and the pure side of the gateway rules: which rule carries a runtime's
//! split, and which priority a new rule takes.
//!
//! Path scheme: the environment's gateway serves every runtime, each below its own path, in
//! the target-name style AWS uses for gateway invocation URLs
//! (`https://<gw>.gateway.bedrock-agentcore.<region>.amazonaws.com/<name>/invocations`):
//! runtime `weather_mcp` is called at `<gatewayUrl>/weather-mcp/invocations` (the slug: `_` →
//! `-`, as gateway resource names must be). Its rule has the condition
//! `matchPaths: {anyOf: ["/weather-mcp/*"]}` (AWS's pattern form `/[\w\-.]+/\*`) and routes to
//! its targets `weather-mcp-stable` / `weather-mcp-canary`. Each runtime's rule takes the lowest
//! priority no other rule of the gateway holds when it is created, and keeps it on updates. A
//! rule without conditions stays a catch-all for every path, so one made by hand at the end
//! (e.g. priority 1,000,000) still takes what no runtime's rule matches.

use aws_sdk_bedrockagentcorecontrol::types::{
    Action, Condition, GatewayRuleDetail, RouteToTargetAction,
};

/// How the console describes the rule it keeps for a runtime.
const MARKER: &str = "agentcore-console canary split for ";

/// A runtime name as gateway resource names and paths spell it.
pub fn slug(runtime: &str) -> String {
    runtime.replace('_', "-")
}

/// The MatchPaths pattern of a runtime's rule: `/<slug>/*`.
pub fn path_pattern(runtime: &str) -> String {
    format!("/{}/*", slug(runtime))
}

/// Where a runtime is called through the gateway: `<gateway URL>/<slug>/invocations`. A
/// trailing `/mcp` (an MCP gateway's endpoint, which AWS reports as the URL) is not part of it.
pub fn invocation_url(gateway_url: &str, runtime: &str) -> String {
    let root = gateway_url.trim_end_matches('/');
    let root = root.strip_suffix("/mcp").unwrap_or(root);
    format!("{root}/{}/invocations", slug(runtime))
}

/// The description of the console's rule for a runtime.
pub fn marker(runtime: &str) -> String {
    format!("{MARKER}{runtime}")
}

/// What the console needs of a gateway rule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RuleInfo {
    pub id: String,
    pub priority: i32,
    /// The patterns of its MatchPaths conditions.
    pub paths: Vec<String>,
    /// How many conditions it has: none makes it a catch-all.
    pub conditions: usize,
    pub description: Option<String>,
    /// Where its route sends new sessions: (target, percent); a static route is 100.
    pub legs: Vec<(String, i32)>,
}

impl From<&GatewayRuleDetail> for RuleInfo {
    fn from(r: &GatewayRuleDetail) -> Self {
        let paths = r
            .conditions()
            .iter()
            .filter_map(|c| match c {
                Condition::MatchPaths(m) => Some(m.any_of().to_vec()),
                _ => None,
            })
            .flatten()
            .collect();
        let legs = r
            .actions()
            .iter()
            .flat_map(|a| match a {
                Action::RouteToTarget(RouteToTargetAction::WeightedRoute(w)) => w
                    .traffic_split()
                    .iter()
                    .map(|e| (e.target_name().to_string(), e.weight()))
                    .collect(),
                Action::RouteToTarget(RouteToTargetAction::StaticRoute(s)) => {
                    vec![(s.target_name().to_string(), 100)]
                }
                _ => vec![],
            })
            .collect();
        Self {
            id: r.rule_id().to_string(),
            priority: r.priority(),
            paths,
            conditions: r.conditions().len(),
            description: r.description().map(str::to_string),
            legs,
        }
    }
}

impl RuleInfo {
    /// The runtime (name) whose console rule this is, by its description.
    fn marked_for(&self) -> Option<&str> {
        self.description.as_deref()?.strip_prefix(MARKER)
    }

    /// The legs of this rule that go to `runtime`'s stable and canary targets.
    pub fn legs_of(&self, runtime: &str) -> Vec<(String, i32)> {
        let base = slug(runtime);
        let ours = [format!("{base}-stable"), format!("{base}-canary")];
        self.legs
            .iter()
            .filter(|(t, _)| ours.contains(t))
            .cloned()
            .collect()
    }
}

fn by_priority(rules: &[RuleInfo]) -> Vec<&RuleInfo> {
    let mut sorted: Vec<&RuleInfo> = rules.iter().collect();
    sorted.sort_by_key(|r| r.priority);
    sorted
}

/// The rule that carries `runtime`'s split, the one the console writes (by priority, first):
/// the console's rule for the runtime (by its description, [`marker`]; a catch-all if it is
/// from before the path scheme), else a rule whose only condition is the runtime's path
/// pattern. A rule with more conditions (principals, other paths) was made for something
/// else and is not rewritten.
pub fn own_rule<'a>(rules: &'a [RuleInfo], runtime: &str) -> Option<&'a RuleInfo> {
    let (pattern, base) = (path_pattern(runtime), slug(runtime));
    let sorted = by_priority(rules);
    sorted
        .iter()
        .find(|r| r.marked_for().is_some_and(|m| slug(m) == base))
        .or_else(|| {
            sorted
                .iter()
                .find(|r| r.conditions == 1 && r.paths == [pattern.as_str()])
        })
        .copied()
}

/// The rule to read `runtime`'s split from: its own, else the first (by priority) that routes
/// to its targets, as a rule written by hand may.
pub fn routing_rule<'a>(rules: &'a [RuleInfo], runtime: &str) -> Option<&'a RuleInfo> {
    own_rule(rules, runtime).or_else(|| {
        by_priority(rules)
            .into_iter()
            .find(|r| !r.legs_of(runtime).is_empty())
    })
}

/// The priority a new rule takes: the lowest that no rule of the gateway holds.
pub fn free_priority(rules: &[RuleInfo]) -> i32 {
    let mut taken: Vec<i32> = rules.iter().map(|r| r.priority).collect();
    taken.sort_unstable();
    let mut p = 1;
    for t in taken {
        if t == p {
            p += 1;
        } else if t > p {
            break;
        }
    }
    p
}

/// The console's catch-all rules for runtimes other than `runtime`, from before the path
/// scheme, with the runtime each is for: left as they are they would take every path, so
/// each gets its runtime's path condition.
pub fn legacy_catch_alls<'a>(rules: &'a [RuleInfo], runtime: &str) -> Vec<(&'a RuleInfo, String)> {
    let base = slug(runtime);
    rules
        .iter()
        .filter(|r| r.conditions == 0)
        .filter_map(|r| Some((r, r.marked_for()?.to_string())))
        .filter(|(_, m)| slug(m) != base)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rule(
        id: &str,
        priority: i32,
        paths: &[&str],
        desc: Option<&str>,
        legs: &[(&str, i32)],
    ) -> RuleInfo {
        RuleInfo {
            id: id.into(),
            priority,
            paths: paths.iter().map(|p| (*p).to_string()).collect(),
            conditions: usize::from(!paths.is_empty()),
            description: desc.map(str::to_string),
            legs: legs.iter().map(|(t, w)| ((*t).to_string(), *w)).collect(),
        }
    }

    #[test]
    fn the_path_scheme() {
        assert_eq!(path_pattern("weather_mcp"), "/weather-mcp/*");
        for url in [
            "http://h/_gateway/g",
            "http://h/_gateway/g/",
            "http://h/_gateway/g/mcp",
        ] {
            assert_eq!(
                invocation_url(url, "weather_mcp"),
                "http://h/_gateway/g/weather-mcp/invocations"
            );
        }
        assert_eq!(
            invocation_url(
                "https://g.gateway.bedrock-agentcore.us-east-1.amazonaws.com",
                "a"
            ),
            "https://g.gateway.bedrock-agentcore.us-east-1.amazonaws.com/a/invocations"
        );
        assert_eq!(
            marker("weather_mcp"),
            "agentcore-console canary split for weather_mcp"
        );
    }

    #[test]
    fn each_runtime_finds_its_own_rule() {
        let rules = vec![
            rule(
                "legacy",
                1,
                &[],
                Some(&marker("alpha")),
                &[("alpha-stable", 100)],
            ),
            rule(
                "b",
                2,
                &["/beta/*"],
                Some(&marker("beta")),
                &[("beta-stable", 90), ("beta-canary", 10)],
            ),
            rule(
                "hand",
                3,
                &["/gamma/*", "/x/*"],
                None,
                &[("gamma-stable", 100)],
            ),
            rule("z", 4, &["/zeta/*"], None, &[("zeta-stable", 100)]),
            rule(
                "catch",
                1_000_000,
                &[],
                Some("default"),
                &[("delta-stable", 100)],
            ),
        ];
        let id = |r: Option<&RuleInfo>| r.map(|r| r.id.clone());
        assert_eq!(id(own_rule(&rules, "alpha")).as_deref(), Some("legacy"));
        assert_eq!(id(own_rule(&rules, "beta")).as_deref(), Some("b"));
        assert_eq!(
            own_rule(&rules, "gamma"),
            None,
            "made for more than the runtime's path"
        );
        assert_eq!(id(routing_rule(&rules, "gamma")).as_deref(), Some("hand"));
        assert_eq!(
            id(own_rule(&rules, "zeta")).as_deref(),
            Some("z"),
            "by its path"
        );
        assert_eq!(own_rule(&rules, "delta"), None, "not ours to write");
        assert_eq!(id(routing_rule(&rules, "delta")).as_deref(), Some("catch"));
        assert_eq!(routing_rule(&rules, "epsilon"), None);
        assert_eq!(
            rules[1].legs_of("beta"),
            [
                ("beta-stable".to_string(), 90),
                ("beta-canary".to_string(), 10)
            ]
        );
        assert!(rules[1].legs_of("alpha").is_empty());
        let legacy: Vec<_> = legacy_catch_alls(&rules, "beta")
            .into_iter()
            .map(|(r, name)| (r.id.clone(), name))
            .collect();
        assert_eq!(legacy, [("legacy".to_string(), "alpha".to_string())]);
        assert!(
            legacy_catch_alls(&rules, "alpha").is_empty(),
            "its own is updated, not migrated"
        );
    }

    #[test]
    fn a_new_rule_takes_the_lowest_free_priority() {
        let at = |ps: &[i32]| {
            let rules: Vec<_> = ps.iter().map(|p| rule("r", *p, &[], None, &[])).collect();
            free_priority(&rules)
        };
        assert_eq!(at(&[]), 1);
        assert_eq!(at(&[1]), 2);
        assert_eq!(at(&[2, 1, 4]), 3);
        assert_eq!(at(&[1_000_000]), 1);
        assert_eq!(at(&[5]), 1);
    }
}
