//! Following against moto: Live Tail (moto answers with a snapshot), and the polling fallback.

use super::*;

/// What a follower delivered, until the line `last`.
struct Followed {
    lines: Vec<LogLine>,
    notices: Vec<Notice>,
    /// Notices and lines in the order they came: `true` for a line.
    kinds: Vec<bool>,
    stats: TailStats,
}

/// Follow `q` until a line with message `last` arrives (or fail after `FOLLOW_DEADLINE`);
/// `on_line` is told how many lines have arrived after each one.
async fn follow_until(
    backend: Arc<Backend>,
    q: &LogQuery,
    opts: FollowOptions,
    last: &str,
    mut on_line: impl FnMut(usize),
) -> Followed {
    let (mut lines, mut notices, mut kinds) = (vec![], vec![], vec![]);
    let run = logs::follow(backend, q, opts, |event, _| match event {
        TailEvent::Line(l) => {
            lines.push(l.clone());
            kinds.push(true);
            on_line(lines.len());
            l.message != last
        }
        TailEvent::Notice(n) => {
            notices.push(n.clone());
            kinds.push(false);
            true
        }
    });
    let stats = match tokio::time::timeout(FOLLOW_DEADLINE, run).await {
        Ok(result) => result.expect("follow"),
        Err(_) => panic!(
            "`{last}` did not arrive within {}s",
            FOLLOW_DEADLINE.as_secs()
        ),
    };
    Followed {
        lines,
        notices,
        kinds,
        stats,
    }
}

/// Writes `events` (group, stream, message) one at a time: the i-th once `after + i` lines
/// have been delivered, so each new event is put only when everything before it was shown
/// and the order they must arrive in is certain. Returns the sender to tell it how many lines
/// arrived, and the task (which yields what it wrote).
fn writer(
    c: &Clients,
    events: Vec<(String, String, String)>,
    after: usize,
) -> (
    tokio::sync::mpsc::UnboundedSender<usize>,
    tokio::task::JoinHandle<Vec<Seen>>,
) {
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel::<usize>();
    let c = c.clone();
    let task = tokio::spawn(async move {
        let mut wrote = vec![];
        let mut last_ts = 0;
        let mut pending = events.into_iter();
        while let Some(delivered) = rx.recv().await {
            if delivered != after + wrote.len() {
                continue;
            }
            let Some((group, stream, message)) = pending.next() else {
                break;
            };
            let ts = now_ms().max(last_ts + 1);
            last_ts = ts;
            put(&c, &group, &stream, &[(ts, message.clone())]).await;
            wrote.push((ts, group, message));
        }
        wrote
    });
    (tx, task)
}

fn tick_query(runtime: &str, since: i64) -> LogQuery {
    LogQuery {
        start: Some(since),
        filter: Some("tick".into()),
        ..query(runtime)
    }
}

#[tokio::test]
async fn follow_uses_live_tail_on_moto_and_delivers_history_then_new_events_once() {
    let p = peer().await;
    let c = &p.clients;
    let id = runtime_with_endpoints(c, "weather_mcp", &["live"]).await;
    let group = log_group_name(&id, "live");
    let now = now_ms();
    let stream = stream_name(now, "5d41402a-0001");
    create_group_and_stream(c, &group, &stream).await;
    let history: Vec<(i64, String)> = vec![
        (now - 3_000, "tick 0".into()),
        (now - 2_500, "noise that the filter leaves out".into()),
        (now - 2_000, "tick 1".into()),
        (now - 1_000, "tick 2".into()),
    ];
    put(c, &group, &stream, &history).await;
    let new: Vec<(String, String, String)> = ["tick 3", "tick 4", "tick end"]
        .into_iter()
        .map(|m| (group.clone(), stream.clone(), m.to_string()))
        .collect();
    let (tx, task) = writer(c, new, 3);
    let opts = FollowOptions {
        live_tail: true,
        poll_every: Duration::from_millis(100),
        ..FollowOptions::default()
    };
    let f = follow_until(
        Arc::clone(&p.backend),
        &tick_query("weather_mcp", now - 60_000),
        opts,
        "tick end",
        |n| {
            let _ = tx.send(n);
        },
    )
    .await;
    drop(tx);
    let wrote = task.await.expect("writer");
    let mut expected: Vec<Seen> = written(&group, &history)
        .into_iter()
        .filter(|(_, _, m)| m.starts_with("tick"))
        .collect();
    expected.extend(wrote);
    assert_same(
        &seen(&f.lines),
        &expected,
        "history, then each new event once",
    );
    assert!(
        f.lines
            .iter()
            .all(|l| l.log_stream == stream && l.log_group == group),
        "{:?}",
        f.lines
    );
    assert_eq!(f.stats.delivered, 6, "{:?}", f.stats);
    // Live Tail worked, so the follower never said it was polling instead.
    assert!(
        f.notices.iter().all(|n| n.kind != NoticeKind::Mode),
        "{:?}",
        f.notices
    );
    // moto ends every session right after its one update; the follower reconnects (and says
    // so) and keeps delivering. Only a Live Tail round reports a session end.
    assert!(f.stats.reconnects >= 1, "{:?}", f.stats);
    assert!(
        f.notices
            .iter()
            .any(|n| n.kind == NoticeKind::Reconnect && n.text.contains("Live Tail session ended")),
        "{:?}",
        f.notices
    );
    // Each session re-sends what exists (moto's snapshot) on top of the backfill: the
    // repeats were seen and dropped, not delivered.
    assert!(f.stats.deduplicated >= 3, "{:?}", f.stats);
}

/// A loopback proxy in front of `upstream` that answers the awsJson operation `target`
/// (e.g. `Logs_20140328.StartLiveTail`) with HTTP 400 and the error `code`, and forwards
/// everything else; with the number of requests it refused.
async fn refusing_proxy(
    upstream: &str,
    target: &'static str,
    code: &'static str,
) -> (String, Arc<AtomicUsize>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let url = format!("http://{}", listener.local_addr().expect("addr"));
    let upstream = upstream.to_string();
    let refused = Arc::new(AtomicUsize::new(0));
    let counter = Arc::clone(&refused);
    let client: Client<_, Body> = Client::builder(TokioExecutor::new()).build_http();
    let app = axum::Router::new().fallback(move |req: Request<Body>| {
        let (upstream, counter, client) = (upstream.clone(), Arc::clone(&counter), client.clone());
        async move {
            if req
                .headers()
                .get("x-amz-target")
                .is_some_and(|t| t == target)
            {
                counter.fetch_add(1, Ordering::SeqCst);
                return Response::builder()
                    .status(400)
                    .header("content-type", "application/x-amz-json-1.1")
                    .body(Body::from(format!(
                        r#"{{"__type":"{code}","message":"not authorized to perform {target}"}}"#
                    )))
                    .expect("response");
            }
            let (mut parts, body) = req.into_parts();
            let path = parts.uri.path_and_query().map_or("/", |p| p.as_str());
            parts.uri = format!("{upstream}{path}").parse().expect("uri");
            match client.request(Request::from_parts(parts, body)).await {
                Ok(resp) => resp.map(Body::new),
                Err(e) => Response::builder()
                    .status(502)
                    .body(Body::from(e.to_string()))
                    .expect("response"),
            }
        }
    });
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    (url, refused)
}

#[tokio::test]
async fn follow_falls_back_to_polling_when_live_tail_is_refused() {
    let p = peer().await;
    let c = &p.clients;
    let id = runtime_with_endpoints(c, "weather_mcp", &["live", "canary"]).await;
    let live = log_group_name(&id, "live");
    let canary = log_group_name(&id, "canary");
    let now = now_ms();
    let stream = stream_name(now, "9e107d9d-0001");
    create_group_and_stream(c, &live, &stream).await;
    create_group_and_stream(c, &canary, &stream).await;
    let live_history: Vec<(i64, String)> = vec![
        (now - 3_000, "tick 0".into()),
        (now - 1_000, "tick 2".into()),
    ];
    let canary_history: Vec<(i64, String)> = vec![
        (now - 2_500, "noise that the filter leaves out".into()),
        (now - 2_000, "tick 1".into()),
    ];
    put(c, &live, &stream, &live_history).await;
    put(c, &canary, &stream, &canary_history).await;
    // StartLiveTail is refused as it is for a role without logs:StartLiveTail; everything
    // else reaches moto.
    let (proxy, refused) = refusing_proxy(
        &p.moto.url,
        "Logs_20140328.StartLiveTail",
        "AccessDeniedException",
    )
    .await;
    let backend = Arc::new(Backend::new(vec![environment(&proxy)]));
    let new: Vec<(String, String, String)> = [
        (&canary, "tick 3"),
        (&live, "tick 4"),
        (&canary, "tick 5"),
        (&live, "tick end"),
    ]
    .into_iter()
    .map(|(g, m)| (g.clone(), stream.clone(), m.to_string()))
    .collect();
    let (tx, task) = writer(c, new, 3);
    let opts = FollowOptions {
        live_tail: true,
        poll_every: Duration::from_millis(100),
        ..FollowOptions::default()
    };
    let f = follow_until(
        backend,
        &tick_query("weather_mcp", now - 60_000),
        opts,
        "tick end",
        |n| {
            let _ = tx.send(n);
        },
    )
    .await;
    drop(tx);
    let wrote = task.await.expect("writer");
    let mut expected = written(&live, &live_history);
    expected.extend(written(&canary, &canary_history));
    expected.retain(|(_, _, m)| m.starts_with("tick"));
    expected.sort();
    expected.extend(wrote);
    assert_same(
        &seen(&f.lines),
        &expected,
        "history of both groups, then each new event once",
    );
    assert_eq!(f.stats.delivered, 7, "{:?}", f.stats);
    // The first thing said is that Live Tail is unavailable and why; it is said once, and
    // Live Tail is not tried again.
    assert_eq!(f.kinds.first(), Some(&false), "a notice before any line");
    let mode: Vec<&Notice> = f
        .notices
        .iter()
        .filter(|n| n.kind == NoticeKind::Mode)
        .collect();
    assert_eq!(mode.len(), 1, "{:?}", f.notices);
    assert_eq!(mode[0], &f.notices[0]);
    assert_eq!(
        (mode[0].env.as_str(), mode[0].runtime.as_str()),
        (ENV, "weather_mcp")
    );
    assert!(
        mode[0].text.contains("Live Tail unavailable")
            && mode[0].text.contains("AccessDeniedException")
            && mode[0].text.contains("polling"),
        "{:?}",
        mode[0]
    );
    assert_eq!(
        refused.load(Ordering::SeqCst),
        1,
        "StartLiveTail asked once"
    );
    assert!(
        f.notices.iter().all(|n| n.kind == NoticeKind::Mode),
        "{:?}",
        f.notices
    );
    assert_eq!(f.stats.reconnects, 0, "{:?}", f.stats);
    // Each poll re-reads the last seconds: what was shown was read again and dropped.
    assert!(f.stats.deduplicated >= 3, "{:?}", f.stats);
}

#[tokio::test]
async fn a_live_tail_session_that_ends_at_once_is_not_reopened_in_a_tight_loop() {
    let p = peer().await;
    let c = &p.clients;
    let id = runtime_with_endpoints(c, "weather_mcp", &["live"]).await;
    let group = log_group_name(&id, "live");
    let now = now_ms();
    let stream = stream_name(now, "5d41402a-0001");
    create_group_and_stream(c, &group, &stream).await;
    put(c, &group, &stream, &[(now - 1_000, "tick 0".into())]).await;
    let watch = Duration::from_secs(3);
    let started = std::time::Instant::now();
    // The default options (poll every second); nothing new is written while following.
    let stats = tokio::time::timeout(
        FOLLOW_DEADLINE,
        logs::follow(
            Arc::clone(&p.backend),
            &tick_query("weather_mcp", now - 60_000),
            FollowOptions::default(),
            |_, _| started.elapsed() < watch,
        ),
    )
    .await
    .expect("follow returns")
    .expect("follow");
    assert_eq!(stats.delivered, 1, "{stats:?}");
    // No faster than one session per poll interval (plus the first).
    assert!(
        stats.reconnects <= watch.as_secs() + 1,
        "{} sessions in {watch:?}: {stats:?}",
        stats.reconnects
    );
}
