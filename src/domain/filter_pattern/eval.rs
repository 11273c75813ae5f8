//! Evaluating parsed patterns against events.

use serde_json::Value;

use super::{Expr, Field, Lit, Op};

/// Split on `sep` outside quotes and brackets.
pub(super) fn split_top(s: &str, sep: char) -> Vec<String> {
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
pub(super) fn split_fields(message: &str) -> Vec<String> {
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
pub(super) fn bind(fields: &[Field], values: &[String]) -> Option<Vec<(String, String)>> {
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

/// `$.a.b[0].c`
pub(super) fn select<'v>(v: &'v Value, sel: &str) -> Option<&'v Value> {
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

pub(super) fn eval_json(e: &Expr, v: &Value) -> bool {
    match e {
        Expr::And(a, b) => eval_json(a, v) && eval_json(b, v),
        Expr::Or(a, b) => eval_json(a, v) || eval_json(b, v),
        Expr::IsNull(s) => select(v, s).is_some_and(Value::is_null),
        Expr::NotExists(s) => select(v, s).is_none(),
        Expr::Exists(s) => select(v, s).is_some(),
        Expr::Cmp { sel, op, val } => select(v, sel).is_some_and(|x| compare(x, *op, val)),
    }
}

pub(super) fn eval_fields(e: &Expr, bound: &[(String, String)]) -> bool {
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
