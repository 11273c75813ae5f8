//! Where a promoted version came from, as its description records it (DESIGN §8: lineage lives
//! on the version itself, so every console sees it and it survives the laptop):
//! `promoted from <env> v<N> sha256:<64 hex>`, then optionally `; ` and the source version's
//! own description. A description that does not start so has no lineage.

use std::fmt;

use serde::Serialize;

/// AWS's limit on a runtime's description (1–4096 characters).
pub const MAX_DESCRIPTION: usize = 4096;

const PREFIX: &str = "promoted from ";
const SEPARATOR: &str = "; ";

/// The source of a promoted version.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Lineage {
    pub env: String,
    pub version: String,
    /// The artifact's SHA-256, 64 lowercase hex digits.
    pub sha256: String,
}

impl Lineage {
    /// The lineage a description records, if it records one exactly.
    pub fn parse(description: &str) -> Option<Self> {
        let head = description.strip_prefix(PREFIX)?;
        let head = head.split_once(SEPARATOR).map_or(head, |(h, _)| h);
        let mut words = head.split(' ');
        let (Some(env), Some(version), Some(sha), None) =
            (words.next(), words.next(), words.next(), words.next())
        else {
            return None;
        };
        let version = version.strip_prefix('v')?;
        let sha256 = sha.strip_prefix("sha256:")?;
        let env_ok = !env.is_empty()
            && env.len() <= 64
            && env
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
        (env_ok && is_version(version) && is_sha256(sha256)).then(|| Self {
            env: env.to_string(),
            version: version.to_string(),
            sha256: sha256.to_string(),
        })
    }

    /// The description a promoted version gets: the lineage, then the source's description
    /// when the whole still fits AWS's limit (the lineage always does).
    pub fn describe(&self, source_description: Option<&str>) -> String {
        let head = format!(
            "{PREFIX}{} v{} sha256:{}",
            self.env, self.version, self.sha256
        );
        // The source's own lineage is not repeated: the chain is one hop per version.
        let rest = source_description.map(without_lineage).unwrap_or_default();
        let whole = format!("{head}{SEPARATOR}{rest}");
        if rest.is_empty() || whole.chars().count() > MAX_DESCRIPTION {
            head
        } else {
            whole
        }
    }

    /// `staging v12 (sha256 0123abcd…)`: the short form tables and panes show.
    pub fn short(&self) -> String {
        format!(
            "{} v{} (sha256 {}…)",
            self.env,
            self.version,
            &self.sha256[..12]
        )
    }
}

/// `prod v7 = staging v12 (sha256 0123abcd…)`: a version and where it came from.
pub fn line(env: &str, version: &str, lineage: &Lineage) -> String {
    format!("{env} v{version} = {}", lineage.short())
}

/// A description without its lineage (what a plain deploy carries over: a new version built
/// from a directory was not promoted from anywhere).
pub fn without_lineage(description: &str) -> String {
    if Lineage::parse(description).is_none() {
        return description.to_string();
    }
    description
        .split_once(SEPARATOR)
        .map(|(_, rest)| rest.to_string())
        .unwrap_or_default()
}

impl fmt::Display for Lineage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} v{} (sha256 {})", self.env, self.version, self.sha256)
    }
}

fn is_version(v: &str) -> bool {
    !v.is_empty() && v.len() <= 5 && !v.starts_with('0') && v.bytes().all(|b| b.is_ascii_digit())
}

/// 64 lowercase hex digits.
pub fn is_sha256(s: &str) -> bool {
    s.len() == 64 && s.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sha() -> String {
        "0123456789abcdef".repeat(4)
    }

    fn lineage() -> Lineage {
        Lineage {
            env: "staging".into(),
            version: "12".into(),
            sha256: sha(),
        }
    }

    #[test]
    fn a_description_round_trips() {
        let d = lineage().describe(None);
        assert_eq!(d, format!("promoted from staging v12 sha256:{}", sha()));
        assert_eq!(Lineage::parse(&d), Some(lineage()));
        let with = lineage().describe(Some("weather tools"));
        assert_eq!(with, format!("{d}; weather tools"));
        assert_eq!(Lineage::parse(&with), Some(lineage()));
        assert_eq!(without_lineage(&with), "weather tools");
        assert_eq!(without_lineage(&d), "");
        assert_eq!(without_lineage("weather tools"), "weather tools");
    }

    #[test]
    fn the_source_description_is_dropped_when_it_would_pass_the_limit() {
        let long = "x".repeat(MAX_DESCRIPTION);
        let d = lineage().describe(Some(&long));
        assert_eq!(d, lineage().describe(None));
        // A source that was itself promoted gives its own text, not its lineage.
        let src = Lineage {
            env: "dev".into(),
            version: "3".into(),
            sha256: sha(),
        }
        .describe(Some("tools"));
        assert_eq!(lineage().describe(Some(&src)), format!("{d}; tools"));
        let fits = "y".repeat(MAX_DESCRIPTION - d.chars().count() - 2);
        assert_eq!(
            lineage().describe(Some(&fits)).chars().count(),
            MAX_DESCRIPTION
        );
    }

    #[test]
    fn anything_else_has_no_lineage() {
        let s = sha();
        for d in [
            "",
            "weather tools",
            &format!("promoted from staging 12 sha256:{s}"),
            &format!("promoted from staging v012 sha256:{s}"),
            &format!("promoted from staging v12 sha256:{}", &s[..63]),
            &format!("promoted from staging v12 sha256:{}", s.to_uppercase()),
            &format!("promoted from staging v12 md5:{s}"),
            &format!("promoted from stag ing v12 sha256:{s}"),
            &format!("promoted from \x1b[2J v12 sha256:{s}"),
            &format!("promoted from staging v12 sha256:{s} extra"),
            &format!("Promoted from staging v12 sha256:{s}"),
        ] {
            assert_eq!(Lineage::parse(d), None, "{d:?}");
        }
    }

    #[test]
    fn the_short_form_names_env_version_and_the_hash_start() {
        assert_eq!(lineage().short(), "staging v12 (sha256 0123456789ab…)");
        assert_eq!(
            line("prod", "7", &lineage()),
            "prod v7 = staging v12 (sha256 0123456789ab…)"
        );
    }
}
