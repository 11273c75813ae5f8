//! `promote` from the built binary on ONE local AgentCore holding three environments: dev
//! (us-west-2), staging (us-east-1) and prod (us-east-1 in another account, protected by its
//! name). The bytes are proven equal by SHA-256 on both sides, the lineage is shown, the
//! target's posture applies, and every refusal leaves the target as it was.

mod flow;
mod refusals;
mod rollout;
mod smoke;

use agentcore_console::backend::Clients;
use serde_json::Value;
use sha2::Digest;

use crate::support::cli::{self, FIXTURE_DIR, World};
use crate::support::emulator;

const PROD_ACCOUNT: &str = "111122223333";

/// The CLI world with dev, staging and prod; dev and staging differ in their idle timeout.
async fn world() -> World {
    let w = cli::world().await;
    let url = &w.local.url;
    std::fs::write(
        &w.config,
        format!(
            "[environments.dev]\nendpoint_url = \"{url}\"\nregion = \"us-west-2\"\n\
             [environments.dev.runtime]\nidle_session_timeout = \"10m\"\n\
             [environments.staging]\nendpoint_url = \"{url}\"\nregion = \"us-east-1\"\n\
             [environments.staging.runtime]\nidle_session_timeout = \"20m\"\n\
             [environments.prod]\nendpoint_url = \"{url}\"\nregion = \"us-east-1\"\n\
             account_id = \"{PROD_ACCOUNT}\"\n"
        ),
    )
    .expect("config");
    w
}

/// The SDK clients of one of the world's environments.
async fn clients(w: &World, env: &str) -> Clients {
    let e = match env {
        "dev" => emulator::env("dev", &w.local.url, "us-west-2", None),
        "staging" => emulator::env("staging", &w.local.url, "us-east-1", None),
        _ => emulator::env("prod", &w.local.url, "us-east-1", Some(PROD_ACCOUNT)),
    };
    Clients::build(&e).await
}

/// `deploy tiny --from-dir FIXTURE` in `env` (moving `live`); its JSON report.
async fn deploy_dir(w: &World, env: &str) -> Value {
    cli::json(
        w,
        &[
            "--env",
            env,
            "deploy",
            "tiny",
            "--from-dir",
            FIXTURE_DIR,
            "--endpoint",
            "live",
        ],
    )
    .await
}

/// `s3://bucket/key` as its two parts.
fn split_uri(uri: &str) -> (String, String) {
    let (b, k) = uri
        .strip_prefix("s3://")
        .and_then(|r| r.split_once('/'))
        .expect("s3 uri");
    (b.to_string(), k.to_string())
}

/// The SHA-256 of an object, read with the SDK (None when it is not there).
async fn object_sha(c: &Clients, uri: &str) -> Option<String> {
    let (bucket, key) = split_uri(uri);
    let out =
        c.s3.get_object()
            .bucket(bucket)
            .key(key)
            .send()
            .await
            .ok()?;
    let bytes = out.body.collect().await.expect("body").into_bytes();
    Some(hex(&sha2::Sha256::digest(&bytes)))
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// `promote tiny …` with `--output json`: (exit ok, stdout, stderr).
async fn promote(w: &World, args: &[&str]) -> (bool, String, String) {
    let mut all = vec!["promote", "tiny"];
    all.extend_from_slice(args);
    all.extend(["--output", "json"]);
    cli::run(w, &all).await
}
