//! Faults on purpose: throttling, 5xx, latency and dropped Live Tail streams, so that what the
//! console claims about them can be tested against the real SDKs.
//!
//! request → `operation::name` → [`Faults::decide`] (every spec that matches counts the call;
//! those whose rate fires apply) → delay, then either an error in the protocol's own shape
//! ([`answer`]) or the handler, with a drop-after limit for StartLiveTail's stream. Faults come
//! from `Options::faults` at start and from the admin path (`/_local/faults`, [`admin`]) at
//! run time. A rate is applied exactly, not by chance: at 0.5 every second matching call, so
//! counts in tests are exact and no two calls in a row fail below 0.5. A latency and quota
//! [`profile`] adds to the decision after the faults.

pub mod admin;
mod answer;
pub mod profile;
pub mod spec;

use std::sync::Mutex;
use std::time::Duration;

use serde::Serialize;

pub use self::answer::apply;
pub use self::spec::{FaultSpec, Kind, SpecError};

/// The faults in force, with what each has done so far.
#[derive(Debug, Default)]
pub struct Faults {
    book: Mutex<Book>,
}

#[derive(Debug, Default)]
struct Book {
    next_id: u64,
    active: Vec<Active>,
}

#[derive(Debug)]
struct Active {
    id: u64,
    spec: FaultSpec,
    matched: u64,
    applied: u64,
}

/// One fault as the admin path shows it.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Entry {
    pub id: u64,
    pub spec: String,
    /// Calls it matched (service and operation).
    pub matched: u64,
    /// Calls it was applied to (its rate fired and, for errors, it was the one that answered).
    pub applied: u64,
}

/// What happens to one call.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct Decision {
    /// Wait this long before answering.
    pub delay: Duration,
    /// Answer with this error (throttle or error500) instead of running the handler, and the
    /// spec that did so.
    pub answer: Option<(Kind, String)>,
    /// StartLiveTail: break the stream after this many events.
    pub drop_after: Option<u64>,
    /// PutObject: store the bytes with one changed.
    pub corrupt: bool,
}

impl Faults {
    pub fn new(specs: &[FaultSpec]) -> Self {
        let faults = Self::default();
        for s in specs {
            faults.add(s.clone());
        }
        faults
    }

    fn book(&self) -> std::sync::MutexGuard<'_, Book> {
        self.book
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    pub fn add(&self, spec: FaultSpec) -> Entry {
        let mut book = self.book();
        book.next_id += 1;
        let a = Active {
            id: book.next_id,
            spec,
            matched: 0,
            applied: 0,
        };
        let entry = a.entry();
        book.active.push(a);
        entry
    }

    /// Remove one fault; whether it was there.
    pub fn remove(&self, id: u64) -> bool {
        let mut book = self.book();
        let before = book.active.len();
        book.active.retain(|a| a.id != id);
        book.active.len() != before
    }

    /// Remove every fault; how many there were.
    pub fn clear(&self) -> usize {
        std::mem::take(&mut self.book().active).len()
    }

    pub fn list(&self) -> Vec<Entry> {
        self.book().active.iter().map(Active::entry).collect()
    }

    /// Count a call of `operation` on `service` against every fault, and say what happens to it.
    pub fn decide(&self, service: &str, operation: Option<&str>) -> Decision {
        let mut d = Decision::default();
        let mut book = self.book();
        for a in book
            .active
            .iter_mut()
            .filter(|a| a.spec.matches(service, operation))
        {
            a.matched += 1;
            if !fires(a.matched, a.spec.rate) {
                continue;
            }
            match &a.spec.kind {
                Kind::Latency(t) => d.delay += *t,
                Kind::Corrupt => d.corrupt = true,
                Kind::DropAfter(n) => {
                    d.drop_after = Some(d.drop_after.map_or(*n, |m| m.min(*n)));
                }
                k @ (Kind::Throttle | Kind::Error500) => {
                    if d.answer.is_some() {
                        continue; // another fault answers this call
                    }
                    d.answer = Some((k.clone(), a.spec.to_string()));
                }
            }
            a.applied += 1;
        }
        d
    }
}

impl Active {
    fn entry(&self) -> Entry {
        Entry {
            id: self.id,
            spec: self.spec.to_string(),
            matched: self.matched,
            applied: self.applied,
        }
    }
}

/// Whether the `n`th matching call (from 1) is one of the `rate` fraction: it is when the
/// running total `n × rate` passes a whole number.
#[allow(clippy::cast_precision_loss)]
fn fires(n: u64, rate: f64) -> bool {
    (n as f64 * rate).floor() > ((n - 1) as f64 * rate).floor()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec(s: &str) -> FaultSpec {
        s.parse().expect("spec")
    }

    #[test]
    fn a_rate_applies_to_exactly_that_fraction_spread_out() {
        let fired: Vec<bool> = (1..=8).map(|n| fires(n, 0.5)).collect();
        assert_eq!(fired, [false, true, false, true, false, true, false, true]);
        assert_eq!((1..=1000).filter(|n| fires(*n, 0.1)).count(), 100);
        assert_eq!((1..=1000).filter(|n| fires(*n, 0.3)).count(), 300);
        assert!((1..=5).all(|n| fires(n, 1.0)));
    }

    #[test]
    fn decisions_count_match_and_combine() {
        let f = Faults::new(&[
            spec("logs:FilterLogEvents:throttle@0.5"),
            spec("*:*:latency=300ms"),
            spec("logs:*:error500"),
            spec("logs:StartLiveTail:drop-after=100"),
        ]);
        let first = f.decide("logs", Some("FilterLogEvents"));
        assert_eq!(first.delay, Duration::from_millis(300));
        // The throttle did not fire on call 1: the 5xx answers.
        assert_eq!(first.answer.map(|a| a.0), Some(Kind::Error500));
        let second = f.decide("logs", Some("FilterLogEvents"));
        assert_eq!(second.answer.map(|a| a.0), Some(Kind::Throttle));
        let tail = f.decide("logs", Some("StartLiveTail"));
        assert_eq!(tail.drop_after, Some(100));
        assert_eq!(f.decide("s3", Some("PutObject")).answer, None);
        let counts: Vec<(u64, u64)> = f.list().iter().map(|e| (e.matched, e.applied)).collect();
        assert_eq!(counts, [(2, 1), (4, 4), (3, 2), (1, 1)]);
        assert!(f.remove(1));
        assert!(!f.remove(1));
        assert_eq!(f.clear(), 3);
        assert_eq!(f.decide("logs", None), Decision::default());
    }
}
