//! Each refusal with its line and key, and the plans that parse.

use std::time::Duration;

use toml::de::DeTable;

use super::values::parse_duration;
use super::*;

const SEED: &str = r#"
[[step]]
weight = 10
bake = "15m"
[[step]]
weight = 25
bake = "10m"
[[step]]
weight = 50
bake = "10m"
[gates]
interval = "60s"
min_invocations = 50
max_error_rate = 5.0
max_error_rate_over_stable = 2.0
max_tool_error_rate = 5.0
max_p99_latency_ratio = 1.5
alarms = ["agentcore-console/{runtime}/canary/error-rate"]
failure_limit = 2
"#;

fn refused(text: &str) -> Located {
    parse_plan_text(text, "p").expect_err("should be refused")
}

/// The refusal's line and key, and that its message says `needle`.
fn at(text: &str, line: usize, key: &str, needle: &str) {
    let e = refused(text);
    assert_eq!(
        (e.line, e.key.as_deref()),
        (line, Some(key)),
        "{}",
        e.message
    );
    assert!(e.message.contains(needle), "{}", e.message);
}

#[test]
fn the_seed_plan_written_out_is_the_builtin() {
    let mut plan = parse_plan_text(SEED, "seed").expect("parses");
    assert_eq!(Some(plan.clone()), Plan::builtin("seed"));
    plan = parse_plan_text("kind = \"blue-green\"\n[[step]]\napprove = true\n", "bg")
        .expect("blue-green");
    assert_eq!((plan.kind, plan.steps.len()), (PlanKind::BlueGreen, 1));
    let with_approval =
        format!("{SEED}observe = [\"max_p99_latency_ratio\"]\n[[step]]\napprove = true\n");
    let plan = parse_plan_text(&with_approval, "x").expect("parses");
    assert_eq!(plan.steps.last(), Some(&Step::Approve));
    assert_eq!(plan.gates.observe, [GateName::MaxP99LatencyRatio]);
}

#[test]
fn weights_must_increase_and_stay_in_1_to_99() {
    let text = "[[step]]\nweight = 25\nbake = \"1m\"\n[[step]]\nweight = 25\nbake = \"1m\"\n";
    at(text, 5, "step[2].weight", "25 follows 25");
    at(
        "[[step]]\nweight = 100\nbake = \"1m\"\n",
        2,
        "step[1].weight",
        "1 to 99",
    );
    at(
        "[[step]]\nweight = 0\nbake = \"1m\"\n",
        2,
        "step[1].weight",
        "1 to 99",
    );
    at(
        "[[step]]\nweight = 10.5\nbake = \"1m\"\n",
        2,
        "step[1].weight",
        "10.5",
    );
    // An approval between two weights does not reset the order.
    let text = "[[step]]\nweight = 50\nbake = \"1m\"\n[[step]]\napprove = true\n[[step]]\nweight = 10\nbake = \"1m\"\n";
    at(text, 7, "step[3].weight", "10 follows 50");
}

#[test]
fn bakes_are_strict_nonzero_durations() {
    at(
        "[[step]]\nweight = 10\nbake = \"0s\"\n",
        3,
        "step[1].bake",
        "longer than zero",
    );
    for bad in ["15", "15 m", "1m1h", "1m1m", "1.5h", "15min", "", "1d"] {
        let e = refused(&format!("[[step]]\nweight = 10\nbake = \"{bad}\"\n"));
        assert_eq!(e.key.as_deref(), Some("step[1].bake"), "{bad}");
    }
    at(
        "[[step]]\nweight = 10\nbake = 900\n",
        3,
        "step[1].bake",
        "duration",
    );
    at(
        "[[step]]\nweight = 10\n",
        1,
        "step[1].bake",
        "missing `bake`",
    );
    assert_eq!(parse_duration("1h30m"), Ok(Duration::from_secs(5400)));
    assert_eq!(parse_duration("90s"), Ok(Duration::from_secs(90)));
    assert_eq!(parse_duration("2h5s"), Ok(Duration::from_secs(7205)));
}

#[test]
fn steps_are_one_kind_or_the_other() {
    at(
        "[[step]]\nweight = 10\nbake = \"1m\"\napprove = true\n",
        1,
        "step[1]",
        "not both",
    );
    at(
        "[[step]]\napprove = false\n",
        2,
        "step[1].approve",
        "must be true",
    );
    at(
        "[[step]]\nwieght = 10\n",
        2,
        "step[1].wieght",
        "weight, bake, approve",
    );
    at(
        "[gates]\nmax_error_rate = 1\n",
        1,
        "step",
        "at least one [[step]]",
    );
    at(
        "kind = \"blue-green\"\n[[step]]\nweight = 10\nbake = \"1m\"\n",
        2,
        "step[1].weight",
        "no weighted steps",
    );
    at("kind = \"linear\"\n", 1, "kind", "blue-green");
    at("stpe = 1\n", 1, "stpe", "kind, step, gates");
}

#[test]
fn gates_are_checked_by_name_and_value() {
    let step = "[[step]]\nweight = 10\nbake = \"1m\"\n";
    let g = |body: &str| format!("{step}[gates]\n{body}");
    at(
        &g("max_eror_rate = 5\n"),
        5,
        "gates.max_eror_rate",
        "max_error_rate,",
    );
    at(
        &g("max_error_rate = 5\nobserve = [\"latency\"]\n"),
        6,
        "gates.observe",
        "known: max_error_rate",
    );
    at(
        &g("observe = [\"max_error_rate\"]\n"),
        5,
        "gates.observe",
        "does not set",
    );
    at(
        &g("max_error_rate = 150\n"),
        5,
        "gates.max_error_rate",
        "0 to 100",
    );
    at(
        &g("max_p99_latency_ratio = 0\n"),
        5,
        "gates.max_p99_latency_ratio",
        "above 0",
    );
    at(
        &g("failure_limit = 0\n"),
        5,
        "gates.failure_limit",
        "at least 1",
    );
    at(
        &g("interval = \"1m30\"\n"),
        5,
        "gates.interval",
        "not a duration",
    );
    at(
        &g("alarms = [\"x/{runtime}/{endpoint}/errors\"]\n"),
        5,
        "gates.alarms",
        "`{endpoint}`",
    );
    at(
        &g("alarms = [\"x/{runtime\"]\n"),
        5,
        "gates.alarms",
        "{runtime}",
    );
    at(
        &g("alarms = [\"\"]\n"),
        5,
        "gates.alarms",
        "non-empty string",
    );
    let plan = parse_plan_text(&g("alarms = [\"{runtime}-a\", \"fixed\"]\n"), "p").expect("ok");
    assert_eq!(plan.gates.alarm_names("w"), ["w-a", "fixed"]);
}

#[test]
fn a_plan_inside_the_environments_file_is_located_there() {
    let text = "[environments.prod]\nregion = \"us-east-1\"\n[environments.prod.plans.fast]\n[[environments.prod.plans.fast.step]]\nweight = 10\nbake = \"30s\"\n[[environments.prod.plans.fast.step]]\nweight = 5\nbake = \"30s\"\n";
    let doc = DeTable::parse(text).expect("toml");
    let fast = doc.get_ref()["environments"]
        .get_ref()
        .as_table()
        .expect("t")["prod"]
        .get_ref()
        .as_table()
        .expect("t")["plans"]
        .get_ref()
        .as_table()
        .expect("t")["fast"]
        .get_ref()
        .as_table()
        .expect("t");
    let e = parse_plan_table(text, fast, "environments.prod.plans.fast").expect_err("refused");
    assert_eq!(
        (e.line, e.key.as_deref()),
        (8, Some("environments.prod.plans.fast.step[2].weight"))
    );
    let ok = text.replace("weight = 5", "weight = 50");
    let doc = DeTable::parse(&ok).expect("toml");
    let fast = doc.get_ref()["environments"]
        .get_ref()
        .as_table()
        .expect("t")["prod"]
        .get_ref()
        .as_table()
        .expect("t")["plans"]
        .get_ref()
        .as_table()
        .expect("t")["fast"]
        .get_ref()
        .as_table()
        .expect("t");
    let plan = parse_plan_table(&ok, fast, "environments.prod.plans.fast").expect("ok");
    assert_eq!(plan.name, "fast");
    assert_eq!(plan.total_bake(), Duration::from_secs(60));
}

#[test]
fn a_plan_file_names_its_path() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("quick.toml");
    std::fs::write(&path, "[[step]]\nweight = 10\nbake = \"0s\"\n").expect("write");
    let msg = parse_plan_file(&path).expect_err("zero bake").to_string();
    assert!(
        msg.contains("quick.toml:3:") && msg.contains("step[1].bake"),
        "{msg}"
    );
    std::fs::write(&path, "[[step]]\nweight = 10\nbake = \"5s\"\n").expect("write");
    assert_eq!(parse_plan_file(&path).expect("plan").name, "quick");
}

#[test]
fn require_smoke_is_a_gate_that_can_be_observed() {
    let text = "[[step]]\nweight = 10\nbake = \"1m\"\n[gates]\nrequire_smoke = true\n";
    let plan = parse_plan_text(text, "p").expect("parses");
    assert!(plan.gates.require_smoke);
    assert_eq!(plan.gates.configured(), [GateName::Smoke]);
    let observed = format!("{text}observe = [\"require_smoke\"]\n");
    let plan = parse_plan_text(&observed, "p").expect("parses");
    assert!(plan.gates.is_observed(GateName::Smoke));
    at(
        "[[step]]\nweight = 10\nbake = \"1m\"\n[gates]\nrequire_smoke = \"yes\"\n",
        5,
        "gates.require_smoke",
        "true or false",
    );
    let off = parse_plan_text("[[step]]\nweight = 10\nbake = \"1m\"\n", "p").expect("parses");
    assert!(!off.gates.require_smoke, "off unless asked for");
}
