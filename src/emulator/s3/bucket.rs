//! CreateBucket and HeadBucket. Bucket names are global, as on AWS; the region a bucket lives
//! in is the one of the endpoint it was created through.

use axum::body::Body;
use axum::http::{Response, StatusCode};

use super::{Emulator, Req, S3Error, err, header, no_such_bucket, ok_response, persist};
use crate::emulator::ids;
use crate::emulator::state::Bucket;

fn valid_bucket_name(name: &str) -> bool {
    (3..=63).contains(&name.len())
        && name
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'.')
        && name.as_bytes()[0].is_ascii_alphanumeric()
        && name.as_bytes()[name.len() - 1].is_ascii_alphanumeric()
}

/// `<LocationConstraint>` of a CreateBucketConfiguration body, if any.
fn location_constraint(body: &[u8]) -> Result<Option<String>, S3Error> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Ok(None);
    }
    let malformed = |_| {
        err(
            StatusCode::BAD_REQUEST,
            "MalformedXML",
            "The XML you provided was not well-formed",
        )
    };
    let mut reader = quick_xml::Reader::from_reader(body);
    let mut inside = false;
    let mut buf = Vec::new();
    loop {
        match reader.read_event_into(&mut buf).map_err(malformed)? {
            quick_xml::events::Event::Start(e) => {
                inside = e.local_name().as_ref() == b"LocationConstraint"
            }
            quick_xml::events::Event::Text(t) if inside => {
                let text = t
                    .decode()
                    .map_err(|e| malformed(quick_xml::Error::from(e)))?;
                return Ok(Some(text.trim().to_string()));
            }
            quick_xml::events::Event::End(_) => inside = false,
            quick_xml::events::Event::Eof => return Ok(None),
            _ => {}
        }
        buf.clear();
    }
}

pub(super) async fn create(
    emu: &Emulator,
    req: &Req,
    bucket: &str,
) -> Result<Response<Body>, S3Error> {
    if !valid_bucket_name(bucket) {
        return Err(err(
            StatusCode::BAD_REQUEST,
            "InvalidBucketName",
            "The specified bucket is not valid.",
        ));
    }
    let region = &req.scope.region;
    let constraint = location_constraint(&req.body)?;
    let expected = (region != "us-east-1").then_some(region.as_str());
    if constraint.as_deref().filter(|c| !c.is_empty()) != expected {
        return Err(err(
            StatusCode::BAD_REQUEST,
            "IllegalLocationConstraintException",
            match constraint {
                None => "The unspecified location constraint is incompatible for the region specific endpoint this request was sent to.".to_string(),
                Some(c) => format!("The {c} location constraint is incompatible for the region specific endpoint this request was sent to."),
            },
        ));
    }
    {
        let mut state = emu.store.write();
        if let Some(b) = state.buckets.get(bucket) {
            return Err(if b.account == req.scope.account {
                err(
                    StatusCode::CONFLICT,
                    "BucketAlreadyOwnedByYou",
                    "Your previous request to create the named bucket succeeded and you already own it.",
                )
            } else {
                err(
                    StatusCode::CONFLICT,
                    "BucketAlreadyExists",
                    "The requested bucket name is not available.",
                )
            });
        }
        state.buckets.insert(
            bucket.to_string(),
            Bucket {
                name: bucket.to_string(),
                account: req.scope.account.clone(),
                region: region.clone(),
                created_at: ids::now_iso(),
                objects: Default::default(),
            },
        );
    }
    persist(emu).await?;
    let mut resp = ok_response(Body::empty());
    header(&mut resp, "location", &format!("/{bucket}"));
    Ok(resp)
}

pub(super) fn head(emu: &Emulator, bucket: &str) -> Result<Response<Body>, S3Error> {
    let state = emu.store.read();
    let b = state
        .buckets
        .get(bucket)
        .ok_or_else(|| no_such_bucket(bucket))?;
    let mut resp = ok_response(Body::empty());
    header(&mut resp, "x-amz-bucket-region", &b.region);
    Ok(resp)
}
