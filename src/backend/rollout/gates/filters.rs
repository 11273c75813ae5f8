//! What the tool-error gate needs before its first evaluation: the tool-error metric filter
//! (the same one `alarms apply` makes from the environment's template) on the canary's and
//! the stable endpoint's log groups, and those groups themselves. Without the filter the
//! canary's tool errors are never counted and the gate would pass on silence.

use crate::backend::alarms::{
    FilterSpec, Target, filter_diff, filter_spec, log_groups, our_filter, put_filter,
    put_filter_line,
};
use crate::backend::{BackendError, Clients};
use crate::domain::Environment;
use crate::domain::rollout::Gates;
use crate::domain::runtime::log_group_name;

use super::Legs;

/// One thing to make.
enum Need {
    LogGroup(String),
    Filter(FilterSpec),
}

impl Need {
    /// The preview line, worded as `alarms apply` words it.
    fn line(&self) -> String {
        match self {
            Need::LogGroup(name) => format!("CreateLogGroup {name}"),
            Need::Filter(f) => put_filter_line(f),
        }
    }
}

/// The runtime's id, the last part of its ARN (`…:runtime/<id>`).
fn runtime_id(arn: &str) -> Result<&str, BackendError> {
    arn.rsplit_once(":runtime/")
        .map(|(_, id)| id)
        .filter(|id| !id.is_empty() && !id.contains('/'))
        .ok_or_else(|| {
            BackendError::Other(format!(
                "'{arn}' is not an AgentCore runtime ARN (…:runtime/<id>): pass the runtime's ARN"
            ))
        })
}

/// Reads only: one DescribeLogGroups, one DescribeMetricFilters per existing group.
async fn needs(
    c: &Clients,
    environment: &Environment,
    legs: &Legs<'_>,
    gates: &Gates,
) -> Result<Vec<Need>, BackendError> {
    if gates.max_tool_error_rate.is_none() {
        return Ok(vec![]);
    }
    let id = runtime_id(legs.runtime_arn)?;
    let groups = log_groups(c, &log_group_name(id, "")).await?;
    let mut endpoints = vec![legs.canary, legs.stable];
    endpoints.dedup();
    let mut out = vec![];
    for endpoint in endpoints {
        let group = log_group_name(id, endpoint);
        let want = filter_spec(
            &environment.alarms,
            Target {
                runtime: legs.runtime,
                arn: legs.runtime_arn,
                endpoint,
                log_group: &group,
            },
        );
        let have = if groups.contains(&group) {
            our_filter(c, &group).await?
        } else {
            out.push(Need::LogGroup(group.clone()));
            None
        };
        if have.is_none_or(|h| !filter_diff(&want, &h).is_empty()) {
            out.push(Need::Filter(want));
        }
    }
    Ok(out)
}

/// The calls a rollout start needs before its first evaluation (empty when none), as
/// `alarms apply` previews them.
pub async fn requirements(
    c: &Clients,
    environment: &Environment,
    legs: &Legs<'_>,
    gates: &Gates,
) -> Result<Vec<String>, BackendError> {
    Ok(needs(c, environment, legs, gates)
        .await?
        .iter()
        .map(Need::line)
        .collect())
}

/// Make what [`requirements`] lists; a group another writer made meanwhile is fine, and a
/// filter put again is the same filter.
pub async fn ensure(
    c: &Clients,
    environment: &Environment,
    legs: &Legs<'_>,
    gates: &Gates,
) -> Result<(), BackendError> {
    for need in needs(c, environment, legs, gates).await? {
        match need {
            Need::LogGroup(name) => {
                let r = c.logs.create_log_group().log_group_name(&name).send().await;
                if let Err(e) = r {
                    let e = BackendError::sdk("CreateLogGroup", e);
                    if e.code() != Some("ResourceAlreadyExistsException") {
                        return Err(e);
                    }
                }
            }
            Need::Filter(f) => put_filter(c, &f).await?,
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_runtime_id_is_the_arns_last_part() {
        let arn = "arn:aws:bedrock-agentcore:us-east-1:123456789012:runtime/weather-AbC123";
        assert_eq!(runtime_id(arn).expect("id"), "weather-AbC123");
        for bad in [
            "weather",
            "arn:aws:s3:::bucket",
            "arn:x:runtime/",
            "arn:x:runtime/a/b",
        ] {
            assert!(runtime_id(bad).is_err(), "{bad}");
        }
    }
}
