//! The argument form of one tool, without a terminal: a tree of fields built from the tool's
//! input schema ([`schema`](super::schema)), the rows it shows (one per field, nested ones
//! indented), the edits a row takes, the arguments it makes (numbers as numbers, arrays as
//! arrays, absent optional fields left out) and a raw-JSON mode. Switching to raw JSON and
//! back, or filling the form from a history entry, keeps the value exactly.

use serde_json::{Map, Value};

pub use self::rows::Row;
use super::schema::Builder;

mod edit;
mod rows;

/// Longest text a field (or the raw JSON) keeps.
const MAX_TEXT: usize = 64 * 1024;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Num {
    Integer,
    Number,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Field {
    pub name: String,
    pub required: bool,
    /// Sent: required, given, or edited (an optional field starts absent).
    pub present: bool,
    pub node: Node,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Kind {
    Object {
        fields: Vec<Field>,
        /// Keys the schema does not name (from raw JSON), kept as they are.
        extra: Map<String, Value>,
    },
    /// `item` is the schema of a new item.
    Array {
        item: Box<Value>,
        items: Vec<Node>,
    },
    /// `oneOf`/`anyOf` (or several types): the selected branch is the value.
    Choice {
        labels: Vec<String>,
        branches: Vec<Node>,
        sel: usize,
    },
    Enum {
        choices: Vec<Value>,
        sel: usize,
    },
    Const(Value),
    Bool(bool),
    /// A string, or a number typed as text (`num`).
    Text {
        text: String,
        num: Option<Num>,
    },
    /// JSON typed as is: schemas without a type, recursion, values that fit no field.
    Raw {
        text: String,
        why: String,
    },
}

#[derive(Debug, Clone, PartialEq)]
pub struct Node {
    pub kind: Kind,
    pub desc: Option<String>,
    /// Constraints to show: `1-120 chars, email`.
    pub hint: String,
    pub nullable: bool,
    pub null: bool,
}

/// One step from a node to a child.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    Field(usize),
    Item(usize),
    Branch,
}

impl Node {
    /// The JSON of this node; unparsable text adds a problem (at `at`) and gives null.
    pub fn value(&self, at: &str, problems: &mut Vec<String>) -> Value {
        if self.null {
            return Value::Null;
        }
        match &self.kind {
            Kind::Object { fields, extra } => {
                let mut m = extra.clone();
                for f in fields.iter().filter(|f| f.present) {
                    let v = f.node.value(&join(at, &f.name), problems);
                    m.insert(f.name.clone(), v);
                }
                Value::Object(m)
            }
            Kind::Array { items, .. } => Value::Array(
                items
                    .iter()
                    .enumerate()
                    .map(|(i, n)| n.value(&format!("{at}[{i}]"), problems))
                    .collect(),
            ),
            Kind::Choice { branches, sel, .. } => branches
                .get(*sel)
                .map_or(Value::Null, |b| b.value(at, problems)),
            Kind::Enum { choices, sel } => choices.get(*sel).cloned().unwrap_or(Value::Null),
            Kind::Const(v) => v.clone(),
            Kind::Bool(b) => Value::Bool(*b),
            Kind::Text { text, num: None } => Value::String(text.clone()),
            Kind::Text { text, num: Some(n) } => match parse_number(text, *n) {
                Ok(v) => v,
                Err(e) => {
                    problems.push(format!("{}: {e}", name(at)));
                    Value::Null
                }
            },
            Kind::Raw { text, .. } => match serde_json::from_str(text) {
                Ok(v) => v,
                Err(_) if text.trim().is_empty() => {
                    problems.push(format!("{}: type a JSON value", name(at)));
                    Value::Null
                }
                Err(e) => {
                    problems.push(format!("{}: not JSON ({e})", name(at)));
                    Value::Null
                }
            },
        }
    }

    fn child_mut(&mut self, step: Step) -> Option<&mut Node> {
        match (&mut self.kind, step) {
            (Kind::Object { fields, .. }, Step::Field(i)) => fields.get_mut(i).map(|f| &mut f.node),
            (Kind::Array { items, .. }, Step::Item(i)) => items.get_mut(i),
            (Kind::Choice { branches, sel, .. }, Step::Branch) => branches.get_mut(*sel),
            _ => None,
        }
    }
}

fn join(at: &str, name: &str) -> String {
    if at.is_empty() {
        name.to_string()
    } else {
        format!("{at}.{name}")
    }
}

fn name(at: &str) -> &str {
    if at.is_empty() { "arguments" } else { at }
}

/// `42` for an integer, `1.5` or `1e3` for a number: always a JSON number.
pub fn parse_number(text: &str, num: Num) -> Result<Value, String> {
    let t = text.trim();
    if t.is_empty() {
        return Err("type a number".into());
    }
    let n: serde_json::Number = serde_json::from_str(t).map_err(|_| match num {
        Num::Integer => format!("`{t}` is not a whole number"),
        Num::Number => format!("`{t}` is not a number"),
    })?;
    if num == Num::Integer && !(n.is_i64() || n.is_u64()) {
        return Err(format!("`{t}` is not a whole number"));
    }
    Ok(Value::Number(n))
}

/// The whole form: the schema, the tree, the focused row, and raw-JSON mode.
#[derive(Debug, Clone, PartialEq)]
pub struct Form {
    schema: Value,
    pub root: Node,
    pub focus: usize,
    /// Raw-JSON mode: the text being edited and why it was not taken.
    pub raw: Option<RawJson>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct RawJson {
    pub text: String,
    pub error: Option<String>,
}

impl Form {
    /// An empty form for `schema` (a tool's `inputSchema`).
    pub fn new(schema: &Value) -> Self {
        Self::with_value(schema, None)
    }

    /// A form holding `value` (what does not fit the schema is kept as raw JSON).
    pub fn with_value(schema: &Value, value: Option<&Value>) -> Self {
        let root = Builder::new(schema).build(schema, value);
        Self {
            schema: schema.clone(),
            root,
            focus: 0,
            raw: None,
        }
    }

    pub fn schema(&self) -> &Value {
        &self.schema
    }

    /// The arguments, or what stops them from being made.
    pub fn arguments(&self) -> Result<Value, Vec<String>> {
        if let Some(raw) = &self.raw {
            return serde_json::from_str(&raw.text).map_err(|e| vec![format!("not JSON: {e}")]);
        }
        let mut problems = vec![];
        let v = self.root.value("", &mut problems);
        if problems.is_empty() {
            Ok(v)
        } else {
            Err(problems)
        }
    }

    fn focused_path(&self) -> Vec<Step> {
        let rows = self.rows();
        rows.get(self.focus.min(rows.len().saturating_sub(1)))
            .map(|r| r.path.clone())
            .unwrap_or_default()
    }

    /// Move the focus by `delta` rows (wrapping).
    pub fn move_focus(&mut self, delta: isize) {
        let n = self.rows().len().max(1) as isize;
        self.focus = (self.focus as isize + delta).rem_euclid(n) as usize;
    }

    /// The focused node, its fields on the way marked present (editing a field sends it).
    fn touch(&mut self) -> Option<&mut Node> {
        let path = self.focused_path();
        let mut node = &mut self.root;
        node.null = node.null && !node.nullable;
        for step in path {
            if let (Kind::Object { fields, .. }, Step::Field(i)) = (&mut node.kind, step)
                && let Some(f) = fields.get_mut(i)
            {
                f.present = true;
            }
            node = node.child_mut(step)?;
        }
        Some(node)
    }
}
