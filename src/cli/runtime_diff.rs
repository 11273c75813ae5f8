//! `runtime diff R --env A [--env B] [--version X] [--version Y]`: two versions of one
//! runtime, in one environment or across two, field by field.

use clap::Args;

use super::output::{self, OutputFormat, Table};
use super::{Cli, CliError, Outcome};
use crate::backend::Backend;
use crate::backend::runtimes::config::{self, DiffSide};
use crate::config::Config;
use crate::domain::version_config::{RuntimeDiff, VersionConfig};

#[derive(Debug, Args)]
pub struct DiffArgs {
    /// Runtime name or id
    pub runtime: String,
    /// Version of the first side; give it twice for the second side too [default: what the
    /// environment's stable endpoint serves, else DEFAULT's live version; with one --env, the
    /// second side defaults to the latest version]
    #[arg(long = "version", value_name = "N")]
    pub versions: Vec<String>,
    /// Exit 1 when the two differ (like `git diff --exit-code`)
    #[arg(long)]
    pub exit_code: bool,
}

/// `[1-9][0-9]{0,4}`, AWS's version pattern: checked before any call.
fn check_version(v: &str) -> Result<(), CliError> {
    let ok = !v.is_empty()
        && v.len() <= 5
        && !v.starts_with('0')
        && v.bytes().all(|b| b.is_ascii_digit());
    ok.then_some(()).ok_or_else(|| {
        CliError::msg(format!(
            "--version `{v}`: a runtime version is a number from 1 to 99999"
        ))
    })
}

/// The two sides, in the order the flags were given.
pub fn sides(envs: &[String], versions: &[String]) -> Result<(DiffSide, DiffSide), CliError> {
    let (left_env, right_env) = match envs {
        [a] => (a.clone(), a.clone()),
        [a, b] => (a.clone(), b.clone()),
        _ => {
            return Err(CliError::msg(format!(
                "runtime diff: give --env A (two versions of one environment) or --env A --env B \
                 (two environments); got {} --env",
                envs.len()
            )));
        }
    };
    if versions.len() > 2 {
        return Err(CliError::msg(format!(
            "runtime diff: --version at most twice (first side, second side); got {}",
            versions.len()
        )));
    }
    for v in versions {
        check_version(v)?;
    }
    let one_env = envs.len() == 1;
    Ok((
        DiffSide {
            env: left_env,
            version: versions.first().cloned(),
            latest_by_default: false,
        },
        DiffSide {
            env: right_env,
            version: versions.get(1).cloned(),
            latest_by_default: one_env,
        },
    ))
}

fn label(c: &VersionConfig) -> String {
    format!("{} v{}", c.env, c.version)
}

pub async fn run(config: &Config, cli: &Cli, args: &DiffArgs) -> Result<Outcome, CliError> {
    let (left, right) = sides(&cli.envs, &args.versions)?;
    let backend = Backend::new(config.select(&cli.envs)?);
    let d = config::diff(&backend, &args.runtime, &left, &right).await?;
    if cli.output == OutputFormat::Json {
        output::json(&d)?;
    } else {
        print(&d);
    }
    Ok(if args.exit_code && !d.differences.is_empty() {
        Outcome::Exit(1, None)
    } else {
        Outcome::Ok
    })
}

pub fn print(d: &RuntimeDiff) {
    let (l, r) = (label(&d.left), label(&d.right));
    if d.differences.is_empty() {
        println!("no differences ({l} and {r})");
        return;
    }
    let mut t = Table::headed(vec!["FIELD".into(), l, r]);
    for f in &d.differences {
        t.row(vec![f.field.to_string(), f.left.clone(), f.right.clone()]);
    }
    t.print();
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(v: &[&str]) -> Vec<String> {
        v.iter().map(|x| x.to_string()).collect()
    }

    #[test]
    fn one_version_is_the_first_sides_and_two_are_both() {
        let (l, r) = sides(&s(&["dev", "prod"]), &s(&["3"])).expect("sides");
        assert_eq!(
            (l.version.as_deref(), r.version.as_deref()),
            (Some("3"), None)
        );
        assert!(!r.latest_by_default);
        let (l, r) = sides(&s(&["dev"]), &s(&["2", "5"])).expect("sides");
        assert_eq!((l.env.as_str(), r.env.as_str()), ("dev", "dev"));
        assert_eq!(
            (l.version.as_deref(), r.version.as_deref()),
            (Some("2"), Some("5"))
        );
        let (_, r) = sides(&s(&["dev"]), &[]).expect("sides");
        assert!(r.latest_by_default);
    }

    #[test]
    fn bad_sides_are_refused_naming_the_flag() {
        let e = sides(&[], &[]).expect_err("no env").to_string();
        assert!(e.contains("--env"), "{e}");
        let e = sides(&s(&["a", "b", "c"]), &[])
            .expect_err("3 envs")
            .to_string();
        assert!(e.contains("got 3"), "{e}");
        let e = sides(&s(&["a"]), &s(&["1", "2", "3"]))
            .expect_err("3 versions")
            .to_string();
        assert!(e.contains("--version at most twice"), "{e}");
        for bad in ["0", "x", "012", "123456", ""] {
            let e = sides(&s(&["a"]), &s(&[bad])).expect_err(bad).to_string();
            assert!(e.contains(&format!("--version `{bad}`")), "{e}");
        }
    }
}
