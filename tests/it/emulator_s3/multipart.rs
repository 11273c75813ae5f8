//! Multipart uploads, as the AWS CLI and boto3 make them for anything over 8 MB.

use agentcore_console::backend::Clients;
use aws_sdk_s3::primitives::ByteStream;
use aws_sdk_s3::types::{CompletedMultipartUpload, CompletedPart, ServerSideEncryption};
use md5::Digest;

use super::bucket;
use super::support::*;

const MIB: usize = 1024 * 1024;

async fn create(c: &Clients, b: &str, key: &str) -> String {
    c.s3.create_multipart_upload()
        .bucket(b)
        .key(key)
        .send()
        .await
        .expect("create upload")
        .upload_id()
        .expect("upload id")
        .to_string()
}

async fn part(c: &Clients, b: &str, key: &str, id: &str, n: i32, data: Vec<u8>) -> String {
    c.s3.upload_part()
        .bucket(b)
        .key(key)
        .upload_id(id)
        .part_number(n)
        .body(ByteStream::from(data))
        .send()
        .await
        .expect("upload part")
        .e_tag()
        .expect("part etag")
        .to_string()
}

fn listed(parts: &[(i32, &str)]) -> CompletedMultipartUpload {
    CompletedMultipartUpload::builder()
        .set_parts(Some(
            parts
                .iter()
                .map(|(n, e)| CompletedPart::builder().part_number(*n).e_tag(*e).build())
                .collect(),
        ))
        .build()
}

async fn complete_err(
    c: &Clients,
    b: &str,
    key: &str,
    id: &str,
    parts: &[(i32, &str)],
) -> (u16, String) {
    let e =
        c.s3.complete_multipart_upload()
            .bucket(b)
            .key(key)
            .upload_id(id)
            .multipart_upload(listed(parts))
            .send()
            .await
            .expect_err("complete must fail");
    status_and_code(&e)
}

#[tokio::test]
async fn parts_become_one_object_with_the_uploads_encryption() {
    let dir = tempfile::tempdir().expect("tempdir");
    let local = start(dir.path()).await;
    let c = clients(&local.url, "us-west-2").await;
    bucket(&c, "big").await;
    let created =
        c.s3.create_multipart_upload()
            .bucket("big")
            .key("data/blob.bin")
            .server_side_encryption(ServerSideEncryption::Aes256)
            .content_type("application/zip")
            .metadata("origin", "test")
            .send()
            .await
            .expect("create upload");
    assert_eq!(
        created.server_side_encryption(),
        Some(&ServerSideEncryption::Aes256)
    );
    assert_eq!(created.bucket(), Some("big"));
    assert_eq!(created.key(), Some("data/blob.bin"));
    let id = created.upload_id().expect("id").to_string();
    let first: Vec<u8> = (0..6 * MIB).map(|i| (i % 253) as u8).collect();
    let second = b"the small last part".to_vec();
    let e1 = part(&c, "big", "data/blob.bin", &id, 1, first.clone()).await;
    assert_eq!(e1, format!("\"{}\"", hex(&md5::Md5::digest(&first))));
    local.stop().await;

    // An upload in progress survives a restart, as objects do.
    let local = start(dir.path()).await;
    let c = clients(&local.url, "us-west-2").await;
    let e2 = part(&c, "big", "data/blob.bin", &id, 2, second.clone()).await;
    let done =
        c.s3.complete_multipart_upload()
            .bucket("big")
            .key("data/blob.bin")
            .upload_id(&id)
            .multipart_upload(listed(&[(1, &e1), (2, &e2)]))
            .send()
            .await
            .expect("complete");
    let mut md5s = md5::Md5::digest(&first).to_vec();
    md5s.extend_from_slice(&md5::Md5::digest(&second));
    let expected = format!("\"{}-2\"", hex(&md5::Md5::digest(&md5s)));
    assert_eq!(done.e_tag(), Some(expected.as_str()));
    assert_eq!(done.bucket(), Some("big"));
    assert_eq!(done.key(), Some("data/blob.bin"));
    assert!(
        done.location()
            .unwrap_or_default()
            .ends_with("/big/data/blob.bin"),
        "{:?}",
        done.location()
    );
    assert_eq!(
        done.server_side_encryption(),
        Some(&ServerSideEncryption::Aes256)
    );

    let got =
        c.s3.get_object()
            .bucket("big")
            .key("data/blob.bin")
            .send()
            .await
            .expect("get");
    assert_eq!(got.content_type(), Some("application/zip"));
    let body = got.body.collect().await.expect("body").into_bytes();
    assert_eq!(body.len(), first.len() + second.len());
    assert!(body[..first.len()] == first[..] && body[first.len()..] == second[..]);
    let head =
        c.s3.head_object()
            .bucket("big")
            .key("data/blob.bin")
            .send()
            .await
            .expect("head");
    assert_eq!(head.e_tag(), Some(expected.as_str()));
    assert_eq!(
        head.server_side_encryption(),
        Some(&ServerSideEncryption::Aes256)
    );
    assert_eq!(
        head.content_length(),
        Some((first.len() + second.len()) as i64)
    );
    assert_eq!(
        head.metadata()
            .and_then(|m| m.get("origin"))
            .map(String::as_str),
        Some("test")
    );
    // Completing ends the upload: its parts are gone.
    assert!(!dir.path().join("uploads").join(&id).exists());
    let (status, code) = complete_err(&c, "big", "data/blob.bin", &id, &[(1, &e1), (2, &e2)]).await;
    assert_eq!((status, code.as_str()), (404, "NoSuchUpload"));
    local.stop().await;
}

fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

#[tokio::test]
async fn completing_checks_the_parts_as_s3_does() {
    let dir = tempfile::tempdir().expect("tempdir");
    let local = start(dir.path()).await;
    let c = clients(&local.url, "us-west-2").await;
    bucket(&c, "strict").await;
    let id = create(&c, "strict", "k").await;
    let big = part(&c, "strict", "k", &id, 1, vec![7u8; 5 * MIB]).await;
    let small = part(&c, "strict", "k", &id, 2, b"tiny".to_vec()).await;
    let tail = part(&c, "strict", "k", &id, 3, b"tail".to_vec()).await;

    // Part 4 was never uploaded; part 1's ETag is not the one listed.
    let never = complete_err(&c, "strict", "k", &id, &[(1, &big), (4, &small)]).await;
    assert_eq!(never, (400, "InvalidPart".into()));
    let wrong = complete_err(&c, "strict", "k", &id, &[(1, &small), (2, &small)]).await;
    assert_eq!(wrong, (400, "InvalidPart".into()));
    let order = complete_err(&c, "strict", "k", &id, &[(2, &small), (1, &big)]).await;
    assert_eq!(order, (400, "InvalidPartOrder".into()));
    let too_small = complete_err(
        &c,
        "strict",
        "k",
        &id,
        &[(1, &big), (2, &small), (3, &tail)],
    )
    .await;
    assert_eq!(too_small, (400, "EntityTooSmall".into()));
    let none = complete_err(&c, "strict", "k", &id, &[]).await;
    assert_eq!(none, (400, "MalformedXML".into()));
    // The same id on another key is not that upload.
    let other = complete_err(&c, "strict", "other", &id, &[(1, &big)]).await;
    assert_eq!(other, (404, "NoSuchUpload".into()));

    // After those refusals the upload is intact: a valid list completes it.
    let done =
        c.s3.complete_multipart_upload()
            .bucket("strict")
            .key("k")
            .upload_id(&id)
            .multipart_upload(listed(&[(1, &big), (3, &tail)]))
            .send()
            .await
            .expect("complete");
    assert!(
        done.e_tag().unwrap_or_default().ends_with("-2\""),
        "{:?}",
        done.e_tag()
    );
    let got =
        c.s3.get_object()
            .bucket("strict")
            .key("k")
            .send()
            .await
            .expect("get");
    // (Read to the end: an unread body would hold the connection open at shutdown.)
    let body = got.body.collect().await.expect("body").into_bytes();
    assert_eq!(body.len(), 5 * MIB + 4);
    assert!(body[..5 * MIB].iter().all(|&b| b == 7) && &body[5 * MIB..] == b"tail");

    let unknown = complete_err(&c, "strict", "k", "NoSuchUploadId0", &[(1, &big)]).await;
    assert_eq!(unknown, (404, "NoSuchUpload".into()));
    // An id is never a path: `..` cannot reach the state dir's other folders.
    let a = auth("s3", "us-west-2");
    let (status, body) = raw(
        &local.url,
        "POST",
        "/strict/k?uploadId=..%2Fobjects",
        &[("authorization", &a)],
        "<CompleteMultipartUpload><Part><PartNumber>1</PartNumber><ETag>x</ETag></Part></CompleteMultipartUpload>",
    )
    .await;
    assert_eq!(status, 404, "{body}");
    assert!(body.contains("<Code>NoSuchUpload</Code>"), "{body}");
    local.stop().await;
}

#[tokio::test]
async fn abort_removes_the_parts_and_the_upload() {
    let dir = tempfile::tempdir().expect("tempdir");
    let local = start(dir.path()).await;
    let c = clients(&local.url, "us-west-2").await;
    bucket(&c, "aborted").await;
    let id = create(&c, "aborted", "k").await;
    let e1 = part(&c, "aborted", "k", &id, 1, b"part one".to_vec()).await;
    let folder = dir.path().join("uploads").join(&id);
    assert!(folder.is_dir(), "parts are kept under the state dir");
    c.s3.abort_multipart_upload()
        .bucket("aborted")
        .key("k")
        .upload_id(&id)
        .send()
        .await
        .expect("abort");
    assert!(!folder.exists(), "abort removes the parts");

    let upload =
        c.s3.upload_part()
            .bucket("aborted")
            .key("k")
            .upload_id(&id)
            .part_number(2)
            .body(ByteStream::from_static(b"late"))
            .send()
            .await
            .expect_err("aborted");
    assert_eq!(status_and_code(&upload), (404, "NoSuchUpload".into()));
    let complete = complete_err(&c, "aborted", "k", &id, &[(1, &e1)]).await;
    assert_eq!(complete, (404, "NoSuchUpload".into()));
    let again =
        c.s3.abort_multipart_upload()
            .bucket("aborted")
            .key("k")
            .upload_id(&id)
            .send()
            .await
            .expect_err("already aborted");
    assert_eq!(status_and_code(&again), (404, "NoSuchUpload".into()));
    let unknown =
        c.s3.upload_part()
            .bucket("aborted")
            .key("k")
            .upload_id("neverCreated")
            .part_number(1)
            .body(ByteStream::from_static(b"x"))
            .send()
            .await
            .expect_err("unknown");
    assert_eq!(status_and_code(&unknown), (404, "NoSuchUpload".into()));
    assert!(
        c.s3.get_object()
            .bucket("aborted")
            .key("k")
            .send()
            .await
            .is_err(),
        "an aborted upload leaves no object"
    );
    local.stop().await;
}
