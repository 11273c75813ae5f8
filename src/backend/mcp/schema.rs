//! Tool arguments are checked against the tool's input schema before anything is sent.

use serde_json::{Map, Value};

/// Every violation of `schema` by `args`, as `path: message` lines; empty when valid.
pub fn violations(schema: &Map<String, Value>, args: &Value) -> Result<Vec<String>, String> {
    let schema = Value::Object(schema.clone());
    let validator = jsonschema::validator_for(&schema)
        .map_err(|e| format!("the tool's input schema is not a valid JSON Schema: {e}"))?;
    Ok(validator
        .iter_errors(args)
        .map(|e| {
            let path = e.instance_path().to_string();
            let at = if path.is_empty() {
                "arguments".to_string()
            } else {
                format!("arguments{path}")
            };
            format!("{at}: {e}")
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn nested_violations_name_their_path() {
        let schema = json!({
            "type": "object",
            "properties": {
                "title": {"type": "string"},
                "customer": {"type": "object", "properties": {"email": {"type": "string"}}, "required": ["email"]}
            },
            "required": ["title", "customer"],
            "additionalProperties": false
        });
        let schema = schema.as_object().expect("object");
        assert!(
            violations(schema, &json!({"title": "x", "customer": {"email": "a@b"}}))
                .expect("ok")
                .is_empty()
        );
        let v =
            violations(schema, &json!({"title": 5, "customer": {}, "extra": 1})).expect("checked");
        assert_eq!(v.len(), 3, "{v:?}");
        assert!(v.iter().any(|m| m.starts_with("arguments/title")), "{v:?}");
        assert!(
            v.iter()
                .any(|m| m.starts_with("arguments/customer") && m.contains("email")),
            "{v:?}"
        );
    }
}
