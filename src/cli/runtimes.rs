//! `runtimes` (the matrix across environments) and `runtime show`.

use clap::Subcommand;
use serde_json::{Value, json};

use super::output::{self, OutputFormat, Table};
use super::{Cli, CliError, Outcome};
use crate::backend::{Backend, runtimes};
use crate::config::Config;
use crate::domain::Endpoint;
use crate::domain::lineage;
use crate::domain::version_config::PostureDrift;

#[derive(Debug, Subcommand)]
pub enum RuntimeCommand {
    /// One runtime: every setting of its latest version (and of the versions endpoints
    /// serve), log retention, endpoints and versions
    Show {
        /// Runtime name or id
        runtime: String,
    },
    /// What differs between two versions of a runtime: within one environment (--env A,
    /// versions by --version) or across two (--env A --env B)
    Diff(super::runtime_diff::DiffArgs),
}

pub async fn matrix(config: &Config, cli: &Cli) -> Result<Outcome, CliError> {
    let envs = config.select(&cli.envs)?;
    let names: Vec<String> = envs.iter().map(|e| e.name.clone()).collect();
    let configured: Vec<bool> = envs.iter().map(|e| e.posture.is_configured()).collect();
    let backend = Backend::new(envs);
    let results = runtimes::matrix(&backend, &names).await;
    // The posture mark, per environment that configures one (see `runtimes::drift`).
    let drifts = futures::future::join_all(results.iter().map(|r| async {
        match &r.result {
            Ok(list) => Some(
                runtimes::drift::env_drift(&backend, &r.env, list)
                    .await
                    .map_err(|e| e.to_string()),
            ),
            Err(_) => None,
        }
    }))
    .await;
    let mut failed: Vec<String> = results
        .iter()
        .filter(|r| r.result.is_err())
        .map(|r| r.env.clone())
        .collect();
    for (r, d) in results.iter().zip(&drifts) {
        if let Some(Err(e)) = d {
            failed.push(format!("{} (posture: {e})", r.env));
        }
    }
    let mark = |i: usize, id: &str| -> Posture {
        match &drifts[i] {
            _ if !configured[i] => Posture::NotConfigured,
            Some(Ok(d)) => d
                .get(id)
                .map_or(Posture::Matches, |v| Posture::Differs(v.clone())),
            Some(Err(e)) => Posture::Failed(e.clone()),
            None => Posture::NotConfigured,
        }
    };
    if cli.output == OutputFormat::Json {
        let mut rows: Vec<Value> = vec![];
        for (i, r) in results.iter().enumerate() {
            match &r.result {
                Ok(list) => rows.extend(list.iter().map(|rt| {
                    let mut v = json!(rt);
                    match mark(i, &rt.id) {
                        Posture::NotConfigured => v["postureDrift"] = Value::Null,
                        Posture::Matches => v["postureDrift"] = json!([]),
                        Posture::Differs(d) => v["postureDrift"] = json!(d),
                        Posture::Failed(e) => v["postureError"] = json!(e),
                    }
                    v
                })),
                Err(e) => rows.push(json!({ "env": r.env, "error": e })),
            }
        }
        output::json(&rows)?;
    } else {
        let mut t = Table::new(vec![
            "ENV",
            "NAME",
            "ID",
            "STATUS",
            "LATEST",
            "POSTURE",
            "ENDPOINTS",
            "LINEAGE",
        ]);
        for (i, r) in results.iter().enumerate() {
            match &r.result {
                Ok(list) if list.is_empty() => t.row(vec![
                    r.env.clone(),
                    "(no runtimes)".into(),
                    "-".into(),
                    "-".into(),
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
                            mark(i, &rt.id).cell(),
                            endpoints_cell(&rt.endpoints),
                            rt.lineage.as_ref().map_or_else(
                                || "-".into(),
                                |l| lineage::line(&rt.env, &rt.latest_version, l),
                            ),
                        ]);
                    }
                }
                Err(e) => t.row(vec![
                    r.env.clone(),
                    "-".into(),
                    "-".into(),
                    "ERROR".into(),
                    "-".into(),
                    "-".into(),
                    e.clone(),
                    "-".into(),
                ]),
            }
        }
        t.print();
    }
    Ok(Outcome::listed(&failed, results.len()))
}

/// A runtime against its environment's configured posture.
enum Posture {
    NotConfigured,
    Matches,
    Differs(Vec<PostureDrift>),
    Failed(String),
}

impl Posture {
    /// `-`, `ok`, `≠ network, auth`, `? why`.
    fn cell(&self) -> String {
        match self {
            Self::NotConfigured => "-".into(),
            Self::Matches => "ok".into(),
            Self::Differs(d) => format!(
                "≠ {}",
                d.iter().map(|x| x.field).collect::<Vec<_>>().join(", ")
            ),
            Self::Failed(e) => format!("? {e}"),
        }
    }
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
                super::runtime_show::print(&detail);
            }
            Ok(Outcome::Ok)
        }
        RuntimeCommand::Diff(args) => super::runtime_diff::run(config, cli, args).await,
    }
}
