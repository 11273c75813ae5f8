//! Log retention, the calls a deploy makes (`backend::deploy::posture::apply_retention`) and
//! the wire of PutRetentionPolicy, DeleteRetentionPolicy and DescribeLogGroups'
//! `retentionInDays`, against moto and the local emulator side by side.
//!
//! moto 5.2.5 stores `retentionInDays` as given and never checks it (`logs/models.py`
//! `put_retention_policy`); AWS, and the emulator, refuse a value outside the enum with
//! InvalidParameterException.

use agentcore_console::backend::deploy::posture::apply_retention;

use super::*;

async fn retention(c: &Clients, group: &str) -> Option<i32> {
    c.logs
        .describe_log_groups()
        .log_group_name_prefix(group)
        .send()
        .await
        .expect("describe")
        .log_groups()
        .iter()
        .find(|g| g.log_group_name() == Some(group))
        .unwrap_or_else(|| panic!("no log group {group}"))
        .retention_in_days()
}

fn service_error<T: std::fmt::Debug, E>(
    r: Result<T, SdkError<E, HttpResponse>>,
) -> (u16, String, String)
where
    E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
{
    let e = r.expect_err("refused");
    let status = e.raw_response().map_or(0, |r| r.status().as_u16());
    match BackendError::sdk("call", e) {
        BackendError::Service { code, message, .. } => (status, code, message),
        other => panic!("not a service error: {other:?}"),
    }
}

#[tokio::test]
async fn a_deploys_retention_reaches_every_endpoints_group_on_moto_and_the_emulator() {
    let moto = peer().await;
    let dir = tempfile::tempdir().expect("tempdir");
    let local = emulator::start(dir.path()).await;
    let emu = emulator::clients(&local.url, "us-west-2").await;
    for c in [&moto.clients, &emu] {
        let id = runtime_with_endpoints(c, "kept", &["live", "canary"]).await;
        // One group exists already (the runtime logged), the others are created.
        create_group(c, &log_group_name(&id, "live")).await;
        let applied = apply_retention(c, &id, 30).await.expect("retention");
        let mut groups = applied.log_groups.clone();
        groups.sort();
        let mut want: Vec<String> = ["DEFAULT", "canary", "live"]
            .iter()
            .map(|e| log_group_name(&id, e))
            .collect();
        want.sort();
        assert_eq!(groups, want);
        for g in &want {
            assert_eq!(retention(c, g).await, Some(30), "{g}");
        }
        // Again, with every group there: ResourceAlreadyExists is taken in stride.
        apply_retention(c, &id, 90).await.expect("again");
        assert_eq!(retention(c, &want[0]).await, Some(90));
    }
    local.stop().await;
}

#[tokio::test]
async fn retention_policy_wire_on_moto_and_the_emulator() {
    let moto = peer().await;
    let dir = tempfile::tempdir().expect("tempdir");
    let local = emulator::start(dir.path()).await;
    let emu = emulator::clients(&local.url, "us-west-2").await;
    let group = "/aws/bedrock-agentcore/runtimes/ret-0123456789-DEFAULT";
    let mut missing = vec![];
    let mut invalid = vec![];
    for c in [&moto.clients, &emu] {
        create_group(c, group).await;
        assert_eq!(retention(c, group).await, None, "never expire: no member");
        c.logs
            .put_retention_policy()
            .log_group_name(group)
            .retention_in_days(7)
            .send()
            .await
            .expect("put");
        assert_eq!(retention(c, group).await, Some(7));
        c.logs
            .delete_retention_policy()
            .log_group_name(group)
            .send()
            .await
            .expect("delete");
        assert_eq!(retention(c, group).await, None);
        missing.push(service_error(
            c.logs
                .put_retention_policy()
                .log_group_name("/nope")
                .retention_in_days(7)
                .send()
                .await,
        ));
        missing.push(service_error(
            c.logs
                .delete_retention_policy()
                .log_group_name("/nope")
                .send()
                .await,
        ));
        invalid.push(
            c.logs
                .put_retention_policy()
                .log_group_name(group)
                .retention_in_days(10)
                .send()
                .await,
        );
    }
    // A missing group: the same status, code and message on both.
    assert_eq!(
        missing[0], missing[2],
        "PutRetentionPolicy on a missing group"
    );
    assert_eq!(
        missing[1], missing[3],
        "DeleteRetentionPolicy on a missing group"
    );
    assert_eq!(missing[0].1, "ResourceNotFoundException");
    let mut invalid = invalid.into_iter();
    let on_moto = invalid.next().expect("moto");
    assert!(on_moto.is_ok(), "moto gap: any retentionInDays is stored");
    let (status, code, message) = service_error(invalid.next().expect("emulator"));
    assert_eq!((status, code.as_str()), (400, "InvalidParameterException"));
    assert_eq!(
        message,
        "1 validation error detected: Value '10' at 'retentionInDays' failed to satisfy \
         constraint: Member must satisfy enum value set: [1, 3, 5, 7, 14, 30, 60, 90, 120, 150, \
         180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653]"
    );
    local.stop().await;
}
