//! Configuration errors: each names the file and, where it can, the line and key.

use std::path::{Path, PathBuf};

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error(
        "no environments file: pass --config PATH, set AGENTCORE_CONSOLE_CONFIG, or create {} (see assets/environments.example.toml)",
        looked_at.as_deref().map_or_else(|| "~/.config/agentcore-console/environments.toml".to_string(), |p| p.display().to_string())
    )]
    NotFound { looked_at: Option<PathBuf> },
    #[error("{}: cannot read: {source}", path.display())]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{}:{line}:{column}: {}{message}", path.display(), key.as_deref().map(|k| format!("key `{k}`: ")).unwrap_or_default())]
    Invalid {
        path: PathBuf,
        line: usize,
        column: usize,
        key: Option<String>,
        message: String,
    },
    #[error("{}: unknown environment `{name}` (known: {})", path.display(), known.join(", "))]
    UnknownEnvironment {
        name: String,
        path: PathBuf,
        known: Vec<String>,
    },
    #[error("{}: choose one environment with --env (known: {})", path.display(), known.join(", "))]
    AmbiguousEnvironment { path: PathBuf, known: Vec<String> },
}

/// A problem found in the text before the file name is known.
#[derive(Debug)]
pub(crate) struct Located {
    pub line: usize,
    pub column: usize,
    pub key: Option<String>,
    pub message: String,
}

impl Located {
    pub(crate) fn at(text: &str, offset: usize, key: Option<String>, message: String) -> Self {
        let before = &text[..offset.min(text.len())];
        let line = before.matches('\n').count() + 1;
        let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
        Self {
            line,
            column,
            key,
            message,
        }
    }

    pub(crate) fn in_file(self, path: &Path) -> ConfigError {
        ConfigError::Invalid {
            path: path.to_path_buf(),
            line: self.line,
            column: self.column,
            key: self.key,
            message: self.message,
        }
    }
}
