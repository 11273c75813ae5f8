//! What every mutating command shares: the plan shown before acting, confirmation on a
//! terminal, and the actor recorded in the audit log.

use std::io::{BufRead, IsTerminal, Write};

use super::CliError;
use crate::backend::audit::{Actor, AuditLog};
use crate::domain::Environment;
use crate::domain::audit::shell_line;

/// Flags every mutating command takes.
#[derive(Debug, Clone, clap::Args)]
pub struct WriteFlags {
    /// Allow this change in a read-only (protected) environment; the change is audited
    #[arg(long)]
    pub arm: bool,
    /// Do not ask for confirmation on a terminal
    #[arg(long, short = 'y')]
    pub yes: bool,
}

/// The actor for audit entries: this user and this very command line.
pub fn actor() -> Actor {
    let mut args: Vec<String> = std::env::args().collect();
    if let Some(first) = args.first_mut() {
        *first = "agentcore-console".into();
    }
    Actor::new(shell_line(&args))
}

pub fn audit_log() -> Result<AuditLog, CliError> {
    Ok(AuditLog::default_location()?)
}

/// Show the plan and, on a terminal, ask before going on. A protected environment must be
/// confirmed by typing its name.
pub fn confirm(env: &Environment, flags: &WriteFlags, plan: &[String]) -> Result<(), CliError> {
    if env.read_only && !flags.arm {
        return Err(CliError(format!(
            "environment `{}` is read-only: pass --arm to change it (the change is audited)",
            env.name
        )));
    }
    let interactive = std::io::stdin().is_terminal() && std::io::stderr().is_terminal();
    if flags.yes || !interactive {
        return Ok(());
    }
    let mut err = std::io::stderr().lock();
    writeln!(err, "In `{}` this will call:", env.name)?;
    for step in plan {
        writeln!(err, "  {step}")?;
    }
    if env.read_only {
        write!(err, "`{}` is protected. Type its name to go on: ", env.name)?;
    } else {
        write!(err, "Go on? [y/N] ")?;
    }
    err.flush()?;
    let mut answer = String::new();
    std::io::stdin().lock().read_line(&mut answer)?;
    let answer = answer.trim();
    let ok = if env.read_only {
        answer == env.name
    } else {
        matches!(answer, "y" | "Y" | "yes")
    };
    if ok {
        Ok(())
    } else {
        Err(CliError("not confirmed; nothing was changed".into()))
    }
}
