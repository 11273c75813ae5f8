//! How long a session may idle and live, and which wire protocol the server speaks. AWS's model:
//! `idleRuntimeSessionTimeout` and `maxLifetime` each 60..28800 seconds (defaults 900 and
//! 28800); `serverProtocol` one of its enum's values.

use serde::{Deserialize, Serialize};

use super::PostureError;

/// AWS's range for both lifecycle values, in seconds.
pub const LIFECYCLE_RANGE_S: std::ops::RangeInclusive<u32> = 60..=28_800;

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Lifecycle {
    pub idle_session_timeout_s: Option<u32>,
    pub max_lifetime_s: Option<u32>,
}

impl Lifecycle {
    pub fn new(
        idle_session_timeout_s: Option<u32>,
        max_lifetime_s: Option<u32>,
    ) -> Result<Self, PostureError> {
        let l = Self {
            idle_session_timeout_s,
            max_lifetime_s,
        };
        l.validate()?;
        Ok(l)
    }

    pub fn validate(&self) -> Result<(), PostureError> {
        for (field, value) in [
            ("idle_session_timeout", self.idle_session_timeout_s),
            ("max_lifetime", self.max_lifetime_s),
        ] {
            if let Some(s) = value.filter(|s| !LIFECYCLE_RANGE_S.contains(s)) {
                return Err(PostureError::new(
                    field,
                    format!(
                        "{} is out of range: 1m to 8h (60 to 28800 seconds)",
                        seconds(s)
                    ),
                ));
            }
        }
        // Only when both are given: AWS does not document how an explicit max below the
        // default idle (15m) is treated.
        if let (Some(idle), Some(max)) = (self.idle_session_timeout_s, self.max_lifetime_s)
            && idle > max
        {
            return Err(PostureError::new(
                "idle_session_timeout",
                format!(
                    "{} is longer than max_lifetime ({}): a session cannot idle past its lifetime",
                    seconds(idle),
                    seconds(max)
                ),
            ));
        }
        Ok(())
    }
}

/// `serverProtocol`, as AWS spells it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Protocol {
    #[serde(rename = "MCP")]
    Mcp,
    #[serde(rename = "HTTP")]
    Http,
    #[serde(rename = "A2A")]
    A2a,
}

impl Protocol {
    pub const ALL: [Self; 3] = [Self::Mcp, Self::Http, Self::A2a];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Mcp => "MCP",
            Self::Http => "HTTP",
            Self::A2a => "A2A",
        }
    }

    /// AWS's spelling, in any case (`mcp`, `MCP`).
    pub fn parse(s: &str) -> Result<Self, PostureError> {
        Self::ALL
            .into_iter()
            .find(|p| p.as_str().eq_ignore_ascii_case(s))
            .ok_or_else(|| {
                PostureError::new(
                    "protocol",
                    format!("`{s}` is not a server protocol (expected one of: MCP, HTTP, A2A)"),
                )
            })
    }
}

/// `900` as `15m`, `5400` as `1h30m`: how durations are written in the environments file.
pub fn seconds(total: u32) -> String {
    if total == 0 {
        return "0s".into();
    }
    let (h, m, s) = (total / 3600, total % 3600 / 60, total % 60);
    let mut out = String::new();
    for (n, unit) in [(h, 'h'), (m, 'm'), (s, 's')] {
        if n > 0 {
            out.push_str(&format!("{n}{unit}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn edges_of_the_range_are_accepted() {
        for (idle, max) in [
            (Some(60), Some(60)),
            (Some(28_800), Some(28_800)),
            (Some(900), None),
            (None, Some(60)),
            (None, None),
        ] {
            assert!(Lifecycle::new(idle, max).is_ok(), "{idle:?} {max:?}");
        }
    }

    #[test]
    fn out_of_range_and_idle_past_max_are_refused() {
        let cases = [
            (
                Some(59),
                None,
                "idle_session_timeout",
                "59s is out of range: 1m to 8h",
            ),
            (None, Some(28_801), "max_lifetime", "8h1s is out of range"),
            (Some(0), None, "idle_session_timeout", "0s is out of range"),
            (
                Some(3600),
                Some(1800),
                "idle_session_timeout",
                "1h is longer than max_lifetime (30m)",
            ),
        ];
        for (idle, max, field, needle) in cases {
            let e = Lifecycle::new(idle, max).expect_err("refused");
            assert_eq!(e.field, field);
            assert!(e.message.contains(needle), "{e}");
        }
    }

    #[test]
    fn protocols_parse_in_any_case_and_serialize_as_aws_spells_them() {
        assert_eq!(Protocol::parse("mcp").ok(), Some(Protocol::Mcp));
        assert_eq!(Protocol::parse("A2A").ok(), Some(Protocol::A2a));
        let e = Protocol::parse("grpc").expect_err("unknown");
        assert!(e.message.contains("MCP, HTTP, A2A"), "{e}");
        let json = serde_json::to_string(&Protocol::ALL).expect("json");
        assert_eq!(json, r#"["MCP","HTTP","A2A"]"#);
    }

    #[test]
    fn seconds_are_written_as_the_file_writes_them() {
        assert_eq!(
            [seconds(900), seconds(5400), seconds(28_800), seconds(61)],
            ["15m", "1h30m", "8h", "1m1s"]
        );
    }
}
