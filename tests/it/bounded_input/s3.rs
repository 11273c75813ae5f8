//! The local S3 answers a malformed aws-chunked body with S3's error document.

use crate::support::emulator::{auth, raw, start};

#[tokio::test]
async fn a_chunk_size_near_u64_max_is_an_incomplete_body() {
    let dir = tempfile::tempdir().expect("tempdir");
    let local = start(dir.path()).await;
    let a = auth("s3", "us-east-1");
    let (status, _resp) = raw(&local.url, "PUT", "/chunky", &[("authorization", &a)], "").await;
    assert_eq!(status, 200, "bucket: {_resp}");
    let chunked = [
        ("authorization", a.as_str()),
        ("content-encoding", "aws-chunked"),
    ];
    // `size + 2` overflowed and the request panicked.
    let (status, resp) = raw(
        &local.url,
        "PUT",
        "/chunky/k",
        &chunked,
        "ffffffffffffffff\r\nhello\r\n0\r\n\r\n",
    )
    .await;
    assert_eq!(status, 400, "{resp}");
    assert!(resp.contains("<Code>IncompleteBody</Code>"), "{resp}");
    let (status, resp) = raw(
        &local.url,
        "PUT",
        "/chunky/k",
        &chunked,
        "5\r\nhello\r\n0\r\n\r\n",
    )
    .await;
    assert_eq!(status, 200, "{resp}");
    local.stop().await;
}
