//! `audit`: the audit log, oldest first. A damaged line is skipped with a warning on stderr
//! that counts them; the rest of the trail still shows.

use super::confirm::audit_log;
use super::output::{self, OutputFormat, Table};
use super::{Cli, CliError, Outcome};

pub fn run(cli: &Cli) -> Result<Outcome, CliError> {
    let log = audit_log()?;
    let read = log.read_all()?;
    if let Some(warning) = read.warning(log.path()) {
        eprintln!("agentcore-console: warning: {warning}");
    }
    let entries: Vec<_> = read
        .entries
        .into_iter()
        .filter(|e| cli.envs.is_empty() || cli.envs.contains(&e.env))
        .collect();
    if cli.output == OutputFormat::Json {
        output::json(&entries)?;
        return Ok(Outcome::Ok);
    }
    let mut t = Table::new(vec![
        "TIME", "USER", "ENV", "ACTION", "TARGET", "CHANGE", "RESULT", "COMMAND",
    ]);
    for e in &entries {
        let v = |x: &serde_json::Value| x["version"].as_str().unwrap_or("-").to_string();
        t.row(vec![
            e.time.clone(),
            e.user.clone(),
            e.env.clone(),
            e.action.clone(),
            e.target.clone(),
            format!("{} → {}", v(&e.before), v(&e.after)),
            e.result.clone(),
            e.command.clone(),
        ]);
    }
    t.print();
    eprintln!("from {}", log.path().display());
    Ok(Outcome::Ok)
}
