//! Conditional requests as S3 answers them: writes (PutObject, CompleteMultipartUpload) with
//! `If-None-Match: *` (create only) or `If-Match: <etag>` (compare and swap), and reads
//! (GetObject, HeadObject) with `If-Match` / `If-None-Match`.
//!
//! A conditional write is checked twice: when it arrives (412, or 404 for `If-Match` on an
//! absent key, as the S3 user guide's "Conditional write behavior" says) and again, under the
//! store's lock, when it commits. If another write committed to the key in between, the write
//! lost a race it could not see when it began: 409 `ConditionalRequestConflict`, and the
//! client retries (the rollout state's lease relies on exactly one writer winning).

use axum::http::StatusCode;

use super::{Req, S3Error, err};
use crate::emulator::state::ObjectMeta;

/// What a conditional write asked for.
#[derive(Debug, Default, Clone)]
pub(super) struct WriteCondition {
    /// `If-None-Match: *`: the key must not exist.
    create_only: bool,
    /// `If-Match`: the current object's ETag must be one of these.
    if_match: Option<String>,
}

/// The key's state a conditional write was checked against: the current object's blob (each
/// write stores a fresh one), or `None` when the key was absent.
pub(super) type Snapshot = Option<String>;

impl WriteCondition {
    /// The write's conditions, if it has any; `If-None-Match` with anything but `*` is refused
    /// as S3 refuses it (S3 has no "write unless the ETag is" semantics).
    pub(super) fn from_request(req: &Req) -> Result<Option<Self>, S3Error> {
        let none_match = req.header("if-none-match").map(str::trim);
        let if_match = req.header("if-match").map(str::to_string);
        if let Some(v) = none_match
            && v != "*"
        {
            return Err(err(
                StatusCode::NOT_IMPLEMENTED,
                "NotImplemented",
                format!(
                    "A header you provided implies functionality that is not implemented: \
                     If-None-Match on a write takes only '*', got '{v}'"
                ),
            ));
        }
        if none_match.is_none() && if_match.is_none() {
            return Ok(None);
        }
        Ok(Some(Self {
            create_only: none_match.is_some(),
            if_match,
        }))
    }

    /// Check the condition against the key's current object; on success, the snapshot the
    /// commit must still see.
    pub(super) fn check(&self, current: Option<&ObjectMeta>) -> Result<Snapshot, S3Error> {
        if let Some(tags) = &self.if_match {
            let Some(meta) = current else {
                return Err(err(
                    StatusCode::NOT_FOUND,
                    "NoSuchKey",
                    "The specified key does not exist.",
                ));
            };
            if !etag_listed(tags, &meta.etag) {
                return Err(precondition_failed("If-Match"));
            }
        }
        if self.create_only && current.is_some() {
            return Err(precondition_failed("If-None-Match"));
        }
        Ok(current.map(|m| m.blob.clone()))
    }
}

/// At commit: the key must still hold what the write was checked against.
pub(super) fn still_current(expected: &Snapshot, current: Option<&ObjectMeta>) -> bool {
    current.map(|m| &m.blob) == expected.as_ref()
}

pub(super) fn conflict() -> S3Error {
    err(
        StatusCode::CONFLICT,
        "ConditionalRequestConflict",
        "The conditional request cannot succeed due to a conflicting operation against this \
         resource: read the object's ETag again and retry.",
    )
}

fn precondition_failed(condition: &str) -> S3Error {
    err(
        StatusCode::PRECONDITION_FAILED,
        "PreconditionFailed",
        format!("At least one of the pre-conditions you specified did not hold ({condition})"),
    )
}

/// What a conditional read gets: the object, or 304 Not Modified.
#[derive(Debug, PartialEq, Eq)]
pub(super) enum ReadOutcome {
    Serve,
    NotModified,
}

/// GetObject / HeadObject: `If-Match` first (412 when it fails), then `If-None-Match` (304
/// when the ETag matches), as RFC 7232 §6 orders them.
pub(super) fn check_read(req: &Req, meta: &ObjectMeta) -> Result<ReadOutcome, S3Error> {
    if let Some(tags) = req.header("if-match")
        && !etag_listed(tags, &meta.etag)
    {
        return Err(precondition_failed("If-Match"));
    }
    if let Some(tags) = req.header("if-none-match")
        && etag_listed(tags, &meta.etag)
    {
        return Ok(ReadOutcome::NotModified);
    }
    Ok(ReadOutcome::Serve)
}

/// Whether `etag` is in a header's list (`*` lists every ETag). Quotes and a weak `W/` prefix
/// are ignored: clients send the ETag both quoted and bare.
fn etag_listed(list: &str, etag: &str) -> bool {
    let bare = |t: &str| {
        let t = t.trim();
        t.strip_prefix("W/")
            .unwrap_or(t)
            .trim_matches('"')
            .to_string()
    };
    let want = bare(etag);
    list.split(',').any(|t| t.trim() == "*" || bare(t) == want)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn meta(blob: &str, etag: &str) -> ObjectMeta {
        ObjectMeta {
            blob: blob.into(),
            size: 0,
            etag: etag.into(),
            content_type: None,
            sse: "AES256".into(),
            kms_key_id: None,
            last_modified: 0,
            metadata: Default::default(),
        }
    }

    fn code(r: Result<Snapshot, S3Error>) -> (u16, &'static str) {
        let e = r.expect_err("should fail");
        (e.status.as_u16(), e.code)
    }

    #[test]
    fn etags_match_quoted_bare_weak_or_star() {
        let tag = "\"abc\"";
        for list in ["\"abc\"", "abc", "W/\"abc\"", " \"x\", \"abc\" ", "*"] {
            assert!(etag_listed(list, tag), "{list}");
        }
        assert!(!etag_listed("\"abd\"", tag));
    }

    #[test]
    fn write_conditions_as_s3_answers_them() {
        let obj = meta("b1", "\"e1\"");
        let create = WriteCondition {
            create_only: true,
            if_match: None,
        };
        assert_eq!(create.check(None).ok(), Some(None));
        assert_eq!(code(create.check(Some(&obj))), (412, "PreconditionFailed"));
        let update = |t: &str| WriteCondition {
            create_only: false,
            if_match: Some(t.into()),
        };
        assert_eq!(
            update("\"e1\"").check(Some(&obj)).ok(),
            Some(Some("b1".into()))
        );
        assert_eq!(
            code(update("\"e0\"").check(Some(&obj))),
            (412, "PreconditionFailed")
        );
        // The user guide: If-Match on a key with no current object is 404, not 412.
        assert_eq!(code(update("\"e1\"").check(None)), (404, "NoSuchKey"));
    }

    #[test]
    fn a_commit_sees_any_write_that_came_between() {
        let before = meta("b1", "\"e\"");
        let after = meta("b2", "\"e\""); // same bytes rewritten: still another write
        assert!(still_current(&Some("b1".into()), Some(&before)));
        assert!(!still_current(&Some("b1".into()), Some(&after)));
        assert!(!still_current(&None, Some(&before)));
        assert!(still_current(&None, None));
    }
}
