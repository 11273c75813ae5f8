//! Quick start on a machine with no AWS account: start the local AgentCore on
//! 127.0.0.1:4590, deploy an MCP server to dev, staging and prod with the console's own deploy
//! (the official AWS SDK, exactly as against AWS), print the runtimes matrix with the CLI, and
//! keep serving until Ctrl-C.
//!
//! cargo run --release --example quickstart [-- STATE_DIR]

use std::path::PathBuf;
use std::time::Duration;

use agentcore_console::backend::audit::{Actor, AuditLog};
use agentcore_console::backend::deploy::{self, DeployRequest, Source};
use agentcore_console::backend::{Backend, runtimes};
use agentcore_console::config::Config;
use agentcore_console::emulator;
use clap::Parser;

const CONFIG: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/assets/environments.local.toml"
);
/// The MCP server deployed in the demo environments.
const SAMPLE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/assets/sample-mcp-server");

type Error = Box<dyn std::error::Error + Send + Sync>;
/// Per environment: runtimes and their named endpoints.
type Plan<'a> = &'a [(&'a str, &'a [(&'a str, &'a [&'a str])])];

#[tokio::main]
async fn main() -> Result<(), Error> {
    let state = std::env::args().nth(1).map_or_else(
        || PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/quickstart-state"),
        PathBuf::from,
    );
    let listener = emulator::bind("127.0.0.1:4590".parse()?).await?;
    println!(
        "local AgentCore on {} (state in {})",
        emulator::endpoint_url(&listener)?,
        state.display()
    );
    let server = tokio::spawn(emulator::serve(
        listener,
        emulator::Options::new(&state),
        async {
            let _ = tokio::signal::ctrl_c().await;
        },
    ));

    let config = Config::load(CONFIG.as_ref())?;
    let plan: Plan<'_> = &[
        (
            "dev",
            &[
                ("weather_mcp", &["live", "canary"]),
                ("docs_mcp", &["live"]),
            ],
        ),
        ("staging", &[("weather_mcp", &["live", "canary"])]),
        (
            "prod",
            &[
                ("weather_mcp", &["live", "canary"]),
                ("billing_mcp", &["live"]),
            ],
        ),
    ];
    let backend = Backend::new(config.environments.clone());
    for (env_name, runtimes_plan) in plan {
        for (name, endpoints) in *runtimes_plan {
            seed(&backend, env_name, name, endpoints).await?;
        }
    }

    let cli = agentcore_console::cli::Cli::parse_from([
        "agentcore-console",
        "--config",
        CONFIG,
        "runtimes",
    ]);
    agentcore_console::cli::run(cli).await;
    println!(
        "\nServing until Ctrl-C. In another terminal:\n  cargo run --release -- --config assets/environments.local.toml runtime show weather_mcp --env prod"
    );
    server.await??;
    Ok(())
}

/// Deploy the sample server twice (versions 1 and 2) with the backend's deploy, the same
/// code path as `agentcore-console deploy`, unless the runtime already exists.
async fn seed(backend: &Backend, env: &str, name: &str, endpoints: &[&str]) -> Result<(), Error> {
    let clients = backend.clients(env).await?;
    if runtimes::resolve(&clients, name).await.is_ok() {
        return Ok(());
    }
    let audit = AuditLog::at(std::env::temp_dir().join("agentcore-console-quickstart-audit.jsonl"));
    let actor = Actor::new(format!("quickstart seed {env} {name}"));
    for (i, version) in ["1", "2"].iter().enumerate() {
        let req = DeployRequest {
            runtime: name.to_string(),
            source: Source::Dir {
                dir: PathBuf::from(SAMPLE),
                entry_point: "main.py".into(),
                language: "PYTHON_3_12".into(),
            },
            // Version 1 goes to every named endpoint, version 2 only to the canary.
            endpoint: None,
            role_arn: None,
            env_vars: vec![("APP_VERSION".into(), format!("{version}.0.0"))],
            description: Some(format!("{name} MCP server")),
            timeout: Duration::from_secs(60),
            armed: true,
        };
        let report = deploy::deploy(backend, env, &req, &actor, &audit, &mut |_| {}).await?;
        let targets: Vec<&str> = if i == 0 {
            endpoints.to_vec()
        } else {
            endpoints
                .iter()
                .copied()
                .filter(|e| *e == "canary")
                .collect()
        };
        for endpoint in targets {
            deploy::point(
                &clients,
                &report.runtime_id,
                endpoint,
                &report.version,
                Duration::from_secs(60),
            )
            .await?;
        }
    }
    Ok(())
}
