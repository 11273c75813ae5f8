//! The traffic pane's I/O: its read (the split, what traffic really did over 15 minutes, and
//! the runtime's versions and audit history for rollback targets and the weight form) and its
//! writes through `backend::traffic`.

use super::RuntimeView;
use super::reads::runtime_view;
use crate::backend::Backend;
use crate::backend::audit::{Actor, AuditLog};
use crate::backend::traffic::{self, TrafficView};
use crate::tui::write::{TrafficChange, TrafficOp};

/// The window the observed share and the verdict cover (as `traffic show`).
pub const OBSERVED_MINUTES: i64 = 15;

/// Everything the traffic pane shows.
#[derive(Debug, Clone, PartialEq)]
pub struct TrafficData {
    /// The split, with `observed` filled.
    pub view: TrafficView,
    /// Versions and audit history: where a rollback goes, what the form may pin.
    pub runtime: RuntimeView,
}

pub(super) async fn traffic_data(
    backend: &Backend,
    audit: Result<AuditLog, String>,
    env: &str,
    runtime: &str,
) -> Result<TrafficData, String> {
    let view = traffic::show(backend, env, runtime)
        .await
        .map_err(|e| e.to_string())?;
    let (view, rt) = futures::join!(
        traffic::observe(backend, view, OBSERVED_MINUTES),
        runtime_view(backend, audit, env, runtime)
    );
    Ok(TrafficData { view, runtime: rt? })
}

pub(super) async fn traffic_write(
    backend: &Backend,
    audit: &AuditLog,
    op: &TrafficOp,
    armed: bool,
    actor: &Actor,
) -> Result<String, String> {
    let (env, rt) = (op.env.as_str(), op.runtime.as_str());
    let view = match &op.change {
        TrafficChange::Set { version, weight } => {
            traffic::set(backend, env, rt, version, *weight, armed, actor, audit).await
        }
        TrafficChange::Promote => traffic::promote(backend, env, rt, armed, actor, audit).await,
        TrafficChange::Abort => traffic::abort(backend, env, rt, armed, actor, audit).await,
    }
    .map_err(|e| e.to_string())?;
    if let Some(note) = view.note {
        return Ok(format!("{env}: {rt}: {note}"));
    }
    Ok(format!("{env}: {rt} {}", split_text(&view)))
}

/// `split live v3 90% / canary v4 10%`, or `100% live v3`.
fn split_text(v: &TrafficView) -> String {
    let legs: Vec<String> = v
        .routes
        .iter()
        .filter(|r| r.weight > 0)
        .map(|r| {
            let version = r
                .version
                .as_deref()
                .map_or(String::new(), |v| format!(" v{v}"));
            format!("{}{version} {}%", r.qualifier, r.weight)
        })
        .collect();
    match legs.as_slice() {
        [] => "has no split".into(),
        [one] => format!("now sends {one}"),
        _ => format!("split is now {}", legs.join(" / ")),
    }
}
