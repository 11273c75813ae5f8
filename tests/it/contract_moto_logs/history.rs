//! History against moto: every endpoint group merged in time order, pages, ranges, patterns.

use super::*;

#[tokio::test]
async fn history_merges_every_endpoint_group_in_time_order_across_pages() {
    let p = peer().await;
    let c = &p.clients;
    let id = runtime_with_endpoints(c, "weather_mcp", &["live", "canary"]).await;
    let other = runtime_with_endpoints(c, "other_mcp", &["live"]).await;
    let live = log_group_name(&id, "live");
    let canary = log_group_name(&id, "canary");
    // A group with the runtime's prefix but no endpoint, and another runtime's group: neither
    // is the runtime's, so neither is read.
    let retired = log_group_name(&id, "retired");
    let elsewhere = log_group_name(&other, "live");

    let base = now_ms() - 10 * 60_000;
    let live_stream = stream_name(base, "8f0c2d1e-live-0001");
    let canary_stream = stream_name(base, "3b9a7c55-canary-0001");
    // More events in `live` than one page holds; `canary` interleaves with it over the whole
    // range (odd milliseconds against even), so the merge must fetch live's second page while
    // canary's events are still pending.
    let live_events: Vec<(i64, String)> = (0..PAGE + 50)
        .map(|i| (base + 2 * i as i64, format!("live event {i}")))
        .collect();
    let canary_events: Vec<(i64, String)> = (0..80)
        .map(|k| (base + 2 * (k * 127) as i64 + 1, format!("canary event {k}")))
        .collect();
    assert!(
        canary_events.last().expect("canary").0 > live_events[PAGE].0,
        "canary has events after live's first page"
    );
    for (group, stream) in [
        (&live, &live_stream),
        (&canary, &canary_stream),
        (&retired, &live_stream),
        (&elsewhere, &live_stream),
    ] {
        create_group_and_stream(c, group, stream).await;
    }
    let before_put = now_ms();
    put(c, &live, &live_stream, &live_events).await;
    put(c, &canary, &canary_stream, &canary_events).await;
    let after_put = now_ms();
    for group in [&retired, &elsewhere] {
        put(
            c,
            group,
            &live_stream,
            &[(base + 3, "not this runtime's".into())],
        )
        .await;
    }

    // moto's page size, seen through the SDK: a full page and a token, then the rest.
    let first = c
        .logs
        .filter_log_events()
        .log_group_name(&live)
        .send()
        .await
        .expect("FilterLogEvents, first page");
    assert_eq!(first.events().len(), PAGE);
    let token = first.next_token().expect("a second page").to_string();
    let second = c
        .logs
        .filter_log_events()
        .log_group_name(&live)
        .next_token(token)
        .send()
        .await
        .expect("FilterLogEvents, second page");
    assert_eq!(second.events().len(), 50);
    assert_eq!(second.next_token(), None, "the last page has no token");

    let got = logs::history(&p.backend, &query("weather_mcp"))
        .await
        .unwrap_or_else(|e| panic!("history: {e}\n{}", p.moto.log()));
    let mut expected = written(&live, &live_events);
    expected.extend(written(&canary, &canary_events));
    expected.sort();
    assert_same(
        &seen(&got),
        &expected,
        "every event of both groups, once, in time order",
    );
    for l in &got {
        assert_eq!((l.env.as_str(), l.runtime.as_str()), (ENV, "weather_mcp"));
        let stream = if l.log_group == live {
            &live_stream
        } else {
            &canary_stream
        };
        assert_eq!(&l.log_stream, stream, "{l:?}");
        assert!(
            l.event_id.as_deref().is_some_and(|e| !e.is_empty()),
            "{l:?}"
        );
        assert!(
            (before_put..=after_put).contains(&l.ingestion_time),
            "ingestion time is when moto took the event: {l:?}"
        );
    }
    let ids: HashSet<&str> = got.iter().filter_map(|l| l.event_id.as_deref()).collect();
    assert_eq!(ids.len(), got.len(), "event ids are unique");

    // history_each hands events over as they come and stops when told to.
    let mut taken = vec![];
    logs::history_each(&p.backend, &query("weather_mcp"), |l| {
        taken.push(l);
        taken.len() < 3
    })
    .await
    .expect("history_each");
    assert_eq!(seen(&taken), expected[..3]);
}

#[tokio::test]
async fn history_selects_a_time_range_and_the_filter_patterns_moto_supports() {
    let p = peer().await;
    let c = &p.clients;
    let id = runtime_with_endpoints(c, "weather_mcp", &["live", "canary", "quiet"]).await;
    let live = log_group_name(&id, "live");
    let canary = log_group_name(&id, "canary");
    // `quiet` has an endpoint but has written nothing: its group does not exist, and moto
    // answers ResourceNotFoundException for it, which the backend reads as "no events yet".
    let base = now_ms() - 5 * 60_000;
    let stream = stream_name(base, "c0ffee00-0001");
    create_group_and_stream(c, &live, &stream).await;
    create_group_and_stream(c, &canary, &stream).await;
    let live_events: Vec<(i64, String)> = [
        (0, "INFO tools/list served"),
        (1_000, "ERROR tool call failed: timeout"),
        (2_000, "INFO tool call ok"),
        (3_000, "ERROR tool call failed: connection refused"),
        (4_000, "warn: an error in lower case"),
        (5_000, "ERROR cold start exceeded"),
    ]
    .into_iter()
    .map(|(dt, m)| (base + dt, m.to_string()))
    .collect();
    let canary_events: Vec<(i64, String)> = [
        (1_500, "ERROR tool call failed: canary"),
        (3_000, "INFO canary tool call ok"),
    ]
    .into_iter()
    .map(|(dt, m)| (base + dt, m.to_string()))
    .collect();
    put(c, &live, &stream, &live_events).await;
    put(c, &canary, &stream, &canary_events).await;

    let run = |start: Option<i64>, end: Option<i64>, filter: Option<&str>| {
        let q = LogQuery {
            start,
            end,
            filter: filter.map(str::to_string),
            ..query("weather_mcp")
        };
        let backend = Arc::clone(&p.backend);
        async move {
            let lines = logs::history(&backend, &q)
                .await
                .unwrap_or_else(|e| panic!("history {q:?}: {e}"));
            lines.into_iter().map(|l| l.message).collect::<Vec<_>>()
        }
    };

    assert_eq!(
        run(None, None, None).await,
        [
            "INFO tools/list served",
            "ERROR tool call failed: timeout",
            "ERROR tool call failed: canary",
            "INFO tool call ok",
            "INFO canary tool call ok",
            "ERROR tool call failed: connection refused",
            "warn: an error in lower case",
            "ERROR cold start exceeded",
        ],
        "both groups in time order, a tie by group name (`-canary` before `-live`); the group \
         that does not exist adds nothing"
    );
    // Both ends of the range are inclusive (AWS: "events with a timestamp before startTime /
    // later than endTime are not returned").
    assert_eq!(
        run(Some(base + 1_000), Some(base + 3_000), None).await,
        [
            "ERROR tool call failed: timeout",
            "ERROR tool call failed: canary",
            "INFO tool call ok",
            "INFO canary tool call ok",
            "ERROR tool call failed: connection refused",
        ]
    );
    assert_eq!(
        run(Some(base + 3_001), None, None).await,
        ["warn: an error in lower case", "ERROR cold start exceeded"]
    );
    assert_eq!(
        run(None, Some(base + 999), None).await,
        ["INFO tools/list served"]
    );
    // One term: case-sensitive, anywhere in the message.
    assert_eq!(
        run(None, None, Some("ERROR")).await,
        [
            "ERROR tool call failed: timeout",
            "ERROR tool call failed: canary",
            "ERROR tool call failed: connection refused",
            "ERROR cold start exceeded",
        ]
    );
    assert_eq!(
        run(None, None, Some("error")).await,
        ["warn: an error in lower case"]
    );
    // Several terms: all of them, in any order.
    assert_eq!(
        run(None, None, Some("call ERROR")).await,
        [
            "ERROR tool call failed: timeout",
            "ERROR tool call failed: canary",
            "ERROR tool call failed: connection refused",
        ]
    );
    // A quoted phrase: those words together.
    assert_eq!(
        run(None, None, Some("\"INFO tool call\"")).await,
        ["INFO tool call ok"]
    );
    assert_eq!(
        run(None, None, Some("\"tool call ok\"")).await,
        ["INFO tool call ok", "INFO canary tool call ok"]
    );
    assert_eq!(
        run(None, None, Some("\"failed: connection\"")).await,
        ["ERROR tool call failed: connection refused"]
    );
    // A pattern and a range together.
    assert_eq!(
        run(Some(base + 1_200), Some(base + 4_500), Some("ERROR")).await,
        [
            "ERROR tool call failed: canary",
            "ERROR tool call failed: connection refused",
        ]
    );
    assert!(
        run(None, None, Some("nothing matches this"))
            .await
            .is_empty()
    );
}
