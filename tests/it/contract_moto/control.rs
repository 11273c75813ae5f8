//! Runtimes, versions and endpoints: the backend's reads and the control plane calls deploy
//! and rollback make, against moto.

use super::*;

#[tokio::test]
async fn list_all_and_resolve_find_code_and_container_runtimes() {
    let p = peer().await;
    let c = &p.clients;
    let weather = create_code_runtime(c, "weather_mcp", "weather/v1.zip").await;
    let boxed = create_container_runtime(c, "boxed_mcp").await;
    assert_eq!(weather.agent_runtime_version(), "1");
    assert_ne!(weather.agent_runtime_id(), boxed.agent_runtime_id());

    let mut all = runtimes::list_all(c).await.expect("list_all");
    all.sort_by(|a, b| a.agent_runtime_name().cmp(b.agent_runtime_name()));
    let seen: Vec<(&str, &str, &str, &str)> = all
        .iter()
        .map(|r| {
            (
                r.agent_runtime_name(),
                r.agent_runtime_id(),
                r.agent_runtime_arn(),
                r.agent_runtime_version(),
            )
        })
        .collect();
    assert_eq!(
        seen,
        [
            (
                "boxed_mcp",
                boxed.agent_runtime_id(),
                boxed.agent_runtime_arn(),
                "1"
            ),
            (
                "weather_mcp",
                weather.agent_runtime_id(),
                weather.agent_runtime_arn(),
                "1"
            ),
        ]
    );

    let by_name = runtimes::resolve(c, "weather_mcp")
        .await
        .expect("resolve by name");
    assert_eq!(by_name.agent_runtime_id(), weather.agent_runtime_id());
    assert_eq!(by_name.agent_runtime_arn(), weather.agent_runtime_arn());
    let by_id = runtimes::resolve(c, boxed.agent_runtime_id())
        .await
        .expect("resolve by id");
    assert_eq!(by_id.agent_runtime_name(), "boxed_mcp");

    let unknown = runtimes::resolve(c, "no_such_mcp")
        .await
        .expect_err("an unknown runtime does not resolve");
    assert!(
        matches!(&unknown, BackendError::RuntimeNotFound { env, runtime } if env == ENV && runtime == "no_such_mcp"),
        "{unknown:?}"
    );
}

#[tokio::test]
async fn an_update_makes_version_2_and_both_versions_are_listed() {
    let p = peer().await;
    let c = &p.clients;
    let created = create_code_runtime(c, "weather_mcp", "weather/v1.zip").await;
    let id = created.agent_runtime_id();
    // A second runtime, so the versions listed are known to belong to the one asked for.
    let other = create_code_runtime(c, "other_mcp", "other/v1.zip").await;

    let updated = update_code_runtime(c, id, "weather/v2.zip").await;
    assert_eq!(updated.agent_runtime_id(), id);
    assert_eq!(updated.agent_runtime_version(), "2");

    let resolved = runtimes::resolve(c, "weather_mcp").await.expect("resolve");
    assert_eq!(resolved.agent_runtime_id(), id);
    // moto quirk: its ARN is `…:agent/<uuid>:<version>` and changes with each version (an AWS
    // runtime ARN is `…:runtime/<id>`), so it is compared with the latest call's answer.
    assert_eq!(resolved.agent_runtime_arn(), updated.agent_runtime_arn());
    assert_eq!(
        resolved.agent_runtime_version(),
        "2",
        "latest version after an update"
    );

    let versions = runtimes::list_versions(c, id).await.expect("list_versions");
    assert_eq!(
        versions
            .iter()
            .map(|v| v.version.as_str())
            .collect::<Vec<_>>(),
        ["2", "1"],
        "newest first: {versions:?}"
    );
    // moto snapshots the description with each version.
    assert_eq!(versions[0].description.as_deref(), Some("second build"));
    assert_eq!(versions[1].description, None);
    // The status of version 2 is left out on purpose: moto keeps it UPDATING forever.

    let others = runtimes::list_versions(c, other.agent_runtime_id())
        .await
        .expect("list_versions of the other runtime");
    assert_eq!(
        others
            .iter()
            .map(|v| v.version.as_str())
            .collect::<Vec<_>>(),
        ["1"]
    );
}

#[tokio::test]
async fn endpoints_are_created_updated_and_listed() {
    let p = peer().await;
    let c = &p.clients;
    let created = create_code_runtime(c, "weather_mcp", "weather/v1.zip").await;
    let id = created.agent_runtime_id();
    let updated = update_code_runtime(c, id, "weather/v2.zip").await;
    assert_eq!(updated.agent_runtime_version(), "2");
    let lonely = create_container_runtime(c, "boxed_mcp").await;

    let live_arn = create_endpoint(c, id, "live", "1").await;
    let canary_arn = create_endpoint(c, id, "canary", "1").await;
    assert_ne!(live_arn, canary_arn);

    let moved = c
        .control
        .update_agent_runtime_endpoint()
        .agent_runtime_id(id)
        .endpoint_name("canary")
        .agent_runtime_version("2")
        .send()
        .await
        .expect("UpdateAgentRuntimeEndpoint");
    assert_eq!(moved.target_version(), Some("2"));
    assert_eq!(moved.agent_runtime_endpoint_arn(), canary_arn);
    // moto never rolls the live version forward to the target (no rollout is modelled), so
    // the live version after the move is not asserted.

    let mut endpoints = runtimes::list_endpoints(c, id)
        .await
        .expect("list_endpoints");
    endpoints.sort_by(|a, b| a.name.cmp(&b.name));
    assert_eq!(
        endpoints
            .iter()
            .map(|e| (e.name.as_str(), e.arn.as_deref()))
            .collect::<Vec<_>>(),
        [
            ("canary", Some(canary_arn.as_str())),
            ("live", Some(live_arn.as_str())),
        ]
    );
    // moto gap: ListAgentRuntimeEndpoints summaries omit liveVersion/targetVersion (AWS sends
    // them), so `Endpoint::live_version`/`target_version` cannot be checked against moto.

    let none = runtimes::list_endpoints(c, lonely.agent_runtime_id())
        .await
        .expect("list_endpoints of a runtime without endpoints");
    assert!(none.is_empty(), "{none:?}");
}

#[tokio::test]
async fn show_reports_artifact_versions_endpoints_and_log_groups() {
    let p = peer().await;
    let c = &p.clients;
    let created = create_code_runtime(c, "weather_mcp", "weather/v1.zip").await;
    let id = created.agent_runtime_id().to_string();
    let updated = update_code_runtime(c, &id, "weather/v2.zip").await;
    assert_eq!(updated.agent_runtime_version(), "2");
    create_endpoint(c, &id, "live", "1").await;
    let boxed = create_container_runtime(c, "boxed_mcp").await;

    let detail = runtimes::show(&p.backend, ENV, "weather_mcp")
        .await
        .expect("show by name");
    assert_eq!(detail.runtime.env, ENV);
    assert_eq!(detail.runtime.name, "weather_mcp");
    assert_eq!(detail.runtime.id, id);
    // The latest version's ARN (moto puts the version in it, see above).
    assert_eq!(detail.runtime.arn, updated.agent_runtime_arn());
    assert_eq!(detail.runtime.latest_version, "2");
    assert_eq!(
        detail.artifact.as_deref(),
        Some(format!("s3://{BUCKET}/weather/v2.zip").as_str()),
        "the latest version's artifact"
    );
    assert_eq!(detail.language_runtime.as_deref(), Some("PYTHON_3_12"));
    assert_eq!(detail.entry_point, ["main.py"]);
    assert_eq!(detail.protocol.as_deref(), Some("MCP"));
    assert_eq!(detail.role_arn.as_deref(), Some(ROLE));
    assert!(detail.created_at.is_some(), "{detail:?}");
    assert_eq!(
        detail
            .versions
            .iter()
            .map(|v| v.version.as_str())
            .collect::<Vec<_>>(),
        ["2", "1"]
    );
    assert_eq!(
        detail
            .runtime
            .endpoints
            .iter()
            .map(|e| e.name.as_str())
            .collect::<Vec<_>>(),
        ["live"]
    );
    assert_eq!(
        detail.log_groups,
        [format!("/aws/bedrock-agentcore/runtimes/{id}-live")]
    );

    let by_id = runtimes::show(&p.backend, ENV, boxed.agent_runtime_id())
        .await
        .expect("show by id");
    assert_eq!(by_id.runtime.name, "boxed_mcp");
    assert_eq!(by_id.artifact.as_deref(), Some(IMAGE));
    assert_eq!(by_id.language_runtime, None);
    assert!(by_id.entry_point.is_empty());
    assert_eq!(
        by_id.protocol, None,
        "created without a protocol configuration"
    );
    assert_eq!(
        by_id
            .versions
            .iter()
            .map(|v| v.version.as_str())
            .collect::<Vec<_>>(),
        ["1"]
    );
    assert!(by_id.runtime.endpoints.is_empty());
    assert!(by_id.log_groups.is_empty());

    let missing = runtimes::show(&p.backend, ENV, "no_such_mcp")
        .await
        .expect_err("show of an unknown runtime");
    assert!(
        matches!(&missing, BackendError::RuntimeNotFound { runtime, .. } if runtime == "no_such_mcp"),
        "{missing:?}"
    );
}

#[tokio::test]
async fn matrix_has_one_ok_entry_holding_the_runtimes() {
    let p = peer().await;
    let c = &p.clients;
    let weather = create_code_runtime(c, "weather_mcp", "weather/v1.zip").await;
    let updated = update_code_runtime(c, weather.agent_runtime_id(), "weather/v2.zip").await;
    assert_eq!(updated.agent_runtime_version(), "2");
    create_endpoint(c, weather.agent_runtime_id(), "live", "2").await;
    let boxed = create_container_runtime(c, "boxed_mcp").await;

    let matrix = runtimes::matrix(&p.backend, &[ENV.to_string()]).await;
    assert_eq!(matrix.len(), 1);
    assert_eq!(matrix[0].env, ENV);
    let rows = matrix[0]
        .result
        .as_ref()
        .unwrap_or_else(|e| panic!("moto lists: {e}\n{}", p.moto.log()));
    assert_eq!(
        rows.iter()
            .map(|r| (
                r.env.as_str(),
                r.name.as_str(),
                r.id.as_str(),
                r.arn.as_str(),
                r.latest_version.as_str(),
            ))
            .collect::<Vec<_>>(),
        [
            (
                ENV,
                "boxed_mcp",
                boxed.agent_runtime_id(),
                boxed.agent_runtime_arn(),
                "1"
            ),
            (
                ENV,
                "weather_mcp",
                weather.agent_runtime_id(),
                updated.agent_runtime_arn(),
                "2"
            ),
        ],
        "sorted by name"
    );
    assert!(rows[0].endpoints.is_empty());
    assert_eq!(
        rows[1]
            .endpoints
            .iter()
            .map(|e| e.name.as_str())
            .collect::<Vec<_>>(),
        ["live"]
    );

    // An environment that fails becomes an error entry; moto's still lists.
    let mixed = runtimes::matrix(&p.backend, &[ENV.to_string(), "nowhere".to_string()]).await;
    assert_eq!(mixed.len(), 2);
    assert_eq!(mixed[0].result.as_ref().map(Vec::len), Ok(2));
    assert_eq!(mixed[1].env, "nowhere");
    let err = mixed[1].result.as_ref().expect_err("unknown environment");
    assert!(err.contains("unknown environment"), "{err}");
}

#[tokio::test]
async fn a_missing_runtime_is_resource_not_found() {
    let p = peer().await;
    let c = &p.clients;
    // Something exists, so "missing" is not just "empty service".
    create_container_runtime(c, "boxed_mcp").await;

    let sdk_err = c
        .control
        .get_agent_runtime()
        .agent_runtime_id("absent-0123456789")
        .send()
        .await
        .expect_err("GetAgentRuntime on a missing id");
    let err = BackendError::sdk("GetAgentRuntime", sdk_err);
    assert_eq!(err.code(), Some("ResourceNotFoundException"), "{err:?}");
    match &err {
        BackendError::Service {
            operation,
            code,
            message,
        } => {
            assert_eq!(*operation, "GetAgentRuntime");
            assert_eq!(code, "ResourceNotFoundException");
            assert!(message.contains("absent-0123456789"), "{message}");
        }
        other => panic!("expected a service error, got {other:?}"),
    }

    // The backend's own GetAgentRuntime call (the wait used by deploy) maps it the same way,
    // and fails at once rather than polling until its deadline.
    let waited = runtimes::wait_until_settled(
        c,
        "absent-0123456789",
        None,
        std::time::Duration::from_secs(60),
    )
    .await
    .expect_err("waiting on a missing runtime");
    assert_eq!(
        waited.code(),
        Some("ResourceNotFoundException"),
        "{waited:?}"
    );
}
