//! `traffic show|set|promote|abort`: the canary endpoint and the gateway's weighted split.

use clap::Subcommand;

use super::confirm::{Write, WriteFlags};
use super::output::{self, OutputFormat, Table, or_dash};
use super::{Cli, CliError, Outcome};
use crate::backend::Backend;
use crate::backend::traffic::{self, TrafficView};
use crate::config::Config;

#[derive(Debug, Subcommand)]
pub enum TrafficCommand {
    /// Stable and canary endpoints → versions, and the split (target, qualifier, version, weight)
    Show { runtime: String },
    /// Pin the canary endpoint to a version and send WEIGHT% of new sessions to it
    Set {
        runtime: String,
        #[arg(long, value_name = "N")]
        canary_version: String,
        /// Percent of new sessions for the canary (0-100)
        #[arg(long, value_name = "W", allow_negative_numbers = true)]
        weight: i32,
        #[command(flatten)]
        write: WriteFlags,
    },
    /// Move the stable endpoint to the canary's version and send 100% to stable
    Promote {
        runtime: String,
        #[command(flatten)]
        write: WriteFlags,
    },
    /// Send 100% of new sessions to stable
    Abort {
        runtime: String,
        #[command(flatten)]
        write: WriteFlags,
    },
}

/// The window `show` reports the observed share over.
const OBSERVED_MINUTES: i64 = 15;

pub async fn run(config: &Config, cli: &Cli, cmd: &TrafficCommand) -> Result<Outcome, CliError> {
    let env = config.one(&cli.envs)?;
    let name = env.name.clone();
    let (stable, canary) = (
        env.stable_endpoint().to_string(),
        env.canary_endpoint().to_string(),
    );
    let backend = Backend::new(vec![env.clone()]);
    let view = match cmd {
        TrafficCommand::Show { runtime } => {
            let view = traffic::show(&backend, &name, runtime).await?;
            traffic::observe(&backend, view, OBSERVED_MINUTES).await
        }
        TrafficCommand::Set {
            runtime,
            canary_version,
            weight,
            write,
        } => {
            let w = Write::new(&env, "traffic.set", runtime, write)?;
            traffic::check(&env, runtime, Some((canary_version, *weight)))
                .map_err(|e| w.refuse(e))?;
            w.confirm(&[
                format!("UpdateAgentRuntimeEndpoint {canary} → version {canary_version}"),
                format!(
                    "Create/UpdateGatewayRule (the runtime's rule, matchPaths /<runtime>/*): \
                         {stable} {}% / {canary} {weight}%",
                    100 - weight
                ),
            ])?;
            traffic::set(
                &backend,
                &name,
                runtime,
                canary_version,
                *weight,
                write.arm,
                &w.actor,
                &w.audit,
            )
            .await?
        }
        TrafficCommand::Promote { runtime, write } => {
            let w = Write::new(&env, "traffic.promote", runtime, write)?;
            traffic::check(&env, runtime, None).map_err(|e| w.refuse(e))?;
            w.confirm(&[
                format!("UpdateAgentRuntimeEndpoint {stable} → the canary's version"),
                format!("UpdateGatewayRule: 100% {stable}"),
            ])?;
            traffic::promote(&backend, &name, runtime, write.arm, &w.actor, &w.audit).await?
        }
        TrafficCommand::Abort { runtime, write } => {
            let w = Write::new(&env, "traffic.abort", runtime, write)?;
            traffic::check(&env, runtime, None).map_err(|e| w.refuse(e))?;
            w.confirm(&[format!("UpdateGatewayRule: 100% {stable}")])?;
            traffic::abort(&backend, &name, runtime, write.arm, &w.actor, &w.audit).await?
        }
    };
    if let Some(note) = &view.note {
        eprintln!("{note}");
    }
    if cli.output == OutputFormat::Json {
        output::json(&view)?;
    } else {
        print_view(&view);
    }
    Ok(Outcome::Ok)
}

fn print_view(v: &TrafficView) {
    let mut t = Table::new(vec!["ENDPOINT", "LIVE", "TARGET", "STATUS"]);
    for e in [&v.stable, &v.canary] {
        t.row(vec![
            e.name.clone(),
            or_dash(e.live_version.as_deref()),
            or_dash(e.target_version.as_deref()),
            or_dash(e.status.as_deref()),
        ]);
    }
    t.print();
    println!();
    match &v.gateway {
        None => println!("no gateway yet: `traffic set` creates one"),
        Some(g) => {
            println!("gateway {g} {}", v.gateway_url.as_deref().unwrap_or(""));
            if let Some(r) = &v.rule {
                let paths = if r.match_paths.is_empty() {
                    "every path (a catch-all)".to_string()
                } else {
                    r.match_paths.join(" ")
                };
                println!("rule {} at priority {}, for {paths}", r.id, r.priority);
            }
            let mut s = Table::new(vec!["TARGET", "QUALIFIER", "VERSION", "WEIGHT"]);
            for r in &v.routes {
                s.row(vec![
                    r.target.clone(),
                    r.qualifier.clone(),
                    or_dash(r.version.as_deref()),
                    format!("{}%", r.weight),
                ]);
            }
            s.print();
        }
    }
    if let Some(o) = &v.observed {
        println!();
        match &o.error {
            Some(e) => println!("observed share: unavailable ({e})"),
            None => {
                // A shorter window means an endpoint moved: older traffic was another version's.
                let since = if o.window_minutes < OBSERVED_MINUTES {
                    ", since an endpoint last moved"
                } else {
                    ""
                };
                println!(
                    "observed over the last {} min{since} (CloudWatch):",
                    o.window_minutes
                );
                let mut t = Table::new(vec![
                    "QUALIFIER",
                    "VERSION",
                    "SESSIONS",
                    "SHARE",
                    "INVOCATIONS",
                    "SHARE",
                    "ERROR %",
                ]);
                let pct = |v: Option<f64>| v.map_or_else(|| "-".into(), |v| format!("{v:.1}%"));
                for l in &o.legs {
                    t.row(vec![
                        l.qualifier.clone(),
                        or_dash(l.version.as_deref()),
                        format!("{:.0}", l.sessions),
                        pct(l.session_share),
                        format!("{:.0}", l.invocations),
                        pct(l.invocation_share),
                        l.error_rate
                            .map_or_else(|| "-".into(), |v| format!("{v:.1}")),
                    ]);
                }
                t.print();
            }
        }
    }
}
