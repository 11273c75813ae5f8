//! `destroy` from the built binary against the local AgentCore: what it deletes with and
//! without `--with-logs`, `--endpoint` alone, `--dry-run` changing nothing, the refusals
//! changing nothing, and a rerun finishing a destroy a fault stopped midway. "Nothing
//! changed" is a full listing of the environment (runtimes, endpoints, gateway rules and
//! targets, alarms, log groups with their filters, rollout objects) before and after.

mod endpoint;
mod lifecycle;
pub(crate) mod refusals;
mod rerun;

use agentcore_console::backend::Clients;
use serde_json::Value;

use crate::support::cli::{self, World, json, run};
use crate::support::emulator;
use crate::support::sessions::{deploy, set};

/// The SDK clients of the world's `dev` (us-west-2) or `prod` (us-east-1).
async fn clients(w: &World, region: &str) -> Clients {
    emulator::clients(&w.local.url, region).await
}

/// dev with `weather`: v1 on `live`, v2 promoted through a split (so the gateway has its rule
/// at 100% stable and both targets, and `canary` serves v2), with its standard alarms.
async fn promoted(w: &World, runtime: &str) {
    deploy(w, runtime, "1", Some("live")).await;
    deploy(w, runtime, "2", None).await;
    set(w, runtime, "2", "25").await;
    json(w, &["--env", "dev", "traffic", "promote", runtime]).await;
    json(w, &["--env", "dev", "alarms", "apply", runtime]).await;
}

/// Everything in one region of the local AgentCore, one line per thing, sorted.
async fn inventory(c: &Clients) -> Vec<String> {
    let mut out = vec![];
    let runtimes = c
        .control
        .list_agent_runtimes()
        .send()
        .await
        .expect("runtimes");
    for rt in runtimes.agent_runtimes() {
        out.push(format!("runtime {}", rt.agent_runtime_name()));
        let eps = c
            .control
            .list_agent_runtime_endpoints()
            .agent_runtime_id(rt.agent_runtime_id())
            .send()
            .await
            .expect("endpoints");
        for e in eps.runtime_endpoints() {
            out.push(format!(
                "endpoint {}/{} live={}",
                rt.agent_runtime_name(),
                e.name(),
                e.live_version().unwrap_or("-")
            ));
        }
    }
    let gws = c.control.list_gateways().send().await.expect("gateways");
    for g in gws.items() {
        out.push(format!("gateway {}", g.name()));
        let id = g.gateway_id();
        let targets = c
            .control
            .list_gateway_targets()
            .gateway_identifier(id)
            .send()
            .await
            .expect("targets");
        for t in targets.items() {
            out.push(format!("target {}", t.name()));
        }
        let rules = c
            .control
            .list_gateway_rules()
            .gateway_identifier(id)
            .send()
            .await
            .expect("rules");
        for r in rules.gateway_rules() {
            out.push(format!("rule {} {:?}", r.rule_id(), r.actions()));
        }
    }
    let alarms = c
        .cloudwatch
        .describe_alarms()
        .alarm_name_prefix("agentcore-console/")
        .send()
        .await
        .expect("alarms");
    for a in alarms.metric_alarms() {
        out.push(format!("alarm {}", a.alarm_name().unwrap_or_default()));
    }
    let groups = c
        .logs
        .describe_log_groups()
        .send()
        .await
        .expect("log groups");
    for g in groups.log_groups() {
        out.push(format!(
            "log group {} filters={}",
            g.log_group_name().unwrap_or_default(),
            g.metric_filter_count().unwrap_or(0)
        ));
    }
    let bucket = format!(
        "agentcore-console-123456789012-{}",
        c.env.region.as_deref().unwrap_or_default()
    );
    if let Ok(objects) =
        c.s3.list_objects_v2()
            .bucket(bucket)
            .prefix("rollouts/")
            .send()
            .await
    {
        for o in objects.contents() {
            out.push(format!("object {}", o.key().unwrap_or_default()));
        }
    }
    out.sort();
    out
}

/// Lines of `inventory` that start with `prefix`.
fn having<'a>(inv: &'a [String], prefix: &str) -> Vec<&'a str> {
    inv.iter()
        .filter(|l| l.starts_with(prefix))
        .map(String::as_str)
        .collect()
}

/// `destroy` with `--output json` (and `--yes`): (exit ok, the report, stderr).
async fn destroy(w: &World, args: &[&str]) -> (bool, Value, String) {
    let mut all = vec!["--output", "json", "destroy"];
    all.extend_from_slice(args);
    let (ok, out, err) = run(w, &all).await;
    let v = serde_json::from_str(&out).unwrap_or_else(|e| panic!("{e}: {out} / {err}"));
    (ok, v, err)
}

/// The audit entries of `destroy`.
fn destroys(w: &World) -> Vec<Value> {
    cli::audit(w)
        .into_iter()
        .filter(|e| e["action"] == "destroy")
        .collect()
}

fn strings(v: &Value) -> Vec<String> {
    v.as_array()
        .expect("array")
        .iter()
        .map(|s| s.as_str().expect("string").to_string())
        .collect()
}
