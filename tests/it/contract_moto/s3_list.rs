//! ListObjectsV2, side by side with moto: what `rollout list` reads (the keys under
//! `rollouts/`, a page at a time). The continuation token is opaque on both, so only what it
//! leads to is compared.

use super::*;
use crate::support::emulator::start;

/// Every page of a prefix listing with `max_keys` per page: (keys, key count, truncated).
async fn pages(c: &Clients, prefix: &str, max_keys: i32) -> Vec<(Vec<String>, i32, bool)> {
    let mut out = vec![];
    let mut token = None;
    loop {
        let page =
            c.s3.list_objects_v2()
                .bucket(BUCKET)
                .prefix(prefix)
                .max_keys(max_keys)
                .set_continuation_token(token)
                .send()
                .await
                .expect("ListObjectsV2");
        let keys = page
            .contents()
            .iter()
            .filter_map(|o| o.key().map(str::to_string))
            .collect();
        out.push((
            keys,
            page.key_count().unwrap_or(-1),
            page.is_truncated().unwrap_or(false),
        ));
        token = page.next_continuation_token().map(str::to_string);
        if token.is_none() {
            return out;
        }
    }
}

async fn listing(c: &Clients) -> Vec<(Vec<String>, i32, bool)> {
    crate::support::emulator::us_west_2_bucket(c, BUCKET).await;
    for key in [
        "rollouts/weather.json",
        "weather/v1.zip",
        "rollouts/docs.json",
        "rollouts/b&w.json",
    ] {
        c.s3.put_object()
            .bucket(BUCKET)
            .key(key)
            .body(ByteStream::from_static(b"{}"))
            .send()
            .await
            .expect("PutObject");
    }
    let mut seen = pages(c, "rollouts/", 2).await;
    seen.extend(pages(c, "nothing/", 1000).await);
    seen
}

#[tokio::test]
async fn list_objects_v2_pages_as_moto_does() {
    let p = peer().await;
    let moto = listing(&p.clients).await;
    let dir = tempfile::tempdir().expect("tempdir");
    let local = start(dir.path()).await;
    let c = crate::support::emulator::clients(&local.url, "us-west-2").await;
    let ours = listing(&c).await;
    local.stop().await;
    assert_eq!(ours, moto, "local AgentCore vs moto");
    let keys = |i: usize| ours[i].0.clone();
    assert_eq!(
        (keys(0), keys(1), keys(2)),
        (
            vec!["rollouts/b&w.json".to_string(), "rollouts/docs.json".into()],
            vec!["rollouts/weather.json".to_string()],
            vec![]
        ),
        "binary key order, pages of two, an empty prefix listed empty"
    );
    assert_eq!((ours[0].2, ours[1].2), (true, false));
}
