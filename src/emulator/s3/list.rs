//! ListObjectsV2 (`GET /<bucket>?list-type=2`): keys in UTF-8 binary order, `prefix`,
//! `start-after`, `max-keys` (at most 1000, as on S3) and an opaque continuation token. No
//! `delimiter`: nothing here needs folders, and a half-done grouping would mislead.

use axum::body::Body;
use axum::http::{Response, StatusCode};
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use quick_xml::escape::escape;

use super::{Emulator, Req, S3Error, err, header, no_such_bucket, ok_response};
use crate::emulator::ids;

const MAX_KEYS: usize = 1000;

pub(super) fn list_v2(emu: &Emulator, req: &Req, bucket: &str) -> Result<Response<Body>, S3Error> {
    if req.query("delimiter").is_some() {
        return Err(err(
            StatusCode::NOT_IMPLEMENTED,
            "NotImplemented",
            "ListObjectsV2 with a delimiter is not implemented by the local AgentCore",
        ));
    }
    let prefix = req.query("prefix").unwrap_or_default();
    let max_keys = match req.query("max-keys") {
        None => MAX_KEYS,
        Some(v) => v.parse::<usize>().map_err(|_| {
            err(
                StatusCode::BAD_REQUEST,
                "InvalidArgument",
                "Provided max-keys not an integer or within integer range",
            )
        })?,
    }
    .min(MAX_KEYS);
    let token = req.query("continuation-token");
    let after = match token {
        Some(t) => Some(decode_token(t)?),
        None => req.query("start-after").map(str::to_string),
    };
    let url = req.query("encoding-type") == Some("url");
    let state = emu.store.read();
    let b = state
        .buckets
        .get(bucket)
        .ok_or_else(|| no_such_bucket(bucket))?;
    let mut keys = b
        .objects
        .range::<str, _>((
            after
                .as_deref()
                .map_or(std::ops::Bound::Unbounded, std::ops::Bound::Excluded),
            std::ops::Bound::Unbounded,
        ))
        .filter(|(k, _)| k.starts_with(prefix));
    let page: Vec<_> = keys.by_ref().take(max_keys).collect();
    let truncated = max_keys > 0 && keys.next().is_some();
    let show = |s: &str| {
        if url {
            percent_encoding::utf8_percent_encode(s, percent_encoding::NON_ALPHANUMERIC).to_string()
        } else {
            escape(s).into_owned()
        }
    };
    let mut xml = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n\
         <ListBucketResult xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">",
    );
    xml += &format!(
        "<Name>{}</Name><Prefix>{}</Prefix><KeyCount>{}</KeyCount><MaxKeys>{max_keys}</MaxKeys>\
         <IsTruncated>{truncated}</IsTruncated>",
        escape(bucket),
        show(prefix),
        page.len()
    );
    if url {
        xml += "<EncodingType>url</EncodingType>";
    }
    if let Some(t) = token {
        xml += &format!("<ContinuationToken>{}</ContinuationToken>", escape(t));
    }
    if let Some(s) = req.query("start-after").filter(|_| token.is_none()) {
        xml += &format!("<StartAfter>{}</StartAfter>", show(s));
    }
    for (key, meta) in &page {
        let modified = time::OffsetDateTime::from_unix_timestamp(meta.last_modified)
            .map(ids::iso)
            .unwrap_or_default();
        xml += &format!(
            "<Contents><Key>{}</Key><LastModified>{modified}</LastModified><ETag>{}</ETag>\
             <Size>{}</Size><StorageClass>STANDARD</StorageClass></Contents>",
            show(key),
            escape(&meta.etag),
            meta.size
        );
    }
    if truncated && let Some((last, _)) = page.last() {
        xml += &format!(
            "<NextContinuationToken>{}</NextContinuationToken>",
            STANDARD.encode(last.as_bytes())
        );
    }
    xml += "</ListBucketResult>";
    let mut resp = ok_response(Body::from(xml));
    header(&mut resp, "content-type", "application/xml");
    Ok(resp)
}

fn decode_token(t: &str) -> Result<String, S3Error> {
    STANDARD
        .decode(t)
        .ok()
        .and_then(|b| String::from_utf8(b).ok())
        .ok_or_else(|| {
            err(
                StatusCode::BAD_REQUEST,
                "InvalidArgument",
                "The continuation token provided is incorrect",
            )
        })
}
