//! Conditional writes and reads, through the Rust SDK: the rollout state is created with
//! `If-None-Match: *` and updated with `If-Match: <etag>`, so exactly one writer must win.

use agentcore_console::backend::Clients;
use aws_sdk_s3::primitives::ByteStream;
use aws_sdk_s3::types::{CompletedMultipartUpload, CompletedPart};

use super::bucket;
use super::support::*;

const B: &str = "rollouts";
const KEY: &str = "rollouts/weather.json";

async fn put(c: &Clients, body: &[u8], if_none: Option<&str>, if_match: Option<&str>) -> String {
    try_put(c, KEY, body.to_vec(), if_none, if_match)
        .await
        .unwrap_or_else(|e| panic!("put: {:?}", status_and_code(&e)))
}

async fn try_put(
    c: &Clients,
    key: &str,
    body: Vec<u8>,
    if_none: Option<&str>,
    if_match: Option<&str>,
) -> Result<
    String,
    aws_sdk_s3::error::SdkError<
        aws_sdk_s3::operation::put_object::PutObjectError,
        aws_smithy_runtime_api::http::Response,
    >,
> {
    let out =
        c.s3.put_object()
            .bucket(B)
            .key(key)
            .body(ByteStream::from(body))
            .set_if_none_match(if_none.map(str::to_string))
            .set_if_match(if_match.map(str::to_string))
            .send()
            .await?;
    Ok(out.e_tag().expect("etag").to_string())
}

async fn body_of(c: &Clients, key: &str) -> Vec<u8> {
    c.s3.get_object()
        .bucket(B)
        .key(key)
        .send()
        .await
        .expect("get")
        .body
        .collect()
        .await
        .expect("body")
        .to_vec()
}

#[tokio::test]
async fn create_only_then_compare_and_swap() {
    let dir = tempfile::tempdir().expect("tempdir");
    let local = start(dir.path()).await;
    let c = clients(&local.url, "us-west-2").await;
    bucket(&c, B).await;

    // If-Match on an absent key: 404 NoSuchKey (the S3 user guide), not 412.
    let absent = try_put(&c, KEY, b"x".to_vec(), None, Some("\"0\""))
        .await
        .expect_err("absent");
    assert_eq!(status_and_code(&absent), (404, "NoSuchKey".into()));

    let first = put(&c, b"v1", Some("*"), None).await;
    let again = try_put(&c, KEY, b"v1 again".to_vec(), Some("*"), None)
        .await
        .expect_err("exists");
    assert_eq!(status_and_code(&again), (412, "PreconditionFailed".into()));
    assert_eq!(
        body_of(&c, KEY).await,
        b"v1",
        "a refused create changes nothing"
    );

    let second = put(&c, b"v2", None, Some(&first)).await;
    assert_ne!(second, first, "the update returns the new ETag");
    let stale = try_put(&c, KEY, b"v3".to_vec(), None, Some(&first))
        .await
        .expect_err("stale");
    assert_eq!(status_and_code(&stale), (412, "PreconditionFailed".into()));
    assert_eq!(body_of(&c, KEY).await, b"v2");
    // The ETag bare (without its quotes) is the same ETag.
    put(&c, b"v3", None, Some(second.trim_matches('"'))).await;

    // S3 has no "write unless the ETag is": If-None-Match on a write takes only '*'.
    let unsupported = try_put(&c, KEY, b"v4".to_vec(), Some("\"abc\""), None)
        .await
        .expect_err("not *");
    assert_eq!(
        status_and_code(&unsupported),
        (501, "NotImplemented".into())
    );
    local.stop().await;
}

#[tokio::test]
async fn conditional_reads_answer_304_and_412() {
    let dir = tempfile::tempdir().expect("tempdir");
    let local = start(dir.path()).await;
    let c = clients(&local.url, "us-west-2").await;
    bucket(&c, B).await;
    let etag = put(&c, b"state", None, None).await;

    let same =
        c.s3.get_object()
            .bucket(B)
            .key(KEY)
            .if_none_match(&etag)
            .send()
            .await
            .expect_err("not modified");
    assert_eq!(status_and_code(&same).0, 304);
    let changed =
        c.s3.get_object()
            .bucket(B)
            .key(KEY)
            .if_none_match("\"other\"")
            .if_match(&etag)
            .send()
            .await
            .expect("modified");
    assert_eq!(changed.e_tag(), Some(etag.as_str()));
    let wrong =
        c.s3.get_object()
            .bucket(B)
            .key(KEY)
            .if_match("\"other\"")
            .send()
            .await
            .expect_err("precondition");
    assert_eq!(status_and_code(&wrong), (412, "PreconditionFailed".into()));
    let head =
        c.s3.head_object()
            .bucket(B)
            .key(KEY)
            .if_match("\"other\"")
            .send()
            .await
            .expect_err("head precondition");
    assert_eq!(status_and_code(&head).0, 412);
    local.stop().await;
}

/// Writers that all read the same ETag race to update it: exactly one wins, each loser gets
/// 412 (it began after the winner committed) or 409 (it was in flight when the winner did),
/// and the object is the winner's. Bodies are large enough that writes overlap.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_conditional_updates_have_one_winner() {
    let dir = tempfile::tempdir().expect("tempdir");
    let local = start(dir.path()).await;
    let c = clients(&local.url, "us-west-2").await;
    bucket(&c, B).await;
    let base = put(&c, b"base", None, None).await;

    for (round, cond, key) in [(0u8, "update", KEY), (1, "create", "rollouts/fresh.json")] {
        let writers = 12u8;
        let tasks: Vec<_> = (0..writers)
            .map(|i| {
                let c = c.clone();
                let base = base.clone();
                let body = vec![i.wrapping_add(round * 50); 512 * 1024];
                tokio::spawn(async move {
                    let r = match cond {
                        "update" => try_put(&c, key, body.clone(), None, Some(&base)).await,
                        _ => try_put(&c, key, body.clone(), Some("*"), None).await,
                    };
                    (body, r.map_err(|e| status_and_code(&e)))
                })
            })
            .collect();
        let mut winners = vec![];
        for t in tasks {
            let (body, r) = t.await.expect("task");
            match r {
                Ok(_) => winners.push(body),
                Err((412, code)) => assert_eq!(code, "PreconditionFailed"),
                Err((409, code)) => assert_eq!(code, "ConditionalRequestConflict"),
                Err(other) => panic!("{cond}: unexpected {other:?}"),
            }
        }
        assert_eq!(winners.len(), 1, "{cond}: exactly one writer wins");
        assert!(
            body_of(&c, key).await == winners[0],
            "{cond}: the object is the winner's"
        );
    }
    local.stop().await;
}

#[tokio::test]
async fn complete_multipart_upload_is_conditional_too() {
    let dir = tempfile::tempdir().expect("tempdir");
    let local = start(dir.path()).await;
    let c = clients(&local.url, "us-west-2").await;
    bucket(&c, B).await;
    let etag = put(&c, b"exists", None, None).await;

    let upload = |c: Clients| async move {
        let id =
            c.s3.create_multipart_upload()
                .bucket(B)
                .key(KEY)
                .send()
                .await
                .expect("create upload")
                .upload_id()
                .expect("id")
                .to_string();
        let part =
            c.s3.upload_part()
                .bucket(B)
                .key(KEY)
                .upload_id(&id)
                .part_number(1)
                .body(ByteStream::from_static(b"multipart"))
                .send()
                .await
                .expect("part")
                .e_tag()
                .expect("part etag")
                .to_string();
        let parts = CompletedMultipartUpload::builder()
            .parts(CompletedPart::builder().part_number(1).e_tag(part).build())
            .build();
        (id, parts)
    };
    let (id, parts) = upload(c.clone()).await;
    let complete = |if_none: Option<&str>, if_match: Option<&str>| {
        c.s3.complete_multipart_upload()
            .bucket(B)
            .key(KEY)
            .upload_id(&id)
            .multipart_upload(parts.clone())
            .set_if_none_match(if_none.map(str::to_string))
            .set_if_match(if_match.map(str::to_string))
            .send()
    };
    let exists = complete(Some("*"), None).await.expect_err("exists");
    assert_eq!(status_and_code(&exists), (412, "PreconditionFailed".into()));
    let stale = complete(None, Some("\"stale\"")).await.expect_err("stale");
    assert_eq!(status_and_code(&stale), (412, "PreconditionFailed".into()));
    // A refused completion leaves the upload in place: it can complete with the right ETag.
    let done = complete(None, Some(&etag)).await.expect("complete");
    assert_ne!(done.e_tag(), Some(etag.as_str()));
    assert_eq!(body_of(&c, KEY).await, b"multipart");
    local.stop().await;
}
