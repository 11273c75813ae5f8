//! Gateway control plane through the official SDK: validation as AWS documents it, and
//! persistence; and the local gateway routing new sessions by the rules' path conditions.

use crate::support::emulator as support;

use aws_sdk_bedrockagentcorecontrol::types::{
    Action, AuthorizerType, Condition, HttpTargetConfiguration, MatchPaths, RouteToTargetAction,
    RuntimeTargetConfiguration, StaticRoute, TargetConfiguration, TargetTrafficSplitEntry,
    WeightedRoute,
};
use support::*;

fn split(entries: &[(&str, i32)]) -> Action {
    let mut w = WeightedRoute::builder();
    for (t, weight) in entries {
        w = w.traffic_split(
            TargetTrafficSplitEntry::builder()
                .name(*t)
                .target_name(*t)
                .weight(*weight)
                .build()
                .expect("entry"),
        );
    }
    Action::RouteToTarget(RouteToTargetAction::WeightedRoute(
        w.build().expect("route"),
    ))
}

#[tokio::test]
async fn gateway_targets_and_rules_are_validated_and_persist() {
    let dir = tempfile::tempdir().expect("tempdir");
    let local = start(dir.path()).await;
    let c = clients(&local.url, "us-west-2").await;
    let id = create(&c, "routed").await;
    settled(&c, &id).await;
    let arn = c
        .control
        .get_agent_runtime()
        .agent_runtime_id(&id)
        .send()
        .await
        .expect("get")
        .agent_runtime_arn;

    let gw = c
        .control
        .create_gateway()
        .name("canary-gw")
        .role_arn(ROLE)
        .authorizer_type(AuthorizerType::AwsIam)
        .send()
        .await
        .expect("gateway");
    let gw_id = gw.gateway_id().to_string();
    assert!(
        gw.gateway_url().is_some_and(|u| u.starts_with(&local.url)),
        "{:?}",
        gw.gateway_url()
    );
    let dup = c
        .control
        .create_gateway()
        .name("canary-gw")
        .role_arn(ROLE)
        .authorizer_type(AuthorizerType::AwsIam)
        .send()
        .await
        .expect_err("dup");
    assert_eq!(status_and_code(&dup), (409, "ConflictException".into()));

    let target = |name: &'static str, qualifier: &'static str| {
        let runtime = RuntimeTargetConfiguration::builder()
            .arn(&arn)
            .qualifier(qualifier)
            .build()
            .expect("rt");
        c.control
            .create_gateway_target()
            .gateway_identifier(&gw_id)
            .name(name)
            .target_configuration(TargetConfiguration::Http(
                HttpTargetConfiguration::AgentcoreRuntime(runtime),
            ))
            .send()
    };
    target("a", "DEFAULT").await.expect("target a");
    target("b", "DEFAULT").await.expect("target b");
    let bad_qualifier = target("c", "nope").await.expect_err("unknown qualifier");
    assert_eq!(
        status_and_code(&bad_qualifier),
        (400, "ValidationException".into())
    );

    for entries in [
        vec![("a", 100), ("b", 0)],
        vec![("a", 60), ("b", 30)],
        vec![("a", 30), ("b", 30), ("a", 40)],
        vec![("a", 50), ("zzz", 50)],
    ] {
        let err = c
            .control
            .create_gateway_rule()
            .gateway_identifier(&gw_id)
            .priority(1)
            .actions(split(&entries))
            .send()
            .await
            .expect_err("invalid split");
        assert_eq!(
            status_and_code(&err),
            (400, "ValidationException".into()),
            "{entries:?}"
        );
    }
    let rule = c
        .control
        .create_gateway_rule()
        .gateway_identifier(&gw_id)
        .priority(1)
        .actions(split(&[("a", 90), ("b", 10)]))
        .send()
        .await
        .expect("rule");
    c.control
        .update_gateway_rule()
        .gateway_identifier(&gw_id)
        .rule_id(rule.rule_id())
        .priority(1)
        .actions(split(&[("a", 60), ("b", 40)]))
        .send()
        .await
        .expect("update rule");
    local.stop().await;

    let again = start(dir.path()).await;
    let c = clients(&again.url, "us-west-2").await;
    let targets = c
        .control
        .list_gateway_targets()
        .gateway_identifier(&gw_id)
        .send()
        .await
        .expect("targets");
    assert_eq!(
        targets.items().iter().map(|t| t.name()).collect::<Vec<_>>(),
        ["a", "b"]
    );
    let rules = c
        .control
        .list_gateway_rules()
        .gateway_identifier(&gw_id)
        .send()
        .await
        .expect("rules");
    let weights: Vec<i32> = match &rules.gateway_rules()[0].actions()[0] {
        Action::RouteToTarget(RouteToTargetAction::WeightedRoute(w)) => {
            w.traffic_split().iter().map(|e| e.weight()).collect()
        }
        other => panic!("unexpected action {other:?}"),
    };
    assert_eq!(weights, [60, 40]);
    let missing = c
        .control
        .get_gateway()
        .gateway_identifier("nope")
        .send()
        .await
        .expect_err("404");
    assert_eq!(status_and_code(&missing).0, 404);
    again.stop().await;
}

fn to(target: &str) -> Action {
    Action::RouteToTarget(RouteToTargetAction::StaticRoute(
        StaticRoute::builder()
            .target_name(target)
            .build()
            .expect("route"),
    ))
}

fn paths(patterns: &[&str]) -> Condition {
    let mut m = MatchPaths::builder();
    for p in patterns {
        m = m.any_of(*p);
    }
    Condition::MatchPaths(m.build().expect("paths"))
}

const INIT: &str = r#"{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"t","version":"1"}}}"#;

fn header(resp: &str, name: &str) -> Option<String> {
    resp.lines().find_map(|l| {
        l.split_once(':')
            .filter(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.trim().to_string())
    })
}

#[tokio::test]
async fn rules_route_new_sessions_by_path_in_priority_order() {
    let dir = tempfile::tempdir().expect("tempdir");
    let local = start(dir.path()).await;
    let c = clients(&local.url, "us-west-2").await;
    let id = create(&c, "paths").await;
    settled(&c, &id).await;
    let arn = c
        .control
        .get_agent_runtime()
        .agent_runtime_id(&id)
        .send()
        .await
        .expect("get")
        .agent_runtime_arn;
    let gw = c
        .control
        .create_gateway()
        .name("paths-gw")
        .role_arn(ROLE)
        .authorizer_type(AuthorizerType::AwsIam)
        .send()
        .await
        .expect("gateway");
    let gw_id = gw.gateway_id().to_string();
    let root = gw.gateway_url().expect("url").to_string();
    let base = root
        .strip_prefix(&local.url)
        .expect("local url")
        .to_string();
    for name in ["a", "b"] {
        let runtime = RuntimeTargetConfiguration::builder()
            .arn(&arn)
            .qualifier("DEFAULT")
            .build()
            .expect("rt");
        c.control
            .create_gateway_target()
            .gateway_identifier(&gw_id)
            .name(name)
            .target_configuration(TargetConfiguration::Http(
                HttpTargetConfiguration::AgentcoreRuntime(runtime),
            ))
            .send()
            .await
            .expect("target");
    }
    let json = [
        ("content-type", "application/json"),
        ("accept", "application/json, text/event-stream"),
    ];
    // (status, target, session, body) of a new session on `path`.
    let open = |path: &'static str| {
        let (url, full) = (local.url.clone(), format!("{base}{path}"));
        async move {
            let (status, resp) = raw(&url, "POST", &full, &json, INIT).await;
            (
                status,
                header(&resp, "x-agentcore-local-target"),
                header(&resp, "mcp-session-id"),
                resp,
            )
        }
    };
    let (status, _, _, resp) = open("/alpha/invocations").await;
    assert_eq!(status, 404, "two targets and no rule: {resp}");

    let rule = |priority: i32, conditions: Option<Condition>, action: Action| {
        c.control
            .create_gateway_rule()
            .gateway_identifier(&gw_id)
            .priority(priority)
            .set_conditions(conditions.map(|c| vec![c]))
            .actions(action)
            .send()
    };
    let alpha = rule(10, Some(paths(&["/alpha/*"])), to("a"))
        .await
        .expect("alpha rule");
    rule(20, Some(paths(&["/beta/*", "/b2/*"])), to("b"))
        .await
        .expect("beta rule");
    // MatchPaths round-trips through the SDK.
    let got = c
        .control
        .get_gateway_rule()
        .gateway_identifier(&gw_id)
        .rule_id(alpha.rule_id())
        .send()
        .await
        .expect("get rule");
    assert_eq!(got.conditions(), [paths(&["/alpha/*"])]);
    let listed = c
        .control
        .list_gateway_rules()
        .gateway_identifier(&gw_id)
        .send()
        .await
        .expect("list");
    let conditions: Vec<(i32, Vec<Condition>)> = listed
        .gateway_rules()
        .iter()
        .map(|r| (r.priority(), r.conditions().to_vec()))
        .collect();
    assert_eq!(
        conditions,
        [
            (10, vec![paths(&["/alpha/*"])]),
            (20, vec![paths(&["/beta/*", "/b2/*"])])
        ]
    );

    for (path, target) in [
        ("/alpha/invocations", "a"),
        ("/beta/invocations", "b"),
        ("/b2/anything/below", "b"),
    ] {
        let (status, t, _, resp) = open(path).await;
        assert_eq!(
            (status, t.as_deref()),
            (200, Some(target)),
            "{path}: {resp}"
        );
    }
    let (status, _, _, resp) = open("/gamma/invocations").await;
    assert_eq!(status, 404, "{resp}");
    assert_eq!(
        header(&resp, "x-amzn-errortype").as_deref(),
        Some("ResourceNotFoundException")
    );
    assert!(
        resp.contains("No rule of gateway") && resp.contains("/gamma/invocations"),
        "{resp}"
    );

    // A session belongs to the path it was opened on.
    let (_, _, session, _) = open("/alpha/invocations").await;
    let session = session.expect("session");
    let mut h = json.to_vec();
    h.push(("mcp-session-id", &session));
    let (status, resp) = raw(
        &local.url,
        "POST",
        &format!("{base}/beta/invocations"),
        &h,
        INIT,
    )
    .await;
    assert_eq!(status, 404, "{resp}");
    let (status, resp) = raw(
        &local.url,
        "POST",
        &format!("{base}/alpha/invocations"),
        &h,
        INIT,
    )
    .await;
    assert_eq!(
        (status, header(&resp, "x-agentcore-local-target").as_deref()),
        (200, Some("a")),
        "{resp}"
    );

    // A catch-all at the end takes what no path rule matches; a lower priority goes first.
    rule(1_000_000, None, to("a")).await.expect("catch-all");
    let (status, t, _, _) = open("/gamma/invocations").await;
    assert_eq!((status, t.as_deref()), (200, Some("a")));
    rule(5, Some(paths(&["/beta/*"])), to("a"))
        .await
        .expect("beta override");
    let (_, t, _, _) = open("/beta/invocations").await;
    assert_eq!(t.as_deref(), Some("a"), "priority 5 before 20");

    // Bad patterns and taken priorities are refused, on updates too.
    let bad = rule(30, Some(paths(&["/a/b/*"])), to("a"))
        .await
        .expect_err("bad pattern");
    assert_eq!(status_and_code(&bad), (400, "ValidationException".into()));
    let taken = c
        .control
        .update_gateway_rule()
        .gateway_identifier(&gw_id)
        .rule_id(alpha.rule_id())
        .priority(20)
        .send()
        .await
        .expect_err("priority taken");
    assert_eq!(status_and_code(&taken), (409, "ConflictException".into()));
    local.stop().await;
}
