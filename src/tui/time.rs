//! The TUI's clock: monotonic milliseconds since the console started. The owner loop reads the
//! real clock and passes it in; tests pass whatever they like, so every age, countdown and
//! expiry is deterministic.

use std::time::Duration;

/// A point on the TUI's monotonic clock, in milliseconds.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Millis(pub u64);

impl Millis {
    /// Milliseconds from `earlier` to `self` (0 if `earlier` is later).
    pub fn since(self, earlier: Millis) -> u64 {
        self.0.saturating_sub(earlier.0)
    }

    pub fn plus(self, d: Duration) -> Millis {
        Millis(
            self.0
                .saturating_add(u64::try_from(d.as_millis()).unwrap_or(u64::MAX)),
        )
    }
}

pub fn ms(d: Duration) -> u64 {
    u64::try_from(d.as_millis()).unwrap_or(u64::MAX)
}

/// `12s ago`, `3m ago`, `2h ago`.
pub fn ago(ms: u64) -> String {
    let s = ms / 1000;
    match s {
        0..=59 => format!("{s}s ago"),
        60..=3599 => format!("{}m ago", s / 60),
        _ => format!("{}h ago", s / 3600),
    }
}

/// `4:59`: minutes and seconds left, rounded up so the last second shows `0:01`.
pub fn countdown(ms: u64) -> String {
    let s = ms.div_ceil(1000);
    format!("{}:{:02}", s / 60, s % 60)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ages_and_countdowns() {
        assert_eq!(ago(400), "0s ago");
        assert_eq!(ago(12_000), "12s ago");
        assert_eq!(ago(185_000), "3m ago");
        assert_eq!(ago(7_300_000), "2h ago");
        assert_eq!(countdown(300_000), "5:00");
        assert_eq!(countdown(299_001), "5:00");
        assert_eq!(countdown(1), "0:01");
        assert_eq!(Millis(5).since(Millis(9)), 0);
        assert_eq!(Millis(1).plus(Duration::from_secs(1)), Millis(1001));
    }
}
