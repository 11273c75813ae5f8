//! API STUB (branch `api` only, replaced by the driver helper's real module): signatures only.

use super::{Driving, Outcome, Preview, StartRequest};
use crate::backend::{Backend, BackendError};

fn stub() -> BackendError {
    BackendError::Other("rollout driver: stub on the api branch".into())
}

/// What `start` would do, read only: the calls in order (the gates' metric filters first, the
/// canary endpoint's move, the first split), and where traffic goes back to.
pub async fn preview(_backend: &Backend, _req: &StartRequest) -> Result<Preview, BackendError> {
    Err(stub())
}

/// Start a rollout (guarded: `armed` for a protected environment; audited `rollout.start`) and
/// drive it in the foreground until it ends or `driving.stop` turns true. Refused, before any
/// change, when another rollout of the runtime is not over (naming its state, holder and
/// lease expiry).
pub async fn start(
    _backend: &Backend,
    _req: StartRequest,
    _armed: bool,
    _driving: Driving<'_>,
) -> Result<Outcome, BackendError> {
    Err(stub())
}

/// Continue a rollout: a paused one whose driver is alive is set running and that driver goes
/// on (`Handed`); a stalled one (no live lease) is taken over and driven here from the
/// current step with its remaining watch time.
pub async fn resume(
    _backend: &Backend,
    _env: &str,
    _runtime: &str,
    _armed: bool,
    _driving: Driving<'_>,
) -> Result<Outcome, BackendError> {
    Err(stub())
}
