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

/// An incremental `text/event-stream` parser, as the HTML standard's event stream
/// interpretation: feed bytes, take complete events' data.
///
/// Comments (keep-alives) and events without a `data` field are not dispatched; an event whose
/// data is empty is (the standard says so), and carries no message: the priming events of MCP
/// 2025-11-25 (SEP-1699) are such events, an `id:` (maybe a `retry:`) and an empty `data:`,
/// sent so that a client could resume the stream. Their id is kept
/// ([`SseParser::last_event_id`]).
#[derive(Default)]
pub struct SseParser {
    buf: Vec<u8>,
    /// The data buffer of the event being read, lines joined with `\n`.
    data: String,
    /// Whether a `data` field was seen for the event being read.
    has_data: bool,
    last_event_id: Option<String>,
    /// The first line may start with a byte order mark, which is dropped.
    started: bool,
}

impl SseParser {
    /// Feed a chunk; returns the data of every event completed by it.
    pub fn feed(&mut self, chunk: &[u8]) -> Vec<String> {
        self.buf.extend_from_slice(chunk);
        let mut events = vec![];
        while let Some(line) = self.take_line(false) {
            self.line(&line, &mut events);
        }
        events
    }

    /// At the end of the stream: what is left, including a last event that was not ended
    /// by a blank line (which the standard would drop; servers that omit it are tolerated).
    pub fn finish(&mut self) -> Vec<String> {
        let mut events = vec![];
        while let Some(line) = self.take_line(true) {
            self.line(&line, &mut events);
        }
        self.line("", &mut events);
        events
    }

    /// The id of the last event that set one (a priming event's, for instance), which a
    /// client would send back as `Last-Event-ID` to resume the stream.
    pub fn last_event_id(&self) -> Option<&str> {
        self.last_event_id.as_deref()
    }

    /// One line without its terminator (CRLF, LF or a lone CR). A CR at the end of the buffer
    /// waits for the next chunk, which may start with its LF, unless the stream has ended.
    fn take_line(&mut self, at_end: bool) -> Option<String> {
        let pos = self.buf.iter().position(|&b| b == b'\n' || b == b'\r');
        let (end, skip) = match pos {
            Some(p) if self.buf[p] == b'\n' => (p, 1),
            Some(p) if p + 1 < self.buf.len() => (p, if self.buf[p + 1] == b'\n' { 2 } else { 1 }),
            Some(p) if at_end => (p, 1),
            Some(_) => return None,
            None if at_end && !self.buf.is_empty() => (self.buf.len(), 0),
            None => return None,
        };
        let raw: Vec<u8> = self.buf.drain(..end + skip).take(end).collect();
        let mut line = String::from_utf8_lossy(&raw).into_owned();
        if !self.started {
            self.started = true;
            if let Some(rest) = line.strip_prefix('\u{feff}') {
                line = rest.to_string();
            }
        }
        Some(line)
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

    #[test]
    fn events_split_across_chunks() {
        let mut p = SseParser::default();
        assert!(p.feed(b"event: message\ndata: {\"a\"").is_empty());
        let ev = p.feed(b":1}\n\ndata: x\r\ndata: y\r\n\r\n: comment\n");
        assert_eq!(ev, vec!["{\"a\":1}".to_string(), "x\ny".to_string()]);
        assert!(p.feed(b"data: tail").is_empty());
        assert_eq!(p.finish(), ["tail"]);
    }

    #[test]
    fn priming_events_and_comments_carry_no_message_but_keep_their_id() {
        // MCP 2025-11-25 (SEP-1699): an id and an empty data first, then the messages.
        let mut p = SseParser::default();
        let ev = p.feed(b"id: prime-0\nretry: 3000\ndata:\n\n: keep-alive\n\nretry: 10\n\n");
        assert_eq!(ev, [""], "an empty data field is an event with empty data");
        assert_eq!(p.last_event_id(), Some("prime-0"));
        let ev = p.feed(b"id: 1\nevent: message\ndata: {}\n\nid\n\n");
        assert_eq!(ev, ["{}"]);
        assert_eq!(p.last_event_id(), Some(""), "a bare `id` resets it");
        assert!(p.finish().is_empty());
    }

    #[test]
    fn every_line_ending_and_a_byte_order_mark() {
        let mut p = SseParser::default();
        // A CR at the end of a chunk may be the first half of a CRLF.
        assert!(p.feed("\u{feff}data: a\r".as_bytes()).is_empty());
        assert!(p.feed(b"\n\r").is_empty());
        let ev = p.feed(b"\ndata: b\rdata:c\r\r\n");
        assert_eq!(ev, ["a", "b\nc"]);
        assert_eq!(p.feed(b"data\n\n"), [""]);
        assert!(p.feed(b"data: d\r").is_empty());
        assert_eq!(p.finish(), ["d"]);
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
