//! The local AgentCore control plane, driven by the official Rust SDK (and raw HTTP for what
//! other SDKs send).

mod paging;
use crate::support::emulator as support;
mod wire;

use std::time::Duration;

use agentcore_console::backend::runtimes;
use support::*;

#[tokio::test]
async fn create_update_and_versions_move_as_on_aws() {
    let dir = tempfile::tempdir().expect("tempdir");
    let local = start_with(dir.path(), Duration::from_millis(400)).await;
    let c = clients(&local.url, "us-west-2").await;

    upload_fixture(&c, "weather_mcp.zip").await;
    let created = c
        .control
        .create_agent_runtime()
        .agent_runtime_name("weather_mcp")
        .agent_runtime_artifact(code(FIXTURE_BUCKET, "weather_mcp.zip"))
        .role_arn(ROLE)
        .network_configuration(public())
        .protocol_configuration(mcp())
        .environment_variables("APP_VERSION", "1")
        .description("weather tools")
        .send()
        .await
        .expect("create");
    let id = created.agent_runtime_id().to_string();
    assert_eq!(created.agent_runtime_version(), "1");
    assert_eq!(created.status().as_str(), "CREATING");
    assert!(
        id.starts_with("weather_mcp-") && id.len() == "weather_mcp-".len() + 10,
        "{id}"
    );
    assert_eq!(
        created.agent_runtime_arn(),
        format!("arn:aws:bedrock-agentcore:us-west-2:123456789012:runtime/{id}")
    );
    // Not instant: the first read still sees CREATING.
    let first = c
        .control
        .get_agent_runtime()
        .agent_runtime_id(&id)
        .send()
        .await
        .expect("get");
    assert_eq!(first.status().as_str(), "CREATING");
    settled(&c, &id).await;
    let ready = c
        .control
        .get_agent_runtime()
        .agent_runtime_id(&id)
        .send()
        .await
        .expect("get");
    assert_eq!(ready.status().as_str(), "READY");
    assert_eq!(ready.description(), Some("weather tools"));

    let updated = c
        .control
        .update_agent_runtime()
        .agent_runtime_id(&id)
        .agent_runtime_artifact(code(FIXTURE_BUCKET, "weather_mcp.zip"))
        .role_arn(ROLE)
        .network_configuration(public())
        .protocol_configuration(mcp())
        .environment_variables("APP_VERSION", "2")
        .send()
        .await
        .expect("update");
    assert_eq!(
        (updated.agent_runtime_version(), updated.status().as_str()),
        ("2", "UPDATING")
    );
    let default = c
        .control
        .get_agent_runtime_endpoint()
        .agent_runtime_id(&id)
        .endpoint_name("DEFAULT")
        .send()
        .await
        .expect("default");
    assert_eq!(default.live_version(), Some("1"));
    assert_eq!(default.target_version(), Some("2"));
    assert_eq!(default.status().as_str(), "UPDATING");
    settled(&c, &id).await;
    let default = runtimes::list_endpoints(&c, &id).await.expect("endpoints");
    assert_eq!(default[0].live_version.as_deref(), Some("2"));
    assert_eq!(default[0].status.as_str(), "READY");

    // Each version keeps its own configuration.
    for v in ["1", "2"] {
        let got = c
            .control
            .get_agent_runtime()
            .agent_runtime_id(&id)
            .agent_runtime_version(v)
            .send()
            .await
            .expect("get version");
        assert_eq!(got.agent_runtime_version(), v);
        let env = got.environment_variables().expect("env");
        assert_eq!(env.get("APP_VERSION").map(String::as_str), Some(v));
    }
    let versions = runtimes::list_versions(&c, &id).await.expect("versions");
    let numbers: Vec<&str> = versions.iter().map(|v| v.version.as_str()).collect();
    assert_eq!(numbers, ["2", "1"]);
    let missing = c
        .control
        .get_agent_runtime()
        .agent_runtime_id(&id)
        .agent_runtime_version("9")
        .send()
        .await
        .expect_err("no version 9");
    assert_eq!(
        status_and_code(&missing),
        (404, "ResourceNotFoundException".into())
    );
    local.stop().await;
}

#[tokio::test]
async fn named_endpoints_pin_roll_back_and_guard_deletion() {
    let dir = tempfile::tempdir().expect("tempdir");
    let local = start(dir.path()).await;
    let c = clients(&local.url, "us-west-2").await;
    let id = create(&c, "pinned").await;
    settled(&c, &id).await;
    update(&c, &id, "2").await;
    let canary = c
        .control
        .create_agent_runtime_endpoint()
        .agent_runtime_id(&id)
        .name("canary")
        .agent_runtime_version("1")
        .send()
        .await
        .expect("create endpoint");
    assert_eq!(canary.target_version(), "1");
    assert_eq!(canary.status().as_str(), "CREATING");
    settled(&c, &id).await;

    let get = |name: &'static str| {
        let c = c.clone();
        let id = id.clone();
        async move {
            c.control
                .get_agent_runtime_endpoint()
                .agent_runtime_id(id)
                .endpoint_name(name)
                .send()
                .await
        }
    };
    let ep = get("canary").await.expect("get canary");
    assert_eq!(
        (ep.live_version(), ep.target_version()),
        (Some("1"), Some("1"))
    );
    // DEFAULT followed the update; canary stayed pinned.
    assert_eq!(
        get("DEFAULT").await.expect("default").live_version(),
        Some("2")
    );

    // Move canary forward, then roll it back.
    for target in ["2", "1"] {
        let moved = c
            .control
            .update_agent_runtime_endpoint()
            .agent_runtime_id(&id)
            .endpoint_name("canary")
            .agent_runtime_version(target)
            .send()
            .await
            .expect("move");
        assert_eq!(moved.target_version(), Some(target));
        assert_eq!(moved.status().as_str(), "UPDATING");
        settled(&c, &id).await;
        assert_eq!(
            get("canary").await.expect("get").live_version(),
            Some(target)
        );
    }
    let to_missing = c
        .control
        .update_agent_runtime_endpoint()
        .agent_runtime_id(&id)
        .endpoint_name("canary")
        .agent_runtime_version("7")
        .send()
        .await
        .expect_err("no version 7");
    assert_eq!(status_and_code(&to_missing).0, 404);

    let dup = c
        .control
        .create_agent_runtime_endpoint()
        .agent_runtime_id(&id)
        .name("canary")
        .send()
        .await
        .expect_err("duplicate");
    assert_eq!(status_and_code(&dup), (409, "ConflictException".into()));
    let del_default = c
        .control
        .delete_agent_runtime_endpoint()
        .agent_runtime_id(&id)
        .endpoint_name("DEFAULT")
        .send()
        .await
        .expect_err("DEFAULT stays");
    assert_eq!(
        status_and_code(&del_default),
        (409, "ConflictException".into())
    );
    let del_rt = c
        .control
        .delete_agent_runtime()
        .agent_runtime_id(&id)
        .send()
        .await
        .expect_err("endpoints first");
    assert_eq!(status_and_code(&del_rt).1, "ConflictException");

    c.control
        .delete_agent_runtime_endpoint()
        .agent_runtime_id(&id)
        .endpoint_name("canary")
        .send()
        .await
        .expect("delete endpoint");
    settled(&c, &id).await;
    assert_eq!(
        status_and_code(&get("canary").await.expect_err("gone")).0,
        404
    );
    let deleting = c
        .control
        .delete_agent_runtime()
        .agent_runtime_id(&id)
        .send()
        .await
        .expect("delete");
    assert_eq!(deleting.status().as_str(), "DELETING");
    for _ in 0..200 {
        match c
            .control
            .get_agent_runtime()
            .agent_runtime_id(&id)
            .send()
            .await
        {
            Ok(_) => tokio::time::sleep(Duration::from_millis(20)).await,
            Err(e) => {
                assert_eq!(
                    status_and_code(&e),
                    (404, "ResourceNotFoundException".into())
                );
                local.stop().await;
                return;
            }
        }
    }
    panic!("runtime was never deleted");
}

#[tokio::test]
async fn bad_input_gets_aws_errors_and_changes_nothing() {
    let dir = tempfile::tempdir().expect("tempdir");
    let local = start(dir.path()).await;
    let c = clients(&local.url, "us-west-2").await;
    let bad_name = c
        .control
        .create_agent_runtime()
        .agent_runtime_name("has-hyphens")
        .agent_runtime_artifact(container("x"))
        .role_arn(ROLE)
        .send()
        .await
        .expect_err("invalid name");
    assert_eq!(
        status_and_code(&bad_name),
        (400, "ValidationException".into())
    );
    let bad_role = c
        .control
        .create_agent_runtime()
        .agent_runtime_name("ok_name")
        .agent_runtime_artifact(container("x"))
        .role_arn("not-an-arn")
        .send()
        .await
        .expect_err("invalid role");
    assert_eq!(status_and_code(&bad_role).0, 400);
    assert!(runtimes::list_all(&c).await.expect("list").is_empty());

    create(&c, "taken").await;
    let dup = c
        .control
        .create_agent_runtime()
        .agent_runtime_name("taken")
        .agent_runtime_artifact(container("x"))
        .role_arn(ROLE)
        .send()
        .await
        .expect_err("duplicate");
    assert_eq!(status_and_code(&dup), (409, "ConflictException".into()));
    let missing = c
        .control
        .get_agent_runtime()
        .agent_runtime_id("nope-0123456789")
        .send()
        .await
        .expect_err("404");
    assert_eq!(
        status_and_code(&missing),
        (404, "ResourceNotFoundException".into())
    );
    let bad_page = c
        .control
        .list_agent_runtimes()
        .next_token("forged")
        .send()
        .await
        .expect_err("token");
    assert_eq!(status_and_code(&bad_page).1, "ValidationException");
    assert_eq!(runtimes::list_all(&c).await.expect("list").len(), 1);
    local.stop().await;
}

#[tokio::test]
async fn state_survives_a_restart_and_unsettled_work_finishes_after_it() {
    let dir = tempfile::tempdir().expect("tempdir");
    let local = start(dir.path()).await;
    let c = clients(&local.url, "us-west-2").await;
    let id = create(&c, "durable").await;
    settled(&c, &id).await;
    create_endpoint(&c, &id, "stable", None).await;
    settled(&c, &id).await;
    local.stop().await;

    // A runtime left CREATING when the server stops...
    let slow = start_with(dir.path(), Duration::from_secs(3600)).await;
    let c = clients(&slow.url, "us-west-2").await;
    let pending = create(&c, "pending").await;
    slow.stop().await;

    // ...is still there after a restart, with everything else, and settles.
    let again = start(dir.path()).await;
    let c = clients(&again.url, "us-west-2").await;
    let all = runtimes::list_all(&c).await.expect("list");
    let names: Vec<&str> = all.iter().map(|r| r.agent_runtime_name()).collect();
    assert_eq!(names, ["durable", "pending"]);
    let eps = runtimes::list_endpoints(&c, &id).await.expect("endpoints");
    assert_eq!(
        eps.iter().map(|e| e.name.as_str()).collect::<Vec<_>>(),
        ["DEFAULT", "stable"]
    );
    settled(&c, &pending).await;
    let got = c
        .control
        .get_agent_runtime()
        .agent_runtime_id(&pending)
        .send()
        .await
        .expect("get");
    assert_eq!(got.status().as_str(), "READY");
    again.stop().await;
}

#[tokio::test]
async fn regions_and_accounts_are_kept_apart_on_one_server() {
    let dir = tempfile::tempdir().expect("tempdir");
    let local = start(dir.path()).await;
    let west = clients(&local.url, "us-west-2").await;
    let east = clients(&local.url, "us-east-1").await;
    let other_account = agentcore_console::backend::Clients::build(&env(
        "acct",
        &local.url,
        "us-west-2",
        Some("111122223333"),
    ))
    .await;
    let a = create_container(&west, "same_name").await;
    let b = create_container(&east, "same_name").await;
    let c = create_container(&other_account, "same_name").await;
    assert_ne!(a, b);
    let arn = |cl: &agentcore_console::backend::Clients| {
        let cl = cl.clone();
        async move { runtimes::list_all(&cl).await.expect("list") }
    };
    let (lw, le, lo) = (
        arn(&west).await,
        arn(&east).await,
        arn(&other_account).await,
    );
    assert_eq!((lw.len(), le.len(), lo.len()), (1, 1, 1));
    assert!(
        lw[0]
            .agent_runtime_arn()
            .contains(":us-west-2:123456789012:")
    );
    assert!(
        le[0]
            .agent_runtime_arn()
            .contains(":us-east-1:123456789012:")
    );
    assert!(
        lo[0]
            .agent_runtime_arn()
            .contains(":us-west-2:111122223333:")
    );
    assert_eq!(lo[0].agent_runtime_id(), c);
    local.stop().await;
}
