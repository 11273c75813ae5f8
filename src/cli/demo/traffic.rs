//! The demo's background traffic: new MCP sessions at a steady rate, spread over the
//! runtimes by weight, each making a few tool calls. Runtimes with a canary split are called
//! through their gateway, so the weights and the canary's errors show in metrics and logs;
//! the others through InvokeAgentRuntime on their stable endpoint. Errors are part of the
//! show: logged at debug, never fatal.

use std::sync::Arc;
use std::time::Duration;

use serde_json::{Value, json};
use tokio::task::{JoinHandle, JoinSet};

use crate::backend::Backend;
use crate::backend::mcp::{Auth, McpError, McpSession, auth};

/// Sessions in flight at most; ticks beyond that are skipped (a slow server is not piled on).
const MAX_IN_FLIGHT: usize = 32;
/// Longest one generated call may take.
const CALL_CAP: Duration = Duration::from_secs(30);
const STABLE: &str = "live";
/// How long a target's auth (SigV4, or prod's bearer tokens) is reused before it is looked up
/// again: the lookup is two control-plane calls, and a runtime's authorizer changes only with a
/// deploy.
const AUTH_TTL: Duration = Duration::from_secs(30);

/// Each target's auth, by runtime ARN, with when it was looked up.
#[derive(Default)]
struct Auths(std::sync::Mutex<std::collections::HashMap<String, (std::time::Instant, Auth)>>);

impl Auths {
    async fn get(&self, c: &crate::backend::Clients, arn: &str) -> Result<Auth, McpError> {
        let cached = self.0.lock().ok().and_then(|m| {
            m.get(arn)
                .filter(|(at, _)| at.elapsed() < AUTH_TTL)
                .cloned()
        });
        if let Some((_, a)) = cached {
            return Ok(a);
        }
        let a = auth::choose(c, arn, Some(STABLE), None).await?;
        if let Ok(mut m) = self.0.lock() {
            m.insert(arn.to_string(), (std::time::Instant::now(), a.clone()));
        }
        Ok(a)
    }
}

/// Where generated sessions go.
#[derive(Debug, Clone)]
pub struct Target {
    pub env: String,
    pub runtime: String,
    pub arn: String,
    /// Set when the runtime has a canary split: sessions go through the gateway.
    pub gateway_url: Option<String>,
    /// Relative share of the sessions.
    pub weight: u32,
}

/// The running generator; dropping it stops it and every session in flight.
pub struct Generator(JoinHandle<()>);

impl Drop for Generator {
    fn drop(&mut self) {
        self.0.abort();
    }
}

impl Generator {
    /// Open `rate` new sessions per second (none when 0).
    pub fn start(backend: Arc<Backend>, targets: Vec<Target>, rate: f64) -> Self {
        Self(tokio::spawn(async move {
            let total: u32 = targets.iter().map(|t| t.weight).sum();
            if rate <= 0.0 || total == 0 {
                return;
            }
            let auths = Arc::new(Auths::default());
            let mut tick = tokio::time::interval(Duration::from_secs_f64(1.0 / rate));
            tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
            // Aborted with this task, so a stop ends the sessions in flight too.
            let mut in_flight = JoinSet::new();
            loop {
                tick.tick().await;
                while in_flight.try_join_next().is_some() {}
                if in_flight.len() >= MAX_IN_FLIGHT {
                    continue;
                }
                let target = pick(&targets, total).clone();
                let (backend, auths) = (Arc::clone(&backend), Arc::clone(&auths));
                in_flight.spawn(async move {
                    if let Err(e) = session(&backend, &auths, &target).await {
                        tracing::debug!(env = %target.env, runtime = %target.runtime, error = %e, "demo session failed");
                    }
                });
            }
        }))
    }
}

fn pick(targets: &[Target], total: u32) -> &Target {
    let mut n = fastrand::u32(..total);
    for t in targets {
        if n < t.weight {
            return t;
        }
        n -= t.weight;
    }
    &targets[0]
}

/// One MCP session: connect, list the tools, call one to three of them.
async fn session(backend: &Backend, auths: &Auths, t: &Target) -> Result<(), McpError> {
    let c = backend.clients(&t.env).await?;
    let s = match &t.gateway_url {
        Some(url) => McpSession::connect_gateway(&c, url).await?,
        None => {
            let auth = auths.get(&c, &t.arn).await?;
            McpSession::connect_with(&c, &t.arn, Some(STABLE), auth).await?
        }
    };
    let mut s = s.with_hard_cap(CALL_CAP);
    let tools = s.list_tools().await?;
    for _ in 0..fastrand::usize(1..=3) {
        let (tool, args) = call(&t.runtime);
        match s.call_tool(&tools, tool, args, None).await {
            // Arguments the tool refuses are a bug of this generator, not part of the show.
            Err(e @ (McpError::InvalidArguments { .. } | McpError::UnknownTool(_))) => {
                tracing::warn!(runtime = %t.runtime, tool, error = %e, "demo traffic: bad call");
            }
            Err(e) => {
                tracing::debug!(env = %t.env, runtime = %t.runtime, tool, error = %e, "demo call failed");
            }
            Ok(_) => {}
        }
    }
    Ok(())
}

const CITIES: &[&str] = &[
    "Seattle",
    "Dublin",
    "Tokyo",
    "São Paulo",
    "Nairobi",
    "Reykjavík",
    "Sydney",
    "Toronto",
    "Lisbon",
    "Bengaluru",
];
const TICKETS: &[&str] = &[
    "Cannot log in after password reset",
    "Invoice shows the wrong currency",
    "Export to CSV times out",
    "Webhook deliveries delayed",
    "Feature request: dark mode",
];
const CUSTOMERS: &[(&str, &str)] = &[
    ("Ada Lovelace", "ada@example.com"),
    ("Grace Hopper", "grace@example.org"),
    ("Alan Turing", "alan@example.net"),
];

fn one<T: Copy>(items: &[T]) -> T {
    items[fastrand::usize(..items.len())]
}

/// A tool call a client of this runtime would make: mostly its own tool, some generic ones,
/// now and then a slow one or a deliberate failure.
fn call(runtime: &str) -> (&'static str, Value) {
    match fastrand::u32(..100) {
        0..3 => {
            let mode = if fastrand::bool() {
                "tool_error"
            } else {
                "protocol_error"
            };
            (
                "fail",
                json!({ "mode": mode, "message": "demo: failed on request" }),
            )
        }
        3..7 => (
            "slow_count",
            json!({ "steps": fastrand::u32(2..=4), "delay_ms": fastrand::u32(50..=250) }),
        ),
        7..25 => (
            "echo",
            json!({ "text": format!("hello from {}", one(CITIES)) }),
        ),
        25..40 => (
            "add",
            json!({ "a": fastrand::i32(-100..100), "b": fastrand::i32(0..1000) }),
        ),
        _ if runtime.starts_with("weather") => {
            let units = if fastrand::u8(..4) == 0 {
                "imperial"
            } else {
                "metric"
            };
            ("weather", json!({ "city": one(CITIES), "units": units }))
        }
        _ if runtime.starts_with("tickets") => {
            let (name, email) = one(CUSTOMERS);
            (
                "create_ticket",
                json!({
                    "title": one(TICKETS),
                    "priority": one(&["low", "normal", "normal", "high"]),
                    "customer": { "name": name, "email": email },
                    "tags": ["demo"],
                }),
            )
        }
        _ => (
            "echo",
            json!({ "text": format!("search: {}", one(TICKETS)) }),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn picks_follow_the_weights_and_calls_never_crash_a_server() {
        let t = |w| Target {
            env: "e".into(),
            runtime: "weather_mcp".into(),
            arn: format!("arn{w}"),
            gateway_url: None,
            weight: w,
        };
        let targets = [t(1), t(0), t(3)];
        let mut counts = [0; 3];
        for _ in 0..4000 {
            let p = pick(&targets, 4);
            counts[targets.iter().position(|x| x.arn == p.arn).expect("one")] += 1;
        }
        assert_eq!(counts[1], 0);
        assert!((700..1300).contains(&counts[0]), "{counts:?}");
        for rt in ["weather_mcp", "tickets_mcp", "docs_mcp"] {
            for _ in 0..200 {
                let (tool, args) = call(rt);
                assert!(args.is_object(), "{tool}: {args}");
                if tool == "fail" {
                    assert_ne!(args["mode"], "crash", "the demo never crashes its servers");
                }
            }
        }
    }
}
