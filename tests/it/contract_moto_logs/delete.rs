//! DeleteLogGroup on moto and the local AgentCore, side by side: the group goes with its
//! streams, events and retention; a group made again under the same name is new and empty;
//! deleting what is not there is ResourceNotFoundException (HTTP 400) on both, which
//! `destroy` takes as already done.

use super::*;
use aws_sdk_cloudwatchlogs::types::MetricTransformation;

const GROUP: &str = "/aws/bedrock-agentcore/runtimes/gone-0123456789-DEFAULT";
const KEPT: &str = "/aws/bedrock-agentcore/runtimes/kept-0123456789-DEFAULT";

/// What both servers report about a group after the delete: (listed, streams once made
/// again, retention once made again), and the error of a second delete.
async fn delete_round(c: &Clients) -> (Vec<String>, usize, Option<i32>, (u16, String)) {
    for g in [GROUP, KEPT] {
        create_group_and_stream(c, g, "s").await;
        put(c, g, "s", &[(now_ms(), "a line".to_string())]).await;
    }
    c.logs
        .put_retention_policy()
        .log_group_name(GROUP)
        .retention_in_days(7)
        .send()
        .await
        .expect("retention");
    c.logs
        .put_metric_filter()
        .log_group_name(GROUP)
        .filter_name("errors")
        .filter_pattern("ERROR")
        .metric_transformations(
            MetricTransformation::builder()
                .metric_name("Errors")
                .metric_namespace("Contract")
                .metric_value("1")
                .build()
                .expect("transformation"),
        )
        .send()
        .await
        .expect("filter");
    c.logs
        .delete_log_group()
        .log_group_name(GROUP)
        .send()
        .await
        .expect("delete");
    let listed: Vec<String> = c
        .logs
        .describe_log_groups()
        .log_group_name_prefix("/aws/bedrock-agentcore/runtimes/")
        .send()
        .await
        .expect("describe")
        .log_groups()
        .iter()
        .filter_map(|g| g.log_group_name().map(str::to_string))
        .collect();
    let again = c
        .logs
        .delete_log_group()
        .log_group_name(GROUP)
        .send()
        .await
        .expect_err("already gone");
    let status = again.raw_response().map_or(0, |r| r.status().as_u16());
    let code = BackendError::sdk("DeleteLogGroup", again)
        .code()
        .unwrap_or_default()
        .to_string();
    create_group(c, GROUP).await;
    let streams = c
        .logs
        .describe_log_streams()
        .log_group_name(GROUP)
        .send()
        .await
        .expect("streams")
        .log_streams()
        .len();
    let retention = c
        .logs
        .describe_log_groups()
        .log_group_name_prefix(GROUP)
        .send()
        .await
        .expect("describe")
        .log_groups()
        .first()
        .and_then(|g| g.retention_in_days());
    (listed, streams, retention, (status, code))
}

#[tokio::test]
async fn delete_log_group_on_moto_and_the_emulator() {
    let moto = peer().await;
    let dir = tempfile::tempdir().expect("tempdir");
    let local = emulator::start(dir.path()).await;
    let emu = emulator::clients(&local.url, "us-west-2").await;
    let on_moto = delete_round(&moto.clients).await;
    let on_emu = delete_round(&emu).await;
    assert_eq!(on_moto.0, [KEPT], "only the other group is listed");
    assert_eq!(on_moto.1, 0, "made again: no streams");
    assert_eq!(on_moto.2, None, "made again: no retention");
    assert_eq!(on_moto.3, (400, "ResourceNotFoundException".to_string()));
    assert_eq!(on_emu, on_moto);
    // The filter went with its group on the emulator (moto keeps filters apart from groups).
    let filters = emu
        .logs
        .describe_metric_filters()
        .log_group_name(GROUP)
        .send()
        .await
        .expect("filters");
    assert!(filters.metric_filters().is_empty());
    local.stop().await;
}
