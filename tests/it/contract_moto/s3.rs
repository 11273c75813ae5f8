//! S3 as deploy uses it: buckets in a region, objects with server-side encryption.

use super::*;

#[tokio::test]
async fn s3_bucket_in_us_west_2_needs_a_location_constraint() {
    let p = peer().await;
    let c = &p.clients;
    let refused =
        c.s3.create_bucket()
            .bucket(BUCKET)
            .send()
            .await
            .expect_err("CreateBucket without a LocationConstraint in us-west-2");
    let refused = BackendError::sdk("CreateBucket", refused);
    assert_eq!(
        refused.code(),
        Some("IllegalLocationConstraintException"),
        "{refused:?}"
    );

    c.s3.create_bucket()
        .bucket(BUCKET)
        .create_bucket_configuration(
            CreateBucketConfiguration::builder()
                .location_constraint(BucketLocationConstraint::UsWest2)
                .build(),
        )
        .send()
        .await
        .expect("CreateBucket with LocationConstraint us-west-2");
    let location =
        c.s3.get_bucket_location()
            .bucket(BUCKET)
            .send()
            .await
            .expect("GetBucketLocation");
    assert_eq!(
        location.location_constraint(),
        Some(&BucketLocationConstraint::UsWest2)
    );
}

#[tokio::test]
async fn s3_objects_round_trip_with_server_side_encryption() {
    let p = peer().await;
    let c = &p.clients;
    c.s3.create_bucket()
        .bucket(BUCKET)
        .create_bucket_configuration(
            CreateBucketConfiguration::builder()
                .location_constraint(BucketLocationConstraint::UsWest2)
                .build(),
        )
        .send()
        .await
        .expect("CreateBucket");

    // Not a multiple of any chunk size, every byte value present.
    let zip: Vec<u8> = (0..70_001u32).map(|i| (i % 251) as u8).collect();
    let put =
        c.s3.put_object()
            .bucket(BUCKET)
            .key("weather/v1.zip")
            .body(ByteStream::from(zip.clone()))
            .server_side_encryption(ServerSideEncryption::Aes256)
            .send()
            .await
            .expect("PutObject SSE-S3");
    assert_eq!(
        put.server_side_encryption(),
        Some(&ServerSideEncryption::Aes256)
    );
    assert!(put.e_tag().is_some_and(|t| !t.is_empty()));

    const KEY_ID: &str =
        "arn:aws:kms:us-west-2:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab";
    let put_kms =
        c.s3.put_object()
            .bucket(BUCKET)
            .key("weather/v2.zip")
            .body(ByteStream::from_static(b"PK\x03\x04 kms-encrypted build"))
            .server_side_encryption(ServerSideEncryption::AwsKms)
            .ssekms_key_id(KEY_ID)
            .send()
            .await
            .expect("PutObject SSE-KMS");
    assert_eq!(
        put_kms.server_side_encryption(),
        Some(&ServerSideEncryption::AwsKms)
    );
    assert_eq!(put_kms.ssekms_key_id(), Some(KEY_ID));

    let got =
        c.s3.get_object()
            .bucket(BUCKET)
            .key("weather/v1.zip")
            .send()
            .await
            .expect("GetObject SSE-S3");
    assert_eq!(
        got.server_side_encryption(),
        Some(&ServerSideEncryption::Aes256)
    );
    assert_eq!(got.content_length(), Some(zip.len() as i64));
    let body = got.body.collect().await.expect("body").into_bytes();
    assert_eq!(body.as_ref(), zip.as_slice(), "body intact");

    let got_kms =
        c.s3.get_object()
            .bucket(BUCKET)
            .key("weather/v2.zip")
            .send()
            .await
            .expect("GetObject SSE-KMS");
    assert_eq!(
        got_kms.server_side_encryption(),
        Some(&ServerSideEncryption::AwsKms)
    );
    assert_eq!(got_kms.ssekms_key_id(), Some(KEY_ID));
    let body = got_kms.body.collect().await.expect("body").into_bytes();
    assert_eq!(body.as_ref(), b"PK\x03\x04 kms-encrypted build");

    let head =
        c.s3.head_object()
            .bucket(BUCKET)
            .key("weather/v1.zip")
            .send()
            .await
            .expect("HeadObject SSE-S3");
    assert_eq!(head.content_length(), Some(zip.len() as i64));
    assert_eq!(
        head.server_side_encryption(),
        Some(&ServerSideEncryption::Aes256)
    );
    assert_eq!(head.e_tag(), put.e_tag());
    let head_kms =
        c.s3.head_object()
            .bucket(BUCKET)
            .key("weather/v2.zip")
            .send()
            .await
            .expect("HeadObject SSE-KMS");
    assert_eq!(
        head_kms.server_side_encryption(),
        Some(&ServerSideEncryption::AwsKms)
    );
    assert_eq!(head_kms.ssekms_key_id(), Some(KEY_ID));

    let missing =
        c.s3.head_object()
            .bucket(BUCKET)
            .key("weather/v3.zip")
            .send()
            .await
            .expect_err("HeadObject of a missing key");
    assert!(
        missing.as_service_error().is_some_and(|e| e.is_not_found()),
        "{missing:?}"
    );
}

#[tokio::test]
async fn deploy_uploads_its_artifact_with_server_side_encryption() {
    // S3 (since 2023) and the local AgentCore encrypt every object whatever the upload asks;
    // moto reports encryption only when the upload asked for it, so here HeadObject shows
    // whether deploy sent the header.
    use agentcore_console::backend::audit::{Actor, AuditLog};
    use agentcore_console::backend::deploy::{self, DeployRequest, Source, Stage};

    let p = peer().await;
    let state = tempfile::tempdir().expect("tempdir");
    let audit = AuditLog::at(state.path().join("audit.jsonl"));
    let req = DeployRequest {
        runtime: "weather".into(),
        source: Source::Dir {
            dir: concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/tiny-mcp").into(),
            entry_point: "main.py".into(),
            language: "PYTHON_3_12".into(),
        },
        endpoint: None,
        role_arn: Some(ROLE.into()),
        env_vars: vec![],
        unset_env: vec![],
        description: None,
        timeout: std::time::Duration::from_secs(5),
        armed: false,
        posture: Default::default(),
        allow_posture_change: false,
        smoke: None,
    };
    let mut uploaded = None;
    let mut progress = |stage: Stage| {
        if let Stage::Uploaded { uri } = stage {
            uploaded = Some(uri);
        }
    };
    // moto has no InvokeAgentRuntime, so the deploy fails at validation at the latest; the
    // upload came first.
    let outcome = deploy::deploy(
        &p.backend,
        ENV,
        &req,
        &Actor::new("contract test".into()),
        &audit,
        &mut progress,
    )
    .await;
    assert!(outcome.is_err(), "moto cannot validate a deploy");
    let uri = uploaded.expect("the artifact was uploaded");
    let (bucket, key) = uri
        .strip_prefix("s3://")
        .and_then(|r| r.split_once('/'))
        .expect("an s3:// URI");
    assert_eq!(bucket, "agentcore-console-123456789012-us-west-2");
    let head = p
        .clients
        .s3
        .head_object()
        .bucket(bucket)
        .key(key)
        .send()
        .await
        .expect("HeadObject of the artifact");
    assert_eq!(
        head.server_side_encryption(),
        Some(&ServerSideEncryption::Aes256)
    );
}
