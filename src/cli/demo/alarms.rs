//! The demo's standard alarms: `alarms apply` on every seeded runtime of every environment,
//! through the same backend calls as the CLI, audited, the protected one armed by the demo.
//! Idempotent like the rest of seeding: a restart finds nothing to change.

use crate::backend::alarms;
use crate::backend::{Backend, BackendError};
use crate::cli::CliError;

use super::seed::Ctx;
use super::traffic::Target;

/// Apply the environment's template to every runtime the demo runs, all at once. Returns the
/// number of runtimes whose alarms changed.
pub async fn apply_all(
    backend: &Backend,
    ctx: &Ctx,
    targets: &[Target],
) -> Result<usize, CliError> {
    let changed = futures::future::try_join_all(targets.iter().map(|t| async move {
        apply_one(backend, ctx, t)
            .await
            .map_err(|e| CliError::msg(format!("alarms of {}/{}: {e}", t.env, t.runtime)))
    }))
    .await?;
    Ok(changed.into_iter().filter(|c| *c).count())
}

async fn apply_one(backend: &Backend, ctx: &Ctx, t: &Target) -> Result<bool, BackendError> {
    let armed = backend.environment(&t.env)?.read_only;
    let plan = alarms::plan(backend, &t.env, &t.runtime, &[]).await?;
    if plan.is_empty() {
        return Ok(false);
    }
    let mut args = vec!["alarms", "apply", t.runtime.as_str()];
    args.extend(super::seed::writes(armed));
    let actor = ctx.actor(&t.env, &args);
    let report = alarms::apply(backend, &t.env, &plan, armed, &actor, &ctx.audit).await?;
    ctx.say(
        &t.env,
        &t.runtime,
        &format!(
            "standard alarms applied ({} call{})",
            report.calls.len(),
            if report.calls.len() == 1 { "" } else { "s" }
        ),
    );
    Ok(true)
}
