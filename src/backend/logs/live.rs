//! One Live Tail session over the log groups of one runtime in one environment.

use std::collections::HashMap;

use aws_sdk_cloudwatchlogs::types::StartLiveTailResponseStream;

use super::{LogLine, Source};
use crate::backend::BackendError;

/// Live Tail takes at most this many log groups per session.
pub const MAX_GROUPS: usize = 10;

pub struct LiveSession {
    stream: aws_sdk_cloudwatchlogs::primitives::event_stream::EventReceiver<
        StartLiveTailResponseStream,
        aws_sdk_cloudwatchlogs::types::error::StartLiveTailResponseStreamError,
    >,
    /// Identifier (ARN) → group name, to label events as FilterLogEvents does.
    names: HashMap<String, String>,
    env: String,
    runtime: String,
}

/// What one `sessionUpdate` brought.
pub struct Update {
    pub sampled: bool,
    pub lines: Vec<LogLine>,
}

/// The runtime's existing log groups (name, ARN): Live Tail wants ARNs, and a group that
/// does not exist yet cannot be tailed.
pub async fn existing_groups(src: &Source) -> Result<Vec<(String, String)>, BackendError> {
    let prefix = crate::domain::runtime::log_group_name(&src.runtime_id, "");
    let mut out = vec![];
    let mut token: Option<String> = None;
    loop {
        let page = src
            .clients
            .logs
            .describe_log_groups()
            .log_group_name_prefix(&prefix)
            .set_next_token(token.clone())
            .send()
            .await
            .map_err(|e| BackendError::sdk("DescribeLogGroups", e))?;
        for g in page.log_groups() {
            let Some(name) = g.log_group_name() else {
                continue;
            };
            let arn = g
                .log_group_arn()
                .map(str::to_string)
                .or_else(|| g.arn().map(|a| a.trim_end_matches(":*").to_string()));
            if let Some(arn) = arn {
                out.push((name.to_string(), arn));
            }
        }
        match page.next_token() {
            Some(t) if Some(t) != token.as_deref() => token = Some(t.to_string()),
            _ => return Ok(out),
        }
    }
}

impl LiveSession {
    /// Start a session over `groups` (name, ARN) and wait for its `sessionStart`.
    pub async fn start(
        src: &Source,
        groups: &[(String, String)],
        filter: Option<&str>,
    ) -> Result<Self, BackendError> {
        let out = src
            .clients
            .logs
            .start_live_tail()
            .set_log_group_identifiers(Some(groups.iter().map(|(_, a)| a.clone()).collect()))
            .set_log_event_filter_pattern(filter.map(str::to_string))
            .send()
            .await
            .map_err(|e| BackendError::sdk("StartLiveTail", e))?;
        let mut session = Self {
            stream: out.response_stream,
            names: groups.iter().map(|(n, a)| (a.clone(), n.clone())).collect(),
            env: src.env.clone(),
            runtime: src.runtime.clone(),
        };
        match session.stream.recv().await {
            Ok(Some(StartLiveTailResponseStream::SessionStart(_))) => Ok(session),
            Ok(_) => Err(BackendError::Other(
                "StartLiveTail: the session did not start".into(),
            )),
            Err(e) => Err(BackendError::sdk("StartLiveTail", e)),
        }
    }

    /// The next update; `None` when the service ended the session (its cap, a shutdown).
    pub async fn next(&mut self) -> Result<Option<Update>, BackendError> {
        loop {
            match self.stream.recv().await {
                Ok(Some(StartLiveTailResponseStream::SessionUpdate(u))) => {
                    let sampled = u.session_metadata().is_some_and(|m| m.sampled());
                    let lines = u
                        .session_results()
                        .iter()
                        .map(|e| {
                            let ident = e.log_group_identifier().unwrap_or_default();
                            LogLine {
                                timestamp: e.timestamp().unwrap_or_default(),
                                ingestion_time: e.ingestion_time().unwrap_or_default(),
                                log_group: self.names.get(ident).cloned().unwrap_or_else(|| {
                                    ident.rsplit(":log-group:").next().unwrap_or(ident).into()
                                }),
                                log_stream: e.log_stream_name().unwrap_or_default().to_string(),
                                event_id: None,
                                message: e.message().unwrap_or_default().to_string(),
                                env: self.env.clone(),
                                runtime: self.runtime.clone(),
                            }
                        })
                        .collect();
                    return Ok(Some(Update { sampled, lines }));
                }
                Ok(Some(_)) => {} // a repeated sessionStart or an unknown event: nothing to show
                Ok(None) => return Ok(None),
                Err(e) => return Err(BackendError::sdk("StartLiveTail", e)),
            }
        }
    }
}
