//! Tokens of metric math, with their 1-based character columns.

use super::{BinOp, MathError};

#[derive(Debug, Clone, PartialEq)]
pub(super) enum Tok {
    Num(f64),
    Word(String),
    Str(String),
    Op(BinOp),
    Minus,
    LParen,
    RParen,
    LBracket,
    RBracket,
    Comma,
    End,
}

pub(super) fn err(column: usize, message: impl Into<String>) -> MathError {
    MathError::Parse {
        column,
        message: message.into(),
    }
}

pub(super) fn lex(src: &str) -> Result<Vec<(Tok, usize)>, MathError> {
    let chars: Vec<char> = src.chars().collect();
    let mut toks = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let col = i + 1;
        let next = chars.get(i + 1).copied();
        let (tok, len) = match c {
            c if c.is_whitespace() => {
                i += 1;
                continue;
            }
            '(' => (Tok::LParen, 1),
            ')' => (Tok::RParen, 1),
            '[' => (Tok::LBracket, 1),
            ']' => (Tok::RBracket, 1),
            ',' => (Tok::Comma, 1),
            '+' => (Tok::Op(BinOp::Add), 1),
            '-' => (Tok::Minus, 1),
            '*' => (Tok::Op(BinOp::Mul), 1),
            '/' => (Tok::Op(BinOp::Div), 1),
            '^' => (Tok::Op(BinOp::Pow), 1),
            '<' if next == Some('=') => (Tok::Op(BinOp::Le), 2),
            '<' => (Tok::Op(BinOp::Lt), 1),
            '>' if next == Some('=') => (Tok::Op(BinOp::Ge), 2),
            '>' => (Tok::Op(BinOp::Gt), 1),
            '=' if next == Some('=') => (Tok::Op(BinOp::Eq), 2),
            '!' if next == Some('=') => (Tok::Op(BinOp::Ne), 2),
            '&' if next == Some('&') => (Tok::Op(BinOp::And), 2),
            '|' if next == Some('|') => (Tok::Op(BinOp::Or), 2),
            '=' => return Err(err(col, "'=' is not an operator; compare with '=='")),
            '!' => return Err(err(col, "metric math has no NOT operator; write (x == 0)")),
            '"' | '\'' => {
                let end = chars[i + 1..]
                    .iter()
                    .position(|&ch| ch == c)
                    .ok_or_else(|| err(col, "unterminated string"))?;
                let text: String = chars[i + 1..i + 1 + end].iter().collect();
                (Tok::Str(text), end + 2)
            }
            c if c.is_ascii_digit() || (c == '.' && next.is_some_and(|n| n.is_ascii_digit())) => {
                let len = number_len(&chars[i..]);
                let text: String = chars[i..i + len].iter().collect();
                if chars
                    .get(i + len)
                    .is_some_and(|ch| ch.is_alphanumeric() || *ch == '_')
                {
                    return Err(err(
                        i + len + 1,
                        format!("unexpected '{}' after the number {text}", chars[i + len]),
                    ));
                }
                let value = text
                    .parse()
                    .map_err(|_| err(col, format!("invalid number '{text}'")))?;
                (Tok::Num(value), len)
            }
            c if c.is_ascii_alphabetic() || c == '_' => {
                let len = chars[i..]
                    .iter()
                    .take_while(|ch| ch.is_ascii_alphanumeric() || **ch == '_')
                    .count();
                let word: String = chars[i..i + len].iter().collect();
                let tok = match word.as_str() {
                    "AND" => Tok::Op(BinOp::And),
                    "OR" => Tok::Op(BinOp::Or),
                    "NOT" => {
                        return Err(err(col, "metric math has no NOT operator; write (x == 0)"));
                    }
                    _ => Tok::Word(word),
                };
                (tok, len)
            }
            other => return Err(err(col, format!("unexpected character '{other}'"))),
        };
        toks.push((tok, col));
        i += len;
    }
    toks.push((Tok::End, chars.len() + 1));
    Ok(toks)
}

/// `12`, `1.5`, `.5`, `2e3`, `1.5E-2`.
fn number_len(chars: &[char]) -> usize {
    let digits = |from: usize| {
        chars[from..]
            .iter()
            .take_while(|c| c.is_ascii_digit())
            .count()
    };
    let mut n = digits(0);
    if chars.get(n) == Some(&'.') {
        n += 1 + digits(n + 1);
    }
    if matches!(chars.get(n), Some('e' | 'E')) {
        let sign = usize::from(matches!(chars.get(n + 1), Some('+' | '-')));
        let exp = digits(n + 1 + sign);
        if exp > 0 {
            n += 1 + sign + exp;
        }
    }
    n
}

pub(super) fn describe(tok: &Tok) -> String {
    match tok {
        Tok::Num(n) => format!("number {n}"),
        Tok::Word(w) => format!("'{w}'"),
        Tok::Str(s) => format!("string \"{s}\""),
        Tok::Op(op) => format!("'{}'", op.symbol()),
        Tok::Minus => "'-'".into(),
        Tok::LParen => "'('".into(),
        Tok::RParen => "')'".into(),
        Tok::LBracket => "'['".into(),
        Tok::RBracket => "']'".into(),
        Tok::Comma => "','".into(),
        Tok::End => "end of expression".into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_and_columns() {
        let toks = lex("FILL(m1,.5)>=2e3&&'x'||[-1]").unwrap();
        let want = [
            (Tok::Word("FILL".into()), 1),
            (Tok::LParen, 5),
            (Tok::Word("m1".into()), 6),
            (Tok::Comma, 8),
            (Tok::Num(0.5), 9),
            (Tok::RParen, 11),
            (Tok::Op(BinOp::Ge), 12),
            (Tok::Num(2000.0), 14),
            (Tok::Op(BinOp::And), 17),
            (Tok::Str("x".into()), 19),
            (Tok::Op(BinOp::Or), 22),
            (Tok::LBracket, 24),
            (Tok::Minus, 25),
            (Tok::Num(1.0), 26),
            (Tok::RBracket, 27),
            (Tok::End, 28),
        ];
        assert_eq!(toks, want);
        let words = lex("a AND b OR c").unwrap();
        assert_eq!(words[1], (Tok::Op(BinOp::And), 3));
        assert_eq!(words[3], (Tok::Op(BinOp::Or), 9));
    }

    #[test]
    fn lexical_errors_name_the_column() {
        let cases = [
            ("m1 = 2", 4, "compare with '=='"),
            ("NOT m1", 1, "no NOT operator"),
            ("!m1", 1, "no NOT operator"),
            ("m1 & m2", 4, "unexpected character '&'"),
            ("5m1", 2, "unexpected 'm' after the number 5"),
            ("m1 # 2", 4, "unexpected character '#'"),
            ("METRICS(\"x)", 9, "unterminated string"),
        ];
        for (src, column, fragment) in cases {
            match lex(src) {
                Err(MathError::Parse { column: c, message }) => {
                    assert_eq!(c, column, "{src}: {message}");
                    assert!(message.contains(fragment), "{src}: {message}");
                }
                other => panic!("{src}: {other:?}"),
            }
        }
    }
}
