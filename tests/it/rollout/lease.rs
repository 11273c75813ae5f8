//! The lease: a second driver is refused while the first lives; a driver that dies leaves
//! the traffic where it was, the rollout shows `stalled` once its lease runs out, and
//! `resume` takes it over and finishes it.

use agentcore_console::domain::rollout::Phase;

use super::*;

#[tokio::test]
async fn a_dead_driver_stalls_and_resume_finishes_while_a_live_one_refuses_others() {
    let r = rig(&[], false).await;
    // No gates: each step passes once baked, so only the lease and the clock matter.
    let d = start(&r, canary(&[(20, 6), (50, 1)], gates()));
    let s = until(&r.backend, Duration::from_secs(20), |s| {
        !s.evaluations.is_empty()
    })
    .await;
    assert_eq!((s.phase, s.step), (Phase::Running, 0));
    let lease = s.lease.clone().expect("a lease");
    assert!(lease.holder.starts_with("ana@"), "{lease:?}");

    // A second start and a resume, from another console, while the driver lives.
    let other = backend(&r.w);
    let (tx, _rx) = mpsc::unbounded_channel();
    let (_stop, stop) = watch::channel(false);
    let ben = actor("ben");
    let driving = || Driving {
        actor: &ben,
        audit: &r.audit,
        events: tx.clone(),
        stop: stop.clone(),
    };
    let plan = canary(&[(20, 6)], gates());
    let e = driver::start(&other, request(plan), false, driving())
        .await
        .expect_err("a second start")
        .to_string();
    assert!(
        e.contains("is running, driven by ana@") && e.contains("lease until "),
        "{e}"
    );
    let e = driver::resume(&other, "dev", RUNTIME, false, driving())
        .await
        .expect_err("a second driver")
        .to_string();
    assert!(e.contains("is running and driven by ana@"), "{e}");
    let refused = crate::support::cli::audit(&r.w)
        .into_iter()
        .filter(|e| {
            e["result"]
                .as_str()
                .is_some_and(|r| r.starts_with("refused: "))
        })
        .count();
    assert_eq!(refused, 2);

    // The driver dies mid-bake (its future dropped): nothing more is written.
    d.task.abort();
    let _ = d.task.await;
    let dead = status(&r.backend).await;
    assert_eq!(canary_weight(&split(&r.backend).await), 20, "traffic stays");
    let expiry = dead
        .lease
        .as_ref()
        .expect("still the dead lease")
        .expires_ms;
    let s = until(&r.backend, Duration::from_secs(20), |s| {
        s.shown(rollout::now_ms()) == "stalled"
    })
    .await;
    assert_eq!(s.shown(rollout::now_ms()), "stalled");
    assert!(rollout::now_ms() >= expiry);
    assert_eq!((s.phase, s.step), (Phase::Running, 0));

    let (outcome, events) = resume(&r, "ben").outcome().await;
    assert_eq!(outcome.expect("taken over"), Outcome::Promoted);
    assert_eq!(events.first().map(|e| e.event.as_str()), Some("takeover"));
    let s = status(&r.backend).await;
    assert_eq!(s.phase, Phase::Promoted);
    let takeover = s
        .log
        .iter()
        .find(|e| e.event == "takeover")
        .expect("logged");
    assert!(takeover.by.starts_with("ben@"), "{takeover:?}");
    // The step went on with its remaining watch time, not a fresh bake, not none.
    let at_20: Vec<_> = s.evaluations.iter().filter(|e| e.weight == 20).collect();
    assert!(
        at_20.iter().any(|e| e.evaluation.at_ms > takeover.at_ms),
        "{at_20:#?}"
    );
    let resumed = audited(&r.w, "rollout.resume");
    assert_eq!(
        resumed.last().map(|e| &e["result"]),
        Some(&Value::from("ok"))
    );
    assert_eq!(
        split(&r.backend).await.stable.live_version.as_deref(),
        Some("2")
    );
}
