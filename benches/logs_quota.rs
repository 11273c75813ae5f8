//! History under AWS's quota: `logs --since` read in slices against the local AgentCore with
//! `--profile aws` (FilterLogEvents 5 calls/s, burst 5, 300 ms median latency), beside the
//! serial reader it replaced, boto3's paginator, and the quota bound (calls/s × events per
//! page); and on loopback without the profile, sliced against serial. Loopback only.
//! `cargo bench --bench logs_quota`; the table goes to stdout. See README.md, "Performance".

#[path = "../tests/it/support/moto.rs"]
mod moto;
#[path = "../tests/it/support/emulator.rs"]
mod support;
#[path = "logs/util.rs"]
#[allow(dead_code)]
mod util;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use agentcore_console::backend::Backend;
use agentcore_console::backend::logs::{LogQuery, history_each, history_serial_each};
use agentcore_console::domain::Environment;
use agentcore_console::domain::runtime::log_group_name;
use agentcore_console::emulator::ProfileSpec;
use util::{
    BIN, BOTO3, REGION, Table, aws_cli_v2, aws_env, now_ms, put_history, rate, run_counted,
};

/// Events read: 20 pages of 10,000.
const EVENTS: usize = 200_000;
/// AWS's FilterLogEvents quota, as the aws profile sets it.
const RPS: f64 = 5.0;
const BURST: f64 = 5.0;
const PAGE: usize = 10_000;

struct Target {
    label: &'static str,
    env: Environment,
    config: PathBuf,
    group: String,
    since: i64,
}

#[tokio::main]
async fn main() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut table = Table::default();
    if aws_cli_v2().is_none() {
        eprintln!("no AWS CLI v2 (`aws logs tail`) here: boto3's paginator is the reference");
    }
    let aws = ProfileSpec::load("aws").expect("the aws profile");
    for (label, profile) in [
        ("local AgentCore, --profile aws", Some(aws)),
        ("local AgentCore, no profile", None),
    ] {
        let local = support::start_options(&dir.path().join(label.replace(' ', "_")), |o| {
            o.settle_delay = Duration::from_millis(50);
            o.profile = profile.clone();
        })
        .await;
        let c = support::clients(&local.url, REGION).await;
        let id = support::create(&c, "bench").await;
        support::settled(&c, &id).await;
        let group = log_group_name(&id, "DEFAULT");
        // put_history spaces events 20 ms apart, ending 5 minutes ago.
        let since = now_ms() - 5 * 60_000 - 20 * EVENTS as i64 - 1_000;
        eprintln!("{label}: putting {EVENTS} events…");
        let (n, _) = put_history(&c, &group, EVENTS, Duration::MAX).await;
        assert_eq!(n, EVENTS);
        let t = Target {
            label,
            env: support::env("dev", &local.url, REGION, None),
            config: config(dir.path(), label, &local.url),
            group,
            since,
        };
        measure(&mut table, &t, profile.is_some()).await;
        local.stop().await;
    }
    println!();
    table.print();
}

fn config(dir: &Path, label: &str, url: &str) -> PathBuf {
    let path = dir.join(format!("{}.toml", label.replace([' ', ','], "_")));
    std::fs::write(
        &path,
        format!("[environments.dev]\nendpoint_url = \"{url}\"\nregion = \"{REGION}\"\n"),
    )
    .expect("config");
    path
}

async fn measure(table: &mut Table, t: &Target, profiled: bool) {
    let backend = Backend::new(vec![t.env.clone()]);
    let q = LogQuery {
        targets: vec![("dev".into(), "bench".into())],
        start: Some(t.since),
        ..LogQuery::default()
    };
    // Let the bucket fill between runs: each starts with AWS's burst available.
    let rest = || async {
        if profiled {
            tokio::time::sleep(Duration::from_secs_f64(BURST / RPS + 0.5)).await;
        }
    };
    if profiled {
        #[allow(clippy::cast_precision_loss)]
        let pages = (EVENTS / PAGE) as f64;
        let bound = RPS * PAGE as f64;
        let with_burst = EVENTS as f64 / ((pages - BURST) / RPS);
        table.row(
            t.label,
            "quota bound: 5 calls/s × 10,000 events per page",
            format!(
                "{} ev/s sustained ({} ev/s for {} events counting the burst of 5)",
                util::thousands(bound as u64),
                util::thousands(with_burst as u64),
                util::thousands(EVENTS as u64)
            ),
        );
    }
    rest().await;
    let began = Instant::now();
    let mut n = 0;
    history_serial_each(&backend, &q, |_| {
        n += 1;
        true
    })
    .await
    .expect("serial");
    table.row(
        t.label,
        "backend, serial reader (before)",
        rate(n, began.elapsed()),
    );
    rest().await;
    let began = Instant::now();
    let mut m = 0;
    history_each(&backend, &q, |_| {
        m += 1;
        true
    })
    .await
    .expect("sliced");
    assert_eq!(m, n, "both read every event");
    table.row(
        t.label,
        "backend history_each, sliced",
        rate(m, began.elapsed()),
    );
    rest().await;
    let mut cmd = Command::new(BIN);
    cmd.arg("--config").arg(&t.config).args([
        "logs",
        "bench",
        "--since",
        &agentcore_console::domain::timestamp::rfc3339_from_ms(t.since).expect("time"),
    ]);
    let r = tokio::task::spawn_blocking(move || run_counted(cmd))
        .await
        .expect("join");
    assert_eq!(r.lines, n, "the binary printed every event");
    table.row(
        t.label,
        "binary: logs --since (sliced), printed",
        format!(
            "{}; peak RSS {} kB",
            rate(r.lines, r.wall),
            util::thousands(r.peak_kb)
        ),
    );
    rest().await;
    let python = moto::venv_dir().join("bin/python");
    let mut cmd = Command::new(&python);
    aws_env(&mut cmd).args(["-c", BOTO3]).args([
        t.env.endpoint_url.as_deref().expect("url"),
        &t.group,
        &t.since.to_string(),
    ]);
    let r = tokio::task::spawn_blocking(move || run_counted(cmd))
        .await
        .expect("join");
    table.row(
        t.label,
        "boto3 filter_log_events paginator, print",
        rate(r.lines, r.wall),
    );
}
