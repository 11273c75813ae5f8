//! Rule resolution for a new gateway session, as AWS documents it ("Add rules to a gateway"):
//! rules in ascending priority, the first whose conditions all hold and which routes to a
//! target decides; a rule without conditions is a catch-all.
//!
//! The request path is the gateway URL's path after the gateway (`/_gateway/<id>` locally, the
//! host on AWS), e.g. `/weather-mcp/invocations`. Only `matchPaths` can hold here:
//! `matchPrincipals` needs a signed caller (the local gateway takes unsigned calls) and
//! `matchModels` an inference request, so rules with those conditions never match locally.

use serde_json::Value;

use crate::emulator::http::AwsError;
use crate::emulator::state::GatewayRec;

/// A MatchPaths pattern against a request path: `*` stands for any run of characters,
/// slashes included; everything else is literal (`/orders/*` matches `/orders/invocations`
/// and `/orders/a/b`, not `/orders` nor `/ordersx/y`).
pub fn glob(pattern: &str, path: &str) -> bool {
    let (p, s) = (pattern.as_bytes(), path.as_bytes());
    let (mut pi, mut si) = (0, 0);
    // Where the last `*` was, and how much of `path` it has eaten so far.
    let mut star: Option<(usize, usize)> = None;
    while si < s.len() {
        if pi < p.len() && p[pi] == b'*' {
            star = Some((pi, si));
            pi += 1;
        } else if pi < p.len() && p[pi] == s[si] {
            pi += 1;
            si += 1;
        } else if let Some((sp, ss)) = star {
            pi = sp + 1;
            si = ss + 1;
            star = Some((sp, ss + 1));
        } else {
            return false;
        }
    }
    p[pi..].iter().all(|&c| c == b'*')
}

/// Whether every condition of a rule holds for a request on `path` (none: a catch-all).
pub fn conditions_hold(conditions: &Value, path: &str) -> bool {
    conditions.as_array().into_iter().flatten().all(|c| {
        match c.pointer("/matchPaths/anyOf").and_then(Value::as_array) {
            Some(patterns) => patterns
                .iter()
                .filter_map(Value::as_str)
                .any(|p| glob(p, path)),
            // matchPrincipals, matchModels: see the module doc.
            None => false,
        }
    })
}

/// The target for a new session on `path`: the first matching rule's static route, or its
/// weighted route with `roll(total)` (a number in `0..total`) choosing the leg. With no rule
/// at all and exactly one target, that target; otherwise no match is an error.
pub fn pick(
    gw: &GatewayRec,
    path: &str,
    mut roll: impl FnMut(i64) -> i64,
) -> Result<String, AwsError> {
    let mut rules: Vec<_> = gw.rules.values().collect();
    rules.sort_by_key(|r| r.priority);
    for r in rules {
        if !conditions_hold(&r.conditions, path) {
            continue;
        }
        for a in r.actions.as_array().into_iter().flatten() {
            if let Some(t) = a
                .pointer("/routeToTarget/staticRoute/targetName")
                .and_then(Value::as_str)
            {
                return Ok(t.to_string());
            }
            if let Some(split) = a
                .pointer("/routeToTarget/weightedRoute/trafficSplit")
                .and_then(Value::as_array)
            {
                let weight = |e: &Value| e.get("weight").and_then(Value::as_i64).unwrap_or(0);
                let total: i64 = split.iter().map(weight).sum();
                let mut left = roll(total.max(1));
                for e in split {
                    if left < weight(e) {
                        return e
                            .get("targetName")
                            .and_then(Value::as_str)
                            .map(str::to_string)
                            .ok_or_else(|| AwsError::internal("bad route"));
                    }
                    left -= weight(e);
                }
            }
        }
    }
    if gw.rules.is_empty()
        && let [only] = gw.targets.values().collect::<Vec<_>>().as_slice()
    {
        return Ok(only.name.clone());
    }
    Err(AwsError::not_found(format!(
        "No rule of gateway {} routes the path {path}: no rule's conditions match it, and no \
         catch-all rule (one without conditions) routes the rest",
        gw.id
    )))
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::emulator::state::{RuleRec, TargetRec};

    #[test]
    fn globs_match_prefixes_and_nothing_else() {
        for (pattern, path, want) in [
            ("/weather/*", "/weather/invocations", true),
            ("/weather/*", "/weather/a/b", true),
            ("/weather/*", "/weather/", true),
            ("/weather/*", "/weather", false),
            ("/weather/*", "/weather-mcp/invocations", false),
            ("/weather/*", "/docs/invocations", false),
            ("/*/invocations", "/docs/invocations", true),
            ("/a*c", "/abbbc", true),
            ("/a*c", "/abbbd", false),
            ("*", "", true),
            ("", "/x", false),
        ] {
            assert_eq!(glob(pattern, path), want, "{pattern} vs {path}");
        }
    }

    fn rule(id: &str, priority: i64, paths: Option<&[&str]>, actions: Value) -> RuleRec {
        RuleRec {
            id: id.into(),
            priority,
            conditions: paths.map_or(json!([]), |p| json!([{"matchPaths": {"anyOf": p}}])),
            actions,
            description: None,
            created_at: String::new(),
            updated_at: String::new(),
        }
    }

    fn to(target: &str) -> Value {
        json!([{"routeToTarget": {"staticRoute": {"targetName": target}}}])
    }

    fn split(a: &str, wa: i64, b: &str, wb: i64) -> Value {
        json!([{"routeToTarget": {"weightedRoute": {"trafficSplit": [
            {"name": a, "targetName": a, "weight": wa}, {"name": b, "targetName": b, "weight": wb}]}}}])
    }

    fn gateway(rules: Vec<RuleRec>, targets: &[&str]) -> GatewayRec {
        GatewayRec {
            id: "gw-1".into(),
            arn: String::new(),
            spec: Default::default(),
            created_at: String::new(),
            updated_at: String::new(),
            targets: targets
                .iter()
                .map(|t| {
                    let rec = TargetRec {
                        id: t.to_uppercase(),
                        name: (*t).into(),
                        description: None,
                        config: json!({}),
                        created_at: String::new(),
                        updated_at: String::new(),
                    };
                    (rec.id.clone(), rec)
                })
                .collect(),
            rules: rules.into_iter().map(|r| (r.id.clone(), r)).collect(),
        }
    }

    #[test]
    fn the_first_rule_by_priority_whose_paths_match_routes_the_session() {
        let gw = gateway(
            vec![
                rule("z", 1_000_000, None, to("fallback")),
                rule("b", 2, Some(&["/beta/*"]), split("b-s", 90, "b-c", 10)),
                rule("a", 1, Some(&["/alpha/*"]), split("a-s", 75, "a-c", 25)),
                rule("p", 0, None, json!([])),
            ],
            &[],
        );
        let pick_at = |path: &str, r: i64| pick(&gw, path, |_| r).ok();
        assert_eq!(pick_at("/alpha/invocations", 0).as_deref(), Some("a-s"));
        assert_eq!(pick_at("/alpha/invocations", 74).as_deref(), Some("a-s"));
        assert_eq!(pick_at("/alpha/invocations", 75).as_deref(), Some("a-c"));
        assert_eq!(pick_at("/beta/invocations", 89).as_deref(), Some("b-s"));
        assert_eq!(pick_at("/beta/invocations", 90).as_deref(), Some("b-c"));
        assert_eq!(
            pick_at("/other/invocations", 0).as_deref(),
            Some("fallback")
        );
    }

    #[test]
    fn no_matching_rule_is_an_error_and_the_only_target_needs_no_rules() {
        let gw = gateway(vec![rule("a", 1, Some(&["/alpha/*"]), to("a-s"))], &["a-s"]);
        let err = pick(&gw, "/beta/invocations", |_| 0).expect_err("no rule");
        assert_eq!(err.code, "ResourceNotFoundException");
        assert!(err.message.contains("/beta/invocations"), "{}", err.message);
        let principals = gateway(
            vec![RuleRec {
                conditions: json!([{"matchPrincipals": {"anyOf": [{"iamPrincipal": {"arn": "x"}}]}}]),
                ..rule("p", 1, None, to("a-s"))
            }],
            &["a-s"],
        );
        assert!(pick(&principals, "/a/invocations", |_| 0).is_err());
        let bare = gateway(vec![], &["only"]);
        assert_eq!(
            pick(&bare, "/anything", |_| 0).ok().as_deref(),
            Some("only")
        );
        let two = gateway(vec![], &["one", "two"]);
        assert!(pick(&two, "/anything", |_| 0).is_err());
    }
}
