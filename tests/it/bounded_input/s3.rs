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

/// Set the size of the (one) object in the state file; returns its blob's file name.
fn resize(v: &mut serde_json::Value, size: u64) -> Option<String> {
    match v {
        serde_json::Value::Object(m) if m.contains_key("blob") => {
            m.insert("size".into(), size.into());
            m.get("blob").and_then(|b| b.as_str()).map(str::to_string)
        }
        serde_json::Value::Object(m) => m.values_mut().find_map(|x| resize(x, size)),
        serde_json::Value::Array(a) => a.iter_mut().find_map(|x| resize(x, size)),
        _ => None,
    }
}

#[tokio::test]
async fn a_ranged_get_reads_only_its_range() {
    let dir = tempfile::tempdir().expect("tempdir");
    let a = auth("s3", "us-east-1");
    let local = start(dir.path()).await;
    let (status, _) = raw(&local.url, "PUT", "/sparse", &[("authorization", &a)], "").await;
    assert_eq!(status, 200, "bucket");
    let (status, _) = raw(
        &local.url,
        "PUT",
        "/sparse/huge",
        &[("authorization", &a)],
        "x",
    )
    .await;
    assert_eq!(status, 200, "object");
    local.stop().await;
    // A 1 TiB object, sparse on disk: it cannot be read whole, only seeked into.
    let tib = 1u64 << 40;
    let state = dir.path().join("state.json");
    let mut v: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&state).expect("state")).expect("json");
    let blob = resize(&mut v, tib).expect("the object's metadata");
    std::fs::write(&state, v.to_string()).expect("write state");
    std::fs::OpenOptions::new()
        .write(true)
        .open(dir.path().join("objects").join(blob))
        .and_then(|f| f.set_len(tib))
        .expect("sparse blob");

    let local = start(dir.path()).await;
    let range = format!("bytes={}-", tib - 10);
    let (status, resp) = raw(
        &local.url,
        "GET",
        "/sparse/huge",
        &[("authorization", &a), ("range", &range)],
        "",
    )
    .await;
    assert_eq!(status, 206, "{resp}");
    let content_range = format!("bytes {}-{}/{tib}", tib - 10, tib - 1);
    assert!(resp.to_ascii_lowercase().contains(&content_range), "{resp}");
    assert!(resp.ends_with(&"\0".repeat(10)), "{resp}");
    let (status, resp) = raw(
        &local.url,
        "GET",
        "/sparse/huge",
        &[("authorization", &a), ("range", "bytes=0-3")],
        "",
    )
    .await;
    assert_eq!(status, 206, "{resp}");
    assert!(resp.ends_with("x\0\0\0"), "{resp}");
    local.stop().await;
}
