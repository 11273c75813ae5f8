//! The HTTP routes of a session: a runtime with a JWT authorizer (its invocation URL, with the
//! headers InvokeAgentRuntime sends and `Authorization: Bearer`), and a loopback gateway. A 401
//! to a bearer token fetches a new one once (see `backend::token`) and resends the message,
//! which the runtime refused before it reached the server; a second refusal is the answer.

use std::sync::Arc;

use aws_smithy_types::byte_stream::ByteStream;
use bytes::Bytes;
use hyper::header::{HeaderName, HeaderValue};

use super::http::{self, header, refusal};
use super::{McpError, McpSession};
use crate::backend::token::{Minted, TokenSource};

impl McpSession<'_> {
    /// POST one message to a runtime's invocation URL with a bearer token.
    pub(super) async fn send_bearer(
        &mut self,
        url: &str,
        tokens: &Arc<TokenSource>,
        method: &str,
        name: Option<&str>,
        body: Bytes,
    ) -> Result<(String, ByteStream), McpError> {
        let first = tokens.token().await?;
        let mut resp = self
            .post_bearer(url, &first, method, name, body.clone())
            .await?;
        let mut renewed = false;
        if resp.status() == hyper::StatusCode::UNAUTHORIZED
            && let Some(next) = tokens.renew(&first.token).await?
        {
            tracing::debug!(origin = %tokens.origin(), "token refused (401): sending once more with a new one");
            renewed = true;
            resp = self.post_bearer(url, &next, method, name, body).await?;
        }
        let status = resp.status().as_u16();
        if status == 401 || status == 403 {
            let (code, message) = refusal(resp).await;
            return Err(McpError::Refused(refused(
                status,
                code.as_deref(),
                &message,
                tokens.origin(),
                renewed,
                first.exp,
            )));
        }
        self.answer(resp, "InvokeAgentRuntime").await
    }

    async fn post_bearer(
        &self,
        url: &str,
        token: &Minted,
        method: &str,
        name: Option<&str>,
        body: Bytes,
    ) -> Result<hyper::Response<hyper::body::Incoming>, McpError> {
        let mut auth =
            HeaderValue::from_str(&format!("Bearer {}", token.token.expose())).map_err(|_| {
                McpError::Http("the token holds characters an HTTP header cannot".into())
            })?;
        // Kept out of any Debug output of the request.
        auth.set_sensitive(true);
        let mut headers = self.mcp_headers();
        headers.push((hyper::header::AUTHORIZATION, auth));
        headers.push((
            HeaderName::from_static("x-amzn-bedrock-agentcore-runtime-session-id"),
            value(&self.runtime_session_id)?,
        ));
        headers.push((HeaderName::from_static("mcp-method"), value(method)?));
        if let Some(n) = name {
            headers.push((HeaderName::from_static("mcp-name"), value(n)?));
        }
        let client = self.http.as_ref().ok_or_else(no_client)?;
        http::post(client, url, headers, body)
            .await
            .map_err(McpError::Http)
    }

    /// POST one message to a (loopback) gateway URL.
    pub(super) async fn send_gateway(
        &mut self,
        url: &str,
        body: Bytes,
    ) -> Result<(String, ByteStream), McpError> {
        let client = self.http.as_ref().ok_or_else(no_client)?;
        let resp = http::post(client, url, self.mcp_headers(), body)
            .await
            .map_err(|e| McpError::Protocol(format!("the gateway: {e}")))?;
        self.answer(resp, "the gateway").await
    }

    /// The headers of every MCP POST: content negotiation and the session.
    fn mcp_headers(&self) -> Vec<(HeaderName, HeaderValue)> {
        let mut h = vec![
            (
                hyper::header::CONTENT_TYPE,
                HeaderValue::from_static("application/json"),
            ),
            (
                hyper::header::ACCEPT,
                HeaderValue::from_static("application/json, text/event-stream"),
            ),
            (
                hyper::header::USER_AGENT,
                HeaderValue::from_static(concat!("agentcore-console/", env!("CARGO_PKG_VERSION"))),
            ),
        ];
        if let Some(v) = self.session_id.as_deref().and_then(|s| value(s).ok()) {
            h.push((HeaderName::from_static("mcp-session-id"), v));
        }
        if let Some(v) = self
            .protocol
            .as_ref()
            .and_then(|p| value(&p.to_string()).ok())
        {
            h.push((HeaderName::from_static("mcp-protocol-version"), v));
        }
        h
    }

    /// Keep the session id the server gave; a success is the body to read, anything else an
    /// error with what the server said.
    async fn answer(
        &mut self,
        resp: hyper::Response<hyper::body::Incoming>,
        who: &str,
    ) -> Result<(String, ByteStream), McpError> {
        if let Some(s) = header(&resp, "mcp-session-id") {
            self.session_id = Some(s);
        }
        let content_type = header(&resp, "content-type").unwrap_or_default();
        let status = resp.status();
        if !status.is_success() {
            let (code, message) = refusal(resp).await;
            let code = code.map(|c| format!("{c}: ")).unwrap_or_default();
            return Err(McpError::Http(format!(
                "{who} answered HTTP {}: {code}{message}",
                status.as_u16()
            )));
        }
        Ok((content_type, ByteStream::from_body_1_x(resp.into_body())))
    }
}

fn value(s: &str) -> Result<HeaderValue, McpError> {
    HeaderValue::from_str(s).map_err(|_| McpError::Protocol(format!("`{s}` is not a header value")))
}

fn no_client() -> McpError {
    McpError::Http("no HTTP client for this session".into())
}

/// A refusal in words: who refused what, why (the server's message), and what to do.
fn refused(
    status: u16,
    code: Option<&str>,
    message: &str,
    origin: &crate::backend::token::Origin,
    renewed: bool,
    exp: Option<i64>,
) -> String {
    let code = code.map(|c| format!("{c}: ")).unwrap_or_default();
    let mut out = format!(
        "the runtime refused the bearer token from {origin} (HTTP {status}: {code}{message})"
    );
    if renewed {
        out.push_str("; a new token was fetched and refused too");
    }
    if let Some(exp) = exp.filter(|e| *e <= crate::backend::token::now()) {
        let at = time::OffsetDateTime::from_unix_timestamp(exp)
            .ok()
            .and_then(|t| {
                t.format(&time::format_description::well_known::Rfc3339)
                    .ok()
            })
            .unwrap_or_else(|| exp.to_string());
        out.push_str(&format!("; the token expired at {at}"));
    }
    out.push_str(if super::auth::is_mismatch(message) {
        ". The runtime takes IAM (SigV4) callers, not bearer tokens: call it without \
         --bearer-token"
    } else if status == 403 {
        ". The runtime's authorizer did not accept it: check the token's audience and client \
         id against it"
    } else {
        ". Get a fresh token (check the token's issuer, audience and expiry)"
    });
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::backend::token::Origin;

    #[test]
    fn a_refusal_says_who_why_and_what_to_do() {
        let m = refused(
            401,
            Some("AccessDeniedException"),
            "token expired",
            &Origin::File("/tmp/t".into()),
            false,
            Some(1_000),
        );
        assert!(
            m.starts_with("the runtime refused the bearer token from --bearer-token @/tmp/t (HTTP 401: AccessDeniedException: token expired); the token expired at 1970-01-01T00:16:40Z."),
            "{m}"
        );
        let m = refused(
            403,
            None,
            "wrong audience",
            &Origin::Command {
                env: "prod".into(),
                command: "x".into(),
            },
            true,
            None,
        );
        assert!(m.contains("token_command of `prod`") && m.contains("fetched and refused too"));
        assert!(m.contains("audience and client id"), "{m}");
        assert!(!m.contains("expired at"), "{m}");
    }
}
