//! `envs`: the configured environments and how each is reached.

use serde::Serialize;

use super::output::{self, OutputFormat, Table, or_dash};
use super::{Cli, CliError, Outcome};
use crate::config::Config;
use crate::domain::Environment;

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct EnvRow<'a> {
    name: &'a str,
    region: Option<&'a str>,
    profile: Option<&'a str>,
    account: Option<&'a str>,
    endpoint_url: Option<&'a str>,
    /// `local-static` for loopback endpoints, `aws-chain` otherwise.
    credentials: &'static str,
    read_only: bool,
    gateway: Option<&'a str>,
}

fn row(e: &Environment) -> EnvRow<'_> {
    EnvRow {
        name: &e.name,
        region: e.region.as_deref(),
        profile: e.profile.as_deref(),
        account: e.account_id.as_deref(),
        endpoint_url: e.endpoint_url.as_deref(),
        credentials: if e.is_loopback() {
            "local-static"
        } else {
            "aws-chain"
        },
        read_only: e.read_only,
        gateway: e.gateway.as_deref(),
    }
}

pub fn run(config: &Config, cli: &Cli) -> Result<Outcome, CliError> {
    let envs = config.select(&cli.envs)?;
    let rows: Vec<EnvRow<'_>> = envs.iter().map(row).collect();
    if cli.output == OutputFormat::Json {
        output::json(&rows)?;
        return Ok(Outcome::Ok);
    }
    let mut t = Table::new(vec![
        "NAME",
        "REGION",
        "ACCOUNT",
        "ENDPOINT",
        "CREDENTIALS",
        "PROTECTION",
    ]);
    for r in &rows {
        t.row(vec![
            r.name.to_string(),
            or_dash(r.region),
            or_dash(r.account),
            r.endpoint_url.unwrap_or("aws").to_string(),
            match r.profile {
                Some(p) if r.credentials == "aws-chain" => format!("profile {p}"),
                _ => r.credentials.to_string(),
            },
            if r.read_only { "read-only" } else { "writable" }.to_string(),
        ]);
    }
    t.print();
    eprintln!("from {}", config.path.display());
    Ok(Outcome::Ok)
}
