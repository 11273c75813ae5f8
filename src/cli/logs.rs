//! `logs`: runtime logs across runtimes and environments, interleaved by time.

use std::io::Write;

use super::output::OutputFormat;
use super::{Cli, CliError, Outcome};
use crate::backend::Backend;
use crate::backend::logs::{self, FollowOptions, LogLine, LogQuery, TailEvent, TailStats};
use crate::config::Config;
use crate::domain::filter_pattern::FilterPattern;
use crate::domain::since::parse_time;
use crate::domain::{sanitize, timestamp};

#[derive(Debug, clap::Args)]
pub struct LogsArgs {
    /// Runtime names or ids
    #[arg(required = true)]
    pub runtimes: Vec<String>,
    /// Keep printing new events: Live Tail, or polling where it is unavailable; each event
    /// once across reconnects; notices and a summary on stderr
    #[arg(long, short = 'f')]
    pub follow: bool,
    /// With -f: poll FilterLogEvents every second instead of using Live Tail
    #[arg(long, requires = "follow")]
    pub poll: bool,
    /// Start: a duration ago (15m, 2h30m, 1d) or an RFC 3339 time [default: 10m]
    #[arg(long)]
    pub since: Option<String>,
    /// End: a duration ago or an RFC 3339 time [default: now]
    #[arg(long)]
    pub until: Option<String>,
    /// CloudWatch filter pattern, applied by the service
    #[arg(long)]
    pub filter: Option<String>,
    /// Regular expression, applied here to each message
    #[arg(long)]
    pub grep: Option<String>,
    /// Pretty-print messages that are JSON
    #[arg(long)]
    pub json: bool,
    /// Events per FilterLogEvents page (1-10000) [default: the service's maximum, 10000]
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(i32).range(1..=10_000))]
    pub page_size: Option<i32>,
}

pub async fn run(config: &Config, cli: &Cli, args: &LogsArgs) -> Result<Outcome, CliError> {
    let envs = config.select(&cli.envs)?;
    let now = time::OffsetDateTime::now_utc();
    let start = parse_time(args.since.as_deref().unwrap_or("10m"), now).map_err(CliError::msg)?;
    let end = args
        .until
        .as_deref()
        .map(|u| parse_time(u, now))
        .transpose()
        .map_err(CliError::msg)?;
    if end.is_some_and(|e| e < start) {
        return Err(CliError::msg("--until is before --since"));
    }
    let grep = args
        .grep
        .as_deref()
        .map(regex::Regex::new)
        .transpose()
        .map_err(|e| CliError::msg(format!("--grep: {e}")))?;
    // A pattern AWS would refuse for its size is refused here, before any call; its syntax is
    // left to the service, whose grammar is the reference.
    if let Some(Err(e)) = args.filter.as_deref().map(FilterPattern::parse)
        && e.is_limit()
    {
        return Err(CliError::msg(format!("--filter: {e}")));
    }
    let targets = envs
        .iter()
        .flat_map(|e| {
            args.runtimes
                .iter()
                .map(move |r| (e.name.clone(), r.clone()))
        })
        .collect();
    let query = LogQuery {
        targets,
        start: Some(start),
        end,
        filter: args.filter.clone(),
        page_size: args.page_size,
    };
    let backend = std::sync::Arc::new(Backend::new(envs));
    let json_out = cli.output == OutputFormat::Json;
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    let mut print = |line: &LogLine| -> bool {
        if grep.as_ref().is_some_and(|g| !g.is_match(&line.message)) {
            return true;
        }
        let text = if json_out {
            serde_json::to_string(line).unwrap_or_default()
        } else {
            render(line, args.json)
        };
        // A closed pipe (`| head`) ends the output quietly.
        // Followed lines show at once; history is written in blocks.
        writeln!(out, "{text}").is_ok() && (!args.follow || out.flush().is_ok())
    };
    if !args.follow {
        logs::history_each(&backend, &query, |l| print(&l)).await?;
        let _ = out.flush();
        return Ok(Outcome::Ok);
    }
    let opts = FollowOptions {
        live_tail: !args.poll,
        ..FollowOptions::default()
    };
    let mut last = TailStats::default();
    let followed = logs::follow(backend, &query, opts, |event, stats| {
        last = stats.clone();
        match event {
            TailEvent::Line(line) => print(line),
            TailEvent::Notice(n) => {
                eprintln!("[{}/{}] {}", n.env, n.runtime, sanitize::one_line(&n.text));
                true
            }
        }
    });
    tokio::select! {
        r = followed => { r?; }
        _ = tokio::signal::ctrl_c() => {}
    }
    eprintln!(
        "followed: {} events, {} de-duplicated, {} sampled updates, {} throttled, {} reconnects, lag {} ms",
        last.delivered,
        last.deduplicated,
        last.sampled_updates,
        last.throttled,
        last.reconnects,
        last.lag_ms
    );
    Ok(Outcome::Ok)
}

/// `TIME env/runtime message`, sanitised; JSON messages pretty-printed with --json.
fn render(line: &LogLine, pretty_json: bool) -> String {
    let time =
        timestamp::rfc3339_from_ms(line.timestamp).unwrap_or_else(|| line.timestamp.to_string());
    let message = if pretty_json {
        serde_json::from_str::<serde_json::Value>(&line.message)
            .ok()
            .and_then(|v| serde_json::to_string_pretty(&v).ok())
            .map_or_else(|| sanitize::one_line(&line.message), |p| sanitize::text(&p))
    } else {
        sanitize::one_line(&line.message)
    };
    format!("{time} {}/{} {message}", line.env, line.runtime)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_are_fixed_width() {
        let line = LogLine {
            timestamp: 1_795_514_281_770,
            ingestion_time: 0,
            log_group: String::new(),
            log_stream: String::new(),
            event_id: None,
            message: "hi".into(),
            env: "dev".into(),
            runtime: "r".into(),
        };
        assert_eq!(render(&line, false), "2026-11-24T09:58:01.770Z dev/r hi");
    }
}
