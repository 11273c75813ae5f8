//! A canary whose tools fail with `isError` (HTTP 200): AgentCore counts no error, so only the
//! tool-error gate (the log metric filter) and the tool-error-rate alarm see it.

use super::*;
use crate::support::cli::run;
use agentcore_console::domain::rollout::Verdict;

const TOOL_ALARM: &str = "agentcore-console/{runtime}/canary/tool-error-rate";

#[tokio::test]
async fn failing_tools_fail_the_tool_error_and_alarm_gates_but_not_the_error_rate() {
    // The alarm breaches on one minute of data, from the first invocation.
    let (w, c, env, arn) = two_legs(
        "[environments.dev.alarms]\nevaluation_periods = 2\ndatapoints_to_alarm = 1\nmin_invocations = 1\n",
    )
    .await;
    let legs = legs(&arn);
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
    let gates = Gates {
        min_invocations: 10,
        max_error_rate: Some(5.0),
        max_error_rate_over_stable: Some(2.0),
        max_tool_error_rate: Some(5.0),
        alarms: vec![TOOL_ALARM.into()],
        ..Gates::default()
    };
    // `alarms apply` made the canary's filter; only the stable's is still needed.
    let needed = gates::requirements(&c, &env, &legs, &gates)
        .await
        .expect("requirements");
    assert!(
        !needed.is_empty() && needed.iter().all(|l| l.contains("-stable")),
        "{needed:#?}"
    );
    gates::ensure(&c, &env, &legs, &gates)
        .await
        .expect("ensure");

    let start = now_s();
    let stable = drive(&c, &arn, "stable", echo(), 20, false).await;
    let failing = ("fail", json!({"mode": "tool_error"}));
    let canary = drive(&c, &arn, "canary", failing, 12, true).await;

    // (b) 12 tool errors in 15 calls: 80%, while AgentCore saw no error at all.
    let counted = |e: &Evaluation| {
        let t = gate(e, GateName::MaxToolErrorRate);
        t.samples.canary >= canary && t.value.is_some_and(|v| v >= 79.0)
    };
    let within = (start, Duration::from_secs(60));
    let e = evaluate_until(&c, &legs, &gates, within, counted).await;
    let tool = gate(&e, GateName::MaxToolErrorRate);
    assert_eq!(tool.verdict, Verdict::Fail, "{e:#?}");
    assert_eq!(tool.samples.canary, canary, "{tool:#?}");
    assert!(
        tool.value.is_some_and(|v| (v - 80.0).abs() < 1e-9),
        "{tool:#?}"
    );
    let errors = gate(&e, GateName::MaxErrorRate);
    assert_eq!(
        (errors.verdict, errors.value, errors.samples.canary),
        (Verdict::Pass, Some(0.0), canary),
        "{errors:#?}"
    );
    let relative = gate(&e, GateName::MaxErrorRateOverStable);
    assert_eq!(relative.verdict, Verdict::Pass, "{relative:#?}");
    assert_eq!(relative.samples.stable, Some(stable));
    assert_eq!(e.verdict(), Verdict::Fail);

    // (d) The tool-error-rate alarm goes to ALARM for real, and the alarm gate fails on it.
    let alarmed = |e: &Evaluation| gate(e, GateName::Alarms).verdict == Verdict::Fail;
    let e = evaluate_until(&c, &legs, &gates, (start, Duration::from_secs(90)), alarmed).await;
    let alarm = gate(&e, GateName::Alarms);
    assert_eq!(alarm.verdict, Verdict::Fail, "{alarm:#?}");
    assert_eq!(
        alarm.detail.as_deref(),
        Some("in ALARM: agentcore-console/weather/canary/tool-error-rate")
    );
    assert_eq!(
        e.failed(),
        [GateName::MaxToolErrorRate, GateName::Alarms],
        "{e:#?}"
    );

    // A plan naming an alarm that does not exist is refused, the alarm named.
    let unknown = "agentcore-console/weather/canary/nope".to_string();
    let refused = gates::check_alarms(
        &c,
        &[gates.alarm_names(RUNTIME)[0].clone(), unknown.clone()],
    )
    .await
    .expect_err("an unknown alarm");
    let text = refused.to_string();
    assert!(
        text.contains(&format!("'{unknown}'")) && text.contains("alarms apply"),
        "{text}"
    );
    assert!(
        !text.contains("tool-error-rate"),
        "only the missing one: {text}"
    );

    // One that vanished since the start: the gate cannot vouch for it, so not a pass.
    let vanished = Gates {
        alarms: vec![unknown.clone()],
        ..Gates::default()
    };
    let e = gates::evaluate(&c, &legs, &vanished, until_now(start))
        .await
        .expect("evaluate");
    assert_eq!(e.gates.len(), 1);
    let alarm = gate(&e, GateName::Alarms);
    assert_eq!(alarm.verdict, Verdict::Inconclusive, "{alarm:#?}");
    assert!(
        alarm
            .detail
            .as_deref()
            .is_some_and(|d| d.contains(&unknown) && d.contains("no longer exist")),
        "{alarm:#?}"
    );
    w.local.stop().await;
}
