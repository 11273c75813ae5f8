//! What every mutating command shares: the plan shown before acting, confirmation on the
//! terminal, and the audit trail that records the change, or its refusal.
//!
//! Confirmation is decided on stdin alone and asked on the controlling terminal (`/dev/tty`),
//! so `2>log` cannot hide the plan; with no terminal a write needs `--yes`. Every refusal
//! (protected and not armed, a failed check, not confirmed) goes through [`Write::refuse`], so
//! each write command audits them alike.

use std::fmt::Display;
use std::io::{BufRead, BufReader, IsTerminal, Read};

use super::CliError;
use crate::backend::audit::{Actor, AuditLog, WriteRef};
use crate::domain::Environment;
use crate::domain::audit::command_line;

/// Flags every mutating command takes.
#[derive(Debug, Clone, clap::Args)]
pub struct WriteFlags {
    /// Allow this change in a read-only (protected) environment; the change is audited
    #[arg(long)]
    pub arm: bool,
    /// Do not ask for confirmation; needed to write without a terminal (scripts, CI)
    #[arg(long, short = 'y')]
    pub yes: bool,
}

/// The actor for audit entries: this user and this very command line (values redacted).
pub fn actor() -> Actor {
    let mut args: Vec<String> = std::env::args().collect();
    if let Some(first) = args.first_mut() {
        *first = "agentcore-console".into();
    }
    Actor::new(command_line(&args))
}

pub fn audit_log() -> Result<AuditLog, CliError> {
    Ok(AuditLog::default_location()?)
}

/// One write from the command line: where, what, how it was asked for, and its audit trail.
pub struct Write<'a> {
    pub env: &'a Environment,
    /// The action as the audit log names it (`deploy`, `rollback`, `traffic.set`, …).
    pub action: &'static str,
    pub target: &'a str,
    flags: &'a WriteFlags,
    pub actor: Actor,
    pub audit: AuditLog,
}

impl<'a> Write<'a> {
    pub fn new(
        env: &'a Environment,
        action: &'static str,
        target: &'a str,
        flags: &'a WriteFlags,
    ) -> Result<Self, CliError> {
        Ok(Self {
            env,
            action,
            target,
            flags,
            actor: actor(),
            audit: audit_log()?,
        })
    }

    /// Audit this write as refused (nothing was changed) and return the error to report.
    pub fn refuse(&self, why: impl Display) -> CliError {
        let why = why.to_string();
        let write = WriteRef {
            env: &self.env.name,
            action: self.action,
            target: self.target,
        };
        self.audit.refuse(&self.actor, &write, &why);
        CliError::msg(why)
    }

    /// Refuse a protected environment unless armed (before even reading what a write would
    /// do; `confirm` checks again).
    pub fn guard(&self) -> Result<(), CliError> {
        if self.env.read_only && !self.flags.arm {
            return Err(self.refuse(format!(
                "environment `{}` is read-only: pass --arm to change it (the change is audited)",
                self.env.name
            )));
        }
        Ok(())
    }

    /// Refuse a protected environment unless armed; then, unless `--yes`, show the plan on the
    /// terminal and ask. A protected environment must be confirmed by typing its name.
    pub fn confirm(&self, plan: &[String]) -> Result<(), CliError> {
        let env = self.env;
        self.guard()?;
        if self.flags.yes {
            return Ok(());
        }
        if !std::io::stdin().is_terminal() {
            return Err(self.refuse(format!(
                "not confirmed: no terminal to ask on (stdin is not a terminal), so nothing was \
                 changed in `{}`; pass --yes to run without a terminal",
                env.name
            )));
        }
        let tty = std::fs::OpenOptions::new()
            .read(true)
            .write(true)
            .open("/dev/tty")
            .map_err(|e| {
                self.refuse(format!(
                    "not confirmed: cannot open the terminal (/dev/tty: {e}), so nothing was \
                     changed; pass --yes to run without a terminal"
                ))
            })?;
        match ask(tty, env, plan) {
            Ok(true) => Ok(()),
            Ok(false) => Err(self.refuse("not confirmed; nothing was changed")),
            Err(e) => Err(self.refuse(format!(
                "not confirmed: the terminal failed ({e}); nothing was changed"
            ))),
        }
    }
}

/// Show the plan on `term` and read the answer from it: true to go on.
fn ask(
    term: impl Read + std::io::Write,
    env: &Environment,
    plan: &[String],
) -> std::io::Result<bool> {
    let mut term = BufReader::new(term);
    let out = term.get_mut();
    writeln!(out, "In `{}` this will call:", env.name)?;
    for step in plan {
        writeln!(out, "  {step}")?;
    }
    if env.read_only {
        write!(out, "`{}` is protected. Type its name to go on: ", env.name)?;
    } else {
        write!(out, "Go on? [y/N] ")?;
    }
    out.flush()?;
    let mut answer = String::new();
    term.read_line(&mut answer)?;
    let answer = answer.trim();
    Ok(if env.read_only {
        answer == env.name
    } else {
        matches!(answer, "y" | "Y" | "yes")
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A terminal: what is typed, and what was written.
    struct Term(std::io::Cursor<Vec<u8>>, Vec<u8>);

    impl Read for Term {
        fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
            self.0.read(buf)
        }
    }

    impl std::io::Write for Term {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            self.1.write(buf)
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    #[test]
    fn the_plan_is_shown_and_only_the_right_answer_goes_on() {
        let dev = Environment {
            name: "dev".into(),
            ..Environment::default()
        };
        let prod = Environment {
            name: "prod".into(),
            read_only: true,
            ..Environment::default()
        };
        let plan = ["UpdateGatewayRule: 100% live".to_string()];
        let answer = |env: &Environment, typed: &str| {
            let mut term = Term(std::io::Cursor::new(typed.as_bytes().to_vec()), vec![]);
            let ok = ask(&mut term, env, &plan).expect("ask");
            (ok, String::from_utf8(term.1).expect("utf8"))
        };
        let (ok, shown) = answer(&dev, "y\n");
        assert!(ok);
        assert!(
            shown.contains("In `dev` this will call:\n  UpdateGatewayRule: 100% live\n"),
            "{shown}"
        );
        assert!(!answer(&dev, "n\n").0);
        assert!(!answer(&dev, "").0, "end of input is no");
        assert!(!answer(&prod, "y\n").0);
        let (ok, shown) = answer(&prod, "prod\n");
        assert!(ok && shown.contains("Type its name"), "{shown}");
    }
}
