//! dev → staging → prod: the same bytes on every side (SHA-256 read back with the SDK), the
//! lineage in `runtime show` and `runtimes` (JSON and tables), the target's posture and
//! variables, `--endpoint` moved, prod refused until armed, and the audit trail.

use serde_json::Value;

use super::{clients, deploy_dir, object_sha, promote, split_uri, world};
use crate::support::cli;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dev_to_staging_to_prod_carries_the_same_bytes_and_shows_the_lineage() {
    let w = world().await;
    let dev = deploy_dir(&w, "dev").await;
    let dev_uri = dev["artifact"].as_str().expect("artifact").to_string();
    let (dc, sc, pc) = (
        clients(&w, "dev").await,
        clients(&w, "staging").await,
        clients(&w, "prod").await,
    );
    let sha = object_sha(&dc, &dev_uri).await.expect("dev's zip");
    // A directory deploy's key carries the full hash.
    assert!(dev_uri.ends_with(&format!("/tiny/{sha}.zip")), "{dev_uri}");
    // Staging runs its own v1 with a variable of its own.
    cli::json(
        &w,
        &[
            "--env",
            "staging",
            "deploy",
            "tiny",
            "--from-dir",
            crate::support::cli::FIXTURE_DIR,
            "--endpoint",
            "live",
            "--env-var",
            "STAGE=staging",
        ],
    )
    .await;

    let (ok, out, err) = promote(
        &w,
        &["--from", "dev", "--to", "staging", "--endpoint", "live"],
    )
    .await;
    assert!(ok, "{err}");
    let r: Value = serde_json::from_str(&out).expect("json");
    assert_eq!(r["runtime"], "tiny");
    assert_eq!(
        r["from"],
        serde_json::json!({ "env": "dev", "version": "1", "sha256": sha })
    );
    assert_eq!(r["to"]["env"], "staging");
    assert_eq!(r["to"]["version"], "2");
    assert_eq!(r["to"]["sha256"], sha.as_str());
    assert_eq!(r["rollout"], Value::Null);
    assert_eq!(r["endpoint"]["endpoint"], "live");
    assert_eq!(r["endpoint"]["from"], "1");
    assert_eq!(r["endpoint"]["to"], "2");
    let staging_uri = r["to"]["artifact"].as_str().expect("artifact");
    assert_ne!(
        split_uri(staging_uri).0,
        split_uri(&dev_uri).0,
        "own bucket"
    );
    assert!(staging_uri.ends_with(&format!("/tiny/{sha}.zip")));
    assert_eq!(
        object_sha(&sc, staging_uri).await.as_deref(),
        Some(sha.as_str())
    );

    // The target's posture (20 minutes idle, not dev's 10) and its own variable.
    let show = cli::json(&w, &["--env", "staging", "runtime", "show", "tiny"]).await;
    let id = show["runtime"]["id"].as_str().expect("id");
    let v2 = sc
        .control
        .get_agent_runtime()
        .agent_runtime_id(id)
        .agent_runtime_version("2")
        .send()
        .await
        .expect("GetAgentRuntime");
    let idle = v2
        .lifecycle_configuration()
        .and_then(|l| l.idle_runtime_session_timeout());
    assert_eq!(idle, Some(1200));
    let vars = v2.environment_variables().expect("variables");
    assert_eq!(vars.get("STAGE").map(String::as_str), Some("staging"));
    assert!(
        v2.description()
            .is_some_and(|d| d.starts_with(&format!("promoted from dev v1 sha256:{sha}"))),
        "{:?}",
        v2.description()
    );

    // Lineage: runtime show (JSON and table) and the matrix (JSON and table).
    let lineage = serde_json::json!({ "env": "dev", "version": "1", "sha256": sha });
    assert_eq!(show["runtime"]["lineage"], lineage);
    assert_eq!(show["versions"][0]["version"], "2");
    assert_eq!(show["versions"][0]["lineage"], lineage);
    assert_eq!(show["versions"][1]["lineage"], Value::Null);
    let short = format!("dev v1 (sha256 {}…)", &sha[..12]);
    let (ok, table, _) = cli::run(&w, &["--env", "staging", "runtime", "show", "tiny"]).await;
    assert!(ok);
    assert!(table.contains(&format!("staging v2 = {short}")), "{table}");
    assert!(table.contains(&format!("= {short}")), "{table}");
    let matrix = cli::json(&w, &["--env", "staging", "runtimes"]).await;
    assert_eq!(matrix[0]["lineage"], lineage);
    let (ok, table, _) = cli::run(&w, &["--env", "staging", "runtimes"]).await;
    assert!(ok);
    assert!(
        table.contains("LINEAGE") && table.contains(&format!("staging v2 = {short}")),
        "{table}"
    );

    // Prod is protected: refused unarmed, with nothing made there.
    let (ok, _, err) = promote(&w, &["--from", "staging", "--to", "prod"]).await;
    assert!(!ok);
    assert!(err.contains("read-only") && err.contains("--arm"), "{err}");
    let none = cli::json(&w, &["--env", "prod", "runtimes"]).await;
    assert_eq!(none, serde_json::json!([]));
    let (ok, out, err) = promote(
        &w,
        &[
            "--from",
            "staging",
            "--to",
            "prod",
            "--arm",
            "--endpoint",
            "live",
        ],
    )
    .await;
    assert!(ok, "{err}");
    let r: Value = serde_json::from_str(&out).expect("json");
    assert_eq!(
        r["from"],
        serde_json::json!({ "env": "staging", "version": "2", "sha256": sha })
    );
    assert_eq!(r["to"]["version"], "1");
    let prod_uri = r["to"]["artifact"].as_str().expect("artifact");
    assert_eq!(
        object_sha(&pc, prod_uri).await.as_deref(),
        Some(sha.as_str())
    );
    let matrix = cli::json(&w, &["--env", "prod", "runtimes"]).await;
    assert_eq!(matrix[0]["lineage"]["env"], "staging");
    assert_eq!(matrix[0]["lineage"]["version"], "2");
    assert_eq!(matrix[0]["lineage"]["sha256"], sha.as_str());

    // Audited as `promote`, with the source; the refusal too.
    let audit = cli::audit(&w);
    let promotes: Vec<&Value> = audit.iter().filter(|e| e["action"] == "promote").collect();
    assert_eq!(promotes.len(), 3, "{audit:#?}");
    assert!(
        promotes[1]["result"]
            .as_str()
            .is_some_and(|r| r.starts_with("refused"))
    );
    for e in [promotes[0], promotes[2]] {
        assert_eq!(e["result"], "ok");
        assert_eq!(e["after"]["source"]["sha256"], sha.as_str());
        assert_eq!(e["before"]["source"]["sha256"], sha.as_str());
    }

    // A later plain deploy was not promoted from anywhere: no lineage carried over.
    deploy_dir(&w, "staging").await;
    let show = cli::json(&w, &["--env", "staging", "runtime", "show", "tiny"]).await;
    assert_eq!(show["runtime"]["latestVersion"], "3");
    assert_eq!(show["runtime"]["lineage"], Value::Null);
}
