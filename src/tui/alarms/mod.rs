//! The alarms of every environment, kept by the app (not by a pane): the matrix badges, the
//! runtime detail, the alarms pane and the matrix's "firing only" filter all read the same
//! lists. One `backend::alarms::list` per environment (one DescribeAlarms listing), polled
//! with the matrix at most every [`POLL`] on its own ticket ([`ALARMS_UID`]) so no pane's
//! closing cancels it. An environment whose listing fails keeps its last good list and says
//! why ([`Slot`] semantics). Panes get the book through [`Pane::set_alarms`] whenever it
//! changes; it is behind an `Arc`, so that costs a pointer per pane.
//!
//! [`Pane::set_alarms`]: super::panes::Pane::set_alarms

pub mod spans;

use std::time::Duration;

use super::io::{Job, PaneUid};
use super::loadable::Slot;
use super::panes::Fetch;
use super::time::Millis;
use crate::domain::alarms::{AlarmInfo, AlarmState, parse_alarm_name};

/// How often alarms are listed (DescribeAlarms is paid per call; states change per minute).
pub const POLL: Duration = Duration::from_secs(30);
/// The ticket owner of the alarm listings: no pane, never cancelled.
pub const ALARMS_UID: PaneUid = PaneUid::MAX;
/// Reasons are CloudWatch's prose, often long: one line of at most this many characters.
pub const REASON_CHARS: usize = 160;

/// One environment's alarms and the wall-clock time they were listed (epoch ms), so "since"
/// can be told with the app's monotonic clock.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct EnvAlarms {
    pub listed_at_ms: i64,
    pub alarms: Vec<AlarmInfo>,
}

/// Every environment's alarms.
#[derive(Debug, Clone, Default)]
pub struct AlarmBook {
    envs: Vec<(String, Slot<EnvAlarms>)>,
}

impl AlarmBook {
    pub fn new(envs: impl IntoIterator<Item = String>) -> Self {
        Self {
            envs: envs.into_iter().map(|e| (e, Slot::default())).collect(),
        }
    }

    /// The listings due at `now` (all of them, when `force` and not already in flight).
    pub fn fetches(&mut self, now: Millis, force: bool) -> Vec<Fetch> {
        self.envs
            .iter_mut()
            .filter(|(_, s)| s.due(now, POLL) || (force && !s.in_flight()))
            .map(|(env, s)| s.fetch(now, Job::Alarms { env: env.clone() }))
            .collect()
    }

    /// `env`'s listing now, even with one in flight (that answer becomes stale: it may have
    /// been read before a write this one must see).
    pub fn fetch_env(&mut self, env: &str, now: Millis) -> Option<Fetch> {
        let job = Job::Alarms {
            env: env.to_string(),
        };
        self.slot_mut(env).map(|s| s.fetch(now, job))
    }

    /// Take one environment's answer; false when it is stale or for no known environment.
    pub fn accept(
        &mut self,
        env: &str,
        generation: u64,
        result: Result<EnvAlarms, String>,
        now: Millis,
    ) -> bool {
        self.slot_mut(env)
            .is_some_and(|s| s.accept(generation, result, now))
    }

    pub fn abandon(&mut self, env: &str, generation: u64) {
        if let Some(s) = self.slot_mut(env) {
            s.abandon(generation);
        }
    }

    fn slot_mut(&mut self, env: &str) -> Option<&mut Slot<EnvAlarms>> {
        self.envs.iter_mut().find(|(e, _)| e == env).map(|(_, s)| s)
    }

    pub fn slot(&self, env: &str) -> Option<&Slot<EnvAlarms>> {
        self.envs.iter().find(|(e, _)| e == env).map(|(_, s)| s)
    }

    /// Environments and their slots, in the configured order.
    pub fn envs(&self) -> impl Iterator<Item = (&str, &Slot<EnvAlarms>)> {
        self.envs.iter().map(|(e, s)| (e.as_str(), s))
    }

    /// The last good list of `env` (empty before the first).
    pub fn of(&self, env: &str) -> &[AlarmInfo] {
        self.slot(env)
            .and_then(Slot::value)
            .map_or(&[], |v| v.alarms.as_slice())
    }

    /// The alarms of `runtime` in `env`: firing first, then by name.
    pub fn for_runtime(&self, env: &str, runtime: &str) -> Vec<&AlarmInfo> {
        let mut out: Vec<&AlarmInfo> = self
            .of(env)
            .iter()
            .filter(|a| a.runtime == runtime)
            .collect();
        out.sort_by(|a, b| (rank(a.state), &a.name).cmp(&(rank(b.state), &b.name)));
        out
    }

    /// How many alarms of `runtime` in `env` are in ALARM, and how many lack data.
    pub fn badge(&self, env: &str, runtime: &str) -> Badge {
        let mut b = Badge::default();
        for a in self.of(env).iter().filter(|a| a.runtime == runtime) {
            match a.state {
                AlarmState::Alarm => b.firing += 1,
                AlarmState::InsufficientData => b.no_data += 1,
                AlarmState::Ok => {}
            }
        }
        b
    }

    /// Whether any alarm of `runtime` is in ALARM in any environment.
    pub fn firing(&self, runtime: &str) -> bool {
        self.envs
            .iter()
            .any(|(env, _)| self.badge(env, runtime).firing > 0)
    }

    /// Every alarm of every environment: firing first, then the newest state change first.
    pub fn all(&self) -> Vec<&AlarmInfo> {
        let mut out: Vec<&AlarmInfo> = self.envs.iter().flat_map(|(e, _)| self.of(e)).collect();
        out.sort_by(|a, b| {
            let key = |x: &AlarmInfo| (rank(x.state), std::cmp::Reverse(updated_ms(x)));
            key(a)
                .cmp(&key(b))
                .then_with(|| (&a.env, &a.name).cmp(&(&b.env, &b.name)))
        });
        out
    }

    /// Milliseconds since the alarm entered its state, on the clock the screen shows at `now`.
    pub fn since_ms(&self, a: &AlarmInfo, now: Millis) -> Option<u64> {
        let slot = self.slot(&a.env)?;
        let listed = slot.value()?.listed_at_ms;
        let at = updated_ms(a)?;
        let then = u64::try_from(listed.saturating_sub(at)).unwrap_or(0);
        Some(then + slot.age(now).unwrap_or(0))
    }
}

/// An environment cell's alarms.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Badge {
    pub firing: usize,
    pub no_data: usize,
}

fn rank(s: AlarmState) -> u8 {
    match s {
        AlarmState::Alarm => 0,
        AlarmState::InsufficientData => 1,
        AlarmState::Ok => 2,
    }
}

/// The alarm's last state change, epoch ms.
pub fn updated_ms(a: &AlarmInfo) -> Option<i64> {
    epoch_ms(a.state_updated_at.as_deref()?)
}

/// RFC 3339 → epoch milliseconds.
pub fn epoch_ms(iso: &str) -> Option<i64> {
    let t =
        time::OffsetDateTime::parse(iso, &time::format_description::well_known::Rfc3339).ok()?;
    i64::try_from(t.unix_timestamp_nanos() / 1_000_000).ok()
}

/// `live/latency` for a name the console gave, the (sanitized) name otherwise.
pub fn short_name(a: &AlarmInfo) -> String {
    match parse_alarm_name(&a.name) {
        Some((_, ep, kind)) => super::panes::clean(&format!("{ep}/{}", kind.slug())),
        None => super::panes::clean(&a.name),
    }
}

/// The reason on one line, safe for the terminal, at most `max` characters.
pub fn reason(text: &str, max: usize) -> String {
    let one = super::panes::clean(text);
    if one.chars().count() <= max {
        return one;
    }
    let mut cut: String = one.chars().take(max.saturating_sub(1)).collect();
    cut.push('…');
    cut
}

#[cfg(test)]
pub mod tests;
