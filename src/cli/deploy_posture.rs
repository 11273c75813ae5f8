//! `deploy`'s posture flags: what this deploy sets over the environment's
//! `[environments.NAME.runtime]` defaults. Read with the environments file's rules (a
//! setting's companions only with it, the same durations), refused naming the flag.

use super::CliError;
use crate::config::parse_duration;
use crate::domain::posture::{InboundAuth, Lifecycle, Network, Posture, PostureError, Protocol};
use crate::domain::sanitize;

#[derive(Debug, Clone, Default, clap::Args)]
pub struct PostureFlags {
    /// Network of the runtime's sessions: public, or vpc (with --subnet and --security-group)
    #[arg(long, value_name = "MODE", value_parser = ["public", "vpc"])]
    pub network: Option<String>,
    /// A subnet for --network vpc (repeatable, 1 to 16)
    #[arg(long = "subnet", value_name = "ID")]
    pub subnets: Vec<String>,
    /// A security group for --network vpc (repeatable, 1 to 16)
    #[arg(long = "security-group", value_name = "ID")]
    pub security_groups: Vec<String>,
    /// Who may invoke it: iam (SigV4 callers), or jwt (a custom JWT authorizer)
    #[arg(long, value_name = "KIND", value_parser = ["iam", "jwt"])]
    pub auth: Option<String>,
    /// The JWT authorizer's OpenID discovery URL (https://…/.well-known/openid-configuration)
    #[arg(long, value_name = "URL")]
    pub discovery_url: Option<String>,
    /// An audience the JWT authorizer accepts (repeatable)
    #[arg(long = "allowed-audience", value_name = "AUDIENCE")]
    pub allowed_audiences: Vec<String>,
    /// A client id the JWT authorizer accepts (repeatable)
    #[arg(long = "allowed-client", value_name = "CLIENT")]
    pub allowed_clients: Vec<String>,
    /// How long a session may idle (1m to 8h, like 15m or 1h30m)
    #[arg(long, value_name = "DURATION")]
    pub idle_timeout: Option<String>,
    /// How long a session may live (1m to 8h)
    #[arg(long, value_name = "DURATION")]
    pub max_lifetime: Option<String>,
    /// Server protocol
    #[arg(long, value_name = "PROTOCOL", value_parser = ["mcp", "http", "a2a"])]
    pub protocol: Option<String>,
    /// A request header AgentCore passes on to the server (repeatable, 1 to 20)
    #[arg(long = "request-header", value_name = "NAME")]
    pub request_headers: Vec<String>,
    /// Retention of every endpoint's log group, in days (a value CloudWatch Logs takes)
    #[arg(long, value_name = "DAYS")]
    pub log_retention_days: Option<u32>,
    /// Let a deploy to a protected environment weaken its posture (with --arm)
    #[arg(long)]
    pub allow_posture_change: bool,
}

/// The flag that sets a posture field.
pub fn flag(field: &str) -> &'static str {
    match field {
        "network" => "--network",
        "subnets" => "--subnet",
        "security_groups" => "--security-group",
        "auth" => "--auth",
        "discovery_url" => "--discovery-url",
        "allowed_audiences" => "--allowed-audience",
        "allowed_clients" => "--allowed-client",
        "idle_session_timeout" => "--idle-timeout",
        "max_lifetime" => "--max-lifetime",
        "protocol" => "--protocol",
        "request_headers" => "--request-header",
        _ => "--log-retention-days",
    }
}

/// A domain refusal named by its flag (and which of a repeated flag's values).
pub fn refusal(e: &PostureError) -> CliError {
    let which = e
        .item
        .map(|i| format!(" (value {})", i + 1))
        .unwrap_or_default();
    CliError::msg(format!("{}{which}: {}", flag(e.field), e.message))
}

fn only_with(flags: &[(&str, bool)], needs: &str) -> Result<(), CliError> {
    match flags.iter().find(|(_, given)| *given) {
        Some((f, _)) => Err(CliError::msg(format!("{f} is only for {needs}"))),
        None => Ok(()),
    }
}

impl PostureFlags {
    /// The settings given, checked on their own (before the environment's join them).
    pub fn posture(&self) -> Result<Posture, CliError> {
        let vpc_flags = [
            ("--subnet", !self.subnets.is_empty()),
            ("--security-group", !self.security_groups.is_empty()),
        ];
        let network = match self.network.as_deref() {
            Some("vpc") => {
                if self.subnets.is_empty() || self.security_groups.is_empty() {
                    return Err(CliError::msg(
                        "--network vpc needs --subnet and --security-group (1 to 16 of each)",
                    ));
                }
                Some(
                    Network::vpc(self.subnets.clone(), self.security_groups.clone())
                        .map_err(|e| refusal(&e))?,
                )
            }
            Some(_) => {
                only_with(&vpc_flags, "--network vpc")?;
                Some(Network::Public)
            }
            None => {
                only_with(&vpc_flags, "--network vpc")?;
                None
            }
        };
        let jwt_flags = [
            ("--discovery-url", self.discovery_url.is_some()),
            ("--allowed-audience", !self.allowed_audiences.is_empty()),
            ("--allowed-client", !self.allowed_clients.is_empty()),
        ];
        let auth = match self.auth.as_deref() {
            Some("jwt") => {
                let Some(url) = &self.discovery_url else {
                    return Err(CliError::msg(
                        "--auth jwt needs --discovery-url \
                         (https://…/.well-known/openid-configuration)",
                    ));
                };
                if self.allowed_audiences.is_empty() && self.allowed_clients.is_empty() {
                    return Err(CliError::msg(
                        "--auth jwt needs --allowed-audience or --allowed-client (or both): \
                         the authorizer accepts tokens for one of them",
                    ));
                }
                Some(
                    InboundAuth::jwt(
                        url.clone(),
                        self.allowed_audiences.clone(),
                        self.allowed_clients.clone(),
                    )
                    .map_err(|e| refusal(&e))?,
                )
            }
            Some(_) => {
                only_with(&jwt_flags, "--auth jwt")?;
                Some(InboundAuth::Iam)
            }
            None => {
                only_with(&jwt_flags, "--auth jwt")?;
                None
            }
        };
        let idle = duration("--idle-timeout", self.idle_timeout.as_deref())?;
        let max = duration("--max-lifetime", self.max_lifetime.as_deref())?;
        let lifecycle = if idle.is_some() || max.is_some() {
            Some(Lifecycle::new(idle, max).map_err(|e| refusal(&e))?)
        } else {
            None
        };
        let protocol = self
            .protocol
            .as_deref()
            .map(Protocol::parse)
            .transpose()
            .map_err(|e| refusal(&e))?;
        let p = Posture {
            network,
            auth,
            lifecycle,
            protocol,
            request_headers: (!self.request_headers.is_empty())
                .then(|| self.request_headers.clone()),
            log_retention_days: self.log_retention_days,
        };
        p.validate().map_err(|e| refusal(&e))?;
        Ok(p)
    }
}

fn duration(flag: &str, value: Option<&str>) -> Result<Option<u32>, CliError> {
    let Some(s) = value else {
        return Ok(None);
    };
    let d = parse_duration(s).map_err(|m| CliError::msg(format!("{flag}: {m}")))?;
    u32::try_from(d.as_secs())
        .map(Some)
        .map_err(|_| CliError::msg(format!("{flag}: `{s}` is out of range: 1m to 8h")))
}

/// The posture as one line per set setting, for people (values from AWS are untrusted).
pub fn lines(p: &Posture) -> Vec<String> {
    p.rows()
        .into_iter()
        .filter(|(_, v)| v != "-")
        .map(|(k, v)| format!("  {k}: {}", sanitize::one_line(&v)))
        .collect()
}

#[cfg(test)]
mod tests {
    use clap::Parser;

    use super::*;

    #[derive(clap::Parser)]
    struct T {
        #[command(flatten)]
        p: PostureFlags,
    }

    fn parse(args: &[&str]) -> Result<Posture, String> {
        let mut all = vec!["t"];
        all.extend(args);
        T::try_parse_from(all)
            .map_err(|e| e.to_string())?
            .p
            .posture()
            .map_err(|e| e.to_string())
    }

    #[test]
    fn every_flag_reaches_its_setting() {
        let p = parse(&[
            "--network=vpc",
            "--subnet=subnet-0123456789abcdef0",
            "--security-group=sg-0123456789abcdef0",
            "--auth=jwt",
            "--discovery-url=https://issuer.example.com/.well-known/openid-configuration",
            "--allowed-audience=prod",
            "--allowed-client=ops",
            "--idle-timeout=10m",
            "--max-lifetime=1h30m",
            "--protocol=http",
            "--request-header=X-Amzn-Bedrock-AgentCore-Runtime-Custom-Tenant",
            "--log-retention-days=90",
        ])
        .expect("valid");
        let rows: Vec<String> = p
            .rows()
            .into_iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect();
        assert_eq!(
            rows,
            [
                "network=VPC",
                "subnets=subnet-0123456789abcdef0",
                "security_groups=sg-0123456789abcdef0",
                "auth=JWT",
                "discovery_url=https://issuer.example.com/.well-known/openid-configuration",
                "allowed_audiences=prod",
                "allowed_clients=ops",
                "idle_session_timeout=10m",
                "max_lifetime=1h30m",
                "protocol=HTTP",
                "request_headers=X-Amzn-Bedrock-AgentCore-Runtime-Custom-Tenant",
                "log_retention_days=90",
            ]
        );
        assert_eq!(parse(&[]).expect("none"), Posture::default());
    }

    #[test]
    fn bad_values_name_their_flag() {
        for (args, want) in [
            (
                &["--subnet=subnet-0123456789abcdef0"][..],
                "--subnet is only for --network vpc",
            ),
            (
                &["--network=vpc", "--subnet=subnet-0123456789abcdef0"],
                "--network vpc needs",
            ),
            (
                &[
                    "--network=vpc",
                    "--subnet=subnet-0123456789abcdef0",
                    "--subnet=nope",
                    "--security-group=sg-0123456789abcdef0",
                ],
                "--subnet (value 2): `nope` is not an id",
            ),
            (
                &["--security-group=sg-0123456789abcdef0"],
                "--security-group is only for",
            ),
            (
                &["--auth=jwt", "--allowed-audience=a"],
                "--auth jwt needs --discovery-url",
            ),
            (
                &[
                    "--auth=jwt",
                    "--discovery-url=http://example.com/.well-known/openid-configuration",
                    "--allowed-audience=a",
                ],
                "--discovery-url: `http://example.com",
            ),
            (
                &["--allowed-client=c"],
                "--allowed-client is only for --auth jwt",
            ),
            (
                &["--idle-timeout=10"],
                "--idle-timeout: `10` is not a duration",
            ),
            (&["--max-lifetime=9h"], "--max-lifetime: 9h is out of range"),
            (
                &["--idle-timeout=30s"],
                "--idle-timeout: 30s is out of range",
            ),
            (
                &["--idle-timeout=2h", "--max-lifetime=1h"],
                "--idle-timeout: 2h is longer",
            ),
            (&["--request-header=Host"], "--request-header (value 1)"),
            (
                &["--auth=iam", "--request-header=Authorization"],
                "--request-header (value 1): `Authorization`",
            ),
            (
                &["--log-retention-days=8"],
                "--log-retention-days: 8 is not a retention",
            ),
            (&["--protocol=grpc"], "invalid value 'grpc' for '--protocol"),
            (
                &["--network=private"],
                "invalid value 'private' for '--network",
            ),
        ] {
            let e = parse(args).expect_err("refused");
            assert!(e.contains(want), "{args:?}: `{want}` in `{e}`");
        }
    }
}
