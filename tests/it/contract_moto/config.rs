//! A version's full configuration (`runtime show`'s `latest`) read by the backend from moto:
//! every posture member, variable names without values, the artifact digest from the key,
//! and the log group's retention (DescribeLogGroups by the runtime's prefix).

use aws_sdk_bedrockagentcorecontrol::types::AgentManagedRuntimeType;

use super::{BUCKET, ENV, create_endpoint, peer};
use crate::runtime_config::setup::*;
use agentcore_console::backend::runtimes;

#[tokio::test]
async fn show_reads_every_setting_and_the_retention_from_moto() {
    let p = peer().await;
    let c = &p.clients;
    let m = members_b();
    let id = c
        .control
        .create_agent_runtime()
        .agent_runtime_name("secure_mcp")
        .agent_runtime_artifact(artifact_in(
            BUCKET,
            &format!("secure_mcp/{DIGEST_B}.zip"),
            AgentManagedRuntimeType::Python313,
            &["main.py", "--verbose"],
        ))
        .role_arn(ROLE_B)
        .set_network_configuration(m.network)
        .set_authorizer_configuration(m.authorizer)
        .set_protocol_configuration(m.protocol)
        .set_lifecycle_configuration(m.lifecycle)
        .set_request_header_configuration(m.request_headers)
        .environment_variables("API_KEY", SECRET)
        .environment_variables("APP_VERSION", "2")
        .environment_variables("FEATURE", "on")
        .send()
        .await
        .expect("create")
        .agent_runtime_id;
    create_endpoint(c, &id, "live", "1").await;
    retention(c, &id, "live", 30).await;

    let d = runtimes::show(&p.backend, ENV, "secure_mcp")
        .await
        .expect("show");
    let l = &d.latest;
    assert_eq!(
        l.artifact.as_ref().and_then(|a| a.digest.as_deref()),
        Some(format!("sha256:{DIGEST_B}").as_str())
    );
    assert_eq!(l.code_runtime.as_deref(), Some("PYTHON_3_13"));
    assert_eq!(l.entry_point, ["main.py", "--verbose"]);
    assert_eq!(l.variable_names, ["API_KEY", "APP_VERSION", "FEATURE"]);
    assert_eq!(l.role_arn.as_deref(), Some(ROLE_B));
    assert_eq!(l.posture, posture_b(Some(30)));
    let kept: Vec<_> = d
        .log_retention
        .iter()
        .map(|r| (r.endpoint.as_str(), r.exists, r.retention_in_days))
        .collect();
    assert_eq!(kept, [("live", true, Some(30))]);
    assert!(!serde_json::to_string(&d).expect("json").contains(SECRET));
}
