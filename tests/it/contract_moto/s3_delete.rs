//! DeleteObject, side by side with moto: what promotion does to a copy whose SHA-256 differs.
//! 204 for a key that was there and again for one that is not (S3 is idempotent here), the
//! object gone afterwards (NoSuchKey), NoSuchBucket for a bucket that does not exist.

use super::*;
use crate::support::emulator::{auth, raw, start, status_and_code};

/// What each step answered: DeleteObject twice, then GetObject, then DeleteObject in a
/// missing bucket (status and error code where it failed).
async fn deletes(c: &Clients) -> Vec<(u16, String)> {
    crate::support::emulator::us_west_2_bucket(c, BUCKET).await;
    c.s3.put_object()
        .bucket(BUCKET)
        .key("weather/copy.zip")
        .body(ByteStream::from_static(b"zip bytes"))
        .send()
        .await
        .expect("PutObject");
    let mut seen = vec![];
    for _ in 0..2 {
        let out =
            c.s3.delete_object()
                .bucket(BUCKET)
                .key("weather/copy.zip")
                .send()
                .await;
        // The SDK keeps no status on success: 2xx it was (204 on S3).
        seen.push(out.map_or_else(|e| status_and_code(&e), |_| (204, String::new())));
    }
    let got =
        c.s3.get_object()
            .bucket(BUCKET)
            .key("weather/copy.zip")
            .send()
            .await
            .expect_err("deleted");
    seen.push(status_and_code(&got));
    let missing =
        c.s3.delete_object()
            .bucket("no-such-bucket-here")
            .key("k")
            .send()
            .await
            .expect_err("no bucket");
    seen.push(status_and_code(&missing));
    seen
}

#[tokio::test]
async fn delete_object_answers_as_moto_does() {
    let p = peer().await;
    let moto = deletes(&p.clients).await;
    let dir = tempfile::tempdir().expect("tempdir");
    let local = start(dir.path()).await;
    let c = crate::support::emulator::clients(&local.url, "us-west-2").await;
    let ours = deletes(&c).await;
    // The status the SDK does not keep: 204 No Content, on a key that is not there either.
    let (status, _) = raw(
        &local.url,
        "DELETE",
        &format!("/{BUCKET}/weather/copy.zip"),
        &[("Authorization", &auth("s3", "us-west-2"))],
        "",
    )
    .await;
    assert_eq!(status, 204);
    local.stop().await;
    assert_eq!(ours, moto, "local AgentCore vs moto");
    assert_eq!(
        ours,
        vec![
            (204, String::new()),
            (204, String::new()),
            (404, "NoSuchKey".to_string()),
            (404, "NoSuchBucket".to_string()),
        ]
    );
}
