//! The expression grammar shared by JSON and space-delimited patterns.

use super::{Expr, Lit, Op, PatternError};

pub(super) struct Parser<'a> {
    s: &'a [u8],
    src: &'a str,
    i: usize,
    /// Parentheses open around the current position.
    depth: usize,
    /// Selectors are bare field names (`status`), not `$.paths`.
    pub(super) field_mode: bool,
}

impl<'a> Parser<'a> {
    pub(super) fn new(src: &'a str) -> Self {
        Self {
            s: src.as_bytes(),
            src,
            i: 0,
            depth: 0,
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
        Err(PatternError::Syntax(format!(
            "{what} at `{}`",
            &self.src[self.i.min(self.src.len())..]
        )))
    }

    pub(super) fn end(&mut self) -> Result<(), PatternError> {
        self.ws();
        if self.i == self.s.len() {
            Ok(())
        } else {
            self.err("unexpected text")
        }
    }

    pub(super) fn expr(&mut self) -> Result<Expr, PatternError> {
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
            self.depth += 1;
            if self.depth > super::MAX_DEPTH {
                return Err(PatternError::TooDeep);
            }
            let e = self.expr()?;
            if !self.eat(")") {
                return self.err("missing )");
            }
            self.depth -= 1;
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
