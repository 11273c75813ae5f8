//! Quick start on a machine with no AWS account: start the local AgentCore on
//! 127.0.0.1:4590, create runtimes in dev, staging and prod with the official AWS SDK (exactly
//! as against AWS), print the runtimes matrix with the CLI, and keep serving until Ctrl-C.
//!
//! cargo run --release --example quickstart [-- STATE_DIR]

use std::path::PathBuf;
use std::time::Duration;

use agentcore_console::backend::{Clients, runtimes};
use agentcore_console::config::Config;
use agentcore_console::emulator;
use aws_sdk_bedrockagentcorecontrol::types::{
    AgentRuntimeArtifact, ContainerConfiguration, NetworkConfiguration, NetworkMode,
};
use clap::Parser;

const CONFIG: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/assets/environments.local.toml"
);
const ROLE: &str = "arn:aws:iam::123456789012:role/AgentCoreRuntime";

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
        ("dev", &[("weather_mcp", &["canary"]), ("docs_mcp", &[])]),
        ("staging", &[("weather_mcp", &["canary"])]),
        (
            "prod",
            &[("weather_mcp", &["stable", "canary"]), ("billing_mcp", &[])],
        ),
    ];
    for (env_name, runtimes_plan) in plan {
        let env = config.one(&[env_name.to_string()])?;
        let clients = Clients::build(&env).await;
        for (name, endpoints) in *runtimes_plan {
            seed(&clients, name, endpoints).await?;
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

/// Create the runtime with two versions and its named endpoints, unless it already exists.
async fn seed(c: &Clients, name: &str, endpoints: &[&str]) -> Result<(), Error> {
    if runtimes::resolve(c, name).await.is_ok() {
        return Ok(());
    }
    let image = |v: u32| {
        AgentRuntimeArtifact::ContainerConfiguration(
            ContainerConfiguration::builder()
                .container_uri(format!(
                    "123456789012.dkr.ecr.us-east-1.amazonaws.com/{name}:{v}"
                ))
                .build()
                .expect("uri is set"),
        )
    };
    let network = NetworkConfiguration::builder()
        .network_mode(NetworkMode::Public)
        .build()?;
    let id = c
        .control
        .create_agent_runtime()
        .agent_runtime_name(name)
        .agent_runtime_artifact(image(1))
        .role_arn(ROLE)
        .network_configuration(network.clone())
        .description(format!("{name} MCP server"))
        .send()
        .await?
        .agent_runtime_id;
    runtimes::wait_until_settled(c, &id, None, Duration::from_secs(30)).await?;
    for endpoint in endpoints {
        c.control
            .create_agent_runtime_endpoint()
            .agent_runtime_id(&id)
            .name(*endpoint)
            .send()
            .await?;
    }
    c.control
        .update_agent_runtime()
        .agent_runtime_id(&id)
        .agent_runtime_artifact(image(2))
        .role_arn(ROLE)
        .network_configuration(network)
        .description(format!("{name} MCP server"))
        .send()
        .await?;
    runtimes::wait_until_settled(c, &id, None, Duration::from_secs(30)).await?;
    if endpoints.contains(&"canary") {
        c.control
            .update_agent_runtime_endpoint()
            .agent_runtime_id(&id)
            .endpoint_name("canary")
            .agent_runtime_version("2")
            .send()
            .await?;
    }
    Ok(())
}
