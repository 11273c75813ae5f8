//! One version's full configuration, as `runtime show` prints it and `runtime diff` compares
//! it: artifact (and its digest when one is recorded), code runtime, entry point, the NAMES of
//! its environment variables (values never enter this type), role, posture and log retention.

use serde::Serialize;

use super::posture::Posture;

/// Where a version's code comes from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Artifact {
    /// `code` (an S3 zip) or `container` (an image URI).
    pub kind: &'static str,
    /// `s3://bucket/key` or the image URI.
    pub location: String,
    /// `sha256:…`: for a zip the console uploaded, the SHA-256 prefix its key carries; for an
    /// image pinned by digest, that digest. `None` when nothing recorded one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub digest: Option<String>,
}

/// The SHA-256 deploy puts in a zip's key: all of it (`<runtime>/<64 hex>.zip`), or its
/// first 16 hex digits in keys written before promotion needed the full hash.
pub const KEY_DIGEST_HEX: [usize; 2] = [64, 16];

impl Artifact {
    pub fn code(bucket: &str, key: &str) -> Self {
        let digest = key
            .rsplit('/')
            .next()
            .and_then(|f| f.strip_suffix(".zip"))
            .filter(|h| {
                KEY_DIGEST_HEX.contains(&h.len())
                    && h.bytes()
                        .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
            })
            .map(|h| format!("sha256:{h}"));
        Self {
            kind: "code",
            location: format!("s3://{bucket}/{key}"),
            digest,
        }
    }

    pub fn container(uri: &str) -> Self {
        let digest = uri
            .split_once("@sha256:")
            .map(|(_, d)| format!("sha256:{d}"));
        Self {
            kind: "container",
            location: uri.to_string(),
            digest,
        }
    }

    /// What identifies the content: the digest, else (nothing recorded) the location.
    pub fn identity(&self) -> String {
        self.digest
            .clone()
            .unwrap_or_else(|| format!("{} (no digest recorded)", self.location))
    }
}

/// One version of a runtime in one environment, fully.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct VersionConfig {
    pub env: String,
    pub runtime_id: String,
    pub version: String,
    pub status: String,
    pub artifact: Option<Artifact>,
    /// `PYTHON_3_12`, `NODE_22`, … (code artifacts).
    pub code_runtime: Option<String>,
    pub entry_point: Vec<String>,
    /// Sorted; the values are never read into the console.
    pub variable_names: Vec<String>,
    pub role_arn: Option<String>,
    /// Network, auth, lifecycle, protocol, headers; `logRetentionDays` is the retention of
    /// the log group of the endpoint this version was chosen through (see `retention_from`).
    pub posture: Posture,
    /// The endpoint whose log group gave the retention, when one serves this version.
    pub retention_from: Option<String>,
    /// The endpoints serving this version (live).
    pub served_by: Vec<String>,
}

/// One setting that differs between two versions.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FieldDiff {
    pub field: &'static str,
    pub left: String,
    pub right: String,
}

/// The log retention of one endpoint's log group.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct EndpointRetention {
    pub endpoint: String,
    pub log_group: String,
    /// Whether the log group exists yet (AgentCore creates it on the first log line).
    pub exists: bool,
    /// `None`: kept forever (or no group yet).
    pub retention_in_days: Option<u32>,
}

/// Two versions side by side and the settings that differ (`runtime diff`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RuntimeDiff {
    pub left: VersionConfig,
    pub right: VersionConfig,
    pub differences: Vec<FieldDiff>,
}

impl RuntimeDiff {
    pub fn new(left: VersionConfig, right: VersionConfig) -> Self {
        let differences = left.diff(&right);
        Self {
            left,
            right,
            differences,
        }
    }
}

impl VersionConfig {
    /// The compared settings, in a fixed order; `-` is "not set".
    pub fn rows(&self) -> Vec<(&'static str, String)> {
        let unset = || "-".to_string();
        let list = |l: &[String], sep: &str| {
            if l.is_empty() { unset() } else { l.join(sep) }
        };
        let mut rows = vec![
            (
                "artifact_digest",
                self.artifact
                    .as_ref()
                    .map_or_else(unset, Artifact::identity),
            ),
            (
                "code_runtime",
                self.code_runtime.clone().unwrap_or_else(unset),
            ),
            ("entry_point", list(&self.entry_point, " ")),
            ("variable_names", list(&self.variable_names, ", ")),
            ("role", self.role_arn.clone().unwrap_or_else(unset)),
        ];
        rows.extend(self.posture.rows());
        rows
    }

    /// The settings that differ from `other`'s.
    pub fn diff(&self, other: &VersionConfig) -> Vec<FieldDiff> {
        self.rows()
            .into_iter()
            .zip(other.rows())
            .filter(|((_, l), (_, r))| l != r)
            .map(|((field, left), (_, right))| FieldDiff { field, left, right })
            .collect()
    }

    /// The posture settings the environment configures (`wanted`) that this version does not
    /// have; settings `wanted` leaves unset do not count.
    pub fn drift_from(&self, wanted: &Posture) -> Vec<PostureDrift> {
        posture_drift(&self.posture, wanted)
    }
}

/// A setting the environment configures that a runtime does not have.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PostureDrift {
    pub field: &'static str,
    pub configured: String,
    pub actual: String,
}

/// What of `wanted` (an environment's configured posture) `actual` lacks, field by field.
pub fn posture_drift(actual: &Posture, wanted: &Posture) -> Vec<PostureDrift> {
    wanted
        .rows()
        .into_iter()
        .zip(actual.rows())
        .filter(|((_, w), (_, a))| w != "-" && w != a)
        .map(|((field, configured), (_, actual))| PostureDrift {
            field,
            configured,
            actual,
        })
        .collect()
}

/// `v3 (live, canary)`: a version's column header.
pub fn column(c: &VersionConfig, latest: bool) -> String {
    let mut tags: Vec<&str> = c.served_by.iter().map(String::as_str).collect();
    if latest {
        tags.insert(0, "latest");
    }
    if tags.is_empty() {
        format!("v{}", c.version)
    } else {
        format!("v{} ({})", c.version, tags.join(", "))
    }
}

/// Every setting, one column per version, header row first (`runtime show`, the runtime
/// pane); the artifact's location leads because the digest alone does not say where it is.
pub fn side_by_side(versions: &[&VersionConfig], latest: &str) -> Vec<Vec<String>> {
    let mut header = vec!["SETTING".to_string()];
    header.extend(versions.iter().map(|c| column(c, c.version == latest)));
    let mut out = vec![header];
    let mut first = vec!["artifact".to_string()];
    first.extend(versions.iter().map(|c| {
        c.artifact
            .as_ref()
            .map_or_else(|| "-".to_string(), |a| a.location.clone())
    }));
    out.push(first);
    let columns: Vec<Vec<(&str, String)>> = versions.iter().map(|c| c.rows()).collect();
    if let Some(names) = columns.first() {
        for (i, (field, _)) in names.iter().enumerate() {
            let mut row = vec![field.to_string()];
            row.extend(columns.iter().map(|rows| rows[i].1.clone()));
            out.push(row);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::posture::{InboundAuth, Network};

    fn config() -> VersionConfig {
        VersionConfig {
            env: "dev".into(),
            runtime_id: "weather-AbC123xyzQ".into(),
            version: "1".into(),
            status: "READY".into(),
            artifact: Some(Artifact::code("b", "weather/0123456789abcdef.zip")),
            code_runtime: Some("PYTHON_3_12".into()),
            entry_point: vec!["main.py".into()],
            variable_names: vec!["A".into(), "B".into()],
            role_arn: Some("arn:aws:iam::1:role/r".into()),
            posture: Posture {
                network: Some(Network::Public),
                auth: Some(InboundAuth::Iam),
                ..Posture::default()
            },
            retention_from: None,
            served_by: vec![],
        }
    }

    #[test]
    fn deploys_key_gives_the_digest_and_other_keys_none() {
        let a = Artifact::code("b", "weather/0123456789abcdef.zip");
        assert_eq!(a.digest.as_deref(), Some("sha256:0123456789abcdef"));
        assert_eq!(a.location, "s3://b/weather/0123456789abcdef.zip");
        let full = "0123456789abcdef".repeat(4);
        let f = Artifact::code("b", &format!("weather/{full}.zip"));
        assert_eq!(f.digest, Some(format!("sha256:{full}")));
        assert_eq!(Artifact::code("b", "weather.zip").digest, None);
        assert_eq!(Artifact::code("b", "w/0123456789ABCDEF.zip").digest, None);
        assert_eq!(Artifact::code("b", "w/0123456789abcdef0.zip").digest, None);
        let pinned = Artifact::container("r/x@sha256:abc");
        assert_eq!(pinned.digest.as_deref(), Some("sha256:abc"));
        assert_eq!(Artifact::container("r/x:1").digest, None);
        assert!(Artifact::container("r/x:1").identity().contains("r/x:1"));
    }

    #[test]
    fn diff_lists_only_what_differs() {
        let a = config();
        let mut b = config();
        assert!(a.diff(&b).is_empty());
        b.variable_names.push("C".into());
        b.posture.network = Some(Network::Vpc {
            subnets: vec!["subnet-1".into()],
            security_groups: vec![],
        });
        let d = a.diff(&b);
        let fields: Vec<_> = d.iter().map(|f| f.field).collect();
        assert_eq!(fields, ["variable_names", "network", "subnets"]);
        assert_eq!(d[0].right, "A, B, C");
    }

    #[test]
    fn drift_counts_only_what_the_environment_configures() {
        let c = config();
        assert!(c.drift_from(&Posture::default()).is_empty());
        let wanted = Posture {
            network: Some(Network::Public),
            log_retention_days: Some(90),
            ..Posture::default()
        };
        let d = c.drift_from(&wanted);
        assert_eq!(d.len(), 1);
        assert_eq!(
            (d[0].field, d[0].configured.as_str(), d[0].actual.as_str()),
            ("log_retention_days", "90", "-")
        );
    }
}
