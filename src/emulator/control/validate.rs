//! Input constraints of the AgentCore control plane (from the service model).

use serde_json::{Map, Value};

use super::super::http::AwsError;

/// The members of Create/UpdateAgentRuntime that make up a version's configuration.
pub const CONFIG_KEYS: &[&str] = &[
    "agentRuntimeArtifact",
    "roleArn",
    "networkConfiguration",
    "protocolConfiguration",
    "authorizerConfiguration",
    "requestHeaderConfiguration",
    "lifecycleConfiguration",
    "environmentVariables",
    "description",
    "metadataConfiguration",
    "filesystemConfigurations",
    "capacityProviderConfiguration",
    "platformVersion",
    "allowedPorts",
];

const LANGUAGE_RUNTIMES: &[&str] = &[
    "PYTHON_3_10",
    "PYTHON_3_11",
    "PYTHON_3_12",
    "PYTHON_3_13",
    "PYTHON_3_14",
    "NODE_22",
];

/// `[a-zA-Z][a-zA-Z0-9_]{0,47}`: runtime and endpoint names.
pub fn name(field: &str, v: &str) -> Result<(), AwsError> {
    let mut chars = v.chars();
    let ok = chars.next().is_some_and(|c| c.is_ascii_alphabetic())
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
        && v.len() <= 48;
    ok.then_some(()).ok_or_else(|| {
        AwsError::field(
            field,
            format!("'{v}' must match [a-zA-Z][a-zA-Z0-9_]{{0,47}}"),
        )
    })
}

/// `[1-9][0-9]{0,4}`
pub fn version(field: &str, v: &str) -> Result<u32, AwsError> {
    let ok = !v.is_empty()
        && v.len() <= 5
        && !v.starts_with('0')
        && v.bytes().all(|b| b.is_ascii_digit());
    ok.then(|| v.parse().ok())
        .flatten()
        .ok_or_else(|| AwsError::field(field, format!("'{v}' must match [1-9][0-9]{{0,4}}")))
}

/// `clientToken`: 33-256 characters, `[a-zA-Z0-9](-*[a-zA-Z0-9]){0,256}`.
pub fn client_token(v: &str) -> Result<(), AwsError> {
    let ok = (33..=256).contains(&v.len())
        && v.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
        && !v.starts_with('-')
        && !v.ends_with('-');
    ok.then_some(())
        .ok_or_else(|| AwsError::field("clientToken", "must be 33-256 letters, digits or '-'"))
}

pub fn string<'a>(body: &'a Map<String, Value>, key: &str) -> Result<Option<&'a str>, AwsError> {
    match body.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s)),
        Some(_) => Err(AwsError::field(key, "must be a string")),
    }
}

pub fn required<'a>(body: &'a Map<String, Value>, key: &str) -> Result<&'a str, AwsError> {
    string(body, key)?.ok_or_else(|| AwsError::field(key, "Member must not be null"))
}

fn len(field: &str, v: &str, min: usize, max: usize) -> Result<(), AwsError> {
    let n = v.chars().count();
    (min..=max)
        .contains(&n)
        .then_some(())
        .ok_or_else(|| AwsError::field(field, format!("length must be between {min} and {max}")))
}

/// Validate the configuration of a Create/UpdateAgentRuntime body and keep only its members.
pub fn runtime_config(body: &Map<String, Value>) -> Result<Map<String, Value>, AwsError> {
    artifact(body.get("agentRuntimeArtifact"))?;
    let role = required(body, "roleArn")?;
    let role_ok = role.starts_with("arn:aws") && role.contains(":iam::") && role.contains(":role/");
    if !role_ok {
        return Err(AwsError::field(
            "roleArn",
            format!("'{role}' is not an IAM role ARN"),
        ));
    }
    len("roleArn", role, 1, 2048)?;
    if let Some(d) = string(body, "description")? {
        len("description", d, 1, 4096)?;
    }
    super::posture::validate(body)?;
    if let Some(env) = body.get("environmentVariables") {
        let map = env
            .as_object()
            .ok_or_else(|| AwsError::field("environmentVariables", "must be a map"))?;
        if map.len() > 50 || map.values().any(|v| !v.is_string()) {
            return Err(AwsError::field(
                "environmentVariables",
                "must be at most 50 string values",
            ));
        }
    }
    let mut config: Map<String, Value> = CONFIG_KEYS
        .iter()
        .filter_map(|k| {
            body.get(*k)
                .filter(|v| !v.is_null())
                .map(|v| (k.to_string(), v.clone()))
        })
        .collect();
    config
        .entry("networkConfiguration")
        .or_insert_with(|| serde_json::json!({ "networkMode": "PUBLIC" }));
    Ok(config)
}

fn artifact(v: Option<&Value>) -> Result<(), AwsError> {
    const F: &str = "agentRuntimeArtifact";
    let a = v
        .and_then(Value::as_object)
        .ok_or_else(|| AwsError::field(F, "Member must not be null"))?;
    let members: Vec<&String> = a.keys().collect();
    match members.as_slice() {
        [k] if k.as_str() == "containerConfiguration" => {
            let uri = a[*k]
                .get("containerUri")
                .and_then(Value::as_str)
                .unwrap_or_default();
            len(
                "agentRuntimeArtifact.containerConfiguration.containerUri",
                uri,
                1,
                1024,
            )
        }
        [k] if k.as_str() == "codeConfiguration" => code(&a[*k]),
        _ => Err(AwsError::field(
            F,
            "must set exactly one of containerConfiguration, codeConfiguration",
        )),
    }
}

fn code(c: &Value) -> Result<(), AwsError> {
    const F: &str = "agentRuntimeArtifact.codeConfiguration";
    let s3 = c
        .pointer("/code/s3")
        .ok_or_else(|| AwsError::field(&format!("{F}.code"), "must set s3"))?;
    for key in ["bucket", "prefix"] {
        let v = s3.get(key).and_then(Value::as_str).unwrap_or_default();
        if v.is_empty() {
            return Err(AwsError::field(
                &format!("{F}.code.s3.{key}"),
                "Member must not be null",
            ));
        }
    }
    let rt = c.get("runtime").and_then(Value::as_str).unwrap_or_default();
    if !LANGUAGE_RUNTIMES.contains(&rt) {
        return Err(AwsError::field(
            &format!("{F}.runtime"),
            format!("must be one of {}", LANGUAGE_RUNTIMES.join(", ")),
        ));
    }
    let entry = c.get("entryPoint").and_then(Value::as_array);
    let ok = entry.is_some_and(|e| {
        (1..=2).contains(&e.len())
            && e.iter()
                .all(|p| p.as_str().is_some_and(|s| (1..=128).contains(&s.len())))
    });
    ok.then_some(()).ok_or_else(|| {
        AwsError::field(
            &format!("{F}.entryPoint"),
            "must hold 1-2 strings of 1-128 characters",
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn body(v: Value) -> Map<String, Value> {
        v.as_object().cloned().expect("object")
    }

    fn good() -> Value {
        json!({
            "agentRuntimeArtifact": {"codeConfiguration": {"code": {"s3": {"bucket": "b", "prefix": "k.zip"}},
                "runtime": "PYTHON_3_12", "entryPoint": ["main.py"]}},
            "roleArn": "arn:aws:iam::123456789012:role/R",
            "unknownMember": 1
        })
    }

    #[test]
    fn accepts_a_code_artifact_and_defaults_the_network() {
        let c = runtime_config(&body(good())).expect("valid");
        assert_eq!(c["networkConfiguration"]["networkMode"], "PUBLIC");
        assert!(!c.contains_key("unknownMember"));
    }

    #[test]
    fn rejects_bad_members_naming_the_field() {
        let cases = [
            ("/roleArn", json!("nope"), "roleArn"),
            (
                "/agentRuntimeArtifact/codeConfiguration/runtime",
                json!("RUBY"),
                "runtime",
            ),
            (
                "/agentRuntimeArtifact/codeConfiguration/entryPoint",
                json!([]),
                "entryPoint",
            ),
            (
                "/agentRuntimeArtifact/codeConfiguration/code/s3/bucket",
                json!(""),
                "bucket",
            ),
        ];
        for (ptr, v, field) in cases {
            let mut b = good();
            *b.pointer_mut(ptr).expect("pointer") = v;
            let e = runtime_config(&body(b)).expect_err(ptr);
            assert_eq!(e.code, "ValidationException");
            assert!(e.message.contains(field), "{}", e.message);
        }
        let mut both = good();
        both["agentRuntimeArtifact"]["containerConfiguration"] = json!({"containerUri": "x"});
        assert!(runtime_config(&body(both)).is_err());
    }

    #[test]
    fn names_versions_and_tokens() {
        assert!(name("n", "my_mcp").is_ok());
        assert!(name("n", "my-mcp").is_err());
        assert!(name("n", "1abc").is_err());
        assert!(name("n", &"a".repeat(49)).is_err());
        assert_eq!(version("v", "12").ok(), Some(12));
        assert!(version("v", "0").is_err());
        assert!(version("v", "01").is_err());
        assert!(client_token(&"a".repeat(33)).is_ok());
        assert!(client_token("short").is_err());
    }
}
