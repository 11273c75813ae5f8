//! `smoke R`: run a smoke file's checks against one endpoint. Exit 0 when all passed, 5 when
//! any failed, 1 when they could not run. `--output json` prints the stable report and
//! `--junit FILE` writes JUnit XML for CI.

pub mod junit;

use std::path::{Path, PathBuf};

use serde_json::json;

use super::output::{self, OutputFormat, Table};
use super::tools::bearer;
use super::{Cli, CliError, Outcome};
use crate::backend::Backend;
use crate::backend::smoke::{self, SmokeRun};
use crate::config::Config;
use crate::config::smoke::{FILE_NAME, load};
use crate::domain::smoke::SmokeSpec;

/// The exit code of a run whose checks failed (README: exit codes).
pub const EXIT_FAILED: u8 = 5;

#[derive(Debug, clap::Args)]
pub struct SmokeArgs {
    /// Runtime name or id
    pub runtime: String,
    /// Endpoint (or version number) to check [default: the environment's stable endpoint when
    /// the runtime has it, else DEFAULT]
    #[arg(long, value_name = "ENDPOINT")]
    pub qualifier: Option<String>,
    /// The smoke file [default: ./smoke.toml]
    #[arg(long = "smoke", value_name = "FILE")]
    pub file: Option<PathBuf>,
    /// Also write the results as JUnit XML to FILE
    #[arg(long, value_name = "FILE")]
    pub junit: Option<PathBuf>,
    /// Bearer token for a runtime with a JWT authorizer, from a file or a variable (as
    /// `invoke` takes it) [default: the environment's token_command, when the runtime needs one]
    #[arg(long, value_name = "@FILE|env:VAR")]
    pub bearer_token: Option<String>,
}

/// The smoke file a flag names, or `./smoke.toml`; a missing default says how to name one.
pub fn spec(flag: Option<&Path>) -> Result<SmokeSpec, CliError> {
    let path = flag.map_or_else(|| PathBuf::from(".").join(FILE_NAME), Path::to_path_buf);
    if flag.is_none() && !path.is_file() {
        return Err(CliError::msg(format!(
            "{}: no smoke file here: pass --smoke FILE",
            path.display()
        )));
    }
    Ok(load(&path)?)
}

pub async fn run(config: &Config, cli: &Cli, args: &SmokeArgs) -> Result<Outcome, CliError> {
    // Every input is read before anything is called.
    let spec = spec(args.file.as_deref())?;
    let token = bearer(args.bearer_token.as_deref())?;
    let env = config.one(&cli.envs)?;
    let name = env.name.clone();
    let backend = Backend::new(vec![env]);
    let clients = backend.clients(&name).await?;
    let run = smoke::run_on(
        &clients,
        &args.runtime,
        args.qualifier.as_deref(),
        token,
        &spec,
    )
    .await?;
    if let Some(path) = &args.junit {
        let suite = format!("smoke {}@{} in {name}", run.runtime, run.qualifier);
        let xml = junit::render(&suite, &format!("smoke.{}", run.runtime), &run.report);
        std::fs::write(path, xml)
            .map_err(|e| CliError::msg(format!("--junit {}: cannot write: {e}", path.display())))?;
    }
    if cli.output == OutputFormat::Json {
        output::json(&report_json(&name, &run))?;
    } else {
        print_table(&name, &run);
    }
    let r = &run.report;
    if r.all_passed() {
        return Ok(Outcome::Ok);
    }
    Ok(Outcome::Exit(
        EXIT_FAILED,
        Some(format!("smoke checks failed: {}", r.summary())),
    ))
}

/// The stable JSON report.
fn report_json(env: &str, run: &SmokeRun) -> serde_json::Value {
    let r = &run.report;
    json!({
        "env": env,
        "runtime": run.runtime,
        "qualifier": run.qualifier,
        "version": run.version,
        "passed": r.passed(),
        "failed": r.failed(),
        "checks": r.checks,
        "health": r.health,
    })
}

fn print_table(env: &str, run: &SmokeRun) {
    let r = &run.report;
    let mut t = Table::new(vec!["CHECK", "TOOL", "RESULT", "LATENCY", "REASON"]);
    let verdict = |passed: bool| if passed { "pass" } else { "FAIL" }.to_string();
    if let Some(h) = &r.health {
        t.row(vec![
            "health".into(),
            "(ping)".into(),
            verdict(h.passed),
            format!("{} ms", h.latency_ms),
            h.reason.clone().unwrap_or_default(),
        ]);
    }
    for c in &r.checks {
        t.row(vec![
            c.name.clone(),
            c.tool.clone(),
            verdict(c.passed),
            format!("{} ms", c.latency_ms),
            c.reason.clone().unwrap_or_default(),
        ]);
    }
    t.print();
    println!(
        "{}/{} passed on {} `{}`{} in {env}",
        r.passed(),
        r.total(),
        crate::domain::sanitize::one_line(&run.runtime),
        run.qualifier,
        run.version
            .as_deref()
            .map(|v| format!(" (version {v})"))
            .unwrap_or_default()
    );
}
