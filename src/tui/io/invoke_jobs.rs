//! The invoke pane's I/O: the tools of a runtime endpoint, and one tool call with its progress
//! notifications sent as they come (dropped when the channel is full: the result never is).
//! Both open their own MCP session through `backend::mcp`, as `tools` and `invoke` do; a runtime
//! with a JWT authorizer gets the environment's token_command's token (run here, on the io
//! worker, never on the UI thread), and a missing or refused token is the pane's error.

use std::sync::Arc;
use std::time::Instant;

use rmcp::model::{ContentBlock, Tool};
use serde_json::Value;
use tokio::sync::mpsc;

use super::{Reply, Response, Ticket};
use crate::backend::mcp::McpSession;
use crate::backend::{Backend, Clients, runtimes};

/// Which runtime endpoint: `qualifier` None picks the environment's stable endpoint when the
/// runtime has it, else DEFAULT.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ToolsJob {
    pub env: String,
    pub runtime: String,
    pub qualifier: Option<String>,
}

/// One tool call on one endpoint.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CallJob {
    pub env: String,
    pub runtime: String,
    pub qualifier: String,
    pub tool: String,
    pub args: Value,
}

/// A tool as the pane needs it (annotations are hints from an untrusted server).
#[derive(Debug, Clone, PartialEq)]
pub struct ToolInfo {
    pub name: String,
    pub description: Option<String>,
    pub schema: Value,
    pub read_only: bool,
    pub destructive: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ToolList {
    /// The endpoint the tools were listed on (and calls go to).
    pub qualifier: String,
    /// `name version` from `initialize`.
    pub server: Option<String>,
    pub tools: Vec<ToolInfo>,
}

/// What a call returned.
#[derive(Debug, Clone, PartialEq)]
pub struct CallOutcome {
    pub is_error: bool,
    /// Text blocks as they are; other blocks as `[image/png, 1234 base64 chars]`.
    pub content: Vec<String>,
    pub structured: Option<Value>,
    /// The MCP session id (what the runtime's logs carry).
    pub session_id: Option<String>,
    pub millis: u64,
    /// When the call ended (unix seconds).
    pub at: i64,
}

/// A progress notification.
#[derive(Debug, Clone, PartialEq)]
pub struct Progress {
    pub progress: f64,
    pub total: Option<f64>,
    pub message: Option<String>,
}

pub fn tool_info(t: &Tool) -> ToolInfo {
    let a = t.annotations.as_ref();
    ToolInfo {
        name: t.name.to_string(),
        description: t.description.as_deref().map(str::to_string),
        schema: Value::Object((*t.input_schema).clone()),
        read_only: a.and_then(|a| a.read_only_hint) == Some(true),
        destructive: a.and_then(|a| a.destructive_hint) == Some(true),
    }
}

/// The endpoint to use: the one asked for, else the stable one if the runtime has it.
async fn qualifier(
    backend: &Backend,
    clients: &Clients,
    env: &str,
    arn_id: &str,
    asked: Option<&str>,
) -> Result<String, String> {
    if let Some(q) = asked {
        return Ok(q.to_string());
    }
    let stable = backend
        .environment(env)
        .map_err(|e| e.to_string())?
        .stable_endpoint()
        .to_string();
    let eps = runtimes::list_endpoints(clients, arn_id)
        .await
        .map_err(|e| e.to_string())?;
    Ok(if eps.iter().any(|e| e.name == stable) {
        stable
    } else {
        "DEFAULT".into()
    })
}

pub(super) async fn tools(backend: &Backend, job: &ToolsJob) -> Result<ToolList, String> {
    let clients = backend.clients(&job.env).await.map_err(|e| e.to_string())?;
    let rt = runtimes::resolve(&clients, &job.runtime)
        .await
        .map_err(|e| e.to_string())?;
    let q = qualifier(
        backend,
        &clients,
        &job.env,
        rt.agent_runtime_id(),
        job.qualifier.as_deref(),
    )
    .await?;
    let mut s = McpSession::connect(&clients, rt.agent_runtime_arn(), Some(&q))
        .await
        .map_err(|e| e.to_string())?;
    let tools = s.list_tools().await.map_err(|e| e.to_string())?;
    let server = s
        .server
        .as_ref()
        .map(|i| format!("{} {}", i.server_info.name, i.server_info.version));
    Ok(ToolList {
        qualifier: q,
        server,
        tools: tools.iter().map(tool_info).collect(),
    })
}

/// Run one call, sending progress as it comes and the outcome last.
pub(super) async fn call(
    backend: Arc<Backend>,
    job: CallJob,
    ticket: Ticket,
    tx: mpsc::Sender<Response>,
) {
    let started = Instant::now();
    let progress_tx = tx.clone();
    let mut on_progress = move |p: &rmcp::model::ProgressNotificationParam| {
        let reply = Reply::InvokeProgress(Progress {
            progress: p.progress,
            total: p.total,
            message: p.message.clone(),
        });
        // Cheap and lossy: a full channel drops a progress line, never the result.
        let _ = progress_tx.try_send(Response { ticket, reply });
    };
    let result = async {
        let clients = backend.clients(&job.env).await.map_err(|e| e.to_string())?;
        let rt = runtimes::resolve(&clients, &job.runtime)
            .await
            .map_err(|e| e.to_string())?;
        let mut s = McpSession::connect(&clients, rt.agent_runtime_arn(), Some(&job.qualifier))
            .await
            .map_err(|e| e.to_string())?;
        let tools = s.list_tools().await.map_err(|e| e.to_string())?;
        let r = s
            .call_tool(&tools, &job.tool, job.args.clone(), Some(&mut on_progress))
            .await
            .map_err(|e| e.to_string())?;
        Ok(CallOutcome {
            is_error: r.is_error == Some(true),
            content: r.content.iter().map(content_text).collect(),
            structured: r.structured_content.clone(),
            session_id: s.session_id().map(str::to_string),
            millis: u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX),
            at: time::OffsetDateTime::now_utc().unix_timestamp(),
        })
    }
    .await;
    let reply = Reply::InvokeResult(result.map(Box::new));
    let _ = tx.send(Response { ticket, reply }).await;
}

fn content_text(c: &ContentBlock) -> String {
    match c {
        ContentBlock::Text(t) => t.text.clone(),
        ContentBlock::Image(i) => format!("[image {}, {} base64 chars]", i.mime_type, i.data.len()),
        ContentBlock::Audio(a) => format!("[audio {}, {} base64 chars]", a.mime_type, a.data.len()),
        ContentBlock::Resource(_) => "[embedded resource]".into(),
        ContentBlock::ResourceLink(r) => format!("[resource link {}]", r.uri),
        _ => "[content of a newer kind]".into(),
    }
}
