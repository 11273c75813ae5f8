//! Runtimes, their immutable versions and their endpoints, as the console shows them.

use serde::Serialize;

use super::lineage::Lineage;

/// Lifecycle status shared by runtimes, versions and endpoints (AWS `AgentRuntimeStatus`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(into = "String")]
pub enum Status {
    Creating,
    CreateFailed,
    Updating,
    UpdateFailed,
    Ready,
    Deleting,
    DeleteFailed,
    /// A value this build does not know (AWS added one); shown as sent.
    Other(String),
}

impl Status {
    pub fn parse(s: &str) -> Self {
        match s {
            "CREATING" => Self::Creating,
            "CREATE_FAILED" => Self::CreateFailed,
            "UPDATING" => Self::Updating,
            "UPDATE_FAILED" => Self::UpdateFailed,
            "READY" => Self::Ready,
            "DELETING" => Self::Deleting,
            "DELETE_FAILED" => Self::DeleteFailed,
            other => Self::Other(other.to_string()),
        }
    }

    pub fn as_str(&self) -> &str {
        match self {
            Self::Creating => "CREATING",
            Self::CreateFailed => "CREATE_FAILED",
            Self::Updating => "UPDATING",
            Self::UpdateFailed => "UPDATE_FAILED",
            Self::Ready => "READY",
            Self::Deleting => "DELETING",
            Self::DeleteFailed => "DELETE_FAILED",
            Self::Other(s) => s,
        }
    }

    /// Still moving: a poller should keep polling.
    pub fn is_transitional(&self) -> bool {
        matches!(self, Self::Creating | Self::Updating | Self::Deleting)
    }

    pub fn is_failed(&self) -> bool {
        matches!(
            self,
            Self::CreateFailed | Self::UpdateFailed | Self::DeleteFailed
        )
    }
}

impl From<Status> for String {
    fn from(s: Status) -> Self {
        s.as_str().to_string()
    }
}

impl std::fmt::Display for Status {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// An endpoint of a runtime: `DEFAULT` follows the latest version, named ones are pinned.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Endpoint {
    pub name: String,
    /// The version serving requests (absent until the first rollout finishes).
    pub live_version: Option<String>,
    /// The version the endpoint is moving to (equal to `live_version` once READY).
    pub target_version: Option<String>,
    pub status: Status,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub arn: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub failure_reason: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_updated_at: Option<String>,
}

/// One runtime in one environment, with its endpoints: a row of the runtimes matrix.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Runtime {
    pub env: String,
    pub name: String,
    pub id: String,
    pub arn: String,
    pub status: Status,
    pub latest_version: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_updated_at: Option<String>,
    pub endpoints: Vec<Endpoint>,
    /// Where the latest version was promoted from (its description), null if it was not.
    pub lineage: Option<Lineage>,
}

/// One immutable version of a runtime.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RuntimeVersion {
    pub version: String,
    pub status: Status,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_updated_at: Option<String>,
    /// Where this version was promoted from (its description), null if it was not.
    pub lineage: Option<Lineage>,
}

/// Everything `runtime show` prints.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RuntimeDetail {
    pub runtime: Runtime,
    /// The artifact of the latest version: `s3://bucket/prefix` or a container URI.
    pub artifact: Option<String>,
    /// `PYTHON_3_12`, `NODE_22`, … for code artifacts.
    pub language_runtime: Option<String>,
    pub entry_point: Vec<String>,
    pub protocol: Option<String>,
    pub role_arn: Option<String>,
    pub failure_reason: Option<String>,
    pub created_at: Option<String>,
    /// Log groups AgentCore writes, one per endpoint.
    pub log_groups: Vec<String>,
    /// Newest first.
    pub versions: Vec<RuntimeVersion>,
    /// The latest version, every setting.
    pub latest: super::version_config::VersionConfig,
    /// The other versions endpoints serve, every setting (oldest first).
    pub served: Vec<super::version_config::VersionConfig>,
    /// Each endpoint's log group and its retention.
    pub log_retention: Vec<super::version_config::EndpointRetention>,
}

/// The runtimes of one environment, or why they could not be listed.
#[derive(Debug, Clone)]
pub struct EnvRuntimes {
    pub env: String,
    pub result: Result<Vec<Runtime>, String>,
}

/// The AgentCore log group of one runtime endpoint.
pub fn log_group_name(runtime_id: &str, endpoint: &str) -> String {
    format!("/aws/bedrock-agentcore/runtimes/{runtime_id}-{endpoint}")
}

/// The endpoint whose log group this is (`/aws/bedrock-agentcore/runtimes/<name>-<suffix>-<endpoint>`;
/// runtime and endpoint names have no `-`, so what follows the id is the endpoint).
pub fn endpoint_of_log_group(group: &str) -> Option<&str> {
    let rest = group.strip_prefix("/aws/bedrock-agentcore/runtimes/")?;
    let mut parts = rest.splitn(3, '-');
    let (_name, _suffix) = (parts.next()?, parts.next()?);
    parts.next().filter(|e| !e.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_log_groups_endpoint_is_what_follows_the_runtime_id() {
        let g = log_group_name("weather_mcp-AbC123xyzQ", "canary");
        assert_eq!(endpoint_of_log_group(&g), Some("canary"));
        let pinned = log_group_name("weather_mcp-AbC123xyzQ", "version-3");
        assert_eq!(endpoint_of_log_group(&pinned), Some("version-3"));
        assert_eq!(endpoint_of_log_group("/aws/lambda/x"), None);
        assert_eq!(
            endpoint_of_log_group("/aws/bedrock-agentcore/runtimes/x-y"),
            None
        );
    }

    #[test]
    fn status_round_trips_and_keeps_unknown_values() {
        for s in ["CREATING", "READY", "UPDATE_FAILED", "DELETE_FAILED"] {
            assert_eq!(Status::parse(s).as_str(), s);
        }
        assert_eq!(Status::parse("PAUSED"), Status::Other("PAUSED".into()));
        assert!(Status::parse("UPDATING").is_transitional());
        assert!(Status::parse("CREATE_FAILED").is_failed());
    }

    #[test]
    fn log_group_follows_agentcore_naming() {
        assert_eq!(
            log_group_name("weather_mcp-AJjrnVByTQ", "DEFAULT"),
            "/aws/bedrock-agentcore/runtimes/weather_mcp-AJjrnVByTQ-DEFAULT"
        );
    }
}
