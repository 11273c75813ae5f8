//! Recursive-descent parser for metric math.
//!
//! Precedence, loosest first (AWS documents the operators but not their precedence; this is
//! the usual one): `OR`/`||`, `AND`/`&&`, comparisons, `+ -`, `* /`, unary minus, `^`
//! (right-associative, so `-2^2` is -4 and `2^3^2` is 512). Columns are 1-based characters.

use super::funcs;
use super::lex::{Tok, describe, err, lex};
use super::{BinOp, MathError, Node};

/// Nesting beyond this is refused rather than risking the stack; AWS's 2048-character limit
/// allows about 1000 levels, far more than any real expression needs.
const MAX_DEPTH: usize = 100;

/// Bare uppercase words that are arguments, not ids: FILL's modes and SORT's function/order.
const KEYWORDS: [&str; 8] = [
    "REPEAT", "LINEAR", "ASC", "DESC", "SUM", "AVG", "MIN", "MAX",
];

pub(super) fn parse(src: &str) -> Result<Node, MathError> {
    if src.trim().is_empty() {
        return Err(err(1, "the expression is empty"));
    }
    let trimmed = src.trim_start();
    let mut words = trimmed.split_whitespace();
    if words
        .next()
        .is_some_and(|w| w.eq_ignore_ascii_case("SELECT"))
        && words.next().is_some()
    {
        let column = src.chars().count() - trimmed.chars().count() + 1;
        return Err(err(
            column,
            "Metrics Insights queries (SELECT ...) are not supported; use metric math",
        ));
    }
    let mut p = Parser {
        toks: lex(src)?,
        pos: 0,
        depth: 0,
    };
    let node = p.expr()?;
    match p.peek() {
        (Tok::End, _) => Ok(node),
        (tok, col) => Err(err(
            *col,
            format!("unexpected {} after a complete expression", describe(tok)),
        )),
    }
}

struct Parser {
    toks: Vec<(Tok, usize)>,
    pos: usize,
    depth: usize,
}

impl Parser {
    fn peek(&self) -> &(Tok, usize) {
        // lex always ends with Tok::End and parsing never advances past it.
        &self.toks[self.pos.min(self.toks.len() - 1)]
    }

    fn bump(&mut self) -> (Tok, usize) {
        let t = self.peek().clone();
        if t.0 != Tok::End {
            self.pos += 1;
        }
        t
    }

    fn expect(&mut self, want: Tok, what: &str) -> Result<(), MathError> {
        let (tok, col) = self.bump();
        if tok == want {
            Ok(())
        } else {
            Err(err(
                col,
                format!("expected {what}, found {}", describe(&tok)),
            ))
        }
    }

    fn nest(&mut self, col: usize) -> Result<(), MathError> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err(err(
                col,
                format!("the expression is nested more than {MAX_DEPTH} levels deep"),
            ));
        }
        Ok(())
    }

    fn expr(&mut self) -> Result<Node, MathError> {
        self.binary(0)
    }

    /// One precedence level per call: 0 OR, 1 AND, 2 comparisons, 3 `+ -`, 4 `* /`.
    fn binary(&mut self, level: u8) -> Result<Node, MathError> {
        if level > 4 {
            return self.unary();
        }
        let mut lhs = self.binary(level + 1)?;
        loop {
            let op = match self.peek().0 {
                Tok::Op(op) if op.level() == level => op,
                Tok::Minus if level == 3 => BinOp::Sub,
                _ => return Ok(lhs),
            };
            self.bump();
            let rhs = self.binary(level + 1)?;
            lhs = Node::Bin(op, Box::new(lhs), Box::new(rhs));
        }
    }

    fn unary(&mut self) -> Result<Node, MathError> {
        if let (Tok::Minus, col) = *self.peek() {
            self.bump();
            self.nest(col)?;
            let operand = self.unary()?;
            self.depth -= 1;
            return Ok(Node::Neg(Box::new(operand)));
        }
        let base = self.primary()?;
        if let (Tok::Op(BinOp::Pow), col) = *self.peek() {
            self.bump();
            self.nest(col)?;
            let exponent = self.unary()?;
            self.depth -= 1;
            return Ok(Node::Bin(BinOp::Pow, Box::new(base), Box::new(exponent)));
        }
        Ok(base)
    }

    fn primary(&mut self) -> Result<Node, MathError> {
        let (tok, col) = self.bump();
        match tok {
            Tok::Num(n) => Ok(Node::Num(n)),
            Tok::Str(s) => Ok(Node::Str(s)),
            Tok::LParen => {
                self.nest(col)?;
                let inner = self.expr()?;
                self.expect(Tok::RParen, "')'")?;
                self.depth -= 1;
                Ok(inner)
            }
            Tok::LBracket => {
                self.nest(col)?;
                let items = self.list(Tok::RBracket, "']'")?;
                self.depth -= 1;
                if items.is_empty() {
                    return Err(err(col, "an array needs at least one member"));
                }
                Ok(Node::Array(items))
            }
            Tok::Word(word) => self.word(word, col),
            other => Err(err(
                col,
                format!(
                    "expected a number, id, function or '(', found {}",
                    describe(&other)
                ),
            )),
        }
    }

    /// Comma-separated expressions up to `close` (already past the opening bracket).
    fn list(&mut self, close: Tok, what: &str) -> Result<Vec<Node>, MathError> {
        let mut items = Vec::new();
        if self.peek().0 == close {
            self.bump();
            return Ok(items);
        }
        loop {
            items.push(self.expr()?);
            let (tok, c) = self.bump();
            match tok {
                Tok::Comma => continue,
                t if t == close => return Ok(items),
                t => {
                    return Err(err(
                        c,
                        format!("expected ',' or {what}, found {}", describe(&t)),
                    ));
                }
            }
        }
    }

    fn word(&mut self, word: String, col: usize) -> Result<Node, MathError> {
        let call = self.peek().0 == Tok::LParen;
        let lowercase_start = word.starts_with(|c: char| c.is_ascii_lowercase());
        if call {
            funcs::check_name(&word, col)?;
            self.bump();
            self.nest(col)?;
            let args = self.list(Tok::RParen, "')'")?;
            self.depth -= 1;
            funcs::check_arity(&word, args.len(), col)?;
            return Ok(Node::Call {
                name: word,
                args,
                column: col,
            });
        }
        if lowercase_start {
            return Ok(Node::Id(word));
        }
        if KEYWORDS.contains(&word.as_str()) {
            return Ok(Node::Keyword {
                name: word,
                column: col,
            });
        }
        Err(err(
            col,
            format!("'{word}' is not an id (ids start with a lowercase letter) or a keyword"),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::super::Expr;
    use super::*;

    /// Fully parenthesised, so the tree's shape shows in a string.
    fn render(node: &Node) -> String {
        let list = |items: &[Node]| items.iter().map(render).collect::<Vec<_>>().join(", ");
        match node {
            Node::Num(n) => n.to_string(),
            Node::Id(s) | Node::Keyword { name: s, .. } => s.clone(),
            Node::Str(s) => format!("\"{s}\""),
            Node::Array(items) => format!("[{}]", list(items)),
            Node::Neg(x) => format!("(-{})", render(x)),
            Node::Bin(op, l, r) => format!("({} {} {})", render(l), op.symbol(), render(r)),
            Node::Call { name, args, .. } => format!("{name}({})", list(args)),
        }
    }

    #[test]
    fn precedence_associativity_and_forms() {
        let cases = [
            ("1 + 2 * 3", "(1 + (2 * 3))"),
            ("(1 + 2) * 3", "((1 + 2) * 3)"),
            ("a - b - c", "((a - b) - c)"),
            ("a / b * c", "((a / b) * c)"),
            ("2 ^ 3 ^ 2", "(2 ^ (3 ^ 2))"),
            ("-2^2", "(-(2 ^ 2))"),
            ("2^-1", "(2 ^ (-1))"),
            ("- -m1", "(-(-m1))"),
            ("a + 1 > b * 2", "((a + 1) > (b * 2))"),
            ("a > 1 OR b > 2 AND c", "((a > 1) OR ((b > 2) AND c))"),
            ("a<=1&&b!=2||c>=3", "(((a <= 1) AND (b != 2)) OR (c >= 3))"),
            ("50.25 + .5 + 1e3", "((50.25 + 0.5) + 1000)"),
            ("m_1Errors", "m_1Errors"),
            ("[m1, 2 * m2]", "[m1, (2 * m2)]"),
            ("FILL(m1, REPEAT)", "FILL(m1, REPEAT)"),
            (
                "SORT(METRICS(\"errors\"), MAX, DESC, 2)",
                "SORT(METRICS(\"errors\"), MAX, DESC, 2)",
            ),
            ("METRICS()", "METRICS()"),
        ];
        for (src, want) in cases {
            assert_eq!(render(&parse(src).unwrap()), want, "{src}");
        }
    }

    #[test]
    fn calls_and_keywords_keep_their_columns() {
        let Node::Bin(_, _, call) = parse("m1 + FILL(m2, LINEAR)").unwrap() else {
            panic!("not a binary node")
        };
        let Node::Call { column, args, .. } = *call else {
            panic!("not a call")
        };
        assert_eq!(column, 6);
        assert_eq!(
            args[1],
            Node::Keyword {
                name: "LINEAR".into(),
                column: 15
            }
        );
    }

    #[test]
    fn errors_name_the_column() {
        let cases = [
            ("", 1, "empty"),
            ("m1 +", 5, "found end of expression"),
            ("m1 + * m2", 6, "found '*'"),
            ("(m1 + m2", 9, "expected ')'"),
            ("m1 m2", 4, "unexpected 'm2'"),
            ("M1 + 1", 1, "'M1' is not an id"),
            ("_x", 1, "'_x' is not an id"),
            ("[]", 1, "at least one member"),
            ("[m1 m2]", 5, "expected ',' or ']'"),
            ("FILL(m1)", 1, "FILL takes 2 arguments"),
            ("ABS(m1, m2)", 1, "ABS takes 1 argument"),
            (
                "  SELECT AVG(CPUUtilization) FROM SCHEMA(\"AWS/EC2\")",
                3,
                "Metrics Insights",
            ),
        ];
        for (src, column, fragment) in cases {
            match parse(src) {
                Err(MathError::Parse { column: c, message }) => {
                    assert_eq!(c, column, "{src}: {message}");
                    assert!(message.contains(fragment), "{src}: {message}");
                }
                other => panic!("{src}: {other:?}"),
            }
        }
    }

    #[test]
    fn unknown_and_unsupported_functions() {
        let unknown = parse("m1 + FOO(m1)").unwrap_err();
        assert_eq!(
            unknown,
            MathError::UnknownFunction {
                name: "FOO".into(),
                column: 6
            }
        );
        assert_eq!(unknown.to_string(), "unknown function 'FOO' at column 6");
        let lower = parse("sum(m1)").unwrap_err();
        assert_eq!(
            lower.to_string(),
            "unknown function 'sum' at column 1 (functions are uppercase: SUM)"
        );
        let search =
            parse("SEARCH('{AWS/EC2,InstanceId} CPUUtilization', 'Average', 300)").unwrap_err();
        assert_eq!(
            search,
            MathError::Unsupported {
                name: "SEARCH".into(),
                column: 1
            }
        );
    }

    #[test]
    fn nesting_is_bounded() {
        let deep = format!(
            "{}m1{}",
            "(".repeat(MAX_DEPTH + 1),
            ")".repeat(MAX_DEPTH + 1)
        );
        assert!(
            matches!(parse(&deep), Err(MathError::Parse { message, .. }) if message.contains("nested"))
        );
        let fine = format!("{}m1{}", "(".repeat(MAX_DEPTH), ")".repeat(MAX_DEPTH));
        assert_eq!(parse(&fine).unwrap(), Node::Id("m1".into()));
        let negs = format!("{}m1", "-".repeat(MAX_DEPTH + 1));
        assert!(parse(&negs).is_err());
    }

    #[test]
    fn length_limit_is_awss() {
        let at_limit = format!("m1{}", " ".repeat(2046));
        assert!(Expr::parse(&at_limit).is_ok());
        let over = format!("m1{}", " ".repeat(2047));
        assert_eq!(
            Expr::parse(&over).unwrap_err(),
            MathError::TooLong { len: 2049 }
        );
    }
}
