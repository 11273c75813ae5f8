//! A token bucket: `rps` tokens a second up to `burst`; a call takes one or is throttled.
//! Time is passed in, so the arithmetic is tested without waiting.

use std::time::Instant;

use super::Quota;

#[derive(Debug, Clone)]
pub struct Bucket {
    quota: Quota,
    tokens: f64,
    at: Instant,
}

impl Bucket {
    /// A bucket that has been quiet: full.
    pub fn full(quota: Quota, now: Instant) -> Self {
        Self {
            quota,
            tokens: quota.burst,
            at: now,
        }
    }

    /// Take a token if there is one.
    pub fn take(&mut self, now: Instant) -> bool {
        let elapsed = now.saturating_duration_since(self.at).as_secs_f64();
        self.tokens = (self.tokens + elapsed * self.quota.rps).min(self.quota.burst);
        self.at = now;
        if self.tokens >= 1.0 {
            self.tokens -= 1.0;
            true
        } else {
            false
        }
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    #[test]
    fn burst_then_the_rate() {
        let t0 = Instant::now();
        let mut b = Bucket::full(
            Quota {
                rps: 5.0,
                burst: 2.0,
            },
            t0,
        );
        assert!(b.take(t0));
        assert!(b.take(t0));
        assert!(!b.take(t0), "the burst is spent");
        assert!(!b.take(t0 + Duration::from_millis(150)), "0.75 of a token");
        assert!(
            b.take(t0 + Duration::from_millis(200)),
            "one token in 200 ms at 5/s"
        );
        // A long pause refills to the burst, no more.
        let later = t0 + Duration::from_secs(60);
        assert!(b.take(later) && b.take(later) && !b.take(later));
        // Over 10 s at 5/s: 50 calls get through, whatever the rate they come at.
        let mut ok = 0;
        for i in 1..=1000 {
            ok += usize::from(b.take(later + Duration::from_millis(i * 10)));
        }
        assert_eq!(ok, 50);
    }
}
