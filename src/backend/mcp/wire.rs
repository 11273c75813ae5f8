//! JSON-RPC envelopes and the two response bodies of MCP streamable HTTP: one JSON document,
//! or a `text/event-stream` of JSON-RPC messages.

use rmcp::model::ErrorData;
use serde::Deserialize;
use serde_json::Value;

/// Any JSON-RPC message a server sends: a response, an error, a notification or a request.
#[derive(Debug, Deserialize)]
pub struct Envelope {
    #[serde(default)]
    pub id: Option<Value>,
    #[serde(default)]
    pub method: Option<String>,
    #[serde(default)]
    pub params: Option<Value>,
    #[serde(default)]
    pub result: Option<Value>,
    #[serde(default)]
    pub error: Option<ErrorData>,
}

/// The most one message may hold: AgentCore's payload limit (a JSON body, or one event of a
/// stream). Past it the response is refused, not buffered.
pub const MAX_MESSAGE: usize = 100 * 1024 * 1024;

/// A response message (a JSON body or one event) past the limit, refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "refused a response message of more than {limit} bytes (AgentCore's payload limit); \
     ask the tool for less"
)]
pub struct TooLarge {
    pub limit: usize,
}

/// An incremental `text/event-stream` parser, as the HTML standard's event stream
/// interpretation: feed bytes, take complete events' data.
///
/// Comments (keep-alives) and events without a `data` field are not dispatched; an event whose
/// data is empty is (the standard says so), and carries no message: the priming events of MCP
/// 2025-11-25 (SEP-1699) are such events, an `id:` (maybe a `retry:`) and an empty `data:`,
/// sent so that a client could resume the stream. Their id is kept
/// ([`SseParser::last_event_id`]).
///
/// Each byte is scanned for a line end once (a long line over many chunks used to be rescanned
/// per chunk), and an event larger than the limit is refused ([`TooLarge`]).
pub struct SseParser {
    buf: Vec<u8>,
    /// How far `buf` was searched for a line end without finding one.
    scanned: usize,
    /// The data buffer of the event being read, lines joined with `\n`.
    data: String,
    /// Whether a `data` field was seen for the event being read.
    has_data: bool,
    last_event_id: Option<String>,
    /// The first line may start with a byte order mark, which is dropped.
    started: bool,
    max_event: usize,
}

impl Default for SseParser {
    fn default() -> Self {
        Self::with_limit(MAX_MESSAGE)
    }
}

impl SseParser {
    /// A parser that refuses events (data and pending line) over `max_event` bytes.
    pub fn with_limit(max_event: usize) -> Self {
        Self {
            buf: Vec::new(),
            scanned: 0,
            data: String::new(),
            has_data: false,
            last_event_id: None,
            started: false,
            max_event,
        }
    }

    /// Feed a chunk; returns the data of every event completed by it.
    pub fn feed(&mut self, chunk: &[u8]) -> Result<Vec<String>, TooLarge> {
        self.buf.extend_from_slice(chunk);
        self.lines(false)
    }

    /// At the end of the stream: what is left, including a last event that was not ended
    /// by a blank line (which the standard would drop; servers that omit it are tolerated).
    pub fn finish(&mut self) -> Result<Vec<String>, TooLarge> {
        let mut events = self.lines(true)?;
        self.line("", &mut events);
        Ok(events)
    }

    /// The id of the last event that set one (a priming event's, for instance), which a
    /// client would send back as `Last-Event-ID` to resume the stream.
    pub fn last_event_id(&self) -> Option<&str> {
        self.last_event_id.as_deref()
    }

    /// Every complete line in `buf`, then one compaction of what is left.
    fn lines(&mut self, at_end: bool) -> Result<Vec<String>, TooLarge> {
        let mut events = vec![];
        let mut start = 0;
        while let Some((line, next)) = self.take_line(start, at_end) {
            start = next;
            self.line(&line, &mut events);
            if self.data.len() > self.max_event {
                return Err(self.too_large());
            }
        }
        self.buf.drain(..start);
        self.scanned -= start;
        if self.data.len() + self.buf.len() > self.max_event {
            return Err(self.too_large());
        }
        Ok(events)
    }

    fn too_large(&self) -> TooLarge {
        TooLarge {
            limit: self.max_event,
        }
    }

    /// The line starting at `start`, without its terminator (CRLF, LF or a lone CR), and
    /// where the next begins. A CR at the end of the buffer waits for the next chunk, which
    /// may start with its LF, unless the stream has ended.
    fn take_line(&mut self, start: usize, at_end: bool) -> Option<(String, usize)> {
        let from = self.scanned.max(start);
        let len = self.buf.len();
        let pos = self.buf[from..]
            .iter()
            .position(|&b| b == b'\n' || b == b'\r')
            .map(|p| p + from);
        let (end, skip) = match pos {
            Some(p) if self.buf[p] == b'\n' => (p, 1),
            Some(p) if p + 1 < len => (p, if self.buf[p + 1] == b'\n' { 2 } else { 1 }),
            Some(p) if at_end => (p, 1),
            Some(p) => {
                self.scanned = p;
                return None;
            }
            None if at_end && start < len => (len, 0),
            None => {
                self.scanned = len;
                return None;
            }
        };
        self.scanned = end + skip;
        let mut line = String::from_utf8_lossy(&self.buf[start..end]).into_owned();
        if !self.started {
            self.started = true;
            if let Some(rest) = line.strip_prefix('\u{feff}') {
                line = rest.to_string();
            }
        }
        Some((line, end + skip))
    }

    fn line(&mut self, line: &str, events: &mut Vec<String>) {
        if line.is_empty() {
            // Dispatch, unless the event had no data field at all.
            if std::mem::take(&mut self.has_data) {
                events.push(std::mem::take(&mut self.data));
            }
            self.data.clear();
            return;
        }
        if line.starts_with(':') {
            return; // a comment
        }
        let (field, value) = match line.split_once(':') {
            Some((f, v)) => (f, v.strip_prefix(' ').unwrap_or(v)),
            None => (line, ""),
        };
        match field {
            "data" => {
                if self.has_data {
                    self.data.push('\n');
                }
                self.data.push_str(value);
                self.has_data = true;
            }
            "id" if !value.contains('\0') => self.last_event_id = Some(value.to_string()),
            // `event` names the type (MCP uses only `message`); `retry` is a reconnection delay,
            // which matters only to a client that reconnects.
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    impl SseParser {
        fn feed_ok(&mut self, chunk: &[u8]) -> Vec<String> {
            self.feed(chunk).expect("within the limit")
        }
        fn finish_ok(&mut self) -> Vec<String> {
            self.finish().expect("within the limit")
        }
    }

    #[test]
    fn an_event_over_the_limit_is_refused() {
        // Data lines adding up past the limit, or one line that never ends.
        let mut p = SseParser::with_limit(64);
        assert_eq!(
            p.feed_ok(&[b"data: ", &[b'x'; 40][..], b"\n\n"].concat())
                .len(),
            1
        );
        assert!(
            p.feed_ok(&[b"data: ", &[b'x'; 40][..], b"\n"].concat())
                .is_empty()
        );
        assert_eq!(
            p.feed(&[b"data: ", &[b'x'; 40][..], b"\n"].concat()),
            Err(TooLarge { limit: 64 })
        );
        let mut p = SseParser::with_limit(64);
        for _ in 0..6 {
            assert!(p.feed_ok(&[b'y'; 10]).is_empty());
        }
        let e = p.feed(&[b'y'; 10]).expect_err("a line that never ends");
        assert!(e.to_string().contains("more than 64 bytes"), "{e}");
        let mut p = SseParser::with_limit(64);
        let one = [b"data: ", &[b'z'; 100][..], b"\n\n"].concat();
        assert!(p.feed(&one).is_err(), "a whole event in one chunk");
    }

    #[test]
    fn a_long_line_in_small_chunks_is_scanned_once() {
        let mut p = SseParser::default();
        assert!(p.feed_ok(b"data: ").is_empty());
        for _ in 0..1000 {
            assert!(p.feed_ok(&[b'a'; 7]).is_empty());
            assert_eq!(p.scanned, p.buf.len(), "only the new bytes are searched");
        }
        assert!(p.feed_ok(b"\r").is_empty(), "a CR may be half a CRLF");
        let ev = p.feed_ok(b"\n\ndata: b\n\n");
        assert_eq!(ev.len(), 2);
        assert_eq!(ev[0].len(), 7000);
        assert_eq!(ev[1], "b");
        assert!(p.buf.is_empty() && p.scanned == 0);
    }

    #[test]
    fn events_split_across_chunks() {
        let mut p = SseParser::default();
        assert!(p.feed_ok(b"event: message\ndata: {\"a\"").is_empty());
        let ev = p.feed_ok(b":1}\n\ndata: x\r\ndata: y\r\n\r\n: comment\n");
        assert_eq!(ev, vec!["{\"a\":1}".to_string(), "x\ny".to_string()]);
        assert!(p.feed_ok(b"data: tail").is_empty());
        assert_eq!(p.finish_ok(), ["tail"]);
    }

    #[test]
    fn priming_events_and_comments_carry_no_message_but_keep_their_id() {
        // MCP 2025-11-25 (SEP-1699): an id and an empty data first, then the messages.
        let mut p = SseParser::default();
        let ev = p.feed_ok(b"id: prime-0\nretry: 3000\ndata:\n\n: keep-alive\n\nretry: 10\n\n");
        assert_eq!(ev, [""], "an empty data field is an event with empty data");
        assert_eq!(p.last_event_id(), Some("prime-0"));
        let ev = p.feed_ok(b"id: 1\nevent: message\ndata: {}\n\nid\n\n");
        assert_eq!(ev, ["{}"]);
        assert_eq!(p.last_event_id(), Some(""), "a bare `id` resets it");
        assert!(p.finish_ok().is_empty());
    }

    #[test]
    fn every_line_ending_and_a_byte_order_mark() {
        let mut p = SseParser::default();
        // A CR at the end of a chunk may be the first half of a CRLF.
        assert!(p.feed_ok("\u{feff}data: a\r".as_bytes()).is_empty());
        assert!(p.feed_ok(b"\n\r").is_empty());
        let ev = p.feed_ok(b"\ndata: b\rdata:c\r\r\n");
        assert_eq!(ev, ["a", "b\nc"]);
        assert_eq!(p.feed_ok(b"data\n\n"), [""]);
        assert!(p.feed_ok(b"data: d\r").is_empty());
        assert_eq!(p.finish_ok(), ["d"]);
    }

    #[test]
    fn envelopes_of_every_kind_parse() {
        let r: Envelope =
            serde_json::from_str(r#"{"jsonrpc":"2.0","id":3,"result":{"x":1}}"#).expect("response");
        assert_eq!(r.id, Some(Value::from(3)));
        let e: Envelope = serde_json::from_str(
            r#"{"jsonrpc":"2.0","id":3,"error":{"code":-32602,"message":"bad"}}"#,
        )
        .expect("error");
        assert_eq!(
            e.error.map(|e| e.message.to_string()).as_deref(),
            Some("bad")
        );
        let n: Envelope = serde_json::from_str(
            r#"{"jsonrpc":"2.0","method":"notifications/progress","params":{"progressToken":"t","progress":1}}"#,
        )
        .expect("notification");
        assert_eq!(n.method.as_deref(), Some("notifications/progress"));
    }
}
