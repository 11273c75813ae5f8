//! Benchmarks of the log path: history throughput against the local AgentCore and moto (beside
//! the raw FilterLogEvents rate, `aws logs tail` and boto3), Live Tail / polling latency, and
//! the follower's memory under a firehose. Loopback only. `cargo bench --bench logs`; the
//! table goes to stdout, progress to stderr. See README.md, "Performance".
//!
//! The reference clients: `aws logs tail` when an AWS CLI v2 is found (`$AWS_CLI_V2`, `aws` on
//! PATH, /usr/bin/aws; nothing is installed here), and boto3's paginator from the moto venv.
//! `$LOGS_BENCH_FIREHOSE_SECS` lengthens the firehose (default 30 s).

#[path = "../tests/it/support/moto.rs"]
mod moto;
#[path = "../tests/it/support/emulator.rs"]
mod support;
#[path = "logs/util.rs"]
mod util;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Arc;
use std::time::{Duration, Instant};

use agentcore_console::backend::logs::{LogQuery, history_each};
use agentcore_console::backend::{Backend, Clients};
use agentcore_console::domain::Environment;
use agentcore_console::domain::runtime::log_group_name;
use util::{
    BIN, BOTO3, Follower, REGION, Table, aws_cli_v2, aws_env, median, now_ms, proc_kb, put_history,
    rate, run_counted, run_null, thousands,
};

/// History events to read.
const EVENTS: usize = 100_000;
/// How long moto may take to take the events before fewer are used.
const MOTO_PUT_BUDGET: Duration = Duration::from_secs(240);
const LATENCY_SAMPLES: usize = 20;
const FIREHOSE_PER_SEC: usize = 2_000;

/// How long the firehose runs: 30 s, or `$LOGS_BENCH_FIREHOSE_SECS`.
fn firehose_secs() -> u64 {
    std::env::var("LOGS_BENCH_FIREHOSE_SECS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(30)
        .max(11)
}

/// One server holding the history: where, and how to reach it.
struct Target {
    label: &'static str,
    env: Environment,
    clients: Clients,
    config: PathBuf,
    runtime: &'static str,
    group: String,
    /// Timed runs per measurement (the median is shown).
    reps: usize,
}

#[tokio::main]
async fn main() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut table = Table::default();
    let aws = aws_cli_v2();
    match &aws {
        Some((p, v)) => eprintln!("reference: AWS CLI {v} at {}", p.display()),
        None => eprintln!("reference: no AWS CLI v2 found; boto3 paginator only"),
    }

    // The local AgentCore, in-process: `bench` holds the history, `tail` is followed.
    let local = support::start(&dir.path().join("local")).await;
    let c = support::clients(&local.url, REGION).await;
    let id = support::create(&c, "bench").await;
    let tail_id = support::create(&c, "tail").await;
    support::settled(&c, &id).await;
    support::settled(&c, &tail_id).await;
    let t = Target {
        label: "local AgentCore",
        env: support::env("dev", &local.url, REGION, None),
        clients: c,
        config: config(dir.path(), "dev", &local.url),
        runtime: "bench",
        group: log_group_name(&id, "DEFAULT"),
        reps: 3,
    };
    fill(&mut table, &t, Duration::MAX).await;
    history(&mut table, &t, aws.as_ref()).await;
    let tail_group = log_group_name(&tail_id, "DEFAULT");
    for poll in [false, true] {
        latency(&mut table, &t, &tail_group, poll).await;
    }
    for poll in [false, true] {
        firehose(&mut table, &t, &tail_group, poll).await;
    }
    local.stop().await;

    // moto, started here on its own loopback port.
    let moto = tokio::task::spawn_blocking(moto::MotoServer::start)
        .await
        .expect("moto");
    let env = support::env("moto", &moto.url, REGION, None);
    let c = Clients::build(&env).await;
    let id = moto_runtime(&c, "bench").await;
    let t = Target {
        label: "moto 5.2.5",
        env,
        clients: c,
        config: config(dir.path(), "moto", &moto.url),
        runtime: "bench",
        group: log_group_name(&id, "live"),
        reps: 3,
    };
    fill(&mut table, &t, MOTO_PUT_BUDGET).await;
    history(&mut table, &t, aws.as_ref()).await;
    drop(moto);

    println!();
    table.print();
}

/// An environments file with one environment.
fn config(dir: &Path, env: &str, url: &str) -> PathBuf {
    let path = dir.join(format!("{env}.toml"));
    std::fs::write(
        &path,
        format!("[environments.{env}]\nendpoint_url = \"{url}\"\nregion = \"{REGION}\"\n"),
    )
    .expect("config");
    path
}

/// Put the history and say how fast the server took it.
async fn fill(table: &mut Table, t: &Target, budget: Duration) {
    eprintln!("{}: putting {EVENTS} events…", t.label);
    let (n, took) = put_history(&t.clients, &t.group, EVENTS, budget).await;
    let note = if n < EVENTS {
        format!(" — only {n} of {EVENTS}: the server took too long")
    } else {
        String::new()
    };
    table.row(
        t.label,
        "PutLogEvents (5,000 per call), setup",
        rate(n, took) + &note,
    );
}

/// A command on the binary (`logs <runtime> --since 1h …`).
fn bin(t: &Target, extra: &[&str]) -> Command {
    let mut cmd = Command::new(BIN);
    cmd.arg("--config")
        .arg(&t.config)
        .args(["logs", t.runtime, "--since", "1h"])
        .args(extra);
    cmd
}

/// Run `f` `reps` times; what it counted and the median time.
async fn timed<F, Fut>(reps: usize, mut f: F) -> (usize, Duration)
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = usize>,
{
    let (mut n, mut runs) = (0, vec![]);
    for _ in 0..reps {
        let t = Instant::now();
        n = f().await;
        runs.push(t.elapsed());
    }
    (n, median(&mut runs))
}

/// A blocking measurement off the async runtime (the emulator serves on it).
async fn blocking<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> T {
    tokio::task::spawn_blocking(f).await.expect("join")
}

/// History: the raw API loop, the backend, the binary (table and JSON), its memory, and the
/// reference clients, on the same events.
async fn history(table: &mut Table, t: &Target, aws: Option<&(PathBuf, String)>) {
    let since = now_ms() - 3_600_000;
    eprintln!("{}: history…", t.label);
    let c = &t.clients;
    util::raw_filter(c, &t.group, since).await; // warm-up
    let (n, took) = timed(t.reps, || util::raw_filter(c, &t.group, since)).await;
    table.row(
        t.label,
        "FilterLogEvents pages, minimal SDK loop (API bound)",
        rate(n, took),
    );

    let backend = Backend::new(vec![t.env.clone()]);
    let q = LogQuery {
        targets: vec![(t.env.name.clone(), t.runtime.into())],
        start: Some(since),
        ..LogQuery::default()
    };
    let (b, q) = (&backend, &q);
    let (got, took) = timed(t.reps, || async move {
        let mut k = 0;
        history_each(b, q, |_| {
            k += 1;
            true
        })
        .await
        .expect("history_each");
        k
    })
    .await;
    assert_eq!(got, n, "history_each read every event");
    table.row(
        t.label,
        "backend history_each (no printing)",
        rate(got, took),
    );

    for (what, extra) in [
        ("binary: logs --since 1h > /dev/null", &[][..]),
        (
            "binary: logs --since 1h --output json > /dev/null",
            &["--output", "json"],
        ),
    ] {
        let (_, took) = timed(t.reps, || {
            let cmd = bin(t, extra);
            async move {
                blocking(move || run_null(cmd)).await;
                n
            }
        })
        .await;
        table.row(t.label, what, rate(n, took));
    }
    let cmd = bin(t, &[]);
    let r = blocking(move || run_counted(cmd)).await;
    assert_eq!(r.lines, n, "the binary printed every event");
    table.row(
        t.label,
        "binary: peak RSS and CPU time printing the history",
        format!(
            "{} kB; CPU {:.2} s (user+sys) of {:.2} s wall",
            thousands(r.peak_kb),
            r.cpu.as_secs_f64(),
            r.wall.as_secs_f64()
        ),
    );

    if let Some((path, version)) = aws {
        let mut cmd = Command::new(path);
        aws_env(&mut cmd).args(["logs", "tail", &t.group, "--since", "1h", "--endpoint-url"]);
        cmd.arg(t.env.endpoint_url.as_deref().expect("url"));
        let r = blocking(move || run_counted(cmd)).await;
        let what = format!("aws logs tail --since 1h (AWS CLI {version})");
        table.row(t.label, &what, rate(r.lines, r.wall));
    }
    let python = moto::venv_dir().join("bin/python");
    let mut cmd = Command::new(&python);
    aws_env(&mut cmd).args(["-c", BOTO3]).args([
        t.env.endpoint_url.as_deref().expect("url"),
        &t.group,
        &since.to_string(),
    ]);
    let r = blocking(move || run_counted(cmd)).await;
    let what = "boto3 filter_log_events paginator, print";
    table.row(t.label, what, rate(r.lines, r.wall));
}

/// Write → line on `logs -f`'s stdout, one event at a time.
async fn latency(table: &mut Table, t: &Target, group: &str, poll: bool) {
    let mode = if poll { "poll" } else { "live" };
    eprintln!("{}: latency, {mode}…", t.label);
    let stream = util::stream_name(&format!("probe-{mode}"));
    util::new_stream(&t.clients, group, &stream).await;
    let mut f = Follower::spawn(&t.config, "tail", poll);
    warm(t, &mut f, group, &stream, mode).await;
    let mut samples = vec![];
    for i in 0..LATENCY_SAMPLES {
        // 1.5 s apart on average, jittered: the service and the poller work in one-second
        // cycles, and a fixed gap would lock every sample to the same phase of them.
        tokio::time::sleep(Duration::from_millis(fastrand::u64(1_000..2_000))).await;
        let marker = format!("{mode}-{i:03} ");
        let sent = Instant::now();
        let msg = format!("probe {marker}end");
        util::put(&t.clients, group, &stream, &[(now_ms(), msg)]).await;
        let seen = f.wait_for(&marker, Duration::from_secs(20)).await;
        samples.push(seen.expect("the probe appeared") - sent);
    }
    let max = samples.iter().max().copied().unwrap_or_default();
    let med = median(&mut samples);
    let what = if poll {
        "logs -f --poll"
    } else {
        "logs -f (Live Tail)"
    };
    table.row(
        t.label,
        &format!("{what}: write → stdout, {LATENCY_SAMPLES} events ~1.5 s apart"),
        format!(
            "median {:.2} s, max {:.2} s",
            med.as_secs_f64(),
            max.as_secs_f64()
        ),
    );
}

/// Put probes until the follower shows one: it is reading.
async fn warm(t: &Target, f: &mut Follower, group: &str, stream: &str, mode: &str) {
    for k in 0..60 {
        let marker = format!("warm-{mode}-{k} ");
        let msg = format!("probe {marker}end");
        util::put(&t.clients, group, stream, &[(now_ms(), msg)]).await;
        if f.wait_for(&marker, Duration::from_millis(1_000))
            .await
            .is_some()
        {
            return;
        }
    }
    panic!("the follower printed nothing in a minute");
}

/// Follow a firehose; the follower's peak RSS at 10 s and at the end.
async fn firehose(table: &mut Table, t: &Target, group: &str, poll: bool) {
    let mode = if poll { "poll" } else { "live" };
    eprintln!("{}: firehose, {mode}…", t.label);
    let stream = util::stream_name(&format!("firehose-{mode}"));
    util::new_stream(&t.clients, group, &stream).await;
    let mut f = Follower::spawn(&t.config, "tail", poll);
    warm(t, &mut f, group, &stream, mode).await;
    let start_lines = f.lines.load(std::sync::atomic::Ordering::Relaxed);
    let c = Arc::new(t.clients.clone());
    let (g, s) = (group.to_string(), stream.clone());
    let secs = firehose_secs();
    let producer = tokio::spawn(async move {
        let mut tick = tokio::time::interval(Duration::from_millis(100));
        let per_tick = FIREHOSE_PER_SEC / 10;
        let mut seq = 0;
        let began = Instant::now();
        while began.elapsed() < Duration::from_secs(secs) {
            tick.tick().await;
            let now = now_ms();
            let events: Vec<(i64, String)> = (seq..seq + per_tick)
                .map(|i| (now, util::message(i)))
                .collect();
            util::put(&c, &g, &s, &events).await;
            seq += per_tick;
        }
        (seq, began.elapsed())
    });
    let began = Instant::now();
    tokio::time::sleep(Duration::from_secs(10)).await;
    let at10 = proc_kb(f.pid(), "VmHWM").unwrap_or(0);
    let (put, took) = producer.await.expect("producer");
    tokio::time::sleep(Duration::from_secs(secs).saturating_sub(began.elapsed())).await;
    let at30 = proc_kb(f.pid(), "VmHWM").unwrap_or(0);
    let cpu = util::cpu_time(f.pid()).unwrap_or_default();
    let shown = f.lines.load(std::sync::atomic::Ordering::Relaxed) - start_lines;
    drop(f);
    let what = if poll {
        "logs -f --poll"
    } else {
        "logs -f (Live Tail)"
    };
    let rate = thousands(FIREHOSE_PER_SEC as u64);
    table.row(
        t.label,
        &format!("{what}: firehose {rate} ev/s for {secs} s, peak RSS"),
        format!(
            "{} kB at 10 s, {} kB at {secs} s; {} of {} events shown ({:.0} put/s); CPU {:.1}% of a core",
            thousands(at10),
            thousands(at30),
            thousands(shown as u64),
            thousands(put as u64),
            put as f64 / took.as_secs_f64(),
            100.0 * cpu.as_secs_f64() / began.elapsed().as_secs_f64(),
        ),
    );
}

/// A runtime in moto (container artifact; moto runs nothing) with a `live` endpoint.
async fn moto_runtime(c: &Clients, name: &str) -> String {
    let id = support::create_container(c, name).await;
    c.control
        .create_agent_runtime_endpoint()
        .agent_runtime_id(&id)
        .name("live")
        .agent_runtime_version("1")
        .send()
        .await
        .expect("CreateAgentRuntimeEndpoint");
    id
}
