//! The traffic moves a rollout makes, on `traffic`'s own operations (which audit their own
//! `traffic.*` entries): a step's weight, the way back to stable, promotion, and the MCP
//! validation of a blue/green version before its switch.

use crate::backend::audit::{Actor, AuditLog};
use crate::backend::mcp::McpSession;
use crate::backend::smoke;
use crate::backend::{Backend, BackendError, Clients, traffic};
use crate::domain::rollout::RolloutState;

/// Who moves traffic, and how.
pub(super) struct Mover<'a> {
    pub backend: &'a Backend,
    pub armed: bool,
    pub actor: &'a Actor,
    pub audit: &'a AuditLog,
}

impl Mover<'_> {
    /// Pin the canary endpoint to the rollout's version and give it `weight`%.
    pub async fn set(&self, s: &RolloutState, weight: u8) -> Result<(), BackendError> {
        traffic::set(
            self.backend,
            &s.env,
            &s.runtime,
            &s.canary_version,
            i32::from(weight),
            self.armed,
            self.actor,
            self.audit,
        )
        .await
        .map(drop)
    }

    /// The stable endpoint to the canary's version, 100% to stable.
    pub async fn promote(&self, s: &RolloutState) -> Result<(), BackendError> {
        traffic::promote(
            self.backend,
            &s.env,
            &s.runtime,
            self.armed,
            self.actor,
            self.audit,
        )
        .await
        .map(drop)
    }
}

/// Send every new session to stable, then put the canary endpoint back where it was before
/// the rollout (when it served anything). In that order: the split is what protects users.
/// Returns what was done with the canary endpoint, for the decision log.
pub(crate) async fn restore(
    backend: &Backend,
    s: &RolloutState,
    armed: bool,
    (actor, audit): (&Actor, &AuditLog),
) -> Result<String, BackendError> {
    traffic::abort(backend, &s.env, &s.runtime, armed, actor, audit).await?;
    match &s.previous_canary_version {
        Some(previous) => {
            traffic::set(
                backend, &s.env, &s.runtime, previous, 0, armed, actor, audit,
            )
            .await?;
            Ok(format!(
                "100% to `{}`; `{}` back on version {previous}",
                s.stable_endpoint, s.canary_endpoint
            ))
        }
        None => Ok(format!(
            "100% to `{}`; `{}` served nothing before the rollout, so it was left on version {}",
            s.stable_endpoint, s.canary_endpoint, s.canary_version
        )),
    }
}

/// MCP validation of the canary endpoint: a session, `tools/list`, at least one tool.
/// `Ok(what it found)` or `Err(why it failed)`.
pub(super) async fn validate(c: &Clients, s: &RolloutState) -> Result<String, String> {
    let at = format!("`{}` (version {})", s.canary_endpoint, s.canary_version);
    let mut session = McpSession::connect(c, &s.runtime_arn, Some(&s.canary_endpoint))
        .await
        .map_err(|e| format!("MCP initialize on {at} failed: {e}"))?;
    let tools = session
        .list_tools()
        .await
        .map_err(|e| format!("tools/list on {at} failed: {e}"))?;
    if tools.is_empty() {
        return Err(format!("tools/list on {at} returned no tools"));
    }
    // The smoke checks on the same session; any failure fails validation.
    let smoke = match &s.smoke {
        Some(spec) => {
            let report = smoke::run(&mut session, &tools, spec).await;
            if !report.all_passed() {
                return Err(format!("{at}: {}", report.summary()));
            }
            format!("; {}", report.summary())
        }
        None => String::new(),
    };
    let server = session
        .server
        .as_ref()
        .map(|s| format!("{} {}", s.server_info.name, s.server_info.version))
        .unwrap_or_else(|| "an MCP server".into());
    let names: Vec<&str> = tools.iter().take(5).map(|t| t.name.as_ref()).collect();
    Ok(format!(
        "{at}: {server} lists {} tool{} ({}{}){smoke}",
        tools.len(),
        if tools.len() == 1 { "" } else { "s" },
        names.join(", "),
        if tools.len() > names.len() {
            ", …"
        } else {
            ""
        }
    ))
}
