//! What a pane knows about one piece of remote data: `Loadable<T>` (idle, loading, ready,
//! failed) plus the bookkeeping every poller needs, in [`Slot`]: a generation per request so
//! stale answers are dropped, an in-flight mark so a poll is skipped while the last one runs,
//! and the time of the last good answer so old data can say how old it is. A pane whose data
//! is one slot needs little else: [`Slot::poll`] and [`Slot::fetch`] start its requests,
//! [`Slot::accept`] takes the answers, [`Slot::abandon`] undoes a request never sent and
//! [`Slot::in_flight`] is its `busy`.

use std::time::Duration;

use super::io::Job;
use super::panes::Fetch;
use super::time::{Millis, ms};

/// How long a request may stay unanswered before a poll may replace it.
pub const IN_FLIGHT_TIMEOUT: Duration = Duration::from_secs(60);

/// The state of one piece of remote data.
#[derive(Debug, Clone, PartialEq)]
pub enum Loadable<T> {
    /// Never asked for.
    Idle,
    /// Asked for; no answer yet.
    Loading,
    /// The last answer.
    Ready(T),
    /// The first request failed (a later failure keeps the data and sets the slot's
    /// refresh error instead).
    Failed(String),
}

/// One piece of remote data and its request bookkeeping.
#[derive(Debug, Clone)]
pub struct Slot<T> {
    state: Loadable<T>,
    generation: u64,
    in_flight: Option<Millis>,
    updated: Option<Millis>,
    refresh_error: Option<String>,
}

impl<T> Default for Slot<T> {
    fn default() -> Self {
        Self {
            state: Loadable::Idle,
            generation: 0,
            in_flight: None,
            updated: None,
            refresh_error: None,
        }
    }
}

impl<T> Slot<T> {
    pub fn state(&self) -> &Loadable<T> {
        &self.state
    }

    pub fn value(&self) -> Option<&T> {
        match &self.state {
            Loadable::Ready(v) => Some(v),
            _ => None,
        }
    }

    /// The error of the last request, whether or not older data is still shown.
    pub fn error(&self) -> Option<&str> {
        match &self.state {
            Loadable::Failed(e) => Some(e),
            _ => self.refresh_error.as_deref(),
        }
    }

    pub fn in_flight(&self) -> bool {
        self.in_flight.is_some()
    }

    /// Whether a poll every `every` should ask again at `now`: nothing in flight (or the
    /// request in flight is hopelessly late) and the last request is at least `every` old.
    pub fn due(&self, now: Millis, every: Duration) -> bool {
        if let Some(started) = self.in_flight {
            return now.since(started) >= ms(IN_FLIGHT_TIMEOUT);
        }
        match (&self.state, self.updated) {
            (Loadable::Idle, _) | (_, None) => true,
            (_, Some(at)) => now.since(at) >= ms(every),
        }
    }

    /// Start a request: a new generation, so any answer still on its way is stale.
    pub fn begin(&mut self, now: Millis) -> u64 {
        self.generation += 1;
        self.in_flight = Some(now);
        if matches!(self.state, Loadable::Idle) {
            self.state = Loadable::Loading;
        }
        self.generation
    }

    /// Start a request for `job` when one is due at `now` (see [`Slot::due`]).
    pub fn poll(&mut self, now: Millis, every: Duration, job: Job) -> Option<Fetch> {
        self.due(now, every).then(|| self.fetch(now, job))
    }

    /// Start a request for `job` now, whatever is in flight (its answer will be stale).
    pub fn fetch(&mut self, now: Millis, job: Job) -> Fetch {
        Fetch {
            generation: self.begin(now),
            job,
        }
    }

    /// Take an answer. Returns false (and changes nothing) when it answers an older request.
    pub fn accept(&mut self, generation: u64, result: Result<T, String>, now: Millis) -> bool {
        if generation != self.generation {
            return false;
        }
        self.in_flight = None;
        match result {
            Ok(v) => {
                self.state = Loadable::Ready(v);
                self.updated = Some(now);
                self.refresh_error = None;
            }
            Err(e) if matches!(self.state, Loadable::Ready(_)) => {
                self.refresh_error = Some(e);
            }
            Err(e) => {
                self.state = Loadable::Failed(e);
                self.updated = Some(now);
            }
        }
        true
    }

    /// The request of generation `generation` was never sent (the channel was full): poll again.
    pub fn abandon(&mut self, generation: u64) {
        if generation == self.generation {
            self.in_flight = None;
            if matches!(self.state, Loadable::Loading) {
                self.state = Loadable::Idle;
            }
        }
    }

    /// Milliseconds since the data shown was fetched.
    pub fn age(&self, now: Millis) -> Option<u64> {
        match self.state {
            Loadable::Ready(_) => self.updated.map(|at| now.since(at)),
            _ => None,
        }
    }

    /// Data older than two poll intervals, or whose refresh failed, should say how old it is.
    pub fn is_stale(&self, now: Millis, every: Duration) -> bool {
        self.value().is_some()
            && (self.refresh_error.is_some() || self.age(now).is_some_and(|a| a > 2 * ms(every)))
    }
}

/// A slot's request bookkeeping, whatever it holds: what a pane whose data is one slot hands
/// to [`Pane`](super::panes::Pane)'s default `poll`, `refresh`, `busy` and `abandon`.
pub trait Requests {
    fn poll(&mut self, now: Millis, every: Duration, job: Job) -> Option<Fetch>;
    fn fetch(&mut self, now: Millis, job: Job) -> Fetch;
    fn in_flight(&self) -> bool;
    fn abandon(&mut self, generation: u64);
}

impl<T> Requests for Slot<T> {
    fn poll(&mut self, now: Millis, every: Duration, job: Job) -> Option<Fetch> {
        Slot::poll(self, now, every, job)
    }

    fn fetch(&mut self, now: Millis, job: Job) -> Fetch {
        Slot::fetch(self, now, job)
    }

    fn in_flight(&self) -> bool {
        Slot::in_flight(self)
    }

    fn abandon(&mut self, generation: u64) {
        Slot::abandon(self, generation);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const EVERY: Duration = Duration::from_secs(5);

    #[test]
    fn stale_generations_are_dropped() {
        let mut s: Slot<u32> = Slot::default();
        let g1 = s.begin(Millis(0));
        let g2 = s.begin(Millis(10));
        assert!(!s.accept(g1, Ok(1), Millis(20)), "older request");
        assert_eq!(s.state(), &Loadable::Loading);
        assert!(s.accept(g2, Ok(2), Millis(30)));
        assert_eq!(s.value(), Some(&2));
    }

    #[test]
    fn polls_wait_for_the_request_in_flight_and_the_interval() {
        let mut s: Slot<u32> = Slot::default();
        assert!(s.due(Millis(0), EVERY));
        let g = s.begin(Millis(0));
        assert!(!s.due(Millis(6_000), EVERY), "in flight");
        assert!(s.due(Millis(61_000), EVERY), "in flight too long");
        s.accept(g, Ok(1), Millis(1_000));
        assert!(!s.due(Millis(5_999), EVERY));
        assert!(s.due(Millis(6_000), EVERY));
    }

    #[test]
    fn a_pane_polls_takes_answers_and_abandons_through_the_slot() {
        let mut s: Slot<u32> = Slot::default();
        let f = s
            .poll(Millis(0), EVERY, Job::Audit)
            .expect("due: never asked");
        assert_eq!(f.job, Job::Audit);
        assert!(s.in_flight(), "busy while the request is out");
        assert_eq!(s.state(), &Loadable::Loading);
        assert_eq!(s.poll(Millis(1), EVERY, Job::Audit), None, "one at a time");
        // The channel was full: back to idle, and the next poll asks again.
        s.abandon(f.generation);
        assert!(!s.in_flight());
        assert_eq!(s.state(), &Loadable::Idle);
        let old = s.poll(Millis(2), EVERY, Job::Audit).expect("due again");
        assert!(old.generation > f.generation, "a fresh generation");
        let new = s.fetch(Millis(3), Job::Audit);
        assert!(new.generation > old.generation);
        assert!(
            !s.accept(old.generation, Ok(1), Millis(4)),
            "stale: dropped"
        );
        assert!(s.in_flight(), "still waiting for the newer one");
        assert!(s.accept(new.generation, Ok(2), Millis(5)));
        assert!(!s.in_flight());
        assert_eq!(s.value(), Some(&2));
        assert_eq!(s.poll(Millis(6), EVERY, Job::Audit), None, "not due yet");
        // Abandoning a refresh keeps the data shown.
        let f = s.poll(Millis(5_005), EVERY, Job::Audit).expect("due");
        s.abandon(new.generation);
        assert!(
            s.in_flight(),
            "an older generation's abandon changes nothing"
        );
        s.abandon(f.generation);
        assert!(!s.in_flight());
        assert_eq!(s.value(), Some(&2));
    }

    #[test]
    fn a_failed_refresh_keeps_the_data_and_marks_it_stale() {
        let mut s: Slot<u32> = Slot::default();
        let g = s.begin(Millis(0));
        s.accept(g, Ok(7), Millis(0));
        assert!(!s.is_stale(Millis(10_000), EVERY));
        assert!(
            s.is_stale(Millis(10_001), EVERY),
            "older than two intervals"
        );
        let g = s.begin(Millis(1));
        s.accept(g, Err("boom".into()), Millis(2));
        assert_eq!(s.value(), Some(&7));
        assert_eq!(s.error(), Some("boom"));
        assert!(s.is_stale(Millis(3), EVERY));
        let mut f: Slot<u32> = Slot::default();
        let g = f.begin(Millis(0));
        f.accept(g, Err("down".into()), Millis(1));
        assert_eq!(f.state(), &Loadable::Failed("down".into()));
        f.begin(Millis(2));
        assert_eq!(f.error(), Some("down"), "a retry keeps showing the error");
    }
}
