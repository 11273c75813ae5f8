//! How many FilterLogEvents calls may be in flight, found by asking: additive increase while
//! none is throttled (doubling at first, then one more per window's worth of successes),
//! halved on a throttle. Throttles of calls sent before the last halving do not halve again:
//! they answer the old window. One [`Limiter`] per environment, shared by every slice.

use std::sync::{Arc, Mutex};

use tokio::sync::Notify;

/// Calls in flight at first, and at most.
pub const INITIAL: f64 = 2.0;
pub const MAX: f64 = 16.0;

/// The decision rule, without the waiting.
#[derive(Debug, Clone, PartialEq)]
pub struct Aimd {
    limit: f64,
    slow_start: bool,
    /// Bumped at every halving.
    epoch: u64,
}

impl Default for Aimd {
    fn default() -> Self {
        Self {
            limit: INITIAL,
            slow_start: true,
            epoch: 0,
        }
    }
}

impl Aimd {
    /// Calls allowed in flight now.
    pub fn window(&self) -> usize {
        #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
        let w = self.limit.floor() as usize;
        w.max(1)
    }

    pub fn epoch(&self) -> u64 {
        self.epoch
    }

    pub fn success(&mut self) {
        let step = if self.slow_start {
            1.0
        } else {
            1.0 / self.limit
        };
        self.limit = (self.limit + step).min(MAX);
    }

    /// A call sent in `epoch` was throttled; whether the window was halved.
    pub fn throttled(&mut self, epoch: u64) -> bool {
        if epoch != self.epoch {
            return false;
        }
        self.slow_start = false;
        self.limit = (self.limit / 2.0).max(1.0);
        self.epoch += 1;
        true
    }
}

/// The rule with the waiting: callers take a [`Permit`] before each call.
#[derive(Debug, Default)]
pub struct Limiter {
    state: Mutex<(Aimd, usize)>,
    freed: Notify,
    throttles: std::sync::atomic::AtomicU64,
}

/// A call in flight (or waiting to be asked again); say how it went, or drop it (an error
/// that says nothing of the quota).
pub struct Permit {
    limiter: Arc<Limiter>,
    epoch: u64,
}

impl Limiter {
    fn lock(&self) -> std::sync::MutexGuard<'_, (Aimd, usize)> {
        self.state
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Wait for room in the window.
    pub async fn acquire(self: &Arc<Self>) -> Permit {
        loop {
            let freed = self.freed.notified();
            tokio::pin!(freed);
            // Registered before looking, so a release in between is not missed.
            freed.as_mut().enable();
            {
                let mut s = self.lock();
                if s.1 < s.0.window() {
                    s.1 += 1;
                    return Permit {
                        limiter: Arc::clone(self),
                        epoch: s.0.epoch(),
                    };
                }
            }
            freed.await;
        }
    }

    /// More calls hold a place than the window now allows (it was just halved).
    pub fn crowded(&self) -> bool {
        let s = self.lock();
        s.1 > s.0.window()
    }

    /// Throttles seen so far.
    pub fn throttles(&self) -> u64 {
        self.throttles.load(std::sync::atomic::Ordering::Relaxed)
    }

    #[cfg(test)]
    pub fn window(&self) -> usize {
        self.lock().0.window()
    }
}

impl Permit {
    pub fn success(self) {
        self.limiter.lock().0.success();
    }

    /// The call was throttled; the permit is kept for asking again, so a throttled page
    /// holds its place in the window while it waits (instant throttles cannot multiply the
    /// calls sent), and its next attempt answers for the window as it is now.
    pub fn throttled(&mut self) {
        self.limiter
            .throttles
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let mut s = self.limiter.lock();
        s.0.throttled(self.epoch);
        self.epoch = s.0.epoch();
    }
}

impl Drop for Permit {
    fn drop(&mut self) {
        self.limiter.lock().1 -= 1;
        self.limiter.freed.notify_waiters();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grows_while_unthrottled_and_halves_once_per_window() {
        let mut a = Aimd::default();
        assert_eq!(a.window(), 2);
        // Slow start: one more per success, up to the cap.
        for _ in 0..4 {
            a.success();
        }
        assert_eq!(a.window(), 6);
        let e = a.epoch();
        assert!(a.throttled(e));
        assert_eq!(a.window(), 3);
        // Calls sent before the halving answer for the old window: no second halving.
        assert!(!a.throttled(e));
        assert_eq!(a.window(), 3);
        // After it, growth is additive: a window's worth of successes adds one.
        for _ in 0..3 {
            a.success();
        }
        assert_eq!(a.window(), 3, "3 + 1/3 + 1/3.33 + 1/3.6 < 4");
        a.success();
        assert_eq!(a.window(), 4);
        // Never below one, never above the cap.
        for _ in 0..10 {
            let e = a.epoch();
            a.throttled(e);
        }
        assert_eq!(a.window(), 1);
        let mut b = Aimd::default();
        for _ in 0..100 {
            b.success();
        }
        #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
        let max = MAX as usize;
        assert_eq!(b.window(), max);
    }

    #[tokio::test]
    async fn permits_wait_for_room_in_the_window() {
        let l = Arc::new(Limiter::default());
        let p1 = l.acquire().await;
        let p2 = l.acquire().await;
        let third = tokio::spawn({
            let l = Arc::clone(&l);
            async move { l.acquire().await.success() }
        });
        tokio::task::yield_now().await;
        assert!(!third.is_finished(), "the window of two is full");
        let mut p1 = p1;
        p1.throttled();
        assert_eq!(l.window(), 1);
        assert_eq!(l.throttles(), 1);
        // A second throttle of the same call answers for the new window: halved again (to 1).
        p1.throttled();
        assert_eq!(l.throttles(), 2);
        assert!(l.crowded(), "two places held in a window of one");
        // The throttled call keeps its place while it waits to ask again.
        drop(p2);
        assert!(!l.crowded());
        tokio::task::yield_now().await;
        assert!(!third.is_finished(), "p1 still holds the only place");
        drop(p1);
        third.await.expect("the third call ran");
    }
}
