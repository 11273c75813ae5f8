//! `runtimes` (the matrix across environments) and `runtime show`.

use clap::Subcommand;
use serde_json::{Value, json};

use super::output::{self, OutputFormat, Table, or_dash};
use super::{Cli, CliError, Outcome};
use crate::backend::{Backend, runtimes};
use crate::config::Config;
use crate::domain::{Endpoint, RuntimeDetail};

#[derive(Debug, Subcommand)]
pub enum RuntimeCommand {
    /// Versions, endpoints, artifact, protocol and log groups of one runtime
    Show {
        /// Runtime name or id
        runtime: String,
    },
}

pub async fn matrix(config: &Config, cli: &Cli) -> Result<Outcome, CliError> {
    let envs = config.select(&cli.envs)?;
    let names: Vec<String> = envs.iter().map(|e| e.name.clone()).collect();
    let backend = Backend::new(envs);
    let results = runtimes::matrix(&backend, &names).await;
    let failed: Vec<&str> = results
        .iter()
        .filter(|r| r.result.is_err())
        .map(|r| r.env.as_str())
        .collect();
    if cli.output == OutputFormat::Json {
        let mut rows: Vec<Value> = vec![];
        for r in &results {
            match &r.result {
                Ok(list) => rows.extend(list.iter().map(|rt| json!(rt))),
                Err(e) => rows.push(json!({ "env": r.env, "error": e })),
            }
        }
        output::json(&rows)?;
    } else {
        let mut t = Table::new(vec!["ENV", "NAME", "ID", "STATUS", "LATEST", "ENDPOINTS"]);
        for r in &results {
            match &r.result {
                Ok(list) if list.is_empty() => t.row(vec![
                    r.env.clone(),
                    "(no runtimes)".into(),
                    "-".into(),
                    "-".into(),
                    "-".into(),
                    "-".into(),
                ]),
                Ok(list) => {
                    for rt in list {
                        t.row(vec![
                            rt.env.clone(),
                            rt.name.clone(),
                            rt.id.clone(),
                            rt.status.to_string(),
                            rt.latest_version.clone(),
                            endpoints_cell(&rt.endpoints),
                        ]);
                    }
                }
                Err(e) => t.row(vec![
                    r.env.clone(),
                    "-".into(),
                    "-".into(),
                    "ERROR".into(),
                    "-".into(),
                    e.clone(),
                ]),
            }
        }
        t.print();
    }
    Ok(Outcome::listed(&failed, results.len()))
}

/// `DEFAULT→3  canary→2⇢4 (UPDATING)`: where each endpoint points, and where it is going.
pub fn endpoints_cell(endpoints: &[Endpoint]) -> String {
    endpoints
        .iter()
        .map(|e| {
            let live = e.live_version.as_deref().unwrap_or("?");
            let mut s = format!("{}→{live}", e.name);
            if let Some(t) = e
                .target_version
                .as_deref()
                .filter(|t| Some(*t) != e.live_version.as_deref())
            {
                s.push_str(&format!("⇢{t}"));
            }
            if e.status.as_str() != "READY" {
                s.push_str(&format!(" ({})", e.status));
            }
            s
        })
        .collect::<Vec<_>>()
        .join("  ")
}

pub async fn run(config: &Config, cli: &Cli, cmd: &RuntimeCommand) -> Result<Outcome, CliError> {
    match cmd {
        RuntimeCommand::Show { runtime } => {
            let env = config.one(&cli.envs)?;
            let name = env.name.clone();
            let backend = Backend::new(vec![env]);
            let detail = runtimes::show(&backend, &name, runtime).await?;
            if cli.output == OutputFormat::Json {
                output::json(&detail)?;
            } else {
                print_detail(&detail);
            }
            Ok(Outcome::Ok)
        }
    }
}

fn print_detail(d: &RuntimeDetail) {
    let rt = &d.runtime;
    let mut t = Table::new(vec!["FIELD", "VALUE"]);
    let fields: Vec<(&str, Option<&str>)> = vec![
        ("env", Some(&rt.env)),
        ("name", Some(&rt.name)),
        ("id", Some(&rt.id)),
        ("arn", Some(&rt.arn)),
        ("status", Some(rt.status.as_str())),
        ("latest version", Some(&rt.latest_version)),
        ("description", rt.description.as_deref()),
        ("failure reason", d.failure_reason.as_deref()),
        ("artifact", d.artifact.as_deref()),
        ("language runtime", d.language_runtime.as_deref()),
        ("protocol", d.protocol.as_deref()),
        ("role", d.role_arn.as_deref()),
        ("created", d.created_at.as_deref()),
        ("updated", rt.last_updated_at.as_deref()),
    ];
    for (k, v) in fields {
        t.row(vec![k.to_string(), or_dash(v)]);
    }
    if !d.entry_point.is_empty() {
        t.row(vec!["entry point".into(), d.entry_point.join(" ")]);
    }
    for g in &d.log_groups {
        t.row(vec!["log group".into(), g.clone()]);
    }
    t.print();
    println!();
    let mut e = Table::new(vec!["ENDPOINT", "LIVE", "TARGET", "STATUS", "DESCRIPTION"]);
    for ep in &rt.endpoints {
        e.row(vec![
            ep.name.clone(),
            or_dash(ep.live_version.as_deref()),
            or_dash(ep.target_version.as_deref()),
            ep.status.to_string(),
            or_dash(ep.description.as_deref()),
        ]);
    }
    e.print();
    println!();
    let mut v = Table::new(vec!["VERSION", "STATUS", "UPDATED", "DESCRIPTION"]);
    for ver in &d.versions {
        v.row(vec![
            ver.version.clone(),
            ver.status.to_string(),
            or_dash(ver.last_updated_at.as_deref()),
            or_dash(ver.description.as_deref()),
        ]);
    }
    v.print();
}
