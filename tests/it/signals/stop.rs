//! Servers are stopped all at once: SIGTERM to every group, one shared grace period, SIGKILL
//! for the survivors. Servers that ignore SIGTERM show it: one at a time, each would cost a
//! whole grace period (2 s).

use std::time::{Duration, Instant};

use super::{assert_all_gone, await_servers};
use crate::support::emulator::{clients, create_with, settled, start};

const STUBBORN: usize = 5;

#[tokio::test]
async fn servers_that_ignore_sigterm_are_all_stopped_in_about_one_grace_period() {
    let dir = tempfile::tempdir().expect("tempdir");
    let local = start(&dir.path().join("state")).await;
    let c = clients(&local.url, "us-west-2").await;
    let mut ids = vec![];
    for n in 0..STUBBORN {
        let name = format!("stubborn{n}");
        ids.push(
            create_with(
                &c,
                &name,
                &[("APP_VERSION", "1"), ("FIXTURE_TERM", "ignore")],
            )
            .await,
        );
    }
    for id in &ids {
        settled(&c, id).await;
    }
    // Under a loaded machine a slow first start may be retried: wait for all five.
    let _running = await_servers(dir.path(), STUBBORN, Duration::from_secs(90));

    let started = Instant::now();
    local.stop().await;
    let took = started.elapsed();
    assert_all_gone(dir.path(), "stubborn servers");
    // One grace period is 2 s; one after the other, five would take 10 s.
    assert!(
        took < Duration::from_secs(6),
        "stopping {STUBBORN} servers that ignore SIGTERM took {took:?}: not stopped at once"
    );
    assert!(
        took >= Duration::from_millis(1_500),
        "they ignore SIGTERM, so only the grace period's end (SIGKILL) stops them: {took:?}"
    );
}
