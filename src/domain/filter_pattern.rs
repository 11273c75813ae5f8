//! CloudWatch Logs filter patterns: the syntax FilterLogEvents, Live Tail and metric filters
//! share. Three forms: terms (`ERROR ?WARN -health "two words"`), JSON
//! (`{ $.level = "ERROR" && $.latency > 100 }`) and space-delimited (`[ip, ..., status = 5*]`).
//! Matching is case-sensitive, as on AWS.

use serde_json::Value;

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

/// A pattern that does not parse, with why.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("invalid filter pattern: {0}")]
pub struct PatternError(pub String);

impl FilterPattern {
    pub fn parse(text: &str) -> Result<Self, PatternError> {
        let t = text.trim();
        if t.is_empty() || t == "\"\"" {
            return Ok(Self::All);
        }
        if let Some(inner) = t.strip_prefix('{') {
            let inner = inner
                .strip_suffix('}')
                .ok_or_else(|| PatternError("a JSON pattern must end with }".into()))?;
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
                    None => return Err(PatternError("unterminated quoted term".into())),
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
            return Err(PatternError(format!(
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
        .ok_or_else(|| PatternError("a space-delimited pattern must end with ]".into()))?;
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
            return Err(PatternError(format!("bad field `{part}`")));
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

/// Split on `sep` outside quotes and brackets.
fn split_top(s: &str, sep: char) -> Vec<String> {
    let (mut out, mut cur, mut depth, mut quoted) = (vec![], String::new(), 0i32, false);
    for c in s.chars() {
        match c {
            '"' => quoted = !quoted,
            '[' | '(' if !quoted => depth += 1,
            ']' | ')' if !quoted => depth -= 1,
            c if c == sep && !quoted && depth == 0 => {
                out.push(std::mem::take(&mut cur));
                continue;
            }
            _ => {}
        }
        cur.push(c);
    }
    out.push(cur);
    out
}

/// Fields of a space-delimited event: quoted strings and bracketed groups are one field.
fn split_fields(message: &str) -> Vec<String> {
    let mut out = vec![];
    let mut chars = message.chars().peekable();
    while let Some(&c) = chars.peek() {
        if c.is_whitespace() {
            chars.next();
            continue;
        }
        let (open, close) = match c {
            '"' => (Some('"'), '"'),
            '[' => (Some('['), ']'),
            _ => (None, ' '),
        };
        let mut f = String::new();
        if open.is_some() {
            chars.next();
            for ch in chars.by_ref() {
                if ch == close {
                    break;
                }
                f.push(ch);
            }
        } else {
            while let Some(&ch) = chars.peek() {
                if ch.is_whitespace() {
                    break;
                }
                f.push(ch);
                chars.next();
            }
        }
        out.push(f);
    }
    out
}

/// Bind field names to values; `...` takes as many fields as needed.
fn bind(fields: &[Field], values: &[String]) -> Option<Vec<(String, String)>> {
    let named_after = |i: usize| {
        fields[i + 1..]
            .iter()
            .filter(|f| matches!(f, Field::Named(_)))
            .count()
    };
    let mut out = vec![];
    let mut v = 0;
    for (i, f) in fields.iter().enumerate() {
        match f {
            Field::Named(n) => {
                out.push((n.clone(), values.get(v)?.clone()));
                v += 1;
            }
            Field::Ellipsis => {
                let rest = named_after(i);
                let has_more_ellipsis =
                    fields[i + 1..].iter().any(|f| matches!(f, Field::Ellipsis));
                v = if has_more_ellipsis {
                    v
                } else {
                    values.len().checked_sub(rest)?.max(v)
                };
            }
        }
    }
    let trailing_ellipsis = matches!(fields.last(), Some(Field::Ellipsis));
    (v == values.len() || trailing_ellipsis).then_some(out)
}

struct Parser<'a> {
    s: &'a [u8],
    src: &'a str,
    i: usize,
    /// Selectors are bare field names (`status`), not `$.paths`.
    field_mode: bool,
}

impl<'a> Parser<'a> {
    fn new(src: &'a str) -> Self {
        Self {
            s: src.as_bytes(),
            src,
            i: 0,
            field_mode: false,
        }
    }

    fn ws(&mut self) {
        while self.i < self.s.len() && self.s[self.i].is_ascii_whitespace() {
            self.i += 1;
        }
    }

    fn eat(&mut self, tok: &str) -> bool {
        self.ws();
        if self.src[self.i..].starts_with(tok) {
            self.i += tok.len();
            true
        } else {
            false
        }
    }

    fn err<T>(&self, what: &str) -> Result<T, PatternError> {
        Err(PatternError(format!(
            "{what} at `{}`",
            &self.src[self.i.min(self.src.len())..]
        )))
    }

    fn end(&mut self) -> Result<(), PatternError> {
        self.ws();
        if self.i == self.s.len() {
            Ok(())
        } else {
            self.err("unexpected text")
        }
    }

    fn expr(&mut self) -> Result<Expr, PatternError> {
        let mut left = self.and()?;
        while self.eat("||") {
            left = Expr::Or(Box::new(left), Box::new(self.and()?));
        }
        Ok(left)
    }

    fn and(&mut self) -> Result<Expr, PatternError> {
        let mut left = self.atom()?;
        while self.eat("&&") {
            left = Expr::And(Box::new(left), Box::new(self.atom()?));
        }
        Ok(left)
    }

    fn atom(&mut self) -> Result<Expr, PatternError> {
        if self.eat("(") {
            let e = self.expr()?;
            if !self.eat(")") {
                return self.err("missing )");
            }
            return Ok(e);
        }
        let sel = self.selector()?;
        if self.eat("IS NULL") {
            return Ok(Expr::IsNull(sel));
        }
        if self.eat("NOT EXISTS") {
            return Ok(Expr::NotExists(sel));
        }
        if self.eat("EXISTS") {
            return Ok(Expr::Exists(sel));
        }
        if self.eat("IS TRUE") {
            return Ok(Expr::Cmp {
                sel,
                op: Op::Eq,
                val: Lit::Bool(true),
            });
        }
        if self.eat("IS FALSE") {
            return Ok(Expr::Cmp {
                sel,
                op: Op::Eq,
                val: Lit::Bool(false),
            });
        }
        let op = [
            ("!=", Op::Ne),
            ("<=", Op::Le),
            (">=", Op::Ge),
            ("=", Op::Eq),
            ("<", Op::Lt),
            (">", Op::Gt),
        ]
        .into_iter()
        .find(|(t, _)| self.eat(t))
        .map(|(_, o)| o);
        let Some(op) = op else {
            return self.err("expected a comparison");
        };
        let val = self.literal()?;
        Ok(Expr::Cmp { sel, op, val })
    }

    fn selector(&mut self) -> Result<String, PatternError> {
        self.ws();
        let start = self.i;
        if !self.field_mode
            && !self.src[self.i..].starts_with("$.")
            && !self.src[self.i..].starts_with("$[")
        {
            return self.err("a JSON selector must start with $.");
        }
        while self.i < self.s.len() {
            let c = self.s[self.i];
            if c.is_ascii_alphanumeric() || b"$._[]-".contains(&c) {
                self.i += 1;
            } else {
                break;
            }
        }
        if self.i == start {
            self.err("expected a selector")
        } else {
            Ok(self.src[start..self.i].to_string())
        }
    }

    fn literal(&mut self) -> Result<Lit, PatternError> {
        self.ws();
        if self.eat("\"") {
            let start = self.i;
            while self.i < self.s.len() && self.s[self.i] != b'"' {
                self.i += 1;
            }
            if self.i == self.s.len() {
                return self.err("unterminated string");
            }
            let s = self.src[start..self.i].to_string();
            self.i += 1;
            return Ok(Lit::Str(s));
        }
        let start = self.i;
        while self.i < self.s.len()
            && !self.s[self.i].is_ascii_whitespace()
            && !b"()&|".contains(&self.s[self.i])
        {
            self.i += 1;
        }
        let word = &self.src[start..self.i];
        Ok(match word {
            "" => return self.err("expected a value"),
            "true" => Lit::Bool(true),
            "false" => Lit::Bool(false),
            "NULL" | "null" => Lit::Null,
            w => w
                .parse::<f64>()
                .map_or_else(|_| Lit::Str(w.to_string()), Lit::Num),
        })
    }
}

/// `$.a.b[0].c`
fn select<'v>(v: &'v Value, sel: &str) -> Option<&'v Value> {
    let mut cur = v;
    let path = sel.strip_prefix('$')?;
    for part in path.split('.').filter(|p| !p.is_empty()) {
        let (key, idx) = match part.find('[') {
            Some(b) => (&part[..b], Some(&part[b..])),
            None => (part, None),
        };
        if !key.is_empty() {
            cur = cur.get(key)?;
        }
        if let Some(mut rest) = idx {
            while let Some(r) = rest.strip_prefix('[') {
                let end = r.find(']')?;
                cur = cur.get(r[..end].parse::<usize>().ok()?)?;
                rest = &r[end + 1..];
            }
        }
    }
    Some(cur)
}

fn eval_json(e: &Expr, v: &Value) -> bool {
    match e {
        Expr::And(a, b) => eval_json(a, v) && eval_json(b, v),
        Expr::Or(a, b) => eval_json(a, v) || eval_json(b, v),
        Expr::IsNull(s) => select(v, s).is_some_and(Value::is_null),
        Expr::NotExists(s) => select(v, s).is_none(),
        Expr::Exists(s) => select(v, s).is_some(),
        Expr::Cmp { sel, op, val } => select(v, sel).is_some_and(|x| compare(x, *op, val)),
    }
}

fn eval_fields(e: &Expr, bound: &[(String, String)]) -> bool {
    let get = |s: &str| bound.iter().find(|(n, _)| n == s).map(|(_, v)| v.as_str());
    match e {
        Expr::And(a, b) => eval_fields(a, bound) && eval_fields(b, bound),
        Expr::Or(a, b) => eval_fields(a, bound) || eval_fields(b, bound),
        Expr::IsNull(_) | Expr::NotExists(_) => false,
        Expr::Exists(s) => get(s).is_some(),
        Expr::Cmp { sel, op, val } => get(sel).is_some_and(|x| {
            let x = x
                .parse::<f64>()
                .map_or_else(|_| Value::String(x.to_string()), |n| serde_json::json!(n));
            compare(&x, *op, val)
        }),
    }
}

fn compare(x: &Value, op: Op, lit: &Lit) -> bool {
    match lit {
        Lit::Num(n) => x
            .as_f64()
            .or_else(|| x.as_str().and_then(|s| s.parse().ok()))
            .is_some_and(|v| match op {
                Op::Eq => v == *n,
                Op::Ne => v != *n,
                Op::Lt => v < *n,
                Op::Le => v <= *n,
                Op::Gt => v > *n,
                Op::Ge => v >= *n,
            }),
        Lit::Bool(b) => {
            let eq = x.as_bool() == Some(*b);
            if op == Op::Ne {
                !eq
            } else {
                op == Op::Eq && eq
            }
        }
        Lit::Null => {
            let eq = x.is_null();
            if op == Op::Ne {
                !eq
            } else {
                op == Op::Eq && eq
            }
        }
        Lit::Str(p) => {
            let s = match x {
                Value::String(s) => s.clone(),
                Value::Number(n) => n.to_string(),
                _ => return op == Op::Ne,
            };
            let eq = wildcard(p, &s);
            match op {
                Op::Eq => eq,
                Op::Ne => !eq,
                _ => false,
            }
        }
    }
}

/// `*` matches any run of characters.
fn wildcard(pattern: &str, s: &str) -> bool {
    let parts: Vec<&str> = pattern.split('*').collect();
    if parts.len() == 1 {
        return pattern == s;
    }
    let mut rest = s;
    for (i, part) in parts.iter().enumerate() {
        if i == 0 {
            match rest.strip_prefix(part) {
                Some(r) => rest = r,
                None => return false,
            }
        } else if i == parts.len() - 1 {
            return rest.ends_with(part);
        } else {
            match rest.find(part) {
                Some(pos) => rest = &rest[pos + part.len()..],
                None => return false,
            }
        }
    }
    true
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
}
