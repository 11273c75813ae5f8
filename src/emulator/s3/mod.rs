//! The S3 subset code artifacts and rollout state need (restXml, path-style): CreateBucket,
//! HeadBucket, PutObject (SSE headers honoured), GetObject, HeadObject, DeleteObject
//! ([`delete`]), ListObjectsV2 ([`list`]), and multipart uploads (in [`multipart`]: the AWS CLI and boto3 switch to them
//! above 8 MB). Writes and reads honour
//! S3's conditional headers ([`conditional`]): the rollout state relies on them.

mod bucket;
mod conditional;
mod delete;
mod list;
mod multipart;
mod range;

use std::collections::BTreeMap;

use axum::body::Body;
use axum::http::{HeaderValue, Method, Response, StatusCode};
use quick_xml::escape::escape;
use time::OffsetDateTime;

use super::Emulator;
use super::http::Req;
use super::ids;
use super::s3_body;
use super::state::ObjectMeta;
use super::store::atomic_write;

/// An S3 error: the XML `<Error>` document (no body for HEAD).
struct S3Error {
    status: StatusCode,
    code: &'static str,
    message: String,
}

fn err(status: StatusCode, code: &'static str, message: impl Into<String>) -> S3Error {
    S3Error {
        status,
        code,
        message: message.into(),
    }
}

/// An injected fault's answer: `SlowDown` (503, which the SDKs retry) or `InternalError`.
pub fn fault_response(req: &Req, throttle: bool, raw_path: &str) -> Response<Body> {
    let e = if throttle {
        err(
            StatusCode::SERVICE_UNAVAILABLE,
            "SlowDown",
            "Please reduce your request rate.",
        )
    } else {
        err(
            StatusCode::INTERNAL_SERVER_ERROR,
            "InternalError",
            "We encountered an internal error. Please try again.",
        )
    };
    error_response(e, req.method == Method::HEAD, raw_path)
}

/// Serve one S3 call; `corrupt` (a fault) makes a PutObject store its bytes with one changed.
pub async fn handle(emu: &Emulator, req: Req, raw_path: &str, corrupt: bool) -> Response<Body> {
    let head = req.method == Method::HEAD;
    let result = route(emu, &req, raw_path, corrupt).await;
    result.unwrap_or_else(|e| error_response(e, head, raw_path))
}

async fn route(
    emu: &Emulator,
    req: &Req,
    raw_path: &str,
    corrupt: bool,
) -> Result<Response<Body>, S3Error> {
    let trimmed = raw_path.trim_start_matches('/');
    let (bucket_raw, key_raw) = trimmed.split_once('/').unwrap_or((trimmed, ""));
    let decode = |s: &str| {
        percent_encoding::percent_decode_str(s)
            .decode_utf8_lossy()
            .into_owned()
    };
    let bucket = decode(bucket_raw);
    let key = decode(key_raw);
    if bucket.is_empty() {
        return Err(err(
            StatusCode::NOT_IMPLEMENTED,
            "NotImplemented",
            "ListBuckets is not implemented by the local AgentCore",
        ));
    }
    let has_subresource = !req.query.is_empty() && req.query.iter().any(|(k, _)| k != "x-id");
    let upload_id = req.query("uploadId");
    match (&req.method, key.is_empty()) {
        (&Method::POST, false) if req.query("uploads").is_some() => {
            multipart::create(emu, req, &bucket, &key).await
        }
        (&Method::PUT, false) if req.header("x-amz-copy-source").is_none() => {
            match (upload_id, req.query("partNumber")) {
                (Some(id), Some(n)) => multipart::upload_part(emu, req, &bucket, &key, id, n).await,
                _ if !has_subresource => put_object(emu, req, &bucket, &key, corrupt).await,
                _ => Err(not_implemented(req, raw_path)),
            }
        }
        (&Method::POST, false) if upload_id.is_some() => {
            let id = upload_id.unwrap_or_default();
            multipart::complete(emu, req, &bucket, &key, id, raw_path).await
        }
        (&Method::DELETE, false) if upload_id.is_some() => {
            multipart::abort(emu, &bucket, &key, upload_id.unwrap_or_default()).await
        }
        (&Method::DELETE, false) if !has_subresource => {
            delete::delete_object(emu, &bucket, &key).await
        }
        (&Method::PUT, true) if !has_subresource => bucket::create(emu, req, &bucket).await,
        (&Method::HEAD, true) => bucket::head(emu, &bucket),
        (&Method::GET, true) if req.query("list-type") == Some("2") => {
            list::list_v2(emu, req, &bucket)
        }
        (&Method::GET, false) if !has_subresource => {
            get_object(emu, req, &bucket, &key, true).await
        }
        (&Method::HEAD, false) => get_object(emu, req, &bucket, &key, false).await,
        _ => Err(not_implemented(req, raw_path)),
    }
}

fn not_implemented(req: &Req, raw_path: &str) -> S3Error {
    err(
        StatusCode::NOT_IMPLEMENTED,
        "NotImplemented",
        format!(
            "{} {raw_path} is not implemented by the local AgentCore",
            req.method
        ),
    )
}

fn no_such_bucket(bucket: &str) -> S3Error {
    err(
        StatusCode::NOT_FOUND,
        "NoSuchBucket",
        format!("The specified bucket does not exist: {bucket}"),
    )
}

/// The SSE headers of PutObject / CreateMultipartUpload: the algorithm (S3 encrypts with
/// AES256 when none is asked for) and the KMS key id.
fn sse_headers(req: &Req) -> Result<(String, Option<String>), S3Error> {
    let sse = req
        .header("x-amz-server-side-encryption")
        .unwrap_or("AES256")
        .to_string();
    if !matches!(sse.as_str(), "AES256" | "aws:kms" | "aws:kms:dsse") {
        return Err(err(
            StatusCode::BAD_REQUEST,
            "InvalidArgument",
            format!("Server Side Encryption with {sse} is not supported"),
        ));
    }
    let kms_key_id = req
        .header("x-amz-server-side-encryption-aws-kms-key-id")
        .map(str::to_string);
    if kms_key_id.is_some() && sse == "AES256" {
        return Err(err(
            StatusCode::BAD_REQUEST,
            "InvalidArgument",
            "a KMS key id needs aws:kms encryption",
        ));
    }
    Ok((sse, kms_key_id))
}

/// The bytes of a PutObject / UploadPart body (aws-chunked undone) and its CRC32, if one was
/// sent as a header or a trailer; a CRC32 that does not match is refused as S3 does.
fn upload_body(req: &Req) -> Result<(bytes::Bytes, Option<String>), S3Error> {
    let upload = s3_body::decode(&req.headers, req.body.clone())
        .map_err(|m| err(StatusCode::BAD_REQUEST, "IncompleteBody", m))?;
    let crc = req
        .header("x-amz-checksum-crc32")
        .map(str::to_string)
        .or_else(|| {
            upload
                .trailers
                .iter()
                .find(|(k, _)| k == "x-amz-checksum-crc32")
                .map(|(_, v)| v.clone())
        });
    s3_body::verify_crc32(crc.as_deref(), &upload.data)
        .map_err(|m| err(StatusCode::BAD_REQUEST, "BadDigest", m))?;
    Ok((upload.data, crc))
}

/// `x-amz-meta-*` headers, without the prefix.
fn user_metadata(req: &Req) -> BTreeMap<String, String> {
    req.headers
        .iter()
        .filter_map(|(k, v)| {
            Some((
                k.as_str().strip_prefix("x-amz-meta-")?.to_string(),
                v.to_str().ok()?.to_string(),
            ))
        })
        .collect()
}

async fn put_object(
    emu: &Emulator,
    req: &Req,
    bucket: &str,
    key: &str,
    corrupt: bool,
) -> Result<Response<Body>, S3Error> {
    let (sse, kms_key_id) = sse_headers(req)?;
    let condition = conditional::WriteCondition::from_request(req)?;
    let snapshot = check_write(emu, bucket, key, condition.as_ref())?;
    let (mut data, crc) = upload_body(req)?;
    if corrupt && !data.is_empty() {
        // After the checksum check: what was sent was right, what is kept is not.
        let mut v = data.to_vec();
        v[0] ^= 0xff;
        data = v.into();
    }
    let blob = format!("{}-{}", ids::suffix(16), data.len());
    let dir = emu.store.dir().join("objects");
    let (name, bytes) = (blob.clone(), data.clone());
    tokio::task::spawn_blocking(move || atomic_write(&dir, &name, &bytes))
        .await
        .map_err(|e| internal(e.to_string()))?
        .map_err(|e| internal(format!("cannot store the object: {e}")))?;
    let meta = ObjectMeta {
        blob,
        size: data.len() as u64,
        etag: s3_body::etag(&data),
        content_type: req.header("content-type").map(str::to_string),
        sse,
        kms_key_id,
        last_modified: OffsetDateTime::now_utc().unix_timestamp(),
        metadata: user_metadata(req),
    };
    store_object(emu, bucket, key, &meta, snapshot.as_ref()).await?;
    let mut resp = ok_response(Body::empty());
    object_headers(&mut resp, &meta, false);
    if let Some(c) = crc {
        header(&mut resp, "x-amz-checksum-crc32", &c);
    }
    Ok(resp)
}

/// The bucket must exist; a conditional write's condition must hold now (the snapshot it
/// must still hold at commit is returned).
fn check_write(
    emu: &Emulator,
    bucket: &str,
    key: &str,
    condition: Option<&conditional::WriteCondition>,
) -> Result<Option<conditional::Snapshot>, S3Error> {
    let state = emu.store.read();
    let b = state
        .buckets
        .get(bucket)
        .ok_or_else(|| no_such_bucket(bucket))?;
    condition.map(|c| c.check(b.objects.get(key))).transpose()
}

/// Record an object whose blob is already written, and drop the blob it replaces. A
/// conditional write passes the snapshot it was checked against: if another write committed
/// since, this one is refused with 409 and its blob dropped.
async fn store_object(
    emu: &Emulator,
    bucket: &str,
    key: &str,
    meta: &ObjectMeta,
    expected: Option<&conditional::Snapshot>,
) -> Result<(), S3Error> {
    let objects = emu.store.dir().join("objects");
    let replaced = {
        let mut state = emu.store.write();
        state.buckets.get_mut(bucket).map(|b| {
            if let Some(expected) = expected
                && !conditional::still_current(expected, b.objects.get(key))
            {
                return Err(conditional::conflict());
            }
            Ok(b.objects.insert(key.to_string(), meta.clone()))
        })
    };
    let replaced = match replaced {
        Some(Ok(replaced)) => replaced,
        lost => {
            let _ = tokio::fs::remove_file(objects.join(&meta.blob)).await;
            // None: the bucket went away while the blob was written.
            return Err(lost
                .and_then(Result::err)
                .unwrap_or_else(|| no_such_bucket(bucket)));
        }
    };
    persist(emu).await?;
    if let Some(old) = replaced {
        let _ = tokio::fs::remove_file(objects.join(old.blob)).await;
    }
    Ok(())
}

async fn get_object(
    emu: &Emulator,
    req: &Req,
    bucket: &str,
    key: &str,
    with_body: bool,
) -> Result<Response<Body>, S3Error> {
    let meta = {
        let state = emu.store.read();
        let b = state
            .buckets
            .get(bucket)
            .ok_or_else(|| no_such_bucket(bucket))?;
        b.objects.get(key).cloned().ok_or_else(|| {
            err(
                StatusCode::NOT_FOUND,
                "NoSuchKey",
                "The specified key does not exist.",
            )
        })?
    };
    if conditional::check_read(req, &meta)? == conditional::ReadOutcome::NotModified {
        let mut resp = ok_response(Body::empty());
        *resp.status_mut() = StatusCode::NOT_MODIFIED;
        header(&mut resp, "etag", &meta.etag);
        return Ok(resp);
    }
    let range = range::parse(req.header("range"), meta.size).map_err(|()| {
        err(
            StatusCode::RANGE_NOT_SATISFIABLE,
            "InvalidRange",
            "The requested range is not satisfiable",
        )
    })?;
    let body = if with_body {
        let (start, len) = range.map_or((0, meta.size), |(a, b)| (a, b - a + 1));
        let blob = emu.store.dir().join("objects").join(&meta.blob);
        range::file_body(&blob, start, len)
            .await
            .map_err(internal)?
    } else {
        Body::empty()
    };
    let mut resp = ok_response(body);
    object_headers(&mut resp, &meta, true);
    if let Some((a, b)) = range {
        *resp.status_mut() = StatusCode::PARTIAL_CONTENT;
        header(
            &mut resp,
            "content-range",
            &format!("bytes {a}-{b}/{}", meta.size),
        );
        header(&mut resp, "content-length", &(b - a + 1).to_string());
    }
    header(&mut resp, "accept-ranges", "bytes");
    Ok(resp)
}

fn object_headers(resp: &mut Response<Body>, meta: &ObjectMeta, full: bool) {
    header(resp, "etag", &meta.etag);
    header(resp, "x-amz-server-side-encryption", &meta.sse);
    if let Some(k) = &meta.kms_key_id {
        header(resp, "x-amz-server-side-encryption-aws-kms-key-id", k);
    }
    if !full {
        return;
    }
    header(resp, "content-length", &meta.size.to_string());
    header(
        resp,
        "content-type",
        meta.content_type
            .as_deref()
            .unwrap_or("binary/octet-stream"),
    );
    if let Ok(t) = OffsetDateTime::from_unix_timestamp(meta.last_modified) {
        header(resp, "last-modified", &ids::http_date(t));
    }
    for (k, v) in &meta.metadata {
        header(resp, &format!("x-amz-meta-{k}"), v);
    }
}

async fn persist(emu: &Emulator) -> Result<(), S3Error> {
    emu.store
        .persist()
        .await
        .map_err(|e| internal(e.to_string()))
}

fn internal(message: String) -> S3Error {
    err(StatusCode::INTERNAL_SERVER_ERROR, "InternalError", message)
}

fn ok_response(body: Body) -> Response<Body> {
    let mut resp = Response::new(body);
    header(&mut resp, "x-amz-request-id", &ids::request_id());
    resp
}

fn header(resp: &mut Response<Body>, name: &str, value: &str) {
    if let (Ok(n), Ok(v)) = (
        axum::http::HeaderName::try_from(name),
        HeaderValue::from_str(value),
    ) {
        resp.headers_mut().insert(n, v);
    }
}

fn error_response(e: S3Error, head: bool, resource: &str) -> Response<Body> {
    let body = if head {
        Body::empty()
    } else {
        Body::from(format!(
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>{}</Code><Message>{}</Message><Resource>{}</Resource><RequestId>{}</RequestId></Error>",
            e.code,
            escape(e.message.as_str()),
            escape(resource),
            ids::request_id()
        ))
    };
    let mut resp = ok_response(body);
    *resp.status_mut() = e.status;
    if !head {
        header(&mut resp, "content-type", "application/xml");
    }
    resp
}
