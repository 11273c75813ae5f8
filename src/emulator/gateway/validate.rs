//! Gateway input constraints, including the weighted route's.

use serde_json::Value;

use crate::emulator::http::AwsError;

/// `([0-9a-zA-Z][-]?){1,100}`: gateway and target names.
pub fn resource_name(field: &str, v: Option<&Value>) -> Result<String, AwsError> {
    let s = v
        .and_then(Value::as_str)
        .ok_or_else(|| AwsError::field(field, "Member must not be null"))?;
    let ok = !s.is_empty()
        && s.len() <= 200
        && s.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
        && !s.starts_with('-')
        && !s.contains("--");
    ok.then(|| s.to_string()).ok_or_else(|| {
        AwsError::field(
            field,
            format!("'{s}' must match ([0-9a-zA-Z][-]?){{1,100}}"),
        )
    })
}

/// A target configuration: runtime targets must name an existing runtime and qualifier
/// (`runtime_ok(arn, qualifier)` says so: None = no such runtime, Some(false) = bad qualifier).
pub fn target_config(
    config: &Value,
    runtime_ok: impl Fn(&str, Option<&str>) -> Option<bool>,
) -> Result<(), AwsError> {
    const F: &str = "targetConfiguration";
    let obj = config
        .as_object()
        .ok_or_else(|| AwsError::field(F, "Member must not be null"))?;
    if obj.len() != 1 {
        return Err(AwsError::field(
            F,
            "must set exactly one of mcp, http, inference",
        ));
    }
    if let Some(rt) = config.pointer("/http/agentcoreRuntime") {
        let arn = rt.get("arn").and_then(Value::as_str).unwrap_or_default();
        let qualifier = rt.get("qualifier").and_then(Value::as_str);
        return match runtime_ok(arn, qualifier) {
            None => Err(AwsError::field(
                "targetConfiguration.http.agentcoreRuntime.arn",
                format!("no agent runtime {arn}"),
            )),
            Some(false) => Err(AwsError::field(
                "targetConfiguration.http.agentcoreRuntime.qualifier",
                format!(
                    "runtime {arn} has no endpoint or version '{}'",
                    qualifier.unwrap_or_default()
                ),
            )),
            Some(true) => Ok(()),
        };
    }
    Ok(())
}

/// A rule's conditions: absent or up to 2, each exactly one of `matchPaths`, `matchPrincipals`,
/// `matchModels`; `matchPaths.anyOf` holds 1-10 patterns of the form `/[\w\-.]+/\*`.
pub fn conditions(conditions: Option<&Value>) -> Result<(), AwsError> {
    const F: &str = "conditions";
    let Some(list) = conditions else {
        return Ok(());
    };
    let list = list
        .as_array()
        .ok_or_else(|| AwsError::field(F, "must be a list"))?;
    if list.len() > 2 {
        return Err(AwsError::field(
            F,
            format!("must hold at most 2 conditions, not {}", list.len()),
        ));
    }
    for c in list {
        let kinds: Vec<&String> = c
            .as_object()
            .map(|o| o.keys().collect())
            .unwrap_or_default();
        let [kind] = kinds.as_slice() else {
            return Err(AwsError::field(
                F,
                "each condition must set exactly one of matchPaths, matchPrincipals, matchModels",
            ));
        };
        match kind.as_str() {
            "matchPaths" => {
                const P: &str = "conditions.matchPaths.anyOf";
                let patterns = c
                    .pointer("/matchPaths/anyOf")
                    .and_then(Value::as_array)
                    .filter(|a| (1..=10).contains(&a.len()))
                    .ok_or_else(|| AwsError::field(P, "must hold 1 to 10 path patterns"))?;
                for p in patterns {
                    let p = p.as_str().unwrap_or_default();
                    if !path_pattern(p) {
                        return Err(AwsError::field(
                            P,
                            format!("'{p}' must match /[\\w\\-.]+/\\*"),
                        ));
                    }
                }
            }
            "matchPrincipals" | "matchModels" => {}
            other => {
                return Err(AwsError::field(F, format!("unknown condition '{other}'")));
            }
        }
    }
    Ok(())
}

/// `/[\w\-.]+/\*`: one path segment, then everything below it.
fn path_pattern(p: &str) -> bool {
    p.strip_prefix('/')
        .and_then(|p| p.strip_suffix("/*"))
        .is_some_and(|seg| {
            !seg.is_empty()
                && seg
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b"_-.".contains(&b))
        })
}

/// Every target a rule's actions route to.
pub fn rule_targets(actions: &Value) -> Vec<String> {
    let mut out = vec![];
    for a in actions.as_array().into_iter().flatten() {
        if let Some(t) = a
            .pointer("/routeToTarget/staticRoute/targetName")
            .and_then(Value::as_str)
        {
            out.push(t.to_string());
        }
        for e in a
            .pointer("/routeToTarget/weightedRoute/trafficSplit")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            if let Some(t) = e.get("targetName").and_then(Value::as_str) {
                out.push(t.to_string());
            }
        }
    }
    out
}

/// Actions: a static route to an existing target, or a weighted route of exactly two existing
/// targets, each weighted 1-99, summing to 100.
pub fn actions(actions: &Value, targets: &[String]) -> Result<(), AwsError> {
    let list = actions
        .as_array()
        .filter(|a| !a.is_empty())
        .ok_or_else(|| AwsError::field("actions", "must hold at least one action"))?;
    for a in list {
        if let Some(split) = a.pointer("/routeToTarget/weightedRoute/trafficSplit") {
            const F: &str = "actions.routeToTarget.weightedRoute.trafficSplit";
            let entries = split
                .as_array()
                .ok_or_else(|| AwsError::field(F, "must be a list"))?;
            if entries.len() != 2 {
                return Err(AwsError::field(
                    F,
                    format!("must hold exactly 2 entries, not {}", entries.len()),
                ));
            }
            let mut sum = 0;
            for e in entries {
                let w = e.get("weight").and_then(Value::as_i64).unwrap_or(0);
                if !(1..=99).contains(&w) {
                    return Err(AwsError::field(
                        &format!("{F}.weight"),
                        format!("{w} must be between 1 and 99"),
                    ));
                }
                sum += w;
            }
            if sum != 100 {
                return Err(AwsError::field(
                    F,
                    format!("weights must sum to 100, not {sum}"),
                ));
            }
        } else if a.pointer("/routeToTarget/staticRoute/targetName").is_none() {
            return Err(AwsError::field(
                "actions",
                "each action must be routeToTarget with staticRoute or weightedRoute",
            ));
        }
    }
    for t in rule_targets(actions) {
        if !targets.contains(&t) {
            return Err(AwsError::field(
                "actions.routeToTarget",
                format!("no target named '{t}' in the gateway"),
            ));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn weighted(a: i64, b: i64) -> Value {
        json!([{"routeToTarget": {"weightedRoute": {"trafficSplit": [
            {"name": "s", "targetName": "s", "weight": a}, {"name": "c", "targetName": "c", "weight": b}]}}}])
    }

    #[test]
    fn weighted_routes_follow_the_rules() {
        let t = vec!["s".to_string(), "c".to_string()];
        assert!(actions(&weighted(75, 25), &t).is_ok());
        for (a, b) in [(100, 0), (0, 100), (60, 30), (50, 51)] {
            assert!(actions(&weighted(a, b), &t).is_err(), "{a}/{b}");
        }
        let three = json!([{"routeToTarget": {"weightedRoute": {"trafficSplit": [
            {"name": "a", "targetName": "s", "weight": 30}, {"name": "b", "targetName": "c", "weight": 30},
            {"name": "c", "targetName": "c", "weight": 40}]}}}]);
        assert!(actions(&three, &t).is_err());
        assert!(
            actions(&weighted(50, 50), &["s".to_string()]).is_err(),
            "unknown target"
        );
        assert!(
            actions(
                &json!([{"routeToTarget": {"staticRoute": {"targetName": "s"}}}]),
                &t
            )
            .is_ok()
        );
        assert!(resource_name("n", Some(&json!("gw-1"))).is_ok());
        let paths = |p: Value| conditions(Some(&json!([{"matchPaths": {"anyOf": p}}])));
        assert!(paths(json!(["/weather-mcp/*", "/a.b_c/*"])).is_ok());
        for bad in [
            json!([]),
            json!(["/a/b/*"]),
            json!(["/a"]),
            json!(["a/*"]),
            json!(["//*"]),
        ] {
            assert!(paths(bad.clone()).is_err(), "{bad}");
        }
        assert!(conditions(None).is_ok());
        assert!(
            conditions(Some(
                &json!([{"matchPaths": {"anyOf": ["/a/*"]}, "matchModels": {}}])
            ))
            .is_err()
        );
        assert!(conditions(Some(&json!([{}, {}, {}]))).is_err());
        assert!(resource_name("n", Some(&json!("gw_1"))).is_err());
    }
}
