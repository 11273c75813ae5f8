//! The traffic writes (`traffic set`, `promote`, `abort`), described before they are made:
//! the calls `backend::traffic` makes, in its order (everything checked and the gateway and
//! targets made ready before anything routes differently), and the CLI line.

use super::{Call, read};
use crate::backend::traffic::rules::{path_pattern, slug};

/// A change to a runtime's canary split in one environment, with what is true now (the
/// preview shows both).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TrafficOp {
    pub env: String,
    pub runtime: String,
    pub runtime_id: String,
    /// The stable endpoint and the version it serves.
    pub stable: (String, Option<String>),
    /// The canary endpoint (it may not exist yet) and the version it serves.
    pub canary: (String, Option<String>),
    /// The gateway (none yet: the change creates it).
    pub gateway: Option<String>,
    /// The runtime's rule: id and priority (none yet: the change creates it).
    pub rule: Option<(String, i32)>,
    /// The configured canary percent now (none: no rule routes the runtime yet).
    pub weight_now: Option<i32>,
    pub change: TrafficChange,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TrafficChange {
    /// Pin the canary endpoint to `version` and send it `weight`% of new sessions.
    Set { version: String, weight: i32 },
    /// The stable endpoint to the canary's version; 100% stable.
    Promote,
    /// 100% stable; the canary endpoint stays where it is.
    Abort,
}

impl TrafficOp {
    pub fn verb(&self) -> &'static str {
        match self.change {
            TrafficChange::Set { .. } => "traffic.set",
            TrafficChange::Promote => "traffic.promote",
            TrafficChange::Abort => "traffic.abort",
        }
    }

    fn v(version: Option<&String>) -> String {
        version.map_or_else(|| "none".into(), |v| format!("v{v}"))
    }

    fn weight_now(&self) -> String {
        self.weight_now
            .map_or_else(|| "no split yet".into(), |w| format!("{w}%"))
    }

    pub fn title(&self) -> String {
        let (rt, env) = (&self.runtime, &self.env);
        let (stable, s_v) = (&self.stable.0, Self::v(self.stable.1.as_ref()));
        let (canary, c_v) = (&self.canary.0, Self::v(self.canary.1.as_ref()));
        match &self.change {
            TrafficChange::Set { version, weight } => format!(
                "{rt} in {env}: {weight}% of new sessions to {canary} v{version} (now {} on {c_v})",
                self.weight_now()
            ),
            TrafficChange::Promote => {
                format!("Promote {rt} in {env}: {stable} {s_v} → {c_v}, then 100% to {stable}")
            }
            TrafficChange::Abort => format!(
                "Abort the canary of {rt} in {env}: 100% of new sessions to {stable} {s_v} (now {})",
                self.weight_now()
            ),
        }
    }

    /// The rule as it will be: `weighted: x-stable 90 / x-canary 10`, or a static route.
    fn route(&self, stable_w: i32) -> String {
        let base = slug(&self.runtime);
        match stable_w {
            100 => format!("static: {base}-stable"),
            0 => format!("static: {base}-canary"),
            w => format!("weighted: {base}-stable {w} / {base}-canary {}", 100 - w),
        }
    }

    pub fn calls(&self) -> Vec<Call> {
        let (stable, canary) = (&self.stable.0, &self.canary.0);
        let base = slug(&self.runtime);
        // The backend finds the gateway by name (ListGateways) and calls it by its id.
        let gw = self.gateway.as_deref().map_or_else(
            || "the new gateway's id".to_string(),
            |g| format!("the id of {g}"),
        );
        let mut calls = vec![read(format!(
            "ListAgentRuntimes → {}; ListAgentRuntimeEndpoints; ListGateways, GetGateway, ListGatewayRules (the split before)",
            self.runtime
        ))];
        if let TrafficChange::Set { version, .. } = &self.change {
            calls.insert(
                0,
                read(format!(
                    "ListAgentRuntimeVersions (version {version} exists and has not failed)"
                )),
            );
        }
        calls.push(read(format!(
            "GetAgentRuntimeEndpoint {stable} (serves a version); ListGatewayTargets {base}-stable, {base}-canary{}",
            if self.gateway.is_none() {
                " — CreateGateway and CreateGatewayTarget first: there is no gateway yet"
            } else {
                " (CreateGatewayTarget for one that is missing)"
            }
        )));
        let moves = match &self.change {
            TrafficChange::Set { version, .. } => Some((canary, &self.canary.1, version.clone())),
            TrafficChange::Promote => self.canary.1.clone().map(|v| (stable, &self.stable.1, v)),
            TrafficChange::Abort => None,
        };
        if let Some((endpoint, now, to)) = moves {
            let create = now.is_none() && endpoint == canary;
            calls.push(Call {
                write: true,
                text: if create {
                    "CreateAgentRuntimeEndpoint".into()
                } else {
                    "UpdateAgentRuntimeEndpoint".into()
                },
                params: vec![
                    ("agentRuntimeId", self.runtime_id.clone(), None),
                    ("endpointName", endpoint.clone(), None),
                    ("agentRuntimeVersion", to.clone(), now.clone()),
                ],
            });
            calls.push(read(format!(
                "GetAgentRuntimeEndpoint {endpoint} until READY on version {to} (up to 2 min)"
            )));
        }
        let stable_w = match &self.change {
            TrafficChange::Set { weight, .. } => 100 - weight,
            TrafficChange::Promote | TrafficChange::Abort => 100,
        };
        let route_now = self.weight_now.map(|w| self.route(100 - w));
        let mut params = vec![("gatewayIdentifier", gw, None)];
        let text = match &self.rule {
            Some((id, priority)) => {
                params.push(("ruleId", id.clone(), None));
                params.push(("priority", priority.to_string(), None));
                "UpdateGatewayRule"
            }
            None => {
                params.push(("priority", "the lowest free one".into(), None));
                "CreateGatewayRule"
            }
        };
        params.push((
            "conditions",
            format!("matchPaths {}", path_pattern(&self.runtime)),
            None,
        ));
        params.push(("actions", self.route(stable_w), route_now));
        calls.push(Call {
            write: true,
            text: text.into(),
            params,
        });
        calls.push(read(
            "read back the endpoints and the rule (traffic show) for the audit log".into(),
        ));
        calls
    }

    pub fn cli_args(&self) -> Vec<String> {
        let mut args: Vec<String> = ["traffic", self.verb().trim_start_matches("traffic.")]
            .iter()
            .map(|s| (*s).to_string())
            .collect();
        args.extend([self.runtime.clone(), "--env".into(), self.env.clone()]);
        if let TrafficChange::Set { version, weight } = &self.change {
            args.extend([
                "--canary-version".into(),
                version.clone(),
                "--weight".into(),
                weight.to_string(),
            ]);
        }
        args
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tui::write::WriteOp;

    fn op(change: TrafficChange) -> TrafficOp {
        TrafficOp {
            env: "prod".into(),
            runtime: "weather_mcp".into(),
            runtime_id: "weather_mcp-AbC".into(),
            stable: ("live".into(), Some("3".into())),
            canary: ("canary".into(), Some("4".into())),
            gateway: Some("mcp-gw-prod".into()),
            rule: Some(("rule-1".into(), 1)),
            weight_now: Some(10),
            change,
        }
    }

    #[test]
    fn each_change_previews_its_writes_and_its_command() {
        let prefix = vec!["agentcore-console".to_string()];
        let set = WriteOp::Traffic(Box::new(op(TrafficChange::Set {
            version: "5".into(),
            weight: 25,
        })));
        let writes: Vec<_> = set.calls().into_iter().filter(|c| c.write).collect();
        assert_eq!(writes.len(), 2, "the canary endpoint, then the rule");
        assert_eq!(writes[0].text, "UpdateAgentRuntimeEndpoint");
        assert_eq!(
            writes[0].params[2],
            ("agentRuntimeVersion", "5".into(), Some("4".into()))
        );
        assert_eq!(
            writes[1].params.last(),
            Some(&(
                "actions",
                "weighted: weather-mcp-stable 75 / weather-mcp-canary 25".to_string(),
                Some("weighted: weather-mcp-stable 90 / weather-mcp-canary 10".to_string())
            ))
        );
        assert_eq!(
            set.command(&prefix, true),
            "agentcore-console traffic set weather_mcp --env prod --canary-version 5 --weight 25 --arm --yes"
        );
        let abort = WriteOp::Traffic(Box::new(op(TrafficChange::Abort)));
        let writes: Vec<_> = abort.calls().into_iter().filter(|c| c.write).collect();
        assert_eq!(writes.len(), 1, "only the rule");
        assert_eq!(
            writes[0].params.last().map(|p| p.1.as_str()),
            Some("static: weather-mcp-stable")
        );
        assert_eq!(
            abort.command(&prefix, false),
            "agentcore-console traffic abort weather_mcp --env prod --yes"
        );
        let promote = WriteOp::Traffic(Box::new(op(TrafficChange::Promote)));
        let writes: Vec<_> = promote.calls().into_iter().filter(|c| c.write).collect();
        assert_eq!(
            writes[0].params[1..],
            [
                ("endpointName", "live".to_string(), None),
                ("agentRuntimeVersion", "4".into(), Some("3".into()))
            ]
        );
        assert_eq!(promote.verb(), "traffic.promote");
        assert!(
            promote.title().contains("live v3 → v4"),
            "{}",
            promote.title()
        );
    }
}
