//! Requests as any SDK sends them: matched the way AWS matches them, host prefixes included.

use super::*;

#[tokio::test]
async fn requests_match_as_aws_matches_them_not_by_one_sdks_quirks() {
    let dir = tempfile::tempdir().expect("tempdir");
    let local = start(dir.path()).await;
    let a = auth("bedrock-agentcore", "us-west-2");
    let body = r#"{"agentRuntimeName":"from_boto","agentRuntimeArtifact":{"containerConfiguration":{"containerUri":"x"}},"roleArn":"arn:aws:iam::123456789012:role/R","networkConfiguration":{"networkMode":"PUBLIC"}}"#;
    // botocore sends the service model's trailing slash.
    let (status, resp) = raw(
        &local.url,
        "PUT",
        "/runtimes/",
        &[("Authorization", &a), ("Content-Type", "application/json")],
        body,
    )
    .await;
    assert_eq!(status, 202, "{resp}");
    let id = resp
        .split("\"agentRuntimeId\":\"")
        .nth(1)
        .and_then(|r| r.split('"').next())
        .expect("id")
        .to_string();
    let (status, resp) = raw(
        &local.url,
        "GET",
        &format!("/runtimes/{id}/"),
        &[("Authorization", &a)],
        "",
    )
    .await;
    assert_eq!(status, 200, "{resp}");
    assert!(resp.contains("\"agentRuntimeName\":\"from_boto\""));
    // Header names are case-insensitive; the Rust SDK sees what boto created.
    let c = clients(&local.url, "us-west-2").await;
    assert_eq!(
        runtimes::list_all(&c).await.expect("list")[0].agent_runtime_id(),
        id
    );
    // Unsigned requests and unknown operations get AWS-shaped errors.
    let (status, resp) = raw(&local.url, "POST", "/runtimes", &[], "").await;
    assert_eq!(status, 403);
    assert!(
        resp.to_ascii_lowercase()
            .contains("x-amzn-errortype: missingauthenticationtokenexception"),
        "{resp}"
    );
    let (status, resp) = raw(
        &local.url,
        "PATCH",
        "/runtimes",
        &[("authorization", &a)],
        "",
    )
    .await;
    assert_eq!(status, 404);
    assert!(resp.contains("UnknownOperationException"), "{resp}");
    let (status, resp) = raw(
        &local.url,
        "PUT",
        "/runtimes",
        &[("authorization", &a)],
        "{not json",
    )
    .await;
    assert_eq!(status, 400, "{resp}");
    local.stop().await;
}

#[tokio::test]
async fn live_tail_host_prefix_is_stripped_for_custom_endpoints() {
    // StartLiveTail gets a `stream-` host prefix even with endpoint_url; without the backend's
    // interceptor it would try to resolve `stream-127.0.0.1` and never reach the server.
    let dir = tempfile::tempdir().expect("tempdir");
    let local = start(dir.path()).await;
    let c = clients(&local.url, "us-west-2").await;
    let err = c
        .logs
        .start_live_tail()
        .log_group_identifiers("arn:aws:logs:us-west-2:123456789012:log-group:/x")
        .send()
        .await
        .expect_err("the local AgentCore has no Logs service yet");
    assert!(
        matches!(
            err,
            aws_smithy_runtime_api::client::result::SdkError::ServiceError(_)
        ),
        "the request must reach the local server and get its answer: {err:?}"
    );
    local.stop().await;
}
