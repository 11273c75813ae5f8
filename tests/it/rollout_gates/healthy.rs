//! A healthy canary: the filter the tool-error gate needs is listed and made, every gate
//! passes on the exact numbers of calls made, one evaluation is one GetMetricData and one
//! DescribeAlarms, too few calls is never a pass, and a throttled read is an error.

use super::*;
use crate::support::cli::run;
use crate::support::faults;
use agentcore_console::domain::rollout::Verdict;

const COUNT_DESCRIBE: &str = "monitoring:DescribeAlarms:latency=1ms";

fn healthy_gates() -> Gates {
    Gates {
        min_invocations: 10,
        max_error_rate: Some(5.0),
        max_error_rate_over_stable: Some(2.0),
        max_tool_error_rate: Some(5.0),
        // Both legs run the same server on one machine: the ratio is noise around 1, and a
        // loose bound keeps the test about the gate's inputs, not the machine's load.
        max_p99_latency_ratio: Some(50.0),
        alarms: vec!["agentcore-console/{runtime}/canary/error-rate".into()],
        ..Gates::default()
    }
}

#[tokio::test]
async fn a_healthy_canary_passes_every_gate_on_the_exact_calls_made() {
    let (w, c, env, arn) = two_legs("").await;
    let legs = legs(&arn);
    let gates = healthy_gates();

    // (f) The tool-error filter on both endpoints' groups is missing: listed, then made.
    let id = arn.rsplit_once("runtime/").expect("arn").1;
    let needed = gates::requirements(&c, &env, &legs, &gates)
        .await
        .expect("requirements");
    for endpoint in ["canary", "stable"] {
        let want = format!(
            "PutMetricFilter group=/aws/bedrock-agentcore/runtimes/{id}-{endpoint} name=agentcore-console/tool-errors"
        );
        assert!(
            needed.iter().any(|l| l.starts_with(&want)),
            "{want} in {needed:#?}"
        );
    }
    assert!(
        needed
            .iter()
            .all(|l| l.starts_with("PutMetricFilter ") || l.starts_with("CreateLogGroup ")),
        "{needed:#?}"
    );
    gates::ensure(&c, &env, &legs, &gates)
        .await
        .expect("ensure");
    let after = gates::requirements(&c, &env, &legs, &gates)
        .await
        .expect("requirements");
    assert!(after.is_empty(), "{after:#?}");
    gates::ensure(&c, &env, &legs, &gates)
        .await
        .expect("ensure again changes nothing");
    // Without a tool-error gate nothing is needed at all.
    let no_tool = Gates {
        max_tool_error_rate: None,
        ..gates.clone()
    };
    let none = gates::requirements(&c, &env, &legs, &no_tool).await;
    assert!(none.expect("requirements").is_empty());

    // The alarm the plan names exists once `alarms apply` made it.
    let names = gates.alarm_names(RUNTIME);
    assert!(gates::check_alarms(&c, &names).await.is_err());
    let (ok, _, err) = run(
        &w,
        &[
            "--env",
            "dev",
            "alarms",
            "apply",
            RUNTIME,
            "--endpoint",
            "canary",
            "--yes",
        ],
    )
    .await;
    assert!(ok, "{err}");
    gates::check_alarms(&c, &names)
        .await
        .expect("the alarm exists");

    // (a) Calls to both legs, then every gate passes on exactly those calls.
    let start = now_s();
    let stable = drive(&c, &arn, "stable", echo(), 20, false).await;
    let canary = drive(&c, &arn, "canary", echo(), 12, false).await;
    let counted = |e: &Evaluation| {
        let r = gate(e, GateName::MaxErrorRateOverStable);
        r.samples.canary >= canary && r.samples.stable >= Some(stable)
    };
    let within = (start, Duration::from_secs(60));
    let e = evaluate_until(&c, &legs, &gates, within, counted).await;
    let names: Vec<GateName> = e.gates.iter().map(|g| g.gate).collect();
    assert_eq!(
        names,
        GateName::ALL[..5],
        "every gate but require_smoke, which this plan leaves out"
    );
    for g in &e.gates {
        assert_eq!(g.verdict, Verdict::Pass, "{g:#?}");
    }
    assert_eq!(e.verdict(), Verdict::Pass);
    for name in [GateName::MaxErrorRate, GateName::MaxToolErrorRate] {
        let g = gate(&e, name);
        assert_eq!(
            (g.samples.canary, g.samples.stable),
            (canary, None),
            "{g:#?}"
        );
        assert_eq!(g.value, Some(0.0), "{g:#?}");
        assert!(g.interval.is_some(), "{g:#?}");
    }
    for name in [
        GateName::MaxErrorRateOverStable,
        GateName::MaxP99LatencyRatio,
    ] {
        let g = gate(&e, name);
        assert_eq!(
            (g.samples.canary, g.samples.stable),
            (canary, Some(stable)),
            "{g:#?}"
        );
    }
    assert!(
        gate(&e, GateName::MaxP99LatencyRatio)
            .value
            .is_some_and(|v| v > 0.0)
    );
    let alarm = gate(&e, GateName::Alarms);
    assert_eq!((alarm.samples.canary, alarm.value), (1, Some(0.0)));

    // (e) One evaluation is one GetMetricData and one DescribeAlarms.
    faults::add(&w.local.url, COUNT_GMD).await;
    faults::add(&w.local.url, COUNT_DESCRIBE).await;
    gates::evaluate(&c, &legs, &gates, until_now(start))
        .await
        .expect("evaluate");
    assert_eq!(faults::counts(&w.local.url, COUNT_GMD).await.0, 1);
    assert_eq!(faults::counts(&w.local.url, COUNT_DESCRIBE).await.0, 1);

    // (c) Fewer canary calls than the minimum: Inconclusive, never a pass.
    let thin = Gates {
        min_invocations: 50,
        alarms: vec![],
        ..gates.clone()
    };
    let e = gates::evaluate(&c, &legs, &thin, until_now(start))
        .await
        .expect("evaluate");
    assert_eq!(e.gates.len(), 4);
    for g in &e.gates {
        assert_eq!(g.verdict, Verdict::Inconclusive, "{g:#?}");
        assert_eq!(g.samples.canary, canary);
    }
    assert_eq!(e.verdict(), Verdict::Inconclusive);

    // A throttled read is an error, never a verdict.
    faults::add(&w.local.url, "monitoring:GetMetricData:throttle").await;
    let err = gates::evaluate(&c, &legs, &gates, until_now(start))
        .await
        .expect_err("GetMetricData is throttled");
    assert!(err.to_string().contains("GetMetricData"), "{err}");
    faults::clear(&w.local.url).await;
    w.local.stop().await;
}
