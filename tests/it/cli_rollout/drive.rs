//! `rollout start` and `resume` driving real rollouts end to end: a healthy canary promotes
//! (exit 0), HTTP 500s roll it back (exit 3), `abort` from a second process wins (exit 4), a
//! second driver is refused, Ctrl-C and SIGKILL leave the weight and `resume` finishes.

use serde_json::Value;

use super::live::{LIMIT, Traffic, events, plan_file, setup, spawn, split, status, status_becomes};
use super::rollout;
use crate::support::cli;

pub(super) fn start_args(plan: &str, json: bool) -> Vec<&str> {
    let mut a = vec![
        "start",
        "sample",
        "--env",
        "dev",
        "--canary-version",
        "2",
        "--plan",
        plan,
        "--yes",
    ];
    if json {
        a.extend(["--output", "json"]);
    }
    a
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_healthy_canary_promotes_with_ndjson_events() {
    let w = cli::world().await;
    let url = setup(&w, &[]).await;
    let _traffic = Traffic::start(&url, 3);
    let plan = plan_file(&w, "quick", &[(30, 3), (60, 3)]);

    let run = spawn(&w, &start_args(&plan, true));
    let (code, lines, err) = run.finish().await;
    assert_eq!(code, 0, "{lines:#?}\n{err}");
    let all = events(&lines);
    assert_eq!(all[0]["event"], "preview");
    assert!(all[0]["calls"].as_array().is_some_and(|c| !c.is_empty()));
    let evaluation = all
        .iter()
        .find(|e| e["event"] == "evaluation")
        .expect("an evaluation event");
    assert!(evaluation["evaluation"]["evaluation"]["gates"][0]["value"].is_number());
    let last = all.last().expect("summary");
    assert_eq!(last["event"], "summary");
    assert_eq!(last["outcome"], "promoted");
    assert_eq!(last["exitCode"], 0);
    assert_eq!(last["state"], "promoted");
    assert_eq!(status(&w).await["state"], "promoted");
    assert!(
        split(&w)
            .await
            .iter()
            .all(|(q, wt)| q == "live" || *wt == 0),
        "no canary traffic left"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn http_500s_on_the_canary_are_rolled_back_by_the_error_gate() {
    let w = cli::world().await;
    let url = setup(&w, &["MCP_ERROR_RATE=1"]).await;
    let _traffic = Traffic::start(&url, 3);
    let plan = plan_file(&w, "quick", &[(50, 30)]);

    let run = spawn(&w, &start_args(&plan, false));
    let (code, lines, err) = run.finish().await;
    assert_eq!(code, 3, "{lines:#?}\n{err}");
    let text = lines.join("\n");
    assert!(
        text.contains("max_error_rate ") && text.contains("<= 10.0% (95% ["),
        "the gate's numbers: {text}"
    );
    assert!(text.contains("FAIL"), "{text}");
    assert!(err.contains("rolled back by a gate"), "{err}");
    assert_eq!(status(&w).await["state"], "rolled-back");
    let routes = split(&w).await;
    assert!(
        routes.iter().all(|(q, wt)| q == "live" || *wt == 0),
        "100% to stable: {routes:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn abort_from_a_second_process_wins_and_a_second_driver_is_refused() {
    let w = cli::world().await;
    let url = setup(&w, &[]).await;
    let _traffic = Traffic::start(&url, 2);
    let plan = plan_file(&w, "long", &[(20, 600)]);

    let mut run = spawn(&w, &start_args(&plan, true));
    run.until(LIMIT, |l| l.contains("\"event\":\"evaluation\""))
        .await;

    let (code, _, err) = rollout(&w, &start_args(&plan, false)).await;
    assert_eq!(code, 1);
    let holder = status(&w).await["lease"]["holder"]
        .as_str()
        .expect("holder")
        .to_string();
    assert!(err.contains(&holder), "names the holder {holder}: {err}");

    let (code, out, err) = rollout(
        &w,
        &[
            "abort", "sample", "--env", "dev", "--yes", "--output", "json",
        ],
    )
    .await;
    assert_eq!(code, 0, "{err}");
    let after: Value = serde_json::from_str(&out).expect("json");
    assert_eq!(after["state"], "aborted");

    let (code, lines, err) = run.finish().await;
    assert_eq!(code, 4, "{lines:#?}\n{err}");
    assert!(err.contains("abort"), "{err}");
    assert_eq!(
        events(&lines).last().expect("summary")["outcome"],
        "aborted"
    );
    let routes = split(&w).await;
    assert!(
        routes.iter().all(|(q, wt)| q == "live" || *wt == 0),
        "100% to stable: {routes:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ctrl_c_and_a_killed_driver_leave_the_weight_and_resume_finishes() {
    let w = cli::world().await;
    let url = setup(&w, &[]).await;
    let _traffic = Traffic::start(&url, 2);
    let plan = plan_file(&w, "quick", &[(20, 8), (40, 4)]);

    // Ctrl-C: the driver gives up its lease at once.
    let mut run = spawn(&w, &start_args(&plan, false));
    // An evaluation's line (the plan's summary says "evaluations" too).
    run.until(LIMIT, |l| l.contains("%  evaluation  ")).await;
    run.signal("INT");
    let (code, _, err) = run.finish().await;
    assert_eq!(code, 1, "{err}");
    assert!(
        err.contains(
            "the rollout is left at 20% with no driver: `rollout resume sample --env dev` \
             continues it, `rollout abort sample --env dev` ends it"
        ),
        "{err}"
    );
    let v = status(&w).await;
    assert_eq!(v["state"], "stalled", "at once: {v}");
    let routes = split(&w).await;
    assert!(routes.contains(&("canary".into(), 20)), "{routes:?}");

    // Resumed, then killed outright mid-bake: the weight stays, stalled once the lease expires.
    let resume = [
        "resume", "sample", "--env", "dev", "--yes", "--output", "json",
    ];
    let mut run = spawn(&w, &resume);
    run.until(LIMIT, |l| l.contains("\"event\":\"evaluation\""))
        .await;
    run.signal("KILL");
    let _ = run.finish().await;
    assert_eq!(
        status(&w).await["lease"]["live"],
        true,
        "killed, not stopped"
    );
    let v = status_becomes(&w, "stalled").await;
    let weight = v["step"]["weight"].as_i64().expect("weight");
    let routes = split(&w).await;
    assert!(routes.contains(&("canary".into(), weight)), "{routes:?}");

    let (code, out, err) = rollout(&w, &resume).await;
    assert_eq!(code, 0, "{out}\n{err}");
    let lines: Vec<String> = out.lines().map(str::to_string).collect();
    assert_eq!(
        events(&lines).last().expect("summary")["outcome"],
        "promoted"
    );
    assert_eq!(status(&w).await["state"], "promoted");
}
