//! `tools` and `invoke`: MCP through InvokeAgentRuntime.

use std::sync::Arc;
use std::time::Duration;

use rmcp::model::{ContentBlock, Tool};
use serde_json::{Value, json};

use super::output::{self, OutputFormat, Table};
use super::{Cli, CliError, Outcome};
use crate::backend::mcp::{HARD_CAP, McpError, McpSession, auth};
use crate::backend::token::TokenSource;
use crate::backend::{Backend, runtimes};
use crate::config::Config;
use crate::domain::sanitize;

#[derive(Debug, clap::Args)]
pub struct ToolsArgs {
    /// Runtime name or id
    pub runtime: String,
    /// Endpoint to talk to [default: DEFAULT]
    #[arg(long, value_name = "ENDPOINT")]
    pub qualifier: Option<String>,
    /// Bearer token for a runtime with a JWT authorizer, from a file or a variable (a literal
    /// token is refused: it would stay in shell history and show in `ps`) [default: the
    /// environment's token_command, when the runtime needs a token]
    #[arg(long, value_name = "@FILE|env:VAR")]
    pub bearer_token: Option<String>,
}

#[derive(Debug, clap::Args)]
pub struct InvokeArgs {
    /// Runtime name or id
    pub runtime: String,
    /// Tool to call
    #[arg(long)]
    pub tool: String,
    /// Arguments: a JSON object, or @FILE
    #[arg(long, default_value = "{}")]
    pub args: String,
    /// Endpoint to talk to [default: DEFAULT]
    #[arg(long, value_name = "ENDPOINT", conflicts_with = "via_gateway")]
    pub qualifier: Option<String>,
    /// Go through the environment's gateway, which routes the session by the canary split
    #[arg(long)]
    pub via_gateway: bool,
    /// Give up after this many seconds in all
    #[arg(long, default_value_t = HARD_CAP.as_secs())]
    pub timeout: u64,
    /// Bearer token for a runtime with a JWT authorizer, from a file or a variable (a literal
    /// token is refused: it would stay in shell history and show in `ps`) [default: the
    /// environment's token_command, when the runtime needs a token]
    #[arg(long, value_name = "@FILE|env:VAR", conflicts_with = "via_gateway")]
    pub bearer_token: Option<String>,
}

async fn session<'c>(
    clients: &'c crate::backend::Clients,
    runtime: &str,
    qualifier: Option<&str>,
    token: Option<Arc<TokenSource>>,
) -> Result<McpSession<'c>, CliError> {
    let rt = runtimes::resolve(clients, runtime).await?;
    let arn = rt.agent_runtime_arn();
    let auth = auth::choose(clients, arn, qualifier, token).await?;
    Ok(McpSession::connect_with(clients, arn, qualifier, auth).await?)
}

/// `--bearer-token`, read before anything is called.
pub(super) fn bearer(flag: Option<&str>) -> Result<Option<Arc<TokenSource>>, CliError> {
    Ok(flag
        .map(TokenSource::from_flag)
        .transpose()
        .map_err(McpError::from)?
        .map(Arc::new))
}

pub async fn tools(config: &Config, cli: &Cli, args: &ToolsArgs) -> Result<Outcome, CliError> {
    let token = bearer(args.bearer_token.as_deref())?;
    let env = config.one(&cli.envs)?;
    let name = env.name.clone();
    let backend = Backend::new(vec![env]);
    let clients = backend.clients(&name).await?;
    let mut s = session(&clients, &args.runtime, args.qualifier.as_deref(), token).await?;
    let tools = s.list_tools().await?;
    if cli.output == OutputFormat::Json {
        output::json(&tools)?;
        return Ok(Outcome::Ok);
    }
    let mut t = Table::new(vec!["TOOL", "ARGUMENTS", "DESCRIPTION"]);
    for tool in &tools {
        t.row(vec![
            tool.name.to_string(),
            arguments(tool),
            tool.description
                .as_deref()
                .unwrap_or("")
                .lines()
                .next()
                .unwrap_or("")
                .to_string(),
        ]);
    }
    t.print();
    Ok(Outcome::Ok)
}

/// `a*, b` : the input schema's properties, required ones starred.
fn arguments(tool: &Tool) -> String {
    let required: Vec<&str> = tool
        .input_schema
        .get("required")
        .and_then(Value::as_array)
        .map(|r| r.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    tool.input_schema
        .get("properties")
        .and_then(Value::as_object)
        .map(|p| {
            p.keys()
                .map(|k| {
                    if required.contains(&k.as_str()) {
                        format!("{k}*")
                    } else {
                        k.clone()
                    }
                })
                .collect::<Vec<_>>()
                .join(", ")
        })
        .unwrap_or_default()
}

fn parse_args(raw: &str) -> Result<Value, CliError> {
    let text = match raw.strip_prefix('@') {
        Some(path) => {
            std::fs::read_to_string(path).map_err(|e| CliError::msg(format!("{path}: {e}")))?
        }
        None => raw.to_string(),
    };
    serde_json::from_str(&text).map_err(|e| CliError::msg(format!("--args is not JSON: {e}")))
}

pub async fn invoke(config: &Config, cli: &Cli, args: &InvokeArgs) -> Result<Outcome, CliError> {
    let arguments = parse_args(&args.args)?;
    let token = bearer(args.bearer_token.as_deref())?;
    let env = config.one(&cli.envs)?;
    let name = env.name.clone();
    let backend = Backend::new(vec![env]);
    let clients = backend.clients(&name).await?;
    let s = if args.via_gateway {
        let view = crate::backend::traffic::show(&backend, &name, &args.runtime).await?;
        let url = view.gateway_url.ok_or_else(|| {
            CliError::msg(format!(
                "{name} has no gateway yet: `traffic set` creates it"
            ))
        })?;
        // The runtime's path on the gateway is routed only by its own rule.
        if view.routes.is_empty() {
            return Err(CliError::msg(format!(
                "`{}` has no split on {name}'s gateway yet: `traffic set` creates its rule",
                args.runtime
            )));
        }
        McpSession::connect_gateway(&clients, &url).await?
    } else {
        session(&clients, &args.runtime, args.qualifier.as_deref(), token).await?
    };
    let mut s = s.with_hard_cap(Duration::from_secs(args.timeout));
    let tools = s.list_tools().await?;
    let show_progress = cli.output == OutputFormat::Table;
    let mut on_progress = |p: &rmcp::model::ProgressNotificationParam| {
        if show_progress {
            let total = p.total.map(|t| format!("/{t}")).unwrap_or_default();
            let msg = p
                .message
                .as_deref()
                .map(sanitize::one_line)
                .unwrap_or_default();
            eprintln!("progress {}{total} {msg}", p.progress);
        }
    };
    let result = s
        .call_tool(&tools, &args.tool, arguments, Some(&mut on_progress))
        .await?;
    let is_error = result.is_error == Some(true);
    if cli.output == OutputFormat::Json {
        output::json(&json!({
            "tool": args.tool,
            "isError": is_error,
            "content": result.content,
            "structuredContent": result.structured_content,
            "sessionId": s.session_id(),
        }))?;
    } else {
        for block in &result.content {
            match block {
                ContentBlock::Text(t) => println!("{}", sanitize::text(&t.text)),
                other => println!("[{}]", sanitize::one_line(&content_kind(other))),
            }
        }
        if let Some(sc) = &result.structured_content {
            println!("{}", sanitize::text(&serde_json::to_string_pretty(sc)?));
        }
    }
    if is_error {
        return Ok(Outcome::Partial(format!(
            "the tool `{}` reported an error",
            args.tool
        )));
    }
    Ok(Outcome::Ok)
}

fn content_kind(c: &ContentBlock) -> String {
    match c {
        ContentBlock::Image(i) => format!("image {} ({} base64 chars)", i.mime_type, i.data.len()),
        ContentBlock::Audio(a) => format!("audio {} ({} base64 chars)", a.mime_type, a.data.len()),
        ContentBlock::Resource(_) => "embedded resource".into(),
        ContentBlock::ResourceLink(r) => format!("resource link {}", r.uri),
        ContentBlock::Text(_) => "text".into(),
        _ => "content of a newer kind".into(),
    }
}
