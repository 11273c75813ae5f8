//! The local S3 subset for code artifacts, and runtimes whose code lives there.

mod conditional;
mod multipart;
use crate::support::emulator as support;

use aws_sdk_s3::primitives::ByteStream;
use aws_sdk_s3::types::{
    BucketLocationConstraint, CreateBucketConfiguration, ServerSideEncryption,
};
use support::*;

use support::us_west_2_bucket as bucket;

#[tokio::test]
async fn objects_round_trip_with_their_encryption() {
    let dir = tempfile::tempdir().expect("tempdir");
    let local = start(dir.path()).await;
    let c = clients(&local.url, "us-west-2").await;
    let no_constraint =
        c.s3.create_bucket()
            .bucket("artifacts")
            .send()
            .await
            .expect_err("us-west-2 needs a constraint");
    assert_eq!(
        status_and_code(&no_constraint),
        (400, "IllegalLocationConstraintException".into())
    );
    bucket(&c, "artifacts").await;
    let again =
        c.s3.create_bucket()
            .bucket("artifacts")
            .create_bucket_configuration(
                CreateBucketConfiguration::builder()
                    .location_constraint(BucketLocationConstraint::UsWest2)
                    .build(),
            )
            .send()
            .await
            .expect_err("exists");
    assert_eq!(
        status_and_code(&again),
        (409, "BucketAlreadyOwnedByYou".into())
    );

    let payload: Vec<u8> = (0..200_000u32).map(|i| (i % 251) as u8).collect();
    let put =
        c.s3.put_object()
            .bucket("artifacts")
            .key("weather/v1/agent.zip")
            .body(ByteStream::from(payload.clone()))
            .server_side_encryption(ServerSideEncryption::Aes256)
            .send()
            .await
            .expect("put");
    assert_eq!(
        put.server_side_encryption(),
        Some(&ServerSideEncryption::Aes256)
    );
    let kms =
        c.s3.put_object()
            .bucket("artifacts")
            .key("weather/v2/agent.zip")
            .body(ByteStream::from_static(b"kms"))
            .server_side_encryption(ServerSideEncryption::AwsKms)
            .ssekms_key_id("arn:aws:kms:us-west-2:123456789012:key/abc")
            .send()
            .await
            .expect("put kms");
    assert_eq!(
        kms.ssekms_key_id(),
        Some("arn:aws:kms:us-west-2:123456789012:key/abc")
    );

    let got =
        c.s3.get_object()
            .bucket("artifacts")
            .key("weather/v1/agent.zip")
            .send()
            .await
            .expect("get");
    assert_eq!(
        got.server_side_encryption(),
        Some(&ServerSideEncryption::Aes256)
    );
    assert_eq!(got.e_tag(), put.e_tag());
    let body = got.body.collect().await.expect("body").into_bytes();
    assert_eq!(body.as_ref(), payload.as_slice());
    let head =
        c.s3.head_object()
            .bucket("artifacts")
            .key("weather/v2/agent.zip")
            .send()
            .await
            .expect("head");
    assert_eq!(head.content_length(), Some(3));
    assert_eq!(
        head.server_side_encryption(),
        Some(&ServerSideEncryption::AwsKms)
    );
    assert_eq!(
        head.ssekms_key_id(),
        Some("arn:aws:kms:us-west-2:123456789012:key/abc")
    );

    let missing =
        c.s3.get_object()
            .bucket("artifacts")
            .key("nope")
            .send()
            .await
            .expect_err("no key");
    assert_eq!(status_and_code(&missing), (404, "NoSuchKey".into()));
    let no_bucket =
        c.s3.put_object()
            .bucket("absent-bucket")
            .key("k")
            .body(ByteStream::from_static(b"x"))
            .send()
            .await
            .expect_err("no bucket");
    assert_eq!(status_and_code(&no_bucket), (404, "NoSuchBucket".into()));
    assert!(
        c.s3.head_object()
            .bucket("artifacts")
            .key("nope")
            .send()
            .await
            .is_err()
    );
    local.stop().await;

    // Objects persist across a restart.
    let again = start(dir.path()).await;
    let c = clients(&again.url, "us-west-2").await;
    let got =
        c.s3.get_object()
            .bucket("artifacts")
            .key("weather/v1/agent.zip")
            .send()
            .await
            .expect("get after restart");
    assert_eq!(
        got.body.collect().await.expect("body").into_bytes().len(),
        payload.len()
    );
    again.stop().await;
}

#[tokio::test]
async fn a_corrupted_upload_is_refused() {
    let dir = tempfile::tempdir().expect("tempdir");
    let local = start(dir.path()).await;
    let c = clients(&local.url, "us-west-2").await;
    bucket(&c, "checked").await;
    let a = auth("s3", "us-west-2");
    // CRC32 of "hello" is NhCmhg==; the body says otherwise.
    let (status, resp) = raw(
        &local.url,
        "PUT",
        "/checked/k",
        &[("authorization", &a), ("x-amz-checksum-crc32", "NhCmhg==")],
        "jello",
    )
    .await;
    assert_eq!(status, 400, "{resp}");
    assert!(resp.contains("<Code>BadDigest</Code>"), "{resp}");
    let (status, _) = raw(
        &local.url,
        "PUT",
        "/checked/k",
        &[("authorization", &a), ("x-amz-checksum-crc32", "NhCmhg==")],
        "hello",
    )
    .await;
    assert_eq!(status, 200);
    let (status, resp) = raw(
        &local.url,
        "PUT",
        "/checked/k2",
        &[
            ("authorization", &a),
            ("x-amz-server-side-encryption", "rot13"),
        ],
        "x",
    )
    .await;
    assert_eq!(status, 400);
    assert!(resp.contains("InvalidArgument"), "{resp}");
    local.stop().await;
}

#[tokio::test]
async fn code_runtimes_need_their_artifact_in_s3() {
    let dir = tempfile::tempdir().expect("tempdir");
    let local = start(dir.path()).await;
    let c = clients(&local.url, "us-west-2").await;
    bucket(&c, "code").await;
    c.s3.put_object()
        .bucket("code")
        .key("mcp/agent.zip")
        .body(ByteStream::from(fixture_zip()))
        .send()
        .await
        .expect("put");
    let make = |name: &'static str, key: &'static str| {
        c.control
            .create_agent_runtime()
            .agent_runtime_name(name)
            .agent_runtime_artifact(code("code", key))
            .role_arn(ROLE)
            .network_configuration(public())
            .protocol_configuration(mcp())
            .send()
    };
    let good = make("with_code", "mcp/agent.zip")
        .await
        .expect("create")
        .agent_runtime_id;
    let bad = make("without_code", "mcp/missing.zip")
        .await
        .expect("create")
        .agent_runtime_id;
    settled(&c, &good).await;
    settled(&c, &bad).await;
    let g = c
        .control
        .get_agent_runtime()
        .agent_runtime_id(&good)
        .send()
        .await
        .expect("get");
    assert_eq!(g.status().as_str(), "READY");
    let b = c
        .control
        .get_agent_runtime()
        .agent_runtime_id(&bad)
        .send()
        .await
        .expect("get");
    assert_eq!(b.status().as_str(), "CREATE_FAILED");
    assert!(
        b.failure_reason()
            .unwrap_or_default()
            .contains("s3://code/mcp/missing.zip"),
        "{:?}",
        b.failure_reason()
    );
    let eps = agentcore_console::backend::runtimes::list_endpoints(&c, &bad)
        .await
        .expect("eps");
    assert_eq!(eps[0].status.as_str(), "CREATE_FAILED");
    assert_eq!(eps[0].live_version, None);
    local.stop().await;
}

#[tokio::test]
async fn ranged_gets_serve_the_bytes_asked_for() {
    let dir = tempfile::tempdir().expect("tempdir");
    let local = start(dir.path()).await;
    let c = clients(&local.url, "us-west-2").await;
    bucket(&c, "ranged").await;
    let data: Vec<u8> = (0..1000u32).map(|i| (i % 251) as u8).collect();
    c.s3.put_object()
        .bucket("ranged")
        .key("k")
        .body(ByteStream::from(data.clone()))
        .send()
        .await
        .expect("put");
    let get = |range: &'static str| {
        let c = &c;
        async move {
            c.s3.get_object()
                .bucket("ranged")
                .key("k")
                .range(range)
                .send()
                .await
        }
    };
    let part = get("bytes=10-19").await.expect("ranged get");
    assert_eq!(part.content_range(), Some("bytes 10-19/1000"));
    assert_eq!(part.content_length(), Some(10));
    let body = part.body.collect().await.expect("body").into_bytes();
    assert_eq!(&body[..], &data[10..20]);
    let tail = get("bytes=-5").await.expect("suffix range");
    let body = tail.body.collect().await.expect("body").into_bytes();
    assert_eq!(&body[..], &data[995..]);
    let past = get("bytes=2000-").await.expect_err("past the end");
    assert_eq!(status_and_code(&past), (416, "InvalidRange".into()));
    local.stop().await;
}
