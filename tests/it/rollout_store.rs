//! The rollout object through the SDK against the local AgentCore: created once, changed only
//! from the version read, and read-modify-write that survives a race.

use std::time::Duration;

use agentcore_console::backend::Clients;
use agentcore_console::backend::rollout::store::{self, Write};
use agentcore_console::domain::rollout::{Phase, Plan, RolloutState, Start};

use super::support::*;

fn state(runtime: &str) -> RolloutState {
    let mut plan = Plan::builtin("seed").expect("seed");
    plan.gates.interval = Duration::from_secs(1);
    RolloutState::new(
        Start {
            id: "r1".into(),
            env: "t".into(),
            runtime: runtime.into(),
            runtime_id: format!("{runtime}-abc"),
            runtime_arn: "arn".into(),
            stable_endpoint: "live".into(),
            canary_endpoint: "canary".into(),
            plan,
            canary_version: "2".into(),
            stable_version: Some("1".into()),
            previous_canary_version: None,
            smoke: None,
            by: "ana@laptop".into(),
            driver: "d1".into(),
        },
        1_000,
    )
}

async fn clients(url: &str) -> Clients {
    let mut e = emulator::env("t", url, "us-east-1", Some("123456789012"));
    e.artifact_bucket = Some("rollout-store-test".into());
    Clients::build(&e).await
}

// Two workers: the rival write blocks one while the local AgentCore answers on the other.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_creator_wins_and_a_stale_etag_never_overwrites() {
    let dir = tempfile::tempdir().expect("tempdir");
    let local = emulator::start(dir.path()).await;
    let c = clients(&local.url).await;

    assert!(
        store::load(&c, "weather").await.expect("load").is_none(),
        "no bucket yet"
    );
    assert!(store::list_runtimes(&c).await.expect("list").is_empty());

    let s = state("weather");
    let etag = store::put(&c, &s, None)
        .await
        .expect("created (bucket made on the way)");
    assert!(
        matches!(store::put(&c, &s, None).await, Err(Write::Stale)),
        "second create"
    );

    let read = store::load(&c, "weather")
        .await
        .expect("load")
        .expect("there");
    assert_eq!(
        (read.state.clone(), read.etag.clone()),
        (s.clone(), etag.clone())
    );

    let mut paused = s.clone();
    paused.pause(2_000, "operator");
    let etag2 = store::put(&c, &paused, Some(&etag))
        .await
        .expect("from the version read");
    assert_ne!(etag2, etag);
    let mut late = s.clone();
    late.finish(Phase::Aborted, 3_000, "late");
    assert!(
        matches!(store::put(&c, &late, Some(&etag)).await, Err(Write::Stale)),
        "stale"
    );
    let now = store::load(&c, "weather")
        .await
        .expect("load")
        .expect("there");
    assert_eq!(
        now.state.phase,
        Phase::Paused,
        "the stale write changed nothing"
    );

    // update() reads again after losing a race: a write slipped in between its read and write.
    let mut tries = 0;
    let out = store::update(&c, "weather", |st| {
        tries += 1;
        if tries == 1 {
            let mut other = st.clone();
            other.note(4_000, "bo@desk", "pause", "sneaked in");
            // The closure is synchronous: the rival writes from its own thread and runtime.
            std::thread::scope(|sc| {
                sc.spawn(|| {
                    tokio::runtime::Runtime::new().expect("rt").block_on(async {
                        let c = clients(&local.url).await;
                        let cur = store::load(&c, "weather")
                            .await
                            .expect("load")
                            .expect("there");
                        store::put(&c, &other, Some(&cur.etag))
                            .await
                            .expect("slips in");
                    })
                });
            });
        }
        st.resume(5_000);
        Ok(true)
    })
    .await
    .expect("update");
    assert_eq!(tries, 2, "the first attempt lost and was retried");
    assert_eq!(out.state.phase, Phase::Running);
    assert!(
        out.state.log.iter().any(|l| l.message == "sneaked in"),
        "the other write is kept"
    );

    store::put(&c, &state("docs"), None)
        .await
        .expect("another runtime");
    let mut names = store::list_runtimes(&c).await.expect("list");
    names.sort();
    assert_eq!(names, ["docs", "weather"]);
    local.stop().await;
}
