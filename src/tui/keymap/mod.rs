//! The keymap: per context, which keys do which action, with the words the help and the footer
//! show. One table drives the handling, the footer hints and the `?` help, so they cannot
//! disagree. `keymap.toml` (in the config dir) rebinds any named action:
//!
//! ```toml
//! [global]
//! quit = ["q", "ctrl-q"]
//! [runtime]
//! rollback = "ctrl-r"
//! ```
//!
//! A key bound by the file is taken away from other actions of the same context. Mistakes in
//! the file become warnings in the status line; the rest of the file still applies.

mod defaults;

pub(crate) use self::defaults::e;

use super::action::Action;
use super::keys::Key;

/// Where a key is pressed: a pane, or a prompt or overlay on top of it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Context {
    /// Keys every pane understands (a pane's own table wins).
    Global,
    Matrix,
    Runtime,
    Audit,
    Alarms,
    Palette,
    Filter,
    Arm,
    Confirm,
    /// Help and message overlays.
    Overlay,
    Traffic,
    /// The traffic pane's weight form (typed text).
    TrafficForm,
    Metrics,
    Logs,
    /// The invoke pane's tool list, result and history.
    Invoke,
    /// The invoke pane's argument form (typed text).
    InvokeForm,
    /// The deploy pane, once its form is sent (stages, result, the endpoint move).
    Deploy,
    /// The deploy pane's form (typed text).
    DeployForm,
    /// A runtime's rollout.
    Rollout,
    /// The rollout pane's start form (typed text).
    RolloutForm,
    /// Two versions of a runtime compared.
    Diff,
}

const CONTEXTS: &[(&str, Context)] = &[
    ("global", Context::Global),
    ("matrix", Context::Matrix),
    ("runtime", Context::Runtime),
    ("audit", Context::Audit),
    ("alarms", Context::Alarms),
    ("palette", Context::Palette),
    ("filter", Context::Filter),
    ("arm", Context::Arm),
    ("confirm", Context::Confirm),
    ("overlay", Context::Overlay),
    ("traffic", Context::Traffic),
    ("traffic-form", Context::TrafficForm),
    ("metrics", Context::Metrics),
    ("logs", Context::Logs),
    ("invoke", Context::Invoke),
    ("invoke-form", Context::InvokeForm),
    ("deploy", Context::Deploy),
    ("deploy-form", Context::DeployForm),
    ("rollout", Context::Rollout),
    ("rollout-form", Context::RolloutForm),
    ("diff", Context::Diff),
];

impl Context {
    pub fn name(self) -> &'static str {
        CONTEXTS
            .iter()
            .find(|(_, c)| *c == self)
            .map_or("global", |(n, _)| *n)
    }

    /// Panes fall back to the global table; prompts and overlays take only their own keys.
    fn uses_global(self) -> bool {
        matches!(
            self,
            Context::Global
                | Context::Matrix
                | Context::Runtime
                | Context::Audit
                | Context::Alarms
                | Context::Traffic
                | Context::Metrics
                | Context::Logs
                | Context::Invoke
                | Context::Deploy
                | Context::Diff
                | Context::Rollout
        )
    }

    /// Prompts take typed characters as text.
    pub fn takes_text(self) -> bool {
        matches!(
            self,
            Context::Palette
                | Context::InvokeForm
                | Context::Filter
                | Context::Arm
                | Context::TrafficForm
                | Context::DeployForm
                | Context::RolloutForm
        )
    }
}

/// One action of a context and the keys that trigger it.
#[derive(Debug, Clone, PartialEq)]
pub struct Entry {
    pub action: Action,
    pub keys: Vec<Key>,
    /// What the help says it does.
    pub desc: String,
    /// The footer's short word for it, if it belongs in the footer.
    pub hint: Option<&'static str>,
}

/// Every context's table.
#[derive(Debug, Clone)]
pub struct Keymap {
    tables: Vec<(Context, Vec<Entry>)>,
}

impl Keymap {
    /// The defaults with `keymap.toml` applied; one warning per entry it could not use.
    pub fn with_overrides(text: &str) -> (Self, Vec<String>) {
        let mut map = Self::default();
        let warnings = map.apply(text);
        (map, warnings)
    }

    fn apply(&mut self, text: &str) -> Vec<String> {
        let doc: toml::Table = match text.parse() {
            Ok(t) => t,
            Err(e) => {
                let first = e.to_string().lines().next().unwrap_or_default().to_string();
                return vec![format!("keymap.toml: {first}; using the default keys")];
            }
        };
        let mut warnings = vec![];
        for (section, body) in doc {
            if section == "mouse" {
                continue; // a setting, read by `settings`
            }
            let Some(ctx) = CONTEXTS
                .iter()
                .find(|(n, _)| *n == section)
                .map(|(_, c)| *c)
            else {
                let known: Vec<_> = CONTEXTS.iter().map(|(n, _)| *n).collect();
                warnings.push(format!(
                    "keymap.toml: unknown section [{section}] ({})",
                    known.join(", ")
                ));
                continue;
            };
            let Some(body) = body.as_table() else {
                warnings.push(format!("keymap.toml: [{section}] must be a table"));
                continue;
            };
            for (name, value) in body {
                let Some(action) = Action::named(name) else {
                    let known: Vec<_> = Action::names().collect();
                    warnings.push(format!(
                        "keymap.toml: [{section}] unknown action `{name}` ({})",
                        known.join(", ")
                    ));
                    continue;
                };
                let texts: Vec<&str> = match value {
                    toml::Value::String(s) => vec![s.as_str()],
                    toml::Value::Array(a) => a.iter().filter_map(|v| v.as_str()).collect(),
                    _ => vec![],
                };
                let mut keys = vec![];
                for t in &texts {
                    match Key::parse(t) {
                        Ok(k) => keys.push(k),
                        Err(msg) => {
                            warnings.push(format!("keymap.toml: [{section}] {name}: {msg}"))
                        }
                    }
                }
                if keys.is_empty() {
                    warnings.push(format!("keymap.toml: [{section}] {name}: no usable key"));
                    continue;
                }
                self.bind(ctx, action, keys, name);
            }
        }
        warnings
    }

    fn bind(&mut self, ctx: Context, action: Action, keys: Vec<Key>, name: &str) {
        let Some((_, table)) = self.tables.iter_mut().find(|(c, _)| *c == ctx) else {
            return;
        };
        for entry in table.iter_mut() {
            entry.keys.retain(|k| !keys.contains(k));
        }
        match table.iter_mut().find(|e| e.action == action) {
            Some(entry) => entry.keys = keys,
            None => table.push(Entry {
                action,
                keys,
                desc: name.replace('-', " "),
                hint: None,
            }),
        }
    }

    pub fn table(&self, ctx: Context) -> &[Entry] {
        self.tables
            .iter()
            .find(|(c, _)| *c == ctx)
            .map_or(&[], |(_, t)| t.as_slice())
    }

    /// The action of `key` in `ctx` (then in the global table, for panes).
    pub fn lookup(&self, ctx: Context, key: &Key) -> Option<&Action> {
        let find = |c| {
            self.table(c)
                .iter()
                .find(|e| e.keys.contains(key))
                .map(|e| &e.action)
        };
        find(ctx).or_else(|| {
            if ctx.uses_global() && ctx != Context::Global {
                find(Context::Global)
            } else {
                None
            }
        })
    }

    /// The entries that apply in `ctx`: its own, then the global ones it does not override.
    pub fn effective(&self, ctx: Context) -> Vec<&Entry> {
        let own = self.table(ctx);
        let mut out: Vec<&Entry> = own.iter().filter(|e| !e.keys.is_empty()).collect();
        if ctx.uses_global() && ctx != Context::Global {
            out.extend(
                self.table(Context::Global)
                    .iter()
                    .filter(|g| !g.keys.is_empty() && !own.iter().any(|o| o.action == g.action)),
            );
        }
        out
    }

    /// The footer: `(key, word)` for each entry marked as a hint.
    pub fn hints(&self, ctx: Context) -> Vec<(String, &'static str)> {
        self.effective(ctx)
            .into_iter()
            .filter_map(|e| Some((e.keys.first()?.to_string(), e.hint?)))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn panes_fall_back_to_global_and_prompts_do_not() {
        let k = Keymap::default();
        assert_eq!(
            k.lookup(Context::Runtime, &Key::ch('u')),
            Some(&Action::Rollback)
        );
        assert_eq!(
            k.lookup(Context::Runtime, &Key::ch('q')),
            Some(&Action::Quit)
        );
        assert_eq!(k.lookup(Context::Palette, &Key::ch('q')), None);
        assert_eq!(k.lookup(Context::Matrix, &Key::ch('u')), None);
    }

    #[test]
    fn overrides_rebind_and_mistakes_warn() {
        let (k, w) = Keymap::with_overrides(
            "[global]\nrefresh = \"q\"\nquit = [\"x\", \"nonsense-key\"]\n[runtime]\nrollback = \"ctrl-r\"\nfly = \"f\"\n[nowhere]\n",
        );
        assert_eq!(
            k.lookup(Context::Matrix, &Key::ch('q')),
            Some(&Action::Refresh)
        );
        assert_eq!(
            k.lookup(Context::Matrix, &Key::ch('x')),
            Some(&Action::Quit)
        );
        assert_eq!(
            k.lookup(Context::Runtime, &Key::ctrl('r')),
            Some(&Action::Rollback)
        );
        assert_eq!(k.lookup(Context::Runtime, &Key::ch('u')), None);
        assert_eq!(w.len(), 3, "{w:?}");
        let (k, w) = Keymap::with_overrides("[global\nquit=");
        assert_eq!(w.len(), 1);
        assert_eq!(
            k.lookup(Context::Global, &Key::ch('q')),
            Some(&Action::Quit)
        );
    }

    #[test]
    fn hints_come_from_the_table() {
        let k = Keymap::default();
        let words: Vec<_> = k
            .hints(Context::Runtime)
            .into_iter()
            .map(|(_, w)| w)
            .collect();
        assert_eq!(words.first(), Some(&"rollback"));
        assert!(words.contains(&"quit"));
        let (k, _) = Keymap::with_overrides("[runtime]\nrollback = \"ctrl-r\"\n");
        assert_eq!(k.hints(Context::Runtime)[0].0, "ctrl-r");
    }
}
