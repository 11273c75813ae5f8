//! InvokeAgentRuntime on JWT and IAM runtimes: what is served and what is refused, and why.

use std::path::Path;

use aws_sdk_bedrockagentcore::primitives::Blob;
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use serde_json::json;

use super::*;

const KEY_FILE: &str = "oidc-signing-key.pem";

fn now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .expect("clock")
        .as_secs()
}

/// The local issuer's `kid`, from its JWKS.
async fn kid(url: &str) -> String {
    let (status, resp) = raw(url, "GET", "/_local/oidc/jwks.json", &[], "").await;
    assert_eq!(status, 200, "{resp}");
    json_body(&resp)["keys"][0]["kid"]
        .as_str()
        .expect("kid")
        .to_string()
}

/// A token signed with the key kept in `state`, under `kid`, with these claims.
fn sign(state: &Path, kid: &str, claims: &serde_json::Value) -> String {
    let pem = std::fs::read(state.join(KEY_FILE)).expect("key file");
    let key = EncodingKey::from_rsa_pem(&pem).expect("key");
    let mut header = Header::new(Algorithm::RS256);
    header.kid = Some(kid.to_string());
    jsonwebtoken::encode(&header, claims, &key).expect("sign")
}

fn message(resp: &str) -> String {
    json_body(resp)["message"]
        .as_str()
        .unwrap_or_default()
        .to_string()
}

fn error_type(resp: &str) -> String {
    resp.lines()
        .find_map(|l| {
            let (k, v) = l.split_once(':')?;
            k.eq_ignore_ascii_case("x-amzn-errortype")
                .then(|| v.trim().to_string())
        })
        .unwrap_or_default()
}

#[tokio::test]
async fn a_jwt_runtime_serves_verified_bearer_calls_and_nothing_else() {
    let dir = tempfile::tempdir().expect("tempdir");
    let local = start(dir.path()).await;
    let c = clients(&local.url, "us-west-2").await;
    let jwt_arn = runtime(
        &c,
        "jwt_rt",
        Some(jwt(&discovery(&local.url), &[], &["console"])),
    )
    .await;
    let iam_arn = runtime(&c, "iam_rt", None).await;
    let good = token(&local.url, r#"{"client_id":"console"}"#).await;

    // MCP through to the server with a bearer token, no SigV4.
    let (status, resp) = call_bearer(&local.url, &jwt_arn, &good, INIT).await;
    assert_eq!(status, 200, "{resp}");
    assert_eq!(json_body(&resp)["result"]["serverInfo"]["version"], "1");
    let (status, resp) = call_bearer(&local.url, &jwt_arn, &good, TOOLS_LIST).await;
    assert_eq!(status, 200, "{resp}");
    assert!(
        json_body(&resp)["result"]["tools"]
            .as_array()
            .is_some_and(|t| !t.is_empty()),
        "{resp}"
    );

    // SigV4 (the SDK) on the JWT runtime: refused as AWS refuses it.
    let err = c
        .data
        .invoke_agent_runtime()
        .agent_runtime_arn(&jwt_arn)
        .content_type("application/json")
        .payload(Blob::new(INIT))
        .send()
        .await
        .expect_err("SigV4 on a JWT runtime");
    let (status, code) = status_and_code(&err);
    assert_eq!((status, code.as_str()), (403, "AccessDeniedException"));
    let msg = aws_smithy_types::error::metadata::ProvideErrorMetadata::message(
        err.as_service_error().expect("service error"),
    )
    .unwrap_or_default()
    .to_string();
    assert!(msg.starts_with("Authorization method mismatch"), "{msg}");

    // Unsigned, no token at all.
    let (status, resp) = call(&local.url, &jwt_arn, &[], INIT).await;
    assert_eq!(status, 403, "{resp}");
    assert_eq!(error_type(&resp), "MissingAuthenticationTokenException");

    // A bearer call names the runtime by its ARN (its account and region come from there).
    let id = jwt_arn.rsplit('/').next().expect("id");
    let auth = format!("Bearer {good}");
    let (status, resp) = raw(
        &local.url,
        "POST",
        &format!("/runtimes/{id}/invocations"),
        &[
            ("authorization", &auth),
            ("content-type", "application/json"),
        ],
        INIT,
    )
    .await;
    assert_eq!(status, 400, "{resp}");
    assert!(message(&resp).contains("'agentRuntimeArn'"), "{resp}");

    // A bearer token on an IAM runtime: the same mismatch; SigV4 still works there.
    let (status, resp) = call_bearer(&local.url, &iam_arn, &good, INIT).await;
    assert_eq!(status, 403, "{resp}");
    assert_eq!(error_type(&resp), "AccessDeniedException");
    assert!(
        message(&resp).starts_with("Authorization method mismatch"),
        "{resp}"
    );
    c.data
        .invoke_agent_runtime()
        .agent_runtime_arn(&iam_arn)
        .content_type("application/json")
        .accept("application/json, text/event-stream")
        .payload(Blob::new(INIT))
        .send()
        .await
        .expect("SigV4 on an IAM runtime");
    local.stop().await;
}

#[tokio::test]
async fn bad_tokens_are_refused_with_401_and_the_reason() {
    let dir = tempfile::tempdir().expect("tempdir");
    let other_dir = tempfile::tempdir().expect("tempdir");
    let local = start(dir.path()).await;
    let other = start(other_dir.path()).await;
    let c = clients(&local.url, "us-west-2").await;
    let arn = runtime(
        &c,
        "strict",
        Some(jwt(&discovery(&local.url), &["api"], &["console"])),
    )
    .await;
    let issuer = format!("{}/_local/oidc", local.url);
    let kid = kid(&local.url).await;
    let t = now();
    let claims = |iss: &str, aud: &str, client: &str, exp: u64| json!({"iss": iss, "sub": client, "aud": aud, "client_id": client, "iat": t - 100, "nbf": t - 100, "exp": exp});

    let good = token(&local.url, r#"{"audience":"api","client_id":"console"}"#).await;
    let (status, resp) = call_bearer(&local.url, &arn, &good, INIT).await;
    assert_eq!(status, 200, "{resp}");
    let signed_good = sign(
        dir.path(),
        &kid,
        &claims(&issuer, "api", "console", t + 600),
    );
    let (status, resp) = call_bearer(&local.url, &arn, &signed_good, INIT).await;
    assert_eq!(
        status, 200,
        "a token the test signs like the issuer passes: {resp}"
    );

    let cases = [
        (
            "wrong audience",
            token(&local.url, r#"{"audience":"other","client_id":"console"}"#).await,
            "allowedAudience",
        ),
        (
            "no audience",
            token(&local.url, r#"{"client_id":"console"}"#).await,
            "allowedAudience",
        ),
        (
            "wrong client",
            token(&local.url, r#"{"audience":"api","client_id":"intruder"}"#).await,
            "allowedClients",
        ),
        (
            "expired",
            sign(dir.path(), &kid, &claims(&issuer, "api", "console", t - 10)),
            "expired",
        ),
        (
            "wrong issuer",
            sign(
                dir.path(),
                &kid,
                &claims("http://127.0.0.1:9/elsewhere", "api", "console", t + 600),
            ),
            "not issued by",
        ),
        (
            "wrong signature",
            sign(
                other_dir.path(),
                &kid,
                &claims(&issuer, "api", "console", t + 600),
            ),
            "signature",
        ),
        (
            "another issuer's token",
            token(&other.url, r#"{"audience":"api","client_id":"console"}"#).await,
            "does not have",
        ),
        ("not a JWT", "abc.def".to_string(), "well-formed"),
    ];
    for (what, bad, says) in &cases {
        let (status, resp) = call_bearer(&local.url, &arn, bad, INIT).await;
        assert_eq!(status, 401, "{what}: {resp}");
        assert!(message(&resp).contains(says), "{what}: {resp}");
        assert!(
            resp.to_ascii_lowercase()
                .contains("www-authenticate: bearer error=\"invalid_token\""),
            "{what}: {resp}"
        );
        assert!(
            !resp.contains(bad.as_str()),
            "{what}: the token is echoed: {resp}"
        );
    }

    // An authorizer whose issuer is not on loopback is never fetched: refused, saying why.
    let remote = runtime(
        &c,
        "remote",
        Some(jwt(
            "https://issuer.example.com/.well-known/openid-configuration",
            &[],
            &["console"],
        )),
    )
    .await;
    let (status, resp) = call_bearer(&local.url, &remote, &good, INIT).await;
    assert_eq!(status, 403, "{resp}");
    assert!(
        message(&resp).contains("only from loopback issuers"),
        "{resp}"
    );
    other.stop().await;
    local.stop().await;
}

#[tokio::test]
async fn the_signing_key_survives_a_restart_and_so_do_its_tokens() {
    let dir = tempfile::tempdir().expect("tempdir");
    let local = start(dir.path()).await;
    let addr: std::net::SocketAddr = local
        .url
        .trim_start_matches("http://")
        .parse()
        .expect("addr");
    let c = clients(&local.url, "us-west-2").await;
    let arn = runtime(
        &c,
        "kept",
        Some(jwt(&discovery(&local.url), &[], &["console"])),
    )
    .await;
    let before = kid(&local.url).await;
    let t = token(&local.url, r#"{"client_id":"console"}"#).await;
    local.stop().await;

    // Same address, so the issuer URL (and the runtime's discovery URL) is the same.
    let (tx, task) = serve_at(dir.path(), addr).await;
    let url = format!("http://{addr}");
    assert_eq!(kid(&url).await, before, "the same key after a restart");
    let (status, resp) = call_bearer(&url, &arn, &t, INIT).await;
    assert_eq!(status, 200, "a token issued before the restart: {resp}");
    let _ = tx.send(());
    task.await.expect("server");
}

/// Serve `dir` on exactly `addr` (a restart on the same address); stop with the sender.
async fn serve_at(
    dir: &Path,
    addr: std::net::SocketAddr,
) -> (
    tokio::sync::oneshot::Sender<()>,
    tokio::task::JoinHandle<()>,
) {
    let listener = agentcore_console::emulator::bind(addr)
        .await
        .expect("rebind");
    let (tx, rx) = tokio::sync::oneshot::channel::<()>();
    let mut opts = agentcore_console::emulator::Options::new(dir);
    opts.settle_delay = std::time::Duration::from_millis(50);
    let task = tokio::spawn(async move {
        agentcore_console::emulator::serve(listener, opts, async {
            let _ = rx.await;
        })
        .await
        .expect("serve");
    });
    (tx, task)
}

#[tokio::test]
async fn a_key_the_cached_jwks_lacks_is_fetched_again() {
    let dir = tempfile::tempdir().expect("tempdir");
    let idp_dir = tempfile::tempdir().expect("tempdir");
    let local = start(dir.path()).await;
    let idp = start(idp_dir.path()).await;
    let idp_url = idp.url.clone();
    let idp_addr: std::net::SocketAddr =
        idp_url.trim_start_matches("http://").parse().expect("addr");
    let c = clients(&local.url, "us-west-2").await;
    let arn = runtime(
        &c,
        "rotated",
        Some(jwt(&discovery(&idp.url), &[], &["console"])),
    )
    .await;
    let first = token(&idp.url, r#"{"client_id":"console"}"#).await;
    assert_eq!(
        call_bearer(&local.url, &arn, &first, INIT).await.0,
        200,
        "JWKS fetched and cached"
    );

    // The identity provider rotates its key (a new one at its next start, same URL).
    idp.stop().await;
    std::fs::remove_file(idp_dir.path().join(KEY_FILE)).expect("drop the key");
    let (tx, task) = serve_at(idp_dir.path(), idp_addr).await;
    let rotated = token(&idp_url, r#"{"client_id":"console"}"#).await;
    let (status, resp) = call_bearer(&local.url, &arn, &rotated, INIT).await;
    assert_eq!(
        status, 200,
        "the new kid is fetched, not refused from the cache: {resp}"
    );
    let (status, _) = call_bearer(&local.url, &arn, &first, INIT).await;
    assert_eq!(status, 401, "the retired key is gone from the JWKS");
    let _ = tx.send(());
    task.await.expect("idp");
    local.stop().await;
}
