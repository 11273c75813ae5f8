//! The environment's artifact bucket (named in the file, else derived from account and
//! region, created on first use) and the SHA-256 that names and verifies what goes in it.

use aws_sdk_s3::types::{BucketLocationConstraint, CreateBucketConfiguration};

use crate::backend::{BackendError, Clients};

pub(crate) fn region(c: &Clients) -> String {
    c.control
        .config()
        .region()
        .map(|r| r.to_string())
        .unwrap_or_else(|| "us-east-1".into())
}

/// The environment's artifact bucket's name (the file's, else derived from account and region).
pub(crate) async fn bucket_name(c: &Clients) -> Result<String, BackendError> {
    Ok(match &c.env.artifact_bucket {
        Some(b) => b.clone(),
        None => {
            let (_, account) = c.identity().await?;
            format!("agentcore-console-{account}-{}", region(c))
        }
    })
}

/// The environment's artifact bucket, created (in its region) if missing.
pub(crate) async fn artifact_bucket(c: &Clients) -> Result<String, BackendError> {
    let region = region(c);
    let bucket = bucket_name(c).await?;
    if c.s3.head_bucket().bucket(&bucket).send().await.is_ok() {
        return Ok(bucket);
    }
    let mut create = c.s3.create_bucket().bucket(&bucket);
    if region != "us-east-1" {
        create = create.create_bucket_configuration(
            CreateBucketConfiguration::builder()
                .location_constraint(BucketLocationConstraint::from(region.as_str()))
                .build(),
        );
    }
    match create.send().await {
        Ok(_) => Ok(bucket),
        Err(e) => {
            let err = BackendError::sdk("CreateBucket", e);
            if err.code() == Some("BucketAlreadyOwnedByYou") {
                Ok(bucket)
            } else {
                Err(err)
            }
        }
    }
}

pub(crate) fn sha256_hex(bytes: &[u8]) -> String {
    use sha2::Digest;
    sha2::Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}
