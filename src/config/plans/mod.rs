//! Rollout plans in TOML: a plan file (`--plan FILE`), or a plan inside the environments file
//! (`[environments.NAME.plans.PLAN]`, the same keys under that path). Walks the spanned
//! document by hand, as `file.rs` does, so every refusal names the line and the key; steps are
//! named `step[N]`, counted from 1 as a reader counts `[[step]]` blocks.
//!
//! ```toml
//! kind = "canary"              # or "blue-green" (only `approve` steps); default canary
//! [[step]]
//! weight = 10                  # 1..99, strictly increasing
//! bake = "15m"                 # h, m, s in that order: "90s", "1h30m"
//! [[step]]
//! approve = true
//! [gates]
//! interval = "60s"
//! max_error_rate = 5.0
//! observe = ["max_error_rate"]
//! require_smoke = true         # the rollout's smoke checks (--smoke FILE) against the canary
//! ```

use std::path::Path;
use std::time::Duration;

use toml::Spanned;
use toml::de::{DeTable, DeValue};

use self::values::{alarm_template, integer, must_be, parse_duration, shown};
use super::ConfigError;
use super::error::Located;
use crate::domain::rollout::{GateName, Gates, Plan, PlanKind, Step};

pub(crate) mod values;

const PLAN_KEYS: &[&str] = &["kind", "step", "gates"];
const STEP_KEYS: &[&str] = &["weight", "bake", "approve"];
const GATE_KEYS: &[&str] = &[
    "interval",
    "min_invocations",
    "max_error_rate",
    "max_error_rate_over_stable",
    "max_tool_error_rate",
    "max_p99_latency_ratio",
    "alarms",
    "failure_limit",
    "observe",
    "require_smoke",
];

type Value<'a, 'i> = &'a Spanned<DeValue<'i>>;

/// Read and validate a plan file; the plan is named after the file's stem.
pub fn parse_plan_file(path: &Path) -> Result<Plan, ConfigError> {
    let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Io {
        path: path.to_path_buf(),
        source,
    })?;
    let name = path
        .file_stem()
        .map_or_else(|| "plan".to_string(), |s| s.to_string_lossy().into_owned());
    parse_plan_text(&text, &name).map_err(|e| e.in_file(path))
}

fn parse_plan_text(text: &str, name: &str) -> Result<Plan, Located> {
    let doc = DeTable::parse(text).map_err(|e| {
        let offset = e.span().map_or(0, |s| s.start);
        let message = e.message().lines().next().unwrap_or("invalid TOML").trim();
        Located::at(text, offset, None, message.to_string())
    })?;
    let mut plan = parse_plan_table(text, doc.get_ref(), "")?;
    plan.name = name.to_string();
    Ok(plan)
}

/// Validate one plan's table: the whole plan file (`key_path` empty), or the table at
/// `key_path` in the environments file (`environments.prod.plans.fast`), whose last segment
/// names the plan.
pub(crate) fn parse_plan_table(
    text: &str,
    table: &DeTable<'_>,
    key_path: &str,
) -> Result<Plan, Located> {
    let cx = Cx { text, key_path };
    let mut kind = PlanKind::Canary;
    let mut steps = vec![];
    let mut gates = Gates::default();
    // The weighted steps' first span, to point at when blue-green has one.
    let mut first_weight: Option<(usize, String)> = None;
    for (key, value) in in_file_order(table) {
        let k = key.get_ref().as_ref();
        match k {
            "kind" => {
                kind = match value.get_ref().as_str() {
                    Some("canary") => PlanKind::Canary,
                    Some("blue-green") => PlanKind::BlueGreen,
                    _ => {
                        return Err(cx.at(
                            value,
                            "kind",
                            format!(
                                "must be \"canary\" or \"blue-green\", found {}",
                                shown(value)
                            ),
                        ));
                    }
                }
            }
            "step" => {
                let Some(list) = value.get_ref().as_array() else {
                    return Err(cx.at(value, "step", must_be("[[step]] tables", value)));
                };
                for (i, item) in list.into_iter().enumerate() {
                    let path = format!("step[{}]", i + 1);
                    let step = cx.step(item, &path)?;
                    if let Step::Weight { weight, .. } = &step {
                        let previous = steps.iter().rev().find_map(|s| match s {
                            Step::Weight { weight, .. } => Some(*weight),
                            Step::Approve => None,
                        });
                        if let Some(p) = previous.filter(|p| p >= weight) {
                            let at = table_value(item, "weight").unwrap_or(item);
                            return Err(cx.at(
                                at,
                                &format!("{path}.weight"),
                                format!("weights must increase step by step: {weight} follows {p}"),
                            ));
                        }
                        first_weight.get_or_insert((item.span().start, format!("{path}.weight")));
                    }
                    steps.push(step);
                }
            }
            "gates" => {
                let Some(t) = value.get_ref().as_table() else {
                    return Err(cx.at(value, "gates", must_be("a table", value)));
                };
                gates = cx.gates(t)?;
            }
            _ => return Err(cx.unknown(key, k, "", PLAN_KEYS)),
        }
    }
    match kind {
        PlanKind::BlueGreen => {
            if let Some((offset, key)) = first_weight {
                return Err(Located::at(
                    text,
                    offset,
                    Some(cx.full(&key)),
                    "a blue-green plan has no weighted steps (only `approve = true`): it \
                     switches all traffic once the new version is validated"
                        .into(),
                ));
            }
        }
        PlanKind::Canary if first_weight.is_none() => {
            return Err(Located::at(
                text,
                0,
                Some(cx.full("step")),
                "a canary plan needs at least one [[step]] with a weight and a bake \
                 (or use kind = \"blue-green\")"
                    .into(),
            ));
        }
        PlanKind::Canary => {}
    }
    Ok(Plan {
        name: key_path.rsplit('.').next().unwrap_or_default().to_string(),
        kind,
        steps,
        gates,
    })
}

/// The text and where the plan sits in it, for error locations.
struct Cx<'t> {
    text: &'t str,
    key_path: &'t str,
}

impl Cx<'_> {
    fn full(&self, key: &str) -> String {
        if self.key_path.is_empty() {
            key.to_string()
        } else {
            format!("{}.{key}", self.key_path)
        }
    }

    fn at(&self, value: Value<'_, '_>, key: &str, message: String) -> Located {
        Located::at(self.text, value.span().start, Some(self.full(key)), message)
    }

    fn unknown(
        &self,
        key: &Spanned<std::borrow::Cow<'_, str>>,
        k: &str,
        prefix: &str,
        known: &[&str],
    ) -> Located {
        Located::at(
            self.text,
            key.span().start,
            Some(self.full(&format!("{prefix}{k}"))),
            format!("unknown key (expected one of: {})", known.join(", ")),
        )
    }

    fn step(&self, item: Value<'_, '_>, path: &str) -> Result<Step, Located> {
        let Some(t) = item.get_ref().as_table() else {
            return Err(self.at(item, path, must_be("a table", item)));
        };
        let (mut weight, mut bake, mut approve) = (None, None, None);
        for (key, value) in in_file_order(t) {
            let k = key.get_ref().as_ref();
            let full = format!("{path}.{k}");
            match k {
                "weight" => {
                    let w = integer(value)
                        .filter(|w| (1..=99).contains(w))
                        .ok_or_else(|| {
                            self.at(
                                value,
                                &full,
                                format!(
                                    "must be a whole percentage from 1 to 99, found {} (100% \
                                     is the promotion after the last step)",
                                    shown(value)
                                ),
                            )
                        })?;
                    weight = Some(u8::try_from(w).unwrap_or(99));
                }
                "bake" => bake = Some(self.duration(value, &full)?),
                "approve" => {
                    if value.get_ref().as_bool() != Some(true) {
                        return Err(self.at(
                            value,
                            &full,
                            format!(
                                "must be true (remove the step otherwise), found {}",
                                shown(value)
                            ),
                        ));
                    }
                    approve = Some(());
                }
                _ => return Err(self.unknown(key, k, &format!("{path}."), STEP_KEYS)),
            }
        }
        match (weight, bake, approve) {
            (None, None, Some(())) => Ok(Step::Approve),
            (Some(weight), Some(bake), None) => Ok(Step::Weight { weight, bake }),
            (_, _, Some(())) => Err(self.at(
                item,
                path,
                "a step is either `approve = true` or a `weight` with a `bake`, not both".into(),
            )),
            (w, _, None) => {
                let missing = if w.is_none() { "weight" } else { "bake" };
                Err(self.at(
                    item,
                    &format!("{path}.{missing}"),
                    format!(
                        "missing `{missing}`: a step needs a weight and a bake, or approve = true"
                    ),
                ))
            }
        }
    }

    fn duration(&self, value: Value<'_, '_>, key: &str) -> Result<Duration, Located> {
        let Some(s) = value.get_ref().as_str() else {
            return Err(self.at(value, key, must_be("a duration like \"15m\"", value)));
        };
        parse_duration(s).map_err(|m| self.at(value, key, m))
    }

    fn number(&self, value: Value<'_, '_>, key: &str, max: Option<f64>) -> Result<f64, Located> {
        let n = match value.get_ref() {
            DeValue::Float(f) => f.as_str().parse::<f64>().ok(),
            _ => integer(value).map(|i| i as f64),
        };
        let range = max.map_or_else(|| "above 0".to_string(), |m| format!("from 0 to {m}"));
        n.filter(|n| n.is_finite() && *n >= 0.0 && max.is_none_or(|m| *n <= m))
            .filter(|n| max.is_some() || *n > 0.0)
            .ok_or_else(|| {
                self.at(
                    value,
                    key,
                    format!("must be a number {range}, found {}", shown(value)),
                )
            })
    }

    fn gates(&self, t: &DeTable<'_>) -> Result<Gates, Located> {
        let mut g = Gates::default();
        let mut observe: Vec<(GateName, Value<'_, '_>)> = vec![];
        for (key, value) in in_file_order(t) {
            let k = key.get_ref().as_ref();
            let full = format!("gates.{k}");
            let percent = Some(100.0);
            match k {
                "interval" => g.interval = self.duration(value, &full)?,
                "min_invocations" | "failure_limit" => {
                    let floor = if k == "failure_limit" { 1 } else { 0 };
                    let n = integer(value).filter(|n| *n >= floor).ok_or_else(|| {
                        self.at(
                            value,
                            &full,
                            format!(
                                "must be a whole number of at least {floor}, found {}",
                                shown(value)
                            ),
                        )
                    })?;
                    if k == "failure_limit" {
                        g.failure_limit = u32::try_from(n).unwrap_or(u32::MAX);
                    } else {
                        g.min_invocations = u64::try_from(n).unwrap_or(0);
                    }
                }
                "max_error_rate" => g.max_error_rate = Some(self.number(value, &full, percent)?),
                "max_error_rate_over_stable" => {
                    g.max_error_rate_over_stable = Some(self.number(value, &full, percent)?);
                }
                "max_tool_error_rate" => {
                    g.max_tool_error_rate = Some(self.number(value, &full, percent)?);
                }
                "max_p99_latency_ratio" => {
                    g.max_p99_latency_ratio = Some(self.number(value, &full, None)?);
                }
                "alarms" => {
                    for item in self.strings(value, &full)? {
                        let s = item.get_ref().as_str().unwrap_or_default();
                        alarm_template(s).map_err(|m| self.at(item, &full, m))?;
                        g.alarms.push(s.to_string());
                    }
                }
                "require_smoke" => {
                    g.require_smoke = value
                        .get_ref()
                        .as_bool()
                        .ok_or_else(|| self.at(value, &full, must_be("true or false", value)))?;
                }
                "observe" => {
                    for item in self.strings(value, &full)? {
                        let s = item.get_ref().as_str().unwrap_or_default();
                        let gate = GateName::parse(s).ok_or_else(|| {
                            let known: Vec<_> = GateName::ALL.iter().map(|g| g.as_str()).collect();
                            self.at(
                                item,
                                &full,
                                format!("unknown gate `{s}` (known: {})", known.join(", ")),
                            )
                        })?;
                        if !observe.iter().any(|(o, _)| *o == gate) {
                            observe.push((gate, item));
                        }
                    }
                }
                _ => return Err(self.unknown(key, k, "gates.", GATE_KEYS)),
            }
        }
        let configured = g.configured();
        for (gate, item) in observe {
            if !configured.contains(&gate) {
                return Err(self.at(
                    item,
                    "gates.observe",
                    format!(
                        "observes `{}`, which this plan does not set: set a threshold for it \
                         in [gates]",
                        gate.as_str()
                    ),
                ));
            }
            g.observe.push(gate);
        }
        Ok(g)
    }

    fn strings<'a, 'i>(
        &self,
        value: Value<'a, 'i>,
        key: &str,
    ) -> Result<Vec<Value<'a, 'i>>, Located> {
        let Some(list) = value.get_ref().as_array() else {
            return Err(self.at(value, key, must_be("a list of strings", value)));
        };
        let items: Vec<_> = list.into_iter().collect();
        if let Some(bad) = items
            .iter()
            .find(|v| v.get_ref().as_str().is_none_or(|s| s.trim().is_empty()))
        {
            return Err(self.at(bad, key, must_be("a non-empty string", bad)));
        }
        Ok(items)
    }
}

fn table_value<'a, 'i>(item: Value<'a, 'i>, key: &str) -> Option<Value<'a, 'i>> {
    item.get_ref().as_table()?.get(key)
}

fn in_file_order<'a, 'i>(
    table: &'a DeTable<'i>,
) -> Vec<(&'a Spanned<std::borrow::Cow<'i, str>>, Value<'a, 'i>)> {
    let mut entries: Vec<_> = table.iter().collect();
    entries.sort_by_key(|(k, _)| k.span().start);
    entries
}

#[cfg(test)]
mod tests;
