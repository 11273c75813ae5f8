//! GetObject's `Range` header as S3 reads it: one byte range (`bytes=a-b`, `bytes=a-`,
//! `bytes=-n`); a range that starts past the end is `416 InvalidRange`; anything else S3 does
//! not serve as a range (several ranges, another unit, a malformed value) gets the whole object.
//! boto3 and the AWS CLI download large objects as ranged GETs, so this is what makes them work.

use std::io::SeekFrom;
use std::path::Path;

use axum::body::Body;
use bytes::BytesMut;
use tokio::io::{AsyncReadExt, AsyncSeekExt};

/// `len` bytes of the file at `path` from `start`, read as the response is sent: a ranged
/// GET reads only its range (the whole object was read to serve one), and no object is held
/// in memory whole.
pub async fn file_body(path: &Path, start: u64, len: u64) -> Result<Body, String> {
    let mut file = tokio::fs::File::open(path)
        .await
        .map_err(|e| format!("cannot read the object: {e}"))?;
    let stored = file
        .metadata()
        .await
        .map_err(|e| format!("cannot read the object: {e}"))?
        .len();
    if stored < start.saturating_add(len) {
        return Err("the stored object is shorter than its size".into());
    }
    file.seek(SeekFrom::Start(start))
        .await
        .map_err(|e| format!("cannot read the object: {e}"))?;
    let chunks = futures::stream::try_unfold(file.take(len), |mut r| async move {
        let mut buf = BytesMut::with_capacity(CHUNK);
        match r.read_buf(&mut buf).await? {
            0 => Ok::<_, std::io::Error>(None),
            _ => Ok(Some((buf.freeze(), r))),
        }
    });
    Ok(Body::from_stream(chunks))
}

const CHUNK: usize = 64 * 1024;

/// The inclusive byte range to serve of an object of `size` bytes: `Ok(None)` for the whole
/// object, `Err(())` for a range S3 refuses with 416.
pub fn parse(header: Option<&str>, size: u64) -> Result<Option<(u64, u64)>, ()> {
    let Some(spec) = header.and_then(|h| h.trim().strip_prefix("bytes=")) else {
        return Ok(None);
    };
    if spec.contains(',') {
        return Ok(None);
    }
    let Some((first, last)) = spec.split_once('-') else {
        return Ok(None);
    };
    let (first, last) = (first.trim(), last.trim());
    let range = match (first.parse::<u64>(), last.parse::<u64>()) {
        // The last n bytes.
        _ if first.is_empty() => match last.parse::<u64>() {
            Ok(0) => return Err(()),
            Ok(n) if size == 0 => return if n > 0 { Ok(None) } else { Err(()) },
            Ok(n) => (size.saturating_sub(n), size - 1),
            Err(_) => return Ok(None),
        },
        (Ok(a), _) if last.is_empty() => (a, size.saturating_sub(1)),
        (Ok(a), Ok(b)) if a <= b => (a, b.min(size.saturating_sub(1))),
        _ => return Ok(None),
    };
    if range.0 >= size {
        return Err(());
    }
    Ok(Some(range))
}

#[cfg(test)]
mod tests {
    use super::parse;

    #[test]
    fn ranges_as_s3_serves_them() {
        let p = |h: &str| parse(Some(h), 100);
        assert_eq!(parse(None, 100), Ok(None));
        assert_eq!(p("bytes=0-9"), Ok(Some((0, 9))));
        assert_eq!(p("bytes=90-"), Ok(Some((90, 99))));
        assert_eq!(p("bytes=-10"), Ok(Some((90, 99))));
        assert_eq!(
            p("bytes=-500"),
            Ok(Some((0, 99))),
            "the whole object, as a range"
        );
        assert_eq!(p("bytes=50-1000"), Ok(Some((50, 99))), "clipped to the end");
        assert_eq!(p("bytes=100-"), Err(()), "starts past the end");
        assert_eq!(p("bytes=-0"), Err(()));
        for whole in ["bytes=0-1,5-6", "items=0-1", "bytes=9-2", "bytes=x-"] {
            assert_eq!(p(whole), Ok(None), "{whole}");
        }
    }
}
