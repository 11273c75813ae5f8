//! Gateway control plane through the official SDK: validation as AWS documents it, and
//! persistence.

#[path = "support/emulator.rs"]
mod support;

use aws_sdk_bedrockagentcorecontrol::types::{
    Action, AuthorizerType, HttpTargetConfiguration, RouteToTargetAction,
    RuntimeTargetConfiguration, TargetConfiguration, TargetTrafficSplitEntry, WeightedRoute,
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
