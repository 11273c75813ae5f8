//! The local AgentCore's own OpenID issuer: discovery document, JWKS, token endpoint, the
//! `local token` command, and that no token text reaches a log.

use std::sync::{Arc, Mutex};

use super::*;
use crate::support::cli::{BIN, run, world};

#[tokio::test]
async fn the_issuer_publishes_its_discovery_document_and_key() {
    let dir = tempfile::tempdir().expect("tempdir");
    let local = start(dir.path()).await;
    let issuer = format!("{}/_local/oidc", local.url);
    let (status, resp) = raw(
        &local.url,
        "GET",
        "/_local/oidc/.well-known/openid-configuration",
        &[],
        "",
    )
    .await;
    assert_eq!(status, 200, "{resp}");
    let doc = json_body(&resp);
    assert_eq!(doc["issuer"], issuer.as_str());
    assert_eq!(doc["jwks_uri"], format!("{issuer}/jwks.json").as_str());
    assert_eq!(doc["token_endpoint"], format!("{issuer}/token").as_str());
    assert_eq!(
        doc["id_token_signing_alg_values_supported"],
        serde_json::json!(["RS256"])
    );

    let (status, resp) = raw(&local.url, "GET", "/_local/oidc/jwks.json", &[], "").await;
    assert_eq!(status, 200, "{resp}");
    let jwks = json_body(&resp);
    let key = &jwks["keys"][0];
    assert_eq!(
        (key["kty"].as_str(), key["alg"].as_str()),
        (Some("RSA"), Some("RS256"))
    );
    assert!(
        key["n"].as_str().is_some_and(|n| n.len() > 300),
        "a 2048-bit modulus: {key}"
    );
    assert!(
        key.get("d").is_none() && key.get("p").is_none(),
        "public only: {key}"
    );

    // The token's claims, as issued.
    let t = token(
        &local.url,
        r#"{"audience":"api","client_id":"c1","expires_in":120,"scope":"read write"}"#,
    )
    .await;
    let header = jsonwebtoken::decode_header(&t).expect("header");
    assert_eq!(header.alg, jsonwebtoken::Algorithm::RS256);
    assert_eq!(header.kid.as_deref(), key["kid"].as_str());
    let mut v = jsonwebtoken::Validation::new(jsonwebtoken::Algorithm::RS256);
    v.set_audience(&["api"]);
    v.set_issuer(&[&issuer]);
    let jwk: jsonwebtoken::jwk::Jwk = serde_json::from_value(key.clone()).expect("jwk");
    let claims = jsonwebtoken::decode::<serde_json::Value>(
        &t,
        &jsonwebtoken::DecodingKey::from_jwk(&jwk).expect("key"),
        &v,
    )
    .expect("the token verifies against the published key")
    .claims;
    assert_eq!(claims["client_id"], "c1");
    assert_eq!(claims["sub"], "c1");
    assert_eq!(claims["scope"], "read write");
    assert_eq!(claims["token_use"], "access");
    assert!(claims["jti"].as_str().is_some_and(|j| !j.is_empty()));
    let (iat, exp) = (
        claims["iat"].as_u64().expect("iat"),
        claims["exp"].as_u64().expect("exp"),
    );
    assert_eq!(exp - iat, 120);
    assert_eq!(claims["nbf"].as_u64(), Some(iat));

    // Bad requests name the member.
    for (body, named) in [
        (r#"{"expires_in":0}"#, "expires_in"),
        (r#"{"audiences":["a"]}"#, "audiences"),
    ] {
        let (status, resp) = raw(&local.url, "POST", "/_local/oidc/token", &[], body).await;
        assert_eq!(status, 400, "{resp}");
        let v = json_body(&resp);
        assert_eq!(v["error"], "invalid_request");
        assert!(
            v["error_description"]
                .as_str()
                .is_some_and(|d| d.contains(named)),
            "{resp}"
        );
    }
    // Fault admin paths still answer beside it.
    let (status, _) = raw(&local.url, "GET", "/_local/faults", &[], "").await;
    assert_eq!(status, 200);
    local.stop().await;
}

#[tokio::test]
async fn local_token_prints_only_a_token_the_runtime_accepts() {
    let w = world().await;
    let c = clients(&w.local.url, "us-west-2").await;
    let arn = runtime(
        &c,
        "cli_jwt",
        Some(jwt(&discovery(&w.local.url), &["api"], &["cli"])),
    )
    .await;

    let (ok, out, err) = run(
        &w,
        &[
            "--env",
            "dev",
            "local",
            "token",
            "--audience",
            "api",
            "--client-id",
            "cli",
            "--expires",
            "10m",
        ],
    )
    .await;
    assert!(ok, "{err}");
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.len(), 1, "only the token on stdout: {out}");
    let (status, resp) = call_bearer(&w.local.url, &arn, lines[0], INIT).await;
    assert_eq!(status, 200, "{resp}");
    let claims = jsonwebtoken::dangerous::insecure_decode::<serde_json::Value>(lines[0])
        .expect("claims")
        .claims;
    assert_eq!(
        claims["exp"].as_u64().expect("exp") - claims["iat"].as_u64().expect("iat"),
        600
    );

    // --endpoint instead of the environment's URL.
    let (ok, out, err) = run(
        &w,
        &[
            "local",
            "token",
            "--endpoint",
            &w.local.url,
            "--client-id",
            "other",
        ],
    )
    .await;
    assert!(ok, "{err}");
    let (status, _) = call_bearer(&w.local.url, &arn, out.trim(), INIT).await;
    assert_eq!(status, 401, "client 'other' is not allowed");

    // Refused before any call: not loopback, bad duration.
    let (ok, _, err) = run(
        &w,
        &[
            "local",
            "token",
            "--endpoint",
            "https://bedrock-agentcore.us-east-1.amazonaws.com",
        ],
    )
    .await;
    assert!(!ok);
    assert!(
        err.contains("--endpoint") && err.contains("loopback"),
        "{err}"
    );
    let (ok, _, err) = run(&w, &["--env", "dev", "local", "token", "--expires", "2d"]).await;
    assert!(!ok);
    assert!(err.contains("--expires"), "{err}");
    let (ok, _, err) = run(&w, &["--env", "dev", "local", "token", "--expires", "soon"]).await;
    assert!(!ok);
    assert!(err.contains("--expires"), "{err}");
    let _ = BIN;
}

#[tokio::test]
async fn local_token_refuses_an_environment_that_is_not_local() {
    let dir = tempfile::tempdir().expect("tempdir");
    let config = dir.path().join("envs.toml");
    std::fs::write(&config, "[environments.prod]\nregion = \"us-east-1\"\n").expect("config");
    let out = assert_cmd::Command::new(crate::support::cli::BIN)
        .args(["--config"])
        .arg(&config)
        .args(["--env", "prod", "local", "token"])
        .output()
        .expect("run");
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("'prod'") && err.contains("--endpoint"),
        "{err}"
    );
    assert!(out.stdout.is_empty());
}

/// A tracing writer into a shared buffer.
#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl std::io::Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().expect("buf").extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl<'a> tracing_subscriber::fmt::MakeWriter<'a> for Captured {
    type Writer = Self;
    fn make_writer(&'a self) -> Self {
        self.clone()
    }
}

// Current-thread runtime: the emulator's tasks run on this thread, under the test's subscriber.
#[tokio::test(flavor = "current_thread")]
async fn no_token_text_reaches_the_logs() {
    let captured = Captured::default();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_writer(captured.clone())
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);

    let dir = tempfile::tempdir().expect("tempdir");
    let local = start(dir.path()).await;
    let c = clients(&local.url, "us-west-2").await;
    let arn = runtime(
        &c,
        "quiet",
        Some(jwt(&discovery(&local.url), &["api"], &[])),
    )
    .await;
    let good = token(&local.url, r#"{"audience":"api"}"#).await;
    let bad = token(&local.url, r#"{"audience":"nope"}"#).await;
    assert_eq!(call_bearer(&local.url, &arn, &good, INIT).await.0, 200);
    assert_eq!(call_bearer(&local.url, &arn, &bad, INIT).await.0, 401);
    assert_eq!(
        call_bearer(&local.url, &arn, "not-a-jwt", INIT).await.0,
        401
    );

    let logs = String::from_utf8_lossy(&captured.0.lock().expect("buf")).into_owned();
    assert!(
        logs.contains("local token issued"),
        "the capture works: {logs}"
    );
    assert!(
        logs.contains("invocation refused"),
        "refusals are logged: {logs}"
    );
    for t in [&good, &bad] {
        let signature = t.rsplit('.').next().expect("signature");
        assert!(!logs.contains(signature), "a token reached the log: {logs}");
    }
    assert!(!logs.contains("not-a-jwt"), "a token reached the log");
    // Nor the runtime's own log group: the server never sees the Authorization header.
    let group = format!(
        "/aws/bedrock-agentcore/runtimes/{}-DEFAULT",
        arn.rsplit('/').next().expect("id")
    );
    let events = c
        .logs
        .filter_log_events()
        .log_group_name(&group)
        .send()
        .await
        .expect("events");
    for e in events.events() {
        let m = e.message().unwrap_or_default();
        assert!(!m.contains(good.rsplit('.').next().expect("sig")), "{m}");
    }
    local.stop().await;
}
