//! The logs pane's bounded buffer: lines in arrival order, each with a sequence number that
//! never repeats, so a position survives the oldest lines being dropped. A full buffer drops
//! its oldest line per new one and counts it. The client-side regex keeps an index of the
//! matching sequence numbers, updated as lines come and go, so showing "only the matches" of
//! 100k lines costs a binary search per frame instead of a scan.

use std::collections::VecDeque;

use regex::Regex;

/// One buffered line: when, from which source (an index into the pane's sources), what.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    pub timestamp: i64,
    pub source: u16,
    /// The message as received (untrusted: cleaned when drawn).
    pub message: String,
}

#[derive(Debug)]
pub struct LogBuffer {
    lines: VecDeque<Entry>,
    /// The sequence number of `lines[0]`.
    first: u64,
    cap: usize,
    dropped: u64,
    regex: Option<Regex>,
    /// Sequence numbers of the lines the regex matches, ascending.
    matches: VecDeque<u64>,
}

impl LogBuffer {
    pub fn new(cap: usize) -> Self {
        Self {
            lines: VecDeque::new(),
            first: 0,
            cap: cap.max(1),
            dropped: 0,
            regex: None,
            matches: VecDeque::new(),
        }
    }

    pub fn cap(&self) -> usize {
        self.cap
    }

    pub fn len(&self) -> usize {
        self.lines.len()
    }

    pub fn is_empty(&self) -> bool {
        self.lines.is_empty()
    }

    /// Lines dropped (oldest first) to keep the bound.
    pub fn dropped(&self) -> u64 {
        self.dropped
    }

    /// The sequence number the next line will get.
    pub fn end(&self) -> u64 {
        self.first + self.lines.len() as u64
    }

    pub fn get(&self, seq: u64) -> Option<&Entry> {
        let i = usize::try_from(seq.checked_sub(self.first)?).ok()?;
        self.lines.get(i)
    }

    pub fn regex(&self) -> Option<&Regex> {
        self.regex.as_ref()
    }

    /// Lines matching the regex (all lines without one).
    pub fn match_count(&self) -> usize {
        if self.regex.is_some() {
            self.matches.len()
        } else {
            self.lines.len()
        }
    }

    /// Append one line, dropping the oldest if full.
    pub fn push(&mut self, entry: Entry) {
        if self.lines.len() >= self.cap {
            self.lines.pop_front();
            if self.matches.front() == Some(&self.first) {
                self.matches.pop_front();
            }
            self.first += 1;
            self.dropped += 1;
        }
        let seq = self.end();
        if self
            .regex
            .as_ref()
            .is_some_and(|r| r.is_match(&entry.message))
        {
            self.matches.push_back(seq);
        }
        self.lines.push_back(entry);
    }

    /// Forget every line (a new query); the dropped count starts again too.
    pub fn clear(&mut self) {
        self.first = self.end();
        self.lines.clear();
        self.matches.clear();
        self.dropped = 0;
    }

    /// Use `regex` from now on: the index is rebuilt once, over the lines held.
    pub fn set_regex(&mut self, regex: Option<Regex>) {
        self.matches.clear();
        if let Some(r) = &regex {
            self.matches.extend(
                self.lines
                    .iter()
                    .zip(self.first..)
                    .filter(|(e, _)| r.is_match(&e.message))
                    .map(|(_, seq)| seq),
            );
        }
        self.regex = regex;
    }

    /// The lines shown: the matches (`only_matches` with a regex), else all.
    pub fn shown(&self, only_matches: bool) -> Shown<'_> {
        if only_matches && self.regex.is_some() {
            Shown::Matches(self)
        } else {
            Shown::All(self)
        }
    }
}

/// The lines on view, by position (0 = oldest shown).
#[derive(Clone, Copy)]
pub enum Shown<'a> {
    All(&'a LogBuffer),
    Matches(&'a LogBuffer),
}

impl<'a> Shown<'a> {
    fn buffer(self) -> &'a LogBuffer {
        match self {
            Shown::All(b) | Shown::Matches(b) => b,
        }
    }

    pub fn len(self) -> usize {
        match self {
            Shown::All(b) => b.lines.len(),
            Shown::Matches(b) => b.matches.len(),
        }
    }

    pub fn is_empty(self) -> bool {
        self.len() == 0
    }

    pub fn seq_at(self, pos: usize) -> Option<u64> {
        match self {
            Shown::All(b) => (pos < b.lines.len()).then(|| b.first + pos as u64),
            Shown::Matches(b) => b.matches.get(pos).copied(),
        }
    }

    pub fn at(self, pos: usize) -> Option<&'a Entry> {
        self.buffer().get(self.seq_at(pos)?)
    }

    /// The position of the first shown line at or after `seq`.
    pub fn pos_of(self, seq: u64) -> usize {
        match self {
            Shown::All(b) => usize::try_from(seq.saturating_sub(b.first))
                .unwrap_or(usize::MAX)
                .min(b.lines.len()),
            Shown::Matches(b) => b.matches.partition_point(|s| *s < seq),
        }
    }

    /// Shown lines at or after `seq` (the "N new" of a paused view).
    pub fn count_from(self, seq: u64) -> usize {
        self.len() - self.pos_of(seq)
    }

    /// Every shown line, oldest first.
    pub fn iter(self) -> impl Iterator<Item = &'a Entry> {
        (0..self.len()).filter_map(move |p| self.at(p))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line(msg: &str) -> Entry {
        Entry {
            timestamp: 0,
            source: 0,
            message: msg.into(),
        }
    }

    #[test]
    fn a_full_buffer_drops_the_oldest_and_counts_them() {
        let mut b = LogBuffer::new(3);
        for m in ["a", "b", "c", "d", "e"] {
            b.push(line(m));
        }
        assert_eq!(b.len(), 3);
        assert_eq!(b.dropped(), 2);
        let all: Vec<_> = b.shown(false).iter().map(|e| e.message.as_str()).collect();
        assert_eq!(all, ["c", "d", "e"]);
        assert_eq!(b.get(1), None, "dropped");
        assert_eq!(b.get(4).map(|e| e.message.as_str()), Some("e"));
        b.clear();
        assert!(b.is_empty());
        assert_eq!((b.dropped(), b.end()), (0, 5));
    }

    #[test]
    fn the_match_index_follows_appends_drops_and_regex_changes() {
        let mut b = LogBuffer::new(4);
        b.set_regex(Regex::new("err").ok());
        for m in ["err 1", "ok", "err 2", "ok", "err 3", "ok"] {
            b.push(line(m));
        }
        // Held: err 2, ok, err 3, ok (seqs 2..6); "err 1" went with the drop.
        let shown = b.shown(true);
        let got: Vec<_> = shown.iter().map(|e| e.message.as_str()).collect();
        assert_eq!(got, ["err 2", "err 3"]);
        assert_eq!(shown.seq_at(0), Some(2));
        assert_eq!(shown.pos_of(3), 1);
        assert_eq!(shown.count_from(3), 1);
        assert_eq!(b.shown(false).len(), 4, "highlight mode shows all");
        b.set_regex(Regex::new("ok").ok());
        assert_eq!(b.match_count(), 2);
        b.set_regex(None);
        assert_eq!(b.shown(true).len(), 4, "no regex: everything");
    }

    #[test]
    fn positions_clamp_to_what_is_held() {
        let mut b = LogBuffer::new(2);
        for m in ["a", "b", "c"] {
            b.push(line(m));
        }
        let s = b.shown(false);
        assert_eq!(s.pos_of(0), 0, "a dropped line maps to the oldest held");
        assert_eq!(s.pos_of(99), 2);
        assert_eq!(s.at(0).map(|e| e.message.as_str()), Some("b"));
        assert!(s.at(2).is_none());
    }
}
