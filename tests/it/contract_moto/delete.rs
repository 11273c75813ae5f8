//! The deletes `destroy` makes, on moto and the local AgentCore side by side: an endpoint,
//! then the runtime (202 DELETING, then GetAgentRuntime is ResourceNotFoundException), and
//! S3 DeleteObject (204, also for a key that is not there).

use std::time::Duration;

use super::*;
use crate::support::emulator;

/// (endpoint delete status, runtime delete status, Get after, DeleteObject twice ok).
async fn deletes(c: &Clients) -> (String, String, String, bool) {
    let rt = create_container_runtime(c, "doomed").await;
    let id = rt.agent_runtime_id().to_string();
    create_endpoint(c, &id, "live", "1").await;
    let ep = c
        .control
        .delete_agent_runtime_endpoint()
        .agent_runtime_id(&id)
        .endpoint_name("live")
        .send()
        .await
        .expect("delete endpoint");
    // Gone once it settles (the emulator settles after a moment; moto at once).
    for _ in 0..100 {
        let left = runtimes::list_endpoints(c, &id).await.expect("list");
        if left.iter().all(|e| e.name != "live") {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let del = c
        .control
        .delete_agent_runtime()
        .agent_runtime_id(&id)
        .send()
        .await
        .expect("delete runtime");
    let mut after = String::new();
    for _ in 0..100 {
        match c
            .control
            .get_agent_runtime()
            .agent_runtime_id(&id)
            .send()
            .await
        {
            Ok(_) => tokio::time::sleep(Duration::from_millis(50)).await,
            Err(e) => {
                after = BackendError::sdk("GetAgentRuntime", e)
                    .code()
                    .unwrap_or_default()
                    .to_string();
                break;
            }
        }
    }
    crate::support::emulator::us_west_2_bucket(c, "doomed-bucket").await;
    c.s3.put_object()
        .bucket("doomed-bucket")
        .key("rollouts/doomed.json")
        .body(ByteStream::from_static(b"{}"))
        .send()
        .await
        .expect("put");
    let mut twice = true;
    for _ in 0..2 {
        twice &=
            c.s3.delete_object()
                .bucket("doomed-bucket")
                .key("rollouts/doomed.json")
                .send()
                .await
                .is_ok();
    }
    let gone =
        c.s3.get_object()
            .bucket("doomed-bucket")
            .key("rollouts/doomed.json")
            .send()
            .await
            .is_err();
    (
        ep.status().as_str().to_string(),
        del.status().as_str().to_string(),
        after,
        twice && gone,
    )
}

#[tokio::test]
async fn destroys_deletes_on_moto_and_the_emulator() {
    let moto = peer().await;
    let dir = tempfile::tempdir().expect("tempdir");
    let local = emulator::start(dir.path()).await;
    let emu = emulator::clients(&local.url, "us-west-2").await;
    let on_moto = deletes(&moto.clients).await;
    assert_eq!(
        on_moto,
        (
            "DELETING".to_string(),
            "DELETING".to_string(),
            "ResourceNotFoundException".to_string(),
            true
        )
    );
    assert_eq!(deletes(&emu).await, on_moto);
    local.stop().await;
}
