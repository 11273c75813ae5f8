//! `local token`: a token from the local AgentCore's own issuer, printed alone on stdout so it
//! can serve as an environment's `token_command`. Loopback only: the issuer exists nowhere else.

use std::io::Write;

use clap::Args;
use http_body_util::BodyExt;
use serde_json::{Value, json};

use super::{CliError, Outcome};
use crate::config::Config;

/// The longest lifetime the issuer grants (a day).
const MAX_EXPIRES: i64 = 86_400;

#[derive(Debug, Args)]
pub struct TokenArgs {
    /// The local AgentCore's URL [default: the selected environment's endpoint_url, when it is
    /// a loopback URL]
    #[arg(long, value_name = "URL")]
    pub endpoint: Option<String>,
    /// The token's `aud` claim (match a runtime's allowedAudience)
    #[arg(long, value_name = "A")]
    pub audience: Option<String>,
    /// The token's `client_id` claim (match a runtime's allowedClients) [default: local-client]
    #[arg(long, value_name = "C")]
    pub client_id: Option<String>,
    /// Lifetime, e.g. 90s, 15m, 1h (at most 1d)
    #[arg(long, value_name = "DURATION", default_value = "1h")]
    pub expires: String,
    /// The token's `scope` claim (space-separated scopes)
    #[arg(long, value_name = "S")]
    pub scope: Option<String>,
}

pub async fn run(
    args: &TokenArgs,
    config: Option<&std::path::Path>,
    envs: &[String],
) -> Result<Outcome, CliError> {
    let expires = crate::domain::since::parse_duration(&args.expires)
        .map_err(|e| CliError::msg(format!("--expires: {e}")))?;
    if expires > MAX_EXPIRES {
        return Err(CliError::msg(format!(
            "--expires: '{}' is longer than the issuer grants (1d)",
            args.expires
        )));
    }
    let endpoint = match &args.endpoint {
        Some(url) => loopback(url).map_err(|e| CliError::msg(format!("--endpoint: {e}")))?,
        None => {
            let cfg = Config::discover(config)?;
            let env = cfg.one(envs)?;
            let url = env.endpoint_url.clone().ok_or_else(|| {
                CliError::msg(format!(
                    "environment '{}' has no endpoint_url: `local token` asks the local AgentCore; pass --endpoint URL",
                    env.name
                ))
            })?;
            loopback(&url).map_err(|e| {
                CliError::msg(format!(
                    "environment '{}': {e}; pass --endpoint with the local AgentCore's URL",
                    env.name
                ))
            })?
        }
    };
    let mut body = json!({ "expires_in": expires });
    for (key, v) in [
        ("audience", &args.audience),
        ("client_id", &args.client_id),
        ("scope", &args.scope),
    ] {
        if let Some(v) = v {
            body[key] = Value::String(v.clone());
        }
    }
    let token = request(&endpoint, &body).await?;
    let mut out = std::io::stdout().lock();
    writeln!(out, "{token}")?;
    Ok(Outcome::Ok)
}

/// The URL without a trailing slash, if it is `http://` on a loopback host.
fn loopback(url: &str) -> Result<String, String> {
    let uri: axum::http::Uri = url.parse().map_err(|_| format!("'{url}' is not a URL"))?;
    let host = uri.host().unwrap_or_default();
    let host = host.trim_start_matches('[').trim_end_matches(']');
    let ok = uri.scheme_str() == Some("http")
        && (host.eq_ignore_ascii_case("localhost")
            || host
                .parse::<std::net::IpAddr>()
                .is_ok_and(|ip| ip.is_loopback()));
    if !ok {
        return Err(format!(
            "'{url}' is not the local AgentCore: its issuer serves only http:// on loopback"
        ));
    }
    Ok(url.trim_end_matches('/').to_string())
}

async fn request(endpoint: &str, body: &Value) -> Result<String, CliError> {
    let url = format!("{endpoint}/_local/oidc/token");
    let client = hyper_util::client::legacy::Client::builder(hyper_util::rt::TokioExecutor::new())
        .build_http::<http_body_util::Full<bytes::Bytes>>();
    let req = hyper::Request::post(&url)
        .header("content-type", "application/json")
        .body(http_body_util::Full::new(bytes::Bytes::from(
            body.to_string(),
        )))
        .map_err(CliError::msg)?;
    let resp = client
        .request(req)
        .await
        .map_err(|e| CliError::msg(format!("cannot reach the local AgentCore at {url}: {e}")))?;
    let status = resp.status();
    let bytes = resp
        .into_body()
        .collect()
        .await
        .map_err(|e| CliError::msg(format!("cannot read the answer of {url}: {e}")))?
        .to_bytes();
    let answer: Value = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
    if !status.is_success() {
        let why = answer
            .get("error_description")
            .and_then(Value::as_str)
            .unwrap_or("no reason given");
        return Err(CliError::msg(format!(
            "the local issuer at {url} refused: HTTP {}: {why}",
            status.as_u16()
        )));
    }
    answer
        .get("access_token")
        .and_then(Value::as_str)
        .map(str::to_string)
        .ok_or_else(|| CliError::msg(format!("{url} answered without an access_token")))
}

#[cfg(test)]
mod tests {
    use super::loopback;

    #[test]
    fn only_loopback_endpoints_are_asked() {
        assert_eq!(
            loopback("http://127.0.0.1:4590/").as_deref(),
            Ok("http://127.0.0.1:4590")
        );
        assert!(loopback("http://localhost:1").is_ok());
        for bad in [
            "https://bedrock-agentcore.us-east-1.amazonaws.com",
            "http://10.1.2.3:4590",
            "x y",
        ] {
            assert!(loopback(bad).is_err(), "{bad}");
        }
    }
}
