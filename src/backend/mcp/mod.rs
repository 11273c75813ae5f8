//! An MCP client over InvokeAgentRuntime: `initialize` with version negotiation, `tools/list`
//! with cursor pagination, `tools/call` with schema-checked arguments and progress.
//!
//! Protocol messages use the `rmcp` crate's model types; the transport is the AgentCore data
//! plane (the official SDK), which carries MCP streamable HTTP bodies as they are.

mod schema;
mod wire;

use std::time::Duration;

use aws_sdk_bedrockagentcore::primitives::Blob;
use aws_smithy_types::byte_stream::ByteStream;
use rmcp::model::{
    CallToolRequestParams, CallToolResult, ClientCapabilities, Implementation,
    InitializeRequestParams, InitializeResult, ListToolsResult, PaginatedRequestParams,
    ProgressNotificationParam, ProtocolVersion, Tool,
};
use serde_json::{Value, json};

pub use schema::violations;
use wire::{Envelope, SseParser};

use super::{BackendError, Clients};

/// Longest a call may take in all (AgentCore's synchronous request limit).
pub const HARD_CAP: Duration = Duration::from_secs(15 * 60);
/// Longest a call may stay silent: no bytes and no progress.
pub const IDLE_LIMIT: Duration = Duration::from_secs(120);
/// Pages of `tools/list` followed before giving up on a looping cursor.
const MAX_PAGES: usize = 100;

#[derive(Debug, thiserror::Error)]
pub enum McpError {
    #[error(transparent)]
    Backend(#[from] BackendError),
    #[error("MCP error {code}: {message}")]
    Rpc { code: i32, message: String },
    #[error("MCP protocol: {0}")]
    Protocol(String),
    #[error("unknown tool `{0}` (see `tools` for the list)")]
    UnknownTool(String),
    #[error("the arguments do not match the input schema of `{tool}`: {}", problems.join("; "))]
    InvalidArguments { tool: String, problems: Vec<String> },
    #[error("{0}")]
    Timeout(String),
}

/// Progress reported by the server during a call.
pub type OnProgress<'a> = &'a mut (dyn FnMut(&ProgressNotificationParam) + Send);

/// Where MCP messages go: a runtime endpoint through InvokeAgentRuntime, or a gateway's URL.
enum Route {
    Runtime {
        arn: String,
        qualifier: Option<String>,
    },
    Gateway {
        url: String,
    },
}

/// One MCP session with a runtime endpoint or a gateway.
pub struct McpSession<'c> {
    clients: &'c Clients,
    route: Route,
    session_id: Option<String>,
    runtime_session_id: String,
    protocol: Option<ProtocolVersion>,
    next_id: i64,
    pub server: Option<InitializeResult>,
    hard_cap: Duration,
    idle_limit: Duration,
}

impl<'c> McpSession<'c> {
    /// Connect: `initialize`, then `notifications/initialized`.
    pub async fn connect(
        clients: &'c Clients,
        arn: &str,
        qualifier: Option<&str>,
    ) -> Result<Self, McpError> {
        let route = Route::Runtime {
            arn: arn.to_string(),
            qualifier: qualifier.map(str::to_string),
        };
        Self::open(clients, route).await
    }

    /// Connect through a gateway's MCP URL, which routes the session to one of its targets.
    /// Only gateways on loopback (the local AgentCore) are reachable this way for now: AWS
    /// gateways need SigV4-signed HTTPS, which this client does not send yet.
    pub async fn connect_gateway(clients: &'c Clients, url: &str) -> Result<Self, McpError> {
        if !url.starts_with("http://") || !crate::domain::environment::is_loopback_url(url) {
            return Err(McpError::Protocol(format!(
                "{url}: only local (http://127.0.0.1) gateways can be called directly; call the runtime instead"
            )));
        }
        Self::open(
            clients,
            Route::Gateway {
                url: url.to_string(),
            },
        )
        .await
    }

    async fn open(clients: &'c Clients, route: Route) -> Result<Self, McpError> {
        let mut s = Self {
            clients,
            route,
            session_id: None,
            runtime_session_id: format!("agentcore-console-{}", uuid::Uuid::new_v4().simple()),
            protocol: None,
            next_id: 1,
            server: None,
            hard_cap: HARD_CAP,
            idle_limit: IDLE_LIMIT,
        };
        let params = InitializeRequestParams::new(
            ClientCapabilities::default(),
            Implementation::new("agentcore-console", env!("CARGO_PKG_VERSION")),
        )
        .with_protocol_version(ProtocolVersion::LATEST_WITH_INITIALIZE);
        let result = s
            .request(
                "initialize",
                None,
                serde_json::to_value(params).unwrap_or_default(),
                None,
            )
            .await?;
        let init: InitializeResult = serde_json::from_value(result)
            .map_err(|e| McpError::Protocol(format!("bad initialize result: {e}")))?;
        if !ProtocolVersion::KNOWN_VERSIONS.contains(&init.protocol_version) {
            return Err(McpError::Protocol(format!(
                "the server answered with protocol version {}, which this client does not speak",
                init.protocol_version
            )));
        }
        s.protocol = Some(init.protocol_version.clone());
        s.server = Some(init);
        s.notify("notifications/initialized").await?;
        Ok(s)
    }

    /// Cap a whole call at `cap` (default [`HARD_CAP`]).
    pub fn with_hard_cap(mut self, cap: Duration) -> Self {
        self.hard_cap = cap;
        self
    }

    /// Give up on a call that stays silent (no bytes, no progress) for `idle` (default
    /// [`IDLE_LIMIT`]).
    pub fn with_idle_limit(mut self, idle: Duration) -> Self {
        self.idle_limit = idle;
        self
    }

    pub fn session_id(&self) -> Option<&str> {
        self.session_id.as_deref()
    }

    /// Every tool, following `nextCursor`.
    pub async fn list_tools(&mut self) -> Result<Vec<Tool>, McpError> {
        let mut tools = vec![];
        let mut cursor: Option<String> = None;
        for _ in 0..MAX_PAGES {
            let params = PaginatedRequestParams::default().with_cursor(cursor.clone());
            let result = self
                .request(
                    "tools/list",
                    None,
                    serde_json::to_value(params).unwrap_or_default(),
                    None,
                )
                .await?;
            let page: ListToolsResult = serde_json::from_value(result)
                .map_err(|e| McpError::Protocol(format!("bad tools/list result: {e}")))?;
            tools.extend(page.tools);
            match page.next_cursor {
                Some(next) if Some(&next) != cursor.as_ref() && !next.is_empty() => {
                    cursor = Some(next)
                }
                Some(next) if !next.is_empty() => {
                    return Err(McpError::Protocol(format!(
                        "tools/list repeated cursor {next}"
                    )));
                }
                _ => return Ok(tools),
            }
        }
        Err(McpError::Protocol(format!(
            "tools/list did not end after {MAX_PAGES} pages"
        )))
    }

    /// Call a tool after checking `args` against its input schema (nothing is sent if they
    /// do not match).
    pub async fn call_tool(
        &mut self,
        tools: &[Tool],
        name: &str,
        args: Value,
        on_progress: Option<OnProgress<'_>>,
    ) -> Result<CallToolResult, McpError> {
        let tool = tools
            .iter()
            .find(|t| t.name == name)
            .ok_or_else(|| McpError::UnknownTool(name.to_string()))?;
        let problems = violations(&tool.input_schema, &args).map_err(McpError::Protocol)?;
        if !problems.is_empty() {
            return Err(McpError::InvalidArguments {
                tool: name.to_string(),
                problems,
            });
        }
        let Value::Object(arguments) = args else {
            return Err(McpError::InvalidArguments {
                tool: name.to_string(),
                problems: vec!["arguments must be a JSON object".into()],
            });
        };
        let mut params = serde_json::to_value(CallToolRequestParams::new(name.to_string()))
            .map_err(|e| McpError::Protocol(e.to_string()))?;
        params["arguments"] = Value::Object(arguments);
        let token = format!("call-{}", self.next_id);
        params["_meta"] = json!({ "progressToken": token });
        let result = self
            .request("tools/call", Some(name), params, on_progress)
            .await?;
        serde_json::from_value(result)
            .map_err(|e| McpError::Protocol(format!("bad tools/call result: {e}")))
    }

    async fn notify(&mut self, method: &str) -> Result<(), McpError> {
        let body = json!({ "jsonrpc": "2.0", "method": method });
        self.send(method, None, body).await.map(|_| ())
    }

    /// Send one request and wait for its response, passing progress along.
    async fn request(
        &mut self,
        method: &str,
        name: Option<&str>,
        params: Value,
        mut on_progress: Option<OnProgress<'_>>,
    ) -> Result<Value, McpError> {
        let id = self.next_id;
        self.next_id += 1;
        let body = json!({ "jsonrpc": "2.0", "id": id, "method": method, "params": params });
        let (cap, idle) = (self.hard_cap, self.idle_limit);
        let run = async {
            // Waiting for the answer to begin is silence too.
            let (content_type, stream) = tokio::time::timeout(idle, self.send(method, name, body))
                .await
                .map_err(|_| silent_for(idle))??;
            read_response(id, &content_type, stream, idle, &mut on_progress).await
        };
        tokio::time::timeout(cap, run).await.map_err(|_| {
            McpError::Timeout(format!("{method} took longer than {}", human_duration(cap)))
        })?
    }

    /// POST one message through InvokeAgentRuntime (or to the gateway).
    async fn send(
        &mut self,
        method: &str,
        name: Option<&str>,
        body: Value,
    ) -> Result<(String, ByteStream), McpError> {
        let bytes = serde_json::to_vec(&body).map_err(|e| McpError::Protocol(e.to_string()))?;
        let (arn, qualifier) = match &self.route {
            Route::Runtime { arn, qualifier } => (arn.clone(), qualifier.clone()),
            Route::Gateway { url } => {
                let url = url.clone();
                return self.send_gateway(&url, bytes).await;
            }
        };
        let out = self
            .clients
            .data
            .invoke_agent_runtime()
            .agent_runtime_arn(arn)
            .set_qualifier(qualifier)
            .content_type("application/json")
            .accept("application/json, text/event-stream")
            .set_mcp_session_id(self.session_id.clone())
            .set_mcp_protocol_version(self.protocol.as_ref().map(ToString::to_string))
            .mcp_method(method)
            .set_mcp_name(name.map(str::to_string))
            .runtime_session_id(&self.runtime_session_id)
            .payload(Blob::new(bytes))
            .customize()
            .config_override(invoke_config())
            .send()
            .await
            .map_err(|e| BackendError::sdk("InvokeAgentRuntime", e))?;
        if let Some(s) = out.mcp_session_id() {
            self.session_id = Some(s.to_string());
        }
        Ok((out.content_type().to_string(), out.response))
    }
}

impl McpSession<'_> {
    /// POST one message to a (loopback) gateway URL.
    async fn send_gateway(
        &mut self,
        url: &str,
        bytes: Vec<u8>,
    ) -> Result<(String, ByteStream), McpError> {
        use http_body_util::BodyExt;
        let client =
            hyper_util::client::legacy::Client::builder(hyper_util::rt::TokioExecutor::new())
                .build(hyper_util::client::legacy::connect::HttpConnector::new());
        let mut req = hyper::Request::post(url)
            .header("content-type", "application/json")
            .header("accept", "application/json, text/event-stream");
        if let Some(s) = &self.session_id {
            req = req.header("mcp-session-id", s);
        }
        if let Some(p) = &self.protocol {
            req = req.header("mcp-protocol-version", p.to_string());
        }
        let req = req
            .body(http_body_util::Full::new(bytes::Bytes::from(bytes)))
            .map_err(|e| McpError::Protocol(e.to_string()))?;
        let resp = client
            .request(req)
            .await
            .map_err(|e| McpError::Protocol(format!("cannot reach the gateway {url}: {e}")))?;
        let header = |n: &str| {
            resp.headers()
                .get(n)
                .and_then(|v| v.to_str().ok())
                .map(str::to_string)
        };
        if let Some(s) = header("mcp-session-id") {
            self.session_id = Some(s);
        }
        let content_type = header("content-type").unwrap_or_default();
        if !resp.status().is_success() {
            let status = resp.status().as_u16();
            let body = resp
                .into_body()
                .collect()
                .await
                .map(|b| b.to_bytes())
                .unwrap_or_default();
            return Err(McpError::Protocol(format!(
                "the gateway answered HTTP {status}: {}",
                String::from_utf8_lossy(&body)
                    .chars()
                    .take(300)
                    .collect::<String>()
            )));
        }
        Ok((content_type, ByteStream::from_body_1_x(resp.into_body())))
    }
}

/// Tool calls are not idempotent: never retried; and they may be slow.
fn invoke_config() -> aws_sdk_bedrockagentcore::config::Builder {
    aws_sdk_bedrockagentcore::config::Builder::default()
        .retry_config(aws_smithy_types::retry::RetryConfig::disabled())
        .timeout_config(
            aws_smithy_types::timeout::TimeoutConfig::builder()
                .operation_attempt_timeout(HARD_CAP)
                .operation_timeout(HARD_CAP)
                .build(),
        )
}

/// Read the response to request `id`: one JSON document, or an event stream whose events are
/// progress notifications and, last, the response. `idle` bounds each wait for bytes.
async fn read_response(
    id: i64,
    content_type: &str,
    mut stream: ByteStream,
    idle: Duration,
    on_progress: &mut Option<OnProgress<'_>>,
) -> Result<Value, McpError> {
    let is_sse = content_type.starts_with("text/event-stream");
    let mut parser = SseParser::default();
    let mut json_body = vec![];
    loop {
        let chunk = tokio::time::timeout(idle, stream.next())
            .await
            .map_err(|_| silent_for(idle))?;
        let Some(chunk) = chunk else { break };
        let chunk =
            chunk.map_err(|e| McpError::Protocol(format!("the response stream broke: {e}")))?;
        if !is_sse {
            if json_body.len() + chunk.len() > wire::MAX_MESSAGE {
                return Err(too_large(wire::TooLarge {
                    limit: wire::MAX_MESSAGE,
                }));
            }
            json_body.extend_from_slice(&chunk);
            continue;
        }
        for event in parser.feed(&chunk).map_err(too_large)? {
            if let Some(result) = handle_event(id, &event, on_progress)? {
                return Ok(result);
            }
        }
    }
    if is_sse {
        for event in parser.finish().map_err(too_large)? {
            if let Some(result) = handle_event(id, &event, on_progress)? {
                return Ok(result);
            }
        }
        // A server that primed the stream may close it and expect the client to resume it
        // with GET and Last-Event-ID (SEP-1699); InvokeAgentRuntime has no such call.
        let resumable = parser
            .last_event_id()
            .filter(|id| !id.is_empty())
            .map(|id| {
                format!(" (after event id `{id}`: resuming a stream is not possible through InvokeAgentRuntime)")
            })
            .unwrap_or_default();
        return Err(McpError::Protocol(format!(
            "the event stream ended without a response{resumable}"
        )));
    }
    let text = String::from_utf8_lossy(&json_body);
    handle_message(id, &text, on_progress)?
        .ok_or_else(|| McpError::Protocol("the response did not answer the request".into()))
}

fn too_large(e: wire::TooLarge) -> McpError {
    McpError::Protocol(e.to_string())
}

/// One event of a stream: events with empty data (SEP-1699 priming events, keep-alives) carry
/// no message and are skipped.
fn handle_event(
    id: i64,
    data: &str,
    on_progress: &mut Option<OnProgress<'_>>,
) -> Result<Option<Value>, McpError> {
    if data.trim().is_empty() {
        return Ok(None);
    }
    handle_message(id, data, on_progress)
}

fn silent_for(idle: Duration) -> McpError {
    McpError::Timeout(format!(
        "the server sent nothing for {}",
        human_duration(idle)
    ))
}

/// `120s`, `1.5s`, `250ms`.
fn human_duration(d: Duration) -> String {
    if d.subsec_millis() == 0 {
        format!("{}s", d.as_secs())
    } else if d < Duration::from_secs(1) {
        format!("{}ms", d.as_millis())
    } else {
        format!("{:.1}s", d.as_secs_f64())
    }
}

/// A response to `id` (Some), or a notification handled along the way (None).
fn handle_message(
    id: i64,
    text: &str,
    on_progress: &mut Option<OnProgress<'_>>,
) -> Result<Option<Value>, McpError> {
    let env: Envelope = serde_json::from_str(text).map_err(|e| {
        McpError::Protocol(format!(
            "not a JSON-RPC message ({e}): {}",
            text.chars().take(200).collect::<String>()
        ))
    })?;
    if env.method.as_deref() == Some("notifications/progress") {
        if let (Some(cb), Some(p)) = (on_progress.as_mut(), env.params)
            && let Ok(p) = serde_json::from_value::<ProgressNotificationParam>(p)
        {
            cb(&p);
        }
        return Ok(None);
    }
    if env.method.is_some() {
        return Ok(None); // other notifications or server requests: not answered by this client
    }
    if env.id.as_ref().and_then(Value::as_i64) != Some(id) {
        return Ok(None);
    }
    if let Some(err) = env.error {
        return Err(McpError::Rpc {
            code: err.code.0,
            message: err.message.to_string(),
        });
    }
    Ok(Some(env.result.unwrap_or(Value::Null)))
}
