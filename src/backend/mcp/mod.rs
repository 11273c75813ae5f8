//! An MCP client over InvokeAgentRuntime: `initialize` with version negotiation, `tools/list`
//! with cursor pagination, `tools/call` with schema-checked arguments and progress.
//!
//! Protocol messages use the `rmcp` crate's model types; the transport is the AgentCore data
//! plane (the official SDK), which carries MCP streamable HTTP bodies as they are, or, for a
//! runtime with a JWT authorizer, the same request over HTTPS with a bearer token
//! (`transport.rs`), chosen in `auth.rs`.

pub mod auth;
pub mod http;
mod response;
mod schema;
mod transport;
mod wire;

use std::time::Duration;

use std::sync::Arc;

use aws_sdk_bedrockagentcore::primitives::Blob;
use aws_smithy_types::byte_stream::ByteStream;
use rmcp::model::{
    CallToolRequestParams, CallToolResult, ClientCapabilities, Implementation,
    InitializeRequestParams, InitializeResult, ListToolsResult, PaginatedRequestParams,
    ProgressNotificationParam, ProtocolVersion, Tool,
};
use serde_json::{Value, json};

pub use auth::Auth;
use response::{human_duration, read_response, silent_for};
pub use schema::violations;

use super::token::{TokenError, TokenSource};
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
    #[error(transparent)]
    Token(#[from] TokenError),
    #[error(
        "runtime `{runtime}` in `{env}` uses a JWT authorizer ({issuer}): pass --bearer-token \
         @FILE|env:VAR or set token_command for `{env}`"
    )]
    NoToken {
        runtime: String,
        env: String,
        issuer: String,
    },
    /// HTTP 401/403 to a bearer token: expired, wrong audience or client, bad signature.
    #[error("{0}")]
    Refused(String),
    /// The HTTPS transport: unreachable, or an error status other than a refusal.
    #[error("{0}")]
    Http(String),
}

/// Progress reported by the server during a call.
pub type OnProgress<'a> = &'a mut (dyn FnMut(&ProgressNotificationParam) + Send);

/// Where MCP messages go: a runtime endpoint through InvokeAgentRuntime, or a gateway's URL.
enum Route {
    Runtime {
        arn: String,
        qualifier: Option<String>,
    },
    /// A runtime with a JWT authorizer: its invocation URL, over HTTPS with a bearer token.
    Bearer {
        url: String,
        tokens: Arc<TokenSource>,
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
    /// For the gateway and bearer routes.
    http: Option<http::HttpClient>,
}

impl<'c> McpSession<'c> {
    /// Connect: `initialize`, then `notifications/initialized`. The runtime's authorizer
    /// decides how ([`auth::choose`]).
    pub async fn connect(
        clients: &'c Clients,
        arn: &str,
        qualifier: Option<&str>,
    ) -> Result<Self, McpError> {
        let auth = auth::choose(clients, arn, qualifier, None).await?;
        Self::connect_with(clients, arn, qualifier, auth).await
    }

    /// Connect with the given auth.
    pub async fn connect_with(
        clients: &'c Clients,
        arn: &str,
        qualifier: Option<&str>,
        auth: Auth,
    ) -> Result<Self, McpError> {
        let route = match auth {
            Auth::SigV4 => Route::Runtime {
                arn: arn.to_string(),
                qualifier: qualifier.map(str::to_string),
            },
            Auth::Bearer(tokens) => {
                let region = clients.data.config().region().map(ToString::to_string);
                let base = http::data_plane_base(&clients.env, region.as_deref())
                    .map_err(McpError::Http)?;
                Route::Bearer {
                    url: http::invocation_url(&base, arn, qualifier),
                    tokens,
                }
            }
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
        let http = match route {
            Route::Runtime { .. } => None,
            _ => Some(http::client().map_err(McpError::Http)?),
        };
        let mut s = Self {
            http,
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

    /// MCP `ping`: the server answers an empty result while it is alive.
    pub async fn ping(&mut self) -> Result<(), McpError> {
        self.request("ping", None, json!({}), None)
            .await
            .map(|_| ())
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
                return self.send_gateway(&url, bytes.into()).await;
            }
            Route::Bearer { url, tokens } => {
                let (url, tokens) = (url.clone(), Arc::clone(tokens));
                return self
                    .send_bearer(&url, &tokens, method, name, bytes.into())
                    .await;
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
            .map_err(|e| {
                auth::sigv4_refused(self.clients, BackendError::sdk("InvokeAgentRuntime", e))
            })?;
        if let Some(s) = out.mcp_session_id() {
            self.session_id = Some(s.to_string());
        }
        Ok((out.content_type().to_string(), out.response))
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
