//! Alarms the console creates and reads: the standard kinds, the per-environment template
//! (`[environments.NAME.alarms]`), the names it gives what it creates, and which runtime and
//! endpoint an alarm concerns, whoever created it.
//!
//! Tool errors: a metric filter cannot take a dimension value from its log group, so each
//! endpoint's count is its own metric: namespace [`TOOL_ERRORS_NAMESPACE`], metric name
//! `<runtime>/<endpoint>` (names of both are `[a-zA-Z][a-zA-Z0-9_]*`, so `/` cannot be
//! ambiguous, and CloudWatch Logs forbids `:` in metric names).

use serde::Serialize;

/// Every name the console gives an alarm starts with this and a `/`.
pub const NAME_PREFIX: &str = "agentcore-console";
/// Where the tool-error counts of every endpoint are published.
pub const TOOL_ERRORS_NAMESPACE: &str = "AgentCoreConsole/ToolErrors";
/// The name of the metric filter on each endpoint's log group.
pub const TOOL_ERRORS_FILTER: &str = "agentcore-console/tool-errors";
/// The pattern of that filter unless the environment says otherwise.
pub const DEFAULT_TOOL_ERROR_PATTERN: &str = r#"{ $.level = "ERROR" }"#;

/// The standard alarms `alarms apply` makes for each endpoint.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum AlarmKind {
    /// 100 × TotalErrors / Invocations (AgentCore's metrics, metric math), percent.
    ErrorRate,
    /// 100 × tool errors (the log metric filter) / Invocations, percent.
    ToolErrorRate,
    /// A percentile (p99 unless the template says otherwise) of `Latency`, milliseconds.
    Latency,
    /// `Throttles`, sum per period.
    Throttles,
}

impl AlarmKind {
    pub const ALL: [Self; 4] = [
        Self::ErrorRate,
        Self::ToolErrorRate,
        Self::Latency,
        Self::Throttles,
    ];

    /// The last part of the alarm's name.
    pub fn slug(self) -> &'static str {
        match self {
            Self::ErrorRate => "error-rate",
            Self::ToolErrorRate => "tool-error-rate",
            Self::Latency => "latency",
            Self::Throttles => "throttles",
        }
    }

    pub fn from_slug(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.slug() == s)
    }

    /// Its table in the template: `[environments.NAME.alarms.<key>]`.
    pub fn config_key(self) -> &'static str {
        match self {
            Self::ErrorRate => "error_rate",
            Self::ToolErrorRate => "tool_error_rate",
            Self::Latency => "latency",
            Self::Throttles => "throttles",
        }
    }

    pub fn from_config_key(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.config_key() == s)
    }
}

/// CloudWatch's TreatMissingData.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum TreatMissing {
    #[serde(rename = "breaching")]
    Breaching,
    #[serde(rename = "notBreaching")]
    NotBreaching,
    #[serde(rename = "ignore")]
    Ignore,
    #[serde(rename = "missing")]
    Missing,
}

impl TreatMissing {
    pub const ALL: [Self; 4] = [
        Self::Breaching,
        Self::NotBreaching,
        Self::Ignore,
        Self::Missing,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Breaching => "breaching",
            Self::NotBreaching => "notBreaching",
            Self::Ignore => "ignore",
            Self::Missing => "missing",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|t| t.as_str() == s)
    }
}

/// One kind's settings in the template.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct KindSettings {
    /// `false` leaves this kind out of `apply` (and `apply` deletes one it made before).
    pub enabled: bool,
    /// Breaching at or above this (percent for rates, milliseconds for latency, a count for
    /// throttles).
    pub threshold: f64,
    /// The statistic of the watched metric: `Sum` for counts and rates, `p99` (any `pNN`,
    /// `Average` or `Maximum`) for latency.
    pub statistic: String,
}

/// `[environments.NAME.alarms]`: how `alarms apply` builds the standard alarms.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AlarmTemplate {
    /// Seconds, a multiple of 60.
    pub period: i32,
    pub evaluation_periods: i32,
    /// M of the N evaluation periods that must breach.
    pub datapoints_to_alarm: i32,
    pub treat_missing_data: TreatMissing,
    /// Rates need at least this many invocations in a period to breach (one failed call out
    /// of one is not a 100% error rate worth a page).
    pub min_invocations: f64,
    /// SNS topic ARNs notified on ALARM.
    pub alarm_actions: Vec<String>,
    /// SNS topic ARNs notified on the return to OK.
    pub ok_actions: Vec<String>,
    /// The filter pattern that counts a log event as a tool error.
    pub tool_error_pattern: String,
    pub error_rate: KindSettings,
    pub tool_error_rate: KindSettings,
    pub latency: KindSettings,
    pub throttles: KindSettings,
}

impl Default for AlarmTemplate {
    /// The documented defaults: one-minute periods, 2 of 3 breaching, missing data not
    /// breaching (an idle endpoint is not an incident), 5% error rates, p99 over 2 s, any
    /// throttle.
    fn default() -> Self {
        let on = |threshold: f64, statistic: &str| KindSettings {
            enabled: true,
            threshold,
            statistic: statistic.to_string(),
        };
        Self {
            period: 60,
            evaluation_periods: 3,
            datapoints_to_alarm: 2,
            treat_missing_data: TreatMissing::NotBreaching,
            min_invocations: 5.0,
            alarm_actions: Vec::new(),
            ok_actions: Vec::new(),
            tool_error_pattern: DEFAULT_TOOL_ERROR_PATTERN.to_string(),
            error_rate: on(5.0, "Sum"),
            tool_error_rate: on(5.0, "Sum"),
            latency: on(2000.0, "p99"),
            throttles: on(1.0, "Sum"),
        }
    }
}

impl AlarmTemplate {
    pub fn kind(&self, kind: AlarmKind) -> &KindSettings {
        match kind {
            AlarmKind::ErrorRate => &self.error_rate,
            AlarmKind::ToolErrorRate => &self.tool_error_rate,
            AlarmKind::Latency => &self.latency,
            AlarmKind::Throttles => &self.throttles,
        }
    }

    pub fn kind_mut(&mut self, kind: AlarmKind) -> &mut KindSettings {
        match kind {
            AlarmKind::ErrorRate => &mut self.error_rate,
            AlarmKind::ToolErrorRate => &mut self.tool_error_rate,
            AlarmKind::Latency => &mut self.latency,
            AlarmKind::Throttles => &mut self.throttles,
        }
    }
}

/// `agentcore-console/<runtime>/<endpoint>/<kind>`.
pub fn alarm_name(runtime: &str, endpoint: &str, kind: AlarmKind) -> String {
    format!("{NAME_PREFIX}/{runtime}/{endpoint}/{}", kind.slug())
}

/// The prefix of every alarm the console made for `runtime` (DescribeAlarms AlarmNamePrefix).
pub fn runtime_prefix(runtime: &str) -> String {
    format!("{NAME_PREFIX}/{runtime}/")
}

/// Runtime, endpoint and kind of a name the console gave (None for any other name).
pub fn parse_alarm_name(name: &str) -> Option<(&str, &str, AlarmKind)> {
    let rest = name.strip_prefix(NAME_PREFIX)?.strip_prefix('/')?;
    let mut parts = rest.split('/');
    let (runtime, endpoint, kind) = (parts.next()?, parts.next()?, parts.next()?);
    if parts.next().is_some() || runtime.is_empty() || endpoint.is_empty() {
        return None;
    }
    Some((runtime, endpoint, AlarmKind::from_slug(kind)?))
}

/// The tool-error metric of one endpoint (in [`TOOL_ERRORS_NAMESPACE`]).
pub fn tool_error_metric(runtime: &str, endpoint: &str) -> String {
    format!("{runtime}/{endpoint}")
}

/// CloudWatch's alarm states.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub enum AlarmState {
    #[serde(rename = "ALARM")]
    Alarm,
    #[serde(rename = "INSUFFICIENT_DATA")]
    InsufficientData,
    #[serde(rename = "OK")]
    Ok,
}

impl AlarmState {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Alarm => "ALARM",
            Self::InsufficientData => "INSUFFICIENT_DATA",
            Self::Ok => "OK",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        [Self::Alarm, Self::InsufficientData, Self::Ok]
            .into_iter()
            .find(|t| t.as_str() == s)
    }
}

/// One metric an alarm watches (its single metric, or one in its math).
#[derive(Debug, Clone, PartialEq)]
pub struct WatchedMetric {
    pub namespace: String,
    pub name: String,
    pub dims: Vec<(String, String)>,
}

/// Whether an alarm watching `metrics` concerns the runtime `runtime` (name) with ARN
/// `arn`, and if so the endpoint it is about when one can be told: a dimension equal to the
/// ARN or starting with `<runtime>::` (AgentCore's `Name`), or one of our tool-error metrics.
/// `Some(None)`: the runtime as a whole.
pub fn concerns(metrics: &[WatchedMetric], runtime: &str, arn: &str) -> Option<Option<String>> {
    let named = format!("{runtime}::");
    let ours = format!("{runtime}/");
    let mut found = None;
    for m in metrics {
        if m.namespace == TOOL_ERRORS_NAMESPACE
            && let Some(ep) = m.name.strip_prefix(&ours)
        {
            return Some(Some(ep.to_string()));
        }
        for (_, v) in &m.dims {
            if let Some(ep) = v.strip_prefix(&named) {
                return Some(Some(ep.to_string()));
            }
            if v == arn {
                found = Some(None);
            }
        }
    }
    found
}

/// An alarm as the console lists it (`alarms --output json` prints these).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AlarmInfo {
    pub env: String,
    pub runtime: String,
    pub endpoint: Option<String>,
    pub name: String,
    pub state: AlarmState,
    pub reason: String,
    /// RFC 3339.
    pub state_updated_at: Option<String>,
    pub threshold: Option<f64>,
    pub comparison: Option<String>,
    pub actions_enabled: bool,
    /// Alarm, OK and insufficient-data actions, in that order.
    pub actions: Vec<String>,
    /// Which standard kind, for an alarm the console made (by its name).
    #[serde(skip)]
    pub kind: Option<AlarmKind>,
}

/// One entry of an alarm's history (DescribeAlarmHistory).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AlarmHistoryItem {
    pub name: String,
    /// RFC 3339.
    pub timestamp: String,
    /// `StateUpdate`, `ConfigurationUpdate`, `Action`.
    pub kind: String,
    pub summary: String,
    /// For a state update, the state it moved to (from HistoryData's newState).
    pub new_state: Option<AlarmState>,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m(ns: &str, name: &str, dims: &[(&str, &str)]) -> WatchedMetric {
        WatchedMetric {
            namespace: ns.into(),
            name: name.into(),
            dims: dims
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
        }
    }

    #[test]
    fn names_round_trip_and_other_names_are_not_ours() {
        for kind in AlarmKind::ALL {
            let n = alarm_name("weather_mcp", "canary", kind);
            assert_eq!(parse_alarm_name(&n), Some(("weather_mcp", "canary", kind)));
            assert!(n.starts_with(&runtime_prefix("weather_mcp")));
            assert_eq!(AlarmKind::from_config_key(kind.config_key()), Some(kind));
        }
        assert_eq!(parse_alarm_name("agentcore-console/a/b/unknown"), None);
        assert_eq!(parse_alarm_name("agentcore-console/a/b/latency/x"), None);
        assert_eq!(parse_alarm_name("someone-else/a/b/latency"), None);
        assert_eq!(parse_alarm_name("agentcore-console//b/latency"), None);
    }

    #[test]
    fn an_alarm_concerns_a_runtime_by_arn_name_dimension_or_our_metric() {
        let arn = "arn:aws:bedrock-agentcore:us-east-1:1:runtime/weather_mcp-AbC";
        let by_arn = [m("AWS/Bedrock-AgentCore", "Latency", &[("Resource", arn)])];
        assert_eq!(concerns(&by_arn, "weather_mcp", arn), Some(None));
        let by_name = [m(
            "AWS/Bedrock-AgentCore",
            "Invocations",
            &[("Resource", arn), ("Name", "weather_mcp::canary")],
        )];
        assert_eq!(
            concerns(&by_name, "weather_mcp", arn),
            Some(Some("canary".into()))
        );
        let ours = [m(TOOL_ERRORS_NAMESPACE, "weather_mcp/live", &[])];
        assert_eq!(
            concerns(&ours, "weather_mcp", arn),
            Some(Some("live".into()))
        );
        // A runtime whose name starts like another's is not it.
        let other = [m(
            "AWS/Bedrock-AgentCore",
            "Invocations",
            &[("Name", "weather_mcp_v2::live")],
        )];
        assert_eq!(concerns(&other, "weather_mcp", arn), None);
        let theirs = [m(TOOL_ERRORS_NAMESPACE, "weather_mcp_v2/live", &[])];
        assert_eq!(concerns(&theirs, "weather_mcp", arn), None);
    }

    #[test]
    fn states_and_missing_data_treatments_parse_their_aws_names() {
        for s in ["ALARM", "OK", "INSUFFICIENT_DATA"] {
            assert_eq!(AlarmState::parse(s).map(AlarmState::as_str), Some(s));
        }
        assert_eq!(AlarmState::parse("alarm"), None);
        for t in ["breaching", "notBreaching", "ignore", "missing"] {
            assert_eq!(TreatMissing::parse(t).map(TreatMissing::as_str), Some(t));
        }
        assert_eq!(TreatMissing::parse("NotBreaching"), None);
    }
}
