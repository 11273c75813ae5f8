//! One FilterLogEvents page at a time, within the environment's [`Limiter`]: a throttled
//! page halves the window and is asked again after a short jittered wait (the SDK's own
//! retries are off for these calls, so the limiter sees every throttle); a transient failure
//! is retried twice. A slice's reader hands its pages over a bounded channel, so a slow
//! consumer stops it after [`QUEUED_PAGES`].

use std::sync::Arc;
use std::time::Duration;

use aws_sdk_cloudwatchlogs::config::retry::RetryConfig;
use tokio::sync::mpsc;

use super::aimd::Limiter;
use crate::backend::logs::LogLine;
use crate::backend::{BackendError, Clients};

/// Pages a slice may have read ahead of the consumer (one more is in the reader's hands).
pub const QUEUED_PAGES: usize = 1;
/// Throttles of one page in a row before the read gives up (waits grow to 3.2 s: ~1 min).
const MAX_THROTTLED: u32 = 24;
/// Throttles of one page in a row from which each is reported: by then it has waited at
/// least 3.1 s, when under a quota of a call a second or more a place comes within one.
const SAY_THROTTLED: u32 = 6;
/// Retries of a page after a transient failure (5xx, a dropped connection).
const MAX_FAILED: u32 = 2;

/// What every slice of one log group shares.
pub struct Group {
    pub clients: Arc<Clients>,
    pub env: String,
    pub runtime: String,
    pub group: String,
    pub filter: Option<String>,
    pub page_size: Option<i32>,
    pub limiter: Arc<Limiter>,
}

pub struct Page {
    pub events: Vec<LogLine>,
    pub next: Option<String>,
}

pub type Sent = Result<Vec<LogLine>, BackendError>;

impl Group {
    /// One page of `[start, end]` from `token`; None when the group does not exist (yet).
    pub async fn page(
        &self,
        (start, end): (Option<i64>, Option<i64>),
        token: Option<&str>,
    ) -> Result<Option<Page>, BackendError> {
        let (mut throttled, mut failed) = (0u32, 0u32);
        let mut permit = self.limiter.acquire().await;
        loop {
            let sent = self
                .clients
                .logs
                .filter_log_events()
                .log_group_name(&self.group)
                .set_start_time(start)
                .set_end_time(end)
                .set_filter_pattern(self.filter.clone())
                .set_limit(self.page_size)
                .set_next_token(token.map(str::to_string))
                .customize()
                .config_override(
                    aws_sdk_cloudwatchlogs::config::Builder::default()
                        .retry_config(RetryConfig::disabled()),
                )
                .send()
                .await
                .map_err(|e| BackendError::sdk("FilterLogEvents", e));
            let e = match sent {
                Ok(page) => {
                    permit.success();
                    return Ok(Some(self.lines(&page, token)));
                }
                Err(e) => e,
            };
            if e.is_throttling() {
                permit.throttled();
                throttled += 1;
                if throttled > MAX_THROTTLED {
                    return Err(e);
                }
                let wait = backoff(throttled, 100);
                // Near the quota a throttle is expected and absorbed; a page refused for
                // seconds on end is worth saying.
                if throttled >= SAY_THROTTLED {
                    tracing::warn!("{e}; throttled, retrying in {:.1}s", wait.as_secs_f32());
                } else {
                    tracing::debug!(group = %self.group, throttled, "FilterLogEvents throttled; asking again");
                }
                if self.limiter.crowded() {
                    // The window shrank below the calls holding a place: give this one up
                    // and queue again, so no more pages wait to ask than the window allows.
                    drop(permit);
                    tokio::time::sleep(wait).await;
                    permit = self.limiter.acquire().await;
                } else {
                    tokio::time::sleep(wait).await;
                }
                continue;
            }
            if e.code() == Some("ResourceNotFoundException") {
                return Ok(None);
            }
            if transient(&e) && failed < MAX_FAILED {
                failed += 1;
                tracing::debug!(group = %self.group, error = %e, "FilterLogEvents failed; retrying");
                tokio::time::sleep(backoff(failed, 200)).await;
                continue;
            }
            return Err(e);
        }
    }

    fn lines(
        &self,
        page: &aws_sdk_cloudwatchlogs::operation::filter_log_events::FilterLogEventsOutput,
        token: Option<&str>,
    ) -> Page {
        let events = page
            .events()
            .iter()
            .map(|e| LogLine::filtered(e, &self.group, &self.env, &self.runtime))
            .collect();
        // A token equal to the one sent would loop forever: the end.
        let next = page
            .next_token()
            .filter(|t| Some(*t) != token)
            .map(str::to_string);
        Page { events, next }
    }

    /// Read `[start, end]` page by page from `token` into `tx`; stops when the consumer is
    /// gone.
    pub async fn slice(
        self: Arc<Self>,
        range: (Option<i64>, Option<i64>),
        mut token: Option<String>,
        tx: mpsc::Sender<Sent>,
    ) {
        loop {
            let page = match self.page(range, token.as_deref()).await {
                Ok(Some(p)) => p,
                Ok(None) => return,
                Err(e) => {
                    let _ = tx.send(Err(e)).await;
                    return;
                }
            };
            if !page.events.is_empty() && tx.send(Ok(page.events)).await.is_err() {
                return;
            }
            match page.next {
                Some(t) => token = Some(t),
                None => return,
            }
        }
    }
}

/// `base × 2^(n-1)` ms, capped at 32 × base, with the upper half jittered.
fn backoff(n: u32, base_ms: u64) -> Duration {
    let full = base_ms << n.saturating_sub(1).min(5);
    Duration::from_millis(full / 2 + fastrand::u64(0..=full / 2))
}

/// Failures worth asking again: no answer, or the service's own 5xx.
fn transient(e: &BackendError) -> bool {
    match e {
        BackendError::Transport { message, .. } => !message.contains("credentials"),
        BackendError::Service { code, .. } => matches!(
            code.as_str(),
            "InternalFailure"
                | "InternalError"
                | "InternalServerException"
                | "ServiceUnavailable"
                | "ServiceUnavailableException"
        ),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_to_a_cap_with_jitter() {
        for n in 1..10 {
            let d = backoff(n, 100).as_millis();
            let full = 100u128 << (n - 1).min(5);
            assert!(d >= full / 2 && d <= full, "{n}: {d}");
        }
    }

    #[test]
    fn only_5xx_and_dropped_connections_are_retried() {
        let service = |code: &str| BackendError::Service {
            operation: "FilterLogEvents",
            code: code.into(),
            message: String::new(),
        };
        assert!(transient(&service("InternalFailure")));
        assert!(transient(&service("ServiceUnavailableException")));
        assert!(!transient(&service("InvalidParameterException")));
        assert!(transient(&BackendError::Transport {
            operation: "FilterLogEvents",
            message: "cannot connect: refused".into()
        }));
        assert!(!transient(&BackendError::Transport {
            operation: "FilterLogEvents",
            message: "no usable AWS credentials (x)".into()
        }));
    }
}
