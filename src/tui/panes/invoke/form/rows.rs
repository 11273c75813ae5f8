//! The rows a form shows: one per field, nested ones indented under their parent, each with
//! what it holds as text, its constraints and what editing it does (for the footer).

use serde_json::Value;

use super::{Form, Kind, Node, Step};

/// One line of the form.
#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    pub path: Vec<Step>,
    pub depth: usize,
    /// `title`, `[0]`, `(branch)`.
    pub label: String,
    pub required: bool,
    /// Left out of the arguments (an optional field not given, or inside one).
    pub absent: bool,
    /// What the field holds, as shown.
    pub value: String,
    pub hint: String,
    /// What editing the row does, for the footer.
    pub edit: &'static str,
}

impl Form {
    /// The rows on view.
    pub fn rows(&self) -> Vec<Row> {
        let mut out = vec![];
        let top = Row {
            path: vec![],
            depth: 0,
            label: "arguments".into(),
            required: true,
            absent: false,
            value: self.root.shown(),
            hint: self.root.hint.clone(),
            edit: self.root.edit_word(),
        };
        walk(&self.root, top, &mut out);
        if matches!(self.root.kind, Kind::Object { .. }) && !self.root.null && out.len() > 1 {
            out.remove(0);
            for r in &mut out {
                r.depth -= 1;
            }
        }
        out
    }
}

impl Node {
    /// What the row shows as the value.
    fn shown(&self) -> String {
        if self.null {
            return "null".into();
        }
        match &self.kind {
            Kind::Object { fields, extra } if extra.is_empty() => {
                format!("{{{} fields}}", fields.len())
            }
            Kind::Object { fields, extra } => {
                format!(
                    "{{{} fields, {} more in raw JSON}}",
                    fields.len(),
                    extra.len()
                )
            }
            Kind::Array { items, .. } => format!("[{} items]", items.len()),
            Kind::Choice { labels, sel, .. } => format!(
                "‹{}› {} of {}",
                labels.get(*sel).map_or("", String::as_str),
                sel + 1,
                labels.len()
            ),
            Kind::Enum { choices, sel } => format!(
                "‹{}› {} of {}",
                choices.get(*sel).map(show_choice).unwrap_or_default(),
                sel + 1,
                choices.len()
            ),
            Kind::Const(v) => v.to_string(),
            Kind::Bool(b) => b.to_string(),
            Kind::Text { text, .. } | Kind::Raw { text, .. } => text.clone(),
        }
    }

    fn edit_word(&self) -> &'static str {
        match &self.kind {
            Kind::Object { .. } | Kind::Const(_) => "",
            Kind::Array { .. } => "ctrl-a add an item",
            Kind::Choice { .. } => "←/→ choose the branch",
            Kind::Enum { .. } => "←/→ choose",
            Kind::Bool(_) => "space or ←/→ toggles",
            Kind::Text { num: None, .. } => "type text",
            Kind::Text { num: Some(_), .. } => "type a number",
            Kind::Raw { .. } => "type JSON",
        }
    }
}

/// Rows of `node` (the root object shows only its fields).
fn walk(node: &Node, row: Row, out: &mut Vec<Row>) {
    let depth = row.depth + 1;
    let absent = row.absent;
    let path = row.path.clone();
    out.push(row);
    if node.null {
        return;
    }
    let child = |step: Step, label: String, required: bool, absent: bool, n: &Node| {
        let mut p = path.clone();
        p.push(step);
        Row {
            path: p,
            depth,
            label,
            required,
            absent,
            value: n.shown(),
            hint: n.hint.clone(),
            edit: n.edit_word(),
        }
    };
    match &node.kind {
        Kind::Object { fields, .. } => {
            for (i, f) in fields.iter().enumerate() {
                let r = child(
                    Step::Field(i),
                    f.name.clone(),
                    f.required,
                    absent || !f.present,
                    &f.node,
                );
                walk(&f.node, r, out);
            }
        }
        Kind::Array { items, .. } => {
            for (i, n) in items.iter().enumerate() {
                walk(
                    n,
                    child(Step::Item(i), format!("[{i}]"), false, absent, n),
                    out,
                );
            }
        }
        Kind::Choice {
            labels,
            branches,
            sel,
        } => {
            if let Some(b) = branches.get(*sel)
                && !matches!(b.kind, Kind::Const(_))
            {
                let label = format!("({})", labels.get(*sel).map_or("", String::as_str));
                walk(b, child(Step::Branch, label, false, absent, b), out);
            }
        }
        _ => {}
    }
}

fn show_choice(v: &Value) -> String {
    v.as_str().map_or_else(|| v.to_string(), str::to_string)
}
