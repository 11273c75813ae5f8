//! Arming: a protected environment accepts writes from this console only for a bounded time
//! after its name was typed. Pure: the clock is passed in.

use std::collections::BTreeMap;
use std::time::Duration;

use super::time::Millis;

/// How long typing an environment's name allows writes to it.
pub const ARM_FOR: Duration = Duration::from_secs(5 * 60);

/// Which environments are armed, and until when.
#[derive(Debug, Clone, Default)]
pub struct Arming {
    until: BTreeMap<String, Millis>,
}

impl Arming {
    pub fn arm(&mut self, env: &str, now: Millis) {
        self.until.insert(env.to_string(), now.plus(ARM_FOR));
    }

    pub fn disarm(&mut self, env: &str) -> bool {
        self.until.remove(env).is_some()
    }

    pub fn is_armed(&self, env: &str, now: Millis) -> bool {
        self.remaining(env, now).is_some()
    }

    /// Milliseconds left, while armed.
    pub fn remaining(&self, env: &str, now: Millis) -> Option<u64> {
        self.until
            .get(env)
            .filter(|until| now < **until)
            .map(|until| until.since(now))
    }

    /// Forget the environments whose time ran out; returns their names.
    pub fn expire(&mut self, now: Millis) -> Vec<String> {
        let gone: Vec<String> = self
            .until
            .iter()
            .filter(|(_, until)| now >= **until)
            .map(|(e, _)| e.clone())
            .collect();
        for e in &gone {
            self.until.remove(e);
        }
        gone
    }

    /// The armed environments and the time each has left, by name.
    pub fn armed(&self, now: Millis) -> Vec<(&str, u64)> {
        self.until
            .iter()
            .filter(|(_, until)| now < **until)
            .map(|(e, until)| (e.as_str(), until.since(now)))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tui::time::ms;

    #[test]
    fn arming_lasts_five_minutes() {
        let mut a = Arming::default();
        a.arm("prod", Millis(1_000));
        assert!(a.is_armed("prod", Millis(1_000 + ms(ARM_FOR) - 1)));
        assert!(!a.is_armed("prod", Millis(1_000 + ms(ARM_FOR))));
        assert!(!a.is_armed("dev", Millis(1_000)));
        assert_eq!(a.expire(Millis(1_000 + ms(ARM_FOR))), ["prod"]);
        assert!(a.armed(Millis(0)).is_empty());
    }
}
