//! The local AgentCore: an AWS-wire-compatible server on loopback.
//!
//! Requests are routed the way AWS routes them: by the SigV4 credential scope's service name,
//! then by method and path. State is partitioned by account and region (from the scope) and
//! persisted in the state dir. Reached only over HTTP, like AWS: it shares no code with the
//! backend.

mod cloudwatch;
mod control;
pub mod faults;
mod gateway;
mod http;
mod ids;
mod invoke;
mod lifecycle;
mod logs;
mod oidc;
mod operation;
mod runner;
mod s3;
mod s3_body;
mod sigv4;
mod state;
mod store;
mod sts;

use std::future::Future;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{Response, StatusCode};
use tokio::net::TcpListener;

pub use faults::profile::{ProfileError, ProfileSpec};
pub use faults::{FaultSpec, SpecError};
pub use sigv4::DEFAULT_ACCOUNT;
pub use store::StoreError;

use self::http::{AwsError, Req, json_response, parse_query, split_path};

/// Largest request body accepted (code zips are at most 250 MB on AWS).
const MAX_BODY: usize = 256 * 1024 * 1024;

/// How the local AgentCore runs.
#[derive(Debug, Clone)]
pub struct Options {
    /// Where state and stored objects live.
    pub state_dir: PathBuf,
    /// How long CREATING/UPDATING/DELETING last at least before they settle.
    pub settle_delay: Duration,
    /// How long a new server has to answer on its protocol path before its version fails.
    pub ready_timeout: Duration,
    /// Invocations per second each runtime endpoint accepts before ThrottlingException (429),
    /// like AWS's InvokeAgentRuntime quota (25 TPS); None means no limit.
    pub invoke_tps: Option<u32>,
    /// Faults in force from the start (more can be added at `/_local/faults`).
    pub faults: Vec<FaultSpec>,
    /// A latency and quota profile (`--profile aws|FILE`); None: answers as fast as it can.
    pub profile: Option<ProfileSpec>,
}

impl Options {
    pub fn new(state_dir: impl Into<PathBuf>) -> Self {
        Self {
            state_dir: state_dir.into(),
            settle_delay: Duration::from_millis(500),
            ready_timeout: Duration::from_secs(30),
            invoke_tps: None,
            faults: Vec::new(),
            profile: None,
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum EmulatorError {
    #[error("the local AgentCore binds loopback only; {0} is not a loopback address")]
    NotLoopback(SocketAddr),
    #[error("cannot listen on {addr}: {source}")]
    Bind {
        addr: SocketAddr,
        source: std::io::Error,
    },
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    SigningKey(#[from] oidc::key::KeyError),
    #[error("server failed: {0}")]
    Serve(std::io::Error),
}

/// The running server's shared state.
pub struct Emulator {
    store: store::Store,
    runner: Arc<runner::Runner>,
    sessions: gateway::route::Sessions,
    logs: std::sync::Mutex<logs::store::LogStore>,
    cloudwatch: Arc<cloudwatch::CloudWatch>,
    /// Flips to true when the server shuts down, ending long-lived streams.
    closing: tokio::sync::watch::Sender<bool>,
    faults: faults::Faults,
    profile: Option<faults::profile::Profile>,
    /// The own OpenID issuer, and the bearer-token verifier of JWT runtimes.
    oidc: oidc::Oidc,
    opts: Options,
}

/// Bind a loopback address (port 0 picks a free port); anything else is refused.
pub async fn bind(addr: SocketAddr) -> Result<TcpListener, EmulatorError> {
    if !addr.ip().is_loopback() {
        return Err(EmulatorError::NotLoopback(addr));
    }
    TcpListener::bind(addr)
        .await
        .map_err(|source| EmulatorError::Bind { addr, source })
}

/// Serve on `listener` until `shutdown` completes. In-flight status changes left unsettled
/// at shutdown settle after the next start.
pub async fn serve(
    listener: TcpListener,
    opts: Options,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> Result<(), EmulatorError> {
    open(opts).await?.serve(listener, shutdown).await
}

/// A local AgentCore whose state dir is locked and loaded (and swept of servers a dead one
/// left), not serving yet: what can fail at a start has been tried, so a caller may announce
/// its URL before [`Opened::serve`].
pub struct Opened {
    emu: Arc<Emulator>,
}

/// Lock and load the state dir; nothing runs yet.
pub async fn open(opts: Options) -> Result<Opened, EmulatorError> {
    let store = store::Store::open(&opts.state_dir)?;
    let runner = Arc::new(runner::Runner::new(&opts.state_dir, opts.ready_timeout));
    let oidc = oidc::Oidc::open(&opts.state_dir)?;
    // The lock is ours: any server still running from this state dir was orphaned by a local
    // AgentCore that died without stopping it. Stop those before `resume` starts new ones.
    runner.sweep().await;
    let cloudwatch = Arc::new(
        cloudwatch::CloudWatch::open(&opts.state_dir, opts.invoke_tps).map_err(|source| {
            EmulatorError::Store(StoreError::Io {
                path: opts.state_dir.clone(),
                source,
            })
        })?,
    );
    let mut log_store = logs::store::LogStore::open(&opts.state_dir).map_err(|source| {
        EmulatorError::Store(StoreError::Io {
            path: opts.state_dir.join("logs.jsonl"),
            source,
        })
    })?;
    // Metric filters publish where AgentCore's runtime metrics go.
    let cw = Arc::clone(&cloudwatch);
    log_store.set_metric_sink(Box::new(move |partition, d| {
        let sample = crate::domain::metrics::stat::Sample::Value {
            value: d.value,
            count: 1.0,
        };
        let dims = d.dimensions.clone();
        cw.publish(
            partition,
            &d.namespace,
            d.timestamp,
            vec![(&d.name, dims, sample, d.unit)],
        );
    }));
    let emu = Arc::new(Emulator {
        store,
        runner,
        sessions: gateway::route::Sessions::default(),
        logs: std::sync::Mutex::new(log_store),
        cloudwatch,
        closing: tokio::sync::watch::channel(false).0,
        faults: faults::Faults::new(&opts.faults),
        profile: opts.profile.clone().map(faults::profile::Profile::new),
        oidc,
        opts,
    });
    Ok(Opened { emu })
}

impl Opened {
    /// Serve on `listener` until `shutdown` completes, then stop every server.
    pub async fn serve(
        self,
        listener: TcpListener,
        shutdown: impl Future<Output = ()> + Send + 'static,
    ) -> Result<(), EmulatorError> {
        serve_opened(self.emu, listener, shutdown).await
    }
}

async fn serve_opened(
    emu: Arc<Emulator>,
    listener: TcpListener,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> Result<(), EmulatorError> {
    emu.cloudwatch.spawn_ticker(emu.closing.subscribe());
    let weak = Arc::downgrade(&emu);
    emu.runner.set_sink(Arc::new(move |key, instance, line| {
        if let Some(emu) = weak.upgrade() {
            emu.record_line(key, instance, line);
        }
    }));
    emu.resume();
    let app = axum::Router::new()
        .fallback(handle)
        .with_state(Arc::clone(&emu));
    let served = axum::serve(listener, app)
        .with_graceful_shutdown({
            let emu = Arc::clone(&emu);
            async move {
                shutdown.await;
                emu.closing.send_replace(true);
            }
        })
        .await
        .map_err(EmulatorError::Serve);
    emu.runner.stop_all().await;
    emu.store.close().await;
    served
}

/// The endpoint URL clients use for a bound listener.
pub fn endpoint_url(listener: &TcpListener) -> std::io::Result<String> {
    Ok(format!("http://{}", listener.local_addr()?))
}

impl Emulator {
    fn schedule_settle(self: &Arc<Self>, partition: String, runtime_id: String) {
        let emu = Arc::clone(self);
        tokio::spawn(async move {
            tokio::time::sleep(emu.opts.settle_delay).await;
            lifecycle::settle(&emu, &partition, &runtime_id).await;
        });
    }

    fn logs(&self) -> std::sync::MutexGuard<'_, logs::store::LogStore> {
        self.logs
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// A line a server wrote: an event in the log group of the endpoint whose process wrote it
    /// (only that one: each endpoint has its own log group), in the stream of this instance,
    /// named as AgentCore names them.
    fn record_line(&self, key: &runner::ProcessKey, instance: &str, line: &str) {
        let known = self
            .store
            .read()
            .partitions
            .get(&key.partition)
            .is_some_and(|p| p.runtimes.contains_key(&key.runtime_id));
        if !known {
            return;
        }
        let now = time::OffsetDateTime::now_utc();
        let stream = format!(
            "{:04}/{:02}/{:02}/[runtime-logs]{instance}",
            now.year(),
            u8::from(now.month()),
            now.day()
        );
        let group = format!(
            "/aws/bedrock-agentcore/runtimes/{}-{}",
            key.runtime_id, key.endpoint
        );
        let ts = logs::store::now_ms();
        self.logs()
            .append(&key.partition, &group, &stream, ts, line);
    }

    /// After a start: bring back the servers endpoints (and version-pinned gateway targets)
    /// point at, and finish what was in flight.
    fn resume(self: &Arc<Self>) {
        let (pending, running) = {
            let state = self.store.read();
            let running: Vec<_> = lifecycle::referenced(&state)
                .into_iter()
                .filter_map(|key| {
                    let rt = state
                        .partitions
                        .get(&key.partition)?
                        .runtimes
                        .get(&key.runtime_id)?;
                    let v = rt
                        .versions
                        .get(&key.version)
                        .filter(|v| v.status == state::status::READY)?;
                    let spec =
                        lifecycle::launch_spec(self, &state, &key.partition, &v.config).ok()?;
                    Some((key, spec))
                })
                .collect();
            (lifecycle::unsettled(&state), running)
        };
        for (key, spec) in running {
            let emu = Arc::clone(self);
            tokio::spawn(async move {
                if let Err(reason) = emu.runner.ensure(&key, spec).await {
                    tracing::warn!(runtime = %key.runtime_id, version = key.version, endpoint = %key.endpoint, %reason, "cannot restart");
                }
            });
        }
        for (partition, id) in pending {
            self.schedule_settle(partition, id);
        }
    }
}

async fn handle(State(emu): State<Arc<Emulator>>, request: Request) -> Response<Body> {
    let (parts, body) = request.into_parts();
    let raw_path = parts.uri.path().to_string();
    let query = parse_query(parts.uri.query());
    // A gateway is addressed by its URL, `/_gateway/<id>` standing for AWS's per-gateway host;
    // what follows is the path its rules match (`/<name>/invocations`).
    if let Some(rest) = raw_path.strip_prefix("/_gateway/") {
        let (gateway_id, path) = rest.find('/').map_or((rest, "/"), |i| rest.split_at(i));
        return match axum::body::to_bytes(body, MAX_BODY).await {
            Ok(b) => gateway::route::handle(&emu, gateway_id, path, parts.headers, b).await,
            Err(e) => AwsError::validation(e.to_string()).into_response(),
        };
    }
    if let Some(rest) = raw_path.strip_prefix("/_local/") {
        return match axum::body::to_bytes(body, MAX_BODY).await {
            Ok(b) => match rest.strip_prefix("oidc") {
                Some(r) if r.is_empty() || r.starts_with('/') => {
                    let base = format!("http://{}", host(&parts.headers));
                    emu.oidc.handle(&parts.method, r, &base, &b)
                }
                _ => faults::admin::handle(
                    &emu.faults,
                    emu.profile.as_ref(),
                    &parts.method,
                    rest,
                    &b,
                ),
            },
            Err(e) => AwsError::validation(e.to_string()).into_response(),
        };
    }
    // InvokeAgentRuntime with `Authorization: Bearer` is served without SigV4 (a JWT runtime
    // takes nothing else); the runtime's ARN says where it lives.
    let scope = match sigv4::scope(&parts.headers, &query) {
        Some(scope) => Some(scope),
        None => match invoke::bearer_scope(&parts.method, &raw_path, &parts.headers) {
            Some(Ok(scope)) => Some(scope),
            Some(Err(e)) => return e.into_response(),
            None => None,
        },
    };
    let Some(scope) = scope else {
        return AwsError::new(
            StatusCode::FORBIDDEN,
            "MissingAuthenticationTokenException",
            "Missing Authentication Token: requests must be signed with AWS SigV4",
        )
        .into_response();
    };
    let body = match axum::body::to_bytes(body, MAX_BODY).await {
        Ok(b) => b,
        Err(e) => {
            return AwsError::new(
                StatusCode::PAYLOAD_TOO_LARGE,
                "ValidationException",
                e.to_string(),
            )
            .into_response();
        }
    };
    let req = Req {
        method: parts.method,
        segments: split_path(&raw_path),
        query,
        headers: parts.headers,
        body,
        scope,
    };
    let op = operation::name(&req);
    tracing::debug!(service = %req.scope.service, operation = op.unwrap_or("?"), method = %req.method, path = %raw_path, "request");
    // Faults apply before the handler: a call they answer does nothing.
    let mut fault = emu.faults.decide(&req.scope.service, op);
    if let Some(p) = &emu.profile {
        let who = (req.scope.account.as_str(), req.scope.region.as_str());
        p.apply(&mut fault, who, &req.scope.service, op);
    }
    if let Some(answer) = faults::apply(&fault, &req, op, &raw_path).await {
        return answer;
    }
    match req.scope.service.as_str() {
        "bedrock-agentcore" => agentcore(&emu, &req).await,
        "s3" => s3::handle(&emu, req, &raw_path, fault.corrupt).await,
        "sts" => sts::handle(&req),
        "logs" if req.header("x-amz-target") == Some("Logs_20140328.StartLiveTail") => {
            logs::live_tail::start(&emu, &req, fault.drop_after)
                .unwrap_or_else(AwsError::into_response)
        }
        "logs" => logs::handle(&mut emu.logs(), &req),
        "monitoring" => emu.cloudwatch.handle(&req),
        other => AwsError::new(
            StatusCode::BAD_REQUEST,
            "UnrecognizedClientException",
            format!("the local AgentCore does not serve the '{other}' service"),
        )
        .into_response(),
    }
}

/// Control plane and data plane share the signing name; the path tells them apart.
async fn agentcore(emu: &Arc<Emulator>, req: &Req) -> Response<Body> {
    if let (&axum::http::Method::POST, ["runtimes", runtime, "invocations"]) =
        (&req.method, req.path().as_slice())
    {
        return invoke::handle(emu, req, runtime).await;
    }
    let base_url = format!("http://{}", host(&req.headers));
    let outcome = control::dispatch(&mut emu.store.write(), req, &base_url);
    match outcome {
        Err(e) => e.into_response(),
        Ok(out) => {
            if out.mutated
                && let Err(e) = emu.store.persist().await
            {
                return AwsError::internal(format!("cannot persist state: {e}")).into_response();
            }
            if let Some(id) = out.settle {
                let partition = state::partition_key(&req.scope.account, &req.scope.region);
                emu.schedule_settle(partition, id);
            }
            json_response(out.status, &out.body)
        }
    }
}

/// The host (and port) the request came to, for URLs that point back here.
fn host(headers: &axum::http::HeaderMap) -> &str {
    headers
        .get("host")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("127.0.0.1")
}
