//! The TUI's own settings, from the config dir (`$XDG_CONFIG_HOME/agentcore-console/`, else
//! `~/.config/agentcore-console/`): `keymap.toml` and `theme.toml`. Both optional; a file
//! that cannot be used gives warnings for the status line, never a failure. `mouse = true` at
//! the top of `keymap.toml` turns on the mouse wheel.

use std::path::{Path, PathBuf};

use super::keymap::Keymap;
use super::theme::Theme;

pub struct Settings {
    pub keymap: Keymap,
    pub theme: Theme,
    /// Capture the mouse: the wheel scrolls.
    pub mouse: bool,
    pub warnings: Vec<String>,
}

/// The config dir of the console.
pub fn config_dir() -> Option<PathBuf> {
    std::env::var_os("XDG_CONFIG_HOME")
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".config")))
        .map(|d| d.join("agentcore-console"))
}

/// Read the settings in `dir` (none: defaults), with `base` as the theme before overrides.
pub fn load(dir: Option<&Path>, base: Theme) -> Settings {
    let mut warnings = vec![];
    let mut read = |name: &str| -> Option<String> {
        let path = dir?.join(name);
        match std::fs::read_to_string(&path) {
            Ok(text) => Some(text),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
            Err(e) => {
                warnings.push(format!("{}: {e}", path.display()));
                None
            }
        }
    };
    let keymap_text = read("keymap.toml");
    let theme_text = read("theme.toml");
    let mouse = match keymap_text
        .as_deref()
        .and_then(|t| t.parse::<toml::Table>().ok())
        .and_then(|t| t.get("mouse").cloned())
    {
        None => false,
        Some(toml::Value::Boolean(b)) => b,
        Some(_) => {
            warnings.push("keymap.toml: mouse must be true or false".into());
            false
        }
    };
    let keymap = match keymap_text {
        Some(text) => {
            let (k, w) = Keymap::with_overrides(&text);
            warnings.extend(w);
            k
        }
        None => Keymap::default(),
    };
    let mut theme = base;
    if let Some(text) = theme_text {
        warnings.extend(theme.apply_overrides(&text));
    }
    Settings {
        keymap,
        theme,
        mouse,
        warnings,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tui::action::Action;
    use crate::tui::keymap::Context;
    use crate::tui::keys::Key;

    #[test]
    fn files_in_the_dir_apply_and_problems_become_warnings() {
        let dir = tempfile::tempdir().expect("tempdir");
        std::fs::write(
            dir.path().join("keymap.toml"),
            "[global]\nquit = \"x\"\n[bogus]\n",
        )
        .expect("write");
        std::fs::write(dir.path().join("theme.toml"), "protected = \"magenta\"\n").expect("write");
        let s = load(Some(dir.path()), Theme::colored());
        assert_eq!(
            s.keymap.lookup(Context::Global, &Key::ch('x')),
            Some(&Action::Quit)
        );
        assert_eq!(s.warnings.len(), 1, "{:?}", s.warnings);
        assert!(!s.mouse, "off unless asked for");
        let none = load(None, Theme::mono());
        assert!(none.warnings.is_empty());
        assert!(!none.theme.color && !none.mouse);
        std::fs::write(
            dir.path().join("keymap.toml"),
            "mouse = true\n[global]\nquit = \"x\"\n",
        )
        .expect("write");
        let s = load(Some(dir.path()), Theme::colored());
        assert!(s.mouse && s.warnings.is_empty(), "{:?}", s.warnings);
        std::fs::write(dir.path().join("keymap.toml"), "mouse = \"yes\"\n").expect("write");
        let s = load(Some(dir.path()), Theme::colored());
        assert!(!s.mouse);
        assert_eq!(s.warnings, ["keymap.toml: mouse must be true or false"]);
    }
}
