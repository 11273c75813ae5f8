//! `demo`: the local AgentCore in-process, dev/staging/prod seeded on it through the same
//! backend as `deploy` and `traffic set`, live traffic, and the TUI (or `--no-ui`: headless).

/// `eprintln!` that cannot panic. The terminal may be gone (a hangup), and a panic on the way
/// out would skip stopping the servers and removing the temporary state dir.
macro_rules! say {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let _ = writeln!(std::io::stderr(), $($arg)*);
    }};
}

mod alarms;
mod posture;
mod rollouts;
mod seed;
mod traffic;

use std::future::Future;
use std::io::Write;
use std::panic::AssertUnwindSafe;
use std::path::{Path, PathBuf};
use std::pin::Pin;
use std::sync::Arc;
use std::time::{Duration, Instant};

use futures::FutureExt;

use super::{CliError, Outcome};
use crate::backend::Backend;
use crate::backend::audit::AuditLog;
use crate::config::Config;
use crate::domain::audit::shell_line;
use crate::emulator;

/// Short enough that seeding takes seconds, long enough that a deploy made in the demo shows
/// its CREATING/UPDATING states.
const SETTLE: Duration = Duration::from_millis(200);
/// Environments: name and region (each region is its own partition on the one server).
const ENVIRONMENTS: [(&str, &str); 3] = [
    ("dev", "us-west-2"),
    ("staging", "eu-west-1"),
    ("prod", "us-east-1"),
];

#[derive(Debug, clap::Args)]
pub struct DemoArgs {
    /// Keep the demo's state here; the next demo on it reuses what exists [default: a
    /// temporary directory, removed on exit]
    #[arg(long, value_name = "DIR")]
    pub state_dir: Option<PathBuf>,
    /// Serve headless: print the environments file's path, then serve until Ctrl-C or SIGTERM
    #[arg(long)]
    pub no_ui: bool,
    /// New MCP sessions per second the traffic generator opens (0 turns it off)
    #[arg(long, default_value_t = 2.0, value_name = "N")]
    pub rate: f64,
    /// A fault for the local AgentCore to inject, as `local serve --fault` (repeatable; it
    /// applies while seeding too)
    #[arg(long = "fault", value_name = "SPEC")]
    pub faults: Vec<emulator::FaultSpec>,
    /// A latency and quota profile for the local AgentCore, as `local serve --profile`
    /// ('aws' or a TOML file)
    #[arg(long, value_name = "aws|FILE", value_parser = emulator::ProfileSpec::load)]
    pub profile: Option<emulator::ProfileSpec>,
}

pub async fn run(args: &DemoArgs) -> Result<Outcome, CliError> {
    if !(args.rate.is_finite() && (0.0..=200.0).contains(&args.rate)) {
        return Err(CliError::msg(format!(
            "--rate {} is outside 0..200",
            args.rate
        )));
    }
    // First: a SIGHUP from here on stops the demo cleanly instead of killing it.
    let signal = super::local::shutdown_signal();
    let (dir, temporary) = match &args.state_dir {
        Some(d) => {
            crate::private_fs::create_dir(d)
                .map_err(|e| CliError::msg(format!("{}: {e}", d.display())))?;
            (d.canonicalize()?, false)
        }
        None => (temp_dir()?, true),
    };
    let result = serve(&dir, args, signal).await;
    if temporary && let Err(e) = std::fs::remove_dir_all(&dir) {
        say!("could not remove {}: {e}", dir.display());
    }
    result
}

/// Run the emulator for as long as the demo lasts, then stop it (and so every server process).
async fn serve(
    dir: &Path,
    args: &DemoArgs,
    signal: impl Future<Output = ()>,
) -> Result<Outcome, CliError> {
    let listener = posture::bind_remembered(dir).await?;
    let url = emulator::endpoint_url(&listener)?;
    let mut opts = emulator::Options::new(dir.join("agentcore"));
    opts.settle_delay = SETTLE;
    opts.faults.clone_from(&args.faults);
    opts.profile.clone_from(&args.profile);
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let mut server = tokio::spawn(emulator::serve(listener, opts, async {
        let _ = stopped.await;
    }));
    // One signal future for the whole demo, so a signal during seeding is not lost.
    let mut signal = std::pin::pin!(signal);
    let mut server_ended = false;
    // A panic in the demo or the TUI must still stop the servers below.
    let demo = AssertUnwindSafe(demo(dir, &url, args, signal.as_mut())).catch_unwind();
    let result = tokio::select! {
        r = demo => r.unwrap_or_else(|panic| Err(CliError::msg(format!(
            "the demo failed: {}",
            panic_message(panic.as_ref())
        )))),
        joined = &mut server => {
            server_ended = true;
            Err(CliError::msg(match joined {
                Ok(Ok(())) => "the local AgentCore stopped".into(),
                Ok(Err(e)) => format!("the local AgentCore failed: {e}"),
                Err(e) => format!("the local AgentCore failed: {e}"),
            }))
        }
    };
    let _ = stop.send(());
    if !server_ended {
        say!("stopping the local AgentCore and its servers");
        match server.await {
            Ok(Ok(())) => {}
            Ok(Err(e)) => say!("the local AgentCore stopped with an error: {e}"),
            Err(e) => say!("the local AgentCore stopped with an error: {e}"),
        }
    }
    result
}

fn panic_message(panic: &(dyn std::any::Any + Send)) -> &str {
    panic
        .downcast_ref::<&str>()
        .copied()
        .or_else(|| panic.downcast_ref::<String>().map(String::as_str))
        .unwrap_or("a panic")
}

/// Seed, start the traffic, then the TUI or headless serving until a signal.
async fn demo<S: Future<Output = ()>>(
    dir: &Path,
    url: &str,
    args: &DemoArgs,
    mut signal: Pin<&mut S>,
) -> Result<Outcome, CliError> {
    let config_path = write_environments(dir, url)?;
    let config = Config::load(&config_path)?;
    let backend = Arc::new(Backend::new(config.environments.clone()));
    let ctx = seed::Ctx {
        audit: AuditLog::at(dir.join("audit.jsonl")),
        sample_dir: seed::write_sample(dir)?,
        config_path: config_path.clone(),
        started: Instant::now(),
    };
    say!(
        "local AgentCore on {url}, state in {}; seeding dev, staging and prod",
        dir.display()
    );
    if let Some(p) = &args.profile {
        super::local::announce(p);
    }
    let seeded = tokio::select! {
        r = seed::seed(&backend, &ctx) => r?,
        () = signal.as_mut() => {
            say!("interrupted while seeding");
            return Ok(Outcome::Ok);
        }
    };
    // The standard alarms, so prod's failing canary fires within minutes of the traffic.
    let alarmed = tokio::select! {
        r = alarms::apply_all(&backend, &ctx, &seeded.targets) => r?,
        () = signal.as_mut() => {
            say!("interrupted while applying alarms");
            return Ok(Outcome::Ok);
        }
    };
    say!(
        "{:>5.1}s  ready: {} runtimes in 3 environments ({})",
        ctx.started.elapsed().as_secs_f64(),
        seeded.targets.len(),
        match seeded.changes + alarmed {
            0 => "all reused".to_string(),
            n => format!("{n} changes, audited in {}", ctx.audit.path().display()),
        }
    );
    // Stops (aborting every session in flight) when dropped, however this function ends.
    let _traffic = traffic::Generator::start(Arc::clone(&backend), seeded.targets, args.rate);
    if !seeded.rollouts.is_empty() {
        let names: Vec<String> = seeded
            .rollouts
            .iter()
            .map(|(env, runtime, v)| format!("{env}/{runtime} v{v}"))
            .collect();
        say!(
            "{:>5.1}s  rolling out {} (plan `{}`)",
            ctx.started.elapsed().as_secs_f64(),
            names.join(", "),
            seed::ROLLOUT_PLAN
        );
    }
    let drivers = rollouts::start_all(&backend, &ctx, seeded.rollouts);
    let result = run_ui(dir, &config_path, &ctx, args, signal).await;
    drivers.stop().await;
    result
}

/// The TUI, or headless serving, until it ends or a signal comes.
async fn run_ui<S: Future<Output = ()>>(
    dir: &Path,
    config_path: &Path,
    ctx: &seed::Ctx,
    args: &DemoArgs,
    signal: Pin<&mut S>,
) -> Result<Outcome, CliError> {
    if args.no_ui {
        // With the state dir set, changes made from the CLI land in the demo's audit log.
        let hint = format!(
            "AGENTCORE_CONSOLE_STATE_DIR={} {}",
            shell_line(&[dir.display().to_string()]),
            shell_line(&[
                "agentcore-console".into(),
                "--config".into(),
                config_path.display().to_string(),
                "runtimes".into(),
            ])
        );
        let mut out = std::io::stdout().lock();
        writeln!(out, "{}", config_path.display())?;
        writeln!(out, "{hint}")?;
        out.flush()?;
        drop(out);
        say!("serving with live traffic; Ctrl-C stops the demo");
        signal.await;
        return Ok(Outcome::Ok);
    }
    tokio::select! {
        r = crate::tui::run(config_path.to_path_buf(), &[], Some(ctx.audit.path().to_path_buf())) => r.map(|()| Outcome::Ok).map_err(CliError::msg),
        () = signal => Ok(Outcome::Ok),
    }
}

/// The environments file for the demo, rewritten on every start (the port changes).
fn write_environments(dir: &Path, url: &str) -> Result<PathBuf, CliError> {
    let mut text = String::from(
        "# Written by `agentcore-console demo`: three environments on one local AgentCore,\n\
         # each in its own region. Rewritten at every start (the port changes).\n",
    );
    for (name, region) in ENVIRONMENTS {
        text.push_str(&format!(
            "\n[environments.{name}]\nendpoint_url = \"{url}\"\nregion = \"{region}\"\n"
        ));
        if let Some(line) = posture::token_command_toml(name, url) {
            text.push_str(&line);
        }
        if let Some(table) = posture::runtime_toml(name, url) {
            text.push_str(&table);
        }
        if let Some(plan) = rollouts::plan_toml(name) {
            text.push_str(&plan);
        }
        if crate::domain::Environment::default_read_only(name) {
            text.push_str("# read-only by its name: changes need --arm\n");
            // The standard alarms page someone in prod (the local AgentCore keeps the action).
            text.push_str(&format!(
                "\n[environments.{name}.alarms]\nalarm_actions = [\"arn:aws:sns:{region}:{}:demo-oncall-pager\"]\n",
                crate::emulator::DEFAULT_ACCOUNT
            ));
        }
    }
    let path = dir.join("environments.toml");
    let tmp = dir.join(".environments.toml.tmp");
    std::fs::write(&tmp, text)
        .and_then(|()| std::fs::rename(&tmp, &path))
        .map_err(|e| CliError::msg(format!("{}: {e}", path.display())))?;
    Ok(path)
}

/// A fresh directory of our own under the system's temporary directory.
fn temp_dir() -> Result<PathBuf, CliError> {
    let base = std::env::temp_dir();
    for _ in 0..8 {
        let dir = base.join(format!(
            "agentcore-console-demo-{}-{:08x}",
            std::process::id(),
            fastrand::u32(..)
        ));
        // 0700: the demo's state (objects, logs, the audit trail) is this user's alone.
        let made = std::os::unix::fs::DirBuilderExt::mode(&mut std::fs::DirBuilder::new(), 0o700)
            .create(&dir);
        match made {
            Ok(()) => return Ok(dir),
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => continue,
            Err(e) => return Err(CliError::msg(format!("{}: {e}", dir.display()))),
        }
    }
    Err(CliError::msg(format!(
        "cannot create a temporary directory in {}",
        base.display()
    )))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_environments_file_parses_with_prod_protected() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = write_environments(dir.path(), "http://127.0.0.1:4999").expect("write");
        let config = Config::load(&path).expect("parses");
        let names: Vec<_> = config
            .environments
            .iter()
            .map(|e| e.name.as_str())
            .collect();
        assert_eq!(names, ["dev", "staging", "prod"]);
        for e in &config.environments {
            use crate::domain::posture::{InboundAuth, Network};
            assert_eq!(e.read_only, e.name == "prod", "{}", e.name);
            // Prod: VPC, a JWT authorizer on the local issuer, 90 days, and a token_command
            // that asks that issuer; the others public with IAM.
            let p = &e.posture;
            if e.name == "prod" {
                assert!(matches!(p.network, Some(Network::Vpc { .. })), "{p:?}");
                assert_eq!(
                    p.auth,
                    Some(InboundAuth::Jwt {
                        discovery_url:
                            "http://127.0.0.1:4999/_local/oidc/.well-known/openid-configuration"
                                .into(),
                        allowed_audiences: vec![posture::PROD_AUDIENCE.into()],
                        allowed_clients: vec![],
                    })
                );
                assert_eq!(p.log_retention_days, Some(90));
                let cmd = e.token_command.as_deref().expect("token_command");
                assert!(
                    cmd.ends_with(" local token --endpoint http://127.0.0.1:4999 --audience agentcore-console-demo"),
                    "{cmd}"
                );
            } else {
                assert_eq!(
                    (&p.network, &p.auth),
                    (&Some(Network::Public), &Some(InboundAuth::Iam))
                );
                assert!(e.token_command.is_none());
            }
            assert_eq!(
                p.log_retention_days,
                Some(match e.name.as_str() {
                    "dev" => 7,
                    "staging" => 30,
                    _ => 90,
                })
            );
            assert_eq!(e.endpoint_url.as_deref(), Some("http://127.0.0.1:4999"));
            // Only prod's alarms page someone.
            assert_eq!(
                e.alarms.alarm_actions,
                if e.name == "prod" {
                    vec!["arn:aws:sns:us-east-1:123456789012:demo-oncall-pager".to_string()]
                } else {
                    vec![]
                }
            );
        }
    }
}
