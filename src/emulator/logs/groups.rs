//! A log group's lifecycle: CreateLogGroup, DescribeLogGroups and DeleteLogGroup. Deleting a
//! group takes everything in it (streams, events, metric filters, retention), as on AWS, and
//! is journaled like the other writes, so it stays deleted across a restart.

use serde_json::{Map, Value, json};

use super::store::LogStore;
use super::{AwsError, Req, err, group_name, limit, page, str_field, with_next};

pub(super) fn arn(req_region: &str, account: &str, group: &str) -> String {
    format!("arn:aws:logs:{req_region}:{account}:log-group:{group}")
}

pub(super) fn create(
    store: &mut LogStore,
    partition: &str,
    b: &Map<String, Value>,
) -> Result<Value, AwsError> {
    let name = group_name(b)?;
    if store
        .groups
        .contains_key(&(partition.to_string(), name.clone()))
    {
        return Err(err(
            "ResourceAlreadyExistsException",
            "The specified log group already exists",
        ));
    }
    store.group_mut(partition, &name);
    Ok(json!({}))
}

/// DeleteLogGroup: `logGroupName` only (the API has no identifier member); an empty answer.
pub(super) fn delete(
    store: &mut LogStore,
    partition: &str,
    b: &Map<String, Value>,
) -> Result<Value, AwsError> {
    let name = str_field(b, "logGroupName")?;
    if name.is_empty() || name.len() > 512 {
        return Err(err(
            "InvalidParameterException",
            "1 validation error detected: Value at 'logGroupName' failed to satisfy constraint: \
             Member must have length between 1 and 512",
        ));
    }
    if !store.delete_group(partition, name) {
        return Err(err(
            "ResourceNotFoundException",
            "The specified log group does not exist.",
        ));
    }
    Ok(json!({}))
}

pub(super) fn describe(
    store: &LogStore,
    partition: &str,
    req: &Req,
    b: &Map<String, Value>,
) -> Result<Value, AwsError> {
    let prefix = b
        .get("logGroupNamePrefix")
        .and_then(Value::as_str)
        .unwrap_or("");
    let items = store
        .groups
        .iter()
        .filter(|((p, n), _)| p == partition && n.starts_with(prefix))
        .map(|((_, n), g)| {
            let a = arn(&req.scope.region, &req.scope.account, n);
            let bytes: u64 = g.streams.values().map(|s| s.stored_bytes).sum();
            let mut v = json!({ "logGroupName": n, "creationTime": g.creation_time, "arn": format!("{a}:*"), "logGroupArn": a, "storedBytes": bytes, "metricFilterCount": g.metric_filters.len() });
            if let Some(d) = g.retention_days {
                v["retentionInDays"] = json!(d);
            }
            (n.clone(), v)
        })
        .collect();
    let (groups, next) = page(
        items,
        b.get("nextToken").and_then(Value::as_str),
        limit(b, 50, 50)?,
    );
    Ok(with_next(json!({ "logGroups": groups }), next))
}

#[cfg(test)]
mod tests {
    use super::super::store::{LogStore, now_ms};

    #[test]
    fn a_deleted_group_takes_its_contents_and_stays_deleted_after_a_restart() {
        let dir = tempfile::tempdir().expect("tempdir");
        {
            let mut store = LogStore::open(dir.path()).expect("open");
            store.append("p", "gone", "s", now_ms(), "old line");
            store.set_retention("p", "gone", Some(7));
            store.append("p", "kept", "s", now_ms(), "kept line");
            assert!(store.delete_group("p", "gone"));
            assert!(!store.delete_group("p", "gone"), "already gone");
            // Made again after the delete: a new, empty group.
            store.append("p", "gone", "s2", now_ms(), "new line");
        }
        let store = LogStore::open(dir.path()).expect("reopen");
        let gone = &store.groups[&("p".to_string(), "gone".to_string())];
        assert_eq!(gone.retention_days, None, "retention went with the group");
        assert_eq!(gone.streams.keys().collect::<Vec<_>>(), ["s2"]);
        assert!(
            store
                .groups
                .contains_key(&("p".to_string(), "kept".to_string()))
        );
    }
}
