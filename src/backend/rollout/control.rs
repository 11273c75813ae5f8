//! API STUB (branch `api` only, replaced by the driver helper's real module): signatures only.

use crate::backend::audit::{Actor, AuditLog};
use crate::backend::{Backend, BackendError};
use crate::domain::rollout::RolloutState;

fn stub() -> BackendError {
    BackendError::Other("rollout control: stub on the api branch".into())
}

/// Approve the approval step the rollout waits at (refused when it waits at none).
pub async fn approve(
    _backend: &Backend,
    _env: &str,
    _runtime: &str,
    _armed: bool,
    _actor: &Actor,
    _audit: &AuditLog,
) -> Result<RolloutState, BackendError> {
    Err(stub())
}

/// Pause a running rollout: its driver stops evaluating and keeps the weight.
pub async fn pause(
    _backend: &Backend,
    _env: &str,
    _runtime: &str,
    _armed: bool,
    _actor: &Actor,
    _audit: &AuditLog,
) -> Result<RolloutState, BackendError> {
    Err(stub())
}

/// Abort at once, with no lease: record the abort, send 100% to stable, put the canary
/// endpoint back to its previous version. The driver sees it and stops.
pub async fn abort(
    _backend: &Backend,
    _env: &str,
    _runtime: &str,
    _armed: bool,
    _actor: &Actor,
    _audit: &AuditLog,
) -> Result<RolloutState, BackendError> {
    Err(stub())
}
