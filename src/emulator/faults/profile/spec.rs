//! A latency and quota profile as written: `[SERVICE.OPERATION]` tables (`"*"` for every
//! other operation of the service) with `rps`/`burst` (a token bucket per account, region
//! and operation) and `p50_ms`/`p99_ms` (a lognormal latency). Parsed from the spanned TOML
//! document by hand so that every error names `file:line:column` and the key.

use std::ops::Range;
use std::path::{Path, PathBuf};
use std::time::Duration;

use toml::Spanned;
use toml::de::{DeTable, DeValue};

use crate::emulator::operation;

/// The profile `--profile aws` names: AWS's published quotas and assumed latencies.
pub const AWS: &str = include_str!("../../../../assets/profiles/aws.toml");

/// A whole profile: its name and one rule per `[SERVICE.OPERATION]` table, in file order.
#[derive(Debug, Clone, PartialEq)]
pub struct ProfileSpec {
    pub name: String,
    pub rules: Vec<Rule>,
}

/// What one operation (or every other operation of a service, `*`) gets.
#[derive(Debug, Clone, PartialEq)]
pub struct Rule {
    pub service: String,
    pub operation: String,
    pub quota: Option<Quota>,
    pub latency: Option<Latency>,
}

/// Requests per second sustained, and how many may come at once after a quiet spell.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Quota {
    pub rps: f64,
    pub burst: f64,
}

/// A lognormal latency given by its median and 99th percentile.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Latency {
    pub p50: Duration,
    pub p99: Duration,
}

/// Why a profile was refused: where, which key, what is allowed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}:{line}:{column}: {}{message}", file.display(), key.as_deref().map(|k| format!("key `{k}`: ")).unwrap_or_default())]
pub struct ProfileError {
    pub file: PathBuf,
    pub line: usize,
    pub column: usize,
    pub key: Option<String>,
    pub message: String,
}

const KEYS: &str = "rps, burst, p50_ms, p99_ms";
/// Above this a latency is no longer a latency but a hang (the SDKs give up at 30 s).
const MAX_LATENCY_MS: f64 = 60_000.0;

impl ProfileSpec {
    /// `aws` (the built-in profile) or the path of a TOML file of the same shape.
    pub fn load(arg: &str) -> Result<Self, String> {
        if arg == "aws" {
            return Self::parse("aws", Path::new("<built-in aws profile>"), AWS)
                .map_err(|e| e.to_string());
        }
        let path = Path::new(arg);
        let text = std::fs::read_to_string(path).map_err(|e| {
            format!("--profile: '{arg}' is neither 'aws' nor a readable TOML file ({e})")
        })?;
        let name = path
            .file_stem()
            .map_or_else(|| arg.to_string(), |s| s.to_string_lossy().into_owned());
        Self::parse(&name, path, &text).map_err(|e| e.to_string())
    }

    /// Parse `text` (read from `file`, named in errors).
    pub fn parse(name: &str, file: &Path, text: &str) -> Result<Self, ProfileError> {
        let at = |offset: usize, key: Option<String>, message: String| {
            let before = &text[..offset.min(text.len())];
            ProfileError {
                file: file.to_path_buf(),
                line: before.matches('\n').count() + 1,
                column: before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1,
                key,
                message,
            }
        };
        let doc = DeTable::parse(text).map_err(|e| {
            let first = e.message().lines().next().unwrap_or("invalid TOML").trim();
            at(e.span().map_or(0, |s| s.start), None, first.to_string())
        })?;
        let mut rules = vec![];
        for (service, body) in in_order(doc.get_ref()) {
            let s = service.get_ref().as_ref();
            if !operation::SERVICES.contains(&s) {
                return Err(at(
                    service.span().start,
                    Some(s.into()),
                    format!(
                        "unknown service: use a signing name ({})",
                        operation::SERVICES.join(", ")
                    ),
                ));
            }
            let Some(ops) = body.get_ref().as_table() else {
                return Err(at(
                    body.span().start,
                    Some(s.into()),
                    "must be a table of operations, e.g. [logs.FilterLogEvents]".into(),
                ));
            };
            for (op, body) in in_order(ops) {
                let o = op.get_ref().as_ref();
                let path = format!("{s}.{o}");
                if o != "*" && !operation::known(s, o) {
                    return Err(at(
                        op.span().start,
                        Some(path),
                        format!(
                            "unknown operation of '{s}': use an operation name as AWS spells it, or \"*\""
                        ),
                    ));
                }
                let Some(fields) = body.get_ref().as_table() else {
                    return Err(at(
                        body.span().start,
                        Some(path),
                        format!("must be a table with {KEYS}"),
                    ));
                };
                rules.push(
                    rule(s, o, &path, op.span(), fields)
                        .map_err(|(r, k, m)| at(r.start, Some(k), m))?,
                );
            }
        }
        if rules.is_empty() {
            return Err(at(
                0,
                None,
                "the profile has no [SERVICE.OPERATION] table: nothing to apply".into(),
            ));
        }
        Ok(Self {
            name: name.to_string(),
            rules,
        })
    }
}

type Bad = (Range<usize>, String, String);

fn rule(
    service: &str,
    op: &str,
    path: &str,
    op_span: Range<usize>,
    fields: &DeTable<'_>,
) -> Result<Rule, Bad> {
    let num = |key: &str, min: f64, max: f64| -> Result<Option<(f64, Range<usize>)>, Bad> {
        let Some(v) = fields.get(key) else {
            return Ok(None);
        };
        let full = format!("{path}.{key}");
        let n = match v.get_ref() {
            DeValue::Integer(i) => i64::from_str_radix(i.as_str(), i.radix())
                .ok()
                .map(|i| i as f64),
            DeValue::Float(f) => f.as_str().parse::<f64>().ok(),
            _ => None,
        };
        match n {
            Some(n) if n.is_finite() && n >= min && n <= max => Ok(Some((n, v.span()))),
            _ => Err((
                v.span(),
                full,
                format!("must be a number from {min} to {max}"),
            )),
        }
    };
    let rps = num("rps", 0.01, 1_000_000.0)?;
    let burst = num("burst", 1.0, 1_000_000.0)?;
    let p50 = num("p50_ms", 0.0, MAX_LATENCY_MS)?;
    let p99 = num("p99_ms", 0.0, MAX_LATENCY_MS)?;
    if let Some((key, _)) = in_order(fields)
        .into_iter()
        .find(|(k, _)| !["rps", "burst", "p50_ms", "p99_ms"].contains(&k.get_ref().as_ref()))
    {
        return Err((
            key.span(),
            format!("{path}.{}", key.get_ref()),
            format!("unknown key: use {KEYS}"),
        ));
    }
    let quota = match (rps, burst) {
        (Some((rps, _)), burst) => Some(Quota {
            rps,
            // A bucket of one second's worth unless told otherwise (at least one call).
            burst: burst.map_or(rps.max(1.0), |b| b.0),
        }),
        (None, Some((_, span))) => {
            return Err((span, format!("{path}.burst"), "burst needs rps".into()));
        }
        (None, None) => None,
    };
    let ms = |v: f64| Duration::from_secs_f64(v / 1000.0);
    let latency = match (p50, p99) {
        (Some((p50, _)), Some((p99, span))) if p99 < p50 => {
            return Err((
                span,
                format!("{path}.p99_ms"),
                format!("must be at least p50_ms ({p50})"),
            ));
        }
        (Some((p50, _)), p99) => Some(Latency {
            p50: ms(p50),
            p99: ms(p99.map_or(p50, |p| p.0)),
        }),
        (None, Some((_, span))) => {
            return Err((span, format!("{path}.p99_ms"), "p99_ms needs p50_ms".into()));
        }
        (None, None) => None,
    };
    if quota.is_none() && latency.is_none() {
        return Err((
            op_span,
            path.to_string(),
            format!("sets nothing: give rps and/or p50_ms ({KEYS})"),
        ));
    }
    Ok(Rule {
        service: service.into(),
        operation: op.into(),
        quota,
        latency,
    })
}

type Entry<'a, 'i> = (
    &'a Spanned<std::borrow::Cow<'i, str>>,
    &'a Spanned<DeValue<'i>>,
);

fn in_order<'a, 'i>(table: &'a DeTable<'i>) -> Vec<Entry<'a, 'i>> {
    let mut entries: Vec<_> = table.iter().collect();
    entries.sort_by_key(|(k, _)| k.span().start);
    entries
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<ProfileSpec, String> {
        ProfileSpec::parse("t", Path::new("p.toml"), text).map_err(|e| e.to_string())
    }

    #[test]
    fn the_built_in_aws_profile_parses() {
        let aws = ProfileSpec::load("aws").expect("aws");
        let fle = aws
            .rules
            .iter()
            .find(|r| r.operation == "FilterLogEvents")
            .expect("FilterLogEvents");
        assert_eq!(fle.quota.map(|q| q.rps), Some(5.0));
        assert!(aws.rules.iter().any(|r| r.service == "monitoring"));
    }

    #[test]
    fn a_profile_of_the_same_shape() {
        let p = parse(
            "[logs.FilterLogEvents]\nrps = 2\nburst = 3\np50_ms = 20\np99_ms = 80.5\n\
             [bedrock-agentcore.\"*\"]\np50_ms = 5\n",
        )
        .expect("valid");
        assert_eq!(p.rules.len(), 2);
        assert_eq!(
            p.rules[0].quota,
            Some(Quota {
                rps: 2.0,
                burst: 3.0
            })
        );
        assert_eq!(
            p.rules[0].latency.map(|l| l.p99),
            Some(Duration::from_micros(80_500))
        );
        assert_eq!(p.rules[1].operation, "*");
        assert_eq!(p.rules[1].quota, None);
        // p99 defaults to p50 (a fixed latency), burst to one second's worth.
        assert_eq!(
            p.rules[1].latency.map(|l| l.p99),
            Some(Duration::from_millis(5))
        );
        let q = parse("[s3.PutObject]\nrps = 0.5\n").expect("valid");
        assert_eq!(q.rules[0].quota.map(|q| q.burst), Some(1.0));
    }

    #[test]
    fn bad_profiles_name_file_line_and_key() {
        let cases = [
            (
                "[logs.FilterLogEvents]\nrps = \"fast\"\n",
                "p.toml:2:7: key `logs.FilterLogEvents.rps`: must be a number",
            ),
            (
                "[logs.FilterLogEvent]\nrps = 1\n",
                "p.toml:1:7: key `logs.FilterLogEvent`: unknown operation",
            ),
            (
                "[lambda.Invoke]\nrps = 1\n",
                "p.toml:1:2: key `lambda`: unknown service",
            ),
            (
                "[logs.FilterLogEvents]\nrps = 1\nrate = 2\n",
                "p.toml:3:1: key `logs.FilterLogEvents.rate`: unknown key",
            ),
            (
                "[logs.FilterLogEvents]\np50_ms = 90\np99_ms = 10\n",
                "p.toml:3:10: key `logs.FilterLogEvents.p99_ms`: must be at least p50_ms",
            ),
            (
                "[logs.FilterLogEvents]\nburst = 3\n",
                "p.toml:2:9: key `logs.FilterLogEvents.burst`: burst needs rps",
            ),
            (
                "[logs.FilterLogEvents]\nrps = 0\n",
                "key `logs.FilterLogEvents.rps`: must be a number from 0.01",
            ),
            (
                "[logs.FilterLogEvents]\np50_ms = 100000\n",
                "p50_ms`: must be a number from 0 to 60000",
            ),
            ("logs = 3\n", "p.toml:1:8: key `logs`: must be a table"),
            (
                "[logs]\nFilterLogEvents = 1\n",
                "key `logs.FilterLogEvents`: must be a table with",
            ),
            ("[logs.FilterLogEvents\n", "p.toml:1:"),
            ("", "nothing to apply"),
        ];
        for (text, want) in cases {
            let got = parse(text).expect_err(text);
            assert!(got.contains(want), "{text:?}: {got}");
        }
        let empty = parse("[logs.FilterLogEvents]\n").expect_err("empty");
        assert!(empty.contains("sets nothing"), "{empty}");
        let missing = ProfileSpec::load("/nonexistent/p.toml").expect_err("missing");
        assert!(
            missing.contains("neither 'aws' nor a readable TOML file"),
            "{missing}"
        );
    }
}
