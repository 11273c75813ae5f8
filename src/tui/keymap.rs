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

/// A pane's table plus `L`/`ctrl-l`: the logs of the runtime it shows.
fn with_logs(mut keys: Vec<Entry>) -> Vec<Entry> {
    keys.extend(super::panes::logs::open_keys());
    keys
}

pub(crate) fn e(action: Action, keys: &[&str], desc: &str, hint: Option<&'static str>) -> Entry {
    Entry {
        action,
        keys: keys.iter().filter_map(|k| Key::parse(k).ok()).collect(),
        desc: desc.to_string(),
        hint,
    }
}

/// `t` and `m` from a runtime in an environment (the matrix's selection, the detail).
fn open_views() -> Vec<Entry> {
    vec![
        e(
            Action::Traffic,
            &["t"],
            "traffic: the canary split, configured vs observed, and its verdict",
            Some("traffic"),
        ),
        e(
            Action::Metrics,
            &["m"],
            "metrics: invocations, errors, throttles, latency per version",
            Some("metrics"),
        ),
        e(
            Action::Invoke,
            &["i"],
            "invoke: call a tool of this runtime (a form from its input schema)",
            Some("invoke"),
        ),
        e(
            Action::Deploy,
            &["D"],
            "deploy a new version: source, preview of the calls, progress, validation",
            Some("deploy"),
        ),
        // No footer hint: the footer is full at 120 columns; help and the palette have it.
        e(
            Action::ApplyAlarms,
            &["a"],
            "apply the standard alarms (every endpoint): plan, preview of the calls, audited",
            None,
        ),
    ]
}

impl Default for Keymap {
    fn default() -> Self {
        use Action as A;
        let nav = |what: &str| {
            vec![
                e(A::Up, &["k", "up"], &format!("previous {what}"), None),
                e(A::Down, &["j", "down"], &format!("next {what}"), None),
                e(A::PageUp, &["pgup"], "page up", None),
                e(A::PageDown, &["pgdn"], "page down", None),
                e(A::Top, &["g", "home"], "first", None),
                e(A::Bottom, &["G", "end"], "last", None),
            ]
        };
        let text = |submit: &str, back: &str| {
            vec![
                e(A::Submit, &["enter"], submit, None),
                e(A::Back, &["esc"], back, None),
                e(A::Backspace, &["backspace"], "delete a character", None),
                e(A::ClearInput, &["ctrl-u"], "clear the input", None),
            ]
        };
        let global = {
            let mut g = vec![
                // Help and quit first: when the footer runs out of room, these stay.
                e(A::Help, &["?", "f1"], "this help", Some("help")),
                e(A::Quit, &["q"], "quit", Some("quit")),
                e(
                    A::Palette,
                    &[":"],
                    "command palette: jump to an env, runtime or pane",
                    Some("jump"),
                ),
                e(A::Filter, &["/"], "filter the list", Some("filter")),
                e(A::Refresh, &["r"], "refresh now", Some("refresh")),
                e(
                    A::Back,
                    &["esc"],
                    "clear the filter, or go back",
                    Some("back"),
                ),
                e(
                    A::Arm,
                    &["A"],
                    "arm (or disarm) the environment in focus for writes",
                    Some("arm"),
                ),
                e(A::Messages, &["!"], "message history", None),
                e(A::Left, &["h", "left"], "left", None),
                e(A::Right, &["l", "right"], "right", None),
                e(A::Open, &["enter"], "open", None),
                e(
                    A::ForceQuit,
                    &["ctrl-c"],
                    "quit now, even during a write",
                    None,
                ),
            ];
            g.extend(nav("row"));
            g
        };
        let matrix = {
            let mut m = vec![
                e(
                    A::Open,
                    &["enter"],
                    "open the runtime in the selected environment",
                    Some("open"),
                ),
                e(A::Left, &["h", "left"], "previous environment", None),
                e(A::Right, &["l", "right"], "next environment", None),
                e(
                    A::FiringOnly,
                    &["f"],
                    "only the runtimes with an alarm firing (again: all of them)",
                    Some("firing"),
                ),
            ];
            m.extend(open_views());
            m.extend(super::panes::logs::open_keys());
            m.extend(nav("runtime"));
            m
        };
        let runtime = {
            let mut r = vec![e(
                A::Rollback,
                &["u"],
                "roll the selected endpoint back to its previous version",
                Some("rollback"),
            )];
            r.extend(open_views());
            r.extend(super::panes::logs::open_keys());
            r.extend(nav("endpoint"));
            r
        };
        let palette = {
            let mut p = text("run the selected entry", "close");
            p.push(e(
                A::Complete,
                &["tab"],
                "complete with the selected entry",
                None,
            ));
            p.push(e(A::Up, &["up"], "previous entry", None));
            p.push(e(A::Down, &["down"], "next entry", None));
            p
        };
        Self {
            tables: vec![
                (Context::Global, global),
                (Context::Matrix, matrix),
                (Context::Runtime, runtime),
                (Context::Audit, nav("entry")),
                (Context::Alarms, super::panes::alarms::keys(&nav)),
                (Context::Palette, palette),
                (Context::Filter, text("keep the filter", "clear the filter")),
                (Context::Arm, text("arm the environment", "cancel")),
                (
                    Context::Confirm,
                    vec![
                        e(A::Submit, &["y", "enter"], "make the change", None),
                        e(A::Back, &["n", "esc"], "cancel", None),
                        e(A::Down, &["j", "down"], "scroll down", None),
                        e(A::Up, &["k", "up"], "scroll up", None),
                        e(A::PageDown, &["pgdn"], "page down", None),
                        e(A::PageUp, &["pgup"], "page up", None),
                    ],
                ),
                (
                    Context::Overlay,
                    vec![e(A::Back, &["esc", "q", "?"], "close", None)],
                ),
                (
                    Context::Traffic,
                    with_logs(super::panes::traffic::keys(&nav)),
                ),
                (
                    Context::TrafficForm,
                    super::panes::traffic::form_keys(&text),
                ),
                (
                    Context::Metrics,
                    with_logs(super::panes::metrics::keys(&nav)),
                ),
                (Context::Logs, super::panes::logs::keys()),
                (Context::Invoke, super::panes::invoke::keys(&nav)),
                (Context::InvokeForm, super::panes::invoke::form_keys()),
                (Context::Deploy, super::panes::deploy::keys(&nav)),
                (Context::DeployForm, super::panes::deploy::form_keys(&text)),
                (
                    Context::Rollout,
                    with_logs(super::panes::rollout::keys(&nav)),
                ),
                (
                    Context::RolloutForm,
                    super::panes::rollout::form_keys(&text),
                ),
            ],
        }
    }
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
