//! `alarms [R…]` (what alarms concern runtimes, across environments), `alarms apply|delete R`
//! (the standard alarms of the environment's template) and `alarms history NAME`.
//!
//! The bare form takes runtimes and the subcommands are words of their own
//! (`args_conflicts_with_subcommands`), so `alarms apply` is never a runtime named "apply".

use clap::{Args, Subcommand};
use serde_json::json;

use super::confirm::{Write, WriteFlags};
use super::output::{self, OutputFormat, Table, or_dash};
use super::{Cli, CliError, Outcome};
use crate::backend::alarms::{self, AlarmPlan, Change};
use crate::backend::{Backend, BackendError};
use crate::config::Config;
use crate::domain::alarms::{AlarmInfo, AlarmState};

#[derive(Debug, Args)]
#[command(args_conflicts_with_subcommands = true)]
pub struct AlarmsArgs {
    #[command(subcommand)]
    pub command: Option<AlarmsCommand>,
    /// Runtimes (name or id) whose alarms to list [default: all]
    pub runtimes: Vec<String>,
    /// Only alarms in this state
    #[arg(long, value_parser = ["ALARM", "OK", "INSUFFICIENT_DATA"])]
    pub state: Option<String>,
}

#[derive(Debug, Subcommand)]
pub enum AlarmsCommand {
    /// Create or update the standard alarms and the tool-error metric filter of a runtime's
    /// endpoints from the environment's template ([environments.NAME.alarms])
    Apply(ChangeArgs),
    /// Remove the standard alarms and the tool-error metric filter `apply` made
    Delete(ChangeArgs),
    /// The history of one alarm (state changes, configuration updates, actions)
    History {
        /// The alarm's name
        name: String,
        /// At most this many entries, newest first
        #[arg(long, default_value_t = 20)]
        limit: usize,
    },
}

#[derive(Debug, Args)]
pub struct ChangeArgs {
    /// Runtime name or id
    pub runtime: String,
    /// Only this endpoint; repeat for several [default: every endpoint, DEFAULT included]
    #[arg(long = "endpoint", value_name = "NAME")]
    pub endpoints: Vec<String>,
    /// Show the plan and the calls it would make; change nothing
    #[arg(long)]
    pub dry_run: bool,
    #[command(flatten)]
    pub write: WriteFlags,
}

pub async fn run(config: &Config, cli: &Cli, args: &AlarmsArgs) -> Result<Outcome, CliError> {
    match &args.command {
        None => list(config, cli, args).await,
        Some(AlarmsCommand::Apply(a)) => change(config, cli, a, "alarms.apply").await,
        Some(AlarmsCommand::Delete(a)) => change(config, cli, a, "alarms.delete").await,
        Some(AlarmsCommand::History { name, limit }) => history(config, cli, name, *limit).await,
    }
}

async fn list(config: &Config, cli: &Cli, args: &AlarmsArgs) -> Result<Outcome, CliError> {
    let envs = config.select(&cli.envs)?;
    let names: Vec<String> = envs.iter().map(|e| e.name.clone()).collect();
    let state = args.state.as_deref().and_then(AlarmState::parse);
    let backend = Backend::new(envs);
    let results = futures::future::join_all(
        names
            .iter()
            .map(|env| alarms::list(&backend, env, &args.runtimes, state)),
    )
    .await;
    let mut rows: Vec<AlarmInfo> = Vec::new();
    let mut failed = Vec::new();
    for (env, r) in names.iter().zip(results) {
        match r {
            Ok(list) => rows.extend(list),
            Err(e) => failed.push(format!("{env}: {e}")),
        }
    }
    // ALARM first: what needs someone now.
    rows.sort_by(|a, b| {
        (a.state, &a.env, &a.runtime, &a.endpoint, &a.name).cmp(&(
            b.state,
            &b.env,
            &b.runtime,
            &b.endpoint,
            &b.name,
        ))
    });
    if cli.output == OutputFormat::Json {
        output::json(&rows)?;
    } else {
        let mut t = Table::new(vec![
            "ENV",
            "RUNTIME",
            "ENDPOINT",
            "NAME",
            "STATE",
            "SINCE",
            "THRESHOLD",
            "REASON",
        ]);
        for a in &rows {
            t.row(vec![
                a.env.clone(),
                a.runtime.clone(),
                or_dash(a.endpoint.as_deref()),
                a.name.clone(),
                a.state.as_str().to_string(),
                or_dash(a.state_updated_at.as_deref()),
                threshold(a),
                shorten(&a.reason, 60),
            ]);
        }
        t.print();
    }
    Ok(Outcome::listed(&failed, names.len()))
}

/// `>= 5`: the comparison as a symbol and the threshold.
fn threshold(a: &AlarmInfo) -> String {
    let Some(t) = a.threshold else {
        return "-".into();
    };
    let op = match a.comparison.as_deref() {
        Some("GreaterThanOrEqualToThreshold") => ">=",
        Some("GreaterThanThreshold") => ">",
        Some("LessThanThreshold") => "<",
        Some("LessThanOrEqualToThreshold") => "<=",
        Some(other) => other,
        None => "",
    };
    format!("{op} {t}").trim().to_string()
}

/// At most `max` characters, `…` marking a cut (the table sanitises what is left).
fn shorten(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        return s.to_string();
    }
    let mut out: String = s.chars().take(max.saturating_sub(1)).collect();
    out.push('…');
    out
}

async fn change(
    config: &Config,
    cli: &Cli,
    args: &ChangeArgs,
    action: &'static str,
) -> Result<Outcome, CliError> {
    let env = config.one(&cli.envs)?;
    let name = env.name.clone();
    let backend = Backend::new(vec![env.clone()]);
    let w = Write::new(&env, action, &args.runtime, &args.write)?;
    // Protected and not armed: refused before anything is read, let alone changed.
    if !args.dry_run && env.read_only && !args.write.arm {
        return Err(w.refuse(BackendError::ReadOnly {
            env: name,
            action: action.to_string(),
        }));
    }
    let planned = if action == "alarms.apply" {
        alarms::plan(&backend, &name, &args.runtime, &args.endpoints).await
    } else {
        alarms::delete_plan(&backend, &name, &args.runtime, &args.endpoints).await
    };
    let plan = match planned {
        Ok(p) => p,
        Err(e) if args.dry_run => return Err(e.into()),
        Err(e) => return Err(w.refuse(e)),
    };
    if args.dry_run || plan.is_empty() {
        show_plan(cli, &plan, None)?;
        return Ok(Outcome::Ok);
    }
    w.confirm(&plan.calls())?;
    let report = if action == "alarms.apply" {
        alarms::apply(&backend, &name, &plan, args.write.arm, &w.actor, &w.audit).await?
    } else {
        alarms::delete(&backend, &name, &plan, args.write.arm, &w.actor, &w.audit).await?
    };
    show_plan(cli, &plan, Some(&report.calls))?;
    Ok(Outcome::Ok)
}

/// The plan, and the calls made (`made`) or that would be (a dry run).
fn show_plan(cli: &Cli, plan: &AlarmPlan, made: Option<&[String]>) -> Result<(), CliError> {
    let calls = made.map_or_else(|| plan.calls(), <[String]>::to_vec);
    if cli.output == OutputFormat::Json {
        return output::json(&json!({
            "env": plan.env,
            "runtime": plan.runtime,
            "endpoints": plan.endpoints,
            "items": plan.items,
            "calls": calls,
            "applied": made.is_some(),
        }));
    }
    let mut t = Table::new(vec!["ENDPOINT", "CHANGE", "WHAT", "DIFFERS"]);
    for i in &plan.items {
        let (change, differs) = match &i.change {
            Change::Create => ("create", String::new()),
            Change::Update(d) => ("update", d.join("; ")),
            Change::Delete => ("delete", String::new()),
            Change::Unchanged => ("unchanged", String::new()),
        };
        t.row(vec![i.endpoint.clone(), change.into(), i.label(), differs]);
    }
    if !plan.items.is_empty() {
        t.print();
        println!();
    }
    if calls.is_empty() {
        println!("nothing to change in `{}` for `{}`", plan.env, plan.runtime);
        return Ok(());
    }
    println!(
        "{}",
        if made.is_some() {
            "made these calls:"
        } else {
            "dry run: would call (nothing was changed):"
        }
    );
    for c in &calls {
        println!("  {}", crate::domain::sanitize::one_line(c));
    }
    Ok(())
}

async fn history(
    config: &Config,
    cli: &Cli,
    alarm: &str,
    limit: usize,
) -> Result<Outcome, CliError> {
    let env = config.one(&cli.envs)?;
    let name = env.name.clone();
    let backend = Backend::new(vec![env]);
    let items = alarms::history(&backend, &name, alarm, limit).await?;
    if cli.output == OutputFormat::Json {
        output::json(&items)?;
        return Ok(Outcome::Ok);
    }
    let mut t = Table::new(vec!["TIME", "TYPE", "STATE", "SUMMARY"]);
    for h in &items {
        t.row(vec![
            h.timestamp.clone(),
            h.kind.clone(),
            or_dash(h.new_state.map(AlarmState::as_str)),
            shorten(&h.summary, 100),
        ]);
    }
    t.print();
    Ok(Outcome::Ok)
}

#[cfg(test)]
mod tests {
    use clap::Parser;

    use super::super::{Cli, Command};
    use super::*;

    fn parse(args: &[&str]) -> AlarmsArgs {
        let cli = Cli::try_parse_from(["agentcore-console"].iter().chain(args)).expect("parse");
        match cli.command {
            Some(Command::Alarms(a)) => a,
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn apply_is_a_subcommand_and_bare_words_are_runtimes() {
        let a = parse(&[
            "alarms",
            "apply",
            "weather",
            "--endpoint",
            "live",
            "--dry-run",
        ]);
        let Some(AlarmsCommand::Apply(c)) = a.command else {
            panic!("apply")
        };
        assert_eq!(
            (c.runtime.as_str(), c.endpoints.as_slice()),
            ("weather", &["live".to_string()][..])
        );
        assert!(c.dry_run && !c.write.arm);
        let a = parse(&["alarms", "weather", "news", "--state", "ALARM"]);
        assert!(a.command.is_none());
        assert_eq!(a.runtimes, ["weather", "news"]);
        assert_eq!(a.state.as_deref(), Some("ALARM"));
        assert!(Cli::try_parse_from(["x", "alarms", "--state", "alarm"]).is_err());
        let a = parse(&[
            "alarms",
            "history",
            "agentcore-console/w/live/latency",
            "--limit",
            "5",
        ]);
        assert!(matches!(
            a.command,
            Some(AlarmsCommand::History { limit: 5, .. })
        ));
    }

    #[test]
    fn a_long_reason_is_cut_and_the_threshold_reads_as_a_comparison() {
        assert_eq!(shorten("abcdef", 4), "abc…");
        assert_eq!(shorten("abc", 4), "abc");
        let mut a = AlarmInfo {
            env: "dev".into(),
            runtime: "w".into(),
            endpoint: None,
            name: "n".into(),
            state: AlarmState::Ok,
            reason: String::new(),
            state_updated_at: None,
            threshold: Some(5.0),
            comparison: Some("GreaterThanOrEqualToThreshold".into()),
            actions_enabled: true,
            actions: vec![],
            kind: None,
        };
        assert_eq!(threshold(&a), ">= 5");
        a.threshold = None;
        assert_eq!(threshold(&a), "-");
    }
}
