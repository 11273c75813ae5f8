//! The posture members of Create/UpdateAgentRuntime, checked as AWS's service model constrains
//! them (botocore's `bedrock-agentcore-control` shapes: `VpcConfig`, `CustomJWTAuthorizer…`,
//! `LifecycleConfiguration`, `RequestHeaderConfiguration`, `ProtocolConfiguration`; port and
//! path from the Rust SDK's documentation). List items are named as AWS names them
//! (`subnets.1.member`, 1-based).

use serde_json::{Map, Value};

use super::super::http::AwsError;

/// Every posture member present in `body`.
pub fn validate(body: &Map<String, Value>) -> Result<(), AwsError> {
    if let Some(v) = present(body, "networkConfiguration") {
        network(v)?;
    }
    if let Some(v) = present(body, "authorizerConfiguration") {
        authorizer(v)?;
    }
    if let Some(v) = present(body, "lifecycleConfiguration") {
        lifecycle(v)?;
    }
    if let Some(v) = present(body, "requestHeaderConfiguration") {
        headers(v)?;
    }
    if let Some(v) = present(body, "protocolConfiguration") {
        protocol(v)?;
    }
    Ok(())
}

fn present<'a>(body: &'a Map<String, Value>, key: &str) -> Option<&'a Value> {
    body.get(key).filter(|v| !v.is_null())
}

fn object<'a>(field: &str, v: &'a Value) -> Result<&'a Map<String, Value>, AwsError> {
    v.as_object()
        .ok_or_else(|| AwsError::field(field, "Member must be a structure"))
}

/// A union: exactly one of `allowed` set.
fn union<'a>(
    field: &str,
    v: &'a Value,
    allowed: &[&str],
) -> Result<(&'a str, &'a Value), AwsError> {
    let o = object(field, v)?;
    let set: Vec<(&String, &Value)> = o.iter().filter(|(_, v)| !v.is_null()).collect();
    match set.as_slice() {
        [(k, v)] if allowed.contains(&k.as_str()) => Ok((k.as_str(), v)),
        _ => Err(AwsError::field(
            field,
            format!(
                "exactly one member must be set, one of: {}",
                allowed.join(", ")
            ),
        )),
    }
}

/// A list of strings with `min..=max` items, each checked by `item`.
fn list<'a>(
    field: &str,
    v: &'a Value,
    min: usize,
    max: Option<usize>,
    item: impl Fn(&str) -> Result<(), String>,
) -> Result<Vec<&'a str>, AwsError> {
    let a = v
        .as_array()
        .ok_or_else(|| AwsError::field(field, "Member must be a list"))?;
    if a.len() < min {
        return Err(AwsError::field(
            field,
            format!("Member must have length greater than or equal to {min}"),
        ));
    }
    if let Some(max) = max.filter(|m| a.len() > *m) {
        return Err(AwsError::field(
            field,
            format!("Member must have length less than or equal to {max}"),
        ));
    }
    a.iter()
        .enumerate()
        .map(|(i, m)| {
            let at = format!("{field}.{}.member", i + 1);
            let s = m
                .as_str()
                .ok_or_else(|| AwsError::field(&at, "Member must be a string"))?;
            item(s).map_err(|msg| AwsError::field(&at, format!("'{s}': {msg}")))?;
            Ok(s)
        })
        .collect()
}

fn any(_: &str) -> Result<(), String> {
    Ok(())
}

/// `<prefix>[0-9a-zA-Z]{8,17}`
fn aws_id(prefix: &'static str) -> impl Fn(&str) -> Result<(), String> {
    move |s: &str| {
        let rest = s.strip_prefix(prefix).unwrap_or_default();
        let ok = s.starts_with(prefix)
            && (8..=17).contains(&rest.len())
            && rest.bytes().all(|b| b.is_ascii_alphanumeric());
        ok.then_some(()).ok_or_else(|| {
            format!("Member must satisfy regular expression pattern: {prefix}[0-9a-zA-Z]{{8,17}}")
        })
    }
}

fn network(v: &Value) -> Result<(), AwsError> {
    const F: &str = "networkConfiguration";
    let o = object(F, v)?;
    let mode = o.get("networkMode").and_then(Value::as_str);
    let config = o.get("networkModeConfig").filter(|c| !c.is_null());
    match (mode, config) {
        (Some("PUBLIC"), _) => {}
        (Some("VPC"), None) => {
            return Err(AwsError::field(
                &format!("{F}.networkModeConfig"),
                "must be set (subnets and securityGroups) when networkMode is VPC",
            ));
        }
        (Some("VPC"), Some(_)) => {}
        _ => {
            return Err(AwsError::field(
                &format!("{F}.networkMode"),
                "Member must satisfy enum value set: [PUBLIC, VPC]",
            ));
        }
    }
    // Kept as given even on PUBLIC: the model does not forbid it and AWS documents no refusal.
    let Some(c) = config else { return Ok(()) };
    let f = format!("{F}.networkModeConfig");
    let c = object(&f, c)?;
    for (key, prefix) in [("subnets", "subnet-"), ("securityGroups", "sg-")] {
        let at = format!("{f}.{key}");
        let v = c
            .get(key)
            .filter(|v| !v.is_null())
            .ok_or_else(|| AwsError::field(&at, "Member must not be null"))?;
        list(&at, v, 1, Some(16), aws_id(prefix))?;
    }
    if let Some(b) = c.get("requireServiceS3Endpoint").filter(|b| !b.is_null())
        && !b.is_boolean()
    {
        return Err(AwsError::field(
            &format!("{f}.requireServiceS3Endpoint"),
            "Member must be a boolean",
        ));
    }
    Ok(())
}

/// `.+/\.well-known/openid-configuration`, the whole value.
fn discovery_url(s: &str) -> Result<(), String> {
    const SUFFIX: &str = "/.well-known/openid-configuration";
    let ok = s.len() > SUFFIX.len() && s.ends_with(SUFFIX) && !s.contains(['\n', '\r']);
    ok.then_some(()).ok_or_else(|| {
        "Member must satisfy regular expression pattern: .+/\\.well-known/openid-configuration"
            .to_string()
    })
}

/// `[\x21\x23-\x5B\x5D-\x7E]+`, 1..255: printable ASCII but space, `"` and `\`.
fn scope(s: &str) -> Result<(), String> {
    let ok = (1..=255).contains(&s.len())
        && s.bytes()
            .all(|b| (0x21..=0x7e).contains(&b) && b != b'"' && b != b'\\');
    ok.then_some(()).ok_or_else(|| {
        "Member must have length 1 to 255 and satisfy regular expression pattern: \
         [\\x21\\x23-\\x5B\\x5D-\\x7E]+"
            .to_string()
    })
}

fn authorizer(v: &Value) -> Result<(), AwsError> {
    const F: &str = "authorizerConfiguration";
    let (_, jwt) = union(F, v, &["customJWTAuthorizer"])?;
    let f = format!("{F}.customJWTAuthorizer");
    let o = object(&f, jwt)?;
    let url = o
        .get("discoveryUrl")
        .and_then(Value::as_str)
        .ok_or_else(|| AwsError::field(&format!("{f}.discoveryUrl"), "Member must not be null"))?;
    discovery_url(url).map_err(|m| AwsError::field(&format!("{f}.discoveryUrl"), m))?;
    for key in ["allowedAudience", "allowedClients"] {
        if let Some(v) = o.get(key).filter(|v| !v.is_null()) {
            list(&format!("{f}.{key}"), v, 1, None, any)?;
        }
    }
    if let Some(v) = o.get("allowedScopes").filter(|v| !v.is_null()) {
        list(&format!("{f}.allowedScopes"), v, 1, None, scope)?;
    }
    if let Some(v) = o.get("customClaims").filter(|v| !v.is_null()) {
        custom_claims(&format!("{f}.customClaims"), v)?;
    }
    Ok(())
}

/// `[A-Za-z0-9_.-]+`, 1..255 (a claim value to match).
fn match_value(s: &str) -> Result<(), String> {
    let ok = (1..=255).contains(&s.len())
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'.' | b'-'));
    ok.then_some(())
        .ok_or_else(|| "Member must satisfy regular expression pattern: [A-Za-z0-9_.-]+".into())
}

fn custom_claims(field: &str, v: &Value) -> Result<(), AwsError> {
    let a = v.as_array().filter(|a| !a.is_empty()).ok_or_else(|| {
        AwsError::field(field, "Member must have length greater than or equal to 1")
    })?;
    for (i, c) in a.iter().enumerate() {
        let f = format!("{field}.{}.member", i + 1);
        let name = c.get("inboundTokenClaimName").and_then(Value::as_str);
        // `[A-Za-z0-9_.-:]+`: the `.-:` is a range, so `/` and digits through `:` pass too.
        let name_ok = name.is_some_and(|n| {
            (1..=255).contains(&n.len())
                && n.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'_' || (b'.'..=b':').contains(&b))
        });
        if !name_ok {
            return Err(AwsError::field(
                &format!("{f}.inboundTokenClaimName"),
                "Member must satisfy regular expression pattern: [A-Za-z0-9_.-:]+",
            ));
        }
        let kind = c.get("inboundTokenClaimValueType").and_then(Value::as_str);
        if !matches!(kind, Some("STRING" | "STRING_ARRAY")) {
            return Err(AwsError::field(
                &format!("{f}.inboundTokenClaimValueType"),
                "Member must satisfy enum value set: [STRING, STRING_ARRAY]",
            ));
        }
        let m = format!("{f}.authorizingClaimMatchValue");
        let matcher = c
            .get("authorizingClaimMatchValue")
            .ok_or_else(|| AwsError::field(&m, "Member must not be null"))?;
        let op = matcher.get("claimMatchOperator").and_then(Value::as_str);
        if !matches!(op, Some("EQUALS" | "CONTAINS" | "CONTAINS_ANY")) {
            return Err(AwsError::field(
                &format!("{m}.claimMatchOperator"),
                "Member must satisfy enum value set: [EQUALS, CONTAINS, CONTAINS_ANY]",
            ));
        }
        let vf = format!("{m}.claimMatchValue");
        let value = matcher
            .get("claimMatchValue")
            .ok_or_else(|| AwsError::field(&vf, "Member must not be null"))?;
        match union(&vf, value, &["matchValueString", "matchValueStringList"])? {
            ("matchValueString", s) => {
                let s = s.as_str().unwrap_or_default();
                match_value(s)
                    .map_err(|e| AwsError::field(&format!("{vf}.matchValueString"), e))?;
            }
            (_, l) => {
                list(
                    &format!("{vf}.matchValueStringList"),
                    l,
                    1,
                    None,
                    match_value,
                )?;
            }
        }
    }
    Ok(())
}

fn lifecycle(v: &Value) -> Result<(), AwsError> {
    let o = object("lifecycleConfiguration", v)?;
    for key in ["idleRuntimeSessionTimeout", "maxLifetime"] {
        if let Some(v) = o.get(key).filter(|v| !v.is_null()) {
            let f = format!("lifecycleConfiguration.{key}");
            let n = v
                .as_i64()
                .ok_or_else(|| AwsError::field(&f, "Member must be an integer"))?;
            if n < 60 {
                return Err(AwsError::field(
                    &f,
                    "Member must have value greater than or equal to 60",
                ));
            }
            if n > 28_800 {
                return Err(AwsError::field(
                    &f,
                    "Member must have value less than or equal to 28800",
                ));
            }
        }
    }
    Ok(())
}

/// `[A-Za-z][A-Za-z0-9_-]{0,255}`
fn header_name(s: &str) -> Result<(), String> {
    let ok = s.len() <= 256
        && s.bytes().next().is_some_and(|b| b.is_ascii_alphabetic())
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-');
    ok.then_some(()).ok_or_else(|| {
        "Member must satisfy regular expression pattern: [A-Za-z][A-Za-z0-9_-]{0,255}".into()
    })
}

fn headers(v: &Value) -> Result<(), AwsError> {
    const F: &str = "requestHeaderConfiguration";
    let (_, l) = union(F, v, &["requestHeaderAllowlist"])?;
    list(
        &format!("{F}.requestHeaderAllowlist"),
        l,
        1,
        Some(20),
        header_name,
    )?;
    Ok(())
}

fn protocol(v: &Value) -> Result<(), AwsError> {
    const F: &str = "protocolConfiguration";
    let o = object(F, v)?;
    let proto = o.get("serverProtocol").and_then(Value::as_str);
    if !matches!(proto, Some("HTTP" | "MCP" | "A2A" | "AGUI")) {
        return Err(AwsError::field(
            &format!("{F}.serverProtocol"),
            "Member must satisfy enum value set: [MCP, HTTP, A2A, AGUI]",
        ));
    }
    if let Some(p) = o.get("port").filter(|p| !p.is_null()) {
        let ok = p
            .as_i64()
            .is_some_and(|n| (8000..=12_000).contains(&n) && n != 8443);
        if !ok {
            return Err(AwsError::field(
                &format!("{F}.port"),
                "must be between 8000 and 12000, excluding the reserved port 8443",
            ));
        }
    }
    if let Some(p) = o.get("path").filter(|p| !p.is_null())
        && !p.as_str().is_some_and(|s| s.starts_with('/'))
    {
        return Err(AwsError::field(&format!("{F}.path"), "must begin with /"));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn check(v: Value) -> Result<(), AwsError> {
        validate(v.as_object().expect("object"))
    }

    #[test]
    fn good_postures_pass() {
        check(json!({
            "networkConfiguration": {"networkMode": "VPC", "networkModeConfig": {
                "subnets": ["subnet-0123456789abcdef0"], "securityGroups": ["sg-01234567"],
                "requireServiceS3Endpoint": true}},
            "authorizerConfiguration": {"customJWTAuthorizer": {
                "discoveryUrl": "http://127.0.0.1:1/_local/oidc/.well-known/openid-configuration",
                "allowedAudience": ["api"], "allowedClients": ["c"], "allowedScopes": ["read:all"],
                "customClaims": [{"inboundTokenClaimName": "groups", "inboundTokenClaimValueType": "STRING_ARRAY",
                    "authorizingClaimMatchValue": {"claimMatchOperator": "CONTAINS_ANY",
                        "claimMatchValue": {"matchValueStringList": ["admins", "ops"]}}}]}},
            "lifecycleConfiguration": {"idleRuntimeSessionTimeout": 60, "maxLifetime": 28800},
            "requestHeaderConfiguration": {"requestHeaderAllowlist": ["Authorization", "X-Amzn-Bedrock-AgentCore-Runtime-Custom-Foo"]},
            "protocolConfiguration": {"serverProtocol": "MCP", "port": 8000, "path": "/mcp"}
        }))
        .expect("valid");
        check(json!({"networkConfiguration": {"networkMode": "PUBLIC"}})).expect("public");
    }

    #[test]
    fn each_bad_member_is_named() {
        let vpc = |subnets: Value, sgs: Value| json!({"networkConfiguration": {"networkMode": "VPC", "networkModeConfig": {"subnets": subnets, "securityGroups": sgs}}});
        let jwt = |a: Value| json!({"authorizerConfiguration": {"customJWTAuthorizer": a}});
        let many: Vec<String> = (0..17).map(|i| format!("subnet-{i:08}")).collect();
        let cases = [
            (
                json!({"networkConfiguration": {"networkMode": "PRIVATE"}}),
                "networkMode",
            ),
            (
                json!({"networkConfiguration": {"networkMode": "VPC"}}),
                "networkModeConfig",
            ),
            (vpc(json!([]), json!(["sg-01234567"])), "subnets"),
            (vpc(json!(many), json!(["sg-01234567"])), "subnets"),
            (
                vpc(json!(["subnet-1"]), json!(["sg-01234567"])),
                "subnets.1.member",
            ),
            (
                vpc(json!(["subnet-01234567"]), json!(["sg-01234567", "sg_bad"])),
                "securityGroups.2.member",
            ),
            (
                json!({"networkConfiguration": {"networkMode": "VPC", "networkModeConfig": {"subnets": ["subnet-01234567"]}}}),
                "securityGroups",
            ),
            (jwt(json!({"allowedClients": ["c"]})), "discoveryUrl"),
            (
                jwt(json!({"discoveryUrl": "https://idp.example.com/openid"})),
                "discoveryUrl",
            ),
            (
                jwt(json!({"discoveryUrl": "/.well-known/openid-configuration"})),
                "discoveryUrl",
            ),
            (
                jwt(
                    json!({"discoveryUrl": "https://i/.well-known/openid-configuration", "allowedAudience": []}),
                ),
                "allowedAudience",
            ),
            (
                jwt(
                    json!({"discoveryUrl": "https://i/.well-known/openid-configuration", "allowedClients": [1]}),
                ),
                "allowedClients.1.member",
            ),
            (
                jwt(
                    json!({"discoveryUrl": "https://i/.well-known/openid-configuration", "allowedScopes": ["a b"]}),
                ),
                "allowedScopes.1.member",
            ),
            (
                jwt(
                    json!({"discoveryUrl": "https://i/.well-known/openid-configuration", "customClaims": [{"inboundTokenClaimName": "g", "inboundTokenClaimValueType": "NUMBER"}]}),
                ),
                "inboundTokenClaimValueType",
            ),
            (
                json!({"authorizerConfiguration": {"oauth": {}}}),
                "authorizerConfiguration",
            ),
            (
                json!({"lifecycleConfiguration": {"idleRuntimeSessionTimeout": 59}}),
                "idleRuntimeSessionTimeout",
            ),
            (
                json!({"lifecycleConfiguration": {"maxLifetime": 28801}}),
                "maxLifetime",
            ),
            (
                json!({"lifecycleConfiguration": {"maxLifetime": "1h"}}),
                "maxLifetime",
            ),
            (
                json!({"requestHeaderConfiguration": {"requestHeaderAllowlist": []}}),
                "requestHeaderAllowlist",
            ),
            (
                json!({"requestHeaderConfiguration": {"requestHeaderAllowlist": ["1x"]}}),
                "requestHeaderAllowlist.1.member",
            ),
            (
                json!({"requestHeaderConfiguration": {"requestHeaderAllowlist": vec!["X-A"; 21]}}),
                "requestHeaderAllowlist",
            ),
            (
                json!({"protocolConfiguration": {"serverProtocol": "GRPC"}}),
                "serverProtocol",
            ),
            (
                json!({"protocolConfiguration": {"serverProtocol": "MCP", "port": 8443}}),
                "port",
            ),
            (
                json!({"protocolConfiguration": {"serverProtocol": "MCP", "path": "mcp"}}),
                "path",
            ),
        ];
        for (body, field) in cases {
            let e = check(body.clone()).expect_err(&body.to_string());
            assert_eq!(e.code, "ValidationException", "{body}");
            assert!(e.message.contains(field), "{body}: {}", e.message);
        }
    }
}
