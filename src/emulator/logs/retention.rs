//! PutRetentionPolicy and DeleteRetentionPolicy: a group's `retentionInDays`, after which
//! its events expire (`LogStore::expire`, run before every request).

use serde_json::{Map, Value, json};

use super::store::LogStore;
use super::{AwsError, err, existing_group, group_name};

pub(super) fn put(
    store: &mut LogStore,
    partition: &str,
    b: &Map<String, Value>,
) -> Result<Value, AwsError> {
    let days = retention_days(b)?;
    existing_group(store, partition, b)?;
    store.set_retention(partition, &group_name(b)?, Some(days));
    Ok(json!({}))
}

pub(super) fn delete(
    store: &mut LogStore,
    partition: &str,
    b: &Map<String, Value>,
) -> Result<Value, AwsError> {
    existing_group(store, partition, b)?;
    store.set_retention(partition, &group_name(b)?, None);
    Ok(json!({}))
}

/// `retentionInDays`: required, and one of the values CloudWatch Logs takes.
fn retention_days(b: &Map<String, Value>) -> Result<u32, AwsError> {
    let days = b
        .get("retentionInDays")
        .and_then(Value::as_u64)
        .ok_or_else(|| err("InvalidParameterException", "retentionInDays is required"))?;
    u32::try_from(days)
        .ok()
        .filter(|d| crate::domain::posture::RETENTION_DAYS.contains(d))
        .ok_or_else(|| {
            err(
                "InvalidParameterException",
                format!(
                    "1 validation error detected: Value '{days}' at 'retentionInDays' failed to \
                     satisfy constraint: Member must satisfy enum value set: {:?}",
                    crate::domain::posture::RETENTION_DAYS
                ),
            )
        })
}
