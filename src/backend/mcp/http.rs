//! MCP over plain HTTP(S), beside the SDK transport: a loopback gateway's URL, and runtimes with
//! a JWT authorizer, which AWS serves only to `Authorization: Bearer` over HTTPS ("you can't use
//! the AWS SDK to call InvokeAgentRuntime"). The TLS stack is the SDK's: rustls on aws-lc-rs with
//! the system's root certificates.

use std::sync::OnceLock;
use std::time::Duration;

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use hyper::header::{HeaderName, HeaderValue};
use hyper_rustls::{ConfigBuilderExt, HttpsConnector};
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};

use crate::domain::Environment;
use crate::domain::environment::is_loopback_url;

pub(super) type HttpClient = Client<HttpsConnector<HttpConnector>, Full<Bytes>>;

const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);
/// How much of an error body is read and quoted.
const ERROR_BODY: usize = 16 * 1024;
/// Everything but RFC 3986's unreserved characters: Python's `quote(arn, safe="")`, which AWS's
/// samples use, and the SDK's label encoding (`:` → `%3A`, `/` → `%2F`).
const ARN_ESCAPE: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

/// A client for one session's requests (connections are pooled per session; a client is
/// bound to the tokio runtime it was made on, and tests each have their own).
pub(super) fn client() -> Result<HttpClient, String> {
    let mut http = HttpConnector::new();
    http.enforce_http(false);
    http.set_connect_timeout(Some(CONNECT_TIMEOUT));
    let https = hyper_rustls::HttpsConnectorBuilder::new()
        .with_tls_config(tls_config()?.clone())
        .https_or_http()
        .enable_http1()
        .wrap_connector(http);
    Ok(Client::builder(hyper_util::rt::TokioExecutor::new()).build(https))
}

/// Loading the system's roots takes a while (hundreds of ms on some systems): once.
fn tls_config() -> Result<&'static rustls::ClientConfig, String> {
    static CONFIG: OnceLock<Result<rustls::ClientConfig, String>> = OnceLock::new();
    CONFIG
        .get_or_init(|| {
            let provider = std::sync::Arc::new(rustls::crypto::aws_lc_rs::default_provider());
            let builder = rustls::ClientConfig::builder_with_provider(provider)
                .with_safe_default_protocol_versions()
                .map_err(|e| format!("TLS: {e}"))?;
            Ok(match builder.clone().with_native_roots() {
                Ok(b) => b.with_no_client_auth(),
                Err(e) => {
                    // HTTPS then fails to verify any server, and says so; loopback http works.
                    tracing::warn!(error = %e, "no system root certificates: HTTPS calls will fail");
                    builder
                        .with_root_certificates(rustls::RootCertStore::empty())
                        .with_no_client_auth()
                }
            })
        })
        .as_ref()
        .map_err(Clone::clone)
}

/// The data plane a bearer token is sent to: the environment's `endpoint_url` (plain http only
/// on loopback: a token must not cross a network in clear), else AWS's regional endpoint.
pub fn data_plane_base(env: &Environment, region: Option<&str>) -> Result<String, String> {
    if let Some(url) = &env.endpoint_url {
        if url.starts_with("http://") && !is_loopback_url(url) {
            return Err(format!(
                "environment `{}`: endpoint_url {url} is plain http and not loopback; a bearer \
                 token is sent only over https (or to a loopback endpoint)",
                env.name
            ));
        }
        return Ok(url.trim_end_matches('/').to_string());
    }
    let region = region.ok_or_else(|| {
        format!(
            "environment `{}` has no region: set `region` to call a runtime with a JWT authorizer",
            env.name
        )
    })?;
    Ok(format!("https://bedrock-agentcore.{region}.amazonaws.com"))
}

/// `<base>/runtimes/<escaped ARN>/invocations?qualifier=Q`, as AWS documents for bearer calls.
pub fn invocation_url(base: &str, arn: &str, qualifier: Option<&str>) -> String {
    let mut url = format!(
        "{base}/runtimes/{}/invocations",
        utf8_percent_encode(arn, ARN_ESCAPE)
    );
    if let Some(q) = qualifier {
        url.push_str("?qualifier=");
        url.extend(utf8_percent_encode(q, ARN_ESCAPE));
    }
    url
}

/// POST `body` with `headers`; `Err` is a sentence naming the URL (never a header).
pub(super) async fn post(
    client: &HttpClient,
    url: &str,
    headers: Vec<(HeaderName, HeaderValue)>,
    body: Bytes,
) -> Result<hyper::Response<Incoming>, String> {
    let mut req = hyper::Request::post(url);
    for (name, value) in headers {
        req = req.header(name, value);
    }
    let req = req
        .body(Full::new(body))
        .map_err(|e| format!("cannot make a request to {url}: {e}"))?;
    client.request(req).await.map_err(|e| {
        let mut cause: &dyn std::error::Error = &e;
        while let Some(s) = cause.source() {
            cause = s;
        }
        format!("cannot reach {url}: {cause}")
    })
}

/// A response header as text.
pub(super) fn header(resp: &hyper::Response<Incoming>, name: &str) -> Option<String> {
    resp.headers()
        .get(name)
        .and_then(|v| v.to_str().ok())
        .map(str::to_string)
}

/// What a refused request says: AWS's error code (`x-amzn-errortype`, without its namespace)
/// and `message`, or the start of whatever the body is. Sanitised and bounded.
pub(super) async fn refusal(resp: hyper::Response<Incoming>) -> (Option<String>, String) {
    let code = header(&resp, "x-amzn-errortype")
        .and_then(|c| c.split(':').next().map(str::to_string))
        .filter(|c| !c.is_empty());
    let body = http_body_util::Limited::new(resp.into_body(), ERROR_BODY)
        .collect()
        .await
        .map(|b| b.to_bytes())
        .unwrap_or_default();
    let text = String::from_utf8_lossy(&body);
    let message = serde_json::from_str::<serde_json::Value>(&text)
        .ok()
        .and_then(|v| {
            ["message", "Message"]
                .iter()
                .find_map(|k| v.get(k).and_then(|m| m.as_str()).map(str::to_string))
        })
        .unwrap_or_else(|| text.chars().take(300).collect());
    let message = crate::domain::sanitize::one_line(&super::super::token::jwt::redact(&message));
    (code, message)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_arn_is_escaped_with_nothing_safe() {
        let arn = "arn:aws:bedrock-agentcore:us-east-1:123456789012:runtime/weather_mcp-Ab1.x~y";
        assert_eq!(
            invocation_url("https://h", arn, Some("live")),
            "https://h/runtimes/arn%3Aaws%3Abedrock-agentcore%3Aus-east-1%3A123456789012%3Aruntime%2Fweather_mcp-Ab1.x~y/invocations?qualifier=live"
        );
        assert_eq!(
            invocation_url("http://127.0.0.1:1", "a b/c?d", None),
            "http://127.0.0.1:1/runtimes/a%20b%2Fc%3Fd/invocations"
        );
        assert!(invocation_url("h", "x", Some("a&b=c")).ends_with("?qualifier=a%26b%3Dc"));
    }

    #[test]
    fn tokens_travel_over_https_or_loopback_only() {
        let env = |url: Option<&str>| Environment {
            name: "prod".into(),
            endpoint_url: url.map(str::to_string),
            ..Environment::default()
        };
        assert_eq!(
            data_plane_base(&env(None), Some("eu-west-1")).as_deref(),
            Ok("https://bedrock-agentcore.eu-west-1.amazonaws.com")
        );
        assert_eq!(
            data_plane_base(&env(Some("http://127.0.0.1:4590/")), None).as_deref(),
            Ok("http://127.0.0.1:4590")
        );
        assert_eq!(
            data_plane_base(&env(Some("https://vpce.example.com")), None).as_deref(),
            Ok("https://vpce.example.com")
        );
        let e = data_plane_base(&env(Some("http://10.0.0.5:80")), None).expect_err("clear text");
        assert!(e.contains("only over https"), "{e}");
        let e = data_plane_base(&env(None), None).expect_err("no region");
        assert!(e.contains("`region`"), "{e}");
    }

    #[test]
    fn the_tls_config_loads() {
        // Whatever the machine's roots, a config exists (loopback http needs none).
        assert!(tls_config().is_ok());
        let rt = tokio::runtime::Builder::new_current_thread()
            .build()
            .expect("runtime");
        let _g = rt.enter();
        assert!(client().is_ok());
    }
}
