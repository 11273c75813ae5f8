//! A version's full configuration through the SDK against the local AgentCore: `show` reads
//! every setting, `diff` names every field that differs (two versions; two environments), and
//! no variable value ever leaves the backend.

mod cli;
mod drift;
pub mod setup;
mod tui;

use agentcore_console::backend::Backend;
use agentcore_console::backend::runtimes::{self, config::DiffSide};
use setup::*;

use crate::support::emulator::{env, start};

fn side(env: &str, version: Option<&str>) -> DiffSide {
    DiffSide {
        env: env.into(),
        version: version.map(str::to_string),
        latest_by_default: false,
    }
}

#[tokio::test]
async fn show_reads_every_setting_of_the_latest_version_and_never_a_value() {
    let dir = tempfile::tempdir().expect("tempdir");
    let local = start(dir.path()).await;
    let c = crate::support::emulator::clients(&local.url, "us-west-2").await;
    let id = create_base(&c, "weather").await;
    update_everything(&c, &id).await;
    retention(&c, &id, "DEFAULT", 30).await;
    let backend = Backend::new(vec![env("dev", &local.url, "us-west-2", None)]);

    let d = runtimes::show(&backend, "dev", "weather")
        .await
        .expect("show");
    let l = &d.latest;
    assert_eq!(l.version, "2");
    let a = l.artifact.as_ref().expect("artifact");
    assert_eq!(a.location, format!("s3://{BUCKET}/weather/{DIGEST_B}.zip"));
    assert_eq!(
        a.digest.as_deref(),
        Some(format!("sha256:{DIGEST_B}").as_str())
    );
    assert_eq!(l.code_runtime.as_deref(), Some("PYTHON_3_13"));
    assert_eq!(l.entry_point, ["main.py", "--verbose"]);
    assert_eq!(l.variable_names, ["API_KEY", "APP_VERSION", "FEATURE"]);
    assert_eq!(l.role_arn.as_deref(), Some(ROLE_B));
    assert_eq!(l.posture, posture_b(Some(30)));
    assert_eq!(l.retention_from.as_deref(), Some("DEFAULT"));
    let kept: Vec<_> = d
        .log_retention
        .iter()
        .map(|r| (r.endpoint.as_str(), r.retention_in_days))
        .collect();
    assert_eq!(kept, [("DEFAULT", Some(30)), ("live", None)]);
    assert!(d.log_retention[0].exists);
    // The version `live` serves comes along in full.
    assert_eq!(d.served.len(), 1);
    assert_eq!(d.served[0].version, "1");
    assert_eq!(d.served[0].variable_names, ["API_KEY", "APP_VERSION"]);

    let json = serde_json::to_string(&d).expect("json");
    assert!(!json.contains(SECRET), "a variable value leaked: {json}");
    assert!(!format!("{d:?}").contains(SECRET));
    local.stop().await;
}

#[tokio::test]
async fn two_versions_differ_in_every_field_and_name_each() {
    let dir = tempfile::tempdir().expect("tempdir");
    let local = start(dir.path()).await;
    let c = crate::support::emulator::clients(&local.url, "us-west-2").await;
    let id = create_base(&c, "weather").await;
    update_everything(&c, &id).await;
    // `live` serves 1 with 7-day logs, DEFAULT serves 2 with 30.
    retention(&c, &id, "live", 7).await;
    retention(&c, &id, "DEFAULT", 30).await;
    let backend = Backend::new(vec![env("dev", &local.url, "us-west-2", None)]);

    let d = runtimes::config::diff(
        &backend,
        "weather",
        &side("dev", Some("1")),
        &side("dev", Some("2")),
    )
    .await
    .expect("diff");
    let fields: Vec<&str> = d.differences.iter().map(|f| f.field).collect();
    assert_eq!(fields, ALL_FIELDS, "{:#?}", d.differences);
    let row = |f: &str| {
        let r = d.differences.iter().find(|x| x.field == f).expect(f);
        (r.left.clone(), r.right.clone())
    };
    assert_eq!(row("log_retention_days"), ("7".into(), "30".into()));
    assert_eq!(row("auth"), ("IAM".into(), "JWT".into()));
    assert_eq!(row("idle_session_timeout").1, "10m");
    assert_eq!(
        row("artifact_digest"),
        (format!("sha256:{DIGEST_A}"), format!("sha256:{DIGEST_B}"))
    );
    assert_eq!(row("variable_names").1, "API_KEY, APP_VERSION, FEATURE");
    assert!(!serde_json::to_string(&d).expect("json").contains(SECRET));

    // Defaults: the stable endpoint `live` serves 1; DEFAULT's would be 2.
    let same = runtimes::config::diff(
        &backend,
        "weather",
        &side("dev", None),
        &side("dev", Some("1")),
    )
    .await
    .expect("diff");
    assert_eq!(same.left.version, "1");
    assert!(same.differences.is_empty(), "{:?}", same.differences);
    local.stop().await;
}

#[tokio::test]
async fn one_runtime_in_two_environments_differs_only_where_it_does() {
    let dir = tempfile::tempdir().expect("tempdir");
    let local = start(dir.path()).await;
    let dev = crate::support::emulator::clients(&local.url, "us-west-2").await;
    let prod = crate::support::emulator::clients(&local.url, "us-east-1").await;
    let d_id = create_base(&dev, "weather").await;
    let p_id = create_base(&prod, "weather").await;
    // The stable endpoint `live` serves each side's default version: its group counts.
    retention(&dev, &d_id, "live", 7).await;
    retention(&prod, &p_id, "live", 90).await;
    let backend = Backend::new(vec![
        env("dev", &local.url, "us-west-2", None),
        env("prod", &local.url, "us-east-1", None),
    ]);

    let d = runtimes::config::diff(&backend, "weather", &side("dev", None), &side("prod", None))
        .await
        .expect("diff");
    assert_eq!((d.left.env.as_str(), d.right.env.as_str()), ("dev", "prod"));
    let got: Vec<_> = d
        .differences
        .iter()
        .map(|f| (f.field, f.left.as_str(), f.right.as_str()))
        .collect();
    assert_eq!(got, [("log_retention_days", "7", "90")]);

    let missing = runtimes::config::diff(
        &backend,
        "weather",
        &side("dev", Some("9")),
        &side("prod", None),
    )
    .await
    .expect_err("no version 9");
    assert!(
        missing.to_string().contains("has no version `9`"),
        "{missing}"
    );
    let unknown = runtimes::config::diff(&backend, "nope", &side("dev", None), &side("prod", None))
        .await
        .expect_err("unknown runtime");
    assert!(
        unknown.to_string().contains("runtime `nope` not found"),
        "{unknown}"
    );
    let env_err =
        runtimes::config::diff(&backend, "weather", &side("qa", None), &side("prod", None))
            .await
            .expect_err("unknown env");
    assert!(
        env_err.to_string().contains("unknown environment `qa`"),
        "{env_err}"
    );
    local.stop().await;
}
