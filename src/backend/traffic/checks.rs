//! What a traffic change must pass before its first call: its inputs, the environment's two
//! distinct endpoints, and the environment's protection (a refusal is audited).

use super::super::audit::{Actor, AuditLog, WriteRef};
use super::super::{Backend, BackendError, guard};

/// The environment of a traffic write, once its checks and the environment's protection let
/// it through (a refusal is audited).
pub(super) fn authorized<'a>(
    backend: &Backend,
    (env, runtime, action): (&'a str, &'a str, &'static str),
    armed: bool,
    (actor, audit): (&Actor, &AuditLog),
    split: Option<(&str, i32)>,
) -> Result<(crate::domain::Environment, WriteRef<'a>), BackendError> {
    let environment = backend.environment(env)?.clone();
    let write = WriteRef {
        env,
        action,
        target: runtime,
    };
    let checks = check(&environment, runtime, split);
    guard::authorize(&environment, armed, &write, (actor, audit), checks)?;
    Ok((environment, write))
}

/// Everything a traffic change can check before its first call: the runtime's name, the
/// canary version and weight of a `set`, and two distinct endpoints (one endpoint on both
/// sides would turn a 10% canary into 100%).
pub fn check(
    environment: &crate::domain::Environment,
    runtime: &str,
    set: Option<(&str, i32)>,
) -> Result<(), BackendError> {
    crate::backend::deploy::checks::runtime(runtime)?;
    if let Some((version, weight)) = set {
        crate::backend::deploy::checks::version("canary version", version)?;
        if !(0..=100).contains(&weight) {
            return Err(BackendError::Other(format!(
                "weight {weight} is outside 0..100"
            )));
        }
    }
    let (stable, canary) = (environment.stable_endpoint(), environment.canary_endpoint());
    if stable == canary {
        return Err(BackendError::Other(format!(
            "environment `{}`: stable_endpoint and canary_endpoint are both `{stable}`; give \
             them different endpoints in the environments file",
            environment.name
        )));
    }
    Ok(())
}
