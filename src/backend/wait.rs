//! Polling AWS for a state change: capped exponential backoff under a deadline.

use std::future::Future;
use std::time::Duration;

use super::BackendError;

/// Call `probe` until it yields `Some`, backing off from 50 ms to 2 s; after `timeout`, fail
/// with `stuck()` describing where things stood.
pub async fn poll<T, F, Fut>(
    timeout: Duration,
    stuck: impl Fn() -> String,
    mut probe: F,
) -> Result<T, BackendError>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<Option<T>, BackendError>>,
{
    let deadline = tokio::time::Instant::now() + timeout;
    let mut delay = Duration::from_millis(50);
    loop {
        if let Some(done) = probe().await? {
            return Ok(done);
        }
        if tokio::time::Instant::now() + delay > deadline {
            return Err(BackendError::Other(format!(
                "{} after {}s",
                stuck(),
                timeout.as_secs()
            )));
        }
        tokio::time::sleep(delay).await;
        delay = (delay * 2).min(Duration::from_secs(2));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn returns_when_ready_and_times_out_otherwise() {
        let mut n = 0;
        let got = poll(Duration::from_secs(5), String::new, || {
            n += 1;
            let v = n;
            async move { Ok((v == 3).then_some(v)) }
        })
        .await
        .expect("ready on the third try");
        assert_eq!(got, 3);
        let err = poll(
            Duration::from_millis(120),
            || "still CREATING".into(),
            || async { Ok(None::<()>) },
        )
        .await
        .expect_err("times out");
        assert!(err.to_string().starts_with("still CREATING after"), "{err}");
    }
}
