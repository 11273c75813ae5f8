//! The posture a deploy gives the runtime, and the log retention it sets.
//!
//! Each setting comes from the request (flags, pane fields), else the environment's
//! `[environments.NAME.runtime]`, else (on an update) the current version's, else AWS's
//! default. The first two are known before any call, so the request's own posture is checked
//! (`check`) before the first one; the current version's joins in `sent`, before the write.

use serde::Serialize;

use super::DeployRequest;
use crate::backend::{BackendError, Clients};
use crate::domain::Environment;
use crate::domain::posture::{InboundAuth, Lifecycle, Network, Posture, Protocol};
use crate::domain::runtime::log_group_name;

/// What AWS applies when a member is not sent: public network, IAM callers, MCP.
pub fn aws_defaults() -> Posture {
    Posture {
        network: Some(Network::Public),
        auth: Some(InboundAuth::Iam),
        protocol: Some(Protocol::Mcp),
        ..Posture::default()
    }
}

/// `top`'s settings, `under`'s where `top` has none (the two lifecycle values each on their own).
pub fn overlay(top: &Posture, under: &Posture) -> Posture {
    let lifecycle = match (top.lifecycle, under.lifecycle) {
        (Some(t), Some(u)) => Some(Lifecycle {
            idle_session_timeout_s: t.idle_session_timeout_s.or(u.idle_session_timeout_s),
            max_lifetime_s: t.max_lifetime_s.or(u.max_lifetime_s),
        }),
        (t, u) => t.or(u),
    };
    Posture {
        network: top.network.clone().or_else(|| under.network.clone()),
        auth: top.auth.clone().or_else(|| under.auth.clone()),
        lifecycle,
        protocol: top.protocol.or(under.protocol),
        request_headers: top
            .request_headers
            .clone()
            .or_else(|| under.request_headers.clone()),
        log_retention_days: top.log_retention_days.or(under.log_retention_days),
    }
}

/// The settings this deploy sets whatever the runtime has: the request's over the
/// environment's.
pub fn intended(req: &DeployRequest, environment: &Environment) -> Posture {
    overlay(&req.posture, &environment.posture)
}

/// What goes on the wire: `intended`, then the current version's settings (an update), then
/// AWS's defaults; checked against AWS's constraints as a whole.
pub fn sent(intended: &Posture, current: Option<&Posture>) -> Result<Posture, BackendError> {
    let base = match current {
        Some(c) => overlay(c, &aws_defaults()),
        None => aws_defaults(),
    };
    let p = overlay(intended, &base);
    p.validate().map_err(|e| {
        BackendError::Other(format!(
            "the runtime posture this deploy would send is not valid: {e}"
        ))
    })?;
    Ok(p)
}

/// The request's posture checked before any call: valid, and, in a protected environment, no
/// weaker than the environment's unless allowed and armed. Ok holds the weakenings an
/// unprotected environment only warns about (and an allowed, armed deploy carries out).
pub fn check(req: &DeployRequest, environment: &Environment) -> Result<Vec<String>, BackendError> {
    let intended = intended(req, environment);
    intended
        .validate()
        .map_err(|e| BackendError::Other(format!("the runtime posture is not valid: {e}")))?;
    // What the deploy gives the runtime where nothing is set is AWS's default, and that is
    // what a weakening is judged on (an unset authorizer drops the environment's).
    let weakened = environment.posture.weakened_by(&intended);
    if weakened.is_empty() || !environment.read_only || (req.allow_posture_change && req.armed) {
        return Ok(weakened);
    }
    Err(BackendError::Other(format!(
        "deploy to protected environment `{}` weakens its runtime posture: {}. Pass \
         --allow-posture-change with --arm to deploy it anyway (the change is audited)",
        environment.name,
        weakened.join("; ")
    )))
}

/// The plan's posture lines: each setting this deploy sets that differs from AWS's default,
/// then the retention call.
pub fn plan_lines(intended: &Posture) -> Vec<String> {
    let defaults = aws_defaults();
    let mut out: Vec<String> = intended
        .diff(&defaults)
        .into_iter()
        .filter(|(_, value, _)| value != "-")
        .filter(|(field, _, _)| *field != "log_retention_days")
        .map(|(field, value, _)| format!("  posture {field} = {value}"))
        .collect();
    if !out.is_empty() {
        out.insert(
            0,
            "  (in the runtime write) the posture settings, others carried over or AWS's defaults:"
                .into(),
        );
    }
    if let Some(d) = intended.log_retention_days {
        out.push(format!(
            "CreateLogGroup (if missing) and PutRetentionPolicy {d} days on every endpoint's log \
             group"
        ));
    }
    out
}

/// Log retention as set on the runtime's endpoints' log groups.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RetentionApplied {
    pub days: u32,
    pub log_groups: Vec<String>,
}

/// PutRetentionPolicy on the log group of every endpoint of the runtime (DEFAULT included),
/// creating a group first where the runtime has not logged yet, so that its first events
/// already expire.
pub async fn apply_retention(
    c: &Clients,
    runtime_id: &str,
    days: u32,
) -> Result<RetentionApplied, BackendError> {
    let mut names: Vec<String> = crate::backend::runtimes::list_endpoints(c, runtime_id)
        .await?
        .into_iter()
        .map(|e| e.name)
        .collect();
    if !names.iter().any(|n| n == "DEFAULT") {
        names.insert(0, "DEFAULT".into());
    }
    let mut log_groups = Vec::new();
    for endpoint in names {
        let group = log_group_name(runtime_id, &endpoint);
        if let Err(e) = c
            .logs
            .create_log_group()
            .log_group_name(&group)
            .send()
            .await
        {
            let e = BackendError::sdk("CreateLogGroup", e);
            if e.code() != Some("ResourceAlreadyExistsException") {
                return Err(e);
            }
        }
        c.logs
            .put_retention_policy()
            .log_group_name(&group)
            .retention_in_days(days as i32)
            .send()
            .await
            .map_err(|e| BackendError::sdk("PutRetentionPolicy", e))?;
        log_groups.push(group);
    }
    Ok(RetentionApplied { days, log_groups })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn jwt() -> InboundAuth {
        InboundAuth::Jwt {
            discovery_url: "https://issuer.example.com/.well-known/openid-configuration".into(),
            allowed_audiences: vec!["prod".into()],
            allowed_clients: vec![],
        }
    }

    fn vpc() -> Network {
        Network::Vpc {
            subnets: vec!["subnet-0123456789abcdef0".into()],
            security_groups: vec!["sg-0123456789abcdef0".into()],
        }
    }

    #[test]
    fn request_over_environment_over_current_over_aws() {
        let request = Posture {
            protocol: Some(Protocol::Http),
            lifecycle: Some(Lifecycle {
                idle_session_timeout_s: Some(120),
                max_lifetime_s: None,
            }),
            ..Posture::default()
        };
        let env = Posture {
            protocol: Some(Protocol::A2a),
            auth: Some(jwt()),
            log_retention_days: Some(90),
            ..Posture::default()
        };
        let current = Posture {
            network: Some(vpc()),
            auth: Some(InboundAuth::Iam),
            lifecycle: Some(Lifecycle {
                idle_session_timeout_s: Some(600),
                max_lifetime_s: Some(3600),
            }),
            ..Posture::default()
        };
        let sent = sent(&overlay(&request, &env), Some(&current)).unwrap();
        assert_eq!(sent.protocol, Some(Protocol::Http), "the request wins");
        assert_eq!(sent.auth, Some(jwt()), "then the environment");
        assert_eq!(sent.network, Some(vpc()), "then the current version");
        assert_eq!(
            sent.lifecycle,
            Some(Lifecycle {
                idle_session_timeout_s: Some(120),
                max_lifetime_s: Some(3600)
            }),
            "each lifecycle value on its own"
        );
        assert_eq!(sent.log_retention_days, Some(90));
        let created = super::sent(&Posture::default(), None).unwrap();
        assert_eq!(
            created,
            aws_defaults(),
            "a create without settings gets AWS's"
        );
    }

    #[test]
    fn an_invalid_combination_is_refused_before_the_write() {
        // The request's idle timeout alone is fine; with the current max lifetime it is not.
        let intended = Posture {
            lifecycle: Some(Lifecycle {
                idle_session_timeout_s: Some(7200),
                max_lifetime_s: None,
            }),
            ..Posture::default()
        };
        let current = Posture {
            lifecycle: Some(Lifecycle {
                idle_session_timeout_s: None,
                max_lifetime_s: Some(3600),
            }),
            ..Posture::default()
        };
        let e = sent(&intended, Some(&current)).expect_err("refused");
        assert!(e.to_string().contains("idle_session_timeout"), "{e}");
    }

    #[test]
    fn plan_lists_settings_that_differ_from_aws_and_the_retention_call() {
        let p = Posture {
            network: Some(Network::Public),
            auth: Some(jwt()),
            log_retention_days: Some(30),
            ..Posture::default()
        };
        let lines = plan_lines(&p).join("\n");
        assert!(lines.contains("posture auth = JWT"), "{lines}");
        assert!(
            lines.contains("posture allowed_audiences = prod"),
            "{lines}"
        );
        assert!(
            !lines.contains("posture network"),
            "PUBLIC is AWS's: {lines}"
        );
        assert!(lines.contains("PutRetentionPolicy 30 days"), "{lines}");
        assert!(plan_lines(&Posture::default()).is_empty());
    }

    fn request(posture: Posture, allow: bool, armed: bool) -> DeployRequest {
        DeployRequest {
            runtime: "weather_mcp".into(),
            source: super::super::Source::Image("123.dkr.ecr/x:1".into()),
            endpoint: None,
            role_arn: None,
            env_vars: vec![],
            unset_env: vec![],
            description: None,
            timeout: std::time::Duration::from_secs(60),
            armed,
            posture,
            allow_posture_change: allow,
            smoke: None,
        }
    }

    #[test]
    fn weakening_a_protected_posture_needs_the_flag_and_arming() {
        let mut env = Environment {
            name: "prod".into(),
            read_only: true,
            posture: Posture {
                auth: Some(jwt()),
                network: Some(vpc()),
                log_retention_days: Some(90),
                ..Posture::default()
            },
            ..Environment::default()
        };
        let weaker = Posture {
            auth: Some(InboundAuth::Iam),
            network: Some(Network::Public),
            log_retention_days: Some(7),
            ..Posture::default()
        };
        for (allow, armed) in [(false, false), (true, false), (false, true)] {
            let e = check(&request(weaker.clone(), allow, armed), &env).expect_err("refused");
            let msg = e.to_string();
            for part in [
                "replaces the JWT authorizer with IAM",
                "leaves the VPC",
                "shortens log retention from 90 to 7 days",
                "--allow-posture-change with --arm",
            ] {
                assert!(msg.contains(part), "{part} in {msg}");
            }
        }
        let allowed = check(&request(weaker.clone(), true, true), &env).expect("allowed");
        assert_eq!(allowed.len(), 3);
        // The environment's own settings fill what the request leaves unset: nothing weakened.
        assert_eq!(
            check(&request(Posture::default(), false, false), &env).unwrap(),
            Vec::<String>::new()
        );
        env.read_only = false;
        let warned = check(&request(weaker, false, false), &env).expect("only warned");
        assert_eq!(warned.len(), 3);
    }

    #[test]
    fn an_invalid_request_posture_is_refused() {
        let bad = Posture {
            log_retention_days: Some(8),
            ..Posture::default()
        };
        let e = check(&request(bad, false, false), &Environment::default()).expect_err("refused");
        assert!(
            e.to_string().contains("log_retention_days: 8 is not"),
            "{e}"
        );
    }
}
