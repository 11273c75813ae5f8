//! Benchmarks of the TUI's rendering: the logs pane with 100k buffered lines from three
//! sources and an active regex filter, drawn into a ratatui `TestBackend` of 200×50, in ms per
//! frame (following, held mid-buffer, highlight-only, JSON columns); with what keeps it cheap
//! measured beside it (the incremental match index vs a full scan per frame, the cost of
//! taking lines in and of changing the regex); and the home matrix with 3 × 200 runtimes.
//! `cargo bench --bench tui`; a table on stdout.
//! See README.md, "Performance".

#[path = "tui/matrix.rs"]
mod matrix;

use std::hint::black_box;
use std::time::{Duration, Instant};

use agentcore_console::backend::logs::LogLine;
use agentcore_console::tui::action::{Action, LogCmd};
use agentcore_console::tui::arming::Arming;
use agentcore_console::tui::io::LogBatch;
use agentcore_console::tui::panes::logs::LogsPane;
use agentcore_console::tui::panes::{Cx, Pane};
use agentcore_console::tui::theme::Theme;
use agentcore_console::tui::time::Millis;
use ratatui::Terminal;
use ratatui::backend::TestBackend;

/// Lines buffered.
const LINES: usize = 100_000;
const WIDTH: u16 = 200;
const HEIGHT: u16 = 50;
/// Frames timed per case (after as many to warm up).
const FRAMES: usize = 300;
/// The regex: about one line in ten (the ERROR ones) matches.
const FILTER: &str = "ERROR";
/// A regex that is not a plain literal (the 5xx statuses).
const OTHER: &str = r#"status": 5\d\d"#;

const SOURCES: [(&str, &str); 3] = [
    ("dev", "weather_mcp"),
    ("staging", "weather_mcp"),
    ("prod", "weather_mcp"),
];

/// The sample MCP server's lines: one in ten an error, from three sources in turn.
fn line(i: usize) -> LogLine {
    let (env, runtime) = SOURCES[i % SOURCES.len()];
    let level = if i % 10 == 7 { "ERROR" } else { "INFO" };
    let tool = ["weather", "add", "echo", "fail"][i % 4];
    let ts = 1_795_514_280_000 + i as i64 * 7;
    LogLine {
        timestamp: ts,
        ingestion_time: ts + 200,
        log_group: format!("/aws/bedrock-agentcore/runtimes/{runtime}-AbC123xyz-DEFAULT"),
        log_stream: "2026/11/24/[runtime-logs]0a1b".into(),
        event_id: None,
        message: format!(
            r#"{{"timestamp": "2026-11-24T09:58:01.234Z", "level": "{level}", "message": "request", "version": "4", "method": "tools/call", "tool": "{tool}", "session": "{:016x}", "status": {}, "duration_ms": {}.5}}"#,
            i * 2_654_435_761 % (1 << 40),
            if level == "ERROR" { 500 } else { 200 },
            i % 300
        ),
        env: env.into(),
        runtime: runtime.into(),
    }
}

fn batches(n: usize) -> Vec<LogBatch> {
    let lines: Vec<LogLine> = (0..n).map(line).collect();
    lines
        .chunks(500)
        .map(|c| LogBatch {
            lines: c.to_vec(),
            ..LogBatch::default()
        })
        .collect()
}

fn pane() -> LogsPane {
    let targets = SOURCES
        .iter()
        .map(|(e, r)| (e.to_string(), r.to_string()))
        .collect();
    let mut p = LogsPane::with_capacity(targets, LINES);
    let _ = p.start(Millis(0));
    p
}

struct Timing {
    median: f64,
    p99: f64,
    mean: f64,
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

/// Draw `p` `FRAMES` times (after a warm-up): ms per frame.
fn frames(p: &LogsPane) -> Timing {
    let mut term = Terminal::new(TestBackend::new(WIDTH, HEIGHT)).expect("terminal");
    let theme = Theme::colored();
    let arming = Arming::default();
    let cx = Cx {
        theme: &theme,
        now: Millis(60_000),
        envs: &[],
        arming: &arming,
    };
    let mut draw = || {
        term.draw(|f| p.render(&cx, f.area(), f.buffer_mut()))
            .expect("draw");
    };
    for _ in 0..FRAMES {
        draw();
    }
    let mut times: Vec<f64> = (0..FRAMES)
        .map(|_| {
            let t = Instant::now();
            draw();
            ms(t.elapsed())
        })
        .collect();
    times.sort_by(f64::total_cmp);
    Timing {
        median: times[times.len() / 2],
        p99: times[times.len() * 99 / 100],
        mean: times.iter().sum::<f64>() / times.len() as f64,
    }
}

fn row(what: &str, t: &Timing) {
    println!(
        "| {what} | {:.3} | {:.3} | {:.3} |",
        t.median, t.p99, t.mean
    );
}

fn main() {
    eprintln!("building {LINES} lines…");
    let input = batches(LINES);

    // Taking lines in with the regex active: the match index grows as lines arrive.
    let mut p = pane();
    p.set_filter(FILTER);
    let t = Instant::now();
    for b in input.iter().cloned() {
        p.ingest(black_box(b));
    }
    let ingest = t.elapsed();
    assert_eq!(p.buffer().len(), LINES);
    let matches = p.shown().len();

    // Changing the regex: one rebuild of the index over every line held.
    let t = Instant::now();
    p.set_filter(OTHER);
    let rebuild = t.elapsed();
    p.set_filter(FILTER);

    // What the index saves: the regex over every line held, once per frame.
    let scan = |pattern: &str| {
        let re = regex::Regex::new(pattern).expect("regex");
        let t = Instant::now();
        let n = p
            .buffer()
            .shown(false)
            .iter()
            .filter(|e| re.is_match(&e.message))
            .count();
        (t.elapsed(), n)
    };
    let (scan_literal, scanned) = scan(FILTER);
    assert_eq!(scanned, matches);
    let (scan_other, _) = scan(OTHER);

    println!(
        "Logs pane, {LINES} lines from 3 sources buffered, regex /{FILTER}/ ({matches} match), {WIDTH}×{HEIGHT} TestBackend, {FRAMES} frames:"
    );
    println!();
    println!("| frame | median ms | p99 ms | mean ms |");
    println!("|---|---|---|---|");
    row("following, regex filter", &frames(&p));
    for _ in 0..(matches / 2) / 48 {
        p.handle(&Action::PageUp, Millis(0));
    }
    row("held mid-buffer (scrolled back), regex filter", &frames(&p));
    p.handle(&Action::Bottom, Millis(0));
    p.handle(&Action::Log(LogCmd::Highlight), Millis(0));
    row("following, regex highlight-only", &frames(&p));
    p.handle(&Action::Log(LogCmd::Highlight), Millis(0));
    p.handle(&Action::Log(LogCmd::Json), Millis(0));
    p.handle(&Action::Log(LogCmd::Json), Millis(0));
    row("following, regex filter, JSON columns", &frames(&p));
    p.handle(&Action::Log(LogCmd::Json), Millis(0));
    p.handle(&Action::Log(LogCmd::Wrap), Millis(0));
    row("following, regex filter, wrapped", &frames(&p));
    println!();
    println!("| other | ms |");
    println!("|---|---|");
    println!(
        "| take in {LINES} lines with the regex active (batches of 500) | {:.1} ({:.2} µs/line) |",
        ms(ingest),
        ingest.as_secs_f64() * 1e6 / LINES as f64
    );
    println!(
        "| change the regex to /{OTHER}/ (index rebuilt over {LINES} lines, once) | {:.1} |",
        ms(rebuild)
    );
    println!(
        "| a full scan per frame without the index: /{FILTER}/ | {:.1} |",
        ms(scan_literal)
    );
    println!(
        "| a full scan per frame without the index: /{OTHER}/ | {:.1} |",
        ms(scan_other)
    );
    println!();
    println!("| matrix frame | median ms | p99 ms |");
    println!("|---|---|---|");
    for (what, median, p99) in matrix::run(FRAMES) {
        println!("| {what} | {median:.3} | {p99:.3} |");
    }
}
