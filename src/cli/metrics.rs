//! `metrics`: invocations, errors, throttles and latency per endpoint (so per version), as a
//! compact table with a sparkline for people, or the series for machines.

use super::output::{self, OutputFormat, Table, or_dash};
use super::{Cli, CliError, Outcome};
use crate::backend::Backend;
use crate::backend::metrics::{self, RuntimeMetrics, Window};
use crate::config::Config;
use crate::domain::since::{parse_duration, parse_time};

#[derive(Debug, clap::Args)]
pub struct MetricsArgs {
    /// Runtime names or ids
    #[arg(required = true)]
    pub runtimes: Vec<String>,
    /// Start: a duration ago (15m, 2h30m, 1d) or an RFC 3339 time [default: 1h]
    #[arg(long)]
    pub since: Option<String>,
    /// End: a duration ago or an RFC 3339 time [default: now]
    #[arg(long)]
    pub until: Option<String>,
    /// Datapoint period: a multiple of 60 s (60, 5m, 1h) [default: 60]
    #[arg(long)]
    pub period: Option<String>,
}

pub async fn run(config: &Config, cli: &Cli, args: &MetricsArgs) -> Result<Outcome, CliError> {
    let envs = config.select(&cli.envs)?;
    let now = time::OffsetDateTime::now_utc();
    let start = parse_time(args.since.as_deref().unwrap_or("1h"), now).map_err(CliError::msg)?;
    let end = match args.until.as_deref() {
        Some(u) => parse_time(u, now).map_err(CliError::msg)?,
        None => now.unix_timestamp() * 1000,
    };
    let period = match args.period.as_deref() {
        None => 60,
        Some(p) => p
            .parse::<i64>()
            .or_else(|_| parse_duration(p))
            .map_err(CliError::msg)?,
    };
    let window = Window {
        start: start.div_euclid(1000),
        end: end.div_euclid(1000),
        period: i32::try_from(period)
            .map_err(|_| CliError::msg(format!("--period {period} is too long")))?,
    };
    window.validate().map_err(CliError::msg)?;
    let targets: Vec<(String, String)> = envs
        .iter()
        .flat_map(|e| {
            args.runtimes
                .iter()
                .map(move |r| (e.name.clone(), r.clone()))
        })
        .collect();
    let backend = Backend::new(envs);
    let all = metrics::fetch(&backend, &targets, window).await?;
    if cli.output == OutputFormat::Json {
        output::json(&all)?;
    } else {
        for (i, m) in all.iter().enumerate() {
            if i > 0 {
                println!();
            }
            print_runtime(m);
        }
    }
    Ok(Outcome::Ok)
}

fn print_runtime(m: &RuntimeMetrics) {
    println!(
        "{}/{}  ({} periods of {} s)",
        m.env,
        m.runtime,
        m.timestamps.len(),
        m.period
    );
    let mut t = Table::new(vec![
        "ENDPOINT",
        "VERSION",
        "INVOCATIONS",
        "ERRORS",
        "ERROR %",
        "THROTTLES",
        "SESSIONS",
        "P50 ms",
        "P99 ms",
        "INVOCATIONS OVER TIME",
    ]);
    for e in &m.endpoints {
        let n = |v: f64| format!("{v:.0}");
        let ms = |v: Option<f64>| v.map_or_else(|| "-".into(), |v| format!("{v:.0}"));
        t.row(vec![
            e.endpoint.clone(),
            or_dash(e.version.as_deref()),
            n(e.totals.invocations),
            n(e.totals.errors),
            e.totals
                .error_rate
                .map_or_else(|| "-".into(), |r| format!("{r:.1}")),
            n(e.totals.throttles),
            n(e.totals.sessions),
            ms(e.totals.latest_p50),
            ms(e.totals.latest_p99),
            sparkline(&e.invocations, 40),
        ]);
    }
    t.print();
}

/// The last `width` values as block characters scaled to the largest; a gap is a space.
pub fn sparkline(values: &[Option<f64>], width: usize) -> String {
    const BARS: [char; 8] = ['▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'];
    let tail = &values[values.len().saturating_sub(width)..];
    let max = tail.iter().flatten().copied().fold(0.0_f64, f64::max);
    tail.iter()
        .map(|v| match v {
            None => ' ',
            Some(_) if max <= 0.0 => BARS[0],
            Some(v) => {
                let i = (v / max * 7.0).round().clamp(0.0, 7.0) as usize;
                BARS[i]
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sparklines_scale_to_the_largest_and_show_gaps() {
        assert_eq!(
            sparkline(&[Some(0.0), Some(7.0), None, Some(3.5)], 10),
            "▁█ ▅"
        );
        assert_eq!(sparkline(&[Some(1.0), Some(2.0), Some(4.0)], 2), "▅█");
        assert_eq!(sparkline(&[Some(0.0)], 5), "▁");
    }
}
