//! The deploy write (`deploy`), described before it is made: the calls `backend::deploy`
//! makes (the same wording as the CLI's confirmation, from `backend::deploy::plan`) and the
//! CLI line. The console never moves a named endpoint in a deploy: that is a second write
//! (`rollback --to-version`), offered once the deploy validated.

use std::time::Duration;

use super::{Call, read};
use crate::backend::deploy::{self, DeployRequest, Source};
use crate::domain::posture::{InboundAuth, Network, Posture, seconds};
use crate::domain::secret::Secret;
use crate::domain::smoke::SmokeSpec;

/// A new version of `runtime` in `env` from `source`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeployOp {
    pub env: String,
    pub runtime: String,
    pub source: Source,
    pub env_vars: Vec<(String, Secret)>,
    /// Variables of the current version to drop (`-KEY` in the form).
    pub unset_env: Vec<String>,
    /// The posture fields as the form gives them (the environment's unless changed).
    pub posture: Posture,
    pub allow_posture_change: bool,
    /// The environment's posture: the plan's weakenings, and which settings the CLI line names.
    pub env_posture: Posture,
    /// The directory's smoke.toml, run after tools/list (the CLI reads it from DIR the same way).
    pub smoke: Option<SmokeSpec>,
}

/// How long the console's deploy waits for the new version (the CLI's default).
pub const DEPLOY_TIMEOUT: Duration = Duration::from_secs(300);

impl DeployOp {
    /// The backend's request: no endpoint (the move is its own confirmed write).
    pub fn request(&self, armed: bool) -> DeployRequest {
        DeployRequest {
            runtime: self.runtime.clone(),
            source: self.source.clone(),
            endpoint: None,
            role_arn: None,
            env_vars: self.env_vars.clone(),
            unset_env: self.unset_env.clone(),
            description: None,
            timeout: DEPLOY_TIMEOUT,
            armed,
            posture: self.posture.clone(),
            allow_posture_change: self.allow_posture_change,
            smoke: self.smoke.clone(),
        }
    }

    /// `./server (main.py, PYTHON_3_12)`, `s3://b/k (…)` or the image URI.
    pub fn artifact(&self) -> String {
        match &self.source {
            Source::Dir {
                dir,
                entry_point,
                language,
            } => format!("{} ({entry_point}, {language})", dir.display()),
            Source::S3 {
                bucket,
                key,
                entry_point,
                language,
            } => format!("s3://{bucket}/{key} ({entry_point}, {language})"),
            Source::Image(uri) => uri.clone(),
        }
    }

    pub fn title(&self) -> String {
        format!(
            "Deploy {} in {} from {}",
            self.runtime,
            self.env,
            self.artifact()
        )
    }

    /// The backend's plan, the runtime write with its parameters.
    pub fn calls(&self) -> Vec<Call> {
        let mut calls = vec![read(format!(
            "ListAgentRuntimes → {} (update it, or create it if absent)",
            self.runtime
        ))];
        for text in deploy::plan(&self.request(false), &self.env_posture) {
            if text.starts_with("PutObject") || text.starts_with("CreateLogGroup") {
                calls.push(Call {
                    write: true,
                    text,
                    params: vec![],
                });
            } else if text.starts_with("  ") {
                // The plan's posture lines: shown as the runtime write's parameters below.
                continue;
            } else if text.starts_with("CreateAgentRuntime") {
                let mut params = vec![
                    ("agentRuntimeName", self.runtime.clone(), None),
                    ("artifact", self.artifact(), None),
                    ("environmentVariables", self.env_summary(), None),
                ];
                // The settings that differ from AWS's defaults; the others are carried over.
                let intended = deploy::posture::overlay(&self.posture, &self.env_posture);
                params.extend(
                    intended
                        .diff(&deploy::posture::aws_defaults())
                        .into_iter()
                        .filter(|(field, value, _)| value != "-" && *field != "log_retention_days")
                        .map(|(field, value, _)| (field, value, None)),
                );
                calls.push(Call {
                    write: true,
                    text,
                    params,
                });
                calls.push(read(
                    "GetAgentRuntime until the new version is READY; DEFAULT follows it (up to 5 min)"
                        .into(),
                ));
            } else {
                calls.push(read(text));
            }
        }
        calls.push(read(
            "named endpoints are not moved: that is a separate confirmed step".into(),
        ));
        calls
    }

    /// What happens to the runtime's variables: names only (values may be secrets).
    fn env_summary(&self) -> String {
        let mut parts = vec![];
        if !self.env_vars.is_empty() {
            let set: Vec<&str> = self.env_vars.iter().map(|(k, _)| k.as_str()).collect();
            parts.push(format!("set {}", set.join(", ")));
        }
        if !self.unset_env.is_empty() {
            parts.push(format!("drop {}", self.unset_env.join(", ")));
        }
        parts.push("the rest carried over from the current version".into());
        parts.join("; ")
    }

    pub fn cli_args(&self) -> Vec<String> {
        let mut args: Vec<String> = vec![
            "--env".into(),
            self.env.clone(),
            "deploy".into(),
            self.runtime.clone(),
        ];
        let code = |args: &mut Vec<String>, entry: &str, language: &str| {
            args.extend([
                "--entry-point".into(),
                entry.to_string(),
                "--code-runtime".into(),
                language.to_string(),
            ]);
        };
        match &self.source {
            Source::Dir {
                dir,
                entry_point,
                language,
            } => {
                args.extend(["--from-dir".into(), dir.display().to_string()]);
                code(&mut args, entry_point, language);
            }
            Source::S3 {
                bucket,
                key,
                entry_point,
                language,
            } => {
                args.extend(["--s3".into(), format!("s3://{bucket}/{key}")]);
                code(&mut args, entry_point, language);
            }
            Source::Image(uri) => args.extend(["--image".into(), uri.clone()]),
        }
        for (k, v) in &self.env_vars {
            // The value goes in, for a faithful line; `command_line` redacts it.
            args.extend(["--env-var".into(), format!("{k}={}", v.expose())]);
        }
        for k in &self.unset_env {
            args.extend(["--unset-env-var".into(), k.clone()]);
        }
        args.extend(posture_flags(&self.posture, &self.env_posture));
        if self.allow_posture_change {
            args.push("--allow-posture-change".into());
        }
        args
    }
}

/// The flags that give `p` where it differs from the environment's `env` (which the CLI
/// applies by itself).
fn posture_flags(p: &Posture, env: &Posture) -> Vec<String> {
    let mut out: Vec<String> = vec![];
    let mut many = |flag: &str, values: &[String]| {
        for v in values {
            out.extend([flag.to_string(), v.clone()]);
        }
    };
    if p.network != env.network {
        match &p.network {
            Some(Network::Public) => many("--network", &["public".into()]),
            Some(Network::Vpc {
                subnets,
                security_groups,
            }) => {
                many("--network", &["vpc".into()]);
                many("--subnet", subnets);
                many("--security-group", security_groups);
            }
            None => {}
        }
    }
    if p.auth != env.auth {
        match &p.auth {
            Some(InboundAuth::Iam) => many("--auth", &["iam".into()]),
            Some(InboundAuth::Jwt {
                discovery_url,
                allowed_audiences,
                allowed_clients,
            }) => {
                many("--auth", &["jwt".into()]);
                many("--discovery-url", std::slice::from_ref(discovery_url));
                many("--allowed-audience", allowed_audiences);
                many("--allowed-client", allowed_clients);
            }
            None => {}
        }
    }
    let (life, env_life) = (
        p.lifecycle.unwrap_or_default(),
        env.lifecycle.unwrap_or_default(),
    );
    for (flag, v, e) in [
        (
            "--idle-timeout",
            life.idle_session_timeout_s,
            env_life.idle_session_timeout_s,
        ),
        (
            "--max-lifetime",
            life.max_lifetime_s,
            env_life.max_lifetime_s,
        ),
    ] {
        if let Some(s) = v.filter(|_| v != e) {
            many(flag, &[seconds(s)]);
        }
    }
    if let Some(proto) = p.protocol.filter(|_| p.protocol != env.protocol) {
        many("--protocol", &[proto.as_str().to_lowercase()]);
    }
    if let Some(h) = p
        .request_headers
        .as_ref()
        .filter(|_| p.request_headers != env.request_headers)
    {
        many("--request-header", h);
    }
    if let Some(d) = p
        .log_retention_days
        .filter(|_| p.log_retention_days != env.log_retention_days)
    {
        many("--log-retention-days", &[d.to_string()]);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tui::write::WriteOp;

    #[test]
    fn a_deploy_previews_the_backend_plan_and_its_command() {
        let op = DeployOp {
            env: "dev".into(),
            runtime: "weather_mcp".into(),
            source: Source::Dir {
                dir: "/src/weather".into(),
                entry_point: "main.py".into(),
                language: "PYTHON_3_12".into(),
            },
            env_vars: vec![("LOG_LEVEL".into(), "debug".into())],
            unset_env: vec!["MCP_ERROR_RATE".into()],
            posture: Posture::default(),
            allow_posture_change: false,
            env_posture: Posture::default(),
            smoke: None,
        };
        let w = WriteOp::Deploy(Box::new(op.clone()));
        let texts: Vec<String> = w.calls().into_iter().map(|c| c.text).collect();
        for line in deploy::plan(&op.request(false), &op.env_posture) {
            assert!(texts.contains(&line), "{line} in {texts:?}");
        }
        assert!(
            !texts
                .iter()
                .any(|t| t.starts_with("UpdateAgentRuntimeEndpoint"))
        );
        let writes = w.calls().into_iter().filter(|c| c.write).count();
        assert_eq!(writes, 2, "the upload and the runtime");
        assert_eq!(
            w.command(&["agentcore-console".into()], false),
            "agentcore-console --env dev deploy weather_mcp --from-dir /src/weather \
             --entry-point main.py --code-runtime PYTHON_3_12 --env-var 'LOG_LEVEL=***' \
             --unset-env-var MCP_ERROR_RATE --yes"
        );
        let runtime_write = w.calls().into_iter().find(|c| c.text.starts_with("Create"));
        assert_eq!(
            runtime_write.expect("the runtime write").params[2].1,
            "set LOG_LEVEL; drop MCP_ERROR_RATE; the rest carried over from the current version"
        );
        let image = DeployOp {
            source: Source::Image("123.dkr.ecr/x:1".into()),
            env_vars: vec![],
            unset_env: vec![],
            ..op
        };
        assert_eq!(
            WriteOp::Deploy(Box::new(image)).command(&["a".into()], true),
            "a --env dev deploy weather_mcp --image 123.dkr.ecr/x:1 --arm --yes"
        );
    }
}
