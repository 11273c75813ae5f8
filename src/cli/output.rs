//! Output: aligned tables for people, stable JSON for scripts. Every cell is sanitised.

use std::sync::atomic::{AtomicBool, Ordering};

use serde::Serialize;
use unicode_width::UnicodeWidthStr;

use crate::domain::sanitize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum OutputFormat {
    Table,
    Json,
}

/// Whether this process has printed its JSON result (or a line of a JSON stream) on stdout:
/// a failure after that is not printed again as a JSON error document.
static PRINTED: AtomicBool = AtomicBool::new(false);

/// Print `value` as pretty JSON on stdout.
pub fn json<T: Serialize>(value: &T) -> Result<(), super::CliError> {
    let text = serde_json::to_string_pretty(value)?;
    println!("{text}");
    mark_printed();
    Ok(())
}

/// Print one line of a JSON stream (NDJSON: `rollout start|resume`).
pub fn json_line<T: Serialize>(value: &T) -> Result<(), serde_json::Error> {
    let text = serde_json::to_string(value)?;
    println!("{text}");
    mark_printed();
    Ok(())
}

fn mark_printed() {
    PRINTED.store(true, Ordering::Relaxed);
}

pub fn printed() -> bool {
    PRINTED.load(Ordering::Relaxed)
}

/// The JSON document of a command that failed (or was refused) before printing its result:
/// `{"error": "<the cause, one line>", "exitCode": N}`. The cause is on stderr too.
pub fn error_document(message: &str, exit_code: u8) -> String {
    serde_json::json!({ "error": sanitize::one_line(message), "exitCode": exit_code }).to_string()
}

/// A table with a header row; columns are padded to their widest cell.
pub struct Table {
    header: Vec<String>,
    rows: Vec<Vec<String>>,
}

impl Table {
    pub fn new(header: Vec<&'static str>) -> Self {
        Self::headed(header.into_iter().map(str::to_string).collect())
    }

    /// A header made at run time (e.g. one column per version); sanitised like the cells.
    pub fn headed(header: Vec<String>) -> Self {
        Self {
            header: header.iter().map(|h| sanitize::one_line(h)).collect(),
            rows: vec![],
        }
    }

    pub fn row(&mut self, cells: Vec<String>) {
        self.rows
            .push(cells.iter().map(|c| sanitize::one_line(c)).collect());
    }

    pub fn render(&self) -> String {
        let cols = self.header.len();
        let mut widths: Vec<usize> = self.header.iter().map(|h| h.width()).collect();
        for row in &self.rows {
            for (i, cell) in row.iter().enumerate().take(cols) {
                widths[i] = widths[i].max(cell.width());
            }
        }
        let line = |cells: Vec<&str>| {
            let mut out = String::new();
            for (i, cell) in cells.iter().enumerate() {
                if i + 1 == cells.len() {
                    out.push_str(cell);
                } else {
                    out.push_str(cell);
                    out.push_str(&" ".repeat(widths[i] - cell.width() + 2));
                }
            }
            out.trim_end().to_string()
        };
        let mut out = line(self.header.iter().map(String::as_str).collect());
        out.push('\n');
        for row in &self.rows {
            out.push_str(&line(row.iter().map(String::as_str).collect()));
            out.push('\n');
        }
        out
    }

    pub fn print(&self) {
        print!("{}", self.render());
    }
}

/// `-` for absent values.
pub fn or_dash(v: Option<&str>) -> String {
    v.filter(|s| !s.is_empty()).unwrap_or("-").to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_error_document_is_one_line_of_json_with_its_exit_code() {
        let doc = error_document("refused:\n\x1b[31mnope", 1);
        let v: serde_json::Value = serde_json::from_str(&doc).expect("json");
        assert_eq!(v["exitCode"], 1);
        let error = v["error"].as_str().expect("error");
        assert!(
            error.starts_with("refused:") && error.ends_with("nope"),
            "{error}"
        );
        assert!(!error.chars().any(char::is_control), "{error}");
        assert!(!doc.contains('\n'));
    }

    #[test]
    fn aligns_and_sanitises() {
        let mut t = Table::new(vec!["A", "BB"]);
        t.row(vec!["long-value".into(), "x".into()]);
        t.row(vec!["\x1b[31mred".into(), "y".into()]);
        let out = t.render();
        let lines: Vec<&str> = out.lines().collect();
        assert_eq!(lines[0], "A           BB");
        assert_eq!(lines[1], "long-value  x");
        assert!(!out.contains('\x1b'));
    }

    #[test]
    fn pads_by_display_width_not_chars() {
        let mut t = Table::new(vec!["NAME", "ENV"]);
        t.row(vec!["天気_mcp".into(), "dev".into()]);
        t.row(vec!["weather".into(), "prod".into()]);
        let out = t.render();
        let lines: Vec<&str> = out.lines().collect();
        // 天 and 気 take two columns each: the ENV column starts at the same screen column.
        assert_eq!(lines[1], "天気_mcp  dev");
        assert_eq!(lines[2], "weather   prod");
        assert_eq!(lines[0], "NAME      ENV");
    }
}
