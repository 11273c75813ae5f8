//! The plan of `alarms apply` and `alarms delete`: what exists is read first (one
//! DescribeAlarms by name, one DescribeLogGroups, one DescribeMetricFilters per endpoint group)
//! and compared with what should, so each item says `create`, `update` (and what differs),
//! `delete` or `unchanged`, and only the first three become calls.

use std::collections::BTreeMap;

use aws_sdk_cloudwatch::types::MetricAlarm;
use serde::Serialize;

use super::spec::{self, AlarmSpec, FilterSpec, Target};
use crate::backend::runtimes::{list_endpoints, resolve};
use crate::backend::{Backend, BackendError, Clients};
use crate::domain::alarms::{AlarmKind, TOOL_ERRORS_FILTER, alarm_name};
use crate::domain::runtime::log_group_name;

/// What an item of the plan does.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase", tag = "change", content = "differs")]
pub enum Change {
    Create,
    /// What differs, `field old → new`.
    Update(Vec<String>),
    Delete,
    Unchanged,
}

/// The thing an item is about.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase", tag = "type")]
pub enum Item {
    LogGroup {
        name: String,
    },
    Filter(FilterSpec),
    Alarm(AlarmSpec),
    /// An alarm that goes: its name.
    OldAlarm {
        name: String,
    },
    /// Our filter on this group, going.
    OldFilter {
        log_group: String,
    },
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PlanItem {
    pub endpoint: String,
    pub item: Item,
    #[serde(flatten)]
    pub change: Change,
}

impl PlanItem {
    /// `error-rate alarm agentcore-console/…`, for the plan's table.
    pub fn label(&self) -> String {
        match &self.item {
            Item::LogGroup { name } => format!("log group {name}"),
            Item::Filter(f) => format!("metric filter {} on {}", f.name, f.log_group),
            Item::OldFilter { log_group } => {
                format!("metric filter {TOOL_ERRORS_FILTER} on {log_group}")
            }
            Item::Alarm(a) => format!("alarm {}", a.name),
            Item::OldAlarm { name } => format!("alarm {name}"),
        }
    }
}

/// The plan for one runtime in one environment.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AlarmPlan {
    pub env: String,
    pub runtime: String,
    pub runtime_id: String,
    pub endpoints: Vec<String>,
    pub items: Vec<PlanItem>,
    /// What exists now, for the audit entry: name → config digest.
    #[serde(skip)]
    pub(super) before: BTreeMap<String, String>,
}

impl AlarmPlan {
    /// Nothing to create, update or delete.
    pub fn is_empty(&self) -> bool {
        self.items.iter().all(|i| i.change == Change::Unchanged)
    }

    /// The exact calls applying this plan makes, in order (the preview).
    pub fn calls(&self) -> Vec<String> {
        let mut out = Vec::new();
        let mut doomed = Vec::new();
        for i in self.items.iter().filter(|i| i.change != Change::Unchanged) {
            match &i.item {
                Item::LogGroup { name } => out.push(format!("CreateLogGroup {name}")),
                Item::Filter(f) => out.push(spec::put_filter_line(f)),
                Item::Alarm(a) => out.push(spec::put_alarm_line(a)),
                Item::OldFilter { log_group } => out.push(format!(
                    "DeleteMetricFilter group={log_group} name={TOOL_ERRORS_FILTER}"
                )),
                Item::OldAlarm { name } => doomed.push(name.clone()),
            }
        }
        for chunk in doomed.chunks(super::apply::DELETE_BATCH) {
            out.push(format!("DeleteAlarms {}", chunk.join(", ")));
        }
        out
    }
}

/// What exists for a runtime's endpoints: the runtime, the endpoints chosen, their log
/// groups that exist, our filters on them, and our standard alarms by name.
struct Current {
    runtime: String,
    runtime_id: String,
    arn: String,
    endpoints: Vec<String>,
    groups: Vec<String>,
    filters: BTreeMap<String, FilterSpec>,
    alarms: BTreeMap<String, AlarmSpec>,
}

async fn current(
    backend: &Backend,
    env: &str,
    runtime: &str,
    wanted: &[String],
) -> Result<(std::sync::Arc<Clients>, Current), BackendError> {
    crate::backend::deploy::checks::runtime(runtime)?;
    // DEFAULT has alarms too (it is not moved here, only watched).
    if let Some(bad) = wanted
        .iter()
        .find(|e| *e != "DEFAULT" && !crate::backend::deploy::checks::is_name(e))
    {
        return Err(BackendError::Other(format!(
            "`{bad}` is not an endpoint name: 1-48 letters, digits and `_`, starting with a \
             letter (or DEFAULT)"
        )));
    }
    let c = backend.clients(env).await?;
    let rt = resolve(&c, runtime).await?;
    let all: Vec<String> = list_endpoints(&c, rt.agent_runtime_id())
        .await?
        .into_iter()
        .map(|e| e.name)
        .collect();
    if let Some(unknown) = wanted.iter().find(|w| !all.contains(w)) {
        return Err(BackendError::Other(format!(
            "{env}: runtime `{runtime}` has no endpoint `{unknown}` (it has: {})",
            all.join(", ")
        )));
    }
    let endpoints = if wanted.is_empty() {
        all
    } else {
        all.into_iter().filter(|e| wanted.contains(e)).collect()
    };
    let name = rt.agent_runtime_name().to_string();
    let id = rt.agent_runtime_id().to_string();
    let names: Vec<String> = endpoints
        .iter()
        .flat_map(|e| AlarmKind::ALL.map(|k| alarm_name(&name, e, k)))
        .collect();
    let prefix = log_group_name(&id, "");
    let (alarms, groups) = tokio::try_join!(describe_alarms(&c, &names), log_groups(&c, &prefix))?;
    let mut filters = BTreeMap::new();
    for e in &endpoints {
        let group = log_group_name(&id, e);
        if groups.contains(&group)
            && let Some(f) = our_filter(&c, &group).await?
        {
            filters.insert(group, f);
        }
    }
    Ok((
        c,
        Current {
            runtime: name,
            runtime_id: id,
            arn: rt.agent_runtime_arn().to_string(),
            endpoints,
            groups,
            filters,
            alarms: alarms
                .iter()
                .map(super::sdk::from_sdk)
                .map(|a| (a.name.clone(), a))
                .collect(),
        },
    ))
}

/// DescribeAlarms by name (at most 100 names a call).
async fn describe_alarms(c: &Clients, names: &[String]) -> Result<Vec<MetricAlarm>, BackendError> {
    let mut out = Vec::new();
    for chunk in names.chunks(100) {
        let r = c
            .cloudwatch
            .describe_alarms()
            .set_alarm_names(Some(chunk.to_vec()))
            .send()
            .await
            .map_err(|e| BackendError::sdk("DescribeAlarms", e))?;
        out.extend(r.metric_alarms().iter().cloned());
    }
    Ok(out)
}

/// The names of the log groups starting with `prefix`, every page.
pub(crate) async fn log_groups(c: &Clients, prefix: &str) -> Result<Vec<String>, BackendError> {
    let pages = c
        .logs
        .describe_log_groups()
        .log_group_name_prefix(prefix)
        .into_paginator()
        .items()
        .send()
        .collect::<Vec<_>>()
        .await;
    pages
        .into_iter()
        .map(|g| {
            g.map(|g| g.log_group_name().unwrap_or_default().to_string())
                .map_err(|e| BackendError::sdk("DescribeLogGroups", e))
        })
        .collect()
}

pub(crate) async fn our_filter(
    c: &Clients,
    group: &str,
) -> Result<Option<FilterSpec>, BackendError> {
    let r = c
        .logs
        .describe_metric_filters()
        .log_group_name(group)
        .filter_name_prefix(TOOL_ERRORS_FILTER)
        .send()
        .await
        .map_err(|e| BackendError::sdk("DescribeMetricFilters", e))?;
    Ok(r.metric_filters()
        .iter()
        .filter(|f| f.filter_name() == Some(TOOL_ERRORS_FILTER))
        .find_map(|f| super::sdk::filter_from_sdk(group, f)))
}

/// The plan that makes the runtime's endpoints (all, or `endpoints`) match the environment's
/// template. Reads only.
pub async fn plan(
    backend: &Backend,
    env: &str,
    runtime: &str,
    endpoints: &[String],
) -> Result<AlarmPlan, BackendError> {
    let template = backend.environment(env)?.alarms.clone();
    let (_, cur) = current(backend, env, runtime, endpoints).await?;
    let mut items = Vec::new();
    for e in &cur.endpoints {
        let group = log_group_name(&cur.runtime_id, e);
        let target = Target {
            runtime: &cur.runtime,
            arn: &cur.arn,
            endpoint: e,
            log_group: &group,
        };
        let item = |item: Item, change: Change| PlanItem {
            endpoint: e.clone(),
            item,
            change,
        };
        if !cur.groups.contains(&group) {
            items.push(item(
                Item::LogGroup {
                    name: group.clone(),
                },
                Change::Create,
            ));
        }
        let want = spec::filter(&template, target);
        let change = match cur.filters.get(&group) {
            None => Change::Create,
            Some(have) => updated(spec::filter_diff(&want, have)),
        };
        items.push(item(Item::Filter(want), change));
        for kind in AlarmKind::ALL {
            let have = cur.alarms.get(&alarm_name(&cur.runtime, e, kind));
            if !template.kind(kind).enabled {
                if let Some(have) = have {
                    items.push(item(
                        Item::OldAlarm {
                            name: have.name.clone(),
                        },
                        Change::Delete,
                    ));
                }
                continue;
            }
            let want = spec::alarm(&template, kind, target);
            let change = match have {
                None => Change::Create,
                Some(have) => updated(spec::alarm_diff(&want, have)),
            };
            items.push(item(Item::Alarm(want), change));
        }
    }
    Ok(finish(env, cur, items))
}

/// The plan that removes what `apply` made on the runtime's endpoints (all, or `endpoints`):
/// the standard alarms by their exact names and our filter; never a log group, never an alarm
/// of another name. Reads only.
pub async fn delete_plan(
    backend: &Backend,
    env: &str,
    runtime: &str,
    endpoints: &[String],
) -> Result<AlarmPlan, BackendError> {
    let (_, cur) = current(backend, env, runtime, endpoints).await?;
    let mut items = Vec::new();
    for e in &cur.endpoints {
        let group = log_group_name(&cur.runtime_id, e);
        if cur.filters.contains_key(&group) {
            items.push(PlanItem {
                endpoint: e.clone(),
                item: Item::OldFilter { log_group: group },
                change: Change::Delete,
            });
        }
        for kind in AlarmKind::ALL {
            let name = alarm_name(&cur.runtime, e, kind);
            if cur.alarms.contains_key(&name) {
                items.push(PlanItem {
                    endpoint: e.clone(),
                    item: Item::OldAlarm { name },
                    change: Change::Delete,
                });
            }
        }
    }
    Ok(finish(env, cur, items))
}

fn updated(diff: Vec<String>) -> Change {
    if diff.is_empty() {
        Change::Unchanged
    } else {
        Change::Update(diff)
    }
}

fn finish(env: &str, cur: Current, items: Vec<PlanItem>) -> AlarmPlan {
    let before = summary(&cur.filters, &cur.alarms);
    AlarmPlan {
        env: env.to_string(),
        runtime: cur.runtime,
        runtime_id: cur.runtime_id,
        endpoints: cur.endpoints,
        items,
        before,
    }
}

/// Name → a digest of its configuration: enough for the audit trail to tell what changed.
fn summary(
    filters: &BTreeMap<String, FilterSpec>,
    alarms: &BTreeMap<String, AlarmSpec>,
) -> BTreeMap<String, String> {
    let filters = filters
        .iter()
        .map(|(g, f)| (format!("filter {g}"), digest(f)));
    let alarms = alarms
        .iter()
        .map(|(n, a)| (format!("alarm {n}"), digest(a)));
    filters.chain(alarms).collect()
}

fn digest<T: Serialize>(v: &T) -> String {
    use sha2::{Digest, Sha256};
    let h = Sha256::digest(serde_json::to_vec(v).unwrap_or_default());
    h[..6].iter().map(|b| format!("{b:02x}")).collect()
}

/// The state now, as the audit entry's `after`.
pub(super) async fn read_summary(
    backend: &Backend,
    plan: &AlarmPlan,
) -> Result<BTreeMap<String, String>, BackendError> {
    let (_, cur) = current(backend, &plan.env, &plan.runtime, &plan.endpoints).await?;
    Ok(summary(&cur.filters, &cur.alarms))
}

/// For the console's tests: the plan a first apply makes with the default template (every
/// item created), without reading anything.
#[cfg(test)]
pub(crate) fn first_apply_example(env: &str, runtime: &str, endpoints: &[&str]) -> AlarmPlan {
    let template = crate::domain::alarms::AlarmTemplate::default();
    let runtime_id = format!("{runtime}-AbC123");
    let arn = format!("arn:aws:bedrock-agentcore:us-east-1:123456789012:runtime/{runtime_id}");
    let mut items = Vec::new();
    for e in endpoints {
        let group = log_group_name(&runtime_id, e);
        let target = Target {
            runtime,
            arn: &arn,
            endpoint: e,
            log_group: &group,
        };
        let item = |item| PlanItem {
            endpoint: (*e).to_string(),
            item,
            change: Change::Create,
        };
        items.push(item(Item::LogGroup {
            name: group.clone(),
        }));
        items.push(item(Item::Filter(spec::filter(&template, target))));
        for kind in AlarmKind::ALL {
            items.push(item(Item::Alarm(spec::alarm(&template, kind, target))));
        }
    }
    AlarmPlan {
        env: env.to_string(),
        runtime: runtime.to_string(),
        runtime_id,
        endpoints: endpoints.iter().map(|e| (*e).to_string()).collect(),
        items,
        before: BTreeMap::new(),
    }
}
