//! Protected environments refuse mutations unless the caller armed them.

use super::BackendError;
use super::audit::{Actor, AuditLog, WriteRef};
use crate::domain::Environment;

/// Refuse a mutation of a read-only environment unless `armed`.
pub fn ensure_writable(env: &Environment, armed: bool, action: &str) -> Result<(), BackendError> {
    if env.read_only && !armed {
        return Err(BackendError::ReadOnly {
            env: env.name.clone(),
            action: action.to_string(),
        });
    }
    Ok(())
}

/// What a write must pass before its first call: its own checks (`checks`, the inputs), then
/// the environment's protection. Either refusal is audited (`refused: …`).
pub fn authorize(
    env: &Environment,
    armed: bool,
    write: &WriteRef<'_>,
    (actor, audit): (&Actor, &AuditLog),
    checks: Result<(), BackendError>,
) -> Result<(), BackendError> {
    checks
        .and_then(|()| ensure_writable(env, armed, write.action))
        .inspect_err(|e| audit.refuse(actor, write, &e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn read_only_needs_arming() {
        let mut env = Environment {
            name: "prod".into(),
            read_only: true,
            ..Environment::default()
        };
        let err = ensure_writable(&env, false, "deploy").expect_err("refused");
        assert!(
            err.to_string().contains("read-only") && err.to_string().contains("--arm"),
            "{err}"
        );
        assert!(ensure_writable(&env, true, "deploy").is_ok());
        env.read_only = false;
        assert!(ensure_writable(&env, false, "deploy").is_ok());
    }
}
