//! `smoke.toml`: smoke checks beside a server's code (or `--smoke FILE`). Read with serde and
//! `deny_unknown_fields`; a refusal names FILE:LINE and the key, found from the error's span in
//! the spanned document (`check[2].json."/x"`, `[[check]]` blocks counted from 1).
//!
//! ```toml
//! [health]                 # optional: an MCP ping answered
//! max_latency_ms = 1000
//! [[check]]
//! name = "echo says hi"    # optional, default: "TOOL #N"
//! tool = "echo"
//! arguments = { text = "hi" }
//! text_contains = "hi"
//! is_error = false
//! max_latency_ms = 2000
//! [check.json]             # JSON pointer into structuredContent -> expected value
//! "/echo" = "hi"
//! ```

use std::collections::BTreeMap;
use std::path::Path;

use serde::Deserialize;
use serde_json::{Map, Value};
use toml::Spanned;
use toml::de::{DeTable, DeValue};

use super::ConfigError;
use super::error::Located;
use crate::domain::smoke::{Check, Health, SmokeSpec, default_name, is_json_pointer};

/// The file a deploy directory may hold.
pub const FILE_NAME: &str = "smoke.toml";

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFile {
    health: Option<Spanned<RawHealth>>,
    #[serde(default)]
    check: Vec<Spanned<RawCheck>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawHealth {
    max_latency_ms: Option<Spanned<u64>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCheck {
    name: Option<Spanned<String>>,
    tool: Spanned<String>,
    #[serde(default)]
    arguments: Map<String, Value>,
    text_contains: Option<String>,
    #[serde(default)]
    is_error: bool,
    max_latency_ms: Option<Spanned<u64>>,
    #[serde(default)]
    json: BTreeMap<Spanned<String>, Value>,
}

/// Read and validate a smoke file.
pub fn load(path: &Path) -> Result<SmokeSpec, ConfigError> {
    let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Io {
        path: path.to_path_buf(),
        source,
    })?;
    parse(&text).map_err(|e| e.in_file(path))
}

/// `DIR/smoke.toml` when the directory has one.
pub fn beside(dir: &Path) -> Option<std::path::PathBuf> {
    Some(dir.join(FILE_NAME)).filter(|p| p.is_file())
}

pub(crate) fn parse(text: &str) -> Result<SmokeSpec, Located> {
    let raw: RawFile = toml::from_str(text).map_err(|e| {
        let offset = e.span().map_or(0, |s| s.start);
        let message = e.message().lines().next().unwrap_or("invalid TOML").trim();
        let mut key = key_at(text, offset);
        // serde points a missing field at its table: name the field itself.
        if let Some(field) = message
            .strip_prefix("missing field `")
            .and_then(|m| m.split('`').next())
        {
            key = Some(key.map_or_else(|| field.to_string(), |k| format!("{k}.{field}")));
        }
        Located::at(text, offset, key, message.to_string())
    })?;
    let at =
        |offset: usize, key: String, message: String| Located::at(text, offset, Some(key), message);
    let positive = |v: &Spanned<u64>, key: String| {
        if *v.get_ref() == 0 {
            return Err(at(v.span().start, key, "must be at least 1".into()));
        }
        Ok(*v.get_ref())
    };
    let health = match raw.health {
        Some(h) => Some(Health {
            max_latency_ms: h
                .get_ref()
                .max_latency_ms
                .as_ref()
                .map(|v| positive(v, "health.max_latency_ms".into()))
                .transpose()?,
        }),
        None => None,
    };
    let mut checks: Vec<Check> = vec![];
    for (i, spanned) in raw.check.into_iter().enumerate() {
        let path = format!("check[{}]", i + 1);
        let c = spanned.into_inner();
        let tool = c.tool.get_ref().trim().to_string();
        if tool.is_empty() {
            return Err(at(
                c.tool.span().start,
                format!("{path}.tool"),
                "must name a tool (see `tools R`)".into(),
            ));
        }
        let name = match &c.name {
            Some(n) if n.get_ref().trim().is_empty() => {
                return Err(at(
                    n.span().start,
                    format!("{path}.name"),
                    "must not be empty (leave it out for the default, TOOL #N)".into(),
                ));
            }
            Some(n) => n.get_ref().clone(),
            None => default_name(&tool, i),
        };
        if let Some(other) = checks.iter().position(|o| o.name == name) {
            let offset = c
                .name
                .as_ref()
                .map_or(c.tool.span().start, |n| n.span().start);
            return Err(at(
                offset,
                format!("{path}.name"),
                format!("`{name}` is already the name of check[{}]", other + 1),
            ));
        }
        let mut json = BTreeMap::new();
        for (pointer, value) in c.json {
            if !is_json_pointer(pointer.get_ref()) {
                return Err(at(
                    pointer.span().start,
                    format!("{path}.json.\"{}\"", pointer.get_ref()),
                    "not a JSON pointer: use \"\" (the whole structuredContent) or a path \
                     starting with `/`, like \"/city\" or \"/items/0/id\" (`~` only as ~0 or ~1)"
                        .into(),
                ));
            }
            json.insert(pointer.into_inner(), value);
        }
        let max_latency_ms = c
            .max_latency_ms
            .as_ref()
            .map(|v| positive(v, format!("{path}.max_latency_ms")))
            .transpose()?;
        checks.push(Check {
            name,
            tool,
            arguments: c.arguments,
            text_contains: c.text_contains,
            is_error: c.is_error,
            max_latency_ms,
            json,
        });
    }
    if checks.is_empty() && health.is_none() {
        return Err(at(
            0,
            "check".into(),
            "nothing to run: add a [[check]] (tool = \"…\") or a [health] table".into(),
        ));
    }
    Ok(SmokeSpec { health, checks })
}

/// The dotted key at `offset`: the innermost key or value whose span holds it, else the last
/// entry that starts before it (a table's span may be its header only).
fn key_at(text: &str, offset: usize) -> Option<String> {
    let doc = DeTable::parse(text).ok()?;
    let mut path = String::new();
    walk(doc.get_ref(), offset, &mut path);
    (!path.is_empty()).then_some(path)
}

fn walk(table: &DeTable<'_>, offset: usize, path: &mut String) {
    let mut entries: Vec<_> = table.iter().collect();
    entries.sort_by_key(|(k, _)| k.span().start);
    let hit = entries
        .iter()
        .find(|(k, v)| k.span().contains(&offset) || v.span().contains(&offset))
        .or_else(|| entries.iter().rev().find(|(k, _)| k.span().start <= offset));
    let Some((key, value)) = hit else { return };
    push(path, key.get_ref());
    descend(value, offset, path);
}

fn descend(value: &Spanned<DeValue<'_>>, offset: usize, path: &mut String) {
    match value.get_ref() {
        DeValue::Table(t) => walk(t, offset, path),
        DeValue::Array(items) => {
            let found = items
                .iter()
                .enumerate()
                .rev()
                .find(|(_, v)| v.span().start <= offset);
            if let Some((i, item)) = found {
                path.push_str(&format!("[{}]", i + 1));
                descend(item, offset, path);
            }
        }
        _ => {}
    }
}

fn push(path: &mut String, key: &str) {
    if !path.is_empty() {
        path.push('.');
    }
    let bare = !key.is_empty()
        && key
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
    if bare {
        path.push_str(key);
    } else {
        path.push_str(&format!("\"{key}\""));
    }
}

#[cfg(test)]
mod tests;
