//! Everything the local AgentCore knows, as persisted in `state.json`.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// The whole state. AgentCore resources are partitioned by account and region, as on AWS;
/// S3 bucket names are global.
#[derive(Debug, Default, Serialize, Deserialize)]
pub struct State {
    /// Keyed by [`partition_key`].
    #[serde(default)]
    pub partitions: BTreeMap<String, Partition>,
    #[serde(default)]
    pub buckets: BTreeMap<String, Bucket>,
}

pub fn partition_key(account: &str, region: &str) -> String {
    format!("{account}/{region}")
}

#[derive(Debug, Default, Serialize, Deserialize)]
pub struct Partition {
    #[serde(default)]
    pub runtimes: BTreeMap<String, RuntimeRec>,
    /// clientToken → the first answer, for idempotent retries.
    #[serde(default)]
    pub client_tokens: BTreeMap<String, TokenRec>,
    #[serde(default)]
    pub gateways: BTreeMap<String, GatewayRec>,
}

/// A gateway with its targets and rules (members kept as the API spells them).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct GatewayRec {
    pub id: String,
    pub arn: String,
    /// Name, description, roleArn, authorizerType, protocolType… as created.
    pub spec: Map<String, Value>,
    pub created_at: String,
    pub updated_at: String,
    #[serde(default)]
    pub targets: BTreeMap<String, TargetRec>,
    #[serde(default)]
    pub rules: BTreeMap<String, RuleRec>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TargetRec {
    pub id: String,
    pub name: String,
    pub description: Option<String>,
    pub config: Value,
    pub created_at: String,
    pub updated_at: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RuleRec {
    pub id: String,
    pub priority: i64,
    pub conditions: Value,
    pub actions: Value,
    pub description: Option<String>,
    pub created_at: String,
    pub updated_at: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RuntimeRec {
    pub id: String,
    pub name: String,
    pub arn: String,
    pub created_at: String,
    pub last_updated_at: String,
    pub workload_identity_arn: String,
    #[serde(default)]
    pub tags: Map<String, Value>,
    /// Numbers are never reused, even after a version is deleted.
    pub next_version: u32,
    /// Set by DeleteAgentRuntime; the runtime disappears once it settles.
    #[serde(default)]
    pub deleting: bool,
    pub versions: BTreeMap<u32, VersionRec>,
    pub endpoints: BTreeMap<String, EndpointRec>,
}

impl RuntimeRec {
    pub fn latest(&self) -> Option<&VersionRec> {
        self.versions.values().next_back()
    }
}

/// One immutable version: the full configuration it was created with.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct VersionRec {
    pub version: u32,
    /// The configuration members of the Create/Update request (artifact, role, protocol, …).
    pub config: Map<String, Value>,
    pub status: String,
    pub created_at: String,
    pub last_updated_at: String,
    #[serde(default)]
    pub failure_reason: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct EndpointRec {
    pub name: String,
    pub id: String,
    pub arn: String,
    pub live_version: Option<u32>,
    pub target_version: u32,
    pub status: String,
    #[serde(default)]
    pub description: Option<String>,
    pub created_at: String,
    pub last_updated_at: String,
    #[serde(default)]
    pub failure_reason: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TokenRec {
    /// The operation and its parameters, without the token.
    pub fingerprint: String,
    pub status: u16,
    pub body: Value,
    /// Unix seconds; tokens expire after a day.
    pub at: i64,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Bucket {
    pub name: String,
    pub account: String,
    pub region: String,
    pub created_at: String,
    #[serde(default)]
    pub objects: BTreeMap<String, ObjectMeta>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ObjectMeta {
    /// File name of the body under `<state-dir>/objects/`.
    pub blob: String,
    pub size: u64,
    /// Quoted hex MD5, as S3 returns it.
    pub etag: String,
    pub content_type: Option<String>,
    /// `AES256`, `aws:kms` or `aws:kms:dsse`.
    pub sse: String,
    pub kms_key_id: Option<String>,
    /// Unix seconds.
    pub last_modified: i64,
    #[serde(default)]
    pub metadata: BTreeMap<String, String>,
}

/// Statuses as AWS spells them.
pub mod status {
    pub const CREATING: &str = "CREATING";
    pub const CREATE_FAILED: &str = "CREATE_FAILED";
    pub const UPDATING: &str = "UPDATING";
    pub const UPDATE_FAILED: &str = "UPDATE_FAILED";
    pub const READY: &str = "READY";
    pub const DELETING: &str = "DELETING";

    pub fn is_transitional(s: &str) -> bool {
        matches!(s, CREATING | UPDATING | DELETING)
    }
}
