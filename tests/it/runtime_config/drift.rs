//! The matrix's posture mark through the SDK: runtimes whose stable version lacks what the
//! environment configures are named with the settings that differ, and the mark's cost is
//! what the README says (counted by the local AgentCore).

use agentcore_console::backend::Backend;
use agentcore_console::backend::runtimes::{self, drift::env_drift};

use super::setup::*;
use crate::support::emulator::{clients, env, settled, start, update};
use crate::support::faults;

const GET: &str = "bedrock-agentcore:GetAgentRuntime:latency=1ms";
const GROUPS: &str = "logs:DescribeLogGroups:latency=1ms";

#[tokio::test]
async fn runtimes_off_the_environments_posture_are_marked_and_reread_only_on_change() {
    let dir = tempfile::tempdir().expect("tempdir");
    let local = start(dir.path()).await;
    let c = clients(&local.url, "us-east-1").await;
    // `weather`: public, IAM, 7-day logs on its stable endpoint.
    let weather = create_base(&c, "weather").await;
    retention(&c, &weather, "live", 7).await;
    // `secure`: every configured setting, on its stable endpoint, kept 90 days.
    let secure = create_base(&c, "secure").await;
    update_everything(&c, &secure).await;
    c.control
        .update_agent_runtime_endpoint()
        .agent_runtime_id(&secure)
        .endpoint_name("live")
        .agent_runtime_version("2")
        .send()
        .await
        .expect("move live");
    settled(&c, &secure).await;
    retention(&c, &secure, "live", 90).await;

    let mut prod = env("prod", &local.url, "us-east-1", None);
    prod.posture = posture_b(Some(90));
    let dev = env("dev", &local.url, "us-east-1", None);
    let backend = Backend::new(vec![prod, dev]);
    faults::add(&local.url, GET).await;
    faults::add(&local.url, GROUPS).await;

    let list = runtimes::env_runtimes(&backend, "prod")
        .await
        .expect("list");
    let drift = env_drift(&backend, "prod", &list).await.expect("drift");
    assert!(!drift.contains_key(&secure), "{drift:?}");
    let fields: Vec<&str> = drift[&weather].iter().map(|d| d.field).collect();
    assert_eq!(fields, ALL_FIELDS[5..], "every posture field differs");
    let ret = drift[&weather].last().expect("retention");
    assert_eq!((ret.configured.as_str(), ret.actual.as_str()), ("90", "7"));
    assert_eq!(
        faults::counts(&local.url, GET).await.0,
        2,
        "one read per runtime"
    );
    assert_eq!(
        faults::counts(&local.url, GROUPS).await.0,
        1,
        "one page set"
    );

    // Nothing changed: no GetAgentRuntime again.
    let again = env_drift(&backend, "prod", &list).await.expect("drift");
    assert_eq!(again, drift);
    assert_eq!(faults::counts(&local.url, GET).await.0, 2);

    // A new version of weather (its lastUpdatedAt moves): only weather is read again.
    update(&c, &weather, "2").await;
    settled(&c, &weather).await;
    let list = runtimes::env_runtimes(&backend, "prod")
        .await
        .expect("list");
    let before = faults::counts(&local.url, GET).await.0; // `settled` reads too
    env_drift(&backend, "prod", &list).await.expect("drift");
    assert_eq!(faults::counts(&local.url, GET).await.0, before + 1);

    // An environment that configures no posture costs nothing and marks nothing.
    let (gets, groups) = (
        faults::counts(&local.url, GET).await.0,
        faults::counts(&local.url, GROUPS).await.0,
    );
    let dev_list = runtimes::env_runtimes(&backend, "dev").await.expect("list");
    assert_eq!(
        dev_list.len(),
        2,
        "the same account and region: prod's runtimes"
    );
    assert!(
        env_drift(&backend, "dev", &dev_list)
            .await
            .expect("drift")
            .is_empty()
    );
    assert_eq!(faults::counts(&local.url, GET).await.0, gets);
    assert_eq!(faults::counts(&local.url, GROUPS).await.0, groups);
    local.stop().await;
}
