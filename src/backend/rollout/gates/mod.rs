//! A rollout's gates, evaluated: what the canary did against the stable leg over a window,
//! judged by the plan's gates.
//!
//! One evaluation is ONE GetMetricData for both legs ([`query`]: invocations, errors, p99 and
//! the canary's tool errors, each a single datapoint over the whole window) plus ONE
//! DescribeAlarms by name when the plan names alarms ([`alarms`]), read concurrently; then
//! [`judge`] turns the numbers into the domain's gate results. A failed read is an error,
//! never a pass. Before a rollout starts, [`requirements`] / [`ensure`] make sure the
//! tool-error metric filter the tool-error gate counts with exists ([`filters`]).

mod alarms;
mod filters;
mod judge;
mod query;

pub use self::alarms::check_alarms;
pub use self::filters::{ensure, requirements};

use crate::backend::metrics::{Window, get_metric_data_between};
use crate::backend::{BackendError, Clients};
use crate::domain::rollout::{Evaluation, GateName, GateResult, Gates};
use crate::domain::smoke::SmokeSpec;

/// The two legs a rollout compares.
#[derive(Debug, Clone, Copy)]
pub struct Legs<'a> {
    /// The runtime's name.
    pub runtime: &'a str,
    pub runtime_arn: &'a str,
    /// The stable endpoint's name.
    pub stable: &'a str,
    /// The canary endpoint's name.
    pub canary: &'a str,
}

/// One evaluation of `gates` over `window` (its period is ignored: the whole window is one
/// period). Every configured gate gets a result; unconfigured ones are absent. A plan with
/// only the alarm gate reads no metrics.
pub async fn evaluate(
    c: &Clients,
    legs: &Legs<'_>,
    gates: &Gates,
    window: Window,
) -> Result<Evaluation, BackendError> {
    let configured = gates.configured();
    let names = gates.alarm_names(legs.runtime);
    let metrics = async {
        if configured
            .iter()
            .all(|g| matches!(g, GateName::Alarms | GateName::Smoke))
        {
            return Ok(query::Readings::default());
        }
        let (start, period) = query::whole_window(window).map_err(BackendError::Other)?;
        let end = start + i64::from(period);
        let results = get_metric_data_between(c, query::queries(legs, period), start, end).await?;
        Ok::<_, BackendError>(query::read(&results))
    };
    let states = async {
        if names.is_empty() {
            return Ok(None);
        }
        let found = alarms::states(c, &names).await?;
        Ok::<_, BackendError>(Some(judge::AlarmStates::of(&names, &found)))
    };
    let (readings, states) = tokio::try_join!(metrics, states)?;
    Ok(Evaluation {
        at_ms: now_ms(),
        gates: judge::judge(gates, &readings, states.as_ref()),
    })
}

/// [`evaluate`], then the `require_smoke` gate when the plan has it (only after a good read:
/// a failed read is an error, and the checks would only add calls to it).
pub async fn evaluate_with_smoke(
    c: &Clients,
    legs: &Legs<'_>,
    gates: &Gates,
    window: Window,
    spec: Option<&SmokeSpec>,
) -> Result<Evaluation, BackendError> {
    let mut e = evaluate(c, legs, gates, window).await?;
    e.gates.extend(smoke(c, legs, gates, spec).await);
    Ok(e)
}

/// The `require_smoke` gate: the rollout's smoke checks against the canary endpoint, over one
/// session opened as `invoke` would (a JWT runtime takes the environment's token_command).
/// None when the plan does not require smoke checks.
pub async fn smoke(
    c: &Clients,
    legs: &Legs<'_>,
    gates: &Gates,
    spec: Option<&SmokeSpec>,
) -> Option<GateResult> {
    if !gates.require_smoke {
        return None;
    }
    let Some(spec) = spec else {
        return Some(GateResult::smoke_not_run(
            "the rollout has no smoke file (start it with --smoke FILE)",
            gates,
        ));
    };
    Some(
        match crate::backend::smoke::run_on(c, legs.runtime, Some(legs.canary), None, spec).await {
            Ok(run) => GateResult::smoke(&run.report, gates),
            Err(e) => GateResult::smoke_not_run(&e.to_string(), gates),
        },
    )
}

fn now_ms() -> i64 {
    i64::try_from(time::OffsetDateTime::now_utc().unix_timestamp_nanos() / 1_000_000)
        .unwrap_or(i64::MAX)
}
