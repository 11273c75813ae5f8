//! Promotions refused with the target left as it was: a source version that is not READY, an
//! image pinned by tag only, an artifact that is gone, a copy whose SHA-256 differs (removed
//! again), and bad flags before any call.

use super::{clients, deploy_dir, object_sha, promote, split_uri, world};
use crate::support::{cli, faults};

/// The target has no runtime: nothing was deployed there.
async fn nothing_in(w: &cli::World, env: &str) {
    let list = cli::json(w, &["--env", env, "runtimes"]).await;
    assert_eq!(list, serde_json::json!([]), "{env}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_version_not_ready_or_an_image_pinned_by_tag_is_refused() {
    let w = world().await;
    let digest = "ab".repeat(32);
    let pinned = format!("123456789012.dkr.ecr.us-west-2.amazonaws.com/tiny@sha256:{digest}");
    let tagged = "123456789012.dkr.ecr.us-west-2.amazonaws.com/tiny:1";
    // Neither image can run here (no pull from ECR on loopback): both versions fail.
    for image in [pinned.as_str(), tagged] {
        let (ok, _, err) =
            cli::run(&w, &["--env", "dev", "deploy", "tiny", "--image", image]).await;
        assert!(!ok, "{err}");
    }
    let (ok, _, err) = promote(&w, &["--from", "dev", "--to", "staging", "--version", "1"]).await;
    assert!(!ok);
    assert!(
        err.contains("dev: version 1 of `tiny` is CREATE_FAILED, not READY"),
        "{err}"
    );
    let (ok, _, err) = promote(&w, &["--from", "dev", "--to", "staging", "--version", "2"]).await;
    assert!(!ok);
    assert!(
        err.contains(&format!("runs the image `{tagged}`, pinned by tag only"))
            && err.contains("deploy it by digest"),
        "{err}"
    );
    nothing_in(&w, "staging").await;
    let refused = cli::audit(&w)
        .into_iter()
        .filter(|e| {
            e["action"] == "promote"
                && e["env"] == "staging"
                && e["result"]
                    .as_str()
                    .is_some_and(|r| r.starts_with("refused"))
        })
        .count();
    assert_eq!(refused, 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_artifact_that_is_gone_is_refused_naming_version_and_object() {
    let w = world().await;
    let dev = deploy_dir(&w, "dev").await;
    let uri = dev["artifact"].as_str().expect("artifact");
    let (bucket, key) = split_uri(uri);
    let dc = clients(&w, "dev").await;
    // DeleteObject through the SDK, twice: S3 answers a missing key alike.
    for _ in 0..2 {
        dc.s3
            .delete_object()
            .bucket(&bucket)
            .key(&key)
            .send()
            .await
            .expect("DeleteObject");
    }
    assert_eq!(object_sha(&dc, uri).await, None);
    let (ok, _, err) = promote(&w, &["--from", "dev", "--to", "staging"]).await;
    assert!(!ok);
    assert!(
        err.contains(&format!(
            "dev: version 1 of `tiny` cannot be promoted: its artifact {uri} is gone (NoSuchKey)"
        )),
        "{err}"
    );
    nothing_in(&w, "staging").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_copy_whose_hash_differs_is_removed_and_refused() {
    let w = world().await;
    let dev = deploy_dir(&w, "dev").await;
    let dc = clients(&w, "dev").await;
    let sha = object_sha(&dc, dev["artifact"].as_str().expect("artifact"))
        .await
        .expect("dev's zip");
    faults::add(&w.local.url, "s3:PutObject:corrupt").await;
    let (ok, _, err) = promote(&w, &["--from", "dev", "--to", "staging"]).await;
    faults::clear(&w.local.url).await;
    assert!(!ok);
    assert!(
        err.contains(&format!("the copy's SHA-256 differs: expected {sha} got ")),
        "{err}"
    );
    let copy = err
        .split("the copy was removed (")
        .nth(1)
        .and_then(|r| r.split(')').next())
        .expect("the copy's address");
    assert!(copy.ends_with(&format!("/tiny/{sha}.zip")), "{copy}");
    let sc = clients(&w, "staging").await;
    assert_eq!(object_sha(&sc, copy).await, None, "the copy is gone");
    nothing_in(&w, "staging").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_flags_are_refused_before_any_call() {
    let w = world().await;
    let (ok, _, err) = promote(&w, &["--from", "dev", "--to", "dev"]).await;
    assert!(!ok);
    assert!(err.contains("--from and --to are both `dev`"), "{err}");
    let (ok, _, err) = promote(&w, &["--from", "dev", "--to", "qa"]).await;
    assert!(!ok);
    assert!(
        err.contains("--to: ") && err.contains("unknown environment `qa`"),
        "{err}"
    );
    let (ok, _, err) = promote(&w, &["--from", "dev", "--to", "staging", "--version", "0"]).await;
    assert!(!ok);
    assert!(err.contains("--version `0`"), "{err}");
    let (ok, _, err) = promote(
        &w,
        &[
            "--from",
            "dev",
            "--to",
            "staging",
            "--endpoint",
            "live",
            "--rollout",
            "seed",
        ],
    )
    .await;
    assert!(!ok);
    assert!(err.contains("cannot be used with"), "{err}");
    let (ok, _, err) = promote(
        &w,
        &[
            "--from",
            "dev",
            "--to",
            "staging",
            "--rollout",
            "/no/such.toml",
        ],
    )
    .await;
    assert!(!ok);
    assert!(err.contains("--rollout: "), "{err}");
    // None of them reached the local AgentCore's runtimes.
    nothing_in(&w, "staging").await;
    nothing_in(&w, "dev").await;
}
