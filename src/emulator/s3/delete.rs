//! DeleteObject (`DELETE /bucket/key`): 204 whether or not the key existed, as S3 answers on
//! an unversioned bucket; only a missing bucket is an error. Promotion removes a copy whose
//! hash differs with it.

use axum::body::Body;
use axum::http::{Response, StatusCode};

use super::{Emulator, S3Error, no_such_bucket, ok_response, persist};

pub(super) async fn delete_object(
    emu: &Emulator,
    bucket: &str,
    key: &str,
) -> Result<Response<Body>, S3Error> {
    let removed = {
        let mut state = emu.store.write();
        let b = state
            .buckets
            .get_mut(bucket)
            .ok_or_else(|| no_such_bucket(bucket))?;
        b.objects.remove(key)
    };
    if let Some(old) = removed {
        persist(emu).await?;
        let blob = emu.store.dir().join("objects").join(old.blob);
        let _ = tokio::fs::remove_file(blob).await;
    }
    let mut resp = ok_response(Body::empty());
    *resp.status_mut() = StatusCode::NO_CONTENT;
    Ok(resp)
}
