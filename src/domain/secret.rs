//! A value that must never leave the process except in the API call that needs it: a
//! runtime's environment variable. Its `Debug` says `***` and it has no `Display`, so a log
//! line, a panic message or a derived `Debug` of a request cannot carry it.

/// A secret string; read it with [`Secret::expose`] where the value itself is sent.
#[derive(Clone, PartialEq, Eq, Default)]
pub struct Secret(String);

/// What is shown in place of a secret value.
pub const REDACTED: &str = "***";

impl Secret {
    pub fn new(value: impl Into<String>) -> Self {
        Self(value.into())
    }

    /// The value, for the API call that sets it.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(REDACTED)
    }
}

impl From<String> for Secret {
    fn from(value: String) -> Self {
        Self(value)
    }
}

impl From<&str> for Secret {
    fn from(value: &str) -> Self {
        Self(value.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_never_shows_the_value() {
        let vars = vec![("API_TOKEN".to_string(), Secret::new("hunter2"))];
        let shown = format!("{vars:?} {vars:#?}");
        assert!(
            !shown.contains("hunter2") && shown.contains("API_TOKEN"),
            "{shown}"
        );
        assert_eq!(vars[0].1.expose(), "hunter2");
    }
}
