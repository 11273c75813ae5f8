//! S3 upload bodies: `aws-chunked` framing and flexible checksums.

use axum::http::HeaderMap;
use base64::Engine;
use bytes::Bytes;

/// The object bytes of a PutObject body and the trailing headers that came with it.
pub struct Upload {
    pub data: Bytes,
    pub trailers: Vec<(String, String)>,
}

/// Undo `aws-chunked` encoding (used by SDKs for streaming uploads with trailing checksums);
/// plain bodies pass through.
pub fn decode(headers: &HeaderMap, body: Bytes) -> Result<Upload, String> {
    let header = |n: &str| {
        headers
            .get(n)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
    };
    let chunked = header("content-encoding")
        .split(',')
        .any(|e| e.trim() == "aws-chunked")
        || header("x-amz-content-sha256").starts_with("STREAMING-");
    if !chunked {
        return Ok(Upload {
            data: body,
            trailers: vec![],
        });
    }
    let mut data = Vec::with_capacity(body.len());
    let mut rest: &[u8] = &body;
    loop {
        let line_end = find_crlf(rest).ok_or("aws-chunked: missing chunk header")?;
        let line = std::str::from_utf8(&rest[..line_end]).map_err(|_| "aws-chunked: bad header")?;
        let size_hex = line.split(';').next().unwrap_or_default().trim();
        let size = u64::from_str_radix(size_hex, 16)
            .map_err(|_| format!("aws-chunked: bad chunk size `{size_hex}`"))?;
        rest = &rest[line_end + 2..];
        if size == 0 {
            break;
        }
        // Compared with what is left, never added to: a size near u64::MAX overflowed.
        let size = usize::try_from(size)
            .ok()
            .filter(|&s| s <= rest.len().saturating_sub(2))
            .ok_or_else(|| {
                format!(
                    "aws-chunked: a chunk of {size} bytes is longer than the {} bytes left in the body",
                    rest.len()
                )
            })?;
        if &rest[size..size + 2] != b"\r\n" {
            return Err("aws-chunked: truncated chunk".into());
        }
        data.extend_from_slice(&rest[..size]);
        rest = &rest[size + 2..];
    }
    let mut trailers = vec![];
    for line in String::from_utf8_lossy(rest).split("\r\n") {
        if let Some((k, v)) = line.split_once(':') {
            trailers.push((k.trim().to_ascii_lowercase(), v.trim().to_string()));
        }
    }
    let decoded_len = header("x-amz-decoded-content-length");
    if !decoded_len.is_empty() && decoded_len.parse::<usize>().ok() != Some(data.len()) {
        return Err(format!(
            "aws-chunked: decoded {} bytes, x-amz-decoded-content-length says {decoded_len}",
            data.len()
        ));
    }
    Ok(Upload {
        data: Bytes::from(data),
        trailers,
    })
}

fn find_crlf(b: &[u8]) -> Option<usize> {
    b.windows(2).position(|w| w == b"\r\n")
}

/// Check a CRC32 checksum (header or trailer) against the data, when one was sent.
pub fn verify_crc32(expected_b64: Option<&str>, data: &[u8]) -> Result<(), String> {
    let Some(expected) = expected_b64 else {
        return Ok(());
    };
    let actual =
        base64::engine::general_purpose::STANDARD.encode(crc32fast::hash(data).to_be_bytes());
    if actual == expected {
        Ok(())
    } else {
        Err(format!(
            "CRC32 checksum {expected} does not match the data ({actual})"
        ))
    }
}

/// The quoted hex MD5 that S3 uses as the ETag of a single-part object.
pub fn etag(data: &[u8]) -> String {
    use md5::Digest;
    let digest = md5::Md5::digest(data);
    let hex: String = digest.iter().map(|b| format!("{b:02x}")).collect();
    format!("\"{hex}\"")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_chunks_and_trailers() {
        let mut h = HeaderMap::new();
        h.insert("content-encoding", "aws-chunked".parse().expect("hv"));
        h.insert("x-amz-decoded-content-length", "11".parse().expect("hv"));
        let crc = base64::engine::general_purpose::STANDARD
            .encode(crc32fast::hash(b"hello world").to_be_bytes());
        let body = format!(
            "5\r\nhello\r\n6;chunk-signature=abc\r\n world\r\n0\r\nx-amz-checksum-crc32:{crc}\r\n\r\n"
        );
        let up = decode(&h, Bytes::from(body)).expect("decode");
        assert_eq!(&up.data[..], b"hello world");
        assert_eq!(
            up.trailers,
            vec![("x-amz-checksum-crc32".to_string(), crc.clone())]
        );
        assert!(verify_crc32(Some(&crc), &up.data).is_ok());
        assert!(verify_crc32(Some(&crc), b"tampered").is_err());
    }

    #[test]
    fn plain_bodies_pass_and_truncation_fails() {
        let up = decode(&HeaderMap::new(), Bytes::from_static(b"raw")).expect("plain");
        assert_eq!(&up.data[..], b"raw");
        let mut h = HeaderMap::new();
        h.insert("content-encoding", "aws-chunked".parse().expect("hv"));
        assert!(decode(&h, Bytes::from_static(b"5\r\nhel")).is_err());
        assert_eq!(etag(b""), "\"d41d8cd98f00b204e9800998ecf8427e\"");
    }

    #[test]
    fn chunk_sizes_past_the_body_are_refused_not_overflowed() {
        let mut h = HeaderMap::new();
        h.insert("content-encoding", "aws-chunked".parse().expect("hv"));
        for size in [
            "ffffffffffffffff",
            "fffffffffffffffe",
            "fffffffffffffffd",
            "7",
            "6",
        ] {
            let body = Bytes::from(format!("{size}\r\nhello\r\n0\r\n\r\n"));
            let err = decode(&h, body)
                .err()
                .unwrap_or_else(|| panic!("{size} accepted"));
            assert!(err.contains("aws-chunked"), "{err}");
        }
        let err = decode(&h, Bytes::from_static(b"1ffffffffffffffff\r\nx\r\n"))
            .err()
            .expect("wider than 64 bits");
        assert!(err.contains("bad chunk size"), "{err}");
        assert!(decode(&h, Bytes::from_static(b"5\r\nhello\r\n0\r\n\r\n")).is_ok());
    }
}
