//! Reading a JSON Schema before it becomes a form: `$ref`s followed (into `$defs`,
//! `definitions` or any local pointer) and `allOf`s merged, at most `MAX_DEPTH` deep, plus
//! the keyword helpers the builder shares (`type` lists, `oneOf` branches without null).

use serde_json::Value;

/// References followed (and `allOf`s merged) at one node before giving up.
const MAX_DEPTH: usize = 32;

/// The schema with its top-level `$ref`s followed and `allOf`s merged, and the references
/// followed on the way.
pub(super) fn flatten(
    root: &Value,
    schema: &Value,
    depth: usize,
) -> Result<(Value, Vec<String>), String> {
    if depth > MAX_DEPTH {
        return Err("too deeply nested: edit as JSON".into());
    }
    let mut refs = vec![];
    let mut s = schema.clone();
    if let Some(r) = schema.get("$ref").and_then(Value::as_str) {
        let target = lookup(root, r).ok_or_else(|| format!("unresolved $ref {r}"))?;
        let (t, more) = flatten(root, target, depth + 1)?;
        refs.push(r.to_string());
        refs.extend(more);
        s = merge(t, &without(schema, &["$ref"]));
    }
    if let Some(parts) = s.get("allOf").and_then(Value::as_array).cloned() {
        let mut merged = without(&s, &["allOf"]);
        for p in &parts {
            let (p, more) = flatten(root, p, depth + 1)?;
            refs.extend(more);
            merged = merge(merged, &p);
        }
        s = merged;
    }
    Ok((s, refs))
}

/// `#/$defs/Name`, `#/definitions/Name`, or any local JSON pointer.
fn lookup<'v>(root: &'v Value, r: &str) -> Option<&'v Value> {
    match r.strip_prefix('#')? {
        "" => Some(root),
        pointer => root.pointer(pointer),
    }
}

/// `b` over `a`: properties and required united, other keywords from `a` unless missing.
pub fn merge(mut a: Value, b: &Value) -> Value {
    let (Some(am), Some(bm)) = (a.as_object_mut(), b.as_object()) else {
        return a;
    };
    for (k, v) in bm {
        match (k.as_str(), am.get_mut(k), v) {
            ("properties", Some(Value::Object(ap)), Value::Object(bp)) => {
                for (pk, pv) in bp {
                    ap.entry(pk.clone()).or_insert_with(|| pv.clone());
                }
            }
            ("required", Some(Value::Array(ar)), Value::Array(br)) => {
                for r in br {
                    if !ar.contains(r) {
                        ar.push(r.clone());
                    }
                }
            }
            (_, Some(_), _) => {}
            (_, None, _) => {
                am.insert(k.clone(), v.clone());
            }
        }
    }
    a
}

pub(super) fn without(s: &Value, keys: &[&str]) -> Value {
    let mut s = s.clone();
    if let Some(m) = s.as_object_mut() {
        for k in keys {
            m.remove(*k);
        }
    }
    s
}

pub(super) fn types(s: &Value) -> Vec<String> {
    match s.get("type") {
        Some(Value::String(t)) => vec![t.clone()],
        Some(Value::Array(ts)) => ts
            .iter()
            .filter_map(Value::as_str)
            .map(str::to_string)
            .collect(),
        _ => vec![],
    }
}

/// The branches of a `oneOf`/`anyOf` without `{"type": "null"}` ones, and whether there was one.
pub(super) fn null_free(v: Option<&Value>) -> Option<(Vec<Value>, bool)> {
    let all = v?.as_array()?;
    let is_null = |b: &Value| b.get("type").and_then(Value::as_str) == Some("null");
    let rest: Vec<Value> = all.iter().filter(|b| !is_null(b)).cloned().collect();
    Some((rest, all.iter().any(is_null)))
}
