//! A destroy stopped midway by a fault says what was and was not deleted (report, stderr,
//! audit), exits non-zero, and the same destroy run again finishes the job.

use crate::support::faults;

use super::*;

const FAULT: &str = "bedrock-agentcore:DeleteAgentRuntime:error500";

#[tokio::test]
async fn a_rerun_after_a_fault_midway_finishes_the_job() {
    let w = cli::world().await;
    deploy(&w, "weather", "1", Some("live")).await;
    json(&w, &["--env", "dev", "alarms", "apply", "weather"]).await;
    let c = clients(&w, "us-west-2").await;
    faults::add(&w.local.url, FAULT).await;

    let (ok, first, err) = destroy(&w, &["--env", "dev", "weather", "--with-logs"]).await;
    assert!(!ok, "the fault must stop it");
    let (deleted, not_deleted) = (strings(&first["deleted"]), strings(&first["notDeleted"]));
    assert!(
        deleted
            .iter()
            .any(|c| c.starts_with("DeleteAgentRuntimeEndpoint")),
        "{first:#}"
    );
    assert!(
        not_deleted[0].starts_with("DeleteAgentRuntime ")
            && not_deleted[1..]
                .iter()
                .all(|c| c.starts_with("DeleteLogGroup")),
        "{first:#}"
    );
    let error = first["error"].as_str().expect("error");
    assert!(error.contains("run the same destroy again"), "{error}");
    assert!(
        err.contains("destroy stopped at `DeleteAgentRuntime"),
        "{err}"
    );
    let midway = inventory(&c).await;
    assert!(
        !having(&midway, "runtime weather").is_empty(),
        "{midway:#?}"
    );
    assert!(
        having(&midway, "endpoint weather/live").is_empty(),
        "{midway:#?}"
    );
    assert!(having(&midway, "alarm ").is_empty(), "{midway:#?}");
    let audit = destroys(&w);
    assert!(
        audit[0]["result"]
            .as_str()
            .is_some_and(|r| r.starts_with("error: destroy stopped at")),
        "{audit:#?}"
    );
    assert_eq!(strings(&audit[0]["after"]["notDeleted"]), not_deleted);

    faults::clear(&w.local.url).await;
    let (ok, second, err) = destroy(&w, &["--env", "dev", "weather", "--with-logs"]).await;
    assert!(ok, "{err}");
    assert_eq!(
        strings(&second["deleted"]),
        not_deleted,
        "what was left, and only that"
    );
    let after = inventory(&c).await;
    assert!(having(&after, "runtime ").is_empty(), "{after:#?}");
    assert!(having(&after, "log group ").is_empty(), "{after:#?}");
    w.local.stop().await;
}
