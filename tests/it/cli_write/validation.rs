//! Deploys whose validation with MCP `tools/list` matters: a server whose event streams are
//! primed (MCP 2025-11-25) validates; one that fails `tools/list` fails the deploy, and says
//! what DEFAULT and the named endpoints serve afterwards.

use super::cli::{self, json, run, world};
use super::{deploy_args, tool_version};

#[tokio::test]
async fn a_server_that_primes_its_event_streams_deploys_and_answers() {
    let w = world().await;
    let mut args = deploy_args("dev", "APP_VERSION=1");
    args.extend(["--env-var", "FIXTURE_SSE=prime"]);
    let report = json(&w, &args).await;
    assert_eq!(report["tools"], 1, "validated: {report}");
    assert_eq!(report["endpoint"]["to"], "1");
    assert_eq!(tool_version(&w, "dev", "live").await, "1");
    let tools = json(&w, &["--env", "dev", "tools", "weather"]).await;
    assert_eq!(tools[0]["name"], "version");
    w.local.stop().await;
}

#[tokio::test]
async fn a_version_that_fails_validation_is_recorded_and_only_default_serves_it() {
    let w = world().await;
    json(&w, &deploy_args("dev", "APP_VERSION=1")).await;
    let mut args = deploy_args("dev", "APP_VERSION=2");
    args.extend(["--env-var", "FIXTURE_TOOLS_LIST=error"]);
    let (success, _, stderr) = run(&w, &args).await;
    assert!(!success, "{stderr}");
    for said in [
        "validation failed: MCP error -32603: fixture: tools are broken",
        "Version 2 is READY and DEFAULT already serves it",
        "(DEFAULT follows the latest version, as on AWS)",
        "named endpoints were not moved (`live` still serves version 1)",
        "point them at a named endpoint, or deploy a fixed version",
    ] {
        assert!(stderr.contains(said), "`{said}` missing from: {stderr}");
    }
    assert_eq!(tool_version(&w, "dev", "live").await, "1", "live stayed");

    let shown = json(&w, &["--env", "dev", "runtime", "show", "weather"]).await;
    let endpoint = |name: &str| {
        shown["runtime"]["endpoints"]
            .as_array()
            .and_then(|eps| eps.iter().find(|e| e["name"] == name))
            .map(|e| e["liveVersion"].clone())
    };
    assert_eq!(endpoint("live"), Some("1".into()), "{shown}");
    assert_eq!(endpoint("DEFAULT"), Some("2".into()), "{shown}");
    let versions = shown["versions"].as_array().expect("versions");
    assert!(
        versions
            .iter()
            .any(|v| v["version"] == "2" && v["status"] == "READY"),
        "{shown}"
    );

    let entries = cli::audit(&w);
    let failed = entries.last().expect("audited");
    assert_eq!(failed["action"], "deploy");
    assert!(
        failed["result"]
            .as_str()
            .is_some_and(|r| r.starts_with("error: validation failed")
                && r.contains("DEFAULT already serves it")),
        "{failed}"
    );
    assert_eq!(failed["after"]["version"], "2");
    assert_eq!(failed["after"]["defaultVersion"], "2");
    assert_eq!(failed["after"]["endpoint"], "live");
    assert_eq!(failed["before"]["version"], "1");
    w.local.stop().await;
}
