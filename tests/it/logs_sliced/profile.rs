//! The profile's throttling answers as each AWS protocol sends it, read by the Rust SDK:
//! the code and status the service uses, and retried by the SDK as throttling (a 400 or 503
//! with any other code would not be tried three times).

use aws_config::retry::RetryConfig;

use crate::support::emulator::{clients, raw, start_profiled, status_and_code};

/// One call allowed, then none for 100 s, for one operation of each protocol.
const ONE_CALL: &str = "\
[logs.FilterLogEvents]\nrps = 0.01\nburst = 1\n\
[bedrock-agentcore.ListAgentRuntimes]\nrps = 0.01\nburst = 1\n\
[monitoring.ListMetrics]\nrps = 0.01\nburst = 1\n\
[s3.GetObject]\nrps = 0.01\nburst = 1\n";

/// (served, throttled) of one rule.
async fn counts(url: &str, op: &str) -> (u64, u64) {
    let (_, resp) = raw(url, "GET", "/_local/faults", &[], "").await;
    let body = resp.split_once("\r\n\r\n").map_or("", |(_, b)| b);
    let v: serde_json::Value = serde_json::from_str(body).expect("json");
    let r = v["profile"]["rules"]
        .as_array()
        .and_then(|r| r.iter().find(|r| r["operation"] == op))
        .unwrap_or_else(|| panic!("no rule {op} in {v}"))
        .clone();
    (
        r["served"].as_u64().expect("n"),
        r["throttled"].as_u64().expect("n"),
    )
}

#[tokio::test]
async fn the_profile_throttles_in_each_protocols_own_shape_and_the_sdk_retries_it() {
    let dir = tempfile::tempdir().expect("tempdir");
    let local = start_profiled(dir.path(), ONE_CALL).await;
    let c = clients(&local.url, "us-west-2").await;
    let no_retry =
        || aws_sdk_cloudwatchlogs::config::Builder::default().retry_config(RetryConfig::disabled());

    // CloudWatch Logs (awsJson1_1): 400 ThrottlingException "Rate exceeded".
    let filter = || c.logs.filter_log_events().log_group_name("/nope");
    let first = filter().send().await.expect_err("no such group");
    assert_eq!(status_and_code(&first).1, "ResourceNotFoundException");
    let e = filter()
        .customize()
        .config_override(no_retry())
        .send()
        .await
        .expect_err("throttled");
    assert_eq!(status_and_code(&e), (400, "ThrottlingException".into()));
    assert_eq!(
        e.as_service_error().and_then(|s| {
            use aws_smithy_types::error::metadata::ProvideErrorMetadata;
            s.message().map(str::to_string)
        }),
        Some("Rate exceeded".into())
    );
    // With the SDK's standard retries (3 attempts), all three are throttled.
    let e = filter().send().await.expect_err("throttled");
    assert_eq!(status_and_code(&e).1, "ThrottlingException");
    assert_eq!(counts(&local.url, "logs:FilterLogEvents").await, (1, 4));

    // AgentCore (restJson1): 429 ThrottlingException.
    c.control.list_agent_runtimes().send().await.expect("first");
    let e = c
        .control
        .list_agent_runtimes()
        .send()
        .await
        .expect_err("throttled");
    assert_eq!(status_and_code(&e), (429, "ThrottlingException".into()));
    assert_eq!(
        counts(&local.url, "bedrock-agentcore:ListAgentRuntimes").await,
        (1, 3),
        "retried by the SDK"
    );

    // CloudWatch (Smithy RPC v2 CBOR): 400 Throttling.
    c.cloudwatch.list_metrics().send().await.expect("first");
    let e = c
        .cloudwatch
        .list_metrics()
        .send()
        .await
        .expect_err("throttled");
    assert_eq!(status_and_code(&e), (400, "Throttling".into()));
    assert_eq!(counts(&local.url, "monitoring:ListMetrics").await, (1, 3));

    // S3 (restXml): 503 SlowDown.
    let get = || c.s3.get_object().bucket("no-such-bucket").key("k");
    let first = get().send().await.expect_err("no such bucket");
    assert_eq!(status_and_code(&first).1, "NoSuchBucket");
    let e = get().send().await.expect_err("throttled");
    assert_eq!(status_and_code(&e), (503, "SlowDown".into()));
    assert_eq!(counts(&local.url, "s3:GetObject").await, (1, 3));

    // Other operations are not limited.
    for _ in 0..5 {
        c.logs
            .describe_log_groups()
            .send()
            .await
            .expect("unlimited");
    }
    local.stop().await;
}

#[tokio::test]
async fn the_aws_profile_is_listed_with_its_figures() {
    let dir = tempfile::tempdir().expect("tempdir");
    let aws = agentcore_console::emulator::ProfileSpec::load("aws").expect("aws");
    let local =
        crate::support::emulator::start_options(dir.path(), |o| o.profile = Some(aws)).await;
    let (_, resp) = raw(&local.url, "GET", "/_local/faults", &[], "").await;
    let body = resp.split_once("\r\n\r\n").map_or("", |(_, b)| b);
    let v: serde_json::Value = serde_json::from_str(body).expect("json");
    assert_eq!(v["profile"]["name"], "aws");
    let fle = v["profile"]["rules"]
        .as_array()
        .and_then(|r| r.iter().find(|r| r["operation"] == "logs:FilterLogEvents"))
        .expect("FilterLogEvents")
        .clone();
    assert_eq!(
        (fle["rps"].as_f64(), fle["burst"].as_f64()),
        (Some(5.0), Some(5.0))
    );
    local.stop().await;
}
