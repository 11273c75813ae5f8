//! CloudWatch Logs filter patterns: the syntax FilterLogEvents, Live Tail and metric filters
//! share. Three forms: terms (`ERROR ?WARN -health "two words"`), JSON
//! (`{ $.level = "ERROR" && $.latency > 100 }`) and space-delimited (`[ip, ..., status = 5*]`).
//! Matching is case-sensitive, as on AWS.

mod eval;
mod parser;

use serde_json::Value;

use eval::{bind, eval_fields, eval_json, split_fields, split_top};
use parser::Parser;

#[derive(Debug, Clone, PartialEq)]
pub enum FilterPattern {
    All,
    Terms {
        all: Vec<String>,
        any: Vec<String>,
        none: Vec<String>,
    },
    Json(Expr),
    Delimited {
        fields: Vec<Field>,
        cond: Option<Expr>,
    },
}

#[derive(Debug, Clone, PartialEq)]
pub enum Field {
    Named(String),
    Ellipsis,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Expr {
    And(Box<Expr>, Box<Expr>),
    Or(Box<Expr>, Box<Expr>),
    Cmp { sel: String, op: Op, val: Lit },
    IsNull(String),
    NotExists(String),
    Exists(String),
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Op {
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Lit {
    Str(String),
    Num(f64),
    Bool(bool),
    Null,
}

/// AWS's limit on a pattern's length, in characters (FilterLogEvents, StartLiveTail and
/// PutMetricFilter all say 1024).
pub const MAX_PATTERN_CHARS: usize = 1024;
/// How deep parentheses may nest. AWS documents no limit; this one bounds the parser's
/// recursion (10,000 `(` overflowed its stack) far above any pattern a person writes.
pub const MAX_DEPTH: usize = 64;

/// A pattern that is refused, with why.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum PatternError {
    #[error("invalid filter pattern: {0}")]
    Syntax(String),
    #[error(
        "the filter pattern is {0} characters long; CloudWatch Logs allows at most \
         {MAX_PATTERN_CHARS}: shorten it"
    )]
    TooLong(usize),
    #[error("the filter pattern nests parentheses more than {MAX_DEPTH} deep: flatten it")]
    TooDeep,
}

impl PatternError {
    /// Whether the pattern broke a limit (rather than the syntax): such a pattern is refused
    /// before any call, since AWS would refuse it too.
    pub fn is_limit(&self) -> bool {
        matches!(self, Self::TooLong(_) | Self::TooDeep)
    }
}

impl FilterPattern {
    pub fn parse(text: &str) -> Result<Self, PatternError> {
        let chars = text.chars().count();
        if chars > MAX_PATTERN_CHARS {
            return Err(PatternError::TooLong(chars));
        }
        let t = text.trim();
        if t.is_empty() || t == "\"\"" {
            return Ok(Self::All);
        }
        if let Some(inner) = t.strip_prefix('{') {
            let inner = inner
                .strip_suffix('}')
                .ok_or_else(|| PatternError::Syntax("a JSON pattern must end with }".into()))?;
            let mut p = Parser::new(inner);
            let e = p.expr()?;
            p.end()?;
            return Ok(Self::Json(e));
        }
        if let Some(inner) = t.strip_prefix('[') {
            return parse_delimited(inner);
        }
        parse_terms(t)
    }

    pub fn matches(&self, message: &str) -> bool {
        match self {
            Self::All => true,
            Self::Terms { all, any, none } => {
                all.iter().all(|t| message.contains(t.as_str()))
                    && (any.is_empty() || any.iter().any(|t| message.contains(t.as_str())))
                    && !none.iter().any(|t| message.contains(t.as_str()))
            }
            Self::Json(e) => {
                serde_json::from_str::<Value>(message.trim()).is_ok_and(|v| eval_json(e, &v))
            }
            Self::Delimited { fields, cond } => match bind(fields, &split_fields(message)) {
                Some(bound) => cond.as_ref().is_none_or(|c| eval_fields(c, &bound)),
                None => false,
            },
        }
    }
}

impl FilterPattern {
    /// The values a matching event binds, keyed as metric filters name them: `$.a.b` for each
    /// selector a JSON pattern uses, `$name` for a space-delimited pattern's named fields.
    /// None when the event does not match; empty for a term pattern, which binds nothing.
    pub fn extract(&self, message: &str) -> Option<Vec<(String, String)>> {
        if !self.matches(message) {
            return None;
        }
        match self {
            Self::All | Self::Terms { .. } => Some(vec![]),
            Self::Json(e) => {
                let v = serde_json::from_str::<Value>(message.trim()).ok()?;
                let mut sels = vec![];
                selectors(e, &mut sels);
                Some(
                    sels.into_iter()
                        .filter_map(|s| Some((s.clone(), scalar(eval::select(&v, &s)?)?)))
                        .collect(),
                )
            }
            Self::Delimited { fields, .. } => Some(
                bind(fields, &split_fields(message))?
                    .into_iter()
                    .map(|(n, v)| (format!("${n}"), v))
                    .collect(),
            ),
        }
    }

    /// The event's value at `selector` (`$.a.b` in a JSON event, `$name` for a
    /// space-delimited field), whether or not the pattern uses it.
    pub fn value_at(&self, message: &str, selector: &str) -> Option<String> {
        match self {
            Self::Delimited { fields, .. } => {
                let name = selector.strip_prefix('$')?;
                bind(fields, &split_fields(message))?
                    .into_iter()
                    .find(|(n, _)| n == name)
                    .map(|(_, v)| v)
            }
            _ => {
                let v = serde_json::from_str::<Value>(message.trim()).ok()?;
                scalar(eval::select(&v, selector)?)
            }
        }
    }
}

fn selectors(e: &Expr, out: &mut Vec<String>) {
    match e {
        Expr::And(a, b) | Expr::Or(a, b) => {
            selectors(a, out);
            selectors(b, out);
        }
        Expr::Cmp { sel, .. } | Expr::IsNull(sel) | Expr::NotExists(sel) | Expr::Exists(sel) => {
            if !out.contains(sel) {
                out.push(sel.clone());
            }
        }
    }
}

/// A JSON scalar as text; objects and arrays are not values a metric can take.
fn scalar(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

fn parse_terms(t: &str) -> Result<FilterPattern, PatternError> {
    let (mut all, mut any, mut none) = (vec![], vec![], vec![]);
    let mut chars = t.chars().peekable();
    while let Some(&c) = chars.peek() {
        if c.is_whitespace() {
            chars.next();
            continue;
        }
        let prefix = if c == '?' || c == '-' {
            chars.next();
            Some(c)
        } else {
            None
        };
        let term = if chars.peek() == Some(&'"') {
            chars.next();
            let mut s = String::new();
            loop {
                match chars.next() {
                    Some('\\') => s.extend(chars.next()),
                    Some('"') => break,
                    Some(ch) => s.push(ch),
                    None => return Err(PatternError::Syntax("unterminated quoted term".into())),
                }
            }
            s
        } else {
            let mut s = String::new();
            while let Some(&ch) = chars.peek() {
                if ch.is_whitespace() {
                    break;
                }
                s.push(ch);
                chars.next();
            }
            s
        };
        if term.is_empty() {
            return Err(PatternError::Syntax(format!(
                "`{}` with no term after it",
                prefix.unwrap_or(' ')
            )));
        }
        match prefix {
            Some('?') => any.push(term),
            Some('-') => none.push(term),
            _ => all.push(term),
        }
    }
    Ok(FilterPattern::Terms { all, any, none })
}

fn parse_delimited(inner: &str) -> Result<FilterPattern, PatternError> {
    let body = inner
        .strip_suffix(']')
        .ok_or_else(|| PatternError::Syntax("a space-delimited pattern must end with ]".into()))?;
    let mut fields = vec![];
    let mut conds: Vec<Expr> = vec![];
    for part in split_top(body, ',') {
        let part = part.trim();
        if part == "..." {
            fields.push(Field::Ellipsis);
            continue;
        }
        let name: String = part
            .chars()
            .take_while(|c| c.is_alphanumeric() || *c == '_')
            .collect();
        if name.is_empty() {
            return Err(PatternError::Syntax(format!("bad field `{part}`")));
        }
        let rest = part[name.len()..].trim();
        if !rest.is_empty() {
            let mut p = Parser::new(part);
            p.field_mode = true;
            conds.push(p.expr()?);
            p.end()?;
        }
        fields.push(Field::Named(name));
    }
    let cond = conds
        .into_iter()
        .reduce(|a, b| Expr::And(Box::new(a), Box::new(b)));
    Ok(FilterPattern::Delimited { fields, cond })
}

#[cfg(test)]
mod tests {
    use super::*;

    const JSON_EVENT: &str = r#"{"level":"ERROR","latency":250,"user":{"id":"u-1","admin":false},"tags":["a","b"],"gone":null,"message":"request failed"}"#;
    const ACCESS: &str =
        r#"127.0.0.1 - frank [10/Oct/2000:13:25:15 -0700] "GET /apache_pb.gif HTTP/1.0" 404 1534"#;

    #[test]
    fn documented_cases() {
        let cases: &[(&str, &str, bool)] = &[
            ("", "anything", true),
            ("ERROR", "[ERROR] Caught IllegalArgumentException", true),
            ("ERROR", "[INFO] fine", false),
            ("error", "[ERROR] case matters", false),
            (
                "ERROR Exception",
                "[ERROR] Caught IllegalArgumentException",
                true,
            ),
            ("ERROR Exception", "[ERROR] nothing else", false),
            ("\"boom 2\"", "it went boom 2 times", true),
            ("\"boom 2\"", "boom 3", false),
            ("?ERROR ?WARN", "[WARN] disk", true),
            ("?ERROR ?WARN", "[INFO] disk", false),
            ("ERROR -Exiting", "[ERROR] Exiting now", false),
            ("ERROR -Exiting", "[ERROR] Retrying", true),
            ("{ $.level = \"ERROR\" }", JSON_EVENT, true),
            ("{ $.level = \"INFO\" }", JSON_EVENT, false),
            ("{ $.level = \"ERR*\" }", JSON_EVENT, true),
            ("{ $.level != \"INFO\" }", JSON_EVENT, true),
            ("{ $.latency > 100 }", JSON_EVENT, true),
            ("{ $.latency <= 100 }", JSON_EVENT, false),
            (
                "{ $.level = \"ERROR\" && $.latency >= 250 }",
                JSON_EVENT,
                true,
            ),
            (
                "{ ($.level = \"INFO\") || ($.user.id = \"u-1\") }",
                JSON_EVENT,
                true,
            ),
            ("{ $.user.admin IS FALSE }", JSON_EVENT, true),
            ("{ $.tags[1] = \"b\" }", JSON_EVENT, true),
            ("{ $.gone IS NULL }", JSON_EVENT, true),
            ("{ $.missing NOT EXISTS }", JSON_EVENT, true),
            ("{ $.level NOT EXISTS }", JSON_EVENT, false),
            ("{ $.level = \"ERROR\" }", "not json at all", false),
            (
                "[ip, id, user, timestamp, request, status_code, size]",
                ACCESS,
                true,
            ),
            (
                "[ip, id, user, timestamp, request, status_code = 404, size]",
                ACCESS,
                true,
            ),
            (
                "[ip, id, user, timestamp, request, status_code = 4*, size]",
                ACCESS,
                true,
            ),
            (
                "[ip, id, user, timestamp, request, status_code = 5*, size]",
                ACCESS,
                false,
            ),
            ("[..., status_code = 404, size > 1000]", ACCESS, true),
            ("[ip = 127.0.0.1, ...]", ACCESS, true),
            ("[ip, user = frank, ...]", ACCESS, false),
            ("[a, b]", ACCESS, false),
            (
                "[..., status_code = 400 || status_code = 404, size]",
                ACCESS,
                true,
            ),
        ];
        for (pattern, event, expected) in cases {
            let p = FilterPattern::parse(pattern).unwrap_or_else(|e| panic!("{pattern}: {e}"));
            assert_eq!(
                p.matches(event),
                *expected,
                "pattern {pattern:?} on {event:?}"
            );
        }
    }

    #[test]
    fn long_and_deep_patterns_are_refused_with_why() {
        let nested = |n: usize| format!("{{ {}$.a = 1{} }}", "(".repeat(n), ")".repeat(n));
        // 10,000 `(` overflowed the parser's stack.
        let e = FilterPattern::parse(&nested(10_000)).expect_err("too long");
        assert_eq!(e, PatternError::TooLong(20_011));
        assert!(e.to_string().contains("at most 1024"), "{e}");
        let e = FilterPattern::parse(&nested(MAX_DEPTH + 1)).expect_err("too deep");
        assert_eq!(e, PatternError::TooDeep);
        assert!(e.is_limit() && !PatternError::Syntax(String::new()).is_limit());
        assert!(FilterPattern::parse(&nested(MAX_DEPTH)).is_ok());
        let e = FilterPattern::parse(&format!(
            "[a, b = 1 || {}b = 2{}]",
            "(".repeat(100),
            ")".repeat(100)
        ))
        .expect_err("too deep in a field");
        assert_eq!(e, PatternError::TooDeep);
        // Characters, not bytes, as AWS counts them.
        assert!(FilterPattern::parse(&"é".repeat(MAX_PATTERN_CHARS)).is_ok());
        assert_eq!(
            FilterPattern::parse(&"x".repeat(MAX_PATTERN_CHARS + 1)),
            Err(PatternError::TooLong(MAX_PATTERN_CHARS + 1))
        );
        // A term of parentheses is only text.
        assert!(FilterPattern::parse(&"(".repeat(1000)).is_ok());
    }

    #[test]
    fn invalid_patterns_are_errors() {
        for bad in [
            "{ $.level = \"ERROR\"",
            "{ level = 1 }",
            "[a, b",
            "\"unterminated",
            "{ $.a = }",
            "{ $.a ~ 1 }",
            "? ERROR",
        ] {
            assert!(FilterPattern::parse(bad).is_err(), "{bad} should not parse");
        }
    }

    #[test]
    fn extract_binds_what_metric_filters_use() {
        let json = FilterPattern::parse(r#"{ $.level = "ERROR" && $.latency > 100 }"#).unwrap();
        assert_eq!(
            json.extract(JSON_EVENT),
            Some(vec![
                ("$.level".into(), "ERROR".into()),
                ("$.latency".into(), "250".into())
            ])
        );
        assert_eq!(json.extract(r#"{"level":"INFO","latency":250}"#), None);
        assert_eq!(
            json.value_at(JSON_EVENT, "$.user.id").as_deref(),
            Some("u-1")
        );
        assert_eq!(
            json.value_at(JSON_EVENT, "$.user"),
            None,
            "objects are no value"
        );
        assert_eq!(json.value_at(JSON_EVENT, "$.gone"), None);
        assert_eq!(json.value_at(JSON_EVENT, "$.tags[1]").as_deref(), Some("b"));

        let delimited = FilterPattern::parse("[ip, id, user, ..., status = 404, size]").unwrap();
        let bound = delimited.extract(ACCESS).unwrap();
        assert!(
            bound.contains(&("$user".into(), "frank".into())),
            "{bound:?}"
        );
        assert!(
            bound.contains(&("$size".into(), "1534".into())),
            "{bound:?}"
        );
        assert_eq!(
            delimited.value_at(ACCESS, "$status").as_deref(),
            Some("404")
        );
        assert_eq!(delimited.value_at(ACCESS, "$nope"), None);

        let terms = FilterPattern::parse("GET").unwrap();
        assert_eq!(terms.extract(ACCESS), Some(vec![]));
        assert_eq!(terms.extract("POST"), None);
    }
}
