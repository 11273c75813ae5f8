//! Each refusal with its line and key (the `runtime` table's first key is on line 3), and the
//! postures that parse.

use super::super::file::parse;
use super::*;

const HEAD: &str = "[environments.prod]\n[environments.prod.runtime]\n";

fn parsed(body: &str) -> Posture {
    let envs = parse(&format!("{HEAD}{body}")).expect("parses");
    envs[0].posture.clone()
}

/// The refusal's line and key, and that its message says `needle`.
fn at(body: &str, line: usize, key: &str, needle: &str) {
    let e = parse(&format!("{HEAD}{body}")).expect_err("should be refused");
    assert_eq!(
        (e.line, e.key.as_deref()),
        (
            line,
            Some(format!("environments.prod.runtime.{key}").as_str())
        ),
        "{}",
        e.message
    );
    assert!(e.message.contains(needle), "{}", e.message);
}

const PROD: &str = r#"network = "vpc"
subnets = ["subnet-0aaaaaaaa", "subnet-0bbbbbbbb"]
security_groups = ["sg-0cccccccc"]
auth = "jwt"
discovery_url = "https://idp.example.com/.well-known/openid-configuration"
allowed_audiences = ["mcp"]
idle_session_timeout = "15m"
max_lifetime = "8h"
protocol = "MCP"
request_headers = ["Authorization", "X-Amzn-Bedrock-AgentCore-Runtime-Custom-Tenant"]
log_retention_days = 90
"#;

#[test]
fn a_full_table_is_read() {
    let p = parsed(PROD);
    assert_eq!(
        p.network,
        Some(Network::Vpc {
            subnets: vec!["subnet-0aaaaaaaa".into(), "subnet-0bbbbbbbb".into()],
            security_groups: vec!["sg-0cccccccc".into()],
        })
    );
    assert!(matches!(
        &p.auth,
        Some(InboundAuth::Jwt { allowed_audiences, allowed_clients, .. })
            if allowed_audiences == &["mcp"] && allowed_clients.is_empty()
    ));
    assert_eq!(
        p.lifecycle,
        Some(Lifecycle {
            idle_session_timeout_s: Some(900),
            max_lifetime_s: Some(28_800),
        })
    );
    assert_eq!(p.protocol, Some(Protocol::Mcp));
    assert_eq!(p.request_headers.as_ref().map(Vec::len), Some(2));
    assert_eq!(p.log_retention_days, Some(90));
}

#[test]
fn partial_tables_and_no_table_are_read() {
    let dev = parsed("network = \"public\"\nauth = \"iam\"\nlog_retention_days = 7\n");
    assert_eq!(
        (dev.network, dev.auth, dev.log_retention_days, dev.lifecycle),
        (Some(Network::Public), Some(InboundAuth::Iam), Some(7), None)
    );
    let p = parsed("max_lifetime = \"1h\"\nprotocol = \"a2a\"\n");
    assert_eq!(p.lifecycle.and_then(|l| l.max_lifetime_s), Some(3600));
    assert_eq!(p.network, None);
    assert!(
        !parsed("").is_configured(),
        "an empty table configures nothing"
    );
    let envs = parse("[environments.dev]\nregion = \"us-west-2\"\n").expect("no table");
    assert_eq!(envs[0].posture, Posture::default());
    let local = "http://127.0.0.1:4590/issuer/.well-known/openid-configuration";
    let p = parsed(&format!(
        "auth = \"jwt\"\ndiscovery_url = \"{local}\"\nallowed_clients = [\"demo\"]\n"
    ));
    assert!(
        p.auth.is_some_and(|a| a.is_jwt()),
        "a loopback issuer over http"
    );
}

#[test]
fn unknown_keys_and_wrong_types_are_refused() {
    at(
        "network = \"public\"\nsubnet = []\n",
        4,
        "subnet",
        "unknown key (expected one of: network, subnets",
    );
    at(
        "network = 1\n",
        3,
        "network",
        "must be a string, found integer",
    );
    at(
        "network = \"private\"\n",
        3,
        "network",
        "must be \"public\" or \"vpc\", found \"private\"",
    );
    at(
        "auth = \"oauth\"\n",
        3,
        "auth",
        "must be \"iam\" or \"jwt\"",
    );
    at("auth = \"\"\n", 3, "auth", "must not be empty");
    at(
        "network = \"vpc\"\nsubnets = \"subnet-0aaaaaaaa\"\n",
        4,
        "subnets",
        "an array of strings",
    );
    at(
        "request_headers = [\"X-A\", 2]\n",
        3,
        "request_headers[2]",
        "must be a string",
    );
    at(
        "log_retention_days = \"90\"\n",
        3,
        "log_retention_days",
        "a number of days",
    );
    at(
        "log_retention_days = -1\n",
        3,
        "log_retention_days",
        "a number of days",
    );
    at(
        "idle_session_timeout = 900\n",
        3,
        "idle_session_timeout",
        "must be a string",
    );
    at(
        "idle_session_timeout = \"15 minutes\"\n",
        3,
        "idle_session_timeout",
        "not a duration",
    );
    let e = parse("[environments.prod]\nruntime = 1\n").expect_err("not a table");
    assert_eq!(
        (e.line, e.key.as_deref()),
        (2, Some("environments.prod.runtime"))
    );
}

#[test]
fn contradictions_are_refused_at_the_key_that_does_not_belong() {
    at(
        "network = \"public\"\nsubnets = [\"subnet-0aaaaaaaa\"]\n",
        4,
        "subnets",
        "only for network = \"vpc\"",
    );
    at(
        "security_groups = [\"sg-0cccccccc\"]\n",
        3,
        "security_groups",
        "only for network = \"vpc\"",
    );
    at(
        "network = \"vpc\"\nsecurity_groups = [\"sg-0cccccccc\"]\n",
        3,
        "network",
        "needs subnets",
    );
    at(
        "network = \"vpc\"\nsubnets = [\"subnet-0aaaaaaaa\"]\n",
        3,
        "network",
        "needs security_groups",
    );
    at(
        "auth = \"iam\"\n\ndiscovery_url = \"https://idp.example.com/.well-known/openid-configuration\"\n",
        5,
        "discovery_url",
        "only for auth = \"jwt\"",
    );
    at(
        "allowed_clients = [\"c\"]\n",
        3,
        "allowed_clients",
        "only for auth = \"jwt\"",
    );
    at(
        "auth = \"jwt\"\nallowed_audiences = [\"a\"]\n",
        3,
        "auth",
        "needs discovery_url",
    );
    at(
        "auth = \"iam\"\nrequest_headers = [\"X-A\", \"Authorization\"]\n",
        4,
        "request_headers[2]",
        "auth = \"jwt\"",
    );
}

#[test]
fn values_outside_aws_constraints_are_refused_at_the_key_or_item() {
    let vpc = "network = \"vpc\"\nsecurity_groups = [\"sg-0cccccccc\"]\n";
    at(
        &format!("{vpc}subnets = [\"subnet-0aaaaaaaa\",\n  \"subnet-x\"]\n"),
        6,
        "subnets[2]",
        "subnet- and 8 to 17",
    );
    at(
        &format!("{vpc}subnets = []\n"),
        5,
        "subnets",
        "1 to 16 subnets, found 0",
    );
    at(
        "network = \"vpc\"\nsubnets = [\"subnet-0aaaaaaaa\"]\nsecurity_groups = [\"sg-1\"]\n",
        5,
        "security_groups[1]",
        "sg-",
    );
    let jwt = "auth = \"jwt\"\nallowed_audiences = [\"a\"]\n";
    at(
        &format!(
            "{jwt}discovery_url = \"http://idp.example.com/.well-known/openid-configuration\"\n"
        ),
        5,
        "discovery_url",
        "https://",
    );
    at(
        &format!("{jwt}discovery_url = \"https://idp.example.com/oidc\"\n"),
        5,
        "discovery_url",
        "/.well-known/openid-configuration",
    );
    let url = "discovery_url = \"https://idp.example.com/.well-known/openid-configuration\"\n";
    at(
        &format!("auth = \"jwt\"\n{url}"),
        3,
        "auth",
        "needs allowed_audiences or allowed_clients",
    );
    at(
        &format!("auth = \"jwt\"\n{url}allowed_audiences = []\n"),
        5,
        "allowed_audiences",
        "at least one allowed audience or allowed client",
    );
    at(
        "idle_session_timeout = \"30s\"\n",
        3,
        "idle_session_timeout",
        "30s is out of range: 1m to 8h",
    );
    at(
        "max_lifetime = \"9h\"\n",
        3,
        "max_lifetime",
        "9h is out of range",
    );
    at(
        "max_lifetime = \"30m\"\nidle_session_timeout = \"1h\"\n",
        4,
        "idle_session_timeout",
        "longer than max_lifetime (30m)",
    );
    at("protocol = \"grpc\"\n", 3, "protocol", "MCP, HTTP, A2A");
    at(
        "request_headers = [\"Host\"]\n",
        3,
        "request_headers[1]",
        "restricted",
    );
    at("request_headers = []\n", 3, "request_headers", "1 to 20");
    at(
        "log_retention_days = 10\n",
        3,
        "log_retention_days",
        "one of: 1, 3, 5, 7, 14",
    );
}
