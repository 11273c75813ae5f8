//! Untrusted text (names, descriptions, error messages, log lines) must not drive the terminal.

/// Replace terminal control characters (C0 except tab, DEL, C1, and thus every escape
/// sequence introducer) with U+FFFD, and newlines with a visible `⏎` for one-line fields.
pub fn one_line(s: &str) -> String {
    s.chars()
        .map(|c| match c {
            '\n' | '\r' => '⏎',
            '\t' => ' ',
            c if is_control(c) => '\u{FFFD}',
            c => c,
        })
        .collect()
}

/// Like [`one_line`] but keeps line breaks, for multi-line text.
pub fn text(s: &str) -> String {
    s.chars()
        .map(|c| match c {
            '\n' | '\t' => c,
            c if is_control(c) => '\u{FFFD}',
            c => c,
        })
        .collect()
}

fn is_control(c: char) -> bool {
    c.is_control()
        || matches!(c, '\u{200E}' | '\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escape_sequences_are_neutralised() {
        let evil = "ok\x1b[2J\x1b]0;pwned\x07\u{9b}31m\r\nnext";
        let clean = one_line(evil);
        assert!(!clean.chars().any(|c| c.is_control()), "{clean:?}");
        assert!(clean.starts_with("ok"));
        assert!(clean.ends_with("next"));
        assert_eq!(text("a\nb\x1b"), "a\nb\u{FFFD}");
        assert_eq!(one_line("bidi\u{202E}x"), "bidi\u{FFFD}x");
    }
}
