//! Alarms in the console through the real io worker and backend, against the local AgentCore:
//! an alarm made by another client (raw PutMetricAlarm) on a runtime's endpoint shows as a
//! badge on the matrix once its data breaches, and the firing filter keeps that row.

use crate::support::emulator as support;
use crate::support::tui;

use std::sync::Arc;

use agentcore_console::backend::Backend;
use agentcore_console::backend::audit::AuditLog;
use agentcore_console::domain::alarms::AlarmState;
use agentcore_console::tui::action::Action;
use agentcore_console::tui::app::App;
use agentcore_console::tui::io;
use agentcore_console::tui::keymap::Keymap;
use agentcore_console::tui::theme::Theme;
use agentcore_console::tui::time::Millis;
use aws_sdk_cloudwatch::types::{ComparisonOperator, Dimension, MetricDatum, Statistic};
use support::*;
use tui::{drive, keys, screen};

#[tokio::test(flavor = "multi_thread")]
async fn another_clients_alarm_in_alarm_is_a_badge_on_the_runtimes_cell() {
    let dir = tempfile::tempdir().expect("tempdir");
    let local = start(dir.path()).await;
    let c = clients(&local.url, "us-west-2").await;
    for name in ["weather_mcp", "tickets_mcp"] {
        let id = create(&c, name).await;
        settled(&c, &id).await;
        create_endpoint(&c, &id, "live", Some("1")).await;
    }
    let dim = Dimension::builder()
        .name("Name")
        .value("weather_mcp::live")
        .build();
    c.cloudwatch
        .put_metric_alarm()
        .alarm_name("team-x-weather-errors")
        .namespace("TeamX/Weather")
        .metric_name("Errors")
        .dimensions(dim.clone())
        .statistic(Statistic::Sum)
        .period(60)
        .evaluation_periods(1)
        .threshold(1.0)
        .comparison_operator(ComparisonOperator::GreaterThanOrEqualToThreshold)
        .send()
        .await
        .expect("put alarm");
    c.cloudwatch
        .put_metric_data()
        .namespace("TeamX/Weather")
        .metric_data(
            MetricDatum::builder()
                .metric_name("Errors")
                .dimensions(dim)
                .value(5.0)
                .build(),
        )
        .send()
        .await
        .expect("put data");

    let envs = vec![env("dev", &local.url, "us-west-2", None)];
    let audit = AuditLog::at(dir.path().join("audit.jsonl"));
    let mut io = io::spawn(Arc::new(Backend::new(envs.clone())), Ok(audit));
    let mut app = App::new(envs, Keymap::default(), Theme::mono(), vec![]);
    let reqs = app.start(Millis(0));
    drive(&mut app, &mut io, reqs, |a| {
        a.alarms().slot("dev").is_some_and(|s| s.value().is_some()) && a.matrix().rows().len() == 2
    })
    .await;
    let firing: Vec<_> = app
        .alarms()
        .of("dev")
        .iter()
        .map(|a| (a.runtime.clone(), a.endpoint.clone(), a.state))
        .collect();
    assert_eq!(
        firing,
        [(
            "weather_mcp".to_string(),
            Some("live".to_string()),
            AlarmState::Alarm
        )]
    );
    let shown = screen(&app);
    let row = |rt: &str| {
        shown
            .lines()
            .find(|l| l.contains(rt))
            .unwrap_or_default()
            .to_string()
    };
    assert!(row("weather_mcp").contains("▲1"), "{shown}");
    assert!(!row("tickets_mcp").contains('▲'), "{shown}");

    let more = keys(&mut app, vec![Action::FiringOnly]);
    drive(&mut app, &mut io, more, |_| true).await;
    let shown = screen(&app);
    assert!(shown.contains("weather_mcp"), "{shown}");
    assert!(!shown.contains("tickets_mcp"), "{shown}");
    local.stop().await;
}
