//! S3 conditional writes and reads, side by side: the same calls against moto and the local
//! AgentCore must get the same answers. moto 5.2.5 implements PutObject's `If-Match` (404
//! NoSuchKey on an absent key, 412 on another ETag) and `If-None-Match: *`, and
//! CompleteMultipartUpload's `If-None-Match: *`; it serves requests one at a time, so the
//! 409 ConditionalRequestConflict of a race is tested against the local AgentCore only
//! (`emulator_s3::conditional`).

use aws_sdk_s3::types::{CompletedMultipartUpload, CompletedPart};

use super::*;
use crate::support::emulator::{start, status_and_code};

const KEY: &str = "rollouts/weather.json";

/// One call's answer: its status and error code ("" on success), and the ETag it returned.
type Answer = (u16, String, Option<String>);

fn answer<E, R>(r: Result<Option<String>, aws_sdk_s3::error::SdkError<E, R>>) -> Answer
where
    E: aws_smithy_types::error::metadata::ProvideErrorMetadata,
    R: crate::support::emulator::HasStatus,
{
    match r {
        Ok(etag) => (200, String::new(), etag),
        Err(e) => {
            let (status, code) = status_and_code(&e);
            (status, code, None)
        }
    }
}

/// The sequence the rollout state needs, against one S3; ETags are the bodies' MD5s, so they
/// are the same on both peers.
async fn conditional_sequence(c: &Clients) -> Vec<(&'static str, Answer)> {
    crate::support::emulator::us_west_2_bucket(c, BUCKET).await;
    let put = |body: &'static [u8], if_none: Option<&str>, if_match: Option<&str>| {
        c.s3.put_object()
            .bucket(BUCKET)
            .key(KEY)
            .body(ByteStream::from_static(body))
            .set_if_none_match(if_none.map(str::to_string))
            .set_if_match(if_match.map(str::to_string))
            .send()
    };
    let mut seen = vec![];
    let stale = "\"00000000000000000000000000000000\"";
    seen.push((
        "If-Match on an absent key",
        answer(
            put(b"v0", None, Some(stale))
                .await
                .map(|o| o.e_tag().map(str::to_string)),
        ),
    ));
    let created = answer(
        put(b"v1", Some("*"), None)
            .await
            .map(|o| o.e_tag().map(str::to_string)),
    );
    let v1 = created.2.clone().unwrap_or_default();
    seen.push(("create", created));
    seen.push((
        "create again",
        answer(
            put(b"v1 again", Some("*"), None)
                .await
                .map(|o| o.e_tag().map(str::to_string)),
        ),
    ));
    let updated = answer(
        put(b"v2", None, Some(&v1))
            .await
            .map(|o| o.e_tag().map(str::to_string)),
    );
    let v2 = updated.2.clone().unwrap_or_default();
    seen.push(("update", updated));
    seen.push((
        "update with a stale ETag",
        answer(
            put(b"v3", None, Some(&v1))
                .await
                .map(|o| o.e_tag().map(str::to_string)),
        ),
    ));
    seen.push((
        "update with the ETag unquoted",
        answer(
            put(b"v3", None, Some(v2.trim_matches('"')))
                .await
                .map(|o| o.e_tag().map(str::to_string)),
        ),
    ));
    let get = |if_none: Option<&str>, if_match: Option<&str>| {
        c.s3.get_object()
            .bucket(BUCKET)
            .key(KEY)
            .set_if_none_match(if_none.map(str::to_string))
            .set_if_match(if_match.map(str::to_string))
            .send()
    };
    let current =
        c.s3.head_object()
            .bucket(BUCKET)
            .key(KEY)
            .send()
            .await
            .expect("HeadObject")
            .e_tag()
            .unwrap_or_default()
            .to_string();
    seen.push((
        "get If-None-Match current",
        answer(
            get(Some(&current), None)
                .await
                .map(|o| o.e_tag().map(str::to_string)),
        ),
    ));
    seen.push((
        "get If-Match stale",
        answer(
            get(None, Some(&v1))
                .await
                .map(|o| o.e_tag().map(str::to_string)),
        ),
    ));

    let id =
        c.s3.create_multipart_upload()
            .bucket(BUCKET)
            .key(KEY)
            .send()
            .await
            .expect("CreateMultipartUpload")
            .upload_id()
            .unwrap_or_default()
            .to_string();
    let part =
        c.s3.upload_part()
            .bucket(BUCKET)
            .key(KEY)
            .upload_id(&id)
            .part_number(1)
            .body(ByteStream::from_static(b"multipart"))
            .send()
            .await
            .expect("UploadPart")
            .e_tag()
            .unwrap_or_default()
            .to_string();
    let completed =
        c.s3.complete_multipart_upload()
            .bucket(BUCKET)
            .key(KEY)
            .upload_id(&id)
            .multipart_upload(
                CompletedMultipartUpload::builder()
                    .parts(CompletedPart::builder().part_number(1).e_tag(part).build())
                    .build(),
            )
            .if_none_match("*")
            .send()
            .await;
    seen.push((
        "complete a multipart upload If-None-Match on an existing key",
        answer(completed.map(|o| o.e_tag().map(str::to_string))),
    ));
    seen
}

#[tokio::test]
async fn s3_conditional_requests_answer_as_moto_does() {
    let p = peer().await;
    let moto = conditional_sequence(&p.clients).await;
    let dir = tempfile::tempdir().expect("tempdir");
    let local = start(dir.path()).await;
    let c = crate::support::emulator::clients(&local.url, "us-west-2").await;
    let ours = conditional_sequence(&c).await;
    local.stop().await;
    for ((step, theirs), (_, mine)) in moto.iter().zip(&ours) {
        assert_eq!(mine, theirs, "{step}: local AgentCore vs moto");
    }
    assert_eq!(moto.len(), ours.len());
    // And the answers are S3's, not merely the same.
    let codes: Vec<_> = ours.iter().map(|(_, (s, c, _))| (*s, c.as_str())).collect();
    assert_eq!(
        codes,
        [
            (404, "NoSuchKey"),
            (200, ""),
            (412, "PreconditionFailed"),
            (200, ""),
            (412, "PreconditionFailed"),
            (200, ""),
            (304, ""),
            (412, "PreconditionFailed"),
            (412, "PreconditionFailed"),
        ]
    );
}
