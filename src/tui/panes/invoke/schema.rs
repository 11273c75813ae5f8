//! From a tool's JSON Schema (`inputSchema`) to a form tree: `$ref` into `$defs` or
//! `definitions` (a reference already being expanded becomes a raw-JSON field, so recursive
//! schemas end), `allOf` merged, `oneOf`/`anyOf` as a choice of branches, nullable from
//! `type: [X, "null"]`, `nullable: true` or a `{"type": "null"}` branch. Built with a value
//! (the raw JSON, a history entry) the tree holds exactly that value: whatever does not fit
//! the schema is kept as raw JSON, so form → JSON → form gives the same JSON.

use serde_json::{Map, Value};

pub use self::resolve::merge;
use self::resolve::{flatten, null_free, types, without};
use super::form::{Field, Kind, Node, Num};

mod resolve;

/// Building state: the whole schema (for `$ref`), the references being expanded, and how
/// badly the value fitted (to pick a `oneOf` branch).
pub struct Builder<'a> {
    root: &'a Value,
    stack: Vec<String>,
    misfits: usize,
}

impl<'a> Builder<'a> {
    pub fn new(root: &'a Value) -> Self {
        Self {
            root,
            stack: vec![],
            misfits: 0,
        }
    }

    /// The node for `schema`, holding `value` (or the schema's default state).
    pub fn build(&mut self, schema: &Value, value: Option<&Value>) -> Node {
        let (s, refs) = match flatten(self.root, schema, 0) {
            Ok(x) => x,
            Err(why) => return self.raw(value, why),
        };
        if let Some(r) = refs.iter().find(|r| self.stack.contains(r)) {
            return self.raw(value, format!("recursive ({r}): edit as JSON"));
        }
        let depth = self.stack.len();
        self.stack.extend(refs);
        let node = self.node(&s, value);
        self.stack.truncate(depth);
        node
    }

    fn node(&mut self, s: &Value, value: Option<&Value>) -> Node {
        let branches = null_free(s.get("oneOf").or_else(|| s.get("anyOf")));
        let types = types(s);
        let nullable = s.get("nullable") == Some(&Value::Bool(true))
            || types.iter().any(|t| t == "null")
            || branches.as_ref().is_some_and(|(_, had_null)| *had_null)
            || s.get("enum")
                .and_then(Value::as_array)
                .is_some_and(|e| e.contains(&Value::Null));
        let is_null = match value {
            Some(Value::Null) if nullable => true,
            None if nullable => s.get("default") == Some(&Value::Null),
            _ => false,
        };
        let inner = if is_null { None } else { value };
        let kind = match branches {
            Some((bs, _)) if bs.len() == 1 => {
                let merged = merge(without(s, &["oneOf", "anyOf"]), &bs[0]);
                let mut node = self.build(&merged, inner);
                node.nullable |= nullable;
                node.null |= is_null;
                return node;
            }
            Some((bs, _)) if !bs.is_empty() => {
                let base = without(s, &["oneOf", "anyOf"]);
                let options: Vec<Value> = bs.iter().map(|b| merge(base.clone(), b)).collect();
                self.choice(&options, inner)
            }
            _ => self.kind(s, &types, inner),
        };
        Node {
            kind,
            desc: s
                .get("description")
                .or_else(|| s.get("title"))
                .and_then(Value::as_str)
                .map(str::to_string),
            hint: hint(s),
            nullable,
            null: is_null,
        }
    }

    fn kind(&mut self, s: &Value, types: &[String], value: Option<&Value>) -> Kind {
        if let Some(choices) = s.get("enum").and_then(Value::as_array) {
            let choices: Vec<Value> = choices.iter().filter(|v| !v.is_null()).cloned().collect();
            let want = value.or(s.get("default"));
            let sel = want.and_then(|w| choices.iter().position(|c| c == w));
            return match (value, sel) {
                (Some(v), None) => self.raw_kind(v, "not one of the choices"),
                _ => Kind::Enum {
                    choices,
                    sel: sel.unwrap_or(0),
                },
            };
        }
        if let Some(c) = s.get("const") {
            return match value {
                Some(v) if v != c => self.raw_kind(v, "not the constant"),
                _ => Kind::Const(c.clone()),
            };
        }
        let real: Vec<&String> = types.iter().filter(|t| *t != "null").collect();
        if real.len() > 1 {
            let options: Vec<Value> = real
                .iter()
                .map(|t| {
                    let mut o = without(s, &["type"]);
                    if let Some(m) = o.as_object_mut() {
                        m.insert("type".into(), Value::String((*t).clone()));
                    }
                    o
                })
                .collect();
            return self.choice(&options, value);
        }
        let ty = real.first().map(|t| t.as_str()).unwrap_or_else(|| {
            if s.get("properties").is_some() {
                "object"
            } else if s.get("items").is_some() {
                "array"
            } else {
                ""
            }
        });
        match (ty, value) {
            ("object", None | Some(Value::Object(_))) => self.object(s, value),
            ("array", None | Some(Value::Array(_))) => {
                let item = s.get("items").cloned().unwrap_or(Value::Bool(true));
                let items = value
                    .and_then(Value::as_array)
                    .map(|a| a.iter().map(|v| self.build(&item, Some(v))).collect())
                    .unwrap_or_default();
                Kind::Array {
                    item: Box::new(item),
                    items,
                }
            }
            ("boolean", None) => Kind::Bool(s.get("default") == Some(&Value::Bool(true))),
            ("boolean", Some(Value::Bool(b))) => Kind::Bool(*b),
            ("string", None) => Kind::Text {
                text: String::new(),
                num: None,
            },
            ("string", Some(Value::String(t))) => Kind::Text {
                text: t.clone(),
                num: None,
            },
            ("integer", None) | ("number", None) => Kind::Text {
                text: String::new(),
                num: Some(if ty == "integer" {
                    Num::Integer
                } else {
                    Num::Number
                }),
            },
            ("integer", Some(Value::Number(n))) if n.is_i64() || n.is_u64() => Kind::Text {
                text: n.to_string(),
                num: Some(Num::Integer),
            },
            ("number", Some(Value::Number(n))) => Kind::Text {
                text: n.to_string(),
                num: Some(Num::Number),
            },
            ("object" | "array" | "boolean" | "string" | "integer" | "number", Some(v)) => {
                self.raw_kind(v, &format!("not a {ty}"))
            }
            (_, v) => Kind::Raw {
                text: v.map(Value::to_string).unwrap_or_default(),
                why: "any JSON".into(),
            },
        }
    }

    fn object(&mut self, s: &Value, value: Option<&Value>) -> Kind {
        let required: Vec<&str> = s
            .get("required")
            .and_then(Value::as_array)
            .map(|r| r.iter().filter_map(Value::as_str).collect())
            .unwrap_or_default();
        let props = s.get("properties").and_then(Value::as_object);
        let given = value.and_then(Value::as_object);
        let mut fields = vec![];
        for (name, schema) in props.into_iter().flatten() {
            let v = given.and_then(|g| g.get(name));
            let req = required.contains(&name.as_str());
            if req && v.is_none() && value.is_some() {
                self.misfits += 1;
            }
            fields.push(Field {
                name: name.clone(),
                required: req,
                present: req || v.is_some(),
                node: self.build(schema, v),
            });
        }
        let extra: Map<String, Value> = given
            .into_iter()
            .flatten()
            .filter(|(k, _)| !props.is_some_and(|p| p.contains_key(*k)))
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();
        self.misfits += extra.len();
        Kind::Object { fields, extra }
    }

    /// One branch per option; the value goes to the branch it fits best (the first of ties).
    fn choice(&mut self, options: &[Value], value: Option<&Value>) -> Kind {
        let before = self.misfits;
        let mut fits = vec![];
        for o in options {
            self.misfits = 0;
            let node = self.build(o, value);
            fits.push((self.misfits, node));
        }
        let sel = (0..fits.len()).min_by_key(|i| fits[*i].0).unwrap_or(0);
        self.misfits = before + fits.get(sel).map_or(0, |f| f.0);
        let labels = options
            .iter()
            .enumerate()
            .map(|(i, o)| label(o, i))
            .collect();
        let branches = fits
            .into_iter()
            .zip(options)
            .enumerate()
            .map(|(i, ((_, node), o))| {
                if i == sel || value.is_none() {
                    node
                } else {
                    self.build(o, None)
                }
            })
            .collect();
        Kind::Choice {
            labels,
            branches,
            sel,
        }
    }

    fn raw_kind(&mut self, v: &Value, why: &str) -> Kind {
        self.misfits += 1;
        Kind::Raw {
            text: v.to_string(),
            why: why.into(),
        }
    }

    fn raw(&mut self, value: Option<&Value>, why: String) -> Node {
        Node {
            kind: Kind::Raw {
                text: value.map(Value::to_string).unwrap_or_default(),
                why,
            },
            desc: None,
            hint: String::new(),
            nullable: false,
            null: false,
        }
    }
}

/// A branch's name: its title, its `$ref`'s last segment, its constant or type.
fn label(o: &Value, i: usize) -> String {
    let s = |k: &str| o.get(k).and_then(Value::as_str).map(str::to_string);
    s("title")
        .or_else(|| s("$ref").and_then(|r| r.rsplit('/').next().map(str::to_string)))
        .or_else(|| o.get("const").map(Value::to_string))
        .or_else(|| s("type"))
        .unwrap_or_else(|| format!("option {}", i + 1))
}

/// The constraints worth showing beside a field: `1-120 chars`, `email`, `1..50`, `≤5 items`.
fn hint(s: &Value) -> String {
    let n = |k: &str| s.get(k).and_then(Value::as_f64);
    let num = |v: f64| {
        Value::from(v)
            .to_string()
            .trim_end_matches(".0")
            .to_string()
    };
    let mut out = vec![];
    match (n("minLength"), n("maxLength")) {
        (Some(a), Some(b)) => out.push(format!("{}-{} chars", num(a), num(b))),
        (Some(a), None) => out.push(format!("≥{} chars", num(a))),
        (None, Some(b)) => out.push(format!("≤{} chars", num(b))),
        _ => {}
    }
    match (n("minimum"), n("maximum")) {
        (Some(a), Some(b)) => out.push(format!("{}..{}", num(a), num(b))),
        (Some(a), None) => out.push(format!("≥{}", num(a))),
        (None, Some(b)) => out.push(format!("≤{}", num(b))),
        _ => {}
    }
    if let Some(v) = n("exclusiveMinimum") {
        out.push(format!(">{}", num(v)));
    }
    if let Some(v) = n("exclusiveMaximum") {
        out.push(format!("<{}", num(v)));
    }
    match (n("minItems"), n("maxItems")) {
        (Some(a), Some(b)) => out.push(format!("{}-{} items", num(a), num(b))),
        (Some(a), None) => out.push(format!("≥{} items", num(a))),
        (None, Some(b)) => out.push(format!("≤{} items", num(b))),
        _ => {}
    }
    if let Some(f) = s.get("format").and_then(Value::as_str) {
        out.push(f.to_string());
    } else if let Some(p) = s.get("pattern").and_then(Value::as_str) {
        out.push(format!("/{p}/"));
    }
    if let Some(d) = s.get("default") {
        out.push(format!("default {d}"));
    }
    out.join(", ")
}
