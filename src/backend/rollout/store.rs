//! The rollout object, `rollouts/<runtime>.json` in the environment's artifact bucket: read
//! with its ETag, created with `If-None-Match: *` and changed with `If-Match: <etag>`, so two
//! consoles never overwrite each other's decisions. A write that lost (412
//! PreconditionFailed, 409 ConditionalRequestConflict) is [`Write::Stale`]: the writer reads
//! again and decides again on what is there now.

use aws_sdk_s3::primitives::ByteStream;

use crate::backend::deploy::{artifact_bucket, bucket_name};
use crate::backend::{BackendError, Clients};
use crate::domain::rollout::RolloutState;

/// The object's key for one runtime.
pub fn key(runtime: &str) -> String {
    format!("{PREFIX}{runtime}.json")
}

/// A state as read, with the ETag a write must match.
#[derive(Debug, Clone)]
pub struct Stored {
    pub state: RolloutState,
    pub etag: String,
}

/// How a conditional write ended.
#[derive(Debug)]
pub enum Write {
    /// Someone wrote first (or the object appeared or vanished): read again.
    Stale,
    Failed(BackendError),
}

impl From<BackendError> for Write {
    fn from(e: BackendError) -> Self {
        Write::Failed(e)
    }
}

/// The runtime's rollout, if it ever had one (no bucket yet is no rollout).
pub async fn load(c: &Clients, runtime: &str) -> Result<Option<Stored>, BackendError> {
    let bucket = bucket_name(c).await?;
    let out = match c
        .s3
        .get_object()
        .bucket(&bucket)
        .key(key(runtime))
        .send()
        .await
    {
        Ok(out) => out,
        Err(e) => {
            let err = BackendError::sdk("GetObject", e);
            return match err.code() {
                Some("NoSuchKey" | "NoSuchBucket" | "NotFound") => Ok(None),
                _ => Err(err),
            };
        }
    };
    let etag = out.e_tag().unwrap_or_default().to_string();
    let body = out.body.collect().await.map_err(|e| {
        BackendError::Other(format!("GetObject s3://{bucket}/{}: {e}", key(runtime)))
    })?;
    let state: RolloutState = serde_json::from_slice(&body.into_bytes()).map_err(|e| {
        BackendError::Other(format!(
            "s3://{bucket}/{} is not a rollout this console can read ({e}); \
             inspect or delete it by hand",
            key(runtime)
        ))
    })?;
    Ok(Some(Stored { state, etag }))
}

/// Write `state`: create it when `expected` is `None` (fails if any object is there), else
/// replace exactly the version read with that ETag. Returns the new ETag.
pub async fn put(
    c: &Clients,
    state: &RolloutState,
    expected: Option<&str>,
) -> Result<String, Write> {
    let bucket = match expected {
        // The first write of an environment's first rollout may have no bucket to go to.
        None => artifact_bucket(c).await?,
        Some(_) => bucket_name(c).await?,
    };
    let body = serde_json::to_vec_pretty(state)
        .map_err(|e| BackendError::Other(format!("rollout state: {e}")))?;
    let req =
        c.s3.put_object()
            .bucket(&bucket)
            .key(key(&state.runtime))
            .content_type("application/json")
            .body(ByteStream::from(body));
    let req = match expected {
        None => req.if_none_match("*"),
        Some(etag) => req.if_match(etag),
    };
    match req.send().await {
        Ok(out) => Ok(out.e_tag().unwrap_or_default().to_string()),
        Err(e) => {
            let err = BackendError::sdk("PutObject", e);
            match err.code() {
                Some("PreconditionFailed" | "ConditionalRequestConflict") => Err(Write::Stale),
                // If-Match on an object deleted since it was read.
                Some("NoSuchKey") if expected.is_some() => Err(Write::Stale),
                _ => Err(Write::Failed(err)),
            }
        }
    }
}

/// Conditional read-modify-write: `change` sees the latest state each time and either edits it
/// (`Ok(true)`: write it), leaves it (`Ok(false)`: nothing to write) or refuses. Retried while
/// others win the race, a bounded number of times.
pub async fn update<F>(c: &Clients, runtime: &str, mut change: F) -> Result<Stored, BackendError>
where
    F: FnMut(&mut RolloutState) -> Result<bool, BackendError>,
{
    for _ in 0..RETRIES {
        let Some(mut stored) = load(c, runtime).await? else {
            return Err(BackendError::Other(format!(
                "{}: `{runtime}` has no rollout (start one with `rollout start`)",
                c.env.name
            )));
        };
        if !change(&mut stored.state)? {
            return Ok(stored);
        }
        match put(c, &stored.state, Some(&stored.etag)).await {
            Ok(etag) => {
                stored.etag = etag;
                return Ok(stored);
            }
            Err(Write::Stale) => continue,
            Err(Write::Failed(e)) => return Err(e),
        }
    }
    Err(BackendError::Other(format!(
        "{}: the rollout of `{runtime}` kept changing under this write ({RETRIES} tries); try again",
        c.env.name
    )))
}

const RETRIES: usize = 8;

/// The runtimes with a rollout object, from the keys under `rollouts/`.
pub async fn list_runtimes(c: &Clients) -> Result<Vec<String>, BackendError> {
    let bucket = bucket_name(c).await?;
    let mut names = vec![];
    let mut token = None;
    loop {
        let out = match c
            .s3
            .list_objects_v2()
            .bucket(&bucket)
            .prefix(PREFIX)
            .set_continuation_token(token)
            .send()
            .await
        {
            Ok(out) => out,
            Err(e) => {
                let err = BackendError::sdk("ListObjectsV2", e);
                return match err.code() {
                    Some("NoSuchBucket") => Ok(names),
                    _ => Err(err),
                };
            }
        };
        names.extend(out.contents().iter().filter_map(|o| {
            let name = o.key()?.strip_prefix(PREFIX)?.strip_suffix(".json")?;
            (!name.is_empty() && !name.contains('/')).then(|| name.to_string())
        }));
        token = out.next_continuation_token().map(str::to_string);
        if token.is_none() {
            return Ok(names);
        }
    }
}

const PREFIX: &str = "rollouts/";
