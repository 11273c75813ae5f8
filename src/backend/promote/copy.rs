//! Copy a code artifact from the source environment's bucket to the target's and prove the
//! copy: SHA-256 of the source bytes, PutObject at `R/<sha256>.zip`, GetObject of the copy,
//! SHA-256 again. A copy that differs (or cannot be read back) is deleted before the refusal,
//! so a target bucket never keeps bytes that no check vouched for.

use aws_sdk_s3::types::ServerSideEncryption;

use crate::backend::deploy::{artifact_bucket, sha256_hex};
use crate::backend::{BackendError, Clients};

/// Where the source's artifact is and who asks (for messages).
pub struct Origin<'a> {
    pub env: &'a str,
    pub runtime: &'a str,
    pub version: &'a str,
    pub bucket: &'a str,
    pub key: &'a str,
}

/// The verified copy.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Copied {
    pub bucket: String,
    pub key: String,
    pub sha256: String,
    /// False when source and target are the same object (one bucket for both environments).
    pub copied: bool,
}

/// The source's bytes and their SHA-256; a missing object is a refusal naming the version and
/// the artifact.
pub async fn read_source(from: &Clients, o: &Origin<'_>) -> Result<Vec<u8>, BackendError> {
    let uri = format!("s3://{}/{}", o.bucket, o.key);
    let got = from
        .s3
        .get_object()
        .bucket(o.bucket)
        .key(o.key)
        .send()
        .await
        .map_err(|e| BackendError::sdk("GetObject", e));
    let out = match got {
        Ok(out) => out,
        Err(e) if matches!(e.code(), Some("NoSuchKey" | "NoSuchBucket")) => {
            return Err(BackendError::Other(format!(
                "{env}: version {v} of `{rt}` cannot be promoted: its artifact {uri} is gone \
                 ({code}); deploy it again in {env} (or promote another version with --version)",
                env = o.env,
                v = o.version,
                rt = o.runtime,
                code = e.code().unwrap_or_default(),
            )));
        }
        Err(e) => return Err(e),
    };
    let bytes = out
        .body
        .collect()
        .await
        .map_err(|e| BackendError::Other(format!("GetObject {uri}: reading the body: {e}")))?;
    Ok(bytes.into_bytes().to_vec())
}

/// The key a promoted (and any directory-deployed) artifact has: the full hash.
pub fn target_key(runtime: &str, sha256: &str) -> String {
    format!("{runtime}/{sha256}.zip")
}

/// PutObject into the target's bucket, read it back and compare; on a mismatch (or an
/// unreadable copy) DeleteObject the copy and refuse.
pub async fn copy_verified(
    to: &Clients,
    o: &Origin<'_>,
    bytes: Vec<u8>,
) -> Result<Copied, BackendError> {
    let sha256 = sha256_hex(&bytes);
    let bucket = artifact_bucket(to).await?;
    let key = target_key(o.runtime, &sha256);
    if bucket == o.bucket && key == o.key {
        // One bucket for both: the object is already the source's; deleting it on a failed
        // check would delete the source.
        return Ok(Copied {
            bucket,
            key,
            sha256,
            copied: false,
        });
    }
    to.s3
        .put_object()
        .bucket(&bucket)
        .key(&key)
        .body(bytes.into())
        .server_side_encryption(ServerSideEncryption::Aes256)
        .send()
        .await
        .map_err(|e| BackendError::sdk("PutObject", e))?;
    let problem = match read_back(to, &bucket, &key).await {
        Ok(got) if got == sha256 => None,
        Ok(got) => Some(format!(
            "the copy's SHA-256 differs: expected {sha256} got {got}"
        )),
        Err(e) => Some(format!("the copy could not be read back to verify it: {e}")),
    };
    let Some(problem) = problem else {
        return Ok(Copied {
            bucket,
            key,
            sha256,
            copied: true,
        });
    };
    let uri = format!("s3://{bucket}/{key}");
    let removed = to
        .s3
        .delete_object()
        .bucket(&bucket)
        .key(&key)
        .send()
        .await
        .map_err(|e| BackendError::sdk("DeleteObject", e));
    Err(BackendError::Other(match removed {
        Ok(_) => format!("{problem}; the copy was removed ({uri}); nothing was deployed"),
        Err(e) => format!(
            "{problem}; removing the copy failed ({e}): delete {uri} by hand; nothing was \
             deployed"
        ),
    }))
}

/// GetObject and SHA-256 of the body.
async fn read_back(to: &Clients, bucket: &str, key: &str) -> Result<String, BackendError> {
    let out = to
        .s3
        .get_object()
        .bucket(bucket)
        .key(key)
        .send()
        .await
        .map_err(|e| BackendError::sdk("GetObject", e))?;
    let bytes = out
        .body
        .collect()
        .await
        .map_err(|e| BackendError::Other(format!("GetObject: reading the body: {e}")))?;
    Ok(sha256_hex(&bytes.into_bytes()))
}

/// The digest of an image pinned by it (`…@sha256:<64 hex>`), else None (a tag only).
pub fn image_digest(uri: &str) -> Option<&str> {
    uri.rsplit_once("@sha256:")
        .map(|(_, d)| d)
        .filter(|d| crate::domain::lineage::is_sha256(d))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_a_digest_pins_an_image() {
        let d = "ab".repeat(32);
        let pinned = format!("123456789012.dkr.ecr.us-east-1.amazonaws.com/weather@sha256:{d}");
        assert_eq!(image_digest(&pinned), Some(d.as_str()));
        let tagged = format!("repo:v1@sha256:{d}");
        assert_eq!(image_digest(&tagged), Some(d.as_str()));
        for no in [
            "123456789012.dkr.ecr.us-east-1.amazonaws.com/weather:v1",
            "weather",
            &format!("weather@sha256:{}", &d[..63]),
            &format!("weather@sha256:{}", d.to_uppercase()),
            &format!("weather@sha512:{d}"),
        ] {
            assert_eq!(image_digest(no), None, "{no}");
        }
    }

    #[test]
    fn the_key_is_the_full_hash() {
        let sha = "0f".repeat(32);
        assert_eq!(
            target_key("weather_mcp", &sha),
            format!("weather_mcp/{sha}.zip")
        );
    }
}
