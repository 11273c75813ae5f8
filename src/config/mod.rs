//! The environments file: discovery, parsing and validation.
//!
//! Precedence: `--config` flag, then `$AGENTCORE_CONSOLE_CONFIG`, then the XDG config dir
//! (`$XDG_CONFIG_HOME` or `~/.config`) `agentcore-console/environments.toml`.

mod alarms;
mod error;
mod file;
mod plans;
mod posture;
pub mod smoke;

/// The duration syntax of the environments file (`90s`, `15m`, `1h30m`), for flags that take
/// the same values.
pub use plans::values::parse_duration;

use std::path::{Path, PathBuf};

pub use error::ConfigError;
pub use plans::parse_plan_file;

use crate::domain::Environment;

/// The environment variable that names the environments file.
pub const CONFIG_ENV_VAR: &str = "AGENTCORE_CONSOLE_CONFIG";

/// The loaded, validated environments file.
#[derive(Debug, Clone)]
pub struct Config {
    /// Where it was read from.
    pub path: PathBuf,
    /// In file order.
    pub environments: Vec<Environment>,
}

impl Config {
    /// Find and load the environments file.
    pub fn discover(flag: Option<&Path>) -> Result<Self, ConfigError> {
        let path = find_path(
            flag,
            std::env::var_os(CONFIG_ENV_VAR).map(PathBuf::from),
            xdg_config_home(),
        )?;
        Self::load(&path)
    }

    /// Load and validate one file.
    pub fn load(path: &Path) -> Result<Self, ConfigError> {
        let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Io {
            path: path.to_path_buf(),
            source,
        })?;
        let environments = file::parse(&text).map_err(|e| e.in_file(path))?;
        Ok(Self {
            path: path.to_path_buf(),
            environments,
        })
    }

    /// The environments the user selected with `--env` (all of them when none was given), in
    /// file order; an unknown name is an error that lists the known ones.
    pub fn select(&self, names: &[String]) -> Result<Vec<Environment>, ConfigError> {
        if names.is_empty() {
            return Ok(self.environments.clone());
        }
        for name in names {
            if !self.environments.iter().any(|e| &e.name == name) {
                return Err(ConfigError::UnknownEnvironment {
                    name: name.clone(),
                    path: self.path.clone(),
                    known: self.environments.iter().map(|e| e.name.clone()).collect(),
                });
            }
        }
        Ok(self
            .environments
            .iter()
            .filter(|e| names.contains(&e.name))
            .cloned()
            .collect())
    }

    /// Exactly one environment: `--env` if given, or the only one in the file.
    pub fn one(&self, names: &[String]) -> Result<Environment, ConfigError> {
        let mut selected = self.select(names)?;
        if selected.len() == 1 {
            return Ok(selected.remove(0));
        }
        Err(ConfigError::AmbiguousEnvironment {
            path: self.path.clone(),
            known: selected.into_iter().map(|e| e.name).collect(),
        })
    }
}

fn xdg_config_home() -> Option<PathBuf> {
    std::env::var_os("XDG_CONFIG_HOME")
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".config")))
}

/// Where the environments file is, by precedence; explicit choices must exist.
fn find_path(
    flag: Option<&Path>,
    env_var: Option<PathBuf>,
    xdg: Option<PathBuf>,
) -> Result<PathBuf, ConfigError> {
    if let Some(p) = flag {
        return Ok(p.to_path_buf());
    }
    if let Some(p) = env_var.filter(|p| !p.as_os_str().is_empty()) {
        return Ok(p);
    }
    let candidate = xdg.map(|d| d.join("agentcore-console").join("environments.toml"));
    match candidate {
        Some(p) if p.is_file() => Ok(p),
        other => Err(ConfigError::NotFound { looked_at: other }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flag_beats_env_var_beats_xdg() {
        let dir = tempfile::tempdir().expect("tempdir");
        let xdg = dir.path().join("agentcore-console");
        std::fs::create_dir_all(&xdg).expect("mkdir");
        std::fs::write(xdg.join("environments.toml"), "").expect("write");
        let flag = PathBuf::from("/flag.toml");
        let var = PathBuf::from("/var.toml");
        let home = Some(dir.path().to_path_buf());
        assert_eq!(
            find_path(Some(&flag), Some(var.clone()), home.clone()).ok(),
            Some(flag)
        );
        assert_eq!(
            find_path(None, Some(var.clone()), home.clone()).ok(),
            Some(var)
        );
        assert_eq!(
            find_path(None, None, home).ok(),
            Some(xdg.join("environments.toml"))
        );
        let missing = find_path(None, None, Some(PathBuf::from("/nonexistent")));
        assert!(matches!(missing, Err(ConfigError::NotFound { .. })));
    }

    #[test]
    fn select_keeps_file_order_and_rejects_unknown_names() {
        let cfg = Config {
            path: PathBuf::from("envs.toml"),
            environments: file::parse(
                "[environments.dev]\nregion='us-west-2'\n[environments.prod]\nregion='us-east-1'\n",
            )
            .expect("parse"),
        };
        let picked = cfg.select(&["prod".into(), "dev".into()]).expect("select");
        assert_eq!(
            picked.iter().map(|e| e.name.as_str()).collect::<Vec<_>>(),
            ["dev", "prod"]
        );
        let err = cfg.select(&["qa".into()]).expect_err("unknown");
        let msg = err.to_string();
        assert!(
            msg.contains("qa") && msg.contains("envs.toml") && msg.contains("dev, prod"),
            "{msg}"
        );
        assert!(cfg.one(&[]).is_err());
        assert_eq!(cfg.one(&["dev".into()]).expect("one").name, "dev");
    }
}
