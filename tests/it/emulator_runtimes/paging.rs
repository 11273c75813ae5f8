//! Pagination of every list, and clientToken idempotency of every write that takes one.

use super::*;

#[tokio::test]
async fn lists_paginate_with_max_results_and_next_token() {
    let dir = tempfile::tempdir().expect("tempdir");
    let local = start(dir.path()).await;
    let c = clients(&local.url, "us-west-2").await;
    for i in 0..23 {
        create_container(&c, &format!("rt_{i:02}")).await;
    }
    let mut token = None;
    let mut sizes = vec![];
    let mut ids = std::collections::BTreeSet::new();
    loop {
        let page = c
            .control
            .list_agent_runtimes()
            .max_results(7)
            .set_next_token(token.clone())
            .send()
            .await
            .expect("page");
        sizes.push(page.agent_runtimes().len());
        ids.extend(
            page.agent_runtimes()
                .iter()
                .map(|r| r.agent_runtime_id().to_string()),
        );
        match page.next_token() {
            Some(t) => token = Some(t.to_string()),
            None => break,
        }
    }
    assert_eq!(sizes, [7, 7, 7, 2]);
    assert_eq!(ids.len(), 23);
    let first = c
        .control
        .list_agent_runtimes()
        .send()
        .await
        .expect("default page");
    assert_eq!(first.agent_runtimes().len(), 10, "default page size");
    assert!(first.next_token().is_some());
    assert_eq!(runtimes::list_all(&c).await.expect("all").len(), 23);
    local.stop().await;
}

#[tokio::test]
async fn client_tokens_make_creates_idempotent() {
    let dir = tempfile::tempdir().expect("tempdir");
    let local = start(dir.path()).await;
    let c = clients(&local.url, "us-west-2").await;
    let token = "retry-token-0123456789abcdef0123456789";
    let send = |name: &'static str| {
        c.control
            .create_agent_runtime()
            .agent_runtime_name(name)
            .agent_runtime_artifact(container("x"))
            .role_arn(ROLE)
            .client_token(token)
            .send()
    };
    let a = send("idem").await.expect("first");
    let b = send("idem").await.expect("retry gets the first answer");
    assert_eq!(a.agent_runtime_id(), b.agent_runtime_id());
    assert_eq!(runtimes::list_all(&c).await.expect("list").len(), 1);
    let other = send("other")
        .await
        .expect_err("same token, other parameters");
    assert_eq!(status_and_code(&other).0, 409);
    local.stop().await;
}

/// Every page of a list, through `page(token) -> (sizes, ids, next)`.
async fn walk<F, Fut>(mut page: F) -> (Vec<usize>, Vec<String>)
where
    F: FnMut(Option<String>) -> Fut,
    Fut: std::future::Future<Output = (Vec<String>, Option<String>)>,
{
    let (mut sizes, mut all, mut token) = (vec![], vec![], None);
    loop {
        let (ids, next) = page(token.clone()).await;
        sizes.push(ids.len());
        all.extend(ids);
        match next {
            Some(t) => token = Some(t),
            None => return (sizes, all),
        }
    }
}

#[tokio::test]
async fn versions_and_endpoints_paginate_too() {
    let dir = tempfile::tempdir().expect("tempdir");
    let local = start(dir.path()).await;
    let c = clients(&local.url, "us-west-2").await;
    let id = create_container(&c, "paged").await;
    settled(&c, &id).await;
    for tag in 2..=5 {
        update(&c, &id, &tag.to_string()).await;
        settled(&c, &id).await;
    }
    for name in ["e1", "e2", "e3", "e4"] {
        c.control
            .create_agent_runtime_endpoint()
            .agent_runtime_id(&id)
            .name(name)
            .send()
            .await
            .expect("endpoint");
    }
    let (sizes, versions) = walk(|token| {
        let c = &c;
        let id = id.clone();
        async move {
            let p = c
                .control
                .list_agent_runtime_versions()
                .agent_runtime_id(id)
                .max_results(2)
                .set_next_token(token)
                .send()
                .await
                .expect("versions page");
            let ids = p
                .agent_runtimes()
                .iter()
                .map(|v| v.agent_runtime_version().to_string())
                .collect();
            (ids, p.next_token().map(str::to_string))
        }
    })
    .await;
    assert_eq!(sizes, [2, 2, 1]);
    assert_eq!(
        versions,
        ["5", "4", "3", "2", "1"],
        "newest first, each once"
    );
    let (sizes, endpoints) = walk(|token| {
        let c = &c;
        let id = id.clone();
        async move {
            let p = c
                .control
                .list_agent_runtime_endpoints()
                .agent_runtime_id(id)
                .max_results(2)
                .set_next_token(token)
                .send()
                .await
                .expect("endpoints page");
            let ids = p
                .runtime_endpoints()
                .iter()
                .map(|e| e.name().to_string())
                .collect();
            (ids, p.next_token().map(str::to_string))
        }
    })
    .await;
    assert_eq!(sizes, [2, 2, 1]);
    let mut sorted = endpoints.clone();
    sorted.sort();
    assert_eq!(sorted, ["DEFAULT", "e1", "e2", "e3", "e4"], "each once");
    local.stop().await;
}

#[tokio::test]
async fn client_tokens_make_updates_and_endpoint_creates_idempotent() {
    let dir = tempfile::tempdir().expect("tempdir");
    let local = start(dir.path()).await;
    let c = clients(&local.url, "us-west-2").await;
    let id = create_container(&c, "retried").await;
    settled(&c, &id).await;
    let token = "update-token-0123456789abcdef0123456789";
    let update = || {
        c.control
            .update_agent_runtime()
            .agent_runtime_id(&id)
            .agent_runtime_artifact(container("v2"))
            .role_arn(ROLE)
            .network_configuration(public())
            .client_token(token)
            .send()
    };
    let a = update().await.expect("update");
    let b = update().await.expect("a retry gets the first answer");
    assert_eq!(a.agent_runtime_version(), b.agent_runtime_version());
    settled(&c, &id).await;
    let versions = runtimes::list_versions(&c, &id).await.expect("versions");
    assert_eq!(versions.len(), 2, "one new version, not two");

    let ep_token = "endpoint-token-0123456789abcdef012345678";
    let create = |name: &'static str| {
        c.control
            .create_agent_runtime_endpoint()
            .agent_runtime_id(&id)
            .name(name)
            .client_token(ep_token)
            .send()
    };
    create("stable").await.expect("endpoint");
    create("stable").await.expect("a retry is not a conflict");
    let other = create("other")
        .await
        .expect_err("same token, other parameters");
    assert_eq!(status_and_code(&other).0, 409);
    let names: Vec<String> = runtimes::list_endpoints(&c, &id)
        .await
        .expect("endpoints")
        .into_iter()
        .map(|e| e.name)
        .collect();
    assert_eq!(names, ["DEFAULT", "stable"]);
    local.stop().await;
}
