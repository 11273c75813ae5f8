//! `destroy R [--endpoint NAME] [--with-logs] [--dry-run]`: the plan is read (and refused)
//! before anything changes; `--dry-run` prints it, otherwise it is confirmed, carried out and
//! reported, a failure midway included (what was and was not deleted).

use super::confirm::{Write, WriteFlags};
use super::output::{self, OutputFormat};
use super::{Cli, CliError, Outcome};
use crate::backend::Backend;
use crate::backend::destroy::{self, DestroyReport, DestroyRequest};
use crate::config::Config;

#[derive(Debug, clap::Args)]
pub struct DestroyArgs {
    /// Runtime name or id
    pub runtime: String,
    /// Only this endpoint (its gateway target, alarms and, with --with-logs, its log group);
    /// not DEFAULT, which goes with the runtime
    #[arg(long, value_name = "NAME")]
    pub endpoint: Option<String>,
    /// Also delete the log groups (their metric filters go with them)
    #[arg(long)]
    pub with_logs: bool,
    /// Print the calls it would make and change nothing
    #[arg(long)]
    pub dry_run: bool,
    #[command(flatten)]
    pub write: WriteFlags,
}

pub async fn run(config: &Config, cli: &Cli, args: &DestroyArgs) -> Result<Outcome, CliError> {
    let env = config.one(&cli.envs)?;
    let w = Write::new(&env, "destroy", &args.runtime, &args.write)?;
    // A dry run changes nothing, so a protected environment may be previewed unarmed.
    if !args.dry_run {
        w.guard()?;
    }
    let backend = Backend::new(vec![env.clone()]);
    let req = DestroyRequest {
        runtime: args.runtime.clone(),
        endpoint: args.endpoint.clone(),
        with_logs: args.with_logs,
    };
    let plan = match destroy::plan(&backend, &env.name, &req).await {
        Ok(p) => p,
        Err(e) if args.dry_run => return Err(e.into()),
        Err(e) => return Err(w.refuse(e)),
    };
    if args.dry_run {
        show(cli, &plan.report(true))?;
        return Ok(Outcome::Ok);
    }
    w.confirm(&plan.calls())?;
    let report = destroy::run(&backend, &plan, args.write.arm, &w.actor, &w.audit).await?;
    show(cli, &report)?;
    Ok(match &report.error {
        None => Outcome::Ok,
        Some(e) => Outcome::Exit(1, Some(e.clone())),
    })
}

fn show(cli: &Cli, r: &DestroyReport) -> Result<(), CliError> {
    if cli.output == OutputFormat::Json {
        return output::json(r);
    }
    let what = match &r.endpoint {
        Some(ep) => format!("endpoint `{ep}` of `{}`", r.runtime),
        None => format!("`{}`", r.runtime),
    };
    let lines = |title: String, calls: &[String]| {
        println!("{title}");
        for c in calls {
            println!("  {}", crate::domain::sanitize::one_line(c));
        }
    };
    if r.dry_run {
        lines(
            format!("destroying {what} in `{}` would call (dry run):", r.env),
            &r.calls,
        );
        return Ok(());
    }
    lines(format!("deleted {what} in `{}`:", r.env), &r.deleted);
    if !r.not_deleted.is_empty() {
        lines("not deleted:".into(), &r.not_deleted);
    }
    Ok(())
}
