//! Multipart uploads: CreateMultipartUpload, UploadPart, CompleteMultipartUpload and
//! AbortMultipartUpload (the AWS CLI and boto3 use them for anything over 8 MB).
//!
//! An upload lives in `<state-dir>/uploads/<upload-id>/`: `upload.json` (what
//! CreateMultipartUpload asked for: SSE, content type, metadata) and one file per part, each
//! written atomically like object blobs. Parts stay on disk rather than in memory (they can be
//! large), and an upload survives a restart as objects do. Completing streams the parts into a
//! new object blob, checking their MD5s on the way; completing or aborting removes the folder.

use std::collections::BTreeMap;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};

use axum::body::Body;
use axum::http::{Response, StatusCode};
use md5::Digest;
use quick_xml::escape::escape;
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use super::{
    Emulator, ObjectMeta, Req, S3Error, check_write, conditional, err, header, internal,
    no_such_bucket, ok_response, sse_headers, store_object, upload_body, user_metadata,
};
use crate::emulator::ids;
use crate::emulator::store::atomic_write;

/// S3's minimum size of every part but the last.
const MIN_PART: u64 = 5 * 1024 * 1024;
const RECORD: &str = "upload.json";

/// What CreateMultipartUpload asked for, applied to the object on completion.
#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct UploadRec {
    bucket: String,
    key: String,
    sse: String,
    kms_key_id: Option<String>,
    content_type: Option<String>,
    #[serde(default)]
    metadata: BTreeMap<String, String>,
}

fn no_such_upload() -> S3Error {
    err(
        StatusCode::NOT_FOUND,
        "NoSuchUpload",
        "The specified upload does not exist. The upload ID may be invalid, or the upload may have been aborted or completed.",
    )
}

fn invalid_part() -> S3Error {
    err(
        StatusCode::BAD_REQUEST,
        "InvalidPart",
        "One or more of the specified parts could not be found. The part may not have been uploaded, or the specified entity tag may not have matched the part's entity tag.",
    )
}

fn malformed() -> S3Error {
    err(
        StatusCode::BAD_REQUEST,
        "MalformedXML",
        "The XML you provided was not well-formed or did not validate against our published schema",
    )
}

fn io_error(what: &str) -> impl Fn(std::io::Error) -> S3Error + '_ {
    move |e| internal(format!("{what}: {e}"))
}

fn part_name(n: u32) -> String {
    format!("part-{n:05}")
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// The upload's folder and record; anything else (unknown id, another key) is NoSuchUpload.
async fn load(
    emu: &Emulator,
    bucket: &str,
    key: &str,
    upload_id: &str,
) -> Result<(PathBuf, UploadRec), S3Error> {
    if !emu.store.read().buckets.contains_key(bucket) {
        return Err(no_such_bucket(bucket));
    }
    // Ids are ours (letters and digits): anything else must not reach the file system.
    if upload_id.is_empty() || !upload_id.bytes().all(|b| b.is_ascii_alphanumeric()) {
        return Err(no_such_upload());
    }
    let dir = emu.store.dir().join("uploads").join(upload_id);
    let rec: UploadRec = match tokio::fs::read(dir.join(RECORD)).await {
        Ok(bytes) => serde_json::from_slice(&bytes)
            .map_err(|e| internal(format!("corrupt upload record: {e}")))?,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Err(no_such_upload()),
        Err(e) => return Err(internal(format!("cannot read the upload: {e}"))),
    };
    if rec.bucket != bucket || rec.key != key {
        return Err(no_such_upload());
    }
    Ok((dir, rec))
}

fn xml_response(body: String) -> Response<Body> {
    let mut resp = ok_response(Body::from(format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n{body}"
    )));
    header(&mut resp, "content-type", "application/xml");
    resp
}

/// S3 echoes the upload's encryption on every multipart response.
fn sse_echo(resp: &mut Response<Body>, rec: &UploadRec) {
    header(resp, "x-amz-server-side-encryption", &rec.sse);
    if let Some(k) = &rec.kms_key_id {
        header(resp, "x-amz-server-side-encryption-aws-kms-key-id", k);
    }
}

pub(super) async fn create(
    emu: &Emulator,
    req: &Req,
    bucket: &str,
    key: &str,
) -> Result<Response<Body>, S3Error> {
    let (sse, kms_key_id) = sse_headers(req)?;
    if !emu.store.read().buckets.contains_key(bucket) {
        return Err(no_such_bucket(bucket));
    }
    let rec = UploadRec {
        bucket: bucket.to_string(),
        key: key.to_string(),
        sse,
        kms_key_id,
        content_type: req.header("content-type").map(str::to_string),
        metadata: user_metadata(req),
    };
    let upload_id = ids::suffix(64);
    let uploads = emu.store.dir().join("uploads");
    let dir = uploads.join(&upload_id);
    let json = serde_json::to_vec_pretty(&rec).map_err(|e| internal(e.to_string()))?;
    tokio::task::spawn_blocking(move || {
        crate::private_fs::create_dir(&dir)?;
        std::fs::File::open(&uploads)?.sync_all()?;
        atomic_write(&dir, RECORD, &json)
    })
    .await
    .map_err(|e| internal(e.to_string()))?
    .map_err(io_error("cannot store the upload"))?;
    let mut resp = xml_response(format!(
        "<InitiateMultipartUploadResult xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\"><Bucket>{}</Bucket><Key>{}</Key><UploadId>{upload_id}</UploadId></InitiateMultipartUploadResult>",
        escape(bucket),
        escape(key)
    ));
    sse_echo(&mut resp, &rec);
    Ok(resp)
}

pub(super) async fn upload_part(
    emu: &Emulator,
    req: &Req,
    bucket: &str,
    key: &str,
    upload_id: &str,
    part_number: &str,
) -> Result<Response<Body>, S3Error> {
    let n = part_number
        .parse::<u32>()
        .ok()
        .filter(|n| (1..=10_000).contains(n))
        .ok_or_else(|| {
            err(
                StatusCode::BAD_REQUEST,
                "InvalidArgument",
                "Part number must be an integer between 1 and 10000, inclusive",
            )
        })?;
    let (dir, rec) = load(emu, bucket, key, upload_id).await?;
    let (data, crc) = upload_body(req)?;
    let etag = super::s3_body::etag(&data);
    let written = tokio::task::spawn_blocking(move || atomic_write(&dir, &part_name(n), &data))
        .await
        .map_err(|e| internal(e.to_string()))?;
    match written {
        Ok(()) => {}
        // Aborted while the part was on its way.
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Err(no_such_upload()),
        Err(e) => return Err(internal(format!("cannot store the part: {e}"))),
    }
    let mut resp = ok_response(Body::empty());
    header(&mut resp, "etag", &etag);
    sse_echo(&mut resp, &rec);
    if let Some(c) = crc {
        header(&mut resp, "x-amz-checksum-crc32", &c);
    }
    Ok(resp)
}

pub(super) async fn complete(
    emu: &Emulator,
    req: &Req,
    bucket: &str,
    key: &str,
    upload_id: &str,
    raw_path: &str,
) -> Result<Response<Body>, S3Error> {
    let (dir, rec) = load(emu, bucket, key, upload_id).await?;
    // Checked before the parts are assembled, and again at commit (see `conditional`).
    let condition = conditional::WriteCondition::from_request(req)?;
    let snapshot = check_write(emu, bucket, key, condition.as_ref())?;
    let parts = parse_parts(&req.body)?;
    if parts.windows(2).any(|w| w[0].0 >= w[1].0) {
        return Err(err(
            StatusCode::BAD_REQUEST,
            "InvalidPartOrder",
            "The list of parts was not in ascending order. The parts list must be specified in order by part number.",
        ));
    }
    let objects = emu.store.dir().join("objects");
    let upload_dir = dir.clone();
    let (blob, size, etag) =
        tokio::task::spawn_blocking(move || assemble(&upload_dir, &objects, &parts))
            .await
            .map_err(|e| internal(e.to_string()))??;
    let meta = ObjectMeta {
        blob,
        size,
        etag,
        content_type: rec.content_type.clone(),
        sse: rec.sse.clone(),
        kms_key_id: rec.kms_key_id.clone(),
        last_modified: OffsetDateTime::now_utc().unix_timestamp(),
        metadata: rec.metadata.clone(),
    };
    let stored = store_object(emu, bucket, key, &meta, snapshot.as_ref()).await;
    if let Err(e) = stored {
        // S3 asks for a new upload after a 409: this one is over.
        if e.code == "ConditionalRequestConflict" {
            let _ = tokio::fs::remove_dir_all(&dir).await;
        }
        return Err(e);
    }
    // The object is recorded: the upload is over, its parts can go.
    let _ = tokio::fs::remove_dir_all(&dir).await;
    let host = req.header("host").unwrap_or("127.0.0.1");
    let mut resp = xml_response(format!(
        "<CompleteMultipartUploadResult xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\"><Location>http://{}{}</Location><Bucket>{}</Bucket><Key>{}</Key><ETag>{}</ETag></CompleteMultipartUploadResult>",
        escape(host),
        escape(raw_path),
        escape(bucket),
        escape(key),
        escape(meta.etag.as_str())
    ));
    sse_echo(&mut resp, &rec);
    Ok(resp)
}

pub(super) async fn abort(
    emu: &Emulator,
    bucket: &str,
    key: &str,
    upload_id: &str,
) -> Result<Response<Body>, S3Error> {
    let (dir, _) = load(emu, bucket, key, upload_id).await?;
    tokio::fs::remove_dir_all(&dir)
        .await
        .map_err(io_error("cannot remove the upload"))?;
    let mut resp = ok_response(Body::empty());
    *resp.status_mut() = StatusCode::NO_CONTENT;
    Ok(resp)
}

/// The `(PartNumber, ETag)` pairs of a CompleteMultipartUpload body (checksums are ignored).
fn parse_parts(body: &[u8]) -> Result<Vec<(u32, String)>, S3Error> {
    use quick_xml::events::Event;
    let mut reader = quick_xml::Reader::from_reader(body);
    let mut buf = Vec::new();
    let mut parts = vec![];
    let mut current: Option<(Option<u32>, Option<String>)> = None;
    // Text of the element being read, entity references kept escaped until its end.
    let mut text = String::new();
    loop {
        match reader.read_event_into(&mut buf).map_err(|_| malformed())? {
            Event::Start(e) => {
                if e.local_name().as_ref() == b"Part" {
                    current = Some((None, None));
                }
                text.clear();
            }
            Event::Text(t) => text.push_str(&t.xml_content().map_err(|_| malformed())?),
            Event::GeneralRef(r) => {
                text.push('&');
                text.push_str(&r.decode().map_err(|_| malformed())?);
                text.push(';');
            }
            Event::End(e) => {
                let value = quick_xml::escape::unescape(text.trim())
                    .map_err(|_| malformed())?
                    .into_owned();
                text.clear();
                match (e.local_name().as_ref(), current.as_mut()) {
                    (b"PartNumber", Some(p)) => p.0 = Some(value.parse().map_err(|_| malformed())?),
                    (b"ETag", Some(p)) => p.1 = Some(value),
                    (b"Part", Some(_)) => match current.take() {
                        Some((Some(n), Some(etag))) => parts.push((n, etag)),
                        _ => return Err(malformed()),
                    },
                    _ => {}
                }
            }
            Event::Eof => break,
            _ => {}
        }
        buf.clear();
    }
    if parts.is_empty() {
        return Err(malformed());
    }
    Ok(parts)
}

/// Concatenate the listed parts into a new object blob; returns its name, size and S3's
/// multipart ETag (`"<md5 of the parts' binary MD5s>-<count>"`).
fn assemble(
    upload_dir: &Path,
    objects: &Path,
    parts: &[(u32, String)],
) -> Result<(String, u64, String), S3Error> {
    let mut size = 0;
    for (i, (n, _)) in parts.iter().enumerate() {
        let len = match std::fs::metadata(upload_dir.join(part_name(*n))) {
            Ok(m) => m.len(),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Err(invalid_part()),
            Err(e) => return Err(internal(format!("cannot read a part: {e}"))),
        };
        if i + 1 < parts.len() && len < MIN_PART {
            return Err(err(
                StatusCode::BAD_REQUEST,
                "EntityTooSmall",
                "Your proposed upload is smaller than the minimum allowed size",
            ));
        }
        size += len;
    }
    let blob = format!("{}-{size}", ids::suffix(16));
    let tmp = objects.join(format!(".{blob}.tmp-{}", std::process::id()));
    let md5s = match concat(&tmp, upload_dir, parts) {
        Ok(m) => m,
        Err(e) => {
            let _ = std::fs::remove_file(&tmp);
            return Err(e);
        }
    };
    // Renamed into place only once complete, like every blob (see `atomic_write`).
    std::fs::rename(&tmp, objects.join(&blob)).map_err(io_error("cannot store the object"))?;
    std::fs::File::open(objects)
        .and_then(|d| d.sync_all())
        .map_err(io_error("cannot store the object"))?;
    let etag = format!("\"{}-{}\"", hex(&md5::Md5::digest(&md5s)), parts.len());
    Ok((blob, size, etag))
}

/// Stream the parts into `tmp`, checking each against its listed ETag; returns their MD5s.
fn concat(tmp: &Path, upload_dir: &Path, parts: &[(u32, String)]) -> Result<Vec<u8>, S3Error> {
    let write_err = io_error("cannot write the object");
    let mut out = crate::private_fs::open(tmp, false).map_err(&write_err)?;
    let mut md5s = Vec::with_capacity(parts.len() * 16);
    let mut buf = vec![0u8; 1 << 20];
    for (n, etag) in parts {
        let mut part =
            std::fs::File::open(upload_dir.join(part_name(*n))).map_err(|_| invalid_part())?;
        let mut hasher = md5::Md5::new();
        loop {
            let k = part
                .read(&mut buf)
                .map_err(io_error("cannot read a part"))?;
            if k == 0 {
                break;
            }
            hasher.update(&buf[..k]);
            out.write_all(&buf[..k]).map_err(&write_err)?;
        }
        let digest = hasher.finalize();
        if !hex(&digest).eq_ignore_ascii_case(etag.trim_matches('"')) {
            return Err(invalid_part());
        }
        md5s.extend_from_slice(&digest);
    }
    out.sync_all().map_err(&write_err)?;
    Ok(md5s)
}
