//! Editing the form: typing, choosing, null, list items, leaving optional fields out, and
//! the raw-JSON mode.

use serde_json::Value;

use super::{Form, Kind, MAX_TEXT, Node, RawJson, Step};
use crate::tui::panes::invoke::schema::Builder;

impl Form {
    /// Type a character into the focused field (space toggles a boolean).
    pub fn type_char(&mut self, c: char) -> bool {
        let Some(node) = self.touch() else {
            return false;
        };
        match &mut node.kind {
            Kind::Text { text, .. } | Kind::Raw { text, .. } if text.len() < MAX_TEXT => {
                text.push(c)
            }
            Kind::Bool(b) if c == ' ' => *b = !*b,
            Kind::Bool(b) if matches!(c, 't' | 'y' | '1') => *b = true,
            Kind::Bool(b) if matches!(c, 'f' | 'n' | '0') => *b = false,
            _ => return false,
        }
        node.null = false;
        true
    }

    /// Backspace (or, `all`, clear) in the focused field.
    pub fn erase(&mut self, all: bool) -> bool {
        let Some(node) = self.touch() else {
            return false;
        };
        match &mut node.kind {
            Kind::Text { text, .. } | Kind::Raw { text, .. } if all => text.clear(),
            Kind::Text { text, .. } | Kind::Raw { text, .. } => {
                text.pop();
            }
            _ => return false,
        }
        true
    }

    /// Next (or previous) choice, branch, or boolean value.
    pub fn cycle(&mut self, delta: isize) -> bool {
        let Some(node) = self.touch() else {
            return false;
        };
        let turn = |sel: &mut usize, n: usize| {
            *sel = (*sel as isize + delta).rem_euclid(n.max(1) as isize) as usize;
        };
        match &mut node.kind {
            Kind::Enum { choices, sel } => turn(sel, choices.len()),
            Kind::Choice { branches, sel, .. } => turn(sel, branches.len()),
            Kind::Bool(b) => *b = !*b,
            _ => return false,
        }
        node.null = false;
        true
    }

    /// Null, or back to a value, for a nullable field.
    pub fn toggle_null(&mut self) -> Result<(), String> {
        let Some(node) = self.touch() else {
            return Err("no field".into());
        };
        if !node.nullable {
            return Err("this field cannot be null".into());
        }
        node.null = !node.null;
        Ok(())
    }

    /// Add an item to the focused array (or the array the focused item is in).
    pub fn add_item(&mut self) -> Result<(), String> {
        let mut path = self.focused_path();
        loop {
            let target = self.node_at(&path).map(|n| match &n.kind {
                Kind::Array { item, items } => Some(((**item).clone(), items.len())),
                _ => None,
            });
            match target {
                Some(Some((item, len))) => {
                    let new = Builder::new(&self.schema).build(&item, None);
                    let focus_path = [path.clone(), vec![Step::Item(len)]].concat();
                    self.focus_on(&path);
                    if let Some(Node {
                        kind: Kind::Array { items, .. },
                        null,
                        ..
                    }) = self.touch()
                    {
                        items.push(new);
                        *null = false;
                    }
                    self.focus_on(&focus_path);
                    return Ok(());
                }
                _ if path.pop().is_some() => {}
                _ => return Err("not in a list: move to one (its row says [n items])".into()),
            }
        }
    }

    /// Remove the focused list item (or the one the focus is in); else leave the focused
    /// optional field out of the arguments.
    pub fn remove(&mut self) -> Result<String, String> {
        let path = self.focused_path();
        if let Some(at) = path.iter().rposition(|s| matches!(s, Step::Item(_))) {
            let (list, Some(Step::Item(i))) = (&path[..at], path.get(at)) else {
                return Err("no item".into());
            };
            let (list, i) = (list.to_vec(), *i);
            if let Some(Node {
                kind: Kind::Array { items, .. },
                ..
            }) = self.node_at_mut(&list)
            {
                items.remove(i);
            }
            self.focus_on(&list);
            return Ok(format!("item [{i}] removed"));
        }
        let Some((Step::Field(i), parent)) = path.split_last() else {
            return Err("nothing to remove here".into());
        };
        match self.node_at_mut(parent).map(|n| &mut n.kind) {
            Some(Kind::Object { fields, .. }) => match fields.get_mut(*i) {
                Some(f) if f.required => Err(format!("{} is required", f.name)),
                Some(f) => {
                    f.present = false;
                    Ok(format!("{} left out", f.name))
                }
                None => Err("no field".into()),
            },
            _ => Err("nothing to remove here".into()),
        }
    }

    fn node_at(&self, path: &[Step]) -> Option<&Node> {
        let mut node = &self.root;
        for step in path {
            node = match (&node.kind, step) {
                (Kind::Object { fields, .. }, Step::Field(i)) => &fields.get(*i)?.node,
                (Kind::Array { items, .. }, Step::Item(i)) => items.get(*i)?,
                (Kind::Choice { branches, sel, .. }, Step::Branch) => branches.get(*sel)?,
                _ => return None,
            };
        }
        Some(node)
    }

    fn node_at_mut(&mut self, path: &[Step]) -> Option<&mut Node> {
        let mut node = &mut self.root;
        for step in path {
            node = node.child_mut(*step)?;
        }
        Some(node)
    }

    fn focus_on(&mut self, path: &[Step]) {
        if let Some(i) = self.rows().iter().position(|r| r.path == path) {
            self.focus = i;
        }
    }

    /// Form → raw JSON (refused while a field does not parse), or raw JSON → form (refused,
    /// with the reason kept, while the text is not JSON).
    pub fn toggle_raw(&mut self) -> Result<(), String> {
        match &mut self.raw {
            None => {
                let v = self.arguments().map_err(|p| p.join("; "))?;
                let text = serde_json::to_string(&v).map_err(|e| e.to_string())?;
                self.raw = Some(RawJson { text, error: None });
                Ok(())
            }
            Some(raw) => match serde_json::from_str::<Value>(&raw.text) {
                Ok(v) => {
                    let schema = self.schema.clone();
                    *self = Self::with_value(&schema, Some(&v));
                    Ok(())
                }
                Err(e) => {
                    let why = format!("not JSON: {e}");
                    raw.error = Some(why.clone());
                    Err(why)
                }
            },
        }
    }

    /// Edit the raw JSON text: a character, or backspace / clear.
    pub fn edit_raw(&mut self, c: Option<char>, clear: bool) -> bool {
        let Some(raw) = &mut self.raw else {
            return false;
        };
        match c {
            Some(c) if raw.text.len() < MAX_TEXT => raw.text.push(c),
            Some(_) => return false,
            None if clear => raw.text.clear(),
            None => {
                raw.text.pop();
            }
        }
        raw.error = None;
        true
    }
}
